package model

import (
	"bytes"
	"context"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// storedCallers are the keys an application's middleware stores on a
// keyed request context (Hono's c.set(key, value),
// https://hono.dev/docs/api/context#set-get) inside a function that
// reads the verified Clerk identity (getAuth(c), c.get('clerkAuth')):
// the caller's Clerk User or the caller's own row, looked up from the
// verified user id. Reading them back with c.get(key) reads who the
// caller is, not anything the request chose.
type storedCallers struct {
	// keys holds, for each key stored with c.set(), whether every store
	// of it is inside such a function.
	keys map[string]bool
	// locals holds the same for each property assigned on the request's
	// locals (Astro's `context.locals.auth = { ... }` in a middleware,
	// https://docs.astro.build/en/guides/middleware/#storing-data-in-contextlocals;
	// SvelteKit's event.locals in a handle hook).
	locals map[string]bool
	// incomplete is set when a file that stores keys could not be read
	// or parsed: what it stores is unknown.
	incomplete bool
}

// storedCallerValue returns what c.get(key) holds when every c.set(key,
// ...) of the snapshot is in a middleware that reads the verified
// identity: a user object standing for the caller (null when the
// middleware found nobody signed in). ok is false otherwise, and when a
// file that stores context keys could not be read.
func (m *Model) storedCallerValue(ctx context.Context, key string) (value, bool) {
	sc, _ := m.ctxUsers.get(func() (storedCallers, error) { return m.scanStoredCallers(ctx), nil })
	if sc.incomplete || !sc.keys[key] || knowledge.ClientContextKey(key) || knowledge.IdentityContextKey(key) {
		return value{}, false
	}
	return value{kind: vUser}, true
}

// storedLocalsValue returns what locals.prop holds when every assignment
// of it in the snapshot is in a middleware function that reads the
// verified Clerk identity (an application that wires Clerk by hand:
// `const state = await clerk.authenticateRequest(context.request)`, then
// `context.locals.auth = { userName }` when it has a user id): a value
// standing for the caller, absent when nobody is signed in. ok is false
// otherwise, and when a file that assigns locals could not be read.
// Clerk's own middleware assigns in node_modules, which is not scanned:
// Astro.locals.auth() stays Clerk's (the call is read by localsIdentity).
func (m *Model) storedLocalsValue(ctx context.Context, prop string) (value, bool) {
	sc, _ := m.ctxUsers.get(func() (storedCallers, error) { return m.scanStoredCallers(ctx), nil })
	if sc.incomplete || !sc.locals[prop] {
		return value{}, false
	}
	return value{kind: vUser}, true
}

func (m *Model) scanStoredCallers(ctx context.Context) storedCallers {
	out := storedCallers{keys: map[string]bool{}, locals: map[string]bool{}}
	out.incomplete = m.scanModules(ctx, "the context keys it stores are not known",
		func(b []byte) bool { return bytes.Contains(b, []byte(".set(")) || bytes.Contains(b, []byte("locals.")) },
		func(f *jsast.File) {
			contextStores(f, out.keys)
			localsStores(f, out.locals)
		})
	return out
}

// localsStores adds to props each property f assigns on the locals of
// its function's first parameter (`context.locals.auth = v` in
// `(context, next) => {...}`, `locals.user = v` with `{ locals }`
// destructured from it), true when that function reads the verified
// identity; a property assigned anywhere else is false for good.
func localsStores(f *jsast.File, props map[string]bool) {
	reads := map[*jsast.Node]bool{}
	for _, as := range jsast.Find(f.Root, "assignment_expression") {
		l := jsast.Unwrap(as.ChildByField("left"))
		if l == nil || l.Type != "member_expression" {
			continue
		}
		obj := jsast.Unwrap(l.ChildByField("object"))
		prop := f.Text(l.ChildByField("property"))
		fn := jsast.EnclosingFunction(as)
		if obj == nil || prop == "" || fn == nil || !localsOfFirstParam(f, fn, obj) {
			continue
		}
		noteStore(f, fn, prop, reads, props)
	}
}

// localsOfFirstParam reports whether obj is the locals of fn's first
// parameter: `p.locals` for an identifier parameter p, or `locals`
// destructured from an object-pattern parameter.
func localsOfFirstParam(f *jsast.File, fn, obj *jsast.Node) bool {
	ps := jsast.ParamPatterns(fn)
	if len(ps) == 0 {
		return false
	}
	switch {
	case obj.Type == "member_expression" && f.Text(obj.ChildByField("property")) == "locals":
		o := jsast.Unwrap(obj.ChildByField("object"))
		return o != nil && o.Type == "identifier" && ps[0].Type == "identifier" && f.Text(o) == f.Text(ps[0])
	case obj.Type == "identifier" && f.Text(obj) == "locals" && ps[0].Type == "object_pattern":
		for _, id := range jsast.Find(ps[0], "shorthand_property_identifier_pattern") {
			if f.Text(id) == "locals" {
				return true
			}
		}
	}
	return false
}

// contextStores adds to keys each key f stores with a keyed setter on
// its function's first parameter (`c.set('user', u)` in `async (c, next)
// => {...}`), true when that function reads the verified identity; a key
// stored anywhere else is false for good.
func contextStores(f *jsast.File, keys map[string]bool) {
	reads := map[*jsast.Node]bool{}
	for _, n := range jsast.Find(f.Root, "call_expression") {
		callee := jsast.Unwrap(n.ChildByField("function"))
		args := jsast.Args(n)
		if callee == nil || callee.Type != "member_expression" || len(args) != 2 || f.Text(callee.ChildByField("property")) != "set" {
			continue
		}
		k, ok := f.StringValue(args[0])
		obj := jsast.Unwrap(callee.ChildByField("object"))
		fn := jsast.EnclosingFunction(n)
		if !ok || obj == nil || obj.Type != "identifier" || fn == nil {
			continue
		}
		ps := jsast.ParamPatterns(fn)
		if len(ps) == 0 || ps[0].Type != "identifier" || f.Text(ps[0]) != f.Text(obj) {
			continue // a Map's or a Set's set(), not the request context's
		}
		noteStore(f, fn, k, reads, keys)
	}
}

// noteStore records that fn stores key: true while every store of it is
// in a function that reads the verified identity (reads caches that per
// function), false for good otherwise.
func noteStore(f *jsast.File, fn *jsast.Node, key string, reads map[*jsast.Node]bool, stored map[string]bool) {
	r, seen := reads[fn]
	if !seen {
		r = readsIdentity(f, fn)
		reads[fn] = r
	}
	if prev, ok := stored[key]; !ok || prev {
		stored[key] = r
	}
}

// readsIdentity reports whether fn reads the verified Clerk identity: it
// calls an identity source imported from a Clerk package (getAuth(c)) or
// a Clerk client's request verifier (clerk.authenticateRequest(req)), or
// looks up the key a Clerk middleware stores its Auth object under
// (c.get('clerkAuth'), c.var.clerkAuth).
func readsIdentity(f *jsast.File, fn *jsast.Node) bool {
	for _, n := range jsast.Find(fn, "call_expression", "member_expression") {
		if n.Type == "member_expression" {
			o := jsast.Unwrap(n.ChildByField("object"))
			if o != nil && o.Type == "member_expression" && f.Text(o.ChildByField("property")) == "var" &&
				knowledge.IdentityContextKey(f.Text(n.ChildByField("property"))) {
				return true
			}
			continue
		}
		if src, name, ok := f.ImportedCallee(n); ok && jsast.IsClerkModule(src) {
			if _, ok := knowledge.IdentitySourceOf(src, name); ok {
				return true
			}
		}
		if localsIdentityCall(f, n) {
			return true
		}
		if clerkClientVerify(f, n) {
			return true
		}
		callee := jsast.Unwrap(n.ChildByField("function"))
		if args := jsast.Args(n); callee != nil && callee.Type == "member_expression" && len(args) == 1 && f.Text(callee.ChildByField("property")) == "get" {
			if k, ok := f.StringValue(args[0]); ok && knowledge.IdentityContextKey(k) {
				return true
			}
		}
	}
	return false
}

// clerkClientVerify reports whether call is a Clerk Backend client method
// that verifies the request's session (knowledge.IdentitySourceOf
// `authenticateRequest`, returning the RequestState) in a file that
// imports a Clerk package: the client was made from that package.
func clerkClientVerify(f *jsast.File, call *jsast.Node) bool {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" || !f.ImportsFrom(jsast.IsClerkModule) {
		return false
	}
	src, ok := knowledge.IdentitySourceOf("@clerk/backend", f.Text(callee.ChildByField("property")))
	return ok && src.Returns == knowledge.RequestState
}

// localsIdentityCall reports whether call reads the identity Clerk's
// middleware put on the request's locals (`context.locals.auth()`,
// `locals.currentUser()`: knowledge.IdentitySourceOn "locals").
func localsIdentityCall(f *jsast.File, call *jsast.Node) bool {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return false
	}
	obj := jsast.Unwrap(callee.ChildByField("object"))
	if obj == nil || !(obj.Type == "identifier" && f.Text(obj) == "locals" ||
		obj.Type == "member_expression" && f.Text(obj.ChildByField("property")) == "locals") {
		return false
	}
	_, ok := knowledge.IdentitySourceOn("locals", f.Text(callee.ChildByField("property")))
	return ok
}
