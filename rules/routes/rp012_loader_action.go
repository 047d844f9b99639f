package routes

import (
	"fmt"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP012 flags React Router v7 / Remix loaders and actions, and TanStack
// Start server functions, that touch data without their own auth check.
var RP012 = &rules.Rule{
	ID:         "CLK-RP-012",
	Name:       "loader-action-unchecked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		return f.IsJS() && !f.Binary && !srvIsTestPath(f.Path)
	},
	Keywords: []string{"export async function loader", "export async function action", "export function loader",
		"export function action", "export const loader", "export const action", "createServerFn"},
	Doc: rules.Doc{
		Title: "loader, action or server function without its own auth check",
		Text: "In React Router v7 and Remix every `loader` and `action` is its own HTTP endpoint (`?_data=` / `.data` " +
			"requests), and loaders of nested routes run in parallel: a parent route's check does not protect its " +
			"children, and `rootAuthLoader` only loads the auth state. TanStack Start server functions are called by ID, " +
			"not by path. Each one that touches data needs its own `getAuth(args)` / `auth()` check with an early exit.",
		Bad: "// app/routes/dashboard.invoices.tsx (only dashboard.tsx checks)\n" +
			"export async function loader() {\n  return db.invoice.findMany()\n}",
		Good: "export async function loader(args: Route.LoaderArgs) {\n  const { isAuthenticated, userId } = await getAuth(args)\n" +
			"  if (!isAuthenticated) throw redirect('/sign-in')\n  return db.invoice.findMany({ where: { userId } })\n}",
	},
	Fix: func(p *project.Model, file string) string {
		switch {
		case p.DependsOn(file, "@clerk/tanstack-react-start") || p.DependsOn(file, "@clerk/tanstack-start"):
			return "Check auth inside each `createServerFn().handler()`: `const { isAuthenticated, userId } = await auth()` " +
				"(from `@clerk/tanstack-react-start/server`) and `throw redirect({ to: '/sign-in' })` or a 401 when signed out; " +
				"`beforeLoad` guards run for navigation only."
		case p.DependsOn(file, "@clerk/remix"):
			return "In each loader and action: `const { userId } = await getAuth(args); if (!userId) return redirect('/sign-in')` " +
				"(from `@clerk/remix/ssr.server`). A parent loader or `rootAuthLoader` does not protect child routes."
		}
		return "In each loader and action: `const { isAuthenticated, userId } = await getAuth(args); if (!isAuthenticated) throw redirect('/sign-in')` " +
			"(from `@clerk/react-router/server`). Loaders run in parallel: a parent loader or `rootAuthLoader` does not protect child routes."
	},
	Run: runRP012,
}

func runRP012(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	p := pass.File.Path
	clerkRR := pass.Project.DependsOn(p, "@clerk/react-router") || pass.Project.DependsOn(p, "@clerk/remix")
	clerkTS := pass.Project.DependsOn(p, "@clerk/tanstack-react-start") || pass.Project.DependsOn(p, "@clerk/tanstack-start")
	r := &srvResolver{pass: pass}
	if clerkRR && srvIsRouteModule(p) {
		for _, ex := range f.Exports() {
			if ex.Name != "loader" && ex.Name != "action" {
				continue
			}
			fn, ok := r.function(f, ex.Value)
			if !ok || fn.File != f {
				continue
			}
			if name := f.CalleeName(jsast.Unwrap(ex.Value)); strings.HasSuffix(name, "rootAuthLoader") {
				continue // root loader; the children are judged
			}
			what, data := srvTouchesData(f, fn.Fn)
			if !data || r.checksAuth(f, fn.Fn) || srvIsPublicFile(p) {
				continue
			}
			msg := fmt.Sprintf("the %s of route module %s calls %s without checking `getAuth(args)`: each %s is its own endpoint", rules.Code(ex.Name), rules.Code(path.Base(p)), rules.Code(what), ex.Name)
			var related []rules.Location
			if parent := srvCheckedParent(pass, r, p); parent != "" {
				msg += fmt.Sprintf(", and the check in the parent route %s does not protect it (loaders run in parallel)", rules.Code(parent))
				related = append(related, rules.Location{Path: parent, Line: 1})
			} else if root := srvRootAuthLoader(pass, p); root != "" {
				msg += fmt.Sprintf("; `rootAuthLoader` in %s only loads the auth state", rules.Code(root))
			}
			pass.Report(rules.Diagnostic{Line: ex.Stmt.Line, Column: ex.Stmt.Col, Message: msg, Related: related})
		}
	}
	if clerkTS {
		for _, call := range f.Calls(f.Root, func(n string) bool { return strings.HasSuffix(n, ".handler") }) {
			if !srvFromCreateServerFn(f, call) {
				continue
			}
			a := jsast.Args(call)
			if len(a) == 0 {
				continue
			}
			fn, ok := r.function(f, a[0])
			if !ok {
				continue
			}
			what, data := srvTouchesData(fn.File, fn.Fn)
			if !data || r.checksAuth(fn.File, fn.Fn) {
				continue
			}
			pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col,
				Message: fmt.Sprintf("server function handler calls %s without checking `auth()`: server functions are called by ID, so route guards (`beforeLoad`) do not protect them", rules.Code(what))})
		}
	}
	return nil
}

