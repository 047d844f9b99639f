package secrets

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC013 reports an account's login and password written as literals
// into the request a server or client module sends: an object literal
// with a password and a user name, both string literals, passed to a call
// (the body of a fetch, a sign-in call), directly or through component
// state initialised with them (a prefilled sign-in form). A form that
// starts empty, a schema message or a value read from the environment is
// not one. A Clerk Backend call that sets a user's password
// (users.createUser, users.updateUser) to a literal or to a template of
// the user's own fields is one too (reportWrittenPasswords).
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
			"`username`, `user`, `email`, `identifier`) both hold string literals, directly or as the initial value of the component state " +
			"(`useState`, Vue `ref`) the call sends (a sign-in form prefilled with a real account ships it in the bundle), the password at " +
			"least 6 characters without spaces mixing letters with digits or symbols, or 8 letters when the login is a personal e-mail address. " +
			"Also reported: the password a Clerk Backend call gives the users it creates or updates (`users.createUser`, `users.updateUser`) " +
			"when the code writes it, a literal every account shares or a template built from the user's own fields " +
			"(`${username}-123`): whoever reads the code can sign in as those users. Import password digests " +
			"(`passwordDigest`, `passwordHasher`) or let users set their own password instead.\n\n" +
			"Not reported: tests, fixtures, seed and migration scripts, examples and demos, placeholders, demo or guest accounts, and " +
			"values read from the environment or from a form that starts empty.",
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
		var pw, user, pwState *jsast.Node
		var pwVal, userVal string
		for _, p := range n.NamedChildren() {
			var key string
			var v string
			var state *jsast.Node
			var ok bool
			switch p.Type {
			case "pair":
				key = af.Text(p.ChildByField("key"))
				if s, isStr := af.StringValue(p.ChildByField("key")); isStr {
					key = s
				}
				v, state, ok = literalOrState(af, p.ChildByField("value"))
			case "shorthand_property_identifier":
				key = af.Text(p)
				v, state, ok = literalOrState(af, p)
			}
			if !ok {
				continue
			}
			switch {
			case passwordKey.MatchString(key):
				pw, pwVal, pwState = p, v, state
			case userKey.MatchString(key):
				user, userVal = p, v
			}
		}
		if pw == nil || user == nil || userVal == "" || demoAccount.MatchString(userVal) ||
			!(realLoginPassword(pwVal) || personalEmail(userVal) && wordPassword(pwVal)) {
			return true
		}
		if pwState != nil {
			// The literal is the state's initial value: point at it, where
			// the fix goes, with the call that sends it as related.
			report(rules.Diagnostic{Line: pwState.Line, Column: pwState.Col, Secrets: []string{pwVal}, Match: "login-pair-state " + userKeyText(af, user),
				Related: []rules.Location{{Path: pass.File.Path, Line: pw.Line}},
				Message: fmt.Sprintf("a login and its password (%s) are hard-coded as the initial state of the form whose values the call at line %d sends",
					redact.Secret(pwVal), pw.Line)})
			return true
		}
		report(rules.Diagnostic{Line: pw.Line, Column: pw.Col, Secrets: []string{pwVal}, Match: "login-pair " + userKeyText(af, user),
			Message: fmt.Sprintf("a login and its password (%s) are hard-coded in the request this call sends", redact.Secret(pwVal))})
		return true
	})
	reportWrittenPasswords(pass, af, report)
	return nil
}

// reportWrittenPasswords reports the password a Clerk Backend call that
// sets one (users.createUser, users.updateUser) gives a user when the code
// writes it: a literal every created user shares, or a template built
// from a literal and the user's own fields (`${username}-123`), which
// whoever reads the code can work out for any account it imports.
func reportWrittenPasswords(pass *rules.Pass, af *jsast.File, report reportFunc) {
	jsast.Walk(af.Root, func(n *jsast.Node) bool {
		if n.Type != "call_expression" {
			return true
		}
		c, ok := knowledge.BackendCallIn(af.CalleeName(n))
		if !ok || c.Resource != "users" || c.Method != "createUser" && c.Method != "updateUser" {
			return true
		}
		args := jsast.Args(n)
		if len(args) == 0 {
			return true
		}
		obj := objectOf(af, args[len(args)-1])
		if obj == nil {
			return true
		}
		for _, p := range obj.NamedChildren() {
			if p.Type != "pair" || !passwordKey.MatchString(propKey(af, p)) {
				continue
			}
			v := jsast.Unwrap(p.ChildByField("value"))
			if lit, isStr := af.StringValue(v); isStr {
				if realLoginPassword(lit) || wordPassword(lit) {
					report(rules.Diagnostic{Line: p.Line, Column: p.Col, Secrets: []string{lit}, Match: "written-password " + c.Method,
						Message: fmt.Sprintf("every user `%s` sets gets the same password written in the code (%s): whoever reads it can sign in as any of them",
							c.Method, redact.Secret(lit))})
				}
				continue
			}
			if from, ok := derivedPassword(af, v); ok {
				report(rules.Diagnostic{Line: p.Line, Column: p.Col, Match: "derived-password " + c.Method,
					Message: fmt.Sprintf("the password `%s` gives each user is written in the code from their own %s: whoever reads it can work out the password of any account it sets",
						c.Method, from)})
			}
		}
		return true
	})
}

