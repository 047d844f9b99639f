package rbac

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RBAC005 flags privileged Clerk Backend API mutations in request handlers
// that run without an admin or permission check.
var RBAC005 = &rules.Rule{
	ID:         "CLK-RBAC-005",
	Name:       "privileged-backend-call-without-admin-check",
	Pack:       rules.PackRBAC,
	Severity:   rules.Critical,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Keywords: []string{"updateUser", "deleteUser", "banUser", "lockUser", "Membership", "updateOrganization",
		"createInvitation", "createSignInToken", "actorTokens", "allowlistIdentifiers", "jwtTemplates", "apiKeys"},
	Doc: rules.Doc{
		Title: "privileged clerk backend api mutation without an admin check",
		Text: "Backend API calls such as `users.updateUserMetadata`, `users.deleteUser`, `users.banUser`, " +
			"`organizations.updateOrganizationMembership`, `invitations.createInvitation`, `signInTokens.createSignInToken` " +
			"and `actorTokens.create` (impersonation) run with the instance Secret Key: Clerk does not check who asked. " +
			"When a Route Handler, Server Action, API route, loader or Express handler calls them without first checking " +
			"that the caller is an admin, any signed-in user (often any visitor) can change roles, delete or ban users, " +
			"or mint sign-in tokens for other accounts. Updating the caller's own record with non-privileged fields " +
			"(`users.updateUser(userId, …)` with `userId` from `auth()`) is not reported.",
		Bad: `'use server'
export async function setRole(formData: FormData) {
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
	case p.DependsOn(path, "@clerk/nextjs") && !p.NextEra(path).AsyncAuth():
		check = "`const { has } = auth().protect(); if (!has({ role: 'org:admin' })) return new Response(null, { status: 403 })`"
	case p.DependsOn(path, "@clerk/fastify"):
		check = "`const { has } = getAuth(request); if (!has({ role: 'org:admin' })) return reply.code(403).send()`"
	}
	return "These Backend API calls run with the instance Secret Key. Check that the caller is an admin before calling them: " +
		check + ". Prefer a Custom Permission (`has({ permission: 'org:users:manage' })`) over a role, and never let the " +
		"caller choose an arbitrary target user or organization without that check."
}

// privileged maps Backend API resources to their privileged methods ("*" =
// every mutating method).
var privileged = map[string]map[string]bool{
	"users": {"updateUser": true, "updateUserMetadata": true, "deleteUser": true, "banUser": true, "lockUser": true,
		"unbanUser": true, "unlockUser": true, "disableUserMFA": true, "verifyPassword": false},
	"organizations": {"createOrganizationMembership": true, "updateOrganizationMembership": true,
		"deleteOrganizationMembership": true, "updateOrganizationMembershipMetadata": true, "updateOrganization": true,
		"updateOrganizationMetadata": true, "deleteOrganization": true},
	"invitations":          {"createInvitation": true, "createInvitationBulk": true},
	"signInTokens":         {"createSignInToken": true},
	"actorTokens":          {"create": true},
	"allowlistIdentifiers": {"*": true},
	"blocklistIdentifiers": {"*": true},
	"jwtTemplates":         {"*": true},
	"apiKeys":              {"create": true},
}

// privilegedCall returns "resource.method" when call is a privileged
// Backend API mutation.
func privilegedCall(f *jsast.File, call *jsast.Node) string {
	name := f.CalleeName(call)
	parts := strings.Split(name, ".")
	if len(parts) < 2 {
		return ""
	}
	res, method := parts[len(parts)-2], parts[len(parts)-1]
	ms, ok := privileged[res]
	if !ok {
		return ""
	}
	if ms["*"] {
		switch {
		case strings.HasPrefix(method, "get"), strings.HasPrefix(method, "list"), strings.HasPrefix(method, "verify"):
			return ""
		}
		return res + "." + method
	}
	if ms[method] {
		return res + "." + method
	}
	return ""
}

func runRBAC005(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || !f.ImportsFrom(jsast.IsClerkModule) {
		return nil
	}
	entries := f.Entries()
	if len(entries) == 0 {
		return nil
	}
	g := guard{pass: pass, f: f}
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		op := privilegedCall(f, call)
		if op == "" {
			continue
		}
		e, ok := jsast.EntryOf(entries, call)
		check := NoCheck
		if ok {
			check = g.Before(&e, call)
		} else {
			var site *jsast.Node
			e, site, ok = callingEntry(f, entries, call)
			if !ok {
				continue
			}
			check = max(g.Before(&e, site), g.Before(nil, call))
		}
		if check >= AuthzCheck {
			continue
		}
		id := identityIn(f, jsast.EnclosingFunction(call))
		fl := flow{f: f, entry: &e}
		if selfService(f, id, fl, op, call) {
			continue
		}
		target := ""
		if args := jsast.Args(call); len(args) > 0 {
			if src := fl.requestSource(args[0]); src != "" {
				target = fmt.Sprintf(" on a target taken from the request (%s)", rules.Code(src))
			}
		}
		level := "no admin or permission check"
		if check == AuthnCheck {
			level = "only a sign-in check, no admin or permission check"
		}
		pass.Report(rules.Diagnostic{Line: call.Line, EndLine: call.Line, Column: call.Col,
			Message: fmt.Sprintf("%s %s calls %s%s with %s before it, so any caller can run this privileged Backend API mutation", e.Kind, rules.Code(e.Name), rules.Code(op), target, level)})
	}
	return nil
}

// callingEntry finds an entry that calls the top-level function holding
// call, for privileged calls made from a local helper.
func callingEntry(f *jsast.File, entries []jsast.Entry, call *jsast.Node) (jsast.Entry, *jsast.Node, bool) {
	fn := jsast.EnclosingFunction(call)
	for fn != nil && jsast.EnclosingFunction(fn) != nil {
		fn = jsast.EnclosingFunction(fn)
	}
	if fn == nil {
		return jsast.Entry{}, nil, false
	}
	name := jsast.FunctionName(f, fn)
	for _, e := range entries {
		if sites := f.Calls(e.Fn, func(n string) bool { return n == name }); len(sites) > 0 {
			return e, sites[0], true
		}
	}
	return jsast.Entry{}, nil, false
}

// authzKeys are metadata keys that grant something.
var authzKeys = map[string]bool{"role": true, "roles": true, "isAdmin": true, "admin": true, "permissions": true,
	"permission": true, "plan": true, "tier": true, "credits": true, "subscription": true, "isPro": true, "isStaff": true}

// selfService reports a call that acts on the caller's own record with
// fields the caller may set: leaving an organization, deleting one's
// account, updating one's name or onboarding metadata.
func selfService(f *jsast.File, id identity, fl flow, op string, call *jsast.Node) bool {
	args := jsast.Args(call)
	if len(args) == 0 {
		return false
	}
	switch op {
	case "users.updateUser", "users.updateUserMetadata":
		if !id.Is(args[0]) || len(args) < 2 {
			return false
		}
		for _, key := range []string{"publicMetadata", "privateMetadata"} {
			md := f.ObjectProp(args[1], key)
			if md == nil {
				continue
			}
			if jsast.Unwrap(md).Type != "object" {
				if fl.requestSource(md) != "" {
					return false // the caller writes their own metadata wholesale
				}
				continue
			}
			for _, k := range f.ObjectKeys(md) {
				v := jsast.Unwrap(f.ObjectProp(md, k))
				if authzKeys[k] && v != nil && fl.requestSource(v) != "" {
					return false
				}
			}
		}
		return true
	case "users.deleteUser":
		return id.Is(args[0])
	case "organizations.deleteOrganizationMembership":
		u := f.ObjectProp(args[0], "userId")
		return u != nil && id.Is(u)
	}
	return false
}
