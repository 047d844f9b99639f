package project

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/source"
)

type memFiles struct{ m source.Mem }

func (f memFiles) Paths() []string {
	ps, _ := f.m.Files(context.Background())
	return ps
}

func (f memFiles) Get(ctx context.Context, p string) (*source.File, error) {
	b, err := f.m.Read(ctx, p)
	if err != nil {
		return nil, err
	}
	return source.NewFile(p, b), nil
}

func build(t *testing.T, files map[string]string) *Model {
	t.Helper()
	m := source.Mem{}
	for k, v := range files {
		m[k] = []byte(v)
	}
	model, err := Build(context.Background(), memFiles{m})
	if err != nil {
		t.Fatal(err)
	}
	return model
}

const pkg16 = `{"dependencies": {"next": "^16.0.1", "@clerk/nextjs": "^6.30.0"}}`
const pkg15 = `{"dependencies": {"next": "15.2.3", "@clerk/nextjs": "^6.30.0"}}`

func TestAppRoutePath(t *testing.T) {
	tests := []struct{ dir, want string }{
		{"", "/"},
		{"/api/users/[id]", "/api/users/[id]"},
		{"/(marketing)/about", "/about"},
		{"/(shop)/(cart)/checkout", "/checkout"},
		{"/dashboard/@analytics/views", "/dashboard/views"},
		{"/feed/(.)photo/[id]", "/feed/photo/[id]"},
		{"/feed/(..)photo/[id]", "/photo/[id]"},
		{"/a/b/(..)(..)photo", "/photo"},
		{"/a/b/(...)photo", "/photo"},
		{"/docs/[...slug]", "/docs/[...slug]"},
		{"/[[...opt]]", "/[[...opt]]"},
	}
	for _, tc := range tests {
		got, ok := appRoutePath(tc.dir)
		if !ok || got != tc.want {
			t.Errorf("appRoutePath(%q) = %q, %v; want %q", tc.dir, got, ok, tc.want)
		}
	}
	if _, ok := appRoutePath("/_components/x"); ok {
		t.Errorf("private folder produced a route")
	}
}

func TestRoutes(t *testing.T) {
	m := build(t, map[string]string{
		"package.json":                      pkg15,
		"app/api/users/[id]/route.ts":       "export async function GET() {}",
		"app/(site)/about/page.tsx":         "export default function P() {}",
		"app/dashboard/layout.tsx":          "export default function L() {}",
		"app/_lib/route.ts":                 "export function GET() {}",
		"app/components/button.tsx":         "export function B() {}",
		"app/api/x/route.test.ts":           "",
		"pages/api/legacy.ts":               "export default function h() {}",
		"pages/api/items/index.ts":          "export default function h() {}",
		"pages/index.tsx":                   "export default function P() {}",
		"pages/_app.tsx":                    "export default function A() {}",
		"pages/blog/[slug].tsx":             "export default function P() {}",
		"apps/admin/package.json":           `{"dependencies": {"next": "14.2.0"}}`,
		"apps/admin/src/app/page.tsx":       "export default function P() {}",
		"apps/admin/src/middleware.ts":      "export default function middleware() {}",
		"apps/admin/middleware.ts":          "export default function middleware() {}",
		"apps/admin/src/app/api/r/route.ts": "export function GET() {}",
	})
	want := map[string]struct {
		path string
		kind RouteKind
	}{
		"app/api/users/[id]/route.ts":       {"/api/users/[id]", RouteHandler},
		"app/(site)/about/page.tsx":         {"/about", Page},
		"app/dashboard/layout.tsx":          {"/dashboard", Layout},
		"pages/api/legacy.ts":               {"/api/legacy", PagesAPI},
		"pages/api/items/index.ts":          {"/api/items", PagesAPI},
		"pages/index.tsx":                   {"/", PagesPage},
		"pages/blog/[slug].tsx":             {"/blog/[slug]", PagesPage},
		"apps/admin/src/app/page.tsx":       {"/", Page},
		"apps/admin/src/app/api/r/route.ts": {"/api/r", RouteHandler},
	}
	got := 0
	for _, a := range m.Next {
		for _, r := range a.Routes {
			w, ok := want[r.File]
			if !ok {
				t.Errorf("unexpected route %s (%s)", r.File, r.Path)
				continue
			}
			got++
			if r.Path != w.path || r.Kind != w.kind {
				t.Errorf("%s: got %s %v, want %s %v", r.File, r.Path, r.Kind, w.path, w.kind)
			}
		}
	}
	if got != len(want) {
		t.Errorf("got %d routes, want %d", got, len(want))
	}
	if r := m.RouteOf("app/api/users/[id]/route.ts"); r == nil || r.Probe() != "/api/users/x" {
		t.Errorf("probe of dynamic route: %+v", r)
	}
	admin := m.AppFor("apps/admin/src/app/page.tsx")
	if admin == nil || admin.Root != "apps/admin" || !admin.SrcDir || admin.NextMajor() != 14 {
		t.Fatalf("admin app: %+v", admin)
	}
	if admin.Middleware == nil || admin.Middleware.File != "apps/admin/src/middleware.ts" {
		t.Errorf("admin middleware: %+v", admin.Middleware)
	}
	var misplaced bool
	for _, mf := range admin.MiddlewareFiles {
		if mf.File == "apps/admin/middleware.ts" && mf.Problem == MiddlewareMisplaced {
			misplaced = true
		}
	}
	if !misplaced {
		t.Errorf("root middleware.ts of a src/ app not marked misplaced")
	}
}

