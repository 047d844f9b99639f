package model

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// fnRef is a function found by name, and the file that holds it.
type fnRef struct {
	file *jsast.File
	fn   *jsast.Node
	name string
}

func (r fnRef) loc() Location {
	if r.fn == nil {
		return Location{}
	}
	return Location{File: r.file.Path, Line: r.fn.Line}
}

// errNotFound is returned by resolution that found nothing to follow (a
// global, a package export, a value that is not a function): not a read
// failure.
var errNotFound = errors.New("not found")

// origin returns where a top-level binding of the file comes from: a file
// and the export (or local binding) that declares it, or a package.
func (m *Model) origin(ctx context.Context, f *jsast.File, name string) (modules.Origin, bool, error) {
	o, ok, err := m.graph.Origin(ctx, f.Path, name)
	if err != nil {
		return modules.Origin{}, false, fmt.Errorf("follow %s in %s: %w", name, f.Path, err)
	}
	return o, ok, nil
}

// originValue returns the declared value of a file origin: the exported
// expression, function or class, or the value of the local binding.
func (m *Model) originValue(ctx context.Context, o modules.Origin) (*jsast.File, *jsast.Node, error) {
	if o.Module.Kind != modules.File {
		return nil, nil, nil
	}
	f, err := m.parse(ctx, o.Module.Path)
	if err != nil {
		return nil, nil, err
	}
	if o.Name != "" && o.Name != "*" {
		for _, ex := range f.Exports() {
			if ex.Name == o.Name {
				return f, ex.Value, nil
			}
		}
	}
	if o.Binding != "" {
		if v := f.LocalValue(o.Binding); v != nil {
			return f, v, nil
		}
		if c := classDecl(f, o.Binding); c != nil {
			return f, c, nil
		}
	}
	return f, nil, nil
}

// classDecl returns the top-level class declaration named name.
func classDecl(f *jsast.File, name string) *jsast.Node {
	for _, st := range f.Root.Children {
		d := st
		if st.Type == "export_statement" {
			if x := st.ChildByField("declaration"); x != nil {
				d = x
			}
		}
		if (d.Type == "class_declaration" || d.Type == "abstract_class_declaration") && f.Text(d.ChildByField("name")) == name {
			return d
		}
		if d.Type == "lexical_declaration" || d.Type == "variable_declaration" {
			for _, vd := range d.NamedChildren() {
				if vd.Type == "variable_declarator" && f.Text(vd.ChildByField("name")) == name {
					if v := jsast.Unwrap(vd.ChildByField("value")); v != nil && v.Type == "class" {
						return v
					}
				}
			}
		}
	}
	return nil
}

// classMethod returns the method called name of a class node.
func classMethod(f *jsast.File, class *jsast.Node, name string) *jsast.Node {
	body := class.ChildByField("body")
	if body == nil {
		return nil
	}
	for _, c := range body.NamedChildren() {
		switch c.Type {
		case "method_definition":
			if f.Text(c.ChildByField("name")) == name {
				return c
			}
		case "public_field_definition", "field_definition":
			// list = async (req, res) => {...}
			n := c.ChildByField("name")
			if n == nil {
				n = c.ChildByField("property")
			}
			if n != nil && f.Text(n) == name {
				if v := jsast.Unwrap(c.ChildByField("value")); jsast.IsFunction(v) {
					return v
				}
			}
		}
	}
	return nil
}

