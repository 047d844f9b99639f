package model_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// failingFiles is a snapshot whose named files cannot be read.
type failingFiles struct {
	source.Mem
	fail map[string]bool
}

func (f failingFiles) Read(ctx context.Context, p string) ([]byte, error) {
	if f.fail[p] {
		return nil, fmt.Errorf("read %s: %w", p, errors.New("injected failure"))
	}
	return f.Mem.Read(ctx, p)
}

// buildModel builds the model of a snapshot the way the engine does: one
// file set (with its shared parser), the project model, then the model.
func buildModel(t *testing.T, snap source.Snapshot) *model.Model {
	t.Helper()
	ctx := context.Background()
	paths, err := snap.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	fs := rules.NewFileSet(snap, paths)
	proj, err := project.Build(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	return model.New(fs, proj)
}

func entry(t *testing.T, m *model.Model, label string) *model.Entry {
	t.Helper()
	es, err := m.Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, e := range es {
		if e.Label() == label {
			return e
		}
		labels = append(labels, e.Label())
	}
	t.Fatalf("no entry %q among %v", label, labels)
	return nil
}

var helperApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0"}}`),
	"lib/guard.ts": []byte(`import { auth } from '@clerk/nextjs/server'
export async function requireUser() {
  const { userId } = await auth()
  if (!userId) throw new Error('Unauthorized')
  return userId
}`),
	"app/api/x/route.ts": []byte(`import { requireUser } from '../../../lib/guard'
export async function DELETE() {
  await requireUser()
  await db.x.deleteMany()
  return new Response(null, { status: 204 })
}`),
}

// TestReadFailureIsUnknown: a guard helper that cannot be read makes the
// verdict unknown, never "no" (and the same snapshot readable says "yes").
func TestReadFailureIsUnknown(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, helperApp)
	if v := m.Guard(ctx, entry(t, m, "DELETE /api/x")); v.Authn != model.AuthnYes {
		t.Fatalf("readable helper: %s (%s), want yes", v.Authn, v.Why)
	}
	m = buildModel(t, failingFiles{Mem: helperApp, fail: map[string]bool{"lib/guard.ts": true}})
	v := m.Guard(ctx, entry(t, m, "DELETE /api/x"))
	if v.Authn != model.AuthnUnknown {
		t.Fatalf("unreadable helper: %s (%s), want unknown", v.Authn, v.Why)
	}
	if !strings.Contains(v.Why, "requireUser") || !strings.Contains(v.Why, "injected failure") {
		t.Errorf("why %q does not name the helper and the failure", v.Why)
	}
	if fx := m.Effects(ctx, entry(t, m, "DELETE /api/x")); !fx.Incomplete {
		t.Error("effects of an entry with an unreadable helper are not marked incomplete")
	}
}

// TestConcurrentFacets asks every facet from many goroutines at once (run
// with -race): each is computed once and all callers see the same answer.
func TestConcurrentFacets(t *testing.T) {
	m := buildModel(t, helperApp)
	ctx := context.Background()
	var wg sync.WaitGroup
	got := make([]model.Authn, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			es, err := m.Entries(ctx)
			if err != nil || len(es) == 0 {
				t.Errorf("entries: %v, %d", err, len(es))
				return
			}
			got[i] = m.Guard(ctx, es[0]).Authn
			_ = m.Effects(ctx, es[0])
			_ = m.Inputs(ctx, es[0])
		}()
	}
	wg.Wait()
	for _, a := range got {
		if a != model.AuthnYes {
			t.Fatalf("verdicts %v", got)
		}
	}
}

// TestRecursionAndDepthEnd: mutually recursive helpers and a chain of
// helpers deeper than MaxDepth end the walk; the deep guard is reported
// as unknown, not as missing.
func TestRecursionAndDepthEnd(t *testing.T) {
	var chain strings.Builder
	chain.WriteString("import { auth } from '@clerk/nextjs/server'\n")
	for i := 0; i < model.MaxDepth+2; i++ {
		fmt.Fprintf(&chain, "export async function requireAuth%d() { await requireAuth%d() }\n", i, i+1)
	}
	fmt.Fprintf(&chain, "export async function requireAuth%d() { await auth.protect() }\n", model.MaxDepth+2)
	snap := source.Mem{
		"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0"}}`),
		"lib/a.ts": []byte(`import { b } from './b'
