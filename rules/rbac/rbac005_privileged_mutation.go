package rbac

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RBAC005 flags privileged Clerk Backend API mutations in request handlers
// that run without an admin or permission check, and writes of the
// application's own role, permission or plan field from request input
// without one.
var RBAC005 = &rules.Rule{
	ID:         "CLK-RBAC-005",
	Name:       "privileged-backend-call-without-admin-check",
	Pack:       rules.PackRBAC,
	Severity:   rules.Critical,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Files:      modelFiles, // JavaScript and Go: the model's entries
	Doc: rules.Doc{
		Title: "privileged Clerk Backend API mutation without an admin check",
		References: []string{
			"https://clerk.com/docs/guides/secure/basic-rbac",
			"https://docs.stripe.com/checkout/fulfillment",
		},
		Text: "Backend API calls such as `users.updateUserMetadata`, `users.deleteUser`, `users.banUser`, " +
			"`organizations.updateOrganizationMembership`, `invitations.createInvitation`, `signInTokens.createSignInToken` " +
			"and `actorTokens.create` (impersonation) run with the instance Secret Key: Clerk does not check who asked. " +
			"When a Route Handler, Server Action, API route, loader or Express handler calls them without first checking " +
			"that the caller is an admin, any signed-in user (often any visitor) can change roles, delete or ban users, " +
			"or mint sign-in tokens for other accounts. An entry that checks nothing at all is reported once, by the unguarded-entry rules, whose finding names the privileged call. Updating the caller's own record with non-privileged fields " +
			"(`users.updateUser(userId, …)` with `userId` from `auth()`) is not reported.\n\n" +
			"The same holds for an application that keeps roles in its own database: a write that sets a `role`, " +
			"`permissions`, `isAdmin` or `plan` field from the request body, form or query, with no admin or permission " +
			"check before it, lets any caller grant themselves that role (a `role` the server chooses, such as a default " +
			"on sign-up, is not reported). A write that sets a plan column to a paid plan (`plan: 'premium'`, `isPro: true`) " +
			"in a handler that calls no payment provider (Stripe, Lemon Squeezy, Paddle, ...) and is no verified webhook " +
			"grants the plan to any signed-in caller for free: fulfil a purchase from the provider's webhook or after " +
			"asking its API about the checkout. The same holds for a response cookie set to a paid entitlement " +
			"(`Set-Cookie: proPaid=true`) in a handler that at most starts a checkout (`stripe.checkout.sessions.create` " +
			"returns the page the customer pays on; nothing is paid yet), whether or not the handler checks the caller.",
		Bad: `'use server'
export async function setRole(formData: FormData) {
  await auth.protect()
  const client = await clerkClient()
  await client.users.updateUserMetadata(formData.get('id') as string, {
    publicMetadata: { role: formData.get('role') },
  })
}`,
		Good: `'use server'
export async function setRole(formData: FormData) {
  const { has } = await auth.protect()
  if (!has({ role: 'org:admin' })) return { message: 'Not authorized' }
  const client = await clerkClient()
  await client.users.updateUserMetadata(formData.get('id') as string, {
    publicMetadata: { role: formData.get('role') },
  })
}`,
	},
	Fix: fixRBAC005,
	Run: runRBAC005,
}

