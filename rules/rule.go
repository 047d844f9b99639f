// Package rules is the analysis engine: a Rule is data plus a Run function,
// the engine feeds rules a Snapshot's files and the project model, and
// collects Findings with stable fingerprints, suppressions applied.
package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// Severity orders findings. The zero value is invalid.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota + 1
	Low
	Medium
	High
	Critical
)

var severityNames = map[Severity]string{Info: "info", Low: "low", Medium: "medium", High: "high", Critical: "critical"}

func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity parses a severity name.
func ParseSeverity(s string) (Severity, error) {
	for k, v := range severityNames {
		if v == strings.ToLower(strings.TrimSpace(s)) {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Confidence says how likely a finding is to be right, apart from how bad
// it would be.
type Confidence int

// Confidence levels.
const (
	LowConfidence Confidence = iota + 1
	MediumConfidence
	HighConfidence
)

func (c Confidence) String() string {
	switch c {
	case LowConfidence:
		return "low"
	case MediumConfidence:
		return "medium"
	case HighConfidence:
		return "high"
	}
	return fmt.Sprintf("confidence(%d)", int(c))
}

// MarshalText implements encoding.TextMarshaler.
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Packs, as published in the JSON contract.
const (
	PackSecrets   = "secrets"
	PackRoutes    = "routes"
	PackWebhooks  = "webhooks"
	PackRBAC      = "rbac"
	PackHardening = "hardening"
)

// Checklist items of the Clerk hardening checklist (DESIGN.md).
var Checklist = map[int]string{
	1: "Clerk middleware protects all authenticated routes",
	2: "Secret keys only in server-side environment variables",
	3: "Role-based access with Clerk Organizations",
	4: "Verify webhook signatures",
	5: "MFA for sensitive operations",
	6: "Session token lifetime",
	7: "has() for permission checks",
	8: "Restrict sign-up to allowed email domains",
}

// Doc is a rule's documentation, rendered into `clerkguard rules ID`,
// docs/rules/ and the SARIF help text.
type Doc struct {
	Title string // lower case but names and code keep their casing (Clerk, currentUser()), no trailing period, about 60 letters at most
	Text  string // what is wrong and why, markdown
	Bad   string // a vulnerable example
	Good  string // the corrected example
	// Lang is the fence language of the examples, "ts" by default.
	Lang       string
	References []string
}

// Rule is one check. Rules are values listed in their pack's slice; there is
// no registration.
type Rule struct {
	ID         string // CLK-<GROUP>-NNN, never reused
	Name       string // kebab-case alias
	Pack       string
	Severity   Severity
	Confidence Confidence
	Checklist  int // 1..8
	Doc        Doc
	// Fix returns the fix text for the detected project (SDK era). It is
	// required; rules with one fix return a constant.
	Fix func(p *project.Model, path string) string

	// Scope says whether Run is called once per matching file or once per
	// snapshot.
	Scope Scope
	// Files selects the files a per-file rule sees. nil means every
	// JavaScript or TypeScript file.
	Files func(f *source.File) bool
	// BuildOutput, for a per-file rule about credential values, also
	// shows it the committed build output that every other rule and the
	// project model skip (source.BuildOutput): a secret a build inlined
	// there is as public as one in the sources.
	BuildOutput bool
	// Keywords is the prefilter: a per-file rule only runs on files that
	// contain at least one of them. Empty means no prefilter.
	Keywords []string
	// Requires, when set, is a second prefilter: the file must also contain
	// one of these (for rules whose keywords are common words, such as a
	// sensitive-operation lexicon that only matters in Clerk-using code).
	Requires []string

	Run func(pass *Pass) error
}

// Scope of a rule's Run.
type Scope int

// Scopes.
const (
	PerFile Scope = iota
	PerSnapshot
)

// titleProperNouns may start a title with a capital letter: names keep
// their casing, as code does.
var titleProperNouns = map[string]bool{"Clerk": true, "Next.js": true, "Astro": true, "Nuxt": true, "SvelteKit": true,
	"Express,": true, "Express": true, "Go": true}

var idPattern = regexp.MustCompile(`^CLK-(SEC|RP|WH|RBAC|HARD|MFA|SESS|SIGNUP|ENUM|CFG)-\d{3}$`)

// Validate checks a rule set: ID format and uniqueness, required fields and
// the doc title conventions.
func Validate(rs []*Rule) error {
	seen := map[string]bool{}
	var errs []string
	for _, r := range rs {
		bad := func(msg string, args ...any) {
			errs = append(errs, r.ID+": "+fmt.Sprintf(msg, args...))
		}
		if !idPattern.MatchString(r.ID) {
			bad("invalid ID")
		}
		if seen[r.ID] {
			bad("duplicate ID")
		}
		seen[r.ID] = true
		if r.Name == "" || strings.ToLower(r.Name) != r.Name || strings.Contains(r.Name, " ") {
			bad("name must be kebab-case")
		}
		switch r.Pack {
		case PackSecrets, PackRoutes, PackWebhooks, PackRBAC, PackHardening:
		default:
			bad("unknown pack %q", r.Pack)
		}
		if r.Severity < Info || r.Severity > Critical {
			bad("severity not set")
		}
		if r.Confidence < LowConfidence || r.Confidence > HighConfidence {
			bad("confidence not set")
		}
		if r.Checklist < 1 || r.Checklist > 8 {
			bad("checklist item must be 1..8")
		}
		t := r.Doc.Title
		if t == "" || len(t) > 80 || strings.HasSuffix(t, ".") || (t[0] >= 'A' && t[0] <= 'Z') && !titleProperNouns[strings.Fields(t)[0]] {
			bad("doc title must be lower case (except a proper name or code), without a final period, at most 80 characters")
		}
		if r.Doc.Text == "" || r.Doc.Bad == "" || r.Doc.Good == "" {
			bad("doc needs text, a bad and a good example")
		}
		if r.Fix == nil || r.Run == nil {
			bad("Fix and Run are required")
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid rules:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// ConstFix returns a Fix that ignores the project.
func ConstFix(text string) func(*project.Model, string) string {
	return func(*project.Model, string) string { return text }
}

// DocURL is the rule's documentation page.
func (r *Rule) DocURL() string {
	return "https://github.com/clerkguard/clerkguard/blob/main/docs/rules/" + r.ID + ".md"
}

// FrameworkAuth is the auth check of the Clerk full-stack framework SDK
// (TanStack Start, React Router, Remix) a file's project uses instead of
// @clerk/nextjs, at the version it declares (knowledge.ServerAuthCall):
// ok is false for a project that uses @clerk/nextjs or none of them, whose
// fixes are Next.js's. Rules written for Next.js give this check as their
// fix there, so that no fix names an API the project's SDK lacks.
type FrameworkAuth struct {
	Package string // "@clerk/react-router"
	Call    string // "await getAuth(args)"
	From    string // "@clerk/react-router/ssr.server"
}

// FrameworkAuthOf returns the FrameworkAuth of the file's project.
func FrameworkAuthOf(p *project.Model, file string) (FrameworkAuth, bool) {
	if p == nil || p.DependsOn(file, "@clerk/nextjs") {
		return FrameworkAuth{}, false
	}
	return ServerAuthOf(p, file)
}

// ServerAuthOf is FrameworkAuthOf for any project, @clerk/nextjs or not:
// the first of knowledge.ServerAuthPackages the file's project declares.
func ServerAuthOf(p *project.Model, file string) (FrameworkAuth, bool) {
	if p == nil {
		return FrameworkAuth{}, false
	}
	for _, pkg := range knowledge.ServerAuthPackages {
		if !p.DependsOn(file, pkg) {
			continue
		}
		ver := ""
		if v, ok := p.Version(file, pkg); ok && v != nil {
			ver = v.Original()
		}
		if call, from, ok := knowledge.ServerAuthCall(pkg, ver); ok {
			return FrameworkAuth{Package: pkg, Call: call, From: from}, true
		}
	}
	return FrameworkAuth{}, false
}

// Check is the sign-in check as a fix names it: "`const { userId } =
// await getAuth(args); if (!userId) throw redirect('/sign-in')` (from
// `@clerk/react-router/ssr.server`)".
func (a FrameworkAuth) Check() string {
	return "`const { userId } = " + a.Call + "; if (!userId) throw redirect('/sign-in')` (from " + Code(a.From) + ")"
}

// NextOnlyFix is the fix a Next.js rule gives in a project of another
// framework (FrameworkAuthOf): check the caller in each entry with that
// SDK's call, since the Next.js APIs do not exist there.
func (a FrameworkAuth) NextOnlyFix() string {
	return "Check the caller in each loader, action or server function: " + a.Check() +
		". This is a Next.js check; `" + a.Package + "` has its own API, and a parent route's or a route guard's check does not protect them."
}