export async function a(n) { if (n) await b(n - 1); await db.x.findMany() }`),
		"lib/b.ts": []byte(`import { a } from './a'
export async function b(n) { await a(n) }`),
		"lib/chain.ts": []byte(chain.String()),
		"app/api/loop/route.ts": []byte(`import { a } from '../../../lib/a'
export async function GET() { await a(3); return Response.json({}) }`),
		"app/api/deep/route.ts": []byte(`import { requireAuth0 } from '../../../lib/chain'
export async function GET() { await requireAuth0(); return Response.json(await db.y.findMany()) }`),
	}
	m := buildModel(t, snap)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard only
	defer cancel()
	loop := m.Effects(ctx, entry(t, m, "GET /api/loop"))
	if !loop.Has(model.ReadsData) {
		t.Errorf("recursive helpers: effects %+v, want the read", loop.List)
	}
	if v := m.Guard(ctx, entry(t, m, "GET /api/loop")); v.Authn != model.AuthnNo {
		t.Errorf("recursive helpers: %s (%s), want no", v.Authn, v.Why)
	}
	if v := m.Guard(ctx, entry(t, m, "GET /api/deep")); v.Authn != model.AuthnUnknown {
		t.Errorf("guard deeper than MaxDepth: %s (%s), want unknown", v.Authn, v.Why)
	}
}

// TestSummaryIndependentOfOrder: a helper analysed at the depth limit
// (its own callee not followed) must not hand that cut summary to an
// entry that calls the helper directly: the entry's verdict and effects
// are the same whichever entry the model (or a concurrent rule) asked
// about first.
func TestSummaryIndependentOfOrder(t *testing.T) {
	var chain strings.Builder
	for i := 1; i < model.MaxDepth; i++ {
		fmt.Fprintf(&chain, "export async function c%d() { await c%d() }\n", i, i+1)
	}
	fmt.Fprintf(&chain, "export async function c%d() { await wipe() }\n", model.MaxDepth)
	chain.WriteString("async function wipe() { await db.x.deleteMany() }\n")
	snap := source.Mem{
		"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0"}}`),
		"lib/chain.ts": []byte(chain.String()),
		"app/api/deep/route.ts": []byte(`import { c1 } from '../../../lib/chain'
export async function POST() { await c1(); return Response.json({}) }`),
		"app/api/near/route.ts": []byte(fmt.Sprintf(`import { c%d } from '../../../lib/chain'
export async function POST() { await c%d(); return Response.json({}) }`, model.MaxDepth, model.MaxDepth)),
	}
	nearWritesInAnyOrder(t, snap, "POST /api/near", "POST /api/deep")
}

// nearWritesInAnyOrder checks that the entry near reaches the write two
// calls down both alone and after the entry deep, which reaches the same
// helper at the depth limit, was analysed first.
func nearWritesInAnyOrder(t *testing.T, snap source.Mem, near, deep string) {
	t.Helper()
	ctx := context.Background()
	effects := func(first string) model.Effects {
		m := buildModel(t, snap)
		if first != "" {
			_ = m.Effects(ctx, entry(t, m, first))
		}
		return m.Effects(ctx, entry(t, m, near))
	}
	alone, afterDeep := effects(""), effects(deep)
	if !alone.Has(model.WritesData) {
		t.Fatalf("%s alone: effects %+v, want the delete two calls down", near, alone.List)
	}
	if !afterDeep.Has(model.WritesData) {
		t.Errorf("%s after %s: effects %+v, want the delete (a summary cut at the depth limit was reused)", near, deep, afterDeep.List)
	}
}

