package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestTouch: a write whose every field is a counter step or the current
// time is a visit's bookkeeping (Effect.Touch); a write that also sets a
// value, or a time the caller sends, is not.
func TestTouch(t *testing.T) {
	ctx := context.Background()
	handler := func(data string) []byte {
		return []byte("import { prisma } from '@/lib/db'\nexport async function GET(req: Request) {\n  await prisma.member.update({ where: { id: 'm1' }, data: " + data + " })\n  return Response.json({})\n}\n")
	}
	m := buildModel(t, source.Mem{
		"package.json":              []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "@prisma/client": "^6.0.0"}}`),
		"tsconfig.json":             []byte(`{"compilerOptions": {"paths": {"@/*": ["./*"]}}}`),
		"lib/db.ts":                 []byte("import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n"),
		"app/api/seen/route.ts":     handler("{ lastSeenAt: new Date() }"),
		"app/api/both/route.ts":     handler("{ visits: { increment: 1 }, lastVisit: Date.now() }"),
		"app/api/count/route.ts":    handler("{ visits: { increment: 1 } }"),
		"app/api/name/route.ts":     handler("{ lastSeenAt: new Date(), name: 'x' }"),
		"app/api/chosen/route.ts":   handler("{ lastSeenAt: new Date(req.headers.get('x-at') ?? 0) }"),
		"app/api/datecall/route.ts": handler("{ seen: Date.parse('2020-01-01') }"),
	})
	for label, want := range map[string]bool{
		"GET /api/seen": true, "GET /api/both": true, "GET /api/count": true,
		"GET /api/name": false, "GET /api/chosen": false, "GET /api/datecall": false,
	} {
		found := false
		for _, x := range m.Effects(ctx, entry(t, m, label)).List {
			if x.Kind == model.WritesData {
				found = true
				if x.Touch != want {
					t.Errorf("%s: Touch = %v, want %v", label, x.Touch, want)
				}
			}
		}
		if !found {
			t.Errorf("%s: no write", label)
		}
	}
}
