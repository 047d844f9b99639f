package knowledge

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
