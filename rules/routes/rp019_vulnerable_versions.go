package routes

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RP019 flags Clerk SDK and Next.js versions with a published
// authentication or middleware bypass.
var RP019 = &rules.Rule{
	ID:         "CLK-RP-019",
	Name:       "vulnerable-sdk-version",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  1,
	Scope:      rules.PerSnapshot,
	Doc: rules.Doc{
		Title: "known-vulnerable Clerk SDK or Next.js version",
		Text: "A `package.json` dependency resolves to a release with a published authentication or middleware bypass:\n\n" +
			"- `@clerk/nextjs` 4.7.0–4.29.2: CVE-2024-22206, `auth()`/`getAuth()` authentication bypass (fixed in 4.29.3).\n" +
			"- GHSA-vqx2-fgx2-5wq9 (CVE-2026-41248): crafted paths slip past `createRouteMatcher()` gating. `@clerk/nextjs` 5.0.0–5.7.5, " +
			"6.0.0–6.39.1, 7.0.0–7.2.0 (fixed in 5.7.6 / 6.39.2 / 7.2.1); `@clerk/nuxt` (1.13.28 / 2.2.2); `@clerk/astro` " +
			"(1.5.7 / 2.17.10 / 3.0.15); `@clerk/shared` (2.22.1 / 3.47.4 / 4.8.1). Critical when the package gates routes with " +
			"`createRouteMatcher()`, High otherwise.\n" +
			"- GHSA-w24r-5266-9c3c: `has()` / `auth.protect()` with several keys (`{ permission, reverification }`) authorizes too much. " +
			"`@clerk/nextjs` v6 before 6.39.3 and v7 before 7.2.4, `@clerk/shared` 4.x before 4.8.3.\n" +
			"- Next.js CVE-2025-29927: an `x-middleware-subrequest` header skips middleware (fixed in 12.3.5 / 13.5.9 / 14.2.25 / 15.2.3). " +
			"Critical when the Clerk middleware calls `auth.protect()`.\n" +
			"- Next.js GHSA-26hh-7cqf-hhc6: segment-prefetch requests bypass middleware/proxy on 15.5 and 16 (fixed in 15.5.18 / 16.2.6).\n\n" +
			"Next.js advisories are reported only for packages that use `@clerk/nextjs` with a middleware/proxy file. " +
			"`@clerk/shared` is checked when `package.json` declares it.\n\n" +
			"The version judged is the one the lockfile pins (`package-lock.json`, `npm-shrinkwrap.json`, `pnpm-lock.yaml` or " +
			"`yarn.lock`, beside the `package.json` or in a parent directory) when the snapshot has one; a range whose lockfile " +
			"resolves to a patched release is not reported. Without a lockfile, an exact version is judged as is, and a range " +
			"(`^6.30.0`) by the lowest version it admits, with medium confidence: installs from the range may get a patched " +
			"release, but nothing keeps a vulnerable one out. The finding is at the dependency's line of `package.json`.",
		Lang: "json",
		Bad:  `{ "dependencies": { "@clerk/nextjs": "6.35.0", "next": "15.2.0" } }`,
		Good: `{ "dependencies": { "@clerk/nextjs": "^6.39.3", "next": "^15.2.3" } }`,
		References: []string{
			"https://github.com/clerk/javascript/security/advisories/GHSA-vqx2-fgx2-5wq9",
			"https://clerk.com/changelog/2024-02-02",
			"https://clerk.com/blog/cve-2025-29927",
			"https://github.com/advisories/GHSA-26hh-7cqf-hhc6",
		},
	},
	Fix: rules.ConstFix("Upgrade to the patched release of your major line, and move auth checks into each resource so a middleware bypass does not expose data."),
	Run: runRP019,
}

// vulnRange is one affected range [from, fixed) of a package.
type vulnRange struct{ dep, from, fixed string }

// advisory is one published vulnerability.
type advisory struct {
	id   string
	what string
	sev  rules.Severity
	// gate says when the severity rises to Critical: "matcher" when the
	// package gates routes with createRouteMatcher(), "middleware" when its
	// Clerk middleware protects routes.
	gate   string
	ranges []vulnRange
}

