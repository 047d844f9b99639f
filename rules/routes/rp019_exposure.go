package routes

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// This file decides whether an advisory "bites" a package: whether the
// package uses the vulnerable feature in a way that matters. It asks the
// semantic model which entries rely on what, and the project model how
// the middleware gates; it keeps no guard detection of its own.

// bite is why an advisory matters for a package.
type bite struct {
	why     string
	related []rules.Location
	// sure is false when the model could not tell (an entry it could not
	// follow, a framework it has no adapter for): the finding then has
	// medium confidence.
	sure bool
}

// advisoryExposure answers the bite question for one package, computing the
// package's entries once.
type advisoryExposure struct {
	pass    *rules.Pass
	pk      *project.Package
	entries []pkgEntry
	loaded  bool
}

type pkgEntry struct {
	e   *model.Entry
	v   model.Verdict
	own model.Verdict
	fx  model.Effects
}

func (x *advisoryExposure) load() []pkgEntry {
	if x.loaded {
		return x.entries
	}
	x.loaded = true
	if x.pass.Model == nil {
		return nil
	}
	es, err := x.pass.Model.Entries(x.pass.Ctx)
	if err != nil {
		return nil
	}
	for _, e := range es {
		if x.pass.Project.PackageFor(e.File) != x.pk {
			continue
		}
		own, _ := x.pass.Model.OwnGuard(x.pass.Ctx, e)
		x.entries = append(x.entries, pkgEntry{e: e, v: x.pass.Model.Guard(x.pass.Ctx, e), own: own, fx: x.pass.Model.Effects(x.pass.Ctx, e)})
	}
	return x.entries
}

// bites returns why the advisoryExposure kind matters for the package, or nil.
func (x *advisoryExposure) bites(k knowledge.Exposure) *bite {
	switch k {
	case knowledge.ExposeAuthHelpers:
		return x.authHelpers()
	case knowledge.ExposeRouteMatcher:
		return x.routeMatcher()
	case knowledge.ExposeMultiKeyAuthz:
		return x.multiKeyAuthz()
	case knowledge.ExposeMiddlewareSkip:
		return x.middlewareOnly(false)
	case knowledge.ExposePrefetchSkip:
		return x.middlewareOnly(true)
	}
	return nil
}

func entryLoc(e *model.Entry) rules.Location { return rules.Location{Path: e.File, Line: e.Line} }

func entryName(e *model.Entry) string {
	if e.Path != "" {
		return e.Path
	}
	return e.Name
}

// reliesOnMiddleware reports whether a signed-out caller is stopped only by
// the Next.js middleware/proxy before the entry's effects on the server.
func (x *advisoryExposure) reliesOnMiddleware(pe pkgEntry) bool {
	if !reachesData(pe.fx) || pe.v.Authn != model.AuthnYes || !hasVia(pe.v, model.ViaMiddleware) {
		return false
	}
	if pe.own.Authn != model.AuthnNo && pe.own.Authn != model.AuthnPartial {
		return false
	}
	return !x.clientComponent(pe.e)
}

// reachesData reports whether an entry has an effect a caller who got
// past the middleware without an identity would reach: every effect but a
// read selected by the missing identity alone that the library answers
// with no row (Effect.EmptyWithoutIdentity).
func reachesData(fx model.Effects) bool {
	for _, x := range fx.List {
		if !x.EmptyWithoutIdentity() {
			return true
		}
	}
	return false
}

// clientComponent reports whether a page or layout is a Client Component
// ('use client'): its effects run in the browser with the browser's
// credentials, so skipping the middleware serves only its shell.
func (x *advisoryExposure) clientComponent(e *model.Entry) bool {
	if e.Kind != model.Page && e.Kind != model.Layout {
		return false
	}
	f := e.FnFile
	if f == nil || f.Path != e.File {
		f = x.pass.AST(x.pass.Get(e.File))
	}
	return f != nil && f.Directive() == "use client"
}

func hasVia(v model.Verdict, w model.Via) bool {
	for _, x := range v.Via {
		if x == w {
			return true
		}
	}
	return false
}

