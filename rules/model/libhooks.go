package model

import (
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
