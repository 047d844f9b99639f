package fakegithub

import (
	"bytes"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The GitHub App manifest flow (docs: "Registering a GitHub App from a manifest"):
//
//  1. A browser POSTs a form field `manifest` (JSON) to the web page
//     /settings/apps/new or /organizations/ORG/settings/apps/new, with an optional
//     ?state=. On GitHub the user then confirms; the fake confirms at once.
//  2. GitHub redirects (302) to the manifest's redirect_url?code=...&state=... .
//  3. The App exchanges the code, within an hour and once, with the unauthenticated
//     POST /app-manifests/{code}/conversions for its id, pem, webhook_secret,
//     client_id and client_secret.
//
// The fake does not mint a second App: the conversion hands out its own App ID, slug
// and private key, so a client configured from the conversion authenticates against the
// fake like any other. It also sets the fake's App webhook (SetWebhook) to the manifest's
// hook_attributes.url and the new webhook secret, as GitHub configures the new App.

// ManifestCodeLifetime is how long a manifest code can be exchanged.
const ManifestCodeLifetime = time.Hour

// ManifestSubmission is one manifest posted to the fake's "create App" web page.
type ManifestSubmission struct {
	Time time.Time
	// Org is the organisation the App is registered for ("" = the user's account).
	Org string
	// State is the state query parameter the page was posted with.
	State string
	// Manifest is the decoded manifest.
	Manifest Manifest
	// Code is the temporary code handed to redirect_url.
	Code string
	// Converted reports whether the code was exchanged.
	Converted bool
	// WebhookSecret is the secret the conversion returned ("" before conversion).
	WebhookSecret string
}

// Manifest is a GitHub App manifest, with the keys GitHub documents.
type Manifest struct {
	Name                  string            `json:"name"`
	URL                   string            `json:"url"`
	HookAttributes        *HookAttributes   `json:"hook_attributes,omitempty"`
	RedirectURL           string            `json:"redirect_url,omitempty"`
	CallbackURLs          []string          `json:"callback_urls,omitempty"`
	SetupURL              string            `json:"setup_url,omitempty"`
	Description           string            `json:"description,omitempty"`
	Public                *bool             `json:"public,omitempty"`
	DefaultEvents         []string          `json:"default_events,omitempty"`
	DefaultPermissions    map[string]string `json:"default_permissions,omitempty"`
	RequestOAuthOnInstall *bool             `json:"request_oauth_on_install,omitempty"`
	SetupOnUpdate         *bool             `json:"setup_on_update,omitempty"`
}

// HookAttributes is the manifest's webhook.
type HookAttributes struct {
	URL    string `json:"url"`
	Active *bool  `json:"active,omitempty"`
}

// manifestState lives in Server (guarded by Server.mu); the zero value is ready.
type manifestState struct {
	subs  []*ManifestSubmission
	codes map[string]*ManifestSubmission
}

// ManifestSubmissions returns every manifest posted to the fake, oldest first.
func (s *Server) ManifestSubmissions() []ManifestSubmission {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ManifestSubmission, 0, len(s.manifest.subs))
	for _, m := range s.manifest.subs {
		out = append(out, *m)
	}
	return out
}

// CreateAppURL is the fake's "create a GitHub App from a manifest" web page: the user
// account's (org == "") or an organisation's. Browsers POST the manifest form there.
func (s *Server) CreateAppURL(org string) string {
	if org == "" {
		return s.srv.URL + "/settings/apps/new"
	}
	return s.srv.URL + "/organizations/" + url.PathEscape(org) + "/settings/apps/new"
}

var orgAppsNew = regexp.MustCompile(`^/organizations/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)/settings/apps/new$`)

// serveWeb serves the fake's web pages (not the API); it reports whether it handled
// the request. Web pages live at the server root in both the github.com and GHES
// layouts, as on GitHub.
func (s *Server) serveWeb(w http.ResponseWriter, r *http.Request) bool {
	org := ""
	switch p := r.URL.Path; {
	case p == "/settings/apps/new":
	case orgAppsNew.MatchString(p):
		org = orgAppsNew.FindStringSubmatch(p)[1]
	default:
		return false
	}
	started := time.Now()
	status := s.hCreateAppPage(w, r, org)
	s.mu.Lock()
	s.state.requests = append(s.state.requests, RequestLog{Time: s.now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Template: r.Method + " /settings/apps/new", OperationID: "web/create-app-from-manifest", Status: status, Duration: time.Since(started)})
	s.mu.Unlock()
	return true
}

func (s *Server) hCreateAppPage(w http.ResponseWriter, r *http.Request, org string) int {
	if r.Method != http.MethodPost {
		return webPage(w, http.StatusMethodNotAllowed, "Method not allowed",
			"The fake GitHub only implements the manifest flow here: POST a form field named manifest.")
	}
	if err := r.ParseForm(); err != nil {
		return webPage(w, http.StatusBadRequest, "Bad request", "The form could not be read: "+err.Error())
	}
	raw := r.PostForm.Get("manifest")
	m, problems := parseManifest(raw)
	if len(problems) > 0 {
		msg := "Invalid GitHub App manifest: " + strings.Join(problems, "; ")
		s.addViolation(Violation{Kind: "manifest", Method: r.Method, Path: r.URL.Path, OperationID: "web/create-app-from-manifest",
			Message: msg, Body: truncate(raw, 16384)})
		return webPage(w, http.StatusUnprocessableEntity, "Invalid GitHub App manifest", msg)
	}
	state := r.URL.Query().Get("state")
	code := randomHex(10)
	s.mu.Lock()
	sub := &ManifestSubmission{Time: s.now(), Org: org, State: state, Manifest: m, Code: code}
	s.manifest.subs = append(s.manifest.subs, sub)
	if s.manifest.codes == nil {
		s.manifest.codes = map[string]*ManifestSubmission{}
	}
	s.manifest.codes[code] = sub
	s.mu.Unlock()

	to, _ := url.Parse(m.RedirectURL) // validated by parseManifest
	q := to.Query()
	q.Set("code", code)
	if state != "" {
		q.Set("state", state)
	}
	to.RawQuery = q.Encode()
	http.Redirect(w, r, to.String(), http.StatusFound)
	return http.StatusFound
}

