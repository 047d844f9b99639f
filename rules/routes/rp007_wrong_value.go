package routes

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP007 flags checks of the wrong value: the Auth object's truthiness, an
// uncalled has, and fields the Auth object does not have. A currentUser()
// result dereferenced without a null check is not one: it throws only for
// a signed-out caller, before anything else runs, which is a guard that
// fails closed (the model counts it as one).
var RP007 = &rules.Rule{
	ID:         "CLK-RP-007",
	Name:       "auth-wrong-value-checked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		return (f.IsJS() || f.Lang == source.LangAstro || f.Lang == source.LangVue || f.Lang == source.LangSvelte) && !f.Binary
	},
	Keywords: []string{"@clerk/", "@hono/clerk-auth", "svelte-clerk", "locals.auth", "context.auth", "ctx.auth", "context.user"},
	Doc: rules.Doc{
		Title: "auth check tests the Auth object instead of userId",
		References: []string{
			"https://clerk.com/docs/reference/nextjs/app-router/current-user",
			"clerk/javascript packages/backend/src/tokens/authObjects.ts",
		},
		Text: "`auth()`, `getAuth()`, `locals.auth()` and `event.context.auth()` always return an Auth object; a signed-out " +
			"request gets `userId: null` and `isAuthenticated: false`, not a missing object. `if (!auth)`, `if (req.auth)` " +
			"and `if (!has)` (the function, not its result) therefore never reject anyone. Such a test in an entry point is " +
			"not reported when the branch it lets through reaches no data or privileged call and reads the identity only " +
			"with its own null fallback (`auth?.userId ?? ''`): a signed-out caller gets nothing more. Reading fields the Auth object " +
			"does not have (`auth.user`, `auth.session`) yields `undefined` and rejects everyone (fails closed, Low). " +
			"Dereferencing `currentUser()`'s result without a null check is not reported: it throws only for signed-out " +
			"callers, which stops them. A React Router or Remix loader or action that reads the identity from " +
			"`context.userId` (or `context.user`) when the app has no `getLoadContext` that sets it reads a value that is " +
			"always undefined: Clerk's `clerkMiddleware()` does not put the user there, `getAuth(args)` reads it (fails closed, Low).",
		Bad:  "const auth = getAuth(req)\nif (!auth) return res.status(401).end()\n\nconst { has } = await auth()\nif (!has) return forbidden()",
		Good: "const { isAuthenticated } = getAuth(req)\nif (!isAuthenticated) return res.status(401).end()\n\nconst { has } = await auth()\nif (!has({ permission: 'org:invoices:read' })) return forbidden()",
	},
	Fix: func(p *project.Model, file string) string {
		fix := "The Auth object is always returned: signed-out requests get `userId: null` and `isAuthenticated: false`. " +
			"Test those fields, and call `has({ role | permission | feature | plan })` instead of testing the function. " +
			"Check `currentUser()` for `null` before using it."
		switch p.NextEra(file) {
		case project.EraV5:
			fix += " With `@clerk/nextjs` v5: `const { userId } = auth(); if (!userId) ...`."
		case project.EraV6, project.EraCore3:
			fix += " With your `@clerk/nextjs`: `const { isAuthenticated, userId } = await auth(); if (!isAuthenticated) ...`."
		}
		return fix
	},
	Run: runRP007,
}

type authBinding struct {
	name  string
	scope *jsast.Node
	decl  *jsast.Node
	kind  string // "auth", "has"
	from  string // the expression it came from, for messages
}

