package routes

import (
	"bytes"
	"fmt"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"path"
	"regexp"
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
		Text: "A `package.json` dependency resolves to a release with a published authentication or middleware bypass, " +
			"and the application uses the vulnerable feature in a way that matters. Each advisory is reported only where it bites " +
			"(the semantic model says which entries rely on what); a vulnerable release whose feature is unused is not reported:\n\n" +
			"- `@clerk/nextjs` 4.7.0–4.29.2: CVE-2024-22206, `auth()`/`getAuth()` authentication bypass (fixed in 4.29.3). Bites where an " +
			"entry with effects decides on the identity those helpers return.\n" +
			"- GHSA-vqx2-fgx2-5wq9 (CVE-2026-41248): crafted paths slip past `createRouteMatcher()` gating. `@clerk/nextjs` 5.0.0–5.7.5, " +
			"6.0.0–6.39.1, 7.0.0–7.2.0 (fixed in 5.7.6 / 6.39.2 / 7.2.1); `@clerk/nuxt` (1.13.28 / 2.2.2); `@clerk/astro` " +
			"(1.5.7 / 2.17.10 / 3.0.15); `@clerk/shared` (2.22.1 / 3.47.4 / 4.8.1). Bites where the middleware protects a route because a " +
			"matcher matches it (`if (isProtectedRoute(req)) auth.protect()`; the allowlist form `if (!isPublicRoute(req))` fails closed, " +
			"as the advisory says) and an entry with server-side effects relies on that gate alone. For Astro and Nuxt, which the model " +
			"has no adapter for, the middleware's form alone decides, with medium confidence.\n" +
			"- GHSA-w24r-5266-9c3c: `has()` / `auth.protect()` with combined keys (`{ permission, reverification }`, `{ role, plan }`) " +
			"authorizes too much. `@clerk/nextjs` v6 before 6.39.3 and v7 before 7.2.4, `@clerk/shared` 3.x before 3.47.5 and 4.x before " +
			"4.8.3. Bites where such a call is made.\n" +
			"- Next.js CVE-2025-29927: an `x-middleware-subrequest` header skips middleware (fixed in 12.3.5 / 13.5.9 / 14.2.25 / 15.2.3). " +
			"Bites where an entry with effects relies on the middleware alone and does not call the identity helpers itself (they throw " +
			"when the middleware did not run, so such entries fail closed). Only self-hosted deployments (`next start`, `output: 'standalone'`) " +
			"are affected; on Vercel, Netlify or Cloudflare Workers routing runs apart from the application and the header does not skip " +
			"the middleware (Vercel's postmortem). A Server Action that a page the middleware lets through can reach is reachable " +
			"without the bypass and is left to CLK-RP-004.\n" +
			"- Next.js GHSA-26hh-7cqf-hhc6: segment-prefetch requests bypass middleware/proxy on 15.5 and 16 (fixed in 15.5.18 / 16.2.6). " +
			"Bites where a server-rendered page with effects relies on the middleware alone. Client Component pages (`'use client'`) " +
			"fetch in the browser and are not counted for either Next.js advisory.\n\n" +
			"The version judged is the one the lockfile pins (`package-lock.json`, `npm-shrinkwrap.json`, `pnpm-lock.yaml`, " +
			"`yarn.lock` classic or Berry, or `bun.lock`, beside the `package.json` or in a parent directory) when the snapshot has one; " +
			"a range whose lockfile resolves to a patched release is not reported. Bun's binary `bun.lockb`, and a lockfile over the " +
			"size budget, are not read: the range is then judged and the finding says so. Without a lockfile, an exact version is " +
			"judged as is, and a range (`^6.30.0`) by the lowest version it admits, with medium confidence: installs from the range " +
			"may get a patched release, but nothing keeps a vulnerable one out. The finding is at the dependency's line of `package.json`.",
		Lang: "json",
		Bad:  `{ "dependencies": { "@clerk/nextjs": "6.35.0", "next": "15.2.0" } }`,
		Good: `{ "dependencies": { "@clerk/nextjs": "^6.39.3", "next": "^15.2.3" } }`,
		References: []string{
			"https://github.com/clerk/javascript/security/advisories/GHSA-vqx2-fgx2-5wq9",
			"https://clerk.com/changelog/2024-02-02",
			"https://clerk.com/blog/cve-2025-29927",
			"https://vercel.com/blog/postmortem-on-next-js-middleware-bypass",
			"https://github.com/advisories/GHSA-26hh-7cqf-hhc6",
		},
	},
	Fix: rules.ConstFix("Upgrade to the patched release of your major line, and move auth checks into each resource so a middleware bypass does not expose data."),
	Run: runRP019,
}

