package routes

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP013 flags Astro pages and endpoints that reach data or a privileged
// effect without their own locals.auth() check (a path check in
// middleware is not enough), and prerendered pages that check auth. The
// entries, their middleware and what they do come from the model
// (rules/model astro.go).
var RP013 = &rules.Rule{
	ID:         "CLK-RP-013",
	Name:       "astro-page-endpoint-unchecked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		return !f.Binary && (f.Lang == source.LangAstro || f.IsJS()) && !srvIsTestPath(f.Path)
	},
	Keywords: []string{"---", "export"},
	Doc: rules.Doc{
		Title: "Astro page, endpoint or action without its own locals.auth() check",
		References: []string{
			"https://clerk.com/docs/reference/astro/clerk-middleware",
			"clerk/javascript packages/nextjs/CHANGELOG.md",
			"https://clerk.com/docs/guides/development/hybrid-rendering",
		},
		Text: "Astro pages, `src/pages/**` endpoints and Actions (`defineAction()` in `src/actions`, public at `POST /_actions/<name>`) " +
			"that read private data or change data must check `Astro.locals.auth()` / `locals.auth()` (an action: `context.locals.auth()`) " +
			"themselves (or sit behind a middleware that stops signed-out requests to them). A path check in " +
			"`src/middleware.ts` (`createRouteMatcher`) counts as that gate while the installed SDK exports it; where its " +
			"matcher can be bypassed (GHSA-vqx2-fgx2-5wq9) CLK-RP-019 reports the dependency once, and `@clerk/astro` 4 " +
			"removed `createRouteMatcher()`, so an entry that relies on it there is reported. A page with `export const prerender = true` (or any page of a static build) is " +
			"rendered once at build time: its auth check never runs for a visitor.",
		Bad: "---\n// src/pages/dashboard.astro\nconst invoices = await db.invoice.findMany()\n---",
		Good: "---\nconst { isAuthenticated, userId, redirectToSignIn } = Astro.locals.auth()\n" +
			"if (!isAuthenticated) return redirectToSignIn()\nconst invoices = await db.invoice.findMany({ where: { userId } })\n---",
	},
	Fix: func(p *project.Model, file string) string {
		fix := "Check auth in every page and endpoint that touches protected data: `const { isAuthenticated, redirectToSignIn } = Astro.locals.auth(); " +
			"if (!isAuthenticated) return redirectToSignIn()` in pages, `if (!locals.auth().isAuthenticated) return new Response(null, { status: 401 })` " +
			"in endpoints, `if (!context.locals.auth().userId) throw new ActionError({ code: 'UNAUTHORIZED' })` in actions. Don't prerender protected pages."
		if v, ok := p.Version(file, "@clerk/astro"); ok && v != nil && v.Major() >= 4 {
			fix += " `createRouteMatcher()` is removed in your `@clerk/astro` (v4): move path checks into the pages."
		}
		return fix
	},
	Run: runRP013,
}

func runRP013(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	p := pass.File.Path
	es, err := pass.Model.EntriesOf(pass.Ctx, p)
	if err != nil {
		return nil //nolint:nilerr // ctx ended: no findings, not a rule failure
	}
	for _, e := range es {
		if e.Framework != "astro" || e.File != p || e.DeclaredPublic() {
			continue
		}
		if v, _ := pass.Model.OwnGuard(pass.Ctx, e); v.Authn == model.AuthnYes || v.Authn == model.AuthnUnknown {
			continue
		}
		if _, decoded := tokenSelected(pass.Model.Effects(pass.Ctx, e)); decoded {
			continue // CLK-RP-017 reports the identity taken from an unverified token
		}
		exp, open := astroExposure(pass, e)
		if !open {
			continue
		}
		x := exp.Effect
		what := "page"
		line := x.Line
		switch e.Kind {
		case model.Endpoint:
			what, line = "endpoint "+rules.Code(e.Name), e.Line
		case model.AstroAction:
			what, line = "action "+rules.Code(e.Name)+" (POST "+rules.Code(e.Path)+")", e.Line
		}
		if x.File != p || line < e.Line || line > e.EndLine {
			line = e.Line
		}
		msg := fmt.Sprintf("this %s calls %s without checking `locals.auth()`", what, rules.Code(x.Call))
		var related []rules.Location
		if l, ok := pathGate(e); ok {
			if !matcherRemoved(pass) {
				// The middleware stops signed-out callers before the entry
				// runs. Where the installed SDK's matcher can be bypassed
				// (GHSA-vqx2-fgx2-5wq9), CLK-RP-019 reports that once, at
				// the dependency: one root cause, one finding.
				continue
			}
			msg += fmt.Sprintf("; the path check in %s is its only gate, and the installed `@clerk/astro` no longer exports `createRouteMatcher()`", rules.Code(l.File))
			related = append(related, rules.Location{Path: l.File, Line: l.Line})
		}
		pass.Report(rules.Diagnostic{Line: line, Severity: severityOf(exp), Message: msg, Related: related})
	}
	// A prerendered page that checks the caller: the check ran once, at
	// build time.
	for _, e := range pass.Model.Prerendered(pass.Ctx, p) {
		if v, _ := pass.Model.OwnGuard(pass.Ctx, e); v.Authn != model.AuthnYes {
			continue
		}
		line := e.Line
		if f := pass.AST(pass.File); f != nil {
			for _, ex := range f.Exports() {
				if ex.Name == "prerender" && ex.Value != nil && jsast.Unwrap(ex.Value).Type == "true" {
					line = ex.Stmt.Line
				}
			}
		}
		pass.Report(rules.Diagnostic{Line: line,
			Message: "this page is prerendered (`prerender = true`) but uses Clerk auth: it is rendered once at build time, so its auth check never runs for a visitor"})
	}
	return nil
}

// astroExposure applies the model's policy (model.Exposed) to what a
// signed-out caller reaches past the entry's own checks, unless a
// middleware that does not depend on a path match rejects the caller
// first.
func astroExposure(pass *rules.Pass, e *model.Entry) (model.Exposure, bool) {
	for _, l := range e.Chain {
		if (l.Gate == model.GateRejects || l.Gate == model.GateRedirects) && !l.ByPath {
			return model.Exposure{}, false
		}
		if l.Gate == model.GateUnknown {
			return model.Exposure{}, false
		}
	}
	v, fx := pass.Model.OwnGuard(pass.Ctx, e)
	x := model.Exposed(e, v, fx)
	return x, x.Level != model.ExposeNone
}

// pathGate returns the middleware layer that stops signed-out requests
// (rejects or redirects them) by matching the path.
func pathGate(e *model.Entry) (model.Layer, bool) {
	for _, l := range e.Chain {
		if l.ByPath && (l.Gate == model.GateRejects || l.Gate == model.GateRedirects) {
			return l, true
		}
	}
	return model.Layer{}, false
}

// matcherRemoved reports whether the project's @clerk/astro no longer
// exports createRouteMatcher() (knowledge.ClerkExport: removed in 4.0.0),
// so a middleware path check written with it cannot run as written. An
// unknown version is not a removal.
func matcherRemoved(pass *rules.Pass) bool {
	v, ok := pass.Project.Version(pass.File.Path, "@clerk/astro")
	if !ok || v == nil {
		return false
	}
	return !knowledge.ClerkExport("@clerk/astro/server", "createRouteMatcher", int(v.Major()))
}
