package modules

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// configNames are the config files TypeScript's language service looks
// for in each directory, nearest first (tsconfig.json wins over
// jsconfig.json in the same directory).
var configNames = []string{"tsconfig.json", "jsconfig.json"}

// rawConfig is one tsconfig.json/jsconfig.json as written.
type rawConfig struct {
	path       string
	dir        string
	extends    []string
	baseURL    *string
	paths      []pathRule // nil when the file does not set paths
	hasPaths   bool
	include    []string
	hasInclude bool
	files      []string
	hasFiles   bool
	references []string
}

// pathRule is one compilerOptions.paths entry.
type pathRule struct {
	pattern string
	prefix  string // before the '*', or the whole pattern
	suffix  string // after the '*'
	star    bool
	targets []string
}

// config is a config with its extends chain applied.
type config struct {
	path        string
	dir         string
	hasBaseURL  bool
	baseURL     string // snapshot directory
	baseURLFrom string // config that set it
	rules       []pathRule
	pathsBase   string // directory the targets are relative to
	pathsFrom   string // config that set paths
	include     []string
	includeDir  string
	hasInclude  bool
	files       []string
	hasFiles    bool
	references  []string
	// missing lists bases of the extends chain that are not in the
	// snapshot (generated .nuxt/tsconfig.json, packages from a registry).
	missing []string
}

func (r *Resolver) rawConfig(ctx context.Context, p string) (*rawConfig, error) {
	return r.raw.do(ctx, p, func() (*rawConfig, error) {
		b, err := r.read(ctx, p)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Extends         json.RawMessage `json:"extends"`
			CompilerOptions struct {
				BaseURL *string         `json:"baseUrl"`
				Paths   json.RawMessage `json:"paths"`
			} `json:"compilerOptions"`
			Include    []string `json:"include"`
			Files      []string `json:"files"`
			References []struct {
				Path string `json:"path"`
			} `json:"references"`
		}
		if err := unmarshalJSONC(b, &doc); err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		rc := &rawConfig{path: p, dir: dirOf(p), baseURL: doc.CompilerOptions.BaseURL,
			include: doc.Include, hasInclude: doc.Include != nil, files: doc.Files, hasFiles: doc.Files != nil}
		switch ext := strings.TrimSpace(string(doc.Extends)); {
		case ext == "" || ext == "null":
		case strings.HasPrefix(ext, "["):
			if err := json.Unmarshal(doc.Extends, &rc.extends); err != nil {
				return nil, fmt.Errorf("parse %s: extends: %w", p, err)
			}
		default:
			var s string
			if err := json.Unmarshal(doc.Extends, &s); err != nil {
				return nil, fmt.Errorf("parse %s: extends: %w", p, err)
			}
			rc.extends = []string{s}
		}
		if len(doc.CompilerOptions.Paths) > 0 && string(doc.CompilerOptions.Paths) != "null" {
			members, ok := objectMembers(doc.CompilerOptions.Paths)
			if !ok {
				return nil, fmt.Errorf("parse %s: compilerOptions.paths is not an object", p)
			}
			rc.hasPaths = true
			if len(members) > MaxPathRules {
				return nil, fmt.Errorf("%s: %d paths entries (limit %d): %w", p, len(members), MaxPathRules, ErrLimit)
			}
			for _, m := range members {
				var targets []string
				if err := json.Unmarshal(m.Value, &targets); err != nil {
					return nil, fmt.Errorf("parse %s: paths[%q]: %w", p, m.Key, err)
				}
				if len(targets) > MaxPathTargets {
					return nil, fmt.Errorf("%s: paths[%q] has %d targets (limit %d): %w", p, m.Key, len(targets), MaxPathTargets, ErrLimit)
				}
				rc.paths = append(rc.paths, newPathRule(m.Key, targets))
			}
		}
		if len(doc.References) > MaxReferences {
			return nil, fmt.Errorf("%s: %d references (limit %d): %w", p, len(doc.References), MaxReferences, ErrLimit)
		}
		for _, ref := range doc.References {
			rc.references = append(rc.references, ref.Path)
		}
		return rc, nil
	})
}

