// Package rbac holds the authorization rules: roles and permissions decided
// from user-writable data, client-only gates, IDOR, and privileged Backend
// API calls without an admin check.
package rbac

import "github.com/clerkguard/clerkguard/rules"

// Rules is the pack, in ID order.
var Rules = []*rules.Rule{
	RBAC001,
	RBAC002,
	RBAC003,
	RBAC004,
	RBAC005,
	RBAC006,
	RBAC007,
	RBAC008,
	RBAC009,
	RBAC010,
	RBAC011,
	RBAC012,
}
