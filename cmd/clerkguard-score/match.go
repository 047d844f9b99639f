package main

import (
	"sort"
	"strings"
)

// categories maps each label category to the rule IDs that report it
// today (fixtures/corpus/README.md has the same table for labellers). A
// category with no rule still counts for recall: its problems are misses.
var categories = map[string][]string{
	"secret-exposure": {"CLK-SEC-001", "CLK-SEC-002", "CLK-SEC-003", "CLK-SEC-004", "CLK-SEC-005",
		"CLK-SEC-006", "CLK-SEC-007", "CLK-SEC-008", "CLK-SEC-009", "CLK-SEC-010", "CLK-SEC-011", "CLK-SEC-012", "CLK-SEC-013", "CLK-SEC-014"},
	"unguarded-entry": {"CLK-RP-003", "CLK-RP-004", "CLK-RP-005", "CLK-RP-010", "CLK-RP-011",
		"CLK-RP-012", "CLK-RP-013", "CLK-RP-014", "CLK-RP-015", "CLK-RP-016", "CLK-RP-021", "CLK-RBAC-002",
		"CLK-SEC-012",   // an unauthenticated entry that sends a secret is both
		"CLK-RBAC-006"}, // so is one whose only exposure is other users' contact data, which CLK-RBAC-006 reports (model.ContactExposure)
	"middleware-config":  {"CLK-RP-001", "CLK-RP-002", "CLK-RP-008", "CLK-RP-009", "CLK-RP-011", "CLK-RP-016", "CLK-RP-022", "CLK-RP-023"},
	"token-verification": {"CLK-RP-006", "CLK-RP-007", "CLK-RP-017", "CLK-RP-018"},
	"authz":              {"CLK-RBAC-001", "CLK-RBAC-003", "CLK-RBAC-004", "CLK-RBAC-005", "CLK-RBAC-007", "CLK-RBAC-008", "CLK-RBAC-009", "CLK-RBAC-010", "CLK-RBAC-011", "CLK-RBAC-012"},
	"user-data-exposure": {"CLK-RBAC-006"},
	"webhook":            {"CLK-WH-001", "CLK-WH-002", "CLK-WH-003", "CLK-WH-004", "CLK-WH-005", "CLK-WH-006"},
	"vulnerable-version": {"CLK-RP-019"},
	"enumeration":        {"CLK-ENUM-001", "CLK-ENUM-002"},
	"session-lifetime":   {"CLK-SESS-001", "CLK-SESS-002"},
	"signup-restriction": {"CLK-SIGNUP-001", "CLK-SIGNUP-002"},
	"mfa":                {"CLK-MFA-001", "CLK-MFA-002"},
	"hygiene":            {"CLK-HARD-001", "CLK-HARD-002", "CLK-HARD-003", "CLK-HARD-004", "CLK-HARD-005", "CLK-HARD-006", "CLK-HARD-007"},
}

