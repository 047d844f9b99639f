package model

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"path"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// nuxtAdapter lists the server routes of Nuxt apps (Nitro): every
// default export of server/api/** (under /api) and server/routes/**, with
// its URL path from the file path (`[id]` and `[...slug]` segments, an
// `index` file for its directory, a `.get.ts` method suffix), and the
// chain in front of it: Clerk's module middleware (registered by
// `@clerk/nuxt` unless `skipServerMiddleware`), then every
// server/middleware/* file in file-name order, each evaluated for the
// route's path (Nitro runs them for every request), then the handler's
// own onRequest hooks. Route middleware (middleware/*.ts) only runs on
// page navigation and is recorded as a layer that guards nothing.
//
// Conventions: https://nuxt.com/docs/guide/directory-structure/server
// (server/api, server/routes, server/middleware "run on every request
// ... in alphabetical order", method suffixes, [param] and [...slug]);
// https://nuxt.com/docs/guide/directory-structure/middleware (route
// middleware runs on navigation); https://clerk.com/docs/reference/nuxt/clerk-middleware
// (the module registers clerkMiddleware unless skipServerMiddleware).
type nuxtAdapter struct{}

func (nuxtAdapter) Framework() Framework { return knowledge.Nuxt }

func (nuxtAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.nuxt.get(func() ([]*Entry, error) { return nuxtEntries(ctx, m) })
}

func (a nuxtAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	return m.entriesOfDep(ctx, a, "nuxt", p)
}

// entriesOfDep is EntriesOf of an adapter that lists every entry at once,
// for the apps of packages that depend on dep: nothing is computed for a
// snapshot without one.
func (m *Model) entriesOfDep(ctx context.Context, a Adapter, dep, p string) ([]*Entry, error) {
	if len(m.packageRoots(dep)) == 0 {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return entriesIn(es, p), err
}

// packageRoots returns the directories of the packages that depend on dep
// ("" for the repository root), each with a trailing slash.
func (m *Model) packageRoots(dep string) []string {
	var out []string
	for _, pk := range m.proj.Packages {
		if _, ok := pk.Deps[dep]; ok && !strings.Contains(pk.Dir, "node_modules") {
			d := pk.Dir
			if d != "" {
				d += "/"
			}
			out = append(out, d)
		}
	}
	return out
}

// entriesIn returns the entries declared in the file at p or whose
// handler it holds.
func entriesIn(es []*Entry, p string) []*Entry {
	var out []*Entry
	for _, e := range es {
		if e.File == p || e.Handler.File == p {
			out = append(out, e)
		}
	}
	return out
}

// nitroHandlerDefs are Nitro's (h3's) handler definitions: not wrappers
// around a handler, the handler itself.
var nitroHandlerDefs = map[string]bool{"defineEventHandler": true, "eventHandler": true,
	"defineCachedEventHandler": true, "cachedEventHandler": true, "defineLazyEventHandler": true}

// nuxtRoute returns the URL path and method of a server route file below
// root, or ok=false.
func nuxtRoute(root, p string) (urlPath, method string, ok bool) {
	for _, dir := range []string{"server/api/", "server/routes/"} {
		rel, found := strings.CutPrefix(p, root+dir)
		if !found || !modules.IsModule(p) || strings.HasSuffix(p, ".d.ts") {
			continue
		}
		rel = strings.TrimSuffix(rel, path.Ext(rel))
		method = "ALL"
		if i := strings.LastIndexByte(rel, '.'); i >= 0 && !strings.Contains(rel[i:], "/") {
			if mm, ok := knowledge.HTTPMethod(strings.ToUpper(rel[i+1:])); ok && mm.Name != "ALL" {
				method, rel = mm.Name, rel[:i]
			}
		}
		if rel == "index" {
			rel = ""
		}
		rel = strings.TrimSuffix(rel, "/index")
		urlPath = "/" + rel
		if dir == "server/api/" {
			urlPath = strings.TrimSuffix("/api/"+rel, "/")
		}
		return urlPath, method, true
	}
	return "", "", false
}

func nuxtEntries(ctx context.Context, m *Model) ([]*Entry, error) {
	roots := m.packageRoots("nuxt")
	if len(roots) == 0 {
		return nil, nil
	}
	var out []*Entry
	for p, root := range m.appFiles(roots) {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		urlPath, method, ok := nuxtRoute(root, p)
		if !ok {
			continue
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: err.Error()})
			continue
		}
		for _, ex := range f.Exports() {
			if ex.Name != "default" || ex.Stmt == nil {
				continue
			}
			e := &Entry{Framework: knowledge.Nuxt, Kind: ServerRoute, Methods: []string{method}, Path: urlPath, PathKnown: true,
				File: p, Line: ex.Stmt.Line, EndLine: ex.Stmt.EndLine, Name: "default", Params: []ParamRole{ParamRequest}}
			v, hooks := nitroHandler(f, ex.Value)
			fn, fnFile, wrappers, why := m.unwrapHandler(ctx, f, v)
			e.Fn, e.FnFile, e.Unresolved = fn, fnFile, why
			for _, w := range wrappers {
				if !nitroHandlerDefs[jsast.LastSegment(w.Name)] {
					e.Wrappers = append(e.Wrappers, w)
				}
			}
			if fn != nil {
				e.Handler = Location{File: fnFile.Path, Line: fn.Line}
			}
			at := requestAt{path: urlPath, method: knownMethod(e.Methods)}
			e.Chain = m.nuxtChain(ctx, root, at)
			for _, h := range hooks {
				if hf, hfFile, _, _ := m.unwrapHandler(ctx, f, h); hf != nil {
					e.Chain = append(e.Chain, m.pathGate(ctx, hfFile, hf, at, "onRequest", ViaWrapper))
				}
			}
			e.Public = conventionPublic(urlPath, false)
			out = append(out, e)
		}
	}
	return withFacets(out), nil
}

