package knowledge

import "strings"

// Method is an HTTP method as frameworks spell it in exports and route
// registrations.
type Method struct {
	Name string // upper case: "GET"; "ALL" for a handler of every method
	// Safe methods do not change server state by definition (RFC 9110,
	// section 9.2.1: GET, HEAD, OPTIONS, TRACE).
	Safe bool
}

// methods are the HTTP methods handlers are exported or registered for.
//
// Sources: RFC 9110 section 9 (https://www.rfc-editor.org/rfc/rfc9110#section-9);
// Next.js Route Handlers "Supported HTTP Methods" GET, POST, PUT, PATCH,
// DELETE, HEAD, OPTIONS
// (https://nextjs.org/docs/app/api-reference/file-conventions/route);
// Astro endpoints add ALL
// (https://docs.astro.build/en/guides/endpoints/#server-endpoints-api-routes);
// SvelteKit +server exports the same verbs plus "fallback"
// (https://svelte.dev/docs/kit/routing#server); Express app.METHOD and
// app.all (https://expressjs.com/en/4x/api.html#app.METHOD), with del as
// the legacy alias of delete; Hono app.get/.post/.put/.delete/.patch/
// .options/.all (https://hono.dev/docs/api/routing); Fastify shorthand
// routes get/head/post/put/delete/options/patch/all
// (https://fastify.dev/docs/latest/Reference/Routes/#shorthand-declaration);
// Nitro/Nuxt file suffixes .get.ts ... .head.ts
// (https://nuxt.com/docs/guide/directory-structure/server#matching-http-method).
//
// Replaces: rules/jsast/entry.go httpMethods and routerMethods,
// rules/project/node.go nodeMethods, rules/routes/rp003_route_handler.go
// httpVerbs, rules/routes/rp013_astro.go srvHTTPVerbs,
// rules/webhooks/model.go httpMethodExports and routerMethods, and the
// method suffix in rules/routes/rp014_nuxt.go nuxtMethodSuffix.
var methods = []Method{
	{Name: "GET", Safe: true},
	{Name: "HEAD", Safe: true},
	{Name: "OPTIONS", Safe: true},
	{Name: "POST"},
	{Name: "PUT"},
	{Name: "PATCH"},
	{Name: "DELETE"},
	{Name: "ALL"},
}

// routerAliases are lower-case registration names that differ from the
// method (Express's legacy del).
var routerAliases = map[string]string{"del": "DELETE"}

// Methods returns the HTTP methods in a fixed order (safe ones first, ALL
// last).
func Methods() []Method { return append([]Method(nil), methods...) }

// HTTPMethod looks up an exported handler name as Next.js, Astro,
// SvelteKit and Remix/React Router resource routes spell it: upper case
// ("GET", "POST", "ALL").
func HTTPMethod(name string) (Method, bool) {
	for _, m := range methods {
		if m.Name == name {
			return m, true
		}
	}
	return Method{}, false
}

// RouterMethod looks up a route registration method of Express, Fastify,
// Hono and similar routers ("get", "post", "del", "all"), returning the
// HTTP method it registers.
func RouterMethod(name string) (Method, bool) {
	if m, ok := routerAliases[name]; ok {
		return HTTPMethod(m)
	}
	if name != strings.ToLower(name) {
		return Method{}, false
	}
	return HTTPMethod(strings.ToUpper(name))
}

// RequestReader is a framework function that reads part of the request
// from its event argument: `getRouterParam(event, 'id')` of h3.
type RequestReader struct {
	Framework Framework
	Name      string
	// Part is the part of the request it returns: "params", "query",
	// "body", "form", "headers" or "cookies".
	Part string
	// Named: the second argument names one header or cookie, which may
	// carry a credential (`getHeader(event, 'authorization')`).
	Named bool
	// URL: it returns the request URL (its pathname is the request path).
	URL bool
	// Raw: a body reader that returns the bytes as sent (a string or a
	// buffer), not a parsed value: what a webhook signature covers.
	Raw    bool
	Source string
}