func runRP007(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	clerk := f.ImportsFrom(jsast.IsClerkModule)
	// tRPC contexts built from getAuth()/auth() hold an Auth object; only
	// trust that when the project uses Clerk.
	trpc := f.ImportsFrom(func(s string) bool { return strings.HasPrefix(s, "@trpc/") }) && pass.Project.UsesClerk()
	var binds []authBinding
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "variable_declarator" {
			return true
		}
		v := n.ChildByField("value")
		src, isAuth := srvAuthSource(f, v, clerk)
		if isAuth && appLocalsAuth(pass, src) {
			return true // the application's own locals.auth, which may return null
		}
		scope := jsast.EnclosingFunction(n)
		if scope == nil {
			scope = f.Root
		}
		name := n.ChildByField("name")
		switch {
		case isAuth && name.Type == "identifier":
			binds = append(binds, authBinding{f.Text(name), scope, n, "auth", src})
		case isAuth && name.Type == "object_pattern":
			for _, p := range name.NamedChildren() {
				switch {
				case p.Type == "shorthand_property_identifier_pattern" && f.Text(p) == "has":
					binds = append(binds, authBinding{"has", scope, n, "has", src})
				case p.Type == "pair_pattern" && f.Text(p.ChildByField("key")) == "has":
					binds = append(binds, authBinding{f.Text(p.ChildByField("value")), scope, n, "has", src})
				}
			}
		}
		return true
	})
	reported := map[int]bool{}
	report := func(n *jsast.Node, sev rules.Severity, msg string) {
		if reported[n.Start] {
			return
		}
		reported[n.Start] = true
		pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col, Severity: sev, Message: msg})
	}
	for _, b := range binds {
		properCheck := testsIdentityWithExit(f, b.scope)
		jsast.Walk(b.scope, func(n *jsast.Node) bool {
			if n.Type != "identifier" || f.Text(n) != b.name || b.decl.Contains(n) || srvShadowed(f, n, b) {
				return true
			}
			switch b.kind {
			case "auth":
				if srvInTest(n) && !properCheck && !gatesNothing(pass, f, n, b.name) {
					report(n, rules.High, fmt.Sprintf("%s is the Auth object returned by %s, which is always an object: this test passes for signed-out requests too; test %s or %s", rules.Code(b.name), rules.Code(b.from), rules.Code(b.name+".userId"), rules.Code(b.name+".isAuthenticated")))
				}
				if m := n.Parent; m != nil && m.Type == "member_expression" && m.ChildByField("object") == n {
					prop := f.Text(m.ChildByField("property"))
					if knowledge.NotOnAuthObject(prop) && !srvIsAssignTarget(m) {
						report(m, rules.Low, fmt.Sprintf("%s does not exist on the Auth object returned by %s, so it is always undefined (this fails closed); use %s or %s", rules.Code(fmt.Sprintf("%s.%s", b.name, prop)), rules.Code(b.from), rules.Code(b.name+".userId"), rules.Code(b.name+".isAuthenticated")))
					}
				}
			case "has":
				if srvInTest(n) && !gatesNothing(pass, f, n, b.name) {
					report(n, rules.High, fmt.Sprintf("%s from %s is a function and always truthy: this test never fails; call it, e.g. %s", rules.Code(b.name), rules.Code(b.from), rules.Code(b.name+"({ permission: 'org:invoices:read' })")))
				}
			}
			return true
		})
	}
	// Core 1-3 withAuth(handler)/requireAuth(handler) set req.auth, not
	// req.session or req.user: reading those is always undefined.
	for _, c := range f.Calls(f.Root, func(n string) bool {
		r := f.ResolveClerk(n)
		return r == "withAuth" || r == "requireAuth"
	}) {
		args := jsast.Args(c)
		if len(args) == 0 {
			continue
		}
		h := jsast.Unwrap(args[0])
		if h == nil || !jsast.IsFunction(h) {
			continue
		}
		req := firstParam(f, h)
		if req == "" {
			continue
		}
		done := false // one finding per handler: the first read
		jsast.Walk(h, func(n *jsast.Node) bool {
			if done || n.Type != "member_expression" || f.Text(n.ChildByField("object")) != req {
				return !done
			}
			prop := f.Text(n.ChildByField("property"))
			if knowledge.NotOnAuthObject(prop) && prop != "user" || prop == "user" && srvInTest(n) {
				report(n, rules.Low, fmt.Sprintf("%s is not set by %s, which attaches %s: it is always undefined, so every caller is treated as signed out (this fails closed); use %s",
					rules.Code(req+"."+prop), rules.Code(f.CalleeName(c)+"()"), rules.Code(req+".auth"), rules.Code(req+".auth.userId")))
				done = true
			}
			return true
		})
	}
	rrContextIdentity(pass, f)
	uncalledIdentity(f, report)
	// Bare req.auth / ctx.auth / locals.auth tested for truthiness.
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "member_expression" || !srvInTest(n) {
			return true
		}
		name := f.Name(n)
		switch {
		case (name == "req.auth" || name == "request.auth") && clerk,
			name == "ctx.auth" && (clerk || trpc),
			name == "locals.auth" || name == "Astro.locals.auth" || name == "event.context.auth":
			fn := jsast.EnclosingFunction(n)
			if fn != nil && testsIdentityWithExit(f, fn) || gatesNothing(pass, f, n, name) {
				return true
			}
			report(n, rules.High, fmt.Sprintf("%s is always set once Clerk's middleware ran (an Auth object or function), so this test passes for signed-out requests; test %s", rules.Code(name), rules.Code(srvAuthAccess(name)+".userId")))
		}
		return true
	})
	return nil
}

