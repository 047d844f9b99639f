package knowledge

// VerifyOptionsCall is a Clerk function that takes the options deciding
// how a request's token is verified (authorizedParties, acceptsToken,
// clockSkewInMs, treatPendingAsSignedOut) and where it takes them.
type VerifyOptionsCall struct {
	Name string
	// Arg is the index of the options argument; -1: any object argument
	// (clerkMiddleware(handler?, options?)).
	Arg    int
	Source string
}

// verifyOptionsCalls lists them.
//
// Replaces: rules/routes/rp018_weak_verify_options.go rp018OptionCalls.
var verifyOptionsCalls = []VerifyOptionsCall{
	{Name: "authenticateRequest", Arg: 1, Source: "https://clerk.com/docs/reference/backend/authenticate-request (authenticateRequest(request, options))"},
	{Name: "verifyToken", Arg: 1, Source: "https://clerk.com/docs/reference/backend/verify-token (verifyToken(token, options))"},
	{Name: "clerkMiddleware", Arg: -1, Source: "https://clerk.com/docs/reference/nextjs/clerk-middleware (clerkMiddleware(handler?, options?), options also as a function of the request)"},
	{Name: "clerkPlugin", Arg: 0, Source: "https://clerk.com/docs/reference/fastify/clerk-plugin (fastify.register(clerkPlugin, options))"},
	{Name: "auth", Arg: 0, Source: "https://clerk.com/docs/reference/nextjs/app-router/auth (auth({ acceptsToken, treatPendingAsSignedOut }))"},
	{Name: "getAuth", Arg: 1, Source: "https://clerk.com/docs/reference/express/get-auth (getAuth(req, { acceptsToken }))"},
	{Name: "requireAuth", Arg: 0, Source: "https://clerk.com/docs/reference/express/require-auth (requireAuth(options))"},
	{Name: "protect", Arg: 0, Source: "https://clerk.com/docs/reference/nextjs/app-router/auth#auth-protect (auth.protect(params))"},
	{Name: "withClerkMiddleware", Arg: 0, Source: "clerk/javascript packages/fastify (v0 withClerkMiddleware(options), replaced by clerkPlugin)"},
	{Name: "createClerkClient", Arg: 0, Source: "https://clerk.com/docs/reference/backend/overview (createClerkClient(options): the client's defaults for authenticateRequest)"},
}

// VerifyOptionsArg returns where a Clerk function named name takes its
// token-verification options.
func VerifyOptionsArg(name string) (int, bool) {
	for _, c := range verifyOptionsCalls {
		if c.Name == name {
			return c.Arg, true
		}
	}
	return 0, false
}

// machineTokenTypes are the acceptsToken values that accept machine
// tokens (no user behind them), and "any".
//
// Replaces: rules/routes/rp018_weak_verify_options.go rp018MachineTokens.
var machineTokenTypes = []struct{ Type, Source string }{
	{"api_key", "https://clerk.com/docs/reference/nextjs/app-router/auth (acceptsToken: 'api_key')"},
	{"m2m_token", "https://clerk.com/docs/reference/nextjs/app-router/auth (acceptsToken: 'm2m_token')"},
	{"oauth_token", "https://clerk.com/docs/reference/nextjs/app-router/auth (acceptsToken: 'oauth_token')"},
	{"machine_token", "https://clerk.com/docs/reference/react-router/get-auth (acceptsToken: 'machine_token', the earlier name)"},
	{"any", "https://clerk.com/docs/reference/nextjs/app-router/auth (acceptsToken: 'any' accepts every token type)"},
}

// MachineTokenType reports whether an acceptsToken value accepts machine
// tokens.
func MachineTokenType(t string) bool {
	for _, m := range machineTokenTypes {
		if m.Type == t {
			return true
		}
	}
	return false
}
