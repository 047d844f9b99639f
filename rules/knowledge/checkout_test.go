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
