package knowledge

import (
	"path"
	"strings"
)

// PublicReason says why a route is public by convention.
type PublicReason uint8

// Reasons a route is public by convention.
const (
	NotPublic PublicReason = iota
	// Health: health, status and readiness probes.
	Health
	// Webhook: webhook receivers authenticate by signature, not by session;
	// Clerk's docs require the route to be public.
	Webhook
	// AuthPage: the sign-in and sign-up pages and their callbacks.
	AuthPage
	// Crawler: robots.txt, sitemap.xml, web manifest.
	Crawler
	// Metadata: generated Open Graph images and icons.
	Metadata
	// Marketing: marketing and content pages (pages only; an API under
	// such a segment is not public by this convention).
	Marketing
	// CapabilityLink: a page whose URL carries a secret token in a dynamic
	// segment named for it ([token], [inviteToken]): whoever holds the link
	// may use it, signed in or not (an invitation, a questionnaire sent to a
	// patient, a shared document). Pages only, like Marketing. Source: W3C
	// TAG, Good Practices for Capability URLs
	// (https://www.w3.org/TR/capability-urls/): "URLs that grant access to
	// a resource to anyone who knows the URL".
	CapabilityLink
)

func (r PublicReason) String() string {
	return [...]string{"", "health check", "webhook", "sign-in/sign-up", "crawler file", "metadata image", "marketing page", "capability link"}[r]
}

// publicSegments are path segments that make a route public by
// convention.
//
// Sources: Clerk's createRouteMatcher examples list '/sign-in(.*)',
// '/sign-up(.*)' as public and its webhook guide requires the webhook
// route to be public (https://clerk.com/docs/reference/nextjs/clerk-middleware,
// https://clerk.com/docs/guides/development/webhooks/syncing); Next.js
// metadata files robots.txt, sitemap.xml, manifest, opengraph-image,
// twitter-image, icon, apple-icon
// (https://nextjs.org/docs/app/api-reference/file-conventions/metadata);
// health endpoints by the Kubernetes probe convention
// (https://kubernetes.io/docs/reference/using-api/health-checks/).
//
// Replaces: rules/routes/next_guard.go skipRouteSegments and
// publicByDesign, rules/routes/rp005_page_layout_guard.go publicSegments,
// and the health/callback parts of rules/hardening/hard003_redirects.go
// getSkipPath.
var publicSegments = map[string]PublicReason{
	"health": Health, "healthz": Health, "healthcheck": Health, "health-check": Health, "status": Health,
	"ping": Health, "ready": Health, "readyz": Health, "livez": Health, "live": Health, "_health": Health,
	"sign-in": AuthPage, "sign-up": AuthPage, "signin": AuthPage, "signup": AuthPage, "login": AuthPage,
	"sso-callback": AuthPage, "sign-out": AuthPage, "logout": AuthPage,
	"robots.txt": Crawler, "sitemap.xml": Crawler, "manifest.webmanifest": Crawler, "manifest.json": Crawler,
	"favicon.ico": Metadata, "og": Metadata, "opengraph-image": Metadata, "twitter-image": Metadata,
	"icon": Metadata, "apple-icon": Metadata, ".well-known": Crawler,
	"public": Marketing, "blog": Marketing, "docs": Marketing, "pricing": Marketing, "about": Marketing,
	"marketing": Marketing, "legal": Marketing, "terms": Marketing, "privacy": Marketing, "changelog": Marketing,
	"contact": Marketing, "careers": Marketing, "faq": Marketing, "help": Marketing, "landing": Marketing,
	"site": Marketing, "www": Marketing, "posts": Marketing, "news": Marketing, "showcase": Marketing,
	"features": Marketing,
}

// probeTail reports whether the segments after a health segment keep the
// path a probe: none, a route file name (route.ts), or more probe
// segments (/health/live). A probe is a fixed path the orchestrator polls;
// a dynamic or other segment after it (/status/:userId, /status/orders)
// names a resource.
func probeTail(rest []string) bool {
	for _, s := range rest {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
		if i := strings.IndexByte(s, '.'); i > 0 {
			s = s[:i]
		}
		if s == "" || s == "route" || s == "index" {
			continue
		}
		if publicSegments[s] != Health {
			return false
		}
	}
	return true
}

