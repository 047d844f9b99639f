package model

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// disjunctionKeys are the filter keys whose conditions are not all
// required (Prisma OR/NOT, MongoDB $or/$nor/$not): an owner condition
// under one of them does not restrict the query to the caller's rows.
var disjunctionKeys = map[string]bool{"or": true, "not": true, "$or": true, "$nor": true, "$not": true}

// convertedOwnerFilter reports whether a query's filter requires a field
// to equal the caller's own identity converted to a string or a number
// (String(ctx.userId), `${userId}`, userId.toString(), Number(userId))
// as one of the conditions every selected record must meet (a key of the
// where object or of a nested relation filter, not one under OR/NOT; an
// argument of a chained .eq()). Signed out the identity is null, and its
// conversion is the text "null" (or 0, NaN, or a TypeError for
// .toString()), which no owner field holds: whatever else the request
// adds to the filter, the query selects no record. The identity stays
// the identity through the conversion.
func (a *analyzer) convertedOwnerFilter(filter []*jsast.Node) bool {
	for _, f := range filter {
		if a.convertedOwnerCond(f, 0) {
			return true
		}
	}
	return false
}

func (a *analyzer) convertedOwnerCond(n *jsast.Node, depth int) bool {
	n = jsast.Unwrap(n)
	if n == nil || depth > 4 {
		return false
	}
	if n.Type != "object" {
		return a.convertedIdentity(n)
	}
	for _, p := range n.NamedChildren() {
		if p.Type != "pair" {
			continue
		}
		key := strings.Trim(a.f.Text(p.ChildByField("key")), `'"`)
		if disjunctionKeys[strings.ToLower(key)] {
			continue
		}
		if a.convertedOwnerCond(p.ChildByField("value"), depth+1) {
			return true
		}
	}
	return false
}

// convertedIdentity reports whether n converts the caller's own identity
// (not an organization's) to a string or a number.
func (a *analyzer) convertedIdentity(n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	if n == nil {
		return false
	}
	var inner *jsast.Node
	switch n.Type {
	case "call_expression":
		callee := jsast.Unwrap(n.ChildByField("function"))
		args := jsast.Args(n)
		switch {
		case callee != nil && callee.Type == "identifier" && (a.f.Text(callee) == "String" || a.f.Text(callee) == "Number") && len(args) == 1:
			inner = args[0]
		case callee != nil && callee.Type == "member_expression" && a.f.Text(callee.ChildByField("property")) == "toString" && len(args) == 0:
			inner = callee.ChildByField("object")
		}
	case "template_string":
		subs := jsast.Find(n, "template_substitution")
		if len(subs) != 1 || len(subs[0].NamedChildren()) != 1 {
			return false
		}
		inner = subs[0].NamedChildren()[0]
	}
	if inner = jsast.Unwrap(inner); inner == nil {
		return false
	}
	v := a.classify(inner)
	return (v.kind == vIdentity || v.kind == vUser) && v.authz == 0 && !orgish(v.field)
}
