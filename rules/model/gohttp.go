package model

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// goAdapter lists the routes of Go HTTP servers: net/http
// (http.HandleFunc, mux.Handle, Go 1.22 "GET /x/{id}" patterns), chi
// (r.Get, r.Route, r.Group, r.With, r.Use, r.Mount), gin (engine and
// group VERB methods, Group with middleware, Use in registration order)
// echo (e.GET(path, h, mw...), Group, Use) and fiber (app.Get(path, mw...,
// h), Group, Route, Use with optional path prefixes). Routers are followed into
// the functions they are passed to (routes.Setup(r) in another package)
// and out of the functions that build them (r.Mount("/x", sub())). The
// middleware in front of each route is analysed as middleware of its
// framework: a gin middleware lets the request through unless it calls
// c.Abort*() (https://pkg.go.dev/github.com/gin-gonic/gin#Context.Abort),
// a net/http or chi middleware unless it returns without calling
// next.ServeHTTP, an echo middleware unless it returns without calling
// next(c), a fiber middleware unless it returns without calling c.Next()
// (https://docs.gofiber.io/api/ctx#next). Clerk's net/http middleware is classified by rules/knowledge
// (WithHeaderAuthorization attaches, RequireHeaderAuthorization rejects).
type goAdapter struct{}

// GoRoute is a route of a Go HTTP server.
const GoRoute Kind = "go-route"

func (goAdapter) Framework() Framework { return knowledge.GoHTTP }

func (a goAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	es, _ := m.goEntries.get(func() ([]*Entry, error) { return withFacets(m.listGo(ctx)), nil })
	return es, ctx.Err()
}

func (a goAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if !strings.HasSuffix(p, ".go") {
		return nil, nil
	}
	all, err := a.Entries(ctx, m)
	var out []*Entry
	for _, e := range all {
		if e.File == p || e.Handler.File == p {
			out = append(out, e)
		}
	}
	return out, err
}

// goRouterFW says which framework a router value belongs to.
type goRouterFW uint8

const (
	fwHTTP goRouterFW = iota + 1
	fwChi
	fwGin
	fwEcho
	fwFiber
)

// goConstructors are the calls that create a router, by import path and
// function.
var goConstructors = map[string]goRouterFW{
	"net/http.NewServeMux":               fwHTTP,
	"github.com/go-chi/chi.NewRouter":    fwChi,
	"github.com/go-chi/chi.NewMux":       fwChi,
	"github.com/gin-gonic/gin.Default":   fwGin,
	"github.com/gin-gonic/gin.New":       fwGin,
	"github.com/labstack/echo.New":       fwEcho,
	"github.com/gorilla/mux.NewRouter":   fwHTTP,
	"github.com/go-chi/chi/v5.NewRouter": fwChi,
	"github.com/gofiber/fiber.New":       fwFiber,
}

// goRouterTypes are the parameter types that carry a router.
var goRouterTypes = map[string]goRouterFW{
	"net/http.ServeMux": fwHTTP, "github.com/go-chi/chi.Router": fwChi, "github.com/go-chi/chi.Mux": fwChi,
	"github.com/gin-gonic/gin.Engine": fwGin, "github.com/gin-gonic/gin.RouterGroup": fwGin,
	"github.com/gin-gonic/gin.IRouter": fwGin, "github.com/gin-gonic/gin.IRoutes": fwGin,
	"github.com/labstack/echo.Echo": fwEcho, "github.com/labstack/echo.Group": fwEcho,
	"github.com/gofiber/fiber.App": fwFiber, "github.com/gofiber/fiber.Router": fwFiber, "github.com/gofiber/fiber.Group": fwFiber,
}

// goPkgKey strips a major-version suffix: github.com/go-chi/chi/v5 is chi.
func goPkgKey(ip string) string {
	b := path.Base(ip)
	if len(b) > 1 && b[0] == 'v' && strings.Trim(b[1:], "0123456789") == "" {
		return path.Dir(ip)
	}
	return ip
}

var goVerbs = map[string]string{"GET": "GET", "POST": "POST", "PUT": "PUT", "PATCH": "PATCH", "DELETE": "DELETE",
	"HEAD": "HEAD", "OPTIONS": "OPTIONS", "Any": "ALL", "Get": "GET", "Post": "POST", "Put": "PUT", "Patch": "PATCH",
	"Delete": "DELETE", "Head": "HEAD", "Options": "OPTIONS", "CONNECT": "CONNECT", "TRACE": "TRACE", "Connect": "CONNECT", "Trace": "TRACE",
	"All": "ALL"}

type goRouter struct {
	fw     goRouterFW
	parent *goRouter
	prefix string
	known  bool
	base   []Layer // the parent's layers when this router was attached
	own    []Layer // this router's Use layers, in order
	mounts []Location
	// logger is the call that made the router log each request's path
	// with its raw query (knowledge.RequestLoggerOf: gin.Default()).
	logger *Proof
}

// queryLogger returns the request logger of r or a router it hangs from.
func (r *goRouter) queryLogger() *Proof {
	for ; r != nil; r = r.parent {
		if r.logger != nil {
			return r.logger
		}
	}
	return nil
}

// loggedQueryTokens adds to LogsToken of each layer that reads the
// session token from the query string the logger that writes it: the
// chain's layers are copies, their slices are not shared.
func loggedQueryTokens(chain []Layer, lg *Proof) {
	if lg == nil {
		return
	}
	for i := range chain {
		l := &chain[i]
		if len(l.QueryToken) == 0 {
			continue
		}
		logs := append([]Proof(nil), l.LogsToken...)
		for _, q := range l.QueryToken {
			logs = append(logs, Proof{Location: q.Location, What: fmt.Sprintf("%s (the session token in the query string; %s, %s)", q.What, lg.What, lg.Location)})
		}
		l.LogsToken = logs
	}
}

