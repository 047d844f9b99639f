package rules_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/source"
)

// markerRule reports every line containing "BAD", with a related location
// at middleware.ts:2 when the file is a route.
var markerRule = &rules.Rule{
	ID: "CLK-HARD-901", Name: "test-marker", Pack: rules.PackHardening, Severity: rules.High,
	Confidence: rules.HighConfidence, Checklist: 1, Keywords: []string{"BAD"},
	Files: func(f *source.File) bool { return !f.Binary },
	Doc:   rules.Doc{Title: "test marker", Text: "t", Bad: "BAD", Good: "GOOD"},
	Fix:   rules.ConstFix("remove BAD"),
	Run: func(p *rules.Pass) error {
		for i, l := range p.File.Lines() {
			if strings.Contains(l, "BAD") {
				d := rules.Diagnostic{Line: i + 1, Message: "bad marker"}
				if strings.HasSuffix(p.File.Path, "route.ts") {
					d.Related = []rules.Location{{Path: "middleware.ts", Line: 2}}
				}
				p.Report(d)
			}
		}
		return nil
	},
}

var panicRule = &rules.Rule{
	ID: "CLK-HARD-902", Name: "test-panic", Pack: rules.PackHardening, Severity: rules.High,
	Confidence: rules.HighConfidence, Checklist: 1,
	Files: func(f *source.File) bool { return true },
	Doc:   rules.Doc{Title: "test panic", Text: "t", Bad: "x", Good: "y"},
	Fix:   rules.ConstFix("n/a"),
	Run: func(p *rules.Pass) error {
		if p.File.Path == "boom.ts" {
			var m map[string]int
			m["x"]++ // panics
		}
		if p.File.Path == "err.ts" {
			return errors.New("cannot analyse")
		}
		return nil
	},
}

func run(t *testing.T, snap source.Snapshot, opts rules.Options) *rules.Result {
	t.Helper()
	if opts.Rules == nil {
		opts.Rules = []*rules.Rule{markerRule}
	}
	res, err := rules.Run(context.Background(), snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSuppression(t *testing.T) {
	snap := source.Mem{"a.ts": []byte(`
// clerkguard:ignore CLK-HARD-901 -- reviewed: test data
const x = "BAD"
const y = "BAD" // clerkguard:ignore CLK-HARD-901 -- same line works
// clerkguard:ignore CLK-HARD-901
const z = "BAD"
// clerkguard:ignore CLK-HARD-901 -- nothing below
const ok = 1
/* clerkguard:ignore */
`)}
	res := run(t, snap, rules.Options{})
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Rule+"@"+strconv.Itoa(f.Line))
	}
	want := []string{"CLK-CFG-002@5", "CLK-HARD-901@6", "CLK-CFG-001@7", "CLK-CFG-002@9"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findings = %v, want %v", got, want)
	}
}

func TestFingerprintStableAcrossLineMoves(t *testing.T) {
	a := run(t, source.Mem{"a.ts": []byte("const x = 'BAD'\n")}, rules.Options{})
	b := run(t, source.Mem{"a.ts": []byte("\n\n// moved\nconst x = 'BAD'\n")}, rules.Options{})
	if a.Findings[0].Fingerprint != b.Findings[0].Fingerprint {
		t.Error("fingerprint changed when the finding moved down three lines")
	}
	if a.Findings[0].Line == b.Findings[0].Line {
		t.Fatal("test is broken: lines should differ")
	}
	c := run(t, source.Mem{"a.ts": []byte("const x = 'BAD'\nconst x = 'BAD'\n")}, rules.Options{})
	if c.Findings[0].Fingerprint == c.Findings[1].Fingerprint {
		t.Error("two identical findings in one file share a fingerprint")
	}
	d := run(t, source.Mem{"b.ts": []byte("const x = 'BAD'\n")}, rules.Options{})
	if d.Findings[0].Fingerprint == a.Findings[0].Fingerprint {
		t.Error("fingerprint does not depend on the path")
	}
}

func TestFailingRuleDoesNotAbort(t *testing.T) {
	snap := source.Mem{"boom.ts": []byte("x"), "err.ts": []byte("y"), "a.ts": []byte("BAD")}
	res := run(t, snap, rules.Options{Rules: []*rules.Rule{panicRule, markerRule}})
	if len(res.Errors) != 2 {
		t.Fatalf("errors = %+v, want 2", res.Errors)
	}
	if len(res.Findings) != 1 || res.Findings[0].Path != "a.ts" {
		t.Errorf("findings = %+v, want the one in a.ts", res.Findings)
	}
	if !strings.Contains(res.Errors[0].Err+res.Errors[1].Err, "panic") {
		t.Error("panic not reported as an error")
	}
}

func TestDiffModeMovesCausedFindingsToTheChange(t *testing.T) {
	snap := source.Mem{
		"middleware.ts":        []byte("export default clerkMiddleware()\nexport const config = { matcher: ['/dashboard'] }\n"),
		"app/api/x/route.ts":   []byte("export function GET() { return 'BAD' }\n"),
		"app/api/old/route.ts": []byte("BAD\n"),
	}
	patch := `diff --git a/middleware.ts b/middleware.ts
--- a/middleware.ts
+++ b/middleware.ts
@@ -1,2 +1,2 @@
 export default clerkMiddleware()
-export const config = { matcher: ['/dashboard', '/api(.*)'] }
+export const config = { matcher: ['/dashboard'] }
`
	idx, err := diffindex.Parse([]byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, snap, rules.Options{Diff: idx})
	in := res.InDiff()
	if len(in) != 2 {
		t.Fatalf("in-diff findings = %+v, want both routes reported at the matcher change", in)
	}
	for _, f := range in {
		if f.Path != "middleware.ts" || f.Line != 2 || f.CausedBy == nil {
			t.Errorf("finding %+v not moved to middleware.ts:2", f)
		}
		if !strings.Contains(f.Message, "route.ts") {
			t.Errorf("message %q does not name the affected route", f.Message)
		}
	}
}

