package hardening

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
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
		Text: "Legacy bot sign-up protection renders its CAPTCHA widget into an element with the id `clerk-captcha`. A custom " +
			"sign-up flow (`useSignUp()` and `signUp.create()`) on an SDK of that era must render `<div id=\"clerk-captcha\" />` before it calls " +
			"`signUp.create()`. Without it the SDK falls back to the invisible widget and logs an error in the browser console: " +
			"sign-ups are still checked, but a human the widget suspects gets no challenge to solve and is turned away (Clerk: " +
			"the invisible widget is more prone to false positives). It is reported at Info: bot protection still runs. " +
			"The rule follows the SDK's era: flows built with `useSignUp()` from `@clerk/nextjs` 7, `@clerk/react` 6, " +
			"`@clerk/react-router` 3, `@clerk/tanstack-react-start` 1 or later get Challenge suspicious sign-ups from ClerkJS, " +
			"in a dialog over the page, and render nothing for it, so they are not reported (their `/legacy` hooks are); SDK " +
			"majors older than bot sign-up protection (`@clerk/nextjs` 3 and earlier) are not reported either. " +
			"The prebuilt `<SignUp />` component mounts the widget itself. Expo native flows go through the Native API and have no " +
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
			"https://clerk.com/docs/guides/secure/legacy-bot-protection",
			"https://clerk.com/docs/guides/secure/bot-protection",
		},
	},
	Fix: func(p *project.Model, path string) string {
		fix := "Render the CAPTCHA mount point in the sign-up form, before `signUp.create()` runs: `<div id=\"clerk-captcha\" />` " +
			"(in plain HTML, `<div id=\"clerk-captcha\"></div>`), and keep Bot sign-up protection on in the Dashboard " +
			"(Protect → Bot sign-up protection)."
		if pkg := declaredSignUpSDK(p, path); pkg != "" {
			if major, ok := knowledge.ChallengeDialogSDK(pkg); ok {
				fix += " Or update to " + pkg + " " + strconv.FormatUint(major, 10) + " and build the flow with its `useSignUp()`: " +
					"ClerkJS then shows Challenge suspicious sign-ups in a dialog and the flow renders nothing for it."
			}
		}
		return fix
	},
	Run: runSIGNUP002,
}

// captchaID is the id of the element Clerk renders the CAPTCHA into.
var captchaID = []byte("clerk-captcha")

func runSIGNUP002(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || bytes.Contains(pass.File.Content, captchaID) {
		return nil
	}
	for _, im := range f.Imports() {
		if knowledge.NativeSDK(im.Source) {
			return nil // a native app's sign-up: no browser CAPTCHA
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
	spec, ch := signUpChallenge(pass.Project, pass.File.Path, f)
	if ch == knowledge.ChallengeDialog || ch == knowledge.ChallengeNone {
		return nil
	}
	if mounted, known := captchaMounted(pass); mounted || !known {
		return nil
	}
	msg := "custom sign-up flow calls " + rules.Code(strings.ReplaceAll(f.CalleeName(at), "()", "")+"()") +
		" but no `<div id=\"clerk-captcha\" />` is rendered on its page: legacy bot sign-up protection falls back to the invisible widget, which turns away the humans it suspects instead of challenging them"
	if strings.HasSuffix(spec, "/legacy") {
		msg += " (the legacy hooks of " + rules.Code(spec) + " cannot show Challenge suspicious sign-ups either)"
	}
	pass.Report(rules.Diagnostic{Line: at.Line, Column: at.Col, Message: msg})
	return nil
}

// signUpChallenge answers who shows the sign-up challenge for the file's
// flow: by the Clerk module its useSignUp() (or, without one, its first
// Clerk import; without one either, the first SDK of the table the
// project declares) comes from, at the version the project declares.
func signUpChallenge(p *project.Model, path string, f *jsast.File) (string, knowledge.SignUpChallenge) {
	var spec string
	for _, im := range f.Imports() {
		if im.TypeOnly || !jsast.IsClerkModule(im.Source) {
			continue
		}
		if im.Imported == "useSignUp" {
			spec = im.Source
			break
		}
		if spec == "" && knowledge.SignUpChallengeOf(im.Source, 0, false) != knowledge.ChallengeUnknown {
			spec = im.Source
		}
	}
	if spec == "" {
		spec = declaredSignUpSDK(p, path)
	}
	if spec == "" {
		return "", knowledge.ChallengeUnknown
	}
	pkg := knowledge.ClerkPackageOf(spec)
	var v *semver.Version
	if p != nil {
		v, _ = p.Version(path, pkg)
	}
	if v != nil {
		return spec, knowledge.SignUpChallengeOf(spec, v.Major(), true)
	}
	// An undeclared package is installed by the SDK the project declares
	// (@clerk/nextjs 3 brings @clerk/clerk-react 3): when that SDK's major
	// predates bot sign-up protection, so does the one imported.
	if d := declaredSignUpSDK(p, path); d != "" && d != pkg {
		if dv, _ := p.Version(path, d); dv != nil && knowledge.SignUpChallengeOf(d, dv.Major(), true) == knowledge.ChallengeNone {
			return spec, knowledge.ChallengeNone
		}
	}
	return spec, knowledge.SignUpChallengeOf(spec, 0, false)
}

// declaredSignUpSDK is the first web SDK of the sign-up challenge table
// the project declares for path ("" when none).
func declaredSignUpSDK(p *project.Model, path string) string {
	if p == nil {
		return ""
	}
	for _, pkg := range knowledge.SignUpChallengeSDKs() {
		if p.DependsOn(path, pkg) {
			return pkg
		}
	}
	return ""
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
