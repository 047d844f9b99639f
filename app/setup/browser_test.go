package setup_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// chromiumPath finds Debian's chromium (installed by .ci/run). Under CI a
// missing browser fails the test; elsewhere it is skipped, loudly.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CLERKGUARD_CHROMIUM"), "/usr/bin/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	msg := "headless Chromium not found at /usr/bin/chromium: the browser test of /setup did not run. Install it with `apt-get install -y chromium` (.ci/run does)."
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("!!! SKIPPED: " + msg)
	return ""
}

// artifactDir is where screenshots go: $TEST_ARTIFACTS, or testdata/out
// (ignored by git) beside this test.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestSetupInBrowser drives the manifest flow in headless Chromium through
// the one-time token, for an organisation: the owner page (its required
// organisation field), the setup page for the organisation (screenshot), the create button, the fake GitHub's redirect
// back, the success page (screenshot), the stored credentials, and a signed
// webhook accepted by the App the same process now serves.
func TestSetupInBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	out := artifactDir(t)
	h := start(t, fakegithub.Options{}, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	var browserLog strings.Builder
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 1100),
		chromedp.CombinedOutput(&browserLog),
	)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		p := filepath.Join(out, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}

	// The setup URL from the log, with its one-time token: the server sets
	// the browser's cookie and redirects to /setup without the token, which
	// asks for the organisation first.
	if err := chromedp.Do(bctx, chromedp.Navigate(h.base+"/setup?token="+h.setupToken()), chromedp.WaitVisible(chromedp.ID("org"))); err != nil {
		t.Fatalf("open /setup: %v\nbrowser output:\n%s", err, browserLog.String())
	}
	if loc, _ := chromedp.Run(bctx, chromedp.Location()); loc != h.base+"/setup" {
		t.Errorf("setup page at %s, want %s/setup without the token", loc, h.base)
	}
	// The field is required: submitting it empty stays on the page.
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.ID("use-org"))); err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(bctx, chromedp.Location()); loc != h.base+"/setup" {
		t.Errorf("an empty organisation was submitted: at %s", loc)
	}
	shot("setup-owner.png")
	if err := chromedp.Do(bctx, chromedp.SendKeys(chromedp.ID("org"), "acme-inc"), chromedp.Click(chromedp.ID("use-org")),
		chromedp.WaitVisible(chromedp.ID("create"))); err != nil {
		t.Fatalf("choose the organisation: %v", err)
	}
	label, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("create")))
	if err != nil || !strings.Contains(label, "Create GitHub App for acme-inc") {
		t.Errorf("button label %q (%v)", label, err)
	}
	shot("setup-page.png")

	resp, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.ID("create")))
	if err != nil {
		t.Fatalf("create: %v\nlogs:\n%s", err, h.logs.String())
	}
	loc, _ := chromedp.Run(bctx, chromedp.Location())
	if resp.Status != 200 || !strings.Contains(loc, "/setup/callback?") {
		t.Fatalf("after GitHub: %d at %s", resp.Status, loc)
	}
	heading, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || !strings.Contains(heading, "clerkguard is registered") {
		t.Fatalf("success page heading %q (%v)", heading, err)
	}
	body, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Install the App", "Clerk security review", fmt.Sprintf("ID %d", h.gh.AppID())} {
		if !strings.Contains(body, want) {
			t.Errorf("success page lacks %q:\n%s", want, body)
		}
	}
	shot("setup-done.png")

	subs := h.gh.ManifestSubmissions()
	if len(subs) != 1 || !subs[0].Converted || subs[0].Org != "acme-inc" || subs[0].Manifest.HookAttributes.URL != h.base+"/webhook" {
		t.Fatalf("GitHub saw %+v", subs)
	}
	creds := h.assertStored()
	h.assertServing(creds.WebhookSecret)
	if v := h.gh.Violations(); len(v) > 0 {
		t.Errorf("violations: %v", v)
	}
	h.stop()
	h.assertNoSecretsLogged(creds)
}
