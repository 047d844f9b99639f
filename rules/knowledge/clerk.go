package knowledge

import "strings"

// Framework names a web framework or runtime whose Clerk integration the
// tables describe.
type Framework string

// Frameworks.
const (
	NextJS        Framework = "nextjs"
	Express       Framework = "express"
	Fastify       Framework = "fastify"
	Hono          Framework = "hono"
	Koa           Framework = "koa"
	Remix         Framework = "remix"
	ReactRouter   Framework = "react-router"
	TanStackStart Framework = "tanstack-start"
	Astro         Framework = "astro"
	Nuxt          Framework = "nuxt"
	SvelteKit     Framework = "sveltekit"
	Convex        Framework = "convex"
	SupabaseEdge  Framework = "supabase-functions" // Supabase Edge Functions (Deno)
	Expo          Framework = "expo"               // Expo Router API routes (+api.ts)
	Netlify       Framework = "netlify-functions"  // Netlify Functions (netlify/functions/*)
	TRPC          Framework = "trpc"
	AnyJS         Framework = "js" // framework-agnostic JavaScript (@clerk/backend)
	GoHTTP        Framework = "go" // net/http and routers built on it
	Gin           Framework = "gin"
	Echo          Framework = "echo"
	Fiber         Framework = "fiber"
)

// ClerkModule is one import path of a Clerk SDK and the server helpers it
// exports within a range of the package's major versions.
type ClerkModule struct {
	Path      string // "@clerk/nextjs/server"; Go: "github.com/clerk/clerk-sdk-go/v2/http"
	Package   string // "@clerk/nextjs"
	Framework Framework
	// MinMajor and MaxMajor bound the package major versions the entry
	// holds for; 0 leaves that side open.
	MinMajor, MaxMajor int
	// Exports are the server-side helpers (middleware, identity, client,
	// webhook verification) the path exports in that range.
	Exports []string
	// Webhooks marks the entry point that exports verifyWebhook.
	Webhooks bool
	// Deprecated says why and since when, for deprecated or removed paths.
	Deprecated string
	Source     string
}

// clerkPackages are the npm packages (and Go modules) of Clerk SDKs,
// official and community. Client-only packages are listed so that an
// import of them is recognised as Clerk, not as unknown.
//
// Sources: clerk/javascript packages/*/package.json (names); Core 3
// renames @clerk/clerk-react to @clerk/react and @clerk/clerk-expo to
// @clerk/expo (https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-3);
// @hono/clerk-auth (honojs/middleware packages/clerk-auth); svelte-clerk
// (wobsoriano/svelte-clerk README.md); clerk-sveltekit, its community
// predecessor (markjaquith/clerk-sveltekit README.md); clerk/clerk-sdk-go go.mod.
//
// Replaces: rules/jsast/module.go IsClerkModule, rules/project/project.go
// UsesClerk, and the Keywords of rules/routes/rp011_node_server.go.
var clerkPackages = []string{
	"@clerk/nextjs", "@clerk/express", "@clerk/clerk-sdk-node", "@clerk/fastify", "@clerk/hono", "@hono/clerk-auth",
	"@clerk/remix", "@clerk/react-router", "@clerk/tanstack-react-start", "@clerk/tanstack-start", "@clerk/astro",
	"@clerk/nuxt", "@clerk/vue", "svelte-clerk", "clerk-sveltekit", "@clerk/backend", "@clerk/shared", "@clerk/types", "@clerk/clerk-js",
	"@clerk/clerk-react", "@clerk/react", "@clerk/clerk-expo", "@clerk/expo", "@clerk/chrome-extension",
	"@clerk/elements", "@clerk/ui", "@clerk/testing", "@clerk/agent-toolkit", "@clerk/localizations", "@clerk/themes",
	"github.com/clerk/clerk-sdk-go",
}

