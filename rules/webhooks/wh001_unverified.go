package webhooks

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	sem "github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// runWH001Go reports the Go routes registered in the pass file whose
// handler handles Clerk webhook events (it tests a Clerk event type) and
// never verifies the delivery's signature (the model's GoClerkWebhook).
func runWH001Go(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesFor(pass.Ctx, knowledge.GoHTTP)
	if err != nil {
		return nil //nolint:nilerr // ctx ended: no findings, not a rule failure
	}
	for _, e := range es {
		if e.Kind != sem.GoRoute || e.File != pass.File.Path {
			continue
		}
		if !e.SafeOnly() && (e.PathKnown && knowledge.NamesWebhook(e.Path) || knowledge.NamesWebhook(e.HandlerName)) {
			// A shared-secret header compared only when the request sends
			// it: leaving the header out skips the verification.
			if cs, ok := pass.Model.GoSkippableCheck(pass.Ctx, e); ok {
				c := cs[0]
				sev := rules.High
				if v := pass.Model.Guard(pass.Ctx, e); v.Authn == sem.AuthnYes {
					// Only signed-in callers (an admin area) reach it: the
					// sender's own checks are all that is skipped.
					sev = rules.Low
				}
				pass.Report(rules.Diagnostic{Path: c.Guard.File, Line: c.Guard.Line, Severity: sev, Match: e.Label() + " skippable",
					Message: fmt.Sprintf("the webhook route %s compares the %s header only when the request sends it (%s): a request without the header skips the verification",
						rules.Code(e.Label()), rules.Code(c.Header), rules.Code(c.Guard.What)),
					Related: []rules.Location{{Path: e.File, Line: e.Line}}})
				continue
			}
		}
		wh, ok := pass.Model.GoClerkWebhook(pass.Ctx, e)
		if !ok || wh.Verify.What != "" || wh.SignatureRead.What != "" {
			continue // verified, or checked by hand (CLK-WH-004's question)
		}
		pass.Report(rules.Diagnostic{Line: e.Line, Match: e.Label() + " unverified",
			Message: fmt.Sprintf("the Clerk webhook route %s handles %s events (%s) without verifying the Svix signature of the delivery",
				rules.Code(e.Label()), rules.Code(wh.Event.What), wh.Event.Location),
			Related: []rules.Location{{Path: wh.Event.File, Line: wh.Event.Line}}})
	}
	return nil
}

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
	Files: func(f *source.File) bool {
		return !f.Binary && (f.IsJS() || f.Lang == source.LangGo && !strings.HasSuffix(f.Path, "_test.go"))
	},
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
			"are reported too, without calling them Clerk. A public Convex query, mutation or action that takes the event as its " +
			"arguments is always unverified: a client calls it by name, so it gets no raw body or `svix-*` headers; receive the " +
			"webhook in an `httpAction` and verify it there. A Go webhook route that compares a shared-secret header only when the " +
			"request sends it (`if h != \"\" && h != secret { reject }`) is unverified too: a request without the header skips the check.",
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
// names webhooks, Svix, Clerk, or Clerk's payload somewhere in its text
// (knowledge.WebhookKeywords).
var webhookKeywords = knowledge.WebhookKeywords()

func runWH001(pass *rules.Pass) error {
	if pass.File.Lang == source.LangGo {
		return runWH001Go(pass)
	}
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
		if e := c.entryOf(h); e != nil && clientCallable(e) && len(reads) == 0 {
			// A Convex function the client calls takes the event as its
			// arguments: it has no raw body or signature headers to verify.
			if r := argReads(f, h.fn); len(r) > 0 {
				pass.Report(rules.Diagnostic{Line: h.at.Line, Column: h.at.Col, Match: h.name + " unverified",
					Message: fmt.Sprintf("%s is a %s any client can call, and it takes the %s event from its arguments (%s): "+
						"a function called by a client has no raw body or svix headers to verify, so anyone can submit a forged event",
						h.name, kindOfEntry(e), kindName(h.clerk), rules.Code(clip(r[0].text))),
					Fix: "Receive the webhook in an `httpAction` routed in `convex/http.ts`, verify the raw body and the svix headers there " +
						"(`new Webhook(secret).verify()` from `svix`), and make this function internal (`internalAction`/`internalMutation`) " +
						"called from it with the verified event."})
				continue
			}
		}
		helpers := h.fact.RequestCalls
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
			if hc.Kind != sem.CalleeFunction || hc.Fn == nil {
				continue
			}
			where := fmt.Sprintf("this file:%d", hc.Fn.Line)
			if hc.File.Path != f.Path {
				where = rules.Code(fmt.Sprintf("%s:%d", hc.File.Path, hc.Fn.Line))
			}
			d.Message += fmt.Sprintf("; %s (%s), which receives the request, does not verify it either", rules.Code(hc.Name), where)
			if hc.File.Path != f.Path {
				// The helper and the places it reads the body: a change
				// there (verification removed) is what caused the finding.
				d.Related = append(d.Related, loc(hc.File, hc.Fn))
				for i, r := range bodyReads(hc.File, hc.Fn, c.requestRoots(hc.File, hc.Fn)) {
					if i == 3 {
						break
					}
					d.Related = append(d.Related, loc(hc.File, r.n))
				}
			}
			break
		}
		pass.Report(d)
	}
	return nil
}

