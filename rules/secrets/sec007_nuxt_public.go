package secrets

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC007 reports Clerk secrets placed in Nuxt's public runtime config,
// directly or through the `clerk:` module options that @clerk/nuxt copies
// into runtimeConfig.public.clerk.
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
		Title: "nuxt secret placed in public runtime config",
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
	af := pass.AST(pass.File)
	if af == nil {
		return nil
	}
	cfg := nuxtConfigObject(af)
	if cfg == nil {
		return nil
	}
	keyOf := func(pair *jsast.Node) string {
		k := pair.ChildByField("key")
		if s, ok := af.StringValue(k); ok {
			return s
		}
		return af.Text(k)
	}
	// clerk: { ... } module options.
	if opts := af.ObjectProp(cfg, "clerk"); opts != nil {
		for _, p := range pairs(opts) {
			k := keyOf(p)
			if k == "publishableKey" || !secretLikeKey.MatchString(k) {
				continue
			}
			report(rules.Diagnostic{Line: p.Line, Column: p.Col, Match: "nuxt clerk." + k,
				Message: fmt.Sprintf("%s in nuxt.config is copied by @clerk/nuxt into `runtimeConfig.public.clerk`, which is sent to every browser", rules.Code("clerk."+k))})
		}
	}
	// runtimeConfig.public (and runtimeConfig.public.clerk).
	rc := af.ObjectProp(cfg, "runtimeConfig")
	pub := af.ObjectProp(rc, "public")
	var walk func(obj *jsast.Node, prefix string, underClerk bool)
	walk = func(obj *jsast.Node, prefix string, underClerk bool) {
		for _, p := range pairs(obj) {
			k := keyOf(p)
			v := jsast.Unwrap(p.ChildByField("value"))
			if v != nil && v.Type == "object" {
				walk(v, prefix+"."+k, underClerk || strings.Contains(strings.ToLower(k), "clerk"))
				continue
			}
			if k == "publishableKey" || strings.Contains(strings.ToLower(k), "publishable") || !secretLikeKey.MatchString(k) {
				continue
			}
			clerky := underClerk || strings.Contains(strings.ToLower(k), "clerk") || clerkSecretOptions[k] ||
				strings.Contains(strings.ToUpper(af.Text(v)), "CLERK")
			if !clerky {
				continue
			}
			report(rules.Diagnostic{Line: p.Line, Column: p.Col, Match: "nuxt " + prefix + "." + k,
				Message: fmt.Sprintf("%s puts a Clerk secret in Nuxt's public runtime config, which is serialized into every page", rules.Code(fmt.Sprintf("%s.%s", prefix, k)))})
		}
	}
	if pub != nil {
		walk(pub, "runtimeConfig.public", false)
	}
	return nil
}

func pairs(obj *jsast.Node) []*jsast.Node {
	obj = jsast.Unwrap(obj)
	if obj == nil || obj.Type != "object" {
		return nil
	}
	var out []*jsast.Node
	for _, c := range obj.NamedChildren() {
		if c.Type == "pair" {
			out = append(out, c)
		}
	}
	return out
}

// nuxtConfigObject returns the object passed to defineNuxtConfig(), or the
// default-exported object.
func nuxtConfigObject(af *jsast.File) *jsast.Node {
	for _, e := range af.Exports() {
		if e.Name != "default" {
			continue
		}
		v := jsast.Unwrap(e.Value)
		if v != nil && v.Type == "call_expression" {
			if a := jsast.Args(v); len(a) > 0 {
				v = jsast.Unwrap(a[0])
			}
		}
		if v != nil && v.Type == "object" {
			return v
		}
	}
	return nil
}
