package hardening

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// MFA001 flags sensitive server operations (money movement, account or
// organization deletion, credential changes, API key creation, data export)
// that do not require a recent reverification.
var MFA001 = &rules.Rule{
	ID:         "CLK-MFA-001",
	Name:       "sensitive-operation-without-reverification",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.LowConfidence,
	Checklist:  5,
	// The rule asks the model's effects, which may be in any helper: the
	// prefilter is the Clerk import the rule requires.
	Keywords: []string{"@clerk/", "@hono/clerk-auth", "svelte-clerk"},
	Doc: rules.Doc{
		Title: "sensitive operation without server-side reverification",
		References: []string{
			"https://clerk.com/docs/guides/secure/reverification",
		},
		Text: "Clerk's reverification asks a signed-in user to confirm their credentials again before a sensitive action, " +
			"so a hijacked or left-open session cannot move money, delete the account or organization, change the " +
			"email or password, mint API keys or export data. The check has to run on the server: " +
			"`has({ reverification: 'strict' })` in the Route Handler or Server Action, returning " +
			"`reverificationErrorResponse()` / `reverificationError()` so that `useReverification()` on the client can " +
			"prompt and retry. The rule asks the project model what each entry does, through the helpers it calls: a Clerk " +
			"Backend call of Clerk's sensitive-action table on the caller's own account (`users.deleteUser`, `users.updateUser` " +
			"of the password, username or primary identification, MFA, passkey and email changes, `apiKeys.create`, " +
			"`organizations.deleteOrganization`), a payment provider call that moves money, the creation of an API key " +
			"record, and, as a heuristic, a route or handler named for a data export: suppress it where the product " +
			"accepts the risk.",
		Bad: `export async function POST(req: Request) { // app/api/transfer/route.ts
  const { userId } = await auth.protect()
  await payments.transfer(userId, await req.json())
  return Response.json({ ok: true })
}`,
		Good: `import { auth, reverificationErrorResponse } from '@clerk/nextjs/server'

export async function POST(req: Request) {
  const { has, userId } = await auth.protect()
  if (!has({ reverification: 'strict' })) return reverificationErrorResponse('strict')
  await payments.transfer(userId, await req.json())
  return Response.json({ ok: true })
}`,
	},
	Fix: fixMFA001,
	Run: runMFA001,
}