func newPathRule(pattern string, targets []string) pathRule {
	pr := pathRule{pattern: pattern, prefix: pattern, targets: targets}
	if i := strings.IndexByte(pattern, '*'); i >= 0 {
		pr.star, pr.prefix, pr.suffix = true, pattern[:i], pattern[i+1:]
	}
	return pr
}

// loadConfig applies the extends chain of the config at p.
func (r *Resolver) loadConfig(ctx context.Context, p string) (*config, error) {
	var chain []*rawConfig
	var missing []string
	seen := map[string]bool{}
	var walk func(p string) error
	walk = func(p string) error {
		if seen[p] {
			return nil // a cycle, which TypeScript rejects: cut it
		}
		if len(seen) >= MaxExtends {
			return fmt.Errorf("%s: extends chain longer than %d configs: %w", p, MaxExtends, ErrLimit)
		}
		seen[p] = true
		rc, err := r.rawConfig(ctx, p)
		if err != nil {
			return err
		}
		for _, ext := range rc.extends {
			base, err := r.extendsTarget(ctx, rc.dir, ext)
			if err != nil {
				return err
			}
			if base == "" {
				missing = append(missing, ext)
				continue
			}
			if err := walk(base); err != nil {
				return err
			}
		}
		chain = append(chain, rc) // bases first, then the config itself
		return nil
	}
	if err := walk(p); err != nil {
		return nil, err
	}
	leaf := dirOf(p)
	c := &config{path: p, dir: leaf, missing: missing}
	var pathsDir string
	for _, rc := range chain {
		if rc.baseURL != nil {
			c.hasBaseURL, c.baseURL, c.baseURLFrom = true, configPath(leaf, rc.dir, *rc.baseURL), rc.path
		}
		if rc.hasPaths {
			c.rules, c.pathsFrom, pathsDir = rc.paths, rc.path, rc.dir
		}
		if rc.hasInclude {
			c.include, c.includeDir, c.hasInclude = rc.include, rc.dir, true
		}
		if rc.hasFiles {
			c.files, c.hasFiles = rc.files, true
		}
	}
	if self := chain[len(chain)-1]; self.path == p {
		c.references = self.references
	}
	c.pathsBase = pathsDir
	if c.hasBaseURL {
		c.pathsBase = c.baseURL
	}
	if !c.hasInclude {
		c.includeDir = leaf
	}
	return c, nil
}

// configPath resolves a path written in a config: relative to the config
// that wrote it, or to the leaf config for ${configDir} (TypeScript 5.5).
func configPath(leafDir, dir, p string) string {
	if rest, ok := strings.CutPrefix(p, "${configDir}"); ok {
		return join(leafDir, "./"+rest)
	}
	return join(dir, p)
}

// extendsTarget finds the config an "extends" entry names: a relative
// path (".json" may be omitted) or a package path, which is found when the
// package is a workspace package of the snapshot. It returns "" when the
// base is not in the snapshot.
func (r *Resolver) extendsTarget(ctx context.Context, dir, ext string) (string, error) {
	if isRelative(ext) {
		p := join(dir, ext)
		if strings.HasPrefix(ext, "/") {
			p = strings.TrimPrefix(path.Clean(ext), "/")
		}
		for _, c := range []string{p, p + ".json", join(p, "tsconfig.json")} {
			if r.files[c] {
				return c, nil
			}
		}
		return "", nil
	}
	name, sub := splitPackage(ext)
	pkgDir, _, err := r.packageDir(ctx, dir, name)
	if err != nil || pkgDir == nil {
		return "", err
	}
	p := join(*pkgDir, "."+sub)
	if sub == "" {
		p = join(*pkgDir, "tsconfig.json")
	}
	for _, c := range []string{p, p + ".json"} {
		if r.files[c] {
			return c, nil
		}
	}
	return "", nil
}

