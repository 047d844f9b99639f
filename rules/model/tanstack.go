package model

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// tanstackAdapter lists the entries of TanStack Start apps:
//
//   - server functions, `createServerFn({ method }).middleware([...])
//     .validator(...).handler(fn)`: each is an RPC endpoint called by its
//     ID from anywhere, so a route's `beforeLoad` check (which guards
//     navigation) does not guard it; its chain is its own function
//     middleware, in order (a `createMiddleware().server(fn)` rejects when
//     it never calls next() for a signed-out caller);
//   - server routes: `createAPIFileRoute('/p')({ GET })` (Start before
//     1.1xx), `createServerFileRoute('/p').methods({ GET })` and
//     `createFileRoute('/p')({ server: { handlers: { GET } } })`.
//
// A handler's `context` holds what its middleware passed to next({
// context }): the identity, when a middleware read it.
//
// A server function that a file route calls (its component, loader or
// beforeLoad) under a `beforeLoad` that stops signed-out visitors (the
// route's own or a parent route's) is meant for signed-in users: its
// chain gets a layer of Via navigation (gate none: the guard does not run
// for the function's own requests), which the exposure policy asks.
//
// Sources: https://tanstack.com/start/latest/docs/framework/react/guide/server-functions,
// .../guide/middleware, .../guide/server-routes.
type tanstackAdapter struct{}

func (tanstackAdapter) Framework() Framework { return knowledge.TanStackStart }

func (tanstackAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.tanstack.get(func() ([]*Entry, error) { return tanstackEntries(ctx, m) })
}

func (a tanstackAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if pk := m.proj.PackageFor(p); pk == nil || !isTanStackStart(pk) {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return declaredIn(es, p), err
}

func isTanStackStart(pk *project.Package) bool {
	for _, d := range []string{"@tanstack/react-start", "@tanstack/start", "@tanstack/solid-start", "@clerk/tanstack-react-start", "@clerk/tanstack-start"} {
		if _, ok := pk.Deps[d]; ok {
			return true
		}
	}
	return false
}

func tanstackEntries(ctx context.Context, m *Model) ([]*Entry, error) {
	var dirs []string
	for _, pk := range m.proj.Packages {
		if isTanStackStart(pk) && !strings.Contains("/"+pk.Dir+"/", "/node_modules/") {
			dirs = append(dirs, pk.Dir)
		}
	}
	if len(dirs) == 0 {
		return nil, nil
	}
	var out []*Entry
	var files []*jsast.File
	for _, p := range m.fs.Paths() {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if !modules.IsModule(p) || strings.Contains("/"+p, "/node_modules/") || !underAny(p, dirs) {
			continue
		}
		if pk := m.proj.PackageFor(p); pk == nil || !isTanStackStart(pk) {
			continue
		}
		if _, nonReq := knowledge.NonRequestPath(p); nonReq {
			continue
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: fmt.Sprintf("not read, so its server functions are not listed: %v", err)})
			continue
		}
		if !bytes.Contains(sf.Content, []byte("createServerFn")) && !bytes.Contains(sf.Content, []byte("FileRoute")) &&
			!bytes.Contains(sf.Content, []byte("createStart")) && !bytes.Contains(sf.Content, []byte("registerGlobalMiddleware")) {
			continue
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: err.Error()})
			continue
		}
		files = append(files, f)
	}
	globals := map[string]*tsGlobals{} // by package directory
	for _, f := range files {
		if pk := m.proj.PackageFor(f.Path); pk != nil && bytes.Contains(f.Src, []byte("Middleware")) {
			g := globals[pk.Dir]
			if g == nil {
				g = &tsGlobals{}
				globals[pk.Dir] = g
			}
			m.tanstackGlobals(ctx, f, g)
		}
	}
	for _, f := range files {
		es := m.tanstackFileEntries(ctx, f)
		if pk := m.proj.PackageFor(f.Path); pk != nil && globals[pk.Dir] != nil {
			g := globals[pk.Dir]
			for _, e := range es {
				pre := append([]Layer(nil), g.request...)
				if e.Kind == ServerFunction {
					pre = append(pre, g.function...)
				}
				e.Chain = append(pre, e.Chain...)
				if e.Kind == ServerFunction && identityLayer(e.Chain) {
					e.Params = []ParamRole{ParamIdentityContext}
				}
			}
		}
		out = append(out, es...)
	}
	m.tanstackRouteCallers(ctx, files, out)
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].File < out[j].File || out[i].File == out[j].File && out[i].Line < out[j].Line
	})
	return withFacets(out), nil
}

