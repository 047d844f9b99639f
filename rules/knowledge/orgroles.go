package knowledge

import "strings"

// membershipList is a Clerk API that lists a user's memberships of every
// organization they belong to, in no order that means "the organization
// the request is about". Call is the call suffix (receiver segment
// included where it disambiguates), Property a property holding the list.
type membershipList struct {
	Call     string
	Property string
	Source   string
}

// membershipLists are the calls and properties that list all of a user's
// organization memberships. clerkClient.organizations.getOrganizationMembershipList
// is not one: it lists the members of ONE organization (organizationId).
var membershipLists = []membershipList{
	{Call: "users.getOrganizationMembershipList",
		Source: "https://clerk.com/docs/reference/backend/user/get-organization-membership-list (the user's memberships: PaginatedResourceResponse whose data holds OrganizationMembership objects)"},
	{Property: "organizationMemberships",
		Source: "https://clerk.com/docs/reference/javascript/user (User.organizationMemberships: every membership of the user)"},
	{Property: "userMemberships",
		Source: "https://clerk.com/docs/reference/hooks/use-organization-list (useOrganizationList().userMemberships: the user's memberships, paginated, in data)"},
}

// membershipSource is a Clerk API that yields OrganizationMembership
// objects (whose role holds the org:<key> form): a call (suffix, receiver
// segment included), or a type a parameter is declared with.
type membershipSource struct {
	Call   string
	Type   string
	Source string
}

// membershipSources are the calls and types of memberships besides the
// lists of all of a user's memberships (membershipLists), which are
// memberships too.
//
// Replaces: rules/rbac/rbac003_role_check.go clerkMembership and
// membershipName (a variable named *membership).
var membershipSources = []membershipSource{
	{Call: "organizations.getOrganizationMembershipList",
		Source: "https://clerk.com/docs/reference/backend/organization/get-organization-membership-list (the members of one organization: OrganizationMembership objects in data)"},
	{Call: "organizations.createOrganizationMembership",
		Source: "https://clerk.com/docs/reference/backend/organization/create-organization-membership (returns the OrganizationMembership)"},
	{Call: "organizations.updateOrganizationMembership",
		Source: "https://clerk.com/docs/reference/backend/organization/update-organization-membership (returns the OrganizationMembership)"},
	{Call: "getOrganizationMemberships",
		Source: "https://clerk.com/docs/reference/javascript/user (User.getOrganizationMemberships(): the user's OrganizationMembership resources)"},
	{Type: "OrganizationMembership",
		Source: "https://clerk.com/docs/reference/backend/types/backend-organization-membership"},
	{Type: "OrganizationMembershipResource",
		Source: "https://clerk.com/docs/reference/types/organization-membership"},
}

// MembershipSourceCall reports whether a call (its callee text) yields
// OrganizationMembership objects: one, one organization's members, or all
// of a user's memberships (MembershipListCall).
func MembershipSourceCall(callee string) bool {
	if MembershipListCall(callee) {
		return true
	}
	for _, m := range membershipSources {
		if m.Call != "" && endsWithCall(callee, []string{m.Call}) {
			return true
		}
	}
	return false
}

// MembershipType reports whether a type name is Clerk's
// OrganizationMembership.
func MembershipType(name string) bool {
	for _, m := range membershipSources {
		if m.Type != "" && m.Type == name {
			return true
		}
	}
	return false
}

// membershipRoleFields are the fields of an OrganizationMembership that
// carry the member's authorization in that one organization.
//
// Source: https://clerk.com/docs/reference/backend/types/backend-organization-membership
// (role, permissions) and https://clerk.com/docs/reference/types/organization-membership.
var membershipRoleFields = map[string]string{
	"role":        "https://clerk.com/docs/reference/backend/types/backend-organization-membership",
	"permissions": "https://clerk.com/docs/reference/backend/types/backend-organization-membership",
}

// ActiveOrgRoleSources names where the role in the ACTIVE organization of
// the verified session is read, for advice: the auth object's orgRole and
// has({ role }) / has({ permission }), and the session token's claims
// (v2: o.rol, o.per; v1: org_role).
//
// Sources: https://clerk.com/docs/reference/backend/types/auth-object (orgRole, orgId, has());
// https://clerk.com/docs/guides/sessions/session-tokens (v2 claims o.id, o.rol, o.per);
// https://clerk.com/changelog/2025-04-14-session-token-jwt-v2.
const ActiveOrgRoleSources = "the verified session's active organization: the auth object's orgRole / orgId or has({ role }) / has({ permission }), or in a verified v2 session token the o.rol and o.per claims"

// MembershipListCall reports whether a call (its callee text) lists all
// of a user's organization memberships.
func MembershipListCall(callee string) bool {
	for _, m := range membershipLists {
		if m.Call != "" && endsWithCall(callee, []string{m.Call}) {
			return true
		}
	}
	return false
}

// MembershipListProperty reports whether a property holds all of a user's
// organization memberships.
func MembershipListProperty(name string) bool {
	for _, m := range membershipLists {
		if m.Property != "" && m.Property == name {
			return true
		}
	}
	return false
}

// MembershipRoleField reports whether a membership field carries the
// member's role or permissions.
func MembershipRoleField(name string) bool {
	_, ok := membershipRoleFields[name]
	return ok
}

// orgRoleKeyPrefix starts the key of every Clerk organization role: the
// default roles org:admin and org:member and custom roles (org:billing).
// A role field compared with such a key is an organization role check,
// whichever Clerk object (the auth object, a membership from the Backend
// API) the field was read from.
//
// Source: https://clerk.com/docs/organizations/roles-permissions (default
// roles org:admin and org:member, custom roles such as org:billing);
// https://clerk.com/docs/reference/javascript/types/organization-custom-role-key.
const orgRoleKeyPrefix = "org:"

// OrgRoleKey reports whether a string literal is a Clerk organization role
// key (org:admin, org:member, org:<custom>).
func OrgRoleKey(s string) bool {
	return len(s) > len(orgRoleKeyPrefix) && s[:len(orgRoleKeyPrefix)] == orgRoleKeyPrefix && !strings.ContainsAny(s, " /")
}
