package knowledge

import "strings"

// srcReverification is Clerk's list of the sensitive actions that require
// reverification ("Sensitive actions that require reverification").
const srcReverification = "https://clerk.com/docs/guides/secure/reverification (sensitive actions that require reverification)"

// srcReauthentication is OWASP's list of the features that need the
// current credentials again.
const srcReauthentication = "OWASP Cheat Sheet Series cheatsheets/Authentication_Cheat_Sheet.md (Require Re-authentication for Sensitive Features)"

// Reverification is a Backend API call whose action Clerk lists as
// sensitive: a server call of one on the caller's own account should
// first check `has({ reverification })`.
type Reverification struct {
	Resource, Method string
	// Fields, when set, makes the call sensitive only when its options
	// set one of them (users.updateUser changes the password or the
	// primary email only with `password` or `primaryEmailAddressID`).
	Fields []string
	// Action is the sensitive action as Clerk's table names it.
	Action string
	Source string
}

// reverificationCalls are the Backend API calls that perform an action
// of Clerk's sensitive-action table (or, for apiKeys.create and
// organizations.deleteOrganization, mint a credential of the account or
// delete what it owns, which the same guide's banking example and
// OWASP's list cover).
//
// Replaces: rules/hardening/mfa001_reverification.go sensitiveRe (its
// delete-account, delete-organization, change-email, change-password and
// api-key words, matched against handler names and routes).
var reverificationCalls = []Reverification{
	{Resource: "users", Method: "deleteUser", Action: "delete account", Source: srcReverification},
	{Resource: "users", Method: "updateUser", Fields: []string{"password", "username", "primaryEmailAddressID", "primaryPhoneNumberID", "primaryWeb3WalletID"},
		Action: "set/update password, update username, set primary identification", Source: srcReverification},
	{Resource: "users", Method: "disableUserMFA", Action: "add/remove MFA", Source: srcReverification},
	{Resource: "users", Method: "deleteUserTOTP", Action: "add/remove MFA", Source: srcReverification},
	{Resource: "users", Method: "deleteUserBackupCodes", Action: "add/remove MFA", Source: srcReverification},
	{Resource: "users", Method: "deleteUserPasskey", Action: "add/remove passkey", Source: srcReverification},
	{Resource: "users", Method: "deleteUserWeb3Wallet", Action: "add/remove Web3 wallet", Source: srcReverification},
	{Resource: "users", Method: "deleteUserExternalAccount", Action: "connect/remove external account", Source: srcReverification},
	{Resource: "emailAddresses", Method: "createEmailAddress", Action: "add/remove email address", Source: srcReverification},
	{Resource: "emailAddresses", Method: "deleteEmailAddress", Action: "add/remove email address", Source: srcReverification},
	{Resource: "phoneNumbers", Method: "createPhoneNumber", Action: "add/remove phone number", Source: srcReverification},
	{Resource: "phoneNumbers", Method: "deletePhoneNumber", Action: "add/remove phone number", Source: srcReverification},
	{Resource: "organizations", Method: "deleteOrganization", Action: "delete organization", Source: srcReverification + "; " + srcReauthentication},
	{Resource: "apiKeys", Method: "create", Action: "create an API key (a credential for the account)", Source: srcReverification + " (banking example); " + srcReauthentication},
}

// ReverificationCallOf reports whether a Backend API call as written
// ("client.users.deleteUser") performs one of Clerk's sensitive actions,
// with the fields that make it one.
func ReverificationCallOf(callee string) (Reverification, bool) {
	bc, ok := BackendCallIn(callee)
	if !ok {
		return Reverification{}, false
	}
	for _, r := range reverificationCalls {
		if r.Resource == bc.Resource && r.Method == bc.Method {
			return r, true
		}
	}
	return Reverification{}, false
}

// NeedsReverification reports whether a Backend API call as written
// ("client.users.deleteUser") is one whose action Clerk lists as
// sensitive whatever its options, returning its "resource.method". A call
// sensitive only for some fields (users.updateUser) is not one: ask
// ReverificationCallOf and look at its options.
func NeedsReverification(callee string) (string, bool) {
	r, ok := ReverificationCallOf(callee)
	if !ok || len(r.Fields) > 0 {
		return "", false
	}
	return r.Resource + "." + r.Method, true
}

