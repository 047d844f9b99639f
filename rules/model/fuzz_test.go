package model_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/clerkguard/clerkguard/rules/source"
)

// FuzzModel puts arbitrary code in every place the adapters read (a route
// handler, a helper, middleware, a Server Action module, an Express server
// and router, React Router route config and modules, TanStack Start server
// functions, Astro pages, endpoints, middleware and config) and builds the whole report: the model must not panic, must
// end, and must give every entry a verdict with a reason.
func FuzzModel(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "*", "*.txtar"))
	for _, c := range cases {
		ar, err := txtar.ParseFile(c)
		if err != nil {
			continue
		}
		for _, file := range ar.Files {
			if filepath.Ext(file.Name) == ".ts" || filepath.Ext(file.Name) == ".js" {
				f.Add(string(file.Data))
			}
		}
	}
	f.Add("export async function GET() { if (!(await auth()).userId) return; while (true) { await db.x.findMany() } }")
	f.Add("'use server'\nexport const a = w(w(w(async () => { a() })))")
	f.Fuzz(func(t *testing.T, code string) {
		if len(code) > 1<<16 {
			return
		}
		b := []byte(code)
		snap := source.Mem{
			"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "express": "^4.19.0", "@clerk/express": "^1.7.0",
				"@clerk/react-router": "^2.0.0", "@react-router/dev": "^7.9.0", "@tanstack/react-start": "^1.120.0", "@clerk/astro": "^2.4.0", "astro": "^5.2.0"}}`),
			"middleware.ts":           b,
			"lib/h.ts":                b,
			"app/api/x/route.ts":      append([]byte("import { h } from '../../../lib/h'\n"), b...),
			"app/actions.ts":          append([]byte("'use server'\n"), b...),
			"app/p/page.tsx":          b,
			"pages/api/y.ts":          b,
			"server.js":               append([]byte("const express = require('express')\nconst app = express()\napp.use('/r', require('./r'))\n"), b...),
			"r.js":                    append([]byte("const router = require('express').Router()\nmodule.exports = router\n"), b...),
			"app/api/z/[id]/route.ts": b,
			"app/(g)/layout.tsx":      b,
			"node_modules/x/index.js": b,
			"app/routes.ts":           b,
			"app/root.tsx":            b,
			"app/routes/a.$id.tsx":    b,
			"src/server/fns.ts":       append([]byte("import { createServerFn, createMiddleware } from '@tanstack/react-start'\n"), b...),
			"src/middleware.ts":       b,
			"src/pages/p.astro":       append(append([]byte("---\nexport const prerender = false\n"), b...), []byte("\n---\n")...),
			"src/pages/api/e.ts":      b,
			"astro.config.mjs":        b,
		}
		m := buildModel(t, snap)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard only
		defer cancel()
		rep, err := m.Report(ctx)
		if err != nil {
			t.Fatalf("report: %v", err)
		}
		for _, e := range rep.Entries {
			if e.Verdict.Why == "" || e.Verdict.Authn == "" {
				t.Fatalf("entry %s %s:%d has no verdict reason", e.Path, e.File, e.Line)
			}
		}
		var out bytes.Buffer
		if err := rep.WriteText(&out); err != nil {
			t.Fatal(err)
		}
	})
}