func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if d == "" || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// tanstackFileEntries lists one file's server functions and server routes.
func (m *Model) tanstackFileEntries(ctx context.Context, f *jsast.File) []*Entry {
	var out []*Entry
	for _, call := range f.Calls(f.Root, func(n string) bool { return strings.HasSuffix(n, ".handler") }) {
		if e := m.serverFnEntry(ctx, f, call); e != nil {
			out = append(out, e)
		}
	}
	for _, call := range f.Calls(f.Root, func(n string) bool {
		return strings.HasSuffix(n, "createAPIFileRoute") || strings.HasSuffix(n, ".methods") || strings.HasSuffix(n, "createFileRoute")
	}) {
		out = append(out, m.serverRouteEntries(ctx, f, call)...)
	}
	return out
}

// chainCalls returns the calls of a method chain from its base outward:
// createServerFn(o).middleware(x).handler(fn) gives [createServerFn(o),
// .middleware(x), .handler(fn)].
func chainCalls(call *jsast.Node) []*jsast.Node {
	var out []*jsast.Node
	cur := call
	for cur != nil && cur.Type == "call_expression" {
		out = append([]*jsast.Node{cur}, out...)
		fn := jsast.Unwrap(cur.ChildByField("function"))
		if fn == nil || fn.Type != "member_expression" {
			break
		}
		cur = jsast.Unwrap(fn.ChildByField("object"))
	}
	return out
}

// methodName is the method a chain call calls ("handler" of x.handler(fn)).
func methodName(f *jsast.File, call *jsast.Node) string {
	return jsast.LastSegment(strings.ReplaceAll(f.CalleeName(call), "()", ""))
}

// serverFnEntry builds the entry of a createServerFn() chain ending in
// the .handler(fn) call; nil for other .handler() calls.
func (m *Model) serverFnEntry(ctx context.Context, f *jsast.File, call *jsast.Node) *Entry {
	sf, ok := m.serverFnOf(ctx, f, call)
	if !ok {
		return nil
	}
	name, stmt := declName(f, call)
	e := &Entry{Framework: knowledge.TanStackStart, Kind: ServerFunction, Methods: []string{sf.method}, File: f.Path,
		Line: stmt.Line, EndLine: stmt.EndLine, Name: name, Params: []ParamRole{ParamRequestContext}}
	fn, fnFile, wrappers, why := m.unwrapHandler(ctx, f, sf.handler)
	e.Fn, e.FnFile, e.Wrappers, e.Unresolved = fn, fnFile, wrappers, why
	if fn != nil {
		e.Handler = Location{File: fnFile.Path, Line: fn.Line}
	}
	for _, mw := range sf.mws {
		e.Chain = append(e.Chain, m.tsLayer(ctx, mw))
	}
	if identityLayer(e.Chain) {
		e.Params = []ParamRole{ParamIdentityContext} // its context carries the identity the middleware read
	}
	return e
}

// identityLayer reports a layer that read the identity (it attaches or
// rejects), so that the handler's context carries it.
func identityLayer(chain []Layer) bool {
	for _, l := range chain {
		if l.Gate == GateAttaches || l.Gate == GateRejects {
			return true
		}
	}
	return false
}

// tsLayer is the layer of one function or request middleware.
func (m *Model) tsLayer(ctx context.Context, mw tsMiddleware) Layer {
	if mw.unknown || mw.fn.fn == nil {
		return mw.layer
	}
	s := m.summarizeSeeded(ctx, mw.fn.file, mw.fn.fn, roleMiddleware, nil, mwSeeds, 0, nil)
	return middlewareGate(mw.layer, s, mw.fn.name, Location{File: mw.fn.file.Path, Line: mw.fn.fn.Line}, "next()")
}

