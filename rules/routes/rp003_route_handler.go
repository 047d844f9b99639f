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
	Keywords:   []string{"GET", "POST", "PUT", "PATCH", "DELETE", "rocedure", "@trpc/"},
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
			"throws for a signed-out caller (the `/api/trpc` route itself demands nothing). A tRPC context that never reads the " +
			"request (no `getAuth(req)`, no `auth()`) is reported once, at its declaration: no procedure built on it can know the " +
			"Clerk user, and its procedures that list records the schema gives an owner return every owner's rows.",
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
	reportBlindContexts(pass)
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

// reportBlindContexts reports, at the context factory in the pass's file,
// a tRPC context that never reads the request (model.BlindContext): no
// procedure built on it can know the Clerk user. It is one root cause, so
// one finding, with the procedures a signed-out caller reaches and that
// do something as related locations; the procedures that expose data
// are reported on their own as well. A context whose procedures' own
// middleware checks the caller (auth() in a .use()) is not reported.
func reportBlindContexts(pass *rules.Pass) {
	es, err := pass.Model.EntriesFor(pass.Ctx, knowledge.TRPC)
	if err != nil {
		return
	}
	type blind struct {
		l     model.Layer
		procs []*model.Entry
	}
	var order []*blind
	by := map[model.Location]*blind{}
	checked := map[model.Location]bool{} // a procedure middleware identifies the caller itself (auth())
	for _, e := range es {
		l := model.BlindContext(e)
		if e.Framework != knowledge.TRPC || l == nil || l.File != pass.File.Path {
			continue
		}
		if pass.Model.Guard(pass.Ctx, e).Authn != model.AuthnNo {
			checked[l.Location] = true
			continue
		}
		if !reachesEffect(pass.Model.Effects(pass.Ctx, e)) {
			continue
		}
		b := by[l.Location]
		if b == nil {
			b = &blind{l: *l}
			by[l.Location] = b
			order = append(order, b)
		}
		b.procs = append(b.procs, e)
	}
	for _, b := range order {
		if checked[b.l.Location] {
			continue
		}
		var names []string
		var related []rules.Location
		for _, e := range b.procs {
			names = append(names, rules.Code(e.Path))
			related = append(related, rules.Location{Path: e.File, Line: e.Line})
		}
		if len(names) > 3 {
			names = append(names[:3], fmt.Sprintf("%d more", len(names)-3))
		}
		pass.Report(rules.Diagnostic{Line: b.l.Line, Severity: rules.Medium,
			Message: fmt.Sprintf("the tRPC context %s never reads the request (no `getAuth(req)` or `auth()`), so no procedure can know or check the Clerk user: %s run for every caller",
				rules.Code(b.l.Name), strings.Join(names, ", ")),
			Related: related,
			Fix: "Attach the identity in the context (`auth: getAuth(opts.req)` on the Pages Router, `auth: await auth()` on the App Router) " +
				"and build the procedures that touch users' data on a `protectedProcedure` whose middleware throws `new TRPCError({ code: 'UNAUTHORIZED' })` when `ctx.auth.userId` is null.",
		})
	}
}

// reachesEffect reports whether a signed-out caller reaches an effect.
func reachesEffect(fx model.Effects) bool {
	for _, x := range fx.List {
		if x.SignedOut == model.ReachYes {
			return true
		}
	}
	return false
}
