package project_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

func TestPathCovers(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"", "/x", true},
		{"*", "/x", true},
		{"/", "/x", true},
		{"/api", "/api", true},
		{"/api", "/api/orders", true},
		{"/api/*", "/api/orders", true},
		{"/api", "/apix", false},
		{"/api/orders", "/api", false},
		{"/users/:id", "/users/7/posts", true},
		{"/API", "/api/x", true},
	} {
		if got := project.PathCovers(c.pattern, c.path); got != c.want {
			t.Errorf("PathCovers(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

func parseJS(t *testing.T, name, src string) *jsast.File {
	t.Helper()
	f, err := jsast.Parse(context.Background(), source.NewFile(name, []byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseNodeServerExpress(t *testing.T) {
	f := parseJS(t, "server.js", `
const express = require('express')
const { clerkMiddleware } = require('@clerk/express')
const app = express()
const api = express.Router()
app.get('/health', (req, res) => res.send('ok'))
app.use(clerkMiddleware())
app.use('/api', guard, api)
api.route('/orders').get(list).post(create)
api.get('/me', me)
app.get('env')
`)
	s := project.ParseNodeServer(f)
	if s == nil || len(s.Apps) != 2 {
		t.Fatalf("apps = %+v, want app and api", s)
	}
	app, api := s.Apps[0], s.Apps[1]
	if app.Name != "app" || app.Router || api.Name != "api" || !api.Router {
		t.Fatalf("app=%+v api=%+v", app, api)
	}
	var got []string
	for _, r := range app.Regs {
		got = append(got, r.Method+" "+r.Path)
	}
	want := []string{"GET /health", " ", " /api"}
	if len(got) != len(want) {
		t.Fatalf("app regs = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("app reg %d = %q, want %q", i, got[i], want[i])
		}
	}
	if r := app.Regs[2]; len(r.Args) != 2 || s.AppOf(r.Args[1]) != api {
		t.Errorf("mount args = %d, want guard and router", len(r.Args))
	}
	got = nil
	for _, r := range api.Regs {
		got = append(got, r.Method+" "+r.Path)
	}
	if len(got) != 3 || got[0] != "POST /orders" && got[0] != "GET /orders" || got[2] != "GET /me" {
		t.Errorf("api regs = %q", got)
	}
}

func TestParseNodeServerFastifyAndHono(t *testing.T) {
	f := parseJS(t, "server.ts", `
import Fastify from 'fastify'
const fastify = Fastify()
fastify.register(async (scoped) => {
  scoped.addHook('preHandler', guard)
  scoped.get('/users', list)
}, { prefix: '/admin' })
fastify.route({ method: 'POST', url: '/notes', preHandler: [guard], handler: create })
`)
	s := project.ParseNodeServer(f)
	if s == nil || len(s.Apps) != 2 {
		t.Fatalf("apps = %+v", s)
	}
	child := s.Apps[1]
	if child.Parent != s.Apps[0] || child.Prefix != "/admin" || len(child.Regs) != 2 {
		t.Fatalf("plugin scope = %+v", child)
	}
	route := s.Apps[0].Regs[1]
	if route.Method != "POST" || route.Path != "/notes" || len(route.Middleware()) != 1 || f.Text(route.Handler()) != "create" {
		t.Errorf("fastify route = %+v", route)
	}

	h := parseJS(t, "index.ts", `
import { Hono } from 'hono'
const app = new Hono().basePath('/api')
const posts = new Hono()
posts.get('/', list).post('/', create)
app.route('/posts', posts)
`)
	hs := project.ParseNodeServer(h)
	if hs == nil || len(hs.Apps) != 2 || hs.Apps[0].Prefix != "/api" || !hs.Apps[1].Router || len(hs.Apps[1].Regs) != 2 {
		t.Fatalf("hono model = %+v", hs)
	}
}

// A Hono app declared as one chain: the registrations are the app's, in
// source order, each on the line of its method name.
func TestParseNodeServerHonoChain(t *testing.T) {
	f := parseJS(t, "index.ts", `
import { Hono } from 'hono'
const app = new Hono()
  .use('*', attach())
  .get('/a', a)
  .post('/b', b)
`)
	s := project.ParseNodeServer(f)
	if s == nil || len(s.Apps) != 1 {
		t.Fatalf("apps = %+v", s)
	}
	var got []string
	for _, r := range s.Apps[0].Regs {
		got = append(got, fmt.Sprintf("%d:%s%s@%d", r.Kind, r.Method, r.Path, r.Line))
	}
	if want := "1:*@4 2:GET/a@5 2:POST/b@6"; strings.Join(got, " ") != want {
		t.Errorf("regs = %q, want %q", strings.Join(got, " "), want)
	}
}

// A module of a Fastify package that imports nothing from fastify: its
// exported plugin function is an app.
func TestParseFastifyModule(t *testing.T) {
	f := parseJS(t, "routes.js", `
export default async function routes(app) {
  app.get('/items', list)
}
`)
	if s := project.ParseNodeServer(f); s != nil {
		t.Fatalf("without the package hint: %+v", s)
	}
	s := project.ParseFastifyModule(f)
	if s == nil || len(s.Apps) != 1 || len(s.Apps[0].Regs) != 1 {
		t.Fatalf("plugin module = %+v", s)
	}
}

// A module of a Fastify package whose exported function reads a map is no
// plugin: map.get('key', fallback) is not a route.
func TestParseFastifyModuleNotAPlugin(t *testing.T) {
	f := parseJS(t, "cache.js", `
export function lookup(map, key) {
  return map.get('theme', 'light')
}
`)
	if s := project.ParseFastifyModule(f); s != nil {
		t.Fatalf("a map is not a Fastify instance: %+v", s.Apps[0].Regs)
	}
}
