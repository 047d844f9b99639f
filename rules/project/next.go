package project

import (
	"context"

	"github.com/Masterminds/semver/v3"
)

// RouteKind is the kind of a Next.js route file.
type RouteKind int

// Route kinds.
const (
	RouteHandler RouteKind = iota + 1 // app/**/route.ts
	Page                              // app/**/page.tsx
	Layout                            // app/**/layout.tsx
	Template                          // app/**/template.tsx, default.tsx
	PagesAPI                          // pages/api/**
	PagesPage                         // pages/** (not api, not _app/_document)
)

// Route is one Next.js route file and the URL path it serves, in Next.js
// notation: "/api/users/[id]", "/docs/[...slug]", "/[[...opt]]".
type Route struct {
	File string
	Path string
	Kind RouteKind
	App  *NextApp
}

// NextApp is one Next.js application.
type NextApp struct {
	Root        string // directory holding the app's package.json ("" for the repo root)
	AppDir      string // "app" or "src/app" relative to the repo ("" when absent)
	PagesDir    string // "pages" or "src/pages" ("" when absent)
	NextVersion *semver.Version
	Middleware  *Middleware // nil when the app has no middleware/proxy file
	Routes      []*Route
}

// Middleware is the Next.js middleware or proxy file of an app.
type Middleware struct {
	File string
	Kind string // "middleware" or "proxy"
	// Clerk is set when the file exports clerkMiddleware()/authMiddleware().
	Clerk  bool
	Legacy bool // authMiddleware (Core 1)
	// Matchers are config.matcher entries. nil means the middleware runs
	// on every path.
	Matchers []*Matcher
	// MatcherNonConst is set when config.matcher is not a constant, which
	// Next.js ignores.
	MatcherNonConst bool
	MatcherLine     int
}

// Matcher is one config.matcher entry.
type Matcher struct {
	Source string
	Line   int
}

// RouteOf returns the Next.js route served by the file at p, or nil.
func (m *Model) RouteOf(p string) *Route {
	for _, a := range m.Next {
		for _, r := range a.Routes {
			if r.File == p {
				return r
			}
		}
	}
	return nil
}

func (m *Model) buildNext(ctx context.Context, fs Files) error { return nil }
