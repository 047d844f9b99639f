// Package boundedre compiles and matches the regular expressions that come
// from analysed code (route patterns, config.matcher entries, RegExp
// literals) so that no pattern a pull request writes can stall a review.
//
// A pattern is ECMAScript syntax. When it stays inside the subset that
// Go's RE2 engine can express with the same match/no-match answer (no
// look-around, no back-references), it is translated and matched in linear
// time. Otherwise it runs on the backtracking engine (regexp2) under a
// work budget shared by every pattern of the Set and charged in
// deterministic units (input length × pattern length per match), so the
// same code gets the same answers however loaded the machine is. Each
// (pattern, input) question is answered once per Set and remembered.
// Two wall-clock bounds remain only as last-resort guards against
// catastrophic patterns: a timeout per match, and a total time far above
// what any ordinary review spends. A pattern that times out once, or that
// asks for work after a budget is spent, is unevaluable from then on and is
// never run again; after MaxTimeouts timeouts no backtracking pattern runs.
//
// Matching is three-valued: Match, NoMatch, or Unknown when the pattern
// could not be evaluated. Unknown is never a guess; callers must not claim
// a finding from it.
package boundedre

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlclark/regexp2"
)

// Verdict is the answer of one match.
type Verdict int8

// Verdicts. The zero value is Unknown, so a forgotten assignment never
// reads as a definite answer.
const (
	Unknown Verdict = iota // the pattern could not be evaluated
	NoMatch
	Match
)

func (v Verdict) String() string {
	switch v {
	case Match:
		return "match"
	case NoMatch:
		return "no match"
	}
	return "unknown"
}

// Limits bound the work of a Set.
type Limits struct {
	// MatchTimeout bounds one backtracking match. regexp2 checks it
	// against a clock that ticks every 100ms and adds one tick of slack,
	// so a timed-out match returns after about MatchTimeout+200ms.
	MatchTimeout time.Duration
	// Budget is no longer used: a wall-time budget made the answers
	// depend on the machine's load (a loaded run dropped findings an idle
	// run reported). The total is bounded by Units and MaxTimeouts.
	//
	// Deprecated: set Units.
	Budget time.Duration
	// Units bounds the work of all backtracking matches of the Set in
	// deterministic units: one match of input s costs
	// RunCost + (len(s)+1) × (len(pattern)+1). Once spent, every
	// backtracking pattern is unevaluable.
	Units int64
	// MaxTimeouts is the number of per-match timeouts after which no
	// backtracking pattern of the Set runs any more, so a pull request
	// full of catastrophic patterns costs a few timeouts, not one each.
	MaxTimeouts int
	// MaxPatternLen is the longest pattern (in bytes) that is compiled at
	// all; a longer one is unevaluable.
	MaxPatternLen int
	// MaxInputLen is the longest input matched; a longer one is Unknown.
	MaxInputLen int
	// MaxLinearInsts is the largest RE2 program used; a bigger pattern
	// goes to the bounded backtracking engine instead, so even linear
	// matching stays small.
	MaxLinearInsts int
}

// RunCost is the fixed charge of one backtracking match, so that the
// number of matches is bounded however short the inputs are.
const RunCost = 256

// DefaultLimits are the limits of a review: backtracking matches may cost
// 2^26 units together (the largest corpus repository spends 6.5M on 2460
// matcher probes, each microseconds on an ordinary pattern); as the last
// resort against catastrophic patterns,
// one match may take 50ms (about 250ms in practice) and three timeouts
// stop backtracking for the review.
func DefaultLimits() Limits {
	return Limits{MatchTimeout: 50 * time.Millisecond, Units: 1 << 26, MaxTimeouts: 3,
		MaxPatternLen: 4096, MaxInputLen: 8192, MaxLinearInsts: 20000}
}

