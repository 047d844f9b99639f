package project

import (
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// Node server frameworks.
const (
	FrameworkExpress = "express"
	FrameworkFastify = "fastify"
	FrameworkHono    = "hono"
)

// NodeServer is the registration model of one Express, Fastify or Hono
// source file: every application, router and plugin instance the file
// creates, and every `use`, route, mount, `register` and `addHook` call on
// them in source order. Middleware order decides protection in Express and
// Hono, so the model keeps it; rules decide which middleware guards.
type NodeServer struct {
	File *jsast.File
	Apps []*NodeApp
}

// NodeApp is an application, router, sub-app or Fastify plugin instance.
type NodeApp struct {
	Name      string // local name: variable or plugin parameter
	Framework string
	// Router is set for express.Router(), for Fastify plugin instances and
	// for Hono apps mounted by another app of the same file.
	Router bool
	// Scope is the node whose body binds Name (the program or a function).
	Scope *jsast.Node
	Decl  *jsast.Node
	// Parent is the Fastify instance a plugin function was registered on
	// in the same file.
	Parent *NodeApp
	// Prefix is the Fastify `prefix` option or Hono basePath.
	Prefix string
	Regs   []*Registration

	srv *NodeServer
}

// RegKind is the kind of a registration call.
type RegKind int

// Registration kinds.
const (
	RegUse      RegKind = iota + 1 // app.use([path], ...middleware)
	RegRoute                       // app.get(path, ...middleware, handler), app.route({...}) (Fastify)
	RegMount                       // Hono app.route(path, sub)
	RegRegister                    // Fastify app.register(plugin, opts)
	RegHook                        // Fastify app.addHook(name, fn)
)

// Registration is one call on an app.
type Registration struct {
	App    *NodeApp
	Kind   RegKind
	Method string // upper-case HTTP method or "ALL" for routes; the hook name for hooks
	// Methods are the methods of a route registered for several at once
	// (Hono app.on(['PUT', 'DELETE'], ...), Fastify route({ method:
	// ['GET', 'HEAD'] })); Method is then "ALL".
	Methods []string
	Path    string
	// PathKnown is false when the path is not a constant; such a path is
	// treated as matching everything.
	PathKnown bool
	HasPath   bool
	// Args are the middleware and handler expressions after the path, in
	// order. For a Fastify route the handler is last and the route options
	// are in Options.
	Args    []*jsast.Node
	Options *jsast.Node
	Call    *jsast.Node
	Line    int
}

// Handler returns a route's handler: its last argument, or the Fastify
// options' handler.
func (r *Registration) Handler() *jsast.Node {
	if r.Options != nil {
		if h := r.App.server().File.ObjectProp(r.Options, "handler"); h != nil {
			return h
		}
	}
	if len(r.Args) == 0 {
		return nil
	}
	return r.Args[len(r.Args)-1]
}

// Middleware returns a route's middleware arguments (all but the handler),
// plus Fastify route-level onRequest/preHandler/preValidation hooks.
func (r *Registration) Middleware() []*jsast.Node {
	var out []*jsast.Node
	if r.Kind == RegRoute && len(r.Args) > 0 && (r.Options == nil || r.App.server().File.ObjectProp(r.Options, "handler") == nil) {
		out = append(out, r.Args[:len(r.Args)-1]...)
	} else if r.Kind != RegRoute {
		out = append(out, r.Args...)
	}
	if r.Options != nil {
		f := r.App.server().File
		for _, k := range []string{"onRequest", "preValidation", "preHandler"} {
			v := jsast.Unwrap(f.ObjectProp(r.Options, k))
			if v == nil {
				continue
			}
			if v.Type == "array" {
				out = append(out, v.NamedChildren()...)
			} else {
				out = append(out, v)
			}
		}
	}
	return out
}

func (a *NodeApp) server() *NodeServer { return a.srv }

// HTTP methods accepted as route registrations.
var nodeMethods = map[string]string{
	"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE", "del": "DELETE",
	"options": "OPTIONS", "head": "HEAD", "all": "ALL",
}

// ParseNodeServer builds the registration model of f. It returns nil when
// the file creates and receives no Express, Fastify or Hono app.
func ParseNodeServer(f *jsast.File) *NodeServer { return parseNodeServer(f, false) }

// ParseFastifyModule is ParseNodeServer for a module of a package that
// depends on Fastify: its exported functions are plugin candidates even
// when it imports nothing from fastify (`export default async (app) =>
// { app.get(...) }`).
func ParseFastifyModule(f *jsast.File) *NodeServer { return parseNodeServer(f, true) }

func parseNodeServer(f *jsast.File, fastifyPackage bool) *NodeServer {
	s := &NodeServer{File: f}
	fw := nodeFrameworks(f)
	guessed := false // plugin candidates of a module that names no framework
	if fastifyPackage && len(fw) == 0 {
		fw["\x00fastify-types"] = FrameworkFastify
		guessed = true
	}
	if len(fw) == 0 {
		return nil
	}
	s.findApps(fw)
	if len(s.Apps) == 0 {
		return nil
	}
	s.findRegistrations()
	if guessed {
		s.keepPluginLike()
		if len(s.Apps) == 0 {
			return nil
		}
	}
	for _, a := range s.Apps {
		// Source order: the walk meets the outer call of a chain first.
		sort.SliceStable(a.Regs, func(i, j int) bool { return regPos(a.Regs[i]) < regPos(a.Regs[j]) })
	}
	for _, a := range s.Apps {
		for _, r := range a.Regs {
			if r.Kind == RegMount {
				if sub := s.appArg(r); sub != nil && sub != a {
					sub.Router = true
				}
			}
			if r.Kind == RegUse && a.Framework == FrameworkExpress {
				for _, arg := range r.Args {
					if sub := s.AppOf(arg); sub != nil && sub != a {
						sub.Router = true
					}
				}
			}
		}
	}
	return s
}

// nodeFrameworks maps local names imported from a server framework to the
// framework: "express" -> express, "Router" -> express, "Hono" -> hono.
func nodeFrameworks(f *jsast.File) map[string]string {
	out := map[string]string{}
	for _, im := range f.Imports() {
		if im.TypeOnly {
			// Type imports mark Fastify plugin files (FastifyInstance).
			if im.Source == "fastify" {
				out["\x00fastify-types"] = FrameworkFastify
			}
			continue
		}
		switch {
		case im.Source == "express":
			out[im.Local] = FrameworkExpress
		case im.Source == "fastify" || im.Source == "fastify-plugin":
			out[im.Local] = FrameworkFastify
		case im.Source == "hono" || im.Source == "@hono/zod-openapi":
			out[im.Local] = FrameworkHono
		}
	}
	// Inline require('fastify')() and require('express')().
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type == "call_expression" && f.CalleeName(n) == "require" {
			if a := jsast.Args(n); len(a) == 1 {
				if v, ok := f.StringValue(a[0]); ok {
					switch v {
					case "express":
						out["\x00express"] = FrameworkExpress
					case "fastify":
						out["\x00fastify"] = FrameworkFastify
					}
				}
			}
		}
		return true
	})
	return out
}

