package project

import (
	"slices"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/rulestest/guard"
)

func testSet() *boundedre.Set { return boundedre.NewSet(boundedre.DefaultLimits()) }

func TestNextMatcher(t *testing.T) {
	clerk := []string{
		`/((?!_next|[^?]*\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)`,
		`/(api|trpc)(.*)`,
		`/__clerk/(.*)`,
	}
	nextDocs := []string{`/((?!api|_next/static|_next/image|favicon.ico).*)`}
	old := []string{`/((?!.*\..*|_next).*)`, `/`, `/(api|trpc)(.*)`}
	tests := []struct {
		name     string
		matchers []string
		path     string
		want     bool
	}{
		{"clerk api", clerk, "/api/x", true},
		{"clerk api root", clerk, "/api", true},
		{"clerk trpc", clerk, "/trpc/user.get", true},
		{"clerk dashboard", clerk, "/dashboard", true},
		{"clerk root", clerk, "/", true},
		{"clerk next static", clerk, "/_next/static/x.js", false},
		{"clerk csv", clerk, "/reports/q3.csv", false},
		{"clerk json page", clerk, "/data.json", true},
		{"clerk api csv", clerk, "/api/export.csv", true},
		{"clerk __clerk", clerk, "/__clerk/v1/client", true},
		{"clerk trailing slash", clerk, "/dashboard/", true},
		{"next docs api", nextDocs, "/api/x", false},
		{"next docs apiary", nextDocs, "/apiary", false},
		{"next docs dashboard", nextDocs, "/dashboard", true},
		{"next docs favicon", nextDocs, "/favicon.ico", false},
		{"old dotted", old, "/reports/q3.csv", false},
		{"old api dotted", old, "/api/q3.csv", true},
		{"old root", old, "/", true},
		{"old page", old, "/settings", true},
		{"old next", old, "/_next/static/chunk", false},
		{"named star", []string{"/api/:path*"}, "/api", true},
		{"named star deep", []string{"/api/:path*"}, "/api/a/b", true},
		{"named star other", []string{"/api/:path*"}, "/apix", false},
		{"named plus", []string{"/api/:path+"}, "/api", false},
		{"named plus deep", []string{"/api/:path+"}, "/api/a/b", true},
		{"named opt", []string{"/docs/:slug?"}, "/docs", true},
		{"named opt one", []string{"/docs/:slug?"}, "/docs/a", true},
		{"named opt two", []string{"/docs/:slug?"}, "/docs/a/b", false},
		{"named", []string{"/users/:id"}, "/users/1", true},
		{"named deep", []string{"/users/:id"}, "/users/1/x", false},
		{"exact", []string{"/about"}, "/about", true},
		{"exact sub", []string{"/about"}, "/about/team", false},
		{"exact json", []string{"/about"}, "/about.json", true},
		{"case sensitive", []string{"/about"}, "/About", false},
		{"data route", []string{"/about"}, "/_next/data/build123/about.json", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := false
			for _, m := range tc.matchers {
				p := CompileNextMatcher(testSet(), "middleware.ts", m, 1)
				if p.Err != nil {
					t.Fatalf("compile %q: %v", m, p.Err)
				}
				if p.Match(tc.path) {
					got = true
				}
			}
			if got != tc.want {
				t.Errorf("%v on %s = %v, want %v", tc.matchers, tc.path, got, tc.want)
			}
		})
	}
}

func TestRoutePattern(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/dashboard(.*)", "/dashboard", true},
		{"/dashboard(.*)", "/dashboard/x", true},
		{"/dashboard(.*)", "/dashboardxyz", true},
		{"/dashboard(.*)", "/DASHBOARD/x", true},
		{"/dashboard/:path*", "/dashboardxyz", false},
		{"/dashboard/:path*", "/dashboard/a/b", true},
		{"/api/webhook(.*)", "/api/webhook-admin", true},
		{"/", "/", true},
		{"/", "/x", false},
		{"/sign-in(.*)", "/sign-in/factor-one", true},
		{"/(.*)", "/anything/at/all", true},
		{"/api/(.*)", "/api/x", true},
		{"/api/(.*)", "/apix", false},
	}
	for _, tc := range tests {
		p := CompileRoutePattern(testSet(), "middleware.ts", tc.pattern, 1)
		if p.Err != nil {
			t.Fatalf("compile %q: %v", tc.pattern, p.Err)
		}
		if got := p.Match(tc.path); got != tc.want {
			t.Errorf("%s on %s = %v, want %v (re %s)", tc.pattern, tc.path, got, tc.want, p.Regexp())
		}
	}
	if p := CompileRegExpLiteral(testSet(), "middleware.ts", `/^\/admin/i`, 1); !p.Match("/ADMIN/x") || p.Match("/x/admin") {
		t.Errorf("regexp literal mismatch")
	}
	for _, bad := range []string{"/api/*", "/(a|(b))", "/:"} {
		if p := CompileRoutePattern(testSet(), "middleware.ts", bad, 1); p.Err == nil {
			t.Errorf("%q compiled, want error", bad)
		}
	}
}

