// Package project computes the framework facts of a snapshot once, so every
// rule can consult them: package manifests and SDK version eras, the
// Next.js middleware/proxy model with its matcher, route paths of every
// route file, server actions, and middleware order of Node servers.
package project

import (
	"context"
	"encoding/json"
	"path"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/source"
)

// Files gives the model read access to the snapshot's files. The engine's
// file set implements it, so the model and the rules share one parse cache.
type Files interface {
	Paths() []string
	Get(ctx context.Context, path string) (*source.File, error)
}

// Parser is implemented by Files that parse through a shared, budgeted
// parser (the engine's file set). The model parses other Files with
// jsast.Parse.
type Parser interface {
	AST(ctx context.Context, f *source.File) (*jsast.File, error)
}

// parse returns the syntax tree of f, through fs when it parses.
func parse(ctx context.Context, fs Files, f *source.File) (*jsast.File, error) {
	if p, ok := fs.(Parser); ok {
		return p.AST(ctx, f)
	}
	return jsast.Parse(ctx, f)
}

// Model is the project model of one snapshot. It is immutable once built,
// except for its pattern set, which records (safely for concurrent use)
// the patterns that could not be evaluated.
type Model struct {
	Packages []*Package // one per package.json, sorted by Dir
	Next     []*NextApp // one per Next.js app
	// GoModules lists go.mod directories whose module requires clerk-sdk-go.
	GoClerk []string

	paths    map[string]bool
	patterns *boundedre.Set
}

// Patterns is the set that compiles and bounds every regular expression
// taken from the snapshot's code: rules compile route patterns into it so
// that one time budget covers the whole review.
func (m *Model) Patterns() *boundedre.Set { return m.patterns }

// Package is one package.json.
type Package struct {
	Dir  string // "" for the repository root
	Name string
	Deps map[string]string // dependencies, devDependencies and peerDependencies
}

// Has reports whether the snapshot holds path p.
func (m *Model) Has(p string) bool { return m.paths[p] }