// tsGlobals are the middleware a TanStack Start app runs before every
// request (requestMiddleware) and every server function
// (functionMiddleware, registerGlobalMiddleware).
type tsGlobals struct {
	request, function []Layer
}

// tanstackGlobals reads createStart(() => ({ requestMiddleware,
// functionMiddleware })) and registerGlobalMiddleware({ middleware }).
func (m *Model) tanstackGlobals(ctx context.Context, f *jsast.File, g *tsGlobals) {
	for _, call := range f.Calls(f.Root, func(n string) bool {
		last := jsast.LastSegment(n)
		return last == "createStart" || last == "registerGlobalMiddleware"
	}) {
		jsast.Walk(call, func(n *jsast.Node) bool {
			if n.Type != "pair" {
				return true
			}
			var dst *[]Layer
			switch f.Text(n.ChildByField("key")) {
			case "requestMiddleware":
				dst = &g.request
			case "functionMiddleware", "middleware":
				dst = &g.function
			default:
				return true
			}
			arr := jsast.Unwrap(n.ChildByField("value"))
			if arr == nil || arr.Type != "array" {
				return false
			}
			for _, el := range arr.NamedChildren() {
				*dst = append(*dst, m.tsGlobalLayer(ctx, f, el)...)
			}
			return false
		})
	}
}

// tsGlobalLayer classifies one global middleware: Clerk's by the
// knowledge tables, the application's own as a createMiddleware() chain.
func (m *Model) tsGlobalLayer(ctx context.Context, f *jsast.File, n *jsast.Node) []Layer {
	n = jsast.Unwrap(n)
	callee := n
	if n.Type == "call_expression" {
		callee = jsast.Unwrap(n.ChildByField("function"))
	}
	if root := rootIdent(callee); root != nil {
		if exp, pkg := m.clerkExportOf(ctx, f, f.Text(root)); exp != "" {
			l := Layer{Name: exp + "()", Location: Location{File: f.Path, Line: n.Line}, Via: ViaMiddleware, Gate: GateUnknown,
				Why: fmt.Sprintf("`%s()` is not a middleware rules/knowledge lists", exp)}
			if mw, ok := knowledge.MiddlewareOf(pkg, exp); ok && mw.Gate == knowledge.Attaches {
				l.Gate, l.Why = GateAttaches, fmt.Sprintf("`%s()` only attaches the identity; it never rejects a signed-out request", exp)
			}
			return []Layer{l}
		}
	}
	var out []Layer
	for _, mw := range m.tanstackMiddleware(ctx, f, n, 0) {
		out = append(out, m.tsLayer(ctx, mw))
	}
	return out
}

// declName returns the name a value is bound to (const x = ...) and the
// statement that declares it (the export statement when exported).
func declName(f *jsast.File, n *jsast.Node) (string, *jsast.Node) {
	stmt := n
	name := "(anonymous)"
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == "variable_declarator" {
			if id := p.ChildByField("name"); id != nil {
				name = f.Text(id)
			}
			stmt = p
			if d := p.Parent; d != nil {
				stmt = d
				if d.Parent != nil && d.Parent.Type == "export_statement" {
					stmt = d.Parent
				}
			}
			break
		}
		if jsast.IsFunction(p) || p.Type == "statement_block" {
			break
		}
	}
	return name, stmt
}

// tsMiddleware is one function middleware of a server function: its
// .server(fn) when the model could follow it, else the layer that says
// why not.
type tsMiddleware struct {
	fn      fnRef
	layer   Layer
	unknown bool
}

