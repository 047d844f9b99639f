package model

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// nextAdapter lists the entries of Next.js apps: App Router route
// handlers, pages and layouts, Pages Router API routes and
// getServerSideProps, and Server Actions. Which files are routes, their
// URL paths and what the middleware/proxy file does on each path come
// from rules/project's Next.js model (which evaluates matchers through
// rules/boundedre); this adapter only turns them into entries and chains.
type nextAdapter struct{}

func (nextAdapter) Framework() Framework { return knowledge.NextJS }

func (nextAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	if len(m.proj.Next) == 0 {
		return nil, nil
	}
	var out []*Entry
	for _, p := range m.fs.Paths() {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if m.proj.RouteOf(p) == nil && !m.mayHoldActions(ctx, p) {
			continue
		}
		es, err := m.nextFileEntries(ctx, p)
		if err != nil {
			return out, err
		}
		out = append(out, es...)
	}
	return out, nil
}

func (nextAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	return m.nextFileEntries(ctx, p)
}

// mayHoldActions reports whether a file of a Next.js app mentions
// 'use server' (it reads the file).
func (m *Model) mayHoldActions(ctx context.Context, p string) bool {
	a := m.proj.AppFor(p)
	if !modules.IsModule(p) || strings.Contains("/"+p, "/node_modules/") || a == nil || !m.appReached(a) {
		return false
	}
	if _, nonReq := knowledge.NonRequestPath(strings.TrimPrefix(p, a.Root+"/")); nonReq {
		return false
	}
	sf, err := m.fs.Get(ctx, p)
	if err != nil {
		m.notes.add(Note{Where: p, What: fmt.Sprintf("not read, so its Server Actions are not listed: %v", err)})
		return false
	}
	return bytes.Contains(sf.Content, []byte("use server"))
}

// appReached reports whether requests reach a Next.js app. One whose
// root lies in a test or script folder is not served; one in an example
// folder (examples/, templates/) is a demo beside the product, unless the
// repository holds no package outside such folders: a repository of
// examples ships them, and they are what its readers copy.
func (m *Model) appReached(a *project.NextApp) bool {
	k, nonReq := knowledge.NonRequestPath(path.Join(a.Root, "route.ts"))
	if !nonReq {
		return true
	}
	if k != knowledge.ExamplePath {
		return false
	}
	// Any package outside such folders (a product app of any framework,
	// a root workspace) makes the examples demos beside it.
	for _, pk := range m.proj.Packages {
		if strings.Contains("/"+pk.Dir+"/", "/node_modules/") {
			continue
		}
		if _, non := knowledge.NonRequestPath(path.Join(pk.Dir, "package.json")); !non {
			return false
		}
	}
	return true
}

// nextFileEntries returns the entries one file declares (its route
// exports and its Server Actions), computed once per file.
func (m *Model) nextFileEntries(ctx context.Context, p string) ([]*Entry, error) {
	return m.fileFacet(p).get(func() ([]*Entry, error) {
		var out []*Entry
		if r := m.proj.RouteOf(p); r != nil {
			// Below the app's root, folders are URL segments
			// (app/api/test/route.ts serves /api/test): only where the app
			// itself lives says whether requests reach it (an example app).
			if m.appReached(r.App) {
				es, err := m.nextRouteEntries(ctx, r.App, r)
				if err != nil {
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					m.notes.add(Note{Where: p, What: err.Error()})
				}
				out = append(out, es...)
			}
		}
		if m.mayHoldActions(ctx, p) {
			acts, err := m.nextActions(ctx, p)
			if err != nil && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			out = append(out, acts...)
		}
		return withFacets(out), nil
	})
}

