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

func (m *Model) scanStoredCallers(ctx context.Context) storedCallers {
	out := storedCallers{keys: map[string]bool{}}
	out.incomplete = m.scanModules(ctx, "the context keys it stores are not known",
		func(b []byte) bool { return bytes.Contains(b, []byte(".set(")) },
		func(f *jsast.File) { contextStores(f, out.keys) })
	return out
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
		r, seen := reads[fn]
		if !seen {
			r = readsIdentity(f, fn)
			reads[fn] = r
		}
		if prev, ok := keys[k]; !ok || prev {
			keys[k] = r
		}
	}
}

// readsIdentity reports whether fn reads the verified Clerk identity: it
// calls an identity source imported from a Clerk package (getAuth(c)) or
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
		callee := jsast.Unwrap(n.ChildByField("function"))
		if args := jsast.Args(n); callee != nil && callee.Type == "member_expression" && len(args) == 1 && f.Text(callee.ChildByField("property")) == "get" {
			if k, ok := f.StringValue(args[0]); ok && knowledge.IdentityContextKey(k) {
				return true
			}
		}
	}
	return false
}