// tanstackMiddleware returns the middleware of one .middleware([x])
// element: createMiddleware(...).middleware([...]).server(fn), the
// middleware it builds on first.
func (m *Model) tanstackMiddleware(ctx context.Context, f *jsast.File, n *jsast.Node, depth int) []tsMiddleware {
	n = jsast.Unwrap(n)
	l := Layer{Name: clip(f.Text(n), 40), Location: Location{File: f.Path, Line: n.Line}, Via: ViaMiddleware}
	unknown := func(why string) []tsMiddleware {
		l.Gate, l.Why = GateUnknown, why
		return []tsMiddleware{{layer: l, unknown: true}}
	}
	if depth > MaxWrapperDepth {
		return unknown("too many nested middleware")
	}
	vf, v := f, n
	if n.Type == "identifier" {
		name := f.Text(n)
		if lv := f.LocalValue(name); lv != nil {
			v = lv
		} else if o, ok, err := m.origin(ctx, f, name); err != nil {
			return unknown(fmt.Sprintf("the middleware `%s` could not be followed: %v", name, err))
		} else if ok && o.Module.Kind == modules.File {
			of, ov, err := m.originValue(ctx, o)
			if err != nil {
				return unknown(fmt.Sprintf("the middleware `%s` could not be followed: %v", name, err))
			}
			if ov != nil {
				vf, v = of, ov
			}
		}
	}
	v = jsast.Unwrap(v)
	if v == nil || v.Type != "call_expression" {
		return unknown(fmt.Sprintf("the middleware `%s` is not a createMiddleware() chain the model can follow", l.Name))
	}
	var out []tsMiddleware
	for _, c := range chainCalls(v) {
		switch methodName(vf, c) {
		case "middleware":
			for _, a := range jsast.Args(c) {
				if arr := jsast.Unwrap(a); arr != nil && arr.Type == "array" {
					for _, el := range arr.NamedChildren() {
						out = append(out, m.tanstackMiddleware(ctx, vf, el, depth+1)...)
					}
				}
			}
		case "server":
			a := jsast.Args(c)
			if len(a) == 0 {
				continue
			}
			r, err := m.resolveFunc(ctx, vf, a[0], nil, 0)
			if err != nil {
				return append(out, unknown(fmt.Sprintf("the middleware `%s` (%s:%d) could not be followed", l.Name, vf.Path, c.Line))...)
			}
			if r.name == "" || r.name == "anonymous function" {
				r.name = l.Name
			}
			out = append(out, tsMiddleware{fn: r, layer: l})
		}
	}
	return out
}

// serverFn is a createServerFn() chain: its handler and middleware.
type serverFn struct {
	method  string
	handler *jsast.Node // the argument of .handler()
	mws     []tsMiddleware
}

// serverFnOf reads a createServerFn() chain ending in the .handler(fn)
// call; ok is false for other calls.
func (m *Model) serverFnOf(ctx context.Context, f *jsast.File, call *jsast.Node) (serverFn, bool) {
	calls := chainCalls(call)
	if len(calls) < 2 || methodName(f, calls[0]) != "createServerFn" || methodName(f, call) != "handler" {
		return serverFn{}, false
	}
	args := jsast.Args(call)
	if len(args) == 0 {
		return serverFn{}, false
	}
	sf := serverFn{method: "GET", handler: args[0]}
	if opts := jsast.Args(calls[0]); len(opts) > 0 {
		if o := jsast.Unwrap(opts[0]); o != nil && o.Type == "object" {
			if v, ok := f.StringValue(f.ObjectProp(o, "method")); ok {
				sf.method = strings.ToUpper(v)
			}
		}
	}
	for _, c := range calls[1 : len(calls)-1] {
		if methodName(f, c) != "middleware" {
			continue
		}
		for _, a := range jsast.Args(c) {
			if arr := jsast.Unwrap(a); arr != nil && arr.Type == "array" {
				for _, el := range arr.NamedChildren() {
					sf.mws = append(sf.mws, m.tanstackMiddleware(ctx, f, el, 0)...)
				}
			}
		}
	}
	return sf, true
}

// mwSeeds are the arguments a middleware's server function receives.
var mwSeeds = []value{{kind: vReqCtx}, {kind: vNext}}

