package routes

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RP011 flags Express, Fastify and Hono servers where Clerk attaches the
// Auth object but nothing enforces it, routes registered before the Clerk
// middleware, and the deprecated redirecting requireAuth() on API routes.
var RP011 = &rules.Rule{
	ID:         "CLK-RP-011",
	Name:       "node-server-auth-not-enforced",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Keywords:   []string{"@clerk/express", "@clerk/fastify", "@clerk/hono", "@hono/clerk-auth", "@clerk/clerk-sdk-node"},
	Doc: rules.Doc{
		Title: "express, fastify or hono route with clerk attached but not enforced",
		Text: "`clerkMiddleware()` (Express, Hono), `clerkPlugin` (Fastify) and the legacy `ClerkExpressWithAuth()` / " +
			"`ClerkExpressWithSession()` only attach the Auth object: a signed-out request still reaches every handler, " +
			"with `userId: null`. Each handler, or a guard middleware in front of it, must check `getAuth(req).userId` " +
			"(or `isAuthenticated`) and return 401.\n\n" +
			"Express and Hono run middleware in registration order, so a route registered before `app.use(clerkMiddleware())` " +
			"never sees Clerk, and `getAuth(req)` throws there. `requireAuth()` from `@clerk/express` redirects signed-out " +
			"requests to the sign-in page instead of answering 401, which breaks API clients, and is deprecated since 2.1.0.\n\n" +
			"The rule follows routers mounted with `app.use('/api', guard, router)`, Hono `app.route()` and Fastify " +
			"`register()` scopes, also across files, and accepts local guard functions that check the identity and exit.",
		Bad: "app.use(clerkMiddleware())\n" +
			"app.get('/api/orders', async (req, res) => {\n  res.json(await db.order.findMany())\n})",
		Good: "app.use(clerkMiddleware())\n" +
			"app.get('/api/orders', async (req, res) => {\n  const { isAuthenticated, userId } = getAuth(req)\n" +
			"  if (!isAuthenticated) return res.status(401).json({ error: 'Unauthorized' })\n" +
			"  res.json(await db.order.findMany({ where: { userId } }))\n})",
		Lang: "js",
	},
	Fix: fixRP011,
	Run: runRP011,
}

func fixRP011(p *project.Model, file string) string {
	switch {
	case p.DependsOn(file, "@clerk/fastify"):
		return "`clerkPlugin` only attaches the Auth object. In each handler (or a `preHandler` hook of the scope), call " +
			"`const { isAuthenticated, userId } = getAuth(request)` and `return reply.code(401).send()` when signed out."
	case p.DependsOn(file, "@clerk/hono") || p.DependsOn(file, "@hono/clerk-auth"):
		return "`clerkMiddleware()` only attaches the Auth object. In each handler (or a guard registered after it), " +
			"check `const auth = getAuth(c); if (!auth?.userId) return c.json({ error: 'Unauthorized' }, 401)`. " +
			"Register `clerkMiddleware()` before the routes."
	case p.DependsOn(file, "@clerk/clerk-sdk-node") && !p.DependsOn(file, "@clerk/express"):
		return "`@clerk/clerk-sdk-node` is removed; migrate to `@clerk/express`: `app.use(clerkMiddleware())` before the routes, " +
			"then in each handler `const { isAuthenticated } = getAuth(req); if (!isAuthenticated) return res.status(401).end()`."
	}
	fix := "Register `app.use(clerkMiddleware())` before any route, then check `getAuth(req).isAuthenticated` (or `userId`) " +
		"in each handler, or in a guard middleware mounted in front of the routes, and return 401 when signed out."
	if v, ok := p.Version(file, "@clerk/express"); ok && v != nil && !v.LessThan(semver.MustParse("2.1.0")) {
		fix += " `requireAuth()` is deprecated in your `@clerk/express` version and redirects instead of answering 401: " +
			"replace it with such a guard on API routes."
	} else {
		fix += " Don't use `requireAuth()` on API routes: it redirects signed-out requests to the sign-in page instead of answering 401."
	}
	return fix
}

// Clerk middleware classes.
type srvLayerKind int

const (
	layerOther     srvLayerKind = iota
	layerAttach                 // clerkMiddleware(), clerkPlugin
	layerLax                    // ClerkExpressWithAuth(), ClerkExpressWithSession()
	layerRedirect               // requireAuth(): rejects by redirecting
	layerRejecting              // ClerkExpressRequireAuth(), protect(), a guard that checks the identity
)

