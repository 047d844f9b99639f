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

// RowSecurityDialect is a database whose tables carry row security
// policies in committed SQL, evaluated for every query the hosted data API
// runs with the caller's token (or with none: the anonymous role).
type RowSecurityDialect struct {
	Name    string
	FileExt string // the SQL files' extension
	// Identity are the expressions (lower case, spaces removed) that read
	// the caller's token; with no token they are null, so a policy
	// condition that compares them with a column matches no row.
	Identity []string
	// SignedInRoles are the database roles a request with a user's token
	// runs as; a policy granted only to them never applies to the
	// anonymous role.
	SignedInRoles []string
	// Schema is the schema the data API serves by default.
	Schema string
	Source string
}

// rowSecurityDialects are the row security dialects the model reads.
var rowSecurityDialects = []RowSecurityDialect{
	{Name: "Supabase Postgres RLS", FileExt: ".sql",
		Identity:      []string{"auth.uid()", "auth.jwt()", "request.jwt.claim"},
		SignedInRoles: []string{"authenticated"},
		Schema:        "public",
		Source: "https://supabase.com/docs/guides/database/postgres/row-level-security (enable row level security; " +
			"once it is enabled no row is reachable through the API with the public key until a policy grants it; " +
			"auth.uid() and auth.jwt() read the request's JWT and auth.uid() returns null for a request with no authenticated user; " +
			"the anon and authenticated roles and the TO clause)"},
}

// RowSecurityDialectOf returns the row security dialect of a schema file.
func RowSecurityDialectOf(path string) (RowSecurityDialect, bool) {
	for _, d := range rowSecurityDialects {
		if strings.HasSuffix(strings.ToLower(path), d.FileExt) {
			d.Identity = slices.Clone(d.Identity)
			d.SignedInRoles = slices.Clone(d.SignedInRoles)
			return d, true
		}
	}
	return RowSecurityDialect{}, false
}

// ReadsIdentity reports whether a policy condition reads the caller's
// token (it contains an identity expression and neither tests it for
// null nor names the anonymous role, either of which holds for the
// anonymous caller).
func (d RowSecurityDialect) ReadsIdentity(cond string) bool {
	c := strings.ToLower(strings.Join(strings.Fields(cond), ""))
	if strings.Contains(c, "isnull") || strings.Contains(c, "'anon'") {
		return false
	}
	for _, id := range d.Identity {
		if strings.Contains(c, id) {
			return true
		}
	}
	return false
}