// parseManifest decodes and checks a manifest as GitHub's page does, strictly: unknown
// keys, wrong types, missing required keys and events GitHub refuses are problems.
func parseManifest(raw string) (Manifest, []string) {
	var m Manifest
	if strings.TrimSpace(raw) == "" {
		return m, []string{"the form field manifest is missing or empty"}
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, []string{"not a valid manifest JSON object: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return m, []string{"trailing data after the manifest JSON object"}
	}
	var p []string
	if strings.TrimSpace(m.Name) == "" {
		p = append(p, "name is required")
	} else if len(m.Name) > 34 {
		p = append(p, "name is too long (maximum is 34 characters)")
	}
	checkURL := func(key, v string, required bool) {
		if v == "" {
			if required {
				p = append(p, key+" is required")
			}
			return
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p = append(p, fmt.Sprintf("%s %q is not an absolute http(s) URL", key, v))
		}
	}
	checkURL("url", m.URL, true)
	if m.HookAttributes == nil {
		p = append(p, "hook_attributes is required")
	} else {
		checkURL("hook_attributes.url", m.HookAttributes.URL, true)
	}
	checkURL("redirect_url", m.RedirectURL, true)
	checkURL("setup_url", m.SetupURL, false)
	if len(m.CallbackURLs) > 10 {
		p = append(p, "callback_urls has more than 10 entries")
	}
	for i, u := range m.CallbackURLs {
		checkURL(fmt.Sprintf("callback_urls[%d]", i), u, true)
	}
	if len(m.DefaultPermissions) == 0 {
		p = append(p, "default_permissions is required")
	}
	for _, k := range sortedKeys(m.DefaultPermissions) {
		if v := m.DefaultPermissions[k]; v != "read" && v != "write" && v != "admin" {
			p = append(p, fmt.Sprintf("default_permissions.%s: %q is not read, write or admin", k, v))
		}
	}
	if len(m.DefaultEvents) == 0 {
		p = append(p, "default_events is required")
	}
	for _, e := range m.DefaultEvents {
		switch {
		case e == "installation" || e == "installation_repositories":
			p = append(p, fmt.Sprintf("default_events: %q is delivered to every App and cannot be subscribed to", e))
		case !eventName.MatchString(e):
			p = append(p, fmt.Sprintf("default_events: %q is not an event name", e))
		}
	}
	return m, p
}

var eventName = regexp.MustCompile(`^[a-z][a-z_]*$`)

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// hCreateFromManifest: POST /app-manifests/{code}/conversions (no authentication).
func (s *Server) hCreateFromManifest(c *reqCtx) {
	code := c.params["code"]
	sub := s.manifest.codes[code]
	if sub == nil || sub.Converted || s.now().Sub(sub.Time) > ManifestCodeLifetime {
		c.notFound()
		return
	}
	sub.Converted = true
	sub.WebhookSecret = randomHex(20)
	m := sub.Manifest
	s.opts.WebhookURL, s.opts.WebhookSecret = m.HookAttributes.URL, sub.WebhookSecret

	id, slug := s.opts.AppID, s.opts.AppSlug
	owner := s.userFor("octocat")
	if sub.Org != "" {
		owner = s.userJSON(sub.Org, s.ownerIDLocked(sub.Org), "Organization")
	}
	perms := map[string]string{"metadata": "read"}
	for k, v := range m.DefaultPermissions {
		perms[k] = v
	}
	var desc any
	if m.Description != "" {
		desc = m.Description
	}
	now := fmtTime(s.now())
	c.json(http.StatusCreated, map[string]any{
		"id": id, "slug": slug, "node_id": nodeID("A", id), "owner": owner, "name": m.Name, "description": desc,
		"external_url": m.URL, "html_url": s.htmlBase() + "/apps/" + slug, "created_at": now, "updated_at": now,
		"permissions": perms, "events": append([]string{}, m.DefaultEvents...),
		"client_id":      "Iv1.fake" + strconv.FormatInt(id, 16),
		"client_secret":  randomHex(20),
		"webhook_secret": sub.WebhookSecret,
		"pem":            string(s.PrivateKeyPEM()),
	})
}

// randomHex returns n random bytes, hex-encoded (GitHub's codes and secrets are hex).
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := crand.Read(b); err != nil {
		panic(fmt.Errorf("fakegithub: crypto/rand: %w", err)) // the system RNG failing is unrecoverable
	}
	return hex.EncodeToString(b)
}

// webPage writes a minimal HTML page, as GitHub's web UI answers a browser.
func webPage(w http.ResponseWriter, status int, title, msg string) int {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s · fake GitHub</title></head><body><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(msg))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
	return status
}
