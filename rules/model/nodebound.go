package model

import (
	"context"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// boundLayer classifies a middleware registered by a name bound to the
// call that made it (`const gate = requireAuth()` in the same file, or
// exported from the application's own module and imported or required):
// the layer is Clerk's middleware that call returns. Only Clerk's
// middleware is taken this way; any other value keeps the caller's
// classification.
func (m *Model) boundLayer(ctx context.Context, st *nodeStyle, f *jsast.File, n *jsast.Node, via Via) (Layer, bool) {
	if n == nil || n.Type != "identifier" {
		return Layer{}, false
	}
	name := f.Text(n)
	vf, v := f, jsast.Unwrap(f.LocalValue(name))
	if v == nil {
		o, ok, err := m.graph.Origin(ctx, f.Path, name)
		if err != nil || !ok || o.Module.Kind != modules.File {
			return Layer{}, false
		}
		of, ov, err := m.originValue(ctx, o)
		if err != nil || ov == nil {
			return Layer{}, false
		}
		vf, v = of, jsast.Unwrap(ov)
	}
	if v == nil || v.Type != "call_expression" || !constBinding(vf, v) {
		return Layer{}, false
	}
	l := m.nodeLayer(ctx, st, vf, v, via)
	if l.Clerk == "" {
		return Layer{}, false
	}
	l.Name = clip(name, 40)
	return l, true
}