// patchedVersion is the lowest version at or above the fixes of hits that
// no advisory affects.
func patchedVersion(dep string, hits []knowledge.AdvisoryHit) *semver.Version {
	var v *semver.Version
	for _, h := range hits {
		if v == nil || v.LessThan(h.Fixed) {
			v = h.Fixed
		}
	}
	for i := 0; i < 8 && v != nil; i++ {
		more := knowledge.AdvisoriesFor(dep, v)
		if len(more) == 0 {
			break
		}
		for _, h := range more {
			if v.LessThan(h.Fixed) {
				v = h.Fixed
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
		x := &advisoryExposure{pass: pass, pk: pk}
		for _, dep := range knowledge.AdvisoryPackages() {
			spec, ok := pk.Deps[dep]
			if !ok {
				continue
			}
			if !lockRead {
				lock, lockRead = findLockfile(pass, pk.Dir), true
			}
			checkDependency(pass, x, pj, dep, spec, lock)
		}
	}
	return nil
}

// resolved is the version of a dependency the rule judges, and how it
// knows it.
type resolved struct {
	v *semver.Version
	// source is the lockfile's name, "range" for the lowest version a
	// range admits, or "" for an exact version.
	source  string
	conf    rules.Confidence
	related []rules.Location
	// unread names a lockfile that governs the package but could not be
	// read, when the version comes from the range.
	unread string
}

func resolveDependency(dep, spec string, lock *lockfile) (resolved, bool) {
	r := resolved{conf: rules.HighConfidence}
	if lock != nil && lock.unread == "" {
		if lv, line := lock.resolve(dep, spec); lv != nil {
			r.v, r.source = lv, path.Base(lock.path)
			r.related = []rules.Location{{Path: lock.path, Line: line}}
			return r, true
		}
	}
	if lock != nil && lock.unread != "" {
		r.unread = lock.path + " (" + lock.unread + ")"
	}
	// Without a lockfile, or with one that does not list the dependency
	// (stale or partial): judge the declared version or range.
	if ev, err := semver.StrictNewVersion(strings.TrimPrefix(strings.TrimSpace(spec), "=")); err == nil {
		r.v = ev
		return r, true
	}
	if mv := project.MinVersion(spec); mv != nil {
		r.v, r.conf, r.source = mv, rules.MediumConfidence, "range"
		return r, true
	}
	return r, false // a tag, URL or workspace reference
}

func checkDependency(pass *rules.Pass, x *advisoryExposure, pj, dep, spec string, lock *lockfile) {
	r, ok := resolveDependency(dep, spec, lock)
	if !ok {
		return
	}
	all := knowledge.AdvisoriesFor(dep, r.v)
	if len(all) == 0 {
		return
	}
	// Report only the advisories whose vulnerable feature the package
	// uses in a way that matters.
	var hits []knowledge.AdvisoryHit
	var whys []string
	related := r.related
	sure := true
	for _, h := range all {
		b := x.bites(h.Expose)
		if b == nil {
			continue
		}
		hits = append(hits, h)
		whys = append(whys, h.ID+": "+b.why)
		related = append(related, b.related...)
		sure = sure && b.sure
	}
	if len(hits) == 0 {
		return
	}
	conf := r.conf
	if !sure {
		conf = rules.MediumConfidence
	}
	sev := rules.High
	for _, h := range hits {
		if h.Expose == knowledge.ExposeAuthHelpers {
			sev = rules.Critical
		}
	}
	fix := patchedVersion(dep, all)
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID+" ("+h.What+")")
	}
	var msg string
	switch {
	case r.source == "range" && r.unread != "":
		msg = fmt.Sprintf("%s %s admits %s, which is affected by %s; the lockfile %s could not be read, so the installed release is not known", dep, rules.Code(spec), r.v, strings.Join(ids, "; "), r.unread)
	case r.source == "range" && admits(spec, fix):
		msg = fmt.Sprintf("%s %s admits %s, which is affected by %s, and no lockfile pins a patched release", dep, rules.Code(spec), r.v, strings.Join(ids, "; "))
	case r.source == "range":
		msg = fmt.Sprintf("every %s release %s admits (from %s) is affected by %s", dep, rules.Code(spec), r.v, strings.Join(ids, "; "))
		if r.unread == "" {
			conf = rules.HighConfidence
		}
	case r.source != "":
		msg = fmt.Sprintf("%s resolves to %s in %s, which is affected by %s", dep, r.v, rules.Code(r.source), strings.Join(ids, "; "))
	default:
		msg = fmt.Sprintf("%s %s is affected by %s", dep, r.v, strings.Join(ids, "; "))
	}
	msg += "; " + strings.Join(whys, "; ")
	pass.Report(rules.Diagnostic{
		Path: pj, Line: depLine(pass, pj, dep), Message: msg, Severity: sev, Confidence: conf, Related: related,
		Match: dep + " " + strings.Join(advisoryIDs(hits), ","),
		Fix:   fmt.Sprintf("Upgrade %s to %s or later (the patched release of its %d.x line), e.g. %s, and commit the lockfile. Independently, check the caller in each page, route handler and Server Action so a middleware bypass does not expose data.", dep, fix, r.v.Major(), rules.Code(fmt.Sprintf("\"%s\": \"^%s\"", dep, fix))),
	})
}

// admits reports whether the range spec admits version v.
func admits(spec string, v *semver.Version) bool {
	c, err := semver.NewConstraint(spec)
	return err == nil && v != nil && c.Check(v)
}

func advisoryIDs(hits []knowledge.AdvisoryHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
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