func (r *goRouter) fullPrefix() (string, bool) {
	if r.parent == nil {
		return r.prefix, r.known
	}
	p, k := r.parent.fullPrefix()
	return joinGoPath(p, r.prefix), k && r.known
}

func (r *goRouter) inherited() []Layer {
	if r.parent == nil {
		return nil
	}
	return append(r.parent.inherited(), r.base...)
}

func (r *goRouter) allMounts() []Location {
	if r.parent == nil {
		return r.mounts
	}
	return append(r.parent.allMounts(), r.mounts...)
}

func joinGoPath(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" || b == "/" {
		if strings.HasSuffix(a, "/") || b == "" {
			return a
		}
		return a + "/"
	}
	return strings.TrimSuffix(a, "/") + "/" + strings.TrimPrefix(b, "/")
}

type goRoute struct {
	r        *goRouter
	local    []Layer // the router's own layers at registration, then the route's
	method   string
	path     string
	known    bool
	at       Location
	handler  *goFunc
	hExpr    string
	unres    string
	hostFile *goast.File
}

type goLister struct {
	m       *Model
	ctx     context.Context
	p       *goProgram
	routes  []*goRoute
	visited map[ast.Node]bool
	layers  map[ast.Node]Layer
	dflt    *goRouter
}

func (m *Model) listGo(ctx context.Context) []*Entry {
	p := m.goProg(ctx)
	if len(p.files) == 0 {
		return nil
	}
	l := &goLister{m: m, ctx: ctx, p: p, visited: map[ast.Node]bool{}, layers: map[ast.Node]Layer{}}
	// Roots: functions that create a router; then functions that receive
	// one and no walked function called.
	var fns []*goFunc
	for _, f := range p.files {
		for _, d := range f.AST.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				fns = append(fns, declFunc(f, fd))
			}
		}
	}
	// A function that returns a router is walked where its router is
	// mounted; the others first.
	for _, fn := range fns {
		if l.createsRouter(fn) && !l.visited[fn.node] && !l.returnsRouter(fn) {
			l.walk(fn, map[string]*goRouter{}, nil, 0)
		}
	}
	for _, fn := range fns {
		if l.createsRouter(fn) && !l.visited[fn.node] {
			l.walk(fn, map[string]*goRouter{}, nil, 0)
		}
	}
	for _, fn := range fns {
		if l.visited[fn.node] {
			continue
		}
		env := map[string]*goRouter{}
		names, types := fn.params()
		for i, n := range names {
			if fw := l.routerType(fn.file, types[i]); fw != 0 {
				env[n] = &goRouter{fw: fw, known: false}
			}
		}
		if len(env) > 0 {
			l.walk(fn, env, nil, 0)
		}
	}
	var out []*Entry
	for _, rt := range l.routes {
		prefix, known := rt.r.fullPrefix()
		fw := knowledge.GoHTTP
		if rt.r.fw == fwGin {
			fw = knowledge.Gin
		}
		e := &Entry{Framework: fw, Kind: GoRoute, Methods: []string{rt.method}, Path: joinGoPath(prefix, rt.path),
			PathKnown: known && rt.known, File: rt.at.File, Line: rt.at.Line, EndLine: rt.at.Line,
			Mounts: rt.r.allMounts(), Unresolved: rt.unres}
		if e.Path == "" {
			e.Path = "/"
		}
		e.Chain = layersUnder(append(rt.r.inherited(), rt.local...), e.Path)
		loggedQueryTokens(e.Chain, rt.r.queryLogger())
		if e.Path == "" {
			e.Path = "/"
		}
		e.Name = rt.method + " " + e.Path
		if rt.handler != nil {
			e.Handler = Location{File: rt.handler.file.Path, Line: rt.handler.line()}
			e.EndLine = rt.handler.endLine()
			e.gofn = rt.handler
			e.HandlerName = rt.handler.name
		}
		e.Public = conventionPublic(e.Path, false)
		out = append(out, e)
	}
	return out // Entries sorts
}

func (l *goLister) routerType(f *goast.File, t string) goRouterFW {
	i := strings.IndexByte(t, '.')
	if i < 0 {
		return 0
	}
	ip := importPath(f, t[:i])
	return goRouterTypes[goPkgKey(ip)+"."+t[i+1:]]
}

func (l *goLister) constructor(f *goast.File, c *ast.CallExpr) goRouterFW {
	ip, name, ok := goPackageCall(f, c)
	if !ok {
		return 0
	}
	if fw, ok := goConstructors[ip+"."+name]; ok {
		return fw
	}
	return goConstructors[goPkgKey(ip)+"."+name]
}

// goPackageCall splits a call of a package's function (gin.Default())
// into the package's import path and the function's name.
func goPackageCall(f *goast.File, c *ast.CallExpr) (ip, name string, ok bool) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", "", false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", "", false
	}
	return importPath(f, id.Name), sel.Sel.Name, true
}

// returnsRouter reports a function whose result is a router or handler
// (func Routes() chi.Router).
func (l *goLister) returnsRouter(fn *goFunc) bool {
	if fn.typ.Results == nil || len(fn.typ.Results.List) != 1 {
		return false
	}
	t := goast.ExprName(stripStar(fn.typ.Results.List[0].Type))
	return l.routerType(fn.file, t) != 0 || t == "http.Handler"
}

