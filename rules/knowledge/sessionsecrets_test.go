package knowledge

import "testing"

func TestSessionSecrets(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range sessionSecrets {
		if s.Package == "" || s.Name == "" || s.Source == "" || s.Arg < 0 || len(s.Path) == 0 || seen[s.Package+" "+s.Name] {
			t.Errorf("sessionSecrets %s %s: incomplete or duplicate entry", s.Package, s.Name)
		}
		seen[s.Package+" "+s.Name] = true
	}
	for _, tt := range []struct {
		pkg, name string
		ok        bool
	}{
		{"@remix-run/node", "createCookieSessionStorage", true},
		{"react-router", "createCookie", true},
		{"express-session", "default", true},
		{"@remix-run/node", "createMemorySessionStorage", true}, // its cookie option signs the session id cookie
		{"@remix-run/node", "createSession", false},
		{"express-sessions", "default", false},
	} {
		if _, ok := SessionSecretOf(tt.pkg, tt.name); ok != tt.ok {
			t.Errorf("SessionSecretOf(%q, %q) = %v", tt.pkg, tt.name, ok)
		}
	}
}
