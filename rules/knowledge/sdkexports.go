package knowledge

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// sdkExportsJSON is the table of what each Clerk SDK major.minor release
// exports, generated from the published packages by
// `go run ./cmd/clerkguard-sdkexports` (the file names the date it was
// generated). Source: the npm registry's tarballs of each package; see
// docs/sdk-versions.md.
//
//go:embed sdkexports.json
var sdkExportsJSON []byte

// SDKTable is the generated table of Clerk SDK exports.
type SDKTable struct {
	GeneratedBy string                 `json:"generated_by"`
	Date        string                 `json:"date"`
	Packages    map[string]*SDKPackage `json:"packages"`
}

// SDKPackage is one npm package of the table.
type SDKPackage struct {
	// Versions are the latest patch of each major.minor, ascending.
	Versions []string `json:"versions"`
	// Entries maps each entry point ("." , "./server") to the ranges of
	// minors over which its exported names are the same.
	Entries map[string][]SDKRange `json:"entries"`
	// Features maps a member feature ("auth.protect") to the ranges of
	// minors that have it.
	Features map[string][]SDKRange `json:"features,omitempty"`
}

// SDKRange is a run of consecutive minors ("5.0" to "5.7").
type SDKRange struct {
	From  string   `json:"from"`
	To    string   `json:"to"`
	Names []string `json:"names,omitempty"`
	// Open lists modules outside the package that the entry re-exports
	// whole (`export * from "@clerk/backend"`): names from them are not
	// listed, so a name not found is unknown rather than absent.
	Open []string `json:"open,omitempty"`
}

// Presence is the table's answer about a name in a version.
type Presence int

// Presences.
const (
	// Unknown: the package, the version or the name cannot be judged.
	Unknown Presence = iota
	Absent
	Present
)

var sdkTable = sync.OnceValues(func() (*SDKTable, error) {
	var t SDKTable
	if err := json.Unmarshal(sdkExportsJSON, &t); err != nil {
		return nil, fmt.Errorf("sdkexports.json: %w", err)
	}
	return &t, nil
})

// SDKExports returns the embedded table.
func SDKExports() (*SDKTable, error) { return sdkTable() }

// minorOf reads the major.minor a package.json version (or range) states:
// "^5.2.1" and "~5.2" give (5, 2), "6" gives (6, 0). The lowest version a
// range admits is taken, so that a fix is checked against the oldest
// release the project may run. ok is false for tags, URLs and workspace
// references.
func minorOf(v string) (major, minor int, ok bool) {
	v = strings.TrimSpace(v)
	if i := strings.Index(v, "||"); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimLeft(strings.TrimSpace(v), "^~=>v ")
	if v == "" || !('0' <= v[0] && v[0] <= '9') {
		return 0, 0, false
	}
	parts := strings.SplitN(v, ".", 3)
	major, err := strconv.Atoi(parts[0])
	if err != nil {
		return 0, 0, false
	}
	if len(parts) > 1 {
		m := parts[1]
		if i := strings.IndexFunc(m, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
			m = m[:i]
		}
		if n, err := strconv.Atoi(m); err == nil {
			minor = n
		}
	}
	return major, minor, true
}

// MinorKey is the "major.minor" of a version, the table's unit.
func MinorKey(version string) (string, bool) {
	ma, mi, ok := minorOf(version)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d.%d", ma, mi), true
}

// resolve returns the table's minor for version: the version's own minor
// when the table has it, else the closest older minor of the same major;
// "" (the latest) when version is empty.
func (p *SDKPackage) resolve(version string) (string, bool) {
	if len(p.Versions) == 0 {
		return "", false
	}
	if version == "" {
		k, _ := MinorKey(p.Versions[len(p.Versions)-1])
		return k, true
	}
	ma, mi, ok := minorOf(version)
	if !ok {
		return "", false
	}
	best := ""
	for _, v := range p.Versions {
		vma, vmi, _ := minorOf(v)
		if vma == ma && vmi <= mi {
			best = fmt.Sprintf("%d.%d", vma, vmi)
		}
	}
	return best, best != ""
}

func inRange(r SDKRange, minor string) bool {
	return cmpMinor(r.From, minor) <= 0 && cmpMinor(minor, r.To) <= 0
}

func cmpMinor(a, b string) int {
	ama, ami, _ := minorOf(a)
	bma, bmi, _ := minorOf(b)
	if ama != bma {
		return ama - bma
	}
	return ami - bmi
}

// LatestSDK returns the latest version of pkg in the table.
func LatestSDK(pkg string) (string, bool) {
	t, err := sdkTable()
	if err != nil || t.Packages[pkg] == nil || len(t.Packages[pkg].Versions) == 0 {
		return "", false
	}
	v := t.Packages[pkg].Versions
	return v[len(v)-1], true
}