// srvClerkMiddleware classifies a Clerk export used as middleware.
var srvClerkMiddleware = map[string]srvLayerKind{
	"clerkMiddleware": layerAttach, "clerkPlugin": layerAttach, "withClerkMiddleware": layerAttach,
	"ClerkExpressWithAuth": layerLax, "ClerkExpressWithSession": layerLax, "expressWithSession": layerLax, "expressWithAuth": layerLax,
	"requireAuth":             layerRedirect,
	"ClerkExpressRequireAuth": layerRejecting, "ClerkExpressRequireSession": layerRejecting,
	"expressRequireSession": layerRejecting, "expressRequireAuth": layerRejecting, "protect": layerRejecting,
}

// srvLayer is middleware that runs before a handler.
type srvLayer struct {
	file    *jsast.File
	expr    *jsast.Node
	pattern string // path the middleware is mounted at ("" = everything)
	known   bool   // pattern is a constant
	kind    srvLayerKind
	name    string // display name of Clerk middleware
}

type rp011 struct {
	pass     *rules.Pass
	r        *srvResolver
	visited  map[string]bool
	reported map[string]bool
}

func runRP011(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	s := srvNodeServer(pass, f)
	if s == nil {
		return nil
	}
	c := &rp011{pass: pass, r: &srvResolver{pass: pass}, visited: map[string]bool{}, reported: map[string]bool{}}
	for _, app := range s.Apps {
		if app.Parent != nil || !c.registersClerk(app) {
			continue
		}
		c.walk(app, nil, app.Prefix, nil, false)
	}
	return nil
}

// srvNodeServer parses the registration model of f once per file.
func srvNodeServer(pass *rules.Pass, f *jsast.File) *project.NodeServer {
	sf := pass.Get(f.Path)
	if sf == nil {
		return project.ParseNodeServer(f)
	}
	return sf.Memo("nodeserver", func() any { return project.ParseNodeServer(f) }).(*project.NodeServer)
}

// registersClerk reports whether Clerk middleware is registered directly
// on app or on one of its routes (the entry of the analysis).
func (c *rp011) registersClerk(app *project.NodeApp) bool {
	f := app.Server().File
	for _, reg := range app.Regs {
		args := reg.Args
		if reg.Kind == project.RegRoute {
			args = reg.Middleware()
		}
		for _, a := range project.FlattenArgs(args) {
			if k, _ := c.classifyClerk(f, a); k != layerOther {
				return true
			}
		}
	}
	return false
}

// classifyClerk recognises Clerk middleware: calls of Clerk exports, the
// clerkPlugin identifier, and members of a legacy clerk instance.
func (c *rp011) classifyClerk(f *jsast.File, n *jsast.Node) (srvLayerKind, string) {
	n = jsast.Unwrap(n)
	if n == nil {
		return layerOther, ""
	}
	name := ""
	switch n.Type {
	case "call_expression":
		name = f.CalleeName(n)
	case "identifier":
		name = f.Text(n)
		if f.ResolveClerk(name) != "clerkPlugin" {
			return layerOther, ""
		}
	default:
		return layerOther, ""
	}
	root := strings.Split(name, ".")[0]
	exp := f.ResolveClerk(root)
	if exp == "" {
		return layerOther, ""
	}
	if exp == "*" || exp == "default" || strings.Contains(name, ".") {
		exp = jsast.LastSegment(strings.TrimSuffix(name, "()"))
	}
	if k, ok := srvClerkMiddleware[exp]; ok {
		if n.Type == "identifier" {
			return k, name
		}
		return k, strings.TrimSuffix(name, "()") + "()"
	}
	return layerOther, ""
}

// classify classifies one middleware expression, resolving local guards.
func (c *rp011) classify(f *jsast.File, n *jsast.Node, pattern string, known bool) srvLayer {
	l := srvLayer{file: f, expr: n, pattern: pattern, known: known}
	l.kind, l.name = c.classifyClerk(f, n)
	if l.kind != layerOther {
		if l.kind == layerAttach && jsast.Unwrap(n).Type == "identifier" {
			l.name = f.Text(jsast.Unwrap(n))
		}
		return l
	}
	if fn, ok := c.r.function(f, n); ok && c.r.checksAuth(fn.File, fn.Fn) {
		l.kind = layerRejecting
	}
	return l
}

