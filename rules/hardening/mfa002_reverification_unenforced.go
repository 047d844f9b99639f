package hardening

import (
	"bytes"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// MFA002 flags reverification that enforces nothing: has({ reverification })
// whose result is dropped, auth.protect({ reverification }) (a plain 404 the
// client hook cannot act on), and useReverification() in a project whose
// server never checks reverification.
var MFA002 = &rules.Rule{
	ID:         "CLK-MFA-002",
	Name:       "reverification-not-enforced",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  5,
	Keywords:   []string{"reverification", "useReverification"},
	Doc: rules.Doc{
		Title: "reverification requested but not enforced on the server",
		Text: "Reverification only protects an operation when the server refuses it without a fresh verification: " +
			"`if (!has({ reverification: 'strict' })) return reverificationErrorResponse('strict')`. The client hook " +
			"`useReverification()` only reacts to that error (it shows the verification modal and retries); on its own it " +
			"enforces nothing, because anyone can call the endpoint or Server Action directly. A `has({ reverification })` " +
			"call whose result is not used checks nothing. `auth.protect({ reverification })` rejects with a plain 404 " +
			"instead of the reverification error, so the client never gets the chance to reverify.",
		Bad: `// client
const remove = useReverification(() => fetch('/api/account', { method: 'DELETE' }))
// server
export async function DELETE() {
  const { has, userId } = await auth.protect()
  has({ reverification: 'strict' })
  await (await clerkClient()).users.deleteUser(userId)
}`,
		Good: `export async function DELETE() {
  const { has, userId } = await auth.protect()
  if (!has({ reverification: 'strict' })) return reverificationErrorResponse('strict')
  await (await clerkClient()).users.deleteUser(userId)
  return new Response(null, { status: 204 })
}`,
		References: []string{
			"https://clerk.com/docs/guides/secure/reverification",
			"https://clerk.com/docs/references/react/use-reverification",
			"clerk/javascript packages/nextjs/src/server/protect.ts",
			"clerk/javascript packages/shared/src/authorization.ts (reverification presets)",
		},
	},
	Fix: fixMFA001, // the same server-side check
	Run: runMFA002,
}

func runMFA002(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || !f.ImportsFrom(jsast.IsClerkModule) {
		return nil
	}
	var hooks []*jsast.Node
	for _, c := range f.Calls(f.Root, func(string) bool { return true }) {
		name := strings.ReplaceAll(f.CalleeName(c), "()", "")
		args := jsast.Args(c)
		switch last := jsast.LastSegment(name); {
		case last == "useReverification" && f.ResolveClerk(name) != "":
			hooks = append(hooks, c)
		case last == "has" && (name == "has" || strings.Contains(strings.ToLower(name), "auth")) && len(args) > 0 && f.ObjectProp(args[0], "reverification") != nil && resultDropped(c):
			pass.Report(rules.Diagnostic{Line: c.Line, Column: c.Col,
				Message: rules.Code(name+"({ reverification })") + " is called but its result is not used: the operation runs whether or not the user reverified"})
		case last == "protect" && strings.Contains(name, "auth") && len(args) > 0 && f.ObjectProp(args[0], "reverification") != nil:
			pass.Report(rules.Diagnostic{Line: c.Line, Column: c.Col,
				Message: rules.Code(name+"({ reverification })") + " answers a stale session with a plain 404, not the reverification error `useReverification()` needs to prompt and retry"})
		}
	}
	if len(hooks) == 0 || serverChecksReverification(pass) {
		return nil
	}
	for _, c := range hooks {
		pass.Report(rules.Diagnostic{Line: c.Line, Column: c.Col,
			Message: "`useReverification()` wraps a call, but no server code checks `has({ reverification })` or returns `reverificationError`: the step-up is client-side only and the operation can be called without it"})
	}
	return nil
}

// resultDropped reports a call whose value is thrown away: a statement of
// its own (also awaited).
func resultDropped(c *jsast.Node) bool {
	n := c
	for n.Parent != nil && (n.Parent.Type == "await_expression" || n.Parent.Type == "parenthesized_expression") {
		n = n.Parent
	}
	return n.Parent != nil && n.Parent.Type == "expression_statement"
}

// serverChecksReverification reports whether some file of the snapshot
// other than client components checks reverification on the server.
func serverChecksReverification(pass *rules.Pass) bool {
	for _, p := range pass.Paths() {
		src := pass.Get(p)
		if src == nil || !src.IsJS() || !bytes.Contains(src.Content, []byte("reverification")) {
			continue
		}
		if bytes.Contains(src.Content, []byte("useReverification")) && !bytes.Contains(src.Content, []byte("use server")) {
			continue // a client module
		}
		f := pass.AST(src)
		if f == nil {
			return true // unreadable: unknown, so the hook is not reported
		}
		if checksReverification(f) {
			return true
		}
	}
	return false
}

// checksReverification reports whether a module calls one of knowledge's
// reverification checks: has() given the option, with its result used,
// or a reverification error helper.
func checksReverification(f *jsast.File) bool {
	for _, c := range f.Calls(f.Root, func(string) bool { return true }) {
		chk, ok := knowledge.ReverificationCheckOf(jsast.LastSegment(strings.ReplaceAll(f.CalleeName(c), "()", "")))
		if !ok {
			continue
		}
		if chk.Option == "" {
			return true
		}
		if args := jsast.Args(c); len(args) > 0 && f.ObjectProp(args[0], chk.Option) != nil && !resultDropped(c) {
			return true
		}
	}
	return false
}