func (l *goLister) createsRouter(fn *goFunc) bool {
	found := false
	ast.Inspect(fn.body, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if l.constructor(fn.file, c) != 0 {
			found = true
		}
		// http.Handle/http.HandleFunc register on the default mux.
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Handle" || sel.Sel.Name == "HandleFunc") {
			if id, ok := sel.X.(*ast.Ident); ok && importPath(fn.file, id.Name) == "net/http" {
				found = true
			}
		}
		return !found
	})
	return found
}

// walk follows the router registrations of fn in source order. env maps
// variables to routers; adopt, when set, is the router the first router
// fn creates stands for (a function whose result is mounted). It returns
// the router fn returns, if any.
func (l *goLister) walk(fn *goFunc, env map[string]*goRouter, adopt *goRouter, depth int) *goRouter {
	if depth > MaxMountDepth || fn.body == nil {
		return nil
	}
	l.visited[fn.node] = true
	var ret *goRouter
	// The standard library's default mux.
	if _, ok := env["http"]; !ok && importPath(fn.file, "http") == "net/http" {
		env["http"] = l.defaultMux()
	}
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false // walked where a router method receives it
		case *ast.AssignStmt:
			for i, rhs := range x.Rhs {
				ast.Inspect(rhs, visit)
				if i >= len(x.Lhs) {
					continue
				}
				id, ok := x.Lhs[i].(*ast.Ident)
				if !ok {
					continue
				}
				if r := l.routerOf(fn, env, rhs, &adopt, depth); r != nil {
					env[id.Name] = r
				}
			}
			return false
		case *ast.ReturnStmt:
			for _, e := range x.Results {
				if r := l.routerOf(fn, env, e, &adopt, depth); r != nil {
					ret = r
				}
			}
			return true
		case *ast.CallExpr:
			l.call(fn, env, x, &adopt, depth)
			for _, a := range x.Args {
				if _, ok := a.(*ast.FuncLit); !ok {
					ast.Inspect(a, visit)
				}
			}
			return false
		}
		return true
	}
	ast.Inspect(fn.body, visit)
	return ret
}

// defaultMux is http.DefaultServeMux: one per snapshot.
func (l *goLister) defaultMux() *goRouter {
	if l.dflt == nil {
		l.dflt = &goRouter{fw: fwHTTP, known: true}
	}
	return l.dflt
}

// routerOf evaluates an expression to a router: a variable, a
// constructor, x.Group(prefix, mw...), chi's r.With(mw...), or a call of a
// snapshot function that returns one.
func (l *goLister) routerOf(fn *goFunc, env map[string]*goRouter, e ast.Expr, adopt **goRouter, depth int) *goRouter {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return l.routerOf(fn, env, x.X, adopt, depth)
	case *ast.UnaryExpr:
		return l.routerOf(fn, env, x.X, adopt, depth)
	case *ast.Ident:
		return env[x.Name]
	case *ast.CallExpr:
		if fw := l.constructor(fn.file, x); fw != 0 {
			if *adopt != nil {
				r := *adopt
				*adopt = nil
				r.fw = fw
				if r.logger == nil {
					r.logger = goRequestLogger(fn.file, x)
				}
				return r
			}
			return &goRouter{fw: fw, known: true, logger: goRequestLogger(fn.file, x)}
		}
		sel, ok := x.Fun.(*ast.SelectorExpr)
		if ok {
			if parent := l.routerOf(fn, env, sel.X, adopt, depth); parent != nil {
				switch sel.Sel.Name {
				case "Group":
					if parent.fw == fwChi {
						return nil
					}
					r := &goRouter{fw: parent.fw, parent: parent, known: true, base: append([]Layer(nil), parent.own...)}
					args := x.Args
					if len(args) > 0 {
						r.prefix, r.known = goStringArg(args[0])
						args = args[1:]
					}
					r.own = l.layersOf(fn, args)
					return r
				case "With":
					r := &goRouter{fw: parent.fw, parent: parent, known: true, base: append([]Layer(nil), parent.own...)}
					r.own = l.layersOf(fn, x.Args)
					return r
				}
				return nil
			}
		}
		// A snapshot function that builds and returns a router.
		if callee := l.p.resolveCallee(fn.file, x.Fun); callee != nil && callee.node != fn.node && !l.visited[callee.node] {
			sub := &goRouter{known: true}
			r := l.walk(callee, l.bind(callee, env, fn, x), sub, depth+1)
			return r
		}
	}
	return nil
}

// bind maps a callee's router parameters to the routers its call passes.
func (l *goLister) bind(callee *goFunc, env map[string]*goRouter, caller *goFunc, c *ast.CallExpr) map[string]*goRouter {
	out := map[string]*goRouter{}
	names, _ := callee.params()
	for i, a := range c.Args {
		if i >= len(names) {
			break
		}
		if id, ok := a.(*ast.Ident); ok && env[id.Name] != nil {
			out[names[i]] = env[id.Name]
		}
	}
	return out
}

func goStringArg(e ast.Expr) (string, bool) {
	if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
		s, err := strconv.Unquote(b.Value)
		return s, err == nil
	}
	return "", false
}

// call handles one call of a walked function: Use, a route registration,
// chi's Route/Group/Mount, or a snapshot function receiving a router.
func (l *goLister) call(fn *goFunc, env map[string]*goRouter, c *ast.CallExpr, adopt **goRouter, depth int) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if ok {
		if r := l.routerOf(fn, env, sel.X, adopt, depth); r != nil {
			l.method(fn, env, r, sel.Sel.Name, c, depth)
			return
		}
	}
	// routes.Setup(router): follow the router into the function.
	callee := l.p.resolveCallee(fn.file, c.Fun)
	if callee == nil || callee.node == fn.node || l.visited[callee.node] {
		return
	}
	if b := l.bind(callee, env, fn, c); len(b) > 0 {
		l.walk(callee, b, nil, depth+1)
	}
}