// appFiles yields the snapshot's paths that lie in one of the app
// directories roots, each with the innermost app's root.
func (m *Model) appFiles(roots []string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, p := range m.fs.Paths() {
			if root, ok := appRootOf(roots, p); ok && !yield(p, root) {
				return
			}
		}
	}
}

// appRootOf returns the innermost of roots that p lies in.
func appRootOf(roots []string, p string) (string, bool) {
	best, ok := "", false
	for _, r := range roots {
		if strings.HasPrefix(p, r) && (!ok || len(r) > len(best)) {
			best, ok = r, true
		}
	}
	return best, ok
}

// nitroHandler returns the handler value of a server route's default
// export and its onRequest hooks: defineEventHandler(fn) is fn;
// defineEventHandler({ onRequest, handler }) is handler, after the hooks.
func nitroHandler(f *jsast.File, v *jsast.Node) (*jsast.Node, []*jsast.Node) {
	call := jsast.Unwrap(v)
	if call == nil || call.Type != "call_expression" || !nitroHandlerDefs[jsast.LastSegment(f.CalleeName(call))] {
		return v, nil
	}
	args := jsast.Args(call)
	if len(args) == 0 {
		return v, nil
	}
	obj := jsast.Unwrap(args[0])
	if obj == nil || obj.Type != "object" {
		return args[0], nil
	}
	var hooks []*jsast.Node
	if h := jsast.Unwrap(f.ObjectProp(obj, "onRequest")); h != nil {
		if h.Type == "array" {
			hooks = append(hooks, h.NamedChildren()...)
		} else {
			hooks = append(hooks, h)
		}
	}
	if h := f.ObjectProp(obj, "handler"); h != nil {
		return h, hooks
	}
	return v, hooks
}

// nuxtChain returns the layers in front of a server route of the app at
// root for a request to urlPath.
func (m *Model) nuxtChain(ctx context.Context, root string, at requestAt) []Layer {
	var out []Layer
	if l, ok := m.nuxtModuleLayer(ctx, root); ok {
		out = append(out, l)
	}
	var routeMws []string
	for _, p := range m.fs.Paths() {
		rel, ok := strings.CutPrefix(p, root)
		if ok && modules.IsModule(p) && (strings.HasPrefix(rel, "middleware/") || strings.HasPrefix(rel, "app/middleware/")) {
			routeMws = append(routeMws, p)
		}
	}
	for _, p := range m.nuxtServerMiddlewareFiles(root) {
		out = append(out, m.nuxtServerMiddleware(ctx, p, at))
	}
	for _, p := range routeMws {
		sf, err := m.fs.Get(ctx, p)
		if err != nil || !bytes.Contains(sf.Content, []byte("defineNuxtRouteMiddleware")) {
			continue
		}
		if !bytes.Contains(sf.Content, []byte("useAuth")) && !bytes.Contains(sf.Content, []byte("isSignedIn")) && !bytes.Contains(sf.Content, []byte("userId")) {
			continue
		}
		line := 1 + bytes.Count(sf.Content[:bytes.Index(sf.Content, []byte("defineNuxtRouteMiddleware"))], []byte("\n"))
		out = append(out, Layer{Name: path.Base(p), Location: Location{File: p, Line: line}, Gate: GateNone, Via: ViaMiddleware,
			Why: fmt.Sprintf("the route middleware %s only guards page navigation; it never runs for server routes", p)})
	}
	return out
}

