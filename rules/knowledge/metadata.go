package knowledge

import "strings"

// UserMetadata is one of the metadata objects of a Clerk user, and who
// may write it.
type UserMetadata struct {
	// Name is the property of the User object (camelCase) or of the
	// Backend API's JSON and the session token template (snake_case).
	Name string
	// ClientWritable is set when the signed-in user can write the
	// object from the browser through the Frontend API
	// (user.update({ unsafeMetadata })): a value read from it is the
	// caller's choice, never an authorization fact.
	ClientWritable bool
	// ServerOnly is set when the Frontend API can neither read nor write
	// the object (privateMetadata): it never reaches the browser.
	ServerOnly bool
	// Source cites the table of read and write access.
	Source string
}

// metadataSource is Clerk's table of which API reads and writes each
// metadata object.
const metadataSource = "https://clerk.com/docs/users/metadata (Types of metadata: Frontend API read & write for unsafe, read only for public, none for private)"

// userMetadata are the metadata objects of a Clerk user.
//
// Replaces: nothing (rules/rbac/rbac001_unsafe_metadata.go keeps its own
// expression check of where an unsafeMetadata value is used).
var userMetadata = []UserMetadata{
	{Name: "publicMetadata", Source: metadataSource},
	{Name: "public_metadata", Source: metadataSource},
	{Name: "privateMetadata", ServerOnly: true, Source: metadataSource},
	{Name: "private_metadata", ServerOnly: true, Source: metadataSource},
	{Name: "unsafeMetadata", ClientWritable: true, Source: metadataSource},
	{Name: "unsafe_metadata", ClientWritable: true, Source: metadataSource},
}

// UserMetadataOf looks up a metadata property of a Clerk user.
func UserMetadataOf(name string) (UserMetadata, bool) {
	for _, m := range userMetadata {
		if m.Name == name {
			return m, true
		}
	}
	return UserMetadata{}, false
}

// ClientWritableMetadata returns the names of the metadata objects the
// signed-in user can write from the browser.
func ClientWritableMetadata() []string {
	var out []string
	for _, m := range userMetadata {
		if m.ClientWritable {
			out = append(out, m.Name)
		}
	}
	return out
}

// authzKeys are the keys an application stores in a user's metadata (or
// a membership's) to decide access: a role or role flag, permissions,
// scopes and groups, and what the user has paid for. Keys are compared
// lower-cased without `_` (`is_admin`, `isAdmin`); the plan columns of
// entitlements.go (plan, tier, isPro, subscriptionPlan, ...) count too.
//
// Replaces: rules/rbac/rbac001_unsafe_metadata.go authzKeyRe (also used
// by rules/rbac/rbac009_first_membership_role.go).
var authzKeys = map[string]string{
	"role":         "https://clerk.com/docs/guides/secure/basic-rbac (the user's role stored as publicMetadata.role)",
	"roles":        "https://clerk.com/docs/guides/secure/basic-rbac (roles in metadata)",
	"admin":        "https://clerk.com/docs/guides/secure/basic-rbac (an admin role kept in metadata)",
	"isadmin":      "https://clerk.com/docs/guides/secure/basic-rbac (an admin role kept in metadata)",
	"isstaff":      "https://docs.djangoproject.com/en/stable/ref/contrib/auth/#django.contrib.auth.models.User.is_staff",
	"issuperuser":  "https://docs.djangoproject.com/en/stable/ref/contrib/auth/#django.contrib.auth.models.User.is_superuser",
	"permission":   "https://clerk.com/docs/guides/organizations/control-access/roles-and-permissions (permissions)",
	"permissions":  "https://clerk.com/docs/guides/organizations/control-access/roles-and-permissions (permissions)",
	"accesslevel":  "https://docs.gitlab.com/api/members/ (access_level of a member)",
	"scope":        "https://www.rfc-editor.org/rfc/rfc6749#section-3.3 (access token scope)",
	"scopes":       "https://www.rfc-editor.org/rfc/rfc6749#section-3.3 (access token scope)",
	"group":        "https://www.rfc-editor.org/rfc/rfc7643#section-4.1.2 (a user's groups)",
	"groups":       "https://www.rfc-editor.org/rfc/rfc7643#section-4.1.2 (a user's groups)",
	"entitlement":  "https://docs.stripe.com/billing/entitlements (a customer's active entitlements to features)",
	"entitlements": "https://docs.stripe.com/billing/entitlements (a customer's active entitlements to features)",
	"features":     "https://docs.stripe.com/billing/entitlements (features a customer is entitled to)",
	"subscription": "https://docs.stripe.com/billing/subscriptions/overview (the customer's subscription)",
	"credits":      "https://docs.stripe.com/billing/subscriptions/usage-based/billing-credits (credit balance a customer spends)",
	"premium":      "https://docs.stripe.com/checkout/fulfillment (grant access to a service)",
	"paid":         "https://docs.stripe.com/checkout/fulfillment (grant access to a service)",
}

// authzValues are role values an application compares a stored value
// with to grant access; the paid plan values of entitlements.go (pro,
// premium, enterprise, ...) count too.
var authzValues = map[string]string{
	"admin":      "https://clerk.com/docs/guides/secure/basic-rbac (roles admin and moderator)",
	"moderator":  "https://clerk.com/docs/guides/secure/basic-rbac (roles admin and moderator)",
	"superadmin": "https://clerk.com/docs/guides/secure/basic-rbac (an administrator role)",
	"owner":      "https://docs.github.com/en/organizations/managing-peoples-access-to-your-organization-with-roles/roles-in-an-organization (organization owners)",
	"staff":      "https://docs.djangoproject.com/en/stable/ref/contrib/auth/#django.contrib.auth.models.User.is_staff",
}

// AuthzKey reports whether a metadata key (any case, with or without
// `_`) carries an authorization decision: a role, permissions, a plan or
// what the user paid for.
func AuthzKey(key string) bool {
	k := strings.ToLower(strings.ReplaceAll(key, "_", ""))
	return authzKeys[k] != "" || planColumns[k] != ""
}

// AuthzValue reports whether a compared string literal names a role or a
// paid plan (`=== 'admin'`, `=== 'pro'`).
func AuthzValue(v string) bool {
	l := strings.ToLower(v)
	return authzValues[l] != "" || paidPlans[l] != ""
}
