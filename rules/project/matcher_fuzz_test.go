package project

import (
	"strconv"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/rulestest/guard"
)

var fuzzPatterns = []string{
	`/((?!_next|[^?]*\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)`,
	`/(api|trpc)(.*)`, `/__clerk/(.*)`, `/dashboard/:path*`, `/:a+/:b?`, `/((?!api|_next/static|_next/image|favicon.ico).*)`,
	`/(`, `:`, `/a(b`, `/a/:p(\d+)`, `/^((.*)*)*x/`, `/((?=.)(.*)*)*x`, `/((?=.)(?:a|aa)*)x`, `/^\/admin/i`, `/{:a(\d+)}?`,
}

// FuzzMatcher runs every pattern compiler of the model (the Next.js
// config.matcher wrapper, Clerk's createRouteMatcher / publicRoutes /
// ignoredRoutes strings, and RegExp literals) on arbitrary input. Each
// compile and match must return (a generous hang guard, not a speed
// check), and a match answers Unknown only for a pattern the set records
// as unevaluable.
func FuzzMatcher(f *testing.F) {
	for _, s := range fuzzPatterns {
		f.Add(s, "/api/x")
		f.Add(s, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")
	}
	f.Fuzz(func(t *testing.T, source, path string) {
		set := boundedre.NewSet(boundedre.Limits{MatchTimeout: 10 * time.Millisecond})
		for _, compile := range []func(*boundedre.Set, string, string, int) *PathPattern{CompileNextMatcher, CompileRoutePattern, CompileRegExpLiteral} {
			var p *PathPattern
			guard.Returns(t, "compile", func() { p = compile(set, "middleware.ts", source, 1) })
			var v boundedre.Verdict
			guard.Returns(t, "match", func() { v = p.Eval(path) })
			if v == boundedre.Unknown && p.Err == nil {
				if _, ok := p.re.Unevaluable(); !ok {
					t.Fatalf("%q on %q: unknown, but the pattern is not marked unevaluable", source, path)
				}
			}
			if p.Err != nil && v != boundedre.NoMatch {
				t.Fatalf("invalid %q answered %v", source, v)
			}
		}
	})
}

// FuzzMiddlewarePatterns writes arbitrary patterns into a middleware file
// as createRouteMatcher entries, authMiddleware publicRoutes and
// config.matcher, builds the model and asks what it protects: the whole
// path from analysed source to verdict must return.
func FuzzMiddlewarePatterns(f *testing.F) {
	for _, s := range fuzzPatterns {
		f.Add(s, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")
	}
	f.Fuzz(func(t *testing.T, pattern, probe string) {
		lit := strconv.Quote(pattern)
		files := []map[string]string{
			{"middleware.ts": `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
const isPublic = createRouteMatcher([` + lit + `, ` + regexLiteral(pattern) + `])
export default clerkMiddleware(async (auth, req) => { if (!isPublic(req)) await auth.protect() })
export const config = { matcher: [` + lit + `] }
`},
			{"middleware.ts": `import { authMiddleware } from '@clerk/nextjs'
export default authMiddleware({ publicRoutes: [` + lit + `], ignoredRoutes: [` + regexLiteral(pattern) + `] })
`},
		}
		for _, fs := range files {
			fs["package.json"] = pkg15
			var m *Model
			guard.Returns(t, "build", func() { m = build(t, fs) })
			for _, a := range m.Next {
				guard.Returns(t, "protection", func() {
					a.Protection(probe)
					a.GateProtects(probe)
				})
			}
		}
	})
}

// regexLiteral writes pattern as a JavaScript RegExp literal when it can
// be one, else a harmless string.
func regexLiteral(pattern string) string {
	for _, c := range pattern {
		if c == '/' || c == '\n' || c == '\r' || c == '\\' {
			return `'/'`
		}
	}
	if pattern == "" {
		return `'/'`
	}
	return "/" + pattern + "/"
}
