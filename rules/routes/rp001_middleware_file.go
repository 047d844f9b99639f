package routes

import (
	"fmt"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP001 flags a Next.js middleware/proxy file that is missing,
// misplaced, mis-named for the Next.js version, or exports the Clerk
// handler under a name Next.js does not call, and an Astro app that
// registers the @clerk/astro integration without clerkMiddleware().
var RP001 = &rules.Rule{
	ID:         "CLK-RP-001",
	Name:       "middleware-file-missing-or-misplaced",
	Pack:       rules.PackRoutes,
	Severity:   rules.Medium,
	Confidence: rules.HighConfidence,
	Checklist:  1,
	Scope:      rules.PerSnapshot,
	Doc: rules.Doc{
		Title: "Next.js middleware file missing or misplaced, or Astro without clerkMiddleware()",
		References: []string{
			"https://clerk.com/docs/reference/nextjs/clerk-middleware",
			"https://clerk.com/docs/reference/nextjs/errors/auth-was-called",
			"https://nextjs.org/docs/messages/middleware-to-proxy",
			"https://clerk.com/docs/reference/astro/clerk-middleware",
		},
		Text: "Next.js only runs `middleware.ts` (Next.js 15 and earlier) or `proxy.ts` (Next.js 16+, where " +
			"`middleware.ts` still works but is deprecated) from the project root, or from `src/` when the app uses " +
			"`src/app` or `src/pages`, and only calls its default export or the export named `middleware` / `proxy`. " +
			"Anywhere else, `clerkMiddleware()` never runs: `auth()` throws \"Clerk can't detect usage of " +
			"clerkMiddleware()\" and any middleware protection is silently absent. The rule resolves paths relative to " +
			"each Next.js app of a monorepo.\n\nAstro: the `@clerk/astro` integration in `astro.config.*` does not run " +
			"`clerkMiddleware()`; without a `src/middleware.ts` exporting it as `onRequest`, `locals.auth()` is never set. Reported " +
			"once, at the integration, when request-time server code reads the caller's identity (a `locals.auth()` check, or a " +
			"session cookie decoded by hand); not for a static build or an app that reads the identity only in the browser.",
		Bad:  "// app uses src/app, but the file is ./middleware.ts at the project root\nexport default clerkMiddleware()",
		Good: "// src/middleware.ts (Next.js <= 15) or src/proxy.ts (Next.js 16+)\nexport default clerkMiddleware()\nexport const config = { matcher: [/* Clerk's recommended matcher */] }",
	},
	Fix: func(p *project.Model, file string) string {
		if a, ok := rules.FrameworkAuthOf(p, file); ok {
			return a.NextOnlyFix()
		}
		a := p.AppFor(file)
		want := "`middleware.ts` (Next.js <= 15) or `proxy.ts` (Next.js 16+)"
		dir := "the project root, or `src/` when the app uses `src/`"
		if a != nil {
			if a.NextMajor() >= 16 {
				want = "`proxy.ts` (your Next.js is 16+)"
			} else if a.NextMajor() > 0 {
				want = "`middleware.ts` (your Next.js is " + a.NextVersion.String() + ")"
			}
			if d := a.ExpectedMiddlewareDir(); d != "" {
				dir = rules.Code(d + "/")
			} else {
				dir = "the repository root"
			}
		}
		if p.NextEra(file) == project.EraCore1 {
			// @clerk/nextjs v4 has authMiddleware() from 4.17 and
			// withClerkMiddleware() before, not clerkMiddleware() (by the
			// generated SDK table).
			ver := ""
			if v, ok := p.Version(file, "@clerk/nextjs"); ok && v != nil {
				ver = v.Original()
			}
			if _, ok := knowledge.EntryFor("@clerk/nextjs", "authMiddleware", ver, ".", "./server"); !ok {
				if from, ok := knowledge.EntryFor("@clerk/nextjs", "withClerkMiddleware", ver, "./server"); ok {
					return "Clerk needs `withClerkMiddleware()` (from " + rules.Code(from) + ") to run on every request that uses `getAuth()`. Put it in " + want + " in " + dir +
						", exported as `export default withClerkMiddleware(() => NextResponse.next())`. Otherwise `getAuth()` throws because it cannot detect the middleware."
				}
			}
			return "Clerk needs `authMiddleware()` to run on every request that uses `auth()`. Put it in " + want + " in " + dir +
				", exported as `export default authMiddleware({ publicRoutes: ['/'] })` with Clerk's recommended `matcher`. Otherwise `auth()` throws because it cannot detect the middleware."
		}
		return "Clerk needs `clerkMiddleware()` to run on every request that uses `auth()`. Put it in " + want + " in " + dir +
			", exported as `export default clerkMiddleware()`. Otherwise `auth()` throws 'Clerk can't detect usage of clerkMiddleware()'."
	},
	Run: runRP001,
}

func runRP001(pass *rules.Pass) error {
	unattachedIntegration(pass)
	for _, a := range pass.Project.Next {
		if !a.Clerk {
			continue
		}
		reported := false
		for _, mf := range a.MiddlewareFiles {
			if mf.Problem == project.MiddlewareOK {
				continue
			}
			if reportMiddlewareProblem(pass, a, mf) {
				reported = true
			}
		}
		mw := a.Middleware
		switch {
		case mw != nil && mw.Clerk && mw.Export == "" && mw.ClerkCall != nil:
			want := "the default export or `middleware`"
			if mw.Kind == "proxy" {
				want = "the default export or `proxy`"
			}
			pass.Report(rules.Diagnostic{Path: mw.File, Line: mw.CallLine, Severity: rules.High,
				Message: fmt.Sprintf("%s creates %s but does not export it as %s: Next.js never calls it", rules.Code(path.Base(mw.File)), rules.Code(calleeOf(mw)), want)})
		case mw != nil && !mw.ImportsClerk && !mw.Clerk:
			if call, helper, file := firstClerkUse(pass, a); call != nil {
				pass.Report(rules.Diagnostic{Path: file, Line: call.Line, Column: call.Col,
					Message: fmt.Sprintf("%s needs clerkMiddleware(), but %s does not run it: the call throws", rules.Code(helper), rules.Code(mw.File)),
					Related: []rules.Location{{Path: mw.File, Line: 1}}})
			}
		case mw == nil && !reported:
			if call, helper, file := firstClerkUse(pass, a); call != nil {
				where := "the repository root"
				if d := a.ExpectedMiddlewareDir(); d != "" {
					where = rules.Code(d)
				}
				pass.Report(rules.Diagnostic{Path: file, Line: call.Line, Column: call.Col, Severity: rules.High,
					Message: fmt.Sprintf("%s needs clerkMiddleware(), but this Next.js app has no %s in %s: the call throws",
						rules.Code(helper), rules.Code(a.ExpectedMiddlewareName()+".ts"), where)})
			}
		}
	}
	return nil
}

func calleeOf(mw *project.Middleware) string {
	if mw.Legacy {
		return "authMiddleware()"
	}
	return "clerkMiddleware()"
}

// reportMiddlewareProblem reports a middleware file Next.js ignores or
// deprecates; it reports nothing for a misplaced file unrelated to Clerk.
func reportMiddlewareProblem(pass *rules.Pass, a *project.NextApp, mf *project.MiddlewareFile) bool {
	sf := pass.Get(mf.File)
	line := clerkLine(sf)
	base := path.Base(mf.File)
	switch mf.Problem {
	case project.MiddlewareMisplaced:
		if line == 0 {
			return false
		}
		where := "the project root"
		if d := a.ExpectedMiddlewareDir(); d != "" {
			where = rules.Code(d + "/")
		}
		why := ""
		switch {
		case a.SrcDir:
			why = "the app uses src/, so "
		case a.AppDir != "" && strings.HasPrefix(mf.File, a.AppDir+"/"), a.PagesDir != "" && strings.HasPrefix(mf.File, a.PagesDir+"/"):
			why = "it sits inside the routes directory; "
		}
		sev := rules.Medium
		if a.Middleware == nil {
			sev = rules.High
		}
		pass.Report(rules.Diagnostic{Path: mf.File, Line: line, Severity: sev,
			Message: fmt.Sprintf("%s never runs: %sNext.js reads the %s file only from %s", rules.Code(mf.File), why, mf.Kind, where)})
	case project.MiddlewareProxyTooOld:
		pass.Report(rules.Diagnostic{Path: mf.File, Line: max(line, 1), Severity: rules.High,
			Message: fmt.Sprintf("%s is only read by Next.js 16+, and this app uses next %s: the middleware never runs; name it %s",
				rules.Code(base), a.NextVersion, rules.Code("middleware"+path.Ext(base)))})
	case project.MiddlewareDeprecated:
		// middleware.ts on Next.js 16 still runs: a rename notice, not a
		// misconfiguration (Next.js prints it at build time).
		return false
	case project.MiddlewareBoth:
		msg := fmt.Sprintf("both %s and a proxy file exist: Next.js 16 refuses to build with both; keep only the proxy file", rules.Code(base))
		if a.NextMajor() != 0 && a.NextMajor() < 16 {
			msg = fmt.Sprintf("both a middleware file and %s exist: Next.js %d only runs the middleware file, so %s is dead code", rules.Code(base), a.NextMajor(), rules.Code(base))
		}
		pass.Report(rules.Diagnostic{Path: mf.File, Line: max(line, 1), Message: msg})
	}
	return true
}

// clerkLine returns the line of the file's first clerkMiddleware or
// authMiddleware mention, or 0.
func clerkLine(sf *source.File) int {
	if sf == nil {
		return 0
	}
	for i, l := range sf.Lines() {
		if strings.Contains(l, "clerkMiddleware(") || strings.Contains(l, "authMiddleware(") {
			return i + 1
		}
	}
	return 0
}

// firstClerkUse finds the first file of the app (route files first) that
// calls a Clerk helper needing the middleware.
func firstClerkUse(pass *rules.Pass, a *project.NextApp) (call *jsast.Node, helper, file string) {
	seen := map[string]bool{}
	try := func(p string) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		c, h := clerkHelperCall(pass, p)
		if c != nil {
			call, helper, file = c, h, p
			return true
		}
		return false
	}
	for _, r := range a.Routes {
		if try(r.File) {
			return
		}
	}
	for _, p := range pass.Paths() {
		if pass.Project.AppFor(p) != a || strings.Contains(p, "node_modules/") {
			continue
		}
		if source.IsScriptPath(p) && try(p) {
			return
		}
	}
	return nil, "", ""
}

