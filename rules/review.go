package rules

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/verdictdiff"
)

// Review mode is diff mode with the base snapshot (Options.Base). Two
// things change against a plain diff filter:
//
//   - Protection changes. The base's semantic model is built on demand,
//     and verdictdiff compares the verdicts of the entry points the diff
//     can affect; a rule (CLK-RP-020) reports the regressions at the
//     changed line that caused them, in whatever file that is.
//   - Only what is new or worse. A finding on a changed line is in the
//     diff only when the base did not have it, or had it at a lower
//     severity: touching a line (reformatting a matcher) does not bring
//     back what was already there. The base is analysed only for the
//     files and rules of the head's in-diff findings. A finding counts as
//     the same when its rule, file (through renames), matched text
//     (whitespace collapsed) and message (line numbers left out) are the
//     same. When the base cannot be analysed, every finding stays new.

// review is the base side of a review-mode run.
type review struct {
	once    sync.Once
	mu      sync.Mutex
	changes []verdictdiff.Change
	err     error
}

// list returns the changes computed so far.
func (r *review) list() []verdictdiff.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changes
}

// protectionChanges builds the base model and compares it with the head's,
// once per run.
func (c *collector) protectionChanges(ctx context.Context) ([]verdictdiff.Change, error) {
	if c.opts.Base == nil || c.opts.Diff == nil {
		return nil, nil
	}
	c.base.once.Do(func() {
		ch, err := c.compare(ctx)
		c.base.mu.Lock()
		c.base.changes, c.base.err = ch, err
		c.base.mu.Unlock()
	})
	c.base.mu.Lock()
	defer c.base.mu.Unlock()
	return c.base.changes, c.base.err
}

func (c *collector) compare(ctx context.Context) ([]verdictdiff.Change, error) {
	c.mu.Lock()
	head := c.sem
	c.mu.Unlock()
	// The App analyses the changed files and their context (Options.Only):
	// entries elsewhere are not listed, so their files are not read.
	ch, err := verdictdiff.Compare(ctx, c.baseModel, head, c.opts.Diff, c.opts.Only)
	if err != nil {
		return nil, fmt.Errorf("compare with the base: %w", err)
	}
	return ch, nil
}

// baseModel builds the base snapshot's models over its own file set and
// budget; it reads nothing until asked.
func (c *collector) baseModel(ctx context.Context) (*model.Model, error) {
	all, err := c.opts.Base.Files(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the base's files: %w", err)
	}
	var paths []string
	for _, p := range all {
		if !c.opts.Config.Skip(p) {
			paths = append(paths, p)
		}
	}
	m, _, err := BuildModel(ctx, c.opts.Base, paths, c.opts.Budget)
	if err != nil {
		return nil, fmt.Errorf("the base: %w", err)
	}
	return m, nil
}

// lineRefRe matches the line numbers in a message (`lib/auth.ts:12`).
var lineRefRe = regexp.MustCompile(`:\d+`)

// reviewKey identifies a finding across base and head: rule, path,
// matched text and message, without line numbers.
func reviewKey(f *Finding) string {
	return f.Rule + "\x00" + f.Path + "\x00" + strings.Join(strings.Fields(f.match), " ") + "\x00" + lineRefRe.ReplaceAllString(f.Message, "")
}

// dropPreexisting takes out of the diff the findings the base already
// had, as severe (see the package comment above).
func (c *collector) dropPreexisting(ctx context.Context, res *Result) {
	if c.opts.Base == nil || c.opts.Diff == nil {
		return
	}
	toBase, toHead := map[string]string{}, map[string]string{}
	for _, f := range c.opts.Diff.Files {
		if f.Deleted || f.Added || f.OldPath == "" {
			continue
		}
		toBase[f.Path], toHead[f.OldPath] = f.OldPath, f.Path
	}
	only, ids := map[string]bool{}, map[string]bool{}
	var cands []int
	for i, f := range res.Findings {
		if !f.InDiff || f.changedHere || f.key == "" || strings.HasPrefix(f.Rule, "CLK-CFG-") {
			continue
		}
		p := f.Path
		if f.CausedBy != nil {
			p = f.CausedBy.Path
		}
		if df := c.opts.Diff.File(p); df != nil && df.Added {
			continue // a new file: everything in it is new
		}
		if b, ok := toBase[p]; ok {
			p = b
		}
		only[p], ids[f.Rule] = true, true
		cands = append(cands, i)
	}
	if len(cands) == 0 {
		return
	}
	var rs []*Rule
	for _, r := range c.opts.Rules {
		if ids[r.ID] {
			rs = append(rs, r)
		}
	}
	bres, err := Run(ctx, c.opts.Base, Options{Rules: rs, Config: c.opts.Config, Budget: c.opts.Budget,
		Only: func(p string) bool { return only[p] }})
	if err != nil {
		res.Errors = append(res.Errors, RuleError{Rule: EngineID, Err: fmt.Sprintf("the base was not analysed, so every finding on a changed line is reported as new: %v", err)})
		return
	}
	had := map[string]Severity{}
	for _, f := range bres.Findings {
		g := f
		if h, ok := toHead[g.Path]; ok {
			g.Path = h
		}
		k := reviewKey(&g)
		if s, ok := had[k]; !ok || f.Severity > s {
			had[k] = f.Severity
		}
	}
	for _, i := range cands {
		f := &res.Findings[i]
		if s, ok := had[f.key]; ok && s >= f.Severity {
			f.InDiff = false
		}
	}
}

// NewUnguarded returns the entry points the change added that touch data
// and stop no signed-out caller (review mode, when CLK-RP-020 ran).
func (r *Result) NewUnguarded() []ProtectionChange {
	var out []ProtectionChange
	for _, c := range r.Changes {
		if c.Kind != verdictdiff.NewUnguarded {
			continue
		}
		out = append(out, ProtectionChange{Entry: c.Entry.Label(), Path: c.Entry.File, Line: c.Entry.Line,
			Now: string(c.Head.Authn), Why: c.Head.Why, New: true})
	}
	return out
}

// foldIntoProtection takes out of the diff the findings that diff mode
// moved from an entry point to a changed line (CausedBy) when a reported
// protection change (CLK-RP-020) names that entry: the change is told
// once, at the line that caused it, with every entry it affects. Findings
// on the entry's own changed lines stay.
func foldIntoProtection(res *Result) {
	named := map[Location]bool{}
	for _, f := range res.Findings {
		if f.InDiff {
			for _, p := range f.Protection {
				named[Location{Path: p.Path, Line: p.Line}] = true
			}
		}
	}
	if len(named) == 0 {
		return
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.InDiff && f.CausedBy != nil && len(f.Protection) == 0 && named[*f.CausedBy] {
			f.InDiff = false
		}
	}
}
