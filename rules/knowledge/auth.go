package knowledge

import (
	"strings"
	"time"
)

// Gate is what a Clerk middleware or guard call does with a request that
// has no valid session.
type Gate uint8

// Gates.
const (
	// Attaches verifies a token when there is one and attaches the
	// identity (possibly signed out); it never rejects. A handler behind it
	// must check the identity itself.
	Attaches Gate = iota + 1
	// Rejects ends a signed-out request with an error status (401, 403 or
	// 404) or an error passed to the framework.
	Rejects
	// Redirects ends a signed-out request by redirecting it to sign-in: a
	// rejection for pages, but an API client gets a 3xx and the sign-in
	// page instead of 401.
	Redirects
	// RejectsByDefault rejects every route it matches unless the route is
	// declared public (Core 1 authMiddleware).
	RejectsByDefault
)

func (g Gate) String() string {
	switch g {
	case Attaches:
		return "attaches"
	case Rejects:
		return "rejects"
	case Redirects:
		return "redirects"
	case RejectsByDefault:
		return "rejects-by-default"
	}
	return "unknown"
}

// Middleware is a Clerk middleware or guard call and its gate.
type Middleware struct {
	Package string // Clerk package it is imported from
	Name    string // export, or "auth.protect" for the guard method
	Form    string // how it is written: "app.use(clerkMiddleware())"
	Gate    Gate
	Note    string
	// HeaderOnly: the middleware reads the session token from the
	// Authorization header only, never from the __session cookie.
	HeaderOnly bool
	Source     string
}

