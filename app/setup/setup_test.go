package setup_test

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/clerkguard/clerkguard"
	"github.com/clerkguard/clerkguard/app/config"
	"github.com/clerkguard/clerkguard/app/setup"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

func TestWebURL(t *testing.T) {
	for api, want := range map[string]string{
		"https://api.github.com/":              "https://github.com/",
		"https://API.GitHub.com/":              "https://github.com/",
		"https://ghe.example.com/api/v3/":      "https://ghe.example.com/",
		"https://ghe.example.com:8443/api/v3/": "https://ghe.example.com:8443/",
		"https://api.octocorp.ghe.com/":        "https://octocorp.ghe.com/",
		"http://127.0.0.1:4000/":               "http://127.0.0.1:4000/",
		"http://127.0.0.1:4000/api/v3/":        "http://127.0.0.1:4000/",
	} {
		if got := setup.WebURL(api); got != want {
			t.Errorf("WebURL(%s) = %s, want %s", api, got, want)
		}
	}
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	formField  = regexp.MustCompile(`name="manifest" value="([^"]+)"`)
)

// setupForm fetches /setup and returns the form's target and manifest.
func setupForm(t *testing.T, c *http.Client, u string, hdr map[string]string) (string, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	body := string(raw)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, body)
	}
	for _, h := range []string{"Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("setup page lacks %s", h)
		}
	}
	if strings.Contains(body, "<script") || regexp.MustCompile(`(?i)(src|href)="https?://`).MatchString(body) {
		t.Error("setup page loads scripts or external assets")
	}
	a, f := formAction.FindStringSubmatch(body), formField.FindStringSubmatch(body)
	if a == nil || f == nil {
		t.Fatalf("no manifest form on the page:\n%s", body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(html.UnescapeString(f[1])), &m); err != nil {
		t.Fatalf("manifest field is not JSON: %v", err)
	}
	return html.UnescapeString(a[1]), m
}

// TestManifestFromAppYML: the posted manifest is app.yml with this server's
// URLs, for the user, an organisation, GHES and behind a proxy.
func TestManifestFromAppYML(t *testing.T) {
	var want map[string]any
	if err := yaml.Unmarshal(clerkguard.AppManifest(), &want); err != nil {
		t.Fatal(err)
	}
	h := start(t, fakegithub.Options{GHES: true}, nil)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	h.authorize(c)

	action, m := setupForm(t, c, h.base+"/setup?account=personal", nil)
	u, _ := url.Parse(action)
	if u.Scheme+"://"+u.Host+u.Path != h.gh.BaseURL()+"/settings/apps/new" || len(u.Query().Get("state")) < 32 {
		t.Errorf("form posts to %s, want the GHES host's /settings/apps/new?state=...", action)
	}
	for k, v := range want {
		if k == "hook_attributes" {
			continue
		}
		gotJSON, _ := json.Marshal(m[k])
		wantJSON, _ := json.Marshal(v)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("manifest %s = %s, want %s (from app.yml)", k, gotJSON, wantJSON)
		}
	}
	if hook := m["hook_attributes"].(map[string]any); hook["url"] != h.base+"/webhook" || hook["active"] != true {
		t.Errorf("hook_attributes = %v", hook)
	}
	if m["redirect_url"] != h.base+"/setup/callback" {
		t.Errorf("redirect_url = %v", m["redirect_url"])
	}

	action2, _ := setupForm(t, c, h.base+"/setup?org=acme-inc", nil)
	if !strings.HasPrefix(action2, h.gh.BaseURL()+"/organizations/acme-inc/settings/apps/new?state=") {
		t.Errorf("org form posts to %s", action2)
	}
	u2, _ := url.Parse(action2)
	if u2.Query().Get("state") == u.Query().Get("state") {
		t.Error("state reused across page loads")
	}

	_, m3 := setupForm(t, c, h.base+"/setup?account=personal", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cg.example.com, proxy.internal"})
	if m3["redirect_url"] != "https://cg.example.com/setup/callback" || m3["hook_attributes"].(map[string]any)["url"] != "https://cg.example.com/webhook" {
		t.Errorf("behind a proxy: %v %v", m3["redirect_url"], m3["hook_attributes"])
	}
	if code, _ := get(t, c, h.base+"/setup?org=bad/org"); code != 400 {
		t.Errorf("bad org: %d", code)
	}
}