func fixRBAC005(p *project.Model, path string) string {
	check := "`const { has } = await auth.protect(); if (!has({ role: 'org:admin' })) return new Response(null, { status: 403 })`"
	switch {
	case p.DependsOn(path, "@clerk/express"):
		check = "`const { has } = getAuth(req); if (!has({ permission: 'org:users:manage' })) return res.status(403).end()` (or `requireAuth()` plus that check as route middleware)"
	case p.DependsOn(path, "@clerk/nextjs"):
		ver := ""
		if v, ok := p.Version(path, "@clerk/nextjs"); ok && v != nil {
			ver = v.Original()
		}
		if call := knowledge.NextProtectCall(ver); call != "" {
			check = "`const { has } = " + call + "; if (!has({ role: 'org:admin' })) return new Response(null, { status: 403 })`"
		} else {
			check = "`const { userId, has } = auth(); if (!userId || !has({ role: 'org:admin' })) return new Response(null, { status: 403 })`"
		}
	case p.DependsOn(path, "@clerk/fastify"):
		check = "`const { has } = getAuth(request); if (!has({ role: 'org:admin' })) return reply.code(403).send()`"
	default:
		if a, ok := rules.FrameworkAuthOf(p, path); ok {
			check = "`const { userId, has } = " + a.Call + "; if (!userId || !has({ role: 'org:admin' })) throw new Response(null, { status: 403 })` (from " +
				rules.Code(a.From) + ")"
		}
	}
	return "These Backend API calls run with the instance Secret Key. Check that the caller is an admin before calling them: " +
		check + ". Prefer a Custom Permission (`has({ permission: 'org:users:manage' })`) over a role, and never let the " +
		"caller choose an arbitrary target user or organization without that check. A paid plan is set by the payment " +
		"provider's verified webhook (or after retrieving the paid checkout from its API), never by the caller's request alone."
}

func runRBAC005(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil //nolint:nilerr // the context ended
	}
	seen := map[model.Location]bool{}
	for _, e := range es {
		if e.File != pass.File.Path && e.Handler.File != pass.File.Path {
			continue
		}
		v := pass.Model.Guard(pass.Ctx, e)
		if unevaluated(e) || signedByService(v) {
			continue // a middleware the model could not evaluate may check the role; a verified webhook syncs
		}
		fx := pass.Model.Effects(pass.Ctx, e)
		planned := false // one paid-plan grant per entry: its branches set the same plan
		// Nothing checks the caller at all: that is the root cause, and
		// the unguarded-entry rules report it at the entry (the shared
		// exposure policy, which rates a privileged call high), naming
		// the call. An admin check is the second half of the fix, not a
		// second finding. A cookie granting a paid tier is not fixed by
		// a sign-in check: it stays this rule's.
		unguarded := v.Authn == model.AuthnNo && model.Exposed(e, v, fx).Level != model.ExposeNone
		for _, x := range fx.List {
			if x.Authz&model.AuthzRole != 0 || unguarded && x.Kind != model.SetsCookie {
				continue // an admin check before it, or the unguarded-entry rules' finding
			}
			switch {
			case x.Kind == model.ClerkPrivilege && fulfilment(x, fx):
				continue // a purchase's fulfilment: the provider's API confirmed it, the request chose nothing
			case x.Kind == model.ClerkPrivilege && !selfService(x):
			case (x.Kind == model.WritesData || x.Kind == model.SetsCookie) && x.GrantsPaidPlan && (fx.Payment || fx.Incomplete || planned):
				continue // a payment provider's API may confirm the purchase; or reported
			case x.Kind == model.SetsCookie && x.GrantsPaidPlan:
				// A response cookie that says the caller has the paid tier,
				// set with no payment confirmed (at most a checkout started):
				// whoever calls the entry, signed in or not, gets the tier.
			case x.Kind == model.WritesData && x.Grants != "" && v.Authn == model.AuthnYes:
				// The application's own role or plan column, set from the
				// request by a signed-in caller: the same grant as Clerk's
				// publicMetadata.role; or a paid plan set with no payment
				// in the path. Without a sign-in check the missing check
				// is the unguarded-entry rules' finding.
			default:
				continue // the caller's own record with fields they may set, or no grant
			}
			// At the call when the entry's file or its handler's holds
			// it, else at the entry, with the call as related.
			loc, related := x.Location, []rules.Location(nil)
			if x.File != e.File && x.File != e.Handler.File {
				loc, related = model.Location{File: e.File, Line: e.Line}, []rules.Location{{Path: x.File, Line: x.Line}}
			}
			if loc.File != pass.File.Path {
				continue
			}
			if seen[loc] {
				continue
			}
			seen[loc] = true
			planned = planned || x.GrantsPaidPlan
			d := rules.Diagnostic{Line: loc.Line, Related: related, Message: privilegedMessage(e, v, x)}
			if x.GrantsPaidPlan {
				d.Severity = rules.Medium // the application's revenue, not another user's data or power
			}
			pass.Report(d)
		}
	}
	return nil
}

