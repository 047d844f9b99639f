package modules

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"
)

// manifest is the part of a package.json the resolver reads.
type manifest struct {
	path    string
	dir     string
	Name    string          `json:"name"`
	Main    string          `json:"main"`
	Module  string          `json:"module"`
	Types   string          `json:"types"`
	Typings string          `json:"typings"`
	Exports json.RawMessage `json:"exports"`
	Imports json.RawMessage `json:"imports"`
	// Workspaces is an array of globs (npm, yarn) or an object with a
	// "packages" array (yarn classic).
	Workspaces json.RawMessage `json:"workspaces"`
}

// entryPoints lists the package's entry fields in the order the resolver
// tries them: implementation first, then declarations.
func (m *manifest) entryPoints() []string {
	var out []string
	for _, e := range []string{m.Main, m.Module, m.Types, m.Typings} {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

func (m *manifest) hasExports() bool {
	s := strings.TrimSpace(string(m.Exports))
	return s != "" && s != "null"
}

func (r *Resolver) manifest(ctx context.Context, p string) (*manifest, error) {
	return r.manifests.do(ctx, p, func() (*manifest, error) {
		b, err := r.read(ctx, p)
		if err != nil {
			return nil, err
		}
		m := &manifest{path: p, dir: dirOf(p)}
		if err := json.Unmarshal(b, m); err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		return m, nil
	})
}

// workspace is one monorepo root and its member packages.
type workspace struct {
	root    string
	byName  map[string]string // package name -> directory
	members []string          // directories, sorted
}

// workspaceGlobs returns the member globs a directory declares as a
// workspace root (package.json "workspaces", pnpm-workspace.yaml
// "packages"), and whether it is a root at all.
func (r *Resolver) workspaceGlobs(ctx context.Context, dir string) ([]string, bool, error) {
	var globs []string
	found := false
	if p := join(dir, "pnpm-workspace.yaml"); r.files[p] {
		b, err := r.read(ctx, p)
		if err != nil {
			return nil, false, err
		}
		var doc struct {
			Packages []string `yaml:"packages"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, false, fmt.Errorf("parse %s: %w", p, err)
		}
		globs, found = append(globs, doc.Packages...), true
	}
	if p := join(dir, "package.json"); r.files[p] {
		m, err := r.manifest(ctx, p)
		if err != nil {
			return nil, false, err
		}
		switch ws := strings.TrimSpace(string(m.Workspaces)); {
		case strings.HasPrefix(ws, "["):
			var list []string
			if err := json.Unmarshal(m.Workspaces, &list); err != nil {
				return nil, false, fmt.Errorf("parse %s: workspaces: %w", p, err)
			}
			globs, found = append(globs, list...), true
		case strings.HasPrefix(ws, "{"):
			var obj struct {
				Packages []string `json:"packages"`
			}
			if err := json.Unmarshal(m.Workspaces, &obj); err != nil {
				return nil, false, fmt.Errorf("parse %s: workspaces: %w", p, err)
			}
			globs, found = append(globs, obj.Packages...), true
		}
	}
	if len(globs) > MaxWorkspacePatterns {
		return nil, false, fmt.Errorf("%s: %d workspace patterns (limit %d): %w", join(dir, "package.json"), len(globs),
			MaxWorkspacePatterns, ErrLimit)
	}
	return globs, found, nil
}

// workspaceFor returns the nearest workspace root at or above dir with its
// members, or nil when dir is in no workspace.
func (r *Resolver) workspaceFor(ctx context.Context, dir string) (*workspace, error) {
	for d := dir; ; d = dirOf(d) {
		if r.files[join(d, "pnpm-workspace.yaml")] || r.files[join(d, "package.json")] {
			globs, ok, err := r.workspaceGlobs(ctx, d)
			if err != nil {
				return nil, err
			}
			if ok {
				root := d
				return r.spaces.do(ctx, root, func() (*workspace, error) {
					if n := r.roots.Add(1); n > MaxWorkspaceRoots {
						return nil, fmt.Errorf("%s: more than %d workspace roots: %w", root, MaxWorkspaceRoots, ErrLimit)
					}
					return r.loadWorkspace(ctx, root, globs)
				})
			}
		}
		if d == "" {
			return nil, nil
		}
	}
}

func (r *Resolver) loadWorkspace(ctx context.Context, root string, globs []string) (*workspace, error) {
	ws := &workspace{root: root, byName: map[string]string{}}
	var include, exclude []string
	for _, g := range globs {
		neg := strings.HasPrefix(g, "!")
		g = strings.TrimPrefix(g, "!")
		g = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(g), "./"), "/")
		if g == "" || !doublestar.ValidatePattern(g) {
			continue
		}
		if neg {
			exclude = append(exclude, join(root, g))
		} else {
			include = append(include, join(root, g))
		}
	}
	members := map[string]bool{}
	for _, d := range r.packageDirs {
		if d == root || strings.Contains("/"+d+"/", "/node_modules/") {
			continue
		}
		if matchAny(include, d) && !matchAny(exclude, d) {
			members[d] = true
		}
	}
	ws.members = sortedKeys(members)
	for _, d := range ws.members {
		m, err := r.manifest(ctx, join(d, "package.json"))
		if err != nil {
			return nil, err
		}
		if m.Name != "" {
			if _, dup := ws.byName[m.Name]; !dup {
				ws.byName[m.Name] = d
			}
		}
	}
	return ws, nil
}

func matchAny(patterns []string, p string) bool {
	for _, pat := range patterns {
		if ok, _ := doublestar.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// packageDir finds the directory of the package called name as seen from
// dir: the importing package itself (self-name import) or a member of the
// workspace dir belongs to. It returns nil when the package is not part of
// the snapshot.
func (r *Resolver) packageDir(ctx context.Context, dir, name string) (*string, Via, error) {
	if own := r.nearest(dir, "package.json"); own != "" {
		m, err := r.manifest(ctx, own)
		if err != nil {
			return nil, ViaNone, err
		}
		if m.Name == name {
			d := m.dir
			return &d, ViaSelf, nil
		}
	}
	ws, err := r.workspaceFor(ctx, dir)
	if err != nil || ws == nil {
		return nil, ViaNone, err
	}
	if d, ok := ws.byName[name]; ok {
		return &d, ViaWorkspace, nil
	}
	return nil, ViaNone, nil
}

// viaPackages resolves a bare specifier that names a package of the
// snapshot: a workspace member or the importing package itself.
func (r *Resolver) viaPackages(ctx context.Context, from, spec string) (Resolution, bool, error) {
	name, sub := splitPackage(spec)
	dir, via, err := r.packageDir(ctx, dirOf(from), name)
	if err != nil || dir == nil {
		return Resolution{}, false, err
	}
	res, err := r.packageEntry(ctx, *dir, sub)
	if err != nil {
		return Resolution{}, true, err
	}
	res.Via = via
	res.Config = join(*dir, "package.json")
	return res, true, nil
}

// packageEntry resolves subpath ("" or "/x") inside the package at dir:
// through "exports" when the package has them (which then block every
// other subpath), else its entry fields or package-relative paths.
func (r *Resolver) packageEntry(ctx context.Context, dir, sub string) (Resolution, error) {
	pj := join(dir, "package.json")
	m, err := r.manifest(ctx, pj)
	if err != nil {
		return Resolution{}, err
	}
	var targets []string
	if m.hasExports() {
		targets = exportTargets(m.Exports, "."+sub)
		if targets == nil {
			return Resolution{Kind: Unresolved, Path: join(dir, "."+sub)}, nil
		}
	} else if sub == "" {
		targets = m.entryPoints()
	}
	for _, t := range targets {
		p := join(dir, t)
		if escapes(p) || !strings.HasPrefix(p+"/", dir+"/") && dir != "" {
			continue
		}
		if f := r.probeFile(p); f != "" {
			return Resolution{Kind: File, Path: f}, nil
		}
	}
	if !m.hasExports() {
		base := join(dir, "."+sub)
		f, err := r.probe(ctx, base)
		if err != nil || f != "" {
			return Resolution{Kind: File, Path: f}, err
		}
	}
	// Entry points usually name build output (dist/), which is not
	// committed; the source sits under src/ by convention.
	for _, t := range targets {
		if f := r.sourceOf(join(dir, t), dir); f != "" {
			return Resolution{Kind: File, Path: f, Guessed: true}, nil
		}
	}
	return Resolution{Kind: Unresolved, Path: join(dir, "."+sub)}, nil
}

// buildDirs are the output folders whose files are looked up under src/.
var buildDirs = []string{"dist/", "build/", "lib/", "out/", "esm/", "cjs/"}

// sourceOf maps a build output path of the package at dir to its source
// file: dist/server/index.mjs -> src/server/index.ts.
func (r *Resolver) sourceOf(p, dir string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
	for _, b := range buildDirs {
		if rest, ok := strings.CutPrefix(rel, b); ok {
			stem := join(dir, "src", rest)
			for _, suffix := range []string{".d.ts", ".d.mts", ".d.cts", ".mjs", ".cjs", ".js", ".jsx"} {
				if s, ok := strings.CutSuffix(stem, suffix); ok {
					stem = s
					break
				}
			}
			if f := r.probeFile(stem); f != "" {
				return f
			}
		}
	}
	return ""
}

// exportTargets returns the relative file paths that package.json
// "exports" (or "imports") maps key to, in the order to try them:
// implementation conditions in source order, then "types" conditions.
// It returns nil when no entry matches.
func exportTargets(raw json.RawMessage, key string) []string {
	raw = json.RawMessage(strings.TrimSpace(string(raw)))
	members, isObj := objectMembers(raw)
	subpathMap := isObj && len(members) > 0 && (strings.HasPrefix(members[0].Key, ".") || strings.HasPrefix(members[0].Key, "#"))
	if !subpathMap {
		// "exports": "./x.js" or a conditions object: the root only.
		if key != "." {
			return nil
		}
		return conditionTargets(raw, "", 0)
	}
	for _, m := range members {
		if m.Key == key {
			return conditionTargets(m.Value, "", 0)
		}
	}
	best, bestLen, star := -1, -1, ""
	for i, m := range members {
		j := strings.IndexByte(m.Key, '*')
		if j < 0 {
			// Legacy folder mappings: "./utils/": "./src/utils/".
			if strings.HasSuffix(m.Key, "/") && strings.HasPrefix(key, m.Key) && len(m.Key) > bestLen {
				best, bestLen, star = i, len(m.Key), key[len(m.Key):]
			}
			continue
		}
		prefix, suffix := m.Key[:j], m.Key[j+1:]
		if len(key) >= len(prefix)+len(suffix) && strings.HasPrefix(key, prefix) && strings.HasSuffix(key, suffix) &&
			len(prefix) > bestLen {
			best, bestLen, star = i, len(prefix), key[len(prefix):len(key)-len(suffix)]
		}
	}
	if best < 0 {
		return nil
	}
	var out []string
	for _, t := range conditionTargets(members[best].Value, star, 0) {
		if strings.Contains(t, "*") {
			t = strings.ReplaceAll(t, "*", star)
		} else if strings.HasSuffix(members[best].Key, "/") {
			t += star
		}
		out = append(out, t)
	}
	return out
}

// conditionTargets flattens a target (string, array of fallbacks, or
// conditions object) into candidate paths: every non-"types" condition in
// source order first, then the "types" ones. null targets are dropped.
func conditionTargets(raw json.RawMessage, star string, depth int) []string {
	if depth > 8 || strings.TrimSpace(string(raw)) == "null" {
		return nil // null excludes the subpath
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		var out []string
		for _, a := range arr {
			out = append(out, conditionTargets(a, star, depth+1)...)
		}
		return out
	}
	members, ok := objectMembers(raw)
	if !ok {
		return nil
	}
	var impl, types []string
	for _, m := range members {
		ts := conditionTargets(m.Value, star, depth+1)
		if m.Key == "types" || m.Key == "typings" || strings.HasPrefix(m.Key, "types@") {
			types = append(types, ts...)
		} else {
			impl = append(impl, ts...)
		}
	}
	return append(impl, types...)
}

// viaImports resolves a #specifier through the "imports" field of the
// nearest package.json.
func (r *Resolver) viaImports(ctx context.Context, from, spec string) (Resolution, bool, error) {
	pj := r.nearest(dirOf(from), "package.json")
	if pj == "" {
		return Resolution{}, false, nil
	}
	m, err := r.manifest(ctx, pj)
	if err != nil {
		return Resolution{}, false, err
	}
	if len(m.Imports) == 0 {
		return Resolution{}, false, nil
	}
	targets := exportTargets(m.Imports, spec)
	if targets == nil {
		return Resolution{}, false, nil
	}
	for _, t := range targets {
		if !strings.HasPrefix(t, "./") {
			// "imports" may map to a package: "#db": "@acme/db".
			name, sub := splitPackage(t)
			if isBuiltin(t) {
				return Resolution{Kind: Builtin, Package: t, Via: ViaImports, Config: pj}, true, nil
			}
			return Resolution{Kind: External, Package: name, Subpath: sub, Via: ViaImports, Config: pj}, true, nil
		}
		p := join(m.dir, t)
		if escapes(p) {
			continue
		}
		f := r.probeFile(p)
		if f == "" {
			f = r.sourceOf(p, m.dir)
		}
		if f != "" {
			return Resolution{Kind: File, Path: f, Via: ViaImports, Config: pj}, true, nil
		}
	}
	return Resolution{Kind: Unresolved, Path: join(m.dir, targets[0]), Via: ViaImports, Config: pj}, true, nil
}

// Members returns the workspace packages visible from the file at from, by
// name, or nil when the file is in no workspace.
func (r *Resolver) Members(ctx context.Context, from string) (map[string]string, error) {
	ws, err := r.workspaceFor(ctx, dirOf(from))
	if err != nil || ws == nil {
		return nil, err
	}
	out := make(map[string]string, len(ws.byName))
	for k, v := range ws.byName {
		out[k] = v
	}
	return out, nil
}