func TestPublicURLAndWebURLOverride(t *testing.T) {
	h := start(t, fakegithub.Options{}, map[string]string{"CLERKGUARD_PUBLIC_URL": "https://cg.example.com/", "CLERKGUARD_GITHUB_WEB_URL": "https://github.example.net"})
	jar, _ := cookiejar.New(nil)
	cookie := h.authorize(&http.Client{Jar: jar})
	if !cookie.Secure || !cookie.HttpOnly {
		t.Errorf("setup cookie behind an https public URL: %+v, want Secure and HttpOnly", cookie)
	}
	// The jar keeps a Secure cookie from this plain-HTTP test server; send it by hand.
	action, m := setupForm(t, http.DefaultClient, h.base+"/setup?account=personal", map[string]string{"X-Forwarded-Host": "evil.example", "Cookie": cookie.Name + "=" + cookie.Value})
	if !strings.HasPrefix(action, "https://github.example.net/settings/apps/new?state=") {
		t.Errorf("action = %s", action)
	}
	if m["redirect_url"] != "https://cg.example.com/setup/callback" {
		t.Errorf("redirect_url = %v", m["redirect_url"])
	}
}

// TestSetupFlowHTTP runs the manifest flow with a plain HTTP client (the
// browser test does the same in Chromium): setup page, GitHub's page,
// callback, stored credentials, and the switch to the App.
func TestSetupFlowHTTP(t *testing.T) {
	h := start(t, fakegithub.Options{}, map[string]string{"CLERKGUARD_WEBHOOK_SECRET": "operator-secret"})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if code, _ := get(t, c, h.base+"/webhook"); code != http.StatusServiceUnavailable {
		t.Errorf("GET /webhook before setup: %d", code)
	}
	if code, body := get(t, c, h.base+"/readyz"); code != 200 || !strings.Contains(body, "setup mode") {
		t.Errorf("/readyz before setup: %d %q", code, body)
	}
	if code, _ := get(t, c, h.base+"/metrics"); code != 404 {
		t.Errorf("/metrics before setup: %d", code)
	}
	h.authorize(c)
	action, m := setupForm(t, c, h.base+"/setup?org=acme-inc", nil)
	mj, _ := json.Marshal(m)
	resp, err := c.PostForm(action, url.Values{"manifest": {string(mj)}}) // follows GitHub's redirect back
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(raw)
	if resp.StatusCode != 200 || !strings.Contains(page, "clerkguard is registered") || !strings.Contains(page, "Clerk security review") {
		t.Fatalf("callback: %d\n%s\nlogs:\n%s", resp.StatusCode, page, h.logs.String())
	}
	if !strings.Contains(page, "/apps/"+h.gh.AppSlug()+"/installations/new") {
		t.Error("success page lacks the install link")
	}
	creds := h.assertStored()
	if creds.AppID != h.gh.AppID() || creds.Slug != h.gh.AppSlug() || creds.ClientSecret == "" || creds.APIURL != h.gh.URL() {
		t.Errorf("stored %+v", creds)
	}
	if r := h.st.Registered(); r == nil || r.AppID != creds.AppID {
		t.Errorf("Registered() = %v", r)
	}
	// The App serves now: readiness from the job store, metrics, webhooks
	// signed with GitHub's secret and with the operator's.
	if code, body := get(t, c, h.base+"/readyz"); code != 200 || strings.Contains(body, "setup") {
		t.Errorf("/readyz after setup: %d %q", code, body)
	}
	if code, _ := get(t, c, h.base+"/metrics"); code != 200 {
		t.Errorf("/metrics after setup: %d", code)
	}
	if _, status, err := h.gh.Deliver(t.Context(), h.base+"/webhook", "operator-secret", "ping", []byte(`{"zen":"hi"}`)); err != nil || status != 200 {
		t.Errorf("ping with the operator's secret: %d %v", status, err)
	}
	h.assertServing(creds.WebhookSecret)
	// Revisiting /setup or the callback shows nothing (TestSetupRequiresToken
	// checks what it does not show).
	for _, p := range []string{"/setup", "/setup/callback?code=x&state=y"} {
		if code, body := get(t, c, h.base+p); code != 404 || strings.Contains(body, fmt.Sprint(creds.AppID)) || strings.Contains(body, `name="manifest"`) {
			t.Errorf("%s after setup: %d", p, code)
		}
	}
	if v := h.gh.Violations(); len(v) > 0 {
		t.Errorf("violations: %v", v)
	}
	h.stop()
	h.assertNoSecretsLogged(creds, "operator-secret")
	sub := h.gh.ManifestSubmissions()[0]
	if strings.Contains(h.logs.String(), sub.Code) {
		t.Error("logs contain the manifest code")
	}
}