func fixMFA001(p *project.Model, path string) string {
	const tail = " On the client, wrap the call in `useReverification()` so the user is prompted and the request retried. " +
		"Use `'strict_mfa'` where a second factor is mandatory (it falls back to the first factor for users without one)."
	switch {
	case p.DependsOn(path, "@clerk/nextjs"):
		hook := "@clerk/nextjs"
		if knowledge.HasExport("@clerk/nextjs", "./server", "reverificationErrorResponse", nextVersion(p, path)) == knowledge.Absent {
			// The declared version predates reverification: name the
			// release that added it, from the generated table.
			first, ok := knowledge.FirstWith("@clerk/nextjs", "./server", "reverificationErrorResponse")
			if !ok {
				first = "the release that added reverification"
			}
			return "Reverification is not in the @clerk/nextjs version this project declares: upgrade to " + first + " or later (from v6 `auth()` is async), " +
				"then in " + first + "+ require a fresh verification on the server with `import { auth, reverificationErrorResponse, reverificationError } from '@clerk/nextjs/server'` and " +
				"`const { has } = await auth.protect(); if (!has({ reverification: 'strict' })) return reverificationErrorResponse('strict')` in a Route Handler " +
				"(`return reverificationError('strict')` in a Server Action), and on the client wrap the call in `useReverification()` from '" + hook + "' (also " + first + "+) so the user is prompted and the request retried; " +
				"use `'strict_mfa'` where a second factor is mandatory."
		}
		return "Require a fresh verification on the server: `import { auth, reverificationErrorResponse, reverificationError } from '@clerk/nextjs/server'`, then " +
			"`const { has } = await auth.protect(); if (!has({ reverification: 'strict' })) return reverificationErrorResponse('strict')` in a Route Handler " +
			"(`return reverificationError('strict')` in a Server Action)." + strings.Replace(tail, "`useReverification()`", "`useReverification()` from '"+hook+"'", 1)
	case p.DependsOn(path, "@clerk/express"):
		return "Require a fresh verification on the server: `import { getAuth } from '@clerk/express'` and " +
			"`import { reverificationError } from '@clerk/shared/authorization-errors'`, then " +
			"`if (!getAuth(req).has({ reverification: 'strict' })) return res.status(403).json(reverificationError('strict'))`." + tail
	}
	server := "Require a fresh verification on the server: check `has({ reverification: 'strict' })` on the Auth object and return " +
		"`reverificationErrorResponse('strict')` (or `reverificationError('strict')`) from `@clerk/shared/authorization-errors` when it fails."
	for _, pkg := range knowledge.ReverificationHookSDKs() {
		if !p.DependsOn(path, pkg) {
			continue
		}
		declared := ""
		if v, ok := p.Version(path, pkg); ok && v != nil {
			declared = v.Original()
		}
		if knowledge.HasExport(pkg, ".", "useReverification", declared) != knowledge.Absent {
			return server + strings.Replace(tail, "`useReverification()`", "`useReverification()` from '"+pkg+"'", 1)
		}
		// The declared release has no client hook yet: name the one that
		// added it, from the generated export table.
		first, ok := knowledge.FirstWith(pkg, ".", "useReverification")
		if !ok {
			return server + " The " + pkg + " version this project declares has no client hook that prompts the user: upgrade it, then handle the reverification error on the client."
		}
		return server + " The " + pkg + " version this project declares has no `useReverification()`: upgrade to " + first + " or later and wrap the call in `useReverification()` from '" + pkg + "' so the user is prompted and the request retried. " +
			"Use `'strict_mfa'` where a second factor is mandatory (it falls back to the first factor for users without one)."
	}
	return server + tail
}

func runMFA001(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || !f.ImportsFrom(jsast.IsClerkModule) || pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return fmt.Errorf("CLK-MFA-001: entries of %s: %w", pass.File.Path, err)
	}
	for _, me := range es {
		if me.Fn == nil || me.FnFile == nil || me.FnFile.Path != f.Path || jsast.IsNonRequestPath(me.File) {
			continue // a handler another file holds is judged there
		}
		if pass.Model.Reverifies(pass.Ctx, me) || pass.Model.Guard(pass.Ctx, me).Authn == model.AuthnNo {
			continue
		}
		route := ""
		if me.PathKnown && !strings.Contains(me.Name, "/") {
			route = me.Path
		}
		at, what, conf := sensitiveEffect(pass, f, me.Fn, me)
		if at == nil {
			// No effect shows the operation (a bulk export reads like any
			// read): the residual lexicon of operations named by their
			// route or handler (knowledge.SensitiveOperationIn).
			w := knowledge.SensitiveOperationIn(route)
			if w == "" {
				w = knowledge.SensitiveOperationIn(me.Name)
			}
			if w == "" {
				continue
			}
			at, what, conf = me.Fn, fmt.Sprintf("a sensitive operation (%s in its name or route)", rules.Code(w)), rules.LowConfidence
		}
		pass.Report(rules.Diagnostic{Line: at.Line, Column: at.Col, Confidence: conf,
			Message: fmt.Sprintf("%s %s%s performs %s without requiring reverification (`has({ reverification: 'strict' })`)", me.Kind.Noun(), rules.Code(me.Name), routeSuffix(route), what)})
	}
	return nil
}