func (m *Model) nextRouteEntries(ctx context.Context, app *project.NextApp, r *project.Route) ([]*Entry, error) {
	f, err := m.parse(ctx, r.File)
	if err != nil {
		return nil, err
	}
	exports := map[string]jsast.Export{}
	for _, ex := range f.Exports() {
		if _, dup := exports[ex.Name]; !dup {
			exports[ex.Name] = ex
		}
	}
	base := &Entry{Framework: knowledge.NextJS, Path: r.Path, PathKnown: true, File: r.File}
	var out []*Entry
	switch r.Kind {
	case project.RouteHandler:
		for _, meth := range knowledge.Methods() {
			if meth.Name == "ALL" {
				continue
			}
			ex, ok := exports[meth.Name]
			var e *Entry
			if ok {
				e = m.nextEntry(ctx, f, base, ex.Name, ex.Stmt, ex.Value)
			} else {
				e = m.nextReExport(ctx, f, base, meth.Name)
			}
			if e == nil {
				continue
			}
			e.Kind, e.Methods = RouteHandler, []string{meth.Name}
			e.Params = []ParamRole{ParamRequest, ParamRouteContext}
			if meth.Name == "GET" {
				e.ServesPublic = m.fetchedByPublicPage(ctx, e)
			}
			out = append(out, e)
		}
	case project.Page, project.Layout:
		ex, ok := exports["default"]
		if !ok {
			return nil, nil
		}
		e := m.nextEntry(ctx, f, base, "default", ex.Stmt, ex.Value)
		e.Kind, e.Methods, e.Params = Page, []string{"GET"}, []ParamRole{ParamPageProps}
		if r.Kind == project.Layout {
			e.Kind = Layout
		}
		out = append(out, e)
	case project.PagesAPI:
		ex, ok := exports["default"]
		if !ok {
			return nil, nil
		}
		e := m.nextEntry(ctx, f, base, "default", ex.Stmt, ex.Value)
		e.Kind, e.Params = PagesAPI, []ParamRole{ParamRequest, ParamResponse}
		e.Methods = pagesMethods(f, e.Fn)
		out = append(out, e)
	case project.PagesPage:
		for _, name := range []string{"getServerSideProps"} {
			ex, ok := exports[name]
			if !ok {
				continue
			}
			e := m.nextEntry(ctx, f, base, name, ex.Stmt, ex.Value)
			e.Kind, e.Methods, e.Params = GetServerSideProps, []string{"GET"}, []ParamRole{ParamGSSPContext}
			out = append(out, e)
		}
	}
	for _, e := range out {
		m.nextChain(ctx, app, r, e)
	}
	return out, nil
}

// nextEntry builds an entry for an export, unwrapping wrappers around the
// handler function.
func (m *Model) nextEntry(ctx context.Context, f *jsast.File, base *Entry, name string, stmt, val *jsast.Node) *Entry {
	e := *base
	e.Name, e.Line = name, stmt.Line
	e.EndLine = stmt.EndLine
	fn, fnFile, wrappers, why := m.unwrapHandler(ctx, f, val)
	e.Fn, e.FnFile, e.Wrappers, e.Unresolved = fn, fnFile, wrappers, why
	if fn != nil {
		e.Handler = Location{File: fnFile.Path, Line: fn.Line}
		if fnFile.Path == f.Path && fn.EndLine > e.EndLine {
			e.EndLine = fn.EndLine
		}
	} else if lib := m.libraryHandler(ctx, f, val); lib != nil {
		e.Library, e.Handler = lib, lib.Location
	}
	return &e
}

// libraryHandler recognises an exported handler that is a library's
// ready-made one: a call of a factory the knowledge tables list
// (createEdgeStoreNextHandler({ router })), directly or through a
// module-level const of this file. A factory it cannot resolve is not
// one.
func (m *Model) libraryHandler(ctx context.Context, f *jsast.File, v *jsast.Node) *LibraryHandler {
	v = jsast.Unwrap(v)
	if v != nil && v.Type == "identifier" {
		v = jsast.Unwrap(f.LocalValue(f.Text(v)))
	}
	if v == nil || v.Type != "call_expression" {
		return nil
	}
	callee := jsast.Unwrap(v.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return nil
	}
	o, ok, err := m.graph.Origin(ctx, f.Path, f.Text(callee))
	if err != nil || !ok || o.Module.Kind != modules.External {
		return nil
	}
	h, ok := knowledge.LibraryHandlerOf(o.Module.Package+o.Module.Subpath, o.Name)
	if !ok {
		return nil
	}
	lib := &LibraryHandler{LibraryHandler: h, Location: Location{File: f.Path, Line: v.Line}}
	if args := jsast.Args(v); len(args) > 0 {
		opts := jsast.Unwrap(args[0])
		if opts != nil && opts.Type == "identifier" {
			opts = jsast.Unwrap(f.LocalValue(f.Text(opts)))
		}
		// Options the model cannot read may pass the guard.
		lib.GuardSet = h.GuardOption != "" && (opts == nil || opts.Type != "object" || f.ObjectProp(opts, h.GuardOption) != nil || jsast.HasSpread(opts))
		lib.AllowAll = allowAllHooks(f, opts, h)
		lib.Routes = m.fileRoutes(ctx, f, opts, h)
	}
	return lib
}

