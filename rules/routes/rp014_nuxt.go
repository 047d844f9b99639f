package routes

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP014 flags Nuxt server routes that touch data without an
// event.context.auth() check (whatever server or route middleware does),
// and getAuth(event), which @clerk/nuxt removed.
var RP014 = &rules.Rule{
	ID:         "CLK-RP-014",
	Name:       "nuxt-server-route-unchecked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		return f.IsJS() && nuxtServerFile.MatchString(f.Path)
	},
	Keywords: []string{"ventHandler", "getAuth"},
	Doc: rules.Doc{
		Title: "nuxt server route touches data without an event.context.auth() check",
		Text: "With `@clerk/nuxt`, every `server/api/**` and `server/routes/**` handler that reads or writes data must " +
			"check `event.context.auth()` itself and throw `createError({ statusCode: 401 })` when the caller is signed out. " +
			"A path check in server middleware (`event.path.startsWith('/api/admin')`, `createRouteMatcher`) runs before " +
			"routing and can be bypassed with URL-encoding tricks, which is why `@clerk/nuxt` 3 removed `createRouteMatcher`; " +
			"route middleware (`middleware/auth.global.ts`) only guards page navigation and never runs for server routes.\n\n" +
			"Also reported: `getAuth(event)`, removed from `@clerk/nuxt` in the Core 3 major (2.0). Not reported: handlers " +
			"that touch no data, public paths (health checks, sign-in, webhooks, which the WH rules cover), and apps whose " +
			"server middleware rejects signed-out requests for every path.",
		Bad: "// server/api/admin/users.get.ts\nexport default defineEventHandler(() => db.user.findMany())",
		Good: "// server/api/admin/users.get.ts\nexport default defineEventHandler((event) => {\n" +
			"  const { isAuthenticated } = event.context.auth()\n" +
			"  if (!isAuthenticated) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })\n" +
			"  return db.user.findMany()\n})",
	},
	Fix: func(p *project.Model, file string) string {
		return "Check the caller in the handler: " + nuxtGuardSnippet(p, file) +
			". Nuxt server middleware checks run before routing and can be bypassed with URL-encoding tricks: treat them as " +
			"early rejection only. Page route middleware is UX: client navigations don't reach the server, and it never runs for `server/` routes."
	},
	Run: runRP014,
}

var nuxtServerFile = regexp.MustCompile(`(^|/)server/(api|routes|middleware|utils)/`)

// nuxtHandlerWrappers are Nitro's handler definitions.
var nuxtHandlerWrappers = map[string]bool{"defineEventHandler": true, "eventHandler": true,
	"defineCachedEventHandler": true, "cachedEventHandler": true}

// nuxtMethodSuffix matches a Nitro method suffix (`users.get.ts`).
var nuxtMethodSuffix = regexp.MustCompile(`\.(get|post|put|patch|delete|head|options)$`)

func nuxtGuardSnippet(p *project.Model, file string) string {
	v, ok := p.Version(file, "@clerk/nuxt")
	switch {
	case ok && v != nil && v.Major() >= 2:
		return "`const { isAuthenticated } = event.context.auth(); if (!isAuthenticated) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })`"
	case ok && v != nil && v.Major() == 1 && v.Minor() < 5:
		return "`const { userId } = event.context.auth; if (!userId) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })` (`@clerk/nuxt` before 1.5: `event.context.auth` is an object)"
	}
	return "`const { userId } = event.context.auth(); if (!userId) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })`"
}

// nuxtRoute returns the app root (the directory holding server/) and the
// URL path and method of a server route file, or ok=false.
func nuxtRoute(p string) (root, urlPath, method string, ok bool) {
	for _, dir := range []string{"server/api/", "server/routes/"} {
		i := strings.Index(p, dir)
		if i < 0 || (i > 0 && p[i-1] != '/') {
			continue
		}
		root = p[:i]
		rel := strings.TrimSuffix(p[i+len(dir):], path.Ext(p))
		if m := nuxtMethodSuffix.FindStringSubmatch(rel); m != nil {
			method = strings.ToUpper(m[1])
			rel = strings.TrimSuffix(rel, m[0])
		}
		rel = strings.TrimSuffix(strings.TrimSuffix(rel, "index"), "/")
		urlPath = "/" + rel
		if dir == "server/api/" {
			urlPath = strings.TrimSuffix("/api/"+rel, "/")
		}
		return root, urlPath, method, true
	}
	return "", "", "", false
}