// TestClientConfig: the values of nuxt.config that reach the browser are
// the leaves under runtimeConfig.public and under the clerk: module
// options, nested objects included; private runtime config is not.
func TestClientConfig(t *testing.T) {
	m := buildModel(t, source.Mem{
		"package.json": []byte(`{"dependencies": {"nuxt": "^3.16.0", "@clerk/nuxt": "^1.6.0"}}`),
		"nuxt.config.ts": []byte(`export default defineNuxtConfig({
  modules: ['@clerk/nuxt'],
  clerk: { publishableKey: 'pk', appearance: { variables: { colorPrimary: 'red' } } },
  runtimeConfig: {
    clerk: { secretKey: '' },
    public: { apiBase: '/api', 'clerk-extra': { machineSecretKey: '' } },
  },
})`),
		"app.config.ts": []byte(`export default defineAppConfig({ clerk: { secretKey: 'x' } })`),
	})
	ctx := context.Background()
	xs, err := m.ClientConfig(ctx, "nuxt.config.ts")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range xs {
		got = append(got, fmt.Sprintf("%s@%d", x.Key, x.Line))
	}
	want := "runtimeConfig.public.apiBase@6 runtimeConfig.public.clerk-extra.machineSecretKey@6 clerk.publishableKey@3 clerk.appearance.variables.colorPrimary@3"
	if strings.Join(got, " ") != want {
		t.Errorf("ClientConfig = %s, want %s", strings.Join(got, " "), want)
	}
	if xs, err := m.ClientConfig(ctx, "app.config.ts"); err != nil || len(xs) != 0 {
		t.Errorf("app.config.ts: %v, %v; want nothing", xs, err)
	}
}

// TestUnreadableMiddlewareIsUnknown: a SvelteKit hooks file or a Nuxt
// server middleware that cannot be read makes the verdict of the entries
// behind it unknown, never "not guarded" (and never "guarded").
func TestUnreadableMiddlewareIsUnknown(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, label, unreadable string
		app                     source.Mem
	}{
		{"sveltekit hooks", "POST /notes", "src/hooks.server.ts", source.Mem{
			"package.json": []byte(`{"dependencies": {"@sveltejs/kit": "^2.5.0", "svelte-clerk": "^0.17.0"}}`),
			"src/hooks.server.ts": []byte(`import { error } from '@sveltejs/kit'
export const handle = async ({ event, resolve }) => {
  if (!event.locals.auth().userId) error(401)
  return resolve(event)
}`),
			"src/routes/notes/+server.ts": []byte(`export const POST = async ({ request }) => {
  await db.note.create({ data: await request.json() })
  return new Response('ok')
}`),
		}},
		{"nuxt server middleware", "POST /api/notes", "server/middleware/auth.ts", source.Mem{
			"package.json": []byte(`{"dependencies": {"nuxt": "^3.16.0", "@clerk/nuxt": "^1.6.0"}}`),
			"server/middleware/auth.ts": []byte(`export default defineEventHandler((event) => {
  if (!event.context.auth().userId) throw createError({ statusCode: 401 })
})`),
			"server/api/notes.post.ts": []byte(`export default defineEventHandler(async (event) => db.note.create({ data: await readBody(event) }))`),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := buildModel(t, c.app)
			if v := m.Guard(ctx, entry(t, m, c.label)); v.Authn != model.AuthnYes {
				t.Fatalf("readable: %s (%s), want yes", v.Authn, v.Why)
			}
			m = buildModel(t, failingFiles{Mem: c.app, fail: map[string]bool{c.unreadable: true}})
			if v := m.Guard(ctx, entry(t, m, c.label)); v.Authn != model.AuthnUnknown {
				t.Fatalf("unreadable %s: %s (%s), want unknown", c.unreadable, v.Authn, v.Why)
			}
		})
	}
}

