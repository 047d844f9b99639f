package project

import (
	"context"
	"path"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/clerkguard/clerkguard/rules/boundedre"
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

func (k RouteKind) String() string {
	switch k {
	case RouteHandler:
		return "route handler"
	case Page:
		return "page"
	case Layout:
		return "layout"
	case Template:
		return "template"
	case PagesAPI:
		return "API route"
	case PagesPage:
		return "page"
	}
	return "route"
}

// Route is one Next.js route file and the URL path it serves, in Next.js
// notation: "/api/users/[id]", "/docs/[...slug]", "/[[...opt]]".
type Route struct {
	File string
	Path string
	Kind RouteKind
	App  *NextApp
}

// Probe returns a concrete URL path that reaches the route, with every
// dynamic segment replaced by a sample value: "/api/users/[id]" probes
// "/api/users/x".
func (r *Route) Probe() string { return ProbePath(r.Path, "x") }

// ProbePath substitutes sample for each dynamic segment of a Next.js route
// path. An optional catch-all also gets the sample, so the probe reaches
// the nested form of the route.
func ProbePath(routePath, sample string) string {
	segs := strings.Split(routePath, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			segs[i] = sample
		}
	}
	return strings.Join(segs, "/")
}

// Dynamic reports whether the route's last segment is dynamic.
func (r *Route) Dynamic() bool {
	return strings.HasSuffix(r.Path, "]")
}

// NextApp is one Next.js application.
type NextApp struct {
	Root        string // directory holding the app's package.json ("" for the repo root)
	AppDir      string // "app" or "src/app" relative to the repo ("" when absent)
	PagesDir    string // "pages" or "src/pages" ("" when absent)
	NextVersion *semver.Version
	Middleware  *Middleware // nil when the app has no middleware/proxy file
	Routes      []*Route

	// SrcDir is set when the app's app/ or pages/ directory lives in src/.
	SrcDir bool
	// MiddlewareFiles lists every middleware.* / proxy.* file found at the
	// app root, in src/, or inside the app/pages directories, whether
	// Next.js picks it up or not.
	MiddlewareFiles []*MiddlewareFile
	// Clerk is set when the app's package declares @clerk/nextjs.
	Clerk bool
}

// MiddlewareFile is one candidate middleware or proxy file.
type MiddlewareFile struct {
	File string
	Kind string // "middleware" or "proxy"
	// Used is set for the file Next.js runs.
	Used bool
	// Problem says why Next.js does not run it (or warns about it); ""
	// for a file that runs without warning.
	Problem MiddlewareProblem
}

// MiddlewareProblem classifies a middleware file Next.js ignores or
// deprecates.
type MiddlewareProblem int

// Middleware file problems.
const (
	MiddlewareOK          MiddlewareProblem = iota
	MiddlewareMisplaced                     // not beside the app/pages directory Next.js uses
	MiddlewareProxyTooOld                   // proxy.* on Next.js <= 15, which only knows middleware.*
	MiddlewareDeprecated                    // middleware.* on Next.js >= 16 (works, deprecated)
	MiddlewareBoth                          // middleware.* and proxy.* side by side
)

// NextMajor returns the app's Next.js major version, or 0 when unknown.
func (a *NextApp) NextMajor() uint64 {
	if a == nil || a.NextVersion == nil {
		return 0
	}
	return a.NextVersion.Major()
}

// ExpectedMiddlewareDir is the directory Next.js reads the middleware or
// proxy file from: beside the app/pages directory it uses.
func (a *NextApp) ExpectedMiddlewareDir() string {
	if a.SrcDir {
		return joinDir(a.Root, "src")
	}
	return a.Root
}

// ExpectedMiddlewareName is the file name this app's Next.js version
// expects ("proxy.ts" on 16+, "middleware.ts" before, "middleware.ts"
// when the version is unknown).
func (a *NextApp) ExpectedMiddlewareName() string {
	if a.NextMajor() >= 16 {
		return "proxy"
	}
	return "middleware"
}

// MiddlewareRunsOn reports whether the app's middleware (or proxy) runs
// on a request for urlPath, per its config.matcher. With no middleware it
// is NoMatch; without a matcher (or with one Next.js ignores) it is Match;
// Unknown when a matcher entry could not be evaluated.
func (a *NextApp) MiddlewareRunsOn(urlPath string) boundedre.Verdict {
	if a == nil || a.Middleware == nil {
		return boundedre.NoMatch
	}
	return a.Middleware.RunsOn(urlPath)
}

// MiddlewareRuns reports whether the app's middleware certainly runs on
// urlPath (see MiddlewareRunsOn).
func (a *NextApp) MiddlewareRuns(urlPath string) bool {
	return a.MiddlewareRunsOn(urlPath) == boundedre.Match
}

// MiddlewareProtects reports whether a signed-out request for urlPath is
// stopped by the app's Clerk middleware: the middleware runs on the path
// and its handler protects it (authMiddleware protects every route that is
// not public or ignored; clerkMiddleware protects only what its handler
// passes to auth.protect() or redirectToSignIn()).
func (a *NextApp) MiddlewareProtects(urlPath string) bool {
	return a.Protection(urlPath) == Protected
}