// middlewares says, for every Clerk middleware and guard call, whether it
// only attaches the identity or rejects signed-out requests.
//
// Sources: each entry's Source.
//
// Replaces: rules/routes/rp011_node_server.go srvClerkMiddleware (layerAttach,
// layerLax, layerRedirect, layerRejecting), rules/routes/rp016_go_lax.go
// goLaxMiddleware, rules/webhooks/wh006_broad_exemption.go clerkGuards,
// rules/project/next_middleware.go clerkMiddlewareNames, and the protect
// entries of rules/hardening/hard003_redirects.go authCallees and
// rules/rbac/guard.go authCalls.
var middlewares = []Middleware{
	{Package: "@clerk/nextjs", Name: "clerkMiddleware", Form: "export default clerkMiddleware()", Gate: Attaches,
		Note:   "protects nothing by default; routes are protected by auth.protect() in its handler or in the resource",
		Source: "https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-2/nextjs (\"clerkMiddleware() does not protect any routes by default\"); clerk/javascript packages/nextjs/src/server/clerkMiddleware.ts"},
	{Package: "@clerk/nextjs", Name: "authMiddleware", Form: "export default authMiddleware({ publicRoutes })", Gate: RejectsByDefault,
		Note:   "Core 1 (v4); deprecated in v5, removed in v6; routes outside publicRoutes/ignoredRoutes are protected",
		Source: "clerk/clerk-docs docs/references/nextjs/auth-middleware.mdx at 48357e779^; https://clerk.com/docs/guides/development/upgrading/upgrade-guides/nextjs-v6"},
	{Package: "@clerk/nextjs", Name: "withClerkMiddleware", Form: "export default withClerkMiddleware()", Gate: Attaches,
		Note: "v4.5+ legacy; handlers read getAuth(req)", Source: "https://clerk.com/blog/clerk-nextjs-4-5"},
	{Package: "@clerk/nextjs", Name: "requireAuth", Form: "export default requireAuth(handler) (Pages Router API route)", Gate: Rejects,
		Note:   "Core 1 (v4) wrapper of @clerk/nextjs/api; answers 401 when signed out",
		Source: "clerk/clerk-docs docs/references/nextjs/api-routes at 48357e779^ (Core 1: withAuth attaches req.auth, requireAuth rejects); rules/routes/next_guard.go wrapperGuards"},
	{Package: "@clerk/nextjs", Name: "withAuth", Form: "export default withAuth(handler) (Pages Router API route)", Gate: Attaches,
		Note:   "Core 1 (v4) wrapper of @clerk/nextjs/api; sets req.auth",
		Source: "clerk/clerk-docs docs/references/nextjs/api-routes at 48357e779^"},
	{Package: "@clerk/nextjs", Name: "auth.protect", Form: "await auth.protect() (v6+), auth().protect() (v5)", Gate: Rejects,
		Note:   "signed out: redirect to sign-in for documents, 401 for Server Actions, 404 for other requests; unauthorized: 404",
		Source: "https://clerk.com/docs/reference/nextjs/app-router/auth; clerk/javascript packages/nextjs/src/server/protect.ts"},
	{Package: "@clerk/express", Name: "clerkMiddleware", Form: "app.use(clerkMiddleware())", Gate: Attaches,
		Source: "https://clerk.com/docs/reference/express/clerk-middleware"},
	{Package: "@clerk/express", Name: "requireAuth", Form: "app.use(requireAuth())", Gate: Redirects,
		Note:   "deprecated in @clerk/express 2.1.0; redirects signed-out requests to the sign-in page",
		Source: "https://clerk.com/docs/reference/express/require-auth; clerk/javascript packages/express/src/requireAuth.ts"},
	{Package: "@clerk/clerk-sdk-node", Name: "ClerkExpressWithAuth", Form: "app.use(ClerkExpressWithAuth())", Gate: Attaches,
		Note: "lax: sets req.auth and never rejects", Source: "clerk/javascript packages/sdk-node at 04276fedf5^ src/clerkExpressWithAuth.ts"},
	{Package: "@clerk/clerk-sdk-node", Name: "ClerkExpressWithSession", Form: "app.use(ClerkExpressWithSession())", Gate: Attaches,
		Note: "lax (legacy session form)", Source: "clerk/clerk-sdk-node 88bb225 README.md"},
	{Package: "@clerk/clerk-sdk-node", Name: "ClerkExpressRequireAuth", Form: "app.use(ClerkExpressRequireAuth())", Gate: Rejects,
		Note: "calls next(new Error('Unauthenticated'))", Source: "clerk/javascript packages/sdk-node at 04276fedf5^ src/clerkExpressRequireAuth.ts"},
	{Package: "@clerk/clerk-sdk-node", Name: "ClerkExpressRequireSession", Form: "app.use(ClerkExpressRequireSession())", Gate: Rejects,
		Source: "clerk/clerk-sdk-node 88bb225 README.md"},
	{Package: "@clerk/clerk-sdk-node", Name: "expressWithAuth", Form: "clerk.expressWithAuth()", Gate: Attaches,
		Source: "clerk/javascript packages/sdk-node at 04276fedf5^ src/clerkExpressWithAuth.ts"},
	{Package: "@clerk/clerk-sdk-node", Name: "expressWithSession", Form: "clerk.expressWithSession()", Gate: Attaches,
		Source: "clerk/clerk-sdk-node 88bb225 README.md"},
	{Package: "@clerk/clerk-sdk-node", Name: "expressRequireAuth", Form: "clerk.expressRequireAuth()", Gate: Rejects,
		Source: "clerk/javascript packages/sdk-node at 04276fedf5^ src/clerkExpressRequireAuth.ts"},
	{Package: "@clerk/clerk-sdk-node", Name: "expressRequireSession", Form: "clerk.expressRequireSession()", Gate: Rejects,
		Source: "clerk/clerk-sdk-node 88bb225 README.md"},
	{Package: "@clerk/fastify", Name: "clerkPlugin", Form: "fastify.register(clerkPlugin)", Gate: Attaches,
		Note: "scoped to the plugin context it is registered in", Source: "https://clerk.com/docs/reference/fastify/clerk-plugin"},
	{Package: "@clerk/hono", Name: "clerkMiddleware", Form: "app.use('*', clerkMiddleware())", Gate: Attaches,
		Source: "clerk/javascript packages/hono/README.md, packages/hono/src/clerkMiddleware.ts"},
	{Package: "@hono/clerk-auth", Name: "clerkMiddleware", Form: "app.use('*', clerkMiddleware())", Gate: Attaches,
		Source: "honojs/middleware packages/clerk-auth/README.md"},
	{Package: "@clerk/astro", Name: "clerkMiddleware", Form: "export const onRequest = clerkMiddleware()", Gate: Attaches,
		Source: "https://clerk.com/docs/reference/astro/clerk-middleware"},
	{Package: "@clerk/nuxt", Name: "clerkMiddleware", Form: "export default clerkMiddleware()", Gate: Attaches,
		Source: "https://clerk.com/docs/reference/nuxt/clerk-middleware"},
	{Package: "@clerk/react-router", Name: "clerkMiddleware", Form: "export const middleware = [clerkMiddleware()]", Gate: Attaches,
		Source: "clerk/javascript packages/react-router/src/server/clerkMiddleware.ts"},
	{Package: "@clerk/react-router", Name: "rootAuthLoader", Form: "export const loader = (args) => rootAuthLoader(args)", Gate: Attaches,
		Note: "runs for the root route only; child loaders are separate endpoints", Source: "clerk/javascript packages/react-router/src/server/rootAuthLoader.ts"},
	{Package: "@clerk/remix", Name: "rootAuthLoader", Form: "export const loader = (args) => rootAuthLoader(args)", Gate: Attaches,
		Note: "runs for the root route only", Source: "clerk/javascript packages/remix/src/ssr/rootAuthLoader.ts"},
	{Package: "@clerk/tanstack-react-start", Name: "clerkMiddleware", Form: "createStart(() => ({ requestMiddleware: [clerkMiddleware()] }))", Gate: Attaches,
		Source: "clerk/javascript packages/tanstack-react-start/src/server/clerkMiddleware.ts"},
	{Package: "@clerk/tanstack-start", Name: "createClerkHandler", Form: "createClerkHandler(createStartHandler(...))", Gate: Attaches,
		Note: "the package's name before @clerk/tanstack-react-start", Source: "https://clerk.com/changelog/2024-09-11-tanstack-start-beta"},
	{Package: "@clerk/tanstack-react-start", Name: "createClerkHandler", Form: "createClerkHandler(createStartHandler(...))", Gate: Attaches,
		Note: "older TanStack Start integration", Source: "clerk/javascript packages/tanstack-react-start/src/server/middlewareHandler.ts"},
	{Package: "svelte-clerk", Name: "withClerkHandler", Form: "export const handle = withClerkHandler()", Gate: Attaches,
		Source: "wobsoriano/svelte-clerk README.md"},
	{Package: "clerk-sveltekit", Name: "handleClerk", Form: "export const handle = sequence(handleClerk(secretKey, { protectedPaths, signInUrl }))", Gate: Attaches,
		Note:   "redirects signed-out requests under its protectedPaths prefixes to signInUrl (the SvelteKit adapter evaluates them per path); attaches elsewhere",
		Source: "markjaquith/clerk-sveltekit README.md"},
	{Package: "github.com/clerk/clerk-sdk-go", Name: "WithHeaderAuthorization", Form: "clerkhttp.WithHeaderAuthorization()(h)", Gate: Attaches,
		Note: "passes the request on when the token is missing or invalid", HeaderOnly: true, Source: "clerk/clerk-sdk-go http/middleware.go"},
	{Package: "github.com/clerk/clerk-sdk-go", Name: "RequireHeaderAuthorization", Form: "clerkhttp.RequireHeaderAuthorization()(h)", Gate: Rejects,
		Note: "403 without a valid session", HeaderOnly: true, Source: "clerk/clerk-sdk-go http/middleware.go"},
	{Package: "github.com/clerk/clerk-sdk-go", Name: "WithSessionV2", Form: "clerk.WithSessionV2(client)(h)", Gate: Attaches,
		Source: "clerk/clerk-sdk-go v1.49.0 clerk/middleware_v2.go"},
	{Package: "github.com/clerk/clerk-sdk-go", Name: "RequireSessionV2", Form: "clerk.RequireSessionV2(client)(h)", Gate: Rejects,
		Source: "clerk/clerk-sdk-go v1.49.0 clerk/middleware_v2.go"},
	{Package: "github.com/clerk/clerk-sdk-go", Name: "WithSession", Form: "clerk.WithSession(client)(h)", Gate: Attaches,
		Source: "clerk/clerk-sdk-go v1.49.0 clerk/middleware.go"},
	{Package: "github.com/clerk/clerk-sdk-go", Name: "RequireSession", Form: "clerk.RequireSession(client)(h)", Gate: Rejects,
		Source: "clerk/clerk-sdk-go v1.49.0 clerk/middleware.go"},
}

