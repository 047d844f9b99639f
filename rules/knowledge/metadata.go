package knowledge

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
// Replaces: nothing; rules/rbac/rbac001_unsafe_metadata.go keeps its own
// expression check of where an unsafeMetadata value is used.
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
