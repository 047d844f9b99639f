package modules

import (
	"context"
	"net/url"
	"strings"
)

// Framework aliases that are fixed conventions, not configuration. Each
// framework writes them into a generated tsconfig (.nuxt/tsconfig.json,
// .svelte-kit/tsconfig.json) that is not committed, so the resolver knows
// them itself. A "paths" entry of a committed config still wins.
//
//   - Nuxt: "~" and "@" are the srcDir, "~~" and "@@" the rootDir
//     (https://nuxt.com/docs/api/nuxt-config#alias). The srcDir is app/ in
//     Nuxt 4 and the rootDir in Nuxt 3
//     (https://nuxt.com/docs/directory-structure, "App Directory"), so both
//     are tried, app/ first. "#shared" is <rootDir>/shared
//     (https://nuxt.com/docs/guide/directory-structure/shared, Nuxt 3.14+).
//     The rootDir holds nuxt.config.*.
//   - SvelteKit: "$lib" is src/lib (https://svelte.dev/docs/kit/$lib);
//     $app/*, $env/* and $service-worker are virtual modules
//     (https://svelte.dev/docs/kit/modules).
//   - Astro: astro:* modules (astro:content, astro:env/client,
//     astro:middleware, astro:actions, ...) are virtual
//     (https://docs.astro.build/en/reference/modules/); Astro fixes no path
//     alias (projects declare theirs in tsconfig "paths").
//   - Next.js fixes none: create-next-app writes "@/*" into tsconfig
//     "paths" (https://nextjs.org/docs/app/getting-started/installation),
//     which step 2 reads.
var (
	nuxtConfigs   = []string{"nuxt.config.ts", "nuxt.config.js", "nuxt.config.mjs", "nuxt.config.mts"}
	svelteConfigs = []string{"svelte.config.js", "svelte.config.ts", "svelte.config.mjs", "svelte.config.cjs"}
)

// viaFramework resolves the fixed aliases of Nuxt and SvelteKit.
func (r *Resolver) viaFramework(ctx context.Context, from, spec string) (Resolution, bool, error) {
	if rest, ok := cutAlias(spec, "$lib"); ok {
		conf := r.nearest(dirOf(from), svelteConfigs...)
		root := dirOf(conf)
		if conf == "" {
			root = dirOf(r.nearest(dirOf(from), "package.json"))
		}
		return r.firstOf(ctx, ViaFramework, conf, join(root, "src/lib", rest))
	}
	conf := r.nearest(dirOf(from), nuxtConfigs...)
	if conf == "" {
		return Resolution{}, false, nil
	}
	root := dirOf(conf)
	for _, a := range []string{"~~", "@@"} {
		if rest, ok := cutAlias(spec, a); ok {
			return r.firstOf(ctx, ViaFramework, conf, join(root, rest))
		}
	}
	for _, a := range []string{"~", "@"} {
		if rest, ok := cutAlias(spec, a); ok {
			return r.firstOf(ctx, ViaFramework, conf, join(root, "app", rest), join(root, rest))
		}
	}
	if rest, ok := cutAlias(spec, "#shared"); ok {
		return r.firstOf(ctx, ViaFramework, conf, join(root, "shared", rest))
	}
	return Resolution{}, false, nil
}

// cutAlias splits "alias/rest" or "alias" into rest.
func cutAlias(spec, alias string) (string, bool) {
	if spec == alias {
		return "", true
	}
	return strings.CutPrefix(spec, alias+"/")
}

// firstOf probes the candidates in order and returns the first file, or
// Unresolved at the first candidate. ok is always true: the alias was
// recognised.
func (r *Resolver) firstOf(ctx context.Context, via Via, conf string, cands ...string) (Resolution, bool, error) {
	for _, c := range cands {
		if escapes(c) {
			continue
		}
		f, err := r.probe(ctx, c)
		if err != nil {
			return Resolution{}, true, err
		}
		if f != "" {
			return Resolution{Kind: File, Path: f, Via: via, Config: conf, Guessed: via == ViaGuess}, true, nil
		}
	}
	return Resolution{Kind: Unresolved, Path: cands[0], Via: via, Config: conf, Guessed: via == ViaGuess}, true, nil
}

// guessAlias resolves "@/x" and "~/x" when no config defines them, from
// the conventional source roots of the project (the directory of the
// nearest package.json, and of the nearest tsconfig when that differs):
// "@/" as create-next-app lays it out (src/ when present, else the root),
// "~/" as the Remix and React Router templates do (app/), "~~/" and "@@/"
// as the root.
func (r *Resolver) guessAlias(ctx context.Context, from, spec string) (Resolution, error) {
	var roots []string
	for _, names := range [][]string{{"package.json"}, configNames} {
		if p := r.nearest(dirOf(from), names...); p != "" {
			roots = append(roots, dirOf(p))
		}
	}
	if len(roots) == 0 {
		roots = []string{""}
	}
	var order []string
	rest := ""
	if i := strings.IndexByte(spec, '/'); i >= 0 {
		rest = spec[i+1:]
	}
	switch {
	case strings.HasPrefix(spec, "~~"), strings.HasPrefix(spec, "@@"):
		order = []string{""}
	case strings.HasPrefix(spec, "~"):
		order = []string{"app", "src", ""}
	default:
		order = []string{"src", "", "app"}
	}
	var cands []string
	seen := map[string]bool{}
	for _, root := range roots {
		for _, o := range order {
			c := join(root, o, rest)
			if !seen[c] {
				seen[c] = true
				cands = append(cands, c)
			}
		}
	}
	res, _, err := r.firstOf(ctx, ViaGuess, "", cands...)
	return res, err
}

