package rules_test

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestSnippets: with Options.Snippets a finding carries the lines around
// it, and no line shows a secret: neither one the detector recognises on
// the line itself nor one it recognised in another file of the run (the
// .env value that a.ts repeats without its name).
func TestSnippets(t *testing.T) {
	key := rulestest.Expand("{{sk_test}}")
	bare := rulestest.Base62("snippet-encryption-key", 32)
	snap := source.Mem{
		".env": []byte("CLERK_ENCRYPTION_KEY=" + bare + "\n"),
		"a.ts": []byte("// one\nconst k = '" + key + "'\nconst e = '" + bare + "'\nconst x = 'BAD'\n// five\n// six\n// seven\n"),
	}
	res := run(t, snap, rules.Options{Snippets: true})
	var f *rules.Finding
	for i := range res.Findings {
		if res.Findings[i].Path == "a.ts" {
			f = &res.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no finding in a.ts: %+v", res.Findings)
	}
	var got []int
	for _, l := range f.Snippet {
		got = append(got, l.Line)
		if l.Finding != (l.Line == 4) {
			t.Errorf("line %d: Finding = %v", l.Line, l.Finding)
		}
		if strings.Contains(l.Text, key[8:]) || strings.Contains(l.Text, bare[:12]) {
			t.Errorf("snippet line %d shows a secret: %q", l.Line, l.Text)
		}
	}
	if want := []int{2, 3, 4, 5, 6}; len(got) != len(want) || got[0] != 2 || got[4] != 6 {
		t.Errorf("snippet lines = %v, want %v", got, want)
	}
	if !strings.Contains(f.Snippet[0].Text, "sk_test_…") {
		t.Errorf("line 2 = %q, want the key redacted", f.Snippet[0].Text)
	}
	if res := run(t, snap, rules.Options{}); len(res.Findings) > 0 && res.Findings[0].Snippet != nil {
		t.Error("a snippet without Options.Snippets")
	}
}
