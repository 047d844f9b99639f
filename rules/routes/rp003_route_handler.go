package routes

import (
	"fmt"

	"regexp"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP003 flags App Router route handlers that touch data without an auth
// check when nothing in middleware protects their path.
var RP003 = &rules.Rule{
	ID:         "CLK-RP-003",
	Name:       "route-handler-without-auth",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files:      isRouteFile,
	Keywords:   []string{"GET", "POST", "PUT", "PATCH", "DELETE"},
	Doc: rules.Doc{
		Title: "route handler touches data without an authentication check",
		References: []string{
			"clerk/javascript packages/eslint-plugin/src/next/lib/protection-checks.ts",
			"https://clerk.com/docs/guides/secure/protect-content",
			"https://clerk.com/docs/reference/nextjs/app-router/auth",
			"https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-2/nextjs",
		},
		Text: "An App Router route handler (`app/**/route.ts`) reads or writes data but never checks who is calling, " +
			"and nothing in the middleware protects its path: `clerkMiddleware()` protects no route by default, " +
			"the matcher may skip the path, or the route matchers may not cover it. Anyone on the internet can call it. " +
			"Clerk recommends protecting each resource where it is used, rather than relying on middleware path matching.\n\n" +
			"Webhook routes (covered by the WH rules), routes that check a shared secret such as `CRON_SECRET`, and " +
			"handlers that touch no data are not reported. A guard in a helper (`await requireUser()`) is followed one call " +
			"level, into other files of the repository too.",
		Bad: "// app/api/invoices/route.ts\nexport async function GET() {\n  return Response.json(await db.invoice.findMany())\n}",
		Good: "import { auth } from '@clerk/nextjs/server'\n\nexport async function GET() {\n  const { userId } = await auth.protect()\n" +
			"  return Response.json(await db.invoice.findMany({ where: { userId } }))\n}",
	},
	Fix: func(p *project.Model, file string) string {
		return "Check the caller inside the handler: " + guardSnippet(p, file) +
			". `clerkMiddleware()` does not protect routes by default, and Clerk recommends checking at the resource rather than in middleware."
	},
	Run: runRP003,
}

var routeFileRe = regexp.MustCompile(`(^|/)route\.(ts|tsx|js|jsx|mjs)$`)

func isRouteFile(f *source.File) bool { return f.IsJS() && routeFileRe.MatchString(f.Path) }

func runRP003(pass *rules.Pass) error {
	route := pass.Project.RouteOf(pass.File.Path)
	if route == nil || route.Kind != project.RouteHandler || !route.App.Clerk || publicByDesign(route.Path) {
		return nil
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	probe := route.Probe()
	prot := route.App.Protection(probe)
	if prot == project.Protected || prot == project.Unknown {
		return nil
	}
	for _, ex := range f.Exports() {
		if !isHTTPExport(ex.Name) {
			continue
		}
		e := modelEntry(pass, model.RouteHandler, ex.Name)
		if e == nil {
			continue
		}
		if _, open := openEffect(pass, e); !open {
			continue
		}
		pass.Report(rules.Diagnostic{
			Line: ex.Stmt.Line, Column: ex.Stmt.Col,
			Message: fmt.Sprintf("%s touches data without checking the caller, and nothing protects it: %s",
				rules.Code(ex.Name+" "+route.Path), middlewareReason(route.App, probe)),
			Related: middlewareRelated(route.App),
		})
	}
	return nil
}
