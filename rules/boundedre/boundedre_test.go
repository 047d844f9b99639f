package boundedre

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
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
	s := NewSet(Limits{MatchTimeout: 20 * time.Millisecond})
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

// TestBudgetIsShared: once the Set's units are spent, other backtracking
// patterns answer Unknown without running; linear ones still answer.
func TestBudgetIsShared(t *testing.T) {
	s := NewSet(Limits{Units: RunCost + 6*10})
	first, _ := s.Compile(`^\/(?!x)p`, false, "a.ts:1")
	fast, _ := s.Compile(`^\/(?!api)`, false, "a.ts:2")
	lin, _ := s.Compile(`^/api(.*)`, true, "a.ts:3")
	if first.Match("/p/x") != Match {
		t.Fatal("the first match is within the budget")
	}
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
	if len(fs) != 1 || fs[0].Pattern != fast.String() || !strings.Contains(fs[0].Reason, "budget") {
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

// clerkDefaultMatcher is the shape of the matcher Clerk's quickstart puts
// in middleware.ts (static files skipped by extension), as path-to-regexp
// compiles it; its look-aheads need the backtracking engine.
const clerkDefaultMatcher = `^\/((?!_next|[^?]*\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)[\/#\?]?$`

// slowClock is a clock that jumps step on every reading: a machine so
// loaded that every match seems to take that long.
func slowClock(step time.Duration) func() time.Time {
	var mu sync.Mutex
	t := time.Unix(0, 0)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(step)
		return t
	}
}

// TestVerdictsDoNotDependOnLoad: on a machine where every backtracking
// match seems to take a whole second, ordinary matcher probes still get
// their definite answers. Before, the 1s wall-clock budget shared by the
// Set was spent by the first probe and every later one answered Unknown,
// so a loaded run dropped findings that an idle run reported.
func TestVerdictsDoNotDependOnLoad(t *testing.T) {
	probes := map[string]Verdict{
		"/dashboard": Match, "/api/x": Match, "/_next/static/a.js": NoMatch,
		"/logo.png": NoMatch, "/data.json": Match, "/docs/a.css": NoMatch, "/": Match,
	}
	for _, step := range []time.Duration{0, time.Second, time.Hour} {
		s := NewSet(Limits{})
		s.now = slowClock(step)
		re := s.mustCompile(t, clerkDefaultMatcher)
		if re.Linear() {
			t.Fatal("the default matcher needs backtracking")
		}
		for round := 0; round < 3; round++ {
			for _, p := range sortedKeys(probes) {
				if got := re.Match(p); got != probes[p] {
					t.Errorf("clock step %v, round %d: %s → %v, want %v", step, round, p, got, probes[p])
				}
			}
		}
		if fs := s.Failures(); len(fs) != 0 {
			t.Errorf("clock step %v: failures %+v", step, fs)
		}
		// Each question ran once; the repeats were answered from memory.
		if st := s.Stats(); st.BacktrackingRuns != int64(len(probes)) {
			t.Errorf("clock step %v: %d backtracking runs, want %d", step, st.BacktrackingRuns, len(probes))
		}
	}
}

func sortedKeys(m map[string]Verdict) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestUnitBudgetIsDeterministic: the shared budget is charged in work
// units, so exactly the same probes get answers on every run; the ones
// after the budget answer Unknown and the review says why.
func TestUnitBudgetIsDeterministic(t *testing.T) {
	run := func() (answers []Verdict, units int64, fs []Failure) {
		// Each probe of the 9-byte patterns on a 3-byte path costs
		// RunCost + 4 × 10 units.
		s := NewSet(Limits{Units: 5 * (RunCost + 40)})
		s.now = slowClock(time.Minute)
		a := s.mustCompile(t, `^\/(?!x)p`)
		for i := 0; i < 4; i++ {
			answers = append(answers, a.Match(fmt.Sprintf("/p%d", i)), a.Match(fmt.Sprintf("/p%d", i)))
		}
		b := s.mustCompile(t, `^\/(?!x)q`)
		answers = append(answers, b.Match("/q1"), b.Match("/q2"), a.Match("/p0"), a.Match("/p9"))
		return answers, s.Stats().Units, s.Failures()
	}
	answers, units, fs := run()
	want := []Verdict{Match, Match, Match, Match, Match, Match, Match, Match, Match, Unknown, Match, Unknown}
	if !slices.Equal(answers, want) {
		t.Errorf("answers = %v, want %v", answers, want)
	}
	if units != 5*(RunCost+40) {
		t.Errorf("units = %d, want %d", units, 5*(RunCost+40))
	}
	if len(fs) != 2 || !strings.Contains(fs[0].Reason, "1480 work units") {
		t.Errorf("failures = %+v", fs)
	}
	for i := 0; i < 3; i++ {
		again, u, _ := run()
		if !slices.Equal(again, answers) || u != units {
			t.Fatalf("run %d differs: %v (%d units)", i, again, u)
		}
	}
}

// TestTimeoutsStopBacktracking: after MaxTimeouts catastrophic patterns
// have timed out, no other backtracking pattern runs.
func TestTimeoutsStopBacktracking(t *testing.T) {
	s := NewSet(Limits{MatchTimeout: 20 * time.Millisecond, MaxTimeouts: 1})
	slow := s.mustCompile(t, `^((?=.)(.*)*)*x`)
	fast := s.mustCompile(t, `^\/(?!x)p`)
	guard.Returns(t, "match", func() { slow.Match(strings.Repeat("a", 40)) })
	if got := fast.Match("/p"); got != Unknown {
		t.Errorf("after a timeout: %v, want unknown", got)
	}
	fs := s.Failures()
	if len(fs) != 2 || !strings.Contains(fs[1].Reason, "timed out") {
		t.Errorf("failures = %+v", fs)
	}
}

// TestFailuresAreOrdered: the report of unevaluable patterns does not
// depend on the order concurrent rules compiled or asked them.
func TestFailuresAreOrdered(t *testing.T) {
	report := func(order []int) []Failure {
		s := NewSet(Limits{MaxPatternLen: 4})
		pats := []string{"bbbbb", "aaaaa"}
		for _, i := range order {
			for w := 6; w >= 0; w-- {
				if _, err := s.Compile(pats[i], false, fmt.Sprintf("m%d.ts:%d", i, w)); err != nil {
					t.Fatal(err)
				}
			}
		}
		return s.Failures()
	}
	a, b := report([]int{0, 1}), report([]int{1, 0})
	if !slices.EqualFunc(a, b, func(x, y Failure) bool { return x.Pattern == y.Pattern && slices.Equal(x.Where, y.Where) }) {
		t.Errorf("order-dependent failures:\n%+v\n%+v", a, b)
	}
	if len(a) != 2 || a[0].Pattern != "aaaaa" || !slices.Equal(a[0].Where, []string{"m1.ts:0", "m1.ts:1", "m1.ts:2", "m1.ts:3", "m1.ts:4"}) {
		t.Errorf("failures = %+v", a)
	}
}

// TestConcurrentProbesAgree: rules ask the same Set from several
// goroutines; each question still runs once and gets one answer.
func TestConcurrentProbesAgree(t *testing.T) {
	s := NewSet(Limits{})
	re := s.mustCompile(t, clerkDefaultMatcher)
	paths := []string{"/a", "/b.css", "/c.json", "/_next/x"}
	var wg sync.WaitGroup
	got := make([][]Verdict, 8)
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range paths {
				got[g] = append(got[g], re.Match(p))
			}
		}()
	}
	wg.Wait()
	want := []Verdict{Match, NoMatch, Match, NoMatch}
	for g := range got {
		if !slices.Equal(got[g], want) {
			t.Errorf("goroutine %d: %v, want %v", g, got[g], want)
		}
	}
	if st := s.Stats(); st.BacktrackingRuns != int64(len(paths)) {
		t.Errorf("%d runs, want %d", st.BacktrackingRuns, len(paths))
	}
}
