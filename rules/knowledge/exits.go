package knowledge

import "strings"

// Exit is a call that ends a request (or builds the response that ends
// it): the ways a guard rejects. Whether a given use denies access is the
// rules' question (the call must sit in a branch taken for a signed-out or
// unauthorized caller); the table says what the call does and where its
// status is.
type Exit struct {
	Framework Framework
	// Name is the function, method or constructor name as called.
	Name string
	// Receivers are the conventional receivers that make a method an exit
	// ("res" for res.status); nil for a plain function; "*" for a method
	// of any receiver, or none (redirectToSignIn of the Auth object).
	Receivers []string
	// Module is the import path a plain function comes from ("" for
	// methods and globals).
	Module string
	// New marks a constructor: new Response(null, { status: 401 }).
	New bool
	// Throws: the call throws by itself, so nothing after it runs.
	Throws bool
	// Chained: the call sets the status and a chained call (or the next
	// statement) sends the response: res.status(401).json(...).
	Chained bool
	// Redirect: the call redirects (to sign-in, when used as a guard).
	Redirect bool
	// StatusArg is the index of the argument that holds the HTTP status,
	// or -1 when the call has a fixed outcome (notFound() is 404).
	StatusArg int
	// StatusKey is the property of an options object at StatusArg that
	// holds the status ("status", "statusCode"); "" when the argument is
	// the status itself.
	StatusKey string
	// Status is the fixed status of a call without a status argument (0
	// when it has one or redirects).
	Status int
	Source string
}