// A Go handler whose file cannot be read leaves its route unknown, never
// "unguarded"; the route whose handler is readable keeps its verdict.
func TestGoUnreadableHandlerIsUnknown(t *testing.T) {
	snap := failingFiles{Mem: source.Mem{
		"go.mod": []byte("module example.com/x\n\ngo 1.22\n"),
		"main.go": []byte(`package main

import (
	"database/sql"

	"example.com/x/h"
	"github.com/gin-gonic/gin"
)

var db *sql.DB

func open(c *gin.Context) { db.Exec("DELETE FROM t WHERE id = $1", c.Param("id")) }

func main() {
	r := gin.Default()
	r.DELETE("/t/:id", open)
	r.DELETE("/u/:id", h.Remove)
}
`),
		"h/h.go": []byte("package h\n\nimport \"github.com/gin-gonic/gin\"\n\nfunc Remove(c *gin.Context) {}\n"),
	}, fail: map[string]bool{"h/h.go": true}}
	m := buildModel(t, snap)
	ctx := context.Background()
	if v := m.Guard(ctx, entry(t, m, "DELETE /u/:id")); v.Authn != model.AuthnUnknown {
		t.Errorf("DELETE /u/:id: authn %s (%s), want unknown: its handler's file could not be read", v.Authn, v.Why)
	} else if !strings.Contains(v.Why, "could not be read") {
		t.Errorf("DELETE /u/:id: why %q does not say the file could not be read", v.Why)
	}
	if v := m.Guard(ctx, entry(t, m, "DELETE /t/:id")); v.Authn != model.AuthnNo {
		t.Errorf("DELETE /t/:id: authn %s (%s), want no", v.Authn, v.Why)
	}
}

// TestVerifiedWebhookVerdict: an entry that verifies a webhook signature
// before its effects says which provider's, so route rules and fix texts
// treat its caller as the provider; a route that only reads the svix
// headers says nothing of the kind.
func TestVerifiedWebhookVerdict(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, source.Mem{
		"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "svix": "^1.40.0", "stripe": "^17.0.0"}}`),
		"app/api/webhooks/clerk/route.ts": []byte(`import { Webhook } from 'svix'
export async function POST(req: Request) {
  const evt = new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET!).verify(await req.text(), Object.fromEntries(req.headers))
  await db.user.create({ data: { id: evt.data.id } })
  return new Response('ok')
}`),
		"app/api/webhooks/stripe/route.ts": []byte(`import Stripe from 'stripe'
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!)
export async function POST(req: Request) {
  const event = stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature')!, process.env.STRIPE_WEBHOOK_SECRET!)
  await db.order.update({ where: { id: event.id }, data: { paid: true } })
  return new Response('ok')
}`),
		"app/api/webhooks/loose/route.ts": []byte(`export async function POST(req: Request) {
  if (!req.headers.get('svix-id')) return new Response('no', { status: 400 })
  const evt = await req.json()
  await db.user.create({ data: { id: evt.data.id } })
  return new Response('ok')
}`),
	})
	for label, want := range map[string]string{
		"POST /api/webhooks/clerk":  "svix",
		"POST /api/webhooks/stripe": "stripe",
		"POST /api/webhooks/loose":  "",
	} {
		v := m.Guard(ctx, entry(t, m, label))
		if v.Webhook != want {
			t.Errorf("%s: Webhook = %q (%s, %s), want %q", label, v.Webhook, v.Authn, v.Why, want)
		}
	}
}

func TestReferencedRecord(t *testing.T) {
	owned := map[string]bool{"folders": true, "File": true, "categories": true, "user_profile": true}
	for _, c := range []struct {
		field, want string
	}{
		{"folderId", "folders"},
		{"file_id", "File"},
		{"categoryId", "categories"},
		{"userProfileID", "user_profile"},
		{"tagId", ""},
		{"id", ""},
		{"paid", ""},
		{"folder", ""},
	} {
		got, ok := model.ReferencedRecord(c.field, owned)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("ReferencedRecord(%q) = %q, %v; want %q", c.field, got, ok, c.want)
		}
	}
}