// calledServerFn recognises a call of a server function from server code
// (a server function that calls another): the callee runs its own
// middleware and handler. It returns the handler to follow and the
// values its parameters hold, or the proof of a middleware that stops a
// signed-out caller first.
func (a *analyzer) calledServerFn(callee *jsast.Node) (r fnRef, seeds []value, rejects string, ok bool) {
	callee = jsast.Unwrap(callee)
	if callee == nil || callee.Type != "identifier" {
		return fnRef{}, nil, "", false
	}
	name := a.f.Text(callee)
	vf, v := a.f, a.f.LocalValue(name)
	if v == nil {
		o, found, err := a.m.origin(a.ctx, a.f, name)
		if err != nil || !found || o.Module.Kind != modules.File {
			return fnRef{}, nil, "", false
		}
		of, ov, err := a.m.originValue(a.ctx, o)
		if err != nil || ov == nil {
			return fnRef{}, nil, "", false
		}
		vf, v = of, ov
	}
	v = jsast.Unwrap(v)
	if v == nil || v.Type != "call_expression" {
		return fnRef{}, nil, "", false
	}
	sf, isFn := a.m.serverFnOf(a.ctx, vf, v)
	if !isFn {
		return fnRef{}, nil, "", false
	}
	h, err := a.m.resolveFunc(a.ctx, vf, sf.handler, nil, 0)
	if err != nil {
		return fnRef{}, nil, "", false
	}
	h.name = name
	ctxVal := value{kind: vReqCtx}
	for _, mw := range sf.mws {
		if mw.unknown || mw.fn.fn == nil {
			continue
		}
		s := a.use(a.m.summarizeSeeded(a.ctx, mw.fn.file, mw.fn.fn, roleMiddleware, nil, mwSeeds, a.depth+1, a.stack))
		if s.contSeen && s.cont == no {
			// Its handler's context holds the identity the middleware read.
			return h, []value{{kind: vReqCtx, field: "identity"}}, fmt.Sprintf("`%s()` runs the middleware `%s` (%s:%d), which rejects signed-out callers", name, mw.fn.name, mw.fn.file.Path, mw.fn.fn.Line), true
		}
		if len(s.reads) > 0 {
			ctxVal.field = "identity"
		}
	}
	return h, []value{ctxVal}, "", true
}

// serverRouteEntries builds the entries of a server route: the handlers
// object of createAPIFileRoute(path)({ GET }), createServerFileRoute(path)
// .methods({ GET }) or createFileRoute(path)({ server: { handlers } }).
func (m *Model) serverRouteEntries(ctx context.Context, f *jsast.File, call *jsast.Node) []*Entry {
	var routePath string
	var handlers *jsast.Node
	name := methodName(f, call)
	args := jsast.Args(call)
	switch {
	case name == "methods":
		calls := chainCalls(call)
		if len(calls) < 2 || methodName(f, calls[0]) != "createServerFileRoute" || len(args) == 0 {
			return nil
		}
		routePath, _ = f.StringValue(firstArg(calls[0]))
		handlers = jsast.Unwrap(args[0])
	case name == "createAPIFileRoute" || name == "createFileRoute":
		outer := call.Parent
		if outer == nil || outer.Type != "call_expression" || jsast.Unwrap(outer.ChildByField("function")) != call {
			return nil
		}
		routePath, _ = f.StringValue(firstArg(call))
		opts := jsast.Unwrap(firstArg(outer))
		if opts == nil || opts.Type != "object" {
			return nil
		}
		handlers = opts
		if name == "createFileRoute" {
			srv := jsast.Unwrap(f.ObjectProp(opts, "server"))
			if srv == nil || srv.Type != "object" {
				return nil
			}
			handlers = jsast.Unwrap(f.ObjectProp(srv, "handlers"))
		}
	}
	if routePath == "" { // createFileRoute() before the generator filled in its ID
		routePath = tanstackFileRouteID(f.Path)
	}
	if handlers == nil || handlers.Type != "object" || routePath == "" || tanstackIgnored(f.Path) {
		return nil
	}
	routePath = tanstackURLPath(routePath)
	var out []*Entry
	for _, meth := range knowledge.Methods() {
		v := f.ObjectProp(handlers, meth.Name)
		if v == nil {
			continue
		}
		pair := v.Parent
		line, end := v.Line, v.EndLine
		if pair != nil && (pair.Type == "pair" || pair.Type == "method_definition") {
			line = pair.Line
		}
		e := &Entry{Framework: knowledge.TanStackStart, Kind: Endpoint, Methods: []string{meth.Name}, Path: routePath, PathKnown: true,
			File: f.Path, Line: line, EndLine: end, Name: meth.Name, Params: []ParamRole{ParamRequestContext}}
		fn, fnFile, wrappers, why := m.unwrapHandler(ctx, f, v)
		e.Fn, e.FnFile, e.Wrappers, e.Unresolved = fn, fnFile, wrappers, why
		if fn != nil {
			e.Handler = Location{File: fnFile.Path, Line: fn.Line}
		}
		e.Public = conventionPublic(routePath, false)
		out = append(out, e)
	}
	return out
}