// requestReaders are the request-reading functions of h3, the HTTP layer
// of Nitro and Nuxt server routes.
//
// Sources: https://h3.unjs.io/utils/request; unjs/h3 src/utils/request.ts,
// src/utils/body.ts, src/utils/cookie.ts; https://nuxt.com/docs/guide/directory-structure/server
// (server utilities are auto-imported).
//
// Replaces: rules/routes/rp014_nuxt.go's name-based request reads.
var requestReaders = []RequestReader{
	{Framework: Nuxt, Name: "getRouterParam", Part: "params", Source: "https://h3.unjs.io/utils/request#getrouterparamevent-name-opts-decode"},
	{Framework: Nuxt, Name: "getRouterParams", Part: "params", Source: "https://h3.unjs.io/utils/request#getrouterparamsevent-opts-decode"},
	{Framework: Nuxt, Name: "getValidatedRouterParams", Part: "params", Source: "https://h3.unjs.io/utils/request#getvalidatedrouterparamsevent-validate-opts-decode"},
	{Framework: Nuxt, Name: "getQuery", Part: "query", Source: "https://h3.unjs.io/utils/request#getqueryevent"},
	{Framework: Nuxt, Name: "getValidatedQuery", Part: "query", Source: "https://h3.unjs.io/utils/request#getvalidatedqueryevent-validate"},
	{Framework: Nuxt, Name: "getRequestURL", Part: "query", URL: true, Source: "https://h3.unjs.io/utils/request#getrequesturlevent-opts-xforwardedhost-xforwardedproto"},
	{Framework: Nuxt, Name: "readBody", Part: "body", Source: "https://h3.unjs.io/utils/request-body#readbodyevent-options-strict"},
	{Framework: Nuxt, Name: "readValidatedBody", Part: "body", Source: "https://h3.unjs.io/utils/request-body#readvalidatedbodyevent-validate"},
	{Framework: Nuxt, Name: "readRawBody", Part: "body", Raw: true, Source: "https://h3.unjs.io/utils/request-body#readrawbodyevent-encoding"},
	{Framework: Nuxt, Name: "readFormData", Part: "form", Source: "https://h3.unjs.io/utils/request-body#readformdataevent"},
	{Framework: Nuxt, Name: "readMultipartFormData", Part: "form", Source: "https://h3.unjs.io/utils/request-body#readmultipartformdataevent"},
	{Framework: Nuxt, Name: "getHeader", Part: "headers", Named: true, Source: "https://h3.unjs.io/utils/request#getrequestheaderevent-name"},
	{Framework: Nuxt, Name: "getRequestHeader", Part: "headers", Named: true, Source: "https://h3.unjs.io/utils/request#getrequestheaderevent-name"},
	{Framework: Nuxt, Name: "getHeaders", Part: "headers", Source: "https://h3.unjs.io/utils/request#getrequestheadersevent"},
	{Framework: Nuxt, Name: "getRequestHeaders", Part: "headers", Source: "https://h3.unjs.io/utils/request#getrequestheadersevent"},
	{Framework: Nuxt, Name: "getCookie", Part: "cookies", Named: true, Source: "https://h3.unjs.io/utils/cookie#getcookieevent-name"},
	{Framework: Nuxt, Name: "parseCookies", Part: "cookies", Source: "https://h3.unjs.io/utils/cookie#parsecookiesevent"},
}

// RequestReaderOf looks up a request-reading function by the module it
// was imported from ("" for an auto-import) and its name.
func RequestReaderOf(module, name string) (RequestReader, bool) {
	for _, r := range requestReaders {
		if r.Name != name {
			continue
		}
		// Nitro and Nuxt auto-import h3's utilities, so a call without an
		// import is the same function.
		if module == "" || module == "h3" || module == "#imports" || module == "nitropack/runtime" {
			return r, true
		}
	}
	return RequestReader{}, false
}

// nodeBodyReaders are functions of Node HTTP helper packages that read a
// request's body from the request passed to them, by the module they come
// from and the name they are exported as ("default" for a default export).
//
// Sources: vercel/micro README "Body parsing" (buffer(req), text(req),
// json(req); https://github.com/vercel/micro#body-parsing);
// stream-utils/raw-body README (getRawBody(stream), the default export;
// https://github.com/stream-utils/raw-body#api).
var nodeBodyReaders = []struct {
	Module, Name string
	Raw          bool
	Source       string
}{
	{Module: "micro", Name: "json", Source: "https://github.com/vercel/micro#body-parsing"},
	{Module: "micro", Name: "text", Raw: true, Source: "https://github.com/vercel/micro#body-parsing"},
	{Module: "micro", Name: "buffer", Raw: true, Source: "https://github.com/vercel/micro#body-parsing"},
	{Module: "raw-body", Name: "default", Raw: true, Source: "https://github.com/stream-utils/raw-body#api"},
}

