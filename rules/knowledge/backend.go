package knowledge

import (
	"net/url"
	"strings"
)

// Privilege is what a Clerk Backend API call can do on behalf of the
// application (with the secret key), whoever the caller is.
type Privilege uint8

// Privileges.
const (
	// ReadsUsers returns other users' data (including privateMetadata of a
	// Backend User).
	ReadsUsers Privilege = iota + 1
	// Mutates changes users, organizations, memberships, invitations or
	// instance settings.
	Mutates
	// Mints creates credentials: sign-in tokens, actor (impersonation)
	// tokens, session tokens, API keys.
	Mints
	// Revokes ends sessions or invitations.
	Revokes
)

func (p Privilege) String() string {
	return [...]string{"", "reads-users", "mutates", "mints", "revokes"}[p]
}

// BackendCall is a Clerk Backend API method of the JavaScript client
// (clerkClient.<Resource>.<Method>) or a Go SDK function
// (<package>.<Function>).
type BackendCall struct {
	Resource  string // "users"; Go: the package, "user"
	Method    string // "updateUserMetadata"; Go: "UpdateMetadata"
	Privilege Privilege
	Source    string
}

// Sources of the Backend API tables: clerk/javascript
// packages/backend/src/api/endpoints/{UserApi,OrganizationApi,InvitationApi,
// SessionApi,SignInTokenApi,ActorTokenApi,AllowlistIdentifierApi,
// BlocklistIdentifierApi,JwtTemplatesApi,APIKeysApi,M2MTokenApi}.ts and
// packages/backend/src/api/factory.ts (resource names); clerk/clerk-sdk-go
// user/api.go, organization/api.go, organizationmembership/api.go,
// invitation/api.go, session/api.go.
const (
	srcJSBackend = "clerk/javascript packages/backend/src/api/endpoints/"
	srcGoBackend = "clerk/clerk-sdk-go "
)

