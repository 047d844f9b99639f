package knowledge

// CORSMiddleware is a CORS library's middleware and the options that
// decide which sites may make credentialed calls.
type CORSMiddleware struct {
	Package string // import path
	Export  string // "default" for a default export or require() of the module
	// Registered: the middleware is passed to a registration call with
	// its options as the next argument (Fastify's register(cors, opts)),
	// not called with them.
	Registered bool
	Origin     string // the option naming the allowed origins
	// ReflectTrue: origin true reflects the request's Origin header.
	ReflectTrue bool
	// CallbackAllows is the position of the "allow" argument of the origin
	// function's callback ((origin, cb) => cb(null, true)); -1 when the
	// function returns the origin to allow (Hono).
	CallbackAllows int
	Credentials    string // the option that sends Access-Control-Allow-Credentials
	// DefaultAny: without the origin option every origin is allowed ("*").
	DefaultAny bool
	Source     string
}

// corsMiddlewares are the JavaScript CORS middlewares. The wildcard "*" is
// sent as written by all of them; browsers refuse a credentialed response
// carrying it (https://fetch.spec.whatwg.org/#cors-protocol-and-credentials).
var corsMiddlewares = []CORSMiddleware{
	{Package: "cors", Export: "default", Origin: "origin", ReflectTrue: true, CallbackAllows: 1, Credentials: "credentials", DefaultAny: true,
		Source: "https://github.com/expressjs/cors#configuration-options (origin: true reflects the request origin; a function calls callback(err, allow); credentials: true sends Access-Control-Allow-Credentials)"},
	{Package: "@fastify/cors", Export: "default", Registered: true, Origin: "origin", ReflectTrue: true, CallbackAllows: 1, Credentials: "credentials", DefaultAny: true,
		Source: "https://github.com/fastify/fastify-cors#options (origin: true reflects the request origin; a function calls callback(err, allow); default '*')"},
	{Package: "fastify-cors", Export: "default", Registered: true, Origin: "origin", ReflectTrue: true, CallbackAllows: 1, Credentials: "credentials", DefaultAny: true,
		Source: "https://www.npmjs.com/package/fastify-cors (the deprecated name of @fastify/cors, same options)"},
	{Package: "hono/cors", Export: "cors", Origin: "origin", CallbackAllows: -1, Credentials: "credentials", DefaultAny: true,
		Source: "https://hono.dev/docs/middleware/builtin/cors#options (origin: string, string[] or (origin, c) => string | undefined; default '*'; credentials)"},
}

// CORSMiddlewareOf returns the CORS middleware the export name of the
// module spec is.
func CORSMiddlewareOf(spec, name string) (CORSMiddleware, bool) {
	for _, m := range corsMiddlewares {
		if m.Package == spec && m.Export == name {
			return m, true
		}
	}
	return CORSMiddleware{}, false
}

// GoCORSMiddleware is a Go CORS package's constructor and the fields of
// its options struct that decide which sites may make credentialed calls.
type GoCORSMiddleware struct {
	Package     string   // import path
	Constructor string   // the function taking the options struct
	Origins     string   // the allowed-origins list field ("*" in it allows all)
	AllOrigins  string   // a bool field that allows every origin ("" when none)
	OriginFuncs []string // func(origin ...) bool fields that decide per origin
	Credentials string   // the bool field sending Access-Control-Allow-Credentials
	// DefaultAny: with no origins field and no origin function every
	// origin is allowed.
	DefaultAny bool
	Source     string
}

// goCORSMiddlewares are the Go CORS packages. A "*" origin is sent as the
// wildcard; an origin function that allows the origin echoes it.
var goCORSMiddlewares = []GoCORSMiddleware{
	{Package: "github.com/rs/cors", Constructor: "New", Origins: "AllowedOrigins",
		OriginFuncs: []string{"AllowOriginFunc", "AllowOriginRequestFunc", "AllowOriginVaryRequestFunc"}, Credentials: "AllowCredentials", DefaultAny: true,
		Source: "https://github.com/rs/cors#parameters (AllowedOrigins: \"*\" allows all and is the default; AllowOriginFunc; AllowCredentials)"},
	{Package: "github.com/gin-contrib/cors", Constructor: "New", Origins: "AllowOrigins", AllOrigins: "AllowAllOrigins",
		OriginFuncs: []string{"AllowOriginFunc", "AllowOriginWithContextFunc"}, Credentials: "AllowCredentials",
		Source: "https://github.com/gin-contrib/cors#readme (Config: AllowAllOrigins, AllowOrigins, AllowOriginFunc, AllowCredentials)"},
}

// GoCORSMiddlewareOf returns the Go CORS package at importPath.
func GoCORSMiddlewareOf(importPath string) (GoCORSMiddleware, bool) {
	for _, m := range goCORSMiddlewares {
		if m.Package == importPath {
			out := m
			out.OriginFuncs = append([]string(nil), m.OriginFuncs...)
			return out, true
		}
	}
	return GoCORSMiddleware{}, false
}

// GoCORSPackages lists the import paths of goCORSMiddlewares.
func GoCORSPackages() []string {
	out := make([]string, 0, len(goCORSMiddlewares))
	for _, m := range goCORSMiddlewares {
		out = append(out, m.Package)
	}
	return out
}
