package secrets

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC014 reports a Clerk secret (the secret key, a webhook signing
// secret) read from the environment and passed as it is to a logging
// call: the value lands in the server's log, which hosting dashboards,
// log drains and everyone with access to them can read.
var SEC014 = &rules.Rule{
	ID:         "CLK-SEC-014",
	Name:       "secret-written-to-log",
	Pack:       rules.PackSecrets,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files:      func(f *source.File) bool { return !f.Binary && (f.IsJS() || f.Lang == source.LangAstro) },
	Keywords:   []string{"CLERK_SECRET_KEY", "CLERK_API_KEY", "WEBHOOK"},
	Doc: rules.Doc{
		Title: "Clerk secret written to the server log",
		References: []string{
			"https://clerk.com/docs/guides/development/clerk-environment-variables",
			"https://developer.mozilla.org/en-US/docs/Web/API/console/log_static",
		},
		Text: "A debugging line such as `console.log('key:', process.env.CLERK_SECRET_KEY)` writes the secret key into the server's " +
			"log on every request that runs it. Logs are kept by the host (Vercel, Netlify, Cloudflare dashboards), shipped to log " +
			"drains and error trackers, and read by people who are not meant to hold the key, which grants full Backend API " +
			"access. The rule reports a Clerk secret key or webhook signing secret variable passed to a console or logger method as it " +
			"is, in a template or concatenated. Logging only whether it is set (`Boolean(...)`, `!!`, a comparison), its length or a " +
			"transformed value is not reported.",
		Bad:  "console.log('CLERK_SECRET_KEY:', process.env.CLERK_SECRET_KEY)",
		Good: "console.log('Clerk secret key configured:', Boolean(process.env.CLERK_SECRET_KEY))",
	},
	Fix: rules.ConstFix("Remove the value from the log call (log whether it is set, e.g. `Boolean(process.env.CLERK_SECRET_KEY)`), " +
		"delete the logs that hold it, and rotate the secret in the Clerk Dashboard: anyone who read the logs has it."),
	Run: adapt(runSEC014),
}

func runSEC014(pass *rules.Pass, report reportFunc) error {
	af := pass.AST(pass.File)
	if af == nil {
		return nil
	}
	for _, call := range af.Calls(af.Root, knowledge.LogCall) {
		args := call.ChildByField("arguments")
		if args == nil {
			continue
		}
		jsast.Walk(args, func(n *jsast.Node) bool {
			if n.Type != "member_expression" && n.Type != "subscript_expression" {
				return true
			}
			obj, prop := envAccess(af, n)
			if !envObject(obj) || !knowledge.IsClerkSecretKeyEnv(prop) && !knowledge.IsClerkWebhookSecretEnv(prop) {
				return true
			}
			if loggedAsIs(n, args) {
				report(rules.Diagnostic{Line: n.Line, Column: n.Col, Match: af.CalleeName(call) + " " + prop,
					Message: fmt.Sprintf("%s writes %s to the server log: whoever reads the logs gets the secret", rules.Code(af.CalleeName(call)+"()"), rules.Code(prop))})
			}
			return false
		})
	}
	return nil
}

// envObject reports the environment objects a setting is read from.
func envObject(obj string) bool {
	return obj == "process.env" || obj == "import.meta.env" || obj == "Bun.env"
}

// loggedAsIs reports whether the value at n reaches the log call's
// arguments unchanged: as an argument, in a template literal, or
// concatenated, through parentheses and TypeScript assertions.
func loggedAsIs(n, args *jsast.Node) bool {
	for p := n.Parent; p != nil && p != args; p = p.Parent {
		switch p.Type {
		case "template_substitution", "template_string", "parenthesized_expression", "non_null_expression",
			"as_expression", "satisfies_expression":
		case "binary_expression":
			if op := p.ChildByField("operator"); op == nil || op.Type != "+" {
				return false
			}
		case "object", "pair", "shorthand_property_identifier", "array":
			// { key: process.env.CLERK_SECRET_KEY }: logged as the object's member
		default:
			return false
		}
	}
	return true
}
