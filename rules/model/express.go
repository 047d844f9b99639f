package model

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// expressAdapter lists the routes of Express applications: every
// app.METHOD/router.METHOD registration, with the path prefixes of the
// routers it is mounted through (across files) and the middleware that
// runs before it in registration order: app.use and router.use layers
// registered earlier on a covering path, the middleware of each mount,
// and the route's own middleware arguments. Clerk's middleware is
// classified by rules/knowledge (clerkMiddleware() and
// ClerkExpressWithAuth() attach; requireAuth() redirects;
// ClerkExpressRequireAuth() rejects); the application's own middleware by
// analysing it as middleware (a guard never calls next() for a signed-out
// caller).
type expressAdapter struct{}

func (expressAdapter) Framework() Framework { return knowledge.Express }

// expressRun is one listing of the Express entries.
type expressRun struct {
	m       *Model
	ctx     context.Context
	servers map[string]*project.NodeServer // by file; nil when the file has no app
	visited map[string]bool
	mounted map[*project.NodeApp]bool
	walked  map[*project.NodeApp]bool
	out     []*Entry
}

// scopedLayer is a use() layer and the path it is mounted at.
type scopedLayer struct {
	Layer
	pattern string
	known   bool
}

func (expressAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.express.get(func() ([]*Entry, error) { return expressEntries(ctx, m) })
}

func (a expressAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if !m.maybeExpress(p) {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return entriesIn(es, p), err
}

// entriesIn returns the entries declared in the file at p or handled by
// a function in it.
func entriesIn(es []*Entry, p string) []*Entry {
	var out []*Entry
	for _, e := range es {
		if e.File == p || e.Handler.File == p {
			out = append(out, e)
		}
	}
	return out
}

// maybeExpress reports whether p belongs to a package that depends on
// express, so that asking about other files costs nothing.
func (m *Model) maybeExpress(p string) bool {
	pk := m.proj.PackageFor(p)
	if pk == nil {
		return false
	}
	if _, ok := pk.Deps["express"]; ok {
		return true
	}
	for _, q := range m.proj.Packages {
		if _, ok := q.Deps["express"]; ok && (q.Dir == "" || strings.HasPrefix(p, q.Dir+"/")) {
			return true
		}
	}
	return false
}

func expressEntries(ctx context.Context, m *Model) ([]*Entry, error) {
	files := m.expressFiles()
	if len(files) == 0 {
		return nil, nil
	}
	r := &expressRun{m: m, ctx: ctx, servers: map[string]*project.NodeServer{}, visited: map[string]bool{},
		mounted: map[*project.NodeApp]bool{}, walked: map[*project.NodeApp]bool{}}
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
			if a.Framework == project.FrameworkExpress {
				apps = append(apps, a)
			}
		}
	}
	// Mounts across files: an app or router some app mounts is not a root.
	for _, a := range apps {
		for _, reg := range a.Regs {
			if reg.Kind != project.RegUse {
				continue
			}
			for _, arg := range project.FlattenArgs(reg.Args) {
				if sub := r.subApp(a.Server().File, arg); sub != nil && sub != a {
					r.mounted[sub] = true
				}
			}
		}
	}
	for _, a := range apps {
		if !a.Router && !r.mounted[a] {
			r.walk(a, nil, a.Prefix, true, nil, 0)
		}
	}
	// Routers nothing mounts (or mounted by code the model does not
	// follow): listed with an unknown prefix and an unknown chain.
	for _, a := range apps {
		if r.walked[a] || r.mounted[a] {
			continue
		}
		unknown := scopedLayer{Layer: Layer{Name: "(mount unknown)", Location: Location{File: a.Server().File.Path, Line: a.Decl.Line},
			Gate: GateUnknown, Via: ViaRouterUse, Why: fmt.Sprintf("no file the model follows mounts `%s`, so the middleware in front of it is unknown", a.Name)}}
		r.walk(a, []scopedLayer{unknown}, "", false, nil, 0)
	}
	sort.SliceStable(r.out, func(i, j int) bool {
		return r.out[i].File < r.out[j].File || r.out[i].File == r.out[j].File && r.out[i].Line < r.out[j].Line
	})
	return withFacets(r.out), nil
}

