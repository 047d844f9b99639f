package hardening

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/redact"
)

// HARD004 flags a session cookie secret written in the source or that
// falls back to a literal when its environment variable is unset.
var HARD004 = &rules.Rule{
	ID:         "CLK-HARD-004",
	Name:       "session-secret-hardcoded",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Keywords:   []string{"secret"},
	Doc: rules.Doc{
		Title: "session cookie secret hard-coded or with a hard-coded fallback",
		References: []string{
			"https://remix.run/docs/en/main/utils/sessions#createcookiesessionstorage",
			"https://reactrouter.com/dev/api/react-router/CookieSignatureOptions",
			"https://github.com/expressjs/session#secret",
		},
		Text: "Remix's and React Router's `createCookieSessionStorage()`/`createCookie()` sign the session cookie with " +
			"`secrets`, express-session signs its session id cookie with `secret`. A secret written " +
			"`process.env.SESSION_SECRET || 'dev-secret'` is that literal wherever the variable is missing (a preview " +
			"deployment, a new environment): anyone who reads the source signs cookies the server accepts, and what " +
			"the application keeps in the session (a user id next to Clerk's, a role, a redirect) is theirs to choose. " +
			"An empty fallback is not reported: the libraries refuse it. A webhook secret or a token key with a literal " +
			"fallback is CLK-WH-005's or CLK-RP-018's finding.",
		Bad:  "createCookieSessionStorage({ cookie: { name: '__app', secrets: [process.env.SESSION_SECRET || 'dev-secret'] } })",
		Good: "const secret = process.env.SESSION_SECRET\nif (!secret) throw new Error('SESSION_SECRET is not set')\ncreateCookieSessionStorage({ cookie: { name: '__app', secrets: [secret] } })",
	},
	Fix: func(*project.Model, string) string {
		return "Read the secret from the environment without a literal fallback and fail at start-up when it is unset " +
			"(`if (!process.env.SESSION_SECRET) throw new Error('SESSION_SECRET is not set')`); rotate the secret if the " +
			"fallback was ever used in a deployment."
	},
	Run: runHARD004,
}

func runHARD004(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	for _, call := range jsast.Find(f.Root, "call_expression") {
		src, name, ok := f.ImportedCallee(call)
		if !ok {
			continue
		}
		s, ok := knowledge.SessionSecretOf(src, name)
		args := jsast.Args(call)
		if !ok || s.Arg >= len(args) {
			continue
		}
		v := hard004Value(f, args[s.Arg])
		for _, p := range s.Path {
			if v == nil || v.Type != "object" {
				v = nil
				break
			}
			v = hard004Value(f, hard004Prop(f, v, p, 0))
		}
		if v == nil {
			continue
		}
		candidates := []*jsast.Node{v}
		if v.Type == "array" {
			candidates = v.NamedChildren()
		}
		for _, c := range candidates {
			c = hard004Value(f, c)
			env, lit, secret, ok := f.EnvFallback(c)
			if ok {
				pass.Report(rules.Diagnostic{Line: lit.Line, Column: lit.Col, Secrets: []string{secret},
					Match: env + " " + redact.Secret(secret),
					Message: fmt.Sprintf("the session cookie secret of %s falls back to the hard-coded string %s when %s is unset: anyone who reads the source signs session cookies the server accepts",
						rules.Code(f.CalleeName(call)+"()"), rules.Code(redact.Secret(secret)), rules.Code(env))})
				continue
			}
			if secret, ok := f.StringValue(c); ok && secret != "" {
				pass.Report(rules.Diagnostic{Line: c.Line, Column: c.Col, Secrets: []string{secret},
					Match: "literal " + redact.Secret(secret),
					Message: fmt.Sprintf("the session cookie secret of %s is written in the source (%s): anyone who reads the repository signs session cookies the server accepts",
						rules.Code(f.CalleeName(call)+"()"), rules.Code(redact.Secret(secret)))})
			}
		}
	}
	return nil
}

// hard004Value unwraps n and follows an identifier to the value of the
// top-level declaration it names.
func hard004Value(f *jsast.File, n *jsast.Node) *jsast.Node {
	n = jsast.Unwrap(n)
	if n != nil && n.Type == "identifier" {
		if v := jsast.Unwrap(f.LocalValue(f.Text(n))); v != nil {
			return v
		}
	}
	return n
}

// hard004Prop is ObjectProp that also looks into spread local objects
// ({ ...options, createData }).
func hard004Prop(f *jsast.File, obj *jsast.Node, key string, depth int) *jsast.Node {
	if v := f.ObjectProp(obj, key); v != nil || obj == nil || obj.Type != "object" || depth > 2 {
		return v
	}
	for _, c := range obj.NamedChildren() {
		if c.Type != "spread_element" || len(c.NamedChildren()) == 0 {
			continue
		}
		if v := hard004Prop(f, hard004Value(f, c.NamedChildren()[0]), key, depth+1); v != nil {
			return v
		}
	}
	return nil
}
