package webhooks

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	sem "github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// WH006 flags webhook exemptions done by making too much public: public
// route matchers covering /api wholesale, prefixes that also match
// unrelated routes, and (the opposite mistake) a global Express auth
// guard registered before the webhook route.
var WH006 = &rules.Rule{
	ID:         "CLK-WH-006",
	Name:       "webhook-exemption-too-broad",
	Pack:       rules.PackWebhooks,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  4,
	Keywords:   []string{"createRouteMatcher", "publicRoutes", "ignoredRoutes", "requireAuth", "RequireAuth"},
	Doc: rules.Doc{
		Title: "webhook route exemption makes too much public, or auth blocks the webhook",
		References: []string{
			"https://clerk.com/docs/guides/development/webhooks/syncing",
		},
		Text: "Webhook requests carry no session, so the webhook route must be reachable without one. Opening `/api(.*)` or " +
			"`/api/:path*` \"so the webhook works\" makes every API route public at the middleware; a prefix without a slash " +
			"(`/api/webhook(.*)`) also opens `/api/webhook-admin`. In Express, `app.use(requireAuth())` before the webhook route " +
			"answers Clerk's deliveries with 302/401, Clerk retries, and developers end up disabling auth instead.",
		Bad: `const isPublicRoute = createRouteMatcher(['/', '/api(.*)']) // for the Clerk webhook
export default clerkMiddleware(async (auth, req) => {
  if (!isPublicRoute(req)) await auth.protect()
})`,
		Good: `const isPublicRoute = createRouteMatcher(['/', '/api/webhooks/clerk'])
export default clerkMiddleware(async (auth, req) => {
  if (!isPublicRoute(req)) await auth.protect()
})`,
	},
	Fix: fixWH006,
	Run: runWH006,
}

func runWH006(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	c := &checker{pass: pass}
	c.publicMatchers(f)
	c.expressGuards(f)
	return nil
}

// publicList is one list of public (or ignored) route patterns.
type publicList struct {
	what  string // "createRouteMatcher isPublicRoute", "authMiddleware publicRoutes"
	array *jsast.Node
}

// publicMatchers checks createRouteMatcher lists used as public routes
// and authMiddleware's publicRoutes/ignoredRoutes.
func (c *checker) publicMatchers(f *jsast.File) {
	var lists []publicList
	for _, call := range f.Calls(f.Root, func(n string) bool { return n == "createRouteMatcher" || n == "authMiddleware" }) {
		name := f.CalleeName(call)
		if f.ResolveClerk(name) != name {
			continue
		}
		args := jsast.Args(call)
		if len(args) == 0 {
			continue
		}
		if name == "authMiddleware" {
			for _, key := range []string{"publicRoutes", "ignoredRoutes"} {
				if v := f.ObjectProp(args[0], key); v != nil {
					lists = append(lists, publicList{what: "`authMiddleware` " + key, array: v})
				}
			}
			continue
		}
		d := jsast.Ancestor(call, "variable_declarator")
		if d == nil || jsast.Unwrap(d.ChildByField("value")) != call {
			continue
		}
		v := f.Text(d.ChildByField("name"))
		if usedAsPublic(f, v) {
			lists = append(lists, publicList{what: "public route matcher " + rules.Code(v), array: args[0]})
		}
	}
	if len(lists) == 0 {
		return
	}
	routes := c.apiRoutes()
	webhook := false
	for _, r := range routes {
		webhook = webhook || knowledge.NamesWebhook(r.url) || knowledge.NamesWebhook(r.file)
	}
	for _, p := range c.pass.Paths() {
		webhook = webhook || (knowledge.NamesWebhook(p) && strings.Contains(p, "api"))
	}
	if !webhook {
		return // no webhook route: an over-broad matcher is CLK-RP-009's business
	}
	for _, l := range lists {
		arr := jsast.Unwrap(l.array)
		if arr == nil {
			continue
		}
		elems := []*jsast.Node{arr}
		if arr.Type == "array" {
			elems = arr.NamedChildren()
		}
		for _, e := range elems {
			c.checkPattern(f, l, e, routes)
		}
	}
}

// usedAsPublic reports whether a route matcher variable decides what is
// public: it is negated before a protect call, or named so.
func usedAsPublic(f *jsast.File, v string) bool {
	negated, positive := false, false
	for _, call := range f.Calls(f.Root, func(n string) bool { return n == v }) {
		p := call.Parent
		for p != nil && p.Type == "parenthesized_expression" {
			p = p.Parent
		}
		if p != nil && p.Type == "unary_expression" && strings.HasPrefix(f.Text(p), "!") {
			negated = true
		} else {
			positive = true
		}
	}
	switch {
	case negated:
		return true
	case regexp.MustCompile(`(?i)(public|ignored|unprotected|anonymous|open|webhook|bypass|skip|exclude|unauth)`).MatchString(v):
		return true
	}
	_ = positive
	return false
}

