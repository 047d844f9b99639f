package knowledge

import (
	"sort"
	"strings"
)

// Verifier is a library call that verifies a webhook's signature.
type Verifier struct {
	Provider string // "clerk", "svix", "stripe", "github", ...
	// Modules are the import paths it comes from (a path matches its
	// subpaths).
	Modules []string
	// Name is the function or method as called (the last segment).
	Name string
	// Receiver is the object the method is called on when it matters
	// ("webhooks" of stripe.webhooks.constructEvent; "Webhook" for a
	// method of a `new Webhook(secret)` instance); "" for a plain function.
	Receiver string
	// RawBody: the call needs the raw request body (a parsed and
	// re-serialized body fails or, worse, is re-serialized by the SDK).
	RawBody bool
	Source  string
}

// verifiers are the webhook verification calls per provider.
//
// Replaces: rules/webhooks/model.go otherProviderModules and
// otherProviderCalls, the verifyWebhook import check and isSvixModule of
// rules/webhooks/model.go, and the verify calls of
// rules/webhooks/wh003_result_ignored.go.
var verifiers = []Verifier{
	{Provider: "clerk", Modules: []string{"@clerk/nextjs/webhooks", "@clerk/express/webhooks", "@clerk/fastify/webhooks",
		"@clerk/hono/webhooks", "@clerk/astro/webhooks", "@clerk/nuxt/webhooks", "@clerk/react-router/webhooks",
		"@clerk/tanstack-react-start/webhooks", "@clerk/backend/webhooks"},
		Name: "verifyWebhook", RawBody: true,
		Source: "clerk/javascript packages/backend/src/webhooks.ts (reads request.text(), svix-* headers, CLERK_WEBHOOK_SIGNING_SECRET); https://clerk.com/docs/guides/development/webhooks/syncing"},
	{Provider: "svix", Modules: []string{"svix"}, Name: "verify", Receiver: "Webhook", RawBody: true,
		Source: "svix/svix-webhooks javascript/src/webhook.ts; https://docs.svix.com/receiving/verifying-payloads/how"},
	{Provider: "svix", Modules: []string{"github.com/svix/svix-webhooks/go"}, Name: "Verify", Receiver: "Webhook", RawBody: true,
		Source: "svix/svix-webhooks go/webhook.go (func NewWebhook(secret string) (*Webhook, error); func (wh *Webhook) Verify(payload []byte, headers http.Header) error)"},
	{Provider: "svix", Modules: []string{"github.com/svix/svix-webhooks/go"}, Name: "VerifyIgnoringTimestamp", Receiver: "Webhook", RawBody: true,
		Source: "svix/svix-webhooks go/webhook.go (func (wh *Webhook) VerifyIgnoringTimestamp(payload []byte, headers http.Header) error)"},
	{Provider: "standard-webhooks", Modules: []string{"standardwebhooks"}, Name: "verify", Receiver: "Webhook", RawBody: true,
		Source: "standard-webhooks/standard-webhooks libraries/javascript/src/index.ts"},
	{Provider: "stripe", Modules: []string{"stripe"}, Name: "constructEvent", Receiver: "webhooks", RawBody: true,
		Source: "stripe/stripe-node src/Webhooks.ts; https://docs.stripe.com/webhooks#verify-official-libraries"},
	{Provider: "stripe", Modules: []string{"stripe"}, Name: "constructEventAsync", Receiver: "webhooks", RawBody: true,
		Source: "stripe/stripe-node src/Webhooks.ts"},
	{Provider: "stripe", Modules: []string{"stripe"}, Name: "verifyHeader", Receiver: "signature", RawBody: true,
		Source: "stripe/stripe-node src/Webhooks.ts (webhooks.signature.verifyHeader)"},
	{Provider: "github", Modules: []string{"@octokit/webhooks"}, Name: "verify", Receiver: "webhooks", RawBody: true,
		Source: "octokit/webhooks.js README.md (webhooks.verify)"},
	{Provider: "github", Modules: []string{"@octokit/webhooks"}, Name: "verifyAndReceive", Receiver: "webhooks", RawBody: true,
		Source: "octokit/webhooks.js src/verify-and-receive.ts"},
	{Provider: "github", Modules: []string{"@octokit/webhooks-methods"}, Name: "verify", RawBody: true,
		Source: "octokit/webhooks-methods.js README.md"},
	{Provider: "workos", Modules: []string{"@workos-inc/node"}, Name: "constructEvent", Receiver: "webhooks", RawBody: true,
		Source: "https://workos.com/docs/events/data-syncing/webhooks"},
	{Provider: "upstash-qstash", Modules: []string{"@upstash/qstash"}, Name: "verify", Receiver: "Receiver", RawBody: true,
		Source: "https://upstash.com/docs/qstash/howto/signature"},
	{Provider: "polar", Modules: []string{"@polar-sh/sdk"}, Name: "validateEvent", RawBody: true,
		Source: "https://docs.polar.sh/integrate/webhooks/endpoints"},
	{Provider: "paddle", Modules: []string{"@paddle/paddle-node-sdk"}, Name: "unmarshal", Receiver: "webhooks", RawBody: true,
		Source: "https://developer.paddle.com/webhooks/signature-verification"},
	{Provider: "twilio", Modules: []string{"twilio"}, Name: "validateRequest",
		Source: "https://www.twilio.com/docs/usage/webhooks/webhooks-security"},
	{Provider: "razorpay", Modules: []string{"razorpay"}, Name: "validateWebhookSignature", RawBody: true,
		Source: "https://razorpay.com/docs/webhooks/validate-test/"},
	{Provider: "shopify", Modules: []string{"@shopify/shopify-api"}, Name: "validate", Receiver: "webhooks", RawBody: true,
		Source: "https://shopify.dev/docs/api/shopify-app-remix (shopify.webhooks.validate)"},
	{Provider: "mux", Modules: []string{"@mux/mux-node"}, Name: "verifySignature", Receiver: "webhooks", RawBody: true,
		Source: "https://docs.mux.com/core/verify-webhook-signatures"},
	{Provider: "mux", Modules: []string{"@mux/mux-node"}, Name: "unwrap", Receiver: "webhooks", RawBody: true,
		Source: "https://docs.mux.com/core/verify-webhook-signatures"},
	{Provider: "sendgrid", Modules: []string{"@sendgrid/eventwebhook"}, Name: "verifySignature", RawBody: true,
		Source: "https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features"},
	{Provider: "slack", Modules: []string{"@slack/bolt", "@slack/events-api"}, Name: "verifyRequestSignature", RawBody: true,
		Source: "https://api.slack.com/authentication/verifying-requests-from-slack"},
}

