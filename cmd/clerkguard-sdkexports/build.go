package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/source"
)

// release is one analysed package version.
type release struct {
	minor    string                  // "5.7"
	version  string                  // "5.7.5"
	entries  map[string]entryExports // "./server" -> names
	features map[string]bool         // "auth.protect"
	deps     map[string]string       // dependencies of package.json
	err      error
}

type entryExports struct {
	names []string
	open  []string
}

// build reads every package and returns the table.
func build(ctx context.Context, reg *registryClient, pkgs []string, log io.Writer) (*knowledge.SDKTable, error) {
	tab := &knowledge.SDKTable{Packages: map[string]*knowledge.SDKPackage{}}
	all := map[string][]*release{}
	for _, pkg := range pkgs {
		meta, err := reg.metadata(ctx, pkg)
		if err != nil {
			return nil, err
		}
		rels := latestPatches(meta)
		sem := make(chan struct{}, 6)
		var wg sync.WaitGroup
		for i := range rels {
			wg.Add(1)
			go func(r *release) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				files, err := reg.tarball(ctx, pkg, r.version, meta[r.version])
				if err != nil {
					r.err = err
					return
				}
				r.deps = dependencies(files)
				r.entries, r.err = analyse(ctx, files)
				if r.err == nil {
					r.features = features(pkg, files)
				}
			}(rels[i])
		}
		wg.Wait()
		for _, r := range rels {
			if r.err != nil {
				return nil, fmt.Errorf("%s@%s: %w", pkg, r.version, r.err)
			}
		}
		all[pkg] = rels
	}
	// Re-exports of another analysed package ("export * from
	// '@clerk/backend/webhooks'") take that package's names at the version
	// the release depends on; twice, for a chain of two.
	for range 2 {
		for _, rels := range all {
			for _, r := range rels {
				resolveOpen(r, all)
			}
		}
	}
	for _, pkg := range pkgs {
		rels := all[pkg]
		p := &knowledge.SDKPackage{}
		for _, r := range rels {
			p.Versions = append(p.Versions, r.version)
		}
		p.Entries = compress(rels)
		p.Features = compressFeatures(pkg, rels)
		tab.Packages[pkg] = p
		fmt.Fprintf(log, "%s: %d minors, %d entry points\n", pkg, len(rels), len(p.Entries))
	}
	return tab, nil
}

// latestPatches keeps the latest non-prerelease patch of each major.minor,
// in ascending order.
func latestPatches(meta map[string]string) []*release {
	best := map[string]*semver.Version{}
	for v := range meta {
		sv, err := semver.StrictNewVersion(v)
		if err != nil || sv.Prerelease() != "" {
			continue
		}
		k := fmt.Sprintf("%d.%d", sv.Major(), sv.Minor())
		if b := best[k]; b == nil || sv.GreaterThan(b) {
			best[k] = sv
		}
	}
	var vs []*semver.Version
	for _, v := range best {
		vs = append(vs, v)
	}
	sort.Sort(semver.Collection(vs))
	out := make([]*release, 0, len(vs))
	for _, v := range vs {
		out = append(out, &release{minor: fmt.Sprintf("%d.%d", v.Major(), v.Minor()), version: v.Original()})
	}
	return out
}

// entryPoints maps each entry point of the package to its declaration
// file: the "exports" subpaths of package.json (their "types" condition,
// or the declaration beside the JavaScript file), else "." from "types" /
// "typings" / "main" and a "./dir" for each sub-folder package.json (the
// layout of packages that predate "exports").
func entryPoints(files map[string][]byte) (map[string]string, error) {
	var pj struct {
		Exports json.RawMessage `json:"exports"`
		Types   string          `json:"types"`
		Typings string          `json:"typings"`
		Main    string          `json:"main"`
	}
	if err := json.Unmarshal(files["package.json"], &pj); err != nil {
		return nil, fmt.Errorf("package.json: %w", err)
	}
	out := map[string]string{}
	if len(pj.Exports) > 0 {
		var m map[string]json.RawMessage
		if json.Unmarshal(pj.Exports, &m) == nil && hasSubpaths(m) {
			for k, v := range m {
				if !strings.HasPrefix(k, ".") || strings.Contains(k, "*") || strings.HasSuffix(k, ".json") || strings.HasSuffix(k, ".css") {
					continue
				}
				if d := declOf(files, v); d != "" {
					out[k] = d
				}
			}
			return out, nil
		}
		if d := declOf(files, pj.Exports); d != "" {
			out["."] = d
			return out, nil
		}
	}
	if d := firstDecl(files, pj.Types, pj.Typings, pj.Main); d != "" {
		out["."] = d
	}
	// Root-level "server.d.ts" beside "server.js", and "app-beta/index.d.ts".
	for p := range files {
		dir, base := path.Split(p)
		switch {
		case dir == "" && isDecl(base):
			out["./"+declStem(base)] = p
		case strings.Count(p, "/") == 1 && declStem(base) == "index" && !skipDir[path.Clean(dir)]:
			out["./"+path.Clean(dir)] = p
		}
	}
	for p, data := range files {
		dir := path.Dir(p)
		if path.Base(p) != "package.json" || dir == "." || strings.Contains(dir, "/") || dir == "node_modules" {
			continue
		}
		var sub struct{ Types, Typings, Main string }
		if json.Unmarshal(data, &sub) != nil {
			continue
		}
		if d := firstDecl(files, join(dir, sub.Types), join(dir, sub.Typings), join(dir, sub.Main)); d != "" {
			out["./"+dir] = d
		}
	}
	return out, nil
}

