package knowledge

import "strings"

// PasswordSignIn is an auth provider's password sign-in whose error tells
// an unknown account apart from a wrong password: an app that hands the
// error's code or message to the caller unmapped answers "is this email
// registered?" for anyone.
type PasswordSignIn struct {
	Provider string
	// Package and Export name an imported function (signInWithEmailAndPassword
	// from firebase/auth). Method, when set, is the same call written as a
	// method of the SDK's auth object (firebase.auth().signInWithEmailAndPassword),
	// recognised in files that import a module under Package.
	Package, Export, Method string
	// Endpoint is a REST path a fetch names instead (accounts:signInWithPassword).
	Endpoint string
	// Unknown and Wrong are the two codes the caller can tell apart.
	Unknown, Wrong string
	Source         string
}

// passwordSignIns lists the provider sign-ins whose errors reveal account
// existence. Clerk's own form_identifier_not_found is CLK-ENUM-002's other
// half and is not listed here.
//
// Sources: each entry's Source.
var passwordSignIns = []PasswordSignIn{
	{Provider: "Firebase Auth", Package: "firebase/auth", Export: "signInWithEmailAndPassword", Method: "signInWithEmailAndPassword",
		Unknown: "auth/user-not-found", Wrong: "auth/wrong-password",
		Source: "https://firebase.google.com/docs/reference/js/auth.md#signinwithemailandpassword (\"Fails with an error if the email address and password do not match\"); error codes: https://firebase.google.com/docs/reference/js/auth.md#autherrorcodes (USER_DELETED: auth/user-not-found, INVALID_PASSWORD: auth/wrong-password); both collapse to auth/invalid-credential only with email enumeration protection on: https://cloud.google.com/identity-platform/docs/admin/email-enumeration-protection"},
	{Provider: "Firebase Auth REST API", Endpoint: "accounts:signInWithPassword",
		Unknown: "EMAIL_NOT_FOUND", Wrong: "INVALID_PASSWORD",
		Source: "https://firebase.google.com/docs/reference/rest/auth#section-sign-in-email-password (Common error codes: EMAIL_NOT_FOUND, INVALID_PASSWORD, USER_DISABLED)"},
}

// PasswordSignIns returns the provider sign-ins whose errors reveal
// whether an account exists.
func PasswordSignIns() []PasswordSignIn { return passwordSignIns }

// PasswordSignInCall returns the sign-in an import of export from pkg
// names (pkg as resolved: "firebase/auth").
func PasswordSignInCall(pkg, export string) (PasswordSignIn, bool) {
	for _, s := range passwordSignIns {
		if s.Export != "" && s.Export == export && s.Package == pkg {
			return s, true
		}
	}
	return PasswordSignIn{}, false
}

// PasswordSignInMethod returns the sign-in a method call named method is,
// in a file whose imports satisfy importsFrom (jsast.File.ImportsFrom).
func PasswordSignInMethod(method string, importsFrom func(match func(src string) bool) bool) (PasswordSignIn, bool) {
	for _, s := range passwordSignIns {
		if s.Method == "" || s.Method != method {
			continue
		}
		root, _, _ := strings.Cut(s.Package, "/")
		if importsFrom(func(src string) bool { return src == root || strings.HasPrefix(src, root+"/") }) {
			return s, true
		}
	}
	return PasswordSignIn{}, false
}

// PasswordSignInEndpoint returns the sign-in whose REST endpoint the text
// (a URL literal) names.
func PasswordSignInEndpoint(text string) (PasswordSignIn, bool) {
	for _, s := range passwordSignIns {
		if s.Endpoint != "" && strings.Contains(text, s.Endpoint) {
			return s, true
		}
	}
	return PasswordSignIn{}, false
}
