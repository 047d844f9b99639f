package hardening

import (
	"bytes"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// SIGNUP002 flags a custom web sign-up flow (signUp.create()) whose page
// has no `clerk-captcha` element: the file, the files that render it
// (importers, three levels up) and the HTML pages of the snapshot are
// searched for the mount point.
var SIGNUP002 = &rules.Rule{
	ID:   "CLK-SIGNUP-002",
	Name: "custom-sign-up-without-captcha-mount",
	Pack: rules.PackHardening,
	// Info: without the mount point Clerk still checks sign-ups (its
	// invisible widget); what is lost is the interactive challenge for
	// humans it suspects, so it is hygiene, not an open door.
	Severity:   rules.Info,
	Confidence: rules.MediumConfidence,
	Checklist:  8,
	Keywords:   []string{"signUp"},
	Requires:   []string{"@clerk/", "Clerk", "clerk"},
	Doc: rules.Doc{
		Title: "custom sign-up flow without the clerk-captcha mount point",
		Text: "Clerk's bot sign-up protection renders its CAPTCHA widget into an element with the id `clerk-captcha`. A custom " +
			"sign-up flow (`useSignUp()` and `signUp.create()`) must render `<div id=\"clerk-captcha\" />` before it calls " +
			"`signUp.create()`. Without it the SDK falls back to the invisible widget and logs an error in the browser console: " +
			"sign-ups are still checked, but a human the widget suspects gets no challenge to solve and is turned away (Clerk: " +
			"the invisible widget is more prone to false positives). It is reported at Info: bot protection still runs. " +
			"The prebuilt `<SignUp />` component mounts it itself. Expo native flows go through the Native API and have no " +
			"browser CAPTCHA; they are not reported.",
		Bad: `const { signUp } = useSignUp()
async function submit() {
  await signUp.create({ emailAddress, password })
}
return <form onSubmit={submit}>…<button>Sign up</button></form>`,
		Good: `return (
  <form onSubmit={submit}>
    …
    <div id="clerk-captcha" />
    <button>Sign up</button>
  </form>
)`,
		Lang: "tsx",
		References: []string{
			"https://clerk.com/docs/guides/development/custom-flows/authentication/bot-sign-up-protection",
			"https://clerk.com/docs/guides/secure/bot-protection",
		},
	},
	Fix: func(p *project.Model, path string) string {
		return "Render the CAPTCHA mount point in the sign-up form, before `signUp.create()` runs: `<div id=\"clerk-captcha\" />` " +
			"(in plain HTML, `<div id=\"clerk-captcha\"></div>`), and keep Bot sign-up protection on in the Dashboard " +
			"(Protect → Bot sign-up protection)."
	},
	Run: runSIGNUP002,
}

// captchaID is the id of the element Clerk renders the CAPTCHA into.
var captchaID = []byte("clerk-captcha")

// nativeClerk are the SDKs of native apps, whose sign-up has no browser
// CAPTCHA.
var nativeClerk = []string{"@clerk/clerk-expo", "@clerk/expo"}

func runSIGNUP002(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || bytes.Contains(pass.File.Content, captchaID) {
		return nil
	}
	for _, im := range f.Imports() {
		for _, n := range nativeClerk {
			if im.Source == n || strings.HasPrefix(im.Source, n+"/") {
				return nil
			}
		}
	}
	var at *jsast.Node
	for _, c := range f.Calls(f.Root, func(n string) bool { return strings.HasSuffix(n, "signUp.create") }) {
		at = c
		break
	}
	if at == nil || !f.ImportsFrom(jsast.IsClerkModule) && !strings.Contains(f.CalleeName(at), "clerk") && !strings.Contains(f.CalleeName(at), "Clerk") {
		return nil
	}
	if mounted, known := captchaMounted(pass); mounted || !known {
		return nil
	}
	pass.Report(rules.Diagnostic{Line: at.Line, Column: at.Col,
		Message: "custom sign-up flow calls " + rules.Code(strings.ReplaceAll(f.CalleeName(at), "()", "")+"()") +
			" but no `<div id=\"clerk-captcha\" />` is rendered on its page: bot protection falls back to the invisible widget, which turns away the humans it suspects instead of challenging them"})
	return nil
}

// captchaMounted looks for the mount point in the files that render the
// pass's file (importers, three levels up) and in the snapshot's HTML
// pages. known is false when the importers could not all be read.
func captchaMounted(pass *rules.Pass) (mounted, known bool) {
	for _, p := range pass.Paths() {
		if strings.HasSuffix(p, ".html") {
			if src := pass.Get(p); src != nil && bytes.Contains(src.Content, captchaID) {
				return true, true
			}
		}
	}
	if pass.Model == nil {
		return false, true
	}
	g := pass.Model.Modules()
	seen := map[string]bool{pass.File.Path: true}
	level := []string{pass.File.Path}
	for depth := 0; depth < 3 && len(level) > 0; depth++ {
		var next []string
		for _, p := range level {
			es, err := g.Importers(pass.Ctx, p)
			if err != nil {
				return false, false
			}
			for _, e := range es {
				if seen[e.From] {
					continue
				}
				seen[e.From] = true
				src := pass.Get(e.From)
				if src == nil {
					return false, false
				}
				if bytes.Contains(src.Content, captchaID) {
					return true, true
				}
				next = append(next, e.From)
			}
		}
		level = next
	}
	return false, true
}
