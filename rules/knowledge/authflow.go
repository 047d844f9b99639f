package knowledge

import "strings"

// authFlowWords are the words of a route segment that make it part of a
// sign-in flow: the pages Clerk's guides mount its components on and
// redirect back to, and the login and callback routes of other
// providers' flows, after which an application redirects to where the
// user was going. Compared with a segment lower-cased and without `-`
// and `_`; Exact words must be the whole segment (`auth/`), the others
// may be part of it (`oauth-callback`, `after-sign-in`).
//
// Replaces: rules/hardening/hard003_redirects.go authHandlerPath.
var authFlowWords = []struct {
	Word   string
	Exact  bool
	Source string
}{
	{Word: "signin", Source: "https://clerk.com/docs/references/nextjs/custom-sign-in-or-up-page (the sign-in page at /sign-in)"},
	{Word: "signup", Source: "https://clerk.com/docs/references/nextjs/custom-sign-up-page (the sign-up page at /sign-up)"},
	{Word: "sso", Source: "https://clerk.com/docs/guides/development/custom-flows/authentication/oauth-connections (the redirectUrl route /sso-callback)"},
	{Word: "callback", Source: "https://clerk.com/docs/guides/development/custom-flows/authentication/oauth-connections (AuthenticateWithRedirectCallback on the callback route)"},
	{Word: "aftersign", Source: "https://clerk.com/docs/guides/development/customize-redirect-urls (after-sign-in and after-sign-up redirect URLs)"},
	{Word: "afterauth", Source: "https://clerk.com/docs/guides/development/customize-redirect-urls"},
	{Word: "afterlogin", Source: "https://clerk.com/docs/guides/development/customize-redirect-urls"},
	{Word: "login", Source: "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html (a login page redirects to a parameter after authentication)"},
	{Word: "oauth", Source: "https://www.rfc-editor.org/rfc/rfc6749#section-10.15 (open redirectors at OAuth redirection endpoints)"},
	{Word: "auth", Exact: true, Source: "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html"},
}

// AuthFlowPath reports whether a file path lies in a sign-in flow: one
// of its directories is a sign-in, sign-up, login, SSO or OAuth callback
// route (app/sign-in/callback/route.ts, src/routes/sso-callback/+page.ts,
// pages/auth/return.tsx). The file name itself is not looked at.
func AuthFlowPath(p string) bool {
	segs := strings.Split(strings.ToLower(p), "/")
	for _, seg := range segs[:len(segs)-1] {
		seg = strings.NewReplacer("-", "", "_", "").Replace(seg)
		for _, w := range authFlowWords {
			if w.Exact && seg == w.Word || !w.Exact && strings.Contains(seg, w.Word) {
				return true
			}
		}
	}
	return false
}
