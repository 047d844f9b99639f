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

// PaidPlanGrant reports whether setting column to the literal value (a
// string's text, or "true") grants a paid plan: `plan: 'premium'`,
// `isPro: true`.
func PaidPlanGrant(column, literal string) bool {
	c := strings.ToLower(strings.ReplaceAll(column, "_", ""))
	if planColumns[c] == "" {
		return false
	}
	if strings.HasPrefix(c, "is") {
		return literal == "true"
	}
	return paidPlans[strings.ToLower(literal)] != ""
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
