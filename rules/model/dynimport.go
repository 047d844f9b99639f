package model

import (
	"context"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// dynamicImport reports whether name is bound from an awaited dynamic
// import of the analyzed file (`const { getDb } = await import('./db')`,
// `const db = await import('./db')`): the binding is the module's export,
// which the module graph follows like a static import's.
func (a *analyzer) dynamicImport(name string) bool {
	_, ok := a.f.DynamicImportOf(name)
	return ok
}

// dynamicImportExport returns where the export prop of a module loaded by
// the awaited dynamic import obj comes from
// (`(await import('../lib/db')).getDb`): ok is false when obj is no such
// import or the module is not a file of the snapshot.
func (m *Model) dynamicImportExport(ctx context.Context, f *jsast.File, obj *jsast.Node, prop string) (modules.Origin, bool, error) {
	x := jsast.Unwrap(obj)
	if x == nil || x.Type != "call_expression" || f.Text(x.ChildByField("function")) != "import" {
		return modules.Origin{}, false, nil
	}
	args := jsast.Args(x)
	if len(args) != 1 {
		return modules.Origin{}, false, nil
	}
	spec, ok := f.StringValue(args[0])
	if !ok {
		return modules.Origin{}, false, nil
	}
	res, err := m.graph.Resolve(ctx, f.Path, spec)
	if err != nil || res.Kind != modules.File {
		return modules.Origin{}, false, err
	}
	return m.graph.ExportOrigin(ctx, res.Path, prop)
}

// dynamicImportCall reports whether callee is a member of an awaited
// dynamic import: (await import('../lib/db')).getDb.
func dynamicImportCall(f *jsast.File, callee *jsast.Node) bool {
	c := jsast.Unwrap(callee)
	if c == nil || c.Type != "member_expression" {
		return false
	}
	x := jsast.Unwrap(c.ChildByField("object"))
	return x != nil && x.Type == "call_expression" && f.Text(x.ChildByField("function")) == "import"
}
