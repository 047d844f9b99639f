package model_test

import (
	"context"
	"slices"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestRequestNames: the names under which an entry's function and the
// helpers it passes the request to see the request, from the adapter's
// parameter roles, whatever the parameters are called; a function no
// entry passes the request to has none.
func TestRequestNames(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, source.Mem{
		"package.json":  []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0"}}`),
		"tsconfig.json": []byte(`{"compilerOptions": {"paths": {"@/*": ["./*"]}}}`),
		"app/api/hook/route.ts": []byte("import { handle } from '@/lib/hook'\n" +
			"export async function POST(incoming: Request) {\n  return handle('clerk', incoming)\n}\n"),
		"lib/hook.ts": []byte("export async function handle(kind: string, input: Request) {\n  return parse(input)\n}\n" +
			"async function parse(r: Request) {\n  return Response.json(await r.json())\n}\n" +
			"export function unused(req: Request) {\n  return req.json()\n}\n"),
	})
	e := entry(t, m, "POST /api/hook")
	if got := m.RequestNames(ctx, e.FnFile.Path, e.Fn); !slices.Equal(got, []string{"incoming"}) {
		t.Errorf("entry: RequestNames = %v, want [incoming]", got)
	}
	// Follow the calls: handle's second parameter, then parse's first.
	want := map[string][]string{"handle": {"input"}, "parse": {"r"}, "unused": nil}
	var lib *jsast.File
	for _, call := range jsast.Find(e.Fn, "call_expression") {
		if c := m.Callee(ctx, e.FnFile, call); c.Kind == model.CalleeFunction {
			lib = c.File
		}
	}
	if lib == nil {
		t.Fatal("handle not resolved")
	}
	for _, fn := range jsast.Find(lib.Root, "function_declaration") {
		name := lib.Text(fn.ChildByField("name"))
		if got := m.RequestNames(ctx, lib.Path, fn); !slices.Equal(got, want[name]) {
			t.Errorf("%s: RequestNames = %v, want %v", name, got, want[name])
		}
	}
}