// constructorFramework says which framework an expression creates an app
// or router of, and whether it is a router.
func constructorFramework(f *jsast.File, fw map[string]string, v *jsast.Node) (framework string, router bool, prefix string) {
	v = jsast.Unwrap(v)
	if v == nil {
		return "", false, ""
	}
	switch v.Type {
	case "call_expression":
		fn := v.ChildByField("function")
		name := f.Name(fn)
		// Hono chain: new Hono().basePath('/api')
		if m := jsast.Unwrap(fn); m != nil && m.Type == "member_expression" {
			prop := f.Text(m.ChildByField("property"))
			obj := m.ChildByField("object")
			// Hono chain: new Hono().use(mw).get('/x', h): the app the chain
			// starts from (each call returns it).
			if _, route := nodeMethods[prop]; route || prop == "use" || prop == "route" || prop == "on" {
				if fwk, r, p := constructorFramework(f, fw, obj); fwk == FrameworkHono {
					return fwk, r, p
				}
			}
			if prop == "basePath" {
				if fwk, r, p := constructorFramework(f, fw, obj); fwk == FrameworkHono {
					if a := jsast.Args(v); len(a) > 0 {
						if s, ok := f.StringValue(a[0]); ok {
							p += s
						}
					}
					return fwk, r, p
				}
			}
		}
		switch {
		case name == "":
			// require('fastify')({ logger: true })
			inner := jsast.Unwrap(fn)
			if inner != nil && inner.Type == "call_expression" && f.CalleeName(inner) == "require" {
				if a := jsast.Args(inner); len(a) == 1 {
					if s, _ := f.StringValue(a[0]); s == "fastify" {
						return FrameworkFastify, false, ""
					} else if s == "express" {
						return FrameworkExpress, false, ""
					}
				}
			}
		case fw[name] == FrameworkExpress:
			if name == "Router" {
				return FrameworkExpress, true, ""
			}
			return FrameworkExpress, false, ""
		case strings.HasSuffix(name, ".Router") && fw[strings.TrimSuffix(name, ".Router")] == FrameworkExpress:
			return FrameworkExpress, true, ""
		case fw[name] == FrameworkFastify && name != "fp":
			return FrameworkFastify, false, ""
		case strings.HasSuffix(name, ".default") && fw[strings.TrimSuffix(name, ".default")] == FrameworkFastify:
			return FrameworkFastify, false, ""
		}
	case "new_expression":
		name := f.Name(v.ChildByField("constructor"))
		if fw[name] == FrameworkHono || (fw[strings.Split(name, ".")[0]] == FrameworkHono && strings.Contains(name, ".")) {
			return FrameworkHono, false, ""
		}
		if strings.HasSuffix(name, ".Router") && fw[strings.TrimSuffix(name, ".Router")] == FrameworkExpress {
			return FrameworkExpress, true, ""
		}
	}
	return "", false, ""
}

