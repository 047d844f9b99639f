package verdictdiff

import (
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
)

func TestWorse(t *testing.T) {
	v := func(a model.Authn, z model.Authz) model.Verdict { return model.Verdict{Authn: a, Authz: z} }
	for _, tc := range []struct {
		name       string
		base, head model.Verdict
		want       bool
	}{
		{"yes to no", v(model.AuthnYes, 0), v(model.AuthnNo, 0), true},
		{"yes to partial", v(model.AuthnYes, 0), v(model.AuthnPartial, 0), true},
		{"partial to no", v(model.AuthnPartial, 0), v(model.AuthnNo, 0), true},
		{"no to yes", v(model.AuthnNo, 0), v(model.AuthnYes, 0), false},
		{"unchanged", v(model.AuthnYes, model.AuthzRole), v(model.AuthnYes, model.AuthzRole), false},
		{"yes to unknown is not a regression", v(model.AuthnYes, 0), v(model.AuthnUnknown, 0), false},
		{"unknown to no is not a regression", v(model.AuthnUnknown, 0), v(model.AuthnNo, 0), false},
		{"role removed", v(model.AuthnYes, model.AuthzRole), v(model.AuthnYes, 0), true},
		{"org removed, owner kept", v(model.AuthnYes, model.AuthzOrg|model.AuthzOwner), v(model.AuthnYes, model.AuthzOwner), true},
		{"owner removed is not reported", v(model.AuthnYes, model.AuthzOwner), v(model.AuthnYes, 0), false},
		{"role added", v(model.AuthnYes, 0), v(model.AuthnYes, model.AuthzRole), false},
	} {
		if got := worse(tc.base, tc.head); got != tc.want {
			t.Errorf("%s: worse = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestKeyPairsAcrossRenames(t *testing.T) {
	c := &comparer{renamed: map[string]string{"app/actions.ts": "app/lib/actions.ts"}}
	route := func(file string) *model.Entry {
		return &model.Entry{Framework: "nextjs", Kind: model.RouteHandler, Methods: []string{"GET"}, Path: "/api/x", PathKnown: true, File: file, Name: "GET"}
	}
	// A route is paired by its URL path, whatever its file.
	if c.key(route("app/api/x/route.ts"), "app/api/x/route.ts") != c.key(route("src/app/api/x/route.js"), "src/app/api/x/route.js") {
		t.Error("a route handler moved to another file is not paired by its path")
	}
	// A Server Action by its (renamed) file and name.
	act := func(file string) *model.Entry {
		return &model.Entry{Framework: "nextjs", Kind: model.ServerAction, File: file, Name: "deletePost"}
	}
	base, head := act("app/actions.ts"), act("app/lib/actions.ts")
	if c.key(base, c.headPath(base.File)) != c.key(head, head.File) {
		t.Error("a Server Action in a renamed file is not paired")
	}
	if c.key(act("app/other.ts"), "app/other.ts") == c.key(head, head.File) {
		t.Error("Server Actions of two files paired")
	}
}
