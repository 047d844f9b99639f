package secrets

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
)

// SEC001 reports Clerk secret keys (sk_live_/sk_test_, and legacy
// live_/test_ server keys) committed to any text file.
var SEC001 = &rules.Rule{
	ID:         "CLK-SEC-001",
	Name:       "clerk-secret-key-committed",
	Pack:       rules.PackSecrets,
	Severity:   rules.Critical,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files:      textFile,
	Keywords:   []string{"sk_live_", "sk_test_", "CLERK_API_KEY", "CLERK_SECRET_KEY", "apiKey", "secretKey"},
	Doc: rules.Doc{
		Title: "Clerk secret key committed",
		References: []string{
			"https://clerk.com/docs/guides/secure/rotate-api-keys",
			"https://clerk.com/docs/guides/development/clerk-environment-variables",
		},
		Text: "A Clerk Secret Key (`sk_live_…` for production, `sk_test_…` for a development instance) grants full Backend API access: " +
			"read and change every user, organization and session of the instance. Anything committed is readable by everyone with " +
			"repository access, forks and CI logs included, and stays in the history after it is deleted.\n\n" +
			"Stripe uses the same `sk_live_`/`sk_test_` prefixes, so this rule attributes a key to Clerk from its variable name, " +
			"the surrounding code, the file's imports or a Clerk publishable key in the same file. Keys attributed to Stripe are " +
			"not reported; keys that cannot be attributed are reported with low confidence as \"Stripe or Clerk\" in projects that use Clerk. " +
			"Placeholders (`sk_test_xxx…`, `sk_test_...`, low-entropy or base64-of-a-host fixtures) are ignored. " +
			"A key in a file that is not committed (git ignores it: a local `.env.local` in a scan of a working tree) is a local copy, " +
			"reported at Low with a note. " +
			"Legacy (pre-2022) keys without the `sk_` prefix are reported when assigned to `CLERK_API_KEY` or `CLERK_SECRET_KEY`.",
		Bad:  "const clerk = createClerkClient({ secretKey: 'sk_live_…' })",
		Good: "const clerk = createClerkClient({ secretKey: process.env.CLERK_SECRET_KEY })",
	},
	Fix: rules.ConstFix("A Clerk Secret Key grants full Backend API access to this instance. Remove it from the code and history, " +
		"create a new key on Dashboard → API keys, deploy it via the `CLERK_SECRET_KEY` environment variable, then delete the leaked key " +
		"(Clerk supports several active secret keys, so rotate without downtime)."),
	BuildOutput: true,
	Run:         localOnly(runSEC001),
}

func runSEC001(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	text := string(f.Content)
	sig := signals(f)
	for _, c := range candidates(f) {
		if c.Kind != detect.SecretKey && c.Kind != detect.LegacyKey {
			continue
		}
		if _, ph := detect.Placeholder(c.Value); ph {
			continue
		}
		vendor, strength, why := detect.Attribute(text, c, sig)
		if c.Kind == detect.LegacyKey {
			// live_/test_ alone say nothing: only Clerk key names, or the
			// generic apiKey/secretKey in a file that uses Clerk.
			if !detect.IsClerkSecretName(c.Name) && vendor != detect.Clerk {
				continue
			}
			vendor, strength = detect.Clerk, detect.Strong
		}
		mode, sev := "development (`sk_test_`)", rules.High
		if c.Live {
			mode, sev = "production (`sk_live_`)", rules.Critical
		}
		if c.Kind == detect.LegacyKey {
			mode = "legacy production (`live_`)"
			if !c.Live {
				mode = "legacy development (`test_`)"
			}
		}
		line, col := lineSpan(f, c.Start)
		red := redact.Secret(c.Value)
		d := rules.Diagnostic{Line: line, Column: col, Severity: sev, Secrets: []string{c.Value}, Match: match(c.Name, c.Value)}
		switch vendor {
		case detect.Other:
			continue // Stripe: not ours to report
		case detect.Clerk:
			d.Confidence = rules.HighConfidence
			if strength == detect.Weak {
				d.Confidence = rules.MediumConfidence
			}
			d.Message = fmt.Sprintf("Clerk %s Secret Key %s is committed in %s", mode, red, describe(c.Name))
			if why != "" && c.Kind != detect.LegacyKey && !strings.HasPrefix(why, "assigned to") {
				d.Message += " (attributed to Clerk: " + why + ")"
			}
		default:
			if !pass.Project.UsesClerk() {
				continue // no Clerk in this project: don't claim a Stripe key is Clerk's
			}
			d.Confidence = rules.LowConfidence
			d.Message = fmt.Sprintf("sk_ secret key (Stripe or Clerk) %s is committed in %s; nothing ties it to either vendor", red, describe(c.Name))
			if why != "" {
				d.Message += " (" + why + ")"
			}
		}
		report(d)
	}
	return nil
}
