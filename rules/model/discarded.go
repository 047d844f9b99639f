package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// discardedRead reports a call of a repository helper whose promise the
// caller neither awaits nor reads (`const membership =
// getMembership(slug)` in a layout that renders only its children, the
// variable never read again) and to which it hands nothing that can
// answer the request (only plain values: request fields, the identity,
// records, literals; no response, request or context object). The
// helper's reads then reach no response: what it read is not returned.
func (a *analyzer) discardedRead(n *jsast.Node, args []*jsast.Node) bool {
	for _, arg := range args {
		switch a.classify(arg).kind {
		case vOther, vLiteral, vRequest, vIdentity, vUser, vRow:
		default:
			return false
		}
	}
	p := n.Parent
	for p != nil && p.Type == "parenthesized_expression" {
		p = p.Parent
	}
	switch {
	case p == nil:
		return false
	case p.Type == "variable_declarator":
		name := p.ChildByField("name")
		fn := jsast.EnclosingFunction(p)
		if name == nil || name.Type != "identifier" || fn == nil {
			return false
		}
		used := false
		jsast.Walk(fn, func(x *jsast.Node) bool {
			if !used && x != name && (x.Type == "identifier" || x.Type == "shorthand_property_identifier") && a.f.Text(x) == a.f.Text(name) {
				used = true
			}
			return !used
		})
		return !used
	}
	return false
}

// testedRead reports whether the caller only tests the helper result at
// the call n (`const org = await orgFor(slug); if (!org) notFound()`):
// it is bound to a variable whose every use is a test of it (a negation,
// a condition, an equality comparison). The helper's reads reach the
// caller as a yes/no, never as records (Effect.ScalarResult).
func (a *analyzer) testedRead(n *jsast.Node) bool {
	p := n.Parent
	for p != nil && (p.Type == "parenthesized_expression" || p.Type == "await_expression") {
		p = p.Parent
	}
	if p == nil || p.Type != "variable_declarator" {
		return false
	}
	name := p.ChildByField("name")
	fn := jsast.EnclosingFunction(p)
	if name == nil || name.Type != "identifier" || fn == nil {
		return false
	}
	v, uses, ok := a.f.Text(name), 0, true
	jsast.Walk(jsast.FunctionBody(fn), func(x *jsast.Node) bool {
		if !ok {
			return false
		}
		if x.Type == "shorthand_property_identifier" && a.f.Text(x) == v {
			ok = false
		}
		if x.Type == "identifier" && x != name && a.f.Text(x) == v {
			uses++
			ok = testUse(a.f, x)
		}
		return ok
	})
	return ok && uses > 0
}

// testUse reports whether one use of a variable only tests it: `!x`,
// `if (x)`, `x ? a : b`, `x === null`.
func testUse(f *jsast.File, ref *jsast.Node) bool {
	n := ref
	for n.Parent != nil && (n.Parent.Type == "parenthesized_expression" || n.Parent.Type == "non_null_expression") {
		n = n.Parent
	}
	p := n.Parent
	if p == nil {
		return false
	}
	switch p.Type {
	case "unary_expression":
		return f.Text(p.ChildByField("operator")) == "!"
	case "binary_expression":
		switch f.Text(p.ChildByField("operator")) {
		case "===", "!==", "==", "!=":
			return true
		}
	case "if_statement", "ternary_expression", "while_statement":
		return n.Field == "condition"
	}
	return false
}