// MiddlewareOf returns the gate of a Clerk middleware or guard: name is the
// export (or "auth.protect"), pkg the import path it came from (any subpath
// of the package).
func MiddlewareOf(pkg, name string) (Middleware, bool) {
	owner := ClerkPackageOf(pkg)
	for _, m := range middlewares {
		if m.Name == name && m.Package == owner {
			return m, true
		}
	}
	return Middleware{}, false
}

// MiddlewareNamed returns every Clerk middleware called name, for callers
// that do not know the package (a name bound through a helper).
func MiddlewareNamed(name string) []Middleware {
	var out []Middleware
	for _, m := range middlewares {
		if m.Name == name {
			out = append(out, m)
		}
	}
	return out
}

// Returns is what an identity source yields.
type Returns uint8

// Identity values.
const (
	AuthObject     Returns = iota + 1 // Clerk's Auth object: userId, sessionId, orgId, orgRole, has(), ...
	BackendUser                       // the Backend API User (privateMetadata included); null when signed out
	SessionClaims                     // verified JWT claims (sub, sid, org_id, ...)
	RequestState                      // authenticateRequest's result: isAuthenticated, toAuth()
	ConvexIdentity                    // Convex UserIdentity (subject, tokenIdentifier); null when signed out
)

// SourceKind is how an identity source is written.
type SourceKind uint8

// Kinds of identity sources.
const (
	CallSource     SourceKind = iota + 1 // auth(), getAuth(req), currentUser()
	PropertySource                       // req.auth
	ContextKey                           // c.get('clerkAuth')
)

// IdentitySource is one place a handler gets the caller's verified
// identity from.
type IdentitySource struct {
	Package   string // Clerk package ("" for Convex)
	Framework Framework
	Form      string // as written in code
	// Name is what to match: the callee's last segment for a call
	// ("auth", "getAuth", "SessionClaimsFromContext"), the property for a
	// property ("auth" of req.auth), the key for a context lookup.
	Name string
	Kind SourceKind
	// Receiver is the conventional receiver of a property or method form
	// ("req", "locals", "event.context", "ctx.auth"), "" for a plain call.
	Receiver string
	Returns  Returns
	// AsyncFrom is the first package major whose form returns a Promise
	// (0: never; -1: always).
	AsyncFrom int
	// SignedOut is what the source yields for a signed-out request.
	SignedOut string
	// NeedsMiddleware: the source reads the state the framework's Clerk
	// middleware attached to the request and throws when it did not run
	// on it ("auth() was called but Clerk can't detect usage of
	// clerkMiddleware()").
	NeedsMiddleware bool
	Source          string
}