// VerifierOf returns the verification call named name (the callee's last
// segment) from the module pkg.
func VerifierOf(pkg, name string) (Verifier, bool) {
	for _, v := range verifiers {
		if v.Name == name && fromAny(v.Modules, pkg) {
			return cloneVerifier(v), true
		}
	}
	return Verifier{}, false
}

// VerifiersNamed returns the verification calls called name, for a callee
// whose module is unknown (a `new Webhook()` instance passed around).
func VerifiersNamed(name string) []Verifier {
	var out []Verifier
	for _, v := range verifiers {
		if v.Name == name {
			out = append(out, cloneVerifier(v))
		}
	}
	return out
}

func cloneVerifier(v Verifier) Verifier {
	v.Modules = append([]string(nil), v.Modules...)
	return v
}

// signatureHeaders map webhook signature headers (lower case) to their
// provider.
//
// Sources: Svix (https://docs.svix.com/receiving/verifying-payloads/how-manual),
// Standard Webhooks spec (standard-webhooks/standard-webhooks
// spec/standard-webhooks.md), Stripe (https://docs.stripe.com/webhooks#verify-manually),
// GitHub (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries),
// and each provider's page cited in [verifiers].
//
// Replaces: rules/webhooks/model.go svixHeader and otherProviderHeaders.
var signatureHeaders = map[string]string{
	"svix-id": "svix", "svix-timestamp": "svix", "svix-signature": "svix",
	"webhook-id": "standard-webhooks", "webhook-timestamp": "standard-webhooks", "webhook-signature": "standard-webhooks",
	"stripe-signature": "stripe", "x-hub-signature": "github", "x-hub-signature-256": "github",
	"paddle-signature": "paddle", "x-razorpay-signature": "razorpay", "upstash-signature": "upstash-qstash",
	"x-twilio-signature": "twilio", "linear-signature": "linear", "x-shopify-hmac-sha256": "shopify",
	"x-slack-signature": "slack", "workos-signature": "workos", "mux-signature": "mux",
	"x-twilio-email-event-webhook-signature": "sendgrid", "x-signature": "lemonsqueezy", "webhook-signature-polar": "polar",
	"paypal-transmission-sig": "paypal", // https://developer.paypal.com/api/rest/webhooks/rest/ (PAYPAL-TRANSMISSION-SIG)
}