func (l *goLister) method(fn *goFunc, env map[string]*goRouter, r *goRouter, name string, c *ast.CallExpr, depth int) {
	at := Location{File: fn.file.Path, Line: fn.file.Line(c.Pos())}
	switch {
	case name == "Use":
		args := c.Args
		var under []string
		if r.fw == fwFiber {
			// app.Use("/api", mw) or app.Use([]string{"/a", "/b"}, mw): the
			// layers run only for paths under those prefixes.
			under, args = fiberUsePrefixes(r, args)
		}
		lys := l.layersOf(fn, args)
		for i := range lys {
			lys[i].goUnder = under
		}
		r.own = append(r.own, lys...)
		for _, a := range args {
			if lc, ok := a.(*ast.CallExpr); ok && r.logger == nil {
				r.logger = goRequestLogger(fn.file, lc) // r.Use(gin.Logger())
			}
		}
	case name == "Route" && (r.fw == fwChi && len(c.Args) == 2 || r.fw == fwFiber && len(c.Args) >= 2):
		p, known := goStringArg(c.Args[0])
		sub := &goRouter{fw: r.fw, parent: r, prefix: p, known: known, base: append([]Layer(nil), r.own...)}
		l.inline(fn, env, c.Args[1], sub, depth)
	case name == "Group" && r.fw == fwChi && len(c.Args) == 1:
		sub := &goRouter{fw: fwChi, parent: r, known: true, base: append([]Layer(nil), r.own...)}
		l.inline(fn, env, c.Args[0], sub, depth)
	case name == "Mount" && len(c.Args) == 2:
		p, known := goStringArg(c.Args[0])
		if sub := l.routerOf(fn, env, c.Args[1], new(*goRouter), depth); sub != nil && sub != r {
			sub.parent, sub.prefix, sub.known, sub.base = r, p, known, append([]Layer(nil), r.own...)
			sub.mounts = append(sub.mounts, at)
		}
	case name == "Handle" || name == "HandleFunc" || name == "Method" || name == "MethodFunc":
		args := c.Args
		method := "ALL"
		if (r.fw == fwGin || name == "Method" || name == "MethodFunc") && len(args) > 2 {
			if m, ok := goStringArg(args[0]); ok {
				method = strings.ToUpper(m)
			}
			args = args[1:]
		}
		if len(args) < 2 {
			return
		}
		p, known := goStringArg(args[0])
		if r.fw == fwHTTP && known {
			// Go 1.22 patterns: "GET /x/{id}", "example.com/x".
			if i := strings.IndexByte(p, ' '); i > 0 {
				method, p = strings.ToUpper(p[:i]), strings.TrimSpace(p[i+1:])
			}
		}
		if r.fw == fwGin {
			l.route(fn, r, method, p, known, at, args[1:len(args)-1], args[len(args)-1])
			return
		}
		l.route(fn, r, method, p, known, at, nil, args[1])
	default:
		verb, ok := goVerbs[name]
		if !ok || len(c.Args) < 2 {
			return
		}
		p, known := goStringArg(c.Args[0])
		switch r.fw {
		case fwGin, fwFiber:
			l.route(fn, r, verb, p, known, at, c.Args[1:len(c.Args)-1], c.Args[len(c.Args)-1])
		case fwEcho:
			l.route(fn, r, verb, p, known, at, c.Args[2:], c.Args[1])
		default:
			l.route(fn, r, verb, p, known, at, nil, c.Args[1])
		}
	}
}

// inline walks a function literal (or named function) that receives a
// sub-router: chi's r.Route("/p", func(r chi.Router) {...}).
func (l *goLister) inline(fn *goFunc, env map[string]*goRouter, arg ast.Expr, sub *goRouter, depth int) {
	cb := l.p.resolveCallee(fn.file, arg)
	if cb == nil {
		return
	}
	names, _ := cb.params()
	inner := map[string]*goRouter{}
	for k, v := range env {
		inner[k] = v
	}
	if len(names) > 0 {
		inner[names[0]] = sub
	}
	l.walk(cb, inner, nil, depth+1)
}

