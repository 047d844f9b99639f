package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const testCommit = "0123456789abcdef0123456789abcdef01234567"

func labelsFor(t *testing.T, y string) *RepoLabels {
	t.Helper()
	rl, err := ParseLabels([]byte(y))
	if err != nil {
		t.Fatalf("parse labels: %v", err)
	}
	return rl
}

const synthetic = `
repo: acme/shop
commit: ` + testCommit + `
stack: nextjs-app
official: false
clerk: "@clerk/nextjs ^6"
summary: synthetic
labelled_before_run: true
problems:
  - {id: P1, path: app/api/orders/route.ts, line: 10, end_line: 20, category: unguarded-entry, severity: high, confidence: high, source: label, reason: writes orders for anyone}
  - {id: P2, path: .env, line: 0, category: secret-exposure, severity: critical, confidence: high, source: label, reason: live key committed}
  - {id: P3, path: server/index.ts, line: 5, category: authz, stack: express, severity: high, confidence: medium, source: label, reason: reads any user's invoice by id}
  - {id: P4, path: app/api/users/route.ts, line: 8, category: enumeration, severity: medium, confidence: high, source: label, reason: tells whether an email has an account}
  - id: P5
    path: server/controllers/invoice.ts
    line: 40
    end_line: 55
    category: unguarded-entry
    severity: high
    confidence: high
    source: label
    reason: controller deletes any invoice; its route registration is in another file
    also: [{path: server/routes.ts, line: 12}]
traps:
  - {id: T1, path: app/api/health/route.ts, line: 3, category: unguarded-entry, source: label, reason: constant health check}
`

