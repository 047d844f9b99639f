package model

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// trpcAdapter lists tRPC procedures: every query, mutation and
// subscription in a router's object (createTRPCRouter({...}), t.router,
// router), with the dotted path the client calls (`post.byId`: the keys of
// the routers that nest it, across files, then its own key). A procedure's
// chain is its base and its own middleware, in order: the .use() calls of
// the base procedure's declaration (protectedProcedure =
// t.procedure.use(isAuthed), followed through imports) and of the
// procedure itself. Each middleware is analysed as a function of the
// options { ctx, input, next }: ctx holds what createContext attached (the
// Auth object of getAuth(req) or auth(), or its userId), so a middleware
// that throws a TRPCError for a signed-out caller before calling next()
// rejects. The HTTP route that serves the router (app/api/trpc/[trpc],
// pages/api/trpc/[trpc]) demands nothing itself: each procedure is judged
// on its own.
type trpcAdapter struct{}

func (trpcAdapter) Framework() Framework { return knowledge.TRPC }

func (trpcAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.trpc.get(func() ([]*Entry, error) { return trpcEntries(ctx, m) })
}

func (a trpcAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if !m.dependsOnAt(p, "@trpc/server") {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return entriesIn(es, p), err
}

// dependsOnAt reports whether p belongs to a package that depends on dep,
// or a workspace root that does.
func (m *Model) dependsOnAt(p, dep string) bool {
	for _, q := range m.proj.Packages {
		if _, ok := q.Deps[dep]; ok && (q.Dir == "" || strings.HasPrefix(p, q.Dir+"/")) {
			return true
		}
	}
	return false
}

// trpcRouter is one router object and its binding.
type trpcRouter struct {
	file *jsast.File
	name string // the variable it is bound to ("" for an inline router)
	obj  *jsast.Node
	sub  bool // another router nests it
}

type trpcRun struct {
	m       *Model
	ctx     context.Context
	routers map[string]*trpcRouter // by file + "\x00" + binding
	inline  map[*jsast.Node]*trpcRouter
	order   []*trpcRouter
	seen    map[*jsast.Node]bool
	out     []*Entry
}

func trpcEntries(ctx context.Context, m *Model) ([]*Entry, error) {
	r := &trpcRun{m: m, ctx: ctx, routers: map[string]*trpcRouter{}, inline: map[*jsast.Node]*trpcRouter{}, seen: map[*jsast.Node]bool{}}
	for _, p := range m.fs.Paths() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !modules.IsModule(p) || strings.Contains("/"+p, "/node_modules/") || !m.dependsOnAt(p, "@trpc/server") {
			continue
		}
		if _, nonReq := knowledge.NonRequestPath(p); nonReq {
			continue
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil || !bytes.Contains(sf.Content, []byte("rocedure")) && !bytes.Contains(sf.Content, []byte("outer")) {
			continue
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: err.Error()})
			continue
		}
		r.collect(f)
	}
	// A router another router's key names is nested; the others are roots.
	for _, rt := range r.order {
		for _, pr := range pairs(rt.obj) {
			if sub := r.subRouter(rt.file, propValue(pr)); sub != nil && sub != rt {
				sub.sub = true
			}
		}
	}
	for _, rt := range r.order {
		if !rt.sub {
			r.walk(rt, "", 0)
		}
	}
	sort.SliceStable(r.out, func(i, j int) bool { return r.out[i].Path < r.out[j].Path })
	return withFacets(r.out), nil
}

// collect records the router objects of a file.
func (r *trpcRun) collect(f *jsast.File) {
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "call_expression" || !isRouterCall(f, n) {
			return true
		}
		args := jsast.Args(n)
		obj := jsast.Unwrap(args[0])
		rt := &trpcRouter{file: f, obj: obj}
		if p := n.Parent; p != nil && p.Type == "variable_declarator" {
			rt.name = f.Text(p.ChildByField("name"))
			r.routers[f.Path+"\x00"+rt.name] = rt
		}
		r.inline[n] = rt
		r.order = append(r.order, rt)
		return true
	})
}

// isRouterCall recognises createTRPCRouter({...}), t.router({...}),
// router({...}) and mergeRouters-style factories whose name says router
// and whose first argument is an object.
func isRouterCall(f *jsast.File, n *jsast.Node) bool {
	args := jsast.Args(n)
	if len(args) == 0 || jsast.Unwrap(args[0]) == nil || jsast.Unwrap(args[0]).Type != "object" {
		return false
	}
	last := strings.ToLower(jsast.LastSegment(f.CalleeName(n)))
	return strings.HasSuffix(last, "router")
}