// SignatureHeader returns the provider whose webhook signature travels in
// the header h (any case).
func SignatureHeader(h string) (string, bool) {
	p, ok := signatureHeaders[strings.ToLower(h)]
	return p, ok
}

// ClerkWebhookSecretEnv are the environment variables Clerk's
// verifyWebhook() and Clerk's docs use for the signing secret, newest
// first: CLERK_WEBHOOK_SIGNING_SECRET (read by verifyWebhook, docs from
// 2025-04), SIGNING_SECRET (docs 2024-11 to 2025-04), WEBHOOK_SECRET (docs
// 2023-05 to 2024-11), NUXT_CLERK_WEBHOOK_SIGNING_SECRET (Nuxt runtime
// config). Sources: clerk/javascript packages/backend/src/webhooks.ts;
// clerk/clerk-docs history of docs/webhooks/sync-data.mdx;
// https://clerk.com/docs/guides/secure/rotate-api-keys.
var clerkWebhookSecretEnv = []string{"CLERK_WEBHOOK_SIGNING_SECRET", "SIGNING_SECRET", "WEBHOOK_SECRET",
	"NUXT_CLERK_WEBHOOK_SIGNING_SECRET", "CLERK_WEBHOOK_SECRET"}

// IsClerkWebhookSecretEnv reports whether an environment variable is one
// Clerk webhook code reads the signing secret from (CLERK_WEBHOOK_SECRET is
// the community spelling, used by clerk/skills).
func IsClerkWebhookSecretEnv(name string) bool { return contains(clerkWebhookSecretEnv, name) }

// clerkWebhookEvents are Clerk's webhook event types by resource; an
// action of "*" admits every action of the resource.
//
// Source: clerk/javascript packages/backend/src/api/resources/Webhooks.ts
// (the WebhookEvent union), https://clerk.com/docs/guides/development/webhooks/overview.
//
// Replaces: rules/webhooks/model.go clerkEventType.
var clerkWebhookEvents = map[string][]string{
	"user":                   {"created", "updated", "deleted"},
	"session":                {"created", "ended", "removed", "revoked", "pending"},
	"organization":           {"created", "updated", "deleted"},
	"organizationMembership": {"*"},
	"organizationInvitation": {"*"},
	"organizationDomain":     {"*"},
	"email":                  {"created"},
	"sms":                    {"created"},
	"role":                   {"created", "updated", "deleted"},
	"permission":             {"created", "updated", "deleted"},
	"waitlistEntry":          {"*"},
	"subscription":           {"*"},
	"subscriptionItem":       {"*"},
	"paymentAttempt":         {"*"},
}

// IsClerkWebhookEvent reports whether s is a Clerk webhook event type
// ("user.created").
func IsClerkWebhookEvent(s string) bool {
	res, action, ok := strings.Cut(s, ".")
	if !ok || action == "" || strings.Contains(action, ".") {
		return false
	}
	for _, a := range clerkWebhookEvents[res] {
		if a == "*" || a == action {
			return true
		}
	}
	return false
}

