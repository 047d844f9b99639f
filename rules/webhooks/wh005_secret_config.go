package webhooks

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	sem "github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/redact"
)

// WH005 flags signing-secret configuration that disables or weakens
// verification: a hard-coded fallback, skipping verification when the
// secret is unset, and verifyWebhook() reading a variable the project does
// not define.
var WH005 = &rules.Rule{
	ID:         "CLK-WH-005",
	Name:       "webhook-secret-config",
	Pack:       rules.PackWebhooks,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  4,
	Keywords:   []string{"WEBHOOK", "Webhook", "webhook", "SIGNING", "Signing", "signing", "SVIX", "svix", "whsec"},
	Doc: rules.Doc{
		Title: "webhook signing secret with a fallback, skip-if-unset, or wrong variable name",
		References: []string{
			"clerk/javascript packages/backend/src/webhooks.ts",
			"https://clerk.com/docs/guides/development/clerk-environment-variables",
		},
		Text: "A fallback such as `process.env.CLERK_WEBHOOK_SECRET || 'whsec_dev'` means a deployment that lost the variable " +
			"verifies against a secret anyone can read in the repository; a branch that processes the payload when the secret " +
			"is unset turns verification off the same way. `verifyWebhook()` without `signingSecret` reads " +
			"`CLERK_WEBHOOK_SIGNING_SECRET` (Nuxt: `NUXT_CLERK_WEBHOOK_SIGNING_SECRET`); when the project only defines another name " +
			"it throws on every delivery, which fails closed but is usually \"fixed\" by removing verification (low severity).",
		Bad: `const secret = process.env.CLERK_WEBHOOK_SECRET || 'whsec_dev_dummy'
if (!process.env.WEBHOOK_SECRET) return handle(await req.json())`,
		Good: `const evt = await verifyWebhook(req, { signingSecret: process.env.CLERK_WEBHOOK_SECRET })
// throws when the secret is missing: fail closed`,
	},
	Fix: func(p *project.Model, path string) string {
		name := "CLERK_WEBHOOK_SIGNING_SECRET"
		if p.DependsOn(path, "@clerk/nuxt") {
			name = "NUXT_CLERK_WEBHOOK_SIGNING_SECRET"
		}
		if since, old := predatesVerifyWebhook(p, path); old {
			return "Read the signing secret from " + rules.Code(name) + " and pass it to `new Webhook(secret)` from `svix`. Never fall back to a hard-coded secret or skip verification when it is missing: let verification throw and respond 400/500. " +
				"(Clerk's `verifyWebhook()`, from " + since + ", reads it by default.)"
		}
		return "`verifyWebhook()` reads " + rules.Code(name) + " by default. Never fall back to a hard-coded secret or skip verification when it is missing: let verification throw and respond 400/500. If your variable has another name, pass it: `verifyWebhook(req, { signingSecret: process.env.CLERK_WEBHOOK_SECRET })`."

	},
	Run: runWH005,
}

var (
	webhookSecretName  = regexp.MustCompile(`(?i)(webhook|signing|svix)`)
	declaredSecretName = regexp.MustCompile(`\b[A-Z][A-Z0-9_]*(WEBHOOK|SIGNING|SVIX)[A-Z0-9_]*\b`)
)

// otherProvider reports whether a setting name is another webhook
// provider's signing secret (knowledge's providers).
func otherProvider(name string) bool {
	_, ok := knowledge.ProviderInName(name)
	return ok
}

func runWH005(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	fallbacks(pass, f)
	if nonRequestPath(f.Path) {
		return nil
	}
	c := &checker{pass: pass}
	hs := c.webhookHandlers(f)
	for _, h := range hs {
		c.skipWhenUnset(h)
	}
	c.nameMismatch(f)
	if len(hs) > 0 {
		c.explicitNameMismatch(f)
	}
	return nil
}