// TestRoutePatternMatchesEveryPath: only a lone `.*` group (after the
// leading '/') matches every path; a named catch-all parameter stops at
// empty segments, and a prefix narrows the pattern.
func TestRoutePatternMatchesEveryPath(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{"/(.*)", true},
		{"(.*)", true},
		{"/(.*)?", true},
		{"/:path*", false},
		{"/api(.*)", false},
		{"/(.*)/edit", false},
		{"/(.+)", false},
		{"/", false},
	}
	for _, tc := range tests {
		p := CompileRoutePattern(testSet(), "middleware.ts", tc.pattern, 1)
		if p.Err != nil {
			t.Fatalf("compile %q: %v", tc.pattern, p.Err)
		}
		if got := p.MatchesEveryPath(); got != tc.want {
			t.Errorf("%s: MatchesEveryPath = %v, want %v", tc.pattern, got, tc.want)
		}
		if tc.want {
			for _, u := range []string{"/", "//x", "/a/b.json", "/%2e%2e/admin", "/API/x"} {
				if !p.Match(u) {
					t.Errorf("%s claims every path but does not match %s", tc.pattern, u)
				}
			}
		}
	}
	if p := CompileRegExpLiteral(testSet(), "middleware.ts", `/.*/`, 1); p.MatchesEveryPath() {
		t.Errorf("a RegExp literal is not classified")
	}
}

// bomb needs backtracking (look-ahead) and explodes on any path longer
// than a few characters.
const bomb = `/^((?=.)(.*)*)*x/`

// TestUnevaluablePatternIsUnknown: a createRouteMatcher, publicRoutes or
// config.matcher entry that cannot be evaluated makes the model answer
// Unknown for the paths it decides, never "not protected" or "does not
// run", and a second question does not run the pattern again.
func TestUnevaluablePatternIsUnknown(t *testing.T) {
	for _, tc := range []struct {
		name string
		// decided is a path another pattern decides; want its protection.
		decided string
		want    Protection
		mw      string
	}{
		{"createRouteMatcher", "/admin/x", Protected, `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
const isProtected = createRouteMatcher(['/admin(.*)', ` + bomb + `])
export default clerkMiddleware(async (auth, req) => {
  if (isProtected(req)) await auth.protect()
})
`},
		{"publicRoutes", "/", Unprotected, `import { authMiddleware } from '@clerk/nextjs'
export default authMiddleware({ publicRoutes: ['/', ` + bomb + `] })
`},
		{"config.matcher", "/admin/x", Protected, `import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware(async (auth) => { await auth.protect() })
export const config = { matcher: ['/((?=.)(?:a|aa)*)x', '/admin(.*)'] }
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := build(t, map[string]string{"package.json": pkg15, "middleware.ts": tc.mw,
				"app/api/orders/route.ts": "export async function GET() {}\n"})
			a := m.Next[0]
			var got Protection
			guard.Returns(t, "Protection", func() { got = a.Protection("/" + strings.Repeat("a", 34) + "!") })
			if got != Unknown {
				t.Fatalf("protection = %v, want unknown", got)
			}
			runs := m.Patterns().Stats().BacktrackingRuns
			if got := a.Protection("/" + strings.Repeat("a", 35) + "!"); got != Unknown {
				t.Errorf("second question: %v", got)
			}
			if m.Patterns().Stats().BacktrackingRuns != runs {
				t.Error("the unevaluable pattern ran again")
			}
			if got := a.Protection(tc.decided); got != tc.want {
				t.Errorf("%s, which another pattern decides: %v, want %v", tc.decided, got, tc.want)
			}
			fs := m.Patterns().Failures()
			if len(fs) != 1 || len(fs[0].Where) != 1 || !strings.HasPrefix(fs[0].Where[0], "middleware.ts:") {
				t.Errorf("failures = %+v", fs)
			}
		})
	}
}

// TestRoutePatternJoinedPaths: a string holding two comma-joined paths
// (a missing pair of quotes) names neither; commas in groups, in a
// regular-expression quantifier or before a non-path do not split it.
func TestRoutePatternJoinedPaths(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"/perfil, /api(/.*)?", []string{"/perfil", "/api(/.*)?"}},
		{"/a,/b,/c(.*)", []string{"/a", "/b", "/c(.*)"}},
		{"/api(.*)", nil},
		{`/id/(\d{1,3})`, nil},
		{"/x{/a,b}", nil},
		{"/tags/a,b", nil},
		{"/(a|b),(c)", nil},
	}
	for _, tc := range tests {
		p := CompileRoutePattern(testSet(), "middleware.ts", tc.pattern, 1)
		if got := p.JoinedPaths(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: JoinedPaths = %q, want %q", tc.pattern, got, tc.want)
		}
		if tc.want != nil && p.Match(tc.want[0]) {
			t.Errorf("%s matches %s: the joined pattern should name neither path", tc.pattern, tc.want[0])
		}
	}
}
