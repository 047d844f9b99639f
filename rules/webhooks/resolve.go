package webhooks

import (
	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	sem "github.com/clerkguard/clerkguard/rules/model"
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

// calleeFunction is the model's answer to "which function does this call
// invoke" (sem.Model.Callee: local and imported functions, namespace and
// object members, factories, Convex ctx.runAction references) as the
// pack's fnRef. external reports a package's export (or a file the
// snapshot lacks); unknown a file the model could not read or resolve,
// which callers must not take for "does not verify".
func (c *checker) calleeFunction(f *jsast.File, call *jsast.Node) (ref fnRef, external, unknown bool) {
	if c.pass.Model == nil {
		return fnRef{}, false, true
	}
	switch r := c.pass.Model.Callee(c.pass.Ctx, f, call); r.Kind {
	case sem.CalleeFunction:
		return fnRef{f: r.File, fn: r.Fn, name: r.Name}, false, false
	case sem.CalleeExternal:
		return fnRef{}, true, false
	case sem.CalleeUnknown:
		return fnRef{}, false, true
	}
	return fnRef{}, false, false
}

// functionOf returns the function an exported value denotes, as the model
// resolves it (sem.Model.Function), or nil.
func (c *checker) functionOf(f *jsast.File, v *jsast.Node) *jsast.Node {
	if c.pass.Model == nil || v == nil {
		return nil
	}
	if r := c.pass.Model.Function(c.pass.Ctx, f, v); r.Kind == sem.CalleeFunction && r.File == f {
		return r.Fn
	}
	return nil
}