// middlewareOnly: the middleware is skipped altogether (CVE-2025-29927),
// or for page requests only (pagesOnly, GHSA-26hh-7cqf-hhc6). An entry
// that calls the identity helpers itself fails closed then (they throw
// when the middleware did not run), so only entries that neither check
// nor read the identity are exposed.
func (x *advisoryExposure) middlewareOnly(pagesOnly bool) *bite {
	var hit []pkgEntry
	for _, pe := range x.load() {
		if !x.reliesOnMiddleware(pe) || pe.own.Authn != model.AuthnNo || len(pe.own.Proof) > 0 {
			continue
		}
		if pagesOnly && pe.e.Kind != model.Page && pe.e.Kind != model.Layout {
			continue
		}
		hit = append(hit, pe)
	}
	if len(hit) == 0 {
		return nil
	}
	what := "entries"
	if pagesOnly {
		what = "pages"
	}
	return &bite{sure: true, why: fmt.Sprintf("%s with effects rely on the middleware alone (%s)", what, listEntries(hit)), related: entryLocs(hit)}
}

// routeMatcher: createRouteMatcher() fails to match a crafted path
// (GHSA-vqx2-fgx2-5wq9). It matters where a match is what protects (not
// the allowlist form) and an entry with effects relies on that gate.
func (x *advisoryExposure) routeMatcher() *bite {
	for _, a := range x.pass.Project.Next {
		if a.Root != x.pk.Dir || a.Middleware == nil {
			continue
		}
		mw := a.Middleware
		if len(mw.RouteMatchers) == 0 || !mw.GatesOnMatch() {
			return nil
		}
		var hit []pkgEntry
		for _, pe := range x.load() {
			if x.reliesOnMiddleware(pe) {
				hit = append(hit, pe)
			}
		}
		if len(hit) == 0 {
			return nil
		}
		return &bite{sure: true,
			why:     fmt.Sprintf("%s protects routes when `createRouteMatcher()` matches, and entries with effects rely on that gate alone (%s)", rules.Code(path.Base(mw.File)), listEntries(hit)),
			related: append([]rules.Location{{Path: mw.File, Line: mw.RouteMatchers[0].Line}}, entryLocs(hit)...)}
	}
	// Another framework's middleware (Astro, Nuxt): when the model placed
	// that middleware in front of the package's entries, their verdicts
	// say what relies on the matcher gate alone, as for Next.js; a gate in
	// front of pages without effects exposes nothing (the data behind
	// them is fetched from an API that checks the caller itself).
	f, line := x.matcherGateFile()
	if f == "" {
		return nil
	}
	if hit, evaluated := x.behindMiddleware(f); evaluated {
		if len(hit) == 0 {
			return nil
		}
		return &bite{sure: true,
			why:     fmt.Sprintf("%s protects routes when `createRouteMatcher()` matches, and entries with effects rely on that gate alone (%s)", rules.Code(path.Base(f)), listEntries(hit)),
			related: append([]rules.Location{{Path: f, Line: line}}, entryLocs(hit)...)}
	}
	// A framework the model has no adapter for: the middleware's form is
	// read from its syntax, and what relies on it cannot be told.
	return &bite{why: fmt.Sprintf("%s protects routes when a `createRouteMatcher()` result matches (line %d); whether anything behind it checks the caller itself was not analysed", rules.Code(path.Base(f)), line),
		related: []rules.Location{{Path: f, Line: line}}}
}

// behindMiddleware returns the package's entries that rely on the
// middleware file mw alone; evaluated is false when the model put mw in
// front of none of them (it does not know that framework's middleware).
func (x *advisoryExposure) behindMiddleware(mw string) (hit []pkgEntry, evaluated bool) {
	for _, pe := range x.load() {
		for _, l := range pe.e.Chain {
			if l.File == mw && l.Via == model.ViaMiddleware {
				evaluated = true
			}
		}
		if x.reliesOnMiddleware(pe) {
			hit = append(hit, pe)
		}
	}
	return hit, evaluated
}

