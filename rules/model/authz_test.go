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

// entitlementApp exercises the facts of issue 12: a paid plan set to a
// constant (Effect.GrantsPaidPlan) with and without a payment provider
// in the entry's path (Effects.Payment), records built per element of a
// request array, and a filter on a parent id checked against the
// caller's own rows.
var entitlementApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"express": "^4.19.0", "@clerk/express": "^1.3.0", "@prisma/client": "^6.0.0", "stripe": "^17.0.0"}}`),
	"src/db.ts": []byte(`import { PrismaClient } from '@prisma/client'
export const db = new PrismaClient()`),
	"src/pay.ts": []byte(`import Stripe from 'stripe'
export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!)`),
	"src/server.ts": []byte(`import express from 'express'
import { clerkMiddleware, requireAuth, getAuth } from '@clerk/express'
import { db } from './db'
import { stripe } from './pay'

const app = express()
app.use(clerkMiddleware())

app.post('/upgrade', requireAuth(), async (req, res) => {
  const { userId } = getAuth(req)
  res.json(await db.account.update({ where: { clerkId: userId }, data: { plan: 'premium' } }))
})

app.post('/confirm', requireAuth(), async (req, res) => {
  const { userId } = getAuth(req)
  const session = await stripe.checkout.sessions.retrieve(req.body.sessionId)
  if (session.payment_status !== 'paid') return res.status(402).end()
  res.json(await db.account.update({ where: { clerkId: userId }, data: { plan: 'premium' } }))
})

app.post('/cards/bulk', requireAuth(), async (req, res) => {
  res.json(await db.card.createMany({ data: req.body.cards.map((c) => ({ boardId: c.boardId, text: c.text })) }))
})

app.delete('/teams/:teamId/members/:userId', requireAuth(), async (req, res) => {
  const { userId: me } = getAuth(req)
  const { teamId, userId } = req.params
  const mine = await db.membership.findMany({ where: { clerkId: me } })
  if (!mine.some((m) => m.teamId === teamId)) return res.status(404).end()
  await db.membership.deleteMany({ where: { userId, teamId } })
  await db.profile.deleteMany({ where: { userId } })
  res.status(204).end()
})

app.listen(3000)`),
}

func TestEntitlementFacts(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, entitlementApp)
	up := m.Effects(ctx, entry(t, m, "POST /upgrade"))
	if x := effectAt(t, m, "POST /upgrade", 11); x.Grants != "plan" || !x.GrantsPaidPlan || up.Payment {
		t.Errorf("/upgrade: grants %q, paid plan %v, payment %v; want plan, true, false", x.Grants, x.GrantsPaidPlan, up.Payment)
	}
	if fx := m.Effects(ctx, entry(t, m, "POST /confirm")); !fx.Payment {
		t.Error("/confirm retrieves the Checkout Session: Effects.Payment not set")
	}
	if x := effectAt(t, m, "POST /cards/bulk", 22); x.Reference != "boardId" {
		t.Errorf("/cards/bulk: reference %q, want boardId (each element's field)", x.Reference)
	}
	del := "DELETE /teams/:teamId/members/:userId"
	if x := effectAt(t, m, del, 30); x.Authz&model.AuthzOwner == 0 {
		t.Errorf("membership delete filtered by the checked teamId: authz %v, want owner", x.Authz)
	}
	if x := effectAt(t, m, del, 31); x.Authz != model.AuthzNone {
		t.Errorf("profile delete by the URL userId alone: authz %v, want none", x.Authz)
	}
}
