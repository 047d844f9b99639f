package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// textSearchOnly reports a query filter whose every value sits under a
// text-matching operator or is a constant ({ OR: [{ title: { contains:
// q, mode: 'insensitive' } }] }, knowledge.TextFilterKey): the request's
// words narrow a listing and select no record by its identity, so they
// are not a record selector. A filter that also holds an id, an owner or
// any other value outside such an operator is not one.
func (a *analyzer) textSearchOnly(filter *jsast.Node) bool {
	u := jsast.Unwrap(filter)
	if u == nil || u.Type != "object" {
		return false
	}
	texts := 0
	var walk func(n *jsast.Node) bool
	walk = func(n *jsast.Node) bool {
		n = jsast.Unwrap(n)
		switch {
		case n == nil:
			return false
		case n.Type == "object":
			for _, c := range n.NamedChildren() {
				if c.Type == "comment" {
					continue
				}
				if c.Type != "pair" {
					return false // { id }, ...spread: a value outside any operator
				}
				key, _ := a.f.StringValue(c.ChildByField("key"))
				if key == "" {
					key = a.f.Text(c.ChildByField("key"))
				}
				if knowledge.TextFilterKey(key) {
					texts++
					continue
				}
				if !walk(c.ChildByField("value")) {
					return false
				}
			}
			return true
		case n.Type == "array":
			for _, c := range n.NamedChildren() {
				if c.Type != "comment" && !walk(c) {
					return false
				}
			}
			return true
		}
		_, lit := a.f.StringValue(n)
		return lit || n.Type == "true" || n.Type == "false" || n.Type == "number" || n.Type == "null"
	}
	return walk(u) && texts > 0
}

// byCapability reports an object filter one of whose top-level fields
// (ANDed with the rest) is a shared secret (knowledge.CapabilityKey:
// `{ inviteCode }` of an invite link): the request that selects a record
// by it presents the secret its owner handed out, so the record is not
// one the caller picks at will.
func (a *analyzer) byCapability(filter *jsast.Node) bool {
	u := jsast.Unwrap(filter)
	if u == nil || u.Type != "object" {
		return false
	}
	for _, c := range u.NamedChildren() {
		key := ""
		switch c.Type {
		case "shorthand_property_identifier":
			key = a.f.Text(c)
		case "pair":
			if key, _ = a.f.StringValue(c.ChildByField("key")); key == "" {
				key = a.f.Text(c.ChildByField("key"))
			}
		}
		if key != "" && knowledge.CapabilityKey(key) {
			return true
		}
	}
	return false
}

// negatedFilter reports a part of a query filter that excludes the
// records it names (knowledge.QueryOperator: Negates, NegatesCall): the
// pair `NOT: {...}` or `clerkId: { not: id }`, the call ne(t.userId, id).
// A value under it selects no record and scopes nothing to the caller.
func (a *analyzer) negatedFilter(x *jsast.Node) bool {
	switch x.Type {
	case "pair":
		key, _ := a.f.StringValue(x.ChildByField("key"))
		if key == "" {
			key = a.f.Text(x.ChildByField("key"))
		}
		return knowledge.QueryOperator(key, knowledge.Negates)
	case "call_expression":
		return knowledge.QueryOperator(jsast.LastSegment(a.f.CalleeName(x)), knowledge.NegatesCall)
	}
	return false
}