func (l srvLayer) covers(p string, known bool) bool {
	if !l.known || !known {
		return true
	}
	return project.PathCovers(l.pattern, p)
}

// walk visits an app's registrations with the layers inherited from its
// mount point. clerkLater says Clerk is registered on an ancestor after
// the mount, for ordered frameworks.
func (c *rp011) walk(app *project.NodeApp, inherited []srvLayer, prefix string, related []rules.Location, clerkLater bool) {
	f := app.Server().File
	key := fmt.Sprintf("%s:%d:%s", f.Path, app.Decl.Start, prefix)
	if c.visited[key] {
		return
	}
	c.visited[key] = true

	ordered := app.Framework != project.FrameworkFastify
	active := append([]srvLayer(nil), inherited...)
	if !ordered {
		// Fastify hooks and plugins apply to the whole scope.
		for _, reg := range app.Regs {
			switch reg.Kind {
			case project.RegHook:
				if reg.Method == "onRequest" || reg.Method == "preHandler" || reg.Method == "preValidation" {
					for _, a := range project.FlattenArgs(reg.Args) {
						active = append(active, c.classify(f, a, prefix, true))
					}
				}
			case project.RegRegister:
				for _, a := range reg.Args {
					if k, name := c.classifyClerk(f, a); k != layerOther {
						active = append(active, srvLayer{file: f, expr: a, pattern: prefix, known: true, kind: k, name: name})
					}
				}
			}
		}
	}
	for i, reg := range app.Regs {
		switch reg.Kind {
		case project.RegUse:
			if !ordered {
				continue
			}
			pat := project.JoinPath(prefix, reg.Path)
			known := reg.PathKnown || !reg.HasPath
			var chain []srvLayer
			for _, a := range project.FlattenArgs(reg.Args) {
				if sub, subRel := c.subApp(f, a); sub != nil {
					rel := append(append([]rules.Location(nil), related...), rules.Location{Path: f.Path, Line: reg.Line})
					rel = append(rel, subRel...)
					c.walk(sub, append(append([]srvLayer(nil), active...), chain...), pat, rel,
						clerkLater || c.clerkAfter(app, i, pat))
					continue
				}
				chain = append(chain, c.classify(f, a, pat, known))
			}
			active = append(active, chain...)
		case project.RegMount:
			pat := project.JoinPath(prefix, reg.Path)
			for _, a := range reg.Args {
				if sub, subRel := c.subApp(f, a); sub != nil {
					rel := append(append([]rules.Location(nil), related...), rules.Location{Path: f.Path, Line: reg.Line})
					c.walk(sub, active, project.JoinPath(pat, sub.Prefix), append(rel, subRel...), clerkLater || c.clerkAfter(app, i, pat))
				}
			}
		case project.RegRegister:
			pat := project.JoinPath(prefix, reg.Path)
			for _, a := range reg.Args {
				if sub, subRel := c.subApp(f, a); sub != nil {
					rel := append(append([]rules.Location(nil), related...), rules.Location{Path: f.Path, Line: reg.Line})
					c.walk(sub, active, project.JoinPath(pat, sub.Prefix), append(rel, subRel...), false)
				}
			}
		case project.RegRoute:
			c.route(app, reg, active, prefix, related, clerkLater || (ordered && c.clerkAfter(app, i, project.JoinPath(prefix, reg.Path))))
		}
	}
	// Fastify plugins of this file registered on app.
	if !ordered {
		for _, sub := range app.Server().Apps {
			if sub.Parent == app {
				c.walk(sub, active, project.JoinPath(prefix, sub.Prefix), related, false)
			}
		}
	}
}

// clerkAfter reports whether Clerk middleware covering pat is registered on
// app after registration i.
func (c *rp011) clerkAfter(app *project.NodeApp, i int, pat string) bool {
	f := app.Server().File
	for _, reg := range app.Regs[i+1:] {
		if reg.Kind != project.RegUse {
			continue
		}
		for _, a := range project.FlattenArgs(reg.Args) {
			if k, _ := c.classifyClerk(f, a); k != layerOther {
				if !reg.HasPath || !reg.PathKnown || project.PathCovers(reg.Path, pat) {
					return true
				}
			}
		}
	}
	return false
}