// sensitiveEffect returns the call in fn (the sensitive call itself, or
// the call of the helper that reaches it) by which the entry performs a
// sensitive operation, by the model's effects: a Clerk Backend call of
// Clerk's sensitive-action table on the caller's own account
// (knowledge.ReverificationCallOf, OwnerScoped: an administrator deleting
// another user is CLK-RBAC-005's concern, not step-up), money movement
// (MovesMoney, not a checkout it only opens), or the creation of a credential record
// (knowledge.CredentialRecord). It returns nil when there is none.
func sensitiveEffect(pass *rules.Pass, f *jsast.File, fn *jsast.Node, e *model.Entry) (*jsast.Node, string, rules.Confidence) {
	readOnly := servesReads(e)
	fx := pass.Model.Effects(pass.Ctx, e)
	for _, x := range fx.List {
		if x.Kind != model.ClerkPrivilege || !x.OwnerScoped {
			continue
		}
		r, ok := knowledge.ReverificationCallOf(x.Call)
		if !ok || len(r.Fields) > 0 && !setsField(pass, x, r.Fields) {
			continue
		}
		if c, _ := effectCall(f, fn, x); c != nil {
			return c, rules.Code(r.Resource + "." + r.Method), rules.MediumConfidence
		}
	}
	if readOnly {
		return nil, "", 0
	}
	for _, x := range fx.List {
		switch {
		case x.Kind == model.MovesMoney && !x.StartsCheckout: // a checkout the payer confirms on the provider's page charges nothing yet
			if c, name := effectCall(f, fn, x); c != nil {
				return c, rules.Code(name), rules.LowConfidence
			}
		case x.Kind == model.WritesData && !x.Selects && (knowledge.CredentialRecord(x.Record) || knowledge.CredentialRecord(x.Table)):
			if c, _ := effectCall(f, fn, x); c != nil {
				return c, "the creation of a credential (" + rules.Code(x.Call) + ")", rules.LowConfidence
			}
		}
	}
	return nil, "", 0
}

// setsField reports whether the call of the effect x sets one of the
// options fields ({ password }, { primaryEmailAddressID }). A file that
// cannot be read sets none: the call is not judged.
func setsField(pass *rules.Pass, x model.Effect, fields []string) bool {
	src := pass.Get(x.File)
	if src == nil {
		return false
	}
	xf := pass.AST(src)
	if xf == nil {
		return false
	}
	for _, c := range xf.Calls(xf.Root, func(string) bool { return true }) {
		if c.Line != x.Line || strings.ReplaceAll(xf.CalleeName(c), "()", "") != x.Call {
			continue
		}
		for _, a := range jsast.Args(c) {
			o := jsast.Unwrap(a)
			if o != nil && o.Type == "identifier" {
				o = jsast.Unwrap(xf.LocalValue(xf.Text(o)))
			}
			for _, k := range fields {
				if o != nil && o.Type == "object" && xf.ObjectProp(o, k) != nil {
					return true
				}
			}
		}
	}
	return false
}

// servesReads reports entries that serve reads: every method safe (GET,
// HEAD, OPTIONS by knowledge.HTTPMethod), loaders, loads and queries.
func servesReads(e *model.Entry) bool {
	switch e.Kind {
	case model.Loader, model.Load, model.LayoutLoad, model.TRPCQuery, model.ConvexQuery:
		return true
	}
	if len(e.Methods) == 0 {
		return false
	}
	for _, name := range e.Methods {
		if m, ok := knowledge.HTTPMethod(strings.ToUpper(name)); !ok || !m.Safe {
			return false
		}
	}
	return true
}

func routeSuffix(route string) string {
	if route == "" {
		return ""
	}
	return " (" + rules.Code(route) + ")"
}

// effectCall returns the call in fn that performs the effect x, and
// what it calls: the call itself, or the call of the helper of the
// entry's own file through which the model reached it (x.Via).
func effectCall(f *jsast.File, fn *jsast.Node, x model.Effect) (*jsast.Node, string) {
	for _, c := range f.Calls(fn, func(string) bool { return true }) {
		name := strings.ReplaceAll(f.CalleeName(c), "()", "")
		if x.File == f.Path && c.Line == x.Line && name == x.Call {
			return c, name
		}
		if len(x.Via) > 0 && helperName(x.Via[0]) == name {
			return c, name
		}
	}
	return nil, ""
}
