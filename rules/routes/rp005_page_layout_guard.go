package routes

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP005 flags App Router Server Component pages that read data without
// their own auth check when only a layout checks, or nothing does.
var RP005 = &rules.Rule{
	ID:         "CLK-RP-005",
	Name:       "page-protected-only-by-layout",
	Pack:       rules.PackRoutes,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files:      func(f *source.File) bool { return f.IsJS() },
	Keywords:   []string{"export default"},
	Doc: rules.Doc{
		Title: "server component page reads data protected only by a layout, or not at all",
		References: []string{
			"https://clerk.com/docs/guides/secure/protect-content",
			"https://clerk.com/docs/guides/secure/authorization-checks",
			"clerk/javascript packages/eslint-plugin/src/next/lib/protection-checks.ts",
		},
		Text: "An App Router page (`app/**/page.tsx`, a Server Component) reads data but does not check who is " +
			"asking. When the only check is in a `layout.tsx` above it, the page is still exposed: layouts don't " +
			"re-render on client-side navigation, and the page's own render (its RSC payload) does not run the " +
			"layout's code again, so the page must not rely on it. When nothing checks at all (no layout guard and " +
			"middleware does not protect the path), anyone can load the page.\n\n" +
			"Reported: pages with a guarded ancestor layout, and unprotected pages in an area that looks private " +
			"(`/dashboard`, `/admin`, `/settings`, a `(protected)` route group) or that read privileged data " +
			"(`clerkClient`, `privateMetadata`; High). Not reported: `'use client'` pages, pages that touch no data, " +
			"marketing and public paths (`/blog`, `/pricing`, `(marketing)`), sign-in/sign-up pages, and pages whose " +
			"path the middleware protects with `auth.protect()`. A guard in a helper (`await requireUser()`) is " +
			"followed one call level.",
		Bad: "// app/dashboard/layout.tsx\nexport default async function Layout({ children }) {\n  await auth.protect()\n  return children\n}\n\n" +
			"// app/dashboard/billing/page.tsx\nexport default async function Billing() {\n  const invoices = await db.invoice.findMany()\n  return <Invoices data={invoices} />\n}",
		Good: "// app/dashboard/billing/page.tsx\nexport default async function Billing() {\n  const { userId } = await auth.protect()\n" +
			"  const invoices = await db.invoice.findMany({ where: { userId } })\n  return <Invoices data={invoices} />\n}",
	},
	Fix: func(p *project.Model, file string) string {
		if a, ok := rules.FrameworkAuthOf(p, file); ok {
			return a.NextOnlyFix()
		}
		return "Check the visitor in the page itself: " + pageGuardSnippet(p, file) +
			". Layouts don't re-render on client-side navigation, so a layout check alone isn't enough; protect each page and every resource that reads data."
	},
	Run: runRP005,
}

// pageGuardSnippet is guardSnippet for pages, where signed-out visitors
// are redirected to sign-in.
func pageGuardSnippet(p *project.Model, file string) string {
	switch p.NextEra(file) {
	case project.EraCore1:
		return "`const { userId } = auth(); if (!userId) redirect('/sign-in')` (`@clerk/nextjs` v4; `auth()` is synchronous)"
	case project.EraV5:
		return "`auth().protect()` as the first statement (`@clerk/nextjs` v5: `auth()` is synchronous), or `const { userId } = auth(); if (!userId) redirect('/sign-in')`"
	case project.EraV6:
		return "`const { userId } = await auth.protect()` as the first statement (signed-out visitors are sent to sign-in), or `const { userId } = await auth(); if (!userId) redirect('/sign-in')`"
	}
	return "`const { userId } = await auth.protect()` as the first statement (signed-out visitors are sent to sign-in), or `const { isAuthenticated, redirectToSignIn } = await auth(); if (!isAuthenticated) return redirectToSignIn()`"
}

