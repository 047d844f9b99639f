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