// resolveFunc resolves an expression used as a function (a callee, a
// handler, a middleware) to a function node: function literals, local
// and top-level functions, imports followed through the import graph,
// `ns.fn` of a namespace import or require, methods of an object, class
// or class instance, and functions returned by a factory call. locals
// are the enclosing function's own nested functions. A read failure is
// returned as an error; errNotFound says there is nothing to follow.
func (m *Model) resolveFunc(ctx context.Context, f *jsast.File, n *jsast.Node, locals map[string]*jsast.Node, depth int) (fnRef, error) {
	n = jsast.Unwrap(n)
	if n == nil || depth > MaxWrapperDepth {
		return fnRef{}, errNotFound
	}
	if err := ctx.Err(); err != nil {
		return fnRef{}, err
	}
	if jsast.IsFunction(n) {
		return fnRef{file: f, fn: n, name: jsast.FunctionName(f, n)}, nil
	}
	switch n.Type {
	case "identifier", "shorthand_property_identifier": // { list, show }: the binding of that name
		name := f.Text(n)
		if fn, ok := locals[name]; ok {
			return m.resolveFunc(ctx, f, fn, nil, depth+1)
		}
		if v := f.LocalValue(name); v != nil {
			r, err := m.resolveFunc(ctx, f, v, nil, depth+1)
			if err == nil && (r.name == "" || r.name == "anonymous function") {
				r.name = name
			}
			return r, err
		}
		return m.resolveImported(ctx, f, name, depth)
	case "member_expression":
		return m.resolveMember(ctx, f, n, locals, depth)
	case "call_expression":
		// fn.bind(x) is fn.
		if fnNode := jsast.Unwrap(n.ChildByField("function")); fnNode != nil && fnNode.Type == "member_expression" &&
			f.Text(fnNode.ChildByField("property")) == "bind" {
			return m.resolveFunc(ctx, f, fnNode.ChildByField("object"), locals, depth+1)
		}
		// A factory: guard() returning the middleware function.
		callee, err := m.resolveFunc(ctx, f, n.ChildByField("function"), locals, depth+1)
		if errors.Is(err, errNotFound) {
			// A package helper given one function builds what runs from it
			// (createMiddleware(async (c, next) => ...) of hono/factory,
			// asyncHandler(fn)): the model cannot see into the package, so
			// the function is what it follows.
			if fn := soleFunctionArg(n); fn != nil && externalOf(f, rootIdent(n.ChildByField("function"))) != "" {
				return fnRef{file: f, fn: fn, name: jsast.FunctionName(f, fn)}, nil
			}
		}
		if err != nil {
			return fnRef{}, err
		}
		if ret := returnedFunction(callee.fn); ret != nil {
			if jsast.IsFunction(ret) {
				return fnRef{file: callee.file, fn: ret, name: callee.name}, nil
			}
			r, err := m.resolveFunc(ctx, callee.file, ret, nestedFuncs(callee.file, callee.fn), depth+1)
			if err == nil {
				r.name = callee.name
			}
			return r, err
		}
		return fnRef{}, errNotFound
	}
	return fnRef{}, errNotFound
}

// soleFunctionArg returns the only argument of a call when it is a
// function literal.
func soleFunctionArg(call *jsast.Node) *jsast.Node {
	args := jsast.Args(call)
	if len(args) != 1 {
		return nil
	}
	if a := jsast.Unwrap(args[0]); jsast.IsFunction(a) {
		return a
	}
	return nil
}

func (m *Model) resolveImported(ctx context.Context, f *jsast.File, name string, depth int) (fnRef, error) {
	o, ok, err := m.origin(ctx, f, name)
	if err != nil {
		return fnRef{}, err
	}
	if !ok {
		return m.autoImported(ctx, f, name, depth) // a framework's auto-imports (Nitro's server/utils)
	}
	if o.Module.Kind != modules.File {
		return fnRef{}, errNotFound
	}
	of, v, err := m.originValue(ctx, o)
	if err != nil {
		return fnRef{}, err
	}
	if v == nil {
		return fnRef{}, errNotFound
	}
	r, err := m.resolveFunc(ctx, of, v, nil, depth+1)
	if err == nil {
		r.name = name
	}
	return r, err
}

