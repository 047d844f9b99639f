package routes

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP011 flags the Express, Fastify and Hono entries of a server that uses
// Clerk which a signed-out caller reaches and which write data, make a
// privileged Clerk call, send mail, move money or read user data; routes
// registered before the Clerk middleware; and the redirecting
// requireAuth() on API routes. It is policy over the model: the entries,
// their middleware chains and verdicts, and their effects are
// pass.Model's.
var RP011 = &rules.Rule{
	ID:         "CLK-RP-011",
	Name:       "node-server-auth-not-enforced",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	// Routes and routers are registered in files that need not mention
	// Clerk: every module file is asked (the model lists entries once).
	Files: func(f *source.File) bool { return f.IsJS() },
	Doc: rules.Doc{
		Title: "Express, Fastify or Hono route with Clerk attached but not enforced",
		References: []string{
			"https://clerk.com/docs/reference/express/clerk-middleware",
			"https://clerk.com/docs/reference/express/require-auth",
			"https://clerk.com/docs/reference/fastify/clerk-plugin",
			"clerk/javascript packages/express/src/requireAuth.ts",
		},
		Text: "`clerkMiddleware()` (Express, Hono), `clerkPlugin` (Fastify) and the legacy `ClerkExpressWithAuth()` / " +
			"`ClerkExpressWithSession()` only attach the Auth object: a signed-out request still reaches every handler, " +
			"with `userId: null`. Each handler, or a guard middleware in front of it, must check `getAuth(req).userId` " +
			"(or `isAuthenticated`) and return 401.\n\n" +
			"Express and Hono run middleware in registration order, so a route registered before `app.use(clerkMiddleware())` " +
			"never sees Clerk, and `getAuth(req)` throws there. `requireAuth()` from `@clerk/express` redirects signed-out " +
			"requests to the sign-in page instead of answering 401, which breaks API clients, and is deprecated since 2.1.0.\n\n" +
			"The rule follows routers mounted with `app.use('/api', guard, router)`, Hono `app.route()` and Fastify " +
			"`register()` scopes, also across files, and accepts local guard functions that check the identity and exit. " +
			"Reads are reported when they are of user data (a private area such as `/admin` or `/account`, or Clerk's users); " +
			"a read-only public listing is not. A server that uses Clerk somewhere but has routes with no middleware at all is " +
			"reported too, and so is a guard that is the only check in front of routes but is registered only under a " +
			"condition (`if (env !== 'development') app.addHook(...)`): a mis-set variable opens them.",
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
	if !p.DependsOn(file, "@clerk/express") {
		// The project's Clerk SDK (Next.js, React Router, TanStack Start)
		// is not the server's: its clerkMiddleware, if any, is another API.
		fix = "Add `@clerk/express` to the server and register its middleware before any route " +
			"(`import { clerkMiddleware, getAuth } from '@clerk/express'; app.use(clerkMiddleware())`), then check `getAuth(req).userId` " +
			"in each handler, or in a guard middleware mounted in front of the routes, and return 401 when signed out."
	}
	if v, ok := p.Version(file, "@clerk/express"); ok && v != nil && !v.LessThan(semver.MustParse("2.1.0")) {
		fix += " `requireAuth()` is deprecated in your `@clerk/express` version and redirects instead of answering 401: " +
			"replace it with such a guard on API routes."
	} else {
		fix += " Don't use `requireAuth()` on API routes: it redirects signed-out requests to the sign-in page instead of answering 401."
	}
	return fix
}

// nodeFrameworks are the frameworks whose entries the rule judges.
var nodeFrameworks = map[model.Framework]bool{knowledge.Express: true, knowledge.Fastify: true, knowledge.Hono: true}

func runRP011(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	all, err := pass.Model.EntriesFor(pass.Ctx, knowledge.Express, knowledge.Fastify, knowledge.Hono)
	if err != nil {
		return nil
	}
	c := &rp011{pass: pass, reported: map[string]bool{}, clerk: map[model.Framework]int{}}
	for _, e := range all {
		if !nodeFrameworks[e.Framework] {
			continue
		}
		c.redirects(e)
		c.conditional(e)
		if e.File == pass.File.Path {
			c.entry(e)
		}
	}
	return nil
}

type rp011 struct {
	pass     *rules.Pass
	reported map[string]bool
	// clerk says whether a server file of the framework imports Clerk
	// (0 unknown yet, 1 yes, 2 no).
	clerk map[model.Framework]int
}

// redirects reports a redirecting Clerk guard (requireAuth()) in the
// pass's file in front of an API route.
func (c *rp011) redirects(e *model.Entry) {
	if !e.PathKnown || !knowledge.APIRoute(e.Path) {
		return
	}
	for _, l := range e.Chain {
		if l.Gate != model.GateRedirects || l.Clerk == "" || l.File != c.pass.File.Path {
			continue
		}
		key := fmt.Sprintf("redirect:%s", l.Location)
		if c.reported[key] {
			continue
		}
		c.reported[key] = true
		msg := fmt.Sprintf("%s guards API route %s: it redirects signed-out requests to the sign-in page (302) instead of answering 401",
			rules.Code(l.Name), rules.Code(e.Label()))
		if v, ok := c.pass.Project.Version(l.File, "@clerk/express"); ok && v != nil && !v.LessThan(semver.MustParse("2.1.0")) {
			msg += ", and it is deprecated since `@clerk/express` 2.1.0"
		}
		c.pass.Report(rules.Diagnostic{Line: l.Line, Severity: rules.Medium, Message: msg})
	}
}

// conditional reports a guard in the pass's file that is the only one in
// front of an entry and is registered under a condition: when the
// condition is false (a mis-set environment variable), the entry is open.
func (c *rp011) conditional(e *model.Entry) {
	var only *model.Layer
	for i, l := range e.Chain {
		if l.Gate != model.GateRejects && l.Gate != model.GateRedirects {
			continue
		}
		if l.Condition == "" || only != nil {
			return // an unconditional guard, or more than one
		}
		only = &e.Chain[i]
	}
	if only == nil || only.File != c.pass.File.Path || len(c.pass.Model.Effects(c.pass.Ctx, e).List) == 0 {
		return
	}
	key := fmt.Sprintf("condition:%s", only.Location)
	if c.reported[key] {
		return
	}
	c.reported[key] = true
	c.pass.Report(rules.Diagnostic{Line: only.Line, Severity: rules.Medium,
		Message: fmt.Sprintf("%s is the only check in front of %s (and the routes registered with it) and is registered only when %s: when that is false (a mis-set environment variable), signed-out callers reach every one of them",
			rules.Code(only.Name), rules.Code(e.Label()), rules.Code(only.Condition))})
}

// entry judges one entry registered in the pass's file.
func (c *rp011) entry(e *model.Entry) {
	attach := clerkLayer(e.Chain)
	if attach == nil {
		if later := clerkLayer(e.After); later != nil {
			c.order(e, later)
			return
		}
	}
	if e.DeclaredPublic() {
		return
	}
	c.writesBeforeGuard(e)
	v := c.pass.Model.Guard(c.pass.Ctx, e)
	fx := c.pass.Model.Effects(c.pass.Ctx, e)
	x := model.Exposed(e, v, fx)
	if x.Level == model.ExposeNone {
		x = c.nullOwnerRead(v, fx)
	}
	if x.Level == model.ExposeNone {
		return
	}
	if attach == nil && !c.usesClerk(e.Framework) {
		return // a server that does not use Clerk: not this rule's business
	}
	what := "calls " + rules.Code(x.Effect.Call)
	if x.Effect.Kind == model.ReturnsUser {
		what = fmt.Sprintf("%s (%s)", x.Why, rules.Code(strings.TrimPrefix(x.Effect.Call, "returns ")))
	}
	var msg string
	switch {
	case attach == nil:
		msg = fmt.Sprintf("%s %s and nothing checks the caller: no middleware in front of it rejects signed-out requests, and the handler does not check the Clerk identity and return 401", rules.Code(e.Label()), what)
	case attach.Clerk == "@clerk/clerk-sdk-node":
		msg = fmt.Sprintf("%s %s but is only behind the legacy %s, which never rejects a request, and the handler does not check `userId` and return 401", rules.Code(e.Label()), what, rules.Code(attach.Name))
	default:
		msg = fmt.Sprintf("%s %s but nothing rejects signed-out requests: %s only attaches the Auth object, and neither the handler nor a middleware in front of it checks `userId`/`isAuthenticated` and returns 401", rules.Code(e.Label()), what, rules.Code(attach.Name))
	}
	var rel []rules.Location
	for _, m := range e.Mounts {
		rel = append(rel, rules.Location{Path: m.File, Line: m.Line})
	}
	if e.Handler.File != "" && (e.Handler.File != e.File || e.Handler.Line != e.Line) {
		rel = append(rel, rules.Location{Path: e.Handler.File, Line: e.Handler.Line})
	}
	if attach != nil {
		rel = append(rel, rules.Location{Path: attach.File, Line: attach.Line})
	}
	c.pass.Report(rules.Diagnostic{Line: e.Line, Severity: severityOf(x), Message: msg, Related: rel})
}

// nullOwnerRead is the exposure of a read a signed-out caller reaches
// that filters by the caller's identity alone ({ user: userId }) on a
// record some entry stores with a null owner for signed-out callers: the
// exposure policy takes such a read to select nothing for a signed-out
// caller, but the null identity matches every record stored that way.
func (c *rp011) nullOwnerRead(v model.Verdict, fx model.Effects) model.Exposure {
	if v.Authn != model.AuthnNo && v.Authn != model.AuthnPartial {
		return model.Exposure{}
	}
	for _, x := range fx.List {
		if x.Kind != model.ReadsData || x.SignedOut != model.ReachYes || !x.NullOwner || len(x.Request) > 0 || x.Record == "" {
			continue
		}
		null, err := c.pass.Model.NullOwnedRecords(c.pass.Ctx)
		if err != nil || !null[x.Record] {
			return model.Exposure{}
		}
		return model.Exposure{Level: model.ExposeHigh, Effect: x,
			Why: "reads the " + x.Record + " records stored with a null owner for signed-out callers (the null identity matches them all)"}
	}
	return model.Exposure{}
}

// order reports a route registered before the Clerk middleware that
// expects the identity: its handler reads it, or a guard in front of it
// checks it.
func (c *rp011) order(e *model.Entry, later *model.Layer) {
	uses := false
	for _, in := range c.pass.Model.Inputs(c.pass.Ctx, e) {
		if in.Source == model.FromIdentity {
			uses = true
		}
	}
	for _, l := range e.Chain {
		if l.Gate == model.GateRejects {
			uses = true
		}
	}
	if !uses {
		return
	}
	fw := map[model.Framework]string{knowledge.Express: "Express", knowledge.Hono: "Hono", knowledge.Fastify: "Fastify"}[e.Framework]
	c.pass.Report(rules.Diagnostic{Line: e.Line, Severity: rules.Medium,
		Related: []rules.Location{{Path: later.File, Line: later.Line}},
		Message: fmt.Sprintf("%s is registered before the Clerk middleware, and %s runs middleware in registration order: Clerk never authenticates this route and `getAuth()` throws there", rules.Code(e.Label()), fw)})
}

// writesBeforeGuard reports a middleware that writes by itself (an upload
// handler storing files) placed before the guard of an entry: signed-out
// callers reach the write before they are rejected.
func (c *rp011) writesBeforeGuard(e *model.Entry) {
	for i, l := range e.Chain {
		if l.Gate == model.GateRejects || l.Gate == model.GateRedirects {
			return
		}
		if l.Writes == "" {
			continue
		}
		for _, g := range e.Chain[i+1:] {
			if g.Gate == model.GateRejects || g.Gate == model.GateRedirects {
				c.pass.Report(rules.Diagnostic{Line: e.Line, Severity: rules.Medium,
					Related: []rules.Location{{Path: l.File, Line: l.Line}, {Path: g.File, Line: g.Line}},
					Message: fmt.Sprintf("%s runs %s before %s: a signed-out caller's upload is stored before the guard rejects it; put the guard first",
						rules.Code(e.Label()), rules.Code(l.Name), rules.Code(g.Name))})
				return
			}
		}
		return
	}
}

// clerkLayer returns the first Clerk middleware of a chain.
func clerkLayer(ls []model.Layer) *model.Layer {
	for i := range ls {
		if ls[i].Clerk != "" {
			return &ls[i]
		}
	}
	return nil
}

// usesClerk reports whether a file of the framework's server (a route's
// file, its handler's, its middleware's) imports a Clerk package: the
// server authenticates its users with Clerk.
func (c *rp011) usesClerk(fw model.Framework) bool {
	if s := c.clerk[fw]; s != 0 {
		return s == 1
	}
	c.clerk[fw] = 2
	all, err := c.pass.Model.EntriesFor(c.pass.Ctx, fw)
	if err != nil {
		return false
	}
	seen := map[string]bool{}
	for _, e := range all {
		if e.Framework != fw {
			continue
		}
		files := []string{e.File, e.Handler.File}
		for _, l := range e.Chain {
			files = append(files, l.File)
			for _, pr := range l.Proof {
				files = append(files, pr.File)
			}
		}
		for _, p := range files {
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			if c.importsClerk(p) {
				c.clerk[fw] = 1
				return true
			}
		}
	}
	return false
}

func (c *rp011) importsClerk(p string) bool {
	sf := c.pass.Get(p)
	if sf == nil {
		return false
	}
	f := c.pass.AST(sf)
	if f == nil {
		return false
	}
	for _, im := range f.Imports() {
		if jsast.IsClerkModule(im.Source) {
			return true
		}
	}
	return false
}
