package routes

import (
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// This file decides whether a request handler checks authentication
// itself, accepting the guard shapes of @clerk/eslint-plugin's
// require-auth-protection and a few more:
//
//	await auth.protect()                      (also auth().protect() on v5)
//	const { userId } = await auth(); if (!userId) return|throw|redirect()|notFound()
//	const { isAuthenticated } = getAuth(req); if (!isAuthenticated) return ...
//	const user = await currentUser(); if (!user) redirect('/sign-in')
//	if (req.headers.get('authorization') !== `Bearer ${process.env.CRON_SECRET}`) return ...
//	await requireUser()                       (a helper, local or imported, that does one of these)
//	export const GET = withAuth(async () => ...) (a wrapper whose returned function does)
//
// The guard must be a statement of the function body itself (or of a
// try block at its top), not nested in another condition.

// exitCalls end a request when called as a statement (Next.js throws
// from them).
var exitCalls = map[string]bool{"redirect": true, "permanentRedirect": true, "notFound": true,
	"unauthorized": true, "forbidden": true, "redirectToSignIn": true}

type bindKind int

const (
	bindField   bindKind = iota + 1 // userId, isAuthenticated, ...
	bindAuthObj                     // the Auth object itself: always truthy
	bindUser                        // currentUser(): null when signed out
	bindHas                         // has(): false when signed out
	bindClaims                      // another field of the Auth object (sessionClaims, orgRole): null when signed out
)

type guardCheck struct {
	pass *rules.Pass
	// follow is false inside a helper, so helpers are followed one level.
	follow bool
}

func newGuardCheck(pass *rules.Pass) *guardCheck { return &guardCheck{pass: pass, follow: true} }

// guarded reports whether fn checks authentication before its work; via
// names the helper or wrapper that does, when any.
func (g *guardCheck) guarded(f *jsast.File, fn *jsast.Node) (ok bool, via string) {
	if fn == nil {
		return false, ""
	}
	body := fn.ChildByField("body")
	if body == nil {
		return false, ""
	}
	if body.Type != "statement_block" {
		// `async () => auth.protect()` or a helper call as the body.
		if g.isProtectCall(f, body) {
			return true, ""
		}
		return g.helperGuards(f, body)
	}
	bound := map[string]bindKind{}
	for _, st := range topStatements(body) {
		switch st.Type {
		case "expression_statement", "return_statement":
			e := firstNamed(st)
			if e == nil {
				continue
			}
			if g.isProtectCall(f, e) {
				return true, ""
			}
			if ok, via := g.helperGuards(f, e); ok {
				return true, via
			}
		case "lexical_declaration", "variable_declaration":
			for _, d := range st.NamedChildren() {
				if d.Type != "variable_declarator" {
					continue
				}
				v := d.ChildByField("value")
				if g.isProtectCall(f, v) {
					return true, ""
				}
				if ok, via := g.helperGuards(f, v); ok {
					return true, via
				}
				g.bind(f, d.ChildByField("name"), v, bound)
			}
		case "if_statement":
			test := st.ChildByField("condition")
			if !consequentExits(f, st.ChildByField("consequence")) {
				continue
			}
			if g.checksAuth(f, test, bound) || checksSharedSecret(f, test) {
				return true, ""
			}
		}
	}
	return false, ""
}

// topStatements returns a block's statements, descending into a try
// block at the top.
func topStatements(block *jsast.Node) []*jsast.Node {
	var out []*jsast.Node
	for _, st := range block.NamedChildren() {
		if st.Type == "try_statement" {
			if b := st.ChildByField("body"); b != nil {
				out = append(out, b.NamedChildren()...)
			}
			continue
		}
		out = append(out, st)
	}
	return out
}

func firstNamed(n *jsast.Node) *jsast.Node {
	for _, c := range n.NamedChildren() {
		return c
	}
	return nil
}

// rootName is the first identifier of a dotted callee name.
func rootName(name string) string {
	if i := strings.IndexAny(name, ".("); i >= 0 {
		return name[:i]
	}
	return name
}

// clerkExport returns the Clerk export a callee's root refers to.
func clerkExport(f *jsast.File, callee string) string {
	return f.ResolveClerk(rootName(callee))
}

// isProtectCall recognises auth.protect(), auth().protect() and
// (await auth()).protect(), awaited or not (RP-006 reports the latter).
func (g *guardCheck) isProtectCall(f *jsast.File, e *jsast.Node) bool {
	e = jsast.Unwrap(e)
	if e == nil || e.Type != "call_expression" {
		return false
	}
	name := f.CalleeName(e)
	return jsast.LastSegment(name) == "protect" && name != "protect" && clerkExport(f, name) == "auth"
}

var (
	// credentialLookup matches a call given the request's credentials.
	credentialLookup = regexp.MustCompile(`\breq(uest)?\.cookies\b|\bcookies\(\)\.get\(|[hH]eaders?\.(get\(\s*['"])?[aA]uthorization`)
	authishName      = regexp.MustCompile(`(?i)auth|session`)
	userishName      = regexp.MustCompile(`(?i)user|viewer|account|member`)
)

// bind records the names a declaration binds from an auth source.
func (g *guardCheck) bind(f *jsast.File, name, value *jsast.Node, bound map[string]bindKind) {
	v := jsast.Unwrap(value)
	if name == nil || v == nil {
		return
	}
	kind := bindKind(0)
	switch v.Type {
	case "call_expression":
		callee := f.CalleeName(v)
		switch clerkExport(f, callee) {
		case "auth", "getAuth":
			kind = bindAuthObj
		case "currentUser":
			kind = bindUser
		default:
			// A repository helper (getSession(), getCurrentUser()):
			// assume it returns null when signed out.
			if last := jsast.LastSegment(callee); authishName.MatchString(last) || userishName.MatchString(last) {
				kind = bindUser
			} else if credentialLookup.MatchString(f.Text(v)) {
				// The app's own session: a record looked up by the request's
				// cookie or Authorization header (null when there is none).
				kind = bindUser
			} else if g.predicateGuards(f, v) {
				// const isAdmin = await checkRole('admin')
				kind = bindUser
			}
		}
	case "member_expression":
		if jsast.LastSegment(f.Name(v)) == "auth" {
			kind = bindAuthObj // req.auth (Core 1 withAuth, Express)
		}
	}
	if kind == 0 {
		return
	}
	switch name.Type {
	case "identifier":
		bound[f.Text(name)] = kind
	case "object_pattern":
		for _, p := range name.NamedChildren() {
			key, local := "", ""
			switch p.Type {
			case "shorthand_property_identifier_pattern":
				key, local = f.Text(p), f.Text(p)
			case "pair_pattern":
				key, local = f.Text(p.ChildByField("key")), f.Text(p.ChildByField("value"))
			case "object_assignment_pattern":
				l := p.ChildByField("left")
				key, local = f.Text(l), f.Text(l)
			}
			switch {
			case key == "has":
				bound[local] = bindHas
			case authFieldNames[key]:
				bound[local] = bindField
			case kind == bindUser && (key == "id" || key == "user"):
				bound[local] = bindField
			case kind == bindAuthObj && key != "" && key != "getToken" && key != "redirectToSignIn":
				bound[local] = bindClaims
			}
		}
	}
}

var authFieldNames = map[string]bool{"userId": true, "sessionId": true, "isAuthenticated": true, "isSignedIn": true,
	"orgId": true, "user": true, "session": true}

// checksAuth recognises a condition that is true for a signed-out user.
func (g *guardCheck) checksAuth(f *jsast.File, test *jsast.Node, bound map[string]bindKind) bool {
	t := jsast.Unwrap(test)
	if t == nil {
		return false
	}
	switch t.Type {
	case "binary_expression":
		op := f.Text(t.ChildByField("operator"))
		l, r := t.ChildByField("left"), t.ChildByField("right")
		switch op {
		case "||":
			return g.checksAuth(f, l, bound) || g.checksAuth(f, r, bound)
		case "===", "==", "!==", "!=":
			x, other := l, r
			if !g.isIdentity(f, x, bound) {
				x, other = r, l
			}
			if !g.isIdentity(f, x, bound) && (op == "!==" || op == "!=") {
				// sessionClaims?.metadata.role !== 'admin': undefined for a
				// signed-out caller, so the branch exits.
				y, lit := l, jsast.Unwrap(r)
				if !g.authDerived(f, y, bound) {
					y, lit = r, jsast.Unwrap(l)
				}
				if g.authDerived(f, y, bound) && lit != nil && (lit.Type == "string" || lit.Type == "number" || lit.Type == "true" || lit.Type == "template_string") {
					return true
				}
			}
			if !g.isIdentity(f, x, bound) {
				// typeof userId !== 'string'
				if u := jsast.Unwrap(l); u != nil && u.Type == "unary_expression" && strings.HasPrefix(f.Text(u), "typeof") {
					return (op == "!==" || op == "!=") && g.isIdentity(f, u.ChildByField("argument"), bound)
				}
				return false
			}
			ov := jsast.Unwrap(other)
			if ov == nil {
				return false
			}
			nullish := ov.Type == "null" || ov.Type == "undefined" || ov.Type == "false" || f.Text(ov) == "undefined"
			return nullish == (op == "===" || op == "==")
		}
	case "unary_expression":
		if op := t.ChildByField("operator"); op == nil || f.Text(op) != "!" {
			return false
		}
		arg := jsast.Unwrap(t.ChildByField("argument"))
		if arg != nil && arg.Type == "call_expression" {
			// !has({ role }) / !(await currentUser()) / !(await isSignedIn())
			name := f.CalleeName(arg)
			if bound[name] == bindHas || (jsast.LastSegment(name) == "has" && name != "has") || clerkExport(f, name) == "currentUser" {
				return true
			}
			// !(await checkRole('admin')): a helper that answers from auth().
			if g.predicateGuards(f, arg) {
				return true
			}
		}
		return g.isIdentity(f, arg, bound)
	}
	return false
}

// isIdentity reports whether n is a signed-out-falsy identity value:
// userId, isAuthenticated, a currentUser() result, auth.userId,
// user?.id, (await auth()).userId.
func (g *guardCheck) isIdentity(f *jsast.File, n *jsast.Node, bound map[string]bindKind) bool {
	n = jsast.Unwrap(n)
	if n == nil {
		return false
	}
	switch n.Type {
	case "identifier":
		k := bound[f.Text(n)]
		return k == bindField || k == bindUser
	case "member_expression":
		prop := f.Text(n.ChildByField("property"))
		obj := jsast.Unwrap(n.ChildByField("object"))
		if obj == nil {
			return false
		}
		switch obj.Type {
		case "identifier":
			k := bound[f.Text(obj)]
			return (k == bindAuthObj && authFieldNames[prop]) || (k == bindUser && (prop == "id" || authFieldNames[prop]))
		case "member_expression":
			return jsast.LastSegment(f.Name(obj)) == "auth" && authFieldNames[prop]
		case "call_expression":
			switch clerkExport(f, f.CalleeName(obj)) {
			case "auth", "getAuth":
				return authFieldNames[prop]
			case "currentUser":
				return prop == "id"
			}
		}
	}
	return false
}

var secretish = regexp.MustCompile(`process\.env|SECRET|API_KEY|TOKEN`)

// checksSharedSecret recognises a request check against a configured
// secret (cron jobs, API keys).
func checksSharedSecret(f *jsast.File, test *jsast.Node) bool {
	t := f.Text(test)
	return secretish.MatchString(t) && (strings.Contains(t, "header") || strings.Contains(t, "authorization") ||
		strings.Contains(t, "Authorization") || strings.Contains(t, "secret") || strings.Contains(t, "SECRET") || strings.Contains(t, "key"))
}

func statementExits(f *jsast.File, st *jsast.Node) bool {
	switch st.Type {
	case "return_statement", "throw_statement":
		return true
	case "expression_statement":
		e := jsast.Unwrap(firstNamed(st))
		if e != nil && e.Type == "call_expression" {
			name := f.CalleeName(e)
			return exitCalls[name] || jsast.LastSegment(name) == "redirectToSignIn"
		}
	}
	return false
}

func consequentExits(f *jsast.File, c *jsast.Node) bool {
	if c == nil {
		return false
	}
	if c.Type == "statement_block" {
		for _, st := range c.NamedChildren() {
			if statementExits(f, st) {
				return true
			}
		}
		return false
	}
	return statementExits(f, c)
}

// helperGuards follows a call to a local or imported helper one level
// and reports whether the helper guards.
func (g *guardCheck) helperGuards(f *jsast.File, e *jsast.Node) (bool, string) {
	if !g.follow {
		return false, ""
	}
	e = jsast.Unwrap(e)
	if e == nil || e.Type != "call_expression" {
		return false, ""
	}
	name := f.CalleeName(e)
	if name == "" || strings.Contains(name, ".") || strings.Contains(name, "(") {
		return false, ""
	}
	hf, fn := g.resolveFunction(f, name)
	if fn == nil {
		return false, ""
	}
	inner := &guardCheck{pass: g.pass, follow: false}
	if ok, _ := inner.guarded(hf, fn); ok {
		return true, name
	}
	return false, ""
}

// wrapperGuards reports whether a wrapper call such as withAuth(handler)
// guards: the wrapper itself, or the function it returns, checks auth.
// Clerk's Core 1 requireAuth() does.
func (g *guardCheck) wrapperGuards(f *jsast.File, call *jsast.Node) (bool, string) {
	call = jsast.Unwrap(call)
	if call == nil || call.Type != "call_expression" {
		return false, ""
	}
	name := f.CalleeName(call)
	if clerkExport(f, name) == "requireAuth" {
		return true, name
	}
	hf, fn := g.resolveFunction(f, name)
	if fn == nil {
		return false, ""
	}
	inner := &guardCheck{pass: g.pass, follow: false}
	if ok, _ := inner.guarded(hf, fn); ok {
		return true, name
	}
	// The returned function.
	var ret *jsast.Node
	if b := fn.ChildByField("body"); b != nil {
		if b.Type != "statement_block" {
			ret = jsast.Unwrap(b)
		} else {
			for _, st := range b.NamedChildren() {
				if st.Type == "return_statement" {
					ret = jsast.Unwrap(firstNamed(st))
				}
			}
		}
	}
	if ret != nil && jsast.IsFunction(ret) {
		if ok, _ := inner.guarded(hf, ret); ok {
			return true, name
		}
	}
	return false, ""
}

// resolveFunction finds the function a local name refers to: a function
// of the same file, or an export of a relative or `@/`/`~/` import.
func (g *guardCheck) resolveFunction(f *jsast.File, name string) (*jsast.File, *jsast.Node) {
	if lv := jsast.Unwrap(f.LocalValue(name)); lv != nil && jsast.IsFunction(lv) {
		return f, lv
	}
	im, ok := f.ImportOf(name)
	if !ok {
		return nil, nil
	}
	target := g.resolveModule(f.Path, im.Source)
	if target == "" {
		return nil, nil
	}
	tf := g.pass.AST(g.pass.Get(target))
	if tf == nil {
		return nil, nil
	}
	for _, ex := range tf.Exports() {
		if ex.Name != im.Imported {
			continue
		}
		v := jsast.Unwrap(ex.Value)
		if v != nil && jsast.IsFunction(v) {
			return tf, v
		}
	}
	return nil, nil
}

var moduleExts = []string{".ts", ".tsx", ".js", ".jsx", ".mjs", "/index.ts", "/index.tsx", "/index.js", "/index.jsx"}

// resolveModule maps an import specifier to a file of the snapshot:
// relative paths, and the `@/` and `~/` aliases rooted at the app's src/
// or root directory.
func (g *guardCheck) resolveModule(from, spec string) string {
	var bases []string
	switch {
	case strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../"):
		bases = append(bases, path.Join(path.Dir(from), spec))
	case strings.HasPrefix(spec, "@/") || strings.HasPrefix(spec, "~/"):
		root := ""
		if a := g.pass.Project.AppFor(from); a != nil {
			root = a.Root
		} else if pk := g.pass.Project.PackageFor(from); pk != nil {
			root = pk.Dir
		}
		rest := spec[2:]
		bases = append(bases, joinPath(root, "src/"+rest), joinPath(root, rest))
	default:
		return ""
	}
	for _, b := range bases {
		if g.pass.Project.Has(b) && path.Ext(b) != "" {
			return b
		}
		for _, ext := range moduleExts {
			if g.pass.Project.Has(b + ext) {
				return b + ext
			}
		}
	}
	return ""
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "/" + b
}

// Data access heuristics: a handler that touches none of these (static
// JSON, a redirect, a health check) is not worth a finding.
var (
	dataRoots = map[string]bool{"db": true, "prisma": true, "sql": true, "knex": true, "supabase": true, "drizzle": true,
		"mongoose": true, "redis": true, "kv": true, "pool": true, "clerkClient": true, "stripe": true, "firestore": true,
		"pg": true, "mysql": true, "connection": true, "conn": true, "tx": true, "trx": true, "neon": true, "turso": true,
		"xata": true, "collection": true, "s3": true, "storage": true, "bucket": true, "resend": true, "openai": true,
		"ctx.db": true, "sb": true, "database": true, "models": true, "blob": true, "put": true, "del": true}
	dataMethods = map[string]bool{"findMany": true, "findUnique": true, "findFirst": true, "findOne": true, "findById": true,
		"findByIdAndUpdate": true, "findByIdAndDelete": true, "create": true, "createMany": true, "update": true, "updateMany": true,
		"upsert": true, "delete": true, "deleteMany": true, "insert": true, "insertOne": true, "insertMany": true,
		"updateOne": true, "deleteOne": true, "select": true, "query": true, "execute": true, "aggregate": true,
		"$queryRaw": true, "$executeRaw": true, "rpc": true, "getUserList": true, "updateUser": true,
		"updateUserMetadata": true, "deleteUser": true, "banUser": true, "getUser": true, "send": true}
	dataVerb = regexp.MustCompile(`^(get|list|create|update|delete|remove|save|fetch|find|insert|upsert|add|archive|publish|send|charge|refund|invite|ban|set|write|read|load|export|import|sync)[A-Z_]`)
)

// touchesData reports whether fn reads or writes data: a database or
// Clerk Backend API call, or a call to a data helper of the repository.
func (g *guardCheck) touchesData(f *jsast.File, fn *jsast.Node) bool {
	return g.touches(f, fn, true)
}

func (g *guardCheck) touches(f *jsast.File, fn *jsast.Node, follow bool) bool {
	found := false
	jsast.Walk(fn, func(x *jsast.Node) bool {
		if found {
			return false
		}
		if x.Type != "call_expression" {
			return true
		}
		name := f.CalleeName(x)
		if name == "" {
			return true
		}
		root, last := rootName(name), jsast.LastSegment(name)
		switch {
		case strings.Contains(name, "clerkClient"):
			found = true
		case dataRoots[root] && name != root:
			found = true
		case root == "sql" || root == "put" || root == "del":
			found = true
		case dataMethods[last] && name != last && root != "Array" && root != "Object" && root != "JSON" && root != "Response" && root != "NextResponse":
			found = true
		case last == "save" && isModelSave(f, fn, x):
			found = true
		case name == last && dataVerb.MatchString(name):
			if im, ok := f.ImportOf(name); ok && !jsast.IsClerkModule(im.Source) && !isPackage(im.Source) {
				found = true
			} else if follow {
				if lv := jsast.Unwrap(f.LocalValue(name)); lv != nil && jsast.IsFunction(lv) && g.touches(f, lv, false) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// isPackage reports whether an import specifier names an npm package
// rather than a file of the repository.
func isPackage(spec string) bool {
	return !strings.HasPrefix(spec, ".") && !strings.HasPrefix(spec, "@/") && !strings.HasPrefix(spec, "~/") &&
		!strings.HasPrefix(spec, "#")
}

// handlerFunction returns the function an export names, unwrapping a
// wrapper call (`withAuth(async () => ...)`), and the wrapper call.
func handlerFunction(v *jsast.Node) (fn, wrapper *jsast.Node) {
	u := jsast.Unwrap(v)
	if u == nil {
		return nil, nil
	}
	if jsast.IsFunction(u) {
		return u, nil
	}
	if u.Type == "call_expression" {
		for _, a := range jsast.Args(u) {
			if au := jsast.Unwrap(a); jsast.IsFunction(au) {
				return au, u
			}
			if au := jsast.Unwrap(a); au != nil && au.Type == "call_expression" {
				if fn, _ := handlerFunction(au); fn != nil {
					return fn, u
				}
			}
		}
		return nil, u
	}
	return nil, nil
}

// skipRouteSegments are path segments of routes that are public by
// design or guarded by other means (catalog RP-003 heuristics).
var skipRouteSegments = map[string]bool{"sign-in": true, "sign-up": true, "signin": true, "signup": true, "login": true,
	"public": true, "health": true, "healthz": true, "healthcheck": true, "og": true, "status": true, "ping": true,
	"robots.txt": true, "sitemap.xml": true, "manifest.webmanifest": true}

// publicByDesign reports whether a route path is exempt from RP-003 and
// RP-010: webhooks (the WH rules cover them) and public segments.
func publicByDesign(routePath string) bool {
	lp := strings.ToLower(routePath)
	if strings.Contains(lp, "webhook") {
		return true
	}
	for _, s := range strings.Split(lp, "/") {
		if skipRouteSegments[s] {
			return true
		}
	}
	return false
}

// middlewareRelated lists the middleware lines a route's verdict depends
// on, so a change there is reported in diff mode.
func middlewareRelated(a *project.NextApp) []rules.Location {
	if a == nil || a.Middleware == nil {
		return nil
	}
	mw := a.Middleware
	var out []rules.Location
	for _, l := range append(mw.MatcherLines(), mw.HandlerLines()...) {
		out = append(out, rules.Location{Path: mw.File, Line: l})
	}
	return out
}

// middlewareReason explains, for a message, why middleware does not stop
// a signed-out request to probe.
func middlewareReason(a *project.NextApp, probe string) string {
	if a == nil {
		return "no Clerk middleware covers it"
	}
	mw := a.Middleware
	switch {
	case mw == nil:
		return "the app has no middleware/proxy file"
	case mw.RunsOn(probe) == boundedre.NoMatch:
		return rules.Code(path.Base(mw.File)) + "'s matcher does not run on " + rules.Code(probe)
	case !mw.Clerk:
		return rules.Code(path.Base(mw.File)) + " does not run clerkMiddleware()"
	case mw.Legacy:
		return "authMiddleware() treats " + rules.Code(probe) + " as public or ignored"
	case len(mw.RouteMatchers) > 0:
		return "the middleware's route matchers do not protect " + rules.Code(probe)
	}
	return "clerkMiddleware() protects no route by default"
}

// jsastParentCall returns the call a function is passed to directly
// (`export const act = withUser(async () => ...)`), or nil.
func jsastParentCall(fn *jsast.Node) *jsast.Node {
	p := fn.Parent
	for p != nil && p.Type == "parenthesized_expression" {
		p = p.Parent
	}
	if p == nil || p.Type != "arguments" || p.Parent == nil || p.Parent.Type != "call_expression" {
		return nil
	}
	return p.Parent
}

// predicateGuards follows a call to a local or imported helper one level
// and reports whether it is an identity predicate: a function whose result
// is decided by the Auth object or the current user and is falsy for a
// signed-out caller, such as the checkRole() of Clerk's basic RBAC guide:
//
//	export const checkRole = async (role) => {
//	  const { sessionClaims } = await auth()
//	  return sessionClaims?.metadata.role === role
//	}
func (g *guardCheck) predicateGuards(f *jsast.File, call *jsast.Node) bool {
	call = jsast.Unwrap(call)
	if !g.follow || call == nil || call.Type != "call_expression" {
		return false
	}
	name := f.CalleeName(call)
	if name == "" || strings.Contains(name, ".") || strings.Contains(name, "(") {
		return false
	}
	hf, fn := g.resolveFunction(f, name)
	if fn == nil {
		return false
	}
	inner := &guardCheck{pass: g.pass, follow: false}
	body := fn.ChildByField("body")
	if body == nil {
		return false
	}
	if body.Type != "statement_block" {
		return inner.signedOutFalse(hf, body, map[string]bindKind{})
	}
	bound := map[string]bindKind{}
	returns := 0
	for _, st := range body.NamedChildren() {
		switch st.Type {
		case "lexical_declaration", "variable_declaration":
			for _, d := range st.NamedChildren() {
				if d.Type == "variable_declarator" {
					inner.bind(hf, d.ChildByField("name"), d.ChildByField("value"), bound)
				}
			}
		case "return_statement":
			returns++
			if !inner.signedOutFalse(hf, firstNamed(st), bound) {
				return false
			}
		}
	}
	return returns > 0
}

// signedOutFalse reports whether the value of e is falsy for a signed-out
// caller: a comparison of an auth-derived value with a non-null value, a
// has() call, an identity value, or a conjunction holding one of these.
func (g *guardCheck) signedOutFalse(f *jsast.File, e *jsast.Node, bound map[string]bindKind) bool {
	e = jsast.Unwrap(e)
	if e == nil {
		return false
	}
	switch e.Type {
	case "binary_expression":
		op := f.Text(e.ChildByField("operator"))
		l, r := e.ChildByField("left"), e.ChildByField("right")
		switch op {
		case "&&":
			return g.signedOutFalse(f, l, bound) || g.signedOutFalse(f, r, bound)
		case "||":
			return g.signedOutFalse(f, l, bound) && g.signedOutFalse(f, r, bound)
		case "===", "==":
			x, other := l, r
			if !g.authDerived(f, x, bound) {
				x, other = r, l
			}
			if !g.authDerived(f, x, bound) {
				return false
			}
			ov := jsast.Unwrap(other)
			return ov != nil && ov.Type != "null" && ov.Type != "undefined" && f.Text(ov) != "undefined" && !g.authDerived(f, ov, bound)
		}
	case "unary_expression":
		// !!userId
		if strings.HasPrefix(f.Text(e), "!!") {
			if inner := jsast.Unwrap(e.ChildByField("argument")); inner != nil && inner.Type == "unary_expression" {
				return g.isIdentity(f, inner.ChildByField("argument"), bound)
			}
		}
	case "call_expression":
		name := f.CalleeName(e)
		switch {
		case bound[name] == bindHas, jsast.LastSegment(name) == "has" && name != "has":
			return true
		case name == "Boolean":
			for _, a := range jsast.Args(e) {
				return g.isIdentity(f, a, bound)
			}
		case jsast.LastSegment(name) == "includes" || calleeProperty(f, e) == "includes":
			// ['admin', 'owner'].includes(sessionClaims?.metadata.role)
			for _, a := range jsast.Args(e) {
				return g.authDerived(f, a, bound)
			}
		}
	}
	return g.isIdentity(f, e, bound)
}

// authDerived reports whether n is read from the Auth object or the
// current user: a name bound from them, or a member chain rooted at one
// (sessionClaims?.metadata.role, user.publicMetadata.role,
// (await auth()).orgRole).
func (g *guardCheck) authDerived(f *jsast.File, n *jsast.Node, bound map[string]bindKind) bool {
	for n = jsast.Unwrap(n); n != nil; n = jsast.Unwrap(n) {
		switch n.Type {
		case "identifier":
			return bound[f.Text(n)] != 0
		case "member_expression", "subscript_expression":
			n = n.ChildByField("object")
		case "call_expression":
			switch clerkExport(f, f.CalleeName(n)) {
			case "auth", "getAuth", "currentUser":
				return true
			}
			return false
		default:
			return false
		}
	}
	return false
}

// calleeProperty returns the property name of a method call's callee
// (`includes` of `['a', 'b'].includes(x)`), or "".
func calleeProperty(f *jsast.File, call *jsast.Node) string {
	c := jsast.Unwrap(call.ChildByField("function"))
	if c == nil || c.Type != "member_expression" {
		return ""
	}
	return f.Text(c.ChildByField("property"))
}
