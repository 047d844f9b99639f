package project

import (
	"bytes"
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// Middleware is the Next.js middleware or proxy file of an app.
type Middleware struct {
	File string
	Kind string // "middleware" or "proxy"
	// Clerk is set when the file exports clerkMiddleware()/authMiddleware().
	Clerk  bool
	Legacy bool // authMiddleware (Core 1)
	// Matchers are config.matcher entries. nil means the middleware runs
	// on every path.
	Matchers []*Matcher
	// MatcherNonConst is set when config.matcher is not a constant, which
	// Next.js ignores.
	MatcherNonConst bool
	MatcherLine     int

	// Export is how the file exports its handler: "default", "middleware"
	// or "proxy"; "" when it exports nothing Next.js calls.
	Export string
	// ExportLine is the line of that export, or of the Clerk call when the
	// file does not export it under a name Next.js calls.
	ExportLine int
	// ClerkCall is the clerkMiddleware()/authMiddleware() call, CallLine
	// its line (0 when there is none).
	ClerkCall *jsast.Node
	CallLine  int
	// ImportsClerk is set when the file imports clerkMiddleware or
	// authMiddleware, whether or not the model understood the export.
	ImportsClerk bool
	// Opaque is set when the handler could not be evaluated (a wrapper
	// function, a handler imported from another file, a helper given
	// `auth`): protection is then Unknown.
	Opaque bool
	// RouteMatchers are the createRouteMatcher() results of the file.
	RouteMatchers []*RouteMatcher
	// ProtectLines are the lines of the handler's auth.protect() /
	// redirectToSignIn() calls and of the conditions guarding them.
	ProtectLines []int
	// Handler is the function passed to clerkMiddleware(), when any.
	Handler *jsast.Node
	// Options is the options object of the Clerk call (authMiddleware's
	// first argument, clerkMiddleware's last), when literal.
	Options *jsast.Node
	// PublicRoutes and IgnoredRoutes are authMiddleware's options;
	// RoutesNonConst is set when either is not a constant list.
	PublicRoutes, IgnoredRoutes []*PathPattern
	RoutesNonConst              bool
	// AfterAuth is authMiddleware's afterAuth function, when any.
	AfterAuth *jsast.Node
	// AST is the parsed file.
	AST *jsast.File

	protect pred
	// authorize is the condition under which the handler's protect()
	// demands an authorization (a role, permission, plan or feature).
	authorize pred
	patterns  *boundedre.Set
}

// Matcher is one config.matcher entry.
type Matcher struct {
	Source string
	Line   int
	// Pattern is the compiled matcher (Next.js semantics).
	Pattern *PathPattern
	// Conditional is set when the entry has `has`/`missing` conditions,
	// which the model ignores (they usually exclude prefetches only).
	Conditional bool
}

// RouteMatcher is a `const name = createRouteMatcher([...])` of the
// middleware file.
type RouteMatcher struct {
	Name     string
	Line     int
	Patterns []*PathPattern
	// NonConst is set when the argument is not a constant list (a
	// function, a variable): its result is unknown.
	NonConst bool
}

// Eval reports whether the matcher matches urlPath: Unknown when no
// pattern matches and one could not be evaluated (the argument's
// non-constant parts are the caller's business: see NonConst).
func (r *RouteMatcher) Eval(urlPath string) boundedre.Verdict {
	return anyMatch(r.Patterns, urlPath)
}

// MatchesEveryPath reports whether one of the matcher's patterns matches
// every URL path (PathPattern.MatchesEveryPath): the matcher then matches
// whatever the rest of its argument is.
func (r *RouteMatcher) MatchesEveryPath() bool {
	for _, p := range r.Patterns {
		if p.MatchesEveryPath() {
			return true
		}
	}
	return false
}

// Match reports whether the matcher certainly matches urlPath.
func (r *RouteMatcher) Match(urlPath string) bool { return r.Eval(urlPath) == boundedre.Match }

// anyMatch is the three-valued "some pattern matches".
func anyMatch(pats []*PathPattern, urlPath string) boundedre.Verdict {
	v := boundedre.NoMatch
	for _, p := range pats {
		switch p.Eval(urlPath) {
		case boundedre.Match:
			return boundedre.Match
		case boundedre.Unknown:
			v = boundedre.Unknown
		}
	}
	return v
}

// RunsOn reports whether Next.js runs the middleware for urlPath: Unknown
// when no matcher entry matches and one could not be evaluated.
func (mw *Middleware) RunsOn(urlPath string) boundedre.Verdict {
	if mw == nil {
		return boundedre.NoMatch
	}
	if mw.Matchers == nil {
		return boundedre.Match
	}
	v := boundedre.NoMatch
	for _, m := range mw.Matchers {
		switch m.Pattern.Eval(urlPath) {
		case boundedre.Match:
			return boundedre.Match
		case boundedre.Unknown:
			v = boundedre.Unknown
		}
	}
	return v
}

// Runs reports whether Next.js certainly runs the middleware for urlPath.
// Use RunsOn where "does not run" would lead to a finding.
func (mw *Middleware) Runs(urlPath string) bool { return mw.RunsOn(urlPath) == boundedre.Match }

// MatcherLines returns the lines of config.matcher and of each entry, for
// Diagnostic.Related.
func (mw *Middleware) MatcherLines() []int {
	if mw == nil || mw.MatcherLine == 0 {
		return nil
	}
	out := []int{mw.MatcherLine}
	for _, m := range mw.Matchers {
		if m.Line != mw.MatcherLine {
			out = append(out, m.Line)
		}
	}
	return out
}

// HandlerLines returns the lines that decide what the handler protects:
// route matcher patterns and protect calls, for Diagnostic.Related.
func (mw *Middleware) HandlerLines() []int {
	if mw == nil {
		return nil
	}
	var out []int
	seen := map[int]bool{}
	add := func(l int) {
		if l > 0 && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	add(mw.CallLine)
	for _, rm := range mw.RouteMatchers {
		add(rm.Line)
		for _, p := range rm.Patterns {
			add(p.Line)
		}
	}
	for _, p := range mw.PublicRoutes {
		add(p.Line)
	}
	for _, p := range mw.IgnoredRoutes {
		add(p.Line)
	}
	for _, l := range mw.ProtectLines {
		add(l)
	}
	return out
}

// ListKind is what a createRouteMatcher() list means in the handler.
type ListKind int

// List kinds.
const (
	// ListUnknown: the handler does not decide protection with the list
	// in one direction only (unused, used both ways, or not evaluated).
	ListUnknown ListKind = iota
	// ProtectList: the handler protects the paths the list matches
	// (`if (isProtectedRoute(req)) await auth.protect()`): deny by
	// exception, so every path left out of the list is public.
	ProtectList
	// PublicList: the handler protects the paths the list does not
	// match (`if (!isPublicRoute(req)) await auth.protect()`): allow by
	// exception, so a new route is protected unless listed.
	PublicList
)

// ListOf says how the handler uses route matcher rm to stop signed-out
// requests: the polarity of rm in the handler's protect condition.
func (mw *Middleware) ListOf(rm *RouteMatcher) ListKind {
	if mw == nil || mw.Opaque || rm == nil {
		return ListUnknown
	}
	pos, neg := polarities(mw.protect, rm, true)
	switch {
	case pos && !neg:
		return ProtectList
	case neg && !pos:
		return PublicList
	}
	return ListUnknown
}

// polarities reports whether p tests rm unnegated and negated, under
// the polarity pos.
func polarities(p pred, rm *RouteMatcher, pos bool) (bool, bool) {
	switch p := p.(type) {
	case predMatcher:
		if p.m != rm {
			return false, false
		}
		return pos, !pos
	case predNot:
		return polarities(p.p, rm, !pos)
	case predAnd:
		a1, b1 := polarities(p.a, rm, pos)
		a2, b2 := polarities(p.b, rm, pos)
		return a1 || a2, b1 || b2
	case predOr:
		a1, b1 := polarities(p.a, rm, pos)
		a2, b2 := polarities(p.b, rm, pos)
		return a1 || a2, b1 || b2
	}
	return false, false
}

// RouteMatcherNamed returns the route matcher bound to name, or nil.
func (mw *Middleware) RouteMatcherNamed(name string) *RouteMatcher {
	for _, rm := range mw.RouteMatchers {
		if rm.Name == name {
			return rm
		}
	}
	return nil
}

// IsPublic reports whether authMiddleware certainly treats urlPath as
// public or ignored.
func (mw *Middleware) IsPublic(urlPath string) bool {
	return mw.publicVerdict(urlPath) == boundedre.Match
}

func (mw *Middleware) publicVerdict(urlPath string) boundedre.Verdict {
	v := anyMatch(mw.PublicRoutes, urlPath)
	if v == boundedre.Match {
		return v
	}
	switch anyMatch(mw.IgnoredRoutes, urlPath) {
	case boundedre.Match:
		return boundedre.Match
	case boundedre.Unknown:
		return boundedre.Unknown
	}
	return v
}

// Authorizes reports whether every request to urlPath the handler lets
// through passed a protect() that demands an authorization:
// `if (isAdminRoute(req)) await auth.protect({ role: 'org:admin' })`
// (https://clerk.com/docs/reference/nextjs/clerk-middleware#protect-routes-based-on-authorization-status).
func (mw *Middleware) Authorizes(urlPath string) bool {
	return !mw.Opaque && mw.authorize != nil && mw.authorize.eval(urlPath) == triTrue
}

func (mw *Middleware) protects(urlPath string) tri {
	if mw.protect == nil {
		return triFalse
	}
	return mw.protect.eval(urlPath)
}

// GatesOnMatch reports whether the handler protects some path because a
// createRouteMatcher() result matches it (`if (isProtectedRoute(req))
// protect()`), as opposed to only because a matcher does not match it
// (`if (!isPublicRoute(req)) protect()`). In the first form a matcher that
// fails to match a crafted path opens the path; in the second it fails
// closed. A matcher that matches every path ('/(.*)') cannot fail to match,
// so a gate on it alone does not count.
func (mw *Middleware) GatesOnMatch() bool { return matcherIn(mw.protect, true) }

// matcherIn reports whether p tests a route matcher under the polarity
// pos (true: not negated).
func matcherIn(p pred, pos bool) bool {
	switch p := p.(type) {
	case predMatcher:
		return pos && !p.m.MatchesEveryPath()
	case predNot:
		return matcherIn(p.p, !pos)
	case predAnd:
		return matcherIn(p.a, pos) || matcherIn(p.b, pos)
	case predOr:
		return matcherIn(p.a, pos) || matcherIn(p.b, pos)
	}
	return false
}

// parseMiddleware reads the middleware/proxy file Next.js runs.
func (a *NextApp) parseMiddleware(ctx context.Context, m *Model, fs Files) error {
	var used *MiddlewareFile
	for _, mf := range a.MiddlewareFiles {
		if mf.Used {
			used = mf
		}
	}
	if used == nil {
		return nil
	}
	mw := &Middleware{File: used.File, Kind: used.Kind, patterns: m.patterns}
	a.Middleware = mw
	sf, err := fs.Get(ctx, used.File)
	if err != nil {
		mw.Opaque = true
		return nil //nolint:nilerr // an unreadable file is modelled as opaque, not an engine failure
	}
	f, err := parse(ctx, fs, sf)
	if err != nil {
		mw.Opaque = true
		return nil //nolint:nilerr // unparsable file: opaque
	}
	mw.AST = f
	mw.analyze(f, m.NextEra(used.File))
	if !mw.Clerk && !mw.Opaque && looksLikeAuth(sf.Content) {
		mw.Opaque = true
	}
	return nil
}

// looksLikeAuth reports whether a non-Clerk middleware might do its own
// authentication, so the model does not claim it protects nothing.
func looksLikeAuth(src []byte) bool {
	low := bytes.ToLower(src)
	for _, k := range []string{"auth", "session", "token", "jwt", "401", "sign-in", "signin", "login", "cookies"} {
		if bytes.Contains(low, []byte(k)) {
			return true
		}
	}
	return false
}

// clerkMiddlewareNames are the Clerk exports a Next.js middleware file
// runs as its handler (knowledge.MiddlewareOf gives their gates):
// clerkMiddleware (Core 2+), authMiddleware and withClerkMiddleware
// (Core 1; withClerkMiddleware only attaches the auth state, like a
// clerkMiddleware(handler) whose handler protects nothing).
var clerkMiddlewareNames = map[string]bool{"clerkMiddleware": true, "authMiddleware": true, "withClerkMiddleware": true}

func (mw *Middleware) analyze(f *jsast.File, era Era) {
	for _, im := range f.Imports() {
		if jsast.IsClerkModule(im.Source) && clerkMiddlewareNames[im.Imported] {
			mw.ImportsClerk = true
		}
	}
	mw.collectRouteMatchers(f)
	var handlerExport *jsast.Export
	for _, ex := range f.Exports() {
		ex := ex
		switch ex.Name {
		case "config":
			mw.parseConfig(f, ex.Value)
		case "default", "middleware", "proxy":
			if ex.Name != "default" && ex.Name != mw.Kind {
				continue
			}
			if handlerExport == nil || ex.Name == "default" {
				handlerExport = &ex
			}
		}
	}
	// The Clerk call, wherever it is.
	var call *jsast.Node
	if handlerExport != nil {
		mw.Export = handlerExport.Name
		mw.ExportLine = handlerExport.Stmt.Line
		if v := jsast.Unwrap(handlerExport.Value); v != nil && v.Type == "call_expression" && clerkMiddlewareNames[f.ResolveClerk(f.CalleeName(v))] {
			call = v
		}
	}
	if call == nil {
		for _, c := range f.Calls(f.Root, func(n string) bool { return clerkMiddlewareNames[f.ResolveClerk(n)] }) {
			call = c
			break
		}
		if call != nil {
			mw.CallLine = call.Line
			if handlerExport == nil {
				mw.ExportLine = call.Line
			}
			// Clerk is used, but not as the exported handler itself: a
			// wrapper or a wrong export name.
			mw.Clerk = true
			mw.ClerkCall = call
			mw.Legacy = f.ResolveClerk(f.CalleeName(call)) == "authMiddleware"
			mw.Opaque = handlerExport == nil || !mw.wrappedProtectsNothing(f, era, handlerExport)
			return
		}
		if mw.ImportsClerk {
			mw.Clerk, mw.Opaque = true, true
		}
		if handlerExport == nil {
			return
		}
		if !mw.Clerk {
			return
		}
		return
	}
	mw.analyzeCall(f, era, call)
}

// analyzeCall evaluates a clerkMiddleware()/authMiddleware() call.
func (mw *Middleware) analyzeCall(f *jsast.File, era Era, call *jsast.Node) {
	mw.Clerk = true
	mw.ClerkCall = call
	mw.CallLine = call.Line
	args := jsast.Args(call)
	if f.ResolveClerk(f.CalleeName(call)) == "authMiddleware" {
		mw.Legacy = true
		mw.analyzeAuthMiddleware(f, args)
		return
	}
	// clerkMiddleware(), clerkMiddleware(options), clerkMiddleware(handler[, options]).
	if len(args) == 0 {
		return
	}
	h := jsast.Unwrap(args[0])
	switch {
	case h.Type == "object":
		mw.Options = h
		return
	case h.Type == "identifier":
		if lv := f.LocalValue(f.Text(h)); lv != nil && jsast.IsFunction(jsast.Unwrap(lv)) {
			h = jsast.Unwrap(lv)
		}
	}
	if len(args) > 1 {
		if o := jsast.Unwrap(args[len(args)-1]); o.Type == "object" {
			mw.Options = o
		}
	}
	if !jsast.IsFunction(h) {
		mw.Opaque = true
		return
	}
	mw.Handler = h
	an := &handlerAnalysis{f: f, mw: mw, era: era}
	an.params(h)
	mw.protect = an.function(h)
	if an.opaque {
		mw.Opaque = true
	}
	lines := mw.ProtectLines
	az := &handlerAnalysis{f: f, mw: mw, era: era, authz: true}
	az.params(h)
	mw.authorize = az.function(h)
	mw.ProtectLines = lines
}

// wrappedProtectsNothing reports whether an exported middleware that
// wraps Clerk's calls certainly protects no route: every Clerk call in the
// file is clerkMiddleware() without a handler (or with one that protects
// nothing), or authMiddleware() with an afterAuth that protects nothing,
// which replaces authMiddleware's own redirect of signed-out requests
// (Core 1: "if you define afterAuth, you must handle signed-out users";
// clerk/clerk-docs docs/references/nextjs/auth-middleware.mdx at
// 48357e779^), and the wrapper itself sends nobody to sign-in or answers
// 401/403.
func (mw *Middleware) wrappedProtectsNothing(f *jsast.File, era Era, ex *jsast.Export) bool {
	t := strings.ToLower(f.Text(ex.Stmt))
	for _, k := range []string{"redirecttosignin", "sign-in", "signin", "login", "401", "403", "protect("} {
		if strings.Contains(t, k) {
			return false
		}
	}
	calls := f.Calls(f.Root, func(n string) bool { return clerkMiddlewareNames[f.ResolveClerk(n)] })
	if len(calls) == 0 {
		return false
	}
	for _, c := range calls {
		args := jsast.Args(c)
		scratch := &Middleware{patterns: mw.patterns, RouteMatchers: mw.RouteMatchers}
		switch f.ResolveClerk(f.CalleeName(c)) {
		case "clerkMiddleware":
			if len(args) == 0 {
				continue
			}
			h := jsast.Unwrap(args[0])
			if h != nil && h.Type == "object" {
				continue
			}
			if !jsast.IsFunction(h) {
				return false
			}
			an := &handlerAnalysis{f: f, mw: scratch, era: era}
			an.params(h)
			if p := an.function(h); an.opaque || !isConst(p, triFalse) {
				return false
			}
		case "authMiddleware":
			if len(args) == 0 {
				return false
			}
			opts := jsast.Unwrap(args[0])
			if opts == nil || opts.Type != "object" {
				return false
			}
			aa := jsast.Unwrap(f.ObjectProp(opts, "afterAuth"))
			if aa == nil || !(jsast.IsFunction(aa) || aa.Type == "method_definition") {
				return false // the default: protects every non-public route
			}
			an := &handlerAnalysis{f: f, mw: scratch, legacy: true}
			an.params(aa)
			if p := an.function(aa); an.opaque || !isConst(p, triFalse) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// collectRouteMatchers finds top-level `const x = createRouteMatcher(...)`.
func (mw *Middleware) collectRouteMatchers(f *jsast.File) {
	for _, st := range f.Root.Children {
		decl := st
		if st.Type == "export_statement" {
			if d := st.ChildByField("declaration"); d != nil {
				decl = d
			}
		}
		if decl.Type != "lexical_declaration" && decl.Type != "variable_declaration" {
			continue
		}
		for _, d := range decl.NamedChildren() {
			if d.Type != "variable_declarator" {
				continue
			}
			v := jsast.Unwrap(d.ChildByField("value"))
			if v == nil || v.Type != "call_expression" || f.ResolveClerk(f.CalleeName(v)) != "createRouteMatcher" {
				continue
			}
			rm := &RouteMatcher{Name: f.Text(d.ChildByField("name")), Line: d.Line}
			args := jsast.Args(v)
			if len(args) == 0 {
				mw.RouteMatchers = append(mw.RouteMatchers, rm)
				continue
			}
			rm.Patterns, rm.NonConst = compileRouteList(mw.patterns, f, args[0])
			mw.RouteMatchers = append(mw.RouteMatchers, rm)
		}
	}
}

// compileRouteList compiles a createRouteMatcher/publicRoutes argument:
// a string, a RegExp literal, or an array of them (a local constant is
// followed). nonConst is set when any part is not constant.
func compileRouteList(set *boundedre.Set, f *jsast.File, n *jsast.Node) (pats []*PathPattern, nonConst bool) {
	n = jsast.Unwrap(n)
	if n != nil && n.Type == "identifier" {
		if lv := f.LocalValue(f.Text(n)); lv != nil {
			n = jsast.Unwrap(lv)
		}
	}
	if n == nil {
		return nil, true
	}
	items := []*jsast.Node{n}
	if n.Type == "array" {
		items = n.NamedChildren()
	}
	for _, it := range items {
		it = jsast.Unwrap(it)
		if v, ok := f.StringValue(it); ok {
			pats = append(pats, CompileRoutePattern(set, f.Path, v, it.Line))
			continue
		}
		if it.Type == "regex" {
			pats = append(pats, CompileRegExpLiteral(set, f.Path, f.Text(it), it.Line))
			continue
		}
		if it.Type == "spread_element" {
			if inner := it.NamedChildren(); len(inner) == 1 {
				sub, nc := compileRouteList(set, f, inner[0])
				pats = append(pats, sub...)
				nonConst = nonConst || nc
				continue
			}
		}
		nonConst = true
	}
	return pats, nonConst
}

// parseConfig reads `export const config = { matcher }`.
func (mw *Middleware) parseConfig(f *jsast.File, v *jsast.Node) {
	obj := jsast.Unwrap(v)
	if obj == nil || obj.Type != "object" {
		if obj != nil {
			mw.MatcherNonConst = true
			mw.MatcherLine = obj.Line
		}
		return
	}
	mv := f.ObjectProp(obj, "matcher")
	if mv == nil {
		return
	}
	mw.MatcherLine = mv.Line
	if pair := mv.Parent; pair != nil && pair.Type == "pair" {
		mw.MatcherLine = pair.Line
	}
	u := jsast.Unwrap(mv)
	items := []*jsast.Node{u}
	if u.Type == "array" {
		items = u.NamedChildren()
	}
	out := []*Matcher{}
	for _, it := range items {
		it = jsast.Unwrap(it)
		if s, ok := f.StringValue(it); ok {
			out = append(out, &Matcher{Source: s, Line: it.Line, Pattern: CompileNextMatcher(mw.patterns, f.Path, s, it.Line)})
			continue
		}
		if it.Type == "object" {
			src := f.ObjectProp(it, "source")
			s, ok := f.StringValue(src)
			if !ok {
				mw.MatcherNonConst = true
				mw.Matchers = nil
				return
			}
			cond := f.ObjectProp(it, "has") != nil || f.ObjectProp(it, "missing") != nil
			out = append(out, &Matcher{Source: s, Line: src.Line, Pattern: CompileNextMatcher(mw.patterns, f.Path, s, src.Line), Conditional: cond})
			continue
		}
		// A variable, a call, a spread, a template with substitutions:
		// Next.js ignores the whole matcher.
		mw.MatcherNonConst = true
		mw.Matchers = nil
		return
	}
	mw.Matchers = out
}

func (mw *Middleware) analyzeAuthMiddleware(f *jsast.File, args []*jsast.Node) {
	if len(args) == 0 {
		// authMiddleware() without options protects every route it runs on.
		mw.protect = predNot{predPublic{mw}}
		return
	}
	opts := jsast.Unwrap(args[0])
	if opts.Type == "identifier" {
		if lv := f.LocalValue(f.Text(opts)); lv != nil {
			opts = jsast.Unwrap(lv)
		}
	}
	if opts.Type != "object" {
		mw.Opaque = true
		return
	}
	mw.Options = opts
	for _, key := range []string{"publicRoutes", "ignoredRoutes"} {
		v := f.ObjectProp(opts, key)
		if v == nil {
			continue
		}
		pats, nc := compileRouteList(mw.patterns, f, v)
		if nc {
			mw.RoutesNonConst = true
		}
		if key == "publicRoutes" {
			mw.PublicRoutes = pats
		} else {
			mw.IgnoredRoutes = pats
		}
	}
	// authMiddleware protects every route that is not public or ignored,
	// unless a custom afterAuth replaces that default.
	isPublic := predPublic{mw}
	mw.protect = predNot{isPublic}
	if mw.RoutesNonConst {
		mw.protect = predConst{triUnknown}
	}
	if aa := f.ObjectProp(opts, "afterAuth"); aa != nil {
		fn := jsast.Unwrap(aa)
		if fn.Type == "identifier" {
			if lv := f.LocalValue(f.Text(fn)); lv != nil {
				fn = jsast.Unwrap(lv)
			}
		}
		if fn.Type == "method_definition" || jsast.IsFunction(fn) {
			mw.AfterAuth = fn
			an := &handlerAnalysis{f: f, mw: mw, legacy: true}
			an.params(fn)
			mw.protect = an.function(fn)
			if an.opaque {
				mw.Opaque = true
			}
		} else {
			mw.Opaque = true
		}
	}
}

// CompileRoutePatternsOf compiles a createRouteMatcher / publicRoutes
// argument (a string, a RegExp literal, or an array of them; a local
// constant is followed) into the model's pattern set. nonConst is set when
// any part is not constant.
func (m *Model) CompileRoutePatternsOf(f *jsast.File, n *jsast.Node) (pats []*PathPattern, nonConst bool) {
	return compileRouteList(m.patterns, f, n)
}

// ClerkMiddlewareCall evaluates a clerkMiddleware() call of another
// framework's middleware file (Astro's `export const onRequest =
// clerkMiddleware(handler)`), whose handler has the Next.js shape
// ((auth, context) with createRouteMatcher results and
// auth().redirectToSignIn()): Protects then says, per URL path, whether
// a signed-out request is stopped. The file's own route matchers are
// collected; config.matcher does not apply.
func (m *Model) ClerkMiddlewareCall(f *jsast.File, call *jsast.Node) *Middleware {
	mw := &Middleware{File: f.Path, patterns: m.patterns, AST: f, ImportsClerk: true}
	mw.collectRouteMatchers(f)
	mw.analyzeCall(f, EraV5, call) // a sync auth(), as in @clerk/astro
	return mw
}

// ContextMiddlewareFunc evaluates an application's own middleware
// function of another framework (Astro's `defineMiddleware((context,
// next) => ...)` after clerkMiddleware() in sequence()) per URL path, as
// ClerkMiddlewareCall does a clerkMiddleware() handler: an exit that
// denies (a redirect, a 401) under a condition on the identity
// (`!userId`, from context.locals.auth()) and on the path
// (`context.url.pathname.startsWith('/admin')`, a createRouteMatcher
// result) protects the paths the condition holds for. It has no auth
// parameter; Protects answers Unknown where the walk cannot tell.
func (m *Model) ContextMiddlewareFunc(f *jsast.File, fn *jsast.Node) *Middleware {
	mw := &Middleware{File: f.Path, patterns: m.patterns, AST: f, ImportsClerk: true}
	mw.collectRouteMatchers(f)
	an := &handlerAnalysis{f: f, mw: mw, era: EraV5}
	mw.protect = an.function(fn)
	if an.opaque {
		mw.Opaque = true
	}
	return mw
}

// Protects says whether the middleware's handler stops a signed-out
// request to urlPath (Protected, Unprotected, or Unknown when it could
// not be evaluated), whatever its matcher.
func (mw *Middleware) Protects(urlPath string) Protection {
	if mw.Opaque {
		return Unknown
	}
	switch mw.protects(urlPath) {
	case triTrue:
		return Protected
	case triFalse:
		return Unprotected
	}
	return Unknown
}