func TestMiddlewareFiles(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		used     string
		problems map[string]MiddlewareProblem
	}{
		{"proxy on 16", map[string]string{"package.json": pkg16, "app/page.tsx": "", "proxy.ts": ""}, "proxy.ts", nil},
		{"proxy on 15", map[string]string{"package.json": pkg15, "app/page.tsx": "", "proxy.ts": ""}, "",
			map[string]MiddlewareProblem{"proxy.ts": MiddlewareProxyTooOld}},
		{"middleware on 16", map[string]string{"package.json": pkg16, "app/page.tsx": "", "middleware.ts": ""}, "middleware.ts",
			map[string]MiddlewareProblem{"middleware.ts": MiddlewareDeprecated}},
		{"both on 16", map[string]string{"package.json": pkg16, "app/page.tsx": "", "middleware.ts": "", "proxy.ts": ""}, "proxy.ts",
			map[string]MiddlewareProblem{"middleware.ts": MiddlewareBoth}},
		{"src app root middleware", map[string]string{"package.json": pkg15, "src/app/page.tsx": "", "middleware.ts": ""}, "",
			map[string]MiddlewareProblem{"middleware.ts": MiddlewareMisplaced}},
		{"in app dir", map[string]string{"package.json": pkg15, "app/page.tsx": "", "app/middleware.ts": ""}, "",
			map[string]MiddlewareProblem{"app/middleware.ts": MiddlewareMisplaced}},
		{"root app beats src", map[string]string{"package.json": pkg15, "app/page.tsx": "", "src/app/page.tsx": "", "middleware.ts": ""}, "middleware.ts", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := build(t, tc.files)
			if len(m.Next) != 1 {
				t.Fatalf("apps: %d", len(m.Next))
			}
			a := m.Next[0]
			used := ""
			if a.Middleware != nil {
				used = a.Middleware.File
			}
			if used != tc.used {
				t.Errorf("used %q, want %q", used, tc.used)
			}
			for _, mf := range a.MiddlewareFiles {
				if mf.Problem != tc.problems[mf.File] {
					t.Errorf("%s: problem %v, want %v", mf.File, mf.Problem, tc.problems[mf.File])
				}
			}
		})
	}
}

const clerkMatcher = `export const config = {
  matcher: [
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
    '/__clerk/(.*)',
  ],
}`

