package secrets_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/secrets"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestScanOfGitWorkingTree: a scan of a git checkout asks git what is
// committed. The correctly ignored .env.local is no CLK-SEC-008 finding and
// its live key is a Low local warning; the force-added .env.production
// matches .gitignore but git tracks it, so it is committed: CLK-SEC-008 and
// a Critical CLK-SEC-001.
func TestScanOfGitWorkingTree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("SKIP: git not installed")
	}
	dir := t.TempDir()
	files := map[string]string{
		"package.json":    `{"dependencies": {"@clerk/nextjs": "^6.10.0"}}`,
		".gitignore":      ".env*\n!.env.example\n",
		".env.local":      rulestest.Expand("CLERK_SECRET_KEY={{sk_live}}\n"),
		".env.production": rulestest.Expand("CLERK_SECRET_KEY={{sk_live:prod}}\n"),
	}
	for p, c := range files {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "package.json", ".gitignore"}, {"add", "-f", ".env.production"}, {"commit", "-qm", "base"}} {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	snap, err := source.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rules.Run(context.Background(), snap, rules.Options{Rules: secrets.Rules})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]rules.Finding{}
	for _, f := range res.Findings {
		got[f.Rule+" "+f.Path] = f
	}
	if f, ok := got["CLK-SEC-008 .env.local"]; ok {
		t.Errorf("ignored .env.local reported as committed: %s", f.Message)
	}
	if f, ok := got["CLK-SEC-001 .env.local"]; !ok || f.Severity != rules.Low || !strings.Contains(f.Message, "not committed") {
		t.Errorf("live key in the ignored .env.local: want a Low local warning, got %+v (found %v)", f, ok)
	}
	if f, ok := got["CLK-SEC-008 .env.production"]; !ok || !strings.Contains(f.Message, "git tracks it") {
		t.Errorf("force-added .env.production: want CLK-SEC-008 (git tracks it), got %+v (found %v)", f, ok)
	}
	if f, ok := got["CLK-SEC-001 .env.production"]; !ok || f.Severity != rules.Critical {
		t.Errorf("live key in the tracked .env.production: want Critical, got %+v (found %v)", f, ok)
	}
}
