package model

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// The Node server adapters (express.go, fastify.go, hono.go) share one
// walk over rules/project's registration model: every app, router,
// sub-app and plugin instance, followed across files through the mounts
// that reach it. What differs per framework is a nodeStyle: which
// package marks the framework, what its handlers and middleware receive,
// and whether middleware applies in registration order (Express, Hono)
// or to the whole encapsulation context (Fastify hooks).

// nodeStyle is what the shared walk needs to know about one framework.
type nodeStyle struct {
	fw      knowledge.Framework
	project string // rules/project's framework name
	dep     string // the package.json dependency that marks it
	kind    Kind
	// handler and middleware are the roles of a route handler's and a
	// middleware's parameters; middleware nil means Express middleware
	// (req, res, next).
	handler    []ParamRole
	middleware []ParamRole
	// cont names what a middleware calls to let a request on ("next()").
	cont string
	// scoped: hooks and plugins registered on an instance apply to every
	// route of its encapsulation context, whatever their order (Fastify).
	scoped bool
}

// nodeAdapter is the adapter of one Node server framework (its style is
// in express.go, fastify.go, hono.go).
type nodeAdapter struct{ st *nodeStyle }

func (a nodeAdapter) Framework() Framework { return a.st.fw }

func (a nodeAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.node.of(a.st.fw).get(func() ([]*Entry, error) { return nodeEntries(ctx, m, a.st) })
}

func (a nodeAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if !m.maybeNode(a.st, p) {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	var out []*Entry
	for _, e := range es {
		if e.File == p || e.Handler.File == p {
			out = append(out, e)
		}
	}
	return out, err
}

// nodeFacets are the Node adapters' entry lists, one per framework.
type nodeFacets struct {
	mu sync.Mutex
	m  map[Framework]*facet[[]*Entry]
}

func (n *nodeFacets) of(fw Framework) *facet[[]*Entry] {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = map[Framework]*facet[[]*Entry]{}
	}
	f, ok := n.m[fw]
	if !ok {
		f = &facet[[]*Entry]{}
		n.m[fw] = f
	}
	return f
}

// nodeRun is one listing of a framework's entries.
type nodeRun struct {
	st      *nodeStyle
	m       *Model
	ctx     context.Context
	servers map[string]*project.NodeServer // by file; nil when the file has no app
	visited map[string]bool
	mounted map[*project.NodeApp]bool
	walked  map[*project.NodeApp]bool
	// instances are the class instances whose method returns a router
	// (`new UsersRouter(ctrl).route()`): its handlers read `this.<field>`
	// as that instance's constructor arguments.
	instances map[*project.NodeApp]instance
	out       []*Entry
}

// appCtx returns the context the registrations of app are resolved in:
// with the class instance that built it, if any.
func (r *nodeRun) appCtx(app *project.NodeApp) context.Context {
	if in, ok := r.instances[app]; ok {
		return withInstance(r.ctx, in)
	}
	return r.ctx
}

// MountUnknown names the layer in front of the routes of a router no file
// the model follows mounts: what runs before them is unknown.
const MountUnknown = "(mount unknown)"

// scopedLayer is a use() layer and the path it is mounted at.
type scopedLayer struct {
	Layer
	pattern string
	known   bool
}

// maybeNode reports whether p belongs to a package that depends on the
// framework, so that asking about other files costs nothing.
func (m *Model) maybeNode(st *nodeStyle, p string) bool {
	pk := m.proj.PackageFor(p)
	if pk == nil {
		return false
	}
	if _, ok := pk.Deps[st.dep]; ok {
		return true
	}
	for _, q := range m.proj.Packages {
		if _, ok := q.Deps[st.dep]; ok && (q.Dir == "" || strings.HasPrefix(p, q.Dir+"/")) {
			return true
		}
	}
	return false
}

