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
