package routes

import "github.com/clerkguard/clerkguard/rules"

// nextRules lists the pack's Next.js rules, in ID order.
func nextRules() []*rules.Rule {
	return []*rules.Rule{RP001, RP002, RP003, RP004, RP005, RP006, RP008, RP009, RP010, RP019}
}
