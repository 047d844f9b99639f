package boundedre

import (
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/clerkguard/clerkguard/rules/rulestest/guard"
)

// TestCatastrophicPatternIsLinear: the pattern that held the CLI for 11
// minutes (/^((.*)*)*x/ in a createRouteMatcher list) has no look-around,
// so it runs on RE2 and gets a definite answer.
func TestCatastrophicPatternIsLinear(t *testing.T) {
	s := NewSet(Limits{})
	re, err := s.Compile(`^((.*)*)*x`, false, "middleware.ts:3")
	if err != nil {
		t.Fatal(err)
	}
	if !re.Linear() {
		t.Fatal("expected the linear engine")
	}
	var got Verdict
	guard.Returns(t, "match", func() { got = re.Match("/api/clerkguard-probe/" + strings.Repeat("a", 5000)) })
	if got != NoMatch {
		t.Errorf("got %v, want no match", got)
	}
	if re.Match("/ax") != Match {
		t.Error("/ax should match")
	}
	if st := s.Stats(); st.BacktrackingRuns != 0 {
		t.Errorf("backtracking runs = %d, want 0", st.BacktrackingRuns)
	}
}

// TestTimeoutIsUnknownAndFinal: a pattern that needs backtracking and
// explodes times out (regexp2's clock does fire), answers Unknown, and is
// never run again.
func TestTimeoutIsUnknownAndFinal(t *testing.T) {
	s := NewSet(Limits{MatchTimeout: 20 * time.Millisecond, Budget: time.Minute})
	re, err := s.Compile(`^((?=.)(.*)*)*x`, false, "middleware.ts:4")
	if err != nil {
		t.Fatal(err)
	}
	if re.Linear() {
		t.Fatal("look-ahead cannot be linear")
	}
	var got Verdict
	guard.Returns(t, "match", func() { got = re.Match("/api/clerkguard-probe/" + strings.Repeat("a", 40)) })
	if got != Unknown {
		t.Fatalf("got %v, want unknown (a timeout is no verdict)", got)
	}
	runs := s.Stats().BacktrackingRuns
	if re.Match("/ax") != Unknown || re.Match("/x") != Unknown {
		t.Error("an unevaluable pattern answered again")
	}
	if s.Stats().BacktrackingRuns != runs {
		t.Error("an unevaluable pattern ran again")
	}
	fs := s.Failures()
	if len(fs) != 1 || fs[0].Pattern != re.String() || len(fs[0].Where) != 1 || !strings.Contains(fs[0].Reason, "20ms") {
		t.Fatalf("failures = %+v", fs)
	}
	if d := fs[0].Describe(); !strings.Contains(d, "middleware.ts:4") || !strings.Contains(d, "could not be evaluated") {
		t.Errorf("describe = %q", d)
	}
}

// TestBudgetIsShared: once the Set's budget is spent, other backtracking
// patterns answer Unknown without running; linear ones still answer.
func TestBudgetIsShared(t *testing.T) {
	s := NewSet(Limits{MatchTimeout: 20 * time.Millisecond, Budget: time.Millisecond})
	slow, _ := s.Compile(`^((?=.)(.*)*)*x`, false, "a.ts:1")
	fast, _ := s.Compile(`^/(?!api)`, false, "a.ts:2")
	lin, _ := s.Compile(`^/api(.*)`, true, "a.ts:3")
	guard.Returns(t, "match", func() { slow.Match(strings.Repeat("a", 40)) })
	runs := s.Stats().BacktrackingRuns
	if got := fast.Match("/home"); got != Unknown {
		t.Errorf("after the budget: %v, want unknown", got)
	}
	if s.Stats().BacktrackingRuns != runs {
		t.Error("a pattern ran after the budget was spent")
	}
	if lin.Match("/API/x") != Match {
		t.Error("linear patterns are not budgeted")
	}
	fs := s.Failures()
	if len(fs) != 2 || !strings.Contains(fs[1].Reason, "budget") {
		t.Errorf("failures = %+v", fs)
	}
}

func TestCompile(t *testing.T) {
	s := NewSet(Limits{MaxPatternLen: 64})
	if _, err := s.Compile(`(`, false, ""); err == nil {
		t.Error("syntax error accepted")
	}
	a, _ := s.Compile(`^/a`, false, "x.ts:1")
	b, _ := s.Compile(`^/a`, false, "y.ts:2")
	if a != b {
		t.Error("the same pattern compiled twice")
	}
	long, err := s.Compile(strings.Repeat("a", 65), false, "z.ts:1")
	if err != nil {
		t.Fatal(err)
	}
	if long.Match("aaa") != Unknown {
		t.Error("an oversized pattern answered")
	}
	if fs := s.Failures(); len(fs) != 1 || !strings.Contains(fs[0].Reason, "65 bytes") {
		t.Errorf("failures = %+v", fs)
	}
	if NewSet(Limits{MaxInputLen: 4}).mustCompile(t, `a`).Match("aaaaa") != Unknown {
		t.Error("an oversized input answered")
	}
}

func (s *Set) mustCompile(t *testing.T, p string) *Regexp {
	t.Helper()
	re, err := s.Compile(p, false, "")
	if err != nil {
		t.Fatal(err)
	}
	return re
}