// identitySources lists where each framework's handlers read the verified
// identity.
//
// Replaces: rules/rbac/guard.go authCalls, rules/hardening/hard003_redirects.go
// authCallees, rules/rbac/identity.go's identity calls,
// rules/routes/server_rules.go srvUserVars (currentUser), and
// rules/routes/rp016_go_lax.go goClaimsGetters.
var identitySources = []IdentitySource{
	{Package: "@clerk/nextjs", Framework: NextJS, Form: "await auth()", Name: "auth", Kind: CallSource, Returns: AuthObject, AsyncFrom: 6,
		SignedOut: "userId null, isAuthenticated false, has() false", NeedsMiddleware: true,
		Source: "https://clerk.com/docs/reference/nextjs/app-router/auth; https://clerk.com/docs/reference/nextjs/errors/auth-was-called; https://clerk.com/docs/guides/development/upgrading/upgrade-guides/nextjs-v6; clerk/javascript packages/backend/src/tokens/authObjects.ts signedOutAuthObject"},
	{Package: "@clerk/nextjs", Framework: NextJS, Form: "await currentUser()", Name: "currentUser", Kind: CallSource, Returns: BackendUser, AsyncFrom: -1,
		SignedOut: "null", NeedsMiddleware: true,
		Source: "https://clerk.com/docs/reference/nextjs/app-router/current-user (calls auth(): https://clerk.com/docs/reference/nextjs/errors/auth-was-called)"},
	{Package: "@clerk/nextjs", Framework: NextJS, Form: "getAuth(req)", Name: "getAuth", Kind: CallSource, Returns: AuthObject,
		SignedOut: "userId null", NeedsMiddleware: true,
		Source: "clerk/clerk-docs docs/_partials/nextjs/get-auth.mdx; clerk/javascript packages/nextjs/src/server/createGetAuth.ts (throws getAuth() was called but Clerk can't detect usage of clerkMiddleware())"},
	{Package: "@clerk/express", Framework: Express, Form: "getAuth(req)", Name: "getAuth", Kind: CallSource, Returns: AuthObject,
		SignedOut: "userId null, isAuthenticated false", NeedsMiddleware: true,
		Source: "https://clerk.com/docs/reference/express/clerk-middleware; clerk/javascript packages/express/src/getAuth.ts (throws middlewareRequired('getAuth') without clerkMiddleware())"},
	{Package: "@clerk/express", Framework: Express, Form: "req.auth", Name: "auth", Kind: PropertySource, Receiver: "req", Returns: AuthObject,
		SignedOut: "userId null", Source: "https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-3 (req.auth removed in Core 3)"},
	{Package: "@clerk/clerk-sdk-node", Framework: Express, Form: "req.auth", Name: "auth", Kind: PropertySource, Receiver: "req", Returns: AuthObject,
		SignedOut: "userId null", Source: "clerk/javascript packages/sdk-node at 04276fedf5^ src/clerkExpressWithAuth.ts"},
	{Package: "@clerk/fastify", Framework: Fastify, Form: "getAuth(request)", Name: "getAuth", Kind: CallSource, Returns: AuthObject,
		SignedOut: "userId null", Source: "https://clerk.com/docs/reference/fastify/clerk-plugin"},
	{Package: "@clerk/hono", Framework: Hono, Form: "getAuth(c)", Name: "getAuth", Kind: CallSource, Returns: AuthObject,
		SignedOut: "userId null", Source: "clerk/javascript packages/hono/src/getAuth.ts"},
	{Package: "@hono/clerk-auth", Framework: Hono, Form: "getAuth(c)", Name: "getAuth", Kind: CallSource, Returns: AuthObject,
		SignedOut: "userId null", Source: "honojs/middleware packages/clerk-auth/src/clerk-auth.ts"},
	{Package: "@hono/clerk-auth", Framework: Hono, Form: "c.get('clerkAuth')", Name: "clerkAuth", Kind: ContextKey, Receiver: "c", Returns: AuthObject,
		SignedOut: "userId null", Source: "honojs/middleware packages/clerk-auth/src/clerk-auth.ts (c.set('clerkAuth', ...))"},
	{Package: "@clerk/remix", Framework: Remix, Form: "await getAuth(args)", Name: "getAuth", Kind: CallSource, Returns: AuthObject, AsyncFrom: -1,
		SignedOut: "userId null", Source: "clerk/javascript packages/remix/src/ssr/getAuth.ts"},
	{Package: "@clerk/react-router", Framework: ReactRouter, Form: "await getAuth(args)", Name: "getAuth", Kind: CallSource, Returns: AuthObject, AsyncFrom: -1,
		SignedOut: "userId null, isAuthenticated false", Source: "clerk/clerk-docs docs/guides/users/reading.react-router.mdx; packages/react-router/src/server/getAuth.ts"},
	{Package: "@clerk/tanstack-react-start", Framework: TanStackStart, Form: "await auth()", Name: "auth", Kind: CallSource, Returns: AuthObject, AsyncFrom: -1,
		SignedOut: "userId null, isAuthenticated false", Source: "clerk/javascript packages/tanstack-react-start/src/server/auth.ts"},
	{Package: "@clerk/tanstack-react-start", Framework: TanStackStart, Form: "await getAuth(request)", Name: "getAuth", Kind: CallSource, Returns: AuthObject, AsyncFrom: -1,
		SignedOut: "userId null", Source: "clerk/javascript packages/tanstack-react-start/src/server/getAuth.ts"},
	{Package: "@clerk/tanstack-start", Framework: TanStackStart, Form: "await getAuth(getWebRequest())", Name: "getAuth", Kind: CallSource, Returns: AuthObject, AsyncFrom: -1,
		SignedOut: "userId null", Source: "https://clerk.com/changelog/2024-09-11-tanstack-start-beta (@clerk/tanstack-start, since renamed @clerk/tanstack-react-start)"},
	{Package: "@clerk/astro", Framework: Astro, Form: "Astro.locals.auth() / context.locals.auth()", Name: "auth", Kind: CallSource, Receiver: "locals", Returns: AuthObject,
		SignedOut: "userId null, isAuthenticated false", Source: "https://clerk.com/docs/reference/astro/clerk-middleware; clerk/javascript packages/astro/src/server/get-auth.ts"},
	{Package: "@clerk/astro", Framework: Astro, Form: "await Astro.locals.currentUser()", Name: "currentUser", Kind: CallSource, Receiver: "locals", Returns: BackendUser, AsyncFrom: -1,
		SignedOut: "null", Source: "clerk/javascript packages/astro/src/server/current-user.ts"},
	{Package: "@clerk/nuxt", Framework: Nuxt, Form: "event.context.auth()", Name: "auth", Kind: CallSource, Receiver: "event.context", Returns: AuthObject,
		SignedOut: "userId null, isAuthenticated false", Source: "https://clerk.com/docs/reference/nuxt/clerk-middleware"},
	{Package: "@clerk/nuxt", Framework: Nuxt, Form: "getAuth(event)", Name: "getAuth", Kind: CallSource, Returns: AuthObject,
		SignedOut: "userId null", Source: "https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-3 (removed in @clerk/nuxt 3)"},
	{Package: "clerk-sveltekit", Framework: SvelteKit, Form: "locals.session", Name: "session", Kind: PropertySource, Receiver: "locals", Returns: SessionClaims,
		SignedOut: "undefined", Source: "markjaquith/clerk-sveltekit README.md (event.locals.session in load functions)"},
	{Package: "svelte-clerk", Framework: SvelteKit, Form: "locals.auth() (locals.auth in older versions)", Name: "auth", Kind: CallSource, Receiver: "locals", Returns: AuthObject,
		SignedOut: "userId null", Source: "wobsoriano/svelte-clerk README.md"},
	{Package: "", Framework: Convex, Form: "await ctx.auth.getUserIdentity()", Name: "getUserIdentity", Kind: CallSource, Receiver: "ctx.auth", Returns: ConvexIdentity, AsyncFrom: -1,
		SignedOut: "null", Source: "https://docs.convex.dev/auth/functions-auth"},
	{Package: "@clerk/backend", Framework: AnyJS, Form: "await clerkClient.authenticateRequest(req)", Name: "authenticateRequest", Kind: CallSource, Returns: RequestState, AsyncFrom: -1,
		SignedOut: "isAuthenticated false (isSignedIn in older versions)", Source: "clerk/clerk-docs docs/_partials/authenticate-req.mdx"},
	{Package: "@clerk/backend", Framework: AnyJS, Form: "await verifyToken(token, opts)", Name: "verifyToken", Kind: CallSource, Returns: SessionClaims, AsyncFrom: -1,
		SignedOut: "throws (or returns errors) for an invalid token", Source: "clerk/clerk-docs clerk-typedoc/backend/verify-token.mdx"},
	{Package: "github.com/clerk/clerk-sdk-go", Framework: GoHTTP, Form: "claims, ok := clerk.SessionClaimsFromContext(r.Context())", Name: "SessionClaimsFromContext", Kind: CallSource,
		Returns: SessionClaims, SignedOut: "nil, false", Source: "clerk/clerk-sdk-go http/middleware.go, clerk.go"},
	{Package: "github.com/clerk/clerk-sdk-go", Framework: GoHTTP, Form: "sess, ok := clerk.SessionFromContext(ctx) (v1)", Name: "SessionFromContext", Kind: CallSource,
		Returns: SessionClaims, SignedOut: "nil, false", Source: "clerk/clerk-sdk-go v1.49.0 clerk/middleware_v2.go"},
	{Package: "github.com/clerk/clerk-sdk-go", Framework: GoHTTP, Form: "claims, err := jwt.Verify(ctx, &jwt.VerifyParams{Token: t})", Name: "Verify", Kind: CallSource,
		Returns: SessionClaims, SignedOut: "nil, error", Source: "clerk/clerk-sdk-go jwt/jwt.go"},
	{Package: "github.com/clerk/clerk-sdk-go", Framework: GoHTTP, Form: "claims, err := client.VerifyToken(token) (v1)", Name: "VerifyToken", Kind: CallSource,
		Returns: SessionClaims, SignedOut: "nil, error", Source: "clerk/clerk-sdk-go v1.49.0 clerk/tokens.go"},
}

