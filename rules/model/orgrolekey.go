package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// comparesOrgRoleKey reports a test that compares a role field with a
// Clerk organization role key (`membership.role !== 'org:admin'`,
// knowledge.OrgRoleKey), for a value the model cannot trace: a membership
// picked out of the Backend API's member list, a role from a helper's
// result. Only Clerk issues those keys, so a test that exits on it decides
// the caller's organization role (requestDecided and callerSetRoleIn
// still exclude a role the caller sends or writes).
func (a *analyzer) comparesOrgRoleKey(test *jsast.Node) bool {
	found := false
	jsast.Walk(test, func(x *jsast.Node) bool {
		if found {
			return false
		}
		if x.Type != "binary_expression" {
			return true
		}
		switch a.f.Text(x.ChildByField("operator")) {
		case "===", "==", "!==", "!=":
		default:
			return true
		}
		l, r := jsast.Unwrap(x.ChildByField("left")), jsast.Unwrap(x.ChildByField("right"))
		if a.roleKeyOperand(l, r) || a.roleKeyOperand(r, l) {
			found = true
		}
		return false
	})
	return found
}

// roleKeyOperand reports field (a member read whose property is a role
// name) compared with key (a string literal holding an organization role key).
func (a *analyzer) roleKeyOperand(field, key *jsast.Node) bool {
	if field == nil || key == nil || field.Type != "member_expression" {
		return false
	}
	s, ok := a.f.StringValue(key)
	if !ok || !knowledge.OrgRoleKey(s) {
		return false
	}
	return knowledge.MembershipRoleField(a.f.Text(field.ChildByField("property")))
}
