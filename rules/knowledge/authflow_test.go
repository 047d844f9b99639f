package knowledge

import "testing"

// TestLinkActionPath: routes whose GET requests change state by design
// (followed links, provider redirects, schedulers), by file path or by an
// entry's label; ordinary resources are not.
func TestLinkActionPath(t *testing.T) {
	for p, want := range map[string]bool{
		"app/api/email/verify/route.ts":          true,
		"app/api/auth/callback/github/route.ts":  true,
		"pages/api/unsubscribe.ts":               true,
		"app/api/cron/purge/route.ts":            true,
		"app/invite/[token]/accept/route.ts":     true,
		"GET /api/log-out":                       true,
		"GET /api/sign_out":                      true,
		"app/checkout/cancel/route.ts":           true,
		"app/api/health/route.ts":                true,
		"app/api/projects/[id]/archive/route.ts": false,
		"GET /api/me/ping":                       false,
		"app/api/subscriptions/route.ts":         false,
		"app/api/uncancel-me/route.ts":           false,
	} {
		if got := LinkActionPath(p); got != want {
			t.Errorf("LinkActionPath(%q) = %v, want %v", p, got, want)
		}
	}
}

// TestBodyMember: the Fetch API's body methods and a Node server's parsed
// and raw body properties, raw or parsed; a method is not a property.
func TestBodyMember(t *testing.T) {
	for _, c := range []struct {
		name    string
		call    bool
		raw, ok bool
	}{
		{"json", true, false, true},
		{"text", true, true, true},
		{"arrayBuffer", true, true, true},
		{"body", false, false, true},
		{"rawBody", false, true, true},
		{"body", true, false, false},
		{"json", false, false, false},
		{"headers", false, false, false},
	} {
		raw, ok := BodyMember(c.name, c.call)
		if raw != c.raw || ok != c.ok {
			t.Errorf("BodyMember(%q, %v) = %v, %v; want %v, %v", c.name, c.call, raw, ok, c.raw, c.ok)
		}
	}
}

// TestQueryForms: the properties, methods and calls that read the query
// string, in servers and browsers; h3's getQuery comes from the request
// readers, its getRequestURL does not count.
func TestQueryForms(t *testing.T) {
	if !QueryProperty("query") || !QueryProperty("searchParams") || QueryProperty("params") || QueryProperty("body") {
		t.Error("QueryProperty: wrong answer")
	}
	if !QueryMethod("", "get") || !QueryMethod("req", "query") || QueryMethod("", "query") || QueryMethod("req", "get") {
		t.Error("QueryMethod: wrong answer")
	}
	if !QueryCall("next/navigation", "useSearchParams") || !QueryCall("h3", "getQuery") || !QueryCall("", "getQuery") ||
		QueryCall("h3", "getRequestURL") || QueryCall("h3", "readBody") || QueryCall("", "useParams") {
		t.Error("QueryCall: wrong answer")
	}
	if !LocationQuery("search") || LocationQuery("hash") || LocationQuery("href") {
		t.Error("LocationQuery: wrong answer")
	}
}

// TestSignInSetting: the sign-in and sign-up URL settings, environment
// variables with any public prefix and options by name.
func TestSignInSetting(t *testing.T) {
	for _, c := range []struct {
		name string
		env  bool
		want bool
	}{
		{"NEXT_PUBLIC_CLERK_SIGN_IN_URL", true, true},
		{"CLERK_SIGN_UP_URL", true, true},
		{"VITE_CLERK_SIGN_IN_URL", true, true},
		{"NEXT_PUBLIC_CLERK_AFTER_SIGN_IN_URL", true, false},
		{"MYCLERK_SIGN_IN_URL", true, false},
		{"signInUrl", false, true},
		{"signUpUrl", false, true},
		{"signInUrl", true, false},
		{"afterSignInUrl", false, false},
	} {
		if got := SignInSetting(c.name, c.env); got != c.want {
			t.Errorf("SignInSetting(%q, %v) = %v, want %v", c.name, c.env, got, c.want)
		}
	}
}

// TestRequestHeaderForms: Next.js's headers() by its module, a request's
// headers property on any receiver, the host name only on a request.
func TestRequestHeaderForms(t *testing.T) {
	if !RequestHeaderCall("next/headers", "headers") || RequestHeaderCall("@/lib/site", "headers") || RequestHeaderCall("next/headers", "cookies") {
		t.Error("RequestHeaderCall: wrong answer")
	}
	for _, c := range []struct {
		recv, prop string
		want       bool
	}{
		{"req", "headers", true}, {"request", "headers", true}, {"req", "hostname", true}, {"request", "hostname", true},
		{"location", "hostname", false}, {"url", "hostname", false}, {"req", "body", false},
	} {
		if got := RequestHeaderProperty(c.recv, c.prop); got != c.want {
			t.Errorf("RequestHeaderProperty(%q, %q) = %v, want %v", c.recv, c.prop, got, c.want)
		}
	}
}
