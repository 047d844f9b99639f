package routes

import (
	"fmt"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP022 flags a nuxt.config that sets clerk.skipServerMiddleware in an
// app where no server middleware registers clerkMiddleware() instead
// (the model's NuxtClerk answer): event.context.auth is never set.
var RP022 = &rules.Rule{
	ID:         "CLK-RP-022",
	Name:       "nuxt-server-middleware-skipped",
	Pack:       rules.PackRoutes,
	Severity:   rules.Medium,
	Confidence: rules.HighConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		return strings.HasPrefix(path.Base(f.Path), "nuxt.config.")
	},
	Keywords: []string{"skipServerMiddleware"},
	Doc: rules.Doc{
		Title: "Nuxt skipServerMiddleware without a clerkMiddleware() of its own",
		Text: "`@clerk/nuxt` registers `clerkMiddleware()` for every server request; it is what sets `event.context.auth`. " +
			"`clerk: { skipServerMiddleware: true }` in `nuxt.config` turns that off so the application can register the " +
			"middleware itself, in a `server/middleware/` file that exports `clerkMiddleware()` (to run it with its own " +
			"options or path conditions). When no server middleware does, `event.context.auth` is never set: every server " +
			"route that reads it has no identity for any caller (`event.context.auth()` throws, an optional call gives a " +
			"signed-out caller), so a route's check either rejects everyone or, when it only tests for presence, fails in a " +
			"way the author never tested, and the application usually ends up without server-side checks at all.\n\n" +
			"Not reported: `skipServerMiddleware: true` with a server middleware that calls `clerkMiddleware()` (the documented " +
			"pattern), and configurations the model could not read.",
		Bad: "// nuxt.config.ts\nexport default defineNuxtConfig({\n  modules: ['@clerk/nuxt'],\n  clerk: { skipServerMiddleware: true },\n})",
		Good: "// nuxt.config.ts: remove skipServerMiddleware, or register the middleware yourself:\n" +
			"// server/middleware/clerk.ts\nimport { clerkMiddleware } from '@clerk/nuxt/server'\nexport default clerkMiddleware()",
		References: []string{
			"https://clerk.com/docs/reference/nuxt/clerk-middleware",
			"https://nuxt.com/docs/guide/directory-structure/server#server-middleware",
		},
	},
	Fix: func(p *project.Model, file string) string {
		if !p.DependsOn(file, "@clerk/nuxt") {
			return "Remove skipServerMiddleware from the clerk options of nuxt.config so the @clerk/nuxt module registers its server " +
				"middleware, or register that middleware yourself in server/middleware/clerk.ts."
		}
		return "Remove `skipServerMiddleware: true` so `@clerk/nuxt` registers `clerkMiddleware()` for you, or register it yourself in " +
			"`server/middleware/clerk.ts`: `export default clerkMiddleware()` (from `@clerk/nuxt/server`). Then check the caller in " +
			"each server route: " + nuxtGuardSnippet(p, file) + "."
	},
	Run: runRP022,
}

func runRP022(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	apps, err := pass.Model.NuxtClerk(pass.Ctx)
	if err != nil {
		return fmt.Errorf("CLK-RP-022: %w", err)
	}
	for _, a := range apps {
		if a.Config.File != pass.File.Path {
			continue
		}
		if runs, known := a.Runs(); runs || !known {
			continue
		}
		readers, related := identityReaders(pass, a.Root)
		msg := "`skipServerMiddleware: true` turns off the `clerkMiddleware()` that `@clerk/nuxt` registers, and no server middleware " +
			"registers it instead: `event.context.auth` is never set, so no server route can tell who is calling"
		if len(readers) > 0 {
			msg += fmt.Sprintf(" (%s read%s it and get%s no identity for any caller)", strings.Join(readers, ", "), plural(len(readers), "s", ""), plural(len(readers), "s", ""))
		}
		pass.Report(rules.Diagnostic{Line: a.Config.Line, Message: msg, Related: related})
	}
	return nil
}

// maxReaders bounds the server routes a finding names.
const maxReaders = 3

// identityReaders returns the Nuxt server routes of the app at root that
// read the identity (the model's Inputs), named by method and path, and
// their places.
func identityReaders(pass *rules.Pass, root string) ([]string, []rules.Location) {
	es, _ := pass.Model.Entries(pass.Ctx)
	var names []string
	var locs []rules.Location
	n := 0
	for _, e := range es {
		if e.Kind != model.ServerRoute || !strings.HasPrefix(e.File, root) {
			continue
		}
		for _, in := range pass.Model.Inputs(pass.Ctx, e) {
			if in.Source != model.FromIdentity {
				continue
			}
			n++
			if len(names) < maxReaders {
				names = append(names, "`"+strings.Join(e.Methods, ",")+" "+e.Path+"`")
				locs = append(locs, rules.Location{Path: e.File, Line: e.Line})
			}
			break
		}
	}
	if n > len(names) {
		names = append(names, fmt.Sprintf("%d more", n-len(names)))
	}
	return names, locs
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