func TestMiddlewareProtection(t *testing.T) {
	type probe struct {
		path string
		want Protection
	}
	tests := []struct {
		name   string
		mw     string
		pkg    string
		probes []probe
	}{
		{"bare clerkMiddleware", `import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware()
` + clerkMatcher, pkg15, []probe{{"/api/x", Unprotected}, {"/dashboard", Unprotected}, {"/_next/static/a.js", NotRun}}},
		{"protected matcher", `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
const isProtectedRoute = createRouteMatcher(['/dashboard(.*)', '/api/private(.*)'])
export default clerkMiddleware(async (auth, req) => {
  if (isProtectedRoute(req)) await auth.protect()
})
` + clerkMatcher, pkg15, []probe{{"/dashboard/x", Protected}, {"/api/private/x", Protected}, {"/api/public", Unprotected}, {"/reports/q3.csv", NotRun}}},
		{"public matcher", `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
const isPublicRoute = createRouteMatcher(['/', '/sign-in(.*)', '/api/webhooks(.*)'])
export default clerkMiddleware(async (auth, req) => {
  if (!isPublicRoute(req)) {
    await auth.protect()
  }
})
` + clerkMatcher, pkg15, []probe{{"/", Unprotected}, {"/api/webhooks/clerk", Unprotected}, {"/api/x", Protected}, {"/settings", Protected}}},
		{"early return", `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
const isPublic = createRouteMatcher(['/'])
export default clerkMiddleware(async (auth, req) => {
  if (isPublic(req)) return
  await auth.protect()
})`, pkg15, []probe{{"/", Unprotected}, {"/api/x", Protected}}},
		{"unconditional v5", `import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware((auth) => { auth().protect() })`, `{"dependencies": {"next": "14.0.0", "@clerk/nextjs": "5.2.0"}}`, []probe{{"/api/x", Protected}}},
		{"userId redirect", `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
import { NextResponse } from 'next/server'
const isProtectedRoute = createRouteMatcher(['/admin(.*)'])
export default clerkMiddleware(async (auth, req) => {
  const { userId, redirectToSignIn } = await auth()
  if (!userId && isProtectedRoute(req)) return redirectToSignIn()
  if (userId && req.nextUrl.pathname === '/') return NextResponse.redirect(new URL('/home', req.url))
})`, pkg15, []probe{{"/admin/x", Protected}, {"/", Unprotected}}},
		{"pathname prefix", `import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware(async (auth, req) => {
  if (req.nextUrl.pathname.startsWith('/api')) await auth.protect()
})`, pkg15, []probe{{"/api/x", Protected}, {"/x", Unprotected}}},
		{"opaque helper", `import { clerkMiddleware } from '@clerk/nextjs/server'
import { guard } from './lib/guard'
export default clerkMiddleware(async (auth, req) => { await guard(auth, req) })`, pkg15, []probe{{"/api/x", Unknown}}},
		{"unknown condition", `import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware(async (auth, req) => { if (isSecret(req)) await auth.protect() })`, pkg15, []probe{{"/api/x", Unknown}}},
		{"named handler", `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
const isProtected = createRouteMatcher(['/api(.*)'])
async function handler(auth, req) { if (isProtected(req)) await auth.protect() }
const mw = clerkMiddleware(handler)
export default mw`, pkg15, []probe{{"/api/x", Protected}, {"/x", Unprotected}}},
		{"authMiddleware", `import { authMiddleware } from '@clerk/nextjs'
export default authMiddleware({ publicRoutes: ['/', '/api/public(.*)'], ignoredRoutes: ['/api/webhooks/(.*)'] })
export const config = { matcher: ['/((?!.*\\..*|_next).*)', '/', '/(api|trpc)(.*)'] }`,
			`{"dependencies": {"next": "13.5.0", "@clerk/nextjs": "4.29.0"}}`,
			[]probe{{"/", Unprotected}, {"/api/public/x", Unprotected}, {"/api/webhooks/clerk", Unprotected}, {"/api/x", Protected}, {"/reports/q3.csv", NotRun}}},
		{"bare authMiddleware protects everything", `import { authMiddleware } from '@clerk/nextjs'
export default authMiddleware()`, `{"dependencies": {"next": "13.5.0", "@clerk/nextjs": "4.29.0"}}`, []probe{{"/api/x", Protected}, {"/", Protected}}},
		{"authMiddleware afterAuth without signed-out", `import { authMiddleware } from '@clerk/nextjs'
import { NextResponse } from 'next/server'
export default authMiddleware({
  afterAuth(auth, req) {
    if (auth.userId && !auth.orgId) return NextResponse.redirect(new URL('/org-selection', req.url))
  },
})`, `{"dependencies": {"next": "13.5.0", "@clerk/nextjs": "4.29.0"}}`, []probe{{"/api/x", Unprotected}}},
		{"authMiddleware afterAuth with signed-out", `import { authMiddleware, redirectToSignIn } from '@clerk/nextjs'
export default authMiddleware({
  publicRoutes: ['/'],
  afterAuth(auth, req) {
    if (!auth.userId && !auth.isPublicRoute) return redirectToSignIn({ returnBackUrl: req.url })
  },
})`, `{"dependencies": {"next": "13.5.0", "@clerk/nextjs": "4.29.0"}}`, []probe{{"/api/x", Protected}, {"/", Unprotected}}},
		{"non-constant matcher runs everywhere", `import { clerkMiddleware } from '@clerk/nextjs/server'
const paths = ['/dashboard']
export default clerkMiddleware(async (auth) => { await auth.protect() })
export const config = { matcher: paths }`, pkg15, []probe{{"/anything", Protected}}},
		{"next docs matcher", `import { clerkMiddleware } from '@clerk/nextjs/server'
export default clerkMiddleware(async (auth) => { await auth.protect() })
export const config = { matcher: ['/((?!api|_next/static|_next/image|favicon.ico).*)'] }`, pkg15, []probe{{"/api/x", NotRun}, {"/dashboard", Protected}}},
		{"wrapper function of a handler-less clerkMiddleware protects nothing", `import { clerkMiddleware } from '@clerk/nextjs/server'
export default function middleware(req, ev) { return clerkMiddleware()(req, ev) }`, pkg15, []probe{{"/api/x", Unprotected}}},
		{"wrapper function that checks a cookie itself", `import { clerkMiddleware } from '@clerk/nextjs/server'
import { NextResponse } from 'next/server'
export default function middleware(req, ev) {
  if (!req.cookies.get('session')) return NextResponse.redirect(new URL('/login', req.url))
  return clerkMiddleware()(req, ev)
}`, pkg15, []probe{{"/api/x", Unknown}}},
		{"wrapper function of a protecting clerkMiddleware", `import { clerkMiddleware } from '@clerk/nextjs/server'
export default function middleware(req, ev) { return clerkMiddleware(async (auth) => { await auth.protect() })(req, ev) }`, pkg15, []probe{{"/api/x", Unknown}}},
		{"wrapped authMiddleware whose afterAuth ignores auth (hackathon.zip)", `import { authMiddleware } from '@clerk/nextjs'
import { NextResponse } from 'next/server'
export default function middleware(request, event) {
  const withAuthentication = (callback) => authMiddleware({ publicRoutes: ['/'], afterAuth: (auth, req) => callback(req) })(request, event)
  return withAuthentication(() => NextResponse.rewrite(new URL('/x', request.url)))
}`, `{"dependencies": {"next": "13.5.0", "@clerk/nextjs": "4.29.0"}}`, []probe{{"/api/x", Unprotected}}},
		{"wrapped authMiddleware without afterAuth", `import { authMiddleware } from '@clerk/nextjs'
export default function middleware(request, event) { return authMiddleware({ publicRoutes: ['/'] })(request, event) }`,
			`{"dependencies": {"next": "13.5.0", "@clerk/nextjs": "4.29.0"}}`, []probe{{"/api/x", Unknown}}},
		{"non-clerk i18n middleware", `import createMiddleware from 'next-intl/middleware'
export default createMiddleware({ locales: ['en'], defaultLocale: 'en' })`, pkg15, []probe{{"/api/x", Unprotected}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := build(t, map[string]string{"package.json": tc.pkg, "app/page.tsx": "", "middleware.ts": tc.mw})
			a := m.Next[0]
			for _, p := range tc.probes {
				if got := a.Protection(p.path); got != p.want {
					t.Errorf("%s: %v, want %v", p.path, got, p.want)
				}
				if a.MiddlewareProtects(p.path) != (p.want == Protected) {
					t.Errorf("%s: MiddlewareProtects disagrees", p.path)
				}
			}
		})
	}
}

