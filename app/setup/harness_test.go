package setup_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/app/ghclient"
	"github.com/clerkguard/clerkguard/app/server"
	"github.com/clerkguard/clerkguard/app/setup"
	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
	"github.com/clerkguard/clerkguard/rules/all"
)

type harness struct {
	t       *testing.T
	gh      *fakegithub.Server
	st      *setup.Setup
	base    string // http://127.0.0.1:PORT
	dataDir string
	logs    *apptest.LogBuffer
	stop    func()
}

// start runs a fake GitHub and `clerkguard serve` in setup mode (in
// process), with env added to the environment.
func start(t *testing.T, fopts fakegithub.Options, env map[string]string) *harness {
	t.Helper()
	gh := apptest.Fake(t, fopts)
	dir := t.TempDir()
	e := map[string]string{
		"CLERKGUARD_LISTEN":         "127.0.0.1:0",
		"CLERKGUARD_GITHUB_API_URL": gh.URL(),
		"CLERKGUARD_DATA_DIR":       filepath.Join(dir, "data"),
		"CLERKGUARD_DATABASE_URL":   "sqlite://" + filepath.Join(dir, "q.db"),
		"CLERKGUARD_SHUTDOWN_GRACE": "5s",
		// The sweep and reconciler would call the fake at once; not under test here.
		"CLERKGUARD_RECONCILE_INTERVAL": "0",
		"CLERKGUARD_SWEEP_INTERVAL":     "0",
	}
	for k, v := range env {
		e[k] = v
	}
	logs := &apptest.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := setup.New(setup.Options{Getenv: func(k string) string { return e[k] }, Logger: log,
		App: server.Options{Rules: all.Rules(), Version: "setup-test",
			Retry:        &ghclient.RetryPolicy{BaseDelay: 20 * time.Millisecond, MaxDelay: time.Second, MaxAttempts: 4},
			PollInterval: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	h := &harness{t: t, gh: gh, st: st, base: "http://" + st.Addr(), dataDir: e["CLERKGUARD_DATA_DIR"], logs: logs}
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			// No fixed limit: only a hang reaches the hang guard, and fails.
			guard, stop := apptest.CleanupGuard(t) // also runs from Cleanup
			defer stop()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("setup server: %v", err)
				}
			case <-guard.Done():
				t.Error("gave up waiting (test deadline): the setup server did not stop")
			}
		})
	}
	t.Cleanup(h.stop)
	return h
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// assertStored checks both credential files exist with mode 0600 and
// returns the stored credentials.
func (h *harness) assertStored() *setup.Credentials {
	h.t.Helper()
	for _, f := range []string{setup.CredentialsFile, setup.PrivateKeyFile} {
		st, err := os.Stat(filepath.Join(h.dataDir, f))
		if err != nil {
			h.t.Fatalf("credential file: %v", err)
		}
		if st.Mode().Perm() != 0o600 {
			h.t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	c, err := setup.Load(h.dataDir, func(msg string, _ ...any) { h.t.Errorf("load warned: %s", msg) })
	if err != nil || c == nil {
		h.t.Fatalf("stored credentials: %v", err)
	}
	return c
}

// assertServing sends a signed pull_request webhook to the switched server
// and waits for the review's check run: the stored key authenticates.
func (h *harness) assertServing(secret string) {
	h.t.Helper()
	gh := h.gh
	gh.AddInstallation(42, "acme")
	gh.AddRepo("acme", "shop", 42, "main")
	base := map[string][]byte{"package.json": []byte(`{"dependencies":{"next":"15.3.2","@clerk/nextjs":"^6.21.0"}}`)}
	head := map[string][]byte{"package.json": base["package.json"],
		"lib/clerk.ts": []byte("import { createClerkClient } from '@clerk/backend'\n\nexport const clerk = createClerkClient({ secretKey: process.env.NEXT_PUBLIC_CLERK_SECRET_KEY })\n")}
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 3, BaseFiles: base, HeadFiles: head}); err != nil {
		h.t.Fatal(err)
	}
	sha, _ := gh.HeadSHA("acme", "shop", 3)
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "github", "webhooks", "pull_request.opened.json"))
	if err != nil {
		h.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		h.t.Fatal(err)
	}
	m["number"] = 3
	pr := m["pull_request"].(map[string]any)
	pr["number"] = 3
	pr["head"].(map[string]any)["sha"] = sha
	r := m["repository"].(map[string]any)
	r["id"], r["name"], r["full_name"] = gh.RepoID("acme", "shop"), "shop", "acme/shop"
	r["owner"].(map[string]any)["login"] = "acme"
	m["installation"] = map[string]any{"id": 42}
	payload, _ := json.Marshal(m)
	_, status, err := gh.Deliver(context.Background(), h.base+"/webhook", secret, "pull_request", payload)
	if err != nil || status != http.StatusAccepted {
		h.t.Fatalf("webhook after setup: status %d, err %v\nlogs:\n%s", status, err, h.logs.String())
	}
	apptest.Until(h.t, "a completed check run after the switch", func() bool {
		for _, cr := range gh.CheckRuns("acme", "shop") {
			if cr.HeadSHA == sha && cr.Status == "completed" {
				if cr.Name != "Clerk security review" || cr.Conclusion != "failure" {
					h.t.Errorf("check run %q concluded %q", cr.Name, cr.Conclusion)
				}
				return true
			}
		}
		return false
	}, h.logs.String)
}

// assertNoSecretsLogged checks the logs hold none of the App's secrets.
func (h *harness) assertNoSecretsLogged(c *setup.Credentials, extra ...string) {
	h.t.Helper()
	logs := h.logs.String()
	for _, s := range append([]string{c.WebhookSecret, c.ClientSecret, "PRIVATE KEY", string(c.PEM[40:80])}, extra...) {
		if s != "" && strings.Contains(logs, s) {
			h.t.Errorf("logs contain secret material %q", s)
		}
	}
}

// setupToken is the one-time token of the start-up log line's setup URL,
// the only place it is shown.
func (h *harness) setupToken() string {
	h.t.Helper()
	for _, line := range strings.Split(h.logs.String(), "\n") {
		var e struct {
			SetupURL string `json:"setup_url"`
		}
		if json.Unmarshal([]byte(line), &e) != nil || e.SetupURL == "" {
			continue
		}
		u, err := url.Parse(e.SetupURL)
		if err != nil {
			h.t.Fatalf("setup_url %q: %v", e.SetupURL, err)
		}
		return u.Query().Get("token")
	}
	h.t.Fatalf("no setup_url in the logs:\n%s", h.logs.String())
	return ""
}

// authorize opens the setup URL with the token in c, which keeps the
// cookie that authorises its later setup requests. It returns the cookie.
func (h *harness) authorize(c *http.Client) *http.Cookie {
	h.t.Helper()
	noFollow := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(h.base + "/setup?token=" + url.QueryEscape(h.setupToken()))
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) != 1 {
		h.t.Fatalf("setup URL with the token: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	return resp.Cookies()[0]
}