// BodyReaderOf looks up a function that reads the body of the request
// passed to it, by the module it was imported from ("" for a Nitro/Nuxt
// auto-import) and the name it is exported as: h3's readBody and
// readRawBody, micro's json/text/buffer, raw-body's getRawBody. raw
// reports whether it returns the bytes as sent.
func BodyReaderOf(module, name string) (raw, ok bool) {
	if r, ok := RequestReaderOf(module, name); ok && (r.Part == "body" || r.Part == "form") {
		return r.Raw, true
	}
	for _, r := range nodeBodyReaders {
		if r.Module == module && r.Name == name {
			return r.Raw, true
		}
	}
	return false, false
}

// BodyParse is what a body-parsing middleware does with the request body.
type BodyParse string

// Body parsing kinds.
const (
	// BodyParsed: the body is parsed into an object (JSON, URL-encoded);
	// the bytes as sent are gone unless the parser's `verify` hook keeps
	// them.
	BodyParsed BodyParse = "parsed"
	// BodyRaw: the body is kept as the bytes (a Buffer) or text as sent.
	BodyRaw BodyParse = "raw"
)

// bodyParsers are the body-parsing middleware of Node servers, by the
// package they are imported from and the factory's name. A parser skips
// a request whose body an earlier parser already read (body-parser's
// `req._body` check), so the first one on a route decides what the
// handler gets. Each parser's `verify(req, res, buf)` option receives the
// raw bytes before parsing.
var bodyParsers = []struct {
	Module, Name string
	Parse        BodyParse
	Source       string
}{
	{Module: "express", Name: "json", Parse: BodyParsed, Source: "https://expressjs.com/en/api.html#express.json"},
	{Module: "express", Name: "urlencoded", Parse: BodyParsed, Source: "https://expressjs.com/en/api.html#express.urlencoded"},
	{Module: "express", Name: "raw", Parse: BodyRaw, Source: "https://expressjs.com/en/api.html#express.raw"},
	{Module: "express", Name: "text", Parse: BodyRaw, Source: "https://expressjs.com/en/api.html#express.text"},
	{Module: "body-parser", Name: "json", Parse: BodyParsed, Source: "https://github.com/expressjs/body-parser#bodyparserjsonoptions"},
	{Module: "body-parser", Name: "urlencoded", Parse: BodyParsed, Source: "https://github.com/expressjs/body-parser#bodyparserurlencodedoptions"},
	{Module: "body-parser", Name: "raw", Parse: BodyRaw, Source: "https://github.com/expressjs/body-parser#bodyparserrawoptions"},
	{Module: "body-parser", Name: "text", Parse: BodyRaw, Source: "https://github.com/expressjs/body-parser#bodyparsertextoptions"},
}

// BodyParserOf looks up a body-parsing middleware factory by the package
// it is imported from and its name (express.json, bodyParser.raw).
func BodyParserOf(module, name string) (BodyParse, bool) {
	for _, p := range bodyParsers {
		if p.Module == module && p.Name == name {
			return p.Parse, true
		}
	}
	return "", false
}

// goBodyDecoders are the Go calls that parse a request body (or its bytes)
// into a value: the parsed value is what a handler then trusts.
var goBodyDecoders = []struct {
	Package, Name string
	// Reader is set when the call takes a reader (json.NewDecoder(r.Body)
	// whose Decode parses), not the bytes.
	Reader bool
	Source string
}{
	{Package: "encoding/json", Name: "Unmarshal", Source: "https://pkg.go.dev/encoding/json#Unmarshal"},
	{Package: "encoding/json", Name: "NewDecoder", Reader: true, Source: "https://pkg.go.dev/encoding/json#NewDecoder"},
	{Package: "encoding/xml", Name: "Unmarshal", Source: "https://pkg.go.dev/encoding/xml#Unmarshal"},
	{Package: "encoding/xml", Name: "NewDecoder", Reader: true, Source: "https://pkg.go.dev/encoding/xml#NewDecoder"},
}