// IdentitySourceOf returns the identity source called or read as name from
// the Clerk import path pkg ("" for a framework-provided source such as
// Convex's ctx.auth).
func IdentitySourceOf(pkg, name string) (IdentitySource, bool) {
	owner := ClerkPackageOf(pkg)
	for _, s := range identitySources {
		if s.Name == name && s.Package == owner {
			return s, true
		}
	}
	return IdentitySource{}, false
}

// IdentityReturnsNamed returns what every identity source called or read
// as name yields, whatever its package and receiver ("auth" of auth(),
// req.auth and locals.auth(): the Auth object; "verifyToken": session
// claims); false when no source has that name or two disagree.
func IdentityReturnsNamed(name string) (Returns, bool) {
	var r Returns
	for _, s := range identitySources {
		if s.Name != name {
			continue
		}
		if r != 0 && r != s.Returns {
			return 0, false
		}
		r = s.Returns
	}
	return r, r != 0
}

// IdentityCallOf returns the framework-provided identity source a call
// written as callee is ("ctx.auth.getUserIdentity" of Convex, whatever
// the context parameter is named): a source of no Clerk package, called
// as a method of its receiver's last segment.
func IdentityCallOf(callee string) (IdentitySource, bool) {
	for _, s := range identitySources {
		if s.Package != "" || s.Kind != CallSource || s.Receiver == "" {
			continue
		}
		recv := s.Receiver
		if i := strings.LastIndexByte(recv, '.'); i >= 0 {
			recv = recv[i+1:]
		}
		if strings.HasSuffix(callee, "."+recv+"."+s.Name) {
			return s, true
		}
	}
	return IdentitySource{}, false
}