// nextReExport follows `export { GET } from './handlers'`.
func (m *Model) nextReExport(ctx context.Context, f *jsast.File, base *Entry, name string) *Entry {
	o, ok, err := m.graph.ExportOrigin(ctx, f.Path, name)
	if err != nil || !ok || o.Module.Kind != modules.File || o.Module.Path == f.Path {
		return nil
	}
	of, v, err := m.originValue(ctx, o)
	if err != nil || v == nil {
		return nil
	}
	line := 1
	if len(o.Hops) > 0 {
		line = o.Hops[0].Line
	}
	e := *base
	e.Name, e.Line, e.EndLine = name, line, line
	fn, fnFile, wrappers, why := m.unwrapHandler(ctx, of, v)
	e.Fn, e.FnFile, e.Wrappers, e.Unresolved = fn, fnFile, wrappers, why
	if fn != nil {
		e.Handler = Location{File: fnFile.Path, Line: fn.Line}
	}
	return &e
}

// unwrapHandler finds the handler function of an exported or registered
// value, recording the wrapper calls around it: `withAuth(async () =>
// ...)`, `asyncHandler(fn)`, `export default handler`.
func (m *Model) unwrapHandler(ctx context.Context, f *jsast.File, v *jsast.Node) (*jsast.Node, *jsast.File, []Wrapper, string) {
	var wrappers []Wrapper
	for depth := 0; depth <= MaxWrapperDepth; depth++ {
		v = jsast.Unwrap(v)
		if v == nil {
			return nil, nil, wrappers, "the handler is not a function the model can follow"
		}
		if jsast.IsFunction(v) {
			if r, ok := m.forwardedMethod(ctx, f, v); ok {
				return r.fn, r.file, wrappers, "" // (c) => this.controller.remove(c)
			}
			return v, f, wrappers, ""
		}
		if vf, val := m.wrapperCallBinding(ctx, f, v); val != nil {
			f, v = vf, val // `export const h = asyncHandler(async (req, res) => ...)` in another module
			continue
		}
		if boundMethod(f, v) {
			// ctrl.list.bind(ctrl) is ctrl.list: the argument is the bound
			// `this`, not a wrapped handler.
			r, err := m.resolveFunc(ctx, f, v, nil, 0)
			if err != nil {
				return nil, nil, wrappers, fmt.Sprintf("the handler `%s` is not a function the model can follow", clip(f.Text(v), 40))
			}
			return r.fn, r.file, wrappers, ""
		}
		if v.Type != "call_expression" || isFactoryCall(f, v) {
			r, err := m.resolveFunc(ctx, f, v, nil, 0)
			if err != nil {
				if err == errNotFound {
					return nil, nil, wrappers, fmt.Sprintf("the handler `%s` is not a function the model can follow", clip(f.Text(v), 40))
				}
				return nil, nil, wrappers, fmt.Sprintf("the handler `%s` could not be followed: %v", clip(f.Text(v), 40), err)
			}
			return r.fn, r.file, wrappers, ""
		}
		args := jsast.Args(v)
		idx := handlerArg(f, args)
		if idx < 0 {
			r, err := m.resolveFunc(ctx, f, v, nil, 0)
			if err == nil {
				return r.fn, r.file, wrappers, ""
			}
			return nil, nil, wrappers, fmt.Sprintf("the handler `%s` could not be followed", clip(f.Text(v), 40))
		}
		w := Wrapper{Name: clip(f.CalleeName(v), 40), Location: Location{File: f.Path, Line: v.Line}, handlerParam: idx, call: v, callFile: f}
		if r, err := m.resolveFunc(ctx, f, v.ChildByField("function"), nil, 0); err == nil {
			w.fn, w.fnFile = r.fn, r.file
		}
		wrappers = append(wrappers, w)
		v = args[idx]
	}
	return nil, nil, wrappers, "too many nested wrappers"
}

