package secrets

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC011 reports another vendor's secret key in a committed file, by the
// format the vendor documents (rules/knowledge CredentialFormatOf): a
// Stripe secret key passed to `new Stripe()` and inlined into committed
// build output is as public as a Clerk key there.
var SEC011 = &rules.Rule{
	ID:         "CLK-SEC-011",
	Name:       "vendor-secret-key-committed",
	Pack:       rules.PackSecrets,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files: func(f *source.File) bool {
		// Committed env files are CLK-SEC-008's (one finding per file);
		// prose discusses keys rather than holding them.
		return !f.Binary && !isDoc(f.Path) && envFileKind(f.Path) != "env"
	},
	Keywords: knowledge.CredentialPrefixes(),
	Doc: rules.Doc{
		Title: "another vendor's secret key committed",
		References: []string{
			"https://docs.stripe.com/keys",
			"https://docs.stripe.com/keys-best-practices",
		},
		Text: "Apps that use Clerk commit other services' server keys beside Clerk's, most often Stripe's: the secret (`sk_live_`/`sk_test_`) " +
			"and restricted (`rk_`) keys move money and read every customer. Stripe and Clerk share the `sk_live_`/`sk_test_` prefixes: a " +
			"key is this rule's when it has Stripe's documented shape (a body of 90 to 128 characters; Clerk's is 42) and its context says " +
			"Stripe (the variable name, `new Stripe(…)`, a `stripe` import); other sk_ keys are CLK-SEC-001's. Restricted `rk_` keys are Stripe's alone. " +
			"Committed build output (`.netlify/`, `.vercel/output/`, `dist/`) counts: a server function that passes the key to `new Stripe()` " +
			"is bundled with the value inlined.\n\n" +
			"Committed `.env` files are CLK-SEC-008's finding; placeholders and files git ignores are not reported.",
		Bad:  "const stripe = new Stripe('sk_live_51…')",
		Good: "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY)",
	},
	Fix: rules.ConstFix("Roll the key in the vendor's dashboard (Stripe: Developers → API keys → Roll key), remove it and any build output " +
		"holding it from the repository and its history, and read it from a server-side environment variable; add the build directory to `.gitignore`."),
	BuildOutput: true,
	Run:         localOnly(runSEC011),
}

// vendorKeyRe proposes the values CredentialFormatOf judges.
var vendorKeyRe = regexp.MustCompile(`\b[rs]k_(?:live|test)_[A-Za-z0-9]{20,160}\b`)

func runSEC011(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	text := string(f.Content)
	seen := map[string]bool{}
	for _, m := range vendorKeyRe.FindAllStringIndex(text, -1) {
		v := text[m[0]:m[1]]
		cf, ok := knowledge.CredentialFormatOf(v)
		if !ok || seen[v] {
			continue
		}
		if _, ph := detect.Placeholder(v); ph {
			continue
		}
		if strings.HasPrefix(v, "sk_") {
			// Clerk shares the sk_ prefixes: a key whose context does not
			// say Stripe is CLK-SEC-001's (Clerk's, or "Stripe or Clerk").
			c := detect.Candidate{Kind: detect.SecretKey, Value: v, Start: m[0], End: m[1], Name: detect.NameBefore(text, m[0])}
			if vendor, _, _ := detect.Attribute(text, c, signals(f)); vendor != detect.Other {
				continue
			}
		}
		seen[v] = true
		sev, mode := rules.Medium, "test-mode"
		if cf.Live {
			sev, mode = rules.High, "live-mode"
		}
		where := "is committed"
		if source.BuildOutput(f.Path) {
			where = "is inlined into committed build output"
		}
		line, col := lineSpan(f, m[0])
		name := detect.NameBefore(text, m[0])
		report(rules.Diagnostic{Line: line, Column: col, Severity: sev, Secrets: []string{v}, Match: match(name, v),
			Message: fmt.Sprintf("%s %s %s %s %s", cf.Vendor, mode, cf.Kind, redact.Secret(v), where) + assigned(name)})
	}
	return nil
}

// assigned returns " in `NAME`" or "".
func assigned(name string) string {
	if name == "" {
		return ""
	}
	return " in " + rules.Code(name)
}