// translationCases are patterns with inputs; linear says whether the
// pattern must take the RE2 path.
var translationCases = []struct {
	pattern string
	ic      bool
	linear  bool
	inputs  []string
}{
	{`^\/api(?:\/(.*))?[\/#\?]?$`, true, true, []string{"/api", "/API/x", "/apix", "/api/"}},
	{`^(?:\/(_next\/data\/[^/]{1,}))?\/dashboard(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))?(?:(\.json))?[\/#\?]?$`, false, true,
		[]string{"/dashboard", "/dashboard/a/b", "/_next/data/b1/dashboard.json", "/Dashboard"}},
	{`^\/((?!_next|[^?]*\.(?:html?|css|js(?!on)|png)).*)[\/#\?]?$`, false, false, []string{"/a", "/_next/x", "/a.css", "/a.json", "/a.js"}},
	{`a{2,3}`, false, true, []string{"a", "aa", "xaaay"}},
	{`a{,3}`, false, true, []string{"a{,3}", "aaa"}},
	{`x{2`, false, true, []string{"x{2", "xx"}},
	{`[\d-]+$`, false, true, []string{"12-3", "a"}},
	{`[a-c-e]`, false, true, []string{"-", "d", "e"}},
	{`[^a-z]`, true, true, []string{"A", "1"}},
	{`[Z-a]`, true, true, []string{"z", "A", "_", "b"}},
	{`\bapi\b`, false, true, []string{"/api/", "/apix"}},
	{`^.$`, false, true, []string{"a", "\r", "\n", " "}},
	{`\s`, false, true, []string{" ", "\v", "\u00a0", "a"}},
	{`[\s]x`, false, true, []string{"\u2028x", "ax"}},
	{`\S`, false, true, []string{"\u00a0", "a"}},
	{`[\W]`, true, true, []string{"k", "-", "i"}},
	{`[^a]`, true, true, []string{"i", "A", "K"}},
	{`\W`, true, true, []string{"k", "I"}},
	{`\x41\u0042`, true, true, []string{"ab", "AB"}},
	{`\/\.\-`, false, true, []string{"/.-"}},
	{`(?<seg>a)b`, false, true, []string{"ab"}},
	{`(a)\1`, false, false, []string{"aa", "ab"}},
	{`\cJ`, false, false, []string{"\n"}},
	{`[\b]`, false, true, []string{"\b", "b"}},
	{`é`, false, false, []string{"é"}},
	{`(?=a)a`, false, false, []string{"a"}},
	{`a**`, false, false, nil},
}

func TestTranslation(t *testing.T) {
	s := NewSet(Limits{})
	for _, tc := range translationCases {
		re, err := s.Compile(tc.pattern, tc.ic, "")
		if err != nil {
			if tc.inputs != nil {
				t.Errorf("%s: %v", tc.pattern, err)
			}
			continue
		}
		if re.Linear() != tc.linear {
			tr, _ := translate(tc.pattern, tc.ic)
			t.Errorf("%s: linear = %v, want %v (%s)", tc.pattern, re.Linear(), tc.linear, tr)
		}
		ref := reference(t, tc.pattern, tc.ic)
		for _, in := range tc.inputs {
			want, err := ref.MatchString(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := re.Match(in); got != verdictOf(want) && isPathText(in) && !regexp2Diverges(tc.ic, in) {
				t.Errorf("%s (i=%v) on %q: %v, regexp2 says %v", tc.pattern, tc.ic, in, got, want)
			}
		}
	}
}

func reference(t testing.TB, pattern string, ic bool) *regexp2.Regexp {
	t.Helper()
	opts := regexp2.RegexOptions(regexp2.ECMAScript)
	if ic {
		opts |= regexp2.IgnoreCase
	}
	re, err := regexp2.Compile(pattern, opts)
	if err != nil {
		t.Fatalf("%s: %v", pattern, err)
	}
	re.MatchTimeout = time.Second
	return re
}

func verdictOf(b bool) Verdict {
	if b {
		return Match
	}
	return NoMatch
}

// isPathText reports whether s is printable ASCII, the alphabet of URL
// paths (a pathname is percent-encoded), where the engines must agree.
func isPathText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// regexp2Diverges reports inputs where regexp2 (.NET case folding) and
// JavaScript disagree under /i: .NET lowercases U+0130 to i and U+212A to
// k, so a class holding those (\W, [^a], ...) matches i or k; in
// JavaScript's non-unicode Canonicalize no non-ASCII character folds to
// an ASCII one. The linear engine follows JavaScript; node checks it.
func regexp2Diverges(ic bool, input string) bool {
	return ic && strings.ContainsAny(input, "iIkK")
}

// TestTranslationMatchesJavaScript checks the linear translations against
// node's own RegExp, on every input including control and non-ASCII
// characters where regexp2 (.NET semantics) and JavaScript differ.
func TestTranslationMatchesJavaScript(t *testing.T) {
	js := startJSOracle(t)
	if js == nil {
		t.Skip("node is not installed")
	}
	s := NewSet(Limits{})
	for _, tc := range translationCases {
		re, err := s.Compile(tc.pattern, tc.ic, "")
		if err != nil || !re.Linear() {
			continue
		}
		for _, in := range append(tc.inputs, "\u212a", "\u017f", "\u2029", "\r\n", "\u0130") {
			want, ok := js.test(t, tc.pattern, tc.ic, in)
			if !ok && js.timedOut {
				t.Logf("/%s/ on %q: node gave no answer within %v (a loaded machine); input not compared", tc.pattern, in, oracleTimeout)
				continue
			}
			if !ok {
				t.Errorf("/%s/: JavaScript rejects it", tc.pattern)
				continue
			}
			if got := re.Match(in); got != verdictOf(want) {
				t.Errorf("/%s/%v on %q: %v, JavaScript says %v", tc.pattern, tc.ic, in, got, want)
			}
		}
	}
}