// GoBodyDecoderOf looks up a Go function that parses bytes (reader false)
// or a reader (reader true) into a value, by import path and name.
func GoBodyDecoderOf(pkg, name string) (reader, ok bool) {
	for _, d := range goBodyDecoders {
		if d.Package == pkg && d.Name == name {
			return d.Reader, true
		}
	}
	return false, false
}

// bodyMembers are the methods and properties of a request object that
// read its body: the Fetch API's body methods (a Request of Next.js Route
// Handlers, Hono's c.req, SvelteKit, Remix, Astro), and the body that a
// Node server's body parser leaves on the request. Raw: the bytes or
// text as sent, which a signature is computed over.
var bodyMembers = []struct {
	Name   string
	Method bool
	Raw    bool
	Source string
}{
	{Name: "json", Method: true, Source: "https://fetch.spec.whatwg.org/#dom-body-json"},
	{Name: "formData", Method: true, Source: "https://fetch.spec.whatwg.org/#dom-body-formdata"},
	{Name: "text", Method: true, Raw: true, Source: "https://fetch.spec.whatwg.org/#dom-body-text"},
	{Name: "arrayBuffer", Method: true, Raw: true, Source: "https://fetch.spec.whatwg.org/#dom-body-arraybuffer"},
	{Name: "blob", Method: true, Raw: true, Source: "https://fetch.spec.whatwg.org/#dom-body-blob"},
	{Name: "bytes", Method: true, Raw: true, Source: "https://fetch.spec.whatwg.org/#dom-body-bytes"},
	{Name: "body", Source: "https://expressjs.com/en/api.html#req.body (the body a body-parsing middleware parsed; Fastify's request.body and Koa's ctx.request.body alike)"},
	{Name: "rawBody", Raw: true, Source: "https://firebase.google.com/docs/functions/http-events (req.rawBody: the unparsed bytes of the request)"},
}

// BodyMember looks up a method (call set) or property of a request that
// reads its body; raw reports whether it yields the bytes as sent.
func BodyMember(name string, call bool) (raw, ok bool) {
	for _, b := range bodyMembers {
		if b.Name == name && b.Method == call {
			return b.Raw, true
		}
	}
	return false, false
}

// QueryForm is one way code reads the query string of the URL a request
// (or the browser) was sent to. Exactly one of Property, Method, Call and
// Location is set.
type QueryForm struct {
	// Property holds the parsed query: req.query, url.searchParams.
	Property string
	// Method reads one parameter of a value that holds the parsed query
	// (URLSearchParams.get), or, with Receiver, of the request object
	// named by Receiver's last segment (Hono's c.req.query('next')).
	Method   string
	Receiver string
	// Call returns the parsed query (useSearchParams(), getQuery(event)).
	Call string
	// Location is a property of the browser's location holding the raw
	// query string, which `new URLSearchParams(...)` parses.
	Location string
	// Browser: the form reads the query in the browser.
	Browser bool
	Source  string
}

// queryForms are the query-string reads of servers and browsers. h3's
// getQuery is in requestReaders (Part "query").
//
// Replaces: rules/hardening/hard003_redirects.go querySource and
// queryObject.
var queryForms = []QueryForm{
	{Property: "query", Source: "https://expressjs.com/en/api.html#req.query (Fastify's request.query, Koa's ctx.query, Next.js's router.query and getServerSideProps context.query alike)"},
	{Property: "searchParams", Source: "https://url.spec.whatwg.org/#dom-url-searchparams (URL.searchParams); https://nextjs.org/docs/app/api-reference/file-conventions/page#searchparams-optional (a page's searchParams prop)"},
	{Method: "get", Source: "https://url.spec.whatwg.org/#dom-urlsearchparams-get"},
	{Method: "getAll", Source: "https://url.spec.whatwg.org/#dom-urlsearchparams-getall"},
	{Method: "query", Receiver: "req", Source: "https://hono.dev/docs/api/request#query (c.req.query('key'))"},
	{Call: "useSearchParams", Browser: true, Source: "https://nextjs.org/docs/app/api-reference/functions/use-search-params; https://reactrouter.com/api/hooks/useSearchParams"},
	{Location: "search", Browser: true, Source: "https://developer.mozilla.org/en-US/docs/Web/API/Location/search (the query string of the page's URL)"},
}

// QueryProperty reports whether a property holds the parsed query string
// (`req.query`, `url.searchParams`).
func QueryProperty(name string) bool {
	for _, q := range queryForms {
		if q.Property != "" && q.Property == name {
			return true
		}
	}
	return false
}