// matcherGateFile returns a middleware file of a package without a
// Next.js app that tests a createRouteMatcher() result without negating
// it, and the line of that test.
func (x *advisoryExposure) matcherGateFile() (string, int) {
	for _, a := range x.pass.Project.Next {
		if a.Root == x.pk.Dir {
			return "", 0
		}
	}
	file, line := "", 0
	x.eachFile(isMiddlewarePath, []string{"createRouteMatcher"}, func(p string, f *jsast.File) bool {
		file, line = p, x.positiveMatcherTest(f)
		return line > 0
	})
	if line == 0 {
		return "", 0
	}
	return file, line
}

// positiveMatcherTest returns the line of a call to a createRouteMatcher()
// result that is not negated, or 0. A matcher with a pattern that matches
// every path ('/(.*)') is skipped: no crafted path escapes it.
func (x *advisoryExposure) positiveMatcherTest(f *jsast.File) int {
	names := map[string]bool{}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type == "variable_declarator" {
			if v := jsast.Unwrap(n.ChildByField("value")); v != nil && v.Type == "call_expression" && f.CalleeName(v) == "createRouteMatcher" {
				if id := n.ChildByField("name"); id != nil && id.Type == "identifier" && !x.matchesEveryPath(f, v) {
					names[f.Text(id)] = true
				}
			}
		}
		return true
	})
	line := 0
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if line > 0 {
			return false
		}
		if n.Type == "call_expression" && names[f.CalleeName(n)] {
			p := n.Parent
			for p != nil && (p.Type == "parenthesized_expression" || p.Type == "await_expression") {
				p = p.Parent
			}
			if p == nil || p.Type != "unary_expression" || !strings.HasPrefix(f.Text(p), "!") {
				line = n.Line
			}
		}
		return true
	})
	return line
}

// matchesEveryPath reports whether a createRouteMatcher(...) call has a
// pattern that matches every URL path.
func (x *advisoryExposure) matchesEveryPath(f *jsast.File, call *jsast.Node) bool {
	args := call.ChildByField("arguments")
	if args == nil || len(args.NamedChildren()) == 0 || x.pass.Project == nil {
		return false
	}
	pats, _ := x.pass.Project.CompileRoutePatternsOf(f, args.NamedChildren()[0])
	rm := project.RouteMatcher{Patterns: pats}
	return rm.MatchesEveryPath()
}

// authHelpers: auth()/getAuth()/currentUser() return a wrong identity
// (CVE-2024-22206). It matters where an entry with effects decides on the
// identity: it checks it or scopes its effects by it.
func (x *advisoryExposure) authHelpers() *bite {
	var hit []pkgEntry
	unknown := false
	for _, pe := range x.load() {
		if pe.v.Authn == model.AuthnUnknown || pe.fx.Incomplete {
			unknown = true
		}
		if !pe.fx.TouchesUserData() {
			continue
		}
		if (pe.own.Authn == model.AuthnYes || pe.own.Authn == model.AuthnPartial || len(pe.own.Proof) > 0) && x.readsClerkIdentity(pe) {
			hit = append(hit, pe)
		}
	}
	if len(hit) > 0 {
		return &bite{sure: true, why: fmt.Sprintf("entries with effects decide on the identity these helpers return (%s)", listEntries(hit)), related: entryLocs(hit)}
	}
	if !unknown {
		return nil
	}
	// An entry the model could not follow (a tRPC or GraphQL handler):
	// the identity read in a module that is no entry of its own is what
	// such handlers decide on.
	if loc, name := x.identityOutsideEntries(); loc.Path != "" {
		return &bite{why: fmt.Sprintf("%s reads the identity with `%s()` for handlers the model could not follow", rules.Code(loc.Path), name), related: []rules.Location{loc}}
	}
	return nil
}