// unattachedIntegration reports, at the clerk() integration of an Astro
// app's config, a middleware that never runs clerkMiddleware() while the
// app's server code reads the caller's identity (a locals.auth() check,
// or a session token decoded by hand): locals.auth() is never set, so
// every such check sees a signed-out caller or is worked around. Not
// reported when no request-time entry reads the identity (a static
// build, a client-only app).
func unattachedIntegration(pass *rules.Pass) {
	if pass.Model == nil {
		return
	}
	us, err := pass.Model.AstroClerkUnattached(pass.Ctx)
	if err != nil {
		return
	}
	for _, u := range us {
		var reader *model.Entry
		for _, e := range u.Entries {
			v, _ := pass.Model.OwnGuard(pass.Ctx, e)
			if _, decoded := tokenSelected(pass.Model.Effects(pass.Ctx, e)); decoded || v.Authn == model.AuthnYes || len(v.Proof) > 0 {
				reader = e
				break
			}
		}
		if reader == nil {
			continue
		}
		where := "there is no `src/middleware.ts`"
		if u.Middleware != "" {
			where = rules.Code(u.Middleware) + " does not run `clerkMiddleware()`"
		}
		pass.Report(rules.Diagnostic{Path: u.Integration.File, Line: u.Integration.Line, Severity: rules.Medium,
			Related: []rules.Location{{Path: reader.File, Line: reader.Line}},
			Message: fmt.Sprintf("the `@clerk/astro` integration is registered but %s, so `locals.auth()` is never set: server code that reads the caller's identity (%s) sees no session, or decodes the cookie itself", where, rules.Code(reader.File)),
			Fix: "Create `src/middleware.ts` with `import { clerkMiddleware } from '@clerk/astro/server'; export const onRequest = clerkMiddleware()`, " +
				"then read the caller with `locals.auth()` (never by decoding the `__session` cookie) and check it in each page and endpoint."})
	}
}
