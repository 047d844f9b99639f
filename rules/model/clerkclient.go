package model

import (
	"context"
	"fmt"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// ClerkClient reports whether the value n (a receiver such as `clerk` in
// `clerk.authenticateRequest(req)`, or a call such as
// `getClerk(env)`) is made by a Clerk package: an import of
// `clerkClient`/`createClerkClient`, a local value built by one, an
// application module's exported client, or what an application factory
// returns. It follows the same resolution as the model's effects
// (imports through Modules(), local values, factories' returned values),
// so the name the application gives the client does not matter. It
// returns the Clerk package, and an error when a file on the way could
// not be read: the answer is then unknown, not "no".
func (m *Model) ClerkClient(ctx context.Context, f *jsast.File, n *jsast.Node) (string, bool, error) {
	if m == nil || f == nil || n == nil {
		return "", false, nil
	}
	if v := scopedValue(f, n); v != nil {
		n = v // const client = getClerk(env) inside the handler
	}
	pkg, err := m.clientPackage(ctx, f, n, 0)
	if err != nil {
		return "", false, fmt.Errorf("clerk client in %s: %w", f.Path, err)
	}
	if pkg == "" || !(jsast.IsClerkModule(pkg) || knowledge.IsClerkPackage(pkg)) {
		return "", false, nil
	}
	return pkg, true, nil
}

// ScopedValue returns the value of the nearest declaration of the
// identifier id in the functions around it, or nil (see scopedValue).
func ScopedValue(f *jsast.File, id *jsast.Node) *jsast.Node { return scopedValue(f, id) }

// scopedValue returns the value of the nearest declaration of the
// identifier id in the functions around it (a binding local to a
// handler, which the module-level lookup does not see), or nil.
func scopedValue(f *jsast.File, id *jsast.Node) *jsast.Node {
	id = jsast.Unwrap(id)
	if id == nil || id.Type != "identifier" {
		return nil
	}
	name := f.Text(id)
	for scope := jsast.EnclosingFunction(id); scope != nil; scope = jsast.EnclosingFunction(scope) {
		var val *jsast.Node
		for _, d := range jsast.Find(scope, "variable_declarator") {
			if d.Line <= id.Line && f.Text(d.ChildByField("name")) == name && jsast.EnclosingFunction(d) == scope {
				val = d.ChildByField("value")
			}
		}
		if val != nil {
			return val
		}
	}
	return nil
}