func (s *NodeServer) findApps(fw map[string]string) {
	f := s.File
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "variable_declarator" {
			return true
		}
		name := n.ChildByField("name")
		if name == nil || name.Type != "identifier" {
			return true
		}
		fwk, router, prefix := constructorFramework(f, fw, n.ChildByField("value"))
		if fwk == "" {
			return true
		}
		scope := jsast.EnclosingFunction(n)
		if scope == nil {
			scope = f.Root
		}
		s.Apps = append(s.Apps, &NodeApp{Name: f.Text(name), Framework: fwk, Router: router, Scope: scope, Decl: n, Prefix: prefix, srv: s})
		return true
	})
	// Fastify plugins: functions registered on a Fastify app, wrapped in
	// fastify-plugin, or exported from a file that imports Fastify types.
	hasFastify := false
	for _, v := range fw {
		if v == FrameworkFastify {
			hasFastify = true
		}
	}
	if !hasFastify {
		return
	}
	seen := map[*jsast.Node]bool{}
	var addPlugin func(fn *jsast.Node, parent *NodeApp, prefix string)
	addPlugin = func(fn *jsast.Node, parent *NodeApp, prefix string) {
		fn = jsast.Unwrap(fn)
		if fn == nil {
			return
		}
		if fn.Type == "call_expression" && fw[s.File.CalleeName(fn)] == FrameworkFastify {
			// fp(async (fastify) => {...})
			if a := jsast.Args(fn); len(a) > 0 {
				addPlugin(a[0], parent, prefix)
			}
			return
		}
		if fn.Type == "identifier" {
			if lv := f.LocalValue(f.Text(fn)); lv != nil {
				addPlugin(lv, parent, prefix)
			}
			return
		}
		if !jsast.IsFunction(fn) || seen[fn] {
			return
		}
		params := fn.ChildByField("parameters")
		var first *jsast.Node
		if params != nil {
			if ps := params.NamedChildren(); len(ps) > 0 {
				first = ps[0]
			}
		} else if p := fn.ChildByField("parameter"); p != nil {
			first = p
		}
		if first == nil {
			return
		}
		if first.Type == "required_parameter" || first.Type == "optional_parameter" {
			first = first.ChildByField("pattern")
		}
		if first == nil || first.Type != "identifier" {
			return
		}
		seen[fn] = true
		s.Apps = append(s.Apps, &NodeApp{Name: f.Text(first), Framework: FrameworkFastify, Router: true,
			Scope: fn, Decl: first, Parent: parent, Prefix: prefix, srv: s})
	}
	// Exported plugin functions and fp() wrappers.
	for _, ex := range f.Exports() {
		addPlugin(ex.Value, nil, "")
	}
	// Plugins registered inline: X.register(fn, { prefix }) where X is an app
	// found so far (repeat to reach nested plugins).
	for changed := true; changed; {
		changed = false
		n0 := len(s.Apps)
		for _, call := range f.Calls(f.Root, func(name string) bool { return strings.HasSuffix(name, ".register") }) {
			fnode := call.ChildByField("function")
			parent := s.AppOf(jsast.Unwrap(fnode).ChildByField("object"))
			if parent == nil || parent.Framework != FrameworkFastify {
				continue
			}
			a := jsast.Args(call)
			if len(a) == 0 {
				continue
			}
			prefix := ""
			if len(a) > 1 {
				if p, ok := f.StringValue(f.ObjectProp(a[1], "prefix")); ok {
					prefix = p
				}
			}
			target := jsast.Unwrap(a[0])
			if target != nil && target.Type == "identifier" {
				if lv := f.LocalValue(f.Text(target)); lv != nil {
					target = jsast.Unwrap(lv)
				}
			}
			if target != nil && target.Type == "call_expression" && fw[f.CalleeName(target)] == FrameworkFastify {
				if ta := jsast.Args(target); len(ta) > 0 {
					target = jsast.Unwrap(ta[0])
				}
			}
			if target == nil || seen[target] {
				// Already an exported plugin: attach its parent now.
				for _, app := range s.Apps {
					if app.Scope == target && app.Parent == nil && app != parent {
						app.Parent, app.Prefix = parent, prefix
					}
				}
				continue
			}
			addPlugin(target, parent, prefix)
		}
		changed = len(s.Apps) > n0
	}
}