// backendCalls are the privileged Backend API calls.
//
// Replaces: rules/rbac/rbac005_privileged_mutation.go privileged,
// rules/hardening/mfa001_reverification.go sensitiveCalls,
// rules/hardening/hard003_redirects.go clerkWrite, and the Clerk entries
// of rules/routes/next_guard.go dataMethods and
// rules/routes/server_rules.go srvDataMethods (getUser, getUserList,
// updateUser, updateUserMetadata, deleteUser).
var backendCalls = []BackendCall{
	{"users", "getUser", ReadsUsers, srcJSBackend + "UserApi.ts"},
	{"users", "getUserList", ReadsUsers, srcJSBackend + "UserApi.ts"},
	{"users", "getCount", ReadsUsers, srcJSBackend + "UserApi.ts"},
	{"users", "getUserOauthAccessToken", Mints, srcJSBackend + "UserApi.ts"},
	{"users", "createUser", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "updateUser", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "updateUserMetadata", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "updateUserProfileImage", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "deleteUser", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "banUser", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "unbanUser", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "lockUser", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "unlockUser", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "disableUserMFA", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "deleteUserProfileImage", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "deleteUserPasskey", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "deleteUserWeb3Wallet", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "deleteUserExternalAccount", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "deleteUserBackupCodes", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "deleteUserTOTP", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "setPasswordCompromised", Mutates, srcJSBackend + "UserApi.ts"},
	{"users", "unsetPasswordCompromised", Mutates, srcJSBackend + "UserApi.ts"},
	{"organizations", "getOrganization", ReadsUsers, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "getOrganizationMembershipList", ReadsUsers, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "createOrganization", Mutates, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "updateOrganization", Mutates, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "updateOrganizationMetadata", Mutates, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "deleteOrganization", Mutates, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "createOrganizationMembership", Mutates, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "updateOrganizationMembership", Mutates, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "updateOrganizationMembershipMetadata", Mutates, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "deleteOrganizationMembership", Mutates, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "createOrganizationInvitation", Mutates, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "revokeOrganizationInvitation", Revokes, srcJSBackend + "OrganizationApi.ts"},
	{"organizations", "getPendingOrganizationInvitationList", ReadsUsers, srcJSBackend + "OrganizationApi.ts"},
	{"invitations", "createInvitation", Mutates, srcJSBackend + "InvitationApi.ts"},
	{"invitations", "createInvitationBulk", Mutates, srcJSBackend + "InvitationApi.ts"},
	{"invitations", "revokeInvitation", Revokes, srcJSBackend + "InvitationApi.ts"},
	{"sessions", "revokeSession", Revokes, srcJSBackend + "SessionApi.ts"},
	{"sessions", "getToken", Mints, srcJSBackend + "SessionApi.ts"},
	{"sessions", "getSessionList", ReadsUsers, srcJSBackend + "SessionApi.ts"},
	{"sessions", "getSession", ReadsUsers, srcJSBackend + "SessionApi.ts"},
	{"signInTokens", "createSignInToken", Mints, srcJSBackend + "SignInTokenApi.ts"},
	{"actorTokens", "create", Mints, srcJSBackend + "ActorTokenApi.ts"},
	{"allowlistIdentifiers", "createAllowlistIdentifier", Mutates, srcJSBackend + "AllowlistIdentifierApi.ts"},
	{"jwtTemplates", "create", Mutates, srcJSBackend + "JwtTemplatesApi.ts"},
	{"jwtTemplates", "update", Mutates, srcJSBackend + "JwtTemplatesApi.ts"},
	{"apiKeys", "create", Mints, srcJSBackend + "APIKeysApi.ts"},

	// Go SDK v1: services of the client (client.Users().Read(id)).
	{"Users()", "Read", ReadsUsers, "clerk/clerk-sdk-go v1.49.0 clerk/users.go (UsersService.Read: GET /users/{id})"},

	// Go SDK v2: one package per resource.
	{"user", "Create", Mutates, srcGoBackend + "user/api.go"},
	{"user", "Update", Mutates, srcGoBackend + "user/api.go"},
	{"user", "UpdateMetadata", Mutates, srcGoBackend + "user/api.go"},
	{"user", "UpdateProfileImage", Mutates, srcGoBackend + "user/api.go"},
	{"user", "DeleteProfileImage", Mutates, srcGoBackend + "user/api.go"},
	{"user", "Delete", Mutates, srcGoBackend + "user/api.go"},
	{"user", "DeleteMFA", Mutates, srcGoBackend + "user/api.go"},
	{"user", "Ban", Mutates, srcGoBackend + "user/api.go"},
	{"user", "Unban", Mutates, srcGoBackend + "user/api.go"},
	{"user", "Lock", Mutates, srcGoBackend + "user/api.go"},
	{"user", "Unlock", Mutates, srcGoBackend + "user/api.go"},
	{"user", "DeletePasskey", Mutates, srcGoBackend + "user/api.go"},
	{"user", "DeleteWeb3Wallet", Mutates, srcGoBackend + "user/api.go"},
	{"user", "DeleteTOTP", Mutates, srcGoBackend + "user/api.go"},
	{"user", "DeleteBackupCode", Mutates, srcGoBackend + "user/api.go"},
	{"user", "Get", ReadsUsers, srcGoBackend + "user/api.go"},
	{"user", "List", ReadsUsers, srcGoBackend + "user/api.go"},
	{"organization", "Create", Mutates, srcGoBackend + "organization/api.go"},
	{"organization", "Update", Mutates, srcGoBackend + "organization/api.go"},
	{"organization", "UpdateMetadata", Mutates, srcGoBackend + "organization/api.go"},
	{"organization", "Delete", Mutates, srcGoBackend + "organization/api.go"},
	{"organizationmembership", "Create", Mutates, srcGoBackend + "organizationmembership/api.go"},
	{"organizationmembership", "Update", Mutates, srcGoBackend + "organizationmembership/api.go"},
	{"organizationmembership", "UpdateMetadata", Mutates, srcGoBackend + "organizationmembership/api.go"},
	{"organizationmembership", "Delete", Mutates, srcGoBackend + "organizationmembership/api.go"},
	{"invitation", "Create", Mutates, srcGoBackend + "invitation/api.go"},
	{"invitation", "Revoke", Revokes, srcGoBackend + "invitation/api.go"},
	{"session", "Revoke", Revokes, srcGoBackend + "session/api.go"},
}

// backendResources are the Backend API client's resources
// (clerkClient.<resource>), from the endpoint files of clerk/javascript
// packages/backend/src/api/endpoints/ and the resource list of
// rules/hardening/hard003_redirects.go clerkWrite. A method of one of them
// that the table does not list is classified by its verb
// ([mutatingVerbs]).
var backendResources = []string{"users", "organizations", "invitations", "sessions", "signInTokens", "actorTokens",
	"allowlistIdentifiers", "blocklistIdentifiers", "jwtTemplates", "apiKeys", "m2m", "machines", "domains",
	"redirectUrls", "emailAddresses", "phoneNumbers", "samlConnections", "enterpriseConnections", "oauthApplications",
	"instance", "waitlistEntries", "testingTokens", "billing", "organizationInvitations", "organizationMemberships"}

