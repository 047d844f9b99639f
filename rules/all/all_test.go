package all_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/report"
)

func TestValidate(t *testing.T) {
	if err := rules.Validate(all.Rules()); err != nil {
		t.Fatal(err)
	}
}

// TestDocsCurrent fails when docs/rules/ is not what the rule definitions
// generate.
func TestDocsCurrent(t *testing.T) {
	dir := filepath.Join("..", "..", "docs", "rules")
	want := report.RuleDocs(all.Rules())
	for name, text := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != text {
			t.Errorf("docs/rules/%s is out of date. Run: go generate ./rules/all", name)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "CLK-*.md"))
	for _, f := range files {
		if _, ok := want[filepath.Base(f)]; !ok {
			t.Errorf("docs/rules/%s documents no rule. Run: go generate ./rules/all", filepath.Base(f))
		}
	}
}

// TestEveryRuleHasFixtures checks that each rule's testdata folder exists
// beside its pack, with positive and negative cases (the pack tests run
// them).
func TestEveryRuleHasFixtures(t *testing.T) {
	for _, r := range all.Rules() {
		if strings.HasPrefix(r.ID, "CLK-CFG-") {
			continue // engine rules are tested in package rules
		}
		dir := filepath.Join("..", r.Pack, "testdata", r.ID)
		cases, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
		var pos, neg bool
		for _, c := range cases {
			b := filepath.Base(c)
			if strings.HasPrefix(b, "ok") || strings.HasPrefix(b, "trap") {
				neg = true
			} else {
				pos = true
			}
		}
		if !pos || !neg {
			t.Errorf("%s: %s needs positive and negative (ok*/trap*) txtar cases", r.ID, dir)
		}
	}
}