var advisories = []advisory{
	{id: "CVE-2024-22206", what: "`auth()`/`getAuth()` authentication bypass", sev: rules.Critical,
		ranges: []vulnRange{{"@clerk/nextjs", "4.7.0", "4.29.3"}}},
	{id: "GHSA-vqx2-fgx2-5wq9", what: "crafted paths bypass `createRouteMatcher()` gating", sev: rules.High, gate: "matcher",
		ranges: []vulnRange{
			{"@clerk/nextjs", "5.0.0", "5.7.6"}, {"@clerk/nextjs", "6.0.0", "6.39.2"}, {"@clerk/nextjs", "7.0.0", "7.2.1"},
			{"@clerk/nuxt", "1.1.0", "1.13.28"}, {"@clerk/nuxt", "2.0.0", "2.2.2"},
			{"@clerk/astro", "1.0.0", "1.5.7"}, {"@clerk/astro", "2.0.0", "2.17.10"}, {"@clerk/astro", "3.0.0", "3.0.15"},
			{"@clerk/shared", "2.0.0", "2.22.1"}, {"@clerk/shared", "3.0.0", "3.47.4"}, {"@clerk/shared", "4.0.0", "4.8.1"},
		}},
	{id: "GHSA-w24r-5266-9c3c", what: "multi-key `has()`/`auth.protect()` authorization bypass", sev: rules.High,
		ranges: []vulnRange{{"@clerk/nextjs", "6.0.0", "6.39.3"}, {"@clerk/nextjs", "7.0.0", "7.2.4"}, {"@clerk/shared", "4.0.0", "4.8.3"}}},
	{id: "CVE-2025-29927", what: "`x-middleware-subrequest` skips middleware", sev: rules.High, gate: "middleware",
		ranges: []vulnRange{{"next", "11.1.4", "12.3.5"}, {"next", "13.0.0", "13.5.9"}, {"next", "14.0.0", "14.2.25"}, {"next", "15.0.0", "15.2.3"}}},
	{id: "GHSA-26hh-7cqf-hhc6", what: "segment-prefetch requests bypass middleware/proxy", sev: rules.High,
		ranges: []vulnRange{{"next", "15.5.0", "15.5.18"}, {"next", "16.0.0", "16.2.6"}}},
}

// watchedDeps are the packages the advisories name, in report order.
var watchedDeps = []string{"@clerk/nextjs", "@clerk/nuxt", "@clerk/astro", "@clerk/shared", "next"}

func (r vulnRange) contains(v *semver.Version) bool {
	from, fixed := semver.MustParse(r.from), semver.MustParse(r.fixed)
	return !v.LessThan(from) && v.LessThan(fixed)
}

// hit is one advisory matching a version.
type hit struct {
	adv   *advisory
	fixed *semver.Version
}

func advisoriesFor(dep string, v *semver.Version) []hit {
	var out []hit
	for i := range advisories {
		a := &advisories[i]
		for _, r := range a.ranges {
			if r.dep == dep && r.contains(v) {
				out = append(out, hit{adv: a, fixed: semver.MustParse(r.fixed)})
			}
		}
	}
	return out
}

// patchedVersion is the lowest version at or above the fixes of hits that
// no advisory affects.
func patchedVersion(dep string, hits []hit) *semver.Version {
	var v *semver.Version
	for _, h := range hits {
		if v == nil || v.LessThan(h.fixed) {
			v = h.fixed
		}
	}
	for i := 0; i < 8 && v != nil; i++ {
		more := advisoriesFor(dep, v)
		if len(more) == 0 {
			break
		}
		for _, h := range more {
			if v.LessThan(h.fixed) {
				v = h.fixed
			}
		}
	}
	return v
}

func runRP019(pass *rules.Pass) error {
	for _, pk := range pass.Project.Packages {
		pj := joinPath(pk.Dir, "package.json")
		var lock *lockfile
		lockRead := false
		for _, dep := range watchedDeps {
			spec, ok := pk.Deps[dep]
			if !ok {
				continue
			}
			if dep == "next" && !usesClerkMiddleware(pass, pk) {
				continue
			}
			if !lockRead {
				lock, lockRead = findLockfile(pass, pk.Dir), true
			}
			checkDependency(pass, pk, pj, dep, spec, lock)
		}
	}
	return nil
}

// usesClerkMiddleware reports whether the package is a Next.js app on
// @clerk/nextjs with a middleware/proxy file.
func usesClerkMiddleware(pass *rules.Pass, pk *project.Package) bool {
	if _, ok := pk.Deps["@clerk/nextjs"]; !ok {
		return false
	}
	for _, a := range pass.Project.Next {
		if a.Root == pk.Dir {
			return a.Middleware != nil
		}
	}
	return false
}

