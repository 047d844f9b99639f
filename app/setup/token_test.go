package setup_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

func jarClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// TestSetupRequiresToken: setup mode cannot be claimed by whoever reaches
// it first. Without the one-time token from the start-up log, /setup and
// the callback show nothing about the App or the server; a wrong token or
// a forged cookie gets no further; the token is logged once; after
// registration the setup pages reveal nothing, not even to the browser
// that registered. Before, /setup served the form to anyone and, after
// registration, showed the App and data directory to anyone.
func TestSetupRequiresToken(t *testing.T) {
	h := start(t, fakegithub.Options{AppSlug: "acme-review-bot"}, nil)
	token := h.setupToken()
	if len(token) < 32 {
		t.Fatalf("setup token %q is too short", token)
	}
	reveals := func(body string) string {
		for _, s := range []string{`name="manifest"`, `id="org"`, h.dataDir, "settings/apps/new", "Webhook URL", "state="} {
			if strings.Contains(body, s) {
				return s
			}
		}
		return ""
	}
	stranger := jarClient()
	for _, p := range []string{"/setup", "/setup?org=acme", "/setup?token=" + strings.Repeat("0", len(token)), "/setup?token=", "/setup/callback?code=abc&state=def"} {
		code, body := get(t, stranger, h.base+p)
		if code != http.StatusForbidden {
			t.Errorf("GET %s without the token: %d, want 403", p, code)
		}
		if s := reveals(body); s != "" {
			t.Errorf("GET %s without the token reveals %q", p, s)
		}
	}
	// A cookie of the right shape is not enough: it must be bound to the token.
	forged := jarClient()
	base, _ := url.Parse(h.base + "/setup")
	forged.Jar.SetCookies(base, []*http.Cookie{{Name: "clerkguard_setup", Value: strings.Repeat("ab", 24) + "." + strings.Repeat("cd", 32)}})
	if code, _ := get(t, forged, h.base+"/setup"); code != http.StatusForbidden {
		t.Errorf("forged cookie: %d, want 403", code)
	}

	// The operator's browser, with the token: the form, and the token is
	// no longer in the address.
	owner := jarClient()
	resp, err := owner.Get(h.base + "/setup?token=" + url.QueryEscape(token) + "&org=acme-inc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(resp.Request.URL.String(), token) || resp.Request.URL.Query().Get("org") != "acme-inc" {
		t.Fatalf("with the token: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	action, m := setupForm(t, owner, h.base+"/setup?org=acme-inc", nil)
	mj, _ := json.Marshal(m)
	resp, err = owner.PostForm(action, url.Values{"manifest": {string(mj)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("registration: %d", resp.StatusCode)
	}
	creds := h.assertStored()

	// Registered: the setup pages are gone for everyone.
	for _, c := range []*http.Client{owner, stranger} {
		for _, p := range []string{"/setup", "/setup?token=" + token, "/setup/callback?code=x&state=y"} {
			code, body := get(t, c, h.base+p)
			if code != http.StatusNotFound {
				t.Errorf("GET %s after registration: %d, want 404", p, code)
			}
			for _, s := range []string{creds.Slug, fmt.Sprint(creds.AppID), h.dataDir, "clerkguard-app.json"} {
				if strings.Contains(body, s) {
					t.Errorf("GET %s after registration reveals %q", p, s)
				}
			}
		}
	}
	h.stop()
	if n := strings.Count(h.logs.String(), token); n != 1 {
		t.Errorf("the token appears %d times in the logs, want once (the start-up line)", n)
	}
}