func runRP005(pass *rules.Pass) error {
	if !hasEntries(pass, knowledge.NextJS, model.Page) {
		return nil // the Next.js adapter says which files are pages
	}
	route := pass.Project.RouteOf(pass.File.Path)
	if route == nil || route.Kind != project.Page || !route.App.Clerk || model.PublicByDesign(route.Path) {
		return nil
	}
	if openedByPublicPattern(pass, route) != nil {
		return nil // CLK-RP-009 reports the pattern, with this route as related location
	}
	f := pass.AST(pass.File)
	if f == nil || f.Directive() == "use client" {
		return nil
	}
	var ex *jsast.Export
	for _, e := range f.Exports() {
		if e.Name == "default" {
			e := e
			ex = &e
		}
	}
	if ex == nil {
		return nil
	}
	fn, _ := handlerFunction(ex.Value)
	if fn != nil && f.FunctionDirective(fn) == "use client" {
		return nil
	}
	e := modelEntry(pass, model.Page, "default")
	if e == nil {
		return nil
	}
	x, what, ok := pageExposure(pass, e)
	if !ok {
		return nil
	}
	if fn == nil {
		fn = e.Fn
	}
	probe := route.Probe()
	prot := route.App.Protection(probe)
	if prot == project.Protected || prot == project.Unknown {
		return nil
	}
	if prot == project.NotRun && route.App.GateProtects(probe) {
		// The middleware means to protect the page but its matcher skips
		// it: RP-002 names that.
		return nil
	}
	sev := severityOf(x)
	related := middlewareRelated(route.App)
	if lay, line := guardedLayout(pass, e); lay != "" {
		related = append([]rules.Location{{Path: lay, Line: line}}, related...)
		pass.Report(rules.Diagnostic{
			Line: fn.Line, Column: fn.Col, Severity: sev, Related: related,
			Message: fmt.Sprintf("page %s reads data (%s) without its own auth check; only %s checks the visitor, and layouts don't re-render on client-side navigation", rules.Code(route.Path), rules.Code(what), rules.Code(lay)),
			Fix:     withCoverFirst(route.App, probe, pass.Fix(pass.File.Path)),
		})
		return nil
	}
	pass.Report(rules.Diagnostic{
		Line: fn.Line, Column: fn.Col, Severity: sev, Related: related,
		Message: fmt.Sprintf("page %s reads data (%s) without an auth check, and nothing protects it: %s", rules.Code(route.Path), rules.Code(what), middlewareReason(route.App, probe)),
		Fix:     withCoverFirst(route.App, probe, pass.Fix(pass.File.Path)),
	})
	return nil
}

// pageExposure applies the model's public-by-design policy to the page's
// own checks (its middleware and layouts left out) and names the data
// access that decides it: the helper the page calls, or the data call
// itself. A page in an area meant for signed-in users that fetches an
// internal API exposes what that API returns.
func pageExposure(pass *rules.Pass, e *model.Entry) (model.Exposure, string, bool) {
	v, fx := pass.Model.OwnGuard(pass.Ctx, e)
	if x := model.Exposed(e, v, fx); x.Level != model.ExposeNone {
		if len(x.Effect.Via) > 0 {
			name, _, _ := strings.Cut(x.Effect.Via[0], " (")
			return x, name, true
		}
		return x, x.Effect.Call, true
	}
	if v.Authn != model.AuthnNo && v.Authn != model.AuthnPartial || e.Fn == nil || !knowledge.PrivateArea(e.Path) {
		return model.Exposure{}, "", false
	}
	if c := internalFetch(pass, e.FnFile, e.Fn); c != nil {
		return model.Exposure{Level: model.ExposeMedium, Why: "fetches an internal API"},
			e.FnFile.CalleeName(c) + "(" + strings.TrimSpace(e.FnFile.Text(jsast.Args(c)[0])) + ")", true
	}
	return model.Exposure{}, "", false
}

// externalBackend matches a fetch URL of a backend service outside the
// project: a loopback or internal host, or a base URL from an environment
// variable named for an API or backend. (The app's own endpoints are the
// model's: Model.FetchedEntry.)
var externalBackend = regexp.MustCompile(`^[` + "`" + `'"]https?://(localhost|127\.0\.0\.1|internal[.-])|\$\{process\.env\.[A-Z_]*(API|INTERNAL|BACKEND)[A-Z_]*\}`)

// internalFetch returns a fetch() call in fn that reads from one of the
// app's own endpoints (not a page) or from an internal backend, or nil.
func internalFetch(pass *rules.Pass, f *jsast.File, fn *jsast.Node) *jsast.Node {
	for _, c := range f.Calls(fn, func(n string) bool { return n == "fetch" }) {
		args := jsast.Args(c)
		if len(args) == 0 {
			continue
		}
		if e, err := pass.Model.FetchedEntry(pass.Ctx, f, args[0], "GET"); err == nil && e != nil && e.Kind != model.Page && e.Kind != model.Layout {
			return c
		}
		if externalBackend.MatchString(f.Text(args[0])) {
			return c
		}
	}
	return nil
}

// guardedLayout returns the nearest layout above the page whose render
// stops a signed-out visitor (the model's layout layers), and its line.
func guardedLayout(pass *rules.Pass, e *model.Entry) (string, int) {
	for i := len(e.Chain) - 1; i >= 0; i-- {
		if l := e.Chain[i]; l.Via == model.ViaLayout && l.Gate == model.GatePartial {
			return l.File, l.Line
		}
	}
	return "", 0
}
