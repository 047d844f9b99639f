package model

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// Framework names the adapter an entry comes from.
type Framework = knowledge.Framework

// Kind is what kind of entry point a function is. The string values are
// part of the routes JSON contract.
type Kind string

// Entry kinds.
const (
	RouteHandler       Kind = "route-handler"         // Next.js App Router app/**/route.ts export
	Page               Kind = "page"                  // Next.js App Router page (a Server Component)
	Layout             Kind = "layout"                // Next.js App Router layout
	ServerAction       Kind = "server-action"         // React Server Function ('use server')
	PagesAPI           Kind = "pages-api"             // Next.js Pages Router pages/api/** default export
	GetServerSideProps Kind = "get-server-side-props" // Next.js Pages Router data function
	ExpressRoute       Kind = "express-route"         // app.get('/x', ...) and friends
	RouterRoute        Kind = "express-router-route"  // a route of a router no file mounts
	FastifyRoute       Kind = "fastify-route"         // fastify.get('/x', ...), fastify.route({...}) in a plugin context
	HonoRoute          Kind = "hono-route"            // app.get('/x', ...) of a Hono app or sub-app
	Loader             Kind = "loader"                // Remix / React Router route module loader (GET, and every ?_data / .data request)
	Action             Kind = "action"                // Remix / React Router route module action (POST, PUT, PATCH, DELETE)
	ServerFunction     Kind = "server-function"       // TanStack Start createServerFn(): called by its ID
	Endpoint           Kind = "endpoint"              // Astro src/pages/**.ts export, TanStack Start server route, SvelteKit +server.ts method export
	ServerRoute        Kind = "server-route"          // Nuxt/Nitro server/api/** and server/routes/** handler
	Load               Kind = "load"                  // SvelteKit +page.server.ts load
	LayoutLoad         Kind = "layout-load"           // SvelteKit +layout.server.ts load
	FormAction         Kind = "form-action"           // SvelteKit +page.server.ts form action
	AstroAction        Kind = "astro-action"          // an Astro Action: defineAction() in src/actions (POST /_actions/<name>)
	ConvexQuery        Kind = "convex-query"          // a public Convex query (convex/**: export const x = query(...))
	ConvexMutation     Kind = "convex-mutation"       // a public Convex mutation
	ConvexAction       Kind = "convex-action"         // a public Convex action
	ConvexHTTPAction   Kind = "convex-http-action"    // an httpAction routed by convex/http.ts
	EdgeFunction       Kind = "edge-function"         // a Supabase Edge Function (supabase/functions/<name>/index.ts)
	ExpoAPIRoute       Kind = "expo-api-route"        // an Expo Router API route (app/**/+api.ts) export
	NetlifyFunction    Kind = "netlify-function"      // a Netlify Function (netlify/functions/<name>.js handler)
	TRPCQuery          Kind = "trpc-query"            // a tRPC query procedure
	TRPCMutation       Kind = "trpc-mutation"         // a tRPC mutation procedure
	TRPCSubscription   Kind = "trpc-subscription"     // a tRPC subscription procedure
	// GoRoute (gohttp.go): a route of a net/http, chi, gin or echo server.
)

// Location is a place in the snapshot.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

