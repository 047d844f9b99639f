package routes

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RP009 flags createRouteMatcher() gating: public patterns that open more
// than intended, inverted matcher logic, routes whose only protection is
// a protected matcher pattern, and protect lists that leave out routes
// reaching data (rp009_protect_list.go).
var RP009 = &rules.Rule{
	ID:         "CLK-RP-009",
	Name:       "route-matcher-gating",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Scope:      rules.PerSnapshot,
	Doc: rules.Doc{
		Title: "middleware-only gating with createRouteMatcher, or over-broad patterns",
		References: []string{
			"https://github.com/clerk/javascript/security/advisories/GHSA-vqx2-fgx2-5wq9",
			"https://clerk.com/docs/reference/nextjs/clerk-middleware",
			"https://clerk.com/docs/guides/development/upgrading/upgrade-guides/migrate-from-create-route-matcher",
			"clerk/javascript packages/nextjs/CHANGELOG.md",
		},
		Text: "`createRouteMatcher()` decides protection from the URL path in middleware, which can diverge from how Next.js " +
			"routes the request (GHSA-vqx2-fgx2-5wq9 path normalisation, CVE-2025-29927) and never covers Server Actions; it is " +
			"deprecated from `@clerk/nextjs` 7.5.14. These mistakes are reported:\n\n" +
			"- a public pattern with `(.*)` right after a name (`'/blog(.*)'` also matches `/blog-admin`) or one covering `/api` or " +
			"`/trpc` wholesale, when the repository has a route the pattern opens beyond the intended one and that route has no " +
			"check of its own (High; once per pattern, every route it opens a related location, and the route rules do not " +
			"report those routes again);\n" +
			"- a public `'/:slug'` pattern, which matches every top-level path, opening such a route (High);\n" +
			"- inverted logic: `if (isPublicRoute(req)) await auth.protect()` protects the public routes and opens the rest (High);\n" +
			"- a protect-list pattern written as one string holding several comma-joined paths (`'/perfil, /api(.*)'`, a " +
			"missing pair of quotes), in Next.js or Astro middleware: it matches none of the paths it names, so all of them " +
			"are public (High);\n" +
			"- a protected pattern naming a route group folder (`'/(dashboard)(.*)'`): route groups are not part of the URL, so " +
			"the group's pages are never matched (High);\n" +
			"- a route handler, API route or page that touches data under a protected pattern (`'/admin(.*)'`) with no check of " +
			"its own, so the middleware is its only protection (Medium);\n" +
			"- a list of the routes to protect (deny by exception: `if (isProtectedRoute(req)) await auth.protect()`, in Next.js " +
			"or Astro middleware) that the application relies on (a route it lists reaches data with no check of its own) and " +
			"that leaves out routes reaching user data or a privileged effect with no check of their own: every route the list " +
			"does not name is public, so one forgotten prefix (`/api(.*)`) opens them all. Reported once, at " +
			"the list, naming the routes left out by URL path (each is a related location); the routes themselves stay reported " +
			"by their own rules. Routes public by design (webhooks, health checks, sign-in) and routes that check the caller " +
			"themselves do not count. The fix is to invert the list into the public routes (`if (!isPublicRoute(req))`) or to " +
			"check in each route (High).\n\n" +
			"Webhook-motivated public patterns (a pattern naming a webhook path, or `/api` opened wholesale in a repository with " +
			"a webhook route) belong to CLK-WH-006 and are not reported here. Routes nothing protects at all are CLK-RP-003's.",
		Bad: "const isProtectedRoute = createRouteMatcher(['/admin(.*)'])\n" +
			"export default clerkMiddleware(async (auth, req) => {\n  if (isProtectedRoute(req)) await auth.protect()\n})\n" +
			"// app/admin/users/route.ts has no auth() call",
		Good: "export default clerkMiddleware()\n\n// app/admin/users/route.ts\nexport async function GET() {\n" +
			"  const { userId } = await auth.protect()\n  return Response.json(await db.user.findMany())\n}",
	},
	Fix: rp009Fix,
	Run: runRP009,
}