// virtualModule recognises modules that frameworks and runtimes provide
// without a file: SvelteKit's $app/*, $env/*, $service-worker; Astro's
// astro:*; Vite plugins' virtual:*; runtime modules (bun:*,
// cloudflare:*).
func virtualModule(spec string) (Resolution, bool) {
	switch {
	case strings.HasPrefix(spec, "$app/"), strings.HasPrefix(spec, "$env/"), spec == "$service-worker",
		strings.HasPrefix(spec, "astro:"), strings.HasPrefix(spec, "virtual:"):
		return Resolution{Kind: Virtual, Package: spec, Via: ViaVirtual}, true
	case strings.HasPrefix(spec, "bun:"), strings.HasPrefix(spec, "cloudflare:"):
		return Resolution{Kind: Builtin, Package: spec, Via: ViaBuiltin}, true
	}
	return Resolution{}, false
}

// cdnHosts are CDNs that serve npm packages at /<name>@<version>/<subpath>
// (Deno and browser imports, e.g. Supabase Edge Functions), and Deno's
// third-party registry, which serves modules at
// deno.land/x/<name>@<version>/<path> (https://deno.land/x).
var cdnHosts = map[string]string{
	"esm.sh": "/", "cdn.skypack.dev": "/", "unpkg.com": "/", "cdn.jsdelivr.net": "/npm/", "esm.run": "/",
	"jspm.dev": "/", "ga.jspm.io": "/npm:", "deno.land": "/x/",
}

// urlSpecifier resolves npm:, jsr:, node: and URL specifiers.
func urlSpecifier(spec string) (Resolution, bool) {
	switch {
	case strings.HasPrefix(spec, "node:"):
		return Resolution{Kind: Builtin, Package: spec, Via: ViaBuiltin}, true
	case strings.HasPrefix(spec, "npm:"):
		name, sub := splitPackage(stripVersion(strings.TrimPrefix(strings.TrimPrefix(spec, "npm:"), "/")))
		return Resolution{Kind: External, Package: name, Subpath: sub, Via: ViaURL}, true
	case strings.HasPrefix(spec, "jsr:"):
		name, sub := splitPackage(stripVersion(strings.TrimPrefix(strings.TrimPrefix(spec, "jsr:"), "/")))
		return Resolution{Kind: External, Package: "jsr:" + name, Subpath: sub, Via: ViaURL}, true
	case strings.HasPrefix(spec, "https://"), strings.HasPrefix(spec, "http://"):
		u, err := url.Parse(spec)
		if err == nil {
			if prefix, ok := cdnHosts[u.Host]; ok && strings.HasPrefix(u.Path, prefix) {
				p := strings.TrimPrefix(u.Path, prefix)
				p = strings.TrimPrefix(p, "*")
				// esm.sh build prefixes: /v135/, /stable/.
				if first, rest, ok := strings.Cut(p, "/"); ok && (first == "stable" || len(first) > 1 && first[0] == 'v' && strings.Trim(first[1:], "0123456789") == "") {
					p = rest
				}
				if p != "" {
					name, sub := splitPackage(stripVersion(p))
					return Resolution{Kind: External, Package: name, Subpath: sub, Via: ViaURL}, true
				}
			}
		}
		return Resolution{Kind: External, Package: spec, Via: ViaURL}, true
	case strings.HasPrefix(spec, "data:"):
		return Resolution{Kind: External, Package: spec, Via: ViaURL}, true
	}
	return Resolution{}, false
}

// stripVersion drops the @version of a package path:
// "@clerk/backend@1.2.3/jwt" -> "@clerk/backend/jwt".
func stripVersion(p string) string {
	name, sub := splitPackage(p)
	at := strings.LastIndexByte(name, '@')
	if at > 0 {
		name = name[:at]
	}
	return name + sub
}

// nodeBuiltins are Node.js's built-in modules that can be imported without
// the node: prefix (https://nodejs.org/api/modules.html#built-in-modules;
// module.builtinModules). Subpaths such as fs/promises are listed.
var nodeBuiltins = map[string]bool{
	"assert": true, "assert/strict": true, "async_hooks": true, "buffer": true, "child_process": true,
	"cluster": true, "console": true, "constants": true, "crypto": true, "dgram": true,
	"diagnostics_channel": true, "dns": true, "dns/promises": true, "domain": true, "events": true,
	"fs": true, "fs/promises": true, "http": true, "http2": true, "https": true, "inspector": true,
	"inspector/promises": true, "module": true, "net": true, "os": true, "path": true, "path/posix": true,
	"path/win32": true, "perf_hooks": true, "process": true, "punycode": true, "querystring": true,
	"readline": true, "readline/promises": true, "repl": true, "stream": true, "stream/consumers": true,
	"stream/promises": true, "stream/web": true, "string_decoder": true, "sys": true, "timers": true,
	"timers/promises": true, "tls": true, "trace_events": true, "tty": true, "url": true, "util": true,
	"util/types": true, "v8": true, "vm": true, "wasi": true, "worker_threads": true, "zlib": true,
}

func isBuiltin(spec string) bool { return strings.HasPrefix(spec, "node:") || nodeBuiltins[spec] }