// resolveMember resolves obj.prop.
func (m *Model) resolveMember(ctx context.Context, f *jsast.File, n *jsast.Node, locals map[string]*jsast.Node, depth int) (fnRef, error) {
	obj := jsast.Unwrap(n.ChildByField("object"))
	prop := f.Text(n.ChildByField("property"))
	if obj == nil || prop == "" {
		return fnRef{}, errNotFound
	}
	if obj.Type == "identifier" {
		name := f.Text(obj)
		// A namespace import or require: follow ns.prop as an export.
		if im, ok := f.ImportOf(name); ok && im.Imported == "*" {
			o, ok, err := m.origin(ctx, f, name+"."+prop)
			if err != nil {
				return fnRef{}, err
			}
			if ok && o.Module.Kind == modules.File {
				of, v, err := m.originValue(ctx, o)
				if err != nil {
					return fnRef{}, err
				}
				if v != nil {
					r, err := m.resolveFunc(ctx, of, v, nil, depth+1)
					if err == nil {
						r.name = name + "." + prop
					}
					return r, err
				}
			}
		}
	}
	// (await import('../lib/db')).getDb: the module's export.
	if o, ok, err := m.dynamicImportExport(ctx, f, obj, prop); err != nil || ok && o.Module.Kind == modules.File {
		if err != nil {
			return fnRef{}, err
		}
		of, v, err := m.originValue(ctx, o)
		if err != nil || v == nil {
			if err == nil {
				err = errNotFound
			}
			return fnRef{}, err
		}
		return m.resolveFunc(ctx, of, v, nil, depth+1)
	}
	// Otherwise: the object's value (this.<field> of the instance ctx
	// carries: the constructor argument), then its member.
	of, ov, err := m.thisField(ctx, f, obj)
	if err == nil && ov == nil {
		of, ov, err = m.objectValue(ctx, f, obj, depth+1)
	}
	if err != nil || ov == nil {
		if err == nil {
			err = errNotFound
		}
		return fnRef{}, err
	}
	r, err := m.memberOf(ctx, of, ov, prop, depth+1)
	if err == nil {
		r.name = f.Text(obj) + "." + prop
	}
	return r, err
}

// objectValue returns the node an expression evaluates to, as far as it
// can be followed: a local or imported binding's value.
func (m *Model) objectValue(ctx context.Context, f *jsast.File, n *jsast.Node, depth int) (*jsast.File, *jsast.Node, error) {
	n = jsast.Unwrap(n)
	if n == nil || depth > MaxWrapperDepth {
		return nil, nil, nil
	}
	if n.Type != "identifier" && n.Type != "shorthand_property_identifier" {
		return f, n, nil
	}
	name := f.Text(n)
	if v := f.LocalValue(name); v != nil {
		return m.objectValue(ctx, f, v, depth+1)
	}
	if c := classDecl(f, name); c != nil {
		return f, c, nil
	}
	o, ok, err := m.origin(ctx, f, name)
	if err != nil || !ok || o.Module.Kind != modules.File {
		return nil, nil, err
	}
	of, v, err := m.originValue(ctx, o)
	if err != nil || v == nil {
		return nil, nil, err
	}
	return m.objectValue(ctx, of, v, depth+1)
}

// memberOf returns the function held by property prop of an object node:
// an object literal's property, a class's (static) method, the method of
// the class a `new` expression instantiates.
func (m *Model) memberOf(ctx context.Context, f *jsast.File, obj *jsast.Node, prop string, depth int) (fnRef, error) {
	obj = jsast.Unwrap(obj)
	if obj == nil || depth > MaxWrapperDepth {
		return fnRef{}, errNotFound
	}
	switch obj.Type {
	case "object":
		if v := f.ObjectProp(obj, prop); v != nil {
			return m.resolveFunc(ctx, f, v, nil, depth+1)
		}
		// { list, show } shorthand is covered by ObjectProp; methods too.
		for _, c := range obj.NamedChildren() {
			if c.Type == "method_definition" && f.Text(c.ChildByField("name")) == prop {
				return fnRef{file: f, fn: c, name: prop}, nil
			}
		}
	case "class_declaration", "class", "abstract_class_declaration":
		if r := m.classMember(ctx, f, obj, prop, 0); r.fn != nil {
			return r, nil
		}
	case "new_expression":
		cf, cls, err := m.objectValue(ctx, f, obj.ChildByField("constructor"), depth+1)
		if err != nil {
			return fnRef{}, err
		}
		if cls != nil {
			return m.memberOf(ctx, cf, cls, prop, depth+1)
		}
	}
	return fnRef{}, errNotFound
}