// AppOf resolves an expression to the app it denotes: an identifier bound
// to an app in an enclosing scope, or a chain of route calls on one.
func (s *NodeServer) AppOf(n *jsast.Node) *NodeApp {
	n = jsast.Unwrap(n)
	if n == nil {
		return nil
	}
	switch n.Type {
	case "identifier", "this":
		name := s.File.Text(n)
		var best *NodeApp
		for _, a := range s.Apps {
			if a.Name != name || !a.Scope.Contains(n) {
				continue
			}
			if best == nil || best.Scope.Contains(a.Scope) {
				best = a
			}
		}
		return best
	case "new_expression":
		// The constructor a chained declaration starts from:
		// const app = new Hono().get(...).post(...)
		for _, a := range s.Apps {
			if a.Decl != nil && a.Decl.Type == "variable_declarator" && chainRoot(a.Decl.ChildByField("value")) == n {
				return a
			}
		}
	case "call_expression":
		if n == chainRoot(n) {
			for _, a := range s.Apps {
				if a.Decl != nil && a.Decl.Type == "variable_declarator" && chainRoot(a.Decl.ChildByField("value")) == n {
					return a
				}
			}
		}
		// Chained registrations return the app (Express, Hono), and so
		// does Hono's basePath() for the registrations chained after it
		// (new Hono().basePath('/api').route('/users', users)); the
		// declared app carries the prefix (constructorFramework).
		fn := jsast.Unwrap(n.ChildByField("function"))
		if fn != nil && fn.Type == "member_expression" {
			m := s.File.Text(fn.ChildByField("property"))
			if _, ok := nodeMethods[m]; ok || m == "use" || m == "route" || m == "on" || m == "basePath" {
				if a := s.AppOf(fn.ChildByField("object")); a != nil && a.Framework == FrameworkHono {
					return a
				}
			}
		}
	}
	return nil
}

// keepPluginLike keeps, of the plugin candidates of a module that names
// no framework, those used as a Fastify instance: their routes have URL
// paths ("/x" or the prefix itself), not map keys (cache.get('key', d)).
func (s *NodeServer) keepPluginLike() {
	var apps []*NodeApp
	for _, a := range s.Apps {
		var regs []*Registration
		for _, r := range a.Regs {
			if r.Kind == RegRoute && r.PathKnown && r.Path != "" && !strings.HasPrefix(r.Path, "/") && r.Options == nil {
				continue
			}
			regs = append(regs, r)
		}
		a.Regs = regs
		if len(regs) > 0 {
			apps = append(apps, a)
		}
	}
	s.Apps = apps
}