// nuxtModuleLayer is the clerkMiddleware() that the @clerk/nuxt module
// registers, unless nuxt.config sets clerk.skipServerMiddleware.
func (m *Model) nuxtModuleLayer(ctx context.Context, root string) (Layer, bool) {
	cfg, ok := m.nuxtClerkConfig(ctx, root)
	if !ok {
		return Layer{}, false
	}
	if cfg.Skipped {
		why := "skipServerMiddleware: true, so the @clerk/nuxt module registers no clerkMiddleware(): event.context.auth is set only by a server middleware that calls it"
		switch regs, unread := m.nuxtClerkRegistrations(ctx, root); {
		case len(regs) > 0:
			why = fmt.Sprintf("skipServerMiddleware: true; the server middleware %s registers clerkMiddleware() instead", regs[0].File)
		case !unread:
			why = "skipServerMiddleware: true and no server middleware calls clerkMiddleware(): event.context.auth is never set, so a handler that reads it has no identity for any caller"
		}
		return Layer{Name: "@clerk/nuxt (skipServerMiddleware)", Location: cfg.Config, Gate: GateNone, Via: ViaMiddleware, Why: why}, true
	}
	return Layer{Name: "clerkMiddleware() (@clerk/nuxt module)", Location: cfg.Config, Gate: GateAttaches, Via: ViaMiddleware,
		Why: "the @clerk/nuxt module's clerkMiddleware() only attaches the identity; it never rejects a signed-out request"}, true
}

// NuxtClerk is how Clerk's server middleware is set up in one Nuxt app
// that uses the @clerk/nuxt module.
type NuxtClerk struct {
	Root string // the app's directory, "" or ending in "/"
	// Config is the nuxt.config line that sets skipServerMiddleware, or
	// the one that names @clerk/nuxt.
	Config Location
	// Skipped: clerk.skipServerMiddleware is true, so the module registers
	// no clerkMiddleware() (https://clerk.com/docs/reference/nuxt/clerk-middleware).
	Skipped bool
	// Registered are the server/middleware calls of Clerk's
	// clerkMiddleware() (Nitro runs every server middleware for every
	// request): the documented way to configure it by hand.
	Registered []Location
	// Unread is set when a server middleware could not be read: whether
	// it registers clerkMiddleware() is unknown.
	Unread bool
}

// Runs reports whether Clerk's server middleware attaches
// event.context.auth in the app (known false when a server middleware
// could not be read and none registers it).
func (c NuxtClerk) Runs() (runs, known bool) {
	if !c.Skipped || len(c.Registered) > 0 {
		return true, true
	}
	return false, !c.Unread
}

// NuxtClerk answers, for every Nuxt app using @clerk/nuxt, whether the
// module's server middleware runs and which server middleware registers
// clerkMiddleware() instead.
func (m *Model) NuxtClerk(ctx context.Context) ([]NuxtClerk, error) {
	var out []NuxtClerk
	for _, root := range m.packageRoots("nuxt") {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		cfg, ok := m.nuxtClerkConfig(ctx, root)
		if !ok {
			continue
		}
		cfg.Registered, cfg.Unread = m.nuxtClerkRegistrations(ctx, root)
		out = append(out, cfg)
	}
	return out, nil
}