// IdentitySources returns the sources of a framework, in table order.
func IdentitySources(fw Framework) []IdentitySource {
	var out []IdentitySource
	for _, s := range identitySources {
		if s.Framework == fw {
			out = append(out, s)
		}
	}
	return out
}

// AuthField is a field of Clerk's Auth object (or of the identity values
// that stand for it).
type AuthField struct {
	Name string
	// OnAuthObject: the server Auth object (auth(), getAuth()) has it.
	OnAuthObject bool
	// Identity: null or false when signed out, so testing it decides
	// whether the caller is signed in.
	Identity bool
	// Authz: it carries a role, permission or organization decision.
	Authz bool
	// CallerName: a name applications give the caller's identity on a
	// request context of their own (context.userId, context.user of a
	// loader), which only the application's own code fills.
	CallerName bool
	Note       string
}

// authFields are the Auth object's fields and the identity values that are
// tested in its place.
//
// Sources: clerk/javascript packages/backend/src/tokens/authObjects.ts
// (signedInAuthObject, signedOutAuthObject: userId, sessionId, orgId,
// orgRole, orgSlug, orgPermissions, sessionClaims, actor, factorVerificationAge,
// has, getToken, isAuthenticated); https://clerk.com/docs/references/backend/types/auth-object;
// Go SessionClaims.Subject (clerk/clerk-sdk-go jwt.go).
//
// Replaces: rules/project/next_handler.go authFields,
// rules/routes/next_guard.go authFieldNames, rules/routes/server_rules.go
// srvIdentityFields, rules/routes/rp007_wrong_value.go srvNonAuthFields and
// rrContextIdentityFields.
var authFields = []AuthField{
	{Name: "userId", OnAuthObject: true, Identity: true, CallerName: true},
	{Name: "sessionId", OnAuthObject: true, Identity: true},
	{Name: "isAuthenticated", OnAuthObject: true, Identity: true},
	{Name: "sessionClaims", OnAuthObject: true, Identity: true},
	{Name: "orgId", OnAuthObject: true, Identity: true, Authz: true, Note: "null without an active organization"},
	{Name: "orgRole", OnAuthObject: true, Identity: true, Authz: true},
	{Name: "orgSlug", OnAuthObject: true, Identity: true, Authz: true},
	{Name: "orgPermissions", OnAuthObject: true, Identity: true, Authz: true},
	{Name: "has", OnAuthObject: true, Identity: true, Authz: true, Note: "a function; returns false when signed out"},
	{Name: "actor", OnAuthObject: true, Note: "set during impersonation"},
	{Name: "factorVerificationAge", OnAuthObject: true, Note: "reverification"},
	{Name: "getToken", OnAuthObject: true, Note: "a function; always truthy"},
	{Name: "redirectToSignIn", OnAuthObject: true, Note: "a function; always truthy"},
	{Name: "isSignedIn", Identity: true, Note: "useAuth() and authenticateRequest's RequestState, not the server Auth object"},
	{Name: "sub", Identity: true, Note: "JWT subject (the user ID) of verified claims"},
	{Name: "Subject", Identity: true, Note: "Go SessionClaims.Subject"},
	{Name: "user", CallerName: true, Note: "not an Auth object field: a value named user is a BackendUser or app data"},
	{Name: "session", Note: "not an Auth object field"},
	{Name: "isLoggedIn", Note: "not a Clerk field"},
	{Name: "authenticated", Note: "not a Clerk field"},
}