// mutatingVerbs are method-name prefixes of Backend API calls that change
// state (the verbs of rules/hardening/hard003_redirects.go clerkWrite),
// with the privilege they imply.
var mutatingVerbs = []struct {
	prefix string
	priv   Privilege
}{
	{"create", Mutates}, {"update", Mutates}, {"delete", Mutates}, {"ban", Mutates}, {"unban", Mutates},
	{"lock", Mutates}, {"unlock", Mutates}, {"merge", Mutates}, {"disable", Mutates}, {"remove", Mutates},
	{"set", Mutates}, {"unset", Mutates}, {"revoke", Revokes},
}

// BackendCallOf looks up a Clerk Backend API call by resource and method:
// ("users", "updateUserMetadata") for clerkClient.users.updateUserMetadata,
// ("user", "UpdateMetadata") for the Go SDK's user.UpdateMetadata. A
// method of a known JavaScript resource that the table does not list is
// classified by its verb when it names a Backend API object
// (deleteBlocklistIdentifier), with Source saying so. The lookup does not
// know the receiver: callers that can tell a Clerk client from an ORM
// model (prisma.users) should check the receiver's origin first.
func BackendCallOf(resource, method string) (BackendCall, bool) {
	for _, c := range backendCalls {
		if c.Resource == resource && c.Method == method {
			return c, true
		}
	}
	if contains(backendResources, resource) {
		for _, v := range mutatingVerbs {
			if rest, ok := strings.CutPrefix(method, v.prefix); ok && namesBackendObject(rest) {
				return BackendCall{Resource: resource, Method: method, Privilege: v.priv,
					Source: "inferred from the verb " + v.prefix + " of a Backend API resource"}, true
			}
		}
	}
	return BackendCall{}, false
}

// backendNouns are the objects Backend API method names end in
// (deleteUser, updateOrganizationMetadata, createAllowlistIdentifier).
// A verb alone (delete, deleteMany) is an ORM method of a model that
// happens to be called users, not a Backend API call.
var backendNouns = []string{"User", "Organization", "Membership", "Invitation", "Session", "Identifier", "Token",
	"Template", "Domain", "Logo", "Metadata", "Passkey", "Wallet", "Account", "Key", "Connection", "Application",
	"Email", "Phone", "Entry", "Url", "Machine", "Secret", "Scope", "Role", "Permission", "Subscription", "TOTP",
	"MFA", "BackupCode", "Password", "Image"}

func namesBackendObject(rest string) bool {
	for _, n := range backendNouns {
		if strings.Contains(rest, n) {
			return rest[0] >= 'A' && rest[0] <= 'Z'
		}
	}
	return false
}

// BackendCallIn looks up the last two segments of a callee such as
// "(await clerkClient()).users.deleteUser" or "clerk.users.banUser".
func BackendCallIn(callee string) (BackendCall, bool) {
	parts := strings.Split(callee, ".")
	if len(parts) < 2 {
		return BackendCall{}, false
	}
	return BackendCallOf(parts[len(parts)-2], parts[len(parts)-1])
}

// clerkAPIHosts are the Backend API hosts; a fetch to them with the secret
// key is a hand-written Backend API call
// (https://clerk.com/docs/reference/backend-api; the legacy api.clerk.dev
// host of clerk/clerk-sdk-node 88bb225 README.md).
var clerkAPIHosts = []string{"api.clerk.com", "api.clerk.dev"}

// ClerkAPIURL reports whether a URL (or URL prefix written in code) points
// at the Clerk Backend API, and returns its path ("/v1/users/...").
func ClerkAPIURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	for _, h := range clerkAPIHosts {
		if strings.EqualFold(u.Hostname(), h) {
			return u.Path, true
		}
	}
	return "", false
}

// ClerkSecretKeyEnv are the environment variables that hold the secret key
// the Backend API is called with
// (https://clerk.com/docs/guides/development/clerk-environment-variables;
// legacy CLERK_API_KEY: clerk/clerk-sdk-node 88bb225 README.md).
var clerkSecretKeyEnv = []string{"CLERK_SECRET_KEY", "NUXT_CLERK_SECRET_KEY", "CLERK_API_KEY"}

