package hardening

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// SIGNUP001 flags an email-domain restriction done in application code
// where Clerk's allowlist belongs: a domain check in front of a client-side
// signUp.create(), a user.created webhook that deletes or bans users of
// other domains, and access granted by the domain of any of a user's email
// addresses without checking that the address is verified.
var SIGNUP001 = &rules.Rule{
	ID:         "CLK-SIGNUP-001",
	Name:       "email-domain-restriction-in-app-code",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  8,
	Keywords:   []string{"endsWith", "split('@')", "split(\"@\")", "@"},
	Requires:   []string{"signUp", "user.created", "emailAddresses"},
	Doc: rules.Doc{
		Title: "email-domain restriction enforced in app code instead of Clerk's allowlist",
		Text: "Restricting sign-up to a company domain in the sign-up form is bypassable: Clerk's Frontend API accepts the " +
			"sign-up from any client, so the check never runs for an attacker. Deleting users of other domains in a " +
			"`user.created` webhook acts after the account exists and has a session (and the webhook may be delayed or " +
			"retried). Granting access because one of `user.emailAddresses` ends with `@company.com` trusts an address the " +
			"user can add to their account without proving they own it, until `verification.status` is `verified`. " +
			"Clerk enforces domain restrictions itself: the Allowlist (`*@company.com`) or Invite-only mode, which users " +
			"cannot bypass by changing their identifier.",
		Bad: `if (!email.endsWith('@acme.com')) return setError('Company email required')
await signUp.create({ emailAddress: email, password })

// server: any address counts, verified or not
const staff = user.emailAddresses.some((e) => e.emailAddress.endsWith('@acme.com'))`,
		Good: `// Dashboard → Configure → Restrictions → Allowlist: *@acme.com (or Invite-only)
// server, when the domain grants access:
const staff = user.emailAddresses.some(
  (e) => e.verification?.status === 'verified' && e.emailAddress.endsWith('@acme.com'),
)`,
		References: []string{
			"https://clerk.com/docs/guides/secure/restricting-access",
			"https://clerk.com/docs/references/javascript/types/email-address",
			"https://clerk.com/docs/references/backend/allowlist-identifiers/create-allowlist-identifier",
		},
	},
	Fix: func(p *project.Model, path string) string {
		return "Enforce the domain in Clerk: Dashboard → Configure → Restrictions → Allowlist with `*@yourdomain.com` (or " +
			"Invite-only), or through the Backend API client's `allowlistIdentifiers.createAllowlistIdentifier({ identifier: '*@yourdomain.com', notify: false })`. " +
			"Where a domain grants access in code, only count addresses whose `verification.status === 'verified'` " +
			"(or the `primaryEmailAddress`)."
	},
	Run: runSIGNUP001,
}

func runSIGNUP001(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || !f.ImportsFrom(jsast.IsClerkModule) && !strings.Contains(string(pass.File.Content), "user.created") {
		return nil
	}
	checks := domainChecks(f)
	if len(checks) == 0 {
		return nil
	}
	signUp := len(f.Calls(f.Root, func(n string) bool { return strings.HasSuffix(n, "signUp.create") })) > 0
	var removals []*jsast.Node
	if hasString(f, "user.created") {
		removals = f.Calls(f.Root, func(n string) bool {
			last := jsast.LastSegment(n)
			return strings.HasSuffix(strings.ReplaceAll(n, "()", ""), "users."+last) && (last == "deleteUser" || last == "banUser")
		})
	}
	for _, c := range checks {
		recv := statementText(f, c)
		switch {
		case strings.Contains(recv, "emailAddresses") && !strings.Contains(recv, "primaryEmailAddress") && !verifiedNearby(f, c):
			pass.Report(rules.Diagnostic{Line: c.Line, Column: c.Col, Severity: rules.High,
				Message: "access is decided by the domain of an address in `emailAddresses` without checking `verification.status === 'verified'`: a user can add an address of that domain without owning it"})
		case len(removals) > 0:
			r := removals[0]
			pass.Report(rules.Diagnostic{Line: r.Line, Column: r.Col,
				Message: "the `user.created` webhook removes users whose email domain is not allowed, after the account and its session exist: restrict sign-up with Clerk's allowlist instead"})
			return nil
		case signUp:
			pass.Report(rules.Diagnostic{Line: c.Line, Column: c.Col,
				Message: "the sign-up form checks the email domain before `signUp.create()`, which anyone can call without the form: restrict sign-up with Clerk's allowlist or Invite-only mode"})
			return nil
		}
	}
	return nil
}

// domainChecks finds tests of an email's domain: x.endsWith('@acme.com'),
// x.split('@')[1] === 'acme.com', /@acme\.com$/.test(x).
func domainChecks(f *jsast.File) []*jsast.Node {
	var out []*jsast.Node
	for _, c := range f.Calls(f.Root, func(string) bool { return true }) {
		args := jsast.Args(c)
		fn := c.ChildByField("function")
		if fn == nil || fn.Type != "member_expression" {
			continue
		}
		switch f.Text(fn.ChildByField("property")) { // x[0].endsWith has no dotted name
		case "endsWith":
			if len(args) > 0 {
				if v, ok := f.StringValue(args[0]); ok && strings.HasPrefix(v, "@") && strings.Contains(v, ".") {
					out = append(out, c)
				} else if !ok && strings.Contains(f.Text(args[0]), "@") {
					out = append(out, c) // `@${domain}`
				}
			}
		case "test":
			if re := jsast.Unwrap(fn.ChildByField("object")); re != nil && re.Type == "regex" && strings.Contains(f.Text(re), "@") && strings.Contains(f.Text(re), "$") {
				out = append(out, c)
			}
		case "split":
			if len(args) > 0 {
				if v, ok := f.StringValue(args[0]); ok && v == "@" {
					// the domain part compared: x.split('@')[1] === 'acme.com'
					if p := c.Parent; p != nil && p.Type == "subscript_expression" && f.Text(p.ChildByField("index")) == "1" && isComparison(f, p.Parent) {
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}

// isComparison reports an equality test.
func isComparison(f *jsast.File, n *jsast.Node) bool {
	if n == nil || n.Type != "binary_expression" {
		return false
	}
	switch f.Text(n.ChildByField("operator")) {
	case "===", "!==", "==", "!=":
		return true
	}
	return false
}

// verifiedNearby reports whether the function around a check looks at the
// address's verification.
func verifiedNearby(f *jsast.File, n *jsast.Node) bool {
	scope := jsast.EnclosingFunction(n)
	for scope != nil && !strings.Contains(f.Text(scope), "verification") {
		next := jsast.EnclosingFunction(scope)
		if next == nil {
			return false
		}
		scope = next
	}
	return scope != nil
}

// statementText is the text of the statement a check is part of (the
// condition of an if): where the checked address comes from.
func statementText(f *jsast.File, n *jsast.Node) string {
	for p := n.Parent; p != nil; p = p.Parent {
		switch p.Type {
		case "if_statement":
			return f.Text(p.ChildByField("condition"))
		case "lexical_declaration", "variable_declaration", "expression_statement", "return_statement":
			return f.Text(p)
		}
	}
	return f.Text(n)
}

// hasString reports whether a string literal with value v occurs in f.
func hasString(f *jsast.File, v string) bool {
	for _, s := range jsast.Find(f.Root, "string") {
		if x, _ := f.StringValue(s); x == v {
			return true
		}
	}
	return false
}
