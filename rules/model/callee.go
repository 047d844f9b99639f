package model

import (
	"context"
	"errors"
	"fmt"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// CalleeKind says what the model knows of the function a call invokes.
type CalleeKind int

const (
	// CalleeNone: nothing to follow (a global, a builtin, a method of a
	// value, a binding that is not a function).
	CalleeNone CalleeKind = iota
	// CalleeFunction: a function of the snapshot (Callee.File, Callee.Fn).
	CalleeFunction
	// CalleeExternal: an export of a package (Callee.Package), or of a
	// local module the snapshot lacks: its body cannot be inspected.
	CalleeExternal
	// CalleeUnknown: a file on the way could not be read, parsed or
	// resolved (Callee.Err). Callers must not take it for "does nothing".
	CalleeUnknown
)

// Callee is the function a call invokes.
type Callee struct {
	Kind CalleeKind
	// File and Fn hold the function of a CalleeFunction; Name is how the
	// call names it (`verifyClerkWebhook`, `internal.clerk.fulfill`).
	File *jsast.File
	Fn   *jsast.Node
	Name string
	// Args are the call's arguments that become Fn's parameters (for a
	// Convex ctx.runAction(ref, args), the arguments from the reference).
	Args []*jsast.Node
	// Package is the package and subpath of a CalleeExternal
	// ("@clerk/nextjs/webhooks"; "" for a local module the snapshot
	// lacks).
	Package string
	// Err is the failure behind a CalleeUnknown.
	Err error
}

// Callee resolves the function call invokes, the one answer the model's
// own walk follows: the function a Convex ctx.runAction/runMutation/
// runQuery reference runs, else the function its callee expression
// denotes (Function).
func (m *Model) Callee(ctx context.Context, f *jsast.File, call *jsast.Node) Callee {
	r, args, err := m.callee(ctx, f, call, nil)
	return m.calleeOf(ctx, f, call.ChildByField("function"), r, args, err)
}

// Function resolves an expression used as a function (a callee, an
// exported handler, a middleware): a function literal, a local or
// top-level function, an import followed through the module graph
// (tsconfig paths, workspaces, barrels), a namespace member, an object's
// or class's method, a factory's returned function, a wrapper a package
// builds from a function literal. What it cannot follow is external (a
// package's export), unknown (a read failure), or nothing (a global, a
// value that is not a function).
func (m *Model) Function(ctx context.Context, f *jsast.File, n *jsast.Node) Callee {
	r, err := m.resolveFunc(ctx, f, n, nil, 0)
	return m.calleeOf(ctx, f, n, r, nil, err)
}

// calleeOf is the answer for the expression n of f that resolved to r (or
// failed with err): what the model found, else whether n comes from
// outside the snapshot, could not be followed, or names nothing.
func (m *Model) calleeOf(ctx context.Context, f *jsast.File, n *jsast.Node, r fnRef, args []*jsast.Node, err error) Callee {
	switch {
	case err == nil:
		return Callee{Kind: CalleeFunction, File: r.file, Fn: r.fn, Name: r.name, Args: args}
	case !errors.Is(err, errNotFound):
		return Callee{Kind: CalleeUnknown, Err: err}
	}
	root := rootIdent(n)
	if root == nil {
		return Callee{}
	}
	name := f.Text(root)
	if _, ok := f.ImportOf(name); !ok {
		if im, ok := f.DynamicImportOf(name); ok && !isLocalSpec(im.Source) {
			return Callee{Kind: CalleeExternal, Package: im.Source} // await import('svix')
		}
		return Callee{}
	}
	// An import that led to no function: the module graph says whether
	// it leaves the snapshot (a package, a file the snapshot lacks), could
	// not be resolved, or declares something else (nothing to follow).
	o, ok, err := m.origin(ctx, f, name)
	switch {
	case err != nil:
		return Callee{Kind: CalleeUnknown, Err: err}
	case !ok || o.Module.Kind == modules.File:
		return Callee{}
	case o.Module.Kind == modules.Unknown:
		return Callee{Kind: CalleeUnknown, Err: fmt.Errorf("follow %s in %s: unresolved", name, f.Path)}
	}
	return Callee{Kind: CalleeExternal, Package: o.Module.Package + o.Module.Subpath}
}

// callee resolves the function a call invokes and the arguments its
// parameters receive; locals are the calling function's nested
// functions. errNotFound says there is nothing to follow; any other
// error is a read failure.
func (m *Model) callee(ctx context.Context, f *jsast.File, call *jsast.Node, locals map[string]*jsast.Node) (fnRef, []*jsast.Node, error) {
	if r, args, ok := m.convexCallTarget(ctx, f, call); ok {
		return r, args, nil
	}
	r, err := m.resolveFunc(ctx, f, call.ChildByField("function"), locals, 0)
	if err != nil {
		return fnRef{}, nil, err
	}
	return r, jsast.Args(call), nil
}

// Value returns the node an expression evaluates to as far as the model
// follows bindings: a local binding's value, or the value an import is
// bound to in another file of the snapshot (`export const wh = new
// Webhook(secret)`), with the file that holds it. nil without an error
// when it leaves the snapshot (a package) or names nothing.
func (m *Model) Value(ctx context.Context, f *jsast.File, n *jsast.Node) (*jsast.File, *jsast.Node, error) {
	return m.objectValue(ctx, f, n, 0)
}
