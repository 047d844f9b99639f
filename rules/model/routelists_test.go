package model_test

import (
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestPathMiddleware: the middleware layer of a Next.js or Astro entry
// gives the middleware that decides it per path, whose createRouteMatcher()
// list is a protect list (deny by exception) whether the path is listed or
// left out; a layer with no such middleware gives nil.
func TestPathMiddleware(t *testing.T) {
	for _, tc := range []struct {
		name   string
		snap   source.Mem
		listed string // an entry the list names
		out    string // an entry it leaves out
	}{
		{"nextjs", source.Mem{
			"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.39.3"}}`),
			"middleware.ts": []byte(`import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server'
const isProtectedRoute = createRouteMatcher(['/dashboard(.*)'])
export default clerkMiddleware(async (auth, req) => { if (isProtectedRoute(req)) await auth.protect() })
export const config = { matcher: ['/((?!_next).*)', '/(api|trpc)(.*)'] }`),
			"app/dashboard/page.tsx": []byte(`export default function Page() { return null }`),
			"app/api/stats/route.ts": []byte(`export async function GET() { return Response.json({}) }`),
		}, "GET /dashboard", "GET /api/stats"},
		{"astro", source.Mem{
			"package.json":     []byte(`{"dependencies": {"@clerk/astro": "2.13.0", "astro": "^5.2.0"}}`),
			"astro.config.mjs": []byte(`export default { output: 'server' }`),
			"src/middleware.ts": []byte(`import { clerkMiddleware, createRouteMatcher } from '@clerk/astro/server'
const isProtectedRoute = createRouteMatcher(['/panel'])
export const onRequest = clerkMiddleware((auth, context) => {
  if (isProtectedRoute(context.request) && !auth().userId) return context.redirect('/')
})`),
			"src/pages/panel.astro":  []byte("---\nconst x = 1\n---\n<p>{x}</p>\n"),
			"src/pages/api/stats.ts": []byte(`export const GET = async () => Response.json({})`),
		}, "GET /panel", "GET /api/stats"},
	} {
		m := buildModel(t, tc.snap)
		for _, label := range []string{tc.listed, tc.out} {
			e := entry(t, m, label)
			var mw *project.Middleware
			var gate model.Gate
			for _, l := range e.Chain {
				if p := l.PathMiddleware(); p != nil {
					mw, gate = p, l.Gate
				}
			}
			if mw == nil || len(mw.RouteMatchers) != 1 {
				t.Fatalf("%s %s: no path middleware with one route matcher in %+v", tc.name, label, e.Chain)
			}
			if k := mw.ListOf(mw.RouteMatchers[0]); k != project.ProtectList {
				t.Errorf("%s %s: ListOf = %d, want ProtectList", tc.name, label, k)
			}
			want := model.GateAttaches
			if label == tc.listed {
				want = model.GateRejects
			}
			if gate != want {
				t.Errorf("%s %s: gate %s, want %s", tc.name, label, gate, want)
			}
		}
	}
}
