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