func (l *goLister) route(fn *goFunc, r *goRouter, method, p string, known bool, at Location, mws []ast.Expr, h ast.Expr) {
	rt := &goRoute{r: r, method: method, path: p, known: known, at: at, hostFile: fn.file}
	rt.local = append([]Layer(nil), r.own...)
	rt.local = append(rt.local, l.layersOf(fn, mws)...)
	// net/http wrappers around the handler: mw(h), clerkhttp.X()(h).
	for {
		c, ok := h.(*ast.CallExpr)
		if !ok || len(c.Args) != 1 {
			break
		}
		if goast.CallName(c) == "http.HandlerFunc" {
			h = c.Args[0]
			continue
		}
		if inner, ok := c.Fun.(*ast.CallExpr); ok {
			rt.local = append(rt.local, l.layer(fn, inner, goHTTPMW))
			h = c.Args[0]
			continue
		}
		if id, ok := c.Fun.(*ast.Ident); ok {
			// mw := clerkhttp.WithHeaderAuthorization(); mux.Handle("/x", mw(h))
			if v := localValue(fn, id.Name); v != nil {
				if vc, ok := v.(*ast.CallExpr); ok {
					rt.local = append(rt.local, l.layer(fn, vc, goHTTPMW))
					h = c.Args[0]
					continue
				}
			}
		}
		if mw := l.p.resolveCallee(fn.file, c.Fun); mw != nil && l.isHTTPMiddleware(mw) {
			rt.local = append(rt.local, l.layer(fn, c.Fun, goHTTPMW))
			h = c.Args[0]
			continue
		}
		break
	}
	if sel, ok := h.(*ast.SelectorExpr); ok && sel.Sel.Name == "ServeHTTP" {
		if c, ok := sel.X.(*ast.CallExpr); ok && len(c.Args) == 1 {
			// mux.HandleFunc(p, mw(h).ServeHTTP)
			if inner, ok := c.Fun.(*ast.CallExpr); ok {
				rt.local = append(rt.local, l.layer(fn, inner, goHTTPMW))
				h = c.Args[0]
				if hc, ok := h.(*ast.CallExpr); ok && len(hc.Args) == 1 && goast.CallName(hc) == "http.HandlerFunc" {
					h = hc.Args[0]
				}
			}
		}
	}
	rt.hExpr = fn.file.Text(h)
	rt.handler = l.p.resolveCallee(fn.file, h)
	if rt.handler == nil {
		rt.unres = fmt.Sprintf("handler `%s` is not a function of the snapshot", rt.hExpr)
		if err := l.p.failedFor(fn.file, h); err != nil {
			rt.unres = fmt.Sprintf("handler `%s` could not be read: %v", rt.hExpr, err)
		}
		if id, ok := h.(*ast.Ident); ok {
			if sub := l.routerOfName(id.Name); sub {
				return // a router mounted as a handler (mux.Handle("/", r))
			}
		}
	}
	l.routes = append(l.routes, rt)
}

func (l *goLister) routerOfName(string) bool { return false }

// localValue is the expression a function assigns to a local name (its
// first assignment), nil when there is none.
func localValue(fn *goFunc, name string) ast.Expr {
	var out ast.Expr
	ast.Inspect(fn.body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || out != nil {
			return out == nil
		}
		for i, lh := range as.Lhs {
			if id, ok := lh.(*ast.Ident); ok && id.Name == name && len(as.Rhs) == len(as.Lhs) {
				out = as.Rhs[i]
			}
		}
		return true
	})
	return out
}

// isHTTPMiddleware reports a function func(http.Handler) http.Handler.
func (l *goLister) isHTTPMiddleware(fn *goFunc) bool {
	_, types := fn.params()
	return len(types) == 1 && (types[0] == "http.Handler" || types[0] == "http.HandlerFunc")
}

func (l *goLister) layersOf(fn *goFunc, args []ast.Expr) []Layer {
	var out []Layer
	for _, a := range args {
		role := goGinMW
		out = append(out, l.layer(fn, a, role))
	}
	return out
}

// layer evaluates a middleware expression to a layer.
func (l *goLister) layer(fn *goFunc, e ast.Expr, role goRole) Layer {
	if x, ok := l.layers[e]; ok {
		return x
	}
	ly := l.evalLayer(fn, e, role)
	l.layers[e] = ly
	return ly
}

func (l *goLister) evalLayer(fn *goFunc, e ast.Expr, role goRole) Layer {
	text := fn.file.Text(e)
	ly := Layer{Name: text, Location: Location{File: fn.file.Path, Line: fn.file.Line(e.Pos())}, Via: ViaRouterUse}
	if c, ok := e.(*ast.CallExpr); ok {
		if ip, name, ok := goPackageCall(fn.file, c); ok && name == "HTTPMiddleware" && len(c.Args) == 1 &&
			strings.HasPrefix(ip, "github.com/gofiber/") && path.Base(goPkgKey(ip)) == "adaptor" {
			// adaptor.HTTPMiddleware(mw): fiber runs the net/http middleware
			// (https://docs.gofiber.io/api/middleware/adaptor).
			in := l.layer(fn, c.Args[0], goHTTPMW)
			in.Name, in.Location = ly.Name, ly.Location
			return in
		}
		if mw, ok := goClerkMiddleware(fn.file, c); ok {
			ly.Clerk = mw.Package
			switch mw.Gate {
			case knowledge.Attaches:
				ly.Gate, ly.Why = GateAttaches, fmt.Sprintf("`%s` only attaches the identity; it never rejects a signed-out request", text)
			default:
				ly.Gate, ly.Why = GateRejects, fmt.Sprintf("`%s` (%s) rejects signed-out requests", text, ly.Location)
			}
			return ly
		}
	}
	if id, ok := e.(*ast.Ident); ok {
		// authMW := middleware.Clerk(client); r.GET("/x", authMW, h): the
		// local's value is the middleware.
		switch v := localValue(fn, id.Name); v.(type) {
		case *ast.CallExpr, *ast.FuncLit:
			in := l.layer(fn, v, role)
			in.Name, in.Location = ly.Name, ly.Location
			return in
		}
	}
	mw := l.middlewareFunc(fn, e)
	if mw == nil {
		ly.Gate = GateNone
		if ip := goExprPackage(fn.file, e); ip != "" && goAuthLike(ip) {
			ly.Gate, ly.Why = GateUnknown, fmt.Sprintf("`%s` comes from %s, which may authenticate", text, ip)
		}
		return ly
	}
	ly.gofn = mw
	if role == goGinMW {
		_, types := mw.params()
		switch {
		case len(types) == 1 && types[0] == "echo.HandlerFunc":
			// func(next echo.HandlerFunc) echo.HandlerFunc: walked below
			// with next bound, like a net/http middleware.
			role = goEchoMW
		case len(types) == 1 && (types[0] == "http.Handler" || types[0] == "http.HandlerFunc"):
			role = goHTTPMW
		case len(types) == 1 && types[0] == "fiber.Ctx":
			// func(c *fiber.Ctx) error: the request goes on through
			// c.Next(), as through an echo middleware's next(c).
			names, _ := mw.params()
			return gateOf(ly, l.m.goWalkWithNext(l.ctx, mw, goEchoMW, []string{names[0] + ".Next"}))
		}
	}
	if role == goHTTPMW || role == goEchoMW {
		// func(next) handler: walk the returned handler with next bound.
		names, _ := mw.params()
		if in := returnedFunc(l.p, mw); in != nil {
			s := l.m.goWalkWithNext(l.ctx, in, role, names)
			return gateOf(ly, s)
		}
	}
	s := l.m.goSummarize(l.ctx, mw, role, 0, nil)
	return gateOf(ly, s)
}