func rp009Fix(p *project.Model, file string) string {
	if a, ok := rules.FrameworkAuthOf(p, file); ok {
		return a.NextOnlyFix()
	}
	if p.NextEra(file) == project.EraCore1 {
		return "`authMiddleware()` (your `@clerk/nextjs` v4) protects every route except its `publicRoutes` patterns, and a pattern broader " +
			"than the routes it means opens the rest: list exact paths in `publicRoutes`, keep `ignoredRoutes` for static files only, " +
			"and check in each resource: " + guardSnippet(p, file) + "."
	}
	deprec := "`createRouteMatcher()` is deprecated from `@clerk/nextjs` 7.5.14"
	switch p.NextEra(file) {
	case project.EraCore3:
		deprec = "`createRouteMatcher()` is deprecated in your `@clerk/nextjs` line (from 7.5.14)"
	case project.EraV5:
		deprec += " (stay at 5.7.6 or later for the GHSA-vqx2-fgx2-5wq9 fix)"
	case project.EraV6:
		deprec += " (stay at 6.39.3 or later for the GHSA-vqx2-fgx2-5wq9 and GHSA-w24r-5266-9c3c fixes)"
	}
	return deprec + ": middleware gating can be bypassed and never covers Server Actions. Keep `clerkMiddleware()` and check in each resource: " +
		guardSnippet(p, file) + ". `@clerk/eslint-plugin`'s `require-auth-protection` keeps it that way."
}

var (
	publicishName    = regexp.MustCompile(`(?i)public|ignored|unprotected|anonymous|unauth|bypass|skip|exclude|open`)
	protectedishName = regexp.MustCompile(`(?i)protected|private|secure|admin|dashboard|member|authed|authenticated|signedin`)
	topParam         = regexp.MustCompile(`^/:[A-Za-z_]\w*$`)
)

// matcherRole is what a route matcher decides in the handler.
type matcherRole int

const (
	roleUnknown matcherRole = iota
	rolePublic
	roleProtected
)

// matcherUse is one `if` of the handler that guards a protect call with a
// route matcher call.
type matcherUse struct {
	rm      *project.RouteMatcher
	negated bool
	cond    *jsast.Node
}

func runRP009(pass *rules.Pass) error {
	webhookRepo := hasWebhookRoute(pass)
	for _, a := range pass.Project.Next {
		if c := newRP009(pass, a, webhookRepo); c != nil {
			c.run()
		}
	}
	protectListGaps(pass)
	joinedPatterns(pass)
	return nil
}

// hasWebhookRoute reports whether the repository has an API path naming a
// webhook (CLK-WH-006 then owns an /api opened wholesale).
func hasWebhookRoute(pass *rules.Pass) bool {
	for _, p := range pass.Paths() {
		lp := strings.ToLower(p)
		if strings.Contains(lp, "webhook") && strings.Contains(lp, "api") {
			return true
		}
	}
	return false
}

// newRP009 prepares the checks of one app's middleware (nil when it has
// no Clerk handler with route matchers): the role of each matcher, and
// the inverted conditions found on the way.
func newRP009(pass *rules.Pass, a *project.NextApp, webhookRepo bool) *rp009 {
	mw := a.Middleware
	if !a.Clerk || mw == nil || !mw.Clerk || mw.Legacy || mw.AST == nil || mw.Handler == nil || len(mw.RouteMatchers) == 0 {
		return nil
	}
	c := &rp009{pass: pass, app: a, mw: mw, f: mw.AST, webhookRepo: webhookRepo}
	c.classify()
	return c
}

// openedByPublicPattern returns the public route-matcher pattern that
// opens route r beyond what it names, when CLK-RP-009 reports it (at the
// pattern, with the route as related location): the route rules then do
// not report the same root cause a second time.
func openedByPublicPattern(pass *rules.Pass, r *project.Route) *project.PathPattern {
	if r == nil || r.App == nil {
		return nil
	}
	c := newRP009(pass, r.App, hasWebhookRoute(pass))
	if c == nil {
		return nil
	}
	for _, o := range c.openings() {
		if o.route == r || slices.Contains(o.also, r) {
			return o.pat
		}
	}
	return nil
}

type rp009 struct {
	pass        *rules.Pass
	app         *project.NextApp
	mw          *project.Middleware
	f           *jsast.File
	webhookRepo bool
	roles       map[*project.RouteMatcher]matcherRole
	inverted    []rules.Diagnostic
}

func (c *rp009) run() {
	for _, d := range c.inverted {
		c.report(d)
	}
	for _, o := range c.openings() {
		c.report(o.diag)
	}
	c.routeGroupPatterns()
	c.middlewareOnly()
}

