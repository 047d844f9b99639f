package hardening

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// ENUM002 flags a custom sign-in flow that gives Clerk's
// form_identifier_not_found error a message of its own, distinct from the
// one for a wrong password (form_password_incorrect), and a sign-in that
// hands another auth provider's error (Firebase's auth/user-not-found vs
// auth/wrong-password, knowledge.PasswordSignIns) to the caller unmapped.
var ENUM002 = &rules.Rule{
	ID:         "CLK-ENUM-002",
	Name:       "sign-in-reveals-unknown-identifier",
	Pack:       rules.PackHardening,
	Severity:   rules.Low,
	Confidence: rules.MediumConfidence,
	Checklist:  8,
	Keywords:   []string{identifierNotFound, "catch"},
	// No Requires: the Clerk code is specific enough, and a catch that leaks
	// a provider error may sit in a helper that names neither Clerk nor
	// sign-in.
	Doc: rules.Doc{
		Title: "custom sign-in flow tells unknown accounts apart from wrong passwords",
		Text: "When a sign-in names an identifier that has no account, Clerk answers with the error code `form_identifier_not_found`; " +
			"a wrong password is `form_password_incorrect`. A custom flow (`useSignIn()`, `signIn.create()`) that shows its own " +
			"message for the first code (\"No account with this email\") and another one for the second tells anyone who types an " +
			"email address whether it is registered, which is what Clerk's strict user enumeration protection exists to hide. " +
			"Codes handled in the same branch, and flows that show Clerk's own `longMessage`, are not reported. " +
			"The same oracle is open when a password sign-in of another provider still wired beside Clerk (Firebase Auth, whose " +
			"errors are `auth/user-not-found` and `auth/wrong-password`) has its caught error's message or code returned, sent or " +
			"rendered as is (`return json({ error: String(error) })`); a catch that maps every error to one message is not reported.",
		Bad: `} catch (err) {
  if (isClerkAPIResponseError(err) && err.errors[0]?.code === 'form_identifier_not_found') setError('No account found for this email')
  else setError('Wrong password')
}`,
		Good: `} catch (err) {
  const code = isClerkAPIResponseError(err) ? err.errors[0]?.code : undefined
  if (code === 'form_identifier_not_found' || code === 'form_password_incorrect') setError('Invalid email or password')
  else setError('Sign-in failed, please try again')
}`,
		References: []string{
			"https://clerk.com/docs/guides/secure/user-enumeration-protection",
			"https://clerk.com/docs/guides/development/custom-flows/error-handling",
			"https://clerk.com/docs/guides/development/custom-flows/authentication/email-password",
			"https://firebase.google.com/docs/reference/js/auth.md#autherrorcodes",
		},
	},
	Fix: func(*project.Model, string) string {
		return "Show one message for an unknown identifier and a wrong password (handle `form_identifier_not_found` and " +
			"`form_password_incorrect` in the same branch: \"Invalid email or password\"), and turn on Strict user enumeration " +
			"protection in the Clerk Dashboard (Protect → Attack protection) so the Frontend API stops revealing it too. For another " +
			"provider's sign-in still in the app, return one generic message (\"Invalid email or password\") instead of its error, or remove it."
	},
	Run: runENUM002,
}

const (
	identifierNotFound = "form_identifier_not_found"
	passwordIncorrect  = "form_password_incorrect"
)

func runENUM002(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	reportProviderErrors(pass, f)
	for _, s := range jsast.Find(f.Root, "string", "property_identifier") {
		v, _ := f.StringValue(s)
		if s.Type == "property_identifier" {
			v = f.Text(s) // an object key: { form_identifier_not_found: '…' }
		}
		if v != identifierNotFound {
			continue
		}
		msg, shared, ok := identifierBranch(f, s)
		if !ok || shared {
			continue
		}
		pass.Report(rules.Diagnostic{Line: s.Line, Column: s.Col,
			Message: fmt.Sprintf("`%s` gets its own message (%s), distinct from a wrong password's: the sign-in form tells whether an account exists", identifierNotFound, rules.Code(msg))})
	}
	return nil
}

// identifierBranch finds what a form_identifier_not_found literal decides:
// a switch case, an if on a comparison, or an object key of a message map.
// It returns the message the branch shows, and whether the wrong-password
// code shares the branch.
func identifierBranch(f *jsast.File, s *jsast.Node) (msg string, shared bool, ok bool) {
	hasPassword := func(n *jsast.Node) bool {
		for _, x := range jsast.Find(n, "string") {
			if v, _ := f.StringValue(x); v == passwordIncorrect {
				return true
			}
		}
		return false
	}
	p := s.Parent
	switch {
	case p != nil && p.Type == "switch_case":
		// case 'form_identifier_not_found': (falls through to the next case when empty)
		for c := p; c != nil; c = nextCase(c) {
			if hasPassword(c.ChildByField("value")) {
				return "", true, true
			}
			if m := firstMessage(f, c); m != "" {
				return m, false, true
			}
		}
		return "", false, false
	case p != nil && p.Type == "pair" && p.ChildByField("key") == s:
		// { form_identifier_not_found: 'No account…', form_password_incorrect: '…' }
		m := firstMessage(f, p.ChildByField("value"))
		if m == "" {
			return "", false, false
		}
		if other := f.ObjectProp(p.Parent, passwordIncorrect); other != nil && firstMessage(f, other) == m {
			return "", true, true
		}
		return m, false, true
	}
	cond := jsast.Ancestor(s, "parenthesized_expression")
	ifs := jsast.Ancestor(s, "if_statement", "ternary_expression")
	if ifs == nil || cond == nil || !ifs.Contains(cond) || ifs.ChildByField("condition") != cond {
		return "", false, false
	}
	if hasPassword(cond) {
		return "", true, true
	}
	m := firstMessage(f, ifs.ChildByField("consequence"))
	if m == "" {
		return "", false, false
	}
	return m, false, true
}

// nextCase returns the switch case after c, or nil.
func nextCase(c *jsast.Node) *jsast.Node {
	if c.Parent == nil {
		return nil
	}
	seen := false
	for _, x := range c.Parent.Children {
		if seen && x.Type == "switch_case" {
			return x
		}
		seen = seen || x == c
	}
	return nil
}

// firstMessage returns the first user-facing text in n: a string or
// template with a space in it, quoted for a message.
func firstMessage(f *jsast.File, n *jsast.Node) string {
	out := ""
	jsast.Walk(n, func(x *jsast.Node) bool {
		if out != "" {
			return false
		}
		switch x.Type {
		case "string", "template_string":
			t := f.Text(x)
			if len(t) > 2 && strings.Contains(t, " ") {
				out = t
			}
			return false
		}
		return true
	})
	if len(out) > 60 {
		out = out[:57] + "…"
	}
	return out
}
