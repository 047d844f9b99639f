package secrets

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SEC006 reports Clerk's backend SDK, svix, or a secret env var used in a
// client module: 'use client', or one the model's client boundary says
// runs in the browser (an Astro island, a module an .astro <script>
// imports).
var SEC006 = &rules.Rule{
	ID:         "CLK-SEC-006",
	Name:       "backend-sdk-in-client-module",
	Pack:       rules.PackSecrets,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  2,
	Keywords:   []string{"use client", "@clerk/", "svix", "_SECRET", "SECRET_KEY", "sk_live_", "sk_test_", "clerkClient"},
	Doc: rules.Doc{
		Title: "Clerk Backend SDK or secret used in a client module",
		References: []string{
			"clerk/javascript packages/nextjs/src/app-router/server/auth.ts",
		},
		Text: "Code in a `'use client'` module is shipped to the browser, and so is an Astro island (a component rendered with a " +
			"`client:*` directive) and any module an `.astro` `<script>` imports; the app code of an Expo / React Native app (its screens, every module but `+api` routes) ships in the app bundle. `createClerkClient` from `@clerk/backend` and `clerkClient` from " +
			"`@clerk/*/server` need the Secret Key; in a client module they either get it through a public variable (a leak) or fail at " +
			"runtime. `auth()`/`currentUser()` already import `server-only` and break the build, but `clerkClient`/`createClerkClient` do not, " +
			"so nothing stops this mistake before deployment. The same holds for `svix` (webhook verification needs the signing secret) and " +
			"for reading a secret env var.\n\nType-only imports (`import type { WebhookEvent } from '@clerk/nextjs/server'`), and imports a TypeScript module never uses " +
			"as a value, are erased by the compiler and not reported.",
		Bad:  "'use client'\nimport { createClerkClient } from '@clerk/backend'\nconst clerk = createClerkClient({ secretKey: process.env.NEXT_PUBLIC_CLERK_SECRET_KEY })",
		Good: "'use client'\n// call a Route Handler or Server Action that uses clerkClient() from @clerk/nextjs/server\nconst res = await fetch('/api/users')",
	},
	Fix: func(p *project.Model, file string) string {
		server := "a Route Handler, Server Action or server loader"
		if p.DependsOn(file, "@clerk/nextjs") {
			server = "a Route Handler or Server Action using `clerkClient()` from `@clerk/nextjs/server`"
			if p.NextEra(file) == project.EraV5 || p.NextEra(file) == project.EraCore1 {
				server = "a Route Handler or Server Action using `clerkClient` from `@clerk/nextjs/server`"
			}
		}
		client := "`createClerkClient`/`clerkClient`"
		if _, ok := rules.FrameworkAuthOf(p, file); ok {
			client = "`createClerkClient()`" // React Router 1.x, TanStack Start: no clerkClient singleton in every version
		}
		return "Code in client components is shipped to the browser. Keep " + client + " and the Secret Key on the server (" +
			server + ") and expose only the data the UI needs."
	},
	Run: adapt(runSEC006),
}

// keepsImports matches the tsconfig options that keep unused imports.
var keepsImports = regexp.MustCompile(`"(?:verbatimModuleSyntax|preserveValueImports)"\s*:\s*true`)

// backendImport says why an import brings backend code into the module.
func backendImport(im jsast.Import) string {
	if im.TypeOnly {
		return ""
	}
	switch {
	case im.Source == "@clerk/backend" || strings.HasPrefix(im.Source, "@clerk/backend/"):
		return "Clerk's backend SDK `@clerk/backend`"
	case knowledge.SecretExport(im.Source, im.Imported):
		if m, ok := knowledge.ClerkModuleOf(im.Source, 0); ok && m.Webhooks {
			return "webhook verification from " + rules.Code(im.Source)
		}
		return rules.Code(im.Imported) + " from " + rules.Code(im.Source)
	case im.Source == "svix":
		return "`svix` (webhook verification needs the signing secret)"
	}
	return ""
}

