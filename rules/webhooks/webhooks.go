// Package webhooks holds the rules for webhook signature verification
// (checklist item 4): Clerk webhook handlers, which Svix signs, must verify
// the signature over the raw body before trusting the payload, keep the
// signing secret out of code, and be exempted from authentication exactly.
//
// The rules share one model of a webhook handler (model.go): how a handler
// is recognised from the catalog's signals, which calls verify a signature,
// and how verification done by a helper in another file is followed
// (resolve.go).
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
