package knowledge

import "testing"

func TestSDKExportsTable(t *testing.T) {
	tab, err := SDKExports()
	if err != nil {
		t.Fatal(err)
	}
	if tab.GeneratedBy == "" || tab.Date == "" {
		t.Errorf("table does not say how and when it was generated: %q %q", tab.GeneratedBy, tab.Date)
	}
	cases := []struct {
		pkg, entry, name, version string
		want                      Presence
	}{
		{"@clerk/nextjs", ".", "authMiddleware", "^4.29.0", Present},
		{"@clerk/nextjs", "./server", "clerkMiddleware", "^4.29.0", Absent},
		{"@clerk/nextjs", "./server", "clerkMiddleware", "^5.0.0", Present},
		{"@clerk/nextjs", "./server", "createRouteMatcher", "6.9.1", Present},
		{"@clerk/nextjs", "./server", "authMiddleware", "^6.0.0", Absent},
		{"@clerk/nextjs", "./server", "clerkMiddleware", "", Present},
		{"@clerk/nextjs", "./webhooks", "verifyWebhook", "^6.10.0", Absent}, // the entry point came in 6.13
		{"@clerk/nextjs", "./webhooks", "verifyWebhook", "^6.20.0", Present},
		{"@clerk/react-router", "./server", "getAuth", "^1.2.0", Absent},
		{"@clerk/react-router", "./ssr.server", "getAuth", "^1.2.0", Present},
		{"@clerk/react-router", "./server", "getAuth", "^2.1.0", Present},
		{"@clerk/express", ".", "clerkMiddleware", "^1.0.0", Present},
		{"@clerk/express", ".", "requireAuth", "", Present},
		{"@clerk/nextjs", "./server", "clerkMiddleware", "workspace:*", Unknown},
		{"@clerk/not-a-package", ".", "x", "1.0.0", Unknown},
	}
	for _, c := range cases {
		if got := HasExport(c.pkg, c.entry, c.name, c.version); got != c.want {
			t.Errorf("HasExport(%s, %s, %s, %q) = %v, want %v", c.pkg, c.entry, c.name, c.version, got, c.want)
		}
	}
	feats := []struct {
		feature, version string
		want             Presence
	}{
		{"auth.protect", "^5.7.0", Absent},
		{"auth().protect", "^5.7.0", Present},
		{"auth.protect", "^6.0.0", Present},
		{"auth().protect", "6.1.0", Absent},
		{"auth.protect", "", Present},
		{"auth().redirectToSignIn", "^4.29.0", Absent},
		{"not.tracked", "", Unknown},
	}
	for _, c := range feats {
		if got := HasFeature("@clerk/nextjs", c.feature, c.version); got != c.want {
			t.Errorf("HasFeature(%s, %q) = %v, want %v", c.feature, c.version, got, c.want)
		}
	}
	for v, want := range map[string]string{"^4.29.0": "", "5.2.0": "auth().protect()", "^6.1.0": "await auth.protect()", "": "await auth.protect()", "workspace:*": "await auth.protect()"} {
		if got := NextProtectCall(v); got != want {
			t.Errorf("NextProtectCall(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestServerAuthCall(t *testing.T) {
	cases := []struct{ pkg, version, call, from string }{
		{"@clerk/tanstack-react-start", "^0.22.1", "await getAuth(getWebRequest())", "@clerk/tanstack-react-start/server"},
		{"@clerk/tanstack-react-start", "", "await auth()", "@clerk/tanstack-react-start/server"},
		{"@clerk/react-router", "^1.4.0", "await getAuth(args)", "@clerk/react-router/ssr.server"},
		{"@clerk/react-router", "^2.1.0", "await getAuth(args)", "@clerk/react-router/server"},
		{"@clerk/remix", "^4.5.0", "await getAuth(args)", "@clerk/remix/ssr.server"},
	}
	for _, c := range cases {
		call, from, ok := ServerAuthCall(c.pkg, c.version)
		if !ok || call != c.call || from != c.from {
			t.Errorf("ServerAuthCall(%s, %s) = %q, %q, %v; want %q, %q", c.pkg, c.version, call, from, ok, c.call, c.from)
		}
	}
	if _, _, ok := ServerAuthCall("@clerk/nextjs", ""); ok {
		t.Error("ServerAuthCall answers for @clerk/nextjs, whose fixes are Next.js's")
	}
}
