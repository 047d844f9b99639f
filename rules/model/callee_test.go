package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

var calleeApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0"}}`),
	"lib/service.ts": []byte(`class Service {
  check(req: Request) { return req.headers.get('x') }
}
export const service = new Service()`),
	"lib/verify.ts": []byte(`export async function verifyHook(req: Request) { return req.text() }`),
	"convex/http.ts": []byte(`import { httpAction } from './_generated/server'
import { internal } from './_generated/api'
export const hook = httpAction(async (ctx, req) => {
  await ctx.runAction(internal.clerk.fulfill, { payload: await req.text() })
  return new Response(null)
})`),
	"convex/clerk.ts": []byte(`import { internalAction } from './_generated/server'
export const fulfill = internalAction({ args: {}, handler: async (ctx, { payload }) => payload })`),
	"app/api/hook/route.ts": []byte(`import { verifyHook } from '../../../lib/verify'
import { service } from '../../../lib/service'
import { verifyWebhook } from '@clerk/nextjs/webhooks'
export async function POST(req: Request) {
  await verifyHook(req)
  service.check(req)
  await verifyWebhook(req)
  parseInt('1')
  return new Response('ok')
}`),
}

// calls returns the calls of a file by callee text.
func calls(t *testing.T, snap source.Mem, p string) (*jsast.File, map[string]*jsast.Node) {
	t.Helper()
	f, err := jsast.Parse(context.Background(), source.NewFile(p, snap[p]))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsast.Node{}
	for _, c := range f.Calls(f.Root, func(string) bool { return true }) {
		out[f.Text(c.ChildByField("function"))] = c
	}
	return f, out
}

// TestCallee: the one answer to "which function does this call invoke":
// an imported function, a class method of an imported instance, a Convex
// reference's handler, a package export, nothing for a global, and
// unknown (never "nothing") when the file on the way cannot be read.
func TestCallee(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, calleeApp)
	f, cs := calls(t, calleeApp, "app/api/hook/route.ts")
	for _, tc := range []struct {
		call string
		kind model.CalleeKind
		file string
		line int
	}{
		{"verifyHook", model.CalleeFunction, "lib/verify.ts", 1},
		{"service.check", model.CalleeFunction, "lib/service.ts", 2},
		{"verifyWebhook", model.CalleeExternal, "", 0},
		{"parseInt", model.CalleeNone, "", 0},
	} {
		c := m.Callee(ctx, f, cs[tc.call])
		if c.Kind != tc.kind {
			t.Errorf("%s: kind %d (%v), want %d", tc.call, c.Kind, c.Err, tc.kind)
			continue
		}
		if tc.kind == model.CalleeExternal && c.Package != "@clerk/nextjs/webhooks" {
			t.Errorf("%s: package %q", tc.call, c.Package)
		}
		if tc.file != "" && (c.File.Path != tc.file || c.Fn.Line != tc.line) {
			t.Errorf("%s: %s:%d, want %s:%d", tc.call, c.File.Path, c.Fn.Line, tc.file, tc.line)
		}
	}
	cf, ccs := calls(t, calleeApp, "convex/http.ts")
	if c := m.Callee(ctx, cf, ccs["ctx.runAction"]); c.Kind != model.CalleeFunction || c.File.Path != "convex/clerk.ts" || len(c.Args) != 2 {
		t.Errorf("ctx.runAction: %+v, want the handler of convex/clerk.ts with the reference's arguments", c)
	}

	m = buildModel(t, failingFiles{Mem: calleeApp, fail: map[string]bool{"lib/verify.ts": true}})
	f, cs = calls(t, calleeApp, "app/api/hook/route.ts")
	if c := m.Callee(ctx, f, cs["verifyHook"]); c.Kind != model.CalleeUnknown || c.Err == nil {
		t.Errorf("unreadable helper: kind %d, want unknown with its error", c.Kind)
	}
}
