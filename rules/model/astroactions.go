package model

import (
	"context"
	"fmt"
	"path"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// Astro Actions: src/actions/index.{ts,js} exports `server`, an object
// whose properties are `defineAction({ input, handler })` calls (from
// the virtual module astro:actions) or nested objects of them. Each
// action is called by POST /_actions/<name> (nested names join with
// '.'), through the project's middleware like any on-demand request; its
// handler receives the validated input (whatever the client sends) and
// the APIContext ({ locals, cookies, request, ... }). Actions always run
// on demand: a static build needs an adapter for them and never
// prerenders them.
//
// Sources: https://docs.astro.build/en/guides/actions/ ("src/actions/
// index.ts", "export const server", "handler(input, context)", "Actions
// are accessible as public endpoints based on the name of the action",
// "/_actions/blog.like"), https://docs.astro.build/en/reference/modules/astro-actions/.

// astroActionFiles are the files Astro reads the actions from.
var astroActionFiles = []string{"src/actions/index.ts", "src/actions/index.js", "src/actions/index.mts", "src/actions/index.mjs"}

// astroActions returns the action entries of an Astro package.
func (m *Model) astroActions(ctx context.Context, pk *project.Package) []*Entry {
	for _, rel := range astroActionFiles {
		p := path.Join(pk.Dir, rel)
		if !m.proj.Has(p) {
			continue
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: fmt.Sprintf("not read, so its actions are not listed: %v", err)})
			return nil
		}
		for _, ex := range f.Exports() {
			if ex.Name == "server" && ex.Prop == "" {
				return m.astroActionObject(ctx, f, ex.Value, "", 0)
			}
		}
		return nil
	}
	return nil
}

// astroActionObject lists the actions of an object literal (or a const
// holding one, in f or in the module f imports it from), under the name prefix of the enclosing objects.
func (m *Model) astroActionObject(ctx context.Context, f *jsast.File, obj *jsast.Node, prefix string, depth int) []*Entry {
	obj = jsast.Unwrap(obj)
	if obj != nil && obj.Type == "identifier" && depth < 4 {
		f, obj = m.constValue(ctx, f, f.Text(obj))
	}
	if f == nil || obj == nil || obj.Type != "object" || depth >= 4 {
		return nil
	}
	var out []*Entry
	for _, c := range obj.NamedChildren() {
		var key string
		var v *jsast.Node
		switch c.Type {
		case "pair":
			k, ok := f.StringValue(c.ChildByField("key"))
			if !ok {
				k = f.Text(c.ChildByField("key"))
			}
			key, v = k, jsast.Unwrap(c.ChildByField("value"))
		case "shorthand_property_identifier": // { archive }
			key, v = f.Text(c), c
		case "spread_element": // { ...create }: its actions join this object under the same prefix
			if len(c.NamedChildren()) > 0 {
				out = append(out, m.astroActionObject(ctx, f, c.NamedChildren()[0], prefix, depth+1)...)
			}
			continue
		default:
			continue
		}
		name, at, vf := prefix+key, c, f
		if v != nil && v.Type == "identifier" || v != nil && v.Type == "shorthand_property_identifier" {
			// A const of this module or one it imports (the docs split
			// actions into modules: `import { user } from './user'`):
			// the entry is its definition.
			vf, v = m.constValue(ctx, f, f.Text(v))
			at = v
		}
		switch {
		case vf == nil || v == nil:
		case v.Type == "object":
			out = append(out, m.astroActionObject(ctx, vf, v, name+".", depth+1)...)
		case v.Type == "call_expression" && astroDefineAction(vf, v):
			if e := m.astroAction(ctx, vf, at, v, name); e != nil {
				out = append(out, e)
			}
		}
	}
	return out
}

// astroDefineAction reports whether call is defineAction() from
// astro:actions.
func astroDefineAction(f *jsast.File, call *jsast.Node) bool {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return false
	}
	im, ok := f.ImportOf(f.Text(callee))
	return ok && im.Source == "astro:actions" && im.Imported == "defineAction"
}

// astroAction is the entry of one action: its handler, analysed with the
// input as the client's value and the APIContext.
func (m *Model) astroAction(ctx context.Context, f *jsast.File, pair, call *jsast.Node, name string) *Entry {
	args := jsast.Args(call)
	if len(args) == 0 {
		return nil
	}
	h := f.ObjectProp(args[0], "handler")
	if h == nil {
		return nil
	}
	urlPath := "/_actions/" + name
	base := &Entry{Framework: knowledge.Astro, Path: urlPath, PathKnown: true, File: f.Path}
	e := m.nextEntry(ctx, f, base, name, pair, h)
	e.Kind, e.Methods, e.Params = AstroAction, []string{"POST"}, []ParamRole{ParamClientValue, ParamRequestContext}
	return e
}