// wrapperCallBinding returns the call a handler name is bound to when
// that call wraps a handler argument (a local or imported
// `const h = tryCatch(async (req, res) => ...)`), so the caller unwraps
// it as it unwraps the same call written in place: the wrapper is
// analysed with the handler it calls, not as a factory whose returned
// closure calls an opaque parameter. nil for any other binding (a
// function, a factory call with no handler argument, fn.bind(x)).
func (m *Model) wrapperCallBinding(ctx context.Context, f *jsast.File, v *jsast.Node) (*jsast.File, *jsast.Node) {
	if v.Type != "identifier" {
		return nil, nil
	}
	vf, val, err := m.objectValue(ctx, f, v, 0)
	if err != nil || vf == nil {
		return nil, nil
	}
	val = jsast.Unwrap(val)
	if val == nil || val.Type != "call_expression" || isFactoryCall(vf, val) {
		return nil, nil
	}
	if fn := jsast.Unwrap(val.ChildByField("function")); fn != nil && fn.Type == "member_expression" &&
		vf.Text(fn.ChildByField("property")) == "bind" {
		return nil, nil
	}
	// The wrapped argument must be a function the model follows, so a
	// factory given a client or a config (createThing(db)) stays a factory.
	h := jsast.Unwrap(jsast.Args(val)[handlerArg(vf, jsast.Args(val))])
	if !jsast.IsFunction(h) {
		if _, err := m.resolveFunc(ctx, vf, h, nil, 0); err != nil {
			return nil, nil
		}
	}
	return vf, val
}

// boundMethod reports a call `fn.bind(thisArg, ...)`.
func boundMethod(f *jsast.File, call *jsast.Node) bool {
	if call == nil || call.Type != "call_expression" {
		return false
	}
	fn := jsast.Unwrap(call.ChildByField("function"))
	return fn != nil && fn.Type == "member_expression" && f.Text(fn.ChildByField("property")) == "bind"
}

// isFactoryCall reports a call whose arguments hold no function: a
// factory whose result is the handler (createHandler({ ... })), as
// opposed to a wrapper around a handler argument.
func isFactoryCall(f *jsast.File, call *jsast.Node) bool {
	return handlerArg(f, jsast.Args(call)) < 0
}

// handlerArg returns the index of the argument that is the wrapped
// handler: the last function literal, call or identifier argument.
func handlerArg(f *jsast.File, args []*jsast.Node) int {
	for i := len(args) - 1; i >= 0; i-- {
		a := jsast.Unwrap(args[i])
		if a == nil {
			continue
		}
		if jsast.IsFunction(a) || a.Type == "call_expression" {
			return i
		}
		if a.Type == "identifier" && f.Text(a) != "undefined" {
			if lv := jsast.Unwrap(f.LocalValue(f.Text(a))); lv != nil && lv.Type == "object" {
				continue // options
			}
			return i
		}
		if a.Type == "member_expression" {
			return i
		}
	}
	return -1
}

var pagesMethodRe = regexp.MustCompile(`method\s*(?:===?|!==?)\s*['"]([A-Z]+)['"]|case\s+['"](GET|POST|PUT|PATCH|DELETE)['"]`)

// pagesMethods lists the methods a Pages Router API handler tests for, or
// ALL.
func pagesMethods(f *jsast.File, fn *jsast.Node) []string {
	if fn == nil {
		return []string{"ALL"}
	}
	seen := map[string]bool{}
	var out []string
	for _, mm := range pagesMethodRe.FindAllSubmatch(f.Src[fn.Start:fn.End], -1) {
		name := string(mm[1])
		if name == "" {
			name = string(mm[2])
		}
		if _, ok := knowledge.HTTPMethod(name); ok && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return []string{"ALL"}
	}
	sort.Strings(out)
	return out
}

// nextChain sets an entry's middleware layer (and a page's layouts) and
// its public declaration.
func (m *Model) nextChain(ctx context.Context, app *project.NextApp, r *project.Route, e *Entry) {
	probe := r.Probe()
	if l, ok := nextMiddlewareLayer(app, probe); ok {
		e.Chain = append(e.Chain, l)
	}
	if e.Kind == Page {
		e.Chain = append(e.Chain, m.layoutLayers(ctx, app, r)...)
	}
	e.Public = nextPublic(app, r.Path, probe, e.Kind == Page || e.Kind == Layout || e.Kind == GetServerSideProps)
}

