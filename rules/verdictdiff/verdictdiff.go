// Package verdictdiff compares the semantic models of the base and the
// head of a change: it pairs their entry points, compares each pair's
// guard verdict, and says which entries lost protection and which changed
// line caused it, even when that line is in another file than the entry
// (a deleted or moved middleware file, a matcher edit, a helper that stops
// rejecting, a removed app.use(requireAuth())).
//
// It is lazy: only entries the diff can affect are analysed on either
// side. An entry can be affected when one of its structural files (its
// file, its handler's, its wrappers', its middleware layers', its mounts')
// changed, or when its handler's file imports a changed file (followed
// model.MaxDepth imports deep). An unknown verdict on either side is
// never a regression: a file the model could not read does not flip one.
package verdictdiff

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// ChangeKind says how an entry's protection changed.
type ChangeKind string

// Change kinds.
const (
	// Regressed: the entry existed on the base and its verdict got worse
	// (authentication yes -> partial or no, partial -> no, or a role or
	// organization check removed).
	Regressed ChangeKind = "regressed"
	// NewUnguarded: the entry is new in the head, touches data, and
	// nothing stops a signed-out caller.
	NewUnguarded ChangeKind = "new-unguarded"
)

// Change is one entry whose protection changed.
type Change struct {
	Kind ChangeKind
	// Entry is the head's entry; BaseEntry its base counterpart (nil for
	// NewUnguarded).
	Entry, BaseEntry *model.Entry
	Head, Base       model.Verdict
	// At is the changed line that caused the change, in the head (or, for
	// a deleted file, its base path at line 1). Deleted is set then.
	At      model.Location
	Deleted bool
	// Cause says what changed at At, in one sentence fragment ("`middleware.ts`
	// was deleted"); "" when At is simply the changed line of a check.
	Cause string
}

// Worse describes the change of verdict: "authentication yes → no",
// "role check removed".
func (c Change) Worse() string {
	if c.Kind == NewUnguarded {
		return "new, authentication " + string(c.Head.Authn)
	}
	if rank(c.Head.Authn) < rank(c.Base.Authn) {
		return fmt.Sprintf("authentication %s → %s", c.Base.Authn, c.Head.Authn)
	}
	lost := model.Authz(c.Base.Authz &^ c.Head.Authz & (model.AuthzRole | model.AuthzOrg))
	return fmt.Sprintf("%s check removed (authorization %s → %s)", lost, c.Base.Authz, c.Head.Authz)
}

// rank orders authentication verdicts; -1 for unknown.
func rank(a model.Authn) int {
	switch a {
	case model.AuthnYes:
		return 2
	case model.AuthnPartial:
		return 1
	case model.AuthnNo:
		return 0
	}
	return -1
}

// worse reports whether the head verdict is worse than the base one. An
// unknown verdict on either side is never worse.
func worse(base, head model.Verdict) bool {
	b, h := rank(base.Authn), rank(head.Authn)
	if b < 0 || h < 0 {
		return false
	}
	if h < b {
		return true
	}
	// A removed role or organization check, while the caller is still
	// authenticated (an unauthenticated entry has no authorization to lose).
	return h > 0 && base.Authz&^head.Authz&(model.AuthzRole|model.AuthzOrg) != 0
}

