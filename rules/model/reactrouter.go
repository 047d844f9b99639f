package model

import (
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

// reactRouterAdapter lists the loaders and actions of Remix and React
// Router 7 (framework mode) apps. Every route module's `loader` and
// `action` export is its own HTTP endpoint: a document request, a
// `?_data=` (Remix) or `.data` (React Router) fetch, or a form POST. The
// loaders of nested routes run in parallel, so a parent route's loader
// does not guard a child's loader or action: nothing from the parent is
// put in the chain. What runs before a loader is React Router's route
// middleware (`export const middleware = [...]`, `unstable_middleware`
// before 7.9) of the route and its ancestors, root first.
//
// Route modules come from app/routes.ts when the app has one (React
// Router 7's route config: route(), index(), layout(), prefix() and
// flatRoutes()), otherwise from the file-system convention of
// app/routes/ (Remix 2 and @react-router/fs-routes flat routes: `a.b.tsx`
// and `a.b/route.tsx` are /a/b, `$id` a parameter, `_index` an index,
// a leading `_` a pathless layout, a trailing `_` opts out of nesting;
// Remix 1 nested folders).
//
// Sources: https://reactrouter.com/start/framework/routing (routes.ts),
// https://reactrouter.com/how-to/file-route-conventions (flat routes),
// https://remix.run/docs/en/main/file-conventions/routes,
// https://reactrouter.com/how-to/middleware.
type reactRouterAdapter struct{}

func (reactRouterAdapter) Framework() Framework { return knowledge.ReactRouter }

func (reactRouterAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.rr.get(func() ([]*Entry, error) { return rrEntries(ctx, m) })
}

func (a reactRouterAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	pk := m.proj.PackageFor(p)
	if pk == nil || rrFramework(m.proj, pk) == "" {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return declaredIn(es, p), err
}

// rrFramework says whether a package is a Remix or React Router 7 app
// ("" when it is neither).
func rrFramework(proj *project.Model, pk *project.Package) Framework {
	has := func(d string) bool { _, ok := pk.Deps[d]; return ok }
	switch {
	case has("@react-router/dev") || has("@clerk/react-router") || has("@react-router/node") || has("@react-router/fs-routes"):
		return knowledge.ReactRouter
	case has("@remix-run/dev") || has("@remix-run/react") || has("@remix-run/node") || has("@clerk/remix") ||
		has("@remix-run/cloudflare") || has("@vercel/remix"):
		return knowledge.Remix
	}
	return ""
}

// rrModule is one route module: its file, URL path and the modules
// above it (root first), whose middleware runs before it.
type rrModule struct {
	file    string
	path    string
	parents []string
}

func rrEntries(ctx context.Context, m *Model) ([]*Entry, error) {
	var out []*Entry
	for _, pk := range m.proj.Packages {
		if strings.Contains("/"+pk.Dir+"/", "/node_modules/") {
			continue
		}
		fw := rrFramework(m.proj, pk)
		if fw == "" {
			continue
		}
		appDir := path.Join(pk.Dir, "app")
		root := ""
		for _, ext := range rrExts {
			if m.proj.Has(appDir + "/root" + ext) {
				root = appDir + "/root" + ext
				break
			}
		}
		mods := m.rrModules(ctx, pk, appDir)
		for _, mod := range mods {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			if root != "" && mod.file != root {
				mod.parents = append([]string{root}, mod.parents...)
			}
			out = append(out, m.rrModuleEntries(ctx, fw, mod)...)
		}
		if root != "" {
			out = append(out, m.rrModuleEntries(ctx, fw, rrModule{file: root, path: "/"})...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].File < out[j].File || out[i].File == out[j].File && out[i].Line < out[j].Line
	})
	return withFacets(out), nil
}

var rrExts = []string{".tsx", ".ts", ".jsx", ".js"}

// rrModules lists an app's route modules: from its route config when it
// has one, else from app/routes/.
func (m *Model) rrModules(ctx context.Context, pk *project.Package, appDir string) []rrModule {
	for _, ext := range []string{".ts", ".js", ".mts", ".mjs"} {
		cfg := appDir + "/routes" + ext
		if !m.proj.Has(cfg) {
			continue
		}
		f, err := m.parse(ctx, cfg)
		if err != nil {
			m.notes.add(Note{Where: cfg, What: fmt.Sprintf("route config not read, so its routes are not listed: %v", err)})
			return nil
		}
		return m.rrConfig(f, appDir)
	}
	return m.rrFileRoutes(pk, appDir, "routes")
}

// rrConfig walks the default export of app/routes.ts.
func (m *Model) rrConfig(f *jsast.File, appDir string) []rrModule {
	var out []rrModule
	var walk func(n *jsast.Node, prefix string, parents []string, depth int)
	walk = func(n *jsast.Node, prefix string, parents []string, depth int) {
		n = jsast.Unwrap(n)
		if n == nil || depth > MaxMountDepth*2 {
			return
		}
		switch n.Type {
		case "satisfies_expression":
			for _, c := range n.NamedChildren() {
				walk(c, prefix, parents, depth+1)
				break
			}
			return
		case "array":
			for _, c := range n.NamedChildren() {
				walk(c, prefix, parents, depth+1)
			}
			return
		case "spread_element":
			for _, c := range n.NamedChildren() {
				walk(c, prefix, parents, depth+1)
			}
			return
		case "identifier":
			if v := f.LocalValue(f.Text(n)); v != nil {
				walk(v, prefix, parents, depth+1)
			}
			return
		case "call_expression":
		default:
			return
		}
		args := jsast.Args(n)
		str := func(i int) (string, bool) {
			if i >= len(args) {
				return "", false
			}
			return f.StringValue(args[i])
		}
		children := func(from int) *jsast.Node {
			for i := from; i < len(args); i++ {
				if a := jsast.Unwrap(args[i]); a != nil && a.Type == "array" {
					return a
				}
			}
			return nil
		}
		file := func(s string) string { return path.Join(appDir, strings.TrimPrefix(s, "./")) }
		switch jsast.LastSegment(f.CalleeName(n)) {
		case "index":
			if s, ok := str(0); ok {
				out = append(out, rrModule{file: file(s), path: rrJoin(prefix, ""), parents: parents})
			}
		case "route":
			p, ok1 := str(0)
			s, ok2 := str(1)
			if !ok1 || !ok2 {
				return
			}
			full := rrJoin(prefix, p)
			out = append(out, rrModule{file: file(s), path: full, parents: parents})
			if c := children(2); c != nil {
				walk(c, full, append(append([]string(nil), parents...), file(s)), depth+1)
			}
		case "layout":
			s, ok := str(0)
			if !ok {
				return
			}
			out = append(out, rrModule{file: file(s), path: rrJoin(prefix, ""), parents: parents})
			if c := children(1); c != nil {
				walk(c, prefix, append(append([]string(nil), parents...), file(s)), depth+1)
			}
		case "prefix":
			p, ok := str(0)
			if c := children(1); ok && c != nil {
				walk(c, rrJoin(prefix, p), parents, depth+1)
			}
		case "flatRoutes":
			dir := "routes"
			if len(args) > 0 {
				if o := jsast.Unwrap(args[0]); o != nil && o.Type == "object" {
					if v := f.ObjectProp(o, "rootDirectory"); v != nil {
						if s, ok := f.StringValue(v); ok {
							dir = s
						}
					}
				}
			}
			for _, mod := range m.rrFileRoutes(nil, appDir, dir) {
				mod.path = rrJoin(prefix, mod.path)
				mod.parents = append(append([]string(nil), parents...), mod.parents...)
				out = append(out, mod)
			}
		default:
			// An awaited call or a helper: its result is not followed.
			if fn := jsast.Unwrap(n.ChildByField("function")); fn != nil && fn.Type == "call_expression" {
				walk(fn, prefix, parents, depth+1)
			}
		}
	}
	for _, ex := range f.Exports() {
		if ex.Name == "default" {
			walk(ex.Value, "", nil, 0)
		}
	}
	return out
}

// rrJoin joins a route config prefix and a relative route path.
func rrJoin(prefix, p string) string {
	p = strings.Trim(p, "/")
	prefix = strings.TrimSuffix(prefix, "/")
	if p == "" {
		if prefix == "" {
			return "/"
		}
		return prefix
	}
	return prefix + "/" + p
}

// rrFileRoutes lists the route modules of the file-system convention
// under appDir/dir. pk decides Remix 1's nested folders (nil: flat).
func (m *Model) rrFileRoutes(pk *project.Package, appDir, dir string) []rrModule {
	base := path.Join(appDir, dir) + "/"
	nested := false
	if pk != nil {
		if v, ok := m.proj.Version(path.Join(pk.Dir, "package.json"), "@remix-run/dev"); ok && v != nil && v.Major() < 2 {
			nested = true
		}
	}
	names := map[string]string{} // route name -> file
	for _, p := range m.fs.Paths() {
		if !strings.HasPrefix(p, base) || !modules.IsModule(p) {
			continue
		}
		rel := strings.TrimPrefix(p, base)
		ext := path.Ext(rel)
		if !contains(rrExts, ext) {
			continue
		}
		stem := strings.TrimSuffix(rel, ext)
		var name string
		switch {
		case !strings.Contains(stem, "/"):
			name = stem
		case nested:
			// Remix 1: folders nest, index is the folder's index, __x is
			// a pathless layout.
			segs := strings.Split(stem, "/")
			for i, sg := range segs {
				switch {
				case sg == "index" && i == len(segs)-1:
					segs[i] = "_index"
				case strings.HasPrefix(sg, "__"):
					segs[i] = sg[1:]
				}
			}
			name = strings.Join(segs, ".")
		case strings.Count(stem, "/") == 1 && (path.Base(stem) == "route" || path.Base(stem) == "index"):
			name = path.Dir(stem)
		default:
			continue // a module next to a folder route: not a route
		}
		if strings.HasSuffix(name, ".server") || strings.HasSuffix(name, ".client") {
			continue
		}
		if old, dup := names[name]; !dup || p < old {
			names[name] = p
		}
	}
	var out []rrModule
	for name, file := range names {
		mod := rrModule{file: file, path: rrFlatPath(name)}
		segs := rrSegments(name)
		for i := 1; i < len(segs); i++ {
			if pf, ok := names[strings.Join(segs[:i], ".")]; ok {
				mod.parents = append(mod.parents, pf)
			}
		}
		out = append(out, mod)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].file < out[j].file })
	return out
}

