package source

import (
	"context"
	"os/exec"
	"testing"
)

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// TestDirCommitted: in a git working tree, what git tracks or would add is
// committed, a force-added file too though .gitignore matches it, and an
// ignored untracked file is not; outside a working tree nobody knows.
func TestDirCommitted(t *testing.T) {
	needGit(t)
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, map[string]string{
		".gitignore":          ".env*\n!.env.example\n",
		".env.local":          "A=1\n",
		".env.production":     "A=2\n",
		".env.example":        "A=\n",
		"app/page.ts":         "export {}\n",
		"app/new.ts":          "export {}\n",
		"app/.gitignore":      "!.env.app\n",
		"app/.env.app":        "A=3\n",
		"docs/untracked.md":   "x\n",
		"nested/.env.nothing": "A=4\n",
	})
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "add", ".gitignore", ".env.example", "app/page.ts", "app/.gitignore")
	gitIn(t, dir, "add", "-f", ".env.production")
	gitIn(t, dir, "commit", "-qm", "base")
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{
		".env.production":     true,  // tracked, though .gitignore matches it
		".env.example":        true,  // tracked
		"app/new.ts":          true,  // untracked, not ignored: `git add .` commits it
		"app/.env.app":        true,  // re-included by the nested .gitignore
		".env.local":          false, // ignored, untracked
		"nested/.env.nothing": false,
	} {
		got, known := d.Committed(ctx, p)
		if !known || got != want {
			t.Errorf("Committed(%s) = %v, %v; want %v, true", p, got, known, want)
		}
	}

	// A commit's tree (review of a range, the App's pull request tree):
	// every file of it is committed, whatever .gitignore says.
	sha, err := ResolveRev(ctx, dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGit(ctx, dir, sha)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if c, known := g.Committed(ctx, ".env.production"); !c || !known {
		t.Errorf("Git.Committed(.env.production) = %v, %v; want true, true", c, known)
	}
	if c, known := g.Committed(ctx, ".env.local"); c || !known {
		t.Errorf("Git.Committed(.env.local) = %v, %v; want false, true", c, known)
	}

	plain := t.TempDir()
	write(t, plain, map[string]string{".env": "A=1\n"})
	pd, err := NewDir(plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, known := pd.Committed(ctx, ".env"); known {
		t.Error("a directory without .git must answer unknown")
	}
}
