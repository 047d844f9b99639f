package modules

import "testing"

func TestConvexFunction(t *testing.T) {
	g := New(newMemFiles(map[string]string{
		"apps/backend/convex/clerk.ts":            "export const fulfill = 1",
		"apps/backend/convex/billing/webhooks.ts": "export const handle = 1",
		"apps/backend/convex/http.ts":             "",
	}))
	for ref, want := range map[string]string{
		"internal.clerk.fulfill":      "apps/backend/convex/clerk.ts fulfill",
		"api.billing.webhooks.handle": "apps/backend/convex/billing/webhooks.ts handle",
		"internal.missing.fn":         "",
		"ctx.clerk.fulfill":           "",
		"internal.clerk":              "",
	} {
		f, ex, ok := g.ConvexFunction("apps/backend/convex/http.ts", ref)
		got := ""
		if ok {
			got = f + " " + ex
		}
		if got != want {
			t.Errorf("ConvexFunction(%s) = %q, want %q", ref, got, want)
		}
	}
	if _, _, ok := g.ConvexFunction("src/app/page.ts", "api.clerk.fulfill"); ok {
		t.Error("a file outside convex/ resolves no function reference")
	}
}
