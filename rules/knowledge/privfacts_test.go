package knowledge

import "testing"

// The tests of the facts moved out of the rule packs (issue 11's rule-private
// facts audit: routes and hardening rows).

func TestIdentitySourceNeedsMiddleware(t *testing.T) {
	for _, c := range []struct {
		path, name string
		want       bool
	}{
		{"@clerk/nextjs/server", "auth", true},
		{"@clerk/nextjs/server", "currentUser", true},
		{"@clerk/nextjs/server", "getAuth", true},
		{"@clerk/nextjs", "auth", true}, // Core 1 root export
		{"@clerk/nextjs/server", "clerkClient", false},
		{"@clerk/express", "getAuth", true},
		{"@clerk/tanstack-react-start/server", "auth", false},
	} {
		src, ok := IdentitySourceOf(c.path, c.name)
		if got := ok && src.NeedsMiddleware; got != c.want {
			t.Errorf("IdentitySourceOf(%q, %q).NeedsMiddleware = %v, want %v", c.path, c.name, got, c.want)
		}
	}
}

// citeMovedTables is TestTablesCiteSources for the tables that replaced
// the routes and hardening packs' private lists.
func citeMovedTables(t *testing.T, unique func(table, key string)) {
	t.Helper()
	for _, c := range debugOptionCalls {
		unique("debugOptionCalls", c.Name)
		if c.Source == "" || c.Name == "" {
			t.Errorf("debugOptionCalls %+v: incomplete entry", c)
		}
	}
}

func TestTakesDebugOption(t *testing.T) {
	for name, want := range map[string]bool{
		"clerkMiddleware": true, "authMiddleware": true, "clerkPlugin": true, "withClerkMiddleware": true,
		"createClerkClient": false, "requireAuth": false, "": false,
	} {
		if got := TakesDebugOption(name); got != want {
			t.Errorf("TakesDebugOption(%q) = %v, want %v", name, got, want)
		}
	}
}
