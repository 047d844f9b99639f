// Package hardening holds the rules for other Clerk hardening: user data in
// HTML sinks, debug logging, and reverification for sensitive operations.
package hardening

import (
	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// Rules is the pack, in ID order.
var Rules = []*rules.Rule{
	HARD001,
	HARD002,
	HARD003,
	HARD004,
	HARD005,
	HARD006,
	HARD007,
	ENUM001,
	ENUM002,
	MFA001,
	MFA002,
	SESS001,
	SESS002,
	SIGNUP001,
	SIGNUP002,
}

// nextVersion is the @clerk/nextjs version the package.json nearest to
// path declares, as written ("" when none or unreadable: the latest),
// for the generated SDK table's lookups.
func nextVersion(p *project.Model, path string) string {
	if v, ok := p.Version(path, "@clerk/nextjs"); ok && v != nil {
		return v.Original()
	}
	return ""
}
