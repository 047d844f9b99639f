package routes

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/source"
)

// This file reads the versions a lockfile pins for the direct
// dependencies of a package.json: package-lock.json / npm-shrinkwrap.json
// (v1 to v3), pnpm-lock.yaml (v5 to v9 importers), yarn.lock (classic
// and Berry) and bun.lock (Bun's text format). bun.lockb, Bun's binary
// format, is not read. The engine skips lockfiles from per-file scanning,
// so they are read with Pass.Get, which serves any file of the snapshot.
//
// Lockfiles are large (tens of megabytes in a monorepo): the npm and bun
// formats are decoded as a token stream that keeps only the entries of
// the watched packages, pnpm-lock.yaml is decoded up to its `packages:`
// section (the importers come first), and yarn.lock is scanned line by
// line.

// lockNames are the lockfiles looked for, in order of preference.
var lockNames = []string{"package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock", "bun.lockb"}

// lockfile is the parsed lockfile governing one package directory.
type lockfile struct {
	path string
	// rel is the package directory relative to the lockfile's directory
	// ("" when they are the same).
	rel  string
	kind string
	// unread says why the lockfile could not be read ("" when it was).
	unread string
	npm    map[string]string // "node_modules/next" or "next" (v1) -> version
	pnpm   *pnpmLock
	yarn   []yarnEntry
	bun    map[string]string // "next", "apps/web/next" -> version
	file   *source.File
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
// dir, searching up to the repository root, or nil. A lockfile that is
// in the snapshot but cannot be read or parsed is returned with unread
// set: it governs the package, and its versions are unknown.
func findLockfile(pass *rules.Pass, dir string) *lockfile {
	for d := dir; ; d = parentDir(d) {
		for _, name := range lockNames {
			p := joinPath(d, name)
			sf, err := pass.Read(p)
			rel := strings.TrimPrefix(strings.TrimPrefix(dir, d), "/")
			switch {
			case err == nil && name == "bun.lockb":
				return &lockfile{path: p, rel: rel, kind: name, unread: "Bun's binary lockfile is not read"}
			case err == nil:
				return parseLockfile(sf, name, rel, watchedSet())
			case errors.Is(err, source.ErrTooLarge):
				return &lockfile{path: p, rel: rel, kind: name, unread: fmt.Sprintf("larger than %d bytes", source.MaxFileSize)}
			case errors.Is(err, rules.ErrBudget):
				return &lockfile{path: p, rel: rel, kind: name, unread: "the run's byte budget was spent"}
			}
		}
		if d == "" {
			return nil
		}
	}
}

func watchedSet() map[string]bool {
	out := map[string]bool{}
	for _, p := range knowledge.AdvisoryPackages() {
		out[p] = true
	}
	return out
}

func parentDir(d string) string {
	p := path.Dir(d)
	if p == "." || p == "/" {
		return ""
	}
	return p
}

func parseLockfile(sf *source.File, name, rel string, watched map[string]bool) *lockfile {
	lf := &lockfile{path: sf.Path, rel: rel, kind: name, file: sf}
	var err error
	switch name {
	case "package-lock.json", "npm-shrinkwrap.json":
		lf.npm, err = readNPMLock(sf.Content, watched)
	case "pnpm-lock.yaml":
		var l pnpmLock
		err = yaml.Unmarshal(pnpmHead(sf.Content), &l)
		lf.pnpm = &l
	case "yarn.lock":
		lf.yarn = parseYarnLock(sf.Content)
	case "bun.lock":
		lf.bun, err = readBunLock(sf.Content, watched)
	}
	if err != nil {
		lf.unread = "not valid: " + err.Error()
	}
	return lf
}

// pnpmHead cuts a pnpm-lock.yaml before its top-level `packages:` or
// `snapshots:` section: the importers and root dependencies, all this
// file needs, come first in every lockfile version.
func pnpmHead(b []byte) []byte {
	for _, key := range []string{"\npackages:", "\nsnapshots:"} {
		if i := bytes.Index(b, []byte(key)); i >= 0 {
			b = b[:i+1]
		}
	}
	return b
}

// wantedKey reports whether a lockfile package key names a watched
// package: "node_modules/next", "apps/web/node_modules/next", "next".
func wantedKey(k string, watched map[string]bool) bool {
	if i := strings.LastIndex(k, "node_modules/"); i >= 0 {
		k = k[i+len("node_modules/"):]
	}
	for p := range watched {
		if k == p || strings.HasSuffix(k, "/"+p) {
			return true
		}
	}
	return false
}

// readNPMLock streams a package-lock.json and returns the versions of the
// watched packages' entries, keyed as in the lockfile: the "packages"
// keys of v2/v3 and the "dependencies" names of v1.
func readNPMLock(b []byte, watched map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(b))
	err := streamObject(dec, func(key string) error {
		if key != "packages" && key != "dependencies" {
			return skipValue(dec)
		}
		return streamObject(dec, func(name string) error {
			if !wantedKey(name, watched) {
				return skipValue(dec)
			}
			var e struct {
				Version string `json:"version"`
			}
			if err := dec.Decode(&e); err != nil {
				return err
			}
			if _, seen := out[name]; !seen {
				out[name] = e.Version
			}
			return nil
		})
	})
	return out, err
}

// readBunLock reads a bun.lock (JSON with trailing commas) and returns the
// versions of the watched packages' entries: "packages": { "next":
// ["next@15.2.0", ...] }, with a workspace's own copy keyed
// "apps/web/next".
func readBunLock(b []byte, watched map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(stripTrailingCommas(b)))
	err := streamObject(dec, func(key string) error {
		if key != "packages" {
			return skipValue(dec)
		}
		return streamObject(dec, func(name string) error {
			if !wantedKey(name, watched) {
				return skipValue(dec)
			}
			var e []json.RawMessage
			if err := dec.Decode(&e); err != nil {
				return err
			}
			var id string
			if len(e) > 0 && json.Unmarshal(e[0], &id) == nil {
				if i := strings.LastIndex(id, "@"); i > 0 {
					out[name] = id[i+1:]
				}
			}
			return nil
		})
	})
	return out, err
}

// stripTrailingCommas removes the commas before a closing bracket or
// brace outside strings (bun.lock is JSONC).
func stripTrailingCommas(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inStr, esc := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			out = append(out, c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		if c == '"' {
			inStr = true
		}
		if c == ',' {
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\n' || b[j] == '\r' || b[j] == '\t') {
				j++
			}
			if j < len(b) && (b[j] == '}' || b[j] == ']') {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// streamObject reads a JSON object from dec and calls fn with each key;
// fn must consume the key's value.
func streamObject(dec *json.Decoder, fn func(key string) error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("want an object, got %v", t)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		k, ok := t.(string)
		if !ok {
			return fmt.Errorf("want a key, got %v", t)
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	_, err = dec.Token() // '}'
	return err
}

// skipValue consumes one JSON value without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
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
		} else {
			keys = append(keys, dep) // v1 "dependencies"
		}
		for _, k := range keys {
			if v := lf.npm[k]; v != "" {
				return lockVersion(v), lf.lineOf(`"` + k + `"`)
			}
		}
	case lf.bun != nil:
		keys := []string{dep}
		if lf.rel != "" {
			keys = append([]string{lf.rel + "/" + dep}, keys...)
		}
		for _, k := range keys {
			if v := lf.bun[k]; v != "" {
				return lockVersion(v), lf.lineOf(`"` + k + `"`)
			}
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
