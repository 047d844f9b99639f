package knowledge

// HookState is what a field of a client authentication hook tells.
type HookState uint8

// Hook field states.
const (
	// SignedInState is truthy only while a user is signed in (false,
	// null or undefined when signed out or still loading): testing it
	// decides whether the browser shows signed-in content.
	SignedInState HookState = iota + 1
	// LoadState says whether the SDK has loaded the authentication
	// state yet.
	LoadState
	// AuthzState carries a role, permission or organization decision
	// made in the browser.
	AuthzState
	// MembershipState is the user's OrganizationMembership in the active
	// organization (its role holds the org:<key> form).
	MembershipState
)

// HookField is one field of what a client authentication hook returns.
type HookField struct {
	Hook  string // the hook's export: useAuth, useUser
	Field string // the returned field: isSignedIn, user
	State HookState
	// Other names a library other than Clerk (the field is then matched
	// by name only, for a gate that tests it alongside Clerk's).
	Other  string
	Source string
}

const (
	useAuthDoc         = "https://clerk.com/docs/reference/hooks/use-auth (returns isLoaded, isSignedIn, userId, sessionId, orgId, orgRole, orgSlug, has, signOut, getToken)"
	useUserDoc         = "https://clerk.com/docs/reference/hooks/use-user (returns isLoaded, isSignedIn, user; user is null when signed out)"
	useSessionDoc      = "https://clerk.com/docs/reference/hooks/use-session (returns isLoaded, isSignedIn, session; session is null when signed out)"
	useOrganizationDoc = "https://clerk.com/docs/reference/hooks/use-organization (returns isLoaded, organization, membership: the current user's OrganizationMembership)"
)

// hookFields are the fields of Clerk's React hooks that a component tests
// to gate what it renders, and the loading and signed-in flags of other
// authentication hooks a component may test in the same gate.
//
// Replaces: rules/rbac/rbac002_role_gate.go signInStates,
// rules/rbac/rbac002_signin_gate.go signedInFields, and the `use*(`
// pattern of rules/rbac/rbac003_role_check.go hookCall (has() bound from
// a hook) and the useOrganization of its clerkMembership.
var hookFields = []HookField{
	{Hook: "useAuth", Field: "isSignedIn", State: SignedInState, Source: useAuthDoc},
	{Hook: "useAuth", Field: "userId", State: SignedInState, Source: useAuthDoc},
	{Hook: "useAuth", Field: "sessionId", State: SignedInState, Source: useAuthDoc},
	{Hook: "useAuth", Field: "isLoaded", State: LoadState, Source: useAuthDoc},
	{Hook: "useAuth", Field: "has", State: AuthzState, Source: useAuthDoc},
	{Hook: "useAuth", Field: "orgRole", State: AuthzState, Source: useAuthDoc},
	{Hook: "useAuth", Field: "orgId", State: AuthzState, Source: useAuthDoc},
	{Hook: "useUser", Field: "isSignedIn", State: SignedInState, Source: useUserDoc},
	{Hook: "useUser", Field: "user", State: SignedInState, Source: useUserDoc},
	{Hook: "useUser", Field: "isLoaded", State: LoadState, Source: useUserDoc},
	{Hook: "useSession", Field: "isSignedIn", State: SignedInState, Source: useSessionDoc},
	{Hook: "useSession", Field: "session", State: SignedInState, Source: useSessionDoc},
	{Hook: "useSession", Field: "isLoaded", State: LoadState, Source: useSessionDoc},
	{Hook: "useOrganization", Field: "membership", State: MembershipState, Source: useOrganizationDoc},
	{Hook: "useOrganization", Field: "isLoaded", State: LoadState, Source: useOrganizationDoc},
	{Hook: "useAuth0", Field: "isLoading", State: LoadState, Other: "@auth0/auth0-react",
		Source: "@auth0/auth0-react dist/auth-state.d.ts (AuthState: error, isAuthenticated, isLoading, user)"},
	{Hook: "useAuth0", Field: "isAuthenticated", State: SignedInState, Other: "@auth0/auth0-react",
		Source: "@auth0/auth0-react dist/auth-state.d.ts (AuthState: error, isAuthenticated, isLoading, user)"},
	{Hook: "useAuthState", Field: "loading", State: LoadState, Other: "react-firebase-hooks",
		Source: "https://github.com/CSFrequency/react-firebase-hooks/tree/master/auth#useauthstate (returns [user, loading, error])"},
}

// ClerkHookField looks up a field of what one of Clerk's hooks returns
// (hook is the export: useAuth, useUser, useSession, useOrganization).
func ClerkHookField(hook, field string) (HookField, bool) {
	for _, h := range hookFields {
		if h.Other == "" && h.Hook == hook && h.Field == field {
			return h, true
		}
	}
	return HookField{}, false
}

// ClerkHook reports whether name is one of Clerk's client hooks in the
// table.
func ClerkHook(name string) bool {
	for _, h := range hookFields {
		if h.Other == "" && h.Hook == name {
			return true
		}
	}
	return false
}

// SignInStateName reports whether a name, as a component's gate tests it,
// is the signed-in or loading flag of a client authentication hook
// (`!isLoaded || !user`): a gate over nothing else is a sign-in gate.
func SignInStateName(name string) bool {
	for _, h := range hookFields {
		if h.Field == name && (h.State == SignedInState || h.State == LoadState) {
			return true
		}
	}
	return false
}