// explicitNameMismatch reports a webhook handler's file reading its
// signing secret from a variable Clerk webhook code uses
// (knowledge.IsClerkWebhookSecretEnv: `process.env.WEBHOOK_SECRET`) that
// the project's env files do not declare, while they declare the Clerk
// webhook secret under another of those names: the two names drift, and
// verification throws on every delivery until they agree (low: it fails
// closed).
func (c *checker) explicitNameMismatch(f *jsast.File) {
	var read *jsast.Node
	name := ""
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if read != nil {
			return false
		}
		if n.Type == "member_expression" {
			if v, ok := strings.CutPrefix(f.Name(n), "process.env."); ok && knowledge.IsClerkWebhookSecretEnv(v) {
				read, name = n, v
			}
			return false
		}
		return true
	})
	if read == nil {
		return
	}
	declared := c.declaredSecrets(f.Path, false)
	if _, ok := declared[name]; ok {
		return
	}
	var others []string
	for k := range declared {
		if knowledge.IsClerkWebhookSecretEnv(k) {
			others = append(others, k)
		}
	}
	if len(others) == 0 {
		return
	}
	sort.Strings(others)
	at := declared[others[0]]
	c.pass.Report(rules.Diagnostic{Line: read.Line, Column: read.Col, Severity: rules.Low, Related: []rules.Location{at},
		Message: fmt.Sprintf("the webhook signing secret is read from %s, but the project's env files declare %s (%s), not %s; verification throws on every delivery until the names agree",
			rules.Code(f.Name(read)), strings.Join(codes(others), ", "), rules.Code(fmt.Sprintf("%s:%d", at.Path, at.Line)), rules.Code(name))})
}

// fallbacks reports `env || 'literal'` and `env ?? 'literal'` for a
// webhook signing secret.
func fallbacks(pass *rules.Pass, f *jsast.File) {
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		name, right, v, ok := f.EnvFallback(n) // '' makes svix throw: fails closed
		if !ok || !webhookSecretName.MatchString(name) || otherProvider(name) {
			return true
		}
		op := f.Text(n.ChildByField("operator"))
		pass.Report(rules.Diagnostic{Line: right.Line, Column: right.Col, Secrets: []string{v},
			Match:   name + " " + op + " " + redact.Secret(v),
			Message: fmt.Sprintf("%s falls back to the hard-coded string %s when unset; webhooks signed with a secret anyone can read then verify", rules.Code(name), rules.Code(redact.Secret(v)))})
		return true
	})
}

// skipWhenUnset reports a branch on the signing secret that lets the
// payload through without verification.
func (c *checker) skipWhenUnset(h *handler) {
	f := h.f
	vs := c.verifications(f, h.fn, 2)
	vars := bodyVars(f, h)
	check := func(st, cond, cons, alt *jsast.Node) {
		if !secretCondition(f, cond) || !mentionsSecretValue(f, cond) {
			return
		}
		in := func(b *jsast.Node) bool {
			for _, v := range vs {
				if b.Contains(v.Call) {
					return true
				}
			}
			return false
		}
		var open *jsast.Node
		switch {
		case cons != nil && in(cons) && alt == nil:
			if processes(f, following(st), vars) || readsBody(f, h, following(st)) {
				open = st
			}
		case cons != nil && in(cons) && alt != nil && !in(alt):
			if processes(f, []*jsast.Node{alt}, vars) || readsBody(f, h, []*jsast.Node{alt}) {
				open = alt
			}
		case cons != nil && !in(cons):
			if (processes(f, []*jsast.Node{cons}, vars) || readsBody(f, h, []*jsast.Node{cons})) && !throws(cons) {
				open = cons
			}
		}
		if open != nil {
			c.pass.Report(rules.Diagnostic{Line: st.Line, Column: st.Col,
				Message: fmt.Sprintf("%s processes the payload without verification when %s decides the secret is missing; an unset variable turns verification off", h.label(), rules.Code(clip(f.Text(jsast.Unwrap(cond)))))})
		}
	}
	jsast.Walk(jsast.FunctionBody(h.fn), func(n *jsast.Node) bool {
		switch n.Type {
		case "if_statement":
			alt := n.ChildByField("alternative")
			check(n, n.ChildByField("condition"), n.ChildByField("consequence"), alt)
		case "ternary_expression":
			check(n, n.ChildByField("condition"), n.ChildByField("consequence"), n.ChildByField("alternative"))
		}
		return true
	})
}

// mentionsSecretValue reports whether a condition tests a secret's
// presence (a bare name, negated name or a comparison with undefined), not
// a property of a verified event.
func mentionsSecretValue(f *jsast.File, cond *jsast.Node) bool {
	hit := false
	jsast.Walk(cond, func(n *jsast.Node) bool {
		switch n.Type {
		case "identifier", "member_expression", "call_expression":
			if secretName.MatchString(f.Text(n)) {
				hit = true
				return false
			}
		}
		return !hit
	})
	return hit
}

func throws(n *jsast.Node) bool { return len(jsast.Find(n, "throw_statement")) > 0 }

