package knowledge

import "testing"

// TestHookFields: the signed-in, loading and authorization fields of
// Clerk's hooks, per hook; other libraries' flags count only by name.
func TestHookFields(t *testing.T) {
	for _, c := range []struct {
		hook, field string
		state       HookState
		ok          bool
	}{
		{"useAuth", "isSignedIn", SignedInState, true},
		{"useAuth", "sessionId", SignedInState, true},
		{"useAuth", "isLoaded", LoadState, true},
		{"useAuth", "has", AuthzState, true},
		{"useAuth", "user", 0, false}, // useAuth returns no user
		{"useUser", "user", SignedInState, true},
		{"useSession", "session", SignedInState, true},
		{"useOrganization", "membership", MembershipState, true},
		{"useAuth0", "isAuthenticated", 0, false}, // not Clerk's
	} {
		h, ok := ClerkHookField(c.hook, c.field)
		if ok != c.ok || h.State != c.state {
			t.Errorf("ClerkHookField(%q, %q) = %v, %v; want %v, %v", c.hook, c.field, h.State, ok, c.state, c.ok)
		}
	}
	for name, want := range map[string]bool{
		"isSignedIn": true, "user": true, "isLoaded": true, "isLoading": true, "loading": true, "isAuthenticated": true,
		"has": false, "orgRole": false, "membership": false, "role": false, "isAdmin": false,
	} {
		if got := SignInStateName(name); got != want {
			t.Errorf("SignInStateName(%q) = %v, want %v", name, got, want)
		}
	}
	if !ClerkHook("useOrganization") || ClerkHook("useAuth0") || ClerkHook("useState") {
		t.Error("ClerkHook: wrong answer for useOrganization, useAuth0 or useState")
	}
}
