package setup

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
)

// ServeHTTP routes setup mode: /setup and /setup/callback always; everything
// else goes to the App once it is registered.
func (s *Setup) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/setup", "/setup/":
		if !getOnly(w, r) {
			return
		}
		s.handleSetup(w, r)
		return
	case "/setup/callback":
		if !getOnly(w, r) {
			return
		}
		s.handleCallback(w, r)
		return
	}
	if app := s.app.Load(); app != nil {
		app.h.ServeHTTP(w, r)
		return
	}
	switch r.URL.Path {
	case "/":
		http.Redirect(w, r, "/setup", http.StatusFound)
	case "/healthz":
		fmt.Fprintln(w, "ok")
	case "/readyz":
		// Ready to serve what it serves now: the setup page. Failing here
		// would take the only way to register out of a load balancer.
		fmt.Fprintln(w, "setup mode: open /setup to register the GitHub App")
	case "/webhook":
		http.Error(w, "clerkguard is not registered with GitHub yet: open /setup", http.StatusServiceUnavailable)
	default:
		http.NotFound(w, r)
	}
}

func getOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "GET only", http.StatusMethodNotAllowed)
	return false
}

const browserCookie = "clerkguard_setup"

// tokenParam carries the setup token in the URL the log shows.
const tokenParam = "token"

// browserAuth is the cookie value of a browser that presented the setup
// token: a random browser ID and its HMAC under the token.
func (s *Setup) browserAuth(browser string) string {
	m := hmac.New(sha256.New, []byte(s.token))
	m.Write([]byte(browser))
	return browser + "." + hex.EncodeToString(m.Sum(nil))
}

// authorized returns the browser ID of a request whose cookie proves that
// its browser presented the setup token.
func (s *Setup) authorized(r *http.Request) (string, bool) {
	c, err := r.Cookie(browserCookie)
	if err != nil {
		return "", false
	}
	browser, _, ok := strings.Cut(c.Value, ".")
	if !ok || !validToken(browser) {
		return "", false
	}
	return browser, hmac.Equal([]byte(c.Value), []byte(s.browserAuth(browser)))
}

// denied answers a request without the setup token: nothing about the App,
// the server or its data directory.
func (s *Setup) denied(w http.ResponseWriter) {
	s.render(w, http.StatusForbidden, pageData{Kind: "error", Title: "Setup link required",
		Message: "Open the setup link printed in clerkguard's log when it started. It carries a one-time token."})
}

// closed answers setup pages once the App is registered: they reveal nothing.
func (s *Setup) closed(w http.ResponseWriter) {
	s.render(w, http.StatusNotFound, pageData{Kind: "error", Title: "Not found", Message: "There is no setup page here."})
}

// presentToken checks the token in the setup URL and, when it matches,
// gives the browser its cookie and sends it to the page without the token
// in the address.
func (s *Setup) presentToken(w http.ResponseWriter, r *http.Request, token string) {
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) != 1 {
		s.log.Warn("setup page requested with a wrong setup token")
		s.denied(w)
		return
	}
	browser, ok := s.authorized(r)
	if !ok {
		browser = randomToken()
	}
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: s.browserAuth(browser), Path: "/setup", MaxAge: int(StateLifetime / time.Second),
		HttpOnly: true, Secure: strings.HasPrefix(s.public(r), "https://"), SameSite: http.SameSiteLaxMode})
	q := r.URL.Query()
	q.Del(tokenParam)
	target := "/setup"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// accountPersonal is the value of the account query parameter that chooses
// the operator's personal account instead of an organisation.
const accountPersonal = "personal"

