package knowledge

import "strings"

// capabilityKey is a record field that holds an unguessable secret the
// record's owner hands out (an invite link's code): a request that
// presents it proves it was given the link, so selecting a record by it
// is the check, not a choice of someone else's record.
type capabilityKey struct {
	Key    string // lower case, without '_' and '-'
	Source string
}

// capabilityKeys are the field names applications give such secrets.
var capabilityKeys = []capabilityKey{
	{Key: "invitecode", Source: "https://www.w3.org/TR/capability-urls/ (an invitation link whose secret grants access)"},
	{Key: "invitationcode", Source: "https://www.w3.org/TR/capability-urls/"},
	{Key: "invitetoken", Source: "https://www.w3.org/TR/capability-urls/"},
	{Key: "invitationtoken", Source: "https://www.w3.org/TR/capability-urls/"},
	{Key: "sharetoken", Source: "https://www.w3.org/TR/capability-urls/ (sharing links)"},
	{Key: "sharecode", Source: "https://www.w3.org/TR/capability-urls/"},
}

// CapabilityKey reports whether a filter key names a field holding a
// shared secret (inviteCode, invite_token, shareToken).
func CapabilityKey(k string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
	for _, c := range capabilityKeys {
		if c.Key == n {
			return true
		}
	}
	return false
}