func privilegedMessage(e *model.Entry, v model.Verdict, x model.Effect) string {
	if x.Kind == model.SetsCookie {
		return fmt.Sprintf("%s sets the response cookie %s to a paid entitlement with no payment confirmed before it (starting a checkout is not a payment; no payment provider's API is asked about one and no verified webhook runs), so any caller gets the paid plan without paying",
			rules.Code(e.Label()), rules.Code(x.Grants))
	}
	if x.Kind == model.WritesData && x.GrantsPaidPlan {
		return fmt.Sprintf("%s sets %s to a paid plan with %s, with no payment provider call or verified webhook before it, so any signed-in caller can grant themselves the paid plan",
			entryName(e), rules.Code(x.Grants), rules.Code(x.Call))
	}
	if x.Kind == model.WritesData {
		level := "no admin or permission check"
		if v.Authn == model.AuthnYes {
			level = "only a sign-in check, no admin or permission check"
		}
		return fmt.Sprintf("%s sets %s with %s from the request, with %s before it, so a caller can grant themselves (or anyone) that role or entitlement",
			entryName(e), rules.Code(x.Grants), rules.Code(x.Call), level)
	}
	op := x.Call
	if segs := strings.Split(op, "."); len(segs) > 2 {
		op = strings.Join(segs[len(segs)-2:], ".")
	}
	target := ""
	if src := sources(x); src != "" && (!x.OwnerScoped || x.OwnerFromRequest != "") {
		target = " on a target taken from the request (" + src + ")"
	}
	if x.OwnerScoped && x.OwnerFromRequest == "" {
		target = fmt.Sprintf(" on the caller's own record, writing %s", rules.Code(x.Grants))
	}
	level := "no admin or permission check"
	if v.Authn == model.AuthnYes {
		level = "only a sign-in check, no admin or permission check"
	}
	return fmt.Sprintf("%s calls %s%s with %s before it, so any caller can run this privileged Backend API mutation",
		entryName(e), rules.Code(op), target, level)
}

// entryName names an entry in a message: "route handler `DELETE`",
// "server action `setRole`", "handler `POST /invite`".
func entryName(e *model.Entry) string {
	switch e.Kind {
	case model.RouteHandler:
		return "route handler " + rules.Code(e.Name)
	case model.ServerAction:
		return "server action " + rules.Code(e.Name)
	case model.PagesAPI:
		return "API route " + rules.Code(e.Path)
	case model.Page, model.Layout:
		return string(e.Kind) + " " + rules.Code(e.Path)
	case model.GetServerSideProps:
		return "getServerSideProps of " + rules.Code(e.Path)
	}
	return "handler " + rules.Code(e.Name)
}

// selfService reports a privileged call on the caller's own record (its
// target is the verified identity, no user or organization id comes from
// the request; leaving an organization the caller names is theirs to do)
// that writes no authorization-bearing field: renaming
// oneself, onboarding metadata, deleting one's account, leaving an
// organization.
// fulfilment reports whether a privileged call fulfils a purchase: the
// entry asks a payment provider's API (fx.Payment; starting a checkout
// does not count), and neither the call's arguments nor its target come
// from the request, so a caller can neither point it at another user nor
// choose what it grants: the buyer and the product come from the
// provider's record of the payment.
func fulfilment(x model.Effect, fx model.Effects) bool {
	return fx.Payment && len(x.Request) == 0 && x.OwnerFromRequest == "" && x.Grants == ""
}

func selfService(x model.Effect) bool {
	other := x.OwnerFromRequest != "" && !strings.Contains(strings.ToLower(x.OwnerFromRequest), "org")
	return x.OwnerScoped && !other && x.Grants == ""
}

// unevaluated reports whether a layer in front of the entry could not be
// evaluated: it may be the admin check. The unknown mount of a router no
// file mounts is not one: its routes are judged by what they check.
func unevaluated(e *model.Entry) bool {
	for _, l := range e.Chain {
		if l.Gate == model.GateUnknown && l.Name != model.MountUnknown {
			return true
		}
	}
	return false
}