func TestCallbackErrors(t *testing.T) {
	h := start(t, fakegithub.Options{}, nil)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	h.authorize(c)

	for name, q := range map[string]string{"no code": "?state=abc", "no state": "?code=abc", "unknown state": "?code=abc&state=nope", "malformed code": "?code=a/b&state=x"} {
		if code, body := get(t, c, h.base+"/setup/callback"+q); code != 400 || !strings.Contains(body, "/setup") {
			t.Errorf("%s: %d", name, code)
		}
	}
	// A state from this browser, a code GitHub does not know: 400, from GitHub's 404.
	action, _ := setupForm(t, c, h.base+"/setup?org=acme-inc", nil)
	u, _ := url.Parse(action)
	state := u.Query().Get("state")
	if code, body := get(t, c, h.base+"/setup/callback?code=deadbeef&state="+state); code != 400 || !strings.Contains(body, "GitHub refused the code") {
		t.Errorf("unknown code: %d\n%s", code, body)
	}
	// The state is single-use.
	if code, _ := get(t, c, h.base+"/setup/callback?code=deadbeef&state="+state); code != 400 {
		t.Errorf("reused state: %d", code)
	}
	// Another browser (no cookie) cannot complete this browser's flow.
	action, m := setupForm(t, c, h.base+"/setup?account=personal", nil)
	mj, _ := json.Marshal(m)
	resp, err := noFollow.PostForm(action, url.Values{"manifest": {string(mj)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback := resp.Header.Get("Location")
	if code, body := get(t, http.DefaultClient, callback); code != 403 || strings.Contains(body, "another browser") {
		t.Errorf("browser without the setup token: %d", code)
	}
	// Another browser that has the token cannot complete this browser's flow.
	jar2, _ := cookiejar.New(nil)
	other := &http.Client{Jar: jar2}
	h.authorize(other)
	if code, body := get(t, other, callback); code != 400 || !strings.Contains(body, "another browser") {
		t.Errorf("other browser: %d", code)
	}
	// GitHub failing: 502, and the same callback can be retried.
	h.gh.SetFaults(fakegithub.Faults{ServerErrorRate: 1, Operations: []string{"apps/create-from-manifest"}})
	if code, body := get(t, c, callback); code != http.StatusBadGateway || !strings.Contains(body, "GitHub") {
		t.Errorf("GitHub 5xx: %d\n%s", code, body)
	}
	h.gh.SetFaults(fakegithub.Faults{})
	if code, body := get(t, c, callback); code != 200 || !strings.Contains(body, "is registered") {
		t.Errorf("retry after GitHub recovered: %d\n%s", code, body)
	}
	creds := h.assertStored()
	h.stop()
	h.assertNoSecretsLogged(creds, "deadbeef")
}

func TestGitHubUnreachable(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/"
	dead.Close()
	h := start(t, fakegithub.Options{}, map[string]string{"CLERKGUARD_GITHUB_API_URL": deadURL, "CLERKGUARD_GITHUB_WEB_URL": "https://github.example.net/"})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	h.authorize(c)
	action, _ := setupForm(t, c, h.base+"/setup?org=acme-inc", nil)
	u, _ := url.Parse(action)
	code, body := get(t, c, h.base+"/setup/callback?code=c0ffee&state="+u.Query().Get("state"))
	if code != http.StatusBadGateway || strings.Contains(body, "c0ffee") {
		t.Errorf("unreachable GitHub: %d\n%s", code, body)
	}
	if strings.Contains(h.logs.String(), "c0ffee") {
		t.Error("logs contain the code")
	}
}

func TestStoreAndEnv(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	if c, err := setup.Load(dir, nil); c != nil || err != nil {
		t.Fatalf("empty dir: %v %v", c, err)
	}
	key, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "github", "README.md")) // any bytes do for the store
	if err != nil {
		t.Fatal(err)
	}
	c := &setup.Credentials{AppID: 77, Slug: "cg", WebhookSecret: "whs", ClientSecret: "cs", PEM: key, APIURL: "https://ghe.example.com/api/v3/"}
	if err := setup.Save(dir, c); err != nil {
		t.Fatal(err)
	}
	if err := setup.Save(dir, c); err != nil { // overwrite
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("data dir holds %d entries, want the 2 files and no temporaries", len(entries))
	}
	for _, s := range []string{c.String(), fmtLog(c)} {
		if strings.Contains(s, "whs") || strings.Contains(s, "cs\"") {
			t.Errorf("secret in %q", s)
		}
	}
	got, err := setup.Load(dir, func(msg string, _ ...any) { t.Errorf("warned: %s", msg) })
	if err != nil || got.AppID != 77 || string(got.PEM) != string(key) {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	if err := os.Chmod(filepath.Join(dir, setup.PrivateKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	warned := false
	if _, err := setup.Load(dir, func(string, ...any) { warned = true }); err != nil || !warned {
		t.Errorf("no warning for a readable key: %v", err)
	}

	env := map[string]string{"CLERKGUARD_WEBHOOK_SECRET": "env1", "CLERKGUARD_LISTEN": ":9"}
	getenv := config.Getenv(func(k string) string { return env[k] })
	if !setup.Unconfigured(getenv) {
		t.Error("Unconfigured = false without credentials")
	}
	if setup.Unconfigured(func(k string) string { return map[string]string{"CLERKGUARD_APP_ID": "1"}[k] }) {
		t.Error("Unconfigured = true with an App ID")
	}
	over := setup.Env(getenv, dir, got)
	for k, want := range map[string]string{"CLERKGUARD_APP_ID": "77", "CLERKGUARD_PRIVATE_KEY_FILE": filepath.Join(dir, setup.PrivateKeyFile),
		"CLERKGUARD_WEBHOOK_SECRET": "whs,env1", "CLERKGUARD_GITHUB_API_URL": "https://ghe.example.com/api/v3/", "CLERKGUARD_LISTEN": ":9"} {
		if v := over(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	env["CLERKGUARD_GITHUB_API_URL"] = "https://api.github.com/"
	if v := over("CLERKGUARD_GITHUB_API_URL"); v != "https://api.github.com/" {
		t.Errorf("the environment's API URL should win: %s", v)
	}
	if got := setup.DataDir(func(string) string { return "" }); got != "." {
		t.Errorf("default data dir %q", got)
	}

	if err := os.WriteFile(filepath.Join(dir, setup.CredentialsFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Load(dir, nil); err == nil {
		t.Error("corrupt credentials file accepted")
	}
}

func fmtLog(c *setup.Credentials) string {
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "app", c)
	return b.String()
}

func TestDataDirMustBeWritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write anywhere")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	_, err := setup.New(setup.Options{Getenv: func(k string) string { return map[string]string{"CLERKGUARD_DATA_DIR": dir}[k] }})
	if err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("New with a read-only data dir: %v", err)
	}
}

func TestNewRejectsBadURLs(t *testing.T) {
	for k, v := range map[string]string{"CLERKGUARD_GITHUB_API_URL": "ftp://x", "CLERKGUARD_PUBLIC_URL": "cg.example.com", "CLERKGUARD_GITHUB_WEB_URL": "https://x/?a=b"} {
		env := map[string]string{k: v, "CLERKGUARD_DATA_DIR": t.TempDir()}
		if _, err := setup.New(setup.Options{Getenv: func(k string) string { return env[k] }}); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
