package model

import (
	"context"
	"fmt"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// AllowedHook is a bucket hook of a library handler's router that allows
// every caller: its function returns `true` on every path and never
// throws, so nothing about the caller (the library's ctx) or the file
// decides.
type AllowedHook struct {
	knowledge.AllowHook
	Bucket string // the router's key: "publicFiles"
	Location
}

// allowAllHooks returns the hooks of the buckets in the factory's router
// option (`router: es.router({ files: es.fileBucket().beforeDelete(...) })`,
// directly or through a module-level const of this file) whose function
// allows every caller. A router it cannot read yields none.
func allowAllHooks(f *jsast.File, opts *jsast.Node, h knowledge.LibraryHandler) []AllowedHook {
	if h.RouterOption == "" || len(h.AllowHooks) == 0 || opts == nil || opts.Type != "object" {
		return nil
	}
	r := jsast.Unwrap(f.ObjectProp(opts, h.RouterOption))
	if r != nil && (r.Type == "identifier" || r.Type == "shorthand_property_identifier") {
		r = jsast.Unwrap(f.LocalValue(f.Text(r)))
	}
	if r == nil || r.Type != "call_expression" || len(jsast.Args(r)) == 0 {
		return nil
	}
	buckets := jsast.Unwrap(jsast.Args(r)[0])
	if buckets == nil || buckets.Type != "object" {
		return nil
	}
	var out []AllowedHook
	for _, name := range f.ObjectKeys(buckets) {
		// The builder chain: each hook is a method call on the bucket.
		for b := jsast.Unwrap(f.ObjectProp(buckets, name)); b != nil && b.Type == "call_expression"; {
			callee := jsast.Unwrap(b.ChildByField("function"))
			if callee == nil || callee.Type != "member_expression" {
				break
			}
			prop := callee.ChildByField("property")
			method := f.Text(prop)
			for _, k := range h.AllowHooks {
				if args := jsast.Args(b); k.Method == method && len(args) > 0 && alwaysTrue(f, jsast.Unwrap(args[0])) {
					out = append(out, AllowedHook{AllowHook: k, Bucket: name, Location: Location{File: f.Path, Line: prop.Line}})
				}
			}
			b = jsast.Unwrap(callee.ChildByField("object"))
		}
	}
	return out
}

// alwaysTrue reports a function that returns the literal `true` on every
// return and throws nothing: its answer does not depend on its arguments.
func alwaysTrue(f *jsast.File, fn *jsast.Node) bool {
	if fn == nil || !jsast.IsFunction(fn) {
		return false
	}
	body := jsast.Unwrap(fn.ChildByField("body"))
	if body == nil {
		return false
	}
	if body.Type != "statement_block" {
		return body.Type == "true"
	}
	returns, ok := 0, true
	jsast.Walk(body, func(n *jsast.Node) bool {
		switch {
		case !ok || n != body && jsast.IsFunction(n):
			return false
		case n.Type == "throw_statement":
			ok = false
		case n.Type == "return_statement":
			returns++
			v := n.NamedChildren()
			ok = len(v) == 1 && jsast.Unwrap(v[0]).Type == "true"
		}
		return ok
	})
	return ok && returns > 0
}

// FileRoute is a route of a library handler's router (an UploadThing file
// route) and what its check (knowledge.LibraryHandler.RouteGuard, the
// `.middleware()` that runs before anything is stored) does to a
// signed-out caller.
type FileRoute struct {
	Name string // the router's key: "imageUploader"
	Location
	// Gate is GateRejects when the check throws for every signed-out
	// caller, GateNone when it reads nothing about the caller and lets
	// every request through (or the route has none), GateUnknown
	// otherwise.
	Gate  Gate
	Why   string
	Proof []Proof
}

// fileRoutes evaluates the route check of each route of the factory's
// router option, followed to a module-level const of this file or an
// imported one; none when the router cannot be read.
func (m *Model) fileRoutes(ctx context.Context, f *jsast.File, opts *jsast.Node, h knowledge.LibraryHandler) []FileRoute {
	if h.RouteGuard == "" || opts == nil || opts.Type != "object" {
		return nil
	}
	rf, r := f, jsast.Unwrap(f.ObjectProp(opts, h.RouterOption))
	if r != nil && (r.Type == "identifier" || r.Type == "shorthand_property_identifier") {
		rf, r = m.constValue(ctx, f, f.Text(r))
	}
	if r == nil || r.Type != "object" || jsast.HasSpread(r) {
		return nil
	}
	var routes []FileRoute
	for _, name := range rf.ObjectKeys(r) {
		fr := FileRoute{Name: name, Gate: GateNone, Location: Location{File: rf.Path, Line: r.Line}}
		var check *jsast.Node
		b := jsast.Unwrap(rf.ObjectProp(r, name))
		if b != nil {
			fr.Line = b.Line
		}
		// The builder chain: f({...}).middleware(fn).onUploadComplete(fn).
		for b != nil && b.Type == "call_expression" {
			callee := jsast.Unwrap(b.ChildByField("function"))
			if callee == nil || callee.Type != "member_expression" {
				break
			}
			if args := jsast.Args(b); rf.Text(callee.ChildByField("property")) == h.RouteGuard && len(args) > 0 {
				check = jsast.Unwrap(args[0])
			}
			b = jsast.Unwrap(callee.ChildByField("object"))
		}
		switch {
		case b == nil || b.Type != "call_expression":
			fr.Gate, fr.Why = GateUnknown, fmt.Sprintf("file route `%s` is not a builder chain the model can read", name)
		case check == nil:
			fr.Why = fmt.Sprintf("file route `%s` has no `.%s()`, so the library stores files for every request", name, h.RouteGuard)
		default:
			m.routeCheck(ctx, rf, check, h, &fr)
		}
		routes = append(routes, fr)
	}
	return routes
}

// routeCheck evaluates a route's check function as a handler given the
// request context: it guards when no signed-out caller completes it (it
// throws), and does not when it completes and is request-blind.
func (m *Model) routeCheck(ctx context.Context, f *jsast.File, fn *jsast.Node, h knowledge.LibraryHandler, fr *FileRoute) {
	if fn.Type == "identifier" {
		f, fn = m.constValue(ctx, f, f.Text(fn))
	}
	if fn == nil || !jsast.IsFunction(fn) {
		fr.Gate, fr.Why = GateUnknown, fmt.Sprintf("the `.%s()` of file route `%s` is not a function the model can follow", h.RouteGuard, fr.Name)
		return
	}
	fr.Line = fn.Line
	s := m.summarize(ctx, f, fn, roleHandler, []ParamRole{ParamRequestContext}, 0, nil)
	switch {
	case s.cont == no:
		fr.Gate, fr.Why = GateRejects, fmt.Sprintf("the `.%s()` of file route `%s` throws for a signed-out caller", h.RouteGuard, fr.Name)
		for _, c := range s.checks {
			if c.authn {
				fr.Proof = append(fr.Proof, c.Proof)
			}
		}
		if len(fr.Proof) == 0 {
			fr.Proof = []Proof{{Location: Location{File: f.Path, Line: fn.Line}, What: "." + h.RouteGuard + "()"}}
		}
	case s.cont == yes && len(s.reads) == 0 && len(s.checks) == 0 && len(s.unknown) == 0 && m.requestBlind(ctx, f, fn, 0):
		fr.Why = fmt.Sprintf("the `.%s()` of file route `%s` reads neither the request nor a session (its answer is the same for every caller) and lets every request upload", h.RouteGuard, fr.Name)
	default:
		fr.Gate, fr.Why = GateUnknown, fmt.Sprintf("the `.%s()` of file route `%s` could not be decided", h.RouteGuard, fr.Name)
	}
}

// constValue returns the value of a module-level const of f, or of the
// binding an import of f names in its own module.
func (m *Model) constValue(ctx context.Context, f *jsast.File, name string) (*jsast.File, *jsast.Node) {
	if v := jsast.Unwrap(f.LocalValue(name)); v != nil {
		return f, v
	}
	o, ok, err := m.graph.Origin(ctx, f.Path, name)
	if err != nil || !ok {
		return nil, nil
	}
	of, v, err := m.originValue(ctx, o)
	if err != nil || v == nil {
		return nil, nil
	}
	return of, jsast.Unwrap(v)
}

// RouteGate is the gate of the handler's file routes together: none with
// the first route that lets every request through, rejects when every
// route's check throws for a signed-out caller, unknown otherwise (and
// when there are no routes the model could read).
func (l *LibraryHandler) RouteGate() (Gate, FileRoute) {
	if len(l.Routes) == 0 {
		return GateUnknown, FileRoute{}
	}
	g, at := GateRejects, l.Routes[0]
	for _, r := range l.Routes {
		switch {
		case r.Gate == GateNone:
			return GateNone, r
		case r.Gate == GateUnknown && g != GateUnknown:
			g, at = GateUnknown, r
		}
	}
	return g, at
}