// NotOnAuthObject reports a name the table lists that the server Auth
// object does not have (user, session, isSignedIn, sub, ...): reading it
// on an Auth object is always undefined.
func NotOnAuthObject(name string) bool {
	f, ok := AuthFieldOf(name)
	return ok && !f.OnAuthObject
}

// AuthFieldOf looks up a field of the Auth object (or a name tested in its
// place).
func AuthFieldOf(name string) (AuthField, bool) {
	for _, f := range authFields {
		if f.Name == name {
			return f, true
		}
	}
	return AuthField{}, false
}

// IdentityContextKey reports whether a keyed context lookup
// (Hono's c.get(key), c.var[key]) reads a Clerk middleware's verified
// Auth object (@hono/clerk-auth's c.get('clerkAuth')).
func IdentityContextKey(key string) bool {
	for _, s := range identitySources {
		if s.Kind == ContextKey && s.Name == key {
			return true
		}
	}
	return false
}

// IdentitySourceOn returns the identity source read as a method name of
// a conventional receiver ("locals" for Astro.locals.auth() and SvelteKit's
// locals.auth()), whatever the framework.
func IdentitySourceOn(receiver, name string) (IdentitySource, bool) {
	for _, s := range identitySources {
		if s.Receiver == receiver && s.Name == name {
			return s, true
		}
	}
	return IdentitySource{}, false
}

// TokenUse is what a token library function does with a JSON Web Token.
type TokenUse uint8

// Token uses.
const (
	// Decodes returns the claims of any token, signed or not.
	Decodes TokenUse = iota + 1
	// Verifies checks the signature and throws (or returns an error) for
	// a token the key did not sign, then returns the claims.
	Verifies
	// VerifierFactory returns a verifying function (fast-jwt's
	// createVerifier) that throws for a token the key did not sign.
	VerifierFactory
	// Signs makes a token with the key.
	Signs
)

// TokenCall is a JavaScript library function that reads, verifies or
// makes a JSON Web Token, and where it takes its key. It is the one
// answer to "does this call verify a token".
type TokenCall struct {
	Package string
	Name    string // the export
	Use     TokenUse
	// KeyArg is the index of the argument that holds the key the
	// application verifies or signs with (the options object of a
	// factory); -1 when the call takes no key argument (a decoder) or
	// finds its key itself (Clerk's verifyToken reads jwtKey/secretKey
	// options and fetches the instance's keys).
	KeyArg int
	// KeyOption is the property of that argument that holds the key (""
	// when the argument is the key itself).
	KeyOption string
	Source    string
}

// Keyed reports a verifier or signer whose key the application passes:
// whoever knows that key can make tokens it accepts.
func (t TokenCall) Keyed() bool { return t.Use != 0 && t.KeyArg >= 0 }