// IsClerkSecretKeyEnv reports whether an environment variable holds the
// Clerk secret key.
func IsClerkSecretKeyEnv(name string) bool { return contains(clerkSecretKeyEnv, name) }

// clientContextKeys are framework context keys under which a Clerk
// middleware stores the Backend API client, by key.
var clientContextKeys = map[string]string{
	// @hono/clerk-auth's clerkMiddleware() calls c.set('clerk', clerkClient).
	"clerk": "honojs/middleware packages/clerk-auth/src/clerk-auth.ts; https://github.com/honojs/middleware/tree/main/packages/clerk-auth (c.get('clerk'))",
}

// ClientContextKey reports whether a context lookup (c.get(key)) returns
// Clerk's Backend API client.
func ClientContextKey(key string) bool { _, ok := clientContextKeys[key]; return ok }

// backendRoute is a Backend API REST endpoint a hand-written request can
// name, and the SDK method that wraps it.
type backendRoute struct {
	Method string // HTTP method
	Path   string // path under the host; a trailing "/*" matches one or more segments
	Call   BackendCall
}

// backendRoutes map raw requests to api.clerk.com onto the SDK calls above
// (https://clerk.com/docs/reference/backend-api, tag Users: GET /users
// lists users, GET /users/{user_id} gets one; the SDK paths are in
// clerk/javascript packages/backend/src/api/endpoints/UserApi.ts,
// basePath "/users"). Other methods on /v1 paths change state.
var backendRoutes = []backendRoute{
	{"GET", "/v1/users", BackendCall{"users", "getUserList", ReadsUsers, srcJSBackend + "UserApi.ts"}},
	{"GET", "/v1/users/count", BackendCall{"users", "getCount", ReadsUsers, srcJSBackend + "UserApi.ts"}},
	{"GET", "/v1/users/*", BackendCall{"users", "getUser", ReadsUsers, srcJSBackend + "UserApi.ts"}},
}

// BackendCallAt returns the SDK call a raw Backend API request stands for
// (method "" is GET). A request with another method under /v1 is a
// privileged change (Mutates) of the resource its path names.
func BackendCallAt(method, path string) (BackendCall, bool) {
	if method == "" {
		method = "GET"
	}
	method = strings.ToUpper(method)
	path = strings.TrimSuffix(path, "/")
	for _, r := range backendRoutes {
		if r.Method != method {
			continue
		}
		if prefix, ok := strings.CutSuffix(r.Path, "/*"); ok {
			if rest, ok := strings.CutPrefix(path, prefix+"/"); ok && rest != "" {
				return r.Call, true
			}
		} else if path == r.Path {
			return r.Call, true
		}
	}
	if rest, ok := strings.CutPrefix(path, "/v1/"); ok && method != "GET" && method != "HEAD" {
		res, _, _ := strings.Cut(rest, "/")
		return BackendCall{Resource: res, Method: strings.ToLower(method), Privilege: Mutates,
			Source: "https://clerk.com/docs/reference/backend-api"}, true
	}
	return BackendCall{}, false
}

// userLookupFilters are the parameters of users.getUserList (and the
// query parameters of GET /v1/users) that select users by an identifier a
// person types: an email address, phone number, username or Web3 wallet,
// or the free-text query over them (UserListParams in clerk/javascript
// packages/backend/src/api/endpoints/UserApi.ts; query parameters of
// https://clerk.com/docs/reference/backend-api/tag/users/get/users).
var userLookupFilters = map[string]string{
	"emailAddress": "email address", "email_address": "email address",
	"phoneNumber": "phone number", "phone_number": "phone number",
	"username": "username", "web3Wallet": "Web3 wallet", "web3_wallet": "Web3 wallet",
	"query": "free-text query",
}

// UserLookupFilter names what a users.getUserList parameter or a GET
// /v1/users query parameter selects users by, when it is a personal
// identifier.
func UserLookupFilter(param string) (string, bool) {
	s, ok := userLookupFilters[param]
	return s, ok
}

// LookupScope says who may legitimately learn what a user lookup filter
// reveals.
type LookupScope uint8