func checkDependency(pass *rules.Pass, pk *project.Package, pj, dep, spec string, lock *lockfile) {
	var v *semver.Version
	var related []rules.Location
	source, conf := "", rules.HighConfidence
	admitsFix := false
	if lock != nil {
		if lv, line := lock.resolve(dep, spec); lv != nil {
			v, source = lv, path.Base(lock.path)
			related = []rules.Location{{Path: lock.path, Line: line}}
		}
	}
	if v == nil {
		if lock != nil {
			// A lockfile that does not list a declared dependency is stale
			// or partial: judge the range, as without one.
			related = nil
		}
		if ev, err := semver.StrictNewVersion(strings.TrimPrefix(strings.TrimSpace(spec), "=")); err == nil {
			v = ev
		} else if mv := project.MinVersion(spec); mv != nil {
			v, conf = mv, rules.MediumConfidence
			source = "range"
		} else {
			return // a tag, URL or workspace reference
		}
	}
	hits := advisoriesFor(dep, v)
	if len(hits) == 0 {
		return
	}
	fix := patchedVersion(dep, hits)
	if source == "range" {
		if c, err := semver.NewConstraint(spec); err == nil && fix != nil {
			admitsFix = c.Check(fix)
		}
	}
	sev := rules.Severity(0)
	var ids []string
	var gated []string
	for _, h := range hits {
		s := h.adv.sev
		switch h.adv.gate {
		case "matcher":
			if f := matcherFile(pass, pk); f != "" {
				s = rules.Critical
				gated = append(gated, rules.Code(path.Base(f))+" gates routes with `createRouteMatcher()`")
			}
		case "middleware":
			if f := protectingMiddleware(pass, pk); f != "" {
				s = rules.Critical
				gated = append(gated, rules.Code(path.Base(f))+" protects routes in middleware")
			}
		}
		if s > sev {
			sev = s
		}
		ids = append(ids, h.adv.id+" ("+h.adv.what+")")
	}
	var msg string
	switch {
	case source == "range" && admitsFix:
		msg = fmt.Sprintf("%s %s admits %s, which is affected by %s, and no lockfile pins a patched release", dep, rules.Code(spec), v, strings.Join(ids, "; "))
	case source == "range":
		msg = fmt.Sprintf("every %s release %s admits (from %s) is affected by %s", dep, rules.Code(spec), v, strings.Join(ids, "; "))
		conf = rules.HighConfidence
	case source != "":
		msg = fmt.Sprintf("%s resolves to %s in %s, which is affected by %s", dep, v, rules.Code(source), strings.Join(ids, "; "))
	default:
		msg = fmt.Sprintf("%s %s is affected by %s", dep, v, strings.Join(ids, "; "))
	}
	if len(gated) > 0 {
		msg += "; " + strings.Join(dedupe(gated), "; ")
	}
	line := depLine(pass, pj, dep)
	pass.Report(rules.Diagnostic{
		Path: pj, Line: line, Message: msg, Severity: sev, Confidence: conf, Related: related,
		Match: dep + " " + strings.Join(advisoryIDs(hits), ","),
		Fix:   fmt.Sprintf("Upgrade %s to %s or later (the patched release of its %d.x line), e.g. %s, and commit the lockfile. Independently, check the caller in each page, route handler and Server Action so a middleware bypass does not expose data.", dep, fix, v.Major(), rules.Code(fmt.Sprintf("\"%s\": \"^%s\"", dep, fix))),
	})
}

func advisoryIDs(hits []hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.adv.id)
	}
	return out
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// depLine returns the line of dep's key in a package.json, or 1.
func depLine(pass *rules.Pass, pj, dep string) int {
	sf := pass.Get(pj)
	if sf == nil {
		return 1
	}
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(dep) + `"\s*:`)
	if loc := re.FindIndex(sf.Content); loc != nil {
		return bytes.Count(sf.Content[:loc[0]], []byte("\n")) + 1
	}
	return 1
}

// matcherFile returns a middleware/proxy file of the package that calls
// createRouteMatcher(), or "".
func matcherFile(pass *rules.Pass, pk *project.Package) string {
	for _, a := range pass.Project.Next {
		if a.Root == pk.Dir && a.Middleware != nil && len(a.Middleware.RouteMatchers) > 0 {
			return a.Middleware.File
		}
	}
	for _, p := range pass.Paths() {
		if pk.Dir != "" && !strings.HasPrefix(p, pk.Dir+"/") {
			continue
		}
		if pass.Project.PackageFor(p) != pk || !isMiddlewarePath(p) {
			continue
		}
		if sf := pass.Get(p); sf != nil && bytes.Contains(sf.Content, []byte("createRouteMatcher")) {
			return p
		}
	}
	return ""
}

// isMiddlewarePath matches Next.js, Astro and Nuxt middleware files.
func isMiddlewarePath(p string) bool {
	b := path.Base(p)
	ext := path.Ext(b)
	switch ext {
	case ".ts", ".js", ".mjs", ".mts":
	default:
		return false
	}
	name := strings.TrimSuffix(b, ext)
	return name == "middleware" || name == "proxy" || strings.Contains(p, "/middleware/") || strings.HasPrefix(p, "middleware/")
}

// protectingMiddleware returns the package's Next.js middleware file when
// its Clerk handler protects some route, or "".
func protectingMiddleware(pass *rules.Pass, pk *project.Package) string {
	for _, a := range pass.Project.Next {
		if a.Root != pk.Dir || a.Middleware == nil || !a.Middleware.Clerk {
			continue
		}
		if a.Middleware.Legacy || len(a.Middleware.ProtectLines) > 0 {
			return a.Middleware.File
		}
	}
	return ""
}
