package knowledge

import "testing"

// TestAuthzKeyAndValue: metadata keys and compared values that carry an
// authorization decision, in any case and with or without `_`, the plan
// columns and paid plans of entitlements.go included.
func TestAuthzKeyAndValue(t *testing.T) {
	for key, want := range map[string]bool{
		"role": true, "Roles": true, "is_admin": true, "isAdmin": true, "is_superuser": true,
		"access_level": true, "subscription_plan": true, "planType": true, "isPro": true, "credits": true,
		"theme": false, "referral": false, "onboardingComplete": false, "type": false, "staff": false,
	} {
		if got := AuthzKey(key); got != want {
			t.Errorf("AuthzKey(%q) = %v, want %v", key, got, want)
		}
	}
	for v, want := range map[string]bool{
		"admin": true, "Moderator": true, "owner": true, "pro": true, "gold": true, "enterprise": true,
		"dark": false, "free": false, "member": false, "": false,
	} {
		if got := AuthzValue(v); got != want {
			t.Errorf("AuthzValue(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestMembershipSources: the calls and types that yield Clerk
// OrganizationMembership objects, and what identity sources named alike
// yield.
func TestMembershipSources(t *testing.T) {
	for callee, want := range map[string]bool{
		"client.users.getOrganizationMembershipList":              true,
		"clerkClient.organizations.getOrganizationMembershipList": true,
		"user.getOrganizationMemberships":                         true,
		"organizations.createOrganizationMembership":              true,
		"prisma.teamMembership.findFirst":                         false,
		"getOrganizationMembershipListX":                          false,
	} {
		if got := MembershipSourceCall(callee); got != want {
			t.Errorf("MembershipSourceCall(%q) = %v, want %v", callee, got, want)
		}
	}
	if !MembershipType("OrganizationMembership") || !MembershipType("OrganizationMembershipResource") || MembershipType("Membership") {
		t.Error("MembershipType: wrong answer")
	}
	for name, want := range map[string]Returns{"auth": AuthObject, "getAuth": AuthObject, "clerkAuth": AuthObject, "verifyToken": SessionClaims, "currentUser": BackendUser} {
		if got, ok := IdentityReturnsNamed(name); !ok || got != want {
			t.Errorf("IdentityReturnsNamed(%q) = %v, %v; want %v", name, got, ok, want)
		}
	}
	for _, name := range []string{"getServerSession", "context", "claims"} {
		if _, ok := IdentityReturnsNamed(name); ok {
			t.Errorf("IdentityReturnsNamed(%q): want no source", name)
		}
	}
}
