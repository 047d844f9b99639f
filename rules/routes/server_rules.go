package routes

import "github.com/clerkguard/clerkguard/rules"

// serverRules lists the pack's rules for Node servers, React Router,
// Astro, Go backends and hand-rolled token handling, in ID order.
func serverRules() []*rules.Rule {
	return []*rules.Rule{RP007, RP011, RP012, RP013, RP014, RP015, RP016, RP017, RP018, RP021, RP022, RP023}
}