// privateSegments are path segments that name areas meant for signed-in
// users (a naming convention, not proof).
//
// Replaces: rules/routes/rp005_page_layout_guard.go privateSegments and
// rules/routes/rp009_route_matcher.go sensitiveSegment.
var privateSegments = map[string]bool{
	"dashboard": true, "admin": true, "account": true, "accounts": true, "settings": true, "billing": true,
	"profile": true, "me": true, "org": true, "orgs": true, "organization": true, "organizations": true,
	"team": true, "teams": true, "workspace": true, "workspaces": true, "internal": true, "console": true,
	"portal": true, "manage": true, "private": true, "protected": true, "members": true, "invoices": true,
	"orders": true, "authenticated": true, "signed-in": true, "platform": true,
}

// PublicRoute reports whether a URL path (or route file path) is public by
// convention, and why. The first public segment decides; a segment that
// merely contains "webhook" ("/api/webhooks/clerk", "/stripe-webhook")
// counts as a webhook receiver. Route groups "(marketing)" count by their
// name; dynamic segments do only when named for a secret token
// (CapabilityLink).
func PublicRoute(urlPath string) (PublicReason, bool) {
	segs := strings.Split(strings.ToLower(urlPath), "/")
	for i, seg := range segs {
		seg = strings.TrimSuffix(strings.TrimPrefix(seg, "("), ")")
		if seg == "" {
			continue
		}
		if strings.HasPrefix(seg, "[") || strings.HasPrefix(seg, ":") {
			if name := strings.Trim(seg, "[]:."); strings.HasSuffix(name, "token") {
				return CapabilityLink, true
			}
			continue
		}
		if strings.Contains(seg, "webhook") {
			return Webhook, true
		}
		if r, ok := publicSegments[seg]; ok {
			if r == Health && !probeTail(segs[i+1:]) {
				continue // /status/:userId is a user's status, not a probe
			}
			return r, true
		}
		if i := strings.IndexByte(seg, '.'); i > 0 {
			// opengraph-image.tsx, icon.png, route files of metadata.
			if r, ok := publicSegments[seg[:i]]; ok && r == Metadata {
				return r, true
			}
		}
	}
	return NotPublic, false
}

// apiSegments are first path segments that make a route an API endpoint,
// which a program calls and which must answer 401 rather than redirect to
// a sign-in page. Source: Clerk's requireAuth() reference ("Do not use
// requireAuth() for API routes ... return standard HTTP status codes",
// https://clerk.com/docs/reference/express/require-auth); the
// segments are the conventional API mounts (REST /api and /v1..., GraphQL
// /graphql, tRPC /trpc).
var apiSegments = map[string]bool{"api": true, "graphql": true, "trpc": true, "v1": true, "v2": true, "v3": true, "rpc": true}

// APIRoute reports whether a URL path is an API endpoint by convention.
func APIRoute(urlPath string) bool {
	for _, seg := range strings.Split(strings.ToLower(urlPath), "/") {
		if seg != "" {
			return apiSegments[seg]
		}
	}
	return false
}

// PrivateArea reports whether a URL path has a segment that names an area
// meant for signed-in users.
func PrivateArea(urlPath string) bool {
	for _, seg := range strings.Split(strings.ToLower(urlPath), "/") {
		if privateSegments[strings.TrimSuffix(strings.TrimPrefix(seg, "("), ")")] {
			return true
		}
	}
	return false
}

// PathKind says why a file of the repository is never reached by a
// request.
type PathKind uint8

// Kinds of files no request reaches.
const (
	RequestPath PathKind = iota
	TestPath             // tests, mocks, fixtures, stories, e2e
	ScriptPath           // scripts, CLIs, seeds, migrations, schema folders
	ExamplePath          // examples, demos, playgrounds, templates, samples
)

func (k PathKind) String() string {
	return [...]string{"request", "test", "script", "example"}[k]
}