// returnedFunction returns what a factory function returns: its
// expression body, or the value of its last top-level return statement.
func returnedFunction(fn *jsast.Node) *jsast.Node {
	body := jsast.FunctionBody(fn)
	if body == nil {
		return nil
	}
	if body.Type != "statement_block" {
		return jsast.Unwrap(body)
	}
	var ret *jsast.Node
	for _, st := range body.NamedChildren() {
		if st.Type == "return_statement" {
			if c := st.NamedChildren(); len(c) > 0 {
				ret = jsast.Unwrap(c[0])
			}
		}
	}
	return ret
}

// nestedFuncs returns the functions a function body declares at its top
// level: function declarations and constants bound to function literals.
func nestedFuncs(f *jsast.File, fn *jsast.Node) map[string]*jsast.Node {
	body := jsast.FunctionBody(fn)
	if fn != nil && fn.Type == "program" {
		body = fn // a module run per request (an Astro page's frontmatter)
	}
	if body == nil || body.Type != "statement_block" && body.Type != "program" {
		return map[string]*jsast.Node{}
	}
	out := map[string]*jsast.Node{}
	for _, st := range body.NamedChildren() {
		switch st.Type {
		case "function_declaration", "generator_function_declaration":
			if n := st.ChildByField("name"); n != nil {
				out[f.Text(n)] = st
			}
		case "lexical_declaration", "variable_declaration":
			for _, d := range st.NamedChildren() {
				if d.Type != "variable_declarator" {
					continue
				}
				if v := jsast.Unwrap(d.ChildByField("value")); jsast.IsFunction(v) {
					out[f.Text(d.ChildByField("name"))] = v
				}
			}
		}
	}
	return out
}

// clientPackage returns the data library a receiver expression is a
// client of: the package its value is created by, followed through local
// and imported bindings (lib/db.ts: export const db = new PrismaClient())
// and through property chains (db.user -> db).
func (m *Model) clientPackage(ctx context.Context, f *jsast.File, n *jsast.Node, depth int) (string, error) {
	n = jsast.Unwrap(n)
	if n == nil || depth > MaxWrapperDepth {
		return "", nil
	}
	if jsast.IsFunction(n) {
		// getClient().emails.send(): what the getter returns.
		if ret := returnedFunction(n); ret != nil && !jsast.IsFunction(ret) {
			return m.clientPackage(ctx, f, ret, depth+1)
		}
		return "", nil
	}
	switch n.Type {
	case "identifier":
		name := f.Text(n)
		if v := jsast.Unwrap(f.LocalValue(name)); v != nil && !(v.Type == "call_expression" && f.CalleeName(v) == "require") {
			// (const x = require('pkg') is an import: the graph's origin below.)
			switch {
			case v.Type == "null" || v.Type == "undefined":
				// let client = null; ... client = new Resend(key): a lazy singleton.
				if a := moduleAssignment(f, name); a != nil {
					return m.clientPackage(ctx, f, a, depth+1)
				}
				return "", nil
			}
			return m.clientPackage(ctx, f, v, depth+1)
		}
		o, ok, err := m.origin(ctx, f, name)
		if err != nil {
			return "", err
		}
		if !ok {
			// A framework's auto-import (Nitro's server/utils).
			if uf, v, err := m.autoImportedValue(ctx, f, name); err != nil || v != nil {
				if err != nil {
					return "", err
				}
				return m.clientPackage(ctx, uf, v, depth+1)
			}
			return "", nil
		}
		switch o.Module.Kind {
		case modules.External:
			return o.Module.Package + o.Module.Subpath, nil
		case modules.File:
			of, v, err := m.originValue(ctx, o)
			if err != nil || v == nil {
				return "", err
			}
			return m.clientPackage(ctx, of, v, depth+1)
		}
	case "call_expression", "new_expression":
		callee := n.ChildByField("function")
		if n.Type == "new_expression" {
			callee = n.ChildByField("constructor")
		}
		root := rootIdent(callee)
		if root == nil && !dynamicImportCall(f, callee) {
			return "", nil
		}
		if root != nil {
			if pkg, err := m.clientPackage(ctx, f, root, depth+1); err != nil || pkg != "" {
				return pkg, err
			}
		}
		// A local factory (createClient() in lib/supabase.ts): what it returns.
		r, err := m.resolveFunc(ctx, f, callee, nil, depth+1)
		if err != nil {
			if errors.Is(err, errNotFound) {
				return "", nil
			}
			return "", err
		}
		if ret := returnedFunction(r.fn); ret != nil && !jsast.IsFunction(ret) {
			return m.clientPackage(ctx, r.file, ret, depth+1)
		}
	case "member_expression", "subscript_expression":
		return m.clientPackage(ctx, f, n.ChildByField("object"), depth+1)
	case "binary_expression":
		// globalThis.prisma || new PrismaClient()
		for _, side := range []string{"left", "right"} {
			if pkg, err := m.clientPackage(ctx, f, n.ChildByField(side), depth+1); err != nil || pkg != "" {
				return pkg, err
			}
		}
	case "ternary_expression":
		for _, side := range []string{"consequence", "alternative"} {
			if pkg, err := m.clientPackage(ctx, f, n.ChildByField(side), depth+1); err != nil || pkg != "" {
				return pkg, err
			}
		}
	}
	return "", nil
}

