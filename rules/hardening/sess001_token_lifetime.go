package hardening

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// SESS001 flags Clerk tokens made long-lived in code: a JWT verifier told
// to ignore expiry or to tolerate a clock skew far beyond Clerk's, and JWT
// templates created with a lifetime of hours. clockSkewInMs of Clerk's own
// verifyToken/authenticateRequest is CLK-RP-018's.
var SESS001 = &rules.Rule{
	ID:         "CLK-SESS-001",
	Name:       "token-expiry-relaxed",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  6,
	Keywords:   []string{"ignoreExpiration", "clockTolerance", "lifetime"},
	Requires:   []string{"clerk", "Clerk", "CLERK"},
	Doc: rules.Doc{
		Title: "token expiry ignored or stretched when verifying or minting Clerk tokens",
		Text: "Clerk session tokens expire after 60 seconds and Clerk's `verifyToken()` allows 5 seconds of clock skew, so a stolen " +
			"token is useful for about a minute. A hand-written verifier (jsonwebtoken, jose, fast-jwt with Clerk's PEM key or " +
			"JWKS) that sets `ignoreExpiration: true` accepts a token forever, and a `clockTolerance` of minutes or hours keeps it " +
			"valid that long after it expired, also after the user signed out. A JWT template created with a `lifetime` of hours " +
			"mints long-lived bearer tokens. `clockSkewInMs` of Clerk's own verifiers is reported by CLK-RP-018.",
		Bad: `const claims = jwt.verify(token, process.env.CLERK_PEM_PUBLIC_KEY!, { algorithms: ['RS256'], ignoreExpiration: true })
await clerkClient.jwtTemplates.create({ name: 'partner', claims: {}, lifetime: 86400 })`,
		Good: `const claims = jwt.verify(token, process.env.CLERK_PEM_PUBLIC_KEY!, { algorithms: ['RS256'], clockTolerance: 5 })
await clerkClient.jwtTemplates.create({ name: 'partner', claims: {}, lifetime: 60 })`,
		References: []string{
			"https://clerk.com/docs/guides/sessions/manual-jwt-verification",
			"https://clerk.com/docs/references/backend/verify-token",
			"https://clerk.com/docs/guides/sessions/jwt-templates",
			"https://clerk.com/docs/guides/how-clerk-works/overview",
			"clerk/javascript packages/backend/src/api/endpoints/JwtTemplatesApi.ts (lifetime)",
		},
	},
	Fix: func(p *project.Model, path string) string {
		fix := "Let the verifier check `exp`: remove `ignoreExpiration` and keep `clockTolerance` at a few seconds (Clerk's own default is 5 s). " +
			"Keep JWT-template lifetimes near the 60 s default and fetch a fresh token with the session's `session.getToken({ template })` per request."
		if p.DependsOn(path, "@clerk/backend") || p.DependsOn(path, "@clerk/express") || p.DependsOn(path, "@clerk/nextjs") {
			fix += " Prefer Clerk's `verifyToken()` (or `authenticateRequest()`), which checks expiry with a 5 s skew."
		}
		return fix
	},
	Run: runSESS001,
}

// maxTolerance is the clock tolerance beyond which a verifier keeps
// expired Clerk tokens usable (CLK-RP-018 uses the same minute).
const maxTolerance = time.Minute

// maxTemplateLifetime is the JWT-template lifetime (seconds) beyond which
// tokens are long-lived bearer credentials.
const maxTemplateLifetime = 3600

// durationRe parses jose's duration strings ("30s", "2 hours").
var durationRe = regexp.MustCompile(`^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days)?\s*$`)

func runSESS001(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		name := f.CalleeName(call)
		args := jsast.Args(call)
		if bc, ok := knowledge.BackendCallIn(strings.ReplaceAll(name, "()", "")); ok && bc.Resource == "jwtTemplates" && len(args) > 0 {
			opts := args[len(args)-1]
			if v := f.ObjectProp(opts, "lifetime"); v != nil {
				if n, ok := numberValue(f, v); ok && n > maxTemplateLifetime {
					pass.Report(rules.Diagnostic{Line: v.Line, Column: v.Col,
						Message: fmt.Sprintf("%s sets a JWT-template lifetime of %s: every token minted from it is a bearer credential for that long (the default is 60 s)",
							rules.Code(strings.ReplaceAll(name, "()", "")+"()"), humanSeconds(n))})
				}
			}
			continue
		}
		for _, o := range expiryOptionsOf(f, name) {
			if o.OptionsArg >= len(args) {
				continue
			}
			v := f.ObjectProp(args[o.OptionsArg], o.Option)
			if v == nil {
				continue
			}
			if o.Disables {
				if jsast.Unwrap(v).Type == "true" {
					pass.Report(rules.Diagnostic{Line: v.Line, Column: v.Col,
						Message: fmt.Sprintf("%s is called with %s: expired Clerk tokens are accepted forever, also after sign-out", rules.Code(name+"()"), rules.Code(o.Option+": true"))})
				}
				continue
			}
			if d, ok := toleranceOf(f, v, o.Unit); ok && d > maxTolerance {
				pass.Report(rules.Diagnostic{Line: v.Line, Column: v.Col,
					Message: fmt.Sprintf("%s accepts tokens up to %s after they expire (%s; Clerk allows 5 s and session tokens live 60 s)",
						rules.Code(name+"()"), d, rules.Code(o.Option))})
			}
		}
	}
	return nil
}

// expiryOptionsOf returns the expiry options of the verifier a callee
// names: jwt.verify with jwt from jsonwebtoken, jwtVerify from jose.
func expiryOptionsOf(f *jsast.File, name string) []knowledge.ExpiryOption {
	first, last := jsast.FirstSegment(name), jsast.LastSegment(name)
	im, ok := f.ImportOf(first)
	if !ok {
		return nil
	}
	export := im.Imported
	if first != name { // jwt.verify: a namespace or default import
		if export != "default" && export != "*" {
			return nil
		}
		export = last
	}
	return knowledge.ExpiryOptionsOf(im.Source, export)
}

// toleranceOf reads a tolerance: a number in unit, or a duration string.
func toleranceOf(f *jsast.File, v *jsast.Node, unit time.Duration) (time.Duration, bool) {
	if n, ok := numberValue(f, v); ok {
		return time.Duration(n) * unit, true
	}
	s, ok := f.StringValue(v)
	if !ok {
		return 0, false
	}
	m := durationRe.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return 0, false
	}
	x, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	mult := time.Second
	switch {
	case m[2] == "":
		mult = unit
	case strings.HasPrefix(m[2], "m"):
		mult = time.Minute
	case strings.HasPrefix(m[2], "h"):
		mult = time.Hour
	case strings.HasPrefix(m[2], "d"):
		mult = 24 * time.Hour
	}
	return time.Duration(x * float64(mult)), true
}
