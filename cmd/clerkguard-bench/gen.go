package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// generator writes a synthetic monorepo: mostly ordinary TypeScript and
// JavaScript, with about 1% of files carrying Clerk code (route handlers,
// middleware, webhooks, server actions, env files with generated keys).
type generator struct {
	root     string
	rng      *rand.Rand
	files    int
	bytes    int64
	clerk    int
	targetB  int64
	targetN  int
	clerkPct float64
}

var words = strings.Fields(`user account order invoice product cart item price total amount customer session token
config option value state effect handler request response payload data result error status message event
list map filter reduce sort group index page limit offset cursor query mutation cache store client server
render component layout theme color size width height style button input form field label modal dialog`)

func (g *generator) ident() string {
	a := words[g.rng.IntN(len(words))]
	b := words[g.rng.IntN(len(words))]
	return a + strings.ToUpper(b[:1]) + b[1:]
}

func (g *generator) write(rel, content string) error {
	p := filepath.Join(g.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		return err
	}
	g.files++
	g.bytes += int64(len(content))
	return nil
}

// ordinary returns a plausible TypeScript module of about size bytes.
func (g *generator) ordinary(size int, tsx bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "import { %s, %s } from '../lib/%s'\nimport React from 'react'\nimport _ from 'lodash'\n\n", g.ident(), g.ident(), g.ident())
	for b.Len() < size {
		name := g.ident()
		switch g.rng.IntN(4) {
		case 0:
			fmt.Fprintf(&b, "/**\n * %s computes the %s for the given %s.\n */\nexport function %s(%s: number[], %s = %d): number {\n", name, g.ident(), g.ident(), name, g.ident(), g.ident(), g.rng.IntN(1000))
			for i := 0; i < 3+g.rng.IntN(8); i++ {
				fmt.Fprintf(&b, "  const %s%d = %s.filter((x) => x > %d).map((x) => x * %d)\n", g.ident(), i, g.ident(), g.rng.IntN(100), g.rng.IntN(10))
			}
			fmt.Fprintf(&b, "  return %s.reduce((a, b) => a + b, 0)\n}\n\n", g.ident())
		case 1:
			fmt.Fprintf(&b, "export interface %s {\n", strings.ToUpper(name[:1])+name[1:])
			for i := 0; i < 4+g.rng.IntN(6); i++ {
				fmt.Fprintf(&b, "  %s%d: %s\n", g.ident(), i, []string{"string", "number", "boolean", "Date", "string[]"}[g.rng.IntN(5)])
			}
			b.WriteString("}\n\n")
		case 2:
			if tsx {
				fmt.Fprintf(&b, "export function %s({ %s }: { %s: string }) {\n  const [%s, set%s] = React.useState(0)\n  return (\n    <div className=\"%s\">\n      <span>{%s}</span>\n      <button onClick={() => set%s(%s + 1)}>%s</button>\n    </div>\n  )\n}\n\n",
					strings.ToUpper(name[:1])+name[1:], g.ident(), g.ident(), name, strings.ToUpper(name[:1])+name[1:], g.ident(), g.ident(), strings.ToUpper(name[:1])+name[1:], name, g.ident())
			} else {
				fmt.Fprintf(&b, "export const %s = async (id: string) => {\n  const res = await fetch(`/internal/%s/${id}`)\n  if (!res.ok) throw new Error('failed: ' + res.status)\n  return (await res.json()) as unknown\n}\n\n", name, g.ident())
			}
		default:
			fmt.Fprintf(&b, "// %s %s %s %s\nexport const %s = { %s: %d, %s: '%s', %s: [%d, %d, %d] }\n\n", g.ident(), g.ident(), g.ident(), g.ident(), name, g.ident(), g.rng.IntN(1e6), g.ident(), g.ident(), g.ident(), g.rng.IntN(99), g.rng.IntN(99), g.rng.IntN(99))
		}
	}
	return b.String()
}

const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func (g *generator) key(n int) string {
	out := make([]byte, n)
	for i := range out {
		out[i] = b62[g.rng.IntN(len(b62))]
	}
	return string(out)
}