// tanstackURLPath turns a TanStack Router route ID into the URL path it
// serves: a segment starting with `_` is a pathless layout and a
// `(group)` segment organises files only, so neither is in the URL; a
// trailing `_` (`posts_`, a non-nested route) is dropped; the trailing
// `/` of an index route ("/posts/") goes. `$param`, `$` (splat) and
// `{-$param}` stay as written.
//
// Source: https://tanstack.com/router/latest/docs/framework/react/routing/file-based-routing
// and .../routing/routing-concepts (pathless layout routes, non-nested
// routes, route groups).
func tanstackURLPath(id string) string {
	var segs []string
	for _, s := range strings.Split(id, "/") {
		switch {
		case s == "", strings.HasPrefix(s, "_"), len(s) > 2 && s[0] == '(' && s[len(s)-1] == ')':
			continue
		}
		if t := strings.TrimSuffix(s, "_"); t != "" {
			s = t
		}
		segs = append(segs, s)
	}
	return "/" + strings.Join(segs, "/")
}

// tanstackFileRouteID derives the route ID of a file under a routes
// directory (src/routes, app/routes) by TanStack Router's file naming:
// directories and `.` both nest (`posts.$id.tsx` is `/posts/$id`), an
// `index` file is its parent's index route ("/posts/"), a `route` file is
// the directory's own route, and `__root` is the root. "" when the file
// is not under a routes directory.
//
// Source: https://tanstack.com/router/latest/docs/framework/react/routing/file-based-routing
// (file naming conventions: `.`, `index`, `route`, `__root`).
func tanstackFileRouteID(file string) string {
	i := strings.LastIndex("/"+file, "/routes/")
	if i < 0 {
		return ""
	}
	rel := ("/" + file)[i+len("/routes/"):]
	if ext := path.Ext(rel); ext != "" {
		rel = strings.TrimSuffix(rel, ext)
	}
	var segs []string
	for _, dir := range strings.Split(rel, "/") {
		segs = append(segs, strings.Split(dir, ".")...)
	}
	switch last := segs[len(segs)-1]; last {
	case "__root":
		return "/"
	case "index":
		segs[len(segs)-1] = ""
	case "route":
		segs = segs[:len(segs)-1]
	}
	return "/" + strings.Join(segs, "/")
}

// tanstackIgnored reports a file or directory under the routes directory
// whose name starts with `-`: the router generator skips it, so it
// defines no route (colocated components, tests).
//
// Source: https://tanstack.com/router/latest/docs/framework/react/routing/file-based-routing
// (`-` prefix excludes a file or folder from the route tree).
func tanstackIgnored(file string) bool {
	i := strings.LastIndex("/"+file, "/routes/")
	if i < 0 {
		return false
	}
	for _, s := range strings.Split(("/" + file)[i+len("/routes/"):], "/") {
		if strings.HasPrefix(s, "-") {
			return true
		}
	}
	return false
}