// subApp resolves a mounted router, sub-app or plugin: in the same file
// or exported by a relative module.
func (c *rp011) subApp(f *jsast.File, n *jsast.Node) (*project.NodeApp, []rules.Location) {
	n = jsast.Unwrap(n)
	if n == nil {
		return nil, nil
	}
	s := srvNodeServer(c.pass, f)
	if s != nil {
		if a := s.AppOf(n); a != nil {
			return a, nil
		}
		if jsast.IsFunction(n) {
			for _, a := range s.Apps {
				if a.Scope == n {
					return a, nil
				}
			}
		}
	}
	var spec, name string
	switch n.Type {
	case "identifier":
		im, ok := f.ImportOf(f.Text(n))
		if !ok {
			if v := jsast.Unwrap(f.LocalValue(f.Text(n))); v != nil && s != nil {
				for _, a := range s.Apps {
					if a.Scope == v {
						return a, nil
					}
				}
			}
			return nil, nil
		}
		spec, name = im.Source, im.Imported
	case "call_expression":
		// require('./routes/orders') inline, or import('./routes/orders').
		callee := f.CalleeName(n)
		if callee != "require" && jsast.Unwrap(n.ChildByField("function")).Type != "import" {
			return nil, nil
		}
		if a := jsast.Args(n); len(a) == 1 {
			spec, _ = f.StringValue(a[0])
			name = "default"
		}
	case "member_expression":
		obj := jsast.Unwrap(n.ChildByField("object"))
		if obj == nil || obj.Type != "identifier" {
			return nil, nil
		}
		im, ok := f.ImportOf(f.Text(obj))
		if !ok {
			return nil, nil
		}
		spec, name = im.Source, f.Text(n.ChildByField("property"))
	default:
		return nil, nil
	}
	p := c.r.module(f.Path, spec)
	if p == "" {
		return nil, nil
	}
	other := c.r.parse(p)
	if other == nil {
		return nil, nil
	}
	os := srvNodeServer(c.pass, other)
	if os == nil {
		return nil, nil
	}
	if name == "*" {
		name = "default"
	}
	v, ok := c.r.exportNode(other, name)
	if !ok {
		return nil, nil
	}
	v = jsast.Unwrap(v)
	if a := os.AppOf(v); a != nil {
		return a, nil
	}
	for _, a := range os.Apps {
		switch {
		case a.Scope == v, a.Decl.Type == "variable_declarator" && jsast.Unwrap(a.Decl.ChildByField("value")) == v,
			v != nil && v.Type == "call_expression" && len(jsast.Args(v)) > 0 && a.Scope == jsast.Unwrap(jsast.Args(v)[0]):
			return a, []rules.Location{{Path: other.Path, Line: a.Decl.Line}}
		}
	}
	return nil, nil
}