// nonRequestDirs are directories whose files no request reaches.
//
// Sources: the conventions of the test runners (Jest __tests__ and
// __mocks__, https://jestjs.io/docs/configuration#testmatch-arraystring;
// Cypress and Playwright folders), ORM migration folders (prisma/,
// drizzle/), and example folders.
//
// Replaces: rules/jsast/entry.go IsNonRequestPath,
// rules/webhooks/model.go nonRequestPath, and
// rules/routes/rp018_weak_verify_options.go rp018NonProduction. They
// disagreed on examples (one counts them as code that runs): callers
// choose which kinds to skip.
var nonRequestDirs = map[string]PathKind{
	"__tests__": TestPath, "test": TestPath, "tests": TestPath, "e2e": TestPath, "__mocks__": TestPath,
	"mocks": TestPath, "mock": TestPath, "fixtures": TestPath, "cypress": TestPath, "playwright": TestPath,
	"scripts": ScriptPath, "script": ScriptPath, "migrations": ScriptPath, "seed": ScriptPath, "seeds": ScriptPath,
	"prisma": ScriptPath, "drizzle": ScriptPath, "bin": ScriptPath, "cli": ScriptPath, "benchmarks": ScriptPath,
	"examples": ExamplePath, "example": ExamplePath, "demo": ExamplePath, "demos": ExamplePath,
	"playground": ExamplePath, "sandbox": ExamplePath, "templates": ExamplePath, "template": ExamplePath,
	"samples": ExamplePath, "sample": ExamplePath, "docs": ExamplePath, "dev": ExamplePath,
}

// NonRequestPath says whether a repository file is one no request reaches
// (a test, script or example), and which kind. The file name counts too:
// *.test.*, *.spec.*, *.stories.*, seed*, migrate*.
func NonRequestPath(p string) (PathKind, bool) {
	lp := strings.ToLower(p)
	dirs := strings.Split(path.Dir(lp), "/")
	for _, d := range dirs {
		if k, ok := nonRequestDirs[d]; ok {
			return k, true
		}
	}
	base := path.Base(lp)
	switch {
	case strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") || strings.Contains(base, ".stories."):
		return TestPath, true
	case strings.HasPrefix(base, "seed") || strings.HasPrefix(base, "migrate"):
		return ScriptPath, true
	}
	return RequestPath, false
}

// cacheWords name the tables and models an application keeps as a cache:
// its own copy of data the server computed or fetched from another
// service (etf_cache_price, PriceCache, cached_quotes), refreshed on
// demand when a visitor asks for the item (cache-aside).
//
// Source: the cache-aside pattern
// (https://learn.microsoft.com/en-us/azure/architecture/patterns/cache-aside:
// "load data on demand into a cache from a data store").
var cacheWords = map[string]bool{"cache": true, "cached": true, "caches": true}

// CacheRecord reports whether a table or model name names a cache
// (cacheWords), matched word by word ("etf_cache_chart", "QuoteCache").
func CacheRecord(name string) bool {
	for _, w := range words(name) {
		if cacheWords[w] {
			return true
		}
	}
	return false
}

// submissionWords name the public forms and beacons of an application:
// endpoints whose whole purpose is to let anyone, signed in or not, add a
// record (a contact message, a job application, a waitlist sign-up, an
// event registration, a page view). A name is matched word by word
// ("job-applications", "sendContactEmail", "service_request").
//
// Sources: the form kinds of the Next.js forms guide
// (https://nextjs.org/docs/app/guides/forms: contact, newsletter sign-up)
// and OWASP's description of unauthenticated business flows
// (https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/:
// the flows are public by design; the risk is abuse, not a missing login).
var submissionWords = map[string]bool{
	"contact": true, "feedback": true, "newsletter": true, "subscribe": true, "unsubscribe": true, "waitlist": true,
	"inquiry": true, "enquiry": true, "quote": true, "apply": true, "application": true, "careers": true,
	"request": true, "register": true, "registration": true, "rsvp": true, "signup": true,
	"track": true, "tracking": true, "analytics": true, "pageview": true, "beacon": true, "telemetry": true,
}

