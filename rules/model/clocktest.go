package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// clockTest reports whether a condition compares something with the
// current time (`new Date(event.startsAt) < new Date()`, `Date.now() >
// invite.expiresAt`): a deadline or expiry decides when a record may
// change, not who may change it, so a 403 after it is no role check.
func clockTest(f *jsast.File, test *jsast.Node) bool {
	found := false
	jsast.Walk(test, func(n *jsast.Node) bool {
		switch n.Type {
		case "new_expression":
			if c := n.ChildByField("constructor"); c != nil && f.Text(c) == "Date" {
				if a := n.ChildByField("arguments"); a == nil || len(a.NamedChildren()) == 0 {
					found = true // new Date(): now
				}
			}
		case "call_expression":
			if f.CalleeName(n) == "Date.now" {
				found = true
			}
		}
		return !found
	})
	return found
}