// objectOf is the object literal an argument is, or the one an identifier
// argument is declared with in an enclosing function.
func objectOf(af *jsast.File, arg *jsast.Node) *jsast.Node {
	arg = jsast.Unwrap(arg)
	if arg == nil {
		return nil
	}
	if arg.Type == "object" {
		return arg
	}
	if arg.Type != "identifier" {
		return nil
	}
	name := af.Text(arg)
	for scope := arg.Parent; scope != nil; scope = scope.Parent {
		if !jsast.IsFunction(scope) && scope.Type != "statement_block" {
			continue
		}
		var found *jsast.Node
		jsast.Walk(scope, func(n *jsast.Node) bool {
			if found != nil || n != scope && jsast.IsFunction(n) {
				return false
			}
			if n.Type == "variable_declarator" && af.Text(n.ChildByField("name")) == name {
				if init := jsast.Unwrap(n.ChildByField("value")); init != nil && init.Type == "object" {
					found = init
				}
			}
			return found == nil
		})
		if found != nil {
			return found
		}
	}
	return nil
}

// propKey is the key of an object pair, unquoted.
func propKey(af *jsast.File, p *jsast.Node) string {
	if s, ok := af.StringValue(p.ChildByField("key")); ok {
		return s
	}
	return af.Text(p.ChildByField("key"))
}

// derivedPassword reports whether a template string is a password built
// from literal text and plain values (`${userId}-123`), naming them: no
// call (a random generator, a hash) and nothing read from the
// environment takes part.
func derivedPassword(af *jsast.File, v *jsast.Node) (string, bool) {
	if v == nil || v.Type != "template_string" {
		return "", false
	}
	var names []string
	text := false
	for _, c := range v.NamedChildren() {
		switch c.Type {
		case "string_fragment":
			text = text || strings.TrimSpace(af.Text(c)) != ""
		case "template_substitution":
			kids := c.NamedChildren()
			if len(kids) != 1 {
				return "", false
			}
			e := kids[0]
			src := af.Text(e)
			if e.Type != "identifier" && e.Type != "member_expression" ||
				strings.HasPrefix(src, "process.env") || strings.HasPrefix(src, "import.meta.env") {
				return "", false
			}
			names = append(names, rules.Code(src))
		default:
			return "", false
		}
	}
	if !text || len(names) == 0 {
		return "", false
	}
	return strings.Join(names, ", "), true
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

// emailRe is an e-mail address.
var emailRe = regexp.MustCompile(`^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)

// personalEmail reports whether a login is an e-mail address (demo and
// documentation domains are demoAccount's): with a personal address, a
// password need not mix letters and digits to be one.
func personalEmail(v string) bool { return emailRe.MatchString(v) }

// wordPassword reports whether a letters-only literal sent as the password
// of a personal address is one: 8 or more characters, no spaces, not a
// placeholder.
func wordPassword(v string) bool {
	return len(v) >= 8 && !strings.ContainsAny(v, " \t\n") && !demoAccount.MatchString(v) && !detect.IsReference(v) &&
		!detect.HasPlaceholderMarker(v)
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

// userKeyText is the key of a user property, for the fingerprint.
func userKeyText(af *jsast.File, p *jsast.Node) string {
	if p.Type == "shorthand_property_identifier" {
		return af.Text(p)
	}
	return af.Text(p.ChildByField("key"))
}

// literalOrState is the string a value sends: a literal, or an identifier
// whose declaration in the enclosing functions is component state
// (knowledge.StateHookOf) initialised with a literal. A value the user types replaces the
// initial one, so a prefilled form still ships the literal in the bundle.
func literalOrState(af *jsast.File, v *jsast.Node) (string, *jsast.Node, bool) {
	if v == nil {
		return "", nil, false
	}
	if s, ok := af.StringValue(v); ok {
		return s, nil, true
	}
	if v.Type != "identifier" && v.Type != "shorthand_property_identifier" {
		return "", nil, false
	}
	name := af.Text(v)
	for scope := v.Parent; scope != nil; scope = scope.Parent {
		if !jsast.IsFunction(scope) && scope != af.Root {
			continue
		}
		var lit string
		var at *jsast.Node
		var found bool
		body := scope
		if b := jsast.FunctionBody(scope); b != nil {
			body = b
		}
		jsast.Walk(body, func(n *jsast.Node) bool {
			if found || (n != scope && jsast.IsFunction(n)) {
				return false
			}
			if n.Type != "variable_declarator" {
				return true
			}
			target, init := n.ChildByField("name"), n.ChildByField("value")
			if init == nil {
				return true
			}
			if init.Type != "call_expression" || !knowledge.StateHookOf(af.CalleeName(init)) {
				return true
			}
			bound := target // const [email, setEmail] = useState(...) or const email = ref(...)
			if target.Type == "array_pattern" {
				bound = nil
				if els := target.NamedChildren(); len(els) > 0 {
					bound = els[0]
				}
			}
			if bound == nil || bound.Type != "identifier" || af.Text(bound) != name {
				return true
			}
			if args := jsast.Args(init); len(args) > 0 {
				at = args[0]
				lit, found = af.StringValue(at)
			}
			return !found
		})
		if found {
			return lit, at, true
		}
	}
	return "", nil, false
}
