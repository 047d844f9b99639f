package routes

import (
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// nextMiddleware names the Clerk middleware of the @clerk/nextjs version
// the file's package.json declares, by the generated SDK table:
// `authMiddleware()` where that version exports no clerkMiddleware (v4),
// `clerkMiddleware()` otherwise (and where the table cannot tell).
func nextMiddleware(p *project.Model, file string) string {
	if !p.DependsOn(file, "@clerk/nextjs") {
		return "clerkMiddleware()"
	}
	ver := ""
	if v, ok := p.Version(file, "@clerk/nextjs"); ok && v != nil {
		ver = v.Original()
	}
	if _, ok := knowledge.EntryFor("@clerk/nextjs", "clerkMiddleware", ver, ".", "./server"); ok {
		return "clerkMiddleware()"
	}
	if _, ok := knowledge.EntryFor("@clerk/nextjs", "authMiddleware", ver, ".", "./server"); ok {
		return "authMiddleware()"
	}
	return "clerkMiddleware()"
}

// guardSnippet returns the resource-level check for the file's SDK era.
func guardSnippet(p *project.Model, file string) string {
	switch p.NextEra(file) {
	case project.EraCore1:
		return "`const { userId } = auth(); if (!userId) return new Response('Unauthorized', { status: 401 })` (`@clerk/nextjs` v4; `auth()` is synchronous)"
	case project.EraV5:
		return "`auth().protect()` at the top, or `const { userId } = auth(); if (!userId) return new Response('Unauthorized', { status: 401 })` (`@clerk/nextjs` v5: `auth()` is synchronous)"
	case project.EraV6:
		// isAuthenticated reached the Auth object late in v6: userId works in every v6 release.
		return "`await auth.protect()` at the top (signed-out API callers get a 404), or `const { userId } = await auth(); if (!userId) return new Response('Unauthorized', { status: 401 })`"
	}
	return "`await auth.protect()` at the top (signed-out API callers get a 404), or `const { isAuthenticated } = await auth(); if (!isAuthenticated) return new Response('Unauthorized', { status: 401 })`"
}

// actionGuardSnippet is guardSnippet for Server Actions.
func actionGuardSnippet(p *project.Model, file string) string {
	switch p.NextEra(file) {
	case project.EraCore1:
		return "`const { userId } = auth(); if (!userId) throw new Error('Unauthorized')` as the first statement (`@clerk/nextjs` v4 has no `protect()`)"
	case project.EraV5:
		return "`const { userId } = auth(); if (!userId) throw new Error('Unauthorized')` (or `auth().protect()`) as the first statement"
	}
	return "`const { userId } = await auth.protect()` (signed-out callers get a 401) or `const { userId } = await auth(); if (!userId) throw new Error('Unauthorized')` as the first statement"
}

// coverFirst returns the step a fix must start with when the app's
// middleware does not run on probe: `auth()`, `auth.protect()` and
// `getAuth()` read the state clerkMiddleware() attaches to the request and
// throw where it did not run ("auth() ... requires clerkMiddleware() to be
// configured", https://clerk.com/docs/reference/nextjs/app-router/auth), so
// suggesting them alone would break the route. "" when the middleware runs
// on probe.
func coverFirst(a *project.NextApp, probe string) string {
	if a == nil || a.Protection(probe) != project.NotRun {
		return ""
	}
	const why = "`auth()` and `getAuth()` throw on requests `clerkMiddleware()` did not run on"
	mw := a.Middleware
	switch {
	case mw == nil:
		file := path.Join(a.ExpectedMiddlewareDir(), a.ExpectedMiddlewareName()+".ts")
		return "First create " + rules.Code(file) + " exporting `clerkMiddleware()` with Clerk's recommended `matcher` (" + why + "); then "
	case mw.RunsOn(probe) == boundedre.NoMatch:
		return "First make " + rules.Code(path.Base(mw.File)) + "'s `matcher` run on " + rules.Code(probe) +
			" (Clerk's recommended matcher covers every page and `/(api|trpc)(.*)`), since " + why + "; then "
	case !mw.Clerk:
		return "First run `clerkMiddleware()` in " + rules.Code(path.Base(mw.File)) + " (" + why + "); then "
	}
	return ""
}

// withCoverFirst prefixes fix with coverFirst's step, lower-casing the
// fix's first letter to continue the sentence.
func withCoverFirst(a *project.NextApp, probe, fix string) string {
	first := coverFirst(a, probe)
	if first == "" || fix == "" {
		return ""
	}
	return first + strings.ToLower(fix[:1]) + fix[1:]
}
