package modules

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// syntheticProject builds a monorepo of about n files: a Next.js app whose
// route files import a guard barrel through a tsconfig alias, a sibling
// helper, a workspace package, a .js specifier of a .ts file and a Clerk
// package; plus library and component files.
func syntheticProject(n int) map[string]string {
	files := map[string]string{
		"package.json":                       `{"private": true, "workspaces": ["apps/*", "packages/*"]}`,
		"tsconfig.base.json":                 `{"compilerOptions": {"strict": true}}`,
		"apps/web/package.json":              `{"name": "web"}`,
		"apps/web/tsconfig.json":             `{"extends": "../../tsconfig.base.json", "compilerOptions": {"paths": {"@/*": ["./src/*"]}}}`,
		"apps/web/src/lib/guards/index.ts":   "export * from './session'\nexport { requireAdmin } from './admin'\n",
		"apps/web/src/lib/guards/session.ts": "import { auth } from '@clerk/nextjs/server'\nexport async function requireUser() { return auth() }\n",
		"apps/web/src/lib/guards/admin.ts":   "export async function requireAdmin() {}\n",
		"packages/db/package.json":           `{"name": "@acme/db", "exports": {".": "./src/index.ts"}}`,
		"packages/db/src/index.ts":           "export const db = {}\n",
	}
	routes := n / 2
	libs := n / 4
	for i := 0; i < routes; i++ {
		files[fmt.Sprintf("apps/web/app/r%d/route.ts", i)] = fmt.Sprintf(`import { requireUser } from '@/lib/guards'
import { helper } from './helpers'
import { db } from '@acme/db'
import { util } from '../../src/lib/util%d.js'
import { auth } from '@clerk/nextjs/server'
export async function GET() { await requireUser(); return Response.json(helper(db, util)) }
`, i%libs)
		if i%2 == 0 {
			files[fmt.Sprintf("apps/web/app/r%d/helpers.ts", i)] = "export function helper() {}\n"
		} else {
			files[fmt.Sprintf("apps/web/app/r%d/helpers/index.ts", i)] = "export function helper() {}\n"
		}
	}
	for i := 0; i < libs; i++ {
		files[fmt.Sprintf("apps/web/src/lib/util%d.ts", i)] = "export const util = 1\n"
	}
	for i := len(files); i < n; i++ {
		files[fmt.Sprintf("apps/web/src/components/c%d.tsx", i)] = "import React from 'react'\nexport default function C() { return null }\n"
	}
	return files
}

func isRoute(p string) bool {
	return strings.HasPrefix(p, "apps/web/app/r") && strings.HasSuffix(p, "/route.ts")
}

// BenchmarkResolve resolves every import of every route of a 5,000-file
// project with a fresh resolver (so each iteration pays for reading the
// configs once), as one review does.
func BenchmarkResolve(b *testing.B) {
	files := syntheticProject(5000)
	type q struct{ from, spec string }
	var qs []q
	for p := range files {
		if isRoute(p) {
			for _, s := range []string{"@/lib/guards", "./helpers", "@acme/db", "../../src/lib/util1.js", "@clerk/nextjs/server"} {
				qs = append(qs, q{p, s})
			}
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := NewResolver(newMemFiles(files))
		for _, q := range qs {
			if res, err := r.Resolve(ctx, q.from, q.spec); err != nil || res.Kind == Unresolved {
				b.Fatalf("%s %s: %v %v", q.from, q.spec, res, err)
			}
		}
	}
	b.ReportMetric(float64(len(qs)), "specifiers/op")
}

// BenchmarkImporters builds the reverse import graph of a 5,000-file
// project (parsing every module once).
func BenchmarkImporters(b *testing.B) {
	files := syntheticProject(5000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := New(newMemFiles(files))
		es, err := g.Importers(ctx, "apps/web/src/lib/guards/index.ts")
		if err != nil || len(es) != 2500 {
			b.Fatalf("importers: %d, %v", len(es), err)
		}
	}
}

// BenchmarkOrigin follows requireUser from every route through the
// barrel, on a graph whose files are already parsed.
func BenchmarkOrigin(b *testing.B) {
	files := syntheticProject(5000)
	ctx := context.Background()
	g := New(newMemFiles(files))
	var routes []string
	for p := range files {
		if isRoute(p) {
			routes = append(routes, p)
		}
	}
	for _, p := range routes {
		if _, _, err := g.Origin(ctx, p, "requireUser"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range routes {
			o, ok, err := g.Origin(ctx, p, "requireUser")
			if err != nil || !ok || o.Module.Path != "apps/web/src/lib/guards/session.ts" {
				b.Fatalf("%s: %+v %v %v", p, o, ok, err)
			}
		}
	}
}