func firstArg(call *jsast.Node) *jsast.Node {
	if a := jsast.Args(call); len(a) > 0 {
		return a[0]
	}
	return nil
}

// tsRoute is a TanStack Router file route, createFileRoute(id)({
// beforeLoad, loader, component }), and its navigation guard.
type tsRoute struct {
	id    string // the route ID: "/_authed/posts/$postId"
	file  *jsast.File
	guard *Layer // its beforeLoad, when that stops a signed-out visitor
}

// tanstackRouteCallers adds to each server function that a file route
// calls the navigation guard of that route (its own beforeLoad or, when
// it has none that stops anyone, a parent route's, by route ID: "/_authed"
// is the parent of "/_authed/posts"), unless a route without such a guard calls it too. A
// call is one of the route file's calls of a name that resolves to the
// server function's declaration, or the argument of useServerFn(name).
//
// Source: https://tanstack.com/router/latest/docs/framework/react/guide/authenticated-routes
// (beforeLoad runs before a route loads, for it and its children),
// https://tanstack.com/start/latest/docs/framework/react/guide/server-functions
// (useServerFn).
func (m *Model) tanstackRouteCallers(ctx context.Context, files []*jsast.File, es []*Entry) {
	fns := map[[2]string]*Entry{}
	for _, e := range es {
		if e.Kind == ServerFunction {
			fns[[2]string{e.File, e.Name}] = e
		}
	}
	if len(fns) == 0 {
		return
	}
	var routes []tsRoute
	for _, f := range files {
		for _, call := range f.Calls(f.Root, func(n string) bool { return strings.HasSuffix(n, "createFileRoute") }) {
			outer := call.Parent
			if outer == nil || outer.Type != "call_expression" || jsast.Unwrap(outer.ChildByField("function")) != call {
				continue
			}
			id, ok := f.StringValue(firstArg(call))
			opts := jsast.Unwrap(firstArg(outer))
			if !ok || opts == nil || opts.Type != "object" {
				continue
			}
			r := tsRoute{id: strings.TrimSuffix(id, "/"), file: f}
			if bl := f.ObjectProp(opts, "beforeLoad"); bl != nil {
				r.guard = m.beforeLoadGuard(ctx, f, id, bl)
			}
			routes = append(routes, r)
		}
	}
	// A server function is meant for signed-in users when the routes that
	// call it are all guarded: one that a public route calls too (a
	// pricing page and the billing page) serves that public page.
	links := map[*Entry]*Layer{}
	public := map[*Entry]bool{}
	calledIn := map[string][]*Entry{} // by module: components shared by several routes are read once
	for _, r := range routes {
		g := r.guard
		for _, p := range routes { // a guarded parent route
			if g != nil {
				break
			}
			if p.guard != nil && p.id != "" && p.id != r.id && strings.HasPrefix(r.id+"/", p.id+"/") {
				g = p.guard
			}
		}
		if g == nil {
			// What a public page does for its visitors: the server
			// functions it calls, also from the components and hooks it
			// renders.
			id := r.id
			if id == "" {
				id = "/"
			}
			for _, e := range m.serverFnsRenderedBy(ctx, r.file, fns, calledIn) {
				public[e] = true
				if e.ServesPublic == "" {
					e.ServesPublic = fmt.Sprintf("the route %s (%s)", id, r.file.Path)
				}
			}
			continue
		}
		for _, e := range m.serverFnsCalledIn(ctx, r.file, fns) {
			if links[e] != nil {
				continue
			}
			l := *g
			who := "its `beforeLoad`"
			if g.Name != "beforeLoad of "+r.id {
				who = "the `" + g.Name + "`"
			}
			l.Why = fmt.Sprintf("the route %s (%s) calls it and %s (%s:%d) stops signed-out visitors, but only on navigation: the server function is requested by its ID without it",
				r.id, r.file.Path, who, g.File, g.Line)
			links[e] = &l
		}
	}
	for _, e := range es {
		if l := links[e]; l != nil && !public[e] {
			if _, ok := MeantPrivate(e); !ok {
				e.Chain = append(e.Chain, *l)
			}
		}
	}
}

