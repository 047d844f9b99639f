package knowledge

import "strings"

// IdentityHeader is a request header that deployments use to carry the
// signed-in user's identity from an authenticating proxy to the
// application. Nothing in the header proves who set it: a client that
// reaches the application without the proxy (or through one that does
// not strip it) sends its own value.
type IdentityHeader struct {
	// Name is the header name, lower case.
	Name string
	// Source cites where the header is defined as an identity carrier.
	Source string
}

// proxyHeadersSource is the guide on why identity headers set by a
// proxy can be spoofed unless the path strips them.
const proxyHeadersSource = "https://www.pomerium.com/learn/guides/protect-upstream-identity-headers " +
	"(a client can send the same identity field unless the proxy path removes or replaces it)"

// identityHeaders are the headers read as the user's identity.
//
// Replaces: rules/routes/rp017_jwt_decode.go srvIdentityHeader.
var identityHeaders = []IdentityHeader{
	{Name: "x-forwarded-user", Source: "https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview (--pass-user-headers: X-Forwarded-User)"},
	{Name: "x-forwarded-email", Source: "https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview (--pass-user-headers: X-Forwarded-Email)"},
	{Name: "x-remote-user", Source: "https://authelia.com/integration/trusted-header-sso/introduction (Remote-User forwarded by the reverse proxy)"},
	{Name: "x-authenticated-user", Source: "https://github.com/z3APA3A/3proxy/issues/20 (X-Authenticated-User sent to the upstream by Bluecoat and Websense proxies)"},
	{Name: "x-authenticated-user-id", Source: proxyHeadersSource},
	{Name: "x-user", Source: proxyHeadersSource},
	{Name: "x-user-id", Source: proxyHeadersSource},
	{Name: "x-userid", Source: proxyHeadersSource},
	{Name: "x-user-email", Source: proxyHeadersSource},
	{Name: "x-auth-user", Source: proxyHeadersSource},
	{Name: "x-auth-user-id", Source: proxyHeadersSource},
}

// IdentityHeaderOf returns the identity header a request header name is
// (case-insensitive). The x-clerk- spelling of each (x-clerk-user-id)
// is the same header as applications name it after their auth provider;
// Clerk itself sends the identity in the session token, never in such a
// header.
func IdentityHeaderOf(name string) (IdentityHeader, bool) {
	n := strings.ToLower(name)
	alt := ""
	if rest, ok := strings.CutPrefix(n, "x-clerk-"); ok {
		alt = "x-" + rest
	}
	for _, h := range identityHeaders {
		if h.Name == n || h.Name == alt {
			return h, true
		}
	}
	return IdentityHeader{}, false
}
