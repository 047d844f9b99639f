package source

import (
	"path"
	"strings"
)

// vendoredDirs are third-party, cache or tool trees the engine never
// analyses unless the repository configuration includes them again.
var vendoredDirs = map[string]bool{
	"node_modules": true, ".git": true, ".turbo": true,
	"coverage": true, "vendor": true, "bower_components": true,
}

// builtDirs are framework and bundler build output. The engine does not
// model them (they repeat the sources, bundled), but a credential value
// committed in them is a leak like any other: a build inlines server
// environment variables (Astro's import.meta.env, Vite's define) as
// literals, so the secret-value rules see these files (see BuildOutput).
var builtDirs = map[string]bool{
	".next": true, "dist": true, "build": true, ".output": true, ".nuxt": true,
	".svelte-kit": true, ".vercel": true, ".netlify": true, ".astro": true, "out": true,
}

// lockfiles are generated dependency manifests; they hold integrity hashes
// that look like secrets and never hold Clerk configuration.
var lockfiles = map[string]bool{
	"package-lock.json": true, "yarn.lock": true, "pnpm-lock.yaml": true, "bun.lockb": true,
	"bun.lock": true, "go.sum": true, "npm-shrinkwrap.json": true, "composer.lock": true,
	"Cargo.lock": true, "poetry.lock": true, "Gemfile.lock": true,
}

// outputDirs are build-output directory names that are also ordinary Go
// package names (a package build/ of a Go service). Go source is never a
// JavaScript build's output, so a .go file under them is analysed like
// any other source (dirKind).
var outputDirs = map[string]bool{"build": true, "dist": true, "out": true}

// SkipDir reports whether a directory (its base name) is never entered:
// a vendored tree. Build output directories are entered, for the files
// BuildOutput keeps.
func SkipDir(name string) bool { return vendoredDirs[name] }

// DefaultSkip reports whether the file at p is vendored, built, minified or
// a lockfile, and so skipped by default.
func DefaultSkip(p string) bool {
	vendored, built := dirKind(p)
	return vendored || built || skipFile(p)
}

// BuildOutput reports whether the file at p is a text file of committed
// build output (under a builtDirs directory, not vendored, not minified, a
// source map, a lockfile or binary): skipped by default, yet scanned by the
// rules that look for credential values (rules.Rule.BuildOutput).
func BuildOutput(p string) bool {
	vendored, built := dirKind(p)
	return built && !vendored && !skipFile(p)
}

// dirKind reports whether a directory of p is vendored or build output.
func dirKind(p string) (vendored, built bool) {
	goSource := strings.HasSuffix(p, ".go")
	for _, seg := range strings.Split(path.Dir(p), "/") {
		vendored = vendored || vendoredDirs[seg]
		built = built || builtDirs[seg] && !(goSource && outputDirs[seg])
	}
	return vendored, built
}

// skipFile reports whether p's name marks a lockfile, a minified bundle, a
// source map or a binary format.
func skipFile(p string) bool {
	base := path.Base(p)
	if lockfiles[base] {
		return true
	}
	lower := strings.ToLower(base)
	for _, suf := range []string{".min.js", ".min.mjs", ".min.cjs", ".map", ".bundle.js", ".chunk.js"} {
		if strings.HasSuffix(lower, suf) {
			return true
		}
	}
	switch path.Ext(lower) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".pdf", ".zip", ".gz", ".tgz",
		".woff", ".woff2", ".ttf", ".eot", ".mp4", ".mp3", ".wasm", ".so", ".dylib", ".exe",
		".jar", ".class", ".bin", ".svg", ".lockb", ".avif", ".bmp", ".otf", ".mov":
		return true
	}
	return false
}
