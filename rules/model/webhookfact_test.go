package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

var webhookFactApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "svix": "^1.40.0", "stripe": "^17.0.0"}}`),
	// Clerk's verifyWebhook: a Clerk receiver, verified.
	"app/api/webhooks/clerk/route.ts": []byte(`import { verifyWebhook } from '@clerk/nextjs/webhooks'
export async function POST(req: Request) {
  const evt = await verifyWebhook(req)
  if (evt.type === 'user.created') console.log(evt.data.id)
  return new Response('ok')
}
export async function GET() {
  return new Response('alive')
}`),
	// svix's Webhook with no Clerk name: a Svix-scheme receiver, verified.
	"app/api/webhooks/svix/route.ts": []byte(`import { Webhook } from 'svix'
export async function POST(req: Request) {
  const body = await req.text()
  const evt = new Webhook(process.env.SVIX_SECRET!).verify(body, Object.fromEntries(req.headers)) as { type: string }
  return new Response(evt.type)
}`),
	// A Clerk event read from the body, no webhook path, no verification.
	"app/api/sync/route.ts": []byte(`export async function POST(req: Request) {
  const evt = await req.json()
  if (evt.type === 'user.created') await fetch('https://crm.example/add', { method: 'POST', body: evt.data.id })
  return new Response('ok')
}`),
	// Verified by a helper in another file.
	"app/api/webhooks/users/route.ts": []byte(`import { verifyClerk } from '../../../../lib/verify'
export async function POST(req: Request) {
  const evt = await verifyClerk(req)
  if (evt.type === 'user.deleted') console.log(evt.data.id)
  return new Response('ok')
}`),
	"lib/verify.ts": []byte(`import { Webhook } from 'svix'
export async function verifyClerk(req: Request) {
  const body = await req.text()
  return new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET!).verify(body, {
    'svix-id': req.headers.get('svix-id')!,
    'svix-timestamp': req.headers.get('svix-timestamp')!,
    'svix-signature': req.headers.get('svix-signature')!,
  }) as { type: string; data: { id: string } }
}`),
	// Trap: Stripe's webhook under a webhooks path that also syncs users.
	"app/api/webhooks/stripe/route.ts": []byte(`import Stripe from 'stripe'
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!)
export async function POST(req: Request) {
  const evt = stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature')!, process.env.STRIPE_WEBHOOK_SECRET!)
  return new Response(evt.type)
}`),
	// Trap: a user API whose body has a username, not a webhook.
	"app/api/users/route.ts": []byte(`export async function POST(req: Request) {
  const body = await req.json()
  return Response.json({ name: body.data.username, kind: body.type })
}`),
}

// TestWebhookFact: the model's answer per entry: whether it receives
// webhooks, whose, and whether it verifies them: Clerk's verifyWebhook,
// a plain svix receiver, a Clerk event read from the body with no
// verification, a helper in another file that verifies; not Stripe's
// receiver under a webhooks path, nor a user API that reads a username.
func TestWebhookFact(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, webhookFactApp)
	type want struct {
		receiver bool
		provider string
		verified model.WebhookVerified
		sign     model.WebhookSign
	}
	cases := map[string]want{
		"app/api/webhooks/clerk/route.ts":  {true, "clerk", model.WebhookVerifiedYes, model.SignClerkImport},
		"app/api/webhooks/svix/route.ts":   {true, "svix", model.WebhookVerifiedYes, model.SignSvixImport},
		"app/api/sync/route.ts":            {true, "clerk", model.WebhookVerifiedNo, model.SignEventName},
		"app/api/webhooks/users/route.ts":  {true, "clerk", model.WebhookVerifiedYes, model.SignSvixHeaders},
		"app/api/webhooks/stripe/route.ts": {false, "", model.WebhookVerifiedYes, ""},
		"app/api/users/route.ts":           {false, "", model.WebhookVerifiedNo, ""},
	}
	for p, w := range cases {
		es, err := m.EntriesOf(ctx, p)
		if err != nil || len(es) == 0 {
			t.Fatalf("%s: entries %d, %v", p, len(es), err)
		}
		got := m.Webhook(ctx, es[0])
		for _, e := range es[1:] {
			// A GET beside the receiver, in the same file, is not one.
			if e.Methods[0] == "GET" && m.Webhook(ctx, e).Receiver {
				t.Errorf("%s: GET is a receiver", p)
			}
			if e.Methods[0] == "POST" {
				got = m.Webhook(ctx, e)
			}
		}
		if got.Receiver != w.receiver {
			t.Errorf("%s: receiver %v, want %v (evidence %+v)", p, got.Receiver, w.receiver, got.Evidence)
			continue
		}
		if got.Provider != w.provider || w.sign != "" && !got.Has(w.sign) {
			t.Errorf("%s: provider %q evidence %+v, want %q with %s", p, got.Provider, got.Evidence, w.provider, w.sign)
		}
		if !w.receiver && (got.OtherProvider == "") != (w.verified == model.WebhookVerifiedNo) {
			t.Errorf("%s: other provider %q", p, got.OtherProvider)
		}
		if got.Verified != w.verified {
			t.Errorf("%s: verified %q, want %q (%+v)", p, got.Verified, w.verified, got.VerifiedAt)
		}
	}
	es, _ := m.EntriesOf(ctx, "app/api/webhooks/users/route.ts")
	if v := m.Webhook(ctx, es[0]).VerifiedAt; len(v) != 1 || len(v[0].Via) != 1 || v[0].Via[0].Name != "verifyClerk" ||
		v[0].SiteFile.Path != "lib/verify.ts" || v[0].Kind != model.VerifySvix {
		t.Errorf("helper verification: %+v, want svix verify in lib/verify.ts via verifyClerk", v)
	}
	if rc := m.Webhook(ctx, es[0]).RequestCalls; len(rc) != 1 || rc[0].Kind != model.CalleeFunction || rc[0].Name != "verifyClerk" {
		t.Errorf("request calls: %+v, want verifyClerk(req)", rc)
	}
	// The helper's file is read for signs too: its svix-* headers make the
	// route a receiver beside its webhooks path.
	if f := m.Webhook(ctx, es[0]); !f.Has(model.SignPath) {
		t.Errorf("users route: no path sign: %+v", f.Evidence)
	}

	// A read failure of the helper's file: unknown, never "unverified".
	m = buildModel(t, failingFiles{Mem: webhookFactApp, fail: map[string]bool{"lib/verify.ts": true}})
	es, _ = m.EntriesOf(ctx, "app/api/webhooks/users/route.ts")
	if got := m.Webhook(ctx, es[0]).Verified; got != model.WebhookVerifiedUnknown {
		t.Errorf("unreadable helper: verified %q, want unknown", got)
	}
}

var webhookConvexApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"convex": "^1.10.0", "svix": "^1.40.0", "@clerk/clerk-react": "^5.0.0"}}`),
	"convex/http.ts": []byte(`import { httpRouter } from 'convex/server'
import { httpAction } from './_generated/server'
import { internal } from './_generated/api'

const http = httpRouter()
http.route({
  path: '/clerk-users-webhook',
  method: 'POST',
  handler: httpAction(async (ctx, request) => {
    const event = await ctx.runAction(internal.clerk.fulfill, {
      payload: await request.text(),
      headers: { 'svix-id': request.headers.get('svix-id')!, 'svix-timestamp': request.headers.get('svix-timestamp')!, 'svix-signature': request.headers.get('svix-signature')! },
    })
    if (event.type === 'user.created') await ctx.runMutation(internal.users.create, { id: event.data.id })
    return new Response(null, { status: 200 })
  }),
})
http.route({
  path: '/clerk-sync',
  method: 'POST',
  handler: httpAction(async (ctx, request) => {
    const event = await ctx.runAction(internal.clerk.parse, { payload: await request.text() })
    if (event.type === 'user.created') await ctx.runMutation(internal.users.create, { id: event.data.id })
    return new Response(null, { status: 200 })
  }),
})
export default http`),
	"convex/clerk.ts": []byte(`'use node'
import { v } from 'convex/values'
import { Webhook } from 'svix'
import { internalAction } from './_generated/server'

export const fulfill = internalAction({
  args: { headers: v.any(), payload: v.string() },
  handler: async (ctx, args) => {
    const wh = new Webhook(process.env.CLERK_WEBHOOK_SECRET!)
    return wh.verify(args.payload, args.headers) as { type: string; data: { id: string } }
  },
})
export const parse = internalAction({
  args: { payload: v.string() },
  handler: async (ctx, args) => JSON.parse(args.payload) as { type: string; data: { id: string } },
})`),
	// Public functions a client calls by name: one takes a Clerk event as
	// its arguments, the other only counts users beside it.
	"convex/sync.ts": []byte(`import { v } from 'convex/values'
import { mutation, query } from './_generated/server'
export const onEvent = mutation({
  args: { type: v.string(), data: v.any() },
  handler: async (ctx, { type, data }) => {
    if (type === 'user.created') await ctx.db.insert('users', { clerkId: data.id, email: data.email_addresses[0].email_address })
  },
})
export const count = query({ args: {}, handler: async (ctx) => (await ctx.db.query('users').collect()).length })`),
	"convex/users.ts": []byte(`import { v } from 'convex/values'
import { internalMutation } from './_generated/server'
export const create = internalMutation({ args: { id: v.string() }, handler: async (ctx, { id }) => { await ctx.db.insert('users', { clerkId: id }) } })`),
}

