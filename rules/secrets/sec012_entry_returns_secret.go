package secrets

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC012 reports a server entry point (a route handler, an API route, a
// server route of any framework the model knows) that sends a server
// secret from the environment to a caller nothing authenticates. It asks
// the model: the entry's guard verdict, and its returns-secret effects
// that a signed-out caller reaches.
var SEC012 = &rules.Rule{
	ID:         "CLK-SEC-012",
	Name:       "entry-returns-secret",
	Pack:       rules.PackSecrets,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files:      func(f *source.File) bool { return f.IsJS() && !f.Binary },
	Doc: rules.Doc{
		Title: "server endpoint returns a secret to an unauthenticated caller",
		References: []string{
			"https://clerk.com/docs/guides/development/clerk-environment-variables",
			"https://nextjs.org/docs/app/guides/environment-variables",
		},
		Text: "A server secret kept out of the client bundle leaks anyway when an endpoint sends it back: " +
			"`return new Response(process.env.ADMIN_PASSWORD)` in a route handler that checks no one gives the value to anyone who " +
			"requests the URL. The rule asks the semantic model for each entry point's guard verdict and for the secrets its responses " +
			"carry (a variable named as a key, token, password or connection string, without a public prefix), and reports those a " +
			"signed-out caller reaches.\n\n" +
			"An endpoint that only says whether a setting is present, its length, or compares the value sends no secret. The unguarded " +
			"entry itself is also a CLK-RP finding; this one is about the leaked value, which must be rotated.",
		Bad:  "export async function GET() {\n  return new Response(process.env.ADMIN_PASSWORD)\n}",
		Good: "export async function GET() {\n  return Response.json({ configured: Boolean(process.env.ADMIN_PASSWORD) })\n}",
	},
	Fix: rules.ConstFix("Never send a server secret in a response: check it on the server (compare, sign, call the API with it) and return " +
		"only the result. Rotate the value: anyone who called the endpoint has it."),
	Run: adapt(runSEC012),
}

func runSEC012(pass *rules.Pass, report reportFunc) error {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil //nolint:nilerr // ctx ended: no findings, not a rule failure
	}
	for _, e := range es {
		if e.File != pass.File.Path {
			continue // reported where the entry is
		}
		v := pass.Model.Guard(pass.Ctx, e)
		if v.Authn != model.AuthnNo && v.Authn != model.AuthnPartial {
			continue // guarded, or the model cannot tell: never a flipped verdict
		}
		seen := map[string]bool{}
		var names []string
		for _, x := range pass.Model.Effects(pass.Ctx, e).List {
			if x.Kind != model.ReturnsSecret || x.SignedOut != model.ReachYes {
				continue
			}
			name := strings.TrimPrefix(x.Call, "returns ")
			if !seen[name] {
				seen[name] = true
				names = append(names, rules.Code(name))
			}
		}
		if len(names) == 0 {
			continue
		}
		why := ""
		if v.Why != "" {
			why = " (" + v.Why + ")"
		}
		report(rules.Diagnostic{Line: e.Line, EndLine: e.EndLine, Match: "returns-secret " + e.Label(),
			Message: fmt.Sprintf("%s sends the server secret %s to any caller: nothing authenticates the request%s", rules.Code(e.Label()), strings.Join(names, ", "), why)})
	}
	return nil
}
