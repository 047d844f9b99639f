package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

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
