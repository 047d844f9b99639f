package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

var verifyApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "svix": "^1.40.0", "standardwebhooks": "^1.0.0", "jsonwebtoken": "^9.0.0"}}`),
	"lib/instance.ts": []byte(`import { Webhook } from 'svix'
export const shared = new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET!)`),
	"app/api/hook/route.ts": []byte(`import { verifyWebhook } from '@clerk/nextjs/webhooks'
import { Webhook } from 'svix'
import * as sw from 'standardwebhooks'
import jwt from 'jsonwebtoken'
import crypto from 'node:crypto'
import { shared } from '../../../lib/instance'
import * as clerk from '../../../lib/clerk'
class Receiver {
  private wh = new Webhook('s')
  check(body: string, h: Record<string, string>) { return this.wh.verify(body, h) }
}

export async function POST(req: Request) {
  const body = await req.text()
  const h = Object.fromEntries(req.headers)
  await verifyWebhook(req)
  new Webhook('s').verify(body, h)
  const std = new sw.Webhook('s')
  std.verify(body, h)
  shared.verify(body, h)
  const { Webhook: Dyn } = await import('svix')
  const dyn = new Dyn('s')
  dyn.verify(body, h)
  crypto.createHmac('sha256', 's').update(body).digest('hex')
  const key = await crypto.subtle.importKey('raw', new Uint8Array(), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
  await crypto.subtle.verify('HMAC', key, new Uint8Array(), new Uint8Array())
  await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, new Uint8Array(), new Uint8Array())
  jwt.verify(body, 's')
  await clerk.verifyWebhook(req); return new Response('ok')
}`),
	"lib/clerk.ts": []byte(`export async function verifyWebhook(req: Request) { return req.json() }`),
}

// TestWebhookVerifies: the calls that verify a webhook signature
// themselves, by kind and provider; a JWT verify, an ECDSA signature and
// helper calls are not webhook verifications, nor is a repository's own
// function called verifyWebhook from a module named clerk (it is a
// helper, which Callee follows; it verifies nothing here).
func TestWebhookVerifies(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, verifyApp)
	f, _ := calls(t, verifyApp, "app/api/hook/route.ts")
	type got struct {
		line     int
		kind     model.VerifyKind
		provider string
	}
	var gs []got
	for _, v := range m.WebhookVerifies(ctx, f, f.Root) {
		gs = append(gs, got{v.Location.Line, v.Kind, v.Provider})
	}
	want := []got{
		{10, model.VerifySvix, "svix"},              // this.wh.verify: a class field
		{16, model.VerifyClerk, "clerk"},            // verifyWebhook(req)
		{17, model.VerifySvix, "svix"},              // new Webhook('s').verify
		{19, model.VerifySvix, "standard-webhooks"}, // a namespace import's Webhook
		{20, model.VerifySvix, "svix"},              // an instance another file exports
		{23, model.VerifySvix, "svix"},              // a dynamic import's Webhook
		{24, model.VerifyHMAC, ""},                  // crypto.createHmac
		{26, model.VerifyHMAC, ""},                  // crypto.subtle.verify('HMAC', ...)
	}
	if len(gs) != len(want) {
		t.Fatalf("got %v, want %v", gs, want)
	}
	for i := range want {
		if gs[i] != want[i] {
			t.Errorf("verification %d: got %v, want %v", i, gs[i], want[i])
		}
	}
}

var delegatingApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "svix": "^1.40.0", "@acme/hooks": "1.0.0"}}`),
	"lib/verify.ts": []byte(`import { check } from './inner'
export async function verifyRequest(req: Request) {
  return check(await req.text(), Object.fromEntries(req.headers))
}`),
	"lib/inner.ts": []byte(`import { Webhook } from 'svix'
export function check(body: string, h: Record<string, string>) {
  return new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET!).verify(body, h)
}`),
	"lib/log.ts": []byte(`export function logRequest(req: Request) { console.log(req.url) }`),
	"app/api/hook/route.ts": []byte(`import { verifyRequest } from '../../../lib/verify'
import { logRequest } from '../../../lib/log'
import { validateSignature } from '@acme/hooks'
export async function POST(req: Request) {
  logRequest(req)
  await verifyRequest(req)
  await validateSignature(req)
  return new Response('ok')
}`),
}

// TestWebhookVerifications: a verification two helpers away carries the
// helpers it went through and the verifying call; a package function
// named like a verifier may verify; a helper that cannot be read may
// verify too (unknown, never "unverified"); a helper that does not
// verify is not a verification.
func TestWebhookVerifications(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, delegatingApp)
	f, _ := calls(t, delegatingApp, "app/api/hook/route.ts")
	fn := f.Root.NamedChildren()[3].ChildByField("declaration") // export async function POST
	vs := m.WebhookVerifications(ctx, f, fn, 2)
	if len(vs) != 2 {
		t.Fatalf("got %d verifications, want verifyRequest and validateSignature: %+v", len(vs), vs)
	}
	if v := vs[0]; v.Kind != model.VerifySvix || v.Location.Line != 6 || len(v.Via) != 2 ||
		v.Via[0].Name != "verifyRequest" || v.SiteFile.Path != "lib/inner.ts" || v.Site.Line != 3 {
		t.Errorf("verifyRequest: %+v", v)
	}
	if v := vs[1]; v.Kind != model.VerifyUnknown || v.Location.Line != 7 {
		t.Errorf("validateSignature: %+v", v)
	}
	if vs := m.WebhookVerifications(ctx, f, fn, 1); len(vs) != 1 || vs[0].Kind != model.VerifyUnknown {
		t.Errorf("one level deep: the svix call two helpers away is not reached, got %+v", vs)
	}

	m = buildModel(t, failingFiles{Mem: delegatingApp, fail: map[string]bool{"lib/verify.ts": true}})
	vs = m.WebhookVerifications(ctx, f, fn, 2)
	if len(vs) != 2 || vs[0].Kind != model.VerifyUnknown || vs[0].Location.Line != 6 {
		t.Errorf("unreadable helper: %+v, want unknown at line 6", vs)
	}
}