// Protection is what middleware does for a signed-out request.
type Protection int

// Protection outcomes.
const (
	NotRun      Protection = iota // middleware does not run on the path (or there is none)
	Unprotected                   // it runs and lets signed-out requests through
	Protected                     // it runs and stops signed-out requests
	Unknown                       // it runs a handler the model cannot evaluate, or a pattern could not be evaluated
)

func (p Protection) String() string {
	switch p {
	case NotRun:
		return "not run"
	case Unprotected:
		return "unprotected"
	case Protected:
		return "protected"
	}
	return "unknown"
}

// Protection evaluates the middleware for a signed-out request to urlPath.
func (a *NextApp) Protection(urlPath string) Protection {
	switch a.MiddlewareRunsOn(urlPath) {
	case boundedre.NoMatch:
		return NotRun
	case boundedre.Unknown:
		return Unknown
	}
	mw := a.Middleware
	if !mw.Clerk {
		if mw.Opaque {
			return Unknown
		}
		return Unprotected
	}
	return mw.Protects(urlPath)
}

// AppFor returns the Next.js app that contains the file at p, or nil.
func (m *Model) AppFor(p string) *NextApp {
	var best *NextApp
	for _, a := range m.Next {
		if a.Root == "" || p == a.Root || strings.HasPrefix(p, a.Root+"/") {
			if best == nil || len(a.Root) > len(best.Root) {
				best = a
			}
		}
	}
	return best
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

func joinDir(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "/" + b
}

// middlewareExts are the extensions Next.js accepts for middleware/proxy
// (its default pageExtensions, plus .mjs which some setups add).
var middlewareExts = []string{".ts", ".tsx", ".js", ".jsx", ".mjs"}

func (m *Model) buildNext(ctx context.Context, fs Files) error {
	// Directories that exist, for app/ and pages/ detection.
	dirs := map[string]bool{}
	roots := map[string]bool{}
	for _, p := range fs.Paths() {
		for d := dirOf(p); d != ""; d = dirOf(d) {
			if dirs[d] {
				break
			}
			dirs[d] = true
		}
		if b := path.Base(p); strings.HasPrefix(b, "next.config.") && !strings.Contains(p, "node_modules/") {
			roots[dirOf(p)] = true
		}
	}
	for _, pk := range m.Packages {
		if _, ok := pk.Deps["next"]; ok && !strings.Contains(pk.Dir, "node_modules") {
			roots[pk.Dir] = true
		}
	}
	var rootList []string
	for r := range roots {
		rootList = append(rootList, r)
	}
	sort.Strings(rootList)
	for _, root := range rootList {
		a := &NextApp{Root: root}
		if v, ok := m.Version(joinDir(root, "package.json"), "next"); ok {
			a.NextVersion = v
		}
		a.Clerk = m.DependsOn(joinDir(root, "package.json"), "@clerk/nextjs")
		// Next.js ignores src/app and src/pages when app/ or pages/ exist
		// at the root.
		if dirs[joinDir(root, "app")] || dirs[joinDir(root, "pages")] {
			if dirs[joinDir(root, "app")] {
				a.AppDir = joinDir(root, "app")
			}
			if dirs[joinDir(root, "pages")] {
				a.PagesDir = joinDir(root, "pages")
			}
		} else {
			if dirs[joinDir(root, "src/app")] {
				a.AppDir, a.SrcDir = joinDir(root, "src/app"), true
			}
			if dirs[joinDir(root, "src/pages")] {
				a.PagesDir, a.SrcDir = joinDir(root, "src/pages"), true
			}
		}
		m.Next = append(m.Next, a)
	}
	// Nested apps own their subtrees: a file belongs to the deepest root.
	for _, a := range m.Next {
		a.findMiddlewareFiles(m)
		if err := a.parseMiddleware(ctx, m, fs); err != nil {
			return err
		}
	}
	for _, p := range fs.Paths() {
		a := m.AppFor(p)
		if a == nil {
			continue
		}
		if r := a.routeOf(p); r != nil {
			a.Routes = append(a.Routes, r)
		}
	}
	return nil
}

// findMiddlewareFiles lists candidate middleware/proxy files and decides
// which one Next.js runs.
func (a *NextApp) findMiddlewareFiles(m *Model) {
	candDirs := []string{a.Root, joinDir(a.Root, "src")}
	if a.AppDir != "" {
		candDirs = append(candDirs, a.AppDir)
	}
	if a.PagesDir != "" {
		candDirs = append(candDirs, a.PagesDir)
	}
	expected := a.ExpectedMiddlewareDir()
	var here []*MiddlewareFile
	for _, d := range candDirs {
		for _, kind := range []string{"middleware", "proxy"} {
			for _, ext := range middlewareExts {
				p := joinDir(d, kind+ext)
				if !m.Has(p) {
					continue
				}
				mf := &MiddlewareFile{File: p, Kind: kind}
				if d != expected {
					mf.Problem = MiddlewareMisplaced
				} else {
					here = append(here, mf)
				}
				a.MiddlewareFiles = append(a.MiddlewareFiles, mf)
			}
		}
	}
	major := a.NextMajor()
	var mwFile, proxyFile *MiddlewareFile
	for _, mf := range here {
		if mf.Kind == "proxy" && proxyFile == nil {
			proxyFile = mf
		}
		if mf.Kind == "middleware" && mwFile == nil {
			mwFile = mf
		}
	}
	switch {
	case mwFile != nil && proxyFile != nil:
		// Next.js 16 refuses to build with both; before 16 only
		// middleware runs.
		if major >= 16 || major == 0 {
			mwFile.Problem = MiddlewareBoth
			proxyFile.Used = true
		} else {
			proxyFile.Problem = MiddlewareBoth
			mwFile.Used = true
		}
	case proxyFile != nil:
		if major != 0 && major < 16 {
			proxyFile.Problem = MiddlewareProxyTooOld
		} else {
			proxyFile.Used = true
		}
	case mwFile != nil:
		mwFile.Used = true
		if major >= 16 {
			mwFile.Problem = MiddlewareDeprecated
		}
	}
}

// routeOf computes the route served by the file at p, or nil.
func (a *NextApp) routeOf(p string) *Route {
	if isTestPath(p) {
		return nil
	}
	ext := path.Ext(p)
	switch ext {
	case ".ts", ".tsx", ".js", ".jsx", ".mdx", ".mjs":
	default:
		return nil
	}
	if strings.HasSuffix(p, ".d.ts") {
		return nil
	}
	base := strings.TrimSuffix(path.Base(p), ext)
	if a.AppDir != "" && strings.HasPrefix(p, a.AppDir+"/") {
		var kind RouteKind
		switch base {
		case "route":
			kind = RouteHandler
		case "page":
			kind = Page
		case "layout":
			kind = Layout
		case "template", "default":
			kind = Template
		default:
			return nil
		}
		if ext == ".mdx" && kind != Page {
			return nil
		}
		rel := strings.TrimPrefix(dirOf(p), a.AppDir)
		rp, ok := appRoutePath(rel)
		if !ok {
			return nil
		}
		return &Route{File: p, Path: rp, Kind: kind, App: a}
	}
	if a.PagesDir != "" && strings.HasPrefix(p, a.PagesDir+"/") {
		rel := strings.TrimPrefix(strings.TrimSuffix(p, ext), a.PagesDir)
		segs := strings.Split(strings.Trim(rel, "/"), "/")
		if len(segs) == 1 && strings.HasPrefix(segs[0], "_") {
			return nil // _app, _document, _error, _middleware
		}
		if segs[len(segs)-1] == "index" {
			segs = segs[:len(segs)-1]
		}
		kind := PagesPage
		if len(segs) > 0 && segs[0] == "api" {
			kind = PagesAPI
		}
		if ext == ".mdx" && kind == PagesAPI {
			return nil
		}
		return &Route{File: p, Path: "/" + strings.Join(segs, "/"), Kind: kind, App: a}
	}
	return nil
}

// isTestPath reports test files and folders, which Next.js routes would
// include but no deployment serves.
func isTestPath(p string) bool {
	b := path.Base(p)
	return strings.Contains(p, "/__tests__/") || strings.Contains(p, "node_modules/") ||
		strings.Contains(b, ".test.") || strings.Contains(b, ".spec.") || strings.Contains(b, ".stories.")
}

// appRoutePath converts an App Router directory (relative to app/, with a
// leading slash or empty) into its URL path. Route groups and parallel
// route slots vanish, intercepting routes resolve to the path they
// intercept, and private folders (`_x`) hold no routes.
func appRoutePath(rel string) (string, bool) {
	var out []string
	for _, seg := range strings.Split(strings.Trim(rel, "/"), "/") {
		switch {
		case seg == "":
			continue
		case strings.HasPrefix(seg, "_"):
			return "", false // private folder
		case strings.HasPrefix(seg, "@"):
			continue // parallel route slot
		case strings.HasPrefix(seg, "(...)"):
			out = out[:0]
			out = append(out, strings.TrimPrefix(seg, "(...)"))
		case strings.HasPrefix(seg, "(..)"):
			rest := seg
			for strings.HasPrefix(rest, "(..)") {
				rest = strings.TrimPrefix(rest, "(..)")
				if len(out) > 0 {
					out = out[:len(out)-1]
				}
			}
			out = append(out, rest)
		case strings.HasPrefix(seg, "(.)"):
			out = append(out, strings.TrimPrefix(seg, "(.)"))
		case strings.HasPrefix(seg, "(") && strings.HasSuffix(seg, ")"):
			continue // route group
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/"), true
}

// GateProtects reports whether the app's Clerk middleware handler would
// stop a signed-out request to urlPath if it ran there, whatever the
// matcher says. It tells a route that the matcher lets slip past an
// intended gate (`/reports/q3.csv`) from one nobody meant to protect.
func (a *NextApp) GateProtects(urlPath string) bool {
	if a == nil || a.Middleware == nil || !a.Middleware.Clerk || a.Middleware.Opaque {
		return false
	}
	return a.Middleware.protects(urlPath) == triTrue
}
