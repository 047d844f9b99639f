package rules_test

import (
	"sort"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestBuildOutputOnlyForAskingRules: committed build output reaches only
// the per-file rules that set BuildOutput; every other rule (and the
// configuration's paths.exclude) still leaves it out, and vendored trees,
// minified bundles and source maps stay skipped for all.
func TestBuildOutputOnlyForAskingRules(t *testing.T) {
	snap := source.Mem{
		"src/a.ts":                       []byte(`const x = "BAD"`),
		".netlify/build/entry.mjs":       []byte(`const x = "BAD"`),
		"dist/server/index.js":           []byte(`const x = "BAD"`),
		"dist/assets/app.min.js":         []byte(`const x = "BAD"`),
		".next/server/page.js.map":       []byte(`const x = "BAD"`),
		"node_modules/pkg/dist/index.js": []byte(`const x = "BAD"`),
		"excluded/dist/x.js":             []byte(`const x = "BAD"`),
	}
	asking := *markerRule
	asking.ID, asking.Name, asking.BuildOutput = "CLK-HARD-903", "test-marker-built", true
	cfg := &rules.Config{}
	cfg.Paths.Exclude = []string{"excluded/**"}
	res := run(t, snap, rules.Options{Rules: []*rules.Rule{markerRule, &asking}, Config: cfg})
	got := map[string][]string{}
	for _, f := range res.Findings {
		got[f.Rule] = append(got[f.Rule], f.Path)
	}
	for _, ps := range got {
		sort.Strings(ps)
	}
	want := map[string][]string{
		"CLK-HARD-901": {"src/a.ts"},
		"CLK-HARD-903": {".netlify/build/entry.mjs", "dist/server/index.js", "src/a.ts"},
	}
	for id, ps := range want {
		if len(got[id]) != len(ps) {
			t.Errorf("%s found %v; want %v", id, got[id], ps)
			continue
		}
		for i := range ps {
			if got[id][i] != ps[i] {
				t.Errorf("%s found %v; want %v", id, got[id], ps)
				break
			}
		}
	}
}
