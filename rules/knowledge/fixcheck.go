package knowledge

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Fix texts name APIs in backticks: `auth.protect()`,
// `@clerk/nextjs/server`, `import { getAuth } from '@clerk/express'`.
// FixProblems checks every such name against the generated table of SDK
// exports (sdkexports.json) for the versions the project declares.
var (
	codeSpan   = regexp.MustCompile("`([^`\n]+)`")
	modulePath = regexp.MustCompile(`@clerk/[a-z0-9-]+(?:/[A-Za-z0-9._-]+)*`)
	namedFrom  = regexp.MustCompile(`import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"](@clerk/[^'"]+)['"]`)
	// memberUse is `auth.protect` or `auth().redirectToSignIn`.
	memberUse = regexp.MustCompile(`(?:^|[^.\w$])([A-Za-z_$][\w$]*(?:\(\))?\.[A-Za-z_$][\w$]*)`)
	// identUse is an identifier not reached through a member access.
	identUse = regexp.MustCompile(`(?:^|[^.\w$@/])([A-Za-z_$][\w$]*)`)
	// stringLit is a quoted string of a code span, whose words are data.
	stringLit = regexp.MustCompile(`'[^']*'|"[^"]*"`)
)

// SDKVersions maps each Clerk package a project declares to its declared
// version or range (from package.json).
type SDKVersions map[string]string

// FixProblems returns why text names an API or import path that does not
// exist in the versions of the Clerk SDKs the project declares (the latest
// of each package when it declares none). Names the table cannot judge (a
// package it does not hold, a version given as a tag, a re-export it does
// not follow) are not problems.
//
// A fix may name an API of another version when its sentence says which:
// "`auth.protect()` only exists from v6", "upgrade to 1.4.0 and use
// `verifyWebhook()`". A name is accepted when it exists at a version
// ("v6", "6.13.0") written in the same sentence.
func FixProblems(text string, deps SDKVersions) []string {
	var out []string
	for _, sentence := range sentenceEnd.Split(text, -1) {
		probs := sentenceProblems(sentence, deps)
		if len(probs) == 0 {
			continue
		}
		var alt []map[string]bool
		for _, m := range versionMention.FindAllStringSubmatch(sentence, -1) {
			v := m[1] + m[2]
			other := SDKVersions{}
			for p := range deps {
				other[p] = v
			}
			if len(deps) == 0 {
				// No SDK declared: the sentence's version is of whichever
				// SDK it names.
				if t, err := sdkTable(); err == nil {
					for p := range t.Packages {
						other[p] = v
					}
				}
			}
			keys := map[string]bool{}
			for _, q := range sentenceProblems(sentence, other) {
				keys[q.key] = true
			}
			alt = append(alt, keys)
		}
		for _, q := range probs {
			waived := false
			for _, keys := range alt {
				waived = waived || !keys[q.key]
			}
			if !waived && !slices.Contains(out, q.msg) {
				out = append(out, q.msg)
			}
		}
	}
	return out
}

// problem is a name a sentence gets wrong: key is the name, msg says why.
type problem struct{ key, msg string }

var (
	sentenceEnd    = regexp.MustCompile(`\.\s+|\n`)
	versionMention = regexp.MustCompile(`\bv(\d+)\b|\b(\d+\.\d+(?:\.\d+)?)\b`)
)