// routeGroupPatterns reports a protected pattern that names a route group
// folder ('/(dashboard)(.*)' for app/(dashboard)/...): route groups are
// not part of the URL, so the pattern never matches the group's pages
// (it matches a /dashboard path that may not exist).
func (c *rp009) routeGroupPatterns() {
	groups := map[string]string{} // group name -> a route file in it
	for _, r := range c.app.Routes {
		for _, seg := range strings.Split(r.File, "/") {
			if len(seg) > 2 && strings.HasPrefix(seg, "(") && strings.HasSuffix(seg, ")") && !strings.HasPrefix(seg, "(.") {
				if _, ok := groups[seg]; !ok {
					groups[seg] = r.File
				}
			}
		}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, rm := range c.mw.RouteMatchers {
		if c.roles[rm] != roleProtected {
			continue
		}
		for _, p := range rm.Patterns {
			for _, g := range names {
				file := groups[g]
				if !strings.Contains(p.Source, "/"+g) {
					continue
				}
				c.report(rules.Diagnostic{Path: c.mw.File, Line: p.Line, Related: []rules.Location{{Path: file, Line: 1}},
					Message: fmt.Sprintf("protected route matcher %s lists %s, which names the route group %s: route groups are not part of the URL, so the pages in it (%s) are never protected by this pattern", rules.Code(rm.Name), rules.Code(p.Source), rules.Code(g), rules.Code(file)),
					Fix:     "Match the URL paths the group's pages serve (route groups are left out of the URL), or better, check the caller in each page and route. " + c.pass.Fix(c.mw.File)})
				break
			}
		}
	}
}

// classify decides each route matcher's role from how the handler uses
// it, recording inverted conditions.
func (c *rp009) classify() {
	c.roles = map[*project.RouteMatcher]matcherRole{}
	for _, u := range c.uses() {
		name := u.rm.Name
		switch {
		case !u.negated && publicishName.MatchString(name) && !protectedishName.MatchString(name):
			c.inverted = append(c.inverted, rules.Diagnostic{Path: c.mw.File, Line: u.cond.Line, Column: u.cond.Col,
				Message: fmt.Sprintf("%s calls the protect step when %s matches, so the routes it lists are protected and every other route is open: the condition is inverted", rules.Code(strings.TrimSpace(c.f.Text(u.cond))), rules.Code(name)),
				Fix:     fmt.Sprintf("Negate it: %s, or better, check in each resource. ", rules.Code("if (!"+name+"(req)) await auth.protect()")) + c.pass.Fix(c.mw.File)})
			c.roles[u.rm] = roleProtected
		case u.negated && protectedishName.MatchString(name) && !publicishName.MatchString(name):
			c.inverted = append(c.inverted, rules.Diagnostic{Path: c.mw.File, Line: u.cond.Line, Column: u.cond.Col,
				Message: fmt.Sprintf("%s protects every route except those %s lists: the condition is inverted", rules.Code(strings.TrimSpace(c.f.Text(u.cond))), rules.Code(name)),
				Fix:     fmt.Sprintf("Drop the negation: %s, or better, check in each resource. ", rules.Code("if ("+name+"(req)) await auth.protect()")) + c.pass.Fix(c.mw.File)})
			c.roles[u.rm] = rolePublic
		case u.negated:
			c.roles[u.rm] = rolePublic
		default:
			if c.roles[u.rm] == roleUnknown {
				c.roles[u.rm] = roleProtected
			}
		}
	}
	for _, rm := range c.mw.RouteMatchers {
		if c.roles[rm] == roleUnknown && publicishName.MatchString(rm.Name) {
			c.roles[rm] = rolePublic
		}
	}
}

// opening is a public pattern that opens a route beyond the intended one.
type opening struct {
	pat   *project.PathPattern
	route *project.Route
	// also are the other routes the pattern opens, related locations of
	// the one finding.
	also []*project.Route
	diag rules.Diagnostic
}

// openings lists, per public pattern, the first route it opens beyond
// the one it names.
func (c *rp009) openings() []opening {
	var out []opening
	for _, rm := range c.mw.RouteMatchers {
		if c.roles[rm] == rolePublic {
			for _, p := range rm.Patterns {
				if o, ok := c.publicPattern(rm, p); ok {
					out = append(out, o)
				}
			}
		}
	}
	return out
}

func (c *rp009) report(d rules.Diagnostic) { c.pass.Report(d) }

// uses finds `if` statements of the handler whose condition calls a route
// matcher and whose consequence protects (auth.protect(),
// redirectToSignIn()).
func (c *rp009) uses() []matcherUse {
	var out []matcherUse
	for _, st := range jsast.Find(c.mw.Handler, "if_statement") {
		cons := st.ChildByField("consequence")
		if cons == nil || !c.protects(cons) {
			continue
		}
		cond := st.ChildByField("condition")
		for _, call := range c.f.Calls(cond, func(n string) bool { return c.mw.RouteMatcherNamed(n) != nil }) {
			rm := c.mw.RouteMatcherNamed(c.f.CalleeName(call))
			neg := false
			for p := call.Parent; p != nil && p != cond; p = p.Parent {
				if p.Type == "unary_expression" && strings.HasPrefix(c.f.Text(p), "!") {
					neg = !neg
				}
			}
			out = append(out, matcherUse{rm: rm, negated: neg, cond: jsast.Unwrap(cond)})
		}
	}
	return out
}

func (c *rp009) protects(n *jsast.Node) bool {
	return len(c.f.Calls(n, func(name string) bool {
		last := jsast.LastSegment(name)
		return last == "protect" || last == "redirectToSignIn"
	})) > 0
}

// publicPattern reports a public pattern that opens a real route beyond
// the intended one.
func (c *rp009) publicPattern(rm *project.RouteMatcher, p *project.PathPattern) (opening, bool) {
	if p.Err != nil || strings.Contains(strings.ToLower(p.Source), "webhook") {
		return opening{}, false // CLK-WH-006 owns webhook-motivated patterns
	}
	wholesale := ""
	for _, root := range []string{"/api", "/trpc"} {
		if p.Match(root+"/clerkguard-probe") && p.Match(root+"/clerkguard-probe/x") {
			wholesale = root
			break
		}
	}
	if wholesale == "/api" && c.webhookRepo {
		return opening{}, false // CLK-WH-006 reports /api opened for the webhook
	}
	// '/:slug' (a parameter as the whole first segment) matches every
	// top-level path, not only the dynamic route it was written for.
	anyTop := wholesale == "" && topParam.MatchString(p.Source) && p.Match("/clerkguard-probe")
	prefix := ""
	if wholesale == "" && !anyTop {
		i := strings.IndexAny(p.Source, "(:{*")
		if i <= 0 || strings.HasSuffix(p.Source[:i], "/") || !strings.HasPrefix(p.Source[i:], "(") || strings.HasPrefix(p.Source, "/(") {
			return opening{}, false
		}
		prefix = strings.ToLower(p.Source[:i])
	}
	var found opening
	var others []string
	for _, r := range c.app.Routes {
		if r.Kind == project.Layout || r.Kind == project.Template || r.Kind == project.PagesPage || model.PublicByDesign(r.Path) {
			continue
		}
		probe := r.Probe()
		lp := strings.ToLower(probe)
		if !p.Match(probe) {
			continue
		}
		if prefix != "" && (lp == prefix || strings.HasPrefix(lp, prefix+"/")) {
			continue // the intended route
		}
		if anyTop && strings.HasPrefix(strings.TrimPrefix(r.Path, "/"), "[") {
			continue // the dynamic route the pattern names
		}
		if c.otherPublicPatternMatches(p, probe) {
			continue // listed on purpose by another pattern
		}
		ex, data := c.routeUnguarded(r)
		if ex == nil || (!data && !sensitivePath(r.Path)) {
			continue
		}
		if found.route != nil {
			// One root cause, one finding: every other route the pattern
			// opens is a related location of the first one's finding.
			found.also = append(found.also, r)
			found.diag.Related = append(found.diag.Related, rules.Location{Path: r.File, Line: ex.Stmt.Line})
			if !slices.Contains(others, r.Path) {
				others = append(others, r.Path)
			}
			continue
		}
		var msg, fix string
		switch {
		case anyTop:
			msg = fmt.Sprintf("public route matcher %s lists %s, which matches every top-level path, so it also makes %s (%s) public; it has no check of its own", rules.Code(rm.Name), rules.Code(p.Source), rules.Code(r.Path), rules.Code(r.File))
			fix = "List the public dynamic pages under their own prefix (" + rules.Code("'/p/:slug'") + "), or check the caller in each route. "
		case wholesale != "":
			msg = fmt.Sprintf("public route matcher %s lists %s, which makes every %s route public at the middleware; %s (%s) has no check of its own", rules.Code(rm.Name), rules.Code(p.Source), wholesale, rules.Code(r.Path), rules.Code(r.File))
			fix = fmt.Sprintf("List only the %s routes meant to be public, exactly (%s), and check the caller in every other handler. ", wholesale, rules.Code("'"+wholesale+"/public/(.*)'"))
		default:
			msg = fmt.Sprintf("public route matcher %s lists %s, which has no `/` before `(.*)` and so also makes %s (%s) public; it has no check of its own", rules.Code(rm.Name), rules.Code(p.Source), rules.Code(r.Path), rules.Code(r.File))
			fix = fmt.Sprintf("Write %s and %s (or %s) so the pattern stops at the path segment. ", rules.Code("'"+p.Source[:len(prefix)]+"'"), rules.Code("'"+p.Source[:len(prefix)]+"/(.*)'"), rules.Code("'"+p.Source[:len(prefix)]+"/:path*'"))
		}
		found = opening{pat: p, route: r, diag: rules.Diagnostic{Path: c.mw.File, Line: p.Line, Message: msg, Fix: fix + c.pass.Fix(r.File),
			Related: []rules.Location{{Path: r.File, Line: ex.Stmt.Line}}}}
	}
	if found.route == nil {
		return opening{}, false
	}
	if len(others) > 0 {
		tail := "which has no check either"
		if len(others) > 1 {
			tail = "which have no check either"
		}
		found.diag.Message += fmt.Sprintf("; it also opens %s, %s", cappedPaths(others), tail)
	}
	return found, true
}

func (c *rp009) otherPublicPatternMatches(self *project.PathPattern, probe string) bool {
	for _, rm := range c.mw.RouteMatchers {
		if c.roles[rm] != rolePublic {
			continue
		}
		for _, q := range rm.Patterns {
			// A pattern that could not be evaluated may list the route:
			// claim nothing from a guess.
			if q != self && q.Eval(probe) != boundedre.NoMatch {
				return true
			}
		}
	}
	return false
}

// sensitivePath reports a route path in an area meant for signed-in
// users (knowledge.PrivateArea) or an API mount (knowledge.APIRoute).
func sensitivePath(routePath string) bool {
	return knowledge.PrivateArea(routePath) || knowledge.APIRoute(routePath)
}

// middlewareOnly reports data-touching routes under a protected pattern
// with no check of their own.
func (c *rp009) middlewareOnly() {
	for _, r := range c.app.Routes {
		switch r.Kind {
		case project.RouteHandler, project.PagesAPI, project.Page:
		default:
			continue
		}
		if model.PublicByDesign(r.Path) {
			continue
		}
		probe := r.Probe()
		if c.app.Protection(probe) != project.Protected {
			continue
		}
		var rm *project.RouteMatcher
		var pat *project.PathPattern
		for _, m := range c.mw.RouteMatchers {
			if c.roles[m] != roleProtected {
				continue
			}
			for _, p := range m.Patterns {
				if p.Match(probe) {
					rm, pat = m, p
					break
				}
			}
			if rm != nil {
				break
			}
		}
		if rm == nil {
			continue
		}
		ex, data := c.routeUnguarded(r)
		if ex == nil || !data {
			continue
		}
		var what string
		if ex.Name != "default" {
			what = rules.Code(ex.Name + " " + r.Path)
		} else {
			what = r.Kind.String() + " " + rules.Code(r.Path)
		}
		fix := ""
		if r.Kind == project.Page {
			fix = "Check the caller at the top of the page: " + pageGuardSnippet(c.pass.Project, r.File) +
				". `createRouteMatcher()` is deprecated from `@clerk/nextjs` 7.5.14: keep `clerkMiddleware()` and check in each resource."
		}
		c.report(rules.Diagnostic{Path: r.File, Line: ex.Stmt.Line, Column: ex.Stmt.Col, Severity: rules.Medium, Fix: fix,
			Message: fmt.Sprintf("%s touches data and its only protection is %s's %s in %s: a middleware bypass exposes it, and `createRouteMatcher()` is deprecated", what, rules.Code(rm.Name), rules.Code(pat.Source), rules.Code(path.Base(c.mw.File))),
			Related: []rules.Location{{Path: c.mw.File, Line: pat.Line}}})
	}
}

// routeUnguarded returns the first export of a route that has no auth
// check of its own (nil when every one checks), and whether it touches
// data.
func (c *rp009) routeUnguarded(r *project.Route) (*jsast.Export, bool) {
	f := c.pass.AST(c.pass.Get(r.File))
	if f == nil {
		return nil, false
	}
	var first *jsast.Export
	for _, ex := range f.Exports() {
		ex := ex
		if r.Kind == project.RouteHandler {
			if !isHTTPExport(ex.Name) {
				continue
			}
		} else if ex.Name != "default" {
			continue
		}
		e := entryIn(c.pass, r.File, "", ex.Name)
		if e == nil || ownChecked(c.pass, e) {
			continue
		}
		// Judged as if no pattern declared it public: whether it should be
		// is the question.
		undeclared := *e
		undeclared.Public = ""
		if v, fx := c.pass.Model.OwnGuard(c.pass.Ctx, e); model.Exposed(&undeclared, v, fx).Level != model.ExposeNone {
			return &ex, true
		}
		if first == nil {
			first = &ex
		}
	}
	return first, false
}
