package secrets

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC007 reports Clerk secrets placed in Nuxt's public runtime config,
// directly or through the `clerk:` module options that @clerk/nuxt copies
// into runtimeConfig.public.clerk. Which configuration values reach the
// browser is the model's answer (Model.ClientConfig).
var SEC007 = &rules.Rule{
	ID:         "CLK-SEC-007",
	Name:       "nuxt-secret-in-public-runtime-config",
	Pack:       rules.PackSecrets,
	Severity:   rules.Critical,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Files: func(f *source.File) bool {
		return f.IsJS() && strings.HasPrefix(strings.ToLower(path.Base(f.Path)), "nuxt.config.")
	},
	Keywords: []string{"clerk", "public"},
	Doc: rules.Doc{
		Title: "Nuxt secret placed in public runtime config",
		References: []string{
			"clerk/javascript packages/nuxt/src/module.ts",
			"https://clerk.com/docs/guides/secure/rotate-api-keys",
		},
		Text: "Nuxt serializes `runtimeConfig.public` into every page. `@clerk/nuxt` copies the whole `clerk:` module-options object into " +
			"`runtimeConfig.public.clerk`, so a `secretKey` (or webhook/machine secret) written under `clerk:` is public, as is anything " +
			"secret under `runtimeConfig.public`. The module already declares the private `runtimeConfig.clerk.{secretKey, machineSecretKey, " +
			"jwtKey, webhookSigningSecret}`, filled from `NUXT_CLERK_SECRET_KEY` and friends.\n\n`publishableKey` under `clerk:` is public by design and not reported.",
		Bad: "export default defineNuxtConfig({\n  modules: ['@clerk/nuxt'],\n  clerk: { secretKey: process.env.CLERK_SECRET_KEY },\n" +
			"  runtimeConfig: { public: { clerkWebhookSecret: process.env.CLERK_WEBHOOK_SECRET } },\n})",
		Good: "export default defineNuxtConfig({\n  modules: ['@clerk/nuxt'],\n  // NUXT_CLERK_SECRET_KEY and NUXT_CLERK_WEBHOOK_SIGNING_SECRET are set in the environment\n})",
	},
	Fix: rules.ConstFix("`@clerk/nuxt` copies the `clerk:` module options into `runtimeConfig.public.clerk`, which is serialized to every page. " +
		"Secrets belong in the private `runtimeConfig.clerk` via `NUXT_CLERK_SECRET_KEY` / `NUXT_CLERK_WEBHOOK_SIGNING_SECRET`."),
	Run: adapt(runSEC007),
}

var secretLikeKey = regexp.MustCompile(`(?i)secret|signing|encryption|api_?key|private_?key|machine`)

// clerkSecretOptions are @clerk/nuxt's own secret option names.
var clerkSecretOptions = map[string]bool{
	"secretKey": true, "machineSecretKey": true, "webhookSigningSecret": true, "encryptionKey": true,
	"webhookSecret": true, "signingSecret": true, "apiKey": true,
}

func runSEC007(pass *rules.Pass, report reportFunc) error {
	if pass.Model == nil {
		return nil
	}
	xs, err := pass.Model.ClientConfig(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil // not read or parsed: unknown, never a finding
	}
	src := pass.File.Content
	for _, x := range xs {
		k := x.Key[strings.LastIndexByte(x.Key, '.')+1:]
		if k == "publishableKey" || !secretLikeKey.MatchString(k) {
			continue
		}
		d := rules.Diagnostic{Line: x.Line, Column: x.Col, Match: "nuxt " + x.Key}
		if x.Root == "clerk" {
			d.Message = fmt.Sprintf("%s in nuxt.config is copied by @clerk/nuxt into `runtimeConfig.public.clerk`, which is sent to every browser", rules.Code(x.Key))
			report(d)
			continue
		}
		if strings.Contains(strings.ToLower(k), "publishable") {
			continue
		}
		value := ""
		if x.Value != nil && int(x.Value.End) <= len(src) {
			value = string(src[x.Value.Start:x.Value.End])
		}
		if !strings.Contains(strings.ToLower(x.Key), "clerk") && !clerkSecretOptions[k] && !strings.Contains(strings.ToUpper(value), "CLERK") {
			continue
		}
		d.Message = fmt.Sprintf("%s puts a Clerk secret in Nuxt's public runtime config, which is serialized into every page", rules.Code(x.Key))
		report(d)
	}
	return nil
}
