// Package webhooks holds the rules for webhook signature verification
// (checklist item 4): Clerk webhook handlers, which Svix signs, must verify
// the signature over the raw body before trusting the payload, keep the
// signing secret out of code, and be exempted from authentication exactly.
//
// The rules take their handlers from the semantic model's entries
// (pass.Model.EntriesOf) and the middleware in front of a route from the
// entry's chain. They share one model of a webhook handler (model.go): how
// an entry is recognised as a webhook's from the catalog's signals, which
// calls verify a signature, and how verification done by a helper in
// another file is followed (resolve.go).
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
