package rules

import (
	"regexp"
	"strings"
	"unicode"
)

// SuppressionMarker starts an inline suppression.
const SuppressionMarker = "clerkguard:ignore"

// Suppression is one `clerkguard:ignore ID[,ID...] -- reason` comment. It
// applies to findings on its own line and on the line below.
type Suppression struct {
	Path   string
	Line   int
	Rules  []string
	Reason string
	used   bool
}

// suppressionRe matches rule IDs in any case (`clk-rp-003`); they are
// stored upper-case, the canonical form of every rule ID.
var suppressionRe = regexp.MustCompile(`clerkguard:ignore\s+((?:(?i:CLK-[A-Z]+-\d{3})\s*,?\s*)+)(?:--\s*(.*))?`)

// ParseSuppressions finds the suppressions in a file's lines. Malformed
// ones (no rule ID) are returned with no Rules so they can be reported.
func ParseSuppressions(path string, lines []string) []*Suppression {
	var out []*Suppression
	for i, l := range lines {
		idx := strings.Index(l, SuppressionMarker)
		if idx < 0 {
			continue
		}
		s := &Suppression{Path: path, Line: i + 1}
		if m := suppressionRe.FindStringSubmatch(l[idx:]); m != nil {
			for _, id := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
				s.Rules = append(s.Rules, strings.ToUpper(id))
			}
			s.Reason = cleanReason(m[2])
		}
		out = append(out, s)
	}
	return out
}

// cleanReason strips comment terminators from the end of a reason.
func cleanReason(r string) string {
	r = strings.TrimSpace(r)
	for _, end := range []string{"*/}", "*/", "-->", "}"} {
		r = strings.TrimSpace(strings.TrimSuffix(r, end))
	}
	return r
}

func (s *Suppression) matches(f *Finding) bool {
	if s.Reason == "" || f.Path != s.Path || (f.Line != s.Line && f.Line != s.Line+1) {
		return false
	}
	for _, id := range s.Rules {
		if id == f.Rule {
			return true
		}
	}
	return false
}
