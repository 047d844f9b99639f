package knowledge

// settingsModule is a framework's module whose named exports are the
// server's configured settings (environment variables read on the
// server): a handler that imports one holds a value the caller does not
// know, as with process.env.X.
type settingsModule struct {
	Module string
	Source string
}

var settingsModules = []settingsModule{
	{"astro:env/server", "https://docs.astro.build/en/guides/environment-variables/#type-safe-environment-variables " +
		"(variables with context: 'server' are imported from astro:env/server; secret ones are not in the client bundle)"},
	{"$env/static/private", "https://svelte.dev/docs/kit/$env-static-private (environment variables loaded at build time, " +
		"which cannot be imported into client-side code)"},
}

// ServerSettingsModule reports whether a module's named exports are the
// server's configured settings (astro:env/server, SvelteKit's
// $env/static/private).
func ServerSettingsModule(module string) bool {
	for _, s := range settingsModules {
		if s.Module == module {
			return true
		}
	}
	return false
}
