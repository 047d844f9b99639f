package modules

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/clerkguard/clerkguard/rules/source"
)

// Limits on what a snapshot's config files can make the resolver do. A
// config beyond one of them is not used: the answers that depend on it are
// Unknown, with an error wrapping [ErrLimit]. Real projects stay far below
// them.
const (
	MaxExtends           = 16   // configs in one tsconfig extends chain
	MaxReferences        = 64   // tsconfig project references
	MaxPathRules         = 1024 // "paths" entries of one config
	MaxPathTargets       = 16   // substitutions of one "paths" entry
	MaxWorkspacePatterns = 256  // workspace globs of one workspace root
	MaxWorkspaceRoots    = 16   // workspace roots per snapshot
	MaxHops              = 32   // import/re-export statements followed by Origin
)

// ErrLimit marks a config file that exceeds one of the limits above.
var ErrLimit = errors.New("resolver limit exceeded")

// Files is the snapshot as the resolver sees it: its path list and lazy,
// cached access to file contents. The engine's FileSet implements it (it is
// the same interface as project.Files).
type Files interface {
	Paths() []string
	Get(ctx context.Context, path string) (*source.File, error)
}

// Kind says what a specifier resolved to.
type Kind uint8

// Kinds of resolution.
const (
	// Unknown is the zero value: the specifier could not be resolved
	// because a file the answer depends on could not be read or parsed.
	Unknown Kind = iota
	// Unresolved is a local-looking specifier (relative, root-absolute or
	// an alias) that names no file of the snapshot.
	Unresolved
	// File is a file of the snapshot.
	File
	// External is a package that is not part of the snapshot.
	External
	// Builtin is a Node.js built-in module.
	Builtin
	// Virtual is a module a framework generates at build time.
	Virtual
)

func (k Kind) String() string {
	switch k {
	case File:
		return "file"
	case External:
		return "external"
	case Builtin:
		return "builtin"
	case Virtual:
		return "virtual"
	case Unresolved:
		return "unresolved"
	}
	return "unknown"
}

// Via says which rule of resolution produced a result.
type Via string

// Ways a specifier is resolved.
const (
	ViaRelative  Via = "relative"     // ./x, ../x, /x
	ViaPaths     Via = "paths"        // tsconfig/jsconfig compilerOptions.paths
	ViaBaseURL   Via = "baseUrl"      // tsconfig/jsconfig compilerOptions.baseUrl
	ViaFramework Via = "framework"    // a framework's fixed alias ($lib, Nuxt ~/)
	ViaImports   Via = "imports"      // package.json "imports"
	ViaWorkspace Via = "workspace"    // a workspace package of the monorepo
	ViaSelf      Via = "self"         // the importing package's own name
	ViaGuess     Via = "alias-guess"  // @/ or ~/ with no config that defines it
	ViaPackage   Via = "package"      // a bare specifier naming a package
	ViaURL       Via = "url"          // npm:, jsr:, https:// (Deno, CDNs)
	ViaBuiltin   Via = "node-builtin" // fs, node:fs
	ViaVirtual   Via = "virtual"      // #imports, $app/*, astro:*
	ViaNone      Via = ""             // unresolved
)

// Resolution is where a specifier leads.
type Resolution struct {
	Kind Kind
	// Path is the file (File), or the location that was looked for
	// (Unresolved, when known).
	Path string
	// Package is the package name (External, Builtin) or the specifier of
	// a virtual module (Virtual).
	Package string
	// Subpath is the part of an External specifier after the package name,
	// with its leading slash ("/server"), or "".
	Subpath string
	Via     Via
	// Config is the tsconfig/jsconfig (or package.json, nuxt.config,
	// svelte.config) whose settings produced the result, when one did.
	Config string
	// Guessed is set when a convention rather than a config produced the
	// result: an @/ or ~/ alias no config defines, or a package entry
	// point under dist/ found as its source under src/.
	Guessed bool
}