// clerkModules are the server entry points of each Clerk SDK.
//
// Replaces: the Clerk import checks spread over the route rules
// (rules/routes/next_clerkuse.go, rules/routes/rp011_node_server.go
// srvClerkMiddleware's import side, rules/routes/rp013_astro.go,
// rules/routes/rp014_nuxt.go, rules/routes/rp016_go_lax.go) and
// rules/webhooks/model.go's verifyWebhook import check.
var clerkModules = []ClerkModule{
	// Next.js. Core 2 (v5) moved every server helper from @clerk/nextjs
	// to @clerk/nextjs/server ("Changes to top-level exports",
	// https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-2/nextjs).
	{Path: "@clerk/nextjs", Package: "@clerk/nextjs", Framework: NextJS, MaxMajor: 4,
		Exports: []string{"auth", "currentUser", "authMiddleware", "clerkClient", "redirectToSignIn", "redirectToSignUp",
			"buildClerkProps", "createClerkClient", "verifyToken"},
		Source: "https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-2/nextjs#changes-to-top-level-exports"},
	{Path: "@clerk/nextjs/server", Package: "@clerk/nextjs", Framework: NextJS, MaxMajor: 4,
		Exports: []string{"auth", "currentUser", "authMiddleware", "withClerkMiddleware", "getAuth", "clerkClient",
			"buildClerkProps", "redirectToSignIn", "createClerkClient", "verifyToken"},
		Source: "clerk/javascript packages/nextjs/src/server/__tests__/__snapshots__/exports.test.ts.snap (v4 line)"},
	{Path: "@clerk/nextjs/server", Package: "@clerk/nextjs", Framework: NextJS, MinMajor: 5,
		Exports: []string{"auth", "currentUser", "clerkMiddleware", "getAuth", "clerkClient", "createRouteMatcher",
			"buildClerkProps", "createClerkClient", "verifyToken", "reverificationError", "reverificationErrorResponse"},
		Source: "clerk/javascript packages/nextjs/src/server/index.ts"},
	{Path: "@clerk/nextjs/api", Package: "@clerk/nextjs", Framework: NextJS, MaxMajor: 4,
		Exports:    []string{"withAuth", "requireAuth"},
		Deprecated: "Core 1 Pages Router API wrappers; removed in Core 2 (v5)",
		Source:     "https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-2/nextjs"},
	{Path: "@clerk/nextjs/webhooks", Package: "@clerk/nextjs", Framework: NextJS, MinMajor: 6, Webhooks: true,
		Exports: []string{"verifyWebhook"},
		Source:  "https://clerk.com/docs/guides/development/webhooks/syncing; clerk/javascript packages/nextjs/src/webhooks.ts"},

	// Express and the legacy Node SDK.
	{Path: "@clerk/express", Package: "@clerk/express", Framework: Express,
		Exports: []string{"clerkMiddleware", "getAuth", "requireAuth", "clerkClient", "createClerkClient", "verifyToken"},
		Source:  "clerk/javascript packages/express/src/__tests__/__snapshots__/exports.test.ts.snap"},
	{Path: "@clerk/express/webhooks", Package: "@clerk/express", Framework: Express, Webhooks: true,
		Exports: []string{"verifyWebhook"}, Source: "clerk/javascript packages/express/src/webhooks.ts"},
	{Path: "@clerk/clerk-sdk-node", Package: "@clerk/clerk-sdk-node", Framework: Express,
		Exports: []string{"ClerkExpressWithAuth", "ClerkExpressRequireAuth", "ClerkExpressWithSession",
			"ClerkExpressRequireSession", "clerkClient", "createClerkClient"},
		Deprecated: "end of support announced 2024-10-08, package removed from clerk/javascript in 2025-01; use `@clerk/express`",
		Source:     "clerk/javascript packages/sdk-node at 04276fedf5^ (clerkExpressWithAuth.ts, clerkExpressRequireAuth.ts, README.md)"},

	// Fastify.
	{Path: "@clerk/fastify", Package: "@clerk/fastify", Framework: Fastify,
		Exports: []string{"clerkPlugin", "getAuth", "clerkClient", "createClerkClient"},
		Source:  "clerk/javascript packages/fastify/src/__snapshots__/exports.test.ts.snap"},
	{Path: "@clerk/fastify/webhooks", Package: "@clerk/fastify", Framework: Fastify, Webhooks: true,
		Exports: []string{"verifyWebhook"}, Source: "clerk/javascript packages/fastify/src/webhooks.ts"},

	// Hono.
	{Path: "@hono/clerk-auth", Package: "@hono/clerk-auth", Framework: Hono,
		Exports: []string{"clerkMiddleware", "getAuth"},
		Source:  "honojs/middleware packages/clerk-auth/src/clerk-auth.ts; https://github.com/honojs/middleware/tree/main/packages/clerk-auth"},
	{Path: "@clerk/hono", Package: "@clerk/hono", Framework: Hono,
		Exports: []string{"clerkMiddleware", "getAuth"}, Source: "clerk/javascript packages/hono/README.md"},
	{Path: "@clerk/hono/webhooks", Package: "@clerk/hono", Framework: Hono, Webhooks: true,
		Exports: []string{"verifyWebhook"}, Source: "clerk/javascript packages/hono/src/webhooks.ts"},

	// Remix and React Router.
	{Path: "@clerk/remix/ssr.server", Package: "@clerk/remix", Framework: Remix,
		Exports: []string{"rootAuthLoader", "getAuth", "createClerkClient"},
		Source:  "clerk/javascript packages/remix/src/ssr/index.ts"},
	{Path: "@clerk/react-router/ssr.server", Package: "@clerk/react-router", Framework: ReactRouter,
		Exports:    []string{"rootAuthLoader", "getAuth"},
		Deprecated: "superseded by `@clerk/react-router/server` (`clerkMiddleware()`, from 2.1)",
		Source:     "clerk/javascript packages/react-router/src/__tests__/__snapshots__/exports.test.ts.snap (\"deprecated ssr public exports\")"},
	{Path: "@clerk/react-router/server", Package: "@clerk/react-router", Framework: ReactRouter,
		Exports: []string{"clerkMiddleware", "rootAuthLoader", "getAuth", "clerkClient", "createClerkClient", "verifyToken"},
		Source:  "clerk/javascript packages/react-router/src/__tests__/__snapshots__/exports.test.ts.snap (\"server public exports\")"},
	{Path: "@clerk/react-router/webhooks", Package: "@clerk/react-router", Framework: ReactRouter, Webhooks: true,
		Exports: []string{"verifyWebhook"}, Source: "https://clerk.com/docs/guides/development/webhooks/syncing (React Router tab)"},

	// TanStack Start.
	{Path: "@clerk/tanstack-react-start/server", Package: "@clerk/tanstack-react-start", Framework: TanStackStart,
		Exports: []string{"auth", "getAuth", "clerkMiddleware", "createClerkHandler", "clerkClient"},
		Source:  "clerk/javascript packages/tanstack-react-start/src/server/{auth,getAuth,clerkMiddleware,middlewareHandler,clerkClient}.ts"},
	{Path: "@clerk/tanstack-start/server", Package: "@clerk/tanstack-start", Framework: TanStackStart,
		Exports: []string{"getAuth", "createClerkHandler", "clerkClient"}, Deprecated: "renamed `@clerk/tanstack-react-start`",
		Source: "https://clerk.com/changelog/2024-09-11-tanstack-start-beta (the package was renamed from @clerk/tanstack-start to @clerk/tanstack-react-start; getAuth(getWebRequest()) in server functions)"},
	{Path: "@clerk/tanstack-react-start/webhooks", Package: "@clerk/tanstack-react-start", Framework: TanStackStart,
		Webhooks: true, Exports: []string{"verifyWebhook"}, Source: "https://clerk.com/docs/guides/development/webhooks/syncing (TanStack React Start tab)"},

	// Astro: createRouteMatcher was removed in @clerk/astro 4.0.0
	// (packages/astro/CHANGELOG.md).
	{Path: "@clerk/astro/server", Package: "@clerk/astro", Framework: Astro, MaxMajor: 3,
		Exports: []string{"clerkMiddleware", "createRouteMatcher", "clerkClient"},
		Source:  "clerk/javascript packages/astro/src/server/index.ts; packages/astro/CHANGELOG.md 4.0.0"},
	{Path: "@clerk/astro/server", Package: "@clerk/astro", Framework: Astro, MinMajor: 4,
		Exports: []string{"clerkMiddleware", "clerkClient"},
		Source:  "clerk/javascript packages/astro/src/server/index.ts; packages/astro/CHANGELOG.md 4.0.0"},
	{Path: "@clerk/astro/webhooks", Package: "@clerk/astro", Framework: Astro, Webhooks: true,
		Exports: []string{"verifyWebhook"}, Source: "clerk/javascript packages/astro/src/webhooks.ts"},

	// Nuxt: getAuth(event) and createRouteMatcher were removed in
	// @clerk/nuxt 3.0.0 in favour of event.context.auth()
	// (https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-3).
	{Path: "@clerk/nuxt/server", Package: "@clerk/nuxt", Framework: Nuxt, MaxMajor: 2,
		Exports: []string{"clerkMiddleware", "clerkClient", "getAuth", "createRouteMatcher"},
		Source:  "clerk/javascript packages/nuxt/src/runtime/server/index.ts; packages/nuxt/CHANGELOG.md 3.0.0"},
	{Path: "@clerk/nuxt/server", Package: "@clerk/nuxt", Framework: Nuxt, MinMajor: 3,
		Exports: []string{"clerkMiddleware", "clerkClient"},
		Source:  "clerk/javascript packages/nuxt/src/runtime/server/index.ts; packages/nuxt/CHANGELOG.md 3.0.0"},
	{Path: "@clerk/nuxt/webhooks", Package: "@clerk/nuxt", Framework: Nuxt, Webhooks: true,
		Exports: []string{"verifyWebhook"}, Source: "clerk/javascript packages/nuxt/src/runtime/webhooks.ts"},

	// SvelteKit (community SDK).
	{Path: "svelte-clerk/server", Package: "svelte-clerk", Framework: SvelteKit,
		Exports: []string{"withClerkHandler", "buildClerkProps", "clerkClient"},
		Source:  "wobsoriano/svelte-clerk README.md"},

	{Path: "clerk-sveltekit/server", Package: "clerk-sveltekit", Framework: SvelteKit,
		Exports: []string{"handleClerk", "clerkClient"},
		Source:  "markjaquith/clerk-sveltekit README.md (src/hooks.server.ts: handleClerk from clerk-sveltekit/server)"},

	// Framework-agnostic backend SDK.
	{Path: "@clerk/backend", Package: "@clerk/backend", Framework: AnyJS,
		Exports: []string{"createClerkClient", "verifyToken"}, Source: "clerk/javascript packages/backend/src/index.ts"},
	{Path: "@clerk/backend/webhooks", Package: "@clerk/backend", Framework: AnyJS, Webhooks: true,
		Exports: []string{"verifyWebhook"}, Source: "clerk/javascript packages/backend/src/webhooks.ts"},

	// Go.
	{Path: "github.com/clerk/clerk-sdk-go/v2", Package: "github.com/clerk/clerk-sdk-go", Framework: GoHTTP, MinMajor: 2,
		Exports: []string{"SessionClaimsFromContext", "SetKey"}, Source: "clerk/clerk-sdk-go clerk.go, jwt.go"},
	{Path: "github.com/clerk/clerk-sdk-go/v2/http", Package: "github.com/clerk/clerk-sdk-go", Framework: GoHTTP, MinMajor: 2,
		Exports: []string{"WithHeaderAuthorization", "RequireHeaderAuthorization", "AuthorizedPartyMatches"},
		Source:  "clerk/clerk-sdk-go http/middleware.go"},
	{Path: "github.com/clerk/clerk-sdk-go/clerk", Package: "github.com/clerk/clerk-sdk-go", Framework: GoHTTP, MaxMajor: 1,
		Exports: []string{"WithSessionV2", "RequireSessionV2", "WithSession", "RequireSession", "SessionFromContext"},
		Source:  "clerk/clerk-sdk-go v1.49.0 clerk/middleware_v2.go, clerk/middleware.go"},
}

