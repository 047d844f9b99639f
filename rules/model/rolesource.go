package model

import (
	"bytes"
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// callerRoles are the role-like properties an application stores on a
// request-scoped object (SvelteKit and Astro locals, h3's
// event.context, res.locals, c.set(), req.user) and whether it takes any
// of them from a value the caller can write.
type callerRoles struct {
	// names are the role-like property names (role, isAdmin) some file
	// of the snapshot sets from client-writable metadata
	// (knowledge.UserMetadataOf: unsafeMetadata).
	names map[string]bool
	// setKeys are the role-like keys some file stores with a keyed
	// setter (Hono's c.set('role', ...)): reading them back with
	// c.get('role') reads the application's context, not a header.
	setKeys map[string]bool
	// incomplete is set when a file that mentions such metadata could
	// not be read or parsed: which roles it sets is unknown.
	incomplete bool
}

// storedRoleValue returns what c.get(key) holds when key is a role-like
// key the application stores with c.set(): a role derived from the
// verified identity, or nothing the model can credit when some file
// stores it from client-writable metadata.
func (m *Model) storedRoleValue(ctx context.Context, key string) (value, bool) {
	cr := m.storedRoles(ctx)
	if !roleish(key) || !cr.setKeys[key] {
		return value{}, false
	}
	if cr.names[key] || cr.incomplete {
		return value{}, true
	}
	return value{kind: vIdentity, field: key, authz: AuthzRole}, true
}

// storedRoleTrusted reports whether a role-like property that the
// application's own hook or middleware stored is derived from the
// verified identity rather than chosen by the caller: true unless some
// file stores that property from client-writable metadata, or a file
// that mentions such metadata could not be read.
func (m *Model) storedRoleTrusted(ctx context.Context, prop string) bool {
	cr := m.storedRoles(ctx)
	return !cr.incomplete && !cr.names[prop]
}

// storedFromClient reports whether some file of the snapshot stores the
// role-like property prop from client-writable metadata. A file that
// could not be read adds nothing: a role check the model credited
// without the scan keeps its credit.
func (m *Model) storedFromClient(ctx context.Context, prop string) bool {
	return m.storedRoles(ctx).names[prop]
}

func (m *Model) storedRoles(ctx context.Context) callerRoles {
	cr, _ := m.callerRoles.get(func() (callerRoles, error) { return m.scanCallerRoles(ctx), nil })
	return cr
}

// scanCallerRoles reads the files that mention client-writable metadata
// and records the role-like properties they set from it: an object
// property (`{ role: user.unsafeMetadata.role }`, `{ role }` of such a
// variable), an assignment (`locals.role = meta.role`) or a keyed store
// (`c.set('role', ...)`).
func (m *Model) scanCallerRoles(ctx context.Context) callerRoles {
	out := callerRoles{names: map[string]bool{}, setKeys: map[string]bool{}}
	clientMeta := knowledge.ClientWritableMetadata()
	out.incomplete = m.scanModules(ctx, "the roles it stores are not known",
		func(b []byte) bool { return containsAny(b, clientMeta) || bytes.Contains(b, []byte(".set(")) },
		func(f *jsast.File) { rolesFromClientMetadata(f, out.names, out.setKeys) })
	return out
}

// rolesFromClientMetadata adds to names the role-like properties f sets
// from client-writable metadata, and to setKeys the role-like keys it
// stores with a keyed setter.
func rolesFromClientMetadata(f *jsast.File, names, setKeys map[string]bool) {
	t := metaTaint{f: f, binds: localBindings(f), memo: map[*jsast.Node]bool{}}
	tainted := func(n *jsast.Node) bool { return t.reads(n, 0) }
	for _, n := range jsast.Find(f.Root, "pair", "shorthand_property_identifier", "assignment_expression", "call_expression") {
		switch n.Type {
		case "pair":
			if k := propertyKey(f, n.ChildByField("key")); roleish(k) && tainted(n.ChildByField("value")) {
				names[k] = true
			}
		case "shorthand_property_identifier":
			if k := f.Text(n); roleish(k) && tainted(n) {
				names[k] = true
			}
		case "assignment_expression":
			l := jsast.Unwrap(n.ChildByField("left"))
			if l != nil && l.Type == "member_expression" {
				if k := propertyKey(f, l.ChildByField("property")); roleish(k) && tainted(n.ChildByField("right")) {
					names[k] = true
				}
			}
		case "call_expression":
			// c.set('role', meta.role)
			callee := jsast.Unwrap(n.ChildByField("function"))
			if args := jsast.Args(n); len(args) == 2 && callee != nil && callee.Type == "member_expression" && f.Text(callee.ChildByField("property")) == "set" {
				if k, ok := f.StringValue(args[0]); ok && roleish(k) {
					setKeys[k] = true
					if tainted(args[1]) {
						names[k] = true
					}
				}
			}
		}
	}
}

// localBindings maps each variable name bound in f (anywhere: the
// application's hook binds them inside its handler) to the values it is
// bound to: `const role = x` and `const { role } = x` bind role to x.
func localBindings(f *jsast.File) map[string][]*jsast.Node {
	out := map[string][]*jsast.Node{}
	for _, d := range jsast.Find(f.Root, "variable_declarator") {
		name, val := d.ChildByField("name"), d.ChildByField("value")
		if name == nil || val == nil {
			continue
		}
		if name.Type == "identifier" {
			out[f.Text(name)] = append(out[f.Text(name)], val)
			continue
		}
		for _, id := range jsast.Find(name, "identifier", "shorthand_property_identifier_pattern") {
			out[f.Text(id)] = append(out[f.Text(id)], val)
		}
	}
	for _, as := range jsast.Find(f.Root, "assignment_expression") {
		if l := as.ChildByField("left"); l != nil && l.Type == "identifier" {
			out[f.Text(l)] = append(out[f.Text(l)], as.ChildByField("right"))
		}
	}
	return out
}

// metaTaint follows an expression to the client-writable metadata it
// reads, through the variables of one file.
type metaTaint struct {
	f     *jsast.File
	binds map[string][]*jsast.Node
	// memo holds the answer for each bound value; a value being
	// followed is false, which ends cycles.
	memo map[*jsast.Node]bool
}

// reads reports whether an expression reads client-writable metadata,
// directly or through the variables it names.
func (t *metaTaint) reads(n *jsast.Node, depth int) bool {
	if n == nil || depth > MaxDepth {
		return false
	}
	f := t.f
	found := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if found {
			return false
		}
		switch x.Type {
		case "property_identifier", "identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern":
			name := f.Text(x)
			if md, ok := knowledge.UserMetadataOf(name); ok && md.ClientWritable {
				found = true
				return false
			}
			if x.Type == "property_identifier" {
				return true
			}
			for _, v := range t.binds[name] {
				done, seen := t.memo[v]
				if !seen {
					t.memo[v] = false
					done = t.reads(v, depth+1)
					t.memo[v] = done
				}
				if done {
					found = true
					return false
				}
			}
		case "string", "template_string":
			if s, ok := f.StringValue(x); ok {
				if md, ok := knowledge.UserMetadataOf(s); ok && md.ClientWritable {
					found = true // user['unsafeMetadata']
				}
			}
			return false
		}
		return true
	})
	return found
}