// readsBody reports whether the statements read the handler's request body.
func readsBody(f *jsast.File, h *handler, stmts []*jsast.Node) bool {
	for _, r := range bodyReads(f, h.fn, h.roots) {
		for _, st := range stmts {
			if st.Contains(r.n) {
				return true
			}
		}
	}
	return false
}

// nameMismatch reports verifyWebhook() without signingSecret when the
// repository's env files declare a webhook secret only under other names.
func (c *checker) nameMismatch(f *jsast.File) {
	var calls []*jsast.Node
	for _, call := range f.Calls(f.Root, func(n string) bool { return jsast.LastSegment(n) == "verifyWebhook" }) {
		if vs := c.pass.Model.WebhookVerifies(c.pass.Ctx, f, call); len(vs) == 0 || vs[0].Call != call || vs[0].Kind != sem.VerifyClerk {
			continue
		}
		args := jsast.Args(call)
		if len(args) >= 2 && (f.ObjectProp(args[1], "signingSecret") != nil || jsast.Unwrap(args[1]).Type != "object") {
			continue
		}
		calls = append(calls, call)
	}
	if len(calls) == 0 {
		return
	}
	nuxt := false
	for _, im := range f.Imports() {
		if strings.HasPrefix(im.Source, "@clerk/nuxt") {
			nuxt = true
		}
	}
	want := "CLERK_WEBHOOK_SIGNING_SECRET"
	if nuxt {
		want = "NUXT_CLERK_WEBHOOK_SIGNING_SECRET"
	}
	declared := c.declaredSecrets(f.Path, nuxt)
	if len(declared) == 0 || declared[want] != (rules.Location{}) || declared["#configured"] != (rules.Location{}) {
		return
	}
	names := make([]string, 0, len(declared))
	for k := range declared {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, call := range calls {
		c.pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col, Severity: rules.Low,
			Related: []rules.Location{declared[names[0]]},
			Message: fmt.Sprintf("%s has no `signingSecret`, so it reads %s, but the project's env files only declare %s (%s); it will throw on every delivery", rules.Code(clip(f.Text(call))), rules.Code(want), strings.Join(codes(names), ", "), rules.Code(fmt.Sprintf("%s:%d", declared[names[0]].Path, declared[names[0]].Line)))})
	}
}

// codes renders each name as a code span.
func codes(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = rules.Code(n)
	}
	return out
}

// envConfigFile reports whether p declares environment variables for the
// app: .env files, env schemas, deploy and CI configuration.
func envConfigFile(p string) bool {
	base := strings.ToLower(path.Base(p))
	switch {
	case strings.HasPrefix(base, ".env") || strings.HasSuffix(base, ".env"):
		return true
	case base == "turbo.json" || base == "vercel.json" || base == "fly.toml" || base == "render.yaml" || base == "app.yaml" ||
		base == "wrangler.toml" || base == "netlify.toml" || base == "railway.json" || strings.HasPrefix(base, "docker-compose") ||
		strings.HasPrefix(base, "compose."):
		return true
	case strings.HasPrefix(base, "env.") && (strings.HasSuffix(base, ".ts") || strings.HasSuffix(base, ".mjs") || strings.HasSuffix(base, ".js")):
		return true
	case strings.Contains(p, ".github/workflows/"):
		return true
	}
	return false
}

// declaredSecrets returns the webhook-secret-like variable names the
// repository declares, with where. "#configured" is set when Nuxt's
// config maps webhookSigningSecret explicitly.
func (c *checker) declaredSecrets(from string, nuxt bool) map[string]rules.Location {
	out := map[string]rules.Location{}
	for _, p := range c.pass.Paths() {
		isNuxtConfig := nuxt && strings.HasPrefix(path.Base(p), "nuxt.config.")
		if !envConfigFile(p) && !isNuxtConfig {
			continue
		}
		sf := c.pass.Get(p)
		if sf == nil || sf.Binary {
			continue
		}
		for i, line := range sf.Lines() {
			if isNuxtConfig {
				if strings.Contains(line, "webhookSigningSecret") {
					out["#configured"] = rules.Location{Path: p, Line: i + 1}
				}
				continue
			}
			for _, m := range declaredSecretName.FindAllString(line, -1) {
				if otherProvider(m) || !strings.Contains(m, "SECRET") && !strings.Contains(m, "KEY") {
					continue
				}
				if _, ok := out[m]; !ok {
					out[m] = rules.Location{Path: p, Line: i + 1}
				}
			}
		}
	}
	return out
}
