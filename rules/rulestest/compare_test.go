package rulestest

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
)

func TestCompareKnownMisses(t *testing.T) {
	parse := func(line string) map[string][]*want {
		return map[string][]*want{"a.ts:3": parseWants(t, line)}
	}
	finding := rules.Finding{Rule: "CLK-RP-003", Path: "a.ts", Line: 3, Message: "GET is not protected"}

	if ws := parseWants(t, `x() // want:todo "CLK-RP-003"`); len(ws) != 1 || !ws[0].todo {
		t.Fatalf("want:todo not parsed as a known miss: %+v", ws)
	}
	if ws := parseWants(t, `x() // want "CLK-RP-003"`); len(ws) != 1 || ws[0].todo {
		t.Fatalf("want parsed as a known miss: %+v", ws)
	}
	cases := []struct {
		name     string
		marker   string
		findings []rules.Finding
		problem  string // substring of the one expected problem; "" for none
	}{
		{"known miss still missed", `// want:todo "CLK-RP-003"`, nil, ""},
		{"known miss now found", `// want:todo "CLK-RP-003"`, []rules.Finding{finding}, "known miss is found now"},
		{"expected and found", `// want "CLK-RP-003: GET"`, []rules.Finding{finding}, ""},
		{"expected and missed", `// want "CLK-RP-003"`, nil, "no finding matched"},
		{"unexpected", `// nothing`, []rules.Finding{finding}, "unexpected finding"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := compare(c.findings, parse(c.marker))
			if c.problem == "" {
				if len(got) != 0 {
					t.Fatalf("problems %q, want none", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], c.problem) {
				t.Fatalf("problems %q, want one containing %q", got, c.problem)
			}
		})
	}
}