// sideEffectFirst reports a state change that runs before the first
// verification of a handler: an effect of the model's entry for the
// handler (a data write, a privileged Clerk call, mail, money) made in the
// handler itself, above the verification.
func (c *checker) sideEffectFirst(h *handler, vs []sem.WebhookVerify) {
	first := vs[0].Call
	e := c.entryOf(h)
	if e == nil {
		return
	}
	for _, eff := range c.pass.Model.Effects(c.pass.Ctx, e).List {
		if !changesState(eff.Kind) || len(eff.Via) > 0 || eff.File != h.f.Path || eff.Line > first.Line {
			continue
		}
		call := callAt(h, eff)
		if call == nil || call.Start >= first.Start || jsast.EnclosingFunction(call) != h.fn {
			continue
		}
		d := rules.Diagnostic{Line: call.Line, Column: call.Col,
			Message: fmt.Sprintf("%s runs before the webhook signature is verified (line %d); a forged request gets this far", rules.Code(clip(h.f.CalleeName(call))), first.Line)}
		if h := helperOf(vs[0]); h.fn != nil {
			d.Related = related(h)
		}
		c.pass.Report(d)
		return
	}
}

// changesState reports whether an effect changes state a forged request
// must not reach: stored data, Clerk users, mail sent, money moved.
func changesState(k sem.EffectKind) bool {
	switch k {
	case sem.WritesData, sem.ClerkPrivilege, sem.SendsMail, sem.MovesMoney:
		return true
	}
	return false
}

// entryOf returns the model's entry whose handler is h's function.
func (c *checker) entryOf(h *handler) *sem.Entry {
	if c.pass.Model == nil {
		return nil
	}
	es, err := c.pass.Model.EntriesOf(c.pass.Ctx, h.f.Path)
	if err != nil {
		return nil
	}
	for _, e := range es {
		if e.Fn != nil && e.Handler.File == h.f.Path && e.Fn.Start == h.fn.Start && e.Fn.End == h.fn.End {
			return e
		}
	}
	return nil
}

// clientCallable reports whether an entry is a function clients call by
// name with arguments (a public Convex query, mutation or action), not a
// request handler that receives a raw HTTP request.
func clientCallable(e *sem.Entry) bool {
	switch e.Kind {
	case sem.ConvexQuery, sem.ConvexMutation, sem.ConvexAction:
		return true
	}
	return false
}

// kindOfEntry names a client-callable entry's kind for messages.
func kindOfEntry(e *sem.Entry) string {
	return "public Convex " + strings.TrimPrefix(string(e.Kind), "convex-")
}

// argReads returns the reads of a client-callable function's arguments
// (its second parameter: `const { data, type } = args`, `args.data`, or
// a destructured parameter `{ data, type }`), in source order.
func argReads(f *jsast.File, fn *jsast.Node) []bodyRead {
	ps := jsast.ParamPatterns(fn)
	if len(ps) < 2 {
		return nil
	}
	if ps[1].Type == "object_pattern" {
		return []bodyRead{{n: ps[1], text: f.Text(ps[1]), parsed: true}}
	}
	if ps[1].Type != "identifier" {
		return nil
	}
	name := f.Text(ps[1])
	var out []bodyRead
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		switch {
		case n.Type == "member_expression" && f.Text(jsast.Unwrap(n.ChildByField("object"))) == name:
			out = append(out, bodyRead{n: n, text: f.Text(n), parsed: true, root: name})
			return false
		case n.Type == "variable_declarator" && f.Text(jsast.Unwrap(n.ChildByField("value"))) == name:
			out = append(out, bodyRead{n: n, text: f.Text(n), parsed: true, root: name})
			return false
		}
		return true
	})
	return out
}

// callAt returns the call of h's function an effect names, at its line.
func callAt(h *handler, eff sem.Effect) *jsast.Node {
	name := strings.ReplaceAll(eff.Call, "()", "")
	for _, call := range h.f.Calls(jsast.FunctionBody(h.fn), func(n string) bool { return strings.ReplaceAll(n, "()", "") == name }) {
		if call.Line == eff.Line {
			return call
		}
	}
	return nil
}

// clip shortens source text for a message.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