// nextPublic says why a route is public: the middleware declares it, or
// its path is public by convention.
func nextPublic(app *project.NextApp, routePath, probe string, page bool) string {
	if mw := app.Middleware; mw != nil && mw.Clerk {
		if mw.Legacy && mw.IsPublic(probe) {
			return "authMiddleware() declares it public (publicRoutes or ignoredRoutes)"
		}
		for _, rm := range mw.RouteMatchers {
			if strings.Contains(strings.ToLower(rm.Name), "public") && rm.Match(probe) {
				return fmt.Sprintf("%s declares it public (%s)", path.Base(mw.File), rm.Name)
			}
		}
	}
	return conventionPublic(routePath, page)
}

// conventionPublic says why a path is public by convention; marketing
// segments make only pages public, not APIs under them.
func conventionPublic(routePath string, page bool) string {
	reason, ok := knowledge.PublicRoute(routePath)
	if !ok || (reason == knowledge.Marketing || reason == knowledge.CapabilityLink) && !page {
		return ""
	}
	return "public by convention (" + reason.String() + ")"
}

// nextMiddlewareLayer describes what the app's middleware/proxy file does
// on a request for probe.
func nextMiddlewareLayer(app *project.NextApp, probe string) (Layer, bool) {
	mw := app.Middleware
	if mw == nil {
		if len(app.MiddlewareFiles) > 0 {
			mf := app.MiddlewareFiles[0]
			return Layer{Name: path.Base(mf.File), Location: Location{File: mf.File, Line: 1}, Gate: GateNone, Via: ViaMiddleware,
				Why: fmt.Sprintf("%s is not where Next.js looks for it, so it never runs", mf.File)}, true
		}
		return Layer{}, false
	}
	base := path.Base(mw.File)
	loc := Location{File: mw.File, Line: max(mw.CallLine, mw.ExportLine, 1)}
	l := Layer{Name: base, Location: loc, Via: ViaMiddleware, byPath: mw}
	var proof []Proof
	for _, ln := range mw.HandlerLines() {
		proof = append(proof, Proof{Location: Location{File: mw.File, Line: ln}})
	}
	switch app.Protection(probe) {
	case project.Protected:
		l.Gate = GateRejects
		how := "auth.protect()"
		if mw.Legacy {
			how = "authMiddleware(), which protects every route it does not declare public"
		}
		l.Why = fmt.Sprintf("%s stops signed-out requests to %s (%s)", base, probe, how)
		l.Proof = proof
		if mw.Authorizes(probe) {
			l.Authz = AuthzRole
		}
	case project.Unprotected:
		l.Gate = GateNone
		if mw.Clerk {
			l.Gate = GateAttaches
		}
		l.Why = nextUnprotectedWhy(mw, probe)
	case project.NotRun:
		l.Gate = GateNone
		l.Why = fmt.Sprintf("%s's matcher does not run on %s", base, probe)
		if mw.MatcherLine > 0 {
			l.Location = Location{File: mw.File, Line: mw.MatcherLine}
		}
	default:
		l.Gate = GateUnknown
		switch {
		case mw.RunsOn(probe) == boundedre.Unknown:
			l.Why = fmt.Sprintf("whether %s's matcher runs on %s could not be evaluated", base, probe)
		case mw.Opaque:
			l.Why = fmt.Sprintf("%s's handler could not be evaluated (a wrapper, an imported handler, or auth passed to a helper)", base)
		default:
			l.Why = fmt.Sprintf("whether %s protects %s could not be evaluated", base, probe)
		}
	}
	return l, true
}

func nextUnprotectedWhy(mw *project.Middleware, probe string) string {
	base := path.Base(mw.File)
	switch {
	case !mw.Clerk:
		return base + " does not run Clerk's middleware"
	case mw.Legacy && mw.IsPublic(probe):
		return "authMiddleware() treats " + probe + " as public or ignored"
	case mw.Legacy:
		return "authMiddleware()'s afterAuth replaces its redirect of signed-out requests and does not stop them on " + probe
	case len(mw.RouteMatchers) > 0:
		return base + "'s route matchers do not protect " + probe
	}
	return "clerkMiddleware() in " + base + " protects no route by default"
}