// addressUsVerbs are the verbs of the "<verb> us" names a site gives its
// contact form when it does not say "contact" (message-us, email_us,
// writeToUs, talk-to-us, join-us): the visitor addresses the site's
// owners, which is the form's purpose, like a contact message.
//
// Sources: as for submissionWords (the Next.js forms guide's contact
// form; OWASP API6:2023, public business flows), and schema.org's
// ContactPage (https://schema.org/ContactPage), the page kind such a form
// sits on.
var addressUsVerbs = map[string]bool{
	"message": true, "email": true, "mail": true, "write": true, "reach": true, "text": true,
	"ask": true, "tell": true, "talk": true, "speak": true, "join": true, "hire": true,
}

// PublicSubmission reports whether a route path, file path or function
// name names a public form or beacon (submissionWords, or a verb of
// addressUsVerbs followed by "us", perhaps with "to" between): an
// anonymous caller adding a record there is the endpoint's purpose.
func PublicSubmission(name string) bool {
	ws := words(name)
	for i, w := range ws {
		if submissionWords[w] || submissionWords[strings.TrimSuffix(w, "s")] {
			return true
		}
		if w != "us" || i == 0 {
			continue
		}
		v := ws[i-1]
		if v == "to" && i >= 2 {
			v = ws[i-2]
		}
		if addressUsVerbs[v] {
			return true
		}
	}
	return false
}

// personalWords name records that hold one person's data or what they
// submitted: reading them without a check exposes other users' data.
//
// Sources: the GDPR definition of personal data (Art. 4(1),
// https://gdpr-info.eu/art-4-gdpr/: identifiers, contact and financial
// data, communications) and OWASP API Security API1:2023 Broken Object
// Level Authorization
// (https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/:
// users' records, messages, orders, payments, documents). Health data
// (appointments, prescriptions) is a special category under GDPR Art. 9
// (https://gdpr-info.eu/art-9-gdpr/). Applications name their tables in
// their own language: the Spanish and Portuguese names of the same
// records are listed too (the GDPR's own Spanish text,
// https://eur-lex.europa.eu/legal-content/ES/TXT/?uri=CELEX:32016R0679,
// Art. 4(1) "datos personales"); a word ending in "s" is its plural.
var personalWords = map[string]bool{
	"user": true, "account": true, "profile": true, "member": true, "membership": true, "customer": true,
	"employee": true, "staff": true, "person": true, "people": true, "contact": true, "address": true,
	"order": true, "payment": true, "transaction": true, "trans": true, "invoice": true, "billing": true,
	"subscription": true, "purchase": true, "booking": true, "reservation": true, "enrollment": true,
	"message": true, "conversation": true, "chat": true, "comment": true, "note": true, "report": true,
	"application": true, "submission": true, "session": true, "token": true, "credential": true,
	"apikey": true, "secret": true, "wallet": true, "balance": true, "history": true, "notification": true,
	"participant": true, "attendee": true, "patient": true, "student": true, "document": true, "file": true,
	"appointment": true, "prescription": true,
	// Spanish and Portuguese: user, customer, patient, student, employee,
	// contact, appointment, order, payment, invoice, message, booking.
	"usuario": true, "cliente": true, "paciente": true, "alumno": true, "estudiante": true, "aluno": true,
	"empleado": true, "funcionario": true, "contacto": true, "contato": true, "cita": true,
	"pedido": true, "pago": true, "pagamento": true, "factura": true, "fatura": true,
	"mensaje": true, "mensagem": true, "reserva": true,
}

// PersonalRecord reports whether a data model or table name ("User",
// "conversationParticipant", "user_profiles") names records that hold
// someone's personal data or submissions (personalWords).
func PersonalRecord(model string) bool {
	for _, w := range words(model) {
		if personalWords[w] || personalWords[strings.TrimSuffix(w, "s")] || strings.HasSuffix(w, "ies") && personalWords[strings.TrimSuffix(w, "ies")+"y"] {
			return true
		}
	}
	return false
}

// words splits a name into lower-case words at path separators,
// punctuation and camelCase boundaries.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			cur = append(cur, r)
		case r >= 'A' && r <= 'Z':
			if i > 0 && (rs[i-1] >= 'a' && rs[i-1] <= 'z' || i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z' && rs[i-1] >= 'A' && rs[i-1] <= 'Z') {
				flush()
			}
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}