func runSEC006(pass *rules.Pass, report reportFunc) error {
	af := pass.AST(pass.File)
	if af == nil {
		return nil
	}
	where, shipped := "client module ('use client')", "is shipped to the browser"
	if af.Directive() != "use client" {
		// Nothing in the file says so, but the model may know it runs in
		// the browser: an Astro island, a module an .astro <script>
		// imports, the app code of a mobile app.
		if pass.Model == nil {
			return nil
		}
		if why, ok := pass.Model.ClientModule(pass.Ctx, pass.File.Path); ok {
			where = "client module (" + why + ")"
		} else if why, ok := pass.Model.ClientCode(pass.File.Path); ok {
			where, shipped = "client module ("+why+")", "ships in the app bundle"
		} else {
			return nil
		}
	}
	// A secret is reachable when the module reads a public-prefixed secret
	// name or holds a literal key.
	reachable := ""
	jsast.Walk(af.Root, func(n *jsast.Node) bool {
		if n.Type == "member_expression" || n.Type == "subscript_expression" {
			obj, prop := envAccess(af, n)
			if (obj == "process.env" || obj == "import.meta.env") && detect.IsPublicSecretName(prop) {
				reachable = rules.Code(prop)
				return false
			}
		}
		return true
	})
	for _, c := range candidates(pass.File) {
		if c.Kind == detect.SecretKey {
			if _, ph := detect.Placeholder(c.Value); !ph {
				reachable = "a literal secret key"
			}
		}
	}
	seen := map[string]bool{}
	valueRefs := valueReferences(af)
	elides := elidesUnusedImports(pass)
	for _, im := range af.Imports() {
		why := backendImport(im)
		if why == "" || seen[im.Source+"\x00"+im.Imported] {
			continue
		}
		if elides && im.Local != "" && !valueRefs[im.Local] {
			continue // TypeScript drops an import whose binding no value uses: nothing is bundled
		}
		if pass.Model != nil && im.Local != "" && !pass.Model.BrowserBinding(pass.Ctx, pass.File.Path, im.Local) {
			continue // only server-only code uses it (getServerSideProps): not bundled
		}
		seen[im.Source+"\x00"+im.Imported] = true
		d := rules.Diagnostic{Line: im.Node.Line, Column: im.Node.Col, Match: "client-import " + im.Source + " " + im.Imported,
			Message: fmt.Sprintf("%s imports %s, which needs the Secret Key and %s", where, why, shipped)}
		if reachable != "" {
			d.Severity = rules.Critical
			d.Message += "; the module also reads " + reachable + ", so the secret reaches the bundle"
		}
		report(d)
	}
	// Unprefixed secret names read in a client module: undefined in the
	// browser at best, and a sign that server work happens on the client.
	// Public-prefixed names are CLK-SEC-004's.
	jsast.Walk(af.Root, func(n *jsast.Node) bool {
		if n.Type != "member_expression" && n.Type != "subscript_expression" {
			return true
		}
		obj, prop := envAccess(af, n)
		if (obj != "process.env" && obj != "import.meta.env") || !detect.IsSecretName(prop) || detect.PublicPrefixOf(prop) != "" {
			return true
		}
		if pass.Model != nil && pass.Model.ServerOnly(pass.Ctx, pass.File.Path, n.Start, n.End) {
			return false // getStaticProps and what only it uses: not bundled
		}
		report(rules.Diagnostic{Line: n.Line, Column: n.Col, Match: "client-env " + prop, Confidence: rules.MediumConfidence,
			Message: fmt.Sprintf("%s reads the server secret %s; it is undefined in the browser unless the build inlines it, and the code using it belongs on the server", where, rules.Code(fmt.Sprintf("%s.%s", obj, prop)))})
		return false
	})
	return nil
}

// valueReferences returns the names the module uses as values: identifiers
// outside import statements (a name used only in type positions is a
// type_identifier in tree-sitter-typescript, and TypeScript erases it).
func valueReferences(f *jsast.File) map[string]bool {
	refs := map[string]bool{}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "import_statement":
			return false
		case "identifier", "shorthand_property_identifier":
			refs[f.Text(n)] = true
		}
		return true
	})
	return refs
}

// elidesUnusedImports reports whether the pass's file is TypeScript that
// the compiler strips unused imports from: TypeScript removes an import
// none of whose bindings is used as a value, unless the nearest
// tsconfig.json sets verbatimModuleSyntax (or the older
// preserveValueImports), which keeps them
// (https://www.typescriptlang.org/tsconfig/#verbatimModuleSyntax).
func elidesUnusedImports(pass *rules.Pass) bool {
	switch pass.File.Lang {
	case source.LangTS, source.LangTSX:
	default:
		return false
	}
	for dir := path.Dir(pass.File.Path); ; dir = path.Dir(dir) {
		p := "tsconfig.json"
		if dir != "." && dir != "/" {
			p = dir + "/tsconfig.json"
		}
		if src := pass.Get(p); src != nil {
			return !keepsImports.Match(src.Content)
		}
		if dir == "." || dir == "/" {
			return true
		}
	}
}
