package knowledge

import "strings"

// EnvironmentObject is an expression that evaluates to the whole process
// environment: every configured setting, secrets included.
type EnvironmentObject struct {
	// Expr is the expression's dotted name; for Call the callee's.
	Expr    string
	Call    bool
	Runtime string
	Source  string
}

var environmentObjects = []EnvironmentObject{
	{Expr: "process.env", Runtime: "Node.js",
		Source: "https://nodejs.org/api/process.html#processenv (an object containing the user environment)"},
	{Expr: "Deno.env.toObject", Call: true, Runtime: "Deno",
		Source: "https://docs.deno.com/api/deno/~/Deno.Env#method_toObject_0 (returns a snapshot of the environment variables as key-value pairs)"},
	{Expr: "Bun.env", Runtime: "Bun",
		Source: "https://bun.sh/docs/runtime/env (Bun.env is an alias of process.env)"},
}

// WholeEnvironment reports whether the dotted name of an expression (call
// says it is a call's callee) is the whole process environment.
func WholeEnvironment(name string, call bool) bool {
	for _, e := range environmentObjects {
		if e.Expr == name && e.Call == call {
			return true
		}
	}
	return false
}

// PublicSetting names a kind of setting whose value is public by design:
// the service that issues it documents it as safe to ship to every
// browser, so sending it to a caller leaks nothing.
type PublicSetting struct {
	// Marker is the upper-case part of the setting's name that says what
	// it holds.
	Marker string
	What   string
	Source string
}

var publicSettings = []PublicSetting{
	{Marker: "PUBLISHABLE_KEY", What: "a publishable key (Clerk's, Stripe's): identifies the instance or account to client-side code",
		Source: "https://clerk.com/docs/guides/development/clerk-environment-variables (the Publishable Key is used in client-side code); " +
			"https://docs.stripe.com/keys (publishable keys can be publicly accessible in client-side code)"},
}

// IsPublicSetting reports whether a setting's name says its value is public
// by design (CLERK_PUBLISHABLE_KEY, STRIPE_PUBLISHABLE_KEY).
func IsPublicSetting(name string) bool {
	for _, p := range publicSettings {
		if strings.Contains(name, p.Marker) {
			return true
		}
	}
	return false
}

// environmentImports are module exports that are the runtime's whole
// environment: every binding and secret the deployment configures.
var environmentImports = []struct{ Module, Export, Source string }{
	{"cloudflare:workers", "env", "https://developers.cloudflare.com/workers/runtime-apis/bindings/#importing-env-as-a-global (import { env } from \"cloudflare:workers\")"},
}

// EnvironmentImport reports whether the export of module is the
// runtime's whole environment (Cloudflare Workers' env).
func EnvironmentImport(module, export string) bool {
	for _, e := range environmentImports {
		if e.Module == module && e.Export == export {
			return true
		}
	}
	return false
}