var orgName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$`)

func (s *Setup) handleSetup(w http.ResponseWriter, r *http.Request) {
	if s.app.Load() != nil {
		s.closed(w)
		return
	}
	if r.URL.Query().Has(tokenParam) {
		s.presentToken(w, r, r.URL.Query().Get(tokenParam))
		return
	}
	browser, ok := s.authorized(r)
	if !ok {
		s.denied(w)
		return
	}
	org := strings.TrimSpace(r.URL.Query().Get("org"))
	if org != "" && !orgName.MatchString(org) {
		s.render(w, http.StatusBadRequest, pageData{Kind: "error", Title: "Not an organisation name",
			Message: fmt.Sprintf("%q is not a GitHub organisation name (letters, digits and single hyphens, at most 39 characters).", org)})
		return
	}
	personal := org == "" && r.URL.Query().Get("account") == accountPersonal
	public := s.public(r)
	if org == "" && !personal {
		// An App registered under a personal account cannot be installed
		// on an organisation: ask for the organisation first; a personal
		// account is an explicit choice.
		s.render(w, http.StatusOK, pageData{Kind: "owner", Title: "Register clerkguard on GitHub",
			GitHubHost: hostOf(s.webURL), AppName: fmt.Sprint(s.manifest["name"]), Unreachable: unreachable(public)})
		return
	}
	manifest, err := s.manifestJSON(public)
	if err != nil {
		s.log.Error("build manifest", "err", err)
		s.render(w, http.StatusInternalServerError, pageData{Kind: "error", Title: "Cannot build the manifest", Message: err.Error()})
		return
	}
	state := s.states.add(browser, org)
	action := s.createURL(org) + "?" + url.Values{"state": {state}}.Encode()
	s.render(w, http.StatusOK, pageData{Kind: "setup", Title: "Register clerkguard on GitHub",
		Action: action, Manifest: string(manifest), Org: org, GitHubHost: hostOf(s.webURL),
		WebhookURL: public + "/webhook", CallbackURL: public + "/setup/callback",
		Permissions: s.permissions(), Events: s.events(), AppName: fmt.Sprint(s.manifest["name"]),
		Storage: s.storage(), Unreachable: unreachable(public)})
}

func (s *Setup) handleCallback(w http.ResponseWriter, r *http.Request) {
	if s.app.Load() != nil {
		s.closed(w)
		return
	}
	browser, ok := s.authorized(r)
	if !ok {
		// States belong to browsers that presented the setup token, so
		// this request cannot complete a registration.
		s.log.Warn("setup callback from a browser without the setup token")
		s.denied(w)
		return
	}
	q := r.URL.Query()
	code, state := q.Get("code"), q.Get("state")
	fail := func(status int, title, msg string) {
		s.render(w, status, pageData{Kind: "error", Title: title, Message: msg})
	}
	if code == "" || state == "" {
		s.log.Warn("setup callback without code or state")
		fail(http.StatusBadRequest, "Incomplete return from GitHub", "GitHub's redirect carries a code and a state; this request lacks one. Start again from the setup page.")
		return
	}
	if !validCode.MatchString(code) {
		s.log.Warn("setup callback with a malformed code")
		fail(http.StatusBadRequest, "Malformed code", "The code in the address is not one GitHub issues. Start again from the setup page.")
		return
	}
	entry, err := s.states.take(state, browser)
	switch {
	case errors.Is(err, errStateBrowser):
		s.log.Warn("setup callback: the state belongs to another browser")
		fail(http.StatusBadRequest, "Started in another browser", "This registration was started in a different browser (or its cookie was removed). Finish it there, or start again from the setup page here.")
		return
	case err != nil:
		s.log.Warn("setup callback with an unknown, used or expired state")
		fail(http.StatusBadRequest, "Setup link expired or already used", "The state in the address is unknown, was already used, or is older than an hour. Start again from the setup page.")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.app.Load() != nil { // a concurrent callback won
		s.closed(w)
		return
	}
	creds, status, err := s.convert(r.Context(), code)
	if err != nil {
		s.log.Warn("exchanging the manifest code with GitHub failed", "github_status", status, "err", err)
		if status == http.StatusNotFound || status == http.StatusUnprocessableEntity || status == http.StatusGone {
			fail(http.StatusBadRequest, "GitHub refused the code", "GitHub did not accept the code: it is valid for one hour and only once. Start again from the setup page. ("+err.Error()+")")
			return
		}
		fail(http.StatusBadGateway, "GitHub did not answer", "Exchanging the code with GitHub failed: "+err.Error()+". The code stays valid for an hour: reload this page to retry, or start again from the setup page.")
		s.states.restore(state, entry)
		return
	}
	stored := "stored in " + s.credDir
	if s.secretName == "" {
		if err := Save(s.credDir, creds); err != nil {
			s.log.Error("storing the App credentials failed", "app", creds, "credentials_dir", s.credDir, "err", err)
			fail(http.StatusInternalServerError, "Cannot store the App credentials",
				fmt.Sprintf("GitHub created %s, but writing its credentials to %s failed: %v. Fix the directory, then delete the App in GitHub's settings and register again.", creds, s.credDir, err))
			return
		}
		s.log.Info("GitHub App registered; credentials stored", "app", creds, "credentials_dir", s.credDir)
	} else {
		// The Secret is shown once, on this page only; never logged.
		stored = "held in memory until you apply the Kubernetes Secret " + s.secretName
		s.log.Info("GitHub App registered; its Kubernetes Secret is shown once, on the page that completed setup", "app", creds, "credentials_secret", s.secretName)
	}
	if err := s.requestSwitch(r.Context(), creds); err != nil {
		s.log.Error("switching to the App failed; restart clerkguard serve to use the stored credentials", "err", err)
		d := doneData(creds, s.secretName)
		d.Kind, d.Title = "error", "Registered, but not serving yet"
		d.Message = fmt.Sprintf("%s is registered and its credentials are %s, but starting the App failed: %v. Fix the cause and restart clerkguard serve; it will use the stored credentials.", creds, stored, err)
		s.render(w, http.StatusInternalServerError, d)
		return
	}
	d := doneData(creds, s.secretName)
	d.Storage = s.storage()
	s.render(w, http.StatusOK, d)
}

var validCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// convert exchanges the code: POST /app-manifests/{code}/conversions. Errors
// carry GitHub's status and message, never the code or a secret.
func (s *Setup) convert(ctx context.Context, code string) (*Credentials, int, error) {
	gc := github.NewClient(s.client)
	base, err := url.Parse(s.apiURL)
	if err != nil {
		return nil, 0, err
	}
	gc.BaseURL = base
	if s.o.App.Version != "" {
		gc.UserAgent = "clerkguard/" + s.o.App.Version
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cfg, resp, err := gc.Apps.CompleteAppManifest(ctx, code)
	if err != nil {
		var ge *github.ErrorResponse
		if errors.As(err, &ge) && ge.Response != nil {
			return nil, ge.Response.StatusCode, fmt.Errorf("GitHub answered %d: %s", ge.Response.StatusCode, ge.Message)
		}
		var ue *url.Error
		if errors.As(err, &ue) { // its text holds the URL, and so the code
			return nil, 0, fmt.Errorf("request to GitHub failed: %v", ue.Err)
		}
		st := 0
		if resp != nil {
			st = resp.StatusCode
		}
		return nil, st, errors.New("GitHub's answer could not be read")
	}
	c := &Credentials{AppID: cfg.GetID(), Slug: cfg.GetSlug(), Name: cfg.GetName(), Owner: cfg.GetOwner().GetLogin(),
		HTMLURL: cfg.GetHTMLURL(), ClientID: cfg.GetClientID(), ClientSecret: cfg.GetClientSecret(),
		WebhookSecret: cfg.GetWebhookSecret(), APIURL: s.apiURL, CreatedAt: s.o.Now().UTC().Truncate(time.Second), PEM: []byte(cfg.GetPEM())}
	if c.AppID <= 0 || len(c.PEM) == 0 || c.WebhookSecret == "" {
		return nil, resp.StatusCode, errors.New("GitHub's answer lacks the App ID, private key or webhook secret")
	}
	return c, resp.StatusCode, nil
}

// manifestJSON is app.yml with this server's URLs, as the JSON GitHub wants.
func (s *Setup) manifestJSON(public string) ([]byte, error) {
	m := make(map[string]any, len(s.manifest)+1)
	for k, v := range s.manifest {
		m[k] = v
	}
	hook := map[string]any{"active": true}
	if h, ok := s.manifest["hook_attributes"].(map[string]any); ok {
		for k, v := range h {
			hook[k] = v
		}
	}
	hook["url"] = public + "/webhook"
	m["hook_attributes"] = hook
	m["redirect_url"] = public + "/setup/callback"
	return json.Marshal(m)
}

func (s *Setup) permissions() []string {
	p, _ := s.manifest["default_permissions"].(map[string]any)
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		name := strings.ReplaceAll(k, "_", " ")
		out = append(out, strings.ToUpper(name[:1])+name[1:]+": "+fmt.Sprint(p[k]))
	}
	return out
}

func (s *Setup) events() []string {
	e, _ := s.manifest["default_events"].([]any)
	out := make([]string, 0, len(e))
	for _, v := range e {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// createURL is GitHub's "create App from manifest" page for the user or an org.
func (s *Setup) createURL(org string) string {
	if org == "" {
		return s.webURL + "settings/apps/new"
	}
	return s.webURL + "organizations/" + url.PathEscape(org) + "/settings/apps/new"
}

// WebURL derives GitHub's web root from the REST base URL:
// api.github.com -> github.com, api.SUB.ghe.com -> SUB.ghe.com, GHES
// https://HOST/api/v3/ -> https://HOST/, anything else -> its scheme and host.
func WebURL(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return "https://github.com/"
	}
	host := u.Host
	switch {
	case strings.EqualFold(host, "api.github.com"):
		return "https://github.com/"
	case strings.HasPrefix(strings.ToLower(host), "api.") && strings.HasSuffix(strings.ToLower(host), ".ghe.com"):
		return u.Scheme + "://" + host[len("api."):] + "/"
	}
	prefix := ""
	if i := strings.Index(u.Path, "/api/v3"); i >= 0 {
		prefix = u.Path[:i]
	}
	return u.Scheme + "://" + host + prefix + "/"
}

var hostPort = regexp.MustCompile(`^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$`)

// public is the URL GitHub reaches this server at: CLERKGUARD_PUBLIC_URL, or
// the request's, honouring X-Forwarded-Proto and X-Forwarded-Host from a
// reverse proxy.
func (s *Setup) public(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	if p := strings.ToLower(firstValue(r.Header.Get("X-Forwarded-Proto"))); p == "http" || p == "https" {
		proto = p
	}
	host := r.Host
	if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" && hostPort.MatchString(h) {
		host = h
	}
	if !hostPort.MatchString(host) {
		host = "localhost"
	}
	return proto + "://" + host
}

func firstValue(h string) string {
	v, _, _ := strings.Cut(h, ",")
	return strings.TrimSpace(v)
}

// unreachable reports a public URL GitHub cannot deliver webhooks to.
func unreachable(public string) bool {
	u, err := url.Parse(public)
	if err != nil {
		return true
	}
	h := u.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Host
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Errorf("setup: crypto/rand: %w", err)) // the system RNG failing is unrecoverable
	}
	return hex.EncodeToString(b)
}

func validToken(v string) bool {
	if len(v) != 48 {
		return false
	}
	_, err := hex.DecodeString(v)
	return err == nil
}

// stateStore holds the setup pages' states: random, one-time, expiring.
type stateStore struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]stateEntry
}

type stateEntry struct {
	browser string
	org     string
	expires time.Time
}

// maxStates bounds memory if someone reloads /setup in a loop.
const maxStates = 10000

var (
	errStateUnknown = errors.New("unknown, used or expired state")
	errStateBrowser = errors.New("state started in another browser")
)

func newStateStore(now func() time.Time) *stateStore {
	return &stateStore{now: now, m: map[string]stateEntry{}}
}

func (st *stateStore) add(browser, org string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	if len(st.m) >= maxStates/2 {
		for k, e := range st.m {
			if !now.Before(e.expires) {
				delete(st.m, k)
			}
		}
	}
	if len(st.m) >= maxStates { // drop the entry closest to expiry
		var oldest string
		for k, e := range st.m {
			if oldest == "" || e.expires.Before(st.m[oldest].expires) {
				oldest = k
			}
		}
		delete(st.m, oldest)
	}
	state := randomToken()
	st.m[state] = stateEntry{browser: browser, org: org, expires: now.Add(StateLifetime)}
	return state
}

// take consumes a state; it must be live and belong to browser.
func (st *stateStore) take(state, browser string) (stateEntry, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.m[state]
	if !ok || !st.now().Before(e.expires) {
		delete(st.m, state)
		return stateEntry{}, errStateUnknown
	}
	if e.browser != browser {
		return stateEntry{}, errStateBrowser // keep it for the right browser
	}
	delete(st.m, state)
	return e, nil
}

// restore puts a consumed state back (with its original expiry) after a
// transient GitHub failure, so reloading the callback retries the exchange.
func (st *stateStore) restore(state string, e stateEntry) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.m[state] = e
}