// TestLibraryAllowAllHooks: the bucket hooks of a library handler's router
// that allow every caller are the ones whose function returns the literal
// `true` on every path and never throws; a hook that decides (a
// comparison, a conditional false, a throw) is not one, nor is a hook the
// knowledge tables do not list (beforeUpload).
func TestLibraryAllowAllHooks(t *testing.T) {
	snap := source.Mem{
		"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "@edgestore/server": "^0.5.0"}}`),
		"app/api/es/[...edgestore]/route.ts": []byte(`import { initEdgeStore } from '@edgestore/server'
import { createEdgeStoreNextHandler } from '@edgestore/server/adapters/next/app'
const es = initEdgeStore.create()
const router = es.router({
  a: es.fileBucket().beforeDelete(() => true),
  b: es.fileBucket().beforeDelete(function () { return true }),
  c: es.fileBucket().beforeDelete(({ ctx, fileInfo }) => fileInfo.metadata.owner === ctx.userId),
  d: es.fileBucket().beforeDelete(({ ctx }) => { if (!ctx.userId) return false; return true }),
  e: es.fileBucket().beforeDelete(({ ctx }) => { if (!ctx.userId) throw new Error('no'); return true }),
  f: es.fileBucket().beforeDelete(({ ctx }) => { const ok = () => true; return ok() && ctx.userId !== '' }),
  g: es.fileBucket().beforeUpload(() => true),
  h: es.fileBucket().beforeDelete(() => {}),
})
const handler = createEdgeStoreNextHandler({ router })
export { handler as POST }
`),
	}
	e := entry(t, buildModel(t, snap), "POST /api/es/[...edgestore]")
	if e.Library == nil {
		t.Fatal("no library handler")
	}
	var got []string
	for _, k := range e.Library.AllowAll {
		got = append(got, fmt.Sprintf("%s.%s:%d", k.Bucket, k.Method, k.Line))
	}
	if want := "a.beforeDelete:5 b.beforeDelete:6"; strings.Join(got, " ") != want {
		t.Errorf("AllowAll = %v; want %s", got, want)
	}
}

// TestPublicFields: a read whose row reaches the response only through
// its name and image fields is Effect.PublicFields; a row returned whole,
// spread, copied with an email or token field, or used through a method
// is not.
func TestPublicFields(t *testing.T) {
	ctx := context.Background()
	handler := func(body string) []byte {
		return []byte("export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {\n  const { id } = await params\n  const row = await db.user.findUnique({ where: { id } })\n" + body + "\n}\n")
	}
	m := buildModel(t, source.Mem{
		"package.json":                 []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0"}}`),
		"app/api/card/[id]/route.ts":   handler("  if (!row) return Response.json(null)\n  return Response.json({ name: row.name, image: row?.imageUrl })"),
		"app/api/whole/[id]/route.ts":  handler("  return Response.json(row)"),
		"app/api/spread/[id]/route.ts": handler("  return Response.json({ ...row })"),
		"app/api/email/[id]/route.ts":  handler("  return Response.json({ name: row?.name, contact: row?.email })"),
		"app/api/token/[id]/route.ts":  handler("  return Response.json({ name: row?.name, t: row?.pushToken })"),
		"app/api/json/[id]/route.ts":   handler("  return Response.json(row?.toJSON())"),
		"app/api/short/[id]/route.ts":  handler("  return Response.json({ name: row?.name, row })"),
	})
	for label, want := range map[string]bool{
		"GET /api/card/[id]":   true,
		"GET /api/whole/[id]":  false,
		"GET /api/spread/[id]": false,
		"GET /api/email/[id]":  false,
		"GET /api/token/[id]":  false,
		"GET /api/json/[id]":   false,
		"GET /api/short/[id]":  false,
	} {
		fx := m.Effects(ctx, entry(t, m, label))
		found := false
		for _, x := range fx.List {
			if x.Kind == model.ReadsData && x.Call == "db.user.findUnique" {
				found = true
				if x.PublicFields != want {
					t.Errorf("%s: PublicFields = %v, want %v", label, x.PublicFields, want)
				}
			}
		}
		if !found {
			t.Errorf("%s: no db.user.findUnique read among %+v", label, fx.List)
		}
	}
}