// regPos is where a registration's method name is.
func regPos(r *Registration) int {
	if fn := jsast.Unwrap(r.Call.ChildByField("function")); fn != nil && fn.Type == "member_expression" {
		return fn.ChildByField("property").Start
	}
	return r.Call.Start
}

// chainRoot returns the expression a chain of method calls starts from
// (new Hono() in new Hono().basePath('/api').get(...)).
func chainRoot(n *jsast.Node) *jsast.Node {
	for n = jsast.Unwrap(n); n != nil && n.Type == "call_expression"; {
		fn := jsast.Unwrap(n.ChildByField("function"))
		if fn == nil || fn.Type != "member_expression" {
			return n
		}
		n = jsast.Unwrap(fn.ChildByField("object"))
	}
	return n
}

func (s *NodeServer) appArg(r *Registration) *NodeApp {
	for _, a := range r.Args {
		if app := s.AppOf(a); app != nil {
			return app
		}
	}
	return nil
}

func (s *NodeServer) findRegistrations() {
	f := s.File
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "call_expression" {
			return true
		}
		fn := jsast.Unwrap(n.ChildByField("function"))
		if fn == nil || fn.Type != "member_expression" {
			return true
		}
		method := f.Text(fn.ChildByField("property"))
		obj := jsast.Unwrap(fn.ChildByField("object"))
		routePath, routePathKnown, hasRoutePath := "", false, false
		// Express: app.route('/x').get(h).post(h)
		for obj != nil && obj.Type == "call_expression" {
			ofn := jsast.Unwrap(obj.ChildByField("function"))
			if ofn == nil || ofn.Type != "member_expression" {
				break
			}
			om := f.Text(ofn.ChildByField("property"))
			if om == "route" && len(jsast.Args(obj)) == 1 {
				if p, ok := f.StringValue(jsast.Args(obj)[0]); ok {
					routePath, routePathKnown = p, true
				}
				hasRoutePath = true
				obj = jsast.Unwrap(ofn.ChildByField("object"))
				break
			}
			if _, ok := nodeMethods[om]; !ok && om != "use" {
				break
			}
			obj = jsast.Unwrap(ofn.ChildByField("object"))
		}
		app := s.AppOf(obj)
		if app == nil {
			return true
		}
		args := jsast.Args(n)
		// The method name's line: in a chain (new Hono().get(...).post(...))
		// every call starts where the chain does.
		reg := &Registration{App: app, Call: n, Line: fn.ChildByField("property").Line}
		switch {
		case hasRoutePath:
			hm, ok := nodeMethods[method]
			if !ok {
				return true
			}
			reg.Kind, reg.Method, reg.Path, reg.PathKnown, reg.HasPath, reg.Args = RegRoute, hm, routePath, routePathKnown, true, args
		case method == "use":
			reg.Kind = RegUse
			reg.Args = s.pathArgs(reg, args)
		case nodeMethods[method] != "":
			reg.Kind, reg.Method = RegRoute, nodeMethods[method]
			reg.Args = s.pathArgs(reg, args)
			if !reg.HasPath || len(reg.Args) == 0 {
				return true // app.get('setting') in Express reads a setting
			}
			if app.Framework == FrameworkFastify && len(reg.Args) >= 2 {
				if o := jsast.Unwrap(reg.Args[0]); o != nil && o.Type == "object" {
					reg.Options = o
					reg.Args = reg.Args[1:]
				}
			}
		case method == "on" && app.Framework == FrameworkHono && len(args) >= 2:
			reg.Kind = RegRoute
			if m, ok := f.StringValue(args[0]); ok {
				reg.Method = strings.ToUpper(m)
			} else {
				reg.Method, reg.Methods = "ALL", upperList(f, args[0])
			}
			reg.Args = s.pathArgs(reg, args[1:])
		case method == "route" && app.Framework == FrameworkHono && len(args) == 2:
			reg.Kind = RegMount
			reg.Args = s.pathArgs(reg, args)
		case method == "route" && app.Framework == FrameworkFastify && len(args) == 1:
			reg.Kind, reg.Options = RegRoute, jsast.Unwrap(args[0])
			reg.Method = "ALL"
			if m, ok := f.StringValue(f.ObjectProp(reg.Options, "method")); ok {
				reg.Method = strings.ToUpper(m)
			} else {
				reg.Methods = upperList(f, f.ObjectProp(reg.Options, "method"))
			}
			if p, ok := f.StringValue(f.ObjectProp(reg.Options, "url")); ok {
				reg.Path, reg.PathKnown, reg.HasPath = p, true, true
			}
		case method == "register" && app.Framework == FrameworkFastify && len(args) >= 1:
			reg.Kind, reg.Args = RegRegister, args[:1]
			if len(args) > 1 {
				reg.Options = jsast.Unwrap(args[1])
				if p, ok := f.StringValue(f.ObjectProp(reg.Options, "prefix")); ok {
					reg.Path, reg.PathKnown, reg.HasPath = p, true, true
				}
			}
		case method == "addHook" && app.Framework == FrameworkFastify && len(args) == 2:
			name, _ := f.StringValue(args[0])
			reg.Kind, reg.Method, reg.Args = RegHook, name, args[1:]
		default:
			return true
		}
		app.Regs = append(app.Regs, reg)
		return true
	})
}