// pairs returns an object's key-value properties, shorthand ones
// ({ getPost }) included.
func pairs(obj *jsast.Node) []*jsast.Node {
	var out []*jsast.Node
	for _, c := range obj.NamedChildren() {
		if c.Type == "pair" || c.Type == "shorthand_property_identifier" {
			out = append(out, c)
		}
	}
	return out
}

// propKey and propValue are a property's key and value; a shorthand
// property is both.
func propKey(f *jsast.File, pr *jsast.Node) string {
	if pr.Type == "shorthand_property_identifier" {
		return f.Text(pr)
	}
	return propertyKey(f, pr.ChildByField("key"))
}

func propValue(pr *jsast.Node) *jsast.Node {
	if pr.Type == "shorthand_property_identifier" {
		return pr
	}
	return pr.ChildByField("value")
}

// procedureDecl follows a property value that names a procedure (a
// binding of this file or an imported one, as a router of procedures
// declared one per file lists them) to its declaration and file.
func (r *trpcRun) procedureDecl(f *jsast.File, v *jsast.Node) (*jsast.File, *jsast.Node) {
	if v == nil || v.Type != "identifier" && v.Type != "shorthand_property_identifier" {
		return f, v
	}
	name := f.Text(v)
	if lv := f.LocalValue(name); lv != nil {
		return f, jsast.Unwrap(lv)
	}
	o, found, err := r.m.origin(r.ctx, f, name)
	if err != nil || !found || o.Module.Kind != modules.File {
		return f, v
	}
	of, ov, err := r.m.originValue(r.ctx, o)
	if err != nil || ov == nil {
		return f, v
	}
	return of, jsast.Unwrap(ov)
}

// subRouter returns the router a property value names: an inline router
// call, or a binding of this file or an imported one.
func (r *trpcRun) subRouter(f *jsast.File, v *jsast.Node) *trpcRouter {
	v = jsast.Unwrap(v)
	if v == nil {
		return nil
	}
	switch v.Type {
	case "call_expression":
		return r.inline[v]
	case "identifier", "shorthand_property_identifier":
		name := f.Text(v)
		if rt, ok := r.routers[f.Path+"\x00"+name]; ok {
			return rt
		}
		o, ok, err := r.m.graph.Origin(r.ctx, f.Path, name)
		if err != nil || !ok || o.Module.Kind != modules.File {
			return nil
		}
		return r.routers[o.Module.Path+"\x00"+o.Binding]
	}
	return nil
}

// walk lists a router's procedures under prefix.
func (r *trpcRun) walk(rt *trpcRouter, prefix string, depth int) {
	if depth > MaxMountDepth || r.ctx.Err() != nil {
		return
	}
	f := rt.file
	for _, pr := range pairs(rt.obj) {
		key := propKey(f, pr)
		if key == "" {
			continue
		}
		path := key
		if prefix != "" {
			path = prefix + "." + key
		}
		v := jsast.Unwrap(propValue(pr))
		if sub := r.subRouter(f, v); sub != nil {
			if sub != rt {
				r.walk(sub, path, depth+1)
			}
			continue
		}
		df, v := r.procedureDecl(f, v)
		if v == nil || v.Type != "call_expression" || r.seen[v] {
			continue
		}
		kind, ok := procedureKind(df, v)
		if !ok {
			continue
		}
		r.seen[v] = true
		r.out = append(r.out, r.entry(f, df, pr, v, kind, path))
	}
}

func propertyKey(f *jsast.File, k *jsast.Node) string {
	if k == nil {
		return ""
	}
	switch k.Type {
	case "property_identifier", "identifier":
		return f.Text(k)
	case "string":
		s, _ := f.StringValue(k)
		return s
	}
	return ""
}

// procedureKind recognises base.query(fn), base.mutation(fn) and
// base.subscription(fn).
func procedureKind(f *jsast.File, call *jsast.Node) (Kind, bool) {
	fn := jsast.Unwrap(call.ChildByField("function"))
	if fn == nil || fn.Type != "member_expression" {
		return "", false
	}
	switch f.Text(fn.ChildByField("property")) {
	case "query":
		return TRPCQuery, true
	case "mutation":
		return TRPCMutation, true
	case "subscription":
		return TRPCSubscription, true
	}
	return "", false
}

