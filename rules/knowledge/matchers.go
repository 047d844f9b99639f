package knowledge

// DefaultMatcher is one era of the config.matcher Clerk documents for
// its Next.js middleware.
type DefaultMatcher struct {
	Era string
	// Patterns are the matcher entries, in Next.js path-to-regexp
	// syntax.
	Patterns []string
	Source   string
}

// defaultMatchers are the config.matcher values Clerk's docs and SDK
// shipped, newest first. A path every era runs the middleware on is one
// Clerk expects its middleware to see.
var defaultMatchers = []DefaultMatcher{
	{
		Era: "clerkMiddleware (Core 2 onwards)",
		Patterns: []string{
			`/((?!_next|[^?]*\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)`,
			`/(api|trpc)(.*)`,
		},
		Source: "https://clerk.com/docs/reference/nextjs/clerk-middleware",
	},
	{
		Era:      "authMiddleware, after clerk/javascript#1695",
		Patterns: []string{`/((?!.+\.[\w]+$|_next).*)`, `/`, `/(api|trpc)(.*)`},
		Source:   "https://github.com/clerk/javascript/pull/1695 (packages/nextjs/src/server/authMiddleware.ts)",
	},
	{
		Era:      "authMiddleware, before clerk/javascript#1695",
		Patterns: []string{`/((?!.*\..*|_next).*)`, `/`, `/(api|trpc)(.*)`},
		Source:   "https://github.com/clerk/javascript/pull/1695 (packages/nextjs/src/server/authMiddleware.ts, the matcher it replaced)",
	},
}

// DefaultMatchers returns Clerk's documented config.matcher values of
// every era, newest first.
func DefaultMatchers() []DefaultMatcher { return defaultMatchers }