// Exports answers what entry point entry ("." or "./server") of pkg
// exports in version (a package.json version or range; "" for the latest).
// Absent means the table knows the version and the entry point does not
// exist in it.
func Exports(pkg, entry, version string) (SDKRange, Presence) {
	t, err := sdkTable()
	if err != nil {
		return SDKRange{}, Unknown
	}
	p := t.Packages[pkg]
	if p == nil {
		return SDKRange{}, Unknown
	}
	minor, ok := p.resolve(version)
	if !ok {
		return SDKRange{}, Unknown
	}
	for _, r := range p.Entries[entry] {
		if inRange(r, minor) {
			return r, Present
		}
	}
	return SDKRange{}, Absent
}

// HasExport answers whether entry point entry of pkg exports name in
// version.
func HasExport(pkg, entry, name, version string) Presence {
	r, pr := Exports(pkg, entry, version)
	if pr != Present {
		return pr
	}
	if slices.Contains(r.Names, name) {
		return Present
	}
	if len(r.Open) > 0 {
		return Unknown
	}
	return Absent
}

// HasFeature answers whether pkg has member feature ("auth.protect") in
// version; Unknown when the table does not track the feature.
func HasFeature(pkg, feature, version string) Presence {
	t, err := sdkTable()
	if err != nil {
		return Unknown
	}
	p := t.Packages[pkg]
	if p == nil {
		return Unknown
	}
	rs, tracked := p.Features[feature]
	if !tracked {
		return Unknown
	}
	minor, ok := p.resolve(version)
	if !ok {
		return Unknown
	}
	for _, r := range rs {
		if inRange(r, minor) {
			return Present
		}
	}
	return Absent
}

// EntryFor returns the first of entries ("./server", "./ssr.server") from
// which pkg exports name in version, by the generated table: the import
// path a fix names for that version. An entry the table cannot judge
// counts; ok is false when none of them exports it.
func EntryFor(pkg, name, version string, entries ...string) (path string, ok bool) {
	for _, e := range entries {
		if HasExport(pkg, e, name, version) != Absent {
			return pkg + strings.TrimPrefix(e, "."), true
		}
	}
	return "", false
}

// NextProtectCall returns the call that stops a signed-out caller in the
// given @clerk/nextjs version (a package.json version; "" for the latest),
// by the generated table's member features: "await auth.protect()" from
// v6, "auth().protect()" in v5, "" where neither exists (v4, whose
// authMiddleware protects and whose auth() only reads).
func NextProtectCall(version string) string {
	switch {
	case HasFeature("@clerk/nextjs", "auth.protect", version) == Present:
		return "await auth.protect()"
	case HasFeature("@clerk/nextjs", "auth().protect", version) == Present:
		return "auth().protect()"
	case HasFeature("@clerk/nextjs", "auth.protect", version) == Unknown:
		return "await auth.protect()" // a tag or workspace version: the current API
	}
	return ""
}

// FirstWith returns the first release ("6.13.0", the minor's .0) in which
// entry point entry of pkg exports name, by the generated table.
func FirstWith(pkg, entry, name string) (string, bool) {
	t, err := sdkTable()
	if err != nil || t.Packages[pkg] == nil {
		return "", false
	}
	for _, r := range t.Packages[pkg].Entries[entry] {
		if slices.Contains(r.Names, name) {
			return r.From + ".0", true
		}
	}
	return "", false
}

// ServerAuthCall returns how server code of a Clerk full-stack framework
// SDK other than Next.js reads the caller's auth state at a version (a
// package.json version; "" for the latest), by the generated SDK table,
// and the import path it comes from:
//
//   - TanStack Start: `await auth()` from `/server` where that version
//     exports it (0.26 and later), `await getAuth(getWebRequest())` before;
//   - React Router: `await getAuth(args)` from `/server` (2.1 and later) or
//     `/ssr.server`;
//   - Remix: `await getAuth(args)` from `/ssr.server`.
//
// ok is false for other packages.
func ServerAuthCall(pkg, version string) (call, from string, ok bool) {
	switch pkg {
	case "@clerk/tanstack-react-start", "@clerk/tanstack-start":
		if p, found := EntryFor(pkg, "auth", version, "./server"); found {
			return "await auth()", p, true
		}
		p, found := EntryFor(pkg, "getAuth", version, "./server")
		if !found {
			p = pkg + "/server"
		}
		return "await getAuth(getWebRequest())", p, true
	case "@clerk/react-router", "@clerk/remix":
		p, found := EntryFor(pkg, "getAuth", version, "./server", "./ssr.server")
		if !found {
			p = pkg + "/ssr.server"
		}
		return "await getAuth(args)", p, true
	}
	return "", "", false
}

// ServerAuthPackages are the packages ServerAuthCall answers for, in the
// order a project that declares several is judged.
var ServerAuthPackages = []string{"@clerk/tanstack-react-start", "@clerk/tanstack-start", "@clerk/react-router", "@clerk/remix"}