// beforeLoadGuard evaluates a route's beforeLoad over its ({ context })
// argument, whose context carries what the parent routes' beforeLoad
// returned (the identity, when the root route loads it): the layer of a
// beforeLoad that stops a signed-out visitor, or nil.
func (m *Model) beforeLoadGuard(ctx context.Context, f *jsast.File, id string, bl *jsast.Node) *Layer {
	fn, fnFile, _, _ := m.unwrapHandler(ctx, f, bl)
	if fn == nil {
		return nil
	}
	s := m.summarize(ctx, fnFile, fn, roleHandler, []ParamRole{ParamIdentityContext}, 0, nil)
	if s.cont != no || len(s.checks) == 0 {
		return nil
	}
	var proof []Proof
	for _, c := range s.checks {
		proof = append(proof, c.Proof)
	}
	return &Layer{Name: "beforeLoad of " + strings.TrimSuffix(id, "/"), Location: Location{File: fnFile.Path, Line: fn.Line}, Via: ViaNavigation,
		Gate: GateNone, Proof: proof}
}

// maxRenderHops bounds how many imports away from a route file
// serverFnsRenderedBy looks for the components and hooks that call server
// functions.
const maxRenderHops = 3

// serverFnsRenderedBy returns the server functions a route file calls and
// those called by the application modules it imports (its components,
// their hooks), up to maxRenderHops imports away. Modules that declare
// server functions are not followed: their calls run on the server, on
// behalf of another server function, not of the page.
func (m *Model) serverFnsRenderedBy(ctx context.Context, route *jsast.File, fns map[[2]string]*Entry, calledIn map[string][]*Entry) []*Entry {
	declares := map[string]bool{}
	for k := range fns {
		declares[k[0]] = true
	}
	seen := map[*Entry]bool{}
	var out []*Entry
	visited := map[string]bool{route.Path: true}
	level := []*jsast.File{route}
	for hop := 0; len(level) > 0 && ctx.Err() == nil; hop++ {
		var next []*jsast.File
		for _, f := range level {
			called, ok := calledIn[f.Path]
			if !ok {
				called = m.serverFnsCalledIn(ctx, f, fns)
				calledIn[f.Path] = called
			}
			for _, e := range called {
				if !seen[e] {
					seen[e] = true
					out = append(out, e)
				}
			}
			if hop == maxRenderHops {
				continue
			}
			ims, err := m.graph.Imports(ctx, f.Path)
			if err != nil {
				continue // not followed: no claim either way
			}
			for _, im := range ims {
				p := im.Target.Path
				if im.TypeOnly || im.Target.Kind != modules.File || visited[p] || declares[p] || !jsModule(p) {
					continue
				}
				visited[p] = true
				if g, err := m.parse(ctx, p); err == nil {
					next = append(next, g)
				}
			}
		}
		level = next
	}
	return out
}

// serverFnsCalledIn returns the server functions a route file calls.
func (m *Model) serverFnsCalledIn(ctx context.Context, f *jsast.File, fns map[[2]string]*Entry) []*Entry {
	names := map[string]bool{}
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		callee := jsast.Unwrap(call.ChildByField("function"))
		if callee != nil && callee.Type == "identifier" {
			names[f.Text(callee)] = true
			if f.Text(callee) == "useServerFn" {
				if a := jsast.Unwrap(firstArg(call)); a != nil && a.Type == "identifier" {
					names[f.Text(a)] = true
				}
			}
		}
	}
	var out []*Entry
	for name := range names {
		if e := fns[[2]string{f.Path, name}]; e != nil {
			out = append(out, e)
			continue
		}
		o, ok, err := m.origin(ctx, f, name)
		if err != nil || !ok || o.Module.Kind != modules.File {
			continue // unresolved: no link, so no claim the function is meant private
		}
		if e := fns[[2]string{o.Module.Path, o.Binding}]; e != nil {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].File < out[j].File || out[i].File == out[j].File && out[i].Line < out[j].Line
	})
	return out
}
