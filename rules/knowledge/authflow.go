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
var authFlowWords = []routeWord{
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
	segs := routeWords(p)
	for _, seg := range segs[:len(segs)-1] {
		for _, w := range authFlowWords {
			if w.matches(seg) {
				return true
			}
		}
	}
	return false
}

// linkActionWords are the words of a route whose GET requests change
// state by design, because what requests them is a link a user follows
// from an email or another site, a provider's redirect, or a scheduler:
// email verification, magic and invitation links, unsubscribe links,
// OAuth and account-connection callbacks, sign-out links, a checkout's
// cancel return, scheduled jobs and health probes. A cross-site request
// to such a route is the flow itself, not a forgery. Compared like
// authFlowWords, with the file name included; Prefix words must start
// the segment.
//
// Replaces: rules/hardening/hard003_redirects.go getSkipPath.
var linkActionWords = []routeWord{
	{Word: "callback", Source: "https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2 (the redirection endpoint receives the authorization response through the user's browser)"},
	{Word: "oauth", Source: "https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2"},
	{Word: "connect", Source: "https://docs.stripe.com/connect/oauth-reference (the account-connection redirect_uri is requested by the user's browser)"},
	{Word: "webhook", Source: "https://developers.facebook.com/docs/graph-api/webhooks/getting-started (webhook verification requests are GETs from the provider)"},
	{Word: "cron", Source: "https://vercel.com/docs/cron-jobs (Vercel makes an HTTP GET request to the cron job's path)"},
	{Word: "health", Source: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/ (HTTP GET probes)"},
	{Word: "verify", Source: "https://clerk.com/docs/guides/development/custom-flows/authentication/email-links (the verification link is opened in the user's browser)"},
	{Word: "confirm", Source: "https://clerk.com/docs/guides/development/custom-flows/authentication/email-links"},
	{Word: "magic", Source: "https://clerk.com/docs/guides/development/custom-flows/authentication/email-links (magic links)"},
	{Word: "token", Source: "https://clerk.com/docs/guides/users/inviting (the invitation link carries a __clerk_ticket token)"},
	{Word: "invite", Source: "https://clerk.com/docs/guides/users/inviting (the invitation link is opened in the invitee's browser)"},
	{Word: "accept", Source: "https://clerk.com/docs/guides/users/inviting"},
	{Word: "unsubscribe", Source: "https://www.rfc-editor.org/rfc/rfc2369#section-3.2 (List-Unsubscribe: a URL the recipient opens)"},
	{Word: "logout", Source: "https://openid.net/specs/openid-connect-rpinitiated-1_0.html (logout requests by a browser redirect, GET allowed)"},
	{Word: "signout", Source: "https://openid.net/specs/openid-connect-rpinitiated-1_0.html"},
	{Word: "cancel", Prefix: true, Source: "https://docs.stripe.com/api/checkout/sessions/create (cancel_url: the customer's browser returns there)"},
}

// LinkActionPath reports whether a route (a file path or an entry's
// label, `GET /api/email/verify`) is one whose GET requests change state
// by design (linkActionWords): a followed link, a provider's redirect or
// a scheduler.
func LinkActionPath(p string) bool {
	for _, seg := range routeWords(p) {
		for _, w := range linkActionWords {
			if w.matches(seg) {
				return true
			}
		}
	}
	return false
}

// routeWord is a word of a route segment (compared lower-cased without
// `-` and `_`): the whole segment when Exact, its start when Prefix, else
// any part of it.
type routeWord struct {
	Word          string
	Exact, Prefix bool
	Source        string
}

func (w routeWord) matches(seg string) bool {
	switch {
	case w.Exact:
		return seg == w.Word
	case w.Prefix:
		return strings.HasPrefix(seg, w.Word)
	}
	return strings.Contains(seg, w.Word)
}

// routeWords returns the segments of a path lower-cased without `-` and
// `_`, as the word tables compare them.
func routeWords(p string) []string {
	segs := strings.Split(strings.ToLower(p), "/")
	r := strings.NewReplacer("-", "", "_", "")
	for i, s := range segs {
		segs[i] = r.Replace(s)
	}
	return segs
}

// signInSettings are the settings in which a project says where its
// sign-in and sign-up pages are: the environment variables (with or
// without their framework's public prefix, NEXT_PUBLIC_, VITE_, PUBLIC_)
// and the options of ClerkProvider and the middleware. A route the
// project configures there is part of its sign-in flow whatever it is
// called (/enter, /account/access).
var signInSettings = []struct {
	Name   string
	Env    bool
	Source string
}{
	{Name: "CLERK_SIGN_IN_URL", Env: true, Source: "https://clerk.com/docs/guides/development/clerk-environment-variables (NEXT_PUBLIC_CLERK_SIGN_IN_URL: the full URL or path to the sign-in page)"},
	{Name: "CLERK_SIGN_UP_URL", Env: true, Source: "https://clerk.com/docs/guides/development/clerk-environment-variables (NEXT_PUBLIC_CLERK_SIGN_UP_URL)"},
	{Name: "signInUrl", Source: "https://clerk.com/docs/reference/components/clerk-provider (signInUrl: the URL of the sign-in page); https://clerk.com/docs/reference/nextjs/clerk-middleware (signInUrl option)"},
	{Name: "signUpUrl", Source: "https://clerk.com/docs/reference/components/clerk-provider (signUpUrl)"},
}

// SignInSetting reports whether an environment variable (env) or an
// option names the URL of the project's sign-in or sign-up page.
func SignInSetting(name string, env bool) bool {
	for _, s := range signInSettings {
		if s.Env != env {
			continue
		}
		if name == s.Name || env && strings.HasSuffix(name, "_"+s.Name) {
			return true
		}
	}
	return false
}