// clerkWebhookTypes are the payload types the Clerk SDKs export for
// webhook handlers; a trailing "*" admits any suffix, a leading "*" any
// prefix.
//
// Sources: clerk/javascript packages/nextjs/src/server/index.ts (webhook
// type exports re-exported from @clerk/backend), packages/backend/src/api/resources/JSON.ts.
//
// Replaces: rules/webhooks/model.go clerkWebhookType.
var clerkWebhookTypes = []string{"WebhookEvent", "WebhookEventType", "*WebhookEvent", "UserJSON", "DeletedObjectJSON",
	"Organization*JSON", "SessionJSON", "EmailJSON", "SMSMessageJSON", "RoleJSON", "PermissionJSON", "WaitlistEntryJSON",
	"BillingSubscription*JSON", "BillingPaymentAttempt*JSON", "CommercePaymentAttempt*JSON"}

// IsClerkWebhookType reports whether a type name is one of Clerk's webhook
// payload types.
func IsClerkWebhookType(name string) bool {
	for _, t := range clerkWebhookTypes {
		prefix, suffix, star := strings.Cut(t, "*")
		if !star && name == t || star && len(name) >= len(prefix)+len(suffix) &&
			strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// clerkPayloadFields are snake_case fields that only Clerk's webhook
// payloads carry (UserJSON.email_addresses,
// OrganizationMembershipJSON.public_user_data; packages/backend/src/api/resources/JSON.ts).
//
// Replaces: the email_addresses/public_user_data check of
// rules/webhooks/model.go fileSignals.
var clerkPayloadFields = []string{"email_addresses", "public_user_data", "primary_email_address_id", "external_accounts"}

// IsClerkPayloadField reports whether a property name is specific to
// Clerk's webhook payloads.
func IsClerkPayloadField(name string) bool { return contains(clerkPayloadFields, name) }

// ProviderInName returns the webhook provider (other than Clerk and Svix,
// whose signatures the WH rules check by default) that a file or route
// path names as a word ("supabase/functions/paddle-webhook/index.ts" is
// Paddle's, "/api/stripe/webhook" Stripe's), or that a setting name
// names (STRIPE_WEBHOOK_SECRET is Stripe's signing secret, not Clerk's).
// The providers are those of verifiers and signatureHeaders.
func ProviderInName(p string) (string, bool) {
	known := map[string]bool{}
	for _, v := range verifiers {
		known[v.Provider] = true
	}
	for _, pr := range signatureHeaders {
		known[pr] = true
	}
	delete(known, "clerk")
	delete(known, "svix")
	delete(known, "standard-webhooks")
	words := strings.FieldsFunc(strings.ToLower(p), func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') })
	for i, w := range words {
		if known[w] {
			return w, true
		}
		// A two-word provider spelled apart: LEMON_SQUEEZY_WEBHOOK_SECRET,
		// upstash-qstash.
		if i+1 < len(words) {
			if pair := w + words[i+1]; known[pair] {
				return pair, true
			}
			if pair := w + "-" + words[i+1]; known[pair] {
				return pair, true
			}
		}
	}
	return "", false
}

// SvixScheme reports whether a provider's signatures follow the Svix
// scheme Clerk's webhooks use (svix-id/-timestamp/-signature headers, or
// the Standard Webhooks spelling webhook-*, which Svix also verifies).
// Sources: https://clerk.com/docs/guides/development/webhooks/overview
// (Clerk sends webhooks through Svix); standard-webhooks/standard-webhooks
// spec/standard-webhooks.md.
func SvixScheme(provider string) bool {
	return provider == "clerk" || provider == "svix" || provider == "standard-webhooks"
}

// OtherProviderModule returns the webhook provider, other than Clerk's
// Svix scheme, whose verifying SDK the package pkg is (or a subpath of):
// a file importing it receives that provider's webhooks.
func OtherProviderModule(pkg string) (string, bool) {
	for _, v := range verifiers {
		if !SvixScheme(v.Provider) && fromAny(v.Modules, pkg) {
			return v.Provider, true
		}
	}
	return "", false
}

// OtherProviderCall returns the provider, other than Clerk's Svix scheme,
// whose verification call the dotted callee is
// ("stripe.webhooks.constructEvent", "twilio.validateRequest"). Names a
// Svix-scheme verifier also uses (verify) count only with their receiver
// ("webhooks.verify" of @octokit/webhooks), so a Svix instance's verify
// is never another provider's; a method of a provider's client counts with
// its receiver only (webhooks.validate, not schema.validate).
func OtherProviderCall(callee string) (string, bool) {
	segs := strings.Split(callee, ".")
	if len(segs) < 2 {
		return "", false
	}
	last, recv := segs[len(segs)-1], segs[len(segs)-2]
	shared := map[string]bool{}
	for _, v := range verifiers {
		if SvixScheme(v.Provider) {
			shared[v.Name] = true
		}
	}
	for _, v := range verifiers {
		if SvixScheme(v.Provider) || v.Name != last {
			continue
		}
		if v.Receiver == "" && !shared[v.Name] || v.Receiver != "" && strings.EqualFold(v.Receiver, recv) {
			return v.Provider, true
		}
	}
	return "", false
}

// HMACCall is a library call that computes or checks an HMAC, the core of
// a hand-rolled webhook signature check.
type HMACCall struct {
	// Name is the function or method (the callee's last segment).
	Name string
	// Receiver is the segment before Name the call must have ("subtle"
	// of crypto.subtle.sign); "" for any.
	Receiver string
	// AlgorithmArg: the call computes an HMAC only when its first argument
	// names the HMAC algorithm ("HMAC" or { name: "HMAC" }).
	AlgorithmArg bool
	Source       string
}

// hmacCalls are the HMAC computations of Node's crypto module and of Web
// Crypto.
//
// Replaces: rules/webhooks/model.go hmacCall.
var hmacCalls = []HMACCall{
	{Name: "createHmac", Source: "https://nodejs.org/api/crypto.html#cryptocreatehmacalgorithm-key-options"},
	{Name: "sign", Receiver: "subtle", AlgorithmArg: true, Source: "https://developer.mozilla.org/en-US/docs/Web/API/SubtleCrypto/sign"},
	{Name: "verify", Receiver: "subtle", AlgorithmArg: true, Source: "https://developer.mozilla.org/en-US/docs/Web/API/SubtleCrypto/verify"},
}

// HMACCallOf returns the HMAC computation a callee names ("crypto.createHmac",
// "crypto.subtle.sign"; without "()").
func HMACCallOf(callee string) (HMACCall, bool) {
	segs := strings.Split(callee, ".")
	last, recv := segs[len(segs)-1], ""
	if len(segs) > 1 {
		recv = segs[len(segs)-2]
	}
	for _, h := range hmacCalls {
		if h.Name == last && (h.Receiver == "" || h.Receiver == recv) {
			return h, true
		}
	}
	return HMACCall{}, false
}

// ClerkEventField is a field of the `data` object of a Clerk webhook
// event ({ data, object: "event", type }) that names a Clerk user
// (UserJSON): a request body whose `data` carries it is a Clerk event.
type ClerkEventField struct {
	Name string
	// Common marks a field every user API has (username): it says Clerk
	// only with another sign of Clerk (a body the code names Clerk's).
	Common bool
	Source string
}

const clerkUserJSONSource = "https://clerk.com/docs/guides/development/webhooks/overview (event payload: data, object, type; user.created data: email_addresses, first_name, last_name, username, image_url); clerk/javascript packages/backend/src/api/resources/JSON.ts (UserJSON)"

// clerkEventFields are the UserJSON fields of a Clerk event's data, in
// Clerk's snake_case spelling.
var clerkEventFields = []ClerkEventField{
	{"email_addresses", false, clerkUserJSONSource},
	{"primary_email_address_id", false, clerkUserJSONSource},
	{"phone_numbers", false, clerkUserJSONSource},
	{"external_accounts", false, clerkUserJSONSource},
	{"first_name", false, clerkUserJSONSource},
	{"last_name", false, clerkUserJSONSource},
	{"username", true, clerkUserJSONSource},
	{"image_url", false, clerkUserJSONSource},
	{"profile_image_url", false, clerkUserJSONSource},
	{"public_metadata", false, clerkUserJSONSource},
	{"unsafe_metadata", false, clerkUserJSONSource},
	{"private_metadata", false, clerkUserJSONSource},
}

// ClerkEventFieldOf reports whether name is a UserJSON field of a Clerk
// webhook event's data (body.data.email_addresses), and whether it is
// common to every user API (ClerkEventField.Common).
func ClerkEventFieldOf(name string) (common, ok bool) {
	for _, f := range clerkEventFields {
		if f.Name == name {
			return f.Common, true
		}
	}
	return false, false
}

// ClerkEventFieldNames lists the fields of clerkEventFields (a rule's
// keyword prefilter).
func ClerkEventFieldNames() []string {
	out := make([]string, 0, len(clerkEventFields))
	for _, f := range clerkEventFields {
		out = append(out, f.Name)
	}
	return out
}

// WebhookPathWord is a word that, in a file or route path, names a
// webhook receiver by convention.
type WebhookPathWord struct {
	Word   string
	Source string
}

// webhookPathWords are the words a webhook receiver's path carries: the
// docs of Clerk and of the senders whose verifiers are listed above put
// their receivers under a "webhooks" path.
//
// Replaces: rules/webhooks/model.go pathSignal.
var webhookPathWords = []WebhookPathWord{
	{Word: "webhook", Source: "https://clerk.com/docs/guides/development/webhooks/syncing (app/api/webhooks/route.ts, POST /api/webhooks); https://docs.svix.com/receiving/receiving-with-https (a /webhook endpoint)"},
}

// NamesWebhook reports whether a file path, route path or URL pattern
// names a webhook receiver (any case): "app/api/webhooks/clerk/route.ts",
// "/api/webhook".
func NamesWebhook(p string) bool {
	l := strings.ToLower(p)
	for _, w := range webhookPathWords {
		if strings.Contains(l, w.Word) {
			return true
		}
	}
	return false
}

// SvixSignatureHeader reports whether h (any case) is a header of the
// Svix signature scheme Clerk's deliveries carry (svix-id,
// svix-signature, or the Standard Webhooks spelling webhook-*).
func SvixSignatureHeader(h string) bool {
	p, ok := SignatureHeader(h)
	return ok && SvixScheme(p)
}

// SvixSignatureValueHeader reports whether h (any case) is the header of
// the Svix scheme that carries the signature itself (svix-signature, or
// the Standard Webhooks spelling webhook-signature), not its id or
// timestamp.
func SvixSignatureValueHeader(h string) bool {
	return SvixSignatureHeader(h) && strings.HasSuffix(strings.ToLower(h), "-signature")
}

// WebhookKeywords are words at least one of which a file receiving
// Clerk's (Svix-signed) webhooks contains: a webhook path word, the
// Svix-scheme libraries and headers, "clerk", the Clerk payload fields
// and event names (a rule's keyword prefilter; a superset is always
// safe, the model decides).
func WebhookKeywords() []string {
	out := []string{"clerk", "Clerk", "svix"}
	for _, w := range webhookPathWords {
		out = append(out, w.Word, strings.ToUpper(w.Word[:1])+w.Word[1:], strings.ToUpper(w.Word))
	}
	for _, v := range verifiers {
		if SvixScheme(v.Provider) {
			for _, m := range v.Modules {
				if !contains(out, m) && !strings.Contains(m, "/") {
					out = append(out, m)
				}
			}
		}
	}
	out = append(out, clerkPayloadFields...)
	for _, f := range clerkEventFields {
		if !contains(out, f.Name) {
			out = append(out, f.Name)
		}
	}
	var events []string
	for res, actions := range clerkWebhookEvents {
		for _, a := range actions {
			events = append(events, res+"."+strings.TrimSuffix(a, "*"))
		}
	}
	sort.Strings(events)
	return append(out, events...)
}