// route judges one route registration.
func (c *rp011) route(app *project.NodeApp, reg *project.Registration, active []srvLayer, prefix string, related []rules.Location, clerkLater bool) {
	f := app.Server().File
	full := project.JoinPath(prefix, reg.Path)
	known := reg.PathKnown
	var layers []srvLayer
	for _, l := range active {
		if l.covers(full, known) {
			layers = append(layers, l)
		}
	}
	for _, m := range project.FlattenArgs(reg.Middleware()) {
		layers = append(layers, c.classify(f, m, full, true))
	}
	attached, guarded := false, false
	var clerkName string
	var clerkLayer *srvLayer
	lax := true
	for i, l := range layers {
		switch l.kind {
		case layerAttach, layerLax:
			attached = true
			if clerkLayer == nil {
				clerkLayer, clerkName = &layers[i], l.name
			}
			if l.kind == layerAttach {
				lax = false
			}
		case layerRedirect:
			attached, guarded, lax = true, true, false
			c.reportRedirect(l, reg, full)
		case layerRejecting:
			guarded = true
			if _, isClerk := c.classifyClerk(l.file, l.expr); isClerk != "" {
				attached = true
			}
		}
	}
	label := reg.Method + " " + full
	if !known {
		label = reg.Method + " route"
	}
	h := reg.Handler()
	hfn, resolved := c.r.function(f, h)
	usesAuth := false
	if resolved {
		usesAuth = srvUsesClerkAuth(hfn.File, hfn.Fn)
		if c.r.checksAuth(hfn.File, hfn.Fn) {
			guarded = true
		}
	}
	if !attached {
		if clerkLater && (usesAuth || guardsUseAuth(layers)) {
			c.report(rules.Diagnostic{Path: f.Path, Line: reg.Line, Column: reg.Call.Col, Related: related,
				Severity: rules.Medium,
				Message:  fmt.Sprintf("%s is registered before the Clerk middleware, and %s runs middleware in registration order: Clerk never authenticates this route and `getAuth()` throws there", rules.Code(label), srvFrameworkName(app.Framework))})
		}
		return
	}
	if guarded || !resolved || (known && srvIsPublicPath(full)) {
		return
	}
	what, data := srvTouchesData(hfn.File, hfn.Fn)
	if !data && !usesAuth {
		return
	}
	reason := fmt.Sprintf("calls %s", rules.Code(what))
	if !data {
		reason = "reads the Clerk identity"
	}
	rel := related
	if clerkLayer != nil {
		rel = append(append([]rules.Location(nil), related...), rules.Location{Path: clerkLayer.file.Path, Line: clerkLayer.expr.Line})
	}
	msg := fmt.Sprintf("%s %s but nothing rejects signed-out requests: %s only attaches the Auth object, and neither the handler nor a middleware in front of it checks `userId`/`isAuthenticated` and returns 401", rules.Code(label), reason, rules.Code(clerkName))
	if lax {
		msg = fmt.Sprintf("%s %s but is only behind the legacy %s, which never rejects a request, and the handler does not check `userId` and return 401", rules.Code(label), reason, rules.Code(clerkName))
	}
	line, col := reg.Line, reg.Call.Col
	c.report(rules.Diagnostic{Path: f.Path, Line: line, Column: col, Message: msg, Related: rel})
}

func guardsUseAuth(layers []srvLayer) bool {
	for _, l := range layers {
		if l.kind == layerRejecting {
			return true
		}
	}
	return false
}

func (c *rp011) reportRedirect(l srvLayer, reg *project.Registration, full string) {
	if !srvIsAPIPath(full) {
		return
	}
	key := fmt.Sprintf("redirect:%s:%d", l.file.Path, l.expr.Start)
	if c.reported[key] {
		return
	}
	c.reported[key] = true
	msg := fmt.Sprintf("%s guards API route %s: it redirects signed-out requests to the sign-in page (302) instead of answering 401", rules.Code(l.name), rules.Code(fmt.Sprintf("%s %s", reg.Method, full)))
	if v, ok := c.pass.Project.Version(l.file.Path, "@clerk/express"); ok && v != nil && !v.LessThan(semver.MustParse("2.1.0")) {
		msg += ", and it is deprecated since `@clerk/express` 2.1.0"
	}
	c.pass.Report(rules.Diagnostic{Path: l.file.Path, Line: l.expr.Line, Column: l.expr.Col, Severity: rules.Medium, Message: msg})
}

func (c *rp011) report(d rules.Diagnostic) {
	key := fmt.Sprintf("%s:%d:%s", d.Path, d.Line, d.Message)
	if c.reported[key] {
		return
	}
	c.reported[key] = true
	c.pass.Report(d)
}

// srvIsAPIPath reports whether a route path is an API endpoint.
func srvIsAPIPath(p string) bool {
	p = strings.ToLower(p)
	return strings.HasPrefix(p, "/api") || strings.HasPrefix(p, "/graphql") || strings.HasPrefix(p, "/trpc") ||
		strings.HasPrefix(p, "/v1/") || strings.HasPrefix(p, "/v2/")
}

func srvFrameworkName(fw string) string {
	switch fw {
	case project.FrameworkHono:
		return "Hono"
	case project.FrameworkFastify:
		return "Fastify"
	}
	return "Express"
}

// srvUsesClerkAuth reports whether fn reads the Clerk Auth object:
// getAuth(...), req.auth, request.auth.
func srvUsesClerkAuth(f *jsast.File, fn *jsast.Node) bool {
	found := false
	jsast.Walk(fn, func(n *jsast.Node) bool {
		if found {
			return false
		}
		switch n.Type {
		case "call_expression":
			name := f.CalleeName(n)
			if name == "getAuth" || f.ResolveClerk(name) == "getAuth" {
				found = true
			}
		case "member_expression":
			name := f.Name(n)
			if name == "req.auth" || name == "request.auth" || name == "req.auth()" {
				found = true
			}
		}
		return true
	})
	return found
}
