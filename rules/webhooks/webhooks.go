// Package webhooks holds the rules for webhook signature verification
// (checklist item 4): Clerk webhook handlers, which Svix signs, must verify
// the signature over the raw body before trusting the payload, keep the
// signing secret out of code, and be exempted from authentication exactly.
//
// The rules take their handlers from the semantic model's entries
// (pass.Model.EntriesOf) and the middleware in front of a route from the
// entry's chain. Whether a handler receives webhooks, whose, and whether
// and where it verifies them is the model's answer (pass.Model.Webhook,
// WebhookFunc, WebhookFile; WebhookVerifications follows verification
// into helpers in other files); the pack holds the policy: which
// combination of those facts is which rule, the messages and the fixes.
package webhooks

import "github.com/clerkguard/clerkguard/rules"

// Rules is the pack, in ID order.
var Rules = []*rules.Rule{
	WH001,
	WH002,
	WH003,
	WH004,
	WH005,
	WH006,
}
