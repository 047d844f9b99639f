package jsast

import (
	"path"
	"regexp"
	"strings"
)

// Entry is a function a request can reach: a Next.js route handler or
// Server Action, a Pages Router API route, a loader or action, an Express /
// Fastify / Hono route handler, a tRPC procedure, a SvelteKit, Astro or
// Nuxt endpoint, a TanStack server function.
type Entry struct {
	Kind string // "route handler", "server action", "api route", "loader", "action", "handler", "procedure", "server function"
	Name string // exported name, HTTP method or "METHOD /path"
	Fn   *Node  // the function node
	// Middleware holds what runs before Fn and may guard it: the
	// arguments before the handler of an Express-style route, the callee
	// of a wrapper (`withAuth(handler)`), the procedure chain of tRPC.
	Middleware []*Node
}

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
	"HEAD": true, "OPTIONS": true, "ALL": true}

var routerMethods = map[string]bool{"get": true, "post": true, "put": true, "patch": true, "delete": true,
	"del": true, "all": true, "options": true}

// IsNonRequestPath reports whether p is a script, seed, migration, test or
// fixture file, which no request reaches.
func IsNonRequestPath(p string) bool {
	lp := "/" + strings.ToLower(p)
	for _, seg := range []string{"/scripts/", "/script/", "/migrations/", "/seed/", "/seeds/", "/__tests__/", "/test/", "/tests/",
		"/e2e/", "/__mocks__/", "/fixtures/", "/cypress/", "/playwright/", "/prisma/", "/drizzle/", "/bin/", "/cli/"} {
		if strings.Contains(lp, seg) {
			return true
		}
	}
	base := path.Base(lp)
	return strings.HasPrefix(base, "seed") || strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") ||
		strings.Contains(base, ".stories.") || strings.HasPrefix(base, "migrate")
}

var (
	nextRouteFile = regexp.MustCompile(`(^|/)app/(.*/)?route\.(ts|js|mts|mjs|tsx|jsx)$`)
	pagesAPIFile  = regexp.MustCompile(`(^|/)pages/api/`)
	svelteServer  = regexp.MustCompile(`(^|/)\+(server|page\.server|layout\.server)\.(ts|js)$`)
	astroEndpoint = regexp.MustCompile(`(^|/)src/pages/.*\.(ts|js)$`)
	nuxtServer    = regexp.MustCompile(`(^|/)server/(api|routes|middleware)/`)
	remixRoute    = regexp.MustCompile(`(^|/)(app/routes/|routes/)`)
)

// Entries returns the request entry points defined in the file.
func (f *File) Entries() []Entry {
	if IsNonRequestPath(f.Path) {
		return nil
	}
	var out []Entry
	seen := map[*Node]bool{}
	add := func(e Entry) {
		if e.Fn == nil || seen[e.Fn] {
			return
		}
		seen[e.Fn] = true
		out = append(out, e)
	}
	p := f.Path
	useServer := f.Directive() == "use server"
	for _, ex := range f.Exports() {
		fn, mw := f.unwrapHandler(ex.Value)
		switch {
		case nextRouteFile.MatchString(p) && httpMethods[ex.Name]:
			add(Entry{Kind: "route handler", Name: ex.Name, Fn: fn, Middleware: mw})
		case pagesAPIFile.MatchString(p) && ex.Name == "default":
			add(Entry{Kind: "api route", Name: "default", Fn: fn, Middleware: mw})
		case useServer && fn != nil:
			add(Entry{Kind: "server action", Name: ex.Name, Fn: fn, Middleware: mw})
		case svelteServer.MatchString(p) && (httpMethods[ex.Name] || ex.Name == "load"):
			add(Entry{Kind: "endpoint", Name: ex.Name, Fn: fn, Middleware: mw})
		case svelteServer.MatchString(p) && ex.Name == "actions":
			for _, a := range f.objectFunctions(ex.Value) {
				add(Entry{Kind: "action", Name: a.name, Fn: a.fn})
			}
		case astroEndpoint.MatchString(p) && httpMethods[ex.Name]:
			add(Entry{Kind: "endpoint", Name: ex.Name, Fn: fn, Middleware: mw})
		case nuxtServer.MatchString(p) && ex.Name == "default":
			add(Entry{Kind: "handler", Name: "default", Fn: fn, Middleware: mw})
		case (ex.Name == "loader" || ex.Name == "action") && (remixRoute.MatchString(p) || f.ImportsFrom(isRouterModule)):
			add(Entry{Kind: ex.Name, Name: ex.Name, Fn: fn, Middleware: mw})
		}
	}
	Walk(f.Root, func(n *Node) bool {
		switch n.Type {
		case "call_expression":
			name := f.CalleeName(n)
			last := LastSegment(name)
			args := Args(n)
			switch {
			case routerMethods[last] && strings.Contains(name, ".") && len(args) >= 2:
				route, ok := f.StringValue(args[0])
				if !ok || !strings.HasPrefix(route, "/") {
					break
				}
				h := Unwrap(args[len(args)-1])
				if !IsFunction(h) {
					if v := f.LocalValue(f.Text(h)); IsFunction(v) {
						h = v
					} else {
						break
					}
				}
				add(Entry{Kind: "handler", Name: strings.ToUpper(last) + " " + route, Fn: h, Middleware: args[1 : len(args)-1]})
			case (last == "mutation" || last == "query" || last == "subscription") && len(args) == 1 && IsFunction(Unwrap(args[0])):
				add(Entry{Kind: "procedure", Name: procedureName(f, n), Fn: Unwrap(args[0]),
					Middleware: []*Node{n.ChildByField("function")}})
			case last == "handler" && strings.Contains(name, "createServerFn") && len(args) == 1 && IsFunction(Unwrap(args[0])):
				add(Entry{Kind: "server function", Name: "createServerFn", Fn: Unwrap(args[0]),
					Middleware: []*Node{n.ChildByField("function")}})
			}
		default:
			if IsFunction(n) && f.FunctionDirective(n) == "use server" {
				add(Entry{Kind: "server action", Name: functionName(f, n), Fn: n})
			}
		}
		return true
	})
	return out
}