// credentialRecords are the names of application records that hold a
// credential of the account (a key or token that acts as the user):
// creating one is a sensitive action. Names are compared without case,
// separators or a plural s.
//
// Replaces: the api-key words of rules/hardening/mfa001_reverification.go
// sensitiveRe.
var credentialRecords = []struct{ Name, Source string }{
	{"apikey", srcReverification + " (apiKeys.create is the Backend API's own); " + srcReauthentication},
	{"accesstoken", srcReauthentication},
	{"personalaccesstoken", srcReauthentication},
}

// CredentialRecord reports whether a record (a table or collection, as
// Effect.Record or Effect.Table name it: "apiKey", "api_keys",
// "ApiKeys") holds credentials of the account.
func CredentialRecord(name string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(name))
	n = strings.TrimSuffix(n, "s")
	for _, c := range credentialRecords {
		if n == c.Name {
			return true
		}
	}
	return false
}

// sensitiveOperations are the operations a route or handler may be named
// for whose sensitivity no call shows: a bulk export of the account's
// data reads like any other read. Matched against whole words of an
// entry's URL path or function name, never against calls.
//
// Replaces: the export word of rules/hardening/mfa001_reverification.go
// sensitiveRe.
var sensitiveOperations = []struct{ Word, Source string }{
	{"export", srcReauthentication + "; https://clerk.com/docs/guides/secure/reverification (actions unique to your application)"},
}

// SensitiveOperationIn returns the sensitive-operation word that a URL
// path or function name is made of ("/api/export", "exportData",
// "export-all"), or "".
func SensitiveOperationIn(name string) string {
	for _, w := range words(name) {
		for _, s := range sensitiveOperations {
			if w == s.Word {
				return s.Word
			}
		}
	}
	return ""
}

// ReverificationCheck is a server-side call that enforces reverification:
// the authorization check given a reverification option, or a helper that
// answers with the reverification error `useReverification()` prompts on.
type ReverificationCheck struct {
	Name string // the function or method name
	// Option, when set, is the property of the first argument that makes
	// the call a reverification check (has({ reverification: 'strict' })).
	// Such a check enforces nothing when its result is dropped.
	Option string
	Source string
}

// reverificationChecks are the server calls that check reverification.
//
// Replaces: rules/hardening/mfa002_reverification_unenforced.go
// serverReverificationRe (the same names, matched in file text).
var reverificationChecks = []ReverificationCheck{
	{Name: "has", Option: "reverification", Source: srcReverification + " (has({ reverification: 'strict' }) on the server); clerk/javascript packages/shared/src/authorization.ts"},
	{Name: "reverificationError", Source: "https://clerk.com/docs/guides/secure/reverification (Server Actions return reverificationError); clerk/javascript packages/shared/src/authorization-errors.ts"},
	{Name: "reverificationErrorResponse", Source: "https://clerk.com/docs/guides/secure/reverification (Route Handlers return reverificationErrorResponse); clerk/javascript packages/shared/src/authorization-errors.ts"},
}

// ReverificationCheckOf returns the reverification check a function or
// method name is.
func ReverificationCheckOf(name string) (ReverificationCheck, bool) {
	for _, c := range reverificationChecks {
		if c.Name == name {
			return c, true
		}
	}
	return ReverificationCheck{}, false
}

// ReverificationParam is the property of Clerk's authorization params
// that asks for a recent verification: has() takes it, and auth.protect()
// takes the same params (`auth.protect({ reverification: 'strict' })`),
// which answers an unverified caller itself. Source: clerk/javascript
// packages/shared/src/authorization.ts (createCheckAuthorization reads
// params.reverification); https://clerk.com/docs/guides/secure/reverification.
const ReverificationParam = "reverification"

// reverificationHookSDKs are the Clerk front-end SDKs other than Next.js
// whose client exports `useReverification()` in some release; which
// release is read from the generated export table (sdkexports.json, from
// each package's published type declarations).
var reverificationHookSDKs = []string{"@clerk/remix", "@clerk/react-router", "@clerk/tanstack-react-start", "@clerk/tanstack-start", "@clerk/react", "@clerk/clerk-react", "@clerk/expo", "@clerk/clerk-expo"}

// srcUseReverification is Clerk's reference for the client hook.
const srcUseReverification = "https://clerk.com/docs/reference/hooks/use-reverification"

// ReverificationHookSDKs returns reverificationHookSDKs (source:
// srcUseReverification), a copy the caller may keep.
func ReverificationHookSDKs() []string {
	return append([]string(nil), reverificationHookSDKs...)
}
