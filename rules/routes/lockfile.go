package routes

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path"
	"strings"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/source"
)

// This file reads the versions a lockfile pins for the direct
// dependencies of a package.json: package-lock.json / npm-shrinkwrap.json
// (v1 to v3), pnpm-lock.yaml (v5 to v9 importers) and yarn.lock (classic
// and Berry). The engine skips lockfiles from per-file scanning, so they
// are read with Pass.Get, which serves any file of the snapshot.

// lockNames are the lockfiles looked for, in order of preference.
var lockNames = []string{"package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock"}

// lockfile is the parsed lockfile governing one package directory.
type lockfile struct {
	path string
	// rel is the package directory relative to the lockfile's directory
	// ("" when they are the same).
	rel  string
	kind string
	npm  *npmLock
	pnpm *pnpmLock
	yarn []yarnEntry
	file *source.File
}

type npmLock struct {
	Packages map[string]struct {
		Version string `json:"version"`
	} `json:"packages"`
	Dependencies map[string]struct {
		Version string `json:"version"`
	} `json:"dependencies"`
}

type pnpmLock struct {
	Importers    map[string]pnpmImporter `yaml:"importers"`
	Dependencies map[string]yaml.Node    `yaml:"dependencies"`
	DevDeps      map[string]yaml.Node    `yaml:"devDependencies"`
}

type pnpmImporter struct {
	Dependencies map[string]yaml.Node `yaml:"dependencies"`
	DevDeps      map[string]yaml.Node `yaml:"devDependencies"`
}

type yarnEntry struct {
	specs   []string // "next@^15.2.0", "next@npm:^15.2.0"
	version string
	line    int
}

// findLockfile returns the lockfile nearest to the package directory
// dir, searching up to the repository root, or nil.
func findLockfile(pass *rules.Pass, dir string) *lockfile {
	for d := dir; ; d = parentDir(d) {
		for _, name := range lockNames {
			p := joinPath(d, name)
			sf := pass.Get(p)
			if sf == nil {
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(dir, d), "/")
			if lf := parseLockfile(sf, name, rel); lf != nil {
				return lf
			}
		}
		if d == "" {
			return nil
		}
	}
}

func parentDir(d string) string {
	p := path.Dir(d)
	if p == "." || p == "/" {
		return ""
	}
	return p
}

func parseLockfile(sf *source.File, name, rel string) *lockfile {
	lf := &lockfile{path: sf.Path, rel: rel, kind: name, file: sf}
	switch name {
	case "package-lock.json", "npm-shrinkwrap.json":
		var l npmLock
		if json.Unmarshal(sf.Content, &l) != nil {
			return nil
		}
		lf.npm = &l
	case "pnpm-lock.yaml":
		var l pnpmLock
		if yaml.Unmarshal(sf.Content, &l) != nil {
			return nil
		}
		lf.pnpm = &l
	case "yarn.lock":
		lf.yarn = parseYarnLock(sf.Content)
	}
	return lf
}

// parseYarnLock reads the entry headers and versions of a yarn.lock:
//
//	"@clerk/nextjs@^6.30.0", "@clerk/nextjs@^6.31.0":   (classic)
//	  version "6.39.1"
//	"@clerk/nextjs@npm:^6.30.0":                         (Berry)
//	  version: 6.39.1
func parseYarnLock(b []byte) []yarnEntry {
	var out []yarnEntry
	var cur *yarnEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if l[0] != ' ' && strings.HasSuffix(l, ":") {
			out = append(out, yarnEntry{line: line})
			cur = &out[len(out)-1]
			for _, s := range strings.Split(strings.TrimSuffix(l, ":"), ",") {
				cur.specs = append(cur.specs, strings.Trim(strings.TrimSpace(s), `"`))
			}
			continue
		}
		t := strings.TrimSpace(l)
		if cur != nil && cur.version == "" && strings.HasPrefix(t, "version") && strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "    ") {
			v := strings.TrimSpace(strings.TrimPrefix(t, "version"))
			v = strings.TrimPrefix(v, ":")
			cur.version = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return out
}

// resolve returns the version the lockfile pins for dep (declared in the
// package.json as spec), and the lockfile line that pins it.
func (lf *lockfile) resolve(dep, spec string) (*semver.Version, int) {
	switch {
	case lf.npm != nil:
		keys := []string{"node_modules/" + dep}
		if lf.rel != "" {
			keys = append([]string{lf.rel + "/node_modules/" + dep}, keys...)
		}
		for _, k := range keys {
			if e, ok := lf.npm.Packages[k]; ok && e.Version != "" {
				return lockVersion(e.Version), lf.lineOf(`"` + k + `"`)
			}
		}
		if e, ok := lf.npm.Dependencies[dep]; ok && lf.rel == "" {
			return lockVersion(e.Version), lf.lineOf(`"` + dep + `": {`)
		}
	case lf.pnpm != nil:
		imp := lf.rel
		if imp == "" {
			imp = "."
		}
		var nodes []map[string]yaml.Node
		if im, ok := lf.pnpm.Importers[imp]; ok {
			nodes = append(nodes, im.Dependencies, im.DevDeps)
		} else if imp == "." {
			nodes = append(nodes, lf.pnpm.Dependencies, lf.pnpm.DevDeps)
		}
		for _, m := range nodes {
			n, ok := m[dep]
			if !ok {
				continue
			}
			v := n.Value
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == "version" {
						v = n.Content[i+1].Value
					}
				}
			}
			return lockVersion(v), n.Line
		}
	case lf.yarn != nil:
		var only *yarnEntry
		count := 0
		for i := range lf.yarn {
			e := &lf.yarn[i]
			for _, s := range e.specs {
				if s == dep+"@"+spec || s == dep+"@npm:"+spec {
					return lockVersion(e.version), e.line
				}
				if strings.HasPrefix(s, dep+"@") {
					only = e
					count++
					break
				}
			}
		}
		if count == 1 {
			return lockVersion(only.version), only.line
		}
	}
	return nil, 0
}

// lockVersion parses a pinned version, dropping pnpm's peer suffixes
// ("15.2.1(react@19.0.0)", "15.2.1_react@18.2.0").
func lockVersion(v string) *semver.Version {
	if i := strings.IndexAny(v, "(_"); i >= 0 {
		v = v[:i]
	}
	sv, err := semver.StrictNewVersion(strings.TrimSpace(v))
	if err != nil {
		return nil
	}
	return sv
}

// lineOf returns the first line of the lockfile holding s, or 1.
func (lf *lockfile) lineOf(s string) int {
	if i := bytes.Index(lf.file.Content, []byte(s)); i >= 0 {
		return bytes.Count(lf.file.Content[:i], []byte("\n")) + 1
	}
	return 1
}
