package publish

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/report"
)

// maxProtectionLines bounds the entries the "Protection changes" section
// lists; the findings carry the rest.
const maxProtectionLines = 20

// ProtectionSection renders the entry points the change left less
// protected (the regressions among the reported findings, so a suppressed
// one is not listed) and the new ones left unguarded: "method path —
// file:line — why", inert and capped. "" when there are none.
func ProtectionSection(fs []rules.Finding, fresh []rules.ProtectionChange) string {
	var lines []string
	seen := map[string]bool{}
	add := func(c rules.ProtectionChange, what string) {
		k := c.Entry + "\x00" + c.Path
		if seen[k] {
			return
		}
		seen[k] = true
		where := fmt.Sprintf("%s:%d", c.Path, c.Line)
		lines = append(lines, fmt.Sprintf("- %s — %s — %s", rules.Code(report.Clip(c.Entry, 200)), rules.Code(report.Clip(where, maxHeadText)),
			report.InertClip(what+": "+c.Why, 400)))
	}
	for _, f := range fs {
		if !f.InDiff {
			continue
		}
		for _, c := range f.Protection {
			add(c, fmt.Sprintf("became unguarded (%s → %s)", c.Was, c.Now))
		}
	}
	for _, c := range fresh {
		add(c, "new and unguarded")
	}
	if len(lines) == 0 {
		return ""
	}
	n := len(lines)
	if n > maxProtectionLines {
		lines = append(lines[:maxProtectionLines], fmt.Sprintf("- … and %d more", n-maxProtectionLines))
	}
	return fmt.Sprintf("\n#### Protection changes (%d entry point(s))\n\n%s\n", n, strings.Join(lines, "\n"))
}
