package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Counts are the figures of one slice of the corpus (a stack, a rule, a
// category, or all of it).
type Counts struct {
	Repos      int `json:"repos,omitempty"`
	Problems   int `json:"problems"`
	Found      int `json:"found"`
	Findings   int `json:"findings"`
	TP         int `json:"tp"`
	Duplicates int `json:"duplicates"`
	Traps      int `json:"trap_hits"`
	Unlabelled int `json:"unlabelled"`
	// Recall and Precision are nil where they are undefined (no problems,
	// no findings), so an empty slice never reads as perfect.
	Recall    *float64 `json:"recall"`
	Precision *float64 `json:"precision"`
}

func (c *Counts) addFinding(v Verdict) {
	c.Findings++
	switch v {
	case TruePositive:
		c.TP++
	case Duplicate:
		c.Duplicates++
	case TrapHit:
		c.Traps++
	case Unlabelled:
		c.Unlabelled++
	}
}

func (c *Counts) finish() {
	c.Recall, c.Precision = nil, nil
	if c.Problems > 0 {
		r := float64(c.Found) / float64(c.Problems)
		c.Recall = &r
	}
	if c.Findings > 0 {
		p := float64(c.TP+c.Duplicates) / float64(c.Findings)
		c.Precision = &p
	}
}

// Report is the scorer's whole output; its JSON form is what --compare reads.
type Report struct {
	Version    int                `json:"version"`
	Engine     string             `json:"engine"`
	Overall    Counts             `json:"overall"`
	Official   Counts             `json:"official"` // Clerk's own quickstarts and templates: want no finding
	ByStack    map[string]*Counts `json:"by_stack"`
	ByRule     map[string]*Counts `json:"by_rule"`
	ByCategory map[string]*Counts `json:"by_category"`
	Repos      []*RepoScore       `json:"repos"`
}

// Aggregate sums the per-repository scores.
func Aggregate(engine string, labels []*RepoLabels, scores []*RepoScore) *Report {
	r := &Report{Version: 1, Engine: engine, ByStack: map[string]*Counts{},
		ByRule: map[string]*Counts{}, ByCategory: map[string]*Counts{}, Repos: scores}
	get := func(m map[string]*Counts, k string) *Counts {
		if m[k] == nil {
			m[k] = &Counts{}
		}
		return m[k]
	}
	byRepo := map[string]*RepoLabels{}
	for _, l := range labels {
		byRepo[l.Repo] = l
	}
	for _, s := range scores {
		if s.Skipped != "" {
			continue
		}
		rl := byRepo[s.Repo]
		r.Overall.Repos++
		get(r.ByStack, s.Stack).Repos++
		if s.Official {
			r.Official.Repos++
		}
		found := map[string]bool{}
		for _, id := range s.Matched {
			found[id] = true
		}
		for _, p := range rl.Problems {
			f := 0
			if found[p.ID] {
				f = 1
			}
			for _, c := range []*Counts{&r.Overall, get(r.ByStack, s.problemStack[p.ID]), get(r.ByCategory, p.Category)} {
				c.Problems++
				c.Found += f
			}
			if p.Rule != "" {
				c := get(r.ByRule, p.Rule)
				c.Problems++
				c.Found += f
			}
			if s.Official {
				r.Official.Problems++
				r.Official.Found += f
			}
		}
		category := map[string]string{} // label id -> category
		for _, p := range rl.Problems {
			category[p.ID] = p.Category
		}
		for _, t := range rl.Traps {
			category[t.ID] = t.Category
		}
		for _, j := range s.Findings {
			c := categoryOf(j.Rule)
			if lc := category[j.Label]; lc != "" && j.Label != "" {
				c = lc // a rule listed under two categories counts where its label is
			}
			r.Overall.addFinding(j.Verdict)
			get(r.ByStack, j.Stack).addFinding(j.Verdict)
			get(r.ByRule, j.Rule).addFinding(j.Verdict)
			get(r.ByCategory, c).addFinding(j.Verdict)
			if s.Official {
				r.Official.addFinding(j.Verdict)
			}
		}
	}
	r.Overall.finish()
	r.Official.finish()
	for _, m := range []map[string]*Counts{r.ByStack, r.ByRule, r.ByCategory} {
		for _, c := range m {
			c.finish()
		}
	}
	return r
}

// categoryOf is the category a rule reports in ("other" for engine rules):
// the first by name when the rule is listed under several, so a run's
// figures never depend on map order.
func categoryOf(rule string) string {
	for _, c := range categoryNames() {
		for _, id := range categories[c] {
			if id == rule {
				return c
			}
		}
	}
	return "other"
}

func pct(f *float64) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *f)
}

