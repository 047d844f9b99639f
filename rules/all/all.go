// Package all lists every rule pack. It is the one place a new pack is
// added.
package all

import (
	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/hardening"
)

// Rules returns every rule, packs in checklist order, then the engine's
// own rules.
func Rules() []*rules.Rule {
	var out []*rules.Rule
	for _, pack := range [][]*rules.Rule{
		hardening.Rules,
		rules.EngineRules(),
	} {
		out = append(out, pack...)
	}
	return out
}

// Find returns the rule with the given ID.
func Find(id string) *rules.Rule {
	for _, r := range Rules() {
		if r.ID == id {
			return r
		}
	}
	return nil
}