// TestBodyParserLayers: the body-parsing middleware in front of a route
// are typed layers (knowledge.BodyParserOf), in registration order, with
// a parser's raw-keeping `verify` hook; other middleware parse nothing.
func TestBodyParserLayers(t *testing.T) {
	m := buildModel(t, source.Mem{
		"package.json": []byte(`{"dependencies": {"express": "^4.21.0", "body-parser": "^1.20.0"}}`),
		"server.js": []byte(`const express = require('express')
const bodyParser = require('body-parser')
const { json } = require('express')
const app = express()
app.post('/raw', express.raw({ type: 'application/json' }), (req, res) => res.end())
app.use(cors())
app.use(bodyParser.json({ verify: (req, _res, buf) => { req.rawBody = buf } }))
app.post('/kept', (req, res) => res.end())
const api = express.Router()
api.use(json())
api.post('/parsed', (req, res) => res.end())
app.use('/api', api)
app.listen(3000)
`),
	})
	type layer struct {
		body knowledge.BodyParse
		raw  bool
	}
	for label, want := range map[string][]layer{
		"POST /raw":        {{knowledge.BodyRaw, false}},
		"POST /kept":       {{"", false}, {knowledge.BodyParsed, true}},
		"POST /api/parsed": {{"", false}, {knowledge.BodyParsed, true}, {knowledge.BodyParsed, false}},
	} {
		var got []layer
		for _, l := range entry(t, m, label).Chain {
			got = append(got, layer{l.Body, l.KeepsRaw})
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: chain body parsers %v, want %v", label, got, want)
		}
	}
}

// TestGoSummaryIndependentOfOrder: the Go side of
// TestSummaryIndependentOfOrder. A helper walked at the depth limit (its
// own callee not followed) must not hand that cut summary to a handler
// that calls the helper directly, whichever route was asked about first.
func TestGoSummaryIndependentOfOrder(t *testing.T) {
	var chain strings.Builder
	chain.WriteString("package main\n\nimport (\n\t\"database/sql\"\n\n\t\"github.com/gin-gonic/gin\"\n)\n\nvar db *sql.DB\n\n")
	for i := 1; i < model.MaxDepth; i++ {
		fmt.Fprintf(&chain, "func c%d(id string) { c%d(id) }\n", i, i+1)
	}
	fmt.Fprintf(&chain, "func c%d(id string) { wipe(id) }\n", model.MaxDepth)
	chain.WriteString("func wipe(id string) { db.Exec(\"DELETE FROM t WHERE id = $1\", id) }\n\n")
	fmt.Fprintf(&chain, "func deep(c *gin.Context) { c1(c.Param(\"id\")) }\n")
	fmt.Fprintf(&chain, "func near(c *gin.Context) { c%d(c.Param(\"id\")) }\n\n", model.MaxDepth)
	chain.WriteString("func main() {\n\tr := gin.Default()\n\tr.DELETE(\"/deep/:id\", deep)\n\tr.DELETE(\"/near/:id\", near)\n}\n")
	snap := source.Mem{
		"go.mod":  []byte("module example.com/x\n\ngo 1.22\n"),
		"main.go": []byte(chain.String()),
	}
	nearWritesInAnyOrder(t, snap, "DELETE /near/:id", "DELETE /deep/:id")
}

// TestGoGormRecord: a gorm write names the model it stores from its
// argument's struct type (a variable, a pointer literal, a parameter
// slice in a helper); an argument whose type cannot be told names none.
func TestGoGormRecord(t *testing.T) {
	m := buildModel(t, source.Mem{
		"go.mod": []byte("module example.com/x\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgorm.io/gorm v1.25.0\n)\n"),
		"main.go": []byte(`package main

import (
	"example.com/x/models"
	"github.com/gin-gonic/gin"
	"gorm.io/gorm"
)

var db *gorm.DB

func saveTags(tags []models.Tag) { db.Create(&tags) }

func create(c *gin.Context) {
	var u models.User
	c.ShouldBindJSON(&u)
	db.Create(&u)
	n := &models.Note{Body: c.Query("b")}
	db.Create(n)
	saveTags(nil)
	db.Create(pick())
}

func pick() any { return nil }

func main() {
	r := gin.Default()
	r.POST("/x", create)
}
`),
		"models/models.go": []byte("package models\n\ntype User struct{ ID string }\n\ntype Note struct{ Body string }\n\ntype Tag struct{ Name string }\n"),
	})
	var got []string
	for _, x := range m.Effects(context.Background(), entry(t, m, "POST /x")).List {
		if x.Kind == model.WritesData {
			got = append(got, x.Record)
		}
	}
	if want := []string{"User", "Note", "Tag", ""}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records of the gorm writes: %q, want %q", got, want)
	}
}