// String renders the resolution as "file: lib/auth.ts",
// "external: @clerk/nextjs/server", "builtin: node:fs",
// "virtual: #imports" or "unresolved: ./missing".
func (r Resolution) String() string {
	switch r.Kind {
	case File:
		return "file: " + r.Path
	case External:
		return "external: " + r.Package + r.Subpath
	case Builtin, Virtual:
		return r.Kind.String() + ": " + r.Package
	case Unresolved:
		return "unresolved: " + r.Path
	}
	return "unknown"
}

// IsFile reports whether the specifier named a file of the snapshot.
func (r Resolution) IsFile() bool { return r.Kind == File }

// Resolver resolves module specifiers for one snapshot. Build it once per
// snapshot with [NewResolver]; it caches what it reads and resolves and is
// safe for concurrent use.
type Resolver struct {
	fs    Files
	files map[string]bool // every path of the snapshot
	dirs  map[string]bool // every directory holding a path ("" is the root)

	raw       memo[string, *rawConfig]    // tsconfig path -> parsed file
	effective memo[string, *config]       // config path -> merged options
	choice    memo[string, string]        // file or dir -> config path ("" none)
	manifests memo[string, *manifest]     // package.json path -> parsed file
	spaces    memo[string, *workspace]    // workspace root dir -> members
	results   memo[resultKey, Resolution] // (context, spec) -> result

	packageDirs []string     // directories holding a package.json, sorted
	roots       atomic.Int64 // workspace roots loaded
}

type resultKey struct{ dir, config, spec string }

// NewResolver builds a resolver over the snapshot's files. It reads nothing
// yet.
func NewResolver(fs Files) *Resolver {
	r := &Resolver{fs: fs, files: map[string]bool{}, dirs: map[string]bool{"": true}}
	for _, p := range fs.Paths() {
		r.files[p] = true
		if path.Base(p) == "package.json" {
			r.packageDirs = append(r.packageDirs, dirOf(p))
		}
		for d := dirOf(p); d != ""; d = dirOf(d) {
			if r.dirs[d] {
				break
			}
			r.dirs[d] = true
		}
	}
	return r
}

// Has reports whether the snapshot holds the file p.
func (r *Resolver) Has(p string) bool { return r.files[p] }

// Resolve resolves spec, written in the file at from. It returns an error
// only when a file the answer depends on (a tsconfig, a package.json, a
// pnpm-workspace.yaml) cannot be read or parsed, or ctx is done: the answer
// is then unknown, never a guess.
func (r *Resolver) Resolve(ctx context.Context, from, spec string) (Resolution, error) {
	if spec == "" {
		return Resolution{Kind: Unresolved}, nil
	}
	if isRelative(spec) {
		// Relative specifiers depend on nothing but the path list.
		base := join(dirOf(from), spec)
		if strings.HasPrefix(spec, "/") {
			// Root-absolute: the project root, as Vite resolves it.
			base = join(dirOf(r.nearest(dirOf(from), "package.json")), "."+spec)
		}
		if escapes(base) {
			return Resolution{Kind: Unresolved, Path: base, Via: ViaRelative}, nil
		}
		p, err := r.probe(ctx, base)
		if err != nil {
			return Resolution{}, err
		}
		if p == "" {
			return Resolution{Kind: Unresolved, Path: base, Via: ViaRelative}, nil
		}
		return Resolution{Kind: File, Path: p, Via: ViaRelative}, nil
	}
	cfg, err := r.configFor(ctx, from)
	if err != nil {
		return Resolution{}, err
	}
	key := resultKey{dir: dirOf(from), config: cfg, spec: spec}
	return r.results.do(ctx, key, func() (Resolution, error) {
		return r.resolveBare(ctx, from, cfg, spec)
	})
}