func isRouterModule(src string) bool {
	return strings.HasPrefix(src, "@remix-run/") || src == "react-router" || strings.HasPrefix(src, "@react-router/") ||
		strings.HasPrefix(src, "@clerk/remix") || strings.HasPrefix(src, "@clerk/react-router")
}

// unwrapHandler returns the function of an exported value, looking
// through wrappers: `withAuth(handler)`, `defineEventHandler(fn)`.
func (f *File) unwrapHandler(v *Node) (*Node, []*Node) {
	var mw []*Node
	for i := 0; i < 4 && v != nil; i++ {
		v = Unwrap(v)
		if IsFunction(v) {
			return v, mw
		}
		if v.Type == "identifier" {
			lv := f.LocalValue(f.Text(v))
			if lv == nil || lv == v {
				return nil, mw
			}
			v = lv
			continue
		}
		if v.Type != "call_expression" {
			return nil, mw
		}
		args := Args(v)
		if len(args) == 0 {
			return nil, mw
		}
		mw = append(mw, v.ChildByField("function"))
		mw = append(mw, args[:len(args)-1]...)
		v = args[len(args)-1]
		if u := Unwrap(v); u != nil && u.Type == "object" {
			// defineEventHandler({ onRequest: [...], handler })
			if h := f.ObjectProp(u, "handler"); h != nil {
				if or := f.ObjectProp(u, "onRequest"); or != nil {
					mw = append(mw, or)
				}
				v = h
			}
		}
	}
	return nil, mw
}

type namedFn struct {
	name string
	fn   *Node
}

func (f *File) objectFunctions(obj *Node) []namedFn {
	obj = Unwrap(obj)
	if obj == nil || obj.Type != "object" {
		return nil
	}
	var out []namedFn
	for _, k := range f.ObjectKeys(obj) {
		v := Unwrap(f.ObjectProp(obj, k))
		if IsFunction(v) {
			out = append(out, namedFn{k, v})
		}
	}
	return out
}

// procedureName names a tRPC procedure by its router key when there is one.
func procedureName(f *File, call *Node) string {
	for p := call.Parent; p != nil; p = p.Parent {
		if p.Type == "pair" {
			return f.Text(p.ChildByField("key"))
		}
		if p.Type == "statement_block" || p.Type == "program" {
			break
		}
	}
	return LastSegment(f.CalleeName(call))
}

// FunctionName returns the declared or bound name of a function node, or
// "anonymous function".
func FunctionName(f *File, fn *Node) string { return functionName(f, fn) }

func functionName(f *File, fn *Node) string {
	if n := fn.ChildByField("name"); n != nil {
		return f.Text(n)
	}
	if p := fn.Parent; p != nil {
		switch p.Type {
		case "variable_declarator":
			return f.Text(p.ChildByField("name"))
		case "pair":
			return f.Text(p.ChildByField("key"))
		case "assignment_expression":
			return f.Text(p.ChildByField("left"))
		}
	}
	return "anonymous function"
}

// EntryOf returns the entry among es whose function contains n, the
// innermost one when entries nest.
func EntryOf(es []Entry, n *Node) (Entry, bool) {
	var best Entry
	found := false
	for _, e := range es {
		if e.Fn.Contains(n) && (!found || best.Fn.Contains(e.Fn)) {
			best, found = e, true
		}
	}
	return best, found
}