// IsClerkPackage reports whether an import path belongs to a Clerk SDK
// (a package name or one of its subpaths).
func IsClerkPackage(spec string) bool {
	for _, p := range clerkPackages {
		if spec == p || strings.HasPrefix(spec, p+"/") {
			return true
		}
	}
	return false
}

// ClerkPackageOf returns the Clerk package an import path belongs to, or "".
func ClerkPackageOf(spec string) string {
	for _, p := range clerkPackages {
		if spec == p || strings.HasPrefix(spec, p+"/") {
			return p
		}
	}
	return ""
}

// HasServerModule reports whether a Clerk package has a server entry
// point (clerkModules): @clerk/nextjs, @clerk/express, @clerk/backend do;
// the browser and React Native SDKs (@clerk/clerk-react, @clerk/vue,
// @clerk/clerk-expo, @clerk/clerk-js) do not, so an app depending only
// on those never holds the Secret Key.
func HasServerModule(pkg string) bool {
	for _, m := range clerkModules {
		if m.Package == pkg {
			return true
		}
	}
	return false
}

// ClerkModuleOf returns the entry for an import path at a package major
// version. major 0 means unknown: the newest entry for the path is used.
func ClerkModuleOf(path string, major int) (ClerkModule, bool) {
	var found *ClerkModule
	for i := range clerkModules {
		m := &clerkModules[i]
		if m.Path != path {
			continue
		}
		if major == 0 {
			found = m // later entries are newer
			continue
		}
		if (m.MinMajor == 0 || major >= m.MinMajor) && (m.MaxMajor == 0 || major <= m.MaxMajor) {
			return cloneModule(*m), true
		}
	}
	if found != nil {
		return cloneModule(*found), true
	}
	return ClerkModule{}, false
}