// rrSegments splits a flat route name on the dots outside [] escapes.
func rrSegments(name string) []string {
	var out []string
	var cur strings.Builder
	esc := false
	for _, r := range name {
		switch {
		case r == '[':
			esc = true
		case r == ']':
			esc = false
		case r == '.' && !esc:
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	return append(out, cur.String())
}

// rrFlatPath is the URL path of a flat route name: `$id` is a parameter,
// `$` a splat, `(x)` optional, `_index` an index, a leading `_` a pathless
// layout, a trailing `_` opts out of nesting, `[.]` escapes.
func rrFlatPath(name string) string {
	var parts []string
	for _, s := range rrSegments(name) {
		opt := strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")")
		if opt {
			s = s[1 : len(s)-1]
		}
		switch {
		case s == "_index" || s == "index" && len(parts) == 0 && name == "index":
			continue
		case strings.HasPrefix(s, "_") && !strings.HasPrefix(s, "[_"):
			continue
		}
		s = strings.TrimSuffix(s, "_")
		switch {
		case s == "$":
			s = "*"
		case strings.HasPrefix(s, "$"):
			s = ":" + s[1:]
		}
		s = strings.NewReplacer("[", "", "]", "").Replace(s)
		if opt {
			s += "?"
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	return "/" + strings.Join(parts, "/")
}

// rrModuleEntries returns the loader and action of one route module.
func (m *Model) rrModuleEntries(ctx context.Context, fw Framework, mod rrModule) []*Entry {
	if _, nonReq := knowledge.NonRequestPath(mod.file); nonReq || !m.proj.Has(mod.file) {
		return nil
	}
	f, err := m.parse(ctx, mod.file)
	if err != nil {
		m.notes.add(Note{Where: mod.file, What: fmt.Sprintf("not read, so its loader and action are not listed: %v", err)})
		return nil
	}
	var chain []Layer
	for _, p := range append(append([]string(nil), mod.parents...), mod.file) {
		chain = append(chain, m.rrMiddleware(ctx, p)...)
	}
	base := &Entry{Framework: fw, Path: mod.path, PathKnown: true, File: mod.file}
	exports := map[string]jsast.Export{}
	for _, ex := range f.Exports() {
		if _, dup := exports[ex.Name]; !dup {
			exports[ex.Name] = ex
		}
	}
	var out []*Entry
	for _, name := range []string{"loader", "action"} {
		kind, meth := Loader, "GET"
		if name == "action" {
			kind, meth = Action, "POST"
		}
		var e *Entry
		if ex, ok := exports[name]; ok {
			e = m.nextEntry(ctx, f, base, ex.Name, ex.Stmt, ex.Value)
		} else if e = m.nextReExport(ctx, f, base, name); e == nil {
			continue // export { loader } from './x' is followed; no export, no entry
		}
		e.Kind, e.Methods, e.Params = kind, []string{meth}, []ParamRole{ParamRequestContext}
		e.Chain = append([]Layer(nil), chain...)
		e.Parents = mod.parents
		if l, ok := m.clerkLoaderWrapper(ctx, e); ok {
			e.Chain = append(e.Chain, l)
		}
		e.Public = conventionPublic(mod.path, kind == Loader)
		out = append(out, e)
	}
	return out
}

// rrMiddleware returns the layers of a route module's middleware export.
func (m *Model) rrMiddleware(ctx context.Context, p string) []Layer {
	f, err := m.parse(ctx, p)
	if err != nil {
		return []Layer{{Name: path.Base(p), Location: Location{File: p, Line: 1}, Gate: GateUnknown, Via: ViaMiddleware,
			Why: fmt.Sprintf("the route module %s could not be read: %v", p, err)}}
	}
	var out []Layer
	for _, ex := range f.Exports() {
		if ex.Name != "middleware" && ex.Name != "unstable_middleware" {
			continue
		}
		arr := jsast.Unwrap(ex.Value)
		if arr != nil && arr.Type == "identifier" {
			arr = jsast.Unwrap(f.LocalValue(f.Text(arr)))
		}
		if arr == nil || arr.Type != "array" {
			out = append(out, Layer{Name: ex.Name, Location: Location{File: p, Line: ex.Stmt.Line}, Gate: GateUnknown, Via: ViaMiddleware,
				Why: fmt.Sprintf("the middleware of %s is not an array the model can read", p)})
			continue
		}
		for _, el := range arr.NamedChildren() {
			out = append(out, m.rrMiddlewareLayer(ctx, f, el))
		}
	}
	return out
}

// rrMiddlewareLayer classifies one route middleware: Clerk's by the
// knowledge tables, the application's own by analysing it as middleware
// called with ({ request, params, context }, next).
func (m *Model) rrMiddlewareLayer(ctx context.Context, f *jsast.File, n *jsast.Node) Layer {
	n = jsast.Unwrap(n)
	l := Layer{Name: clip(f.Text(n), 40), Location: Location{File: f.Path, Line: n.Line}, Via: ViaMiddleware}
	callee := n
	if n.Type == "call_expression" {
		callee = jsast.Unwrap(n.ChildByField("function"))
	}
	if root := rootIdent(callee); root != nil {
		if exp, pkg := m.clerkExportOf(ctx, f, f.Text(root)); exp != "" {
			if mw, ok := knowledge.MiddlewareOf(pkg, exp); ok && mw.Gate == knowledge.Attaches {
				l.Name = exp + "()"
				l.Gate = GateAttaches
				l.Why = fmt.Sprintf("`%s` only attaches the identity; it never rejects a signed-out request", l.Name)
				return l
			}
		}
	}
	return m.contextMiddlewareLayer(ctx, f, n, l)
}

// contextMiddlewareLayer analyses a middleware whose continuation is a
// parameter or a member of its context object (React Router's
// (args, next), TanStack Start's ({ next, context })).
func (m *Model) contextMiddlewareLayer(ctx context.Context, f *jsast.File, n *jsast.Node, l Layer) Layer {
	rf, err := m.resolveFunc(ctx, f, n, nil, 0)
	if err != nil {
		l.Gate, l.Why = GateUnknown, fmt.Sprintf("the middleware `%s` (%s:%d) could not be followed", l.Name, f.Path, n.Line)
		return l
	}
	s := m.summarizeSeeded(ctx, rf.file, rf.fn, roleMiddleware, nil, mwSeeds, 0, nil)
	name := rf.name
	if name == "" || name == "anonymous function" {
		name = l.Name
	}
	return middlewareGate(l, s, name, Location{File: rf.file.Path, Line: rf.fn.Line}, "next()")
}

// clerkLoaderWrapper recognises a loader that hands its request to a
// Clerk loader helper (rootAuthLoader(args, callback)): the helper
// attaches the identity for the root route only.
func (m *Model) clerkLoaderWrapper(ctx context.Context, e *Entry) (Layer, bool) {
	if e.Fn == nil {
		return Layer{}, false
	}
	f := e.FnFile
	var out Layer
	found := false
	jsast.Walk(e.Fn, func(n *jsast.Node) bool {
		if found || n.Type != "call_expression" {
			return !found
		}
		callee := jsast.Unwrap(n.ChildByField("function"))
		if callee == nil || callee.Type != "identifier" {
			return true
		}
		exp, pkg := m.clerkExportOf(ctx, f, f.Text(callee))
		if mw, ok := knowledge.MiddlewareOf(pkg, exp); ok && exp != "" && mw.Gate == knowledge.Attaches {
			out = Layer{Name: exp + "()", Location: Location{File: f.Path, Line: n.Line}, Gate: GateAttaches, Via: ViaWrapper,
				Why: fmt.Sprintf("`%s()` only loads the auth state (%s)", exp, mw.Note)}
			found = true
		}
		return !found
	})
	return out, found
}