// pathArgs strips a leading path argument into reg and returns the rest.
func (s *NodeServer) pathArgs(reg *Registration, args []*jsast.Node) []*jsast.Node {
	if len(args) == 0 {
		return args
	}
	a := jsast.Unwrap(args[0])
	if v, ok := s.File.StringValue(a); ok {
		reg.Path, reg.PathKnown, reg.HasPath = v, true, true
		return args[1:]
	}
	switch a.Type {
	case "array", "regex", "template_string", "binary_expression":
		reg.HasPath = true
		return args[1:]
	case "identifier", "member_expression":
		// A path held in a variable (const API = '/api'), or a middleware.
		if v := s.File.LocalValue(s.File.Text(a)); v != nil {
			if p, ok := s.File.StringValue(v); ok {
				reg.Path, reg.PathKnown, reg.HasPath = p, true, true
				return args[1:]
			}
		}
	}
	return args
}

// Server returns the model the app belongs to.
func (a *NodeApp) Server() *NodeServer { return a.srv }

// PathCovers reports whether middleware mounted at pattern runs for a
// request to path, in Express/Hono/Fastify prefix semantics: "/api" and
// "/api/*" cover "/api" and "/api/x", "*" and "/" cover everything, and
// ":param" segments match any segment.
func PathCovers(pattern, path string) bool {
	pattern = strings.TrimSuffix(strings.TrimSuffix(pattern, "*"), "/")
	if pattern == "" {
		return true
	}
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(xs) < len(ps) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, ":") || p == "*" {
			continue
		}
		if !strings.EqualFold(p, xs[i]) {
			return false
		}
	}
	return true
}

// JoinPath joins a mount prefix and a route path.
func JoinPath(prefix, p string) string {
	switch {
	case prefix == "" || prefix == "/":
		if p == "" {
			return "/"
		}
		return p
	case p == "" || p == "/":
		return prefix
	}
	return strings.TrimSuffix(prefix, "/") + "/" + strings.TrimPrefix(p, "/")
}

// upperList returns a constant array of method names, upper-cased; nil
// when n is not one.
func upperList(f *jsast.File, n *jsast.Node) []string {
	if n == nil {
		return nil
	}
	l, _, ok := f.StringList(n)
	if !ok || len(l) == 0 {
		return nil
	}
	out := make([]string, len(l))
	for i, m := range l {
		out[i] = strings.ToUpper(m)
	}
	return out
}

// FlattenArgs expands the array and spread arguments of a registration
// (app.use([a, b], ...rest)) into the middleware expressions they hold.
func FlattenArgs(args []*jsast.Node) []*jsast.Node {
	var out []*jsast.Node
	for _, a := range args {
		u := jsast.Unwrap(a)
		switch {
		case u == nil:
		case u.Type == "array", u.Type == "spread_element":
			out = append(out, FlattenArgs(u.NamedChildren())...)
		default:
			out = append(out, u)
		}
	}
	return out
}
