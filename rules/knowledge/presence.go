package knowledge

import "bytes"

// clerkMarkers are byte strings whose presence in a file shows that the
// project uses Clerk: the name of a Clerk SDK package in an import, a
// manifest or an import map (every entry of clerkPackages), the prefix of
// Clerk's environment variables, and the hosts of Clerk's Frontend and
// Backend APIs.
//
// Sources: clerkPackages (above); environment variables CLERK_SECRET_KEY,
// CLERK_PUBLISHABLE_KEY, NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
// CLERK_WEBHOOK_SIGNING_SECRET (https://clerk.com/docs/guides/development/clerk-environment-variables);
// Backend API host api.clerk.com (https://clerk.com/docs/reference/backend-api);
// development instances' Frontend API hosts *.clerk.accounts.dev
// (https://clerk.com/docs/guides/development/deployment/production);
// the x-clerk- prefix of the request headers Clerk's SDKs name
// (x-clerk-auth-status, x-clerk-auth-reason, x-clerk-auth-token: clerk/javascript
// packages/backend/src/constants.ts Headers), which code that carries a
// Clerk session token by hand names too (x-clerk-token).
var clerkMarkers = [][]byte{
	[]byte("CLERK_"),
	[]byte("x-clerk-"),
	[]byte("api.clerk.com"),
	[]byte("clerk.accounts.dev"),
}

// MentionsClerk reports whether content names a Clerk SDK, a Clerk
// environment variable or a Clerk API host. A project none of whose files
// does is not a Clerk project, and clerkguard has nothing to say about it.
func MentionsClerk(content []byte) bool {
	if bytes.Contains(content, []byte("@clerk/")) {
		return true
	}
	for _, m := range clerkMarkers {
		if bytes.Contains(content, m) {
			return true
		}
	}
	for _, p := range clerkPackages {
		if bytes.Contains(content, []byte(p)) {
			return true
		}
	}
	return false
}
