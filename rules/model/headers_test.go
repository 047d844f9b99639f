package model_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestHeaderReads: the request headers an entry reads by name are the
// model's answer, on the handler's request whatever it is named and
// through a helper given the request or its headers; a header of
// another object (an upstream response, a map) is none.
func TestHeaderReads(t *testing.T) {
	m := buildModel(t, source.Mem{
		"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "express": "^4.19.0"}}`),
		"lib/who.ts": []byte(`export const roleOf = (h: Headers) => h.get('x-role')
export function tenantOf(r: Request) { return r.headers.get('x-tenant') }
export const fromMap = (m: Map<string, string>) => m.get('x-user-id')
`),
		"app/api/x/route.ts": []byte(`import { roleOf, tenantOf, fromMap } from '../../../lib/who'
export async function GET(incoming: Request) {
  const uid = incoming.headers.get('x-user-id')
  const up = await fetch('https://upstream.example/x')
  const other = up.headers.get('x-upstream-user')
  return Response.json({ uid, other, role: roleOf(incoming.headers), tenant: tenantOf(incoming), m: fromMap(new Map()) })
}`),
		"server.js": []byte(`const express = require('express')
const app = express()
app.get('/a', async (q, s) => { const who = q.get('X-User'); s.json(await db.post.findMany({ where: { who, lang: q.headers['accept-language'] } })) })
app.listen(3000)
`),
	})
	wantHeaderReads(t, m, map[string]string{
		"GET /api/x": "x-user-id app/api/x/route.ts:3 uid; x-role lib/who.ts:1 via roleOf; x-tenant lib/who.ts:2 via tenantOf",
		"GET /a":     "X-User server.js:3 who; accept-language server.js:3",
	})
}

// wantHeaderReads checks the header reads of each entry, by label,
// rendered "name file:line [var] [via helper]" and joined by "; ".
func wantHeaderReads(t *testing.T, m *model.Model, want map[string]string) {
	t.Helper()
	for label, w := range want {
		if got := headerReadsOf(context.Background(), m, entry(t, m, label)); got != w {
			t.Errorf("%s: HeaderReads = %q, want %q", label, got, w)
		}
	}
}

func headerReadsOf(ctx context.Context, m *model.Model, e *model.Entry) string {
	var got []string
	for _, h := range m.HeaderReads(ctx, e) {
		s := fmt.Sprintf("%s %s:%d", h.Header, h.File, h.Line)
		if h.Var != "" {
			s += " " + h.Var
		}
		if len(h.Via) > 0 {
			s += " via " + strings.SplitN(h.Via[0], " ", 2)[0]
		}
		got = append(got, s)
	}
	return strings.Join(got, "; ")
}

// TestGoHeaderReads: the Go model lists the headers a handler reads by
// name (net/http's r.Header.Get, gin's c.GetHeader and
// c.Request.Header.Get), the variable a read initialises, and reads in a
// helper the handler passes the request to; a header of another value
// (an upstream response) is none.
func TestGoHeaderReads(t *testing.T) {
	m := buildModel(t, source.Mem{
		"go.mod": []byte("module example.com/app\n\ngo 1.22\n"),
		"main.go": []byte(`package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func tenantOf(r *http.Request) string { return r.Header.Get("X-Tenant") }

func items(w http.ResponseWriter, r *http.Request) {
	role := r.Header.Get("X-User-Role")
	up, _ := http.Get("https://upstream.example/x")
	_ = up.Header.Get("X-Upstream-User")
	_ = tenantOf(r)
	_ = role
}

func orders(c *gin.Context) {
	lang := c.GetHeader("Accept-Language")
	if c.Request.Header.Get("X-Admin") != "yes" {
		return
	}
	_ = lang
}

func main() {
	http.HandleFunc("GET /items", items)
	g := gin.New()
	g.GET("/orders", orders)
	http.ListenAndServe(":8080", nil)
}
`),
	})
	wantHeaderReads(t, m, map[string]string{
		"GET /items":  "X-User-Role main.go:12 role; X-Tenant main.go:9 via tenantOf",
		"GET /orders": "Accept-Language main.go:20 lang; X-Admin main.go:21",
	})
}

// TestClerkClient: a value is a Clerk client by where it comes from
// (createClerkClient through an application module and a factory, a
// handler's local binding), not by its name.
func TestClerkClient(t *testing.T) {
	m := buildModel(t, source.Mem{
		"package.json": []byte(`{"dependencies": {"@clerk/backend": "^2.0.0", "jose": "^5.0.0"}}`),
		"lib/b.ts":     []byte("import { createClerkClient } from '@clerk/backend'\nexport const api = createClerkClient({ secretKey: 'x' })\nexport const make = () => createClerkClient({ secretKey: 'y' })\n"),
		"lib/v.ts":     []byte("export class V { verifyToken(t: string) { return t } }\n"),
		"src/use.ts":   []byte(useTS),
	})
	ctx := context.Background()
	f, err := jsast.Parse(ctx, source.NewFile("src/use.ts", []byte(useTS)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"api": true, "local": true, "clerkish": false}
	for _, c := range f.Calls(f.Root, func(n string) bool {
		return strings.HasSuffix(n, "authenticateRequest") || strings.HasSuffix(n, "verifyToken")
	}) {
		recv := jsast.Unwrap(c.ChildByField("function")).ChildByField("object")
		name := f.Text(recv)
		_, ok, err := m.ClerkClient(ctx, f, recv)
		if err != nil || ok != want[name] {
			t.Errorf("ClerkClient(%s) = %v, %v; want %v", name, ok, err, want[name])
		}
	}
}

const useTS = `import { api, make } from '../lib/b'
import { V } from '../lib/v'
const clerkish = new V()
export async function f(req: Request) {
  const local = make()
  await api.authenticateRequest(req)
  await local.authenticateRequest(req)
  await clerkish.verifyToken('t')
}`