// Compare returns the entries whose protection the change made worse, and
// the new entries left unguarded, sorted by the place they are shown at.
// A nil or empty diff compares nothing. The base model is built (baseOf)
// only when the change modifies, moves or deletes a source file. scope, when set, bounds the files
// whose entries are compared (the files a review analyses; nil: every
// entry of both snapshots): entries are then listed per file
// (model.EntriesOf), and a file outside scope is never read for them.
func Compare(ctx context.Context, baseOf func(context.Context) (*model.Model, error), head *model.Model, d *diffindex.Index, scope func(string) bool) ([]Change, error) {
	if d == nil || len(d.Files) == 0 || baseOf == nil || head == nil {
		return nil, nil
	}
	c := &comparer{d: d, head: head, renamed: map[string]string{}, headChanged: map[string]bool{},
		baseChanged: map[string]bool{}, reach: [2]map[string]map[string]bool{{}, {}}}
	onlyAdded := true
	var deleted []string
	for key, f := range d.Files {
		switch {
		case f.Deleted:
			c.baseChanged[key] = true
			deleted = append(deleted, key)
			c.anyModule = c.anyModule || modules.IsModule(key)
			onlyAdded = false
		case f.Added:
			c.headChanged[f.Path] = true
			c.anyModule = c.anyModule || modules.IsModule(f.Path)
		default:
			old := f.OldPath
			if old == "" {
				old = f.Path
			}
			if old != f.Path {
				c.renamed[old] = f.Path
				c.baseChanged[old] = true
			} else if len(f.Changed) > 0 {
				c.baseChanged[old] = true
			}
			if len(f.Changed) > 0 || old != f.Path {
				c.headChanged[f.Path] = true
				onlyAdded = false
			}
			c.anyModule = c.anyModule || modules.IsModule(f.Path) || modules.IsModule(old)
		}
	}
	if !c.anyModule {
		return nil, nil // no source file changed: no verdict can
	}
	heads, err := c.entries(ctx, head, scope, nil)
	if err != nil {
		return nil, fmt.Errorf("head entries: %w", err)
	}
	var bases []*model.Entry
	if !onlyAdded {
		// A change that only adds files leaves every existing entry as it
		// was: the base is not read at all.
		toBase := map[string]string{}
		for o, n := range c.renamed {
			toBase[n] = o
		}
		if c.base, err = baseOf(ctx); err != nil {
			return nil, err
		}
		var baseScope func(string) bool
		if scope != nil {
			baseScope = func(p string) bool {
				if n, ok := c.renamed[p]; ok {
					return scope(n)
				}
				return scope(p) || c.baseChanged[p]
			}
		}
		if bases, err = c.entries(ctx, c.base, baseScope, deleted); err != nil {
			return nil, fmt.Errorf("base entries: %w", err)
		}
	}
	byKey := map[string][]*model.Entry{}
	for _, e := range bases {
		k := c.key(e, c.headPath(e.File))
		byKey[k] = append(byKey[k], e)
	}
	var out []Change
	for _, he := range heads {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := c.key(he, he.File)
		var be *model.Entry
		if l := byKey[k]; len(l) > 0 {
			be, byKey[k] = l[0], l[1:]
		}
		if be == nil {
			if ch, ok := c.newEntry(ctx, he); ok {
				out = append(out, ch)
			}
			continue
		}
		if !c.affected(ctx, 1, he) && !c.affected(ctx, 0, be) {
			continue
		}
		if ch, ok := c.pair(ctx, he, be); ok {
			out = append(out, ch)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].At, out[j].At
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return out[i].Entry.Where() < out[j].Entry.Where()
	})
	return out, nil
}

