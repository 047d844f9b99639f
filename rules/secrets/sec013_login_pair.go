package secrets

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC013 reports an account's login and password written as literals
// into the request a server or client module sends: an object literal
// with a password and a user name, both string literals, passed to a call
// (the body of a fetch, a sign-in call). A form's initial state, a schema
// message or a value read from the environment is not one.
var SEC013 = &rules.Rule{
	ID:         "CLK-SEC-013",
	Name:       "login-credentials-hard-coded",
	Pack:       rules.PackSecrets,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  2,
	Files: func(f *source.File) bool {
		return f.IsJS() && !f.Binary && !jsast.IsNonRequestPath(f.Path) && !demoDir.MatchString(f.Path)
	},
	Keywords: []string{"password", "Password", "passwd", "pwd"},
	Doc: rules.Doc{
		Title: "account login and password hard-coded in a request",
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/798.html",
		},
		Text: "An account's user name and password written into the code that logs in (`fetch(url, { body: JSON.stringify({ login: " +
			"'ops', password: 'S3cr3t!' }) })`, `signIn.create({ identifier, password })` with literals) are readable by everyone with the " +
			"repository, and, in a client module, by everyone who loads the page. Clerk keeps user credentials out of application code; " +
			"a third-party API account's password belongs in the server's secret store.\n\n" +
			"Reported: an object literal passed to a call whose password key (`password`, `passwd`, `pwd`) and user key (`login`, " +
			"`username`, `user`, `email`, `identifier`) both hold string literals, the password at least 6 characters without spaces. " +
			"Not reported: tests, fixtures, seed and migration scripts, examples and demos, placeholders, demo or guest accounts, and " +
			"values read from the environment or from a form.",
		Bad:  "await fetch(url, { method: 'POST', body: JSON.stringify({ login: 'fleet', password: 'S3cr3t-2030' }) })",
		Good: "await fetch(url, { method: 'POST', body: JSON.stringify({ login: process.env.FLEET_LOGIN, password: process.env.FLEET_PASSWORD }) })",
	},
	Fix: rules.ConstFix("Change the account's password, remove it from the code and its history, and read both values from server-side " +
		"environment variables; never send them from client code."),
	Run: localOnly(runSEC013),
}

var (
	passwordKey = regexp.MustCompile(`(?i)^(?:password|passwd|pwd)$`)
	userKey     = regexp.MustCompile(`(?i)^(?:login|username|user_?name|user|email|identifier)$`)
	// demoAccount marks accounts published on purpose (a "try the demo"
	// button) and documentation values.
	demoAccount = regexp.MustCompile(`(?i)demo|guest|test|example|sample|admin123|password|secret|123456|qwerty`)
)

func runSEC013(pass *rules.Pass, report reportFunc) error {
	af := pass.AST(pass.File)
	if af == nil {
		return nil
	}
	jsast.Walk(af.Root, func(n *jsast.Node) bool {
		if n.Type != "object" || !callArgument(af, n) {
			return true
		}
		var pw, user *jsast.Node
		var pwVal, userVal string
		for _, p := range n.NamedChildren() {
			if p.Type != "pair" {
				continue
			}
			key := af.Text(p.ChildByField("key"))
			if s, ok := af.StringValue(p.ChildByField("key")); ok {
				key = s
			}
			v, ok := af.StringValue(p.ChildByField("value"))
			if !ok {
				continue
			}
			switch {
			case passwordKey.MatchString(key):
				pw, pwVal = p, v
			case userKey.MatchString(key):
				user, userVal = p, v
			}
		}
		if pw == nil || user == nil || !realLoginPassword(pwVal) || userVal == "" || demoAccount.MatchString(userVal) {
			return true
		}
		report(rules.Diagnostic{Line: pw.Line, Column: pw.Col, Secrets: []string{pwVal}, Match: "login-pair " + af.Text(user.ChildByField("key")),
			Message: fmt.Sprintf("a login and its password (%s) are hard-coded in the request this call sends", redact.Secret(pwVal))})
		return true
	})
	return nil
}

// callArgument reports whether an object literal is sent by a call: an
// argument of it, possibly through JSON.stringify or as the `body`/`data`
// of its options.
func callArgument(af *jsast.File, obj *jsast.Node) bool {
	n := obj
	for i := 0; i < 3 && n.Parent != nil; i++ {
		p := n.Parent
		switch p.Type {
		case "arguments":
			return true
		case "parenthesized_expression", "as_expression", "satisfies_expression":
		case "pair":
			k := af.Text(p.ChildByField("key"))
			if k != "body" && k != "data" && k != "json" {
				return false
			}
			p = p.Parent // the options object
		default:
			return false
		}
		n = p
	}
	return false
}

// realLoginPassword reports whether a literal is a password rather than a
// placeholder, a label or a message ("required", "Password"): at least 6
// characters, no spaces, no placeholder marker, and letters mixed with
// digits or symbols. Entropy says little about a value this short.
func realLoginPassword(v string) bool {
	if len(v) < 6 || strings.ContainsAny(v, " \t\n") || demoAccount.MatchString(v) || detect.IsReference(v) || detect.HasPlaceholderMarker(v) {
		return false
	}
	letters, others := false, false
	for _, r := range v {
		if unicode.IsLetter(r) {
			letters = true
		} else {
			others = true
		}
	}
	return letters && others
}
