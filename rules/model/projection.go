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
		// what it holds, not a field.
		return (anyField || !privateField(a.f.Text(m.ChildByField("property")))) &&
			(m.Parent == nil || m.Parent.Type != "call_expression" || m.Field != "function")
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