// entries lists a model's entries: all of them, or those of the files in
// scope (and of extra files), once each.
func (c *comparer) entries(ctx context.Context, m *model.Model, scope func(string) bool, extra []string) ([]*model.Entry, error) {
	if scope == nil {
		return m.Entries(ctx)
	}
	var out []*model.Entry
	seen := map[*model.Entry]bool{}
	var paths []string
	for _, p := range m.Paths() {
		if scope(p) {
			paths = append(paths, p)
		}
	}
	for _, p := range append(paths, extra...) {
		es, err := m.EntriesOf(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	return out, nil
}

type comparer struct {
	d          *diffindex.Index
	base, head *model.Model
	// renamed maps base paths to their head paths.
	renamed                  map[string]string
	headChanged, baseChanged map[string]bool
	anyModule                bool
	// reach memoizes, per side (0 base, 1 head), the files a file imports
	// within model.MaxDepth steps.
	reach [2]map[string]map[string]bool
}

func (c *comparer) headPath(p string) string {
	if n, ok := c.renamed[p]; ok {
		return n
	}
	return p
}

// key pairs entries of the two sides: framework, kind, methods and URL
// path; a Server Action or an entry whose path is unknown by its (head)
// file and name.
func (c *comparer) key(e *model.Entry, file string) string {
	m := strings.Join(e.Methods, ",")
	if e.Kind == model.ServerAction || !e.PathKnown {
		return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s", e.Framework, e.Kind, m, file, e.Name)
	}
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s", e.Framework, e.Kind, m, e.Path)
}

// structural lists the files an entry's verdict is built from, apart from
// the helpers it calls.
func structural(e *model.Entry) []string {
	out := []string{e.File, e.Handler.File}
	for _, w := range e.Wrappers {
		out = append(out, w.File)
	}
	for _, l := range e.Chain {
		out = append(out, l.File)
	}
	for _, m := range e.Mounts {
		out = append(out, m.File)
	}
	return out
}

// affected reports whether the change can affect e on a side (0 base, 1
// head): a structural file changed, or the handler's file imports one.
func (c *comparer) affected(ctx context.Context, side int, e *model.Entry) bool {
	changed := c.baseChanged
	if side == 1 {
		changed = c.headChanged
	}
	for _, f := range structural(e) {
		if changed[f] {
			return true
		}
	}
	if e.Handler.File == "" {
		return false
	}
	for f := range c.imports(ctx, side, e.Handler.File) {
		if changed[f] {
			return true
		}
	}
	return false
}

// imports returns the files p imports, directly or not, within
// model.MaxDepth steps.
func (c *comparer) imports(ctx context.Context, side int, p string) map[string]bool {
	if r, ok := c.reach[side][p]; ok {
		return r
	}
	g := c.base.Modules()
	if side == 1 {
		g = c.head.Modules()
	}
	seen := map[string]bool{}
	frontier := []string{p}
	for depth := 0; depth < model.MaxDepth && len(frontier) > 0; depth++ {
		var next []string
		for _, f := range frontier {
			ims, _ := g.Imports(ctx, f) // unreadable: fewer files, so fewer candidates, never a flipped verdict
			for _, im := range ims {
				if im.Target.Kind == modules.File && !seen[im.Target.Path] {
					seen[im.Target.Path] = true
					next = append(next, im.Target.Path)
				}
			}
		}
		frontier = next
	}
	c.reach[side][p] = seen
	return seen
}

// relevant reports whether an entry's protection matters: it touches data
// on either side and is not public by declaration or convention on both.
func (c *comparer) relevant(ctx context.Context, he, be *model.Entry) bool {
	if he.DeclaredPublic() && (be == nil || be.DeclaredPublic()) {
		return false
	}
	if c.head.Effects(ctx, he).TouchesUserData() {
		return true
	}
	return be != nil && c.base.Effects(ctx, be).TouchesUserData()
}

func (c *comparer) pair(ctx context.Context, he, be *model.Entry) (Change, bool) {
	hv, bv := c.head.Guard(ctx, he), c.base.Guard(ctx, be)
	if !worse(bv, hv) || !c.relevant(ctx, he, be) {
		return Change{}, false
	}
	ch := Change{Kind: Regressed, Entry: he, BaseEntry: be, Head: hv, Base: bv}
	if !c.locate(ctx, &ch) {
		return Change{}, false
	}
	return ch, true
}

// newEntry reports a new, changed entry that touches data unguarded.
func (c *comparer) newEntry(ctx context.Context, he *model.Entry) (Change, bool) {
	if !c.headChanged[he.File] {
		return Change{}, false
	}
	hv := c.head.Guard(ctx, he)
	if hv.Authn != model.AuthnNo || !c.relevant(ctx, he, nil) {
		return Change{}, false
	}
	ch := Change{Kind: NewUnguarded, Entry: he, Head: hv, At: model.Location{File: he.File, Line: he.Line}}
	return ch, true
}

// places returns the locations that support a verdict: its proof, and the
// entry's middleware layers (and their proof) and wrappers. With guarding,
// only the layers that stop a request (the base's checks that may be gone).
func places(e *model.Entry, v model.Verdict, guarding bool) []model.Location {
	var out []model.Location
	for _, p := range v.Proof {
		out = append(out, p.Location)
	}
	for _, l := range e.Chain {
		if guarding && l.Gate != model.GateRejects && l.Gate != model.GateRedirects && l.Gate != model.GatePartial {
			continue
		}
		out = append(out, l.Location)
		for _, p := range l.Proof {
			out = append(out, p.Location)
		}
	}
	for _, w := range e.Wrappers {
		out = append(out, w.Location)
	}
	return out
}

// locate finds the changed line that caused a regression, in order: a
// place of the base verdict's checks in a deleted file (at the deletion)
// or on a line the change removed or rewrote (where it was, in the head);
// a place of the head verdict on a changed line (a matcher line that no
// longer runs on the path); a place of the base's checks in a moved file
// (its new path) or a changed file (the changed line nearest to where its
// line is in the head); the changed lines of the entry's own files; the
// first changed file its handler imports.
func (c *comparer) locate(ctx context.Context, ch *Change) bool {
	base := places(ch.BaseEntry, ch.Base, true)
	for _, l := range base {
		if c.fromBase(ch, l, true) {
			return true
		}
	}
	for _, l := range places(ch.Entry, ch.Head, false) {
		if l.File != "" && c.d.Changed(l.File, l.Line, l.Line) {
			ch.At = l
			return true
		}
	}
	for _, l := range base {
		if c.fromBase(ch, l, false) {
			return true
		}
	}
	for _, f := range structural(ch.Entry) {
		if n, ok := c.nearest(f, ch.Entry.Line); ok && f != "" {
			ch.At = model.Location{File: f, Line: n}
			return true
		}
	}
	var reached []string
	for f := range c.imports(ctx, 1, ch.Entry.Handler.File) {
		if c.headChanged[f] {
			reached = append(reached, f)
		}
	}
	sort.Strings(reached)
	for _, f := range reached {
		if n, ok := c.nearest(f, 1); ok {
			ch.At = model.Location{File: f, Line: n}
			return true
		}
	}
	return false
}

// fromBase places a regression at a base location's counterpart in the
// head: with exact, only a deleted file or a line the change removed or
// rewrote; else the changed line nearest to it, or a moved file.
func (c *comparer) fromBase(ch *Change, l model.Location, exact bool) bool {
	if l.File == "" || !c.baseChanged[l.File] {
		return false
	}
	if f, ok := c.d.Files[l.File]; ok && f.Deleted {
		ch.At, ch.Deleted = model.Location{File: l.File, Line: 1}, true
		ch.Cause = fmt.Sprintf("`%s` was deleted", l.File)
		return true
	}
	hp := c.headPath(l.File)
	if hp != l.File {
		ch.Cause = fmt.Sprintf("`%s` was moved to `%s`", l.File, hp)
	}
	line := l.Line
	if f := c.d.File(hp); f != nil {
		line = f.NewLine(line) // where the base's line is (or was removed) in the head
	}
	if exact {
		if c.d.Changed(hp, line, line) {
			ch.At = model.Location{File: hp, Line: line}
			return true
		}
		ch.Cause = ""
		return false
	}
	if n, ok := c.nearest(hp, line); ok {
		ch.At = model.Location{File: hp, Line: n}
		return true
	}
	if hp != l.File {
		ch.At = model.Location{File: hp, Line: 1}
		return true
	}
	ch.Cause = ""
	return false
}

// nearest returns the changed head line of p nearest to line.
func (c *comparer) nearest(p string, line int) (int, bool) {
	f, ok := c.d.Files[p]
	if !ok || f.Deleted || len(f.Changed) == 0 {
		return 0, false
	}
	best, dist := 0, -1
	for n := range f.Changed {
		x := n - line
		if x < 0 {
			x = -x
		}
		if dist < 0 || x < dist || x == dist && n < best {
			best, dist = n, x
		}
	}
	return best, true
}