// exits lists the request-ending calls of each framework.
//
// Replaces: rules/routes/next_guard.go exitCalls,
// rules/routes/server_rules.go srvExitCalls, the rejection keywords of
// rules/project/next_handler.go (the "redirect", "401", "403",
// "unauthorized", "forbidden", "notfound" list), and the Go status checks
// of rules/routes/rp016_go_lax.go.
var exits = []Exit{
	// Next.js: these throw (https://nextjs.org/docs/app/api-reference/functions/redirect,
	// .../not-found, .../unauthorized, .../forbidden).
	{Framework: NextJS, Name: "redirect", Module: "next/navigation", Throws: true, Redirect: true, StatusArg: -1,
		Source: "https://nextjs.org/docs/app/api-reference/functions/redirect"},
	{Framework: NextJS, Name: "permanentRedirect", Module: "next/navigation", Throws: true, Redirect: true, StatusArg: -1,
		Source: "https://nextjs.org/docs/app/api-reference/functions/permanentRedirect"},
	{Framework: NextJS, Name: "notFound", Module: "next/navigation", Throws: true, StatusArg: -1, Status: 404,
		Source: "https://nextjs.org/docs/app/api-reference/functions/not-found"},
	{Framework: NextJS, Name: "unauthorized", Module: "next/navigation", Throws: true, StatusArg: -1, Status: 401,
		Source: "https://nextjs.org/docs/app/api-reference/functions/unauthorized"},
	{Framework: NextJS, Name: "forbidden", Module: "next/navigation", Throws: true, StatusArg: -1, Status: 403,
		Source: "https://nextjs.org/docs/app/api-reference/functions/forbidden"},
	{Framework: NextJS, Name: "redirectToSignIn", Receivers: []string{"*"}, Throws: true, Redirect: true, StatusArg: -1,
		Source: "https://clerk.com/docs/reference/nextjs/app-router/auth (redirectToSignIn of the Auth object)"},
	{Framework: NextJS, Name: "json", Receivers: []string{"NextResponse", "Response"}, StatusArg: 1, StatusKey: "status",
		Source: "https://nextjs.org/docs/app/api-reference/functions/next-response#json"},
	{Framework: NextJS, Name: "redirect", Receivers: []string{"NextResponse", "Response"}, Redirect: true, StatusArg: 1,
		Source: "https://nextjs.org/docs/app/api-reference/functions/next-response#redirect"},
	{Framework: NextJS, Name: "NextResponse", New: true, StatusArg: 1, StatusKey: "status",
		Source: "https://nextjs.org/docs/app/api-reference/functions/next-response"},
	// The Fetch API Response, used by every Web-standard framework.
	{Framework: AnyJS, Name: "Response", New: true, StatusArg: 1, StatusKey: "status",
		Source: "https://developer.mozilla.org/en-US/docs/Web/API/Response/Response"},

	// Remix and React Router: redirect() and json()/data() return a
	// Response the handler throws or returns.
	{Framework: ReactRouter, Name: "redirect", Module: "react-router", Redirect: true, StatusArg: 1,
		Source: "https://reactrouter.com/api/utils/redirect"},
	{Framework: ReactRouter, Name: "data", Module: "react-router", StatusArg: 1, StatusKey: "status",
		Source: "https://reactrouter.com/api/utils/data"},
	{Framework: Remix, Name: "redirect", Module: "@remix-run/node", Redirect: true, StatusArg: 1,
		Source: "https://remix.run/docs/en/main/utils/redirect"},
	{Framework: Remix, Name: "json", Module: "@remix-run/node", StatusArg: 1, StatusKey: "status",
		Source: "https://remix.run/docs/en/main/utils/json"},

	// TanStack Start / Router: thrown.
	{Framework: TanStackStart, Name: "redirect", Module: "@tanstack/react-router", Redirect: true, StatusArg: -1,
		Source: "https://tanstack.com/router/latest/docs/framework/react/api/router/redirectFunction"},
	{Framework: TanStackStart, Name: "notFound", Module: "@tanstack/react-router", StatusArg: -1, Status: 404,
		Source: "https://tanstack.com/router/latest/docs/framework/react/api/router/notFoundFunction"},

	// SvelteKit 2: error() and redirect() throw by themselves; fail()
	// returns an ActionFailure.
	{Framework: SvelteKit, Name: "error", Module: "@sveltejs/kit", Throws: true, StatusArg: 0,
		Source: "https://svelte.dev/docs/kit/@sveltejs-kit#error"},
	{Framework: SvelteKit, Name: "redirect", Module: "@sveltejs/kit", Throws: true, Redirect: true, StatusArg: 0,
		Source: "https://svelte.dev/docs/kit/@sveltejs-kit#redirect"},
	{Framework: SvelteKit, Name: "fail", Module: "@sveltejs/kit", StatusArg: 0,
		Source: "https://svelte.dev/docs/kit/@sveltejs-kit#fail"},

	// Nuxt / h3 / Nitro.
	{Framework: Nuxt, Name: "createError", StatusArg: 0, StatusKey: "statusCode",
		Source: "https://nuxt.com/docs/api/utils/create-error (thrown: throw createError({ statusCode: 401 }))"},
	{Framework: Nuxt, Name: "sendError", StatusArg: 1, StatusKey: "statusCode", Source: "https://h3.unjs.io/utils/response#senderrorevent-error-debug"},
	{Framework: Nuxt, Name: "setResponseStatus", StatusArg: 1, Chained: true, Source: "https://h3.unjs.io/utils/response#setresponsestatusevent-code-text"},
	{Framework: Nuxt, Name: "sendRedirect", Redirect: true, StatusArg: 2, Source: "https://h3.unjs.io/utils/response#sendredirectevent-location-code"},
	{Framework: Nuxt, Name: "navigateTo", Redirect: true, StatusArg: -1, Source: "https://nuxt.com/docs/api/utils/navigate-to"},

	// Astro.
	{Framework: Astro, Name: "redirect", Receivers: []string{"Astro", "context", "ctx"}, Redirect: true, StatusArg: 1,
		Source: "https://docs.astro.build/en/reference/api-reference/#redirect"},

	// Express.
	{Framework: Express, Name: "status", Receivers: []string{"res", "response"}, Chained: true, StatusArg: 0,
		Source: "https://expressjs.com/en/4x/api.html#res.status"},
	{Framework: Express, Name: "sendStatus", Receivers: []string{"res", "response"}, StatusArg: 0,
		Source: "https://expressjs.com/en/4x/api.html#res.sendStatus"},
	{Framework: Express, Name: "redirect", Receivers: []string{"res", "response"}, Redirect: true, StatusArg: -1,
		Source: "https://expressjs.com/en/4x/api.html#res.redirect"},
	{Framework: Express, Name: "writeHead", Receivers: []string{"res", "response"}, Chained: true, StatusArg: 0,
		Source: "https://nodejs.org/api/http.html#responsewriteheadstatuscode-statusmessage-headers"},
	{Framework: Express, Name: "next", StatusArg: 0, StatusKey: "status",
		Source: "https://expressjs.com/en/guide/error-handling.html (next(err) ends the request with the error)"},

	// Fastify.
	{Framework: Fastify, Name: "code", Receivers: []string{"reply", "res"}, Chained: true, StatusArg: 0,
		Source: "https://fastify.dev/docs/latest/Reference/Reply/#codestatuscode"},
	{Framework: Fastify, Name: "status", Receivers: []string{"reply"}, Chained: true, StatusArg: 0,
		Source: "https://fastify.dev/docs/latest/Reference/Reply/#statusstatuscode"},
	{Framework: Fastify, Name: "redirect", Receivers: []string{"reply"}, Redirect: true, StatusArg: -1,
		Source: "https://fastify.dev/docs/latest/Reference/Reply/#redirectdest--code"},

	// Hono.
	{Framework: Hono, Name: "json", Receivers: []string{"c", "ctx", "context"}, StatusArg: 1,
		Source: "https://hono.dev/docs/api/context#json"},
	{Framework: Hono, Name: "text", Receivers: []string{"c", "ctx", "context"}, StatusArg: 1,
		Source: "https://hono.dev/docs/api/context#text"},
	{Framework: Hono, Name: "body", Receivers: []string{"c", "ctx", "context"}, StatusArg: 1,
		Source: "https://hono.dev/docs/api/context#body"},
	{Framework: Hono, Name: "redirect", Receivers: []string{"c", "ctx", "context"}, Redirect: true, StatusArg: 1,
		Source: "https://hono.dev/docs/api/context#redirect"},
	{Framework: Hono, Name: "HTTPException", Module: "hono/http-exception", New: true, Throws: true, StatusArg: 0,
		Source: "https://hono.dev/docs/api/exception"},

	// Koa.
	{Framework: Koa, Name: "throw", Receivers: []string{"ctx", "context"}, Throws: true, StatusArg: 0,
		Source: "https://koajs.com/#ctx-throw-status-msg-properties-"},

	// Go: net/http and common routers. The handler must return after
	// writing the error; the rules check that.
	{Framework: GoHTTP, Name: "Error", Receivers: []string{"http"}, StatusArg: 2, Source: "https://pkg.go.dev/net/http#Error"},
	{Framework: GoHTTP, Name: "WriteHeader", Receivers: []string{"w", "rw", "writer", "resp"}, StatusArg: 0,
		Source: "https://pkg.go.dev/net/http#ResponseWriter"},
	{Framework: GoHTTP, Name: "Redirect", Receivers: []string{"http"}, Redirect: true, StatusArg: 3,
		Source: "https://pkg.go.dev/net/http#Redirect"},
	{Framework: Gin, Name: "AbortWithStatus", Receivers: []string{"c", "ctx"}, StatusArg: 0,
		Source: "https://pkg.go.dev/github.com/gin-gonic/gin#Context.AbortWithStatus"},
	{Framework: Gin, Name: "AbortWithStatusJSON", Receivers: []string{"c", "ctx"}, StatusArg: 0,
		Source: "https://pkg.go.dev/github.com/gin-gonic/gin#Context.AbortWithStatusJSON"},
	{Framework: Gin, Name: "AbortWithError", Receivers: []string{"c", "ctx"}, StatusArg: 0,
		Source: "https://pkg.go.dev/github.com/gin-gonic/gin#Context.AbortWithError"},
	{Framework: Echo, Name: "NewHTTPError", Receivers: []string{"echo"}, StatusArg: 0,
		Source: "https://pkg.go.dev/github.com/labstack/echo/v4#NewHTTPError"},
	{Framework: Fiber, Name: "SendStatus", Receivers: []string{"c", "ctx"}, StatusArg: 0,
		Source: "https://docs.gofiber.io/api/ctx#sendstatus"},
}

