package webhooks

import (
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// sdk is a Clerk SDK with a verifyWebhook() entry point.
type sdk struct {
	pkg   string // package name
	since string // first version exporting <pkg>/webhooks verifyWebhook (clerk/javascript#5468); the SDK table's answer wins
	arg   string // the argument the framework's handler passes
	raw   string // how the framework keeps the raw body, when it needs help
}

// sdks in the order a file's framework is decided: full-stack frameworks
// first, then servers, then the backend package.
var sdks = []sdk{
	{pkg: "@clerk/nextjs", since: "6.13.0", arg: "req"},
	{pkg: "@clerk/nuxt", since: "1.5.0", arg: "event"},
	{pkg: "@clerk/astro", since: "2.5.0", arg: "request"},
	{pkg: "@clerk/react-router", since: "1.2.0", arg: "request"},
	{pkg: "@clerk/tanstack-react-start", since: "0.13.0", arg: "request"},
	{pkg: "@clerk/express", since: "1.4.0", arg: "req",
		raw: "register the route with `express.raw({ type: 'application/json' })` before any global `express.json()`"},
	{pkg: "@clerk/fastify", since: "2.2.0", arg: "request",
		raw: "add a raw-body content-type parser for the webhook route, since Fastify's default JSON parser re-serialises the body"},
	{pkg: "@clerk/backend", since: "1.26.0", arg: "request"},
}

// pagesAPI reports whether the file is a Next.js Pages Router API route,
// by the project's route table (project.PagesAPI).
func pagesAPI(p *project.Model, path string) bool {
	r := p.RouteOf(path)
	return r != nil && r.Kind == project.PagesAPI
}

// sdkFor returns the Clerk SDK governing the file at path, its declared
// version (nil when unknown) and whether verifyWebhook is available.
func sdkFor(p *project.Model, path string) (s sdk, v *semver.Version, ok bool) {
	for _, s := range sdks {
		v, declared := p.Version(path, s.pkg)
		if !declared {
			continue
		}
		if v == nil {
			return s, nil, true
		}
		// The release that added verifyWebhook, read from the generated
		// SDK table; the remembered one only when the table lacks it.
		if first, ok := knowledge.FirstWith(s.pkg, "./webhooks", "verifyWebhook"); ok {
			s.since = first
		}
		min := semver.MustParse(s.since)
		if s.pkg == "@clerk/nextjs" && pagesAPI(p, path) {
			min = semver.MustParse("6.15.1") // Pages Router support came in 6.15.1
			s.since = "6.15.1"
		}
		return s, v, !v.LessThan(min)
	}
	return sdk{}, nil, false
}

// predatesVerifyWebhook reports whether the Clerk SDK governing the file
// at path is declared at a version before the release that added
// verifyWebhook (by the generated SDK table, via sdkFor), and that release.
func predatesVerifyWebhook(p *project.Model, path string) (since string, predates bool) {
	s, _, ok := sdkFor(p, path)
	return s.since, s.pkg != "" && !ok
}

// verifyFix is the framework- and version-specific way to verify a Clerk
// webhook for the file at path.
func verifyFix(p *project.Model, path string) string {
	s, v, ok := sdkFor(p, path)
	if s.pkg == "" {
		return "Verify the Svix signature before using the payload: `const evt = new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET).verify(rawBody, " +
			"{ 'svix-id': …, 'svix-timestamp': …, 'svix-signature': … })` from `svix` on the raw request body, and return 400 when it throws. " +
			"With a Clerk SDK, use its `verifyWebhook()`."
	}
	if !ok {
		return "Your " + rules.Code(s.pkg) + " " + v.Original() + " predates `verifyWebhook()` (added in " + s.since + "). Verify with `svix` on the raw body: `const evt = new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET).verify(await req.text(), { 'svix-id': …, 'svix-timestamp': …, 'svix-signature': … })`, returning 400 when it throws; or upgrade to " + s.since + " or later and use `verifyWebhook()` from " + rules.Code(s.pkg+"/webhooks") + "."
	}
	text := "Verify before using the payload: " + rules.Code("import { verifyWebhook } from '"+s.pkg+"/webhooks'") + ", then " + rules.Code("try { const evt = await verifyWebhook("+
		s.arg+") } catch { /* respond 400 */ }") + ". It reads `CLERK_WEBHOOK_SIGNING_SECRET`"
	if s.pkg == "@clerk/nuxt" {
		text = strings.Replace(text, "`CLERK_WEBHOOK_SIGNING_SECRET`", "`runtimeConfig.clerk.webhookSigningSecret` (`NUXT_CLERK_WEBHOOK_SIGNING_SECRET`)", 1)
	}
	text += " and checks the signature over the raw body in constant time with a 5-minute timestamp tolerance."
	if s.pkg == "@clerk/nextjs" && pagesAPI(p, path) {
		text += " In the Pages Router also disable body parsing: `export const config = { api: { bodyParser: false } }`."
	}
	if s.raw != "" {
		text += " For the raw body, " + s.raw + "."
	}
	return text
}

// rawBodyFix is WH-002's remedy for the file at path.
func rawBodyFix(p *project.Model, path string) string {
	if strings.HasSuffix(path, ".go") {
		return "Verify first: call `wh.Verify(payload, r.Header)` on the bytes read from the body and answer 400/401 when it fails, " +
			"then parse `payload`; never end the process (`log.Fatal`) on a request's parse error, answer 400 instead."
	}
	s, v, ok := sdkFor(p, path)
	switch {
	case s.pkg == "@clerk/express" && !ok:
		return "Svix signs the exact raw bytes (`id.timestamp.body`). Register the webhook route with `express.raw({ type: 'application/json' })` " +
			"before any global `express.json()` (or mount `express.json()` only on the other routes), then verify the raw Buffer with `svix`: " +
			"`new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET).verify(req.body, { 'svix-id': …, 'svix-timestamp': …, 'svix-signature': … })`. " +
			"Your `@clerk/express` " + v.Original() + " predates `verifyWebhook()` (added in " + s.since + ")."
	case s.pkg == "@clerk/express":
		return "Svix signs the exact raw bytes (`id.timestamp.body`). Register the webhook route with `express.raw({ type: 'application/json' })` " +
			"before any global `express.json()` (or mount `express.json()` only on the other routes), then call `verifyWebhook(req)`."
	case s.pkg == "@clerk/fastify" && !ok:
		return "Svix signs the exact raw bytes. Register a raw-body content-type parser for the webhook route " +
			"(`fastify.addContentTypeParser('application/json', { parseAs: 'string' }, …)`) and verify that string with `svix`: " +
			"`new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET).verify(rawBody, { 'svix-id': …, 'svix-timestamp': …, 'svix-signature': … })`. " +
			"Your `@clerk/fastify` " + v.Original() + " predates `verifyWebhook()` (added in " + s.since + ")."
	case s.pkg == "@clerk/fastify":
		return "Svix signs the exact raw bytes. `@clerk/fastify`'s `verifyWebhook()` re-serialises a parsed body; register a raw-body " +
			"content-type parser for the webhook route (`fastify.addContentTypeParser('application/json', { parseAs: 'string' }, …)`)."
	case ok:
		return "Svix signs the exact raw bytes (`id.timestamp.body`). Do not read or parse the body first: call " + rules.Code("verifyWebhook("+s.arg+")") + " on the untouched request and use the event it returns."

	}
	return "Svix signs the exact raw bytes (`id.timestamp.body`). Pass the raw body to the verifier before any JSON parsing: " +
		"`wh.verify(await req.text(), headers)` (Express: `express.raw({ type: 'application/json' })` on the webhook route), and use the object `verify()` returns."
}
