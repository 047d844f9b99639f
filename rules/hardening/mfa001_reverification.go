package hardening

import (
	"fmt"
	"regexp"
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
	Keywords: []string{"transfer", "Transfer", "payout", "Payout", "withdraw", "Withdraw", "refund", "Refund",
		"deleteUser", "deleteAccount", "deleteOrganization", "DeleteAccount", "changeEmail", "changePassword",
		"ChangeEmail", "ChangePassword", "apiKeys", "api-key", "api_key", "billing", "Billing", "exportData", "ExportData", "/export"},
	// The lexicon is made of common words: only Clerk-authenticated code counts.
	Requires: []string{"@clerk/", "auth(", "auth.protect", "getAuth", "currentUser", "clerkClient", "clerk"},
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
			"prompt and retry. The rule matches handlers by a sensitive-operation lexicon (names, routes and calls such " +
			"as `users.deleteUser`, `apiKeys.create`, `organizations.deleteOrganization`), so it is a heuristic: " +
			"suppress it where the product accepts the risk.",
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
	return "Require a fresh verification on the server: check `has({ reverification: 'strict' })` on the Auth object and return " +
		"`reverificationErrorResponse('strict')` (or `reverificationError('strict')`) from `@clerk/shared/authorization-errors` when it fails." + tail
}

// sensitiveRe is the sensitive-operation lexicon for names and routes.
var sensitiveRe = regexp.MustCompile(`(?i)(transfer|payout|withdraw|refund|delete[-_]?(account|organi[sz]ation|org|user|me)\b|change[-_]?(email|password)|api[-_]?keys?|billing|export)`)

func runMFA001(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || !f.ImportsFrom(jsast.IsClerkModule) {
		return nil
	}
	for _, e := range f.Entries() {
		if reverified(f, &e) || unauthenticated(pass, e.Fn) {
			continue
		}
		route, readOnly := "", false
		me := entryOfFn(pass, e.Fn)
		if me != nil {
			readOnly = servesReads(me)
			if me.PathKnown && !strings.Contains(e.Name, "/") {
				route = me.Path
			}
		}
		var at *jsast.Node
		what := ""
		conf := rules.LowConfidence
		for _, c := range f.Calls(e.Fn, func(string) bool { return true }) {
			name := strings.TrimSuffix(f.CalleeName(c), "()")
			if call, ok := knowledge.NeedsReverification(name); ok {
				at, what, conf = c, rules.Code(call), rules.MediumConfidence
				break
			}
		}
		if at == nil && !readOnly && me != nil {
			if c, call := moneyCall(pass, f, e.Fn, me); c != nil {
				at, what = c, rules.Code(call)
			}
		}
		if at == nil {
			m := sensitiveRe.FindString(e.Name + " " + route)
			if m == "" || readOnly && !strings.EqualFold(m, "export") {
				continue
			}
			at, what = e.Fn, fmt.Sprintf("a sensitive operation (%s in its name or route)", rules.Code(m))
		}
		if unauthenticated(pass, e.Fn) {
			continue // no check at all: the unguarded-entry rules report that root cause
		}
		pass.Report(rules.Diagnostic{Line: at.Line, Column: at.Col, Confidence: conf,
			Message: fmt.Sprintf("%s %s%s performs %s without requiring reverification (`has({ reverification: 'strict' })`)", e.Kind, rules.Code(e.Name), routeSuffix(route), what)})
	}
	return nil
}

// unauthenticated reports whether the model's entry for the function fn
// lets a signed-out caller through (verdict no): reverification is moot
// there, and the missing authentication is the finding.
func unauthenticated(pass *rules.Pass, fn *jsast.Node) bool {
	me := entryOfFn(pass, fn)
	return me != nil && pass.Model.Guard(pass.Ctx, me).Authn == model.AuthnNo
}

// entryOfFn returns the model's entry whose handler is fn, or nil.
func entryOfFn(pass *rules.Pass, fn *jsast.Node) *model.Entry {
	if pass.Model == nil || fn == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil
	}
	for _, me := range es {
		if me.Fn == fn || me.File == pass.File.Path && (me.Handler.File == pass.File.Path && me.Handler.Line == fn.Line ||
			me.Line <= fn.Line && fn.Line <= me.EndLine) {
			return me
		}
	}
	return nil
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

// reverified reports whether an entry checks reverification on the server,
// or uses auth.protect({ reverification }) (CLK-MFA-002's concern).
func reverified(f *jsast.File, e *jsast.Entry) bool {
	found := false
	check := func(n *jsast.Node) {
		jsast.Walk(n, func(x *jsast.Node) bool {
			if found {
				return false
			}
			switch x.Type {
			case "call_expression":
				name := f.CalleeName(x)
				last := jsast.LastSegment(name)
				if strings.HasPrefix(last, "reverificationError") || strings.Contains(strings.ToLower(last), "reverif") {
					found = true
				}
				for _, a := range jsast.Args(x) {
					if f.ObjectProp(a, "reverification") != nil || f.ObjectProp(a, "__experimental_reverification") != nil {
						found = true
					}
				}
			case "identifier":
				if strings.Contains(strings.ToLower(f.Text(x)), "reverif") {
					found = true
				}
			}
			return true
		})
	}
	check(e.Fn)
	for _, m := range e.Middleware {
		check(m)
	}
	return found
}

// moneyCall returns the call in fn that moves money by the model's
// effects (MovesMoney: knowledge.SendCall's payment calls, followed
// through the application's helpers), and what it calls: the payment
// call itself, or the helper of the entry's own file that reaches it.
func moneyCall(pass *rules.Pass, f *jsast.File, fn *jsast.Node, e *model.Entry) (*jsast.Node, string) {
	calls := f.Calls(fn, func(string) bool { return true })
	for _, x := range pass.Model.Effects(pass.Ctx, e).List {
		if x.Kind != model.MovesMoney {
			continue
		}
		for _, c := range calls {
			name := strings.ReplaceAll(f.CalleeName(c), "()", "")
			if x.File == f.Path && c.Line == x.Line && name == x.Call {
				return c, name
			}
			if len(x.Via) > 0 {
				if helperName(x.Via[0]) == name {
					return c, name
				}
			}
		}
	}
	return nil, ""
}
