// Package hardening holds the rules for other Clerk hardening: user data in
// HTML sinks, debug logging, and reverification for sensitive operations.
package hardening

import "github.com/clerkguard/clerkguard/rules"

// Rules is the pack, in ID order.
var Rules = []*rules.Rule{
	HARD001,
	HARD002,
	HARD003,
	ENUM001,
	ENUM002,
	MFA001,
	MFA002,
	SESS001,
	SESS002,
	SIGNUP001,
	SIGNUP002,
}
