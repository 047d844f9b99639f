package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/app/setup"
	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// tokenRe finds the setup token in the setup URL serve logs.
var tokenRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

// serveUntil runs `clerkguard serve` with env until GET path answers 200
// with want in its body, then stops it and returns the exit code and stderr.
// "{token}" in path is replaced by the setup token once serve has logged it.
func serveUntil(t *testing.T, env map[string]string, path, want string) (int, string) {
	t.Helper()
	addr := apptest.FreeAddr(t)
	env["CLERKGUARD_LISTEN"] = addr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &apptest.LogBuffer{}
	done := make(chan int, 1)
	go func() { done <- cmdServe(ctx, nil, stderr, func(k string) string { return env[k] }) }()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	exited := -1
	ok := apptest.Until(t, "GET "+path+" answering "+want, func() bool {
		select {
		case exited = <-done:
			return true
		default:
		}
		p := path
		if m := tokenRe.FindStringSubmatch(stderr.String()); m != nil {
			p = strings.ReplaceAll(p, "{token}", m[1])
		}
		resp, err := client.Get("http://" + addr + p)
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode == 200 && strings.Contains(string(b), want)
	}, stderr.String)
	if exited >= 0 {
		return exited, stderr.String()
	}
	if !ok {
		t.FailNow()
	}
	cancel()
	// No fixed limit: only a hang reaches the hang guard, and fails.
	guard, stop := apptest.Guard(t)
	defer stop()
	select {
	case code := <-done:
		return code, stderr.String()
	case <-guard.Done():
		t.Fatalf("gave up waiting (test deadline): serve did not stop\n%s", stderr.String())
		return 0, ""
	}
}

// TestServeWithoutCredentialsServesSetup: no App credentials and nothing
// stored means setup mode, not a configuration error.
func TestServeWithoutCredentialsServesSetup(t *testing.T) {
	dir := t.TempDir()
	code, stderr := serveUntil(t, map[string]string{"CLERKGUARD_DATA_DIR": dir, "CLERKGUARD_DATABASE_URL": "sqlite://" + filepath.Join(dir, "q.db")},
		"/setup?token={token}", "Register clerkguard on GitHub")
	if code != 0 || !strings.Contains(stderr, "open this setup URL") || !tokenRe.MatchString(stderr) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// TestServeUsesStoredCredentials: what an earlier setup stored is used, from
// CLERKGUARD_DATA_DIR or from CLERKGUARD_CREDENTIALS_DIR (a mounted volume
// apart from the data directory; before, serve looked only in the data
// directory).
func TestServeUsesStoredCredentials(t *testing.T) {
	gh, err := fakegithub.New(fakegithub.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer gh.Close()
	for _, credVar := range []string{"CLERKGUARD_DATA_DIR", "CLERKGUARD_CREDENTIALS_DIR"} {
		t.Run(credVar, func(t *testing.T) {
			dir, creds := t.TempDir(), t.TempDir()
			if err := setup.Save(creds, &setup.Credentials{AppID: gh.AppID(), Slug: gh.AppSlug(), WebhookSecret: "stored-secret", PEM: gh.PrivateKeyPEM()}); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"CLERKGUARD_DATA_DIR": dir, "CLERKGUARD_DATABASE_URL": "sqlite://" + filepath.Join(dir, "q.db"),
				"CLERKGUARD_GITHUB_API_URL": gh.URL(), "CLERKGUARD_RECONCILE_INTERVAL": "0", "CLERKGUARD_SWEEP_INTERVAL": "0", "CLERKGUARD_SHUTDOWN_GRACE": "2s"}
			env[credVar] = creds
			code, stderr := serveUntil(t, env, "/readyz", "ready")
			if code != 0 || !strings.Contains(stderr, "stored by setup") {
				t.Errorf("exit %d, stderr:\n%s", code, stderr)
			}
			if strings.Contains(stderr, "stored-secret") || strings.Contains(stderr, "PRIVATE KEY") {
				t.Error("secrets in the log")
			}
		})
	}
}

// TestServeSetupModeInPodWithoutSecret: a Kubernetes pod whose optional App
// Secret does not exist yet (CLERKGUARD_PRIVATE_KEY_FILE names a missing
// file, no App ID) starts in setup mode, set to print its Secret instead
// of storing files. Before, serve refused it as
// partial credentials.
func TestServeSetupModeInPodWithoutSecret(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CLERKGUARD_PRIVATE_KEY_FILE": filepath.Join(dir, "secret", "private-key.pem"),
		"CLERKGUARD_CREDENTIALS_SECRET": "clerkguard-github-app", "CLERKGUARD_DATABASE_URL": "sqlite://" + filepath.Join(dir, "q.db")}
	code, stderr := serveUntil(t, env, "/setup?token={token}", "organisation")
	if code != 0 || !strings.Contains(stderr, "open this setup URL") || !strings.Contains(stderr, `"credentials_secret":"clerkguard-github-app"`) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// TestServePartialCredentialsIsAnError: setup mode is only for no
// credentials at all.
func TestServePartialCredentialsIsAnError(t *testing.T) {
	var stderr strings.Builder
	env := map[string]string{"CLERKGUARD_APP_ID": "12", "CLERKGUARD_DATA_DIR": t.TempDir()}
	if code := cmdServe(context.Background(), nil, &stderr, func(k string) string { return env[k] }); code != 2 ||
		!strings.Contains(stderr.String(), "CLERKGUARD_PRIVATE_KEY") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}
