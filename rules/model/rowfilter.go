package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// rowFiltered reports whether a query's filter takes a value from a field
// of another record the handler read (where: { organizationId:
// organization?.id } after the organization was looked up by the URL's
// slug), other than the caller's own or one it just created: the query
// selects that record's children, not the whole collection.
func (a *analyzer) rowFiltered(filter *jsast.Node) bool {
	found := false
	jsast.Walk(filter, func(x *jsast.Node) bool {
		if found || jsast.IsFunction(x) {
			return false
		}
		if x.Type == "member_expression" {
			if v := a.classify(x.ChildByField("object")); v.kind == vRow && !v.own && !v.created {
				found = true
			}
		}
		return !found
	})
	return found
}