// Lookup scopes.
const (
	// PrivateIdentifier: an email address, phone number or wallet is
	// personal contact data; whether it has an account is not published.
	PrivateIdentifier LookupScope = iota
	// MemberSearch: the free-text query is matched against first and last
	// names and usernames as well as identifiers (the `query` parameter
	// of GET /v1/users), i.e. a member directory: a feature for signed-in
	// members, an oracle only for a signed-out caller.
	MemberSearch
	// PublicHandle: a username is the handle an application shows on
	// profiles and in their URLs (/@name); looking a profile up by it
	// reveals nothing the application does not publish. Returning private
	// fields with it is a user-data exposure (CLK-RBAC-006), not
	// enumeration.
	PublicHandle
)

// userLookupScopes classifies userLookupFilters; a parameter missing here
// is a PrivateIdentifier. Source: the query parameter docs of
// https://clerk.com/docs/reference/backend-api/tag/users/get/users
// (query, username) and UserListParams in clerk/javascript
// packages/backend/src/api/endpoints/UserApi.ts.
var userLookupScopes = map[string]LookupScope{"query": MemberSearch, "username": PublicHandle}

// UserLookupScope says who may learn what a users.getUserList filter (a
// UserLookupFilter parameter) reveals.
func UserLookupScope(param string) LookupScope {
	return userLookupScopes[param]
}

// identifierFields are the field names an application's own user or
// member records are looked up by when someone types an identifier: an
// email address or a phone number. A lookup by one of them that answers
// differently when no record matches tells the caller whether the person
// has an account (OWASP Authentication Cheat Sheet, "Authentication and
// Error Messages": https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html;
// OWASP WSTG-IDNT-04, account enumeration). Usernames are public handles
// (see LookupScope) and are not listed.
var identifierFields = map[string]string{
	"email": "email address", "emailAddress": "email address", "email_address": "email address", "mail": "email address",
	"phone": "phone number", "phoneNumber": "phone number", "phone_number": "phone number", "mobile": "phone number",
}

// IdentifierField names what a record filter field selects by when it is
// a private identifier a caller can type (email address, phone number).
func IdentifierField(key string) (string, bool) {
	s, ok := identifierFields[key]
	return s, ok
}

// userResults are the users methods of the JavaScript Backend SDK whose
// result is the whole Backend User (Promise<User>): reading it, and the
// mutations that answer with the updated user.
//
// Source: clerk/javascript packages/backend/src/api/endpoints/UserApi.ts
// (getUser, createUser, updateUser, updateUserProfileImage,
// updateUserMetadata, deleteUser, banUser, unbanUser, lockUser,
// unlockUser each request<User>), and the Backend SDK reference
// (https://clerk.com/docs/reference/backend/user/update-user-metadata:
// "Returns a User object").
var userResults = map[string]bool{
	"getUser": true, "createUser": true, "updateUser": true, "updateUserProfileImage": true,
	"updateUserMetadata": true, "deleteUser": true, "banUser": true, "unbanUser": true, "lockUser": true, "unlockUser": true,
}

// ReturnsBackendUser reports whether clerkClient.users.<method> resolves
// to the whole Backend User.
func ReturnsBackendUser(method string) bool { return userResults[method] }

// userContactFields are the members of a Clerk User (Backend and
// frontend objects) that hold the user's private contact data or
// server-only metadata: what a public profile (name, username, image)
// leaves out.
var userContactFields = []struct {
	Name, Source string
}{
	{"emailAddresses", "https://clerk.com/docs/reference/backend/types/backend-user"},
	{"primaryEmailAddress", "https://clerk.com/docs/reference/javascript/user (User.primaryEmailAddress)"},
	{"emailAddress", "https://clerk.com/docs/reference/backend/types/backend-email-address"},
	{"phoneNumbers", "https://clerk.com/docs/reference/backend/types/backend-user"},
	{"primaryPhoneNumber", "https://clerk.com/docs/reference/javascript/user (User.primaryPhoneNumber)"},
	{"phoneNumber", "https://clerk.com/docs/reference/backend/types/backend-phone-number"},
	{"privateMetadata", "https://clerk.com/docs/reference/backend/types/backend-user (set from the Backend API only)"},
	{"externalAccounts", "https://clerk.com/docs/reference/backend/types/backend-user"},
	{"web3Wallets", "https://clerk.com/docs/reference/backend/types/backend-user"},
}

// UserContactField reports whether a member of a Clerk User holds the
// user's contact data or server-only metadata (user.emailAddresses,
// user.privateMetadata), as opposed to public profile fields.
func UserContactField(name string) bool {
	for _, f := range userContactFields {
		if f.Name == name {
			return true
		}
	}
	return false
}
