package boundedre

import (
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/rules/rulestest/guard"
)

// FuzzCompile compiles arbitrary ECMAScript patterns and matches them:
// compiling and matching must return (a generous hang guard, not a speed
// check), an Unknown answer must come with a recorded failure, and where
// the pattern took the linear engine its answer must be JavaScript's
// (node's RegExp is the oracle).
func FuzzCompile(f *testing.F) {
	for _, tc := range translationCases {
		for _, in := range append(tc.inputs, "/api/clerkguard-probe/x") {
			f.Add(tc.pattern, tc.ic, in)
		}
	}
	for _, p := range []string{`^((.*)*)*x`, `^((?=.)(.*)*)*x`, `(a|aa)+$`, `[\u0000-\uffff]{2}`, `(?:){1000}`, `\u{41}`, `[^]`, `[]`, `\k<a>(?<a>.)`, `[\--e]`} {
		f.Add(p, false, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	}
	js := startJSOracle(f)
	f.Fuzz(func(t *testing.T, pattern string, ic bool, input string) {
		s := NewSet(Limits{MatchTimeout: 10 * time.Millisecond})
		var re *Regexp
		var err error
		guard.Returns(t, "compile", func() { re, err = s.Compile(pattern, ic, "fuzz") })
		if err != nil {
			return
		}
		var got Verdict
		guard.Returns(t, "match", func() { got = re.Match(input) })
		if !re.Linear() {
			if got == Unknown && len(s.Failures()) != 1 {
				t.Fatalf("unknown without a recorded failure: %+v", s.Failures())
			}
			return
		}
		if got == Unknown {
			t.Fatalf("the linear engine answered unknown for %q", pattern)
		}
		if js == nil {
			return
		}
		want, ok := js.test(t, pattern, ic, input)
		if ok && got != verdictOf(want) {
			tr, _ := translate(pattern, ic)
			t.Fatalf("/%s/ (i=%v) on %q: linear engine says %v, JavaScript says %v; translation %s", pattern, ic, input, got, want, tr)
		}
	})
}
