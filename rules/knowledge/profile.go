package knowledge

import "strings"

// Profile objects: whose profile a field belongs to.
const (
	// ProfileUser is Clerk's User (Frontend and Backend SDK, camelCase),
	// the user webhook payload (snake_case) and an organization member's
	// public user data: fields the user edits, whatever object holds them.
	ProfileUser = "User"
	// ProfileOrganization is Clerk's Organization: its name and slug are
	// chosen by the member who created or administers it, so they are
	// user-controlled only on an organization.
	ProfileOrganization = "Organization"
	// ProfilePerson is a display-name field of a person's record in an
	// identity provider's or an application's schema: user-chosen only
	// when the object read is a person (PersonRecord).
	ProfilePerson = "Person"
)

// ProfileField is a field of a user's or an organization's profile whose
// value a user chose (at sign-up, in the profile, in onboarding): text
// that must be escaped before it reaches an HTML sink.
type ProfileField struct {
	Name   string
	Of     string // ProfileUser, ProfileOrganization, ProfilePerson
	Source string
}

const (
	userObjectSource     = "https://clerk.com/docs/reference/javascript/user; https://clerk.com/docs/reference/backend/types/backend-user"
	userWebhookSource    = "https://clerk.com/docs/guides/development/webhooks/overview (user.created payload: first_name, last_name, username); https://clerk.com/docs/reference/backend-api/tag/users/get/users"
	membershipDataSource = "https://clerk.com/docs/reference/backend/types/backend-organization-membership (publicUserData: firstName, lastName, identifier of the member)"
	organizationSource   = "https://clerk.com/docs/reference/javascript/organization (name, slug)"
)

// profileFields are the user-chosen profile fields. The metadata objects
// the browser can read (publicMetadata, unsafeMetadata) belong to the
// profile too; they are the metadata table's (UserMetadataOf).
//
// Replaces: rules/hardening/hard001_html.go userFields and orgFields,
// rules/hardening/hard001_sinks.go personFields.
var profileFields = []ProfileField{
	{Name: "firstName", Of: ProfileUser, Source: userObjectSource},
	{Name: "lastName", Of: ProfileUser, Source: userObjectSource},
	{Name: "fullName", Of: ProfileUser, Source: userObjectSource},
	{Name: "username", Of: ProfileUser, Source: userObjectSource + "; " + userWebhookSource},
	{Name: "first_name", Of: ProfileUser, Source: userWebhookSource},
	{Name: "last_name", Of: ProfileUser, Source: userWebhookSource},
	{Name: "publicUserData", Of: ProfileUser, Source: membershipDataSource},
	{Name: "public_user_data", Of: ProfileUser, Source: membershipDataSource + "; https://clerk.com/docs/guides/development/webhooks/overview (organizationMembership payloads)"},
	{Name: "name", Of: ProfileOrganization, Source: organizationSource},
	{Name: "slug", Of: ProfileOrganization, Source: organizationSource},
	{Name: "name", Of: ProfilePerson, Source: "https://authjs.dev/concepts/database-models (User.name); https://docs.stripe.com/api/customers/object (name)"},
	{Name: "displayName", Of: ProfilePerson, Source: "https://firebase.google.com/docs/reference/js/auth.userinfo (displayName)"},
	{Name: "display_name", Of: ProfilePerson, Source: "https://supabase.com/docs/guides/auth/managing-user-data (a profiles table of user-entered data)"},
	{Name: "nickname", Of: ProfilePerson, Source: "https://auth0.com/docs/manage-users/user-accounts/user-profiles/user-profile-structure (nickname)"},
	{Name: "bio", Of: ProfilePerson, Source: "https://docs.github.com/en/rest/users/users (bio of a user profile)"},
}

// personRecords are the names under which a person's record is read
// (booking.user, post.author): a ProfilePerson field of one is a name
// its person chose.
//
// Replaces: rules/hardening/hard001_sinks.go personRoots.
var personRecords = []struct{ Name, Source string }{
	{"user", "https://authjs.dev/concepts/database-models (the User model); https://clerk.com/docs/reference/backend/types/backend-user"},
	{"member", "https://clerk.com/docs/reference/backend/types/backend-organization-membership (a member's public user data)"},
	{"customer", "https://docs.stripe.com/api/customers/object"},
	{"profile", "https://supabase.com/docs/guides/auth/managing-user-data (a profiles table referencing auth.users)"},
	{"author", "relation naming convention: the person who wrote a record (posts, comments); no vendor reference"},
	{"owner", "relation naming convention: the person who owns a record; no vendor reference"},
	{"creator", "relation naming convention: the person who created a record; no vendor reference"},
	{"sender", "relation naming convention: the person who sent a message; no vendor reference"},
}

// UserProfileField reports a field of a user's profile, user-chosen
// whatever object holds it: a ProfileUser field, or a metadata object the
// browser can read (publicMetadata, unsafeMetadata; UserMetadataOf).
func UserProfileField(name string) bool {
	if m, ok := UserMetadataOf(name); ok {
		return !m.ServerOnly
	}
	return profileFieldOf(name, ProfileUser)
}

// OrganizationProfileField reports a field of an organization's profile
// (name, slug): user-chosen when the object read is an organization.
func OrganizationProfileField(name string) bool { return profileFieldOf(name, ProfileOrganization) }

// PersonNameField reports a display-name field of a person's record
// (name, displayName, nickname, bio): user-chosen when the object read
// is a person (PersonRecord).
func PersonNameField(name string) bool { return profileFieldOf(name, ProfilePerson) }

// PersonRecord reports a name under which a person's record is read
// ("user", "author", "Owner"), case-insensitively.
func PersonRecord(name string) bool {
	name = strings.ToLower(name)
	for _, r := range personRecords {
		if name == r.Name {
			return true
		}
	}
	return false
}

func profileFieldOf(name, of string) bool {
	for _, f := range profileFields {
		if f.Name == name && f.Of == of {
			return true
		}
	}
	return false
}

// reassignableUserFields are fields of Clerk's User that name the user
// today but not for good: the user changes or removes them
// (updateUser's username, firstName, lastName, primaryEmailAddressID,
// primaryPhoneNumberID), and a username, e-mail address or phone number
// let go of can then be claimed by another account. Records keyed by
// one of them pass to whoever holds it next; the user id does not
// change.
var reassignableUserFields = []struct{ Name, Source string }{
	{"username", updateUserSource + " (username: unique across the instance, changed or removed)"},
	{"primaryEmailAddress", updateUserSource + " (primaryEmailAddressID: the primary address is switched to another)"},
	{"emailAddresses", "https://clerk.com/docs/reference/javascript/user (createEmailAddress(); EmailAddress.destroy())"},
	{"primaryPhoneNumber", updateUserSource + " (primaryPhoneNumberID)"},
	{"phoneNumbers", "https://clerk.com/docs/reference/javascript/user (createPhoneNumber(); PhoneNumber.destroy())"},
	{"firstName", updateUserSource + " (firstName)"},
	{"lastName", updateUserSource + " (lastName)"},
	{"fullName", userObjectSource + " (firstName and lastName joined)"},
}

const updateUserSource = "https://clerk.com/docs/reference/backend/user/update-user"

// ReassignableUserField reports a field of Clerk's User that the user can
// change or give up (username, e-mail, phone, names): not a key that
// stays with one account, unlike the user id.
func ReassignableUserField(name string) bool {
	for _, f := range reassignableUserFields {
		if f.Name == name {
			return true
		}
	}
	return false
}