// readsClerkIdentity reports whether an entry's own check rests on the
// identity a Clerk helper returns: it reads the verified identity
// (model.FromIdentity), or a wrapper or helper of its own checks the
// caller. A handler whose only check is its own test of a session cookie
// or a token it decodes itself never asks auth()/getAuth(), so the
// helpers' bypass gives it no other identity.
func (x *advisoryExposure) readsClerkIdentity(pe pkgEntry) bool {
	if hasVia(pe.own, model.ViaWrapper) || hasVia(pe.own, model.ViaHelper) {
		return true
	}
	for _, in := range x.pass.Model.Inputs(x.pass.Ctx, pe.e) {
		if in.Source == model.FromIdentity {
			return true
		}
	}
	return false
}

// identityOutsideEntries returns the first import of a Clerk identity
// helper in a file of the package that holds no entry.
func (x *advisoryExposure) identityOutsideEntries() (rules.Location, string) {
	entryFiles := map[string]bool{}
	for _, pe := range x.load() {
		entryFiles[pe.e.File] = true
	}
	var loc rules.Location
	name := ""
	x.eachFile(func(p string) bool { return !entryFiles[p] && source.IsScriptPath(p) }, []string{"@clerk/"}, func(p string, f *jsast.File) bool {
		for _, im := range f.Imports() {
			if im.TypeOnly || !knowledge.IsClerkPackage(im.Source) {
				continue
			}
			if _, ok := knowledge.IdentitySourceOf(im.Source, im.Imported); ok {
				loc, name = rules.Location{Path: p, Line: im.Node.Line}, im.Imported
				return true
			}
		}
		return false
	})
	return loc, name
}

// multiKeyAuthz: has()/auth.protect() with combined keys
// (GHSA-w24r-5266-9c3c). It matters where such a call is made.
func (x *advisoryExposure) multiKeyAuthz() *bite {
	var b *bite
	x.eachFile(source.IsScriptPath, []string{"has(", "protect("}, func(p string, f *jsast.File) bool {
		if line, call := affectedAuthzCall(f); line > 0 {
			b = &bite{sure: true, why: fmt.Sprintf("%s calls %s with a combined check (line %d)", rules.Code(p), rules.Code(call+"()"), line),
				related: []rules.Location{{Path: p, Line: line}}}
		}
		return b != nil
	})
	return b
}

// affectedAuthzCall returns the line and callee of a has()/protect() call
// whose options object has a shape the advisory lets through, or 0.
func affectedAuthzCall(f *jsast.File) (int, string) {
	line, callee := 0, ""
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if line > 0 {
			return false
		}
		if n.Type != "call_expression" {
			return true
		}
		name := f.CalleeName(n)
		last := name[strings.LastIndex(name, ".")+1:]
		if last != "has" && last != "protect" {
			return true
		}
		args := jsast.Args(n)
		if len(args) == 0 {
			return true
		}
		keys := f.ObjectKeys(args[0])
		if knowledge.AffectedAuthzShape(keys) {
			line, callee = n.Line, name
		}
		return true
	})
	return line, callee
}

func listEntries(es []pkgEntry) string {
	var names []string
	for i, pe := range es {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(es)-3))
			break
		}
		names = append(names, rules.Code(entryName(pe.e)))
	}
	return strings.Join(names, ", ")
}

func entryLocs(es []pkgEntry) []rules.Location {
	var out []rules.Location
	for i, pe := range es {
		if i == 5 {
			break
		}
		out = append(out, entryLoc(pe.e))
	}
	return out
}

// eachFile calls fn with the parsed files of the package that keep admits
// and whose content holds one of needles, until fn returns true.
func (x *advisoryExposure) eachFile(keep func(p string) bool, needles []string, fn func(p string, f *jsast.File) bool) {
	for _, p := range x.pass.Paths() {
		if x.pass.Project.PackageFor(p) != x.pk || !keep(p) {
			continue
		}
		sf := x.pass.Get(p)
		if sf == nil {
			continue
		}
		hit := false
		for _, nd := range needles {
			hit = hit || bytes.Contains(sf.Content, []byte(nd))
		}
		if !hit {
			continue
		}
		if f := x.pass.AST(sf); f != nil && fn(p, f) {
			return
		}
	}
}
