package routes

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP010 flags Pages Router API routes and getServerSideProps that touch
// data without getAuth().
var RP010 = &rules.Rule{
	ID:         "CLK-RP-010",
	Name:       "pages-router-without-getauth",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files:      func(f *source.File) bool { return f.IsJS() && strings.Contains("/"+f.Path, "/pages/") },
	Keywords:   []string{"export default", "getServerSideProps", "module.exports"},
	Doc: rules.Doc{
		Title: "getServerSideProps or Pages Router API route without getAuth",
		References: []string{
			"https://clerk.com/docs/guides/development/upgrading/upgrade-guides/migrate-from-create-route-matcher",
		},
		Text: "A Pages Router API route (`pages/api/**`) or a page's `getServerSideProps` reads or writes data without " +
			"calling `getAuth(req)` and returning early for signed-out requests, and the middleware does not protect " +
			"its path. Clerk's lint rule and bulk fixer only cover the App Router, so Pages Router code needs the check " +
			"by hand. Handlers wrapped in Core 1's `requireAuth()` are protected.",
		Bad:  "export default async function handler(req, res) {\n  res.json(await db.user.findMany())\n}",
		Good: "import { getAuth } from '@clerk/nextjs/server'\n\nexport default async function handler(req, res) {\n  const { userId } = getAuth(req)\n  if (!userId) return res.status(401).json({ error: 'Unauthorized' })\n  res.json(await db.user.findMany({ where: { userId } }))\n}",
	},
	Fix: func(p *project.Model, file string) string {
		switch p.NextEra(file) {
		case project.EraCore1:
			return "Call `const { userId } = getAuth(req)` (from `@clerk/nextjs/server`) and `return res.status(401).end()` when `userId` is null, or wrap the handler in `requireAuth()` from `@clerk/nextjs/api`. In getServerSideProps use `getAuth(ctx.req)` and return a redirect. Note that `@clerk/nextjs/api` is removed in v5."
		case project.EraV5:
			return "Call `const { userId } = getAuth(req)` and `return res.status(401).json({ error: 'Unauthorized' })` when `userId` is null; in getServerSideProps use `getAuth(ctx.req)` and return `{ redirect: { destination: '/sign-in', permanent: false } }`. Clerk's lint rule and bulk fixer only cover the App Router."
		}
		return "Call `const { isAuthenticated, userId } = getAuth(req)` and `return res.status(401).json({ error: 'Unauthorized' })` when signed out; in getServerSideProps use `getAuth(ctx.req)` and return `{ redirect: { destination: '/sign-in', permanent: false } }`. Clerk's lint rule and bulk fixer only cover the App Router."
	},
	Run: runRP010,
}

func runRP010(pass *rules.Pass) error {
	route := pass.Project.RouteOf(pass.File.Path)
	if route == nil || (route.Kind != project.PagesAPI && route.Kind != project.PagesPage) || !route.App.Clerk || model.PublicByDesign(route.Path) {
		return nil
	}
	if openedByPublicPattern(pass, route) != nil {
		return nil // CLK-RP-009 reports the pattern, with this route as related location
	}
	probe := route.Probe()
	if prot := route.App.Protection(probe); prot == project.Protected || prot == project.Unknown {
		return nil
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	for _, ex := range f.Exports() {
		var what string
		var kind model.Kind
		switch {
		case route.Kind == project.PagesAPI && ex.Name == "default":
			what, kind = fmt.Sprintf("API route %s", rules.Code(route.Path)), model.PagesAPI
		case route.Kind == project.PagesPage && ex.Name == "getServerSideProps":
			what, kind = fmt.Sprintf("`getServerSideProps` of %s", rules.Code(route.Path)), model.GetServerSideProps
		default:
			continue
		}
		e := modelEntry(pass, kind, ex.Name)
		if e == nil {
			continue
		}
		x, open := exposure(pass, e)
		if !open {
			continue
		}
		pass.Report(rules.Diagnostic{Line: ex.Stmt.Line, Column: ex.Stmt.Col, Severity: severityOf(x),
			Message: fmt.Sprintf("%s touches data without getAuth() and a signed-out check, and nothing protects it: %s; it %s (%s)",
				what, middlewareReason(route.App, probe), x.Why, rules.Code(x.Effect.Call)),
			Related: middlewareRelated(route.App),
			Fix:     withCoverFirst(route.App, probe, pass.Fix(pass.File.Path)),
		})
	}
	return nil
}