func nodeEntries(ctx context.Context, m *Model, st *nodeStyle) ([]*Entry, error) {
	files := m.nodeFiles(st)
	if len(files) == 0 {
		return nil, nil
	}
	r := &nodeRun{st: st, m: m, ctx: ctx, servers: map[string]*project.NodeServer{}, visited: map[string]bool{},
		mounted: map[*project.NodeApp]bool{}, walked: map[*project.NodeApp]bool{}, instances: map[*project.NodeApp]instance{}}
	var apps []*project.NodeApp
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s := r.server(p)
		if s == nil {
			continue
		}
		for _, a := range s.Apps {
			if a.Framework == st.project {
				apps = append(apps, a)
			}
		}
	}
	// Mounts across files: an app, router or plugin some app mounts is
	// not a root.
	for _, a := range apps {
		if a.Parent != nil {
			r.mounted[a] = true
		}
		for _, reg := range a.Regs {
			if reg.Kind != project.RegUse && reg.Kind != project.RegMount && reg.Kind != project.RegRegister {
				continue
			}
			for _, arg := range project.FlattenArgs(reg.Args) {
				if sub, _ := r.subApp(a.Server().File, arg); sub != nil && sub != a {
					r.mounted[sub] = true
				}
			}
			for _, fm := range r.autoloaded(a.Server().File, reg) {
				r.mounted[fm.sub] = true
			}
		}
		for _, fm := range r.instanceCalls(a) {
			if fm.sub != a {
				r.mounted[fm.sub] = true
			}
		}
	}
	for _, a := range apps {
		if !a.Router && !r.mounted[a] && !classBuilt(a) {
			r.walk(a, nil, a.Prefix, true, nil, 0)
		}
	}
	// Routers nothing mounts (or mounted by code the model does not
	// follow): listed with an unknown prefix and an unknown chain.
	for _, a := range apps {
		if r.walked[a] || r.mounted[a] {
			continue
		}
		unknown := scopedLayer{Layer: Layer{Name: MountUnknown, Location: Location{File: a.Server().File.Path, Line: a.Decl.Line},
			Gate: GateUnknown, Via: ViaRouterUse, Why: fmt.Sprintf("no file the model follows mounts `%s`, so the middleware in front of it is unknown", a.Name)}}
		r.walk(a, []scopedLayer{unknown}, a.Prefix, false, nil, 0)
	}
	sort.SliceStable(r.out, func(i, j int) bool {
		return r.out[i].File < r.out[j].File || r.out[i].File == r.out[j].File && r.out[i].Line < r.out[j].Line
	})
	return withFacets(r.out), nil
}

