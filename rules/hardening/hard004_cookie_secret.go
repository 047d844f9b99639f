package hardening

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/redact"
)

// HARD004 flags cookie-signing secrets written in the source: a literal in
// the secrets of a Remix / React Router cookie or cookie session, or a
// literal fallback used when the environment variable is unset.
var HARD004 = &rules.Rule{
	ID:         "CLK-HARD-004",
	Name:       "cookie-secret-hardcoded",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Keywords:   []string{"createCookie", "SessionStorage"},
	Doc: rules.Doc{
		Title: "cookie signing secret hard-coded or with a hard-coded fallback",
		References: []string{
			"https://reactrouter.com/explanation/sessions-and-cookies#signing-cookies",
			"https://remix.run/docs/en/main/utils/cookies#signing-cookies",
		},
		Text: "Remix and React Router sign cookies and cookie sessions with the `secrets` given to `createCookie()` or the " +
			"session storage's `cookie` option; whoever knows a secret can forge the cookie, and a cookie session stores its " +
			"whole data in it. A secret written in the source is public with the repository, and " +
			"`process.env.SESSION_SECRET || 'dev-secret'` silently signs production cookies with that literal whenever the " +
			"variable is missing. Apps that keep state beside Clerk's session (a theme, a cart, an impersonation flag, a " +
			"role cache) then trust data anyone can write.",
		Bad:  "createCookieSessionStorage({ cookie: { name: '__session', secrets: [process.env.SESSION_SECRET || 'change-me'] } })",
		Good: "const secret = process.env.SESSION_SECRET\nif (!secret) throw new Error('SESSION_SECRET is not set')\ncreateCookieSessionStorage({ cookie: { name: '__session', secrets: [secret] } })",
	},
	Fix: func(*project.Model, string) string {
		return "Read the secret from the environment only and fail at start-up when it is missing " +
			"(`if (!process.env.SESSION_SECRET) throw new Error('SESSION_SECRET is not set')`); rotate the literal out by " +
			"putting a new secret first in `secrets` and dropping the old one once existing cookies have expired."
	},
	Run: runHARD004,
}

func runHARD004(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		callee := jsast.Unwrap(call.ChildByField("function"))
		if callee == nil || callee.Type != "identifier" {
			continue
		}
		im, ok := f.ImportOf(f.Text(callee))
		if !ok {
			continue
		}
		signer, ok := knowledge.CookieSignerOf(im.Source, im.Imported)
		if !ok {
			continue
		}
		args := jsast.Args(call)
		if signer.Arg >= len(args) {
			continue
		}
		v := localObjectValue(f, args[signer.Arg])
		for _, key := range strings.Split(signer.Path, ".") {
			v = localObjectValue(f, propThroughSpread(f, v, key, 0))
		}
		if v == nil || v.Type != "array" {
			continue
		}
		for _, el := range v.NamedChildren() {
			el = jsast.Unwrap(el)
			lit, fallback := el, ""
			if el.Type == "binary_expression" && (el.HasChild("||") || el.HasChild("??")) {
				lit, fallback = jsast.Unwrap(el.ChildByField("right")), f.Text(el.ChildByField("left"))
			}
			s, ok := f.StringValue(lit)
			if !ok || s == "" {
				continue
			}
			msg := fmt.Sprintf("%s signs its cookie with a secret written in the source (%s): anyone who reads the repository can forge the cookie",
				rules.Code(im.Imported+"()"), redact.Secret(s))
			if fallback != "" {
				msg = fmt.Sprintf("%s signs its cookie with the literal %s whenever %s is unset: a deployment that misses the variable signs cookies anyone can forge",
					rules.Code(im.Imported+"()"), redact.Secret(s), rules.Code(fallback))
			}
			pass.Report(rules.Diagnostic{Line: lit.Line, Column: lit.Col, Message: msg, Secrets: []string{s},
				Match: "cookie-secret " + im.Imported + " " + fallback})
		}
	}
	return nil
}

// localObjectValue resolves an identifier to the value it is declared with
// at the top level of the file.
func localObjectValue(f *jsast.File, n *jsast.Node) *jsast.Node {
	n = jsast.Unwrap(n)
	if n != nil && n.Type == "identifier" {
		if v := jsast.Unwrap(f.LocalValue(f.Text(n))); v != nil {
			return v
		}
	}
	return n
}

// propThroughSpread is ObjectProp that also looks into spread local
// objects ({ ...options, createData }).
func propThroughSpread(f *jsast.File, obj *jsast.Node, key string, depth int) *jsast.Node {
	if v := f.ObjectProp(obj, key); v != nil || obj == nil || obj.Type != "object" || depth > 2 {
		return v
	}
	for _, c := range obj.NamedChildren() {
		if c.Type != "spread_element" || len(c.NamedChildren()) == 0 {
			continue
		}
		if v := propThroughSpread(f, localObjectValue(f, c.NamedChildren()[0]), key, depth+1); v != nil {
			return v
		}
	}
	return nil
}