// ClerkExport reports whether the Clerk import path exports name at a
// package major version (0: any version).
func ClerkExport(path, name string, major int) bool {
	for _, m := range clerkModules {
		if m.Path != path || major != 0 && (m.MinMajor != 0 && major < m.MinMajor || m.MaxMajor != 0 && major > m.MaxMajor) {
			continue
		}
		for _, e := range m.Exports {
			if e == name {
				return true
			}
		}
	}
	return false
}

// secretExports are the server exports of Clerk's SDKs that need the
// Secret Key: the Backend API client and its constructor, and networkless
// token verification (secretKey or jwtKey).
//
// Sources: https://clerk.com/docs/reference/backend/overview
// (createClerkClient({ secretKey }), clerkClient reads CLERK_SECRET_KEY);
// https://clerk.com/docs/reference/backend/verify-token (secretKey or
// jwtKey).
var secretExports = []string{"clerkClient", "createClerkClient", "verifyToken"}

// SecretExport reports whether importing name from the Clerk import path
// brings server code that needs a secret: a Secret Key export the path
// exports in some version (secretExports), or anything from a webhooks
// entry point (verifyWebhook reads the signing secret).
func SecretExport(path, name string) bool {
	for _, m := range clerkModules {
		if m.Path != path {
			continue
		}
		if m.Webhooks {
			return true
		}
		if contains(secretExports, name) && contains(m.Exports, name) {
			return true
		}
	}
	return false
}

