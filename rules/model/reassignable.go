package model

import (
	"bytes"
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// ReassignableIdentity is the identity a middleware that reads the
// verified Clerk identity hands the request's handlers on its locals
// (`context.locals.auth = { userName: username }`, Astro's
// https://docs.astro.build/en/guides/middleware/#storing-data-in-contextlocals;
// SvelteKit's event.locals) when what names the caller there is a field
// of the caller's Clerk User that the user can change or give up
// (knowledge.ReassignableUserField: username, e-mail, phone, names) and
// the object holds no user id: the handlers that read it can key records
// by nothing else, so the records follow the name, not the account.
type ReassignableIdentity struct {
	Store Location // the assignment in the middleware
	Prop  string   // locals.<Prop>
	Key   string   // the property of the stored object holding the field
	Field string   // the Clerk User field (username)
	// Reads are the places a module reads locals.<Prop>.<Key>; an
	// identity no handler reads is not reported.
	Reads []Location
}

// ReassignableIdentities returns the reassignable identities the
// middleware functions of f store (see ReassignableIdentity). A module
// that could not be read while looking for the reads makes the answer
// unknown: nil.
func (m *Model) ReassignableIdentities(ctx context.Context, f *jsast.File) []ReassignableIdentity {
	if m == nil || f == nil {
		return nil
	}
	var out []ReassignableIdentity
	for _, as := range jsast.Find(f.Root, "assignment_expression") {
		l := jsast.Unwrap(as.ChildByField("left"))
		obj := jsast.Unwrap(as.ChildByField("right"))
		if l == nil || l.Type != "member_expression" || obj == nil || obj.Type != "object" {
			continue
		}
		fn := jsast.EnclosingFunction(as)
		locals := jsast.Unwrap(l.ChildByField("object"))
		if fn == nil || locals == nil || !localsOfFirstParam(f, fn, locals) || !readsIdentity(f, fn) {
			continue
		}
		prop := f.Text(l.ChildByField("property"))
		var found []ReassignableIdentity
		holdsID := false
		for _, key := range f.ObjectKeys(obj) {
			v := jsast.Unwrap(f.ObjectProp(obj, key))
			if v == nil {
				continue
			}
			if field := userFieldOf(f, fn, v); field != "" {
				found = append(found, ReassignableIdentity{Store: Location{File: f.Path, Line: as.Line}, Prop: prop, Key: key, Field: field})
				continue
			}
			if t := strings.ToLower(f.Text(v)); key == "id" || strings.Contains(strings.ToLower(key), "userid") ||
				strings.Contains(t, "userid") || strings.HasSuffix(t, ".id") || strings.HasSuffix(t, ".sub") {
				holdsID = true // the stable id travels along: handlers can key by it
			}
		}
		if !holdsID {
			out = append(out, found...)
		}
	}
	if len(out) == 0 {
		return nil
	}
	incomplete := m.scanModules(ctx, "the handlers reading the stored identity are not known",
		func(b []byte) bool { return bytes.Contains(b, []byte("locals")) },
		func(g *jsast.File) {
			for i := range out {
				out[i].Reads = append(out[i].Reads, localsReads(g, out[i].Prop, out[i].Key)...)
			}
		})
	if incomplete {
		return nil
	}
	kept := out[:0]
	for _, r := range out {
		if len(r.Reads) > 0 {
			kept = append(kept, r)
		}
	}
	return kept
}

// localsReads returns where g reads locals.<prop>.<key>: the member
// expression, or `const { key } = locals.prop`.
func localsReads(g *jsast.File, prop, key string) []Location {
	var out []Location
	suffix := "locals." + prop
	for _, n := range jsast.Find(g.Root, "member_expression", "variable_declarator") {
		switch n.Type {
		case "member_expression":
			if g.Text(n.ChildByField("property")) != key {
				continue
			}
			if o := g.Name(jsast.Unwrap(n.ChildByField("object"))); o == suffix || strings.HasSuffix(o, "."+suffix) {
				out = append(out, Location{File: g.Path, Line: n.Line})
			}
		case "variable_declarator":
			pat, val := n.ChildByField("name"), jsast.Unwrap(n.ChildByField("value"))
			if pat == nil || pat.Type != "object_pattern" || val == nil {
				continue
			}
			if o := g.Name(val); o != suffix && !strings.HasSuffix(o, "."+suffix) {
				continue
			}
			for _, c := range pat.NamedChildren() {
				if c.Type == "shorthand_property_identifier_pattern" && g.Text(c) == key ||
					c.Type == "pair_pattern" && propertyKey(g, c.ChildByField("key")) == key {
					out = append(out, Location{File: g.Path, Line: n.Line})
				}
			}
		}
	}
	return out
}

// userFieldOf returns the reassignable Clerk User field the value v
// holds inside the function fn: `user.username` of a user the function
// fetched, or `username` destructured from it (`const { username } =
// await clerk.users.getUser(userId)`); "" otherwise.
func userFieldOf(f *jsast.File, fn, v *jsast.Node) string {
	switch v.Type {
	case "member_expression":
		field := f.Text(v.ChildByField("property"))
		if knowledge.ReassignableUserField(field) && clerkUserValue(f, fn, jsast.Unwrap(v.ChildByField("object"))) {
			return field
		}
	case "identifier", "shorthand_property_identifier":
		name := f.Text(v)
		for _, d := range jsast.Find(fn, "variable_declarator") {
			pat, val := d.ChildByField("name"), jsast.Unwrap(d.ChildByField("value"))
			if pat == nil || val == nil || d.Line > v.Line {
				continue
			}
			switch pat.Type {
			case "identifier":
				if f.Text(pat) == name && val.Type == "member_expression" {
					return userFieldOf(f, fn, val)
				}
			case "object_pattern":
				if !clerkUserValue(f, fn, val) {
					continue
				}
				for _, c := range pat.NamedChildren() {
					field := ""
					switch c.Type {
					case "shorthand_property_identifier_pattern":
						if f.Text(c) == name {
							field = name
						}
					case "pair_pattern":
						if f.Text(jsast.Unwrap(c.ChildByField("value"))) == name {
							field = propertyKey(f, c.ChildByField("key"))
						}
					}
					if field != "" && knowledge.ReassignableUserField(field) {
						return field
					}
				}
			}
		}
	}
	return ""
}

// clerkUserValue reports whether n is the caller's Clerk User fetched in
// fn: a Backend `users.getUser(...)` call (awaited), or a name fn binds
// to one.
func clerkUserValue(f *jsast.File, fn, n *jsast.Node) bool { return clerkUserValueAt(f, fn, n, 0) }

func clerkUserValueAt(f *jsast.File, fn, n *jsast.Node, depth int) bool {
	n = jsast.Unwrap(n)
	if n == nil || depth > MaxWrapperDepth {
		return false
	}
	if n.Type == "identifier" {
		name := f.Text(n)
		for _, d := range jsast.Find(fn, "variable_declarator") {
			if pat := d.ChildByField("name"); pat != nil && pat.Type == "identifier" && f.Text(pat) == name {
				return clerkUserValueAt(f, fn, d.ChildByField("value"), depth+1)
			}
		}
		return false
	}
	if n.Type != "call_expression" {
		return false
	}
	bc, ok := knowledge.BackendCallIn(strings.ReplaceAll(f.CalleeName(n), "()", ""))
	return ok && bc.Resource == "users" && bc.Method == "getUser"
}
