package fakegithub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

const goodManifest = `{"name":"clerkguard","url":"https://github.com/clerkguard/clerkguard",
 "hook_attributes":{"url":"https://cg.example.com/webhook","active":true},
 "redirect_url":"https://cg.example.com/setup/callback?x=1","public":false,
 "default_permissions":{"checks":"write","pull_requests":"write","contents":"read"},
 "default_events":["pull_request","check_run"]}`

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// postManifest posts the form as a browser does and returns the response.
func postManifest(t *testing.T, pageURL, manifest string) *http.Response {
	t.Helper()
	resp, err := noRedirect.PostForm(pageURL, url.Values{"manifest": {manifest}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// codeFrom checks the 302 to redirect_url and returns the code.
func codeFrom(t *testing.T, resp *http.Response, wantState string) string {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d, want 302: %s", resp.StatusCode, b)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Host != "cg.example.com" || loc.Path != "/setup/callback" || loc.Query().Get("x") != "1" {
		t.Errorf("redirect to %s, want redirect_url with its query kept", loc)
	}
	if got := loc.Query().Get("state"); got != wantState {
		t.Errorf("state = %q, want %q", got, wantState)
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatal("no code in the redirect")
	}
	return code
}

func anonClient(t *testing.T, f *fakegithub.Server) *github.Client {
	t.Helper()
	return enterprise(t, github.NewClient(nil), f)
}

func TestManifestFlow(t *testing.T) {
	for _, ghes := range []bool{false, true} {
		t.Run(map[bool]string{false: "github.com", true: "GHES"}[ghes], func(t *testing.T) {
			f := newFake(t, fakegithub.Options{GHES: ghes})
			ctx := context.Background()
			code := codeFrom(t, postManifest(t, f.CreateAppURL("")+"?state=s1", goodManifest), "s1")

			cfg, resp, err := anonClient(t, f).Apps.CompleteAppManifest(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("status %d, want 201", resp.StatusCode)
			}
			if cfg.GetID() != f.AppID() || cfg.GetSlug() != f.AppSlug() || cfg.GetName() != "clerkguard" ||
				cfg.GetWebhookSecret() == "" || cfg.GetClientSecret() == "" || !strings.HasPrefix(cfg.GetClientID(), "Iv1.") ||
				cfg.GetOwner().GetLogin() == "" {
				t.Errorf("conversion = %+v", cfg)
			}
			// The credentials work: the JWT from the returned key is accepted.
			tr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, cfg.GetID(), []byte(cfg.GetPEM()))
			if err != nil {
				t.Fatal(err)
			}
			tr.BaseURL = strings.TrimSuffix(f.URL(), "/")
			app, _, err := enterprise(t, github.NewClient(&http.Client{Transport: tr}), f).Apps.Get(ctx, "")
			if err != nil || app.GetID() != f.AppID() {
				t.Fatalf("GET /app with the converted key: %v %+v", err, app)
			}
			// The code is single-use.
			if _, resp, err := anonClient(t, f).Apps.CompleteAppManifest(ctx, code); err == nil || status(resp) != 404 {
				t.Errorf("second conversion: status %d err %v, want 404", status(resp), err)
			}
			subs := f.ManifestSubmissions()
			if len(subs) != 1 || !subs[0].Converted || subs[0].State != "s1" || subs[0].Org != "" ||
				subs[0].Manifest.HookAttributes.URL != "https://cg.example.com/webhook" || subs[0].WebhookSecret != cfg.GetWebhookSecret() {
				t.Errorf("submissions = %+v", subs)
			}
			noViolations(t, f)
		})
	}
}

func TestManifestOrganisationAndResponseSchema(t *testing.T) {
	f := newFake(t, fakegithub.Options{})
	if got := f.CreateAppURL("acme-inc"); got != f.BaseURL()+"/organizations/acme-inc/settings/apps/new" {
		t.Errorf("CreateAppURL = %s", got)
	}
	code := codeFrom(t, postManifest(t, f.CreateAppURL("acme-inc"), goodManifest), "")
	resp, err := http.Post(f.URL()+"app-manifests/"+code+"/conversions", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	sch, err := fakegithub.ResponseSchema("", "apps/create-from-manifest", 201)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("conversion response does not match GitHub's schema: %v", err)
	}
	var m struct {
		Owner       struct{ Login, Type string }
		Permissions map[string]string
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Owner.Login != "acme-inc" || m.Owner.Type != "Organization" || m.Permissions["metadata"] != "read" || m.Permissions["checks"] != "write" {
		t.Errorf("owner/permissions = %+v", m)
	}
	if subs := f.ManifestSubmissions(); len(subs) != 1 || subs[0].Org != "acme-inc" {
		t.Errorf("submissions = %+v", subs)
	}
}

func TestManifestRejected(t *testing.T) {
	f := newFake(t, fakegithub.Options{})
	var mf map[string]any
	if err := json.Unmarshal([]byte(goodManifest), &mf); err != nil {
		t.Fatal(err)
	}
	edit := func(fn func(m map[string]any)) string {
		var c map[string]any
		b, _ := json.Marshal(mf)
		_ = json.Unmarshal(b, &c)
		fn(c)
		out, _ := json.Marshal(c)
		return string(out)
	}
	cases := map[string]string{
		"empty":          "",
		"not json":       "name: clerkguard",
		"no name":        edit(func(m map[string]any) { delete(m, "name") }),
		"no url":         edit(func(m map[string]any) { delete(m, "url") }),
		"no hook url":    edit(func(m map[string]any) { m["hook_attributes"] = map[string]any{"active": true} }),
		"relative hook":  edit(func(m map[string]any) { m["hook_attributes"] = map[string]any{"url": "/webhook"} }),
		"no redirect":    edit(func(m map[string]any) { delete(m, "redirect_url") }),
		"no permissions": edit(func(m map[string]any) { delete(m, "default_permissions") }),
		"bad level":      edit(func(m map[string]any) { m["default_permissions"] = map[string]any{"checks": "owner"} }),
		"no events":      edit(func(m map[string]any) { delete(m, "default_events") }),
		"install event":  edit(func(m map[string]any) { m["default_events"] = []string{"installation"} }),
		"unknown key":    edit(func(m map[string]any) { m["webhook_secret"] = "x" }),
		"wrong type":     edit(func(m map[string]any) { m["public"] = "no" }),
	}
	for name, body := range cases {
		resp := postManifest(t, f.CreateAppURL(""), body)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: status %d (%s), want a 422 page", name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if n := len(f.Violations()); n != len(cases) {
		t.Errorf("%d violations recorded, want %d", n, len(cases))
	}
	if n := len(f.ManifestSubmissions()); n != 0 {
		t.Errorf("%d submissions recorded for rejected manifests", n)
	}
	resp, err := http.Get(f.CreateAppURL(""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET page: %d", resp.StatusCode)
	}
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestManifestCodeExpires(t *testing.T) {
	c := &clock{t: time.Now()}
	f := newFake(t, fakegithub.Options{Now: c.now})
	code := codeFrom(t, postManifest(t, f.CreateAppURL(""), goodManifest), "")
	c.add(fakegithub.ManifestCodeLifetime + time.Second)
	if _, resp, err := anonClient(t, f).Apps.CompleteAppManifest(context.Background(), code); err == nil || status(resp) != 404 {
		t.Errorf("expired code: status %d err %v, want 404", status(resp), err)
	}
	if _, resp, _ := anonClient(t, f).Apps.CompleteAppManifest(context.Background(), "nonexistent"); status(resp) != 404 {
		t.Errorf("unknown code: status %d, want 404", status(resp))
	}
}
