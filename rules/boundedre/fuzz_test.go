package boundedre

import (
	"testing"
	"time"
)

// FuzzCompile compiles arbitrary ECMAScript patterns and matches them:
// compiling and matching must return (a generous hang guard, not a speed
// check), and where the pattern took the linear engine its answer must be
// regexp2's on URL-path text (printable ASCII, the alphabet of pathnames).
func FuzzCompile(f *testing.F) {
	for _, tc := range translationCases {
		for _, in := range append(tc.inputs, "/api/clerkguard-probe/x") {
			f.Add(tc.pattern, tc.ic, in)
		}
	}
	for _, p := range []string{`^((.*)*)*x`, `^((?=.)(.*)*)*x`, `(a|aa)+$`, `[\u0000-\uffff]{2}`, `(?:){1000}`, `\u{41}`, `[^]`, `[]`, `\k<a>(?<a>.)`} {
		f.Add(p, false, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	}
	f.Fuzz(func(t *testing.T, pattern string, ic bool, input string) {
		s := NewSet(Limits{MatchTimeout: 10 * time.Millisecond, Budget: 100 * time.Millisecond})
		var re *Regexp
		var err error
		hangGuard(t, "compile", func() { re, err = s.Compile(pattern, ic, "fuzz") })
		if err != nil {
			return
		}
		var got Verdict
		hangGuard(t, "match", func() { got = re.Match(input) })
		if !re.Linear() {
			if got == Unknown && len(s.Failures()) != 1 {
				t.Fatalf("unknown without a recorded failure: %+v", s.Failures())
			}
			return
		}
		if got == Unknown {
			t.Fatalf("the linear engine answered unknown for %q", pattern)
		}
		if !isPathText(input) {
			return
		}
		ref := reference(t, pattern, ic)
		ref.MatchTimeout = 50 * time.Millisecond
		want, err := ref.MatchString(input)
		if err != nil {
			return // regexp2 itself timed out: no reference answer
		}
		if got != verdictOf(want) {
			tr, _ := translate(pattern, ic)
			t.Fatalf("/%s/ (i=%v) on %q: linear engine says %v, regexp2 says %v; translation %s", pattern, ic, input, got, want, tr)
		}
	})
}
