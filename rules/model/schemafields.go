package model

import (
	"context"
	"slices"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// maxSchemaDepth bounds how many definitions a schema is followed through.
const maxSchemaDepth = 8

// bodyFields returns the fields of the request body the handler's route
// validates (a Hono `zValidator('json', schema)` before the handler, so
// `...c.req.valid('json')` carries them), nil when unknown.
func (a *analyzer) bodyFields() []string {
	args := a.fn.Parent
	if args == nil || args.Type != "arguments" || args.Parent == nil {
		return nil
	}
	for _, arg := range jsast.Args(args.Parent) {
		c := jsast.Unwrap(arg)
		if c == nil || c.Type != "call_expression" {
			continue
		}
		src, name, ok := a.f.ImportedCallee(c)
		if !ok {
			continue
		}
		sf, ok := knowledge.SchemaFactOf(src, name)
		cargs := jsast.Args(c)
		if !ok || sf.Role != knowledge.ValidatorSchema || sf.Arg >= len(cargs) || len(cargs) == 0 {
			continue
		}
		if target, _ := a.f.StringValue(cargs[0]); slices.Contains(sf.BodyTargets, target) {
			return a.m.schemaFields(a.ctx, a.f, cargs[sf.Arg], 0)
		}
	}
	return nil
}

// schemaFields returns the field names a schema expression declares:
// an object literal's keys, a zod schema (knowledge.SchemaStepOf), a
// schema generated from a table and the table's columns
// (knowledge.SchemaFactOf), followed through local and imported names.
// nil when unknown.
func (m *Model) schemaFields(ctx context.Context, f *jsast.File, n *jsast.Node, depth int) []string {
	n = jsast.Unwrap(n)
	if n == nil || depth > maxSchemaDepth {
		return nil
	}
	switch n.Type {
	case "object":
		return f.ObjectKeys(n)
	case "identifier":
		if v := f.LocalValue(f.Text(n)); v != nil {
			return m.schemaFields(ctx, f, v, depth+1)
		}
		o, ok, err := m.origin(ctx, f, f.Text(n))
		if err != nil || !ok {
			return nil
		}
		of, v, err := m.originValue(ctx, o)
		if err != nil || v == nil {
			return nil
		}
		return m.schemaFields(ctx, of, v, depth+1)
	case "call_expression":
		args := jsast.Args(n)
		if src, name, ok := f.ImportedCallee(n); ok {
			if sf, ok := knowledge.SchemaFactOf(src, name); ok && sf.Role != knowledge.ValidatorSchema && sf.Arg < len(args) {
				return m.schemaFields(ctx, f, args[sf.Arg], depth+1)
			}
		}
		callee := jsast.Unwrap(n.ChildByField("function"))
		if callee == nil || callee.Type != "member_expression" {
			return nil
		}
		step, ok := knowledge.SchemaStepOf(f.Text(callee.ChildByField("property")))
		if !ok {
			return nil
		}
		var arg []string
		if len(args) > 0 {
			arg = m.schemaFields(ctx, f, args[0], depth+1)
		}
		if step == knowledge.StepInner || step == knowledge.StepOnly {
			return arg
		}
		base := m.schemaFields(ctx, f, callee.ChildByField("object"), depth+1)
		switch step {
		case knowledge.StepWithout:
			return slices.DeleteFunc(slices.Clone(base), func(k string) bool { return slices.Contains(arg, k) })
		case knowledge.StepPlus:
			return append(slices.Clone(base), arg...)
		}
		return base
	}
	return nil
}

// bodySpread passes each field of the validated request body that vals
// (a spread's argument, or a call's argument) hold to check, unless the
// object obj holding the spread sets that field itself.
func (a *analyzer) bodySpread(obj *jsast.Node, vals []*jsast.Node, check func(key string, v *jsast.Node)) {
	if len(vals) != 1 {
		return
	}
	v := jsast.Unwrap(vals[0])
	if v == nil || v.Type != "identifier" {
		return
	}
	if a.classify(v).kind != vRequest {
		if v = a.elementParam(v); v == nil {
			return
		}
	}
	var own []string
	if obj != nil && obj.Type == "object" {
		own = a.f.ObjectKeys(obj)
	}
	for _, k := range a.bodyFields() {
		if !slices.Contains(own, k) {
			check(k, v)
		}
	}
}

// elementParam returns the array the caller chose when the identifier id
// names the element parameter of a callback that builds a record per
// element of it (rows.map((row) => ({ ...row }))): the walk may not have
// bound the parameter yet when the write that takes the records is
// recorded, and the element's fields are the array's. nil otherwise.
func (a *analyzer) elementParam(id *jsast.Node) *jsast.Node {
	for fn := jsast.EnclosingFunction(id); fn != nil && fn != a.fn; fn = jsast.EnclosingFunction(fn) {
		ps := params(fn)
		if len(ps) == 0 || ps[0].Type != "identifier" || a.f.Text(ps[0]) != a.f.Text(id) {
			continue
		}
		if !a.elementRecords(fn) {
			return nil
		}
		return jsast.Unwrap(fn.Parent.Parent.ChildByField("function")).ChildByField("object")
	}
	return nil
}