// entry builds a procedure's entry: listed at its key in the router's
// file f, declared (its resolver and middleware) in df.
func (r *trpcRun) entry(f, df *jsast.File, pr, call *jsast.Node, kind Kind, path string) *Entry {
	method := "GET"
	if kind != TRPCQuery {
		method = "POST"
	}
	e := &Entry{Framework: knowledge.TRPC, Kind: kind, Methods: []string{method}, Path: path, PathKnown: true,
		File: f.Path, Line: pr.Line, EndLine: pr.EndLine, Name: path, Params: []ParamRole{ParamTRPCOptions}}
	if args := jsast.Args(call); len(args) > 0 {
		if ref, err := r.m.resolveFunc(r.ctx, df, args[0], nil, 0); err == nil {
			e.Fn, e.FnFile, e.Handler = ref.fn, ref.file, Location{File: ref.file.Path, Line: ref.fn.Line}
		}
	}
	if e.Fn == nil {
		e.Unresolved = "the resolver of " + path + " could not be found"
	}
	recv := jsast.Unwrap(call.ChildByField("function")).ChildByField("object")
	e.Chain = append(r.m.trpcHTTPLayer(f.Path), r.m.procedureChain(r.ctx, df, recv, 0)...)
	return e
}

// trpcHTTPLayer is the Next.js middleware layer in front of the route
// that serves a tRPC router (a route with a `trpc` segment in the app that
// holds the router's file): every procedure call is a request to it.
func (m *Model) trpcHTTPLayer(file string) []Layer {
	app := m.proj.AppFor(file)
	if app == nil {
		return nil
	}
	for _, rt := range app.Routes {
		if !slices.Contains(strings.Split(rt.Path, "/"), "trpc") {
			continue
		}
		if l, ok := nextMiddlewareLayer(app, rt.Probe()); ok {
			return []Layer{l}
		}
	}
	return nil
}

// procedureChain returns the middleware layers of a procedure builder
// expression, base first: publicProcedure.use(a).input(z).use(b) is the
// layers of publicProcedure's declaration, then a, then b.
func (m *Model) procedureChain(ctx context.Context, f *jsast.File, n *jsast.Node, depth int) []Layer {
	n = jsast.Unwrap(n)
	if n == nil || depth > MaxWrapperDepth {
		return nil
	}
	switch n.Type {
	case "call_expression":
		fn := jsast.Unwrap(n.ChildByField("function"))
		if fn == nil || fn.Type != "member_expression" {
			return nil
		}
		out := m.procedureChain(ctx, f, fn.ChildByField("object"), depth)
		if f.Text(fn.ChildByField("property")) == "use" {
			if args := jsast.Args(n); len(args) > 0 {
				out = append(out, m.procedureMiddleware(ctx, f, args[0]))
			}
		}
		return out
	case "identifier":
		name := f.Text(n)
		if v := f.LocalValue(name); v != nil {
			return m.procedureChain(ctx, f, v, depth+1)
		}
		o, ok, err := m.origin(ctx, f, name)
		if err != nil {
			return []Layer{{Name: name, Location: Location{File: f.Path, Line: n.Line}, Gate: GateUnknown, Via: ViaProcedure,
				Why: fmt.Sprintf("the procedure base `%s` could not be read: %v", name, err)}}
		}
		if !ok || o.Module.Kind != modules.File {
			if ok && o.Module.Kind == modules.External {
				return []Layer{{Name: name, Location: Location{File: f.Path, Line: n.Line}, Gate: GateUnknown, Via: ViaProcedure,
					Why: fmt.Sprintf("the procedure base `%s` comes from %s", name, o.Module.String())}}
			}
			return nil
		}
		of, v, err := m.originValue(ctx, o)
		if err != nil || v == nil {
			return []Layer{{Name: name, Location: Location{File: f.Path, Line: n.Line}, Gate: GateUnknown, Via: ViaProcedure,
				Why: fmt.Sprintf("the procedure base `%s` could not be followed", name)}}
		}
		return m.procedureChain(ctx, of, v, depth+1)
	case "member_expression":
		return m.trpcContextLayer(ctx, f, n) // t.procedure: the bare base
	}
	return nil
}

