package model

import "github.com/clerkguard/clerkguard/rules/project"

// PathMiddleware returns the middleware whose handler decides this
// layer's gate by matching the URL path (a Next.js middleware/proxy file,
// an Astro clerkMiddleware() handler or the application's own Astro
// middleware), nil when the layer is no such middleware. Its
// RouteMatchers are the createRouteMatcher() lists, and ListOf says
// whether each is a protect list (deny by exception: a path left out is
// public) or a public list (allow by exception).
func (l Layer) PathMiddleware() *project.Middleware { return l.byPath }
