package knowledge

import "strings"

// SessionSecret is a call that signs or encrypts a session cookie with a
// secret the application passes: whoever knows the secret makes session
// cookies the application accepts.
type SessionSecret struct {
	Package string
	Name    string // the export ("default" for a default export)
	// Arg is the index of the options argument, and Path the properties
	// that lead from it to the secret or the list of secrets.
	Arg    int
	Path   []string
	Source string
}

// sessionSecrets lists the session cookie signers of JavaScript server
// frameworks.
var sessionSecrets = []SessionSecret{
	{"@remix-run/node", "createCookieSessionStorage", 0, []string{"cookie", "secrets"},
		"https://remix.run/docs/en/main/utils/sessions#createcookiesessionstorage (cookie.secrets sign the session cookie)"},
	{"@remix-run/cloudflare", "createCookieSessionStorage", 0, []string{"cookie", "secrets"},
		"https://remix.run/docs/en/main/utils/sessions#createcookiesessionstorage"},
	{"@remix-run/node", "createCookie", 1, []string{"secrets"},
		"https://remix.run/docs/en/main/utils/cookies#signing-cookies (secrets sign and verify the cookie)"},
	{"react-router", "createCookieSessionStorage", 0, []string{"cookie", "secrets"},
		"https://reactrouter.com/dev/api/react-router/CookieSignatureOptions (secrets sign and unsign the cookie)"},
	{"react-router", "createCookie", 1, []string{"secrets"},
		"https://reactrouter.com/dev/api/react-router/CookieSignatureOptions"},
	{"@remix-run/node", "createSessionStorage", 0, []string{"cookie", "secrets"},
		"https://remix.run/docs/en/main/utils/sessions#createsessionstorage (the cookie option's secrets sign the session id cookie)"},
	{"@remix-run/node", "createMemorySessionStorage", 0, []string{"cookie", "secrets"},
		"https://remix.run/docs/en/main/utils/sessions#creatememorysessionstorage"},
	{"@remix-run/node", "createFileSessionStorage", 0, []string{"cookie", "secrets"},
		"https://remix.run/docs/en/main/utils/sessions#createfilesessionstorage-node"},
	{"@remix-run/cloudflare", "createCookie", 1, []string{"secrets"},
		"https://remix.run/docs/en/main/utils/cookies#signing-cookies"},
	{"@remix-run/server-runtime", "createCookieSessionStorage", 0, []string{"cookie", "secrets"},
		"https://remix.run/docs/en/main/utils/sessions#createcookiesessionstorage"},
	{"react-router", "createSessionStorage", 0, []string{"cookie", "secrets"},
		"https://reactrouter.com/explanation/sessions-and-cookies#creating-a-session-storage"},
	{"react-router", "createMemorySessionStorage", 0, []string{"cookie", "secrets"},
		"https://reactrouter.com/explanation/sessions-and-cookies#creating-a-session-storage"},
	{"@react-router/node", "createFileSessionStorage", 0, []string{"cookie", "secrets"},
		"https://reactrouter.com/explanation/sessions-and-cookies#creating-a-session-storage"},
	{"@react-router/cloudflare", "createWorkersKVSessionStorage", 0, []string{"cookie", "secrets"},
		"https://reactrouter.com/explanation/sessions-and-cookies#creating-a-session-storage"},
	{"express-session", "default", 0, []string{"secret"},
		"https://github.com/expressjs/session#secret (the secret used to sign the session ID cookie)"},
}

// SessionSecretOf returns the session cookie signer that the export name
// of module pkg is (subpaths belong to their package).
func SessionSecretOf(pkg, name string) (SessionSecret, bool) {
	for _, s := range sessionSecrets {
		if s.Name == name && (pkg == s.Package || strings.HasPrefix(pkg, s.Package+"/")) {
			return s, true
		}
	}
	return SessionSecret{}, false
}