func gateOf(ly Layer, s *goSummary) Layer {
	ly.Authz = s.authz
	ly.goCtx = s.ctxValues
	switch {
	case s.cont == no:
		ly.Gate = GateRejects
		ly.Why = fmt.Sprintf("`%s` (%s) rejects signed-out requests", ly.Name, ly.Location)
		if s.signature != nil && !s.readsIdentity {
			ly.Via = ViaSecret
			ly.Why = fmt.Sprintf("`%s` (%s) rejects a request without a valid signature (%s)", ly.Name, ly.Location, s.signature.What)
		}
		ly.Proof = s.checks
	case s.cont == maybe:
		ly.Gate, ly.Why = GateUnknown, fmt.Sprintf("`%s` could not be evaluated", ly.Name)
	case s.readsIdentity:
		ly.Gate, ly.Why = GateAttaches, fmt.Sprintf("`%s` reads the identity but lets a signed-out request through", ly.Name)
	default:
		ly.Gate = GateNone
	}
	if len(s.unstopped) > 0 {
		ly.Unstopped = append(ly.Unstopped, s.unstopped...)
	}
	ly.FailsOpen, ly.LogsToken = s.failOpen, s.tokenLogs
	if s.readsIdentity {
		// the query value is the session credential it verifies, not an
		// invite or reset token of the application's own.
		ly.QueryToken = s.queryTokens
		ly.CredentialFrom = s.credFrom
	}
	ly.WouldReject = s.wouldReject
	if ly.Clerk == "" {
		ly.Clerk = s.clerk
	}
	return ly
}

// middlewareFunc resolves a middleware expression to the function that
// runs per request: a named function, a literal, or the function a
// factory call returns (middleware.Auth(db)).
func (l *goLister) middlewareFunc(fn *goFunc, e ast.Expr) *goFunc {
	if c, ok := e.(*ast.CallExpr); ok {
		f := l.p.resolveCallee(fn.file, c.Fun)
		if f == nil {
			return nil
		}
		if in := returnedFunc(l.p, f); in != nil {
			return in
		}
		return nil
	}
	return l.p.resolveCallee(fn.file, e)
}

// returnedFunc is the function a factory returns: a literal, or a named
// function of its package.
func returnedFunc(p *goProgram, f *goFunc) *goFunc {
	var out *goFunc
	if f.body == nil {
		return nil
	}
	ast.Inspect(f.body, func(n ast.Node) bool {
		if out != nil {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok && n != f.node {
			return false
		}
		rs, ok := n.(*ast.ReturnStmt)
		if !ok || len(rs.Results) != 1 {
			return true
		}
		r := rs.Results[0]
		if c, ok := r.(*ast.CallExpr); ok && len(c.Args) == 1 && strings.HasSuffix(goast.CallName(c), "HandlerFunc") {
			r = c.Args[0]
		}
		switch r.(type) {
		case *ast.FuncLit, *ast.Ident, *ast.SelectorExpr:
			out = p.resolveCallee(f.file, r)
			if out != nil {
				if _, lit := r.(*ast.FuncLit); lit {
					out.outer = f
				}
			}
		}
		return out == nil
	})
	return out
}

func goExprPackage(f *goast.File, e ast.Expr) string {
	if id := goRootIdent(e); id != nil {
		return importPath(f, id.Name)
	}
	return ""
}

// goAuthLike reports a middleware package whose name says it may
// authenticate: its layer is unknown, never "none".
func goAuthLike(ip string) bool {
	l := strings.ToLower(ip)
	for _, w := range []string{"auth", "jwt", "session", "clerk", "oidc", "oauth", "casbin", "keycloak", "firebase"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// goWalkWithNext walks a net/http or echo middleware's inner handler
// with the factory's parameter as the continuation.
func (m *Model) goWalkWithNext(ctx context.Context, in *goFunc, role goRole, outer []string) *goSummary {
	k := goMemoKey{node: in.node, role: role, withNext: true}
	if s, ok := m.gomemo.get(k); ok {
		return s
	}
	w := &goWalker{m: m, ctx: ctx, p: m.goProg(ctx), fn: in, role: role, stack: []ast.Node{in.node}, facts: map[string]*goFact{}, reqs: map[string]bool{},
		s: &goSummary{cont: no}}
	if len(outer) > 0 {
		w.next = outer[0]
	}
	names, types := in.params()
	for i, n := range names {
		if strings.HasSuffix(types[i], ".Request") || strings.HasSuffix(types[i], ".Context") || types[i] == "fiber.Ctx" {
			w.reqs[n] = true
		}
	}
	if in.body != nil {
		w.block(in.body.List, yes)
	}
	if w.s.cut {
		return w.s
	}
	return m.gomemo.put(k, w.s)
}

// goIdentityKeys are the request-context keys the snapshot's Go code sets
// from the Clerk identity (c.Set("user_id", claims.Subject)) in a function
// that reads it.
func (m *Model) goIdentityKeys(ctx context.Context) map[string]bool {
	ks, _ := m.gokeys.get(func() (map[string]bool, error) {
		p := m.goProg(ctx)
		type fnInfo struct {
			keys  []string
			calls []string
			reads bool
		}
		infos := map[string]*fnInfo{}
		for _, f := range p.files {
			for _, d := range f.AST.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				in := &fnInfo{}
				infos[f.Path+"#"+fd.Name.Name] = in
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					c, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					name := goast.CallName(c)
					last := name[strings.LastIndexByte(name, '.')+1:]
					if _, ok := goIdentity(goClerkQualifier(f, c), last); ok {
						in.reads = true // jwt.Verify(...), not a svix webhook's wh.Verify(...)
					}
					if last == "VerifyToken" || last == "SessionClaimsFromContext" {
						if sel, ok := c.Fun.(*ast.SelectorExpr); ok && m.goDataNames(ctx)[lastName(sel.X)] == goClerkClient {
							in.reads = true
						}
					}
					if (last == "Set" || last == "Locals") && len(c.Args) == 2 {
						if k, ok := p.keyString(f, c.Args[0]); ok {
							in.keys = append(in.keys, k)
						}
					}
					in.calls = append(in.calls, last)
					return true
				})
			}
		}
		readers := map[string]bool{}
		for k, in := range infos {
			if in.reads {
				readers[k[strings.IndexByte(k, '#')+1:]] = true
			}
		}
		out := map[string]bool{}
		for _, in := range infos {
			reads := in.reads
			for _, c := range in.calls {
				reads = reads || readers[c]
			}
			if reads {
				for _, k := range in.keys {
					out[k] = true
				}
			}
		}
		return out, nil
	})
	return ks
}