func srvAuthAccess(name string) string {
	if strings.HasSuffix(name, "locals.auth") || strings.HasSuffix(name, "context.auth") {
		return name + "()"
	}
	return name
}

// srvAuthSource reports whether v evaluates to a Clerk Auth object and
// names the call.
// appLocalsAuth reports whether src reads locals.auth that the
// application's own SvelteKit hook assigns (event.locals.auth = () =>
// requestState.toAuth(), or () => null): not the Auth object Clerk's
// handle attaches, so testing its result is a real test.
func appLocalsAuth(pass *rules.Pass, src string) bool {
	if pass.Model == nil || !strings.HasSuffix(strings.TrimSuffix(src, "()"), "locals.auth") {
		return false
	}
	_, own := pass.Model.SvelteLocalSetBy(pass.Ctx, pass.File.Path, "auth")
	return own
}

func srvAuthSource(f *jsast.File, v *jsast.Node, clerk bool) (string, bool) {
	v = jsast.Unwrap(v)
	if v == nil {
		return "", false
	}
	switch v.Type {
	case "call_expression":
		name := f.CalleeName(v)
		exp := f.ResolveClerk(strings.Split(name, ".")[0])
		switch {
		case exp == "getAuth" || exp == "auth":
			return name + "()", true
		case strings.HasSuffix(name, "locals.auth") || strings.HasSuffix(name, "context.auth"):
			return name + "()", true
		case (name == "req.auth" || name == "request.auth") && clerk:
			return name + "()", true
		}
	case "member_expression":
		name := f.Name(v)
		if (name == "req.auth" || name == "request.auth") && clerk {
			return name, true
		}
	}
	return "", false
}

// srvInTest reports whether n is tested for truthiness: it is the
// condition of an if/ternary/while (possibly negated, parenthesized or an
// operand of && / ||), or the left side of `x && ...` in a statement.
func srvInTest(n *jsast.Node) bool {
	cur := n
	for p := cur.Parent; p != nil; cur, p = p, p.Parent {
		switch p.Type {
		case "parenthesized_expression":
			if p.Parent != nil && (p.Parent.Type == "if_statement" || p.Parent.Type == "while_statement") && p.Field == "condition" {
				return true
			}
			continue
		case "unary_expression":
			if p.HasChild("!") {
				continue
			}
			return false
		case "binary_expression":
			if p.HasChild("&&") || p.HasChild("||") {
				if p.HasChild("&&") && p.ChildByField("right") == cur && p.Parent != nil && p.Parent.Type == "expression_statement" {
					return false // `check && auth` as a statement
				}
				if p.Parent != nil && p.Parent.Type == "expression_statement" && p.ChildByField("left") == cur {
					return true // `auth && next()`
				}
				continue
			}
			return false
		case "ternary_expression":
			return p.ChildByField("condition") == cur
		case "if_statement", "while_statement":
			return p.ChildByField("condition") == cur
		default:
			return false
		}
	}
	return false
}