// tokenCalls lists the JavaScript token functions.
var tokenCalls = []TokenCall{
	{Package: "@clerk/backend", Name: "verifyToken", Use: Verifies, KeyArg: -1, Source: "clerk/clerk-docs clerk-typedoc/backend/verify-token.mdx (throws TokenVerificationError)"},
	{Package: "@clerk/backend", Name: "decodeJwt", Use: Decodes, KeyArg: -1, Source: "clerk/javascript packages/backend/src/jwt/verifyJwt.ts decodeJwt (no signature check)"},
	{Package: "jose", Name: "jwtVerify", Use: Verifies, KeyArg: 1,
		Source: "https://github.com/panva/jose/blob/main/docs/jwt/verify/functions/jwtVerify.md (rejects when the signature does not verify)"},
	{Package: "jose", Name: "compactVerify", Use: Verifies, KeyArg: 1,
		Source: "https://github.com/panva/jose/blob/main/docs/jws/compact/verify/functions/compactVerify.md (rejects when the signature does not verify)"},
	{Package: "jose", Name: "decodeJwt", Use: Decodes, KeyArg: -1, Source: "https://github.com/panva/jose/blob/main/docs/util/decode_jwt/functions/decodeJwt.md (does not validate the signature)"},
	{Package: "jsonwebtoken", Name: "verify", Use: Verifies, KeyArg: 1,
		Source: "https://github.com/auth0/node-jsonwebtoken#jwtverifytoken-secretorpublickey-options-callback (throws JsonWebTokenError for an invalid signature)"},
	{Package: "jsonwebtoken", Name: "sign", Use: Signs, KeyArg: 1,
		Source: "https://github.com/auth0/node-jsonwebtoken#jwtsignpayload-secretorprivatekey-options-callback (secretOrPrivateKey)"},
	{Package: "jsonwebtoken", Name: "decode", Use: Decodes, KeyArg: -1, Source: "https://github.com/auth0/node-jsonwebtoken#jwtdecodetoken--options (does not verify the signature)"},
	{Package: "jwt-decode", Name: "jwtDecode", Use: Decodes, KeyArg: -1, Source: "https://github.com/auth0/jwt-decode#readme (no validation)"},
	{Package: "jwt-decode", Name: "default", Use: Decodes, KeyArg: -1, Source: "https://github.com/auth0/jwt-decode#readme (v3 default export)"},
	// Hono's JWT helper: decode() splits the token and parses header and
	// payload, verify(token, secret, alg) checks the signature first.
	{Package: "hono/jwt", Name: "decode", Use: Decodes, KeyArg: -1,
		Source: "https://hono.dev/docs/helpers/jwt (decode: \"without performing signature verification\"); honojs/hono src/utils/jwt/jwt.ts"},
	{Package: "hono/jwt", Name: "verify", Use: Verifies, KeyArg: 1,
		Source: "https://hono.dev/docs/helpers/jwt (verify(token, secret, alg) throws for an invalid signature); https://deno.land/x/hono@v4.0.0-rc.3/utils/jwt/jwt.ts?s=verify"},
	{Package: "fast-jwt", Name: "createVerifier", Use: VerifierFactory, KeyArg: 0, KeyOption: "key",
		Source: "https://github.com/nearform/fast-jwt#createverifier (the returned function throws a TokenError for an invalid signature)"},
	{Package: "fast-jwt", Name: "createSigner", Use: Signs, KeyArg: 0, KeyOption: "key",
		Source: "https://github.com/nearform/fast-jwt#createsigner (key: the key used to sign the tokens)"},
}

// TokenCallOf returns the token function name of package pkg (an import
// path; subpaths such as @clerk/backend/jwt belong to their package).
func TokenCallOf(pkg, name string) (TokenCall, bool) {
	for _, t := range tokenCalls {
		if t.Name == name && (pkg == t.Package || strings.HasPrefix(pkg, t.Package+"/")) {
			return t, true
		}
	}
	return TokenCall{}, false
}

// ExpiryOption is an option of a token verifier that relaxes its check of
// the token's expiry: it turns the check off (Disables) or widens it by a
// clock tolerance written in Unit.
type ExpiryOption struct {
	Package, Name string // the verifier (tokenCalls)
	// OptionsArg is the index of the verifier's options argument.
	OptionsArg int
	Option     string
	Disables   bool
	Unit       time.Duration
	Source     string
}

var expiryOptions = []ExpiryOption{
	{"jsonwebtoken", "verify", 2, "ignoreExpiration", true, 0,
		"https://github.com/auth0/node-jsonwebtoken#jwtverifytoken-secretorpublickey-options-callback (ignoreExpiration: if true do not validate the expiration of the token)"},
	{"jsonwebtoken", "verify", 2, "clockTolerance", false, time.Second,
		"https://github.com/auth0/node-jsonwebtoken#jwtverifytoken-secretorpublickey-options-callback (clockTolerance: number of seconds to tolerate when checking the nbf and exp claims)"},
	{"jose", "jwtVerify", 2, "clockTolerance", false, time.Second,
		"https://github.com/panva/jose/blob/main/docs/jwt/verify/interfaces/JWTVerifyOptions.md (clockTolerance: seconds as a number, or a string such as \"30s\")"},
	{"fast-jwt", "createVerifier", 0, "ignoreExpiration", true, 0,
		"https://github.com/nearform/fast-jwt#createverifier (ignoreExpiration: whether to ignore the exp claim)"},
	{"fast-jwt", "createVerifier", 0, "clockTolerance", false, time.Millisecond,
		"https://github.com/nearform/fast-jwt#createverifier (clockTolerance: timespan in milliseconds to add to the current time when checking exp and nbf)"},
}

// ExpiryOptionsOf returns the expiry-relaxing options of the verifier that
// the export name of module pkg is.
func ExpiryOptionsOf(pkg, name string) []ExpiryOption {
	var out []ExpiryOption
	for _, o := range expiryOptions {
		if o.Package == pkg && o.Name == name {
			out = append(out, o)
		}
	}
	return out
}

// ClerkDefaultClockSkew is the clock skew Clerk's verifyToken allows by
// default (clockSkewInMs, 5000 ms:
// https://clerk.com/docs/references/backend/verify-token), and
// SessionTokenLifetime the lifetime of a session token
// (https://clerk.com/docs/guides/how-clerk-works/overview: 60 seconds).
const (
	ClerkDefaultClockSkew = 5 * time.Second
	SessionTokenLifetime  = 60 * time.Second
)
