package rules_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
)

var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"",
		"rules:\n  disable: [CLK-HARD-901]\n  severity: {CLK-HARD-901: low}\npaths:\n  exclude: ['docs/**']\n  include: ['build/**']\nfail_on: medium\ncomments: false\n",
		"rulez: 1\n",
		"fail_on: [x]\n",
		"paths:\n  exclude: ['[']\n",
		"---\n- a\n- b\n",
		"&a [*a]",
		"rules:\n  disable: [CLK-GONE-001]\n  severity: {CLK-GONE-002: low}\non_error: failure\n",
		"on_error: maybe\n",
		"rules:\n  disable: clk-hard-901\n",
		"rules: {severity: {clk-hard-901: LOW, CLK-HARD-901: high}}\n",
		"x: &a {b: *a}\nrules: *a\n",
		"comments: yes\nfail_on: ~\n",
	} {
		f.Add([]byte(s))
	}
	rs := []*rules.Rule{markerRule}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := rules.ParseConfig(data, rs)
		if err != nil {
			if _, ok := err.(*rules.ConfigError); !ok {
				t.Fatalf("error %T is not a *ConfigError: %v", err, err)
			}
			// Outside the quoted values from the file, no Go term.
			ours := quoted.ReplaceAllString(err.Error(), `""`)
			for _, goism := range []string{"!!", "struct {", "map[", "[]string", "rules.Severity", "rules.Config"} {
				if strings.Contains(ours, goism) {
					t.Fatalf("error %q shows the Go term %q", err, goism)
				}
			}
			return
		}
		_ = c.Skip("a/b.ts")
		_ = c.Enabled("CLK-HARD-901")
	})
}

func FuzzParseSuppressions(f *testing.F) {
	for _, s := range []string{
		"// clerkguard:ignore CLK-RP-003 -- public endpoint",
		"# clerkguard:ignore CLK-SEC-001,CLK-SEC-004 -- test data",
		"{/* clerkguard:ignore CLK-RBAC-002 -- demo */}",
		"<!-- clerkguard:ignore CLK-WH-001 -->",
		"clerkguard:ignore",
		"clerkguard:ignore CLK-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Split(text, "\n")
		for _, s := range rules.ParseSuppressions("x.ts", lines) {
			if s.Line < 1 || s.Line > len(lines) {
				t.Fatalf("suppression line %d outside 1..%d", s.Line, len(lines))
			}
			for _, id := range s.Rules {
				if !strings.HasPrefix(id, "CLK-") {
					t.Fatalf("rule id %q", id)
				}
			}
		}
	})
}