// procedureMiddleware analyses one .use() middleware as a function of the
// options { ctx, input, next }: it rejects when a signed-out caller never
// completes it (a TRPCError thrown before next()).
func (m *Model) procedureMiddleware(ctx context.Context, f *jsast.File, arg *jsast.Node) Layer {
	name := clip(strings.TrimSpace(f.Text(arg)), 40)
	l := Layer{Name: name, Location: Location{File: f.Path, Line: arg.Line}, Via: ViaProcedure}
	ref, err := m.resolveFunc(ctx, f, middlewareFn(f, arg), nil, 0)
	if err != nil {
		l.Gate, l.Why = GateUnknown, fmt.Sprintf("the middleware `%s` could not be followed", name)
		return l
	}
	s := m.summarize(ctx, ref.file, ref.fn, roleHandler, []ParamRole{ParamTRPCOptions}, 0, nil)
	if s.cont == no && len(s.checks) > 0 {
		l.Gate = GateRejects
		for _, c := range s.checks {
			l.Proof = append(l.Proof, c.Proof)
			l.Authz |= c.authz
		}
		l.Why = fmt.Sprintf("the procedure middleware `%s` (%s:%d) stops signed-out callers", name, ref.file.Path, ref.fn.Line)
		return l
	}
	if len(s.unknown) > 0 {
		l.Gate, l.Why = GateUnknown, s.unknown[0]
		return l
	}
	l.Gate = GateNone
	return l
}

// middlewareFn unwraps t.middleware(fn) (and a binding of it) to fn.
func middlewareFn(f *jsast.File, n *jsast.Node) *jsast.Node {
	n = jsast.Unwrap(n)
	if n != nil && n.Type == "identifier" {
		if v := f.LocalValue(f.Text(n)); v != nil {
			n = jsast.Unwrap(v)
		}
	}
	if n != nil && n.Type == "call_expression" {
		if args := jsast.Args(n); len(args) > 0 && jsast.IsFunction(jsast.Unwrap(args[len(args)-1])) {
			return args[len(args)-1]
		}
	}
	return n
}

// trpcContextLayer returns the layer of the context factory a bare base
// (t.procedure) runs after, when that factory never reads the request:
// initTRPC.context<typeof createTRPCContext>() names it, and a factory
// that neither uses its options nor calls anything that could read the
// request or the session (Clerk's auth(), headers()) attaches no identity,
// so no procedure of that instance can know the caller. A factory that
// might is not a layer: the procedures' middleware is judged as it reads
// ctx.
func (m *Model) trpcContextLayer(ctx context.Context, f *jsast.File, base *jsast.Node) []Layer {
	cf, fn, name := m.trpcContextFn(ctx, f, jsast.Unwrap(base.ChildByField("object")))
	if fn == nil || !m.requestBlind(ctx, cf, fn, 0) {
		return nil
	}
	loc := Location{File: cf.Path, Line: fn.Line}
	if d := fn.Parent; d != nil && d.Type == "variable_declarator" {
		loc.Line = d.Line
	}
	return []Layer{{Name: name, Location: loc, Gate: GateNone, Via: ViaContext,
		Why: fmt.Sprintf("the tRPC context `%s` (%s) never reads the request, so it gives the procedures no Clerk user", name, loc)}}
}

// trpcContextFn follows a tRPC instance (t of t.procedure) to its
// initTRPC.context<typeof createContext>() call and returns the context
// factory it names, with its file and name; fn is nil when any step cannot
// be followed.
func (m *Model) trpcContextFn(ctx context.Context, f *jsast.File, inst *jsast.Node) (*jsast.File, *jsast.Node, string) {
	if inst == nil || inst.Type != "identifier" {
		return nil, nil, ""
	}
	vf, v := m.bindingValue(ctx, f, f.Text(inst))
	if v == nil {
		return nil, nil, ""
	}
	var typeArgs *jsast.Node
	jsast.Walk(v, func(n *jsast.Node) bool {
		if typeArgs != nil {
			return false
		}
		if n.Type == "call_expression" && jsast.LastSegment(vf.CalleeName(n)) == "context" {
			for _, c := range n.NamedChildren() {
				if c.Type == "type_arguments" {
					typeArgs = c
				}
			}
		}
		return typeArgs == nil
	})
	if typeArgs == nil {
		return nil, nil, ""
	}
	name := typeofName(vf, typeArgs)
	if name == "" {
		// initTRPC.context<Context>() where type Context =
		// Awaited<ReturnType<typeof createContext>> in the same file.
		if ids := typeArgs.NamedChildren(); len(ids) == 1 && ids[0].Type == "type_identifier" {
			alias := vf.Text(ids[0])
			for _, st := range vf.Root.Children {
				d := st
				if st.Type == "export_statement" && st.ChildByField("declaration") != nil {
					d = st.ChildByField("declaration")
				}
				if d.Type == "type_alias_declaration" && vf.Text(d.ChildByField("name")) == alias {
					name = typeofName(vf, d.ChildByField("value"))
				}
			}
		}
	}
	if name == "" {
		return nil, nil, ""
	}
	cf, fn := m.bindingValue(ctx, vf, name)
	if fn == nil || !jsast.IsFunction(fn) {
		return nil, nil, ""
	}
	return cf, fn, name
}