// checkPattern reports one public pattern that opens more than the webhook.
// The pattern is compiled as Clerk compiles it (path-to-regexp, or the
// RegExp literal) into the review's bounded pattern set; a pattern that
// cannot be evaluated matches nothing for certain, so it claims nothing.
func (c *checker) checkPattern(f *jsast.File, l publicList, e *jsast.Node, routes []apiRoute) {
	var p *project.PathPattern
	e = jsast.Unwrap(e)
	set := c.pass.Project.Patterns()
	if s, ok := f.StringValue(e); ok {
		p = project.CompileRoutePattern(set, f.Path, s, e.Line)
	} else if e.Type == "regex" {
		p = project.CompileRegExpLiteral(set, f.Path, f.Text(e), e.Line)
	} else {
		return
	}
	if p.Err != nil {
		return
	}
	src := p.Source
	match := p.Match
	if match("/api/clerkguard-probe") && match("/api/clerkguard-probe/x") {
		var others []string
		for _, r := range routes {
			if !knowledge.NamesWebhook(r.url) && match(r.url) {
				others = append(others, rules.Code(r.url))
			}
		}
		msg := fmt.Sprintf("%s lists %s, which makes every API route public at the middleware, not just the webhook", l.what, rules.Code(src))
		if len(others) > 0 {
			msg += " (also " + strings.Join(limit(others, 3), ", ") + ")"
		}
		c.pass.Report(rules.Diagnostic{Line: e.Line, Column: e.Col, Message: msg})
		return
	}
	// A webhook prefix without a slash: '/api/webhook(.*)' also matches '/api/webhook-admin'.
	prefix := literalPrefix(src)
	if prefix == "" || strings.HasSuffix(prefix, "/") || !knowledge.NamesWebhook(prefix) {
		return
	}
	for _, r := range routes {
		if !match(r.url) || r.url == prefix || strings.HasPrefix(r.url, prefix+"/") {
			continue
		}
		c.pass.Report(rules.Diagnostic{Line: e.Line, Column: e.Col, Related: []rules.Location{{Path: r.file, Line: 1}},
			Message: fmt.Sprintf("%s lists %s, which has no `/` after %s and so also makes %s (%s) public", l.what, rules.Code(src), rules.Code(prefix), rules.Code(r.url), rules.Code(r.file))})
		return
	}
}

func limit(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "…")
	}
	return s
}

// literalPrefix returns the static start of a path pattern.
func literalPrefix(p string) string {
	if i := strings.IndexAny(p, "(:{*[\\?+"); i >= 0 {
		return p[:i]
	}
	return ""
}

// apiRoute is an API route of the repository with its URL path.
type apiRoute struct {
	url  string
	file string
}

// apiRoutes lists the Next.js route handlers and Pages API routes under
// /api (the model's entries and URL paths), with dynamic segments filled
// with samples ([id] is "x", a catch-all "x/y"), to test public-route
// patterns against.
func (c *checker) apiRoutes() []apiRoute {
	if c.pass.Model == nil {
		return nil
	}
	es, err := c.pass.Model.Entries(c.pass.Ctx)
	if err != nil {
		return nil
	}
	var out []apiRoute
	seen := map[string]bool{}
	for _, e := range es {
		if e.Framework != knowledge.NextJS || e.Kind != sem.RouteHandler && e.Kind != sem.PagesAPI || !e.PathKnown || seen[e.File] {
			continue
		}
		var segs []string
		for _, s := range strings.Split(strings.Trim(e.Path, "/"), "/") {
			switch {
			case s == "":
			case strings.HasPrefix(s, "[...") || strings.HasPrefix(s, "[[..."):
				segs = append(segs, "x", "y")
			case strings.HasPrefix(s, "["):
				segs = append(segs, "x")
			default:
				segs = append(segs, s)
			}
		}
		url := "/" + strings.Join(segs, "/")
		if !strings.HasPrefix(url, "/api") {
			continue
		}
		seen[e.File] = true
		out = append(out, apiRoute{url: url, file: e.File})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].url < out[j].url })
	return out
}

// expressGuards reports a Clerk middleware that rejects signed-out
// requests in front of a webhook route registered in f: on the route
// itself, or registered before it on a covering path (the model's
// middleware chain, in registration order).
func (c *checker) expressGuards(f *jsast.File) {
	if c.pass.Model == nil {
		return
	}
	es, _ := c.pass.Model.EntriesOf(c.pass.Ctx, f.Path)
	reported := map[int]bool{}
	for _, e := range es {
		reg := registration(f, e)
		if reg == nil {
			continue
		}
		route := routeLiteral(f, reg, e)
		if !knowledge.NamesWebhook(route) {
			continue
		}
		global := false
		for _, l := range e.Chain {
			if l.Clerk == "" || l.Gate != sem.GateRejects && l.Gate != sem.GateRedirects || l.File != f.Path {
				continue
			}
			if l.Line >= reg.Line && l.Line <= reg.EndLine {
				at := reg
				for _, a := range jsast.Args(reg) {
					if a.Line == l.Line && strings.HasPrefix(f.Text(a), strings.TrimSuffix(l.Name, "...")) {
						at = a
						break
					}
				}
				c.pass.Report(rules.Diagnostic{Line: at.Line, Column: at.Col,
					Message: fmt.Sprintf("the webhook route %s requires a session with %s; Clerk's deliveries carry none and are rejected", rules.Code(route), rules.Code(clip(f.Text(at))))})
				continue
			}
			use := outermostCallAt(f, l.Line)
			if global || use == nil || reported[use.Start] {
				continue
			}
			global, reported[use.Start] = true, true
			c.pass.Report(rules.Diagnostic{Line: use.Line, Column: use.Col, Related: []rules.Location{loc(f, reg)},
				Message: fmt.Sprintf("%s runs before the webhook route %s (line %d), so Clerk's deliveries, which carry no session, are rejected", rules.Code(clip(f.Text(use))), rules.Code(route), reg.Line)})
		}
	}
}

// fixWH006 gives the Express way to exempt the webhook only to projects
// that use Express (or no framework SDK the table knows).
func fixWH006(p *project.Model, path string) string {
	text := "Webhook requests carry no session, so the route must be public: exempt only that path " +
		"(`'/api/webhooks/clerk'` or `'/api/webhooks/(.*)'`) and rely on signature verification; keep every other `/api` route protected."
	if p.DependsOn(path, "@clerk/express") || !p.UsesClerk() {
		text += " In Express, register the webhook route before `app.use(requireAuth())`, or guard the other routes individually."
	}
	return text
}