// TestWebhookFactConvex: a Convex httpAction verified by the internal
// action it hands the payload to with ctx.runAction; its neighbour that
// hands the payload to an action which only parses it is unverified.
func TestWebhookFactConvex(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, webhookConvexApp)
	es, err := m.EntriesOf(ctx, "convex/http.ts")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]model.WebhookFact{}
	for _, e := range es {
		got[e.Path] = m.Webhook(ctx, e)
	}
	if w := got["/clerk-users-webhook"]; !w.Receiver || w.Verified != model.WebhookVerifiedYes || len(w.VerifiedAt) == 0 ||
		w.VerifiedAt[0].SiteFile == nil || w.VerifiedAt[0].SiteFile.Path != "convex/clerk.ts" {
		t.Errorf("/clerk-users-webhook: %+v, want a receiver verified in convex/clerk.ts", w)
	}
	sync, err := m.EntriesOf(ctx, "convex/sync.ts")
	if err != nil || len(sync) != 2 {
		t.Fatalf("convex/sync.ts: %d entries, %v", len(sync), err)
	}
	if w := m.Webhook(ctx, sync[0]); !w.Receiver || w.Verified != model.WebhookVerifiedNo {
		t.Errorf("%s: %+v, want an unverified receiver (it takes the event as arguments)", sync[0].Name, w)
	}
	if w := m.Webhook(ctx, sync[1]); w.Receiver {
		t.Errorf("%s: a receiver only because one sits beside it: %+v", sync[1].Name, w.Evidence)
	}
	if w := got["/clerk-sync"]; !w.Receiver || w.Provider != "clerk" || w.Verified != model.WebhookVerifiedNo {
		t.Errorf("/clerk-sync: %+v, want an unverified Clerk receiver", w)
	}
}