// clientWritable reports whether an identity member chain passes through
// client-writable metadata (user.unsafeMetadata.role): what it holds is
// the caller's choice, so comparing it is no role check.
func clientWritable(field string) bool {
	for _, seg := range strings.Split(field, ".") {
		if md, ok := knowledge.UserMetadataOf(seg); ok && md.ClientWritable {
			return true
		}
	}
	return false
}

// moduleClerkClient reports whether name is a module variable made by
// Clerk's client factory (const clerk = createClerkClient({ secretKey })),
// so that clerk.users.getUser(userId) is the caller's Clerk user.
func (a *analyzer) moduleClerkClient(name string) bool {
	v := jsast.Unwrap(a.f.LocalValue(name))
	if v == nil || v.Type != "call_expression" {
		return false
	}
	callee := jsast.Unwrap(v.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return false
	}
	exp, _ := a.m.clerkExportOf(a.ctx, a.f, a.f.Text(callee))
	return exp == "createClerkClient" || exp == "Clerk"
}

// callerSetRoleIn reports whether a test reads a role-like property
// (res.locals.role, req.accountRole, c.get('role')) that the application
// stores from client-writable metadata, or a role through such metadata.
func (a *analyzer) callerSetRoleIn(test *jsast.Node) bool {
	found := false
	jsast.Walk(test, func(x *jsast.Node) bool {
		if found {
			return false
		}
		name := ""
		switch x.Type {
		case "property_identifier":
			name = a.f.Text(x)
		case "string":
			name, _ = a.f.StringValue(x)
		default:
			return true
		}
		if md, ok := knowledge.UserMetadataOf(name); ok && md.ClientWritable {
			found = true
		} else if roleish(name) && a.m.storedFromClient(a.ctx, name) {
			found = true
		}
		return false
	})
	return found
}

// requestDecided reports a test that reads a value the caller sends (body,
// query, form, path, arguments) and nothing of the verified identity or
// the application's state:
// `if (req.body.role !== 'admin') return res.status(403)` lets through
// whoever sends role=admin, so answering Forbidden decides nothing about
// the caller.
func (a *analyzer) requestDecided(test *jsast.Node) bool {
	req, other := false, false
	jsast.Walk(test, func(x *jsast.Node) bool {
		if other {
			return false
		}
		switch x.Type {
		case "identifier", "member_expression", "subscript_expression", "call_expression":
			switch v := a.classify(x); {
			case v.kind == vRequest && v.src != FromHeaders:
				// (a header may be one a proxy sets, or Hono's c.get() of
				// the application's own context: CLK-RP-017 judges headers)
				req = true
				return false
			case v.kind == vLiteral:
				return false
			case v.kind != vOther:
				other = true // the identity, a row, a secret: not the request's alone
				return false
			}
			if x.Type == "identifier" {
				other = true // a value the model cannot name
			}
		}
		return true
	})
	return req && !other
}

// callerChosen reports whether an identity member chain holds a value the
// caller chose: it passes through client-writable metadata, or its last
// property is a role-like property the application stores from it.
func (a *analyzer) callerChosen(field string) bool {
	if field == "" {
		return false
	}
	last := field[strings.LastIndex(field, ".")+1:]
	return clientWritable(field) || roleish(last) && a.m.storedFromClient(a.ctx, last)
}
