package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const debugMiddleware = "import { clerkMiddleware } from '@clerk/nextjs/server'\nexport default clerkMiddleware(async () => {}, { debug: true })\n"

func TestBadInputExits2(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"bin.dat":         "\x00\x01\x02binary",
		"latin1.ts":       "const x = '\xe9\xe8'",
		"cfg/bad.yml":     "rules:\n  disable: CLK-HARD-002\n",
		"cfg/unknown.yml": "colour: red\n",
	})
	huge := filepath.Join(dir, "huge.ts")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("a"), 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	unreadable := filepath.Join(dir, "locked")
	os.Mkdir(unreadable, 0o000)
	defer os.Chmod(unreadable, 0o755)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage"},
		{"unknown command", []string{"scna"}, "unknown command"},
		{"missing dir", []string{"scan", filepath.Join(dir, "nope")}, "cannot open"},
		{"binary file", []string{"scan", filepath.Join(dir, "bin.dat")}, "binary or non-UTF-8"},
		{"invalid utf8 file", []string{"scan", filepath.Join(dir, "latin1.ts")}, "binary or non-UTF-8"},
		{"huge file", []string{"scan", huge}, "too large"},
		{"bad format", []string{"scan", "--format", "xml", dir}, "unknown format"},
		{"bad fail-on", []string{"scan", "--fail-on", "urgent", dir}, "unknown severity"},
		{"wrong config type", []string{"scan", "--config", filepath.Join(dir, "cfg/bad.yml"), dir}, "invalid configuration"},
		{"unknown config key", []string{"scan", "--config", filepath.Join(dir, "cfg/unknown.yml"), dir}, "colour"},
		{"missing config", []string{"scan", "--config", filepath.Join(dir, "nope.yml"), dir}, "--config"},
		{"review without base", []string{"review", dir}, "--base REF is required"},
		{"review outside git", []string{"review", "--base", "main", dir}, "not inside a git repository"},
		{"two projects outside git", []string{"scan", filepath.Join(dir, "cfg"), t.TempDir()}, "scan them separately"},
		{"review of two repositories", []string{"review", "--base", "main", dir, dir}, "one repository expected"},
		{"unknown rule", []string{"rules", "CLK-NOPE-001"}, "unknown rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != 2 {
				t.Errorf("exit code = %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tc.want)
			}
		})
	}
	if os.Geteuid() != 0 { // root reads everything
		code, _, stderr := runCLI(t, "scan", unreadable)
		if code != 2 {
			t.Errorf("unreadable dir: exit %d, stderr %q", code, stderr)
		}
	}
}

