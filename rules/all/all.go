// Package all lists every rule pack. It is the one place a new pack is
// added.
package all

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/hardening"
	"github.com/clerkguard/clerkguard/rules/rbac"
	"github.com/clerkguard/clerkguard/rules/routes"
	"github.com/clerkguard/clerkguard/rules/secrets"
	"github.com/clerkguard/clerkguard/rules/webhooks"
)

// Rules returns every rule, packs in checklist order, then the engine's
// own rules.
func Rules() []*rules.Rule {
	var out []*rules.Rule
	for _, pack := range [][]*rules.Rule{
		routes.Rules,
		secrets.Rules,
		rbac.Rules,
		webhooks.Rules,
		hardening.Rules,
		rules.EngineRules(),
	} {
		out = append(out, pack...)
	}
	return out
}

// Find returns the rule with the given ID, written in any case.
func Find(id string) *rules.Rule {
	for _, r := range Rules() {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}