func categoryNames() []string {
	var ns []string
	for n := range categories {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// lineSlack is how far a finding's line may lie outside a label's lines.
const lineSlack = 3

// Finding is the part of an engine finding the scorer needs.
type Finding struct {
	Rule     string `json:"rule"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Severity string `json:"severity"`
	Message  string `json:"-"` // the text report quotes it; the JSON report, meant to be committed and compared, does not
	// Related are the other places the finding names (the engine's
	// related locations): one root cause reported once still shows the
	// user every place, so a problem at a related place is found.
	Related []Place `json:"-"`
}

// at is f moved to one of its related places, for matching.
func (f Finding) at(p Place) Finding {
	g := f
	g.Path, g.Line, g.Related = p.Path, p.Line, nil
	return g
}

// Verdict of one finding against the labels.
type Verdict string

const (
	TruePositive Verdict = "tp"        // matches a problem
	Duplicate    Verdict = "duplicate" // matches a problem another finding already matched
	TrapHit      Verdict = "trap"      // matches a trap: a known false positive
	Unlabelled   Verdict = "unlabelled"
)

// Judged is a finding with its verdict and the label it matched.
type Judged struct {
	Finding
	Verdict Verdict `json:"verdict"`
	Label   string  `json:"label,omitempty"`
	Stack   string  `json:"stack"`
}

// matches reports whether finding f is about label l, at any of its places.
func matches(f Finding, l *Label) bool {
	if !ruleFits(f.Rule, l) {
		return false
	}
	_, ok := distance(f, l)
	return ok
}

// distance is how many lines f lies outside the nearest place of l (0
// inside it), and whether that is within the slack.
func distance(f Finding, l *Label) (int, bool) {
	best, ok := 0, false
	for _, pl := range l.places() {
		if pl.Path != f.Path {
			continue
		}
		d := 0
		if pl.Line > 0 {
			end := max(pl.EndLine, pl.Line)
			switch {
			case f.Line < pl.Line:
				d = pl.Line - f.Line
			case f.Line > end:
				d = f.Line - end
			}
		}
		if d <= lineSlack && (!ok || d < best) {
			best, ok = d, true
		}
	}
	return best, ok
}

func ruleFits(rule string, l *Label) bool {
	if l.Rule != "" && strings.EqualFold(l.Rule, rule) {
		return true
	}
	cats := []string{l.Category}
	if l.Category == "authz" {
		// An entry with no check at all also lacks the owner or role check
		// an authz label names: a finding that nothing checks the caller,
		// at that entry, names the same missing server-side check (its fix
		// adds the identity the owner check needs). The reverse does not
		// hold: an authz finding on an unguarded entry understates it.
		cats = append(cats, "unguarded-entry")
	}
	for _, c := range cats {
		for _, r := range categories[c] {
			if r == rule {
				return true
			}
		}
	}
	return false
}

// RepoScore is the outcome for one repository.
type RepoScore struct {
	Repo     string   `json:"repo"`
	Commit   string   `json:"commit"`
	Stack    string   `json:"stack"`
	Official bool     `json:"official"`
	Findings []Judged `json:"findings"`
	Problems int      `json:"problems"`
	Matched  []string `json:"matched"` // problem ids found
	Missed   []string `json:"missed"`  // problem ids not found
	Skipped  string   `json:"skipped,omitempty"`
	Errors   []string `json:"errors,omitempty"`

	problemStack map[string]string // id -> stack, for the aggregates
	problemRule  map[string]string // id -> expected rule, when labelled
}

// Judge matches a repository's findings against its labels. Each finding is
// compared with the problems first (the nearest line wins, an unmatched
// problem before one already found), then with the traps.
func Judge(rl *RepoLabels, fs []Finding) *RepoScore {
	rs := &RepoScore{Repo: rl.Repo, Commit: rl.Commit, Stack: rl.Stack, Official: rl.Official,
		Problems: len(rl.Problems), problemStack: map[string]string{}, problemRule: map[string]string{}}
	found := map[string]bool{}
	sorted := append([]Finding(nil), fs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Rule < b.Rule
	})
	for _, f := range sorted {
		j := Judged{Finding: f, Verdict: Unlabelled, Stack: rl.Stack}
		if p := bestMatch(f, rl.Problems, found); p != nil {
			j.Verdict, j.Label, j.Stack = TruePositive, p.ID, rl.stackOf(p)
			if found[p.ID] {
				j.Verdict = Duplicate
			}
			found[p.ID] = true
		} else if t := bestMatch(f, rl.Traps, nil); t != nil {
			j.Verdict, j.Label, j.Stack = TrapHit, t.ID, rl.stackOf(t)
		}
		rs.Findings = append(rs.Findings, j)
	}
	// A problem at a related place of a finding is found too: the finding
	// shows it to the user. Only problems no finding's own place matched,
	// and only from findings that are not traps; a finding whose own place
	// matched nothing takes the first such problem as its label.
	for i, f := range sorted {
		j := &rs.Findings[i]
		if j.Verdict == TrapHit {
			continue
		}
		for _, pl := range f.Related {
			p := bestMatch(f.at(pl), rl.Problems, found)
			if p == nil || found[p.ID] {
				continue
			}
			found[p.ID] = true
			if j.Verdict == Unlabelled {
				j.Verdict, j.Label, j.Stack = TruePositive, p.ID, rl.stackOf(p)
			}
		}
	}
	for i := range rl.Problems {
		p := &rl.Problems[i]
		rs.problemStack[p.ID] = rl.stackOf(p)
		rs.problemRule[p.ID] = p.Rule
		if found[p.ID] {
			rs.Matched = append(rs.Matched, p.ID)
		} else {
			rs.Missed = append(rs.Missed, p.ID)
		}
	}
	return rs
}

// bestMatch is the label f matches whose lines are nearest to f's line,
// preferring labels not yet in taken.
func bestMatch(f Finding, ls []Label, taken map[string]bool) *Label {
	var best *Label
	bestKey := [2]int{}
	for i := range ls {
		l := &ls[i]
		if !matches(f, l) {
			continue
		}
		dist, _ := distance(f, l)
		used := 0
		if taken[l.ID] {
			used = 1
		}
		key := [2]int{used, dist}
		if best == nil || key[0] < bestKey[0] || (key[0] == bestKey[0] && key[1] < bestKey[1]) {
			best, bestKey = l, key
		}
	}
	return best
}
