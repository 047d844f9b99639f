package knowledge

import "strings"

// PublicConfig is a key of a framework's configuration whose values the
// framework sends to every browser.
type PublicConfig struct {
	Framework Framework
	// File names the configuration file by its base name without
	// extension ("nuxt.config").
	File string
	// Package is the module that copies the key into the public
	// configuration ("" for the framework itself).
	Package string
	// Key is the dotted path of the key in the configuration object.
	Key string
	// Why says how its values reach the browser.
	Why    string
	Source string
}

// publicConfig lists the configuration keys that are client-visible.
//
// Replaces: the key walk of rules/secrets/sec007_nuxt_public.go.
var publicConfig = []PublicConfig{
	{Framework: Nuxt, File: "nuxt.config", Key: "runtimeConfig.public",
		Why:    "Nuxt serializes runtimeConfig.public into every page",
		Source: "https://nuxt.com/docs/guide/going-further/runtime-config (\"public\" keys are available client-side)"},
	{Framework: Nuxt, File: "nuxt.config", Package: "@clerk/nuxt", Key: "clerk",
		Why:    "@clerk/nuxt copies its module options into runtimeConfig.public.clerk",
		Source: "clerk/javascript packages/nuxt/src/module.ts (updateRuntimeConfig({ public: { clerk: { ...options } } }))"},
}

// PublicConfigIn returns the client-visible keys of a configuration file,
// named by its base name without extension ("nuxt.config").
func PublicConfigIn(file string) []PublicConfig {
	var out []PublicConfig
	for _, c := range publicConfig {
		if c.File == file {
			out = append(out, c)
		}
	}
	return out
}

// ModuleConvention is a way a module says it never runs in the browser.
type ModuleConvention struct {
	// Import is a module whose import makes the importer server-only.
	Import string
	// Suffix is a file-name suffix before the extension (".server") that
	// keeps the module, or a directory of that name, out of client bundles.
	Suffix string
	Why    string
	Source string
}

// serverOnly lists the server-only conventions of the bundlers.
var serverOnly = []ModuleConvention{
	{Import: "server-only", Why: "imports server-only, which fails the build when a client module imports it",
		Source: "https://nextjs.org/docs/app/getting-started/server-and-client-components#preventing-environment-poisoning"},
	{Suffix: ".server", Why: "a .server module, kept out of the client bundle",
		Source: "https://reactrouter.com/api/framework-conventions/server-modules; https://remix.run/docs/en/main/file-conventions/-server"},
}

// ServerOnlyImport says why importing spec makes a module server-only.
func ServerOnlyImport(spec string) (string, bool) {
	for _, c := range serverOnly {
		if c.Import != "" && c.Import == spec {
			return c.Why, true
		}
	}
	return "", false
}

// ServerOnlyPath says why the module at p (slash-separated) never runs in
// the browser by its name: file.server.ts, or a file under a .server
// directory.
func ServerOnlyPath(p string) (string, bool) {
	for _, c := range serverOnly {
		if c.Suffix == "" {
			continue
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == c.Suffix || strings.HasSuffix(seg, c.Suffix) || strings.Contains(seg, c.Suffix+".") {
				return c.Why, true
			}
		}
	}
	return "", false
}