func (l Location) String() string {
	if l.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// Entry is one externally reachable function.
type Entry struct {
	Framework Framework
	Kind      Kind
	// Methods are the HTTP methods it answers ("GET"; "ALL" for every
	// method; Pages API routes list the methods their body tests, or ALL).
	Methods []string
	// Path is the URL path pattern in the framework's notation
	// ("/api/users/[id]", "/api/users/:id"); "" for a Server Action, which
	// is called by its action ID. PathKnown is false when a mount prefix
	// or route path is not a constant.
	Path      string
	PathKnown bool
	// File and Line locate the entry: the export of a Next.js file, the
	// route registration of an Express app; EndLine ends the handler.
	File          string
	Line, EndLine int
	// Name is the export or function name ("GET", "default",
	// "deletePost"), or "METHOD /path" for a registered route.
	Name string
	// Handler is where the handler function is (another file for an
	// imported controller); Fn and FnFile are its syntax.
	Handler Location
	// HandlerName names the handler as declared ("GetUser", "func
	// literal"); set by the Go adapter.
	HandlerName string
	Fn          *jsast.Node
	FnFile      *jsast.File
	// Params says what the handler's parameters hold.
	Params []ParamRole
	// Wrappers are the calls around the handler, outermost first
	// (asyncHandler(fn), withAuth(fn)).
	Wrappers []Wrapper
	// Chain is the middleware that runs before the handler, in
	// registration order (for Next.js, the middleware/proxy file and the
	// layouts above a page).
	Chain []Layer
	// After is the middleware registered on a covering path after the
	// entry (Express, Hono: registration order), which never runs before
	// its handler: a Clerk middleware there leaves the handler without
	// the identity.
	After []Layer
	// Parents are the route modules that nest the entry's module (Remix
	// and React Router), root first. Their loaders run in parallel with
	// the entry's, not before it, so they are not in Chain.
	Parents []string
	// Mounts are the registrations that mount the entry's router, outermost
	// first (app.use('/api', router)).
	Mounts []Location
	// Public says why the entry is public by declaration or convention
	// ("" when it is not).
	Public string
	// ServesPublic names a page signed-out visitors reach by design that
	// calls the entry (a TanStack Start file route that no beforeLoad of
	// its own or of a parent route stops them on, whose module or a
	// component or hook it imports calls the server function; a Next.js
	// Client Component page that no middleware or layout stops them on,
	// whose module graph imports the Server Action): what the entry does
	// for that page's visitors is its purpose. "" when none is known.
	ServesPublic string
	// Unresolved says why the handler could not be found ("" when Fn is
	// set).
	Unresolved string
	// Library is set when the handler is a library's ready-made one
	// (EdgeStore's createEdgeStoreNextHandler, UploadThing's
	// createRouteHandler): what it does and whether its guard option is
	// passed.
	Library *LibraryHandler

	// prerendered marks an entry built once at build time (an Astro page
	// with prerender): not listed by Entries; see Model.Prerendered.
	prerendered bool
	gofn        *goFunc // the handler of a Go route

	an  *facet[*analysis] // set when the adapter creates the entry
	own *facet[*analysis] // the same without the middleware layers
}

// LibraryHandler is a library's ready-made handler an entry exports, at
// the factory call that creates it.
type LibraryHandler struct {
	knowledge.LibraryHandler
	Location
	// GuardSet is set when the factory's argument passes the library's
	// guard option (createContext).
	GuardSet bool
	// AllowAll lists the router's bucket hooks that allow every caller
	// (a beforeDelete that returns `true`).
	AllowAll []AllowedHook
	// Routes are the file routes of the handler's router with what each
	// one's route check does (knowledge.LibraryHandler.RouteGuard); nil
	// when the library has none or the router cannot be read.
	Routes []FileRoute
}

// Where returns the entry's location as "file:line".
func (e *Entry) Where() string { return fmt.Sprintf("%s:%d", e.File, e.Line) }

// Label is "METHOD /path", or the action's name for a Server Action.
func (e *Entry) Label() string {
	m := "ANY"
	if len(e.Methods) == 1 {
		m = e.Methods[0]
	} else if len(e.Methods) > 1 {
		m = fmt.Sprint(e.Methods)
	}
	switch {
	case e.Kind == ServerAction:
		return "action " + e.Name
	case e.Kind == ServerFunction:
		return "server-fn " + e.Name
	case !e.PathKnown:
		return m + " (path unknown)"
	}
	return m + " " + e.Path
}

// DeclaredPublic reports whether the entry is public by declaration (a
// middleware public-route list) or convention (health checks, sign-in,
// webhooks, marketing pages).
func (e *Entry) DeclaredPublic() bool { return e.Public != "" }

// ParamRole is what a handler parameter holds.
type ParamRole uint8

// Parameter roles.
const (
	ParamOther        ParamRole = iota
	ParamRequest                // the request: req, request, c (Hono context), event (h3, SvelteKit)
	ParamResponse               // res, reply
	ParamNext                   // next()
	ParamRouteContext           // Next.js { params } (a Promise since Next.js 15)
	ParamPageProps              // Next.js page props: { params, searchParams }
	ParamClientValue            // a Server Action argument: whatever the client sends
	ParamGSSPContext            // getServerSideProps(ctx): ctx.req, ctx.params, ctx.query
	// ParamRequestContext is a request context object: a Remix or React
	// Router loader's or action's { request, params, context }, Astro's
	// APIContext ({ request, params, url, cookies, locals }), a TanStack
	// Start server function's { data }.
	ParamRequestContext
	// ParamAstroGlobal is the Astro global of a page's frontmatter (the
	// entry's function is the frontmatter module, which has no
	// parameters): Astro.request, Astro.params, Astro.locals.
	ParamAstroGlobal
	// ParamIdentityContext is ParamRequestContext whose `context` holds
	// what a middleware that read the identity passed on (a TanStack Start
	// server function's ({ data, context }) behind an auth middleware):
	// context.userId is the caller's id, null when signed out.
	ParamIdentityContext
	ParamConvexCtx   // a Convex function's ctx: ctx.auth, ctx.db, ctx.storage, ctx.runQuery, ...
	ParamTRPCOptions // a tRPC resolver's or middleware's options: { ctx, input, next }
	// ParamRouteParams is the object of the route's dynamic segments
	// itself: an Expo Router API route's second argument ({ id } of
	// app/api/orders/[id]+api.ts), chosen by the caller through the URL.
	ParamRouteParams
)

// Wrapper is a call around a handler.
type Wrapper struct {
	Name string // as written: "asyncHandler", "withAuth"
	Location
	fn     *jsast.Node // the wrapper function, when resolved
	fnFile *jsast.File
	// handlerParam is the index of the wrapper's parameter that receives
	// the handler.
	handlerParam int
	// args are the wrapper call's other arguments (options).
	call     *jsast.Node
	callFile *jsast.File
}

// Gate is what a middleware layer does with a signed-out request.
type Gate string

// Gates of middleware layers; part of the routes JSON contract.
const (
	GateRejects   Gate = "rejects"   // a signed-out request never reaches the handler
	GateRedirects Gate = "redirects" // it is redirected to sign-in (Express requireAuth())
	GateAttaches  Gate = "attaches"  // it attaches the identity and passes every request on
	GateNone      Gate = "none"      // the layer has nothing to do with authentication
	GateUnknown   Gate = "unknown"   // the layer could not be evaluated
	GatePartial   Gate = "partial"   // it rejects on some paths only (a Next.js layout)
)

// Layer is one middleware in front of a handler.
type Layer struct {
	Name string // "clerkMiddleware()", "protectAdmin", "middleware.ts"
	Location
	Gate  Gate
	Via   Via
	Authz Authz
	// ByPath is set when the gate depends on matching the URL path in
	// middleware (createRouteMatcher), which can diverge from how the
	// framework routes the request.
	ByPath bool
	// Hides is set on a layout layer whose gate is a Clerk render gate
	// (knowledge.RenderGateOf: <Protect>{children}</Protect>): it hides
	// what one render shows and stops no request, and unlike a check the
	// layout runs, it does not make every read below it private
	// (MeantPrivate): the pages' own reads decide.
	Hides bool
	Why   string
	Proof []Proof
	// Clerk is the Clerk package the middleware comes from ("" for the
	// application's own).
	Clerk string
	// Writes is the data-writing call the middleware itself is, when it
	// is one (multer's upload.single('file') stores the upload).
	Writes string
	// Condition is the condition the middleware is registered under, as
	// written (`env !== 'development'`); "" when it always is.
	Condition string
	// Bypass is a spelling of the entry's path that the framework routes
	// to the same entry but that this layer lets through although it
	// rejects the plain path (a percent-encoded letter defeats a path
	// prefix test); "" when there is none.
	Bypass string
	// Unstopped are the places where the middleware answers a denial (a
	// 401 written, a rejected token) while the framework still runs the
	// rest of the chain: a gin middleware that returns without
	// c.Abort().
	Unstopped []Proof
	// FailsOpen are the places where a gin middleware that rejects a
	// request without a token returns without c.Abort() when the token
	// it was sent fails to decode, before verifying it: gin runs the rest
	// of the chain for a malformed token.
	FailsOpen []Proof
	// LogsToken are the log calls of a Go middleware that print the
	// request's session token itself (log.Println(token)).
	LogsToken []Proof
	// QueryToken are the reads of a Go middleware that take the session
	// token from the query string (c.Query("token")); goAnalyse adds
	// them to LogsToken when the router logs each request's query.
	QueryToken []Proof
	// CredentialFrom are the request parts (headers, cookies, query) a
	// Go middleware that reads the identity takes the credential from
	// (an `Authorization` header, a `__session` cookie); nil when it read
	// none by name (Clerk's own middleware: knowledge.Middleware says).
	CredentialFrom []InputSource
	// WouldReject is set when the layer writes a denial to every
	// signed-out request but lets it through: it would reject had it
	// stopped the chain, so the routes behind it share its one defect.
	WouldReject bool
	// Body is what the layer does with the request body when it is a
	// body-parsing middleware (knowledge.BodyParserOf: express.json()
	// parses, express.raw() keeps the bytes); "" for any other layer.
	// KeepsRaw is set when a parsing layer's `verify` hook receives the
	// raw bytes (and can keep them as req.rawBody).
	Body     knowledge.BodyParse
	KeepsRaw bool
	// gofn is the function a Go middleware runs per request (nil for
	// JavaScript layers and unresolved ones).
	gofn *goFunc
	// goUnder are the full path prefixes a Go middleware is mounted on
	// (fiber's app.Use("/api", mw)); nil when it runs for every path.
	goUnder []string
	// goCtx maps the keys of the context values a Go middleware stores
	// (context.WithValue(ctx, key, v)) to the request inputs v comes
	// from (goctx.go).
	goCtx map[string][]InputSource
	// byPath is the middleware whose handler decides the layer's gate
	// per URL path (a Next.js middleware/proxy file, an Astro
	// clerkMiddleware() or own middleware); see PathMiddleware.
	byPath *project.Middleware
}

// Adapter lists one framework's entries. It decides the entries' paths,
// their middleware chains in registration order, what the framework's
// middleware does with a signed-out request (knowledge.MiddlewareOf for
// Clerk's, the model's analysis for the application's own), and what each
// handler parameter holds.
type Adapter interface {
	Framework() Framework
	// Entries lists every entry of the snapshot.
	Entries(ctx context.Context, m *Model) ([]*Entry, error)
	// EntriesOf lists the entries declared or handled in one file, the
	// same objects Entries returns.
	EntriesOf(ctx context.Context, m *Model, path string) ([]*Entry, error)
}

// memo caches function summaries by function node and role. A summary
// is computed without holding a lock, so that two goroutines analysing
// mutually recursive helpers cannot deadlock; the first result stored
// wins.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

// fnMemo caches the JavaScript walk's summaries.
type fnMemo = memo[fnKey, *summary]

type fnKey struct {
	fn   *jsast.Node
	role role
}

func (c *memo[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[k]
	return s, ok
}

func (c *memo[K, V]) put(k K, s V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[K]V{}
	}
	if old, ok := c.m[k]; ok {
		return old
	}
	c.m[k] = s
	return s
}

// replace stores s over a placeholder.
func (c *memo[K, V]) replace(k K, s V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[K]V{}
	}
	c.m[k] = s
}