// TestConfigUnknownRulesWarn: rule IDs this version does not know (a
// retired rule, or one from a newer version) are warnings with their line,
// not errors, and the rest of the configuration still applies.
func TestConfigUnknownRulesWarn(t *testing.T) {
	yml := "rules:\n  disable: [CLK-HARD-901, CLK-OLD-001]\n  severity:\n    CLK-ZZZ-002: low\n    CLK-AAA-003: high\nfail_on: medium\n"
	c, err := rules.ParseConfig([]byte(yml), []*rules.Rule{markerRule})
	if err != nil {
		t.Fatalf("unknown rule IDs are an error: %v", err)
	}
	want := []rules.ConfigWarning{
		{Line: 2, Msg: `rules.disable: unknown rule "CLK-OLD-001" (retired, or from a newer clerkguard); ignored`},
		{Line: 4, Msg: `rules.severity: unknown rule "CLK-ZZZ-002" (retired, or from a newer clerkguard); ignored`},
		{Line: 5, Msg: `rules.severity: unknown rule "CLK-AAA-003" (retired, or from a newer clerkguard); ignored`},
	}
	if !reflect.DeepEqual(c.Warnings, want) {
		t.Fatalf("warnings = %+v\nwant %+v", c.Warnings, want)
	}
	if c.Enabled("CLK-HARD-901") || c.FailOn == nil || *c.FailOn != rules.Medium {
		t.Errorf("the known part of the configuration was not applied: %+v", c)
	}
	if got := c.Warnings[0].String(); got != rules.ConfigPath+`:2: rules.disable: unknown rule "CLK-OLD-001" (retired, or from a newer clerkguard); ignored` {
		t.Errorf("String() = %q", got)
	}
}

// TestConfigErrorLines: every error carries the line to annotate, also
// one raised by a value's own decoder (a severity).
func TestConfigErrorLines(t *testing.T) {
	for yml, want := range map[string]int{
		"comments: true\nfail_on: urgent\n":                2,
		"rules:\n  severity:\n    CLK-HARD-901: extreme\n": 3,
		"comments: true\nrulez: {}\n":                      2,
		"comments: true\non_error: block\n":                2,
	} {
		_, err := rules.ParseConfig([]byte(yml), []*rules.Rule{markerRule})
		var ce *rules.ConfigError
		if !errors.As(err, &ce) || ce.Line != want {
			t.Errorf("%q: err %v, want a ConfigError on line %d", yml, err, want)
		}
	}
}

func TestConfig(t *testing.T) {
	rs := []*rules.Rule{markerRule}
	for _, tc := range []struct{ name, yaml, wantErr string }{
		{"unknown key", "rulez: {}\n", `unknown key "rulez"`},
		{"wrong type", "fail_on: [high]\n", "expected a severity"},
		{"bad severity", "fail_on: urgent\n", "unknown severity"},
		{"bad on_error", "on_error: block\n", "on_error"},
		{"on_error wrong type", "on_error: [failure]\n", "expected neutral or failure"},
		{"bad glob", "paths:\n  exclude: ['[']\n", "invalid glob"},
		{"ok", "rules:\n  disable: [CLK-HARD-901]\n  severity: {CLK-HARD-901: low}\npaths:\n  exclude: ['docs/**']\nfail_on: medium\ncomments: false\non_error: failure\n", ""},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := rules.ParseConfig([]byte(tc.yaml), rs)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			var ce *rules.ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error is %T, want *ConfigError", err)
			}
			_ = c
		})
	}
	c, _ := rules.ParseConfig([]byte("rules:\n  severity: {CLK-HARD-901: low}\npaths:\n  exclude: ['docs/**']\n"), rs)
	res := run(t, source.Mem{"a.ts": []byte("BAD"), "docs/x.ts": []byte("BAD")}, rules.Options{Config: c})
	if len(res.Findings) != 1 || res.Findings[0].Severity != rules.Low {
		t.Errorf("config not applied: %+v", res.Findings)
	}
}

// linkedMem is a snapshot where app/route.ts is a symbolic link to
// lib/handler.ts.
type linkedMem struct{ source.Mem }

func (linkedMem) Target(p string) (string, bool) {
	if p == "app/route.ts" {
		return "lib/handler.ts", true
	}
	return "", false
}

// TestDiffThroughSymlink: a change to the file a symbolic link points to
// brings the finding at the link's path into the diff, moved to the
// changed file.
func TestDiffThroughSymlink(t *testing.T) {
	content := []byte("const ok = 1\nconst x = 'BAD'\n")
	snap := linkedMem{source.Mem{"app/route.ts": content, "lib/handler.ts": content}}
	idx, err := diffindex.Parse([]byte("diff --git a/lib/handler.ts b/lib/handler.ts\n--- a/lib/handler.ts\n+++ b/lib/handler.ts\n@@ -1,2 +1,2 @@\n const ok = 1\n-const x = 1\n+const x = 'BAD'\n"))
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, snap, rules.Options{Diff: idx})
	moved := 0
	for _, f := range res.InDiff() {
		if f.CausedBy != nil && f.CausedBy.Path == "app/route.ts" && f.Path == "lib/handler.ts" && f.Line == 2 {
			moved++
		}
	}
	if moved != 1 {
		t.Errorf("want the link's finding moved to the changed target, got %+v", res.InDiff())
	}
}