// configFor returns the config that governs the file at from: the nearest
// tsconfig.json or jsconfig.json, or, for a solution-style config with
// "references", the referenced project whose include list covers the file.
// It returns "" when no config governs the file.
func (r *Resolver) configFor(ctx context.Context, from string) (string, error) {
	near := r.nearest(dirOf(from), configNames...)
	if near == "" {
		return "", nil
	}
	rc, err := r.rawConfig(ctx, near)
	if err != nil {
		return "", err
	}
	if len(rc.references) == 0 {
		return near, nil
	}
	return r.choice.do(ctx, from, func() (string, error) {
		own, err := r.effective.do(ctx, near, func() (*config, error) { return r.loadConfig(ctx, near) })
		if err != nil {
			return "", err
		}
		if own.covers(from) {
			return near, nil
		}
		for _, ref := range rc.references {
			p := join(rc.dir, ref)
			if !r.files[p] {
				p = join(p, "tsconfig.json")
			}
			if !r.files[p] || p == near {
				continue
			}
			c, err := r.effective.do(ctx, p, func() (*config, error) { return r.loadConfig(ctx, p) })
			if err != nil {
				return "", err
			}
			if c.covers(from) {
				return p, nil
			}
		}
		return near, nil
	})
}

// covers reports whether the config's "files" and "include" lists hold the
// file (TypeScript: include defaults to **/* unless "files" is given; a
// last segment without a wildcard or extension names a directory).
func (c *config) covers(file string) bool {
	for _, f := range c.files {
		if join(c.dir, f) == file {
			return true
		}
	}
	include := c.include
	if !c.hasInclude {
		if c.hasFiles {
			return false
		}
		include = []string{"**/*"}
	}
	for _, pat := range include {
		pat = strings.TrimSuffix(join(c.includeDir, pat), "/")
		last := path.Base(pat)
		if !strings.ContainsAny(last, "*?") && path.Ext(last) == "" {
			pat += "/**/*"
		}
		if ok, err := doublestar.Match(pat, file); err == nil && ok {
			return true
		}
	}
	return false
}

// viaPaths resolves spec through the config's "paths". matched reports
// whether an entry matched, even when none of its targets exists.
func (r *Resolver) viaPaths(ctx context.Context, c *config, spec string) (Resolution, bool, error) {
	rule, star, ok := matchPaths(c.rules, spec)
	if !ok {
		return Resolution{}, false, nil
	}
	var first string
	for _, t := range rule.targets {
		if rule.star {
			t = strings.Replace(t, "*", star, 1)
		}
		p := configPath(c.dir, c.pathsBase, t)
		if strings.HasPrefix(t, "/") {
			p = strings.TrimPrefix(path.Clean(t), "/")
		}
		if escapes(p) {
			continue
		}
		if first == "" {
			first = p
		}
		f, err := r.probe(ctx, p)
		if err != nil {
			return Resolution{}, true, err
		}
		if f != "" {
			return Resolution{Kind: File, Path: f, Via: ViaPaths, Config: c.pathsFrom}, true, nil
		}
	}
	return Resolution{Kind: Unresolved, Path: first, Via: ViaPaths, Config: c.pathsFrom}, true, nil
}

// matchPaths picks the "paths" entry for spec as TypeScript does: an exact
// key first, else the wildcard key with the longest prefix (the first one
// on a tie), and returns what the '*' matched.
func matchPaths(rules []pathRule, spec string) (pathRule, string, bool) {
	for _, pr := range rules {
		if !pr.star && pr.pattern == spec {
			return pr, "", true
		}
	}
	best, bestLen := -1, -1
	for i, pr := range rules {
		if !pr.star || len(spec) < len(pr.prefix)+len(pr.suffix) {
			continue
		}
		if strings.HasPrefix(spec, pr.prefix) && strings.HasSuffix(spec, pr.suffix) && len(pr.prefix) > bestLen {
			best, bestLen = i, len(pr.prefix)
		}
	}
	if best < 0 {
		return pathRule{}, "", false
	}
	pr := rules[best]
	return pr, spec[len(pr.prefix) : len(spec)-len(pr.suffix)], true
}