// ExitsNamed returns the exits a call could be: callee is the call's
// text as the parser names it ("res.status", "redirect",
// "NextResponse.json", "http.Error"). A plain function matches a call
// without a receiver; a method matches when the callee's receiver (its
// last segment before the name) is one of its Receivers. Constructors are
// looked up with their class name.
func ExitsNamed(callee string) []Exit {
	recv, name := "", callee
	if i := strings.LastIndexByte(callee, '.'); i >= 0 {
		recv, name = callee[:i], callee[i+1:]
		if j := strings.LastIndexByte(recv, '.'); j >= 0 {
			recv = recv[j+1:]
		}
	}
	var out []Exit
	for _, e := range exits {
		if e.Name != name {
			continue
		}
		if contains(e.Receivers, "*") || len(e.Receivers) == 0 && recv == "" || contains(e.Receivers, recv) {
			out = append(out, cloneExit(e))
		}
	}
	return out
}

// ExitOf returns the exit called name that a module exports ("redirect"
// of "next/navigation"), for an imported function.
func ExitOf(module, name string) (Exit, bool) {
	for _, e := range exits {
		if e.Module == module && e.Name == name {
			return cloneExit(e), true
		}
	}
	return Exit{}, false
}

// DenyStatus reports whether an HTTP status rejects the caller: 401 and
// 403, and 404, which Clerk's auth.protect() answers for an unauthorized
// caller so that the resource's existence is not revealed
// (https://clerk.com/docs/reference/nextjs/app-router/auth).
func DenyStatus(code int) bool { return code == 401 || code == 403 || code == 404 }

func cloneExit(e Exit) Exit {
	e.Receivers = append([]string(nil), e.Receivers...)
	return e
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
