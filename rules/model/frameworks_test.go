package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

var astroStatic = source.Mem{
	"package.json":     []byte(`{"dependencies": {"@clerk/astro": "^2.4.0", "astro": "^5.2.0"}}`),
	"astro.config.mjs": []byte(`export default { output: 'static' }`),
	"src/pages/api/orders.ts": []byte(`export async function GET() {
  return Response.json(await db.order.findMany())
}`),
}

// TestAstroConfigReadFailureIsUnknown: when astro.config cannot be read,
// whether a page or endpoint is prerendered is unknown, so its verdict is
// unknown, never "no" (readable, the static build has no request entry).
func TestAstroConfigReadFailureIsUnknown(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, astroStatic)
	if es, _ := m.Entries(ctx); len(es) != 0 {
		t.Fatalf("static build: %d entries, want none (prerendered)", len(es))
	}
	if pre := m.Prerendered(ctx, "src/pages/api/orders.ts"); len(pre) != 1 {
		t.Fatalf("static build: %d prerendered entries, want 1", len(pre))
	}
	m = buildModel(t, failingFiles{Mem: astroStatic, fail: map[string]bool{"astro.config.mjs": true}})
	v := m.Guard(ctx, entry(t, m, "GET /api/orders"))
	if v.Authn != model.AuthnUnknown {
		t.Fatalf("unreadable config: %s (%s), want unknown", v.Authn, v.Why)
	}
}

var rrMiddlewareApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"@clerk/react-router": "^2.0.0", "react-router": "^7.9.0"}, "devDependencies": {"@react-router/dev": "^7.9.0"}}`),
	"app/root.tsx": []byte(`import { requireUser } from './guard.server'
export const middleware = [requireUser]
export default function App() { return null }`),
	"app/guard.server.ts": []byte(`import { getAuth } from '@clerk/react-router/server'
export async function requireUser(args, next) {
  const { userId } = await getAuth(args)
  if (!userId) throw new Response(null, { status: 401 })
  return next()
}`),
	"app/routes/notes.tsx": []byte(`export async function action({ request }) {
  await db.note.deleteMany()
  return null
}`),
}

// TestRouteMiddlewareReadFailureIsUnknown: a React Router route
// middleware whose module cannot be read makes the verdict unknown, and
// readable it rejects.
func TestRouteMiddlewareReadFailureIsUnknown(t *testing.T) {
	readableYesUnreadableUnknown(t, rrMiddlewareApp, "POST /notes", "app/guard.server.ts")
}

var serverFnApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"@clerk/tanstack-react-start": "^0.12.0", "@tanstack/react-start": "^1.120.0"}}`),
	"src/mw.ts": []byte(`import { auth } from '@clerk/tanstack-react-start/server'
import { createMiddleware } from '@tanstack/react-start'
export const requireUser = createMiddleware({ type: 'function' }).server(async ({ next }) => {
  const { userId } = await auth()
  if (!userId) throw new Error('Unauthorized')
  return next({ context: { userId } })
})`),
	"src/fns.ts": []byte(`import { createServerFn } from '@tanstack/react-start'
import { requireUser } from './mw'
export const wipe = createServerFn({ method: 'POST' }).middleware([requireUser]).handler(async () => {
  await db.note.deleteMany()
})`),
}

// TestServerFnMiddlewareReadFailureIsUnknown: the same for a TanStack
// Start function middleware.
func TestServerFnMiddlewareReadFailureIsUnknown(t *testing.T) {
	readableYesUnreadableUnknown(t, serverFnApp, "server-fn wipe", "src/mw.ts")
}

// readableYesUnreadableUnknown checks that the entry labelled label is
// guarded in snap, and unknown (never "no") when the file fail holds
// cannot be read.
func readableYesUnreadableUnknown(t *testing.T, snap source.Mem, label, fail string) {
	t.Helper()
	ctx := context.Background()
	m := buildModel(t, snap)
	if v := m.Guard(ctx, entry(t, m, label)); v.Authn != model.AuthnYes {
		t.Fatalf("readable %s: %s (%s), want yes", fail, v.Authn, v.Why)
	}
	m = buildModel(t, failingFiles{Mem: snap, fail: map[string]bool{fail: true}})
	if v := m.Guard(ctx, entry(t, m, label)); v.Authn != model.AuthnUnknown {
		t.Fatalf("unreadable %s: %s (%s), want unknown", fail, v.Authn, v.Why)
	}
}

