package model

import (
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// WebhookSign is one kind of evidence that code receives webhooks.
type WebhookSign string

// The signs of a webhook receiver. Each comes from a knowledge table.
const (
	// SignClerkImport: verifyWebhook imported from a Clerk SDK
	// (knowledge.VerifierOf).
	SignClerkImport WebhookSign = "clerk-verifier-import"
	// SignSvixImport: the Webhook class of a Svix-scheme library
	// (svix, standardwebhooks; knowledge.VerifierOf, knowledge.SvixScheme).
	SignSvixImport WebhookSign = "svix-import"
	// SignClerkTypes: a Clerk SDK's webhook payload type
	// (knowledge.IsClerkWebhookType: WebhookEvent, UserJSON).
	SignClerkTypes WebhookSign = "clerk-types"
	// SignEventName: a Clerk event name literal ("user.created";
	// knowledge.IsClerkWebhookEvent).
	SignEventName WebhookSign = "clerk-event-name"
	// SignSvixHeaders: a Svix-scheme signature header name ("svix-id";
	// knowledge.SvixSignatureHeader).
	SignSvixHeaders WebhookSign = "svix-headers"
	// SignClerkPayload: a field only Clerk's payloads carry
	// (knowledge.IsClerkPayloadField: email_addresses).
	SignClerkPayload WebhookSign = "clerk-payload-field"
	// SignEventType: the `type` of a delivered event (a verified event,
	// or a request body) is read; it counts only beside another sign.
	SignEventType WebhookSign = "event-type"
	// SignPath: the file or route path names a webhook
	// (knowledge.NamesWebhook).
	SignPath WebhookSign = "webhook-path"
	// SignClerkEvent: the handler reads a Clerk event from its own body
	// (ClerkWebhookEvent); alone it is enough.
	SignClerkEvent WebhookSign = "clerk-event-read"
)

// WebhookEvidence is one sign and where it was seen (the file for a
// path sign).
type WebhookEvidence struct {
	Sign WebhookSign `json:"sign"`
	Location
}

// WebhookVerified says whether a webhook receiver verifies the
// delivery's signature. The string values are part of the routes JSON
// contract.
type WebhookVerified string

// Verification verdicts. Unknown is not "unverified": a helper the model
// could not read or a package function named like a verifier may verify.
const (
	WebhookVerifiedYes     WebhookVerified = "yes"
	WebhookVerifiedNo      WebhookVerified = "no"
	WebhookVerifiedUnknown WebhookVerified = "unknown"
)

// WebhookFact is the model's answer for a function that receives
// requests: whether it receives webhooks, whose, on what evidence, and
// whether and where it verifies their signature.
type WebhookFact struct {
	// Receiver: the function receives webhooks of Clerk's Svix scheme
	// (or of the provider its path names): two signs (SignEventType only
	// beside another), or SignClerkEvent for an entry. A function that
	// verifies or imports another provider's webhooks (Stripe's
	// constructEvent, a GitHub signature header) without Svix machinery
	// is never one.
	Receiver bool
	// Clerk: the signs name Clerk, not only the Svix scheme.
	Clerk bool
	// Provider is whose webhooks they are: "clerk", "svix" (a Svix-scheme
	// sender the code does not name), or another provider the path names
	// ("paddle") when no Svix-scheme verifier is imported; "" for a
	// function that is no receiver.
	Provider string
	// OtherProvider is the provider other than Clerk's Svix scheme whose
	// webhooks the code receives instead: whose verification the function
	// calls or whose signature header it reads (OtherWebhookProvider; then
	// Verified says whether its SDK verifies), or whose verifying SDK the
	// file imports without Svix machinery beside it.
	OtherProvider string
	// Evidence are the signs seen, of the function's file, the files of
	// the helpers it hands the request to, and its paths.
	Evidence []WebhookEvidence
	// Verified and VerifiedAt: the calls that verify a signature in the
	// function, directly or through helpers two levels deep
	// (WebhookVerifications); yes when one verifies (a hand-rolled HMAC
	// included: how well is CLK-WH-004's question), unknown when the only
	// ones could not be inspected, no when there is none.
	Verified   WebhookVerified
	VerifiedAt []WebhookVerify
	// RequestCalls are the calls of the function that hand it the request
	// (an argument rooted at a request name, RequestNames), each with the
	// function it invokes (Callee; Kind CalleeFunction when resolved): the
	// helpers a verification, or its absence, is in.
	RequestCalls []Callee
}

// Has reports whether the fact holds evidence of sign s.
func (w WebhookFact) Has(s WebhookSign) bool {
	for _, e := range w.Evidence {
		if e.Sign == s {
			return true
		}
	}
	return false
}

// Webhook answers the webhook questions for an entry: its handler, the
// helpers it hands the request to, its file and its route path.
func (m *Model) Webhook(ctx context.Context, e *Entry) WebhookFact {
	if m == nil || e == nil || e.Fn == nil || e.FnFile == nil || ctx.Err() != nil {
		return WebhookFact{Verified: WebhookVerifiedUnknown}
	}
	if e.SafeOnly() {
		// Senders deliver webhooks with POST; a GET beside a receiver in
		// the same file is not one.
		return WebhookFact{Verified: WebhookVerifiedNo}
	}
	return m.webhookFact(ctx, e.FnFile, e.Fn, e)
}

// SafeOnly reports whether an entry answers only safe methods (GET,
// HEAD; knowledge.HTTPMethod): by definition it changes nothing, and no
// webhook sender delivers with it.
func (e *Entry) SafeOnly() bool {
	for _, m := range e.Methods {
		if k, ok := knowledge.HTTPMethod(m); !ok || !k.Safe {
			return false
		}
	}
	return len(e.Methods) > 0
}

// WebhookFunc answers the webhook questions for a function of f that
// receives an entry's request but is no entry itself (an exported helper
// that verifies for its callers).
func (m *Model) WebhookFunc(ctx context.Context, f *jsast.File, fn *jsast.Node) WebhookFact {
	if m == nil || f == nil || fn == nil || ctx.Err() != nil {
		return WebhookFact{Verified: WebhookVerifiedUnknown}
	}
	return m.webhookFact(ctx, f, fn, nil)
}

// WebhookFile returns the signs of a webhook receiver in f as a whole
// (its imports, literals and path), for code that is not a function
// receiving requests (a verifying helper module). Receiver, Clerk and
// Provider are answered from them; Verified is unknown.
func (m *Model) WebhookFile(ctx context.Context, f *jsast.File) WebhookFact {
	if m == nil || f == nil || ctx.Err() != nil {
		return WebhookFact{Verified: WebhookVerifiedUnknown}
	}
	s := m.webhookSignals(ctx, f).clone()
	n := s.count()
	if knowledge.NamesWebhook(f.Path) {
		s.add(SignPath, Location{File: f.Path, Line: 1})
		n++
	}
	w := WebhookFact{Verified: WebhookVerifiedUnknown, Clerk: s.clerkSpecific(), Evidence: s.evidence(), OtherProvider: s.otherProvider}
	if w.Receiver = n >= 2; w.Receiver {
		w.Provider = providerOf(w.Clerk, "")
	}
	return w
}

// webhookKey names one fact: a function, and the entry it is asked for.
type webhookKey struct {
	fnSpan
	entry *Entry
}

func (m *Model) webhookFact(ctx context.Context, f *jsast.File, fn *jsast.Node, e *Entry) WebhookFact {
	k := webhookKey{fnSpan{f.Path, fn.Start, fn.End}, e}
	if w, ok := m.whFacts.get(k); ok {
		return w
	}
	w := m.computeWebhookFact(ctx, f, fn, e)
	if ctx.Err() != nil {
		return w
	}
	return m.whFacts.put(k, w)
}

func (m *Model) computeWebhookFact(ctx context.Context, f *jsast.File, fn *jsast.Node, e *Entry) WebhookFact {
	w := WebhookFact{Verified: WebhookVerifiedNo}
	w.VerifiedAt = m.WebhookVerifications(ctx, f, fn, 2)
	if len(w.VerifiedAt) > 0 {
		w.Verified = WebhookVerifiedUnknown
		for _, v := range w.VerifiedAt {
			if v.Kind != VerifyUnknown {
				w.Verified = WebhookVerifiedYes
			}
		}
	}
	s := m.webhookSignals(ctx, f).clone()
	if p, call := m.OtherWebhookProvider(f, fn); p != "" {
		// Another provider's receiver: its SDK's verification call
		// verifies; a read of its signature header may.
		w.OtherProvider, w.Verified = p, WebhookVerifiedUnknown
		if call {
			w.Verified = WebhookVerifiedYes
		}
		return w
	}
	// A file importing another provider's SDK is that provider's receiver
	// unless it also shows Clerk or Svix machinery (a Clerk handler that
	// creates Stripe customers imports stripe too).
	if s.otherProvider != "" && !s.has(SignClerkImport) && !s.has(SignClerkTypes) && !s.has(SignSvixImport) && !s.has(SignSvixHeaders) {
		w.OtherProvider = s.otherProvider
		return w
	}
	roots := map[string]bool{}
	for _, n := range m.RequestNames(ctx, f.Path, fn) {
		roots[n] = true
	}
	if len(roots) == 0 && len(m.computeWebhookSignals(ctx, f, fn).at) == 0 {
		// A function that receives no request (a public Convex function a
		// client calls by name) and shows no sign itself is not a receiver
		// because one sits beside it in its file.
		return w
	}
	for _, call := range f.Calls(jsast.FunctionBody(fn), func(string) bool { return true }) {
		passes := false
		for _, a := range jsast.Args(call) {
			if roots[jsast.FirstSegment(strings.TrimSuffix(f.Name(a), "()"))] {
				passes = true
			}
		}
		if !passes {
			continue
		}
		c := m.Callee(ctx, f, call)
		w.RequestCalls = append(w.RequestCalls, c)
		if c.Kind == CalleeFunction && c.File != f && c.File != nil {
			s.merge(m.webhookSignals(ctx, c.File))
		}
	}
	// A helper in another file that verifies a Clerk or Svix signature for
	// the function (a Convex ctx.runAction(internal.clerk.fulfill, { payload,
	// headers }) handed the body, not the request) says whose webhooks
	// they are: its file's signs count too.
	for _, v := range w.VerifiedAt {
		if v.Kind != VerifyClerk && v.Kind != VerifySvix {
			continue
		}
		for _, c := range v.Via {
			if c.File != nil && c.File != f {
				s.merge(m.webhookSignals(ctx, c.File))
			}
		}
	}
	route := ""
	if e != nil {
		route = e.Path
	}
	n := s.count()
	for _, p := range []string{f.Path, route} {
		if knowledge.NamesWebhook(p) {
			s.add(SignPath, Location{File: f.Path, Line: fn.Line})
			n++
			break
		}
	}
	other := ""
	if p, ok := knowledge.ProviderInName(f.Path + " " + route); ok && !s.has(SignClerkImport) && !s.has(SignSvixImport) {
		other = p
	}
	w.Clerk = s.clerkSpecific()
	w.Receiver = n >= 2
	if !w.Receiver && e != nil {
		// The model's answer for an entry whose handler reads a Clerk
		// event from its body (`evt.type === 'user.created'`,
		// body.data.email_addresses), in any adapter.
		if at, ok := m.ClerkWebhookEvent(ctx, e); ok {
			s.add(SignClerkEvent, at)
			w.Receiver, w.Clerk = true, true
		}
	}
	w.Evidence = s.evidence()
	if w.Receiver {
		w.Provider = providerOf(w.Clerk, other)
	}
	return w
}

// providerOf names the sender: another provider a path names, else Clerk
// when the signs name it, else the Svix scheme.
func providerOf(clerk bool, other string) string {
	switch {
	case other != "":
		return other
	case clerk:
		return "clerk"
	}
	return "svix"
}

// webhookSignals are the signs of one file.
type webhookSignals struct {
	at            map[WebhookSign]Location // the first place of each sign
	otherProvider string                   // the provider whose verifying SDK the file imports
}

func (s *webhookSignals) has(k WebhookSign) bool { _, ok := s.at[k]; return ok }

func (s *webhookSignals) add(k WebhookSign, l Location) {
	if !s.has(k) {
		s.at[k] = l
	}
}

func (s *webhookSignals) clone() *webhookSignals {
	c := &webhookSignals{at: make(map[WebhookSign]Location, len(s.at)), otherProvider: s.otherProvider}
	for k, v := range s.at {
		c.at[k] = v
	}
	return c
}

// merge adds the signs of a helper's file (not its other provider: the
// handler's own file says whose it is).
func (s *webhookSignals) merge(o *webhookSignals) {
	for k, v := range o.at {
		s.add(k, v)
	}
}

// count is the number of signs, without the path: a verifier import of
// either kind counts once, and the event's type counts only beside a
// Clerk- or Svix-specific sign.
func (s *webhookSignals) count() int {
	n := 0
	if s.has(SignClerkImport) || s.has(SignSvixImport) {
		n++
	}
	for _, k := range []WebhookSign{SignClerkTypes, SignEventName, SignSvixHeaders, SignClerkPayload} {
		if s.has(k) {
			n++
		}
	}
	if s.has(SignEventType) && n > 0 {
		n++
	}
	return n
}

// clerkSpecific reports whether the signs name Clerk, not just Svix.
func (s *webhookSignals) clerkSpecific() bool {
	return s.has(SignClerkImport) || s.has(SignClerkTypes) || s.has(SignEventName) || s.has(SignClerkPayload)
}

// evidence lists the signs in a fixed order.
func (s *webhookSignals) evidence() []WebhookEvidence {
	var out []WebhookEvidence
	for _, k := range []WebhookSign{SignClerkImport, SignSvixImport, SignClerkTypes, SignEventName, SignSvixHeaders,
		SignClerkPayload, SignEventType, SignPath, SignClerkEvent} {
		if l, ok := s.at[k]; ok {
			out = append(out, WebhookEvidence{Sign: k, Location: l})
		}
	}
	return out
}

// webhookSignals computes the signs of f once per snapshot.
func (m *Model) webhookSignals(ctx context.Context, f *jsast.File) *webhookSignals {
	if s, ok := m.whFiles.get(f.Path); ok {
		return s
	}
	s := m.computeWebhookSignals(ctx, f, f.Root)
	if ctx.Err() != nil {
		return s
	}
	return m.whFiles.put(f.Path, s)
}

// computeWebhookSignals computes the signs within root: f's imports and
// literals when root is the file's, only the literals of a function
// otherwise.
func (m *Model) computeWebhookSignals(ctx context.Context, f *jsast.File, root *jsast.Node) *webhookSignals {
	s := &webhookSignals{at: map[WebhookSign]Location{}}
	at := func(n *jsast.Node) Location { return Location{File: f.Path, Line: n.Line} }
	var imports []jsast.Import
	if root == f.Root {
		imports = f.Imports()
	}
	for _, im := range imports {
		switch {
		case im.Imported == "verifyWebhook" && m.ClerkVerifyModule(ctx, f, im.Source):
			s.add(SignClerkImport, at(im.Node))
		case (im.Imported == "Webhook" || im.Imported == "*" || im.Imported == "default") && m.svixSchemeModule(ctx, f, im.Source):
			s.add(SignSvixImport, at(im.Node))
		case jsast.IsClerkModule(im.Source) && knowledge.IsClerkWebhookType(im.Imported):
			s.add(SignClerkTypes, at(im.Node))
		}
		if p, ok := knowledge.OtherProviderModule(m.SpecPackage(ctx, f, im.Source)); ok && s.otherProvider == "" {
			s.otherProvider = p
		}
	}
	verified := map[*jsast.Node]bool{}
	for _, v := range m.WebhookVerifies(ctx, f, root) {
		verified[v.Call] = true
	}
	jsast.Walk(root, func(n *jsast.Node) bool {
		switch n.Type {
		case "string":
			if v, ok := f.StringValue(n); ok {
				if knowledge.IsClerkWebhookEvent(v) {
					s.add(SignEventName, at(n))
				}
				if knowledge.SvixSignatureHeader(v) {
					s.add(SignSvixHeaders, at(n))
				}
			}
		case "shorthand_property_identifier_pattern":
			// const { id, email_addresses } = body.data
			if knowledge.IsClerkPayloadField(f.Text(n)) {
				s.add(SignClerkPayload, at(n))
			}
		case "property_identifier":
			switch name := f.Text(n); {
			case knowledge.IsClerkPayloadField(name):
				s.add(SignClerkPayload, at(n))
			case name == "type":
				if p := n.Parent; p != nil && p.Type == "member_expression" && p.ChildByField("property") == n &&
					deliveredEvent(f, p.ChildByField("object"), verified, 0) {
					s.add(SignEventType, at(n))
				}
			}
		}
		return true
	})
	return s
}

// svixSchemeModule reports whether src names a Svix-scheme library.
func (m *Model) svixSchemeModule(ctx context.Context, f *jsast.File, src string) bool {
	_, ok := m.SvixScheme(ctx, f, src)
	return ok
}

// deliveredEvent reports whether e holds an event a webhook delivered:
// the result of a verifying call (WebhookVerifies), a read of a request
// body (knowledge.BodyMember: `await req.json()`, `req.body`), or
// JSON.parse of one; followed through the variables that hold them.
func deliveredEvent(f *jsast.File, e *jsast.Node, verified map[*jsast.Node]bool, depth int) bool {
	e = jsast.Unwrap(e)
	if e == nil || depth > 3 {
		return false
	}
	switch e.Type {
	case "identifier":
		v := lastAssigned(f, f.Text(e), e)
		return v != nil && deliveredEvent(f, v, verified, depth+1)
	case "call_expression":
		if verified[e] {
			return true
		}
		name := f.CalleeName(e)
		args := jsast.Args(e)
		if name == "JSON.parse" && len(args) > 0 {
			return deliveredEvent(f, args[0], verified, depth+1)
		}
		if _, ok := knowledge.BodyMember(jsast.LastSegment(name), true); ok && strings.Contains(name, ".") && len(args) == 0 {
			return true
		}
	case "member_expression":
		_, ok := knowledge.BodyMember(f.Text(e.ChildByField("property")), false)
		return ok
	}
	return false
}

// lastAssigned returns the value last declared or assigned to name
// before at in at's function (or the module), or nil.
func lastAssigned(f *jsast.File, name string, at *jsast.Node) *jsast.Node {
	scope := f.Root
	if fn := jsast.EnclosingFunction(at); fn != nil {
		scope = fn
	}
	var v *jsast.Node
	jsast.Walk(scope, func(n *jsast.Node) bool {
		if n.Start > at.Start {
			return false
		}
		switch n.Type {
		case "variable_declarator":
			if id := n.ChildByField("name"); id != nil && id.Type == "identifier" && f.Text(id) == name && n.ChildByField("value") != nil {
				v = n.ChildByField("value")
			}
		case "assignment_expression":
			// let evt: WebhookEvent; try { evt = wh.verify(...) }
			if l := n.ChildByField("left"); l != nil && l.Type == "identifier" && f.Text(l) == name {
				v = n.ChildByField("right")
			}
		}
		return true
	})
	return v
}

// OtherWebhookProvider returns the provider other than Clerk's Svix
// scheme whose webhook fn (of f) verifies: with its SDK's call (Stripe's
// constructEvent, knowledge.OtherProviderCall; call true), or by reading
// its signature header (a GitHub x-hub-signature-256,
// knowledge.SignatureHeader).
func (m *Model) OtherWebhookProvider(f *jsast.File, fn *jsast.Node) (provider string, call bool) {
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		switch n.Type {
		case "call_expression":
			// stripe.webhooks.constructEvent, twilio.validateRequest: a
			// method of a provider client, not a local helper of that name.
			if p, ok := knowledge.OtherProviderCall(f.CalleeName(n)); ok {
				provider, call = p, true
			}
		case "string":
			if v, ok := f.StringValue(n); ok {
				if p, ok := knowledge.SignatureHeader(v); ok && !knowledge.SvixScheme(p) {
					provider = p
				}
			}
		}
		return provider == ""
	})
	return provider, call
}
