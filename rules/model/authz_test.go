package model_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// authzApp exercises the effect facts the authorization rules ask: the
// record a query touches, the request values that select it (not those
// it writes), owner fields from the request, optional-chained identities,
// checks made after a read, and which records are private to a user.
var authzApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "@prisma/client": "^6.0.0", "@neondatabase/serverless": "^1.0.0"}}`),
	"lib/db.ts": []byte(`import { PrismaClient } from '@prisma/client'
export const db = new PrismaClient()`),
	"prisma/schema.prisma": []byte("model Invoice {\n  id    String @id\n  orgId String\n}\nmodel Product {\n  id String @id\n}\n"),
	"app/api/notes/route.ts": []byte(`import { auth } from '@clerk/nextjs/server'
import { db } from '../../../lib/db'
export async function GET() {
  const { userId } = await auth.protect()
  return Response.json(await db.note.findMany({ where: { userId } }))
}
export async function POST(req: Request) {
  await auth.protect()
  const body = await req.json()
  return Response.json(await db.note.create({ data: { ownerId: body.ownerId } }))
}`),
	"app/api/notes/[id]/route.ts": []byte(`import { auth, currentUser } from '@clerk/nextjs/server'
import { db } from '../../../../lib/db'
export async function PATCH(req: Request, { params }) {
  const { userId } = await auth.protect()
  const { id } = await params
  await db.note.update({ where: { id }, data: { text: (await req.json()).text, by: userId } })
  return Response.json({})
}
export async function GET(_req: Request, { params }) {
  const { userId } = await auth.protect()
  const { id } = await params
  const note = await db.note.findUnique({ where: { id } })
  if (note.userId !== userId) return new Response('Forbidden', { status: 403 })
  return Response.json(note)
}
export async function PUT(req: Request) {
  const user = await currentUser()
  const rows = await db.note.findMany({ where: { userId: user?.id } })
  return Response.json(rows)
}`),
	"app/api/bulk/route.ts": []byte(`import { auth } from '@clerk/nextjs/server'
import { neon } from '@neondatabase/serverless'
export async function POST(req: Request) {
  await auth.protect()
  const { ids } = await req.json()
  const sql = neon(process.env.DATABASE_URL!)
  await Promise.all(ids.map((id) => sql` + "`DELETE FROM notes WHERE id = ${id}`" + `))
  return Response.json(await sql` + "`SELECT * FROM notes`" + `)
}`),
	"app/api/products/route.ts": []byte(`import { db } from '../../../lib/db'
export async function GET() {
  return Response.json(await db.product.findMany())
}`),
}

func effectAt(t *testing.T, m *model.Model, label string, line int) model.Effect {
	t.Helper()
	for _, x := range m.Effects(context.Background(), entry(t, m, label)).List {
		if x.Line == line {
			return x
		}
	}
	t.Fatalf("%s: no effect on line %d", label, line)
	return model.Effect{}
}

func TestAuthzFacts(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, authzApp)

	patch := effectAt(t, m, "PATCH /api/notes/[id]", 6)
	if got := fmt.Sprint(patch.Record, " ", patch.Request, " ", patch.OwnerScoped); got != "note [params] false" {
		t.Errorf("update by id with the caller in its data: record, selectors, scoped = %s; want note [params] false", got)
	}
	create := effectAt(t, m, "POST /api/notes", 10)
	if create.OwnerFromRequest != "ownerId" || create.Selects {
		t.Errorf("create with ownerId from the body: OwnerFromRequest %q, Selects %v", create.OwnerFromRequest, create.Selects)
	}
	if x := effectAt(t, m, "PUT /api/notes/[id]", 18); !x.OwnerOptional {
		t.Errorf("where: { userId: user?.id }: OwnerOptional not set")
	}
	if v := m.Guard(ctx, entry(t, m, "GET /api/notes/[id]")); v.Checked&model.AuthzOwner == 0 {
		t.Errorf("read then owner comparison: Checked = %v, want owner", v.Checked)
	}
	if v := m.Guard(ctx, entry(t, m, "GET /api/notes")); v.Checked != model.AuthzNone || v.Authz&model.AuthzOwner == 0 {
		t.Errorf("owner-scoped list: Checked = %v, Authz = %v; want none and owner", v.Checked, v.Authz)
	}
	del := effectAt(t, m, "POST /api/bulk", 7)
	if del.Kind != model.WritesData || !del.Selects || fmt.Sprint(del.Request) != "[body]" {
		t.Errorf("DELETE by ids.map element: kind %s, selects %v, request %v; want write, true, [body]", del.Kind, del.Selects, del.Request)
	}
	if sel := effectAt(t, m, "POST /api/bulk", 8); sel.Kind != model.ReadsData {
		t.Errorf("sql`SELECT ...`: kind %s, want read", sel.Kind)
	}
	owned, err := m.OwnedRecords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !owned["note"] || !owned["invoice"] || owned["product"] {
		t.Errorf("OwnedRecords = %v; want note (scoped by an entry) and invoice (owner field in the Prisma schema), not product", owned)
	}
}