func TestScanExitCodesAndFormats(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"middleware.ts": debugMiddleware, "bin.png": "\x89PNG\x00", "odd.ts": "\xff\xfe"})
	// CLK-HARD-002 is low: below the default fail-on (high) => 0; fail-on low => 1.
	if code, out, _ := runCLI(t, "scan", dir); code != 0 || !strings.Contains(out, "CLK-HARD-002") {
		t.Errorf("scan: exit %d, out %q", code, out)
	}
	if code, _, _ := runCLI(t, "scan", "--fail-on", "low", dir); code != 1 {
		t.Errorf("--fail-on low: exit %d, want 1", code)
	}
	if code, _, _ := runCLI(t, "scan", dir, "--fail-on", "low"); code != 1 {
		t.Errorf("flags after DIR: exit %d, want 1", code)
	}
	code, out, _ := runCLI(t, "scan", "--format", "json", dir)
	var rep struct {
		Version  int
		Findings []map[string]any
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Version != 1 || len(rep.Findings) != 1 {
		t.Errorf("json: exit %d, out %q", code, out)
	}
	if rep.Findings[0]["path"] != "middleware.ts" {
		t.Errorf("path = %v, want relative middleware.ts", rep.Findings[0]["path"])
	}
	// Config in the scanned directory raises the severity and so the exit code.
	writeFiles(t, dir, map[string]string{".github/clerkguard.yml": "rules:\n  severity: {CLK-HARD-002: high}\n"})
	if code, _, _ := runCLI(t, "scan", dir); code != 1 {
		t.Errorf("config severity override: exit %d, want 1", code)
	}
	writeFiles(t, dir, map[string]string{".github/clerkguard.yml": "rules:\n  disable: [CLK-HARD-002]\n"})
	if code, out, _ := runCLI(t, "scan", dir); code != 0 || strings.Contains(out, "CLK-HARD-002") {
		t.Errorf("disabled rule still reported: %q", out)
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestReviewReportsOnlyChangedLines(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	writeFiles(t, dir, map[string]string{"old.ts": debugMiddleware})
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "base")
	git(t, dir, "checkout", "-qb", "feature")
	writeFiles(t, dir, map[string]string{"new.ts": debugMiddleware})
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "feature")

	code, out, stderr := runCLI(t, "review", "--format", "json", "--base", "main", "--head", "feature", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `"path": "new.ts"`) || strings.Contains(out, `"path": "old.ts"`) {
		t.Errorf("review should report new.ts only:\n%s", out)
	}
	if !strings.Contains(out, `"in_diff": true`) {
		t.Error("review findings are not marked in_diff")
	}
	// Working tree mode picks up uncommitted, untracked files.
	writeFiles(t, dir, map[string]string{"wip.ts": debugMiddleware})
	_, out, _ = runCLI(t, "review", "--format", "json", "--base", "main", dir)
	if !strings.Contains(out, `"path": "wip.ts"`) {
		t.Errorf("working-tree review misses the untracked file:\n%s", out)
	}
	if code, _, stderr := runCLI(t, "review", "--base", "no-such-branch", dir); code != 2 || !strings.Contains(stderr, "unknown git ref") {
		t.Errorf("bad ref: exit %d, stderr %q", code, stderr)
	}
	// The base branch's config governs: a PR cannot disable its own review.
	writeFiles(t, dir, map[string]string{".github/clerkguard.yml": "rules:\n  disable: [CLK-HARD-002]\n"})
	_, out, _ = runCLI(t, "review", "--format", "json", "--base", "main", dir)
	if !strings.Contains(out, `"path": "wip.ts"`) {
		t.Error("a config added by the change switched off its own review")
	}
}

func TestRulesAndVersion(t *testing.T) {
	if code, out, _ := runCLI(t, "rules"); code != 0 || !strings.Contains(out, "CLK-HARD-002") {
		t.Errorf("rules: %d %q", code, out)
	}
	// Grouped by checklist item under its title: every item has a rule.
	_, out, _ := runCLI(t, "rules")
	last := -1
	for item := 1; item <= 8; item++ {
		head := fmt.Sprintf("%d. %s\n", item, rules.Checklist[item])
		i := strings.Index(out, head)
		if i < last {
			t.Errorf("rules: checklist item %d missing or out of order", item)
			continue
		}
		rest := out[i+len(head):]
		if j := strings.Index(rest, "\n\n"); j >= 0 {
			rest = rest[:j]
		}
		if !strings.Contains(rest, "CLK-") {
			t.Errorf("rules: checklist item %d lists no rule", item)
		}
		last = i
	}
	if i, j := strings.Index(out, "8. "), strings.Index(out, "CLK-SIGNUP-002"); i < 0 || j < i {
		t.Error("rules: CLK-SIGNUP-002 is not listed under checklist item 8")
	}
	if code, out, _ := runCLI(t, "rules", "CLK-HARD-002"); code != 0 || !strings.Contains(out, "## Vulnerable") {
		t.Errorf("rules ID: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, "version"); code != 0 || !strings.HasPrefix(out, "clerkguard ") {
		t.Errorf("version: %d %q", code, out)
	}
}

// TestConfigUnknownRuleWarns: a configuration naming a rule this version does
// not know (say, one an upgrade retired) still scans, with a warning on stderr
// that names the file and line, and the rest of the configuration applies.
func TestConfigUnknownRuleWarns(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"middleware.ts":          debugMiddleware,
		".github/clerkguard.yml": "rules:\n  disable: [CLK-RETIRED-001]\nfail_on: low\n",
	})
	code, out, stderr := runCLI(t, "scan", dir)
	if code != 1 || !strings.Contains(out, "CLK-HARD-002") {
		t.Errorf("exit %d (want 1: fail_on low still applies), out %q, stderr %q", code, out, stderr)
	}
	want := "clerkguard scan: warning: " + filepath.Join(dir, ".github/clerkguard.yml") + `:2: rules.disable: unknown rule "CLK-RETIRED-001"`
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr = %q, want a warning %q", stderr, want)
	}
}
