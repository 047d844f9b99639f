package routes

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
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
	Files:      func(f *source.File) bool { return f.IsJS() },
	Keywords:   []string{"GET", "POST", "PUT", "PATCH", "DELETE", "rocedure"},
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
			"level, into other files of the repository too. tRPC procedures are reported the same way: a `publicProcedure` " +
			"query or mutation that reaches users' data, when neither its base procedure nor its own `.use()` middleware " +
			"throws for a signed-out caller (the `/api/trpc` route itself demands nothing).",
		Bad: "// app/api/invoices/route.ts\nexport async function GET() {\n  return Response.json(await db.invoice.findMany())\n}",
		Good: "import { auth } from '@clerk/nextjs/server'\n\nexport async function GET() {\n  const { userId } = await auth.protect()\n" +
			"  return Response.json(await db.invoice.findMany({ where: { userId } }))\n}",
	},
	Fix: func(p *project.Model, file string) string {
		if a, ok := rules.FrameworkAuthOf(p, file); ok {
			return a.NextOnlyFix()
		}
		if mw := nextMiddleware(p, file); mw != "clerkMiddleware()" {
			return "Check the caller inside the handler: " + guardSnippet(p, file) +
				". Clerk recommends checking at the resource rather than relying on `" + mw + "`'s route lists."
		}
		return "Check the caller inside the handler: " + guardSnippet(p, file) +
			". `clerkMiddleware()` does not protect routes by default, and Clerk recommends checking at the resource rather than in middleware."
	},
	Run: runRP003,
}

func runRP003(pass *rules.Pass) error {
	reportProcedures(pass)
	if !hasEntries(pass, knowledge.NextJS, model.RouteHandler) {
		return nil // the Next.js adapter says which files are Route Handlers
	}
	route := pass.Project.RouteOf(pass.File.Path)
	// An app whose sign-in is Clerk's on the client only (a Convex or
	// Supabase back end) still serves its own Route Handlers.
	if route == nil || route.Kind != project.RouteHandler || !appUsesClerk(pass.Project, route.App) || model.PublicByDesign(route.Path) {
		return nil
	}
	if openedByPublicPattern(pass, route) != nil {
		return nil // CLK-RP-009 reports the pattern, with this route as related location
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
	reported := map[int]bool{} // export { handler as GET, handler as POST }: one statement, one finding
	for _, ex := range f.Exports() {
		if !isHTTPExport(ex.Name) || reported[ex.Stmt.Line] {
			continue
		}
		e := modelEntry(pass, model.RouteHandler, ex.Name)
		if e == nil {
			continue
		}
		x, open := exposure(pass, e)
		if !open {
			continue
		}
		reported[ex.Stmt.Line] = true
		pass.Report(rules.Diagnostic{
			Line: ex.Stmt.Line, Column: ex.Stmt.Col, Severity: severityOf(x),
			Message: fmt.Sprintf("%s touches data without checking the caller, and nothing protects it: %s; it %s (%s)",
				rules.Code(ex.Name+" "+route.Path), middlewareReason(route.App, probe), x.Why, rules.Code(x.Effect.Call)),
			Related: middlewareRelated(route.App),
			Fix:     withCoverFirst(route.App, probe, pass.Fix(pass.File.Path)),
		})
	}
	return nil
}

// appUsesClerk reports whether a Next.js app depends on a Clerk package:
// @clerk/nextjs, or a client SDK only (@clerk/clerk-react in front of a
// Convex back end).
func appUsesClerk(p *project.Model, app *project.NextApp) bool {
	if app.Clerk {
		return true
	}
	for _, pk := range p.Packages {
		if pk.Dir != app.Root {
			continue
		}
		for d := range pk.Deps {
			if knowledge.IsClerkPackage(d) {
				return true
			}
		}
	}
	return false
}

// reportProcedures reports the file's tRPC procedures that expose data
// to a signed-out caller (model.Exposed over the procedure's chain).
func reportProcedures(pass *rules.Pass) {
	if pass.Model == nil || !pass.Project.UsesClerk() {
		return
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return
	}
	for _, e := range es {
		if e.Framework != knowledge.TRPC || e.File != pass.File.Path {
			continue
		}
		x, open := exposure(pass, e)
		if !open {
			continue
		}
		kind := strings.TrimPrefix(string(e.Kind), "trpc-")
		pass.Report(rules.Diagnostic{Line: e.Line, Severity: severityOf(x),
			Message: fmt.Sprintf("tRPC %s %s touches data without checking the caller: neither its base procedure nor its own middleware stops a signed-out caller; it %s (%s)",
				kind, rules.Code(e.Path), x.Why, rules.Code(x.Effect.Call)),
			Fix: "Build it on a procedure whose middleware throws `new TRPCError({ code: 'UNAUTHORIZED' })` when `ctx.auth.userId` is null " +
				"(the t3 `protectedProcedure`), with `auth`/`getAuth(req)` attached in createContext.",
		})
	}
}