func runRP014(pass *rules.Pass) error {
	p := pass.File.Path
	if !pass.Project.DependsOn(p, "@clerk/nuxt") || jsast.IsNonRequestPath(p) {
		return nil
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	// getAuth(event), removed in the Core 3 major.
	if v, ok := pass.Project.Version(p, "@clerk/nuxt"); ok && v != nil && v.Major() >= 2 {
		for _, im := range f.Imports() {
			if im.Imported == "getAuth" && strings.HasPrefix(im.Source, "@clerk/nuxt") {
				pass.Report(rules.Diagnostic{Line: im.Node.Line, Column: im.Node.Col,
					Message: fmt.Sprintf("`getAuth()` was removed from `@clerk/nuxt` 2 (you have %s): this import fails; read the Auth object with `event.context.auth()`", v),
					Fix:     "Replace `getAuth(event)` with `event.context.auth()`: " + nuxtGuardSnippet(pass.Project, p) + "."})
			}
		}
	}
	root, urlPath, method, ok := nuxtRoute(p)
	if !ok || srvIsPublicPath(urlPath) {
		return nil
	}
	r := &srvResolver{pass: pass}
	for _, ex := range f.Exports() {
		if ex.Name != "default" {
			continue
		}
		fn, guarded := nuxtHandler(r, f, ex.Value)
		if fn.Fn == nil || guarded {
			continue
		}
		what, data := srvTouchesData(fn.File, fn.Fn)
		if !data || r.checksAuth(fn.File, fn.Fn) || nuxtUsesAuthHelper(fn.File, fn.Fn) {
			continue
		}
		gate := nuxtServerGate(pass, r, root, urlPath)
		if gate.global {
			continue
		}
		route := urlPath
		if method != "" {
			route = method + " " + urlPath
		}
		msg := fmt.Sprintf("%s calls %s without checking `event.context.auth()`", rules.Code(route), rules.Code(what))
		var related []rules.Location
		switch {
		case gate.file != "":
			msg += fmt.Sprintf("; the path check in %s is its only gate, and server middleware path checks can be bypassed with URL-encoding tricks", rules.Code(gate.file))
			related = append(related, rules.Location{Path: gate.file, Line: gate.line})
		default:
			if rm, line := nuxtRouteMiddleware(pass, root); rm != "" {
				msg += fmt.Sprintf("; the route middleware %s only guards page navigation and never runs for server routes", rules.Code(rm))
				related = append(related, rules.Location{Path: rm, Line: line})
			} else {
				msg += ", and no server middleware rejects signed-out requests for it"
			}
		}
		pass.Report(rules.Diagnostic{Line: fn.Fn.Line, Column: fn.Fn.Col, Message: msg, Related: related})
	}
	return nil
}

// nuxtHandler returns the handler function of a default export:
// defineEventHandler(fn), defineEventHandler({ handler: fn }), or a
// repository wrapper (guarded is set when the wrapper checks auth).
func nuxtHandler(r *srvResolver, f *jsast.File, v *jsast.Node) (fn srvFunc, guarded bool) {
	call := jsast.Unwrap(v)
	if call == nil {
		return srvFunc{}, false
	}
	if jsast.IsFunction(call) {
		return srvFunc{f, call}, false
	}
	if call.Type != "call_expression" {
		return srvFunc{}, false
	}
	name := jsast.LastSegment(f.CalleeName(call))
	args := jsast.Args(call)
	if len(args) == 0 {
		return srvFunc{}, false
	}
	a := jsast.Unwrap(args[0])
	if !nuxtHandlerWrappers[name] {
		// defineAuthedHandler(async (event) => ...): does the wrapper check?
		if w, ok := r.function(f, call.ChildByField("function")); ok && r.checksAuth(w.File, w.Fn) {
			return srvFunc{}, true
		}
		if a != nil && a.Type == "call_expression" {
			return nuxtHandler(r, f, a)
		}
		if a != nil && jsast.IsFunction(a) {
			return srvFunc{f, a}, false
		}
		return srvFunc{}, false
	}
	if a != nil && a.Type == "object" {
		if h := f.ObjectProp(a, "onRequest"); h != nil {
			// onRequest hooks run before the handler: a guard there counts.
			if hf, ok := r.function(f, h); ok && r.checksAuth(hf.File, hf.Fn) {
				return srvFunc{}, true
			}
		}
		a = jsast.Unwrap(f.ObjectProp(a, "handler"))
	}
	if a == nil {
		return srvFunc{}, false
	}
	if fn, ok := r.function(f, a); ok {
		return fn, false
	}
	return srvFunc{}, false
}

// nuxtUsesAuthHelper recognises `await auth.protect()`-style helpers
// the resolver cannot follow: Nitro auto-imports server/utils, so a
// `requireAuth(event)` call has no import to resolve.
func nuxtUsesAuthHelper(f *jsast.File, fn *jsast.Node) bool {
	return len(f.Calls(fn, func(n string) bool { return nuxtAuthHelper.MatchString(n) })) > 0
}

var nuxtAuthHelper = regexp.MustCompile(`^(require|ensure|assert)(Auth|User|Session|SignedIn|Admin|Role|Permission)[A-Za-z]*$`)

type nuxtGate struct {
	file   string
	line   int
	global bool // an identity check for every path (or a deny-by-default allowlist)
}

// nuxtServerGate inspects server/middleware/* of the app at root: an
// identity check with an early exit, gated by a path test (a gate that
// covers urlPath), or not gated (global).
func nuxtServerGate(pass *rules.Pass, r *srvResolver, root, urlPath string) nuxtGate {
	var gate nuxtGate
	prefix := root + "server/middleware/"
	for _, mp := range pass.Paths() {
		if !strings.HasPrefix(mp, prefix) || strings.Contains(mp[len(prefix):], "/") {
			continue
		}
		mf := r.parse(mp)
		if mf == nil {
			continue
		}
		for _, ifs := range jsast.Find(mf.Root, "if_statement") {
			cond := ifs.ChildByField("condition")
			if !srvCondMentionsIdentity(mf, cond, nil) || !srvExits(mf, ifs.ChildByField("consequence")) {
				continue
			}
			checks := nuxtPathChecks(mf, ifs)
			if len(checks) == 0 {
				return nuxtGate{global: true}
			}
			for _, c := range checks {
				if c.negated {
					// if (!isPublic(event) && !userId) throw: deny by default.
					return nuxtGate{global: true}
				}
				if gate.file == "" && (c.prefix == "" || strings.HasPrefix(urlPath, c.prefix)) {
					gate = nuxtGate{file: mp, line: c.line}
				}
			}
		}
	}
	return gate
}

type nuxtPathCheck struct {
	prefix  string // the literal path prefix, "" when unknown
	negated bool
	line    int
}

// nuxtPathChecks returns the path tests in the condition of ifs and of
// the if statements enclosing it.
func nuxtPathChecks(f *jsast.File, ifs *jsast.Node) []nuxtPathCheck {
	var out []nuxtPathCheck
	fn := jsast.EnclosingFunction(ifs)
	for n := ifs; n != nil && !jsast.IsFunction(n); n = n.Parent {
		if n.Type != "if_statement" {
			continue
		}
		jsast.Walk(n.ChildByField("condition"), func(x *jsast.Node) bool {
			if x.Type == "identifier" {
				// const isAdminRoute = event.path.startsWith('/api/admin')
				if v := nuxtLocalInit(f, fn, f.Text(x)); v != nil && v.Type == "call_expression" {
					negated := false
					if p := x.Parent; p != nil && p.Type == "unary_expression" && strings.HasPrefix(f.Text(p), "!") {
						negated = true
					}
					for _, c := range nuxtPathChecksIn(f, v) {
						c.negated = c.negated != negated
						out = append(out, c)
					}
				}
				return true
			}
			if x.Type != "call_expression" {
				return true
			}
			name := f.CalleeName(x)
			pc := nuxtPathCheck{line: x.Line}
			switch {
			case strings.HasSuffix(name, ".startsWith") && nuxtPathish.MatchString(name):
				if args := jsast.Args(x); len(args) > 0 {
					pc.prefix, _ = f.StringValue(args[0])
				}
			case !strings.Contains(name, ".") && nuxtIsMatcher(f, name):
				if v := jsast.Unwrap(f.LocalValue(name)); v != nil {
					if args := jsast.Args(v); len(args) > 0 {
						if list, _, ok := f.StringList(args[0]); ok && len(list) == 1 {
							pc.prefix = strings.SplitN(list[0], "(", 2)[0]
						}
					}
				}
			default:
				return true
			}
			if p := x.Parent; p != nil && p.Type == "unary_expression" && strings.HasPrefix(f.Text(p), "!") {
				pc.negated = true
			}
			out = append(out, pc)
			return false
		})
	}
	return out
}

// nuxtPathChecksIn returns the path tests of a standalone expression.
func nuxtPathChecksIn(f *jsast.File, e *jsast.Node) []nuxtPathCheck {
	var out []nuxtPathCheck
	jsast.Walk(e, func(x *jsast.Node) bool {
		if x.Type != "call_expression" {
			return true
		}
		name := f.CalleeName(x)
		pc := nuxtPathCheck{line: x.Line}
		switch {
		case strings.HasSuffix(name, ".startsWith") && nuxtPathish.MatchString(name):
			if args := jsast.Args(x); len(args) > 0 {
				pc.prefix, _ = f.StringValue(args[0])
			}
		case !strings.Contains(name, ".") && nuxtIsMatcher(f, name):
		default:
			return true
		}
		if p := x.Parent; p != nil && p.Type == "unary_expression" && strings.HasPrefix(f.Text(p), "!") {
			pc.negated = true
		}
		out = append(out, pc)
		return false
	})
	return out
}

// nuxtLocalInit returns the initializer of a const/let named name in fn.
func nuxtLocalInit(f *jsast.File, fn *jsast.Node, name string) *jsast.Node {
	if fn == nil {
		return nil
	}
	for _, d := range jsast.Find(fn, "variable_declarator") {
		if id := d.ChildByField("name"); id != nil && id.Type == "identifier" && f.Text(id) == name {
			return jsast.Unwrap(d.ChildByField("value"))
		}
	}
	return nil
}

var nuxtPathish = regexp.MustCompile(`(?i)(path|url|pathname)\.startsWith$`)

// nuxtIsMatcher reports whether name is bound to createRouteMatcher(...).
func nuxtIsMatcher(f *jsast.File, name string) bool {
	v := jsast.Unwrap(f.LocalValue(name))
	return v != nil && v.Type == "call_expression" && jsast.LastSegment(f.CalleeName(v)) == "createRouteMatcher"
}

// nuxtRouteMiddleware returns a route middleware file of the app that
// checks auth (middleware/*.global.ts or app/middleware/*), or "".
func nuxtRouteMiddleware(pass *rules.Pass, root string) (string, int) {
	for _, mp := range pass.Paths() {
		rel := strings.TrimPrefix(mp, root)
		if rel == mp && root != "" {
			continue
		}
		if !strings.HasPrefix(rel, "middleware/") && !strings.HasPrefix(rel, "app/middleware/") {
			continue
		}
		sf := pass.Get(mp)
		if sf == nil || !sf.IsJS() {
			continue
		}
		mf := pass.AST(sf)
		if mf == nil {
			continue
		}
		for _, c := range mf.Calls(mf.Root, func(n string) bool { return n == "defineNuxtRouteMiddleware" }) {
			if strings.Contains(mf.Text(c), "useAuth") || strings.Contains(mf.Text(c), "isSignedIn") {
				return mp, c.Line
			}
		}
	}
	return "", 0
}