// layoutLayers returns the layouts above a page whose render stops a
// signed-out visitor: a check there does not protect the page itself
// (layouts do not re-render on client-side navigation), so the gate is
// partial.
func (m *Model) layoutLayers(ctx context.Context, app *project.NextApp, r *project.Route) []Layer {
	dir := path.Dir(r.File)
	var out []Layer
	for _, lr := range app.Routes {
		if lr.Kind != project.Layout {
			continue
		}
		ld := path.Dir(lr.File)
		if ld != dir && !strings.HasPrefix(dir, ld+"/") {
			continue
		}
		f, err := m.parse(ctx, lr.File)
		if err != nil {
			out = append(out, Layer{Name: lr.File, Location: Location{File: lr.File, Line: 1}, Gate: GateUnknown, Via: ViaLayout,
				Why: fmt.Sprintf("the layout %s could not be read: %v", lr.File, err)})
			continue
		}
		for _, ex := range f.Exports() {
			if ex.Name != "default" {
				continue
			}
			fn, fnFile, _, _ := m.unwrapHandler(ctx, f, ex.Value)
			if fn == nil {
				continue
			}
			s := m.summarize(ctx, fnFile, fn, roleHandler, []ParamRole{ParamPageProps}, 0, nil)
			if s.cont == no && len(s.checks) > 0 {
				var proof []Proof
				for _, c := range s.checks {
					proof = append(proof, c.Proof)
				}
				out = append(out, Layer{Name: lr.File, Location: Location{File: lr.File, Line: fn.Line}, Gate: GatePartial, Via: ViaLayout,
					Why: "the layout " + lr.File + " stops signed-out visitors when it renders", Proof: proof})
			} else if tag, line := renderGateAround(fnFile, fn); tag != "" {
				out = append(out, Layer{Name: lr.File, Location: Location{File: lr.File, Line: fn.Line}, Gate: GatePartial, Via: ViaLayout, Hides: true,
					Why:   "the layout " + lr.File + " renders its pages only inside " + tag + ", which hides them when it renders",
					Proof: []Proof{{Location: Location{File: fnFile.Path, Line: line}, What: tag + " wraps the layout's children"}}})
			}
		}
	}
	return out
}