// clerkFile returns a Clerk-related file for app dir app, cycling through
// the shapes the rules look at.
func (g *generator) clerkFile(app string, i int) (string, string) {
	seg := fmt.Sprintf("%s%d", g.ident(), i)
	switch i % 6 {
	case 0:
		return app + "/app/api/" + seg + "/route.ts", "import { db } from '@/lib/db'\n\nexport async function GET() {\n  return Response.json(await db." + g.ident() + ".findMany())\n}\n"
	case 1:
		return app + "/app/api/" + seg + "/route.ts", "import { auth } from '@clerk/nextjs/server'\nimport { db } from '@/lib/db'\n\nexport async function GET() {\n  const { userId } = await auth()\n  if (!userId) return new Response('Unauthorized', { status: 401 })\n  return Response.json(await db.item.findMany({ where: { userId } }))\n}\n"
	case 2:
		return app + "/app/" + seg + "/actions.ts", "'use server'\nimport { auth } from '@clerk/nextjs/server'\nimport { db } from '@/lib/db'\n\nexport async function remove(id: string) {\n  await db.post.delete({ where: { id } })\n}\n\nexport async function rename(id: string) {\n  const { userId } = await auth.protect()\n  await db.post.update({ where: { id, userId }, data: {} })\n}\n"
	case 3:
		return app + "/app/api/webhooks/" + seg + "/route.ts", "import { verifyWebhook } from '@clerk/nextjs/webhooks'\n\nexport async function POST(req: Request) {\n  try {\n    const evt = await verifyWebhook(req)\n    console.log(evt.type)\n    return new Response('ok')\n  } catch {\n    return new Response('bad', { status: 400 })\n  }\n}\n"
	case 4:
		return app + "/config/" + seg + ".env", "CLERK_SECRET_KEY=sk_" + "test_" + g.key(42) + "\nNEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=pk_" + "test_Zmx1ZW50LWJ1bm55LTEyLmNsZXJrLmFjY291bnRzLmRldiQ\n"
	default:
		return app + "/components/" + seg + ".tsx", "'use client'\nimport { useUser } from '@clerk/nextjs'\n\nexport function Hello() {\n  const { user } = useUser()\n  return <p>Hello {user?.firstName}</p>\n}\n"
	}
}

func (g *generator) run() error {
	apps := 10
	for a := 0; a < apps; a++ {
		app := fmt.Sprintf("apps/web-%d", a)
		if err := g.write(app+"/package.json", `{"name":"web","dependencies":{"next":"15.3.2","@clerk/nextjs":"^6.12.0","react":"19.0.0"}}`); err != nil {
			return err
		}
		mw := "import { clerkMiddleware } from '@clerk/nextjs/server'\n\nexport default clerkMiddleware()\n\nexport const config = {\n  matcher: ['/((?!_next|[^?]*\\\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)', '/(api|trpc)(.*)'],\n}\n"
		if err := g.write(app+"/middleware.ts", mw); err != nil {
			return err
		}
		g.clerk++
	}
	avg := int(g.targetB / int64(g.targetN))
	for i := 0; g.files < g.targetN || g.bytes < g.targetB; i++ {
		if g.rng.Float64() < g.clerkPct {
			p, c := g.clerkFile(fmt.Sprintf("apps/web-%d", i%apps), i)
			if err := g.write(p, c); err != nil {
				return err
			}
			g.clerk++
			continue
		}
		size := avg/2 + g.rng.IntN(avg)
		pkg := fmt.Sprintf("packages/pkg-%03d", i%300)
		tsx := g.rng.IntN(3) == 0
		ext := ".ts"
		if tsx {
			ext = ".tsx"
		} else if g.rng.IntN(4) == 0 {
			ext = ".js"
		}
		p := fmt.Sprintf("%s/src/%s/%s%d%s", pkg, words[i%len(words)], g.ident(), i, ext)
		if err := g.write(p, g.ordinary(size, tsx)); err != nil {
			return err
		}
	}
	return nil
}