// skipDir are folders of a package that hold build output, not entry points.
var skipDir = map[string]bool{"dist": true, "src": true, "lib": true, "node_modules": true, "types": true, "esm": true, "cjs": true}

// declStem is the module name of a declaration file: "server" for
// "server.d.ts".
func declStem(base string) string {
	for _, ext := range []string{".d.ts", ".d.mts", ".d.cts"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

func join(dir, p string) string {
	if p == "" {
		return ""
	}
	return path.Join(dir, p)
}

func hasSubpaths(m map[string]json.RawMessage) bool {
	for k := range m {
		if strings.HasPrefix(k, ".") {
			return true
		}
	}
	return false
}

// declOf finds the declaration file of an "exports" value: a string, or
// an object of conditions (types first, then import, require, default,
// node, each possibly nested).
func declOf(files map[string][]byte, raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return firstDecl(files, s)
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	for _, k := range []string{"types", "import", "require", "node", "default", "browser", "react-server", "edge-light", "worker"} {
		if v, ok := m[k]; ok {
			if d := declOf(files, v); d != "" {
				return d
			}
		}
	}
	return ""
}

// firstDecl returns the first of the candidates (package-relative paths of
// declarations or of JavaScript files) whose declaration file exists.
func firstDecl(files map[string][]byte, cands ...string) string {
	for _, c := range cands {
		if c == "" {
			continue
		}
		c = path.Clean(strings.TrimPrefix(c, "./"))
		for _, d := range declCandidates(c) {
			if _, ok := files[d]; ok {
				return d
			}
		}
	}
	return ""
}

// declCandidates lists the declaration files a module path may name.
func declCandidates(p string) []string {
	if isDecl(p) {
		return []string{p}
	}
	base := p
	for _, ext := range []string{".mjs", ".cjs", ".js", ".ts", ".mts", ".cts"} {
		if strings.HasSuffix(p, ext) {
			base = strings.TrimSuffix(p, ext)
			switch ext {
			case ".mjs", ".mts":
				return []string{base + ".d.mts", base + ".d.ts"}
			case ".cjs", ".cts":
				return []string{base + ".d.cts", base + ".d.ts"}
			}
			return []string{base + ".d.ts", base + ".d.mts"}
		}
	}
	return []string{p + ".d.ts", p + ".d.mts", p + ".d.cts", p + "/index.d.ts", p + "/index.d.mts"}
}

// analyse returns the exported names of every entry point.
func analyse(ctx context.Context, files map[string][]byte) (map[string]entryExports, error) {
	eps, err := entryPoints(files)
	if err != nil {
		return nil, err
	}
	out := map[string]entryExports{}
	for ep, decl := range eps {
		names, open := map[string]bool{}, map[string]bool{}
		if err := collect(ctx, files, decl, names, open, map[string]bool{}); err != nil {
			return nil, fmt.Errorf("entry %s: %w", ep, err)
		}
		out[ep] = entryExports{names: sortedKeys(names), open: sortedKeys(open)}
	}
	return out, nil
}

func sortedKeys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

// collect adds the names file exports, following `export * from` into
// the package's own files; a re-export of another package is recorded as
// open.
func collect(ctx context.Context, files map[string][]byte, file string, names, open, seen map[string]bool) error {
	if seen[file] {
		return nil
	}
	seen[file] = true
	f, err := jsast.Parse(ctx, source.NewFile(file, files[file]))
	if err != nil {
		return fmt.Errorf("parse %s: %w", file, err)
	}
	for _, st := range f.Root.Children {
		if st.Type != "export_statement" {
			continue
		}
		src := ""
		if s := st.ChildByField("source"); s != nil {
			src, _ = f.StringValue(s)
		}
		if st.HasChild("default") {
			names["default"] = true
		}
		if decl := st.ChildByField("declaration"); decl != nil {
			for _, n := range declNames(f, decl) {
				names[n] = true
			}
			continue
		}
		star := st.HasChild("*")
		for _, c := range st.NamedChildren() {
			switch c.Type {
			case "export_clause":
				star = false
				for _, spec := range c.NamedChildren() {
					if spec.Type != "export_specifier" {
						continue
					}
					n := f.Text(spec.ChildByField("name"))
					if a := spec.ChildByField("alias"); a != nil {
						n = f.Text(a)
					}
					names[n] = true
				}
			case "namespace_export":
				star = false
				for _, id := range c.NamedChildren() {
					names[f.Text(id)] = true
				}
			}
		}
		if !star || src == "" {
			continue
		}
		if !strings.HasPrefix(src, ".") {
			open[src] = true
			continue
		}
		target := firstDecl(files, path.Join(path.Dir(file), src))
		if target == "" {
			open[src] = true // a missing file: names unknown, never invented
			continue
		}
		if err := collect(ctx, files, target, names, open, seen); err != nil {
			return err
		}
	}
	return nil
}

// declNames returns the names a declaration exports.
func declNames(f *jsast.File, decl *jsast.Node) []string {
	switch decl.Type {
	case "ambient_declaration":
		var out []string
		for _, c := range decl.NamedChildren() {
			out = append(out, declNames(f, c)...)
		}
		return out
	case "lexical_declaration", "variable_declaration":
		var out []string
		for _, d := range decl.NamedChildren() {
			if d.Type == "variable_declarator" {
				out = append(out, f.Text(d.ChildByField("name")))
			}
		}
		return out
	}
	if n := decl.ChildByField("name"); n != nil {
		return []string{f.Text(n)}
	}
	return nil
}

// compress turns the releases into ranges of minors over which each entry
// point's names do not change.
func compress(rels []*release) map[string][]knowledge.SDKRange {
	out := map[string][]knowledge.SDKRange{}
	eps := map[string]bool{}
	for _, r := range rels {
		for ep := range r.entries {
			eps[ep] = true
		}
	}
	for ep := range eps {
		cur := -1 // index of the open range, -1 after a gap
		for _, r := range rels {
			e, ok := r.entries[ep]
			if !ok {
				cur = -1
				continue
			}
			if cur >= 0 && slices.Equal(out[ep][cur].Names, e.names) && slices.Equal(out[ep][cur].Open, e.open) {
				out[ep][cur].To = r.minor
				continue
			}
			out[ep] = append(out[ep], knowledge.SDKRange{From: r.minor, To: r.minor, Names: e.names, Open: e.open})
			cur = len(out[ep]) - 1
		}
	}
	return out
}

// compressFeatures turns the releases' features into ranges of minors.
func compressFeatures(pkg string, rels []*release) map[string][]knowledge.SDKRange {
	out := map[string][]knowledge.SDKRange{}
	for _, ft := range featureSpecs {
		if ft.pkg != pkg {
			continue
		}
		rs := []knowledge.SDKRange{}
		open := false
		for _, r := range rels {
			if !r.features[ft.name] {
				open = false
				continue
			}
			if open {
				rs[len(rs)-1].To = r.minor
				continue
			}
			rs = append(rs, knowledge.SDKRange{From: r.minor, To: r.minor})
			open = true
		}
		out[ft.name] = rs
	}
	return out
}

// encode writes the table as indented JSON with a trailing newline.
func encode(t *knowledge.SDKTable) ([]byte, error) {
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return append(b, '\n'), nil
}

// dependencies reads the dependencies of the package's package.json.
func dependencies(files map[string][]byte) map[string]string {
	var pj struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	_ = json.Unmarshal(files["package.json"], &pj) // an unreadable file leaves re-exports open
	return pj.Dependencies
}

// resolveOpen replaces the re-exports of analysed packages in r's entry
// points by their names at the dependency's version.
func resolveOpen(r *release, all map[string][]*release) {
	for ep, e := range r.entries {
		var open []string
		names := map[string]bool{}
		for _, n := range e.names {
			names[n] = true
		}
		changed := false
		for _, mod := range e.open {
			pkg, entry := knowledge.SplitModule(mod)
			dep := depRelease(all[pkg], r.deps[pkg])
			if dep == nil {
				open = append(open, mod)
				continue
			}
			de, ok := dep.entries[entry]
			if !ok {
				open = append(open, mod)
				continue
			}
			changed = true
			for _, n := range de.names {
				names[n] = true
			}
			open = append(open, de.open...)
		}
		if changed {
			slices.Sort(open)
			r.entries[ep] = entryExports{names: sortedKeys(names), open: slices.Compact(open)}
		}
	}
}

// depRelease returns the analysed release a dependency range resolves to:
// the release of its lowest stated major.minor, else the closest older
// minor of that major.
func depRelease(rels []*release, want string) *release {
	key, ok := knowledge.MinorKey(want)
	if !ok {
		return nil
	}
	kv, err := semver.NewVersion(key)
	if err != nil {
		return nil
	}
	var best *release
	for _, r := range rels {
		rv, err := semver.NewVersion(r.minor)
		if err != nil || rv.Major() != kv.Major() || rv.GreaterThan(kv) {
			continue
		}
		best = r
	}
	return best
}
