package project

import "testing"

func FuzzMatcher(f *testing.F) {
	for _, s := range []string{
		`/((?!_next|[^?]*\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)`,
		`/(api|trpc)(.*)`, `/__clerk/(.*)`, `/dashboard/:path*`, `/:a+/:b?`, `/((?!api|_next/static|_next/image|favicon.ico).*)`,
		`/(`, `:`, `/a(b`, `/a/:p(\d+)`,
	} {
		f.Add(s, "/api/x")
	}
	f.Fuzz(func(t *testing.T, source, path string) {
		// Compiling and matching arbitrary input must never panic or hang
		// (matching has a timeout).
		if p := CompileNextMatcher(source, 1); p != nil {
			p.Match(path)
		}
		if p := CompileRoutePattern(source, 1); p != nil {
			p.Match(path)
		}
	})
}
