package rbac

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
)

// RBAC012 reports a middleware that hands its handlers the caller's
// identity as a field of the Clerk User the user can change or give up
// (username, e-mail, names) instead of the user id. Which fields those
// are is knowledge.ReassignableUserField; which stores are the verified
// identity, and which handlers read them, is the model's answer
// (Model.ReassignableIdentities).
var RBAC012 = &rules.Rule{
	ID:         "CLK-RBAC-012",
	Name:       "identity-keyed-by-reassignable-field",
	Pack:       rules.PackRBAC,
	Severity:   rules.Low,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Keywords:   []string{"locals"},
	Doc: rules.Doc{
		Title: "caller identified to handlers by a username or e-mail, not the user id",
		References: []string{
			"https://clerk.com/docs/reference/backend/user/update-user",
			"https://clerk.com/docs/reference/backend/types/backend-user",
			"https://docs.astro.build/en/guides/middleware/#storing-data-in-contextlocals",
		},
		Text: "A middleware that verifies the session and then stores the caller for its handlers as " +
			"`locals.auth = { userName: user.username }` leaves the handlers nothing but the username to key the caller's " +
			"records by. A Clerk username (like an e-mail address, a phone number or a name) is the user's to change or " +
			"remove, and once let go another account can claim it: that account then reads and writes every record the " +
			"previous holder left under it, and a user without a username has no key at all. The user id never changes " +
			"and is never reused. Reported at the store when the stored object holds no user id and a module reads the " +
			"field back; an object that carries the id next to the name is not reported.",
		Bad: "const { username } = await clerk.users.getUser(auth.userId)\n" +
			"context.locals.auth = { userName: username }\n" +
			"// handler: db.insert(Notes).values({ userName: locals.auth.userName, text })",
		Good: "context.locals.auth = { userId: auth.userId, userName: username }\n" +
			"// handler: db.insert(Notes).values({ userId: locals.auth.userId, text })",
	},
	Fix: rules.ConstFix("Store the verified user id (the Auth object's `userId`) with the identity and key the caller's records by it; " +
		"keep the username for display only."),
	Run: runRBAC012,
}

func runRBAC012(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || pass.Model == nil {
		return nil
	}
	for _, r := range pass.Model.ReassignableIdentities(pass.Ctx, f) {
		var related []rules.Location
		for _, at := range r.Reads {
			related = append(related, rules.Location{Path: at.File, Line: at.Line})
		}
		first := r.Reads[0]
		pass.Report(rules.Diagnostic{Line: r.Store.Line, Related: related,
			Message: fmt.Sprintf("the caller is handed to handlers as %s, the Clerk user's %s, with no user id (read at %s:%d): the user can change or give up a %s and another account can then claim it and the records keyed by it; key records by the user id",
				rules.Code("locals."+r.Prop+"."+r.Key), rules.Code(r.Field), first.File, first.Line, r.Field)})
	}
	return nil
}
