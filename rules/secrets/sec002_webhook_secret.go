package secrets

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
)

// SEC002 reports Svix/Clerk webhook signing secrets (whsec_…) committed to
// any text file.
var SEC002 = &rules.Rule{
	ID:         "CLK-SEC-002",
	Name:       "webhook-signing-secret-committed",
	Pack:       rules.PackSecrets,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files:      textFile,
	Keywords:   []string{"whsec_"},
	Doc: rules.Doc{
		Title: "webhook signing secret committed",
		References: []string{
			"https://clerk.com/docs/guides/secure/rotate-api-keys",
		},
		Text: "Clerk signs webhooks with Svix; the endpoint's signing secret (`whsec_` + base64) is what `verifyWebhook()` checks the " +
			"signature against. Anyone who has it can forge verified `user.created`, `organizationMembership.updated` or " +
			"`session.created` events, and your handler will trust them.\n\n" +
			"The secret is attributed to Clerk when its variable name, the surrounding code or the file's imports mention Clerk or Svix; " +
			"otherwise it is reported as a Svix-format secret (Resend and other Svix customers use the same format). Secrets named " +
			"for Stripe or Resend are not reported. Svix's public documentation sample and Clerk's test value are allow-listed.",
		Bad:  "const wh = new Webhook('whsec_…')",
		Good: "const evt = await verifyWebhook(req) // reads CLERK_WEBHOOK_SIGNING_SECRET",
	},
	Fix: rules.ConstFix("Anyone with this secret can forge verified Clerk webhook events. Move it to `CLERK_WEBHOOK_SIGNING_SECRET` and rotate: " +
		"create a new endpoint with the same URL/events, switch the env var, redeploy, delete the old endpoint."),
	BuildOutput: true,
	Run:         localOnly(runSEC002),
}

func runSEC002(pass *rules.Pass, report reportFunc) error {
	f := pass.File
	text := string(f.Content)
	sig := signals(f)
	for _, c := range candidates(f) {
		if c.Kind != detect.WebhookSecret {
			continue
		}
		if _, ph := detect.Placeholder(c.Value); ph {
			continue
		}
		vendor, strength, why := detect.AttributeWebhook(text, c, sig)
		line, col := lineSpan(f, c.Start)
		d := rules.Diagnostic{Line: line, Column: col, Secrets: []string{c.Value}, Match: match(c.Name, c.Value)}
		red := redact.Secret(c.Value)
		switch vendor {
		case detect.Other:
			continue
		case detect.Clerk:
			d.Confidence = rules.HighConfidence
			if strength == detect.Weak {
				d.Confidence = rules.MediumConfidence
			}
			d.Message = fmt.Sprintf("Clerk webhook signing secret %s is committed in %s", red, describe(c.Name))
			if !strings.HasPrefix(why, "assigned to") {
				d.Message += " (attributed to Clerk: " + why + ")"
			}
		default:
			if !pass.Project.UsesClerk() && !sig.ImportsSvix {
				continue
			}
			d.Confidence = rules.MediumConfidence
			d.Message = fmt.Sprintf("Svix-format webhook signing secret %s is committed in %s; if it belongs to a Clerk endpoint, anyone can forge verified events", red, describe(c.Name))
		}
		report(d)
	}
	return nil
}