func (r *Resolver) resolveBare(ctx context.Context, from, cfgPath, spec string) (Resolution, error) {
	var cfg *config
	if cfgPath != "" {
		c, err := r.effective.do(ctx, cfgPath, func() (*config, error) { return r.loadConfig(ctx, cfgPath) })
		if err != nil {
			return Resolution{}, err
		}
		cfg = c
	}
	if res, ok := urlSpecifier(spec); ok {
		return res, nil
	}
	// 2. tsconfig paths.
	if cfg != nil {
		res, matched, err := r.viaPaths(ctx, cfg, spec)
		if err != nil || res.Kind == File {
			return res, err
		}
		if matched && isAliasLike(spec) {
			// A paths entry claimed the alias but named no file: that is
			// the answer (TypeScript would go on to node_modules, where
			// an alias such as @/x cannot exist).
			return res, nil
		}
	}
	// 3. Fixed framework aliases.
	if res, ok, err := r.viaFramework(ctx, from, spec); err != nil || ok {
		return res, err
	}
	// 4. baseUrl.
	if cfg != nil && cfg.hasBaseURL {
		p, err := r.probe(ctx, path.Join(cfg.baseURL, spec))
		if err != nil {
			return Resolution{}, err
		}
		if p != "" && !escapes(p) {
			return Resolution{Kind: File, Path: p, Via: ViaBaseURL, Config: cfg.baseURLFrom}, nil
		}
	}
	// 5. package.json imports.
	if strings.HasPrefix(spec, "#") {
		res, ok, err := r.viaImports(ctx, from, spec)
		if err != nil || ok {
			return res, err
		}
		// Unmatched #specifiers are a framework's virtual modules
		// (Nuxt #imports, #app, #components, #build): '#' cannot start
		// a package name.
		return Resolution{Kind: Virtual, Package: spec, Via: ViaVirtual}, nil
	}
	if res, ok := virtualModule(spec); ok {
		return res, nil
	}
	// Aliases no config defines: the conventional source roots.
	if isAliasLike(spec) {
		return r.guessAlias(ctx, from, spec)
	}
	// 6. Workspace packages and self-name imports.
	if res, ok, err := r.viaPackages(ctx, from, spec); err != nil || ok {
		return res, err
	}
	// 7. Built-ins and external packages.
	name, sub := splitPackage(spec)
	if isBuiltin(spec) {
		return Resolution{Kind: Builtin, Package: spec, Via: ViaBuiltin}, nil
	}
	return Resolution{Kind: External, Package: name, Subpath: sub, Via: ViaPackage}, nil
}

// isRelative reports whether spec is a relative or root-absolute path.
func isRelative(spec string) bool {
	return spec == "." || spec == ".." || strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../") ||
		strings.HasPrefix(spec, "/")
}

// isAliasLike reports whether spec starts with an alias prefix that can
// never be a package name (@/ has an empty scope; ~ is not allowed in
// package names).
func isAliasLike(spec string) bool {
	return strings.HasPrefix(spec, "@/") || strings.HasPrefix(spec, "~/") || strings.HasPrefix(spec, "~~/") ||
		strings.HasPrefix(spec, "@@/") || spec == "~" || spec == "@"
}

// escapes reports whether a joined path leaves the snapshot root.
func escapes(p string) bool { return p == ".." || strings.HasPrefix(p, "../") }

// splitPackage splits a bare specifier into its package name and subpath:
// "@clerk/nextjs/server" -> ("@clerk/nextjs", "/server").
func splitPackage(spec string) (name, sub string) {
	n := 1
	if strings.HasPrefix(spec, "@") {
		n = 2
	}
	parts := strings.SplitN(spec, "/", n+1)
	if len(parts) <= n {
		return spec, ""
	}
	return strings.Join(parts[:n], "/"), "/" + parts[n]
}

// Extension lists, in the order TypeScript tries them (handbook, "File
// extension substitution"), with declaration files after implementation
// files.
var (
	extensionless = []string{".ts", ".tsx", ".js", ".jsx", ".d.ts"}
	substitutions = map[string][]string{
		".js":  {".ts", ".tsx", ".js", ".jsx", ".d.ts"},
		".jsx": {".tsx", ".ts", ".jsx", ".js", ".d.ts"},
		".mjs": {".mts", ".mjs", ".d.mts"},
		".cjs": {".cts", ".cjs", ".d.cts"},
	}
)