// nuxtClerkRegistrations returns the calls of Clerk's attaching
// middleware (clerkMiddleware(), by rules/knowledge) in the app's server
// middleware; unread is set when one of those files could not be read.
func (m *Model) nuxtClerkRegistrations(ctx context.Context, root string) (regs []Location, unread bool) {
	for _, p := range m.nuxtServerMiddlewareFiles(root) {
		f, err := m.parse(ctx, p)
		if err != nil {
			unread = true
			continue
		}
		for _, c := range f.Calls(f.Root, func(n string) bool { return !strings.Contains(n, ".") }) {
			callee := jsast.Unwrap(c.ChildByField("function"))
			if callee == nil || callee.Type != "identifier" {
				continue
			}
			if exp, pkg := m.clerkExportOf(ctx, f, f.Text(callee)); exp != "" {
				if mw, ok := knowledge.MiddlewareOf(pkg, exp); ok && mw.Gate == knowledge.Attaches {
					regs = append(regs, Location{File: p, Line: c.Line})
				}
			}
		}
	}
	return regs, unread
}

// nuxtClerkConfig reads the app's nuxt.config: ok is false when it does
// not use the @clerk/nuxt module.
func (m *Model) nuxtClerkConfig(ctx context.Context, root string) (NuxtClerk, bool) {
	for _, ext := range []string{"ts", "js", "mjs"} {
		p := root + "nuxt.config." + ext
		sf, err := m.fs.Get(ctx, p)
		if err != nil {
			continue
		}
		if !bytes.Contains(sf.Content, []byte("@clerk/nuxt")) {
			return NuxtClerk{}, false
		}
		c := NuxtClerk{Root: root, Config: Location{File: p, Line: 1 + bytes.Count(sf.Content[:bytes.Index(sf.Content, []byte("@clerk/nuxt"))], []byte("\n"))}}
		if !bytes.Contains(sf.Content, []byte("skipServerMiddleware")) {
			return c, true
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			return c, true
		}
		for _, pr := range jsast.Find(f.Root, "pair") {
			k, v := pr.ChildByField("key"), jsast.Unwrap(pr.ChildByField("value"))
			if k != nil && v != nil && strings.Trim(f.Text(k), `"'`) == "skipServerMiddleware" && v.Type == "true" {
				c.Config.Line, c.Skipped = pr.Line, true
				break
			}
		}
		return c, true
	}
	return NuxtClerk{}, false
}

// nuxtServerMiddlewareFiles returns the app's server/middleware modules
// in file-name order (the order Nitro runs them in).
func (m *Model) nuxtServerMiddlewareFiles(root string) []string {
	var mws []string
	for _, p := range m.fs.Paths() {
		rel, ok := strings.CutPrefix(p, root)
		if ok && modules.IsModule(p) && strings.HasPrefix(rel, "server/middleware/") && !strings.Contains(strings.TrimPrefix(rel, "server/middleware/"), "/") {
			mws = append(mws, p)
		}
	}
	sort.Strings(mws)
	return mws
}

