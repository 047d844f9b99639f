package model

import (
	"context"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// AstroUnattached is an Astro app that registers the @clerk/astro
// integration in its astro.config but whose middleware never runs
// clerkMiddleware(): the integration only adds the components and the
// env schema, and locals.auth() / locals.currentUser() exist only once
// clerkMiddleware() runs (https://clerk.com/docs/reference/astro/clerk-middleware,
// https://clerk.com/docs/quickstarts/astro: "add clerkMiddleware() to
// src/middleware.ts").
type AstroUnattached struct {
	// Integration is the clerk() call in the config's integrations.
	Integration Location
	// Middleware is the app's middleware file, "" when it has none.
	Middleware string
	// Entries are the app's request-time pages, endpoints and actions
	// (prerendered pages are not: no request reaches their code).
	Entries []*Entry
}

// AstroClerkUnattached lists the Astro apps whose config registers the
// @clerk/astro integration while their middleware (src/middleware.*)
// is missing or does not run clerkMiddleware(). An app whose config or
// middleware could not be read or evaluated is left out: unknown, not
// missing.
func (m *Model) AstroClerkUnattached(ctx context.Context) ([]AstroUnattached, error) {
	all, err := m.astroAll(ctx)
	if err != nil {
		return nil, err
	}
	var out []AstroUnattached
	for _, pk := range m.proj.Packages {
		if !isAstroApp(pk) {
			continue
		}
		cfg := m.firstFile(pk.Dir, "astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts", "astro.config.cjs")
		if cfg == "" {
			continue
		}
		f, err := m.parse(ctx, cfg)
		if err != nil {
			continue
		}
		integ, ok := m.clerkIntegration(ctx, f)
		if !ok {
			continue
		}
		chain := m.astroMiddleware(ctx, pk)
		attached := false
		for _, l := range chain {
			if l.clerk != nil || l.delegates || l.Gate == GateUnknown {
				attached = true // runs clerkMiddleware(), or may
			}
		}
		if attached {
			continue
		}
		u := AstroUnattached{Integration: integ}
		if len(chain) > 0 {
			u.Middleware = chain[0].File
		}
		pages := path.Join(pk.Dir, "src") + "/"
		for _, e := range all {
			if !e.prerendered && strings.HasPrefix(e.File, pages) {
				u.Entries = append(u.Entries, e)
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// clerkIntegration finds the call of @clerk/astro's default export (the
// Astro integration) in an astro.config file.
func (m *Model) clerkIntegration(ctx context.Context, f *jsast.File) (Location, bool) {
	for _, call := range jsast.Find(f.Root, "call_expression") {
		callee := jsast.Unwrap(call.ChildByField("function"))
		if callee == nil || callee.Type != "identifier" {
			continue
		}
		if exp, pkg := m.clerkExportOf(ctx, f, f.Text(callee)); exp == "default" && pkg == "@clerk/astro" {
			return Location{File: f.Path, Line: call.Line}, true
		}
	}
	return Location{}, false
}