func sentenceProblems(text string, deps SDKVersions) []problem {
	t, err := sdkTable()
	if err != nil {
		return []problem{{"", err.Error()}}
	}
	known := knownNames()
	var out []problem
	add := func(key, format string, a ...any) {
		out = append(out, problem{key, fmt.Sprintf(format, a...)})
	}
	// The packages the names are judged against.
	var pkgs []string
	for p := range deps {
		if t.Packages[p] != nil {
			pkgs = append(pkgs, p)
		}
	}
	sort.Strings(pkgs)
	for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
		span := m[1]
		for _, mod := range modulePath.FindAllString(span, -1) {
			pkg, entry := SplitModule(mod)
			if t.Packages[pkg] == nil {
				continue
			}
			v := deps[pkg]
			if _, pr := Exports(pkg, entry, v); pr == Absent {
				add(mod, "%s does not exist in %s", "`"+mod+"`", versionLabel(pkg, v))
			}
		}
		for _, im := range namedFrom.FindAllStringSubmatch(span, -1) {
			pkg, entry := SplitModule(im[2])
			v := deps[pkg]
			for _, n := range strings.Split(im[1], ",") {
				n = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(n), "type "))
				if i := strings.Index(n, " as "); i >= 0 {
					n = strings.TrimSpace(n[:i])
				}
				if n != "" && HasExport(pkg, entry, n, v) == Absent {
					add(n+" "+im[2], "%s is not exported by %s in %s", "`"+n+"`", "`"+im[2]+"`", versionLabel(pkg, v))
				}
			}
		}
		if strings.Contains(span, " from ") {
			continue // an import statement: checked above
		}
		span = stringLit.ReplaceAllString(span, `""`)
		judged := pkgs
		if len(judged) == 0 {
			judged = nil
			for p := range t.Packages {
				judged = append(judged, p)
			}
			sort.Strings(judged)
		}
		for _, mu := range memberUse.FindAllStringSubmatch(span, -1) {
			feature := mu[1]
			tracked, present := false, false
			for _, p := range judged {
				if _, ok := t.Packages[p].Features[feature]; !ok {
					continue
				}
				tracked = true
				if HasFeature(p, feature, deps[p]) != Absent {
					present = true
				}
			}
			if tracked && !present {
				add(feature, "%s does not exist in %s", "`"+feature+"`", versionsLabel(judged, deps, func(p string) bool { _, ok := t.Packages[p].Features[feature]; return ok }))
			}
		}
		for _, id := range identUse.FindAllStringSubmatch(span, -1) {
			name := id[1]
			if !known[name] || !ownName(t, judged, deps, name) {
				continue // not a Clerk name, or a name of another package (a framework's redirect)
			}
			if !exportedByAny(t, judged, deps, name) {
				add(name, "%s is not exported by %s", "`"+name+"`", versionsLabel(judged, deps, func(string) bool { return true }))
			}
		}
	}
	return out
}

// ownName reports whether one of pkgs has name in its API: exported in
// the declared major (a name of its era) or in its latest release (the
// current API), so that a name re-exported once from elsewhere (the
// backend's redirect in @clerk/nextjs v4) does not make a framework's
// redirect a Clerk name.
func ownName(t *SDKTable, pkgs []string, deps SDKVersions, name string) bool {
	for _, p := range pkgs {
		pk := t.Packages[p]
		latest, _ := pk.resolve("")
		major, _, known := minorOf(deps[p])
		for _, rs := range pk.Entries {
			for _, r := range rs {
				rmaj, _, _ := minorOf(r.From)
				own := inRange(r, latest) || (known && rmaj == major) || (known && major == 0 && deps[p] == "")
				if own && slices.Contains(r.Names, name) {
					return true
				}
			}
		}
	}
	return false
}

// exportedByAny reports whether some entry point of one of pkgs exports
// name (or may: a re-export the table does not follow) at the declared
// version; a package whose version cannot be read counts as exporting it.
func exportedByAny(t *SDKTable, pkgs []string, deps SDKVersions, name string) bool {
	for _, p := range pkgs {
		pk := t.Packages[p]
		minor, ok := pk.resolve(deps[p])
		if !ok {
			return true
		}
		for _, rs := range pk.Entries {
			for _, r := range rs {
				if !inRange(r, minor) {
					continue
				}
				if len(r.Open) > 0 {
					return true
				}
				for _, n := range r.Names {
					if n == name {
						return true
					}
				}
			}
		}
	}
	return false
}

// knownNames are the value-like names any Clerk package exports in any
// version: the identifiers of a fix text that are judged. Type names
// (capitalised) are left out, so that prose and framework names are not.
var knownNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	t, err := sdkTable()
	if err != nil {
		return m
	}
	for _, p := range t.Packages {
		for _, rs := range p.Entries {
			for _, r := range rs {
				for _, n := range r.Names {
					if n != "default" && n[0] >= 'a' && n[0] <= 'z' {
						m[n] = true
					}
				}
			}
		}
	}
	return m
})

func versionLabel(pkg, v string) string {
	if v == "" {
		l, _ := LatestSDK(pkg)
		return pkg + " " + l + " (latest)"
	}
	return pkg + " " + v
}

func versionsLabel(pkgs []string, deps SDKVersions, keep func(string) bool) string {
	var parts []string
	for _, p := range pkgs {
		if keep(p) {
			parts = append(parts, versionLabel(p, deps[p]))
		}
	}
	if len(parts) > 4 {
		return "any Clerk package"
	}
	return strings.Join(parts, ", ")
}

// SplitModule splits "@clerk/backend/webhooks" into the package and the
// entry point ("./webhooks").
func SplitModule(mod string) (pkg, entry string) {
	if strings.HasPrefix(mod, "@") {
		parts := strings.SplitN(mod, "/", 3)
		if len(parts) < 3 {
			return mod, "."
		}
		return parts[0] + "/" + parts[1], "./" + parts[2]
	}
	parts := strings.SplitN(mod, "/", 2)
	if len(parts) == 1 {
		return mod, "."
	}
	return parts[0], "./" + parts[1]
}
