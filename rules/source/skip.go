package source

import (
	"path"
	"strings"
)

// skippedDirs are vendored, generated or built trees the engine never
// analyses unless the repository configuration includes them again.
var skippedDirs = map[string]bool{
	"node_modules": true, ".git": true, ".next": true, "dist": true, "build": true,
	".output": true, ".nuxt": true, ".svelte-kit": true, ".vercel": true, ".turbo": true,
	"coverage": true, "vendor": true, "bower_components": true, ".astro": true, "out": true,
}

// lockfiles are generated dependency manifests; they hold integrity hashes
// that look like secrets and never hold Clerk configuration.
var lockfiles = map[string]bool{
	"package-lock.json": true, "yarn.lock": true, "pnpm-lock.yaml": true, "bun.lockb": true,
	"bun.lock": true, "go.sum": true, "npm-shrinkwrap.json": true, "composer.lock": true,
	"Cargo.lock": true, "poetry.lock": true, "Gemfile.lock": true,
}

// outputDirs are skipped directories named after a JavaScript build's
// output that are also ordinary Go package names (a package build/ of a
// Go service). Go source is never a build's output, so a .go file under
// them is analysed; the walk descends into them to find it.
var outputDirs = map[string]bool{"build": true, "dist": true, "out": true}

// SkipDir reports whether a directory (its base name) is skipped by
// default without looking inside: a generic output directory may hold Go
// packages, so DefaultSkip decides its files one by one.
func SkipDir(name string) bool { return skippedDirs[name] && !outputDirs[name] }

// DefaultSkip reports whether the file at p is vendored, built, minified or
// a lockfile, and so skipped by default.
func DefaultSkip(p string) bool {
	goSource := strings.HasSuffix(p, ".go")
	for _, seg := range strings.Split(path.Dir(p), "/") {
		if skippedDirs[seg] && !(goSource && outputDirs[seg]) {
			return true
		}
	}
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