// TestClientModule: the model's client boundary for Astro: islands and
// modules imported by bundled scripts run in the browser; a component
// rendered without a directive and an is:inline script's text do not
// make a module client code.
func TestClientModule(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, source.Mem{
		"package.json": []byte(`{"dependencies": {"astro": "^5.2.0"}}`),
		"src/pages/index.astro": []byte("---\nimport Island from '../c/Island.tsx'\nimport Plain from '../c/Plain.tsx'\n---\n" +
			"<Plain />\n<Island client:visible />\n<script>\nimport '../s/a.ts'\n</script>\n<script is:inline>\nimport '../s/b.ts'\n</script>\n"),
		"src/c/Island.tsx": []byte(`export default function Island() { return null }`),
		"src/c/Plain.tsx":  []byte(`export default function Plain() { return null }`),
		"src/s/a.ts":       []byte(`export {}`),
		"src/s/b.ts":       []byte(`export {}`),
	})
	checkWhy(t, "ClientModule", func(p string) (string, bool) { return m.ClientModule(ctx, p) }, map[string]string{
		"src/c/Island.tsx": "rendered with a client: directive in src/pages/index.astro:6",
		"src/s/a.ts":       "imported by a <script> in src/pages/index.astro:7",
		"src/c/Plain.tsx":  "",
		"src/s/b.ts":       "",
	})
}

// checkWhy compares a per-path "why" answer with want ("" for none).
func checkWhy(t *testing.T, name string, ask func(string) (string, bool), want map[string]string) {
	t.Helper()
	for p, w := range want {
		got, ok := ask(p)
		if got != w || ok != (w != "") {
			t.Errorf("%s(%s) = %q, %v; want %q", name, p, got, ok, w)
		}
	}
}

// TestBrowserModule: the browser side of the boundary. A React Router
// route component and what it imports for the component run in the
// browser; an import the route uses only in its loader, a .server module
// and a module that imports server-only do not; in Next.js a module is
// browser code only from a 'use client' module on.
func TestBrowserModule(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, source.Mem{
		"package.json":  []byte(`{"dependencies": {"react-router": "^7.5.0", "@react-router/dev": "^7.5.0", "react-dom": "^19.0.0"}}`),
		"app/routes.ts": []byte("import { route } from '@react-router/dev/routes'\nexport default [route('x', 'routes/x.tsx')]\n"),
		"app/routes/x.tsx": []byte("import { forLoader } from '../lib/loaderOnly'\nimport { forView } from '../lib/view'\nimport { secret } from '../lib/secret.server'\n" +
			"export async function loader() { return forLoader(secret) }\nexport default function X() { return forView() }\n"),
		"app/lib/loaderOnly.ts":    []byte(`export function forLoader(s: string) { return s }`),
		"app/lib/view.ts":          []byte("import { fmt } from './fmt'\nimport { only } from './guarded'\nexport function forView() { return fmt(only()) }\n"),
		"app/lib/fmt.ts":           []byte(`export const fmt = (s: string) => s`),
		"app/lib/guarded.ts":       []byte("import 'server-only'\nexport const only = () => 'x'\n"),
		"app/lib/secret.server.ts": []byte(`export const secret = 'x'`),
		"web/package.json":         []byte(`{"dependencies": {"next": "15.3.0", "react-dom": "19.0.0"}}`),
		"web/app/page.tsx":         []byte("import { C } from './C'\nexport default function P() { return <C /> }\n"),
		"web/app/C.tsx":            []byte("'use client'\nimport { h } from './h'\nexport function C() { return h() }\n"),
		"web/app/h.ts":             []byte(`export const h = () => null`),
	})
	checkWhy(t, "BrowserModule", func(p string) (string, bool) { return m.BrowserModule(ctx, p) }, map[string]string{
		"app/routes/x.tsx":         "a React component module (react-dom), hydrated in the browser",
		"app/lib/view.ts":          "imported by app/routes/x.tsx (browser code)",
		"app/lib/fmt.ts":           "imported by app/lib/view.ts (browser code)",
		"app/lib/loaderOnly.ts":    "",
		"app/lib/guarded.ts":       "",
		"app/lib/secret.server.ts": "",
		"web/app/page.tsx":         "",
		"web/app/C.tsx":            "a 'use client' module",
		"web/app/h.ts":             "imported by web/app/C.tsx (browser code)",
	})
}