// srvFromCreateServerFn reports whether a .handler() call is on a
// createServerFn() chain without a .middleware() that could check auth.
func srvFromCreateServerFn(f *jsast.File, call *jsast.Node) bool {
	cur := jsast.Unwrap(call.ChildByField("function"))
	for cur != nil {
		switch cur.Type {
		case "member_expression":
			cur = jsast.Unwrap(cur.ChildByField("object"))
		case "call_expression":
			name := f.CalleeName(cur)
			if strings.HasSuffix(name, ".middleware") {
				return false // middleware may check auth; not judged here
			}
			if name == "createServerFn" {
				return true
			}
			cur = jsast.Unwrap(cur.ChildByField("function"))
		default:
			return false
		}
	}
	return false
}

// srvIsRouteModule reports whether p is a React Router / Remix route module.
func srvIsRouteModule(p string) bool {
	return (strings.Contains(p, "app/routes/") || strings.HasPrefix(p, "routes/")) && !strings.Contains(p, "/components/")
}

// srvCheckedParent finds the parent route module of p (flat routes
// `a.b.tsx` -> `a.tsx`, folders `a/b.tsx` -> `a.tsx` / `a/route.tsx`,
// and app/routes.ts nesting) and returns it when its loader checks auth.
func srvCheckedParent(pass *rules.Pass, r *srvResolver, p string) string {
	dir := path.Dir(p)
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	if base == "route" {
		base = path.Base(dir)
		dir = path.Dir(dir)
	}
	var cands []string
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		parent := base[:i]
		for _, ext := range []string{".tsx", ".ts", ".jsx", ".js"} {
			cands = append(cands, path.Join(dir, parent+ext), path.Join(dir, parent, "route"+ext))
		}
	}
	if routesDir := srvRoutesRoot(p); routesDir != "" && dir != routesDir {
		for _, ext := range []string{".tsx", ".ts", ".jsx", ".js"} {
			cands = append(cands, dir+ext, path.Join(dir, "route"+ext))
		}
	}
	cands = append(cands, srvRoutesConfigParent(pass, p)...)
	for _, c := range cands {
		if c == p || !pass.Project.Has(c) {
			continue
		}
		pf := r.parse(c)
		if pf == nil {
			continue
		}
		for _, ex := range pf.Exports() {
			if ex.Name != "loader" {
				continue
			}
			if fn, ok := r.function(pf, ex.Value); ok && r.checksAuth(fn.File, fn.Fn) {
				return c
			}
		}
	}
	return ""
}

func srvRoutesRoot(p string) string {
	if i := strings.Index(p, "app/routes/"); i >= 0 {
		return p[:i] + "app/routes"
	}
	return ""
}

// srvRoutesConfigParent reads app/routes.ts (React Router v7) and returns
// the files of routes that nest p's module.
func srvRoutesConfigParent(pass *rules.Pass, p string) []string {
	i := strings.Index(p, "app/")
	if i < 0 {
		return nil
	}
	appDir := p[:i] + "app"
	r := &srvResolver{pass: pass}
	var cf *jsast.File
	for _, ext := range []string{".ts", ".js"} {
		if cf = r.parse(appDir + "/routes" + ext); cf != nil {
			break
		}
	}
	if cf == nil {
		return nil
	}
	rel := strings.TrimPrefix(p, appDir+"/")
	var out []string
	for _, call := range cf.Calls(cf.Root, func(n string) bool { return n == "route" || n == "layout" }) {
		a := jsast.Args(call)
		fileArg := 1
		if cf.CalleeName(call) == "layout" {
			fileArg = 0
		}
		if len(a) <= fileArg+1 {
			continue
		}
		parentFile, ok := cf.StringValue(a[fileArg])
		if !ok {
			continue
		}
		children := a[fileArg+1]
		nested := false
		jsast.Walk(children, func(n *jsast.Node) bool {
			if v, ok := cf.StringValue(n); ok && strings.TrimPrefix(v, "./") == rel {
				nested = true
			}
			return !nested
		})
		if nested {
			out = append(out, appDir+"/"+strings.TrimPrefix(parentFile, "./"))
		}
	}
	return out
}

// srvRootAuthLoader returns app/root.* when it exports rootAuthLoader.
func srvRootAuthLoader(pass *rules.Pass, p string) string {
	i := strings.Index(p, "app/")
	if i < 0 {
		return ""
	}
	for _, ext := range []string{".tsx", ".ts", ".jsx", ".js"} {
		root := p[:i] + "app/root" + ext
		if sf := pass.Get(root); sf != nil && strings.Contains(string(sf.Content), "rootAuthLoader") {
			return root
		}
	}
	return ""
}