// goClerkQualifier returns the Clerk package a call is qualified by
// (clerkjwt.Verify of an import of clerk-sdk-go/v2/jwt), as a one-element
// list for goIdentity, or nil for a call on anything else (a method of a
// variable, such as a svix verifier's Verify).
func goClerkQualifier(f *goast.File, c *ast.CallExpr) []string {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	q, ok := sel.X.(*ast.Ident)
	if !ok {
		return nil
	}
	for _, ip := range goFileClerk(f) {
		if f.ImportsAs(ip, q.Name) {
			return []string{ip}
		}
	}
	return nil
}

func goFileClerk(f *goast.File) []string {
	var out []string
	for _, im := range f.AST.Imports {
		ip, _ := strconv.Unquote(im.Path.Value)
		if knowledge.GoClerkPath(ip) != "" {
			out = append(out, ip)
		}
	}
	return out
}

// goDataRoot names the data library of a call receiver: the root of the
// receiver chain is a variable, field or parameter whose declared type is
// a data client (knowledge.GoDataType), or a package variable of another
// snapshot package (config.DB).
func (m *Model) goDataRoot(ctx context.Context, f *goast.File, recv ast.Expr) string {
	// Walk down builder chains: db.Where(...).Order(...) has root db.
	for {
		c, ok := recv.(*ast.CallExpr)
		if !ok {
			break
		}
		s, ok := c.Fun.(*ast.SelectorExpr)
		if !ok {
			return ""
		}
		recv = s.X
	}
	name := lastName(recv)
	if name == "" {
		return ""
	}
	names := m.goDataNames(ctx)
	if gen := f.Generator(); gen != "" {
		if lib := names[goGeneratedName(gen, name)]; lib != "" {
			return lib
		}
	}
	if lib := names[name]; lib != goClerkClient {
		return lib
	}
	return ""
}

// goGeneratedName keys in goDataNames a name declared with a client type
// a code generator declared (sqlc's DBTX): it is one only in the files
// that generator wrote.
func goGeneratedName(generator, name string) string { return generator + " " + name }

// goClerkClient marks a name declared with a Clerk SDK type in
// goDataNames.
const goClerkClient = "clerk"

// goPaidClient prefixes the library of a name declared with a metered
// API's client type (knowledge.GoPaidType) in goDataNames.
const goPaidClient = "paid:"

// goDataNames maps the names declared with a data-client type (package
// variables, struct fields, parameters, typed locals) to their library.
func (m *Model) goDataNames(ctx context.Context) map[string]string {
	ns, _ := m.godata.get(func() (map[string]string, error) {
		out := map[string]string{}
		p := m.goProg(ctx)
		for _, f := range p.files {
			gen := f.Generator()
			add := func(names []*ast.Ident, t ast.Expr) {
				t = stripStar(t)
				if id, ok := t.(*ast.Ident); ok && gen != "" {
					// A client type the generator declared in this package
					// (sqlc's DBTX).
					if lib, ok := knowledge.GoGeneratedDataType(gen, id.Name); ok {
						for _, n := range names {
							out[goGeneratedName(gen, n.Name)] = lib
						}
					}
					return
				}
				sel, ok := t.(*ast.SelectorExpr)
				if !ok {
					return
				}
				id, ok := sel.X.(*ast.Ident)
				if !ok {
					return
				}
				ip := importPath(f, id.Name)
				if knowledge.GoClerkPath(ip) != "" {
					for _, n := range names {
						out[n.Name] = goClerkClient
					}
					return
				}
				lib, ok := knowledge.GoDataType(ip, sel.Sel.Name)
				if !ok {
					paid, ok := knowledge.GoPaidType(ip, sel.Sel.Name)
					if !ok {
						return
					}
					lib = goPaidClient + paid
				}
				for _, n := range names {
					out[n.Name] = lib
				}
			}
			ast.Inspect(f.AST, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.Field:
					if x.Type != nil {
						add(x.Names, x.Type)
					}
				case *ast.ValueSpec:
					if x.Type != nil {
						add(x.Names, x.Type)
					}
				}
				return true
			})
		}
		goTxNames(p, out)
		return out, nil
	})
	return ns
}