// nodeFiles returns the module files of packages that depend on the
// framework (and of the repository when the root package does).
func (m *Model) nodeFiles(st *nodeStyle) []string {
	var dirs []string
	for _, pk := range m.proj.Packages {
		if _, ok := pk.Deps[st.dep]; ok && !strings.Contains(pk.Dir, "node_modules") {
			dirs = append(dirs, pk.Dir)
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	var out []string
	for _, p := range m.fs.Paths() {
		if !modules.IsModule(p) || strings.Contains("/"+p, "/node_modules/") {
			continue
		}
		if _, nonReq := knowledge.NonRequestPath(p); nonReq {
			continue
		}
		for _, d := range dirs {
			if d == "" || strings.HasPrefix(p, d+"/") {
				if pk := m.proj.PackageFor(p); pk != nil && pk.Dir != d {
					if _, ok := pk.Deps[st.dep]; !ok && pk.Dir != "" {
						break // a nested package without the framework
					}
				}
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// server returns the registration model of the file at p (nil when it
// creates no app, router or plugin), parsed once per run.
func (r *nodeRun) server(p string) *project.NodeServer {
	if s, ok := r.servers[p]; ok {
		return s
	}
	r.servers[p] = nil
	sf, err := r.m.fs.Get(r.ctx, p)
	if err != nil {
		r.m.notes.add(Note{Where: p, What: fmt.Sprintf("not read, so its routes are not listed: %v", err)})
		return nil
	}
	// A Fastify plugin module need not name fastify at all (export
	// default async (app) => { app.get(...) }); other frameworks' apps
	// and routers are created from an import that does.
	if r.st.project != project.FrameworkFastify && !bytes.Contains(sf.Content, []byte(r.st.dep)) && !bytes.Contains(sf.Content, []byte("Router")) {
		return nil
	}
	f, err := r.m.parse(r.ctx, p)
	if err != nil {
		r.m.notes.add(Note{Where: p, What: err.Error()})
		return nil
	}
	var s *project.NodeServer
	if r.st.project == project.FrameworkFastify {
		s = project.ParseFastifyModule(f)
	} else {
		s = project.ParseNodeServer(f)
	}
	r.servers[p] = s
	return s
}

// walk visits an app's registrations in order, with the layers inherited
// from its mount points.
func (r *nodeRun) walk(app *project.NodeApp, inherited []scopedLayer, prefix string, known bool, mounts []Location, depth int) {
	f := app.Server().File
	key := fmt.Sprintf("%s:%d:%s", f.Path, app.Decl.Start, prefix)
	if r.visited[key] || depth > MaxMountDepth {
		return
	}
	r.visited[key] = true
	r.walked[app] = true
	active := append([]scopedLayer(nil), inherited...)
	if r.st.scoped {
		active = append(active, r.scopeLayers(app, prefix, known, 0)...)
	}
	mount := func(reg *project.Registration, sub *project.NodeApp, layers []scopedLayer, pat string, patKnown bool, subMounts []Location) {
		ms := append(append([]Location(nil), mounts...), Location{File: f.Path, Line: reg.Line})
		ms = append(ms, subMounts...)
		if reg.Kind != project.RegRegister {
			pat = project.JoinPath(pat, sub.Prefix) // a Hono basePath; a plugin's prefix is the option
		}
		r.walk(sub, layers, pat, patKnown, ms, depth+1)
	}
	type use struct {
		reg    int
		layers []scopedLayer
	}
	var uses []use
	start := len(r.out)
	first := make([]int, len(app.Regs)) // the first entry each registration adds
	for i, reg := range app.Regs {
		first[i] = len(r.out)
		pat := project.JoinPath(prefix, reg.Path)
		patKnown := known && (reg.PathKnown || !reg.HasPath)
		switch reg.Kind {
		case project.RegUse:
			var chain []scopedLayer
			for _, a := range project.FlattenArgs(reg.Args) {
				if sub, sm := r.subApp(f, a); sub != nil && sub != app {
					mount(reg, sub, append(append([]scopedLayer(nil), active...), chain...), pat, patKnown, sm)
					continue
				}
				l := r.m.nodeLayer(r.appCtx(app), r.st, f, a, ViaRouterUse)
				l.Condition = registeredUnder(f, app, reg)
				chain = append(chain, scopedLayer{Layer: l, pattern: pat, known: patKnown})
			}
			active = append(active, chain...)
			uses = append(uses, use{reg: i, layers: chain})
		case project.RegMount, project.RegRegister:
			for _, a := range project.FlattenArgs(reg.Args) {
				if sub, sm := r.subApp(f, a); sub != nil && sub != app {
					mount(reg, sub, active, pat, patKnown, sm)
				}
			}
			for _, fm := range r.autoloaded(f, reg) {
				layers := active
				for _, h := range fm.hooks {
					layers = append(append([]scopedLayer(nil), layers...), r.scopeLayers(h, pat, patKnown, 0)...)
				}
				mount(reg, fm.sub, layers, project.JoinPath(pat, fm.prefix), patKnown, fm.at)
			}
		case project.RegRoute:
			r.route(app, reg, active, prefix, known, mounts)
		}
	}
	for _, fm := range r.instanceCalls(app) {
		mount(&project.Registration{Kind: project.RegRegister, Line: fm.at[len(fm.at)-1].Line}, fm.sub, active, prefix, known, fm.at[:len(fm.at)-1])
	}
	// Middleware registered after a route never runs before it.
	for _, u := range uses {
		for _, e := range r.out[start:first[u.reg]] {
			for _, l := range u.layers {
				if l.covers(e.Path, e.PathKnown) {
					e.After = append(e.After, l.Layer)
				}
			}
		}
	}
}

// scopeLayers returns what runs before every route of a Fastify
// encapsulation context: its request hooks and the Clerk plugin
// registered on it, and the hooks of plugins wrapped in fastify-plugin
// (which do not create a context of their own), in registration order.
func (r *nodeRun) scopeLayers(app *project.NodeApp, prefix string, known bool, depth int) []scopedLayer {
	if depth > MaxMountDepth {
		return nil
	}
	f := app.Server().File
	var out []scopedLayer
	for _, reg := range app.Regs {
		switch reg.Kind {
		case project.RegHook:
			if !requestHook(reg.Method) {
				continue
			}
			for _, a := range project.FlattenArgs(reg.Args) {
				l := r.m.nodeLayer(r.appCtx(app), r.st, f, a, ViaRouterUse)
				l.Name = fmt.Sprintf("%s hook %s", reg.Method, l.Name)
				l.Condition = registeredUnder(f, app, reg)
				out = append(out, scopedLayer{Layer: l, pattern: prefix, known: known})
			}
		case project.RegRegister:
			for _, a := range project.FlattenArgs(reg.Args) {
				if sub, _ := r.subApp(f, a); sub != nil {
					if sub != app && r.unencapsulated(f, a) {
						out = append(out, r.scopeLayers(sub, prefix, known, depth+1)...)
					}
					continue
				}
				if l := r.m.nodeLayer(r.appCtx(app), r.st, f, a, ViaRouterUse); l.Gate != GateNone {
					out = append(out, scopedLayer{Layer: l, pattern: prefix, known: known})
				}
			}
		}
	}
	return out
}

// registeredUnder returns the condition of the if statement, inside the
// app's own scope, that a registration is made under ("" when none).
func registeredUnder(f *jsast.File, app *project.NodeApp, reg *project.Registration) string {
	for n := reg.Call; ; {
		anc := jsast.Ancestor(n, "if_statement")
		if anc == nil || !app.Scope.Contains(anc) {
			return ""
		}
		if cond := anc.ChildByField("condition"); cond != nil && !cond.Contains(reg.Call) {
			return clip(snippet(f, jsast.Unwrap(cond)), 60)
		}
		n = anc
	}
}

// requestHook reports a Fastify hook that runs before the handler and can
// end the request (https://fastify.dev/docs/latest/Reference/Hooks/).
func requestHook(name string) bool {
	switch name {
	case "onRequest", "preParsing", "preValidation", "preHandler":
		return true
	}
	return false
}

// unencapsulated reports whether a registered plugin expression is
// wrapped in fastify-plugin, here or where it is declared: its hooks then
// apply to the context that registers it.
func (r *nodeRun) unencapsulated(f *jsast.File, n *jsast.Node) bool {
	for depth := 0; depth < MaxWrapperDepth; depth++ {
		n = jsast.Unwrap(n)
		if n == nil {
			return false
		}
		switch n.Type {
		case "call_expression":
			if im, ok := f.ImportOf(rootName(f.CalleeName(n))); ok && im.Source == "fastify-plugin" {
				return true
			}
			return false
		case "identifier":
			if lv := f.LocalValue(f.Text(n)); lv != nil {
				n = lv
				continue
			}
			o, ok, err := r.m.origin(r.ctx, f, f.Text(n))
			if err != nil || !ok || o.Module.Kind != modules.File {
				return false
			}
			of, ov, err := r.m.originValue(r.ctx, o)
			if err != nil || ov == nil {
				return false
			}
			f, n = of, ov
		default:
			return false
		}
	}
	return false
}

func (l scopedLayer) covers(p string, known bool) bool {
	if !l.known || !known {
		return true
	}
	return project.PathCovers(l.pattern, p)
}

// route adds the entry of one route registration.
func (r *nodeRun) route(app *project.NodeApp, reg *project.Registration, active []scopedLayer, prefix string, known bool, mounts []Location) {
	f := app.Server().File
	full := project.JoinPath(prefix, reg.Path)
	pathKnown := known && reg.PathKnown
	methods := []string{reg.Method}
	if len(reg.Methods) > 0 {
		methods = reg.Methods
	}
	e := &Entry{Framework: r.st.fw, Kind: r.st.kind, Methods: methods, Path: full, PathKnown: pathKnown,
		File: f.Path, Line: reg.Line, EndLine: reg.Call.EndLine, Params: r.st.handler, Mounts: mounts}
	if r.st.project == project.FrameworkExpress && app.Router && strings.HasPrefix(active0Name(active), MountUnknown) {
		e.Kind = RouterRoute
	}
	e.Name = strings.Join(methods, ",") + " " + full
	for _, l := range active {
		if l.covers(full, pathKnown) {
			e.Chain = append(e.Chain, l.Layer)
		}
	}
	mws, h := project.FlattenArgs(reg.Middleware()), reg.Handler()
	if hs := honoFactoryHandlers(f, h); r.st.fw == knowledge.Hono && len(hs) > 0 {
		mws, h = append(mws, hs[:len(hs)-1]...), hs[len(hs)-1]
	}
	ctx := r.appCtx(app)
	for _, mw := range mws {
		e.Chain = append(e.Chain, r.m.nodeLayer(ctx, r.st, f, mw, ViaMiddleware))
	}
	fn, fnFile, wrappers, why := r.m.unwrapHandler(ctx, f, h)
	e.Fn, e.FnFile, e.Wrappers, e.Unresolved = fn, fnFile, wrappers, why
	if fn != nil {
		e.Handler = Location{File: fnFile.Path, Line: fn.Line}
	}
	if pathKnown {
		e.Public = conventionPublic(full, false)
	}
	r.out = append(r.out, e)
}

func active0Name(ls []scopedLayer) string {
	if len(ls) == 0 {
		return ""
	}
	return ls[0].Name
}

// subApp resolves a use()/route()/register() argument to an app, router
// or plugin: of the same file, or exported by another (a default or named
// export, a require, a namespace member, a factory that returns a router,
// a plugin function wrapped in fastify-plugin). It also returns where the
// sub-app is declared when that is another file.
func (r *nodeRun) subApp(f *jsast.File, n *jsast.Node) (*project.NodeApp, []Location) {
	n = jsast.Unwrap(n)
	if n == nil {
		return nil, nil
	}
	if a := r.appOfValue(f, n); a != nil {
		return a, nil
	}
	var target *jsast.File
	var v *jsast.Node
	switch n.Type {
	case "identifier":
		name := f.Text(n)
		if lv := jsast.Unwrap(f.LocalValue(name)); lv != nil {
			if lv.Type == "call_expression" && f.CalleeName(lv) == "require" {
				return r.subApp(f, lv)
			}
			return r.appOfValue(f, lv), nil
		}
		o, ok, err := r.m.origin(r.ctx, f, name)
		if err != nil || !ok || o.Module.Kind != modules.File {
			return nil, nil
		}
		of, ov, err := r.m.originValue(r.ctx, o)
		if err != nil || ov == nil {
			if err == nil && o.Name == "*" {
				// require('./routes') bound to a name: module.exports
				of, ov, err = r.m.originValue(r.ctx, modules.Origin{Module: o.Module, Name: "default"})
			}
			if err != nil || ov == nil {
				return nil, nil
			}
		}
		target, v = of, ov
	case "call_expression":
		callee := f.CalleeName(n)
		if callee == "require" || jsast.Unwrap(n.ChildByField("function")).Type == "import" {
			args := jsast.Args(n)
			if len(args) != 1 {
				return nil, nil
			}
			spec, ok := f.StringValue(args[0])
			if !ok {
				return nil, nil
			}
			res, err := r.m.graph.Resolve(r.ctx, f.Path, spec)
			if err != nil || res.Kind != modules.File {
				return nil, nil
			}
			of, ov, err := r.m.originValue(r.ctx, modules.Origin{Module: res, Name: "default"})
			if err != nil || ov == nil {
				return nil, nil
			}
			target, v = of, ov
		} else {
			return nil, nil
		}
	case "member_expression":
		obj := jsast.Unwrap(n.ChildByField("object"))
		if obj == nil || obj.Type != "identifier" {
			return nil, nil
		}
		o, ok, err := r.m.origin(r.ctx, f, f.Text(obj)+"."+f.Text(n.ChildByField("property")))
		if err != nil || !ok || o.Module.Kind != modules.File {
			return nil, nil
		}
		of, ov, err := r.m.originValue(r.ctx, o)
		if err != nil || ov == nil {
			return nil, nil
		}
		target, v = of, ov
	default:
		return nil, nil
	}
	a := r.appOfValue(target, v)
	if a == nil {
		return nil, nil
	}
	return a, []Location{{File: target.Path, Line: a.Decl.Line}}
}

// appOfValue finds the app a value of file f denotes: the app declared
// with that value, a plugin function (or its fastify-plugin wrapper), or
// the router a factory call returns.
func (r *nodeRun) appOfValue(f *jsast.File, v *jsast.Node) *project.NodeApp {
	v = jsast.Unwrap(v)
	s := r.server(f.Path)
	if v == nil {
		return nil
	}
	if s != nil {
		if a := s.AppOf(v); a != nil {
			return a
		}
		fn := v
		if v.Type == "call_expression" {
			// fp(async (fastify) => {...}): the plugin is the argument.
			if args := jsast.Args(v); len(args) > 0 {
				fn = jsast.Unwrap(args[0])
				if fn != nil && fn.Type == "identifier" {
					if lv := jsast.Unwrap(f.LocalValue(f.Text(fn))); lv != nil {
						fn = lv
					}
				}
			}
		}
		for _, a := range s.Apps {
			if a.Decl != nil && a.Decl.Type == "variable_declarator" && jsast.Unwrap(a.Decl.ChildByField("value")) == v {
				return a
			}
			if a.Framework == project.FrameworkFastify && a.Scope == fn && fn != f.Root {
				return a
			}
		}
	}
	// A method of a class instance: `new UsersRouter(ctrl).route()`.
	if fr, in, ok := r.m.instanceRouterMethod(r.ctx, f, v); ok {
		a := r.returnedApp(fr)
		if a != nil {
			r.instances[a] = in
		}
		return a
	}
	if v.Type != "call_expression" {
		return nil
	}
	// A factory: createRouter() returns the router it builds.
	fr, err := r.m.resolveFunc(r.ctx, f, v.ChildByField("function"), nil, 0)
	if err != nil {
		var ok bool
		if fr, ok = r.requiredFunc(f, v.ChildByField("function")); !ok {
			return nil
		}
	}
	return r.returnedApp(fr)
}

// returnedApp returns the app a function returns by name: one it
// declares, or one its module declares at the top level.
func (r *nodeRun) returnedApp(fr fnRef) *project.NodeApp {
	ret := returnedFunction(fr.fn)
	if ret == nil || ret.Type != "identifier" {
		return nil
	}
	fs := r.server(fr.file.Path)
	if fs == nil {
		return nil
	}
	name := fr.file.Text(ret)
	for _, a := range fs.Apps {
		if a.Name == name && fr.fn.Contains(a.Decl) {
			return a
		}
	}
	if _, local := nestedFuncs(fr.file, fr.fn)[name]; local {
		return nil
	}
	for _, a := range fs.Apps {
		if a.Name == name && a.Scope == fr.file.Root {
			return a
		}
	}
	return nil
}

// requiredFunc resolves a name bound to require('./x') whose module
// exports a function (module.exports = function createRoutes(db) {...}).
func (r *nodeRun) requiredFunc(f *jsast.File, n *jsast.Node) (fnRef, bool) {
	n = jsast.Unwrap(n)
	if n == nil || n.Type != "identifier" {
		return fnRef{}, false
	}
	lv := jsast.Unwrap(f.LocalValue(f.Text(n)))
	if lv == nil || lv.Type != "call_expression" || f.CalleeName(lv) != "require" || len(jsast.Args(lv)) != 1 {
		return fnRef{}, false
	}
	spec, ok := f.StringValue(jsast.Args(lv)[0])
	if !ok {
		return fnRef{}, false
	}
	res, err := r.m.graph.Resolve(r.ctx, f.Path, spec)
	if err != nil || res.Kind != modules.File {
		return fnRef{}, false
	}
	of, ov, err := r.m.originValue(r.ctx, modules.Origin{Module: res, Name: "default"})
	if err != nil || ov == nil || !jsast.IsFunction(jsast.Unwrap(ov)) {
		return fnRef{}, false
	}
	return fnRef{file: of, fn: jsast.Unwrap(ov)}, true
}

// nodeLayer classifies one middleware expression of a Node server:
// Clerk's by the knowledge tables, the application's own by analysing it
// as middleware (a guard never continues for a signed-out caller).
func (m *Model) nodeLayer(ctx context.Context, st *nodeStyle, f *jsast.File, n *jsast.Node, via Via) Layer {
	n = jsast.Unwrap(n)
	if l, ok := m.chosenLayer(ctx, st, f, n, via); ok {
		return l
	}
	if l, ok := m.boundLayer(ctx, st, f, n, via); ok {
		return l
	}
	l := Layer{Name: clip(f.Text(n), 40), Location: Location{File: f.Path, Line: n.Line}, Via: via}
	if jsast.IsFunction(n) {
		l.Name = "inline middleware"
	}
	// Clerk's middleware, by the knowledge tables.
	callee := n
	if n.Type == "call_expression" {
		callee = jsast.Unwrap(n.ChildByField("function"))
	}
	root := rootIdent(callee)
	if body, ok := bodyParser(f, n, callee, root); ok {
		l.Gate, l.Body = GateNone, body
		for _, a := range jsast.Args(n) {
			l.KeepsRaw = l.KeepsRaw || f.ObjectProp(a, "verify") != nil
		}
		return l
	}
	if root != nil {
		exp, pkg := m.clerkExportOf(ctx, f, f.Text(root))
		if exp == "" && callee.Type == "member_expression" && jsast.Unwrap(callee.ChildByField("object")) == root {
			// ns.requireAuth where ns is the namespace of the app's own
			// module that re-exports Clerk's middleware.
			if o, ok, err := m.graph.Origin(ctx, f.Path, f.Text(root)+"."+f.Text(callee.ChildByField("property"))); err == nil && ok &&
				o.Module.Kind == modules.External && jsast.IsClerkModule(o.Module.Package) {
				exp, pkg = o.Name, o.Module.Package+o.Module.Subpath
			}
		}
		if exp != "" {
			if exp == "default" || exp == "*" || callee.Type == "member_expression" {
				exp = jsast.LastSegment(strings.ReplaceAll(f.Name(callee), "()", ""))
			}
			if mw, ok := knowledge.MiddlewareOf(pkg, exp); ok {
				switch mw.Gate {
				case knowledge.Attaches:
					l.Gate = GateAttaches
					l.Why = fmt.Sprintf("`%s` only attaches the identity; it never rejects a signed-out request", l.Name)
				case knowledge.Rejects, knowledge.RejectsByDefault:
					l.Gate = GateRejects
					l.Why = fmt.Sprintf("`%s` (%s:%d) rejects signed-out requests", l.Name, f.Path, n.Line)
				case knowledge.Redirects:
					l.Gate = GateRedirects
					l.Why = fmt.Sprintf("`%s` (%s:%d) redirects signed-out requests to sign-in", l.Name, f.Path, n.Line)
				}
				l.Proof = []Proof{{Location: l.Location, What: l.Name}}
				l.Clerk = pkg
				return l
			}
			l.Gate = GateNone
			return l
		}
	}
	rf, err := m.resolveFunc(ctx, f, n, nil, 0)
	if err != nil {
		if !errors.Is(err, errNotFound) {
			l.Gate, l.Why = GateUnknown, fmt.Sprintf("`%s` could not be followed: %v", l.Name, err)
			return l
		}
		if authName(f.Name(callee)) || strings.Contains(strings.ToLower(f.Text(n)), "passport") || strings.Contains(strings.ToLower(f.Text(n)), "jwt") {
			if pkg := externalOf(f, rootIdent(callee)); pkg != "" {
				if _, plain := knowledge.PlainMiddleware(pkg); plain {
					l.Gate = GateNone // a rate limiter held in `getUsersLimiter`: its name is not what it does
					return l
				}
				l.Gate, l.Why = GateUnknown, fmt.Sprintf("`%s` from %s may authenticate; the model does not evaluate it", l.Name, pkg)
				return l
			}
			if authName(f.Name(callee)) && !strings.Contains(strings.ToLower(f.Name(callee)), "upload") {
				// fastify.authenticate (a decorator), a guard a router factory
				// receives as a parameter: a value the model cannot follow.
				l.Gate, l.Why = GateUnknown, fmt.Sprintf("`%s` may authenticate; the model cannot follow it", l.Name)
				return l
			}
		}
		l.Gate = GateNone
		if n.Type == "call_expression" && root != nil {
			// A library's middleware that writes by itself (upload.single()).
			if pkg, err := m.clientPackage(ctx, f, root, 0); err == nil && pkg != "" {
				if eff, ok := knowledge.DataCall(pkg, f.Name(callee)); ok && eff.Writes() {
					l.Writes = strings.ReplaceAll(f.Name(callee), "()", "")
				}
			}
		}
		return l
	}
	ps := params(rf.fn)
	if st.middleware == nil && len(ps) >= 4 {
		l.Gate = GateNone // an Express error handler (err, req, res, next)
		return l
	}
	if st.middleware == nil && len(ps) < 3 && !jsast.IsFunction(n) && returnedFunction(rf.fn) != nil {
		// A middleware factory passed uncalled (app.get('/x', requireAdmin, h)
		// where requireAdmin(opts) returns the middleware): Express calls
		// the factory, which never calls next(), so no request reaches the
		// handler.
		l.Gate = GateRejects
		l.Why = fmt.Sprintf("`%s` (%s:%d) is a middleware factory passed uncalled: it never calls next(), so no request reaches the handler", l.Name, rf.file.Path, rf.fn.Line)
		l.Proof = []Proof{{Location: Location{File: rf.file.Path, Line: rf.fn.Line}, What: l.Name}}
		return l
	}
	var s *summary
	if st.middleware == nil {
		s = m.summarize(ctx, rf.file, rf.fn, roleMiddleware, nil, 0, nil)
	} else {
		s = m.summarize(ctx, rf.file, rf.fn, roleHook, st.middleware, 0, nil)
	}
	name := rf.name
	if name == "" || name == "anonymous function" {
		name = l.Name
	}
	at := Location{File: rf.file.Path, Line: rf.fn.Line}
	if !s.contSeen && callsParam(rf.fn, ps, rf.file, st) {
		// It calls next() only where a signed-out caller never gets.
		l = middlewareGate(l, s, name, at, st.cont)
		l.Gate = GateRejects
		l.Why = fmt.Sprintf("`%s` (%s) never reaches %s for a signed-out request", name, at, st.cont)
		if len(l.Proof) == 0 {
			l.Proof = []Proof{{Location: at, What: name}}
		}
		return l
	}
	return middlewareGate(l, s, name, at, st.cont)
}

// middlewareGate sets a middleware layer's gate from the middleware's
// summary: it rejects when a signed-out request never reaches its
// continuation (cont: "next()"), attaches when it reads the identity and
// continues anyway. Shared by every framework whose middleware receives a
// continuation (Express, Fastify, Hono, React Router, TanStack Start).
func middlewareGate(l Layer, s *summary, name string, at Location, cont string) Layer {
	where := at.String()
	var authz Authz
	for _, c := range s.checks {
		authz |= c.authz
		l.Proof = append(l.Proof, c.Proof)
	}
	l.Authz = authz | s.contAuthz
	switch {
	case !s.contSeen:
		l.Gate = GateNone
	case s.cont == no:
		l.Gate = GateRejects
		l.Why = fmt.Sprintf("`%s` (%s) rejects signed-out requests before calling %s", name, where, cont)
		if l.Authz&AuthzRole != 0 {
			l.Why = fmt.Sprintf("`%s` (%s) rejects signed-out requests and checks a role before calling %s", name, where, cont)
		}
		if len(l.Proof) == 0 {
			l.Proof = []Proof{{Location: at, What: name}}
		}
	case s.cont == maybe:
		l.Gate = GateUnknown
		l.Why = fmt.Sprintf("whether `%s` (%s) rejects signed-out requests could not be decided: %s", name, where, strings.Join(s.unknown, "; "))
	default:
		l.Gate = GateNone
		if len(s.reads) > 0 {
			l.Gate = GateAttaches
			l.Why = fmt.Sprintf("`%s` (%s) reads %s but calls %s for signed-out requests too", name, where, readsWhat(s.reads), cont)
		}
	}
	return l
}

// callsParam reports whether a middleware calls its next parameter
// somewhere in its own body.
func callsParam(fn *jsast.Node, ps []*jsast.Node, f *jsast.File, st *nodeStyle) bool {
	idx := 2 // Express (req, res, next)
	if st.middleware != nil {
		idx = -1
		for i, r := range st.middleware {
			if r == ParamNext {
				idx = i
			}
		}
	}
	if idx < 0 || idx >= len(ps) || ps[idx].Type != "identifier" {
		return false
	}
	name := f.Text(ps[idx])
	found := false
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		if found {
			return false
		}
		if n.Type == "call_expression" {
			if c := jsast.Unwrap(n.ChildByField("function")); c != nil && c.Type == "identifier" && f.Text(c) == name && len(jsast.Args(n)) == 0 {
				found = true
			}
		}
		return true
	})
	return found
}

// bodyParser recognises a body-parsing middleware call (express.json(),
// bodyParser.raw(), json() imported from express) by its package and
// name (knowledge.BodyParserOf).
func bodyParser(f *jsast.File, n, callee, root *jsast.Node) (knowledge.BodyParse, bool) {
	if n.Type != "call_expression" || root == nil {
		return "", false
	}
	im, ok := f.ImportOf(f.Text(root))
	if !ok || isLocalSpec(im.Source) {
		return "", false
	}
	name := im.Imported
	if callee.Type == "member_expression" {
		name = jsast.LastSegment(strings.ReplaceAll(f.Name(callee), "()", ""))
	}
	return knowledge.BodyParserOf(im.Source, name)
}

// externalOf returns the package an identifier is imported from, when it
// is a package rather than a file of the snapshot.
//
// A local bound to what a package's call returns counts as that package
// (`const factory = createFactory()` of hono/factory: factory.createMiddleware
// is the package's helper; https://hono.dev/docs/helpers/factory).
func externalOf(f *jsast.File, id *jsast.Node) string {
	if id == nil {
		return ""
	}
	name := f.Text(id)
	if im, ok := f.ImportOf(name); ok && !isLocalSpec(im.Source) {
		return im.Source
	}
	if v := jsast.Unwrap(f.LocalValue(name)); v != nil && v.Type == "call_expression" {
		if root := rootIdent(v.ChildByField("function")); root != nil && f.Text(root) != name {
			if im, ok := f.ImportOf(f.Text(root)); ok && !isLocalSpec(im.Source) {
				return im.Source
			}
		}
	}
	return ""
}

// chosenLayer evaluates a middleware whose name is bound to a choice made
// once at start-up, `const requireAuth = isDev ? passThrough :
// clerk.requireAuth`: when one branch is a Clerk guard (it rejects or
// redirects) and the other is a pass-through (a middleware, or a factory
// of one, whose whole body calls next()), the layer is the guard's,
// registered only under the condition that selects it (Layer.Condition)
// and located at the choice. Anything else (two guards, a branch that does
// more than call next(), a binding that is not a const) is left to the
// ordinary evaluation.
func (m *Model) chosenLayer(ctx context.Context, st *nodeStyle, f *jsast.File, n *jsast.Node, via Via) (Layer, bool) {
	callee := n
	if n.Type == "call_expression" {
		callee = jsast.Unwrap(n.ChildByField("function"))
	}
	if callee == nil || callee.Type != "identifier" {
		return Layer{}, false
	}
	v := jsast.Unwrap(f.LocalValue(f.Text(callee)))
	if v == nil || v.Type != "ternary_expression" || !constBinding(f, v) {
		return Layer{}, false
	}
	cond, yes, no := v.ChildByField("condition"), v.ChildByField("consequence"), v.ChildByField("alternative")
	if cond == nil || yes == nil || no == nil {
		return Layer{}, false
	}
	if jsast.Unwrap(yes).Type == "ternary_expression" || jsast.Unwrap(no).Type == "ternary_expression" {
		return Layer{}, false
	}
	guard := func(l Layer) bool { return l.Clerk != "" && (l.Gate == GateRejects || l.Gate == GateRedirects) }
	text := clip(snippet(f, jsast.Unwrap(cond)), 60)
	var out Layer
	switch {
	case passThrough(f, no):
		if out = m.nodeLayer(ctx, st, f, yes, via); !guard(out) {
			return Layer{}, false
		}
		out.Condition = text
	case passThrough(f, yes):
		if out = m.nodeLayer(ctx, st, f, no, via); !guard(out) {
			return Layer{}, false
		}
		out.Condition = "!" + text
		if c := jsast.Unwrap(cond); c.Type != "identifier" && c.Type != "member_expression" {
			out.Condition = "!(" + text + ")"
		}
	default:
		return Layer{}, false
	}
	reg := Location{File: f.Path, Line: n.Line}
	out.Name = clip(f.Text(n), 40)
	out.Location = Location{File: f.Path, Line: v.Line}
	out.Why = fmt.Sprintf("%s; `%s` is that guard only when %s (%s), a pass-through otherwise", out.Why, f.Text(callee), out.Condition, out.Location)
	out.Proof = append(out.Proof, Proof{Location: reg, What: "registered as " + out.Name})
	return out, true
}

// constBinding reports whether the value node is the initializer of a
// const declaration (nothing reassigns it).
func constBinding(f *jsast.File, v *jsast.Node) bool {
	d := v.Parent
	for d != nil && d.Type != "variable_declarator" {
		d = d.Parent
	}
	if d == nil || d.Parent == nil || d.Parent.Type != "lexical_declaration" {
		return false
	}
	return d.Parent.HasChild("const")
}

// passThrough reports whether n is a middleware that only calls next, or
// a factory (up to one level) returning one: (req, res, next) => next(),
// () => (req, res, next) => { next() }.
func passThrough(f *jsast.File, n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	for depth := 0; depth < 2 && n != nil && jsast.IsFunction(n); depth++ {
		ps := params(n)
		body := jsast.FunctionBody(n)
		if body == nil {
			return false
		}
		if len(ps) >= 3 {
			next := f.Text(ps[len(ps)-1])
			stmt := body
			if body.Type == "statement_block" {
				kids := body.NamedChildren()
				if len(kids) != 1 || kids[0].Type != "expression_statement" && kids[0].Type != "return_statement" {
					return false
				}
				stmt = kids[0].NamedChildren()[0]
			}
			c := jsast.Unwrap(stmt)
			return c != nil && c.Type == "call_expression" && f.Text(c.ChildByField("function")) == next
		}
		if body.Type == "statement_block" {
			kids := body.NamedChildren()
			if len(kids) != 1 || kids[0].Type != "return_statement" || len(kids[0].NamedChildren()) != 1 {
				return false
			}
			body = kids[0].NamedChildren()[0]
		}
		n = jsast.Unwrap(body)
	}
	return false
}