// Set owns the patterns of one analysis (one project model): it caches
// them by source, shares the backtracking budget among them and records
// the ones that could not be evaluated. It is safe for concurrent use.
type Set struct {
	limits Limits

	// now is the clock of Stats.Spent, which decides nothing (time.Now;
	// tests inject a slow one to prove it).
	now func() time.Time

	spent    atomic.Int64 // nanoseconds of backtracking matches
	btRuns   atomic.Int64 // backtracking matches started
	timeouts atomic.Int64 // backtracking matches that timed out

	mu     sync.Mutex
	units  int64 // work units charged to backtracking matches; s.mu
	cache  map[cacheKey]*compiled
	failed []*Regexp
}

type cacheKey struct {
	src        string
	ignoreCase bool
}

type compiled struct {
	re  *Regexp
	err error
}

// NewSet returns an empty Set; zero fields of l take DefaultLimits.
func NewSet(l Limits) *Set {
	d := DefaultLimits()
	if l.MatchTimeout <= 0 {
		l.MatchTimeout = d.MatchTimeout
	}
	if l.Units <= 0 {
		l.Units = d.Units
	}
	if l.MaxTimeouts <= 0 {
		l.MaxTimeouts = d.MaxTimeouts
	}
	if l.MaxPatternLen <= 0 {
		l.MaxPatternLen = d.MaxPatternLen
	}
	if l.MaxInputLen <= 0 {
		l.MaxInputLen = d.MaxInputLen
	}
	if l.MaxLinearInsts <= 0 {
		l.MaxLinearInsts = d.MaxLinearInsts
	}
	return &Set{limits: l, now: time.Now, cache: map[cacheKey]*compiled{}}
}

// Limits returns the Set's limits.
func (s *Set) Limits() Limits { return s.limits }

// Regexp is a compiled pattern of a Set.
type Regexp struct {
	set        *Set
	src        string
	ignoreCase bool
	linear     *regexp.Regexp  // RE2 translation, when the syntax allows
	bt         *regexp2.Regexp // backtracking engine otherwise

	dead atomic.Pointer[string] // why the pattern is unevaluable

	memoMu sync.Mutex
	memo   map[string]Verdict // backtracking answers by input

	whereMu sync.Mutex
	where   []string
}

// maxWhere bounds the places recorded per pattern.
const maxWhere = 5

// Compile compiles an ECMAScript pattern (without the slashes and flags of
// a literal). where names the place it comes from ("middleware.ts:12") for
// the report of unevaluable patterns. The error is a syntax error: the
// pattern would throw in JavaScript too. A pattern that is too large to
// evaluate compiles without error but only ever answers Unknown.
func (s *Set) Compile(pattern string, ignoreCase bool, where string) (*Regexp, error) {
	k := cacheKey{pattern, ignoreCase}
	s.mu.Lock()
	c, ok := s.cache[k]
	if !ok {
		c = &compiled{}
		c.re, c.err = s.compile(pattern, ignoreCase)
		s.cache[k] = c
		if c.re != nil && c.re.dead.Load() != nil {
			s.failed = append(s.failed, c.re)
		}
	}
	s.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	c.re.addWhere(where)
	return c.re, nil
}

func (s *Set) compile(pattern string, ignoreCase bool) (re *Regexp, err error) {
	re = &Regexp{set: s, src: pattern, ignoreCase: ignoreCase}
	if len(pattern) > s.limits.MaxPatternLen {
		re.setDead(fmt.Sprintf("the pattern is %d bytes long; patterns over %d bytes are not evaluated", len(pattern), s.limits.MaxPatternLen))
		return re, nil
	}
	// regexp2 in ECMAScript mode decides what is a syntax error, as it did
	// before the linear engine was added, so a pattern is invalid for the
	// same reasons whichever engine matches it.
	opts := regexp2.RegexOptions(regexp2.ECMAScript)
	if ignoreCase {
		opts |= regexp2.IgnoreCase
	}
	bt, cerr, panicked := compileBacktracking(pattern, opts)
	if panicked != "" {
		re.setDead("the regular expression engine failed on it: " + panicked)
		return re, nil
	}
	if cerr != nil {
		return nil, cerr
	}
	if src, ok := translate(pattern, ignoreCase); ok {
		if lin, err := regexp.Compile(src); err == nil && progSize(src) <= s.limits.MaxLinearInsts {
			re.linear = lin
			return re, nil
		}
	}
	bt.MatchTimeout = s.limits.MatchTimeout
	re.bt = bt
	return re, nil
}

