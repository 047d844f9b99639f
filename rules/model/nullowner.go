package model

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// nullOwnerTest reports whether n tests that a record has no owner: an
// owner field (ownerKey: user_id, ownerId, authorId) compared with null
// or undefined (report.user_id === null), negated (!row.ownerId), or a
// query builder's isNull(t.userId). An owner check or an owner filter
// that is OR'ed with such a test also admits every record without an
// owner, whoever the caller is.
func (a *analyzer) nullOwnerTest(n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	if n == nil {
		return false
	}
	ownerField := func(x *jsast.Node) bool {
		x = jsast.Unwrap(x)
		return x != nil && x.Type == "member_expression" && ownerKey.MatchString(jsast.LastSegment(a.f.Name(x)))
	}
	nullish := func(x *jsast.Node) bool {
		t := a.f.Text(jsast.Unwrap(x))
		return t == "null" || t == "undefined"
	}
	switch n.Type {
	case "binary_expression":
		switch a.f.Text(n.ChildByField("operator")) {
		case "===", "==":
			l, r := n.ChildByField("left"), n.ChildByField("right")
			return ownerField(l) && nullish(r) || ownerField(r) && nullish(l)
		}
	case "unary_expression":
		return a.f.Text(n.ChildByField("operator")) == "!" && ownerField(n.ChildByField("argument"))
	case "call_expression":
		if args := jsast.Args(n); len(args) == 1 && jsast.LastSegment(a.f.CalleeName(n)) == "isNull" {
			return ownerField(args[0])
		}
	}
	return false
}

// admitsOwnerless reports whether a filter expression holds an or(...)
// (a query builder's disjunction) one of whose arguments is a
// nullOwnerTest: or(eq(t.userId, userId), isNull(t.userId)) selects the
// caller's records and every record without an owner.
func (a *analyzer) admitsOwnerless(n *jsast.Node) bool {
	found := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if found || jsast.IsFunction(x) {
			return false
		}
		if x.Type == "call_expression" && strings.EqualFold(jsast.LastSegment(a.f.CalleeName(x)), "or") {
			for _, arg := range jsast.Args(x) {
				if a.nullOwnerTest(arg) {
					found = true
					return false
				}
			}
		}
		return true
	})
	return found
}
