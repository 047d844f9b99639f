package webhooks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// WH001 flags Clerk (Svix) webhook handlers that use the payload without
// verifying its signature, directly or through a helper.
var WH001 = &rules.Rule{
	ID:         "CLK-WH-001",
	Name:       "webhook-unverified",
	Pack:       rules.PackWebhooks,
	Severity:   rules.Critical,
	Confidence: rules.HighConfidence,
	Checklist:  4,
	Keywords:   webhookKeywords,
	Doc: rules.Doc{
		Title: "Clerk webhook handler without signature verification",
		References: []string{
			"https://clerk.com/docs/guides/development/webhooks/overview",
			"https://clerk.com/docs/guides/development/webhooks/syncing",
		},
		Text: "Webhook endpoints are public: they carry no session, so anyone who finds the URL can post to them. " +
			"Clerk signs every delivery with Svix, and \"the payload should always be treated as unsafe until you validate the incoming webhook\". " +
			"A handler that writes `user.created` events to the database, grants roles or sends mail without verifying the " +
			"`svix-signature` lets an attacker forge users, memberships and deletions. clerkguard recognises a handler from two of: " +
			"a `verifyWebhook`/`svix` import, Clerk webhook types, Clerk event-type strings, `svix-*` header reads, a webhook path, " +
			"and Clerk payload fields; it follows verification into helper functions of the repository. Other Svix-based senders " +
			"are reported too, without calling them Clerk.",
		Bad: `export async function POST(req: Request) {
  const evt = (await req.json()) as WebhookEvent
  if (evt.type === 'user.created') await db.user.create({ data: { clerkId: evt.data.id } })
  return new Response('ok')
}`,
		Good: `import { verifyWebhook } from '@clerk/nextjs/webhooks'

export async function POST(req: NextRequest) {
  let evt
  try {
    evt = await verifyWebhook(req) // reads CLERK_WEBHOOK_SIGNING_SECRET
  } catch {
    return new Response('Error verifying webhook', { status: 400 })
  }
  if (evt.type === 'user.created') await db.user.create({ data: { clerkId: evt.data.id } })
  return new Response('ok')
}`,
	},
	Fix: verifyFix,
	Run: runWH001,
}

// webhookKeywords prefilter the pack's handler rules: a webhook handler
// names webhooks, Svix, or Clerk's payload somewhere in its text.
var webhookKeywords = []string{"webhook", "Webhook", "WEBHOOK", "svix", "email_addresses", "public_user_data",
	"user.created", "user.updated", "user.deleted", "organization.", "organizationMembership.", "session."}

// sideEffect matches calls that change state: database writes, Clerk
// Backend API calls, mail and queues.
var sideEffect = regexp.MustCompile(`^(prisma|db|database|drizzle|supabase|knex|mongoose|sql|kv|redis|clerkClient|clerk|resend|mailer|queue|inngest)\b|` +
	`\.(create|createMany|insert|insertOne|insertMany|update|updateOne|updateMany|upsert|delete|deleteOne|deleteMany|save|sendEmail|publish|enqueue|execute)(\(\))?$`)

func isSideEffect(name string) bool {
	if name == "" || responseCall(name) {
		return false
	}
	switch rootOf(name) {
	case "req", "request", "event", "c", "ctx", "headers", "headerPayload", "wh", "svix", "Object", "Array", "Math", "Date", "Promise", "URL", "Buffer":
		return false
	}
	return sideEffect.MatchString(name)
}

func runWH001(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || nonRequestPath(f.Path) {
		return nil
	}
	c := &checker{pass: pass}
	for _, h := range c.webhookHandlers(f) {
		if !h.entry {
			continue
		}
		vs := c.verifications(f, h.fn, 2)
		if len(vs) > 0 {
			c.sideEffectFirst(h, vs)
			continue
		}
		reads := bodyReads(f, h.fn, h.roots)
		helpers := c.helperCalls(h)
		if len(reads) == 0 && len(helpers) == 0 {
			continue // never touches the payload
		}
		if headerPresenceOnly(f, h.fn) != nil {
			continue // CLK-WH-003 reports the header-presence check
		}
		msg := fmt.Sprintf("%s uses the payload without verifying its %s", h.subject(), strings.TrimPrefix(h.signature(), "the "))
		if len(reads) > 0 {
			msg = fmt.Sprintf("%s trusts %s without verifying %s", h.subject(), rules.Code(clip(reads[0].text)), h.signature())
		}
		d := rules.Diagnostic{Line: h.at.Line, Column: h.at.Col, Message: msg, Match: h.name + " unverified"}
		if h.provider != "" {
			d.Fix = fmt.Sprintf("Verify %s over the raw request body before using the payload (the provider's SDK or its documented signature scheme), and answer 400 when it fails.", h.signature())
		}
		// A helper that takes the request but does not verify: name it.
		for _, hc := range helpers {
			if hc.ref.fn == nil {
				continue
			}
			where := fmt.Sprintf("this file:%d", hc.ref.fn.Line)
			if hc.ref.f != f {
				where = rules.Code(fmt.Sprintf("%s:%d", hc.ref.f.Path, hc.ref.fn.Line))
			}
			d.Message += fmt.Sprintf("; %s (%s), which receives the request, does not verify it either", rules.Code(hc.ref.name), where)
			if hc.ref.f != f {
				// The helper and the places it reads the body: a change
				// there (verification removed) is what caused the finding.
				d.Related = append(d.Related, loc(hc.ref.f, hc.ref.fn))
				for i, r := range bodyReads(hc.ref.f, hc.ref.fn, requestRoots(hc.ref.f, hc.ref.fn)) {
					if i == 3 {
						break
					}
					d.Related = append(d.Related, loc(hc.ref.f, r.n))
				}
			}
			break
		}
		pass.Report(d)
	}
	return nil
}

// sideEffectFirst reports a state change that runs before the first
// verification of a handler.
func (c *checker) sideEffectFirst(h *handler, vs []verification) {
	first := vs[0].call
	for _, call := range h.f.Calls(jsast.FunctionBody(h.fn), isSideEffect) {
		if call.Start >= first.Start || jsast.EnclosingFunction(call) != h.fn {
			continue
		}
		d := rules.Diagnostic{Line: call.Line, Column: call.Col,
			Message: fmt.Sprintf("%s runs before the webhook signature is verified (line %d); a forged request gets this far", rules.Code(clip(h.f.CalleeName(call))), first.Line)}
		if vs[0].kind == verifyHelper {
			d.Related = related(vs[0].helper)
		}
		c.pass.Report(d)
		return
	}
}

// clip shortens source text for a message.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