// srvShadowed reports whether identifier n refers to a different binding
// than b: a parameter or declaration of an inner function with the same
// name.
func srvShadowed(f *jsast.File, n *jsast.Node, b authBinding) bool {
	for fn := jsast.EnclosingFunction(n); fn != nil && fn != b.scope && b.scope.Contains(fn); fn = jsast.EnclosingFunction(fn) {
		if params := fn.ChildByField("parameters"); params != nil {
			found := false
			jsast.Walk(params, func(x *jsast.Node) bool {
				if (x.Type == "identifier" || x.Type == "shorthand_property_identifier_pattern") && f.Text(x) == b.name {
					found = true
				}
				return !found
			})
			if found {
				return true
			}
		}
		if p := fn.ChildByField("parameter"); p != nil && f.Text(p) == b.name {
			return true
		}
	}
	return false
}

// rrContextIdentity reports React Router / Remix loaders and actions that
// take the caller from context.userId when nothing in the app provides a
// load context: the server adapter's getLoadContext is the only thing that
// sets the context's properties
// (https://reactrouter.com/api/framework-conventions/entry.server.tsx,
// https://remix.run/docs/en/main/route/loader#context); with route
// middleware the context is a RouterContextProvider read with
// context.get(key) (https://reactrouter.com/how-to/middleware). Clerk's
// clerkMiddleware() keeps the auth state for getAuth(args)
// (clerk/javascript packages/react-router/src/server/getAuth.ts).
func rrContextIdentity(pass *rules.Pass, f *jsast.File) {
	if pass.Model == nil {
		return
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return
	}
	provided := -1 // unknown until asked
	for _, e := range es {
		if e.Framework != knowledge.ReactRouter && e.Framework != knowledge.Remix || e.Fn == nil || e.FnFile == nil ||
			e.FnFile.Path != f.Path {
			continue
		}
		f := e.FnFile
		ctxName := loaderContextName(f, e.Fn)
		if ctxName == "" {
			continue
		}
		jsast.Walk(e.Fn, func(n *jsast.Node) bool {
			if n.Type != "member_expression" || f.Name(n.ChildByField("object")) != ctxName ||
				!callerName(f.Text(n.ChildByField("property"))) || srvIsAssignTarget(n) {
				return true
			}
			if provided < 0 {
				provided = 0
				if loadContextProvided(pass) {
					provided = 1
				}
			}
			if provided == 1 {
				return false
			}
			pkg := "@clerk/react-router"
			if e.Framework == knowledge.Remix {
				pkg = "@clerk/remix"
			}
			imp := "`getAuth(args)`"
			ver := ""
			if v, ok := pass.Project.Version(pass.File.Path, pkg); ok && v != nil {
				ver = v.Original()
			}
			if entry, ok := knowledge.EntryFor(pkg, "getAuth", ver, "./server", "./ssr.server"); ok {
				imp = "`getAuth(args)` (`import { getAuth } from '" + pkg + strings.TrimPrefix(entry, ".") + "'`)"
			}
			pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col, Severity: rules.Low,
				Fix: "Read the caller in the loader or action itself with " + imp + " and redirect when its `userId` is null; " +
					"a value the app never puts on the context is always undefined.",
				Message: fmt.Sprintf("%s is never set: nothing in this app provides a load context (no `getLoadContext`), and %s "+
					"does not put the user on the context, so it is always undefined and every caller is treated as signed out "+
					"(this fails closed); read the caller with `getAuth(args)` from %s", rules.Code(f.Text(n)), rules.Code("clerkMiddleware()"), pkg)})
			return false
		})
	}
}

