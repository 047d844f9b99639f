package webhooks

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// checker is the analysis state of one pass: it reads other files of the
// snapshot through the pass and never touches the disk.
type checker struct {
	pass *rules.Pass
}

// fnRef is a function node with the file it lives in.
type fnRef struct {
	f    *jsast.File
	fn   *jsast.Node
	name string
}

// loc is the location of a node of f.
func loc(f *jsast.File, n *jsast.Node) rules.Location {
	return rules.Location{Path: f.Path, Line: n.Line}
}

// importTarget resolves a (possibly dotted) name used in f to the value it
// is bound to in another file of the repository: `verifyClerkWebhook` from
// '@/lib/webhooks', or `webhooks.verify` from `import * as webhooks`. The
// model's module graph resolves the import (tsconfig paths, workspaces,
// barrels and re-exports). external is set when the name comes from a
// package; unknown when a file on the way could not be read or resolved,
// which callers must not take for "does not verify".
func (c *checker) importTarget(f *jsast.File, name string) (tf *jsast.File, v *jsast.Node, external, unknown bool) {
	segs := strings.Split(name, ".")
	im, ok := f.ImportOf(segs[0])
	if !ok {
		return nil, nil, false, false
	}
	q := segs[0]
	if im.Imported == "*" {
		if len(segs) < 2 {
			return nil, nil, true, false
		}
		q += "." + strings.TrimSuffix(segs[1], "()")
	}
	if c.pass.Model == nil {
		return nil, nil, false, true
	}
	g := c.pass.Model.Modules()
	o, ok, err := g.Origin(c.pass.Ctx, f.Path, q)
	switch {
	case err != nil:
		return nil, nil, false, true
	case !ok:
		return nil, nil, false, false
	case o.Module.Kind == modules.Unknown:
		return nil, nil, false, true
	case o.Module.Kind != modules.File:
		// A package, or a local file the snapshot lacks: nothing to inspect.
		return nil, nil, true, false
	}
	df, _, err := g.Decl(c.pass.Ctx, o)
	if err != nil || df == nil {
		return nil, nil, false, true
	}
	if o.Binding == "" {
		for _, ex := range df.Exports() {
			if ex.Name == o.Name && ex.Value != nil {
				return df, ex.Value, false, false
			}
		}
		return nil, nil, false, false
	}
	if val := df.LocalValue(o.Binding); val != nil {
		return df, val, false, false
	}
	return nil, nil, false, false
}

// functionOf returns the function a value denotes: the value itself, a
// local function it names, or the last argument of a wrapper call
// (`defineEventHandler(fn)`, `withLogging(handler)`).
func functionOf(f *jsast.File, v *jsast.Node) *jsast.Node {
	for i := 0; i < 4 && v != nil; i++ {
		v = jsast.Unwrap(v)
		switch {
		case jsast.IsFunction(v):
			return v
		case v.Type == "identifier":
			lv := f.LocalValue(f.Text(v))
			if lv == nil || lv == v {
				return nil
			}
			v = lv
		case v.Type == "call_expression":
			args := jsast.Args(v)
			if len(args) == 0 {
				return nil
			}
			v = args[len(args)-1]
			if u := jsast.Unwrap(v); u != nil && u.Type == "object" {
				if h := f.ObjectProp(u, "handler"); h != nil {
					v = h
				}
			}
		default:
			return nil
		}
	}
	return nil
}

// calleeFunction resolves the function a call invokes when it is a local
// function of the same file or a function exported by another file of the
// repository. external reports an import from a package; unknown an
// import the module graph could not follow.
func (c *checker) calleeFunction(f *jsast.File, call *jsast.Node) (ref fnRef, external, unknown bool) {
	name := f.CalleeName(call)
	if name == "" {
		return fnRef{}, false, false
	}
	if ref, ok := c.convexTarget(f, call); ok {
		return ref, false, false
	}
	segs := strings.Split(name, ".")
	if len(segs) == 1 {
		if v := f.LocalValue(name); v != nil {
			if fn := functionOf(f, v); fn != nil {
				return fnRef{f: f, fn: fn, name: name}, false, false
			}
			return fnRef{}, false, false
		}
	}
	tf, v, ext, unk := c.importTarget(f, name)
	if ext || unk {
		return fnRef{}, ext, unk
	}
	if tf == nil {
		return fnRef{}, false, false
	}
	if fn := functionOf(tf, v); fn != nil {
		return fnRef{f: tf, fn: fn, name: name}, false, false
	}
	// An imported object: look the method up in its literal.
	if u := jsast.Unwrap(v); u != nil && u.Type == "object" && len(segs) > 1 {
		if fn := functionOf(tf, tf.ObjectProp(u, strings.TrimSuffix(segs[len(segs)-1], "()"))); fn != nil {
			return fnRef{f: tf, fn: fn, name: name}, false, false
		}
	}
	return fnRef{}, false, false
}

// convexTarget resolves `ctx.runAction(internal.clerk.fulfill, args)` to
// the handler of the function it runs, as the model's Convex adapter
// follows it: an httpAction that hands the raw body to an internal action
// verifying it is verified there.
func (c *checker) convexTarget(f *jsast.File, call *jsast.Node) (fnRef, bool) {
	if c.pass.Model == nil {
		return fnRef{}, false
	}
	file, fn, export, ok := c.pass.Model.ConvexCall(c.pass.Ctx, f, call)
	if !ok {
		return fnRef{}, false
	}
	tf := c.pass.AST(c.pass.Get(file))
	if tf == nil {
		return fnRef{}, false
	}
	if fn = nodeAt(tf, fn); fn != nil {
		return fnRef{f: tf, fn: fn, name: export}, true
	}
	return fnRef{}, false
}
