package knowledge

import (
	"github.com/Masterminds/semver/v3"
)

// Exposure is the feature an advisory is about: what an application must
// do for the vulnerable release to matter. A rule reports an advisory only
// where its exposure holds (the advisory "bites").
type Exposure int

// Exposures.
const (
	// ExposeAuthHelpers: the identity helpers (auth(), getAuth(),
	// currentUser()) are wrong; it matters where an entry with effects
	// decides on the identity they return.
	ExposeAuthHelpers Exposure = iota + 1
	// ExposeRouteMatcher: createRouteMatcher() can be made not to match;
	// it matters where a match is what protects a route (the
	// `if (isProtectedRoute(req)) protect()` form; the allowlist form
	// `if (!isPublicRoute(req)) protect()` fails closed) and an entry with
	// effects relies on that gate alone.
	ExposeRouteMatcher
	// ExposeMultiKeyAuthz: has()/auth.protect() with certain combined
	// keys authorizes too much; it matters where such a call is made.
	ExposeMultiKeyAuthz
	// ExposeMiddlewareSkip: a request header makes Next.js skip the
	// middleware altogether; it matters where an entry with effects
	// relies on the middleware alone and does not call the identity
	// helpers itself (they throw when the middleware did not run).
	ExposeMiddlewareSkip
	// ExposePrefetchSkip: segment-prefetch requests skip the
	// middleware/proxy; only pages (React Server Components) are served
	// that way, so it matters where a page with effects relies on the
	// middleware alone.
	ExposePrefetchSkip
)

// AffectedRange is one affected range [From, Fixed) of one package.
type AffectedRange struct{ Package, From, Fixed string }

// Advisory is one published vulnerability of a Clerk SDK or of Next.js.
type Advisory struct {
	ID     string // GHSA or CVE id
	What   string // one phrase, Markdown
	Expose Exposure
	Ranges []AffectedRange
	Source string
}

// advisories are the published authentication and middleware bypasses
// CLK-RP-019 reports.
//
// Replaces: the advisories table of rules/routes/rp019_vulnerable_versions.go.
var advisories = []Advisory{
	{ID: "CVE-2024-22206", What: "`auth()`/`getAuth()` authentication bypass", Expose: ExposeAuthHelpers,
		Ranges: []AffectedRange{{"@clerk/nextjs", "4.7.0", "4.29.3"}},
		Source: "https://clerk.com/changelog/2024-02-02 (introduced in 4.7.0, fixed in 4.29.3; the helpers determine the authentication state)"},
	{ID: "GHSA-vqx2-fgx2-5wq9", What: "crafted paths bypass `createRouteMatcher()` gating", Expose: ExposeRouteMatcher,
		Ranges: []AffectedRange{
			{"@clerk/nextjs", "5.0.0", "5.7.6"}, {"@clerk/nextjs", "6.0.0", "6.39.2"}, {"@clerk/nextjs", "7.0.0", "7.2.1"},
			{"@clerk/nuxt", "1.1.0", "1.13.28"}, {"@clerk/nuxt", "2.0.0", "2.2.2"},
			{"@clerk/astro", "0.0.1", "1.5.7"}, {"@clerk/astro", "2.0.0", "2.17.10"}, {"@clerk/astro", "3.0.0", "3.0.15"},
			{"@clerk/shared", "2.20.17", "2.22.1"}, {"@clerk/shared", "3.0.0", "3.47.4"}, {"@clerk/shared", "4.0.0", "4.8.1"},
		},
		Source: "https://github.com/clerk/javascript/security/advisories/GHSA-vqx2-fgx2-5wq9 (CVE-2026-41248; \"Who is affected\": the isProtectedRoute form permits the bypass, the isPublicRoute form blocks it, handler-level auth() checks are unaffected)"},
	{ID: "GHSA-w24r-5266-9c3c", What: "combined-key `has()`/`auth.protect()` authorization bypass", Expose: ExposeMultiKeyAuthz,
		Ranges: []AffectedRange{{"@clerk/nextjs", "6.0.0", "6.39.3"}, {"@clerk/nextjs", "7.0.0", "7.2.4"},
			{"@clerk/shared", "3.0.0", "3.47.5"}, {"@clerk/shared", "4.0.0", "4.8.3"}},
		Source: "https://github.com/clerk/javascript/security/advisories/GHSA-w24r-5266-9c3c (CVE-2026-42349; affected call shapes under \"Who is affected\")"},
	{ID: "CVE-2025-29927", What: "`x-middleware-subrequest` skips middleware", Expose: ExposeMiddlewareSkip,
		Ranges: []AffectedRange{{"next", "11.1.4", "12.3.5"}, {"next", "13.0.0", "13.5.9"}, {"next", "14.0.0", "14.2.25"}, {"next", "15.0.0", "15.2.3"}},
		Source: "https://clerk.com/blog/cve-2025-29927; https://github.com/vercel/next.js/security/advisories/GHSA-f82v-jwr5-mffw; https://vercel.com/blog/postmortem-on-next-js-middleware-bypass (self-hosted `next start` and `output: 'standalone'` were affected; Vercel, Netlify, Cloudflare Workers and static exports were not)"},
	{ID: "GHSA-26hh-7cqf-hhc6", What: "segment-prefetch requests bypass middleware/proxy", Expose: ExposePrefetchSkip,
		Ranges: []AffectedRange{{"next", "15.5.0", "15.5.18"}, {"next", "16.0.0", "16.2.6"}},
		Source: "https://github.com/advisories/GHSA-26hh-7cqf-hhc6"},
}

// AdvisoryHit is an advisory affecting one version, with the release of
// the version's line that fixes it.
type AdvisoryHit struct {
	Advisory
	Fixed *semver.Version
}

// AdvisoriesFor returns the advisories that affect version v of package
// pkg, in table order.
func AdvisoriesFor(pkg string, v *semver.Version) []AdvisoryHit {
	var out []AdvisoryHit
	for _, a := range advisories {
		for _, r := range a.Ranges {
			if r.Package != pkg {
				continue
			}
			from, fixed := semver.MustParse(r.From), semver.MustParse(r.Fixed)
			if !v.LessThan(from) && v.LessThan(fixed) {
				out = append(out, AdvisoryHit{Advisory: a, Fixed: fixed})
			}
		}
	}
	return out
}

// AdvisoryPackages are the packages the advisories name, in report order.
func AdvisoryPackages() []string {
	return []string{"@clerk/nextjs", "@clerk/nuxt", "@clerk/astro", "@clerk/shared", "next"}
}

// AffectedAuthzShape reports whether a has()/auth.protect() options object
// with these keys is a shape GHSA-w24r-5266-9c3c lets through: a
// reverification check combined with a role, permission, feature or plan
// check; a billing check (feature, plan) combined with a role or
// permission check; or an authorization check combined with the redirect
// or token options of auth.protect().
//
// Source: https://github.com/clerk/javascript/security/advisories/GHSA-w24r-5266-9c3c
// ("This call shape can be bypassed"); the protect() options per
// https://security.snyk.io/vuln/SNYK-JS-CLERKNEXTJS-16347747 (createProtect
// with unauthenticatedUrl, unauthorizedUrl or token).
func AffectedAuthzShape(keys []string) bool {
	has := map[string]bool{}
	for _, k := range keys {
		has[k] = true
	}
	role := has["role"] || has["permission"]
	billing := has["feature"] || has["plan"]
	authz := role || billing
	switch {
	case has["reverification"] && authz:
		return true
	case billing && role:
		return true
	case authz && (has["unauthenticatedUrl"] || has["unauthorizedUrl"] || has["token"]):
		return true
	}
	return false
}