// nextActions lists the Server Actions of a file: the exports of a 'use
// server' module and the functions whose body starts with 'use server'.
func (m *Model) nextActions(ctx context.Context, p string) ([]*Entry, error) {
	var out []*Entry
	{
		f, err := m.parse(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: err.Error()})
			return nil, err
		}
		for _, a := range project.ServerActions(f) {
			name := a.Name
			if name == "" {
				name = "(anonymous)"
			}
			e := &Entry{Framework: knowledge.NextJS, Kind: ServerAction, Methods: []string{"POST"}, File: p, Line: a.Fn.Line,
				EndLine: a.Fn.EndLine, Name: name, Fn: a.Fn, FnFile: f, Handler: Location{File: p, Line: a.Fn.Line},
				Params: []ParamRole{ParamClientValue, ParamClientValue, ParamClientValue, ParamClientValue}}
			if app := m.proj.AppFor(p); app != nil {
				if l, ok := actionMiddlewareLayer(app); ok {
					e.Chain = append(e.Chain, l)
				}
			}
			if a.Inline {
				if enc := jsast.EnclosingFunction(a.Fn.Parent); enc != nil {
					if l, ok := m.closureLayer(ctx, f, enc, a.Fn); ok {
						e.Chain = append(e.Chain, l)
					}
				}
			} else {
				for _, ex := range f.Exports() {
					if ex.Name == a.Name && ex.Stmt != nil {
						e.Line = ex.Stmt.Line
					}
				}
				e.ServesPublic = m.actionServesPublic(ctx, p, a.Name)
				if layers, roles, ok := m.exportedActionClient(ctx, f, a.Name); ok {
					// export const act = client.inputSchema(s).action(async ({ parsedInput, ctx }) => ...)
					e.Chain, e.Params = append(e.Chain, layers...), roles
				} else if call := a.Wrap; call != nil {
					// export const act = withUser(async () => ...), createSafeAction(Schema, handler)
					w := Wrapper{Name: clip(f.CalleeName(call), 40), Location: Location{File: f.Path, Line: call.Line},
						handlerParam: handlerArg(f, jsast.Args(call)), call: call, callFile: f}
					if r, err := m.resolveFunc(ctx, f, call.ChildByField("function"), nil, 0); err == nil {
						w.fn, w.fnFile = r.fn, r.file
					}
					e.Wrappers = []Wrapper{w}
				}
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// actionServesPublic names a Client Component page that signed-out
// visitors reach by design and whose module graph calls the exported
// Server Action name of file p (through the components and hooks it
// imports, maxRenderHops deep): no middleware layer and no layout stops
// a signed-out visitor there, and a Client Component cannot check the
// session on the server itself, so what the action returns for the page
// is what the page shows every visitor. "" when none is known; only
// importers that import the action by name (or the whole module) count.
func (m *Model) actionServesPublic(ctx context.Context, p, name string) string {
	if name == "" {
		return ""
	}
	// The pages that can call it are the Next.js app's own: only its tree
	// is searched for importers (a monorepo's other apps and packages
	// are not parsed for this). An action outside every app is no claim.
	app := m.proj.AppFor(p)
	if app == nil {
		return ""
	}
	visited := map[string]bool{p: true}
	level := []string{p}
	for hop := 0; hop <= maxRenderHops && len(level) > 0 && ctx.Err() == nil; hop++ {
		var next []string
		for _, q := range level {
			eds, err := m.graph.ImportersIn(ctx, q, app.Root)
			if err != nil {
				continue // not followed: no claim
			}
			for _, ed := range eds {
				if visited[ed.From] || ed.Import.TypeOnly || hop == 0 && ed.Import.Imported != name && ed.Import.Imported != "*" {
					continue
				}
				visited[ed.From] = true
				if why := m.publicClientPage(ctx, ed.From); why != "" {
					return why
				}
				next = append(next, ed.From)
			}
		}
		level = next
	}
	return ""
}

// publicClientPage says which page p is when it is an App Router page
// that cannot stop a signed-out visitor itself (a Client Component, or a
// Server Component whose server-side modules read no session:
// serverTreeBlind) and that neither the middleware nor a layout stops a
// signed-out visitor on; "" otherwise.
func (m *Model) publicClientPage(ctx context.Context, p string) string {
	r := m.proj.RouteOf(p)
	if r == nil || r.Kind != project.Page || !m.appReached(r.App) {
		return ""
	}
	f, err := m.parse(ctx, p)
	if err != nil || f.Directive() != "use client" && !m.serverTreeBlind(ctx, p) {
		return ""
	}
	layers := m.layoutLayers(ctx, r.App, r)
	if l, ok := nextMiddlewareLayer(r.App, r.Probe()); ok {
		layers = append(layers, l)
	}
	for _, l := range layers {
		if l.Gate != GateNone && l.Gate != GateAttaches {
			return ""
		}
	}
	return fmt.Sprintf("the page %s (%s)", r.Path, p)
}

// serverTreeBlind reports whether the server-side module graph of a
// Server Component page (its imports, maxRenderHops deep, not descending
// into Client Components, which cannot check the session on the server)
// imports no Clerk module, no other auth package and no next/headers (a
// session cookie read), and every import resolves: nothing in it can stop
// a signed-out visitor.
func (m *Model) serverTreeBlind(ctx context.Context, p string) bool {
	visited := map[string]bool{p: true}
	level := []string{p}
	for hop := 0; hop <= maxRenderHops && len(level) > 0; hop++ {
		var next []string
		for _, q := range level {
			ims, err := m.graph.Imports(ctx, q)
			if err != nil {
				return false
			}
			for _, im := range ims {
				if im.TypeOnly {
					continue
				}
				switch im.Target.Kind {
				case modules.External:
					if jsast.IsClerkModule(im.Target.Package) || im.Target.Package == "next" && im.Target.Subpath == "/headers" ||
						strings.Contains(im.Target.Package, "auth") { // next-auth, @auth/*, better-auth: another session reader
						return false
					}
				case modules.File:
					if visited[im.Target.Path] || !jsModule(im.Target.Path) {
						continue
					}
					visited[im.Target.Path] = true
					g, err := m.parse(ctx, im.Target.Path)
					if err != nil {
						return false
					}
					if g.Directive() != "use client" {
						next = append(next, im.Target.Path)
					}
				case modules.Builtin, modules.Virtual:
				default:
					return false // unresolved: no claim
				}
			}
		}
		level = next
	}
	return len(level) == 0
}

// closureLayer decides whether an inline Server Action is defined only
// after its enclosing component stopped a signed-out caller: Next.js
// binds (and encrypts) the closure to the render that created it, so a
// caller cannot obtain one without passing that check.
func (m *Model) closureLayer(ctx context.Context, f *jsast.File, enc, action *jsast.Node) (Layer, bool) {
	a := &analyzer{m: m, ctx: ctx, f: f, fn: enc, role: roleHandler, stack: []*jsast.Node{enc},
		vars: map[string]value{}, locals: nestedFuncs(f, enc), s: &summary{}, effs: map[*jsast.Node]*effect{}, seenIn: map[string]bool{},
		probe: action}
	for _, p := range params(enc) {
		a.bindParam(p, value{kind: vPageProps})
	}
	body := jsast.FunctionBody(enc)
	if body == nil || body.Type != "statement_block" {
		return Layer{}, false
	}
	a.block(body.NamedChildren(), &state{reach: yes})
	if !a.probeSeen || a.probeReach != no || len(a.s.checks) == 0 {
		return Layer{}, false
	}
	name := jsast.FunctionName(f, enc)
	c := a.s.checks[0]
	return Layer{Name: name, Location: Location{File: f.Path, Line: enc.Line}, Gate: GateRejects, Via: ViaHandler,
		Why: fmt.Sprintf("the action is defined inside `%s` (%s:%d) after %s stops signed-out callers, and its closure is bound to that render",
			name, f.Path, enc.Line, strings.TrimSuffix(c.What, " exits")),
		Proof: []Proof{c.Proof}}, true
}

// everyPath are sample paths: a middleware that stops signed-out requests
// on all of them protects the POST that calls a Server Action, whatever
// page the action is called from.
var everyPath = []string{"/", "/x", "/x/y", "/api/x", "/dashboard", "/sign-in"}

// actionMiddlewareLayer is the middleware layer of a Server Action: a
// guard only when the middleware protects every path (Core 1's bare
// authMiddleware()); otherwise the action is reachable from some page the
// middleware lets through, so no layer is recorded.
func actionMiddlewareLayer(app *project.NextApp) (Layer, bool) {
	mw := app.Middleware
	if mw == nil {
		return Layer{}, false
	}
	for _, p := range everyPath {
		if app.Protection(p) != project.Protected {
			return Layer{}, false
		}
	}
	base := path.Base(mw.File)
	return Layer{Name: base, Location: Location{File: mw.File, Line: max(mw.CallLine, mw.ExportLine, 1)}, Gate: GateRejects, Via: ViaMiddleware,
		Why: fmt.Sprintf("%s stops signed-out requests on every path, so also the POST that calls the action", base)}, true
}

// renderGateAround returns the Clerk render gate (knowledge.RenderGateOf:
// <Protect>, <SignedIn>) a layout's render wraps its children in, and
// its line: the layout shows its pages only to signed-in (or authorized)
// visitors, which says the pages are meant for them, but it stops no
// request of the pages themselves. "" when there is none.
func renderGateAround(f *jsast.File, fn *jsast.Node) (string, int) {
	tag, line := "", 0
	jsast.Walk(fn, func(n *jsast.Node) bool {
		if tag != "" {
			return false
		}
		open := n.ChildByField("open_tag")
		if n.Type != "jsx_element" || open == nil {
			return true
		}
		name := f.Text(open.ChildByField("name"))
		g, ok := knowledge.RenderGateOf(f.ResolveClerk(name))
		if !ok || g.SignedOutWhen != "" && jsxStringAttr(f, open, "when") == g.SignedOutWhen {
			return true
		}
		if rendersChildren(f, n) {
			tag, line = "`<"+name+">`", n.Line
		}
		return true
	})
	return tag, line
}

// jsxStringAttr returns the string value of a JSX opening tag's attribute,
// or "".
func jsxStringAttr(f *jsast.File, open *jsast.Node, attr string) string {
	for _, a := range open.NamedChildren() {
		c := a.NamedChildren()
		if a.Type != "jsx_attribute" || len(c) < 2 || f.Text(c[0]) != attr {
			continue
		}
		v, _ := f.StringValue(c[1])
		return v
	}
	return ""
}

// rendersChildren reports whether a JSX element renders the component's
// children ({children}, {props.children}) somewhere inside it.
func rendersChildren(f *jsast.File, el *jsast.Node) bool {
	found := false
	jsast.Walk(el, func(n *jsast.Node) bool {
		if found || jsast.IsFunction(n) {
			return false
		}
		if n.Type == "jsx_expression" {
			for _, c := range n.NamedChildren() {
				if t := f.Text(c); t == "children" || strings.HasSuffix(t, ".children") && c.Type == "member_expression" {
					found = true
				}
			}
		}
		return !found
	})
	return found
}