// loaderContextName returns how a loader function names its context:
// `context` from ({ context }), `ctx` from ({ context: ctx }), or
// `args.context` from (args).
func loaderContextName(f *jsast.File, fn *jsast.Node) string {
	ps := fn.ChildByField("parameters")
	if ps == nil {
		return ""
	}
	for _, p := range ps.NamedChildren() {
		pat := p
		if p.Type == "required_parameter" || p.Type == "optional_parameter" {
			pat = p.ChildByField("pattern")
		}
		switch {
		case pat == nil:
		case pat.Type == "identifier":
			return f.Text(pat) + ".context"
		case pat.Type == "object_pattern":
			for _, c := range pat.NamedChildren() {
				switch {
				case c.Type == "shorthand_property_identifier_pattern" && f.Text(c) == "context":
					return "context"
				case c.Type == "pair_pattern" && f.Text(c.ChildByField("key")) == "context":
					return f.Text(c.ChildByField("value"))
				}
			}
		}
		return ""
	}
	return ""
}

// loadContextProvided reports whether any module of the snapshot defines a
// getLoadContext (the server adapter's load context) or assigns a
// context property itself. A file that cannot be read counts as providing
// one: the finding would rest on a guess.
func loadContextProvided(pass *rules.Pass) bool {
	for _, p := range pass.Paths() {
		if !source.IsScriptPath(p) || strings.Contains("/"+p, "/node_modules/") {
			continue
		}
		sf := pass.Get(p)
		if sf == nil {
			return true
		}
		if strings.Contains(string(sf.Content), "getLoadContext") {
			return true
		}
	}
	return false
}

// callerName reports a name applications give the caller's identity on a
// context of their own (knowledge.AuthField.CallerName).
func callerName(prop string) bool {
	af, ok := knowledge.AuthFieldOf(prop)
	return ok && af.CallerName
}

// uncalledIdentity reports a Clerk identity source imported as a function
// (currentUser, auth, getAuth: knowledge.IdentitySourceOf) whose name is
// tested without being called: `if (!currentUser)` tests the imported
// function, which is always truthy, not the user it returns, so the check
// never rejects anyone. A local binding of the same name shadows the
// import and is left alone.
func uncalledIdentity(f *jsast.File, report func(*jsast.Node, rules.Severity, string)) {
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "identifier" || !srvInTest(n) {
			return true
		}
		name := f.Text(n)
		im, ok := f.ImportOf(name)
		if !ok || !jsast.IsClerkModule(im.Source) {
			return true
		}
		src, ok := knowledge.IdentitySourceOf(im.Source, im.Imported)
		if !ok || src.Kind != knowledge.CallSource || declaredLocally(f, n, name) {
			return true
		}
		report(n, rules.High, fmt.Sprintf("%s is the function imported from %s, which is always truthy: this test never rejects anyone; test what it returns, e.g. %s",
			rules.Code(name), rules.Code(im.Source), rules.Code("const user = await "+name+"(); if (!user) ...")))
		return true
	})
}

// declaredLocally reports whether a function enclosing n declares name
// (a variable or a parameter), shadowing a module-level import.
func declaredLocally(f *jsast.File, n *jsast.Node, name string) bool {
	for fn := jsast.EnclosingFunction(n); fn != nil; fn = jsast.EnclosingFunction(fn.Parent) {
		for _, p := range jsast.ParamPatterns(fn) {
			if f.Text(p) == name {
				return true
			}
		}
		found := false
		jsast.Walk(fn, func(x *jsast.Node) bool {
			if !found && x.Type == "variable_declarator" && f.Text(x.ChildByField("name")) == name {
				found = true
			}
			return !found
		})
		if found {
			return true
		}
		if fn.Parent == nil {
			break
		}
	}
	return false
}
