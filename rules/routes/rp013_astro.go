package routes

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP013 flags Astro pages and endpoints that touch data without their own
// locals.auth() check, createRouteMatcher on @clerk/astro v4+, and
// prerendered pages that check auth.
var RP013 = &rules.Rule{
	ID:         "CLK-RP-013",
	Name:       "astro-page-endpoint-unchecked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		if f.Binary {
			return false
		}
		if f.Lang == source.LangAstro {
			return true
		}
		return f.IsJS() && (strings.Contains(f.Path, "src/pages/") || strings.HasSuffix(strings.TrimSuffix(f.Path, ".ts"), "middleware") ||
			strings.Contains(f.Path, "src/middleware"))
	},
	Keywords: []string{"---", "locals", "createRouteMatcher", "prerender", "export async function", "export const", "export function"},
	Doc: rules.Doc{
		Title: "astro page or endpoint without its own locals.auth() check",
		Text: "Astro pages and `src/pages/**` endpoints that read private data must check `Astro.locals.auth()` / " +
			"`locals.auth()` themselves. Path checks in `src/middleware.ts` can diverge from how Astro routes requests, " +
			"which is why `@clerk/astro` 4 removed `createRouteMatcher()`. A page with `export const prerender = true` is " +
			"rendered once at build time: its auth check never runs for a visitor.",
		Bad: "---\n// src/pages/dashboard.astro\nconst invoices = await db.invoice.findMany()\n---",
		Good: "---\nconst { isAuthenticated, userId, redirectToSignIn } = Astro.locals.auth()\n" +
			"if (!isAuthenticated) return redirectToSignIn()\nconst invoices = await db.invoice.findMany({ where: { userId } })\n---",
	},
	Fix: func(p *project.Model, file string) string {
		fix := "Check auth in every page and endpoint that touches protected data: `const { isAuthenticated, redirectToSignIn } = Astro.locals.auth(); " +
			"if (!isAuthenticated) return redirectToSignIn()` in pages, `if (!locals.auth().isAuthenticated) return new Response(null, { status: 401 })` " +
			"in endpoints. Don't prerender protected pages."
		if v, ok := p.Version(file, "@clerk/astro"); ok && v != nil && v.Major() >= 4 {
			fix += " `createRouteMatcher()` is removed in your `@clerk/astro` (v4): move path checks into the pages."
		}
		return fix
	},
	Run: runRP013,
}

var srvHTTPVerbs = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "ALL": true, "HEAD": true, "OPTIONS": true}

func runRP013(pass *rules.Pass) error {
	p := pass.File.Path
	if !pass.Project.DependsOn(p, "@clerk/astro") {
		return nil
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	r := &srvResolver{pass: pass}
	// createRouteMatcher from @clerk/astro.
	for _, im := range f.Imports() {
		if im.Imported == "createRouteMatcher" && strings.HasPrefix(im.Source, "@clerk/astro") {
			msg := "`createRouteMatcher()` gates pages by path in middleware, which can diverge from how Astro routes requests"
			if v, ok := pass.Project.Version(p, "@clerk/astro"); ok && v != nil && v.Major() >= 4 {
				msg = "`createRouteMatcher()` was removed from `@clerk/astro` 4: this import fails, and path gating in middleware is not a substitute for checks in pages"
			}
			pass.Report(rules.Diagnostic{Line: im.Node.Line, Column: im.Node.Col, Severity: rules.Medium, Message: msg})
		}
	}
	if !strings.Contains(p, "src/pages/") {
		return nil
	}
	if srvIsPublicFile(strings.SplitN(p, "src/pages/", 2)[1]) {
		return nil
	}
	mw := srvAstroMiddlewareGate(pass, p)
	if pass.File.Lang == source.LangAstro {
		prerender := srvPrerendered(f)
		checks := srvChecksAuthIn(f, f.Root) || r.checksAuth(f, f.Root)
		if prerender != nil && (checks || srvUsesAstroAuth(f, f.Root)) {
			pass.Report(rules.Diagnostic{Line: prerender.Line, Column: prerender.Col,
				Message: "this page is prerendered (`prerender = true`) but uses Clerk auth: it is rendered once at build time, so its auth check never runs for a visitor"})
			return nil
		}
		if prerender != nil || checks {
			return nil
		}
		what, data := srvTouchesData(f, f.Root)
		if !data {
			return nil
		}
		line := srvFirstCallLine(f, what)
		pass.Report(rules.Diagnostic{Line: line, Message: srvAstroMsg("page", what, mw), Related: mw.related()})
		return nil
	}
	for _, ex := range f.Exports() {
		if !srvHTTPVerbs[ex.Name] {
			continue
		}
		fn, ok := r.function(f, ex.Value)
		if !ok {
			continue
		}
		what, data := srvTouchesData(fn.File, fn.Fn)
		if !data || r.checksAuth(fn.File, fn.Fn) {
			continue
		}
		pass.Report(rules.Diagnostic{Line: ex.Stmt.Line, Column: ex.Stmt.Col,
			Message: srvAstroMsg("endpoint "+rules.Code(ex.Name), what, mw), Related: mw.related()})
	}
	return nil
}

type astroGate struct {
	file string
	line int
}

func (g astroGate) related() []rules.Location {
	if g.file == "" {
		return nil
	}
	return []rules.Location{{Path: g.file, Line: g.line}}
}

func srvAstroMsg(what, call string, mw astroGate) string {
	msg := fmt.Sprintf("this %s calls %s without checking `locals.auth()`", what, rules.Code(call))
	if mw.file != "" {
		msg += fmt.Sprintf("; the path check in %s is its only gate", rules.Code(mw.file))
	}
	return msg
}

// srvAstroMiddlewareGate finds a path check in src/middleware.* that
// gates pages (pathname.startsWith, a route matcher) next to p.
func srvAstroMiddlewareGate(pass *rules.Pass, p string) astroGate {
	i := strings.Index(p, "src/pages/")
	r := &srvResolver{pass: pass}
	for _, cand := range []string{"src/middleware.ts", "src/middleware.js", "src/middleware/index.ts", "src/middleware/index.js"} {
		mf := r.parse(p[:i] + cand)
		if mf == nil {
			continue
		}
		for _, call := range mf.Calls(mf.Root, func(n string) bool {
			return strings.HasSuffix(n, "pathname.startsWith") || strings.HasPrefix(n, "isProtected") || strings.HasSuffix(n, "RouteMatcher")
		}) {
			return astroGate{file: p[:i] + cand, line: call.Line}
		}
	}
	return astroGate{}
}

// srvPrerendered returns the `prerender = true` export, or nil.
func srvPrerendered(f *jsast.File) *jsast.Node {
	for _, ex := range f.Exports() {
		if ex.Name == "prerender" && ex.Value != nil && jsast.Unwrap(ex.Value).Type == "true" {
			return ex.Stmt
		}
	}
	return nil
}

// srvUsesAstroAuth reports whether n reads Clerk auth (locals.auth(),
// currentUser()).
func srvUsesAstroAuth(f *jsast.File, n *jsast.Node) bool {
	found := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if x.Type == "call_expression" {
			name := f.CalleeName(x)
			if strings.HasSuffix(name, "locals.auth") || strings.HasSuffix(name, "locals.currentUser") {
				found = true
			}
		}
		return !found
	})
	return found
}

// srvFirstCallLine returns the line of the first call named name.
func srvFirstCallLine(f *jsast.File, name string) int {
	for _, c := range f.Calls(f.Root, func(n string) bool { return n == name }) {
		return c.Line
	}
	return 1
}