// typeofName returns X of the first `typeof X` under n.
func typeofName(f *jsast.File, n *jsast.Node) string {
	var out string
	jsast.Walk(n, func(x *jsast.Node) bool {
		if out != "" {
			return false
		}
		if x.Type == "type_query" {
			if c := x.NamedChildren(); len(c) == 1 && c[0].Type == "identifier" {
				out = f.Text(c[0])
			}
			return false
		}
		return true
	})
	return out
}

// bindingValue returns the value a top-level name of f is bound to, in f
// or, through its import, in the file that declares it.
func (m *Model) bindingValue(ctx context.Context, f *jsast.File, name string) (*jsast.File, *jsast.Node) {
	if v := f.LocalValue(name); v != nil {
		return f, jsast.Unwrap(v)
	}
	o, ok, err := m.origin(ctx, f, name)
	if err != nil || !ok || o.Module.Kind != modules.File {
		return nil, nil
	}
	of, v, err := m.originValue(ctx, o)
	if err != nil || v == nil {
		return nil, nil
	}
	return of, jsast.Unwrap(v)
}

// requestBlind reports whether a function's result cannot depend on the
// request or a session: it uses its parameters only to pass them whole to
// functions that are request-blind themselves, and every call it makes is
// to a function of the repository that is request-blind too (followed
// MaxDepth deep). Any other call (Clerk's auth(), headers(), a method of
// a library) might read the request or the session, and so might a
// function the model cannot follow: then it is not blind. Values it
// names (an imported data client) are not calls. A tRPC context factory
// that is request-blind attaches no identity; an UploadThing
// `.middleware()` that is one answers the same for every caller (a
// placeholder `const auth = (req) => ({ id: 'fakeId' })`).
func (m *Model) requestBlind(ctx context.Context, f *jsast.File, fn *jsast.Node, depth int) bool {
	if depth > MaxDepth || ctx.Err() != nil {
		return false
	}
	ps := map[string]bool{}
	for _, p := range jsast.ParamPatterns(fn) {
		jsast.Walk(p, func(x *jsast.Node) bool {
			if x.Type == "identifier" || x.Type == "shorthand_property_identifier_pattern" {
				ps[f.Text(x)] = true
			}
			return true
		})
	}
	body := jsast.FunctionBody(fn)
	if body == nil {
		return false
	}
	blind := true
	jsast.Walk(body, func(x *jsast.Node) bool {
		if !blind {
			return false
		}
		switch x.Type {
		case "identifier", "shorthand_property_identifier":
			if ps[f.Text(x)] || f.Text(x) == "arguments" {
				blind = false
			}
		case "this":
			blind = false
		case "new_expression":
			if c := jsast.Unwrap(x.ChildByField("constructor")); c == nil || c.Type != "identifier" {
				blind = false
			}
			// new PrismaClient(): a client constructed, not the request read.
		case "call_expression":
			callee := jsast.Unwrap(x.ChildByField("function"))
			if root := rootIdent(callee); root != nil && builtinRoots[f.Text(root)] && f.LocalValue(f.Text(root)) == nil {
				if _, imported := f.ImportOf(f.Text(root)); !imported {
					return true // Date.now(), JSON.stringify(x): a global's method; its arguments are looked at
				}
			}
			if callee == nil || callee.Type != "identifier" || ps[f.Text(callee)] {
				blind = false
				return false
			}
			cf, cfn := m.bindingValue(ctx, f, f.Text(callee))
			if cfn == nil || !jsast.IsFunction(cfn) || !m.requestBlind(ctx, cf, cfn, depth+1) {
				blind = false
				return false
			}
			for _, a := range jsast.Args(x) {
				if a = jsast.Unwrap(a); a.Type != "identifier" || !ps[f.Text(a)] {
					// A parameter passed whole goes to a blind function;
					// anything else is looked at.
					jsast.Walk(a, func(y *jsast.Node) bool {
						if y.Type == "identifier" || y.Type == "shorthand_property_identifier" {
							blind = blind && !ps[f.Text(y)]
						}
						return blind
					})
				}
			}
			return false
		}
		return true
	})
	return blind
}