// Paths returns all paths of the snapshot, sorted.
func (m *Model) Paths() []string {
	out := make([]string, 0, len(m.paths))
	for p := range m.paths {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// PackageFor returns the nearest package.json at or above p's directory.
func (m *Model) PackageFor(p string) *Package {
	var best *Package
	for _, pk := range m.Packages {
		if pk.Dir == "" || p == pk.Dir || strings.HasPrefix(p, pk.Dir+"/") {
			if best == nil || len(pk.Dir) > len(best.Dir) {
				best = pk
			}
		}
	}
	return best
}

// Version returns the declared version of dep for the file at p, searching
// the nearest package first and then the root package.
func (m *Model) Version(p, dep string) (*semver.Version, bool) {
	cands := []*Package{m.PackageFor(p)}
	for _, pk := range m.Packages {
		if pk.Dir == "" {
			cands = append(cands, pk)
		}
	}
	for _, pk := range cands {
		if pk == nil {
			continue
		}
		if v, ok := pk.Deps[dep]; ok {
			if sv := MinVersion(v); sv != nil {
				return sv, true
			}
			return nil, true
		}
	}
	return nil, false
}

// DependsOn reports whether the package governing p (or the root) declares dep.
func (m *Model) DependsOn(p, dep string) bool {
	_, ok := m.Version(p, dep)
	return ok
}

// UsesClerk reports whether any package declares a Clerk SDK.
func (m *Model) UsesClerk() bool {
	for _, pk := range m.Packages {
		for d := range pk.Deps {
			if strings.HasPrefix(d, "@clerk/") || d == "@hono/clerk-auth" || d == "svelte-clerk" {
				return true
			}
		}
	}
	return len(m.GoClerk) > 0
}

// MinVersion returns the lowest version a package.json range admits
// ("^6.1.0" -> 6.1.0, "~5.7" -> 5.7.0, "6.x" -> 6.0.0). It returns nil for
// tags, URLs and workspace references.
func MinVersion(r string) *semver.Version {
	r = strings.TrimSpace(r)
	if strings.HasPrefix(r, "npm:") {
		if i := strings.LastIndexByte(r, '@'); i > 0 {
			r = r[i+1:]
		}
	}
	r = strings.TrimLeft(r, "^~>=v ")
	if i := strings.IndexAny(r, " |<"); i >= 0 {
		r = r[:i]
	}
	r = strings.ReplaceAll(r, ".x", ".0")
	r = strings.ReplaceAll(r, ".*", ".0")
	if r == "" || r == "*" || r == "latest" {
		return nil
	}
	v, err := semver.NewVersion(r)
	if err != nil {
		return nil
	}
	return v
}

// Era is the version era of the Clerk Next.js SDK (reference catalog §0).
type Era int

// Eras of @clerk/nextjs.
const (
	EraUnknown Era = iota
	EraCore1       // v4: authMiddleware protects by default; sync auth()
	EraV5          // v5: clerkMiddleware protects nothing; sync auth(); auth().protect()
	EraV6          // v6: async auth(); await auth.protect(); authMiddleware removed
	EraCore3       // v7+: Core 3, proxy.ts on Next 16
)

func (e Era) String() string {
	switch e {
	case EraCore1:
		return "Core 1 (@clerk/nextjs v4)"
	case EraV5:
		return "Core 2 (@clerk/nextjs v5)"
	case EraV6:
		return "Core 2 (@clerk/nextjs v6)"
	case EraCore3:
		return "Core 3 (@clerk/nextjs v7+)"
	}
	return "unknown"
}

// AsyncAuth reports whether auth() returns a Promise in this era. Unknown
// eras are treated as current (async).
func (e Era) AsyncAuth() bool { return e == EraUnknown || e >= EraV6 }

// NextEra returns the @clerk/nextjs era that governs the file at p.
func (m *Model) NextEra(p string) Era {
	v, ok := m.Version(p, "@clerk/nextjs")
	if !ok || v == nil {
		return EraUnknown
	}
	switch {
	case v.Major() <= 4:
		return EraCore1
	case v.Major() == 5:
		return EraV5
	case v.Major() == 6:
		return EraV6
	}
	return EraCore3
}

// Build computes the model from the snapshot's files, with the default
// pattern limits.
func Build(ctx context.Context, fs Files) (*Model, error) {
	return BuildWith(ctx, fs, boundedre.NewSet(boundedre.DefaultLimits()))
}

// BuildWith computes the model with the given pattern set.
func BuildWith(ctx context.Context, fs Files, patterns *boundedre.Set) (*Model, error) {
	m := &Model{paths: map[string]bool{}, patterns: patterns}
	for _, p := range fs.Paths() {
		m.paths[p] = true
	}
	for _, p := range fs.Paths() {
		switch path.Base(p) {
		case "package.json":
			f, err := fs.Get(ctx, p)
			if err != nil {
				continue
			}
			var pj struct {
				Name                                            string
				Dependencies, DevDependencies, PeerDependencies map[string]string
			}
			if json.Unmarshal(f.Content, &pj) != nil {
				continue // malformed manifests are reported by no rule; ignore
			}
			pk := &Package{Dir: dirOf(p), Name: pj.Name, Deps: map[string]string{}}
			for _, d := range []map[string]string{pj.PeerDependencies, pj.DevDependencies, pj.Dependencies} {
				for k, v := range d {
					pk.Deps[k] = v
				}
			}
			m.Packages = append(m.Packages, pk)
		case "go.mod":
			f, err := fs.Get(ctx, p)
			if err == nil && strings.Contains(string(f.Content), "github.com/clerk/clerk-sdk-go") {
				m.GoClerk = append(m.GoClerk, dirOf(p))
			}
		}
	}
	sort.Slice(m.Packages, func(i, j int) bool { return m.Packages[i].Dir < m.Packages[j].Dir })
	if err := m.buildNext(ctx, fs); err != nil {
		return nil, err
	}
	return m, nil
}

func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}