// goTxNames adds to names the variables that hold a transaction a data
// client started (tx, err := db.Beginx(): knowledge.GoDataBegins): its
// Exec is the library's Exec; those that hold a client a metered
// API's client made (knowledge.GoPaidFactory); and those a snapshot
// function returns declared as a data client (db, err := store.Open()).
func goTxNames(p *goProgram, names map[string]string) {
	for _, f := range p.files {
		ast.Inspect(f.AST, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Rhs) != 1 || len(as.Lhs) == 0 {
				return true
			}
			c, ok := as.Rhs[0].(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			id, isID := as.Lhs[0].(*ast.Ident)
			if !isID || id.Name == "_" || names[id.Name] != "" {
				return true
			}
			if lib := p.resultDataLib(f, c); lib != "" {
				names[id.Name] = lib // database, err := store.Open(dsn)
				return true
			}
			if !ok {
				return true
			}
			lib := names[lastName(sel.X)]
			if lib == "" || lib == goClerkClient {
				return true
			}
			if paid, ok := strings.CutPrefix(lib, goPaidClient); ok && knowledge.GoPaidFactory(paid, sel.Sel.Name) || knowledge.GoDataBegins(lib, sel.Sel.Name) {
				names[id.Name] = lib // model := client.GenerativeModel("...") of a metered API too
			}
			return true
		})
	}
}

// LayerFinding is one place a Go middleware's layer records (a Proof of
// Layer.FailsOpen or Layer.LogsToken), with the middleware's name and the
// routes it runs in front of, in registration order.
type LayerFinding struct {
	Proof
	Layer  string
	Routes []string
}

// GoLayerFindings returns the places in file p that pick returns for the
// layers of the Go routes, each once, in the order the routes list them.
func (m *Model) GoLayerFindings(ctx context.Context, p string, pick func(Layer) []Proof) ([]LayerFinding, error) {
	es, err := m.EntriesFor(ctx, knowledge.GoHTTP)
	if err != nil {
		return nil, err
	}
	var out []LayerFinding
	at := map[Location]int{}
	for _, e := range es {
		for _, l := range e.Chain {
			for _, pr := range pick(l) {
				if pr.File != p {
					continue
				}
				i, ok := at[pr.Location]
				if !ok {
					i = len(out)
					at[pr.Location] = i
					out = append(out, LayerFinding{Proof: pr, Layer: l.Name})
				}
				out[i].Routes = append(out[i].Routes, e.Label())
			}
		}
	}
	return out, nil
}

// goRequestLogger returns the proof of a call that installs a request
// logger writing the raw query (knowledge.RequestLoggerOf), or nil.
func goRequestLogger(f *goast.File, c *ast.CallExpr) *Proof {
	ip, name, ok := goPackageCall(f, c)
	if !ok {
		return nil
	}
	lg, ok := knowledge.RequestLoggerOf(ip, name)
	if !ok {
		return nil
	}
	return &Proof{Location: Location{File: f.Path, Line: f.Line(c.Pos())}, What: lg.What}
}

// fiberUsePrefixes splits the path prefixes a fiber Use call starts with
// (a string, or a []string literal) from its handlers, as full paths.
func fiberUsePrefixes(r *goRouter, args []ast.Expr) ([]string, []ast.Expr) {
	if len(args) < 2 {
		return nil, args
	}
	var ps []string
	switch x := args[0].(type) {
	case *ast.BasicLit:
		if p, ok := goStringArg(x); ok {
			ps = append(ps, p)
		}
	case *ast.CompositeLit:
		for _, el := range x.Elts {
			if p, ok := goStringArg(el); ok {
				ps = append(ps, p)
			}
		}
	}
	if len(ps) == 0 {
		return nil, args
	}
	base, _ := r.fullPrefix()
	for i, p := range ps {
		ps[i] = joinGoPath(base, p)
	}
	return ps, args[1:]
}

// layersUnder drops the layers mounted on path prefixes the path is not
// under (fiber's app.Use("/api", mw) runs for /api and /api/...).
func layersUnder(chain []Layer, p string) []Layer {
	out := chain[:0:0]
	for _, ly := range chain {
		if len(ly.goUnder) == 0 {
			out = append(out, ly)
			continue
		}
		for _, u := range ly.goUnder {
			u = strings.TrimSuffix(u, "/")
			if u == "" || p == u || strings.HasPrefix(p, u+"/") {
				out = append(out, ly)
				break
			}
		}
	}
	return out
}

// resultDataLib names the data library of the first result of the
// snapshot function a call resolves to, when its declared type is a data
// client (func InitDB() (*gorm.DB, error)); "" otherwise.
func (p *goProgram) resultDataLib(f *goast.File, c *ast.CallExpr) string {
	// Functions only (InitDB(), store.Open()): a method would need the
	// receiver's type.
	switch x := c.Fun.(type) {
	case *ast.Ident:
	case *ast.SelectorExpr:
		if q, ok := x.X.(*ast.Ident); !ok || importPath(f, q.Name) == "" {
			return ""
		}
	default:
		return ""
	}
	fn := p.resolveCallee(f, c.Fun)
	if fn == nil || fn.typ == nil || fn.typ.Results == nil || len(fn.typ.Results.List) == 0 {
		return ""
	}
	sel, ok := stripStar(fn.typ.Results.List[0].Type).(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	q, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	lib, _ := knowledge.GoDataType(importPath(fn.file, q.Name), sel.Sel.Name)
	return lib
}