// QueryMethod reports whether a method reads one query parameter:
// receiver is "" for a value holding the parsed query (URLSearchParams's
// get), else the last segment of the request object it is called on.
func QueryMethod(receiver, method string) bool {
	for _, q := range queryForms {
		if q.Method != "" && q.Method == method && q.Receiver == receiver {
			return true
		}
	}
	return false
}

// QueryCall reports whether a function (imported from module, "" when
// auto-imported or unknown) returns the parsed query string.
func QueryCall(module, name string) bool {
	for _, q := range queryForms {
		if q.Call != "" && q.Call == name {
			return true
		}
	}
	r, ok := RequestReaderOf(module, name)
	return ok && r.Part == "query" && !r.URL
}

// LocationQuery reports whether a property of the browser's location
// holds the raw query string (`location.search`).
func LocationQuery(name string) bool {
	for _, q := range queryForms {
		if q.Location != "" && q.Location == name {
			return true
		}
	}
	return false
}

// requestHeaderForms are the reads of a request's headers (or of a value
// a server derives from them) that an application may use as an origin:
// Next.js's headers(), the headers of a Fetch or Node request, and the
// host name Express and Fastify take from the Host (or X-Forwarded-Host)
// header. The caller chooses what they hold.
//
// Replaces: the header part of rules/hardening/hard003_redirects.go
// requestData.
var requestHeaderForms = []struct {
	Module, Call       string
	Receiver, Property string
	Source             string
}{
	{Module: "next/headers", Call: "headers", Source: "https://nextjs.org/docs/app/api-reference/functions/headers (the incoming request's headers)"},
	{Property: "headers", Source: "https://fetch.spec.whatwg.org/#dom-request-headers; https://nodejs.org/api/http.html#messageheaders"},
	{Receiver: "req", Property: "hostname", Source: "https://expressjs.com/en/api.html#req.hostname (from the Host header, or X-Forwarded-Host when trust proxy is set)"},
	{Receiver: "request", Property: "hostname", Source: "https://fastify.dev/docs/latest/Reference/Request/ (request.hostname: from the Host header)"},
}

// RequestHeaderCall reports whether a function (its module and export)
// returns the incoming request's headers.
func RequestHeaderCall(module, name string) bool {
	for _, h := range requestHeaderForms {
		if h.Call != "" && h.Module == module && h.Call == name {
			return true
		}
	}
	return false
}

// RequestHeaderProperty reports whether a property of a request (whose
// conventional name is receiver, the last segment of the object) holds
// its headers or a value taken from them.
func RequestHeaderProperty(receiver, name string) bool {
	for _, h := range requestHeaderForms {
		if h.Property != "" && h.Property == name && (h.Receiver == "" || h.Receiver == receiver) {
			return true
		}
	}
	return false
}

// plainMiddleware are middleware packages of Node servers that never
// authenticate a request: they limit, log, compress or set headers and
// pass every caller on (or reject by rate, not by identity). A layer
// built from one is not a guard, whatever the variable holding it is
// called (`getUsersLimiter`).
var plainMiddleware = []struct {
	Package, Does, Source string
}{
	{Package: "express-rate-limit", Does: "limits how many requests a client key (the IP by default) sends", Source: "https://github.com/express-rate-limit/express-rate-limit#usage"},
	{Package: "express-slow-down", Does: "delays responses once a client key exceeds a rate", Source: "https://github.com/express-rate-limit/express-slow-down#usage"},
	{Package: "helmet", Does: "sets security response headers", Source: "https://helmetjs.github.io/"},
	{Package: "morgan", Does: "logs requests", Source: "https://github.com/expressjs/morgan#api"},
	{Package: "compression", Does: "compresses response bodies", Source: "https://github.com/expressjs/compression#compressionoptions"},
	{Package: "cookie-parser", Does: "parses the Cookie header into req.cookies", Source: "https://github.com/expressjs/cookie-parser#cookieparsersecret-options"},
}

// PlainMiddleware reports whether a middleware package (any subpath)
// never authenticates, and what it does instead.
func PlainMiddleware(pkg string) (string, bool) {
	for _, m := range plainMiddleware {
		if pkg == m.Package || strings.HasPrefix(pkg, m.Package+"/") {
			return m.Does, true
		}
	}
	return "", false
}