// ClerkModules returns every entry, in table order.
func ClerkModules() []ClerkModule {
	out := make([]ClerkModule, len(clerkModules))
	for i, m := range clerkModules {
		out[i] = cloneModule(m)
	}
	return out
}

func cloneModule(m ClerkModule) ClerkModule {
	m.Exports = append([]string(nil), m.Exports...)
	return m
}

// GoClerkPath returns the Clerk package of a Go import path, "" when it is
// not Clerk's. The Go SDK was published as github.com/clerkinc/clerk-sdk-go
// before the organization was renamed; both paths name the same package
// (clerk/clerk-sdk-go README.md, v1 import path).
func GoClerkPath(importPath string) string {
	if rest, ok := strings.CutPrefix(importPath, "github.com/clerkinc/"); ok {
		importPath = "github.com/clerk/" + rest
	}
	return ClerkPackageOf(importPath)
}

// ClientSDK is a Clerk package whose React hooks (useSession, useAuth)
// a client module imports.
type ClientSDK struct {
	Package string
	// Native marks the SDK of native (React Native) apps: their sign-up
	// runs outside a browser, where Clerk's bot protection has no
	// CAPTCHA widget to mount.
	Native bool
	Source string
}

// clientSDKs are the Clerk packages client code takes its hooks from,
// the framework SDKs before the generic React SDK: each framework SDK
// re-exports the React SDK's hooks and adds its own setup, so a project
// that lists both (an Expo app that also added @clerk/clerk-react) is
// written against its framework SDK.
var clientSDKs = []ClientSDK{
	{Package: "@clerk/nextjs", Source: "clerk/javascript packages/nextjs/src/index.ts (re-exports the React SDK's hooks)"},
	{Package: "@clerk/react-router", Source: "clerk/javascript packages/react-router/src/client/index.ts"},
	{Package: "@clerk/remix", Source: "clerk/javascript packages/remix/src/client/index.ts"},
	{Package: "@clerk/tanstack-react-start", Source: "clerk/javascript packages/tanstack-react-start/src/client/index.ts"},
	{Package: "@clerk/expo", Native: true, Source: "https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-3 (@clerk/clerk-expo renamed @clerk/expo); https://clerk.com/docs/guides/secure/bot-protection (the CAPTCHA widget is for web sign-up)"},
	{Package: "@clerk/clerk-expo", Native: true, Source: "clerk/javascript packages/expo/src/index.ts (re-exports @clerk/clerk-react's hooks); https://clerk.com/docs/guides/secure/bot-protection"},
	{Package: "@clerk/chrome-extension", Source: "clerk/javascript packages/chrome-extension/src/index.ts"},
	{Package: "@clerk/react", Source: "https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-3 (@clerk/clerk-react renamed @clerk/react)"},
	{Package: "@clerk/clerk-react", Source: "clerk/javascript packages/react/src/index.ts"},
}

// NativeSDK reports whether an import path (a package or one of its
// subpaths) belongs to a Clerk SDK of native apps.
func NativeSDK(spec string) bool {
	for _, s := range clientSDKs {
		if s.Native && (spec == s.Package || strings.HasPrefix(spec, s.Package+"/")) {
			return true
		}
	}
	return false
}

// ClientSDKOf returns the Clerk package a project's client code imports
// its hooks from, given whether the project depends on a package; "" when
// it depends on none.
func ClientSDKOf(dependsOn func(pkg string) bool) string {
	for _, s := range clientSDKs {
		if dependsOn(s.Package) {
			return s.Package
		}
	}
	return ""
}