// expressFiles returns the module files of packages that depend on
// express (and of the repository when the root package does), which
// mention express.
func (m *Model) expressFiles() []string {
	var dirs []string
	for _, pk := range m.proj.Packages {
		if _, ok := pk.Deps["express"]; ok && !strings.Contains(pk.Dir, "node_modules") {
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
					if _, ok := pk.Deps["express"]; !ok && pk.Dir != "" {
						break // a nested package without express
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
// creates no app or router), parsed once per run.
func (r *expressRun) server(p string) *project.NodeServer {
	if s, ok := r.servers[p]; ok {
		return s
	}
	r.servers[p] = nil
	sf, err := r.m.fs.Get(r.ctx, p)
	if err != nil {
		r.m.notes.add(Note{Where: p, What: fmt.Sprintf("not read, so its routes are not listed: %v", err)})
		return nil
	}
	if !bytes.Contains(sf.Content, []byte("express")) && !bytes.Contains(sf.Content, []byte("Router")) {
		return nil
	}
	f, err := r.m.parse(r.ctx, p)
	if err != nil {
		r.m.notes.add(Note{Where: p, What: err.Error()})
		return nil
	}
	s := project.ParseNodeServer(f)
	r.servers[p] = s
	return s
}

// walk visits an app's registrations in order, with the layers inherited
// from its mount points.
func (r *expressRun) walk(app *project.NodeApp, inherited []scopedLayer, prefix string, known bool, mounts []Location, depth int) {
	f := app.Server().File
	key := fmt.Sprintf("%s:%d:%s", f.Path, app.Decl.Start, prefix)
	if r.visited[key] || depth > MaxMountDepth {
		return
	}
	r.visited[key] = true
	r.walked[app] = true
	active := append([]scopedLayer(nil), inherited...)
	for _, reg := range app.Regs {
		switch reg.Kind {
		case project.RegUse:
			pat := project.JoinPath(prefix, reg.Path)
			patKnown := known && (reg.PathKnown || !reg.HasPath)
			var chain []scopedLayer
			for _, a := range project.FlattenArgs(reg.Args) {
				if sub := r.subApp(f, a); sub != nil && sub != app {
					layers := append(append([]scopedLayer(nil), active...), chain...)
					ms := append(append([]Location(nil), mounts...), Location{File: f.Path, Line: reg.Line})
					r.walk(sub, layers, project.JoinPath(pat, sub.Prefix), patKnown, ms, depth+1)
					continue
				}
				l := r.m.expressLayer(r.ctx, f, a, ViaRouterUse)
				chain = append(chain, scopedLayer{Layer: l, pattern: pat, known: patKnown})
			}
			active = append(active, chain...)
		case project.RegRoute:
			r.route(app, reg, active, prefix, known, mounts)
		}
	}
}

func (l scopedLayer) covers(p string, known bool) bool {
	if !l.known || !known {
		return true
	}
	return project.PathCovers(l.pattern, p)
}

// route adds the entry of one route registration.
func (r *expressRun) route(app *project.NodeApp, reg *project.Registration, active []scopedLayer, prefix string, known bool, mounts []Location) {
	f := app.Server().File
	full := project.JoinPath(prefix, reg.Path)
	pathKnown := known && reg.PathKnown
	e := &Entry{Framework: knowledge.Express, Kind: ExpressRoute, Methods: []string{reg.Method}, Path: full, PathKnown: pathKnown,
		File: f.Path, Line: reg.Line, EndLine: reg.Call.EndLine, Params: []ParamRole{ParamRequest, ParamResponse, ParamNext},
		Mounts: mounts}
	if app.Router && strings.HasPrefix(active0Name(active), "(mount unknown)") {
		e.Kind = RouterRoute
	}
	e.Name = reg.Method + " " + full
	for _, l := range active {
		if l.covers(full, pathKnown) {
			e.Chain = append(e.Chain, l.Layer)
		}
	}
	for _, mw := range project.FlattenArgs(reg.Middleware()) {
		e.Chain = append(e.Chain, r.m.expressLayer(r.ctx, f, mw, ViaMiddleware))
	}
	h := reg.Handler()
	fn, fnFile, wrappers, why := r.m.unwrapHandler(r.ctx, f, h)
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

// subApp resolves a use() argument to an app or router: of the same file,
// or exported by another (a default or named export, a require, a
// namespace member, a factory that returns a router).
func (r *expressRun) subApp(f *jsast.File, n *jsast.Node) *project.NodeApp {
	n = jsast.Unwrap(n)
	if n == nil {
		return nil
	}
	s := r.server(f.Path)
	if s != nil {
		if a := s.AppOf(n); a != nil {
			return a
		}
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
			return r.appOfValue(f, lv)
		}
		o, ok, err := r.m.origin(r.ctx, f, name)
		if err != nil || !ok || o.Module.Kind != modules.File {
			return nil
		}
		of, ov, err := r.m.originValue(r.ctx, o)
		if err != nil || ov == nil {
			if err == nil && o.Name == "*" {
				// require('./routes') bound to a name: module.exports
				of, ov, err = r.m.originValue(r.ctx, modules.Origin{Module: o.Module, Name: "default"})
			}
			if err != nil || ov == nil {
				return nil
			}
		}
		target, v = of, ov
	case "call_expression":
		callee := f.CalleeName(n)
		if callee == "require" || jsast.Unwrap(n.ChildByField("function")).Type == "import" {
			args := jsast.Args(n)
			if len(args) != 1 {
				return nil
			}
			spec, ok := f.StringValue(args[0])
			if !ok {
				return nil
			}
			res, err := r.m.graph.Resolve(r.ctx, f.Path, spec)
			if err != nil || res.Kind != modules.File {
				return nil
			}
			of, ov, err := r.m.originValue(r.ctx, modules.Origin{Module: res, Name: "default"})
			if err != nil || ov == nil {
				return nil
			}
			target, v = of, ov
		} else {
			return r.appOfValue(f, n)
		}
	case "member_expression":
		obj := jsast.Unwrap(n.ChildByField("object"))
		if obj == nil || obj.Type != "identifier" {
			return nil
		}
		o, ok, err := r.m.origin(r.ctx, f, f.Text(obj)+"."+f.Text(n.ChildByField("property")))
		if err != nil || !ok || o.Module.Kind != modules.File {
			return nil
		}
		of, ov, err := r.m.originValue(r.ctx, o)
		if err != nil || ov == nil {
			return nil
		}
		target, v = of, ov
	default:
		return nil
	}
	return r.appOfValue(target, v)
}

// appOfValue finds the app a value of file f denotes: the app declared
// with that value, or the router a factory call returns.
func (r *expressRun) appOfValue(f *jsast.File, v *jsast.Node) *project.NodeApp {
	v = jsast.Unwrap(v)
	s := r.server(f.Path)
	if v == nil {
		return nil
	}
	if s != nil {
		if a := s.AppOf(v); a != nil {
			return a
		}
		for _, a := range s.Apps {
			if a.Decl != nil && a.Decl.Type == "variable_declarator" && jsast.Unwrap(a.Decl.ChildByField("value")) == v {
				return a
			}
		}
	}
	if v.Type != "call_expression" {
		return nil
	}
	// A factory: createRouter() returns the router it builds.
	fr, err := r.m.resolveFunc(r.ctx, f, v.ChildByField("function"), nil, 0)
	if err != nil {
		return nil
	}
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
	return nil
}

// expressLayer classifies one Express middleware expression.
func (m *Model) expressLayer(ctx context.Context, f *jsast.File, n *jsast.Node, via Via) Layer {
	n = jsast.Unwrap(n)
	l := Layer{Name: clip(f.Text(n), 40), Location: Location{File: f.Path, Line: n.Line}, Via: via}
	if jsast.IsFunction(n) {
		l.Name = "inline middleware"
	}
	// Clerk's middleware, by the knowledge tables.
	callee := n
	if n.Type == "call_expression" {
		callee = jsast.Unwrap(n.ChildByField("function"))
	}
	if root := rootIdent(callee); root != nil {
		exp, pkg := m.clerkExportOf(ctx, f, f.Text(root))
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
				l.Gate, l.Why = GateUnknown, fmt.Sprintf("`%s` from %s may authenticate; the model does not evaluate it", l.Name, pkg)
				return l
			}
		}
		l.Gate = GateNone
		return l
	}
	ps := params(rf.fn)
	if len(ps) >= 4 {
		l.Gate = GateNone // an error handler (err, req, res, next)
		return l
	}
	s := m.summarize(ctx, rf.file, rf.fn, roleMiddleware, nil, 0, nil)
	name := rf.name
	if name == "" || name == "anonymous function" {
		name = l.Name
	}
	where := fmt.Sprintf("%s:%d", rf.file.Path, rf.fn.Line)
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
		l.Why = fmt.Sprintf("`%s` (%s) rejects signed-out requests before calling next()", name, where)
		if l.Authz&AuthzRole != 0 {
			l.Why = fmt.Sprintf("`%s` (%s) rejects signed-out requests and checks a role before calling next()", name, where)
		}
		if len(l.Proof) == 0 {
			l.Proof = []Proof{{Location: Location{File: rf.file.Path, Line: rf.fn.Line}, What: name}}
		}
	case s.cont == maybe:
		l.Gate = GateUnknown
		l.Why = fmt.Sprintf("whether `%s` (%s) rejects signed-out requests could not be decided: %s", name, where, strings.Join(s.unknown, "; "))
	default:
		l.Gate = GateNone
		if len(s.reads) > 0 {
			l.Gate = GateAttaches
			l.Why = fmt.Sprintf("`%s` (%s) reads %s but calls next() for signed-out requests too", name, where, readsWhat(s.reads))
		}
	}
	return l
}

// externalOf returns the package an identifier is imported from, when it
// is a package rather than a file of the snapshot.
func externalOf(f *jsast.File, id *jsast.Node) string {
	if id == nil {
		return ""
	}
	if im, ok := f.ImportOf(f.Text(id)); ok && !isLocalSpec(im.Source) {
		return im.Source
	}
	return ""
}
