package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// needGit skips loudly without git, and fails under CI=true.
func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed; CI must install it")
		}
		t.Skip("SKIP: git is not installed; the repository-root tests need it")
	}
}

func gitInit(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.CommandContext(context.Background(), "git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
}

// scanPaths runs scan --format json and returns "RULE path" of each finding.
func scanPaths(t *testing.T, args ...string) (int, []string) {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"scan", "--format", "json", "--fail-on", "low"}, args...)...)
	if code == 2 {
		t.Fatalf("scan %v: exit 2: %s", args, stderr)
	}
	var rep struct{ Findings []struct{ Rule, Path string } }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("scan %v: %v\n%s", args, err, out)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Rule+" "+f.Path)
	}
	sort.Strings(got)
	return code, got
}

// Paths in every output are relative to the git top level whatever folder
// or files are scanned, and the repository's configuration applies (issue
// 15): a subfolder scan named its files relative to the subfolder before,
// so SARIF results and annotations did not map onto the repository.
func TestScanPathsAreRepositoryRelative(t *testing.T) {
	needGit(t)
	repo := t.TempDir()
	gitInit(t, repo)
	writeFiles(t, repo, map[string]string{
		"apps/web/package.json":             `{"name": "web"}`,
		"apps/web/middleware.ts":            debugMiddleware,
		"apps/web/app/page.tsx":             "export default function Page() { return null }\n",
		"apps/api/package.json":             `{"name": "api"}`,
		"apps/api/src/debug.ts":             debugMiddleware,
		".github/clerkguard.yml":            "rules:\n  severity: {CLK-HARD-002: high}\n",
		"apps/web/.github/clerkguard.yml":   "rules:\n  disable: [CLK-HARD-002]\n", // not the repository's
		"apps/web/app/unrelated/nothing.md": "# notes\n",
	})
	web := "CLK-HARD-002 apps/web/middleware.ts"
	api := "CLK-HARD-002 apps/api/src/debug.ts"
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"the repository", []string{repo}, []string{api, web}},
		{"a subfolder", []string{filepath.Join(repo, "apps", "web")}, []string{web}},
		{"a deeper subfolder holds no finding", []string{filepath.Join(repo, "apps", "web", "app")}, nil},
		{"one file", []string{filepath.Join(repo, "apps", "web", "middleware.ts")}, []string{web}},
		{"files of two projects", []string{filepath.Join(repo, "apps", "web", "middleware.ts"), filepath.Join(repo, "apps", "api", "src", "debug.ts")}, []string{api, web}},
		{"a file and a folder", []string{filepath.Join(repo, "apps", "web", "app"), filepath.Join(repo, "apps", "api")}, []string{api}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, got := scanPaths(t, tc.args...)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
			// The top-level configuration made CLK-HARD-002 high: exit 1 with --fail-on high.
			if len(tc.want) > 0 {
				if c, _, _ := runCLI(t, append([]string{"scan", "--fail-on", "high"}, tc.args...)...); c != 1 {
					t.Errorf("the repository's configuration does not apply: exit %d with --fail-on high", c)
				}
			} else if code != 0 {
				t.Errorf("exit %d with no findings", code)
			}
		})
	}
	// Outside git a folder is its own root, as before.
	plain := t.TempDir()
	writeFiles(t, plain, map[string]string{"sub/middleware.ts": debugMiddleware})
	if _, got := scanPaths(t, filepath.Join(plain, "sub")); strings.Join(got, ",") != "CLK-HARD-002 middleware.ts" {
		t.Errorf("outside git: %q, want the path relative to the folder", got)
	}
	// A path after "--" is a path even when it looks like a flag.
	writeFiles(t, plain, map[string]string{"-odd.ts": debugMiddleware})
	wd, _ := os.Getwd()
	if err := os.Chdir(plain); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	if _, got := scanPaths(t, "--", "-odd.ts"); strings.Join(got, ",") != "CLK-HARD-002 -odd.ts" {
		t.Errorf(`scan -- -odd.ts: %q`, got)
	}
}