// declaredIn returns the entries declared in the file at p.
func declaredIn(es []*Entry, p string) []*Entry {
	var out []*Entry
	for _, e := range es {
		if e.File == p {
			out = append(out, e)
		}
	}
	return out
}

// Serves reports whether the entry answers a request with method to the
// URL path given as segments ("*" stands for a segment the code computes).
// It reads the entry's path in its framework's notation: Next.js [id],
// [...slug] and [[...slug]], Express :id and *; route groups and parallel
// route slots are already left out of Path.
func (e *Entry) Serves(method string, segs []string) bool {
	if !e.PathKnown || e.Kind == ServerAction {
		return false
	}
	ok := false
	for _, m := range e.Methods {
		if m == method || m == "ALL" {
			ok = true
		}
	}
	if !ok {
		return false
	}
	i := 0
	for _, ps := range strings.Split(strings.Trim(e.Path, "/"), "/") {
		switch {
		case ps == "":
		case strings.HasPrefix(ps, "[[..."):
			return true
		case strings.HasPrefix(ps, "[...") || ps == "*":
			return i < len(segs)
		case strings.HasPrefix(ps, "[") || strings.HasPrefix(ps, ":"):
			if i >= len(segs) {
				return false
			}
			i++
		default:
			if i >= len(segs) || segs[i] != ps {
				return false
			}
			i++
		}
	}
	return i == len(segs)
}
