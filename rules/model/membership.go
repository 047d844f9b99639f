package model

import (
	"context"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// Tenant memberships: a record that links a user to a tenant (a
// workspace's, team's or organization's member rows) holds one row per
// tenant the user belongs to, and anyone who creates a tenant is its
// admin. A role read off such a row selected by the caller's id alone
// (`member.findFirst({ where: { userId } })`) is the caller's role in
// some tenant, not in the tenant of the record the request acts on: it
// is no role check (the database analogue of CLK-RBAC-009's first
// Clerk membership). A row selected by the tenant too is the membership
// of that tenant and stays a role source.

// anyTenantMembership is the field of the vUser value of such a row
// (membership.go): its role is no role check.
const anyTenantMembership = "membership of any tenant"

// memberUserKey matches the field of a membership row that names its user.
var memberUserKey = regexp.MustCompile(`(?i)^(user|account|profile|clerk_?user)_?id$`)

// tenantMemberships returns the records (the Prisma model's client name)
// whose schema declares a user field that is not unique, a role field
// and a field that refers to another record (a tenant: workspaceId,
// boardId): several rows per user, one per tenant, each with its role. A
// schema that cannot be read adds nothing.
func (m *Model) tenantMemberships(ctx context.Context) map[string]bool {
	out, _ := m.memberships.get(func() (map[string]bool, error) {
		user, role, ref := map[string]bool{}, map[string]bool{}, map[string]bool{}
		m.prismaFields(ctx, func(model string, f []string, line string) {
			if len(f) < 2 || strings.HasPrefix(f[0], "@@") {
				return
			}
			unique := strings.Contains(line, "@unique") || strings.Contains(line, "@id")
			switch {
			case unique:
			case memberUserKey.MatchString(f[0]):
				user[model] = true
			case strings.Contains(strings.ToLower(f[0]), "role"):
				role[model] = true // a plan or tier field is the user's purchase, not a seat
			case refKey.MatchString(f[0]):
				ref[model] = true
			}
		})
		res := map[string]bool{}
		for r := range user {
			if role[r] && ref[r] {
				res[r] = true
			}
		}
		return res, nil
	})
	return out
}

// tenantMembership reports whether the data call n (effect e) reads a
// tenant membership record (tenantMemberships).
func (a *analyzer) tenantMembership(n *jsast.Node, e *effect) bool {
	r := e.Record
	if r == "" {
		r = a.recordOf(n)
	}
	return r != "" && a.m.tenantMemberships(a.ctx)[r]
}

// anyTenantRoleIn reports a test that reads the role of a tenant
// membership selected by the caller's id alone (`mine.role !== 'OWNER'`):
// a Forbidden answered after it decides nothing about the tenant the
// request acts on.
func (a *analyzer) anyTenantRoleIn(test *jsast.Node) bool {
	found := false
	jsast.Walk(test, func(x *jsast.Node) bool {
		if found {
			return false
		}
		if x.Type == "member_expression" && roleish(a.f.Text(x.ChildByField("property"))) {
			if v := a.classify(x.ChildByField("object")); v.kind == vUser && v.field == anyTenantMembership {
				found = true
			}
		}
		return !found
	})
	return found
}