// rootIdent returns the first identifier of a member/call chain.
func rootIdent(n *jsast.Node) *jsast.Node {
	for n = jsast.Unwrap(n); n != nil; n = jsast.Unwrap(n) {
		switch n.Type {
		case "identifier", "this":
			return n
		case "member_expression", "subscript_expression":
			n = n.ChildByField("object")
		case "call_expression":
			n = n.ChildByField("function")
		default:
			return nil
		}
	}
	return nil
}

// rootName is the first identifier of a dotted callee name.
func rootName(name string) string { return jsast.FirstSegment(name) }

// clerkExportOf returns the Clerk export a local name refers to ("auth",
// "currentUser", "clerkClient"), following the import graph through the
// application's own re-exports, and the Clerk package it comes from. A
// name bound from an awaited dynamic import of a Clerk package counts as
// imported from it.
func (m *Model) clerkExportOf(ctx context.Context, f *jsast.File, local string) (name, pkg string) {
	if im, ok := f.DynamicImportOf(local); ok && !isLocalSpec(im.Source) { // const { auth } = await import('@clerk/…/server')
		if _, static := f.ImportOf(local); !static && (jsast.IsClerkModule(im.Source) || knowledge.IsClerkPackage(im.Source)) {
			return im.Imported, im.Source
		}
	}
	if im, ok := f.ImportOf(local); ok {
		if jsast.IsClerkModule(im.Source) || knowledge.IsClerkPackage(im.Source) {
			return im.Imported, im.Source
		}
		if !strings.HasPrefix(im.Source, ".") && !strings.HasPrefix(im.Source, "@/") && !strings.HasPrefix(im.Source, "~/") &&
			!strings.HasPrefix(im.Source, "#") && !strings.HasPrefix(im.Source, "$") {
			return "", ""
		}
		o, ok, err := m.graph.Origin(ctx, f.Path, local)
		if err == nil && ok && o.Module.Kind == modules.External && jsast.IsClerkModule(o.Module.Package) {
			return o.Name, o.Module.Package + o.Module.Subpath
		}
	}
	return "", ""
}

// moduleAssignment returns the value of the first `name = value`
// assignment in a file (a module variable initialised lazily).
func moduleAssignment(f *jsast.File, name string) *jsast.Node {
	for _, as := range jsast.Find(f.Root, "assignment_expression") {
		if l := as.ChildByField("left"); l != nil && l.Type == "identifier" && f.Text(l) == name {
			return as.ChildByField("right")
		}
	}
	return nil
}
