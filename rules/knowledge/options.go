package knowledge

// OptionSet is the complete list of option names a Clerk helper reads from
// its options object: any other key is ignored without an error (the SDK
// spreads the object into its own options), so a misspelt key silently
// falls back to the default.
type OptionSet struct {
	Package string // the Clerk module it is imported from
	Name    string // the export
	Options []string
	Source  string
}

// rrMiddlewareOptions are the keys of @clerk/react-router's
// ClerkMiddlewareOptions: its own, VerifyTokenOptions' audience and
// authorizedParties, MultiDomainAndOrProxy and the redirect-URL props.
var rrMiddlewareOptions = []string{"publishableKey", "jwtKey", "secretKey", "machineSecretKey", "signInUrl", "signUpUrl",
	"organizationSyncOptions", "audience", "authorizedParties", "domain", "isSatellite", "proxyUrl",
	"signInForceRedirectUrl", "signInFallbackRedirectUrl", "signUpForceRedirectUrl", "signUpFallbackRedirectUrl",
	// deprecated redirect props of @clerk/react-router 1.x, still read
	"afterSignInUrl", "afterSignUpUrl"}

var optionSets = []OptionSet{
	{Package: "@clerk/react-router", Name: "clerkMiddleware", Options: rrMiddlewareOptions,
		Source: "clerk/javascript packages/react-router/src/server/types.ts (ClerkMiddlewareOptions)"},
	{Package: "@clerk/react-router", Name: "rootAuthLoader",
		Options: append(append([]string(nil), rrMiddlewareOptions...), "loadUser", "loadSession", "loadOrganization"),
		Source:  "clerk/javascript packages/react-router/src/server/types.ts (RootAuthLoaderOptions = ClerkMiddlewareOptions & { loadUser, loadSession, loadOrganization })"},
}

// OptionsOf returns the option names a helper of a Clerk package (any of
// its entry points) reads.
func OptionsOf(module, name string) (OptionSet, bool) {
	pkg := ClerkPackageOf(module)
	for _, s := range optionSets {
		if s.Package == pkg && s.Name == name {
			return s, true
		}
	}
	return OptionSet{}, false
}

// debugOptionCalls are the Clerk functions whose options object takes
// `debug`: with `debug: true` they log the request, their options and the
// Auth object on every request.
//
// Replaces: rules/hardening/hard002_debug.go clerkOptionCalls.
var debugOptionCalls = []struct{ Name, Source string }{
	{"clerkMiddleware", "https://clerk.com/docs/reference/nextjs/clerk-middleware (options: debug); clerk/javascript packages/nextjs/src/server/clerkMiddleware.ts (ClerkMiddlewareOptions.debug: \"additional debug information will be logged to the console\")"},
	{"authMiddleware", "clerk/javascript packages/nextjs/src/server/authMiddleware.ts, v4 line (AuthMiddlewareParams.debug)"},
	{"withClerkMiddleware", "clerk/javascript packages/nextjs/src/server/withClerkMiddleware.ts, v4 line (its options go to authenticateRequest with the middleware's debug logging)"},
	{"clerkPlugin", "clerk/javascript packages/fastify/src/types.ts (ClerkFastifyOptions = ClerkOptions & { hookName }: the options object is the backend's, passed to authenticateRequest)"},
}

// TakesDebugOption reports whether the Clerk function name (an export, as
// imported) reads a `debug` option.
func TakesDebugOption(name string) bool {
	for _, c := range debugOptionCalls {
		if c.Name == name {
			return true
		}
	}
	return false
}