// probe returns the file that the path base names: the file itself,
// extension substitution, extensionless lookup, then a directory module.
// It returns "" when none exists. It reads a file only for a directory
// that holds a package.json.
func (r *Resolver) probe(ctx context.Context, base string) (string, error) {
	base = strings.TrimSuffix(path.Clean(base), "/")
	if base == "." {
		base = ""
	}
	if ext := path.Ext(base); substitutions[ext] != nil {
		stem := strings.TrimSuffix(base, ext)
		for _, e := range substitutions[ext] {
			if r.files[stem+e] {
				return stem + e, nil
			}
		}
	}
	if r.files[base] {
		return base, nil
	}
	for _, e := range extensionless {
		if r.files[base+e] {
			return base + e, nil
		}
	}
	if !r.dirs[base] {
		return "", nil
	}
	return r.directoryModule(ctx, base)
}

// directoryModule resolves a directory: its package.json entry point when
// it has one, else its index file.
func (r *Resolver) directoryModule(ctx context.Context, dir string) (string, error) {
	if pj := join(dir, "package.json"); r.files[pj] {
		m, err := r.manifest(ctx, pj)
		if err != nil {
			return "", err
		}
		for _, entry := range m.entryPoints() {
			t := path.Join(dir, entry)
			if escapes(t) || t == dir {
				continue
			}
			if p := r.probeFile(t); p != "" {
				return p, nil
			}
		}
	}
	idx := join(dir, "index")
	for _, e := range extensionless {
		if r.files[idx+e] {
			return idx + e, nil
		}
	}
	return "", nil
}

// probeFile is probe without directory modules (package entry points must
// name files).
func (r *Resolver) probeFile(base string) string {
	if ext := path.Ext(base); substitutions[ext] != nil {
		stem := strings.TrimSuffix(base, ext)
		for _, e := range substitutions[ext] {
			if r.files[stem+e] {
				return stem + e
			}
		}
	}
	if r.files[base] {
		return base
	}
	for _, e := range extensionless {
		if r.files[base+e] {
			return base + e
		}
	}
	idx := join(base, "index")
	for _, e := range extensionless {
		if r.files[idx+e] {
			return idx + e
		}
	}
	return ""
}

// nearest returns the nearest file named one of names in dir or above,
// trying the names in order in each directory, or "".
func (r *Resolver) nearest(dir string, names ...string) string {
	for {
		for _, n := range names {
			if p := join(dir, n); r.files[p] {
				return p
			}
		}
		if dir == "" {
			return ""
		}
		dir = dirOf(dir)
	}
}

// read returns a file's content through the snapshot.
func (r *Resolver) read(ctx context.Context, p string) ([]byte, error) {
	f, err := r.fs.Get(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if f == nil {
		return nil, fmt.Errorf("read %s: not in snapshot", p)
	}
	return f.Content, nil
}

// dirOf is path.Dir with "" for the root.
func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." || d == "/" {
		return ""
	}
	return d
}

// join is path.Join for snapshot paths, where "" is the root.
func join(elem ...string) string {
	p := path.Join(elem...)
	if p == "." {
		return ""
	}
	return p
}

// memo caches one value per key, computed once. A computation that fails
// because its context ended is not cached, so a later call with a live
// context retries. Computations must not call back into the same memo.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*memoEntry[V]
}

type memoEntry[V any] struct {
	mu   sync.Mutex
	done bool
	v    V
	err  error
}

func (c *memo[K, V]) do(ctx context.Context, k K, fn func() (V, error)) (V, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]*memoEntry[V]{}
	}
	e, ok := c.m[k]
	if !ok {
		e = &memoEntry[V]{}
		c.m[k] = e
	}
	c.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return e.v, e.err
	}
	v, err := fn()
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil) {
		return v, err
	}
	e.v, e.err, e.done = v, err, true
	return v, err
}

// sortedKeys returns the keys of a set, sorted.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
