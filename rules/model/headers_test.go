package model_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
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
	ctx := context.Background()
	for label, want := range map[string]string{
		"GET /api/x": "x-user-id app/api/x/route.ts:3 uid; x-role lib/who.ts:1 via roleOf; x-tenant lib/who.ts:2 via tenantOf",
		"GET /a":     "X-User server.js:3 who; accept-language server.js:3",
	} {
		var got []string
		for _, h := range m.HeaderReads(ctx, entry(t, m, label)) {
			s := fmt.Sprintf("%s %s:%d", h.Header, h.File, h.Line)
			if h.Var != "" {
				s += " " + h.Var
			}
			if len(h.Via) > 0 {
				s += " via " + strings.SplitN(h.Via[0], " ", 2)[0]
			}
			got = append(got, s)
		}
		if strings.Join(got, "; ") != want {
			t.Errorf("%s: HeaderReads = %q, want %q", label, strings.Join(got, "; "), want)
		}
	}
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