func TestJudgeMatching(t *testing.T) {
	rl := labelsFor(t, synthetic)
	fs := []Finding{
		{Rule: "CLK-RP-003", Path: "app/api/orders/route.ts", Line: 12},    // inside P1's range
		{Rule: "CLK-RP-003", Path: "app/api/orders/route.ts", Line: 22},    // P1 again, within slack: duplicate
		{Rule: "CLK-RP-003", Path: "app/api/orders/route.ts", Line: 30},    // beyond slack: unlabelled
		{Rule: "CLK-SEC-008", Path: ".env", Line: 1},                       // whole-file label
		{Rule: "CLK-WH-001", Path: "server/index.ts", Line: 5},             // wrong category for P3
		{Rule: "CLK-RP-003", Path: "app/api/health/route.ts", Line: 4},     // trap
		{Rule: "CLK-RBAC-004", Path: "server/index.ts", Line: 2},           // P3 at the edge of the slack
		{Rule: "CLK-SEC-001", Path: "app/api/orders/route.ts", Line: 12},   // right place, wrong category
		{Rule: "CLK-RP-003", Path: "app/api/orders/route.tsx", Line: 12},   // other file
		{Rule: "CLK-RP-003", Path: "app/api/health/route.ts", Line: 3 + 4}, // beyond the trap's slack
		{Rule: "CLK-RP-011", Path: "server/routes.ts", Line: 13},           // P5 at its other place
	}
	s := Judge(rl, fs)
	got := map[string]string{}
	for _, j := range s.Findings {
		got[j.Rule+" "+j.Path+":"+strconv.Itoa(j.Line)] = string(j.Verdict) + " " + j.Label + " " + j.Stack
	}
	want := map[string]string{
		"CLK-RP-003 app/api/orders/route.ts:12":  "tp P1 nextjs-app",
		"CLK-RP-003 app/api/orders/route.ts:22":  "duplicate P1 nextjs-app",
		"CLK-RP-003 app/api/orders/route.ts:30":  "unlabelled  nextjs-app",
		"CLK-SEC-008 .env:1":                     "tp P2 nextjs-app",
		"CLK-WH-001 server/index.ts:5":           "unlabelled  nextjs-app",
		"CLK-RP-003 app/api/health/route.ts:4":   "trap T1 nextjs-app",
		"CLK-RBAC-004 server/index.ts:2":         "tp P3 express",
		"CLK-SEC-001 app/api/orders/route.ts:12": "unlabelled  nextjs-app",
		"CLK-RP-003 app/api/orders/route.tsx:12": "unlabelled  nextjs-app",
		"CLK-RP-003 app/api/health/route.ts:7":   "unlabelled  nextjs-app",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	if strings.Join(s.Matched, ",") != "P1,P2,P3,P5" || strings.Join(s.Missed, ",") != "P4" {
		t.Errorf("matched %v missed %v, want P1,P2,P3,P5 and P4", s.Matched, s.Missed)
	}

	r := Aggregate("test", []*RepoLabels{rl}, []*RepoScore{s})
	if r.Overall.Problems != 5 || r.Overall.Found != 4 || r.Overall.Findings != 11 || r.Overall.TP != 4 ||
		r.Overall.Duplicates != 1 || r.Overall.Traps != 1 || r.Overall.Unlabelled != 5 {
		t.Errorf("overall %+v", r.Overall)
	}
	if *r.Overall.Recall != 0.8 || *r.Overall.Precision != 5.0/11 {
		t.Errorf("recall %v precision %v, want 0.8 and 5/11", *r.Overall.Recall, *r.Overall.Precision)
	}
	ex := r.ByStack["express"]
	if ex == nil || ex.Problems != 1 || ex.Found != 1 || ex.Findings != 1 || ex.Repos != 0 {
		t.Errorf("express stack %+v: the label's stack must count, not the repository's", ex)
	}
	if c := r.ByCategory["enumeration"]; c == nil || c.Problems != 1 || c.Found != 0 || *c.Recall != 0 {
		t.Errorf("enumeration category %+v: a category without a rule is all misses", c)
	}
	if c := r.ByRule["CLK-RP-003"]; c == nil || c.Findings != 6 || c.TP != 1 {
		t.Errorf("CLK-RP-003 %+v", c)
	}
	if r.Official.Findings != 0 || r.Official.Precision != nil {
		t.Errorf("official %+v: no official repository here", r.Official)
	}
}

func TestPrecisionUndefinedWithoutFindings(t *testing.T) {
	rl := labelsFor(t, synthetic)
	r := Aggregate("test", []*RepoLabels{rl}, []*RepoScore{Judge(rl, nil)})
	if r.Overall.Precision != nil || *r.Overall.Recall != 0 {
		t.Errorf("no findings: precision %v recall %v, want undefined and 0", r.Overall.Precision, *r.Overall.Recall)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "acme/shop: P1 P2 P3 P4 P5") {
		t.Errorf("text report does not list the missed problems:\n%s", b.String())
	}
}

func TestLabelValidation(t *testing.T) {
	for name, tc := range map[string]struct{ edit, want string }{
		"unknown key":       {"stack: nextjs-app", "stack: nextjs-app\nstakc: x"},
		"bad commit":        {"commit: " + testCommit, "commit: abc"},
		"bad stack":         {"stack: nextjs-app", "stack: rails"},
		"bad category":      {"category: authz", "category: idor"},
		"bad source":        {"source: label, reason: constant", "source: guess, reason: constant"},
		"absolute path":     {"path: .env", "path: /etc/.env"},
		"duplicate id":      {"id: T1", "id: P1"},
		"missing reason":    {"reason: tells whether an email has an account", "reason: ''"},
		"missing severity":  {"severity: medium, ", ""},
		"inverted range":    {"line: 10, end_line: 20", "line: 10, end_line: 2"},
		"absolute also":     {"path: server/routes.ts", "path: /server/routes.ts"},
		"non-clerk rule ID": {"category: enumeration,", "category: enumeration, rule: RP-003,"},
	} {
		t.Run(name, func(t *testing.T) {
			y := strings.Replace(synthetic, tc.edit, tc.want, 1)
			if y == synthetic {
				t.Fatalf("edit %q not applied", tc.edit)
			}
			if _, err := ParseLabels([]byte(y)); err == nil {
				t.Errorf("accepted labels with %s", name)
			}
		})
	}
	if _, err := ParseLabels([]byte(synthetic)); err != nil {
		t.Errorf("valid labels refused: %v", err)
	}
}

// TestScoreEndToEnd builds a git repository, labels it, and scores it
// through the command as a user runs it: clones directory, labels
// directory, JSON output, and a second labelled repository with no clone.
func TestScoreEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is required")
		}
		t.Skip("SKIPPED: git is not installed")
	}
	root := t.TempDir()
	work := filepath.Join(root, "acme__shop")
	// A synthetic live key, assembled here so that no secret scanner flags
	// this repository.
	key := "sk_" + "live_" + strings.Repeat("Q3v8Zt1pLm5Rx9Yk", 3)
	files := map[string]string{
		".env":         "CLERK_SECRET_KEY=" + key + "\n",
		".gitignore":   ".env\n", // added later than .env was tracked: git keeps tracking it
		"app/x.ts":     "export const k = 1\n",
		"package.json": `{"dependencies":{"@clerk/nextjs":"^6.12.0","next":"15.2.3"}}` + "\n",
	}
	for p, c := range files {
		fp := filepath.Join(work, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(fp), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fp, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", work, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("add", "-f", ".env")
	git("commit", "-qm", "one")
	commit := git("rev-parse", "HEAD")
	// A later commit that the labels do not describe: the scorer must use the pinned one.
	if err := os.Remove(filepath.Join(work, ".env")); err != nil {
		t.Fatal(err)
	}
	git("add", "-A")
	git("commit", "-qm", "two")

	labels := filepath.Join(root, "labels")
	if err := os.MkdirAll(labels, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, y string) {
		if err := os.WriteFile(filepath.Join(labels, name), []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("acme__shop.yaml", `repo: acme/shop
commit: `+commit+`
stack: nextjs-app
official: false
clerk: "@clerk/nextjs ^6.12.0"
summary: synthetic
labelled_before_run: true
problems:
  - {id: P1, path: .env, line: 1, category: secret-exposure, severity: critical, confidence: high, source: label, reason: live key committed}
  - {id: P2, path: app/x.ts, line: 1, category: unguarded-entry, severity: high, confidence: low, source: label, reason: synthetic miss}
traps: []
`)
	write("acme__gone.yaml", "repo: acme/gone\ncommit: "+testCommit+"\nstack: express\nofficial: true\nclerk: x\nsummary: x\nlabelled_before_run: true\nproblems: []\ntraps: []\n")

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--labels", labels, "--clones", root, "--format", "json"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "skipped: no clone of acme/gone") {
		t.Errorf("a missing clone is not named on stderr:\n%s", errb.String())
	}
	var r Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("JSON output: %v\n%s", err, out.String())
	}
	if r.Overall.Repos != 1 || r.Overall.Problems != 2 || r.Overall.Found != 1 {
		t.Errorf("overall %+v, want 1 repository, 2 problems, 1 found", r.Overall)
	}
	var shop *RepoScore
	for _, s := range r.Repos {
		if s.Repo == "acme/shop" {
			shop = s
		}
	}
	if shop == nil {
		t.Fatal("acme/shop missing from the report")
	}
	var tpSeen, committedSeen bool
	for _, j := range shop.Findings {
		// The tracked .env is committed whatever .gitignore says: the
		// extracted tree answers as the commit does.
		committedSeen = committedSeen || j.Rule == "CLK-SEC-008" && j.Path == ".env"
		if j.Verdict == TruePositive && j.Label == "P1" && strings.HasPrefix(j.Rule, "CLK-SEC-") {
			tpSeen = true
		}
		if strings.Contains(j.Message, key) {
			t.Errorf("the report prints the secret: %s", j.Message)
		}
	}
	if !tpSeen {
		t.Errorf("the committed key at the pinned commit was not matched to P1: %+v", shop.Findings)
	}
	if !committedSeen {
		t.Errorf("the tracked .env that .gitignore matches was not judged committed: %+v", shop.Findings)
	}

	// Comparing a run with itself prints both columns.
	old := filepath.Join(root, "old.json")
	if err := os.WriteFile(old, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(context.Background(), []string{"--labels", labels, "--clones", root, "--compare", old}, &out, &errb); code != 0 {
		t.Fatalf("compare: exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(out.String(), "recall before") || !strings.Contains(out.String(), "nextjs-app") {
		t.Errorf("comparison output:\n%s", out.String())
	}
	if code := run(context.Background(), []string{"--labels", labels}, &out, &errb); code != 2 {
		t.Errorf("without --clones: exit %d, want 2", code)
	}
}

// A rule listed under two categories is counted under one chosen by name,
// not by map order: two runs over the same findings print the same table.
func TestCategoryOfIsDeterministic(t *testing.T) {
	for i := 0; i < 50; i++ {
		if c := categoryOf("CLK-SEC-012"); c != "secret-exposure" {
			t.Fatalf("run %d: categoryOf(CLK-SEC-012) = %q, want secret-exposure (the first by name)", i, c)
		}
	}
	if c := categoryOf("CLK-NOPE-001"); c != "other" {
		t.Errorf("categoryOf(unknown) = %q, want other", c)
	}
}

// A problem at a related place of a finding is found by that finding (one
// root cause reported once still shows every place); a trap finding's
// related places credit nothing.
func TestJudgeRelatedPlaces(t *testing.T) {
	const y = `
repo: acme/env
commit: ` + testCommit + `
stack: expo
official: false
clerk: "@clerk/clerk-expo ^2"
summary: synthetic
labelled_before_run: true
problems:
  - {id: P1, path: app/.env, line: 2, category: secret-exposure, severity: high, confidence: high, source: label, reason: database URL with password}
  - {id: P2, path: app/.env, line: 8, category: secret-exposure, severity: high, confidence: high, source: label, reason: payment secret key}
  - {id: P3, path: api/orders.ts, line: 30, category: unguarded-entry, severity: high, confidence: high, source: label, reason: deletes any order}
traps:
  - {id: T1, path: api/health.ts, line: 3, category: unguarded-entry, source: label, reason: constant health check}
`
	rl := labelsFor(t, y)
	fs := []Finding{
		{Rule: "CLK-SEC-008", Path: "app/.env", Line: 8, Related: []Place{{Path: "app/.env", Line: 2}}},
		{Rule: "CLK-RP-003", Path: "api/health.ts", Line: 3, Related: []Place{{Path: "api/orders.ts", Line: 30}}},
	}
	s := Judge(rl, fs)
	if got := strings.Join(s.Matched, ","); got != "P1,P2" {
		t.Errorf("matched = %q, want P1,P2 (P1 at the related line; P3 only at a trap finding's related place)", got)
	}
	if got := strings.Join(s.Missed, ","); got != "P3" {
		t.Errorf("missed = %q, want P3", got)
	}
	for _, j := range s.Findings {
		if j.Rule == "CLK-SEC-008" && (j.Verdict != TruePositive || j.Label != "P2") {
			t.Errorf("SEC-008 finding judged %s %s, want tp P2 (its own place)", j.Verdict, j.Label)
		}
		if j.Rule == "CLK-RP-003" && j.Verdict != TrapHit {
			t.Errorf("trap finding judged %s, want trap", j.Verdict)
		}
	}
}

// TestUnguardedFindingFindsAuthzProblem: a finding that nothing checks the
// caller, at the entry an authz label names, finds that problem; an authz
// finding does not find an unguarded-entry problem.
func TestUnguardedFindingFindsAuthzProblem(t *testing.T) {
	authz := &Label{ID: "P1", Category: "authz"}
	if !ruleFits("CLK-RP-004", authz) {
		t.Error("CLK-RP-004 should find an authz problem at its entry")
	}
	unguarded := &Label{ID: "P2", Category: "unguarded-entry"}
	if ruleFits("CLK-RBAC-004", unguarded) {
		t.Error("CLK-RBAC-004 should not find an unguarded-entry problem")
	}
}