func compileBacktracking(pattern string, opts regexp2.RegexOptions) (re *regexp2.Regexp, err error, panicked string) {
	defer func() {
		if v := recover(); v != nil {
			re, err, panicked = nil, nil, fmt.Sprint(v)
		}
	}()
	re, err = regexp2.Compile(pattern, opts)
	return re, err, ""
}

// progSize is the instruction count of the RE2 program of src (which
// compiles), or a huge number when it cannot be measured.
func progSize(src string) int {
	tree, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return int(^uint(0) >> 1)
	}
	prog, err := syntax.Compile(tree.Simplify())
	if err != nil {
		return int(^uint(0) >> 1)
	}
	return len(prog.Inst)
}

// String returns the pattern as written.
func (r *Regexp) String() string { return r.src }

// Linear reports whether the pattern runs on the linear-time engine.
func (r *Regexp) Linear() bool { return r.linear != nil }

// Unevaluable returns why the pattern can no longer be evaluated.
func (r *Regexp) Unevaluable() (reason string, ok bool) {
	if p := r.dead.Load(); p != nil {
		return *p, true
	}
	return "", false
}

// Match matches s (anywhere, as RegExp.prototype.test does).
func (r *Regexp) Match(s string) Verdict {
	if r == nil {
		return Unknown
	}
	if len(s) > r.set.limits.MaxInputLen {
		return Unknown
	}
	switch {
	case r.linear != nil:
		if r.linear.MatchString(s) {
			return Match
		}
		return NoMatch
	case r.bt != nil:
		return r.matchBacktracking(s)
	}
	return Unknown // unevaluable from the start
}

func (r *Regexp) matchBacktracking(s string) Verdict {
	// One question is answered once: the memo makes the charge of a
	// repeated probe (many rules ask the same matcher about the same path)
	// independent of how many times, or in which order, it is asked.
	r.memoMu.Lock()
	defer r.memoMu.Unlock()
	if v, ok := r.memo[s]; ok {
		return v
	}
	if r.dead.Load() != nil {
		return Unknown
	}
	v := r.runBacktracking(s)
	if v != Unknown {
		if r.memo == nil {
			r.memo = map[string]Verdict{}
		}
		r.memo[s] = v
	}
	return v
}

// runBacktracking charges one match to the Set's budgets and runs it.
func (r *Regexp) runBacktracking(s string) Verdict {
	set := r.set
	if reason, ok := set.charge(RunCost + int64(len(s)+1)*int64(len(r.src)+1)); !ok {
		r.kill(reason)
		return Unknown
	}
	set.btRuns.Add(1)
	start := set.now()
	ok, err, panicked := matchString(r.bt, s)
	set.spent.Add(int64(set.now().Sub(start)))
	switch {
	case panicked != "":
		r.kill("the regular expression engine failed on it: " + panicked)
		return Unknown
	case err != nil:
		// regexp2 reports nothing but a timeout here.
		set.timeouts.Add(1)
		r.kill(fmt.Sprintf("one match ran past the %s limit (it needs backtracking)", set.limits.MatchTimeout))
		return Unknown
	case ok:
		return Match
	}
	return NoMatch
}

