package knowledge

import "strings"

// Entitlement columns: the fields of the application's own records that
// say what a user has paid for. Setting one to a paid value is the
// fulfillment of a payment ("grant them access to a service",
// https://docs.stripe.com/checkout/fulfillment), which a payment provider
// confirms (a webhook, or the provider's API asked about the checkout);
// a handler that sets it from nothing but the caller's request grants
// the entitlement for free. Clerk Billing makes the plan an
// authorization fact of its own (`has({ plan: 'gold' })`,
// https://clerk.com/docs/guides/billing/for-b2c).

// planColumns are the column names that hold a user's plan or tier,
// lower-cased without `_`.
var planColumns = map[string]string{
	"plan":             "https://clerk.com/docs/guides/billing/for-b2c (Plans a user subscribes to)",
	"tier":             "https://docs.stripe.com/billing/subscriptions/pricing-models/tiered-pricing (tiers)",
	"subscriptionplan": "https://docs.stripe.com/billing/subscriptions/overview (a subscription's plan)",
	"subscriptiontier": "https://docs.stripe.com/billing/subscriptions/overview",
	"plantype":         "https://clerk.com/docs/guides/billing/for-b2c",
	"ispro":            "https://docs.stripe.com/checkout/fulfillment (grant access to a service)",
	"ispremium":        "https://docs.stripe.com/checkout/fulfillment (grant access to a service)",
	"ispaid":           "https://docs.stripe.com/checkout/fulfillment (grant access to a service)",
}

// paidPlans are plan values that name a paid tier (the free and trial
// tiers a sign-up sets by default are not among them).
var paidPlans = map[string]string{
	"pro":        "https://clerk.com/docs/guides/billing/for-b2c (example Plans)",
	"premium":    "https://docs.stripe.com/billing/subscriptions/build-subscriptions (basic and premium example prices)",
	"plus":       "https://docs.stripe.com/billing/subscriptions/overview",
	"gold":       "https://clerk.com/docs/guides/billing/for-b2c (has({ plan: 'gold' }))",
	"paid":       "https://docs.stripe.com/checkout/fulfillment",
	"business":   "https://docs.stripe.com/billing/subscriptions/overview",
	"enterprise": "https://docs.stripe.com/billing/subscriptions/overview",
	"unlimited":  "https://docs.stripe.com/billing/subscriptions/overview",
}

// flagAffixes are the words that make a paid tier's name a yes/no flag
// of having it (hasPremium, proPaid, premiumActive, paidUser): set to
// true, the flag grants the tier like `isPro: true`
// (https://docs.stripe.com/checkout/fulfillment, "grant them access to a
// service").
var flagPrefixes, flagSuffixes = []string{"is", "has"}, []string{"paid", "payed", "active", "unlocked", "access", "user", "member"}

// PaidPlanGrant reports whether setting column to the literal value (a
// string's text, or "true") grants a paid plan: `plan: 'premium'`,
// `isPro: true`, `proPaid: true`.
func PaidPlanGrant(column, literal string) bool {
	c := strings.ToLower(strings.ReplaceAll(column, "_", ""))
	if planColumns[c] == "" {
		return paidFlag(c) && literal == "true"
	}
	if strings.HasPrefix(c, "is") {
		return literal == "true"
	}
	return paidPlans[strings.ToLower(literal)] != ""
}

// paidFlag reports whether a lower-cased column name is a paid tier's
// name with a flag prefix or suffix (flagPrefixes, flagSuffixes); a bare
// tier name ("pro") is not a flag.
func paidFlag(c string) bool {
	rest, affixed := c, false
	for _, p := range flagPrefixes {
		if r, ok := strings.CutPrefix(rest, p); ok && r != "" {
			rest, affixed = r, true
			break
		}
	}
	for _, x := range flagSuffixes {
		if r, ok := strings.CutSuffix(rest, x); ok && r != "" {
			rest, affixed = r, true
			break
		}
	}
	return affixed && paidPlans[rest] != ""
}

// checkoutStarts are the payment provider calls that only start a
// checkout: they create the page or link the customer pays on and return
// its URL, before any payment. Setting the plan in the same handler is
// fulfilment before payment; a provider confirms a payment through its
// webhook or the checkout retrieved afterwards.
var checkoutStarts = map[string]map[string]string{
	"stripe": {
		"checkout.sessions.create":      "https://docs.stripe.com/checkout/fulfillment (fulfil from checkout.session.completed, not when the session is created)",
		"paymentLinks.create":           "https://docs.stripe.com/payment-links/api (a link the customer pays on later)",
		"billingPortal.sessions.create": "https://docs.stripe.com/customer-management/integrate-customer-portal (a portal session, no payment)",
	},
	"@lemonsqueezy/lemonsqueezy.js": {
		"createCheckout": "https://docs.lemonsqueezy.com/api/checkouts/create-checkout (returns the checkout URL; orders arrive by webhook)",
	},
	"@polar-sh/sdk": {
		"checkouts.create": "https://docs.polar.sh/api-reference/checkouts/create-session (a checkout session the customer completes later)",
	},
}

// CheckoutStart reports whether call (as written: "stripe.checkout.sessions.create",
// "createCheckout") of the payment provider SDK pkg only starts a
// checkout (checkoutStarts): it confirms no payment.
func CheckoutStart(pkg, call string) bool {
	for m, calls := range checkoutStarts {
		if !fromAny([]string{m}, pkg) {
			continue
		}
		for c := range calls {
			if call == c || strings.HasSuffix(call, "."+c) {
				return true
			}
		}
	}
	return false
}

// paymentProviders are the payment SDKs whose API confirms a payment: a
// handler that calls one (retrieves the Checkout Session, the
// subscription, the order) may set the plan it paid for.
var paymentProviders = map[string]string{
	"stripe":                        "https://docs.stripe.com/api/checkout/sessions/retrieve",
	"@lemonsqueezy/lemonsqueezy.js": "https://docs.lemonsqueezy.com/api/subscriptions/retrieve-subscription",
	"@paddle/paddle-node-sdk":       "https://developer.paddle.com/api-reference/transactions/get-transaction",
	"@paypal/paypal-server-sdk":     "https://developer.paypal.com/docs/api/orders/v2/#orders_get",
	"@paypal/checkout-server-sdk":   "https://developer.paypal.com/docs/api/orders/v2/#orders_get",
	"@polar-sh/sdk":                 "https://docs.polar.sh/api-reference/checkouts/get-session",
	"razorpay":                      "https://razorpay.com/docs/api/payments/fetch-with-id/",
}

// goPaymentProviders are the Go payment SDK modules (import path prefixes,
// any major version): a call into one fetches the provider's record
// (session.Get(id, params) returns the Checkout Session Stripe holds).
var goPaymentProviders = map[string]string{
	"github.com/stripe/stripe-go": "https://docs.stripe.com/api/checkout/sessions/retrieve?lang=go",
}

// GoPaymentProvider reports whether the Go import path belongs to a
// payment provider's SDK (goPaymentProviders).
func GoPaymentProvider(importPath string) bool {
	for m := range goPaymentProviders {
		if importPath == m || strings.HasPrefix(importPath, m+"/") {
			return true
		}
	}
	return false
}

// PaymentProvider reports whether pkg (a module, or a subpath of one) is
// a payment provider's SDK.
func PaymentProvider(pkg string) bool {
	for m := range paymentProviders {
		if fromAny([]string{m}, pkg) {
			return true
		}
	}
	return false
}
