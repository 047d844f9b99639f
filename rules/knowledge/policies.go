package knowledge

import (
	"slices"
	"strings"
)

// AccessPolicyLanguage is a schema language that declares row access
// policies next to the data model, enforced by the ORM client it
// generates.
type AccessPolicyLanguage struct {
	Name    string
	FileExt string // the schema files' extension
	// Allow and Deny are the model attributes that grant and revoke an
	// operation under a condition: @@allow('read', cond).
	Allow, Deny string
	// ReadOps are the operation names that include reading.
	ReadOps []string
	// SignedIn are the conditions (spaces removed) that hold for every
	// signed-in user and no one else.
	SignedIn []string
	Source   string
}

// accessPolicyLanguages are the policy languages the rules read.
var accessPolicyLanguages = []AccessPolicyLanguage{
	{Name: "ZenStack", FileExt: ".zmodel", Allow: "@@allow", Deny: "@@deny", ReadOps: []string{"read", "all"},
		SignedIn: []string{"auth()!=null", "null!=auth()"},
		Source: "https://zenstack.dev/docs/the-complete-guide/part1/access-policy/model-level (@@allow/@@deny, operations, all); " +
			"https://zenstack.dev/docs/the-complete-guide/part1/access-policy/current-user (auth() is the current user, null when signed out)"},
}

// AccessPolicyLanguageOf returns the policy language of a schema file.
func AccessPolicyLanguageOf(path string) (AccessPolicyLanguage, bool) {
	for _, l := range accessPolicyLanguages {
		if strings.HasSuffix(path, l.FileExt) {
			l.ReadOps = slices.Clone(l.ReadOps)
			l.SignedIn = slices.Clone(l.SignedIn)
			return l, true
		}
	}
	return AccessPolicyLanguage{}, false
}

// GrantsRead reports whether an operation list ("read", "create,read",
// "all") includes reading.
func (l AccessPolicyLanguage) GrantsRead(ops string) bool {
	for _, op := range strings.Split(ops, ",") {
		if slices.Contains(l.ReadOps, strings.TrimSpace(op)) {
			return true
		}
	}
	return false
}

// AnySignedIn reports whether a policy condition holds for every
// signed-in user (auth() != null).
func (l AccessPolicyLanguage) AnySignedIn(cond string) bool {
	return slices.Contains(l.SignedIn, strings.Join(strings.Fields(cond), ""))
}
