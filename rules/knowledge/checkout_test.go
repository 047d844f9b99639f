package knowledge

import "testing"

func TestCheckoutCallAndCacheRecord(t *testing.T) {
	checkouts := []struct {
		pkg, method string
		want        bool
	}{
		{"pg", "connect", true},
		{"pg", "pool.connect", true},
		{"mysql2/promise", "getConnection", true},
		{"@neondatabase/serverless", "connect", true},
		{"pg", "query", false},
		{"@prisma/client", "connect", false},
		{"mongoose", "connect", false},
	}
	for _, c := range checkouts {
		if got := CheckoutCall(c.pkg, c.method); got != c.want {
			t.Errorf("CheckoutCall(%q, %q) = %v, want %v", c.pkg, c.method, got, c.want)
		}
	}
	caches := []struct {
		name string
		want bool
	}{
		{"etf_cache_price", true},
		{"QuoteCache", true},
		{"cached_rates", true},
		{"orders", false},
		{"cachet_settings", false},
		{"", false},
	}
	for _, c := range caches {
		if got := CacheRecord(c.name); got != c.want {
			t.Errorf("CacheRecord(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPaidPlanGrantAndCheckoutStart(t *testing.T) {
	for _, c := range []struct {
		column, literal string
		want            bool
	}{
		{"plan", "premium", true}, {"isPro", "true", true}, {"proPayed", "true", true}, {"pro_paid", "true", true},
		{"hasPremium", "true", true}, {"premiumActive", "true", true}, {"paidUser", "true", true},
		{"proPayed", "false", false}, {"pro", "true", false}, {"isDark", "true", false}, {"hasSeenTour", "true", false},
		{"plan", "free", false}, {"isActive", "true", false}, {"activeUser", "true", false},
	} {
		if got := PaidPlanGrant(c.column, c.literal); got != c.want {
			t.Errorf("PaidPlanGrant(%q, %q) = %v, want %v", c.column, c.literal, got, c.want)
		}
	}
	for _, c := range []struct {
		pkg, call string
		want      bool
	}{
		{"stripe", "stripe.checkout.sessions.create", true}, {"stripe", "checkout.sessions.create", true},
		{"stripe", "stripe.paymentLinks.create", true},
		{"stripe", "stripe.checkout.sessions.retrieve", false}, {"stripe", "stripe.subscriptions.list", false},
		{"@lemonsqueezy/lemonsqueezy.js", "createCheckout", true}, {"@lemonsqueezy/lemonsqueezy.js", "getOrder", false},
		{"openai", "openai.checkout.sessions.create", false},
	} {
		if got := CheckoutStart(c.pkg, c.call); got != c.want {
			t.Errorf("CheckoutStart(%q, %q) = %v, want %v", c.pkg, c.call, got, c.want)
		}
	}
}