// WriteText prints the tables, then every finding that matches no problem.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "clerkguard %s on %d repositories\n\n", r.Engine, r.Overall.Repos)
	table := func(title string, m map[string]*Counts, withRepos bool) {
		fmt.Fprintf(ew, "%s\n", title)
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		if withRepos {
			fmt.Fprintln(tw, "\trepos\tproblems\tfound\trecall\tfindings\ttp\tdup\ttrap\tunlabelled\tprecision")
		} else {
			fmt.Fprintln(tw, "\tproblems\tfound\trecall\tfindings\ttp\tdup\ttrap\tunlabelled\tprecision")
		}
		for _, k := range sortedKeys(m) {
			c := m[k]
			if withRepos {
				fmt.Fprintf(tw, "%s\t%d", k, c.Repos)
			} else {
				fmt.Fprintf(tw, "%s", k)
			}
			fmt.Fprintf(tw, "\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", c.Problems, c.Found, pct(c.Recall),
				c.Findings, c.TP, c.Duplicates, c.Traps, c.Unlabelled, pct(c.Precision))
		}
		tw.Flush()
		fmt.Fprintln(ew)
	}
	all := map[string]*Counts{"ALL": &r.Overall, "official (want 0 findings)": &r.Official}
	table("Overall", all, true)
	table("By stack", r.ByStack, true)
	table("By category", r.ByCategory, false)
	table("By rule", r.ByRule, false)

	var skipped []string
	for _, s := range r.Repos {
		if s.Skipped != "" {
			skipped = append(skipped, fmt.Sprintf("  %s: %s", s.Repo, s.Skipped))
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(ew, "Skipped repositories\n%s\n\n", strings.Join(skipped, "\n"))
	}
	for _, s := range r.Repos {
		for _, e := range s.Errors {
			fmt.Fprintf(ew, "Note on %s: %s\n", s.Repo, e)
		}
	}
	fmt.Fprintln(ew, "Findings that match no problem (false until labelled true)")
	n := 0
	for _, s := range r.Repos {
		for _, j := range s.Findings {
			if j.Verdict == TruePositive || j.Verdict == Duplicate {
				continue
			}
			n++
			tag := "unlabelled"
			if j.Verdict == TrapHit {
				tag = "trap " + j.Label
			}
			fmt.Fprintf(ew, "  %s %s:%d %s [%s] %s\n", s.Repo, j.Path, j.Line, j.Rule, tag, oneLine(j.Message, 140))
		}
	}
	if n == 0 {
		fmt.Fprintln(ew, "  none")
	}
	fmt.Fprintln(ew)
	fmt.Fprintln(ew, "Problems not found")
	n = 0
	for _, s := range r.Repos {
		if len(s.Missed) > 0 && s.Skipped == "" {
			n++
			fmt.Fprintf(ew, "  %s: %s\n", s.Repo, strings.Join(s.Missed, " "))
		}
	}
	if n == 0 {
		fmt.Fprintln(ew, "  none")
	}
	return ew.err
}

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteComparison prints figures before (old) and after (r), per stack and overall.
func (r *Report) WriteComparison(w io.Writer, old *Report) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "Before: clerkguard %s; after: clerkguard %s\n", old.Engine, r.Engine)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "stack\trecall before\trecall after\tprecision before\tprecision after\tfindings before\tfindings after")
	row := func(k string, a, b *Counts) {
		if a == nil {
			a = &Counts{}
		}
		if b == nil {
			b = &Counts{}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", k, pct(a.Recall), pct(b.Recall), pct(a.Precision), pct(b.Precision), a.Findings, b.Findings)
	}
	keys := map[string]bool{}
	for k := range old.ByStack {
		keys[k] = true
	}
	for k := range r.ByStack {
		keys[k] = true
	}
	ks := make([]string, 0, len(keys))
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		row(k, old.ByStack[k], r.ByStack[k])
	}
	row("ALL", &old.Overall, &r.Overall)
	row("official", &old.Official, &r.Official)
	tw.Flush()
	return ew.err
}

func sortedKeys(m map[string]*Counts) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// errWriter keeps the first write error, so the report code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, nil
}