// nuxtServerMiddleware evaluates one server/middleware file for a request
// to urlPath.
func (m *Model) nuxtServerMiddleware(ctx context.Context, p string, at requestAt) Layer {
	urlPath := at.path
	name := path.Base(p)
	unknown := func(why string) Layer {
		return Layer{Name: name, Location: Location{File: p, Line: 1}, Gate: GateUnknown, Via: ViaMiddleware, Why: why}
	}
	f, err := m.parse(ctx, p)
	if err != nil {
		return unknown(fmt.Sprintf("the server middleware %s could not be read: %v", p, err))
	}
	for _, ex := range f.Exports() {
		if ex.Name != "default" {
			continue
		}
		v := jsast.Unwrap(ex.Value)
		clerk := ""
		if v != nil && v.Type == "call_expression" {
			callee := jsast.Unwrap(v.ChildByField("function"))
			if callee != nil && callee.Type == "identifier" {
				if exp, pkg := m.clerkExportOf(ctx, f, f.Text(callee)); exp != "" {
					clerk = exp + "()"
					if len(jsast.Args(v)) == 0 {
						mw, ok := knowledge.MiddlewareOf(pkg, exp)
						if ok && mw.Gate == knowledge.Attaches {
							return Layer{Name: clerk, Location: Location{File: p, Line: v.Line}, Gate: GateAttaches, Via: ViaMiddleware,
								Why: fmt.Sprintf("`%s` in %s only attaches the identity; it never rejects a signed-out request", clerk, p)}
						}
						return unknown(fmt.Sprintf("`%s` in %s is not a middleware the model knows", clerk, p))
					}
				}
			}
			if len(jsast.Args(v)) > 0 {
				v = jsast.Args(v)[len(jsast.Args(v))-1]
			}
		}
		fn, fnFile, _, why := m.unwrapHandler(ctx, f, v)
		if fn == nil {
			return unknown(fmt.Sprintf("the server middleware %s could not be followed: %s", p, why))
		}
		l := m.pathGate(ctx, fnFile, fn, at, name, ViaMiddleware)
		if l.Gate == GateRejects {
			// Nitro routes a percent-encoded path to the same handler,
			// but the middleware sees it as written.
			enc := encodedPath(urlPath)
			if b := m.pathGate(ctx, fnFile, fn, requestAt{path: enc, method: at.method}, name, ViaMiddleware); b.Gate == GateNone {
				l.Bypass = enc
				l.Why += fmt.Sprintf("; but it lets %s through, which routes to the same handler", enc)
			}
		}
		if clerk != "" && l.Gate == GateNone {
			l.Gate = GateAttaches
			l.Why = fmt.Sprintf("`%s` in %s attaches the identity and lets signed-out requests to %s through", clerk, p, urlPath)
		}
		return l
	}
	return Layer{Name: name, Location: Location{File: p, Line: 1}, Gate: GateNone, Via: ViaMiddleware, Why: p + " exports no handler"}
}

// encodedPath percent-encodes the first letter of every segment of a URL
// path ("/api/admin" -> "/%61pi/%61dmin"): the same route for a router
// that decodes the path, a different string for a prefix test.
func encodedPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s != "" && s[0] < 0x80 && s[0] != '[' {
			segs[i] = fmt.Sprintf("%%%02X", s[0]) + s[1:]
		}
	}
	return strings.Join(segs, "/")
}

// autoImported resolves a name a file uses without importing or declaring
// it, as a function.
func (m *Model) autoImported(ctx context.Context, f *jsast.File, name string, depth int) (fnRef, error) {
	uf, v, err := m.autoImportedValue(ctx, f, name)
	if err != nil || v == nil {
		return fnRef{}, cmpErr(err)
	}
	r, err := m.resolveFunc(ctx, uf, v, nil, depth+1)
	if err == nil {
		r.name = name
	}
	return r, err
}

// autoImportedValue returns the exported value a name a file uses
// without importing or declaring it stands for: in a Nuxt app's server/
// directory, Nitro auto-imports the exports of server/utils/*
// (https://nuxt.com/docs/guide/directory-structure/server#server-utilities).
// It returns a nil value when there is none.
func (m *Model) autoImportedValue(ctx context.Context, f *jsast.File, name string) (*jsast.File, *jsast.Node, error) {
	root, ok := appRootOf(m.packageRoots("nuxt"), f.Path)
	if !ok || !strings.HasPrefix(f.Path, root+"server/") {
		return nil, nil, nil
	}
	dir := root + "server/utils/"
	for _, p := range m.fs.Paths() {
		if !strings.HasPrefix(p, dir) || strings.Contains(p[len(dir):], "/") || !modules.IsModule(p) || p == f.Path {
			continue
		}
		uf, err := m.parse(ctx, p)
		if err != nil {
			return nil, nil, err
		}
		for _, ex := range uf.Exports() {
			if ex.Name == name && ex.Value != nil {
				return uf, ex.Value, nil
			}
		}
	}
	return nil, nil, nil
}

// cmpErr is err, or errNotFound when there is no error.
func cmpErr(err error) error {
	if err == nil {
		return errNotFound
	}
	return err
}

// nitroHandlerFn returns the function of a defineEventHandler(fn) call,
// or nil.
func nitroHandlerFn(f *jsast.File, call *jsast.Node) *jsast.Node {
	call = jsast.Unwrap(call)
	if call == nil || call.Type != "call_expression" || !nitroHandlerDefs[jsast.LastSegment(f.CalleeName(call))] {
		return nil
	}
	if args := jsast.Args(call); len(args) > 0 && jsast.IsFunction(jsast.Unwrap(args[0])) {
		return jsast.Unwrap(args[0])
	}
	return nil
}