// charge takes cost units from the Set's budget, or says why it cannot:
// the units are spent, or too many matches timed out.
func (s *Set) charge(cost int64) (reason string, ok bool) {
	if n := s.timeouts.Load(); n >= int64(s.limits.MaxTimeouts) {
		return fmt.Sprintf("%d backtracking matches had already timed out, so no more were run", n), false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.units+cost > s.limits.Units {
		return fmt.Sprintf("the budget of %d work units (input length × pattern length per match) shared by all backtracking patterns was used up before it ran", s.limits.Units), false
	}
	s.units += cost
	return "", true
}

func matchString(re *regexp2.Regexp, s string) (ok bool, err error, panicked string) {
	defer func() {
		if v := recover(); v != nil {
			ok, err, panicked = false, nil, fmt.Sprint(v)
		}
	}()
	ok, err = re.MatchString(s)
	return ok, err, ""
}

// setDead marks a pattern that is not yet shared.
func (r *Regexp) setDead(reason string) { r.dead.Store(&reason) }

// kill marks the pattern unevaluable and records it once in its Set.
func (r *Regexp) kill(reason string) {
	if !r.dead.CompareAndSwap(nil, &reason) {
		return
	}
	r.set.mu.Lock()
	r.set.failed = append(r.set.failed, r)
	r.set.mu.Unlock()
}

func (r *Regexp) addWhere(w string) {
	if w == "" {
		return
	}
	r.whereMu.Lock()
	defer r.whereMu.Unlock()
	// Keep the first maxWhere places in sorted order, not in the order
	// they were compiled (which concurrent rules do not fix), so a report
	// names the same places on every run.
	i, found := slices.BinarySearch(r.where, w)
	if found || i >= maxWhere {
		return
	}
	r.where = slices.Insert(r.where, i, w)
	if len(r.where) > maxWhere {
		r.where = r.where[:maxWhere]
	}
}

// Failure is a pattern that could not be evaluated.
type Failure struct {
	Pattern string
	Where   []string // places it was compiled from (at most 5)
	Reason  string
}

// Failures returns the unevaluable patterns, sorted by pattern (the
// order they failed in depends on the order concurrent rules asked).
func (s *Set) Failures() []Failure {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	failed := append([]*Regexp(nil), s.failed...)
	s.mu.Unlock()
	out := make([]Failure, 0, len(failed))
	for _, r := range failed {
		reason, _ := r.Unevaluable()
		r.whereMu.Lock()
		where := append([]string(nil), r.where...)
		r.whereMu.Unlock()
		out = append(out, Failure{Pattern: r.src, Where: where, Reason: reason})
	}
	slices.SortStableFunc(out, func(a, b Failure) int { return strings.Compare(a.Pattern, b.Pattern) })
	return out
}

// Stats are a Set's counters.
type Stats struct {
	Linear, Backtracking int           // compiled patterns per engine
	BacktrackingRuns     int64         // backtracking matches started
	Units                int64         // work units they were charged
	Spent                time.Duration // their wall time (decides nothing)
}

// Stats returns the Set's counters.
func (s *Set) Stats() Stats {
	st := Stats{BacktrackingRuns: s.btRuns.Load(), Spent: time.Duration(s.spent.Load())}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Units = s.units
	for _, c := range s.cache {
		switch {
		case c.re == nil:
		case c.re.linear != nil:
			st.Linear++
		case c.re.bt != nil:
			st.Backtracking++
		}
	}
	return st
}

// Describe renders a failure for a report: the pattern (clipped), where
// it comes from and why it was not evaluated.
func (f Failure) Describe() string {
	p := f.Pattern
	if r := []rune(p); len(r) > 80 {
		p = string(r[:77]) + "..."
	}
	where := ""
	if len(f.Where) > 0 {
		w := append([]string(nil), f.Where...)
		sort.Strings(w)
		where = " (" + strings.Join(w, ", ") + ")"
	}
	return fmt.Sprintf("pattern `%s`%s could not be evaluated: %s; nothing that depends on it was judged", p, where, f.Reason)
}
