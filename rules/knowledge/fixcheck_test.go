package knowledge

import (
	"strings"
	"testing"
)

func TestFixProblems(t *testing.T) {
	cases := []struct {
		name string
		text string
		deps SDKVersions
		want string // substring of an expected problem; "" for none
	}{
		{"v6 API in a v5 project", "Write `await auth.protect()` first.", SDKVersions{"@clerk/nextjs": "^5.7.0"}, "`auth.protect` does not exist"},
		{"v5 API in a v6 project", "Call `auth().protect()`.", SDKVersions{"@clerk/nextjs": "^6.1.0"}, "`auth().protect` does not exist"},
		{"right for v5", "Call `auth().protect()`.", SDKVersions{"@clerk/nextjs": "5.2.0"}, ""},
		{"other version named in the sentence", "Use `auth().protect()`, or upgrade to v6 and write `await auth.protect()`.", SDKVersions{"@clerk/nextjs": "^5.7.0"}, ""},
		{"a version where it does not exist either", "Upgrade to 6.1.0 and use `verifyWebhook()` from `@clerk/nextjs/webhooks`.", SDKVersions{"@clerk/nextjs": "^5.7.0"}, "does not exist in @clerk/nextjs ^5.7.0"},
		{"entry point of a later major", "Import `getAuth` from `@clerk/react-router/server`.", SDKVersions{"@clerk/react-router": "^1.4.0"}, "`@clerk/react-router/server` does not exist"},
		{"entry point of its major", "Import `getAuth` from `@clerk/react-router/ssr.server`.", SDKVersions{"@clerk/react-router": "^1.4.0"}, ""},
		{"named import", "`import { authMiddleware } from '@clerk/nextjs/server'`", SDKVersions{"@clerk/nextjs": "^6.0.0"}, "`authMiddleware` is not exported by `@clerk/nextjs/server`"},
		{"v6 middleware in a v4 project", "Use `clerkMiddleware()`.", SDKVersions{"@clerk/nextjs": "^4.29.0"}, "`clerkMiddleware` is not exported"},
		{"framework names are not judged", "`const { userId } = await auth(); if (!userId) redirect('/sign-in')`", SDKVersions{"@clerk/nextjs": "^6.0.0"}, ""},
		{"words in strings are not judged", "`has({ permission: 'org:users:manage' })`", SDKVersions{"@clerk/nextjs": "^6.0.0"}, ""},
		{"no SDK declared: the latest", "`import { verifyWebhook } from '@clerk/express/webhooks'`", nil, ""},
		{"a tag is not judged", "Use `clerkMiddleware()`.", SDKVersions{"@clerk/nextjs": "latest"}, ""},
	}
	for _, c := range cases {
		got := FixProblems(c.text, c.deps)
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s: unexpected problems %q", c.name, got)
		case c.want != "" && !strings.Contains(strings.Join(got, "\n"), c.want):
			t.Errorf("%s: problems %q, want one containing %q", c.name, got, c.want)
		}
	}
}

// TestClerkModulesAgreeWithTable checks the hand-written clerkModules
// against the generated table: each entry point exists in some release of
// the majors it claims, and a deprecation names paths that exist.
func TestClerkModulesAgreeWithTable(t *testing.T) {
	tab, err := SDKExports()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range clerkModules {
		for _, p := range FixProblems(m.Deprecated, nil) {
			t.Errorf("%s: deprecation text: %s", m.Path, p)
		}
		p := tab.Packages[m.Package]
		if p == nil || !strings.HasPrefix(m.Path, m.Package) {
			continue
		}
		entry := "." + strings.TrimPrefix(m.Path, m.Package)
		found := false
		for _, v := range p.Versions {
			major, _, _ := minorOf(v)
			if (m.MinMajor != 0 && major < m.MinMajor) || (m.MaxMajor != 0 && major > m.MaxMajor) {
				continue
			}
			if _, pr := Exports(m.Package, entry, v); pr == Present {
				found = true
			}
		}
		if !found {
			t.Errorf("clerkModules lists %s for majors %d-%d, but no release in that range has the entry point", m.Path, m.MinMajor, m.MaxMajor)
		}
	}
}
