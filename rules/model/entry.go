package model

import (
	"context"
	"fmt"
	"sync"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
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
	// Mounts are the registrations that mount the entry's router, outermost
	// first (app.use('/api', router)).
	Mounts []Location
	// Public says why the entry is public by declaration or convention
	// ("" when it is not).
	Public string
	// Unresolved says why the handler could not be found ("" when Fn is
	// set).
	Unresolved string

	gofn *goFunc // the handler of a Go route

	an  *facet[*analysis] // set when the adapter creates the entry
	own *facet[*analysis] // the same without the middleware layers
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
	ParamRequest                // the request: req, request, c (Hono context), event
	ParamResponse               // res, reply
	ParamNext                   // next()
	ParamRouteContext           // Next.js { params } (a Promise since Next.js 15)
	ParamPageProps              // Next.js page props: { params, searchParams }
	ParamClientValue            // a Server Action argument: whatever the client sends
	ParamGSSPContext            // getServerSideProps(ctx): ctx.req, ctx.params, ctx.query
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
	// Unstopped are the places where the middleware answers a denial (a
	// 401 written, a rejected token) while the framework still runs the
	// rest of the chain: a gin middleware that returns without
	// c.Abort().
	Unstopped []Proof
	// WouldReject is set when the layer writes a denial to every
	// signed-out request but lets it through: it would reject had it
	// stopped the chain, so the routes behind it share its one defect.
	WouldReject bool
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

// fnMemo caches function summaries by function node. A summary is
// computed without holding a lock, so that two goroutines analysing
// mutually recursive helpers cannot deadlock; the first result stored
// wins.
type fnMemo struct {
	mu sync.Mutex
	m  map[fnKey]*summary
}

type fnKey struct {
	fn   *jsast.Node
	role role
}

func (c *fnMemo) get(k fnKey) (*summary, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[k]
	return s, ok
}

func (c *fnMemo) put(k fnKey, s *summary) *summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[fnKey]*summary{}
	}
	if old, ok := c.m[k]; ok {
		return old
	}
	c.m[k] = s
	return s
}
