package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestDemo pins what `clerkguard scan fixtures/demo` reports: every real
// problem the demo README lists, and none of its traps.
func TestDemo(t *testing.T) {
	code, out, stderr := runCLI(t, "scan", "--format", "json", "../../fixtures/demo")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (stderr %q)", code, stderr)
	}
	var rep struct {
		Findings []struct {
			Rule, Path string
			Line       int
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// Paths are relative to the repository when the demo is in a git
	// checkout (as in CI), else to the folder.
	prefix := demoPrefix(t)
	var got []string
	for _, f := range rep.Findings {
		p, ok := strings.CutPrefix(f.Path, prefix)
		if !ok {
			t.Errorf("%s: path not under %q", f.Path, prefix)
		}
		got = append(got, f.Rule+" "+p)
	}
	sort.Strings(got)
	want := []string{
		"CLK-RBAC-001 web/app/admin/page.tsx",
		"CLK-RP-002 web/middleware.ts",
		"CLK-RP-003 web/app/api/invoices/route.ts",
		"CLK-RP-004 web/app/actions.ts",
		"CLK-RP-006 web/app/dashboard/settings/page.tsx",
		// The un-awaited auth.protect() stops nothing, so the matcher is the
		// page's only protection.
		"CLK-RP-009 web/app/dashboard/settings/page.tsx",
		"CLK-RP-011 api/src/server.js",
		"CLK-RP-019 web/package.json",
		"CLK-SEC-004 web/lib/clerk-admin.ts",
		"CLK-SEC-005 web/next.config.js",
		"CLK-WH-001 web/app/api/webhooks/users/route.ts",
		"CLK-WH-002 api/src/server.js",
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("demo findings:\n%s\n\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, trap := range []string{"web/app/api/me/route.ts", "web/app/api/webhooks/clerk/route.ts", "web/app/api/webhooks/stripe/route.ts", "web/app/onboarding/page.tsx", "web/.env.example"} {
		for _, f := range rep.Findings {
			if f.Path == prefix+trap {
				t.Errorf("trap %s was flagged by %s", trap, f.Rule)
			}
		}
	}
}

// demoPrefix is the demo's folder relative to the git top level ("" when
// the checkout is not a git working tree).
func demoPrefix(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("../../fixtures/demo")
	if err != nil {
		t.Fatal(err)
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", abs, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return ""
	}
	top, err := filepath.EvalSymlinks(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel) + "/"
}
