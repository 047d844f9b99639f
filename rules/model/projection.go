package model

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// privateField reports whether a field name holds a person's contact data
// or a credential: a Clerk User's contact members
// (knowledge.UserContactField) and any email, phone, token, password or
// secret field of a stored row. It is the one field test of "does a
// value copy only public fields" (picksPublicFields, readsPublicFields).
func privateField(name string) bool {
	if knowledge.UserContactField(name) {
		return true
	}
	low := strings.ToLower(name)
	for _, w := range []string{"email", "phone", "token", "password", "secret"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// readsPublicFields reports whether the records a read call returns reach
// nothing but public fields of them: the result is bound to a variable
// (const user = await ctx.db.get(id)) that the function uses only for
// fields no privateField test flags (user?.name, user.imageUrl) and in
// tests (if (!user)). A value returned, spread, passed to a call or
// indexed is not a projection: the whole record may leave. A destructured
// result is not one either: a client's envelope ({ data } of Supabase)
// holds the records under a name that says nothing of their fields.
func (a *analyzer) readsPublicFields(call *jsast.Node) bool {
	return a.readsFields(call, false)
}

// readsFieldsOnly reports whether the records a read call returns are
// used only field by field and in tests, whichever the fields (const user
// = await ctx.db.get(id); notify(user?.pushToken)): the whole record
// never reaches the result, though a private field of it may.
func (a *analyzer) readsFieldsOnly(call *jsast.Node) bool {
	return a.readsFields(call, true)
}

// readsFields is readsPublicFields, or readsFieldsOnly when anyField.
func (a *analyzer) readsFields(call *jsast.Node, anyField bool) bool {
	n := call
	for p := n.Parent; p != nil; n, p = p, p.Parent {
		switch {
		case p.Type == "await_expression", p.Type == "parenthesized_expression", p.Type == "non_null_expression",
			p.Type == "as_expression", p.Type == "satisfies_expression":
		case p.Type == "member_expression" && n.Field == "object", p.Type == "call_expression" && n.Field == "function":
			// a later step of the query chain: .withIndex(...).first()
		default:
			if p.Type != "variable_declarator" || n.Field != "value" {
				return false
			}
			return a.publicBinding(p, anyField)
		}
	}
	return false
}

// publicBinding applies readsFields to a variable declarator.
func (a *analyzer) publicBinding(decl *jsast.Node, anyField bool) bool {
	name := decl.ChildByField("name")
	switch {
	case name == nil:
		return false
	case name.Type != "identifier":
		return false
	}
	fn := jsast.EnclosingFunction(decl)
	if fn == nil {
		return false
	}
	v := a.f.Text(name)
	ok := true
	scope := jsast.FunctionBody(fn)
	if l := decl.Parent; l != nil && l.Type == "lexical_declaration" && l.Parent != nil && l.Parent.Type == "statement_block" {
		scope = l.Parent // a const in a block: its uses are in the block (an outer `user` is another variable)
	}
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if !ok {
			return false
		}
		if x.Type == "shorthand_property_identifier" && a.f.Text(x) == v {
			ok = false // { user }: the whole record
		}
		if x.Type == "identifier" && x != name && a.f.Text(x) == v {
			ok = a.publicUse(x, anyField)
		}
		return ok
	})
	return ok
}

// publicUse reports whether one use of a record variable reads only
// public fields of it (any field when anyField), or only tests it.
func (a *analyzer) publicUse(ref *jsast.Node, anyField bool) bool {
	n := ref
	for p := n.Parent; p != nil && (p.Type == "non_null_expression" || p.Type == "parenthesized_expression"); p = p.Parent {
		n = p
	}
	p := n.Parent
	if p == nil {
		return false
	}
	switch p.Type {
	case "member_expression":
		if n.Field != "object" {
			return false
		}
		m := p
		for ; m.Parent != nil && m.Parent.Type == "member_expression" && m.Field == "object"; m = m.Parent {
			if !anyField && privateField(a.f.Text(m.ChildByField("property"))) {
				return false
			}
		}
		// users.map(...), user.toJSON(): a method of the value returns
		// what it holds, not a field; a method of a field
		// (row.endsAt?.getTime()) uses that field.
		return (anyField || !privateField(a.f.Text(m.ChildByField("property")))) &&
			(m.Parent == nil || m.Parent.Type != "call_expression" || m.Field != "function" || anyField && m != p)
	case "unary_expression":
		return a.f.Text(p.ChildByField("operator")) == "!"
	case "binary_expression":
		switch a.f.Text(p.ChildByField("operator")) {
		case "===", "!==", "==", "!=":
			return true
		case "&&":
			return n.Field == "left"
		}
	case "if_statement", "ternary_expression", "while_statement":
		return n.Field == "condition"
	}
	return false
}

// readsScalarOnly reports whether the records a read call returns reach
// the result of the function that reads them only as a yes/no or a
// count (Effect.ScalarResult): they are used field by field and in tests
// (readsFieldsOnly), and every return of that function with a value
// returns a scalar (scalarResult); there is at least one.
func (a *analyzer) readsScalarOnly(call *jsast.Node) bool {
	fn := jsast.EnclosingFunction(call)
	if fn == nil || !a.readsFieldsOnly(call) {
		return false
	}
	body := jsast.FunctionBody(fn)
	if body == nil {
		return false
	}
	if body.Type != "statement_block" {
		return scalarResult(a.f, body) // an expression body
	}
	valued, ok := 0, true
	jsast.Walk(body, func(x *jsast.Node) bool {
		if !ok || x != body && jsast.IsFunction(x) {
			return false // a nested function's returns are its own
		}
		if x.Type != "return_statement" {
			return true
		}
		if cs := x.NamedChildren(); len(cs) > 0 && cs[0].Type != "comment" {
			v := cs[0]
			valued++
			ok = scalarResult(a.f, v)
		}
		return false
	})
	return ok && valued > 0
}

// scalarResult reports whether a returned expression is a yes/no or a
// number that says how many: a boolean or number literal, a negation,
// a comparison, a count or length member (`row.count`, `rows.length`,
// `_count`), or a ternary or logical expression of those. A string built
// from a record, the record or any other field of it is not.
func scalarResult(f *jsast.File, n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	if n == nil {
		return false
	}
	switch n.Type {
	case "true", "false", "number", "null", "undefined":
		return true
	case "unary_expression":
		return f.Text(n.ChildByField("operator")) == "!"
	case "binary_expression":
		switch f.Text(n.ChildByField("operator")) {
		case "===", "!==", "==", "!=", "<", ">", "<=", ">=":
			return true
		case "&&", "||", "??":
			return scalarResult(f, n.ChildByField("left")) && scalarResult(f, n.ChildByField("right"))
		}
	case "ternary_expression":
		return scalarResult(f, n.ChildByField("consequence")) && scalarResult(f, n.ChildByField("alternative"))
	case "member_expression":
		return countMember(f.Text(n.ChildByField("property")))
	}
	return false
}

// countMember reports a member that holds how many of something: a
// count (`count`, `boardCount`, Prisma's `_count`) or a length.
func countMember(name string) bool {
	low := strings.ToLower(name)
	return low == "length" || strings.HasSuffix(low, "count")
}
