package setup_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"html"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/clerkguard/clerkguard/app/config"
	"github.com/clerkguard/clerkguard/app/setup"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// TestSetupAsksForOrganisation: with the token, /setup first asks for the
// organisation (a required field) and offers no manifest form; the personal
// account is an explicit choice that says what it costs. Before, /setup
// posted the manifest to the personal account's page by default, and such
// an App cannot be installed on an organisation.
func TestSetupAsksForOrganisation(t *testing.T) {
	h := start(t, fakegithub.Options{}, nil)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	h.authorize(c)
	code, body := get(t, c, h.base+"/setup")
	if code != 200 {
		t.Fatalf("/setup: %d", code)
	}
	if !regexp.MustCompile(`<input [^>]*id="org" name="org" required`).MatchString(body) {
		t.Errorf("/setup has no required organisation field:\n%s", body)
	}
	if strings.Contains(body, `name="manifest"`) || strings.Contains(body, "settings/apps/new") {
		t.Error("/setup offers to create the App before an owner is chosen")
	}
	if !strings.Contains(body, `href="/setup?account=personal"`) {
		t.Error("/setup offers no explicit personal-account choice")
	}
	action, _ := setupForm(t, c, h.base+"/setup?org=acme-inc", nil)
	if !strings.HasPrefix(action, h.gh.BaseURL()+"/organizations/acme-inc/settings/apps/new?state=") {
		t.Errorf("organisation form posts to %s", action)
	}
	action, _ = setupForm(t, c, h.base+"/setup?account=personal", nil)
	if !strings.HasPrefix(action, h.gh.BaseURL()+"/settings/apps/new?state=") {
		t.Errorf("personal form posts to %s", action)
	}
	if _, body := get(t, c, h.base+"/setup?account=personal"); !strings.Contains(body, "it can be installed only there") {
		t.Error("the personal-account page does not say the App is installable only there")
	}
}

// TestSetupPrintsKubernetesSecret: with CLERKGUARD_CREDENTIALS_SECRET (no
// writable volume), setup writes no file, needs no writable directory, shows
// the Secret once on the page that completes the registration, logs none of
// it, and serves the App from memory at once.
func TestSetupPrintsKubernetesSecret(t *testing.T) {
	h := start(t, fakegithub.Options{}, map[string]string{"CLERKGUARD_CREDENTIALS_SECRET": "clerkguard-github-app"})
	if !strings.Contains(h.logs.String(), `"credentials_secret":"clerkguard-github-app"`) {
		t.Errorf("start-up line does not name the Secret:\n%s", h.logs.String())
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	raw := registerFor(t, h, c, "acme-inc")
	pre := regexp.MustCompile(`(?s)<pre id="secret-manifest"[^>]*>(.*?)</pre>`).FindStringSubmatch(string(raw))
	if pre == nil {
		t.Fatalf("no Secret manifest on the page:\n%s", raw)
	}
	var sec corev1.Secret
	if err := yaml.UnmarshalStrict([]byte(html.UnescapeString(pre[1])), &sec); err != nil {
		t.Fatalf("Secret manifest: %v\n%s", err, pre[1])
	}
	sub := h.gh.ManifestSubmissions()[0]
	if sec.Kind != "Secret" || sec.APIVersion != "v1" || sec.Name != "clerkguard-github-app" {
		t.Errorf("Secret %s/%s %s", sec.APIVersion, sec.Kind, sec.Name)
	}
	if string(sec.Data["webhook-secret"]) != sub.WebhookSecret || string(sec.Data["app-id"]) == "" ||
		!strings.Contains(string(sec.Data["private-key.pem"]), "PRIVATE KEY") || string(sec.Data["slug"]) != h.gh.AppSlug() ||
		len(sec.Data["client-id"]) == 0 || len(sec.Data["client-secret"]) == 0 {
		t.Errorf("Secret data keys %v incomplete", keys(sec.Data))
	}
	if entries, _ := os.ReadDir(h.dataDir); len(entries) != 0 {
		t.Errorf("Secret mode wrote %d files to the data directory", len(entries))
	}
	creds := h.st.Registered()
	if creds == nil {
		t.Fatal("not switched to the App")
	}
	h.assertServing(creds.WebhookSecret)
	// Once: the page is gone after registration.
	if code, body := get(t, c, h.base+"/setup/callback?code=x&state=y"); code != 404 || strings.Contains(body, "secret-manifest") {
		t.Errorf("callback after registration: %d", code)
	}
	h.stop()
	h.assertNoSecretsLogged(creds, base64.StdEncoding.EncodeToString(creds.PEM)[:40], base64.StdEncoding.EncodeToString([]byte(creds.WebhookSecret)))
}

// registerFor authorises c with the setup token, registers the App for org
// through the fake GitHub and returns the page that completes setup.
func registerFor(t *testing.T, h *harness, c *http.Client, org string) []byte {
	t.Helper()
	h.authorize(c)
	action, m := setupForm(t, c, h.base+"/setup?org="+url.QueryEscape(org), nil)
	mj, _ := json.Marshal(m)
	resp, err := c.PostForm(action, url.Values{"manifest": {string(mj)}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("callback: %d\n%s", resp.StatusCode, raw)
	}
	return raw
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCredentialsDir: CLERKGUARD_CREDENTIALS_DIR (a mounted volume) takes
// the credentials instead of CLERKGUARD_DATA_DIR; an invalid Secret name is
// refused at start.
func TestCredentialsDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "creds")
	h := start(t, fakegithub.Options{}, map[string]string{"CLERKGUARD_CREDENTIALS_DIR": dir})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	registerFor(t, h, c, "acme-inc")
	h.dataDir = dir
	h.assertStored()
	if got := setup.CredentialsDir(func(k string) string { return map[string]string{"CLERKGUARD_DATA_DIR": "/data"}[k] }); got != "/data" {
		t.Errorf("CredentialsDir defaults to the data dir: %q", got)
	}
	_, err := setup.New(setup.Options{Getenv: func(k string) string {
		return map[string]string{"CLERKGUARD_CREDENTIALS_SECRET": "Not_A_Name", "CLERKGUARD_DATA_DIR": t.TempDir()}[k]
	}})
	if err == nil || !strings.Contains(err.Error(), "CLERKGUARD_CREDENTIALS_SECRET") {
		t.Errorf("bad Secret name: %v", err)
	}
}

// TestUnconfiguredOptionalSecret: a pod whose optional App Secret does not
// exist yet has CLERKGUARD_PRIVATE_KEY_FILE pointing at a missing file and
// nothing else: setup mode, not a configuration error. With an App ID, or a
// key file that exists, it stays configured (partial credentials are an
// error config.Load reports).
func TestUnconfiguredOptionalSecret(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent", "private-key.pem")
	present := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(present, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"CLERKGUARD_PRIVATE_KEY_FILE": missing}, true},
		{map[string]string{"CLERKGUARD_PRIVATE_KEY_FILE": missing, "CLERKGUARD_APP_ID": "1"}, false},
		{map[string]string{"CLERKGUARD_PRIVATE_KEY_FILE": present}, false},
		{map[string]string{"CLERKGUARD_PRIVATE_KEY": "k"}, false},
	} {
		env := tc.env
		if got := setup.Unconfigured(config.Getenv(func(k string) string { return env[k] })); got != tc.want {
			t.Errorf("Unconfigured(%v) = %v, want %v", env, got, tc.want)
		}
	}
}
