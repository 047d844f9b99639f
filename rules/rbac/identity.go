package rbac

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// identity knows which names of a function hold the caller's identity as
// Clerk established it (auth(), currentUser(), getAuth(req), req.auth).
type identity struct {
	f *jsast.File
	// ids are names holding an identifier: `const { userId } = await auth()`.
	ids map[string]bool
	// objs are names holding an Auth or User object: `const user = await currentUser()`.
	objs map[string]bool
}

// identityIn collects the identity names bound in the functions enclosing
// n (and in fn itself when n is nil).
func identityIn(f *jsast.File, fn *jsast.Node) identity {
	id := identity{f: f, ids: map[string]bool{}, objs: map[string]bool{}}
	g := guard{f: f}
	for s := fn; s != nil; s = jsast.EnclosingFunction(s) {
		jsast.Walk(jsast.FunctionBody(s), func(n *jsast.Node) bool {
			if n.Type == "call_expression" && g.isAuthCall(n) {
				id.bind(n)
			}
			if n.Type == "member_expression" && id.isAuthMember(n) {
				if d := n.Parent; d != nil && d.Type == "variable_declarator" {
					for _, name := range patternNames(f, d.ChildByField("name")) {
						id.ids[name] = true
					}
				}
			}
			return true
		})
		// req.auth destructured in parameters is rare; stop at the
		// outermost function.
	}
	return id
}

func (id identity) bind(call *jsast.Node) {
	n := call
	for n.Parent != nil && (n.Parent.Type == "await_expression" || n.Parent.Type == "parenthesized_expression" ||
		n.Parent.Type == "as_expression" || n.Parent.Type == "non_null_expression") {
		n = n.Parent
	}
	p := n.Parent
	if p == nil || p.Type != "variable_declarator" {
		return
	}
	pat := p.ChildByField("name")
	if pat == nil {
		return
	}
	if pat.Type == "identifier" {
		id.objs[id.f.Text(pat)] = true
		return
	}
	jsast.Walk(pat, func(x *jsast.Node) bool {
		switch x.Type {
		case "shorthand_property_identifier_pattern":
			id.ids[id.f.Text(x)] = true
		case "pair_pattern":
			if v := x.ChildByField("value"); v != nil && v.Type == "identifier" {
				id.ids[id.f.Text(v)] = true
			}
			return false
		}
		return true
	})
}

// isAuthMember reports member chains that read the identity without a
// binding: auth().userId, getAuth(req).userId, req.auth.userId, ctx.userId.
func (id identity) isAuthMember(n *jsast.Node) bool {
	name := id.f.Name(n)
	if name == "" {
		return false
	}
	last := jsast.LastSegment(name)
	if last != "userId" && last != "orgId" && last != "sub" {
		return false
	}
	lower := strings.ToLower(name)
	return strings.Contains(lower, "auth") || strings.HasPrefix(name, "ctx.") || strings.Contains(lower, "session")
}

// Is reports whether e (unwrapped) is the caller's identity.
func (id identity) Is(e *jsast.Node) bool {
	e = jsast.Unwrap(e)
	if e == nil {
		return false
	}
	switch e.Type {
	case "identifier", "shorthand_property_identifier":
		return id.ids[id.f.Text(e)]
	case "member_expression":
		name := id.f.Name(e)
		root := strings.Split(name, ".")[0]
		last := jsast.LastSegment(name)
		if id.objs[root] && (last == "id" || last == "userId" || last == "orgId" || last == "sub") {
			return true
		}
		return id.isAuthMember(e)
	}
	return false
}

// Names returns whether name is a bound identity name.
func (id identity) Has(name string) bool { return id.ids[name] || id.objs[name] }
