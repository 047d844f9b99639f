package routes

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// The two questions below are syntactic, about one function or one
// statement of the file a rule is looking at; they are not the model's
// guard verdict (pass.Model.Guard/OwnGuard), which answers for entries.
// CLK-RP-007 asks testsIdentityWithExit to tell a wrong test of the Auth
// object from one that sits beside a proper check; CLK-RP-018 asks
// branchLeaves whether `if (!userId)` rejects. The names they know come
// from the knowledge tables: identity fields (knowledge.AuthFieldOf) and
// request-ending calls (knowledge.ExitsNamed).

// testsIdentityWithExit reports whether fn's own body tests the identity
// (an identity field, a has() call, or a currentUser() value) in an if or
// ternary with a branch that leaves, or calls a protect()-style helper.
func testsIdentityWithExit(f *jsast.File, fn *jsast.Node) bool {
	body := jsast.FunctionBody(fn)
	if body == nil {
		body = fn
	}
	users := identityLocals(f, body)
	ok := false
	jsast.Walk(body, func(n *jsast.Node) bool {
		if ok {
			return false
		}
		switch n.Type {
		case "if_statement", "ternary_expression":
			if condTestsIdentity(f, n.ChildByField("condition"), users) &&
				(branchLeaves(f, n.ChildByField("consequence")) || branchLeaves(f, n.ChildByField("alternative"))) {
				ok = true
			}
		case "call_expression":
			if jsast.LastSegment(f.CalleeName(n)) == "protect" {
				ok = true
			}
		}
		return true
	})
	return ok
}

// identityField reports whether name is a field whose value says who the
// caller is (null or false when signed out). has is a function, always
// truthy: only a call of it tests anything.
func identityField(name string) bool {
	fld, ok := knowledge.AuthFieldOf(name)
	return ok && fld.Identity && fld.Name != "has"
}

// condTestsIdentity reports whether an if-condition tests the identity:
// an identity field, a has() call, or a local named in users.
func condTestsIdentity(f *jsast.File, cond *jsast.Node, users map[string]bool) bool {
	found := false
	jsast.Walk(cond, func(n *jsast.Node) bool {
		if found {
			return false
		}
		switch n.Type {
		case "identifier", "property_identifier", "shorthand_property_identifier":
			t := f.Text(n)
			if identityField(t) || users[t] {
				found = true
			}
		case "call_expression":
			if jsast.LastSegment(f.CalleeName(n)) == "has" {
				found = true
			}
		}
		return true
	})
	return found
}

// branchLeaves reports whether a statement (an if branch) leaves the
// request: return, throw, or a call that ends it (knowledge.ExitsNamed;
// next() only with an error argument).
func branchLeaves(f *jsast.File, n *jsast.Node) bool {
	if n == nil {
		return false
	}
	exits := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if exits || (x != n && jsast.IsFunction(x)) {
			return false
		}
		switch x.Type {
		case "return_statement", "throw_statement":
			exits = true
		case "call_expression":
			name := f.CalleeName(x)
			if name == "next" && len(jsast.Args(x)) == 0 {
				return true
			}
			if len(knowledge.ExitsNamed(name)) > 0 {
				exits = true
			}
		}
		return true
	})
	return exits
}

// identityLocals returns local names bound to currentUser() results, and
// local names an identity field was copied into: `const { userId: me } =
// await getAuth(args)`, `const me = auth.userId`.
func identityLocals(f *jsast.File, body *jsast.Node) map[string]bool {
	out := map[string]bool{}
	jsast.Walk(body, func(n *jsast.Node) bool {
		switch n.Type {
		case "variable_declarator":
			v := jsast.Unwrap(n.ChildByField("value"))
			id := n.ChildByField("name")
			if v == nil || id == nil || id.Type != "identifier" {
				return true
			}
			switch {
			case v.Type == "call_expression" && jsast.LastSegment(f.CalleeName(v)) == "currentUser":
				out[f.Text(id)] = true
			case v.Type == "member_expression" && identityField(f.Text(v.ChildByField("property"))):
				out[f.Text(id)] = true
			}
		case "pair_pattern":
			if k, val := n.ChildByField("key"), n.ChildByField("value"); k != nil && val != nil &&
				identityField(f.Text(k)) && val.Type == "identifier" {
				out[f.Text(val)] = true
			}
		}
		return true
	})
	return out
}