func TestMiddlewareFacts(t *testing.T) {
	m := build(t, map[string]string{"package.json": pkg15, "app/page.tsx": "", "middleware.ts": `import { clerkMiddleware } from '@clerk/nextjs/server'
export const middleware = clerkMiddleware()
export const config = {
  matcher: [
    { source: '/api/(.*)', missing: [{ type: 'header', key: 'next-router-prefetch' }] },
    '/dashboard',
  ],
}`})
	mw := m.Next[0].Middleware
	if !mw.Clerk || mw.Export != "middleware" || mw.CallLine != 2 || mw.MatcherLine != 4 {
		t.Errorf("facts: clerk %v export %q call %d matcher %d", mw.Clerk, mw.Export, mw.CallLine, mw.MatcherLine)
	}
	if len(mw.Matchers) != 2 || !mw.Matchers[0].Conditional || mw.Matchers[0].Line != 5 || mw.Matchers[1].Line != 6 {
		t.Errorf("matchers: %+v", mw.Matchers)
	}
	if !mw.Runs("/api/x") || mw.Runs("/settings") {
		t.Errorf("runs")
	}
}

// TestMiddlewareListKind: the handler's condition, not the matcher's
// name, says whether a createRouteMatcher() list is the routes to protect
// (deny by exception) or the routes left public (allow by exception).
func TestMiddlewareListKind(t *testing.T) {
	for _, tc := range []struct {
		name, handler string
		want          ListKind
	}{
		{"protect list", `if (isA(req)) await auth.protect()`, ProtectList},
		{"protect list with identity test", `const { userId } = await auth(); if (isA(req) && !userId) return (await auth()).redirectToSignIn()`, ProtectList},
		{"public list", `if (!isA(req)) await auth.protect()`, PublicList},
		{"both ways", `if (isA(req)) await auth.protect(); if (!isA(req) && isB(req)) await auth.protect()`, ListUnknown},
		{"unused", `if (isB(req)) await auth.protect()`, ListUnknown},
	} {
		m := build(t, map[string]string{"package.json": pkg15, "app/page.tsx": "", "middleware.ts": `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
const isA = createRouteMatcher(['/a(.*)'])
const isB = createRouteMatcher(['/b(.*)'])
export default clerkMiddleware(async (auth, req) => {
  ` + tc.handler + `
})`})
		mw := m.Next[0].Middleware
		if got := mw.ListOf(mw.RouteMatcherNamed("isA")); got != tc.want {
			t.Errorf("%s: ListOf(isA) = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestServerActions(t *testing.T) {
	src := `'use server'
import { db } from './db'
export async function deletePost(id) { await db.post.delete({ where: { id } }) }
export const rename = async (id, name) => {}
const internal = async () => {}
export { internal as exposed }
export const wrapped = withLogging(async () => {})
`
	f, err := jsast.Parse(context.Background(), source.NewFile("app/actions.ts", []byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range ServerActions(f) {
		names = append(names, a.Name)
	}
	want := []string{"deletePost", "rename", "exposed", "wrapped"}
	if len(names) != len(want) {
		t.Fatalf("actions %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("actions %v, want %v", names, want)
		}
	}
	inline := `export default function Page() {
  async function create(formData) {
    'use server'
    await db.insert(formData)
  }
  const upd = async () => { "use server"; }
  return null
}`
	f2, _ := jsast.Parse(context.Background(), source.NewFile("app/page.tsx", []byte(inline)))
	as := ServerActions(f2)
	if len(as) != 2 || as[0].Name != "create" || as[1].Name != "upd" || !as[0].Inline {
		t.Errorf("inline actions: %+v", as)
	}
}
