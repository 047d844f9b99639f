package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestEdgeGateway: supabase/config.toml's verify_jwt per function, read
// with a TOML parser (quoted table keys, the default, a file that cannot
// be read or parsed is unknown, never "off").
func TestEdgeGateway(t *testing.T) {
	ctx := context.Background()
	fn := func(name string) []byte {
		return []byte("Deno.serve(() => new Response('" + name + "'))")
	}
	app := source.Mem{
		"supabase/config.toml":                []byte("[api]\nport = 54321\n\n[functions.\"billing\"]\n# comment\nverify_jwt = false\n\n[functions.public]\nverify_jwt = true\n"),
		"supabase/functions/billing/index.ts": fn("billing"),
		"supabase/functions/public/index.ts":  fn("public"),
		"supabase/functions/other/index.ts":   fn("other"),
	}
	m := buildModel(t, app)
	for label, want := range map[string]model.EdgeGateway{
		"ALL /functions/v1/billing": {VerifyJWT: false, Known: true, Config: model.Location{File: "supabase/config.toml", Line: 4}},
		"ALL /functions/v1/public":  {VerifyJWT: true, Known: true, Config: model.Location{File: "supabase/config.toml", Line: 8}},
		"ALL /functions/v1/other":   {VerifyJWT: true, Known: true},
	} {
		if got := m.EdgeGateway(ctx, entry(t, m, label)); got != want {
			t.Errorf("%s: %+v, want %+v", label, got, want)
		}
	}
	broken := source.Mem{"supabase/config.toml": []byte("[functions.billing\nverify_jwt = false\n"), "supabase/functions/billing/index.ts": fn("billing")}
	m = buildModel(t, broken)
	if got := m.EdgeGateway(ctx, entry(t, m, "ALL /functions/v1/billing")); got.Known {
		t.Errorf("unparseable config: %+v, want unknown", got)
	}
	m = buildModel(t, failingFiles{Mem: app, fail: map[string]bool{"supabase/config.toml": true}})
	if got := m.EdgeGateway(ctx, entry(t, m, "ALL /functions/v1/billing")); got.Known {
		t.Errorf("unreadable config: %+v, want unknown", got)
	}
}

// TestNuxtClerk: whether Clerk's server middleware runs in a Nuxt app.
func TestNuxtClerk(t *testing.T) {
	ctx := context.Background()
	app := source.Mem{
		"package.json":             []byte(`{"dependencies": {"nuxt": "^3.16.0", "@clerk/nuxt": "^1.6.0"}}`),
		"nuxt.config.ts":           []byte("export default defineNuxtConfig({\n  modules: ['@clerk/nuxt'],\n  clerk: { skipServerMiddleware: true },\n})\n"),
		"server/middleware/log.ts": []byte("export default defineEventHandler((event) => { console.log(event.path) })\n"),
	}
	one := func(m *model.Model) model.NuxtClerk {
		t.Helper()
		cs, err := m.NuxtClerk(ctx)
		if err != nil || len(cs) != 1 {
			t.Fatalf("NuxtClerk: %v, %v", cs, err)
		}
		return cs[0]
	}
	c := one(buildModel(t, app))
	if runs, known := c.Runs(); runs || !known || !c.Skipped || c.Config.Line != 3 {
		t.Errorf("skipped, none registered: %+v runs=%v known=%v", c, runs, known)
	}
	c = one(buildModel(t, failingFiles{Mem: app, fail: map[string]bool{"server/middleware/log.ts": true}}))
	if _, known := c.Runs(); known {
		t.Errorf("unreadable server middleware: %+v, want unknown", c)
	}
	app["server/middleware/clerk.ts"] = []byte("import { clerkMiddleware } from '@clerk/nuxt/server'\nexport default clerkMiddleware()\n")
	c = one(buildModel(t, app))
	if runs, _ := c.Runs(); !runs || len(c.Registered) != 1 || c.Registered[0].File != "server/middleware/clerk.ts" {
		t.Errorf("registered by hand: %+v", c)
	}
}
