package jsast

import "strings"

// Import is one imported binding.
type Import struct {
	Source   string // module specifier, e.g. "@clerk/nextjs/server"
	Imported string // exported name; "default" or "*" for default and namespace imports
	Local    string // local binding name
	TypeOnly bool
	Node     *Node
}

// Imports returns the file's static imports and top-level require() bindings.
func (f *File) Imports() []Import {
	var out []Import
	for _, st := range f.Root.Children {
		switch st.Type {
		case "import_statement":
			src, _ := f.StringValue(st.ChildByField("source"))
			typeOnly := st.HasChild("type")
			for _, c := range st.NamedChildren() {
				if c.Type != "import_clause" {
					continue
				}
				for _, ic := range c.NamedChildren() {
					switch ic.Type {
					case "identifier":
						out = append(out, Import{Source: src, Imported: "default", Local: f.Text(ic), TypeOnly: typeOnly, Node: st})
					case "namespace_import":
						for _, id := range ic.NamedChildren() {
							out = append(out, Import{Source: src, Imported: "*", Local: f.Text(id), TypeOnly: typeOnly, Node: st})
						}
					case "named_imports":
						for _, spec := range ic.NamedChildren() {
							if spec.Type != "import_specifier" {
								continue
							}
							name := f.Text(spec.ChildByField("name"))
							local := name
							if a := spec.ChildByField("alias"); a != nil {
								local = f.Text(a)
							}
							out = append(out, Import{Source: src, Imported: name, Local: local,
								TypeOnly: typeOnly || spec.HasChild("type"), Node: st})
						}
					}
				}
			}
		case "lexical_declaration", "variable_declaration":
			for _, d := range st.NamedChildren() {
				if d.Type != "variable_declarator" {
					continue
				}
				v := Unwrap(d.ChildByField("value"))
				if v == nil || v.Type != "call_expression" || f.CalleeName(v) != "require" {
					continue
				}
				args := Args(v)
				if len(args) == 0 {
					continue
				}
				src, ok := f.StringValue(args[0])
				if !ok {
					continue
				}
				name := d.ChildByField("name")
				switch name.Type {
				case "identifier":
					out = append(out, Import{Source: src, Imported: "*", Local: f.Text(name), Node: st})
				case "object_pattern":
					for _, p := range name.NamedChildren() {
						switch p.Type {
						case "shorthand_property_identifier_pattern":
							out = append(out, Import{Source: src, Imported: f.Text(p), Local: f.Text(p), Node: st})
						case "pair_pattern":
							out = append(out, Import{Source: src, Imported: f.Text(p.ChildByField("key")),
								Local: f.Text(p.ChildByField("value")), Node: st})
						}
					}
				}
			}
		}
	}
	return out
}

// ImportOf returns the import that binds local, if any.
func (f *File) ImportOf(local string) (Import, bool) {
	for _, im := range f.Imports() {
		if im.Local == local && !im.TypeOnly {
			return im, true
		}
	}
	return Import{}, false
}

// ImportsFrom reports whether the file has a value import from a module
// whose specifier satisfies match.
func (f *File) ImportsFrom(match func(src string) bool) bool {
	for _, im := range f.Imports() {
		if !im.TypeOnly && match(im.Source) {
			return true
		}
	}
	return false
}

// IsClerkModule reports whether a module specifier is a Clerk SDK package.
func IsClerkModule(src string) bool {
	return strings.HasPrefix(src, "@clerk/") || strings.HasPrefix(src, "@hono/clerk-auth") ||
		src == "svelte-clerk" || strings.HasPrefix(src, "svelte-clerk/")
}

// ResolveClerk returns the Clerk export that local refers to when it was
// imported from a Clerk package ("auth", "clerkMiddleware", ...), following
// aliases. It returns "" otherwise.
func (f *File) ResolveClerk(local string) string {
	if im, ok := f.ImportOf(local); ok && IsClerkModule(im.Source) {
		return im.Imported
	}
	return ""
}

// Directive returns the file-level directive ("use server", "use client"),
// or "".
func (f *File) Directive() string { return directiveOf(f, f.Root) }

// FunctionDirective returns the directive at the top of a function body.
func (f *File) FunctionDirective(fn *Node) string {
	body := fn.ChildByField("body")
	if body == nil || body.Type != "statement_block" {
		return ""
	}
	return directiveOf(f, body)
}

func directiveOf(f *File, block *Node) string {
	for _, st := range block.NamedChildren() {
		if st.Type != "expression_statement" {
			return ""
		}
		v, ok := f.StringValue(st.NamedChildren()[0])
		if !ok {
			return ""
		}
		if v == "use server" || v == "use client" {
			return v
		}
	}
	return ""
}

// Export is one exported binding.
type Export struct {
	Name  string // "default" for the default export
	Value *Node  // the function node when resolvable, else the exported expression
	Stmt  *Node  // the export statement, used as the report position
	// Prop is the property of the initialiser a destructured export is
	// bound to (`export const { GET } = createRouteHandler(...)`: "GET");
	// "" when the export is the value itself. Value is then that
	// property's value when the initialiser is an object literal of this
	// file, else the initialiser.
	Prop string
}

// Exports returns the file's exports, resolving exported identifiers to the
// local function or variable they name.
func (f *File) Exports() []Export {
	var out []Export
	for _, st := range f.Root.Children {
		switch st.Type {
		case "export_statement":
			if decl := st.ChildByField("declaration"); decl != nil {
				switch decl.Type {
				case "function_declaration", "generator_function_declaration", "class_declaration":
					name := f.Text(decl.ChildByField("name"))
					if st.HasChild("default") {
						name = "default" // export default function name() {}
					}
					out = append(out, Export{Name: name, Value: decl, Stmt: st})
				case "lexical_declaration", "variable_declaration":
					for _, d := range decl.NamedChildren() {
						if d.Type != "variable_declarator" {
							continue
						}
						if n := d.ChildByField("name"); n != nil && n.Type == "object_pattern" {
							out = append(out, f.destructuredExports(n, d.ChildByField("value"), st)...)
							continue
						}
						out = append(out, Export{Name: f.Text(d.ChildByField("name")), Value: f.resolveValue(d.ChildByField("value")), Stmt: st})
					}
				}
				continue
			}
			if st.HasChild("default") {
				v := st.ChildByField("value")
				if v == nil {
					for _, c := range st.NamedChildren() {
						if c.Type != "comment" {
							v = c
						}
					}
				}
				if v != nil && (v.Type == "function_declaration" || v.Type == "function_expression" || v.Type == "function" || v.Type == "arrow_function") {
					out = append(out, Export{Name: "default", Value: v, Stmt: st})
				} else {
					out = append(out, Export{Name: "default", Value: f.resolveValue(v), Stmt: st})
				}
				continue
			}
			if st.ChildByField("source") != nil {
				continue // re-export from another module
			}
			for _, c := range st.NamedChildren() {
				if c.Type != "export_clause" {
					continue
				}
				for _, spec := range c.NamedChildren() {
					name := f.Text(spec.ChildByField("name"))
					exported := name
					if a := spec.ChildByField("alias"); a != nil {
						exported = f.Text(a)
					}
					out = append(out, Export{Name: exported, Value: f.LocalValue(name), Stmt: st})
				}
			}
		case "expression_statement":
			// module.exports = x / exports.name = x
			a := st.NamedChildren()
			if len(a) == 0 || a[0].Type != "assignment_expression" {
				continue
			}
			left := f.Name(a[0].ChildByField("left"))
			right := a[0].ChildByField("right")
			switch {
			case left == "module.exports":
				out = append(out, Export{Name: "default", Value: f.resolveValue(right), Stmt: st})
			case strings.HasPrefix(left, "exports.") || strings.HasPrefix(left, "module.exports."):
				out = append(out, Export{Name: LastSegment(left), Value: f.resolveValue(right), Stmt: st})
			}
		}
	}
	return out
}

// destructuredExports returns the exports an object pattern declares
// (`export const { GET, POST: post } = init`): one per top-level property
// bound to a name. Nested patterns and rest elements are left out: what
// they stand for is not a property of the initialiser.
func (f *File) destructuredExports(pat, init *Node, st *Node) []Export {
	obj := Unwrap(f.resolveValue(init))
	if obj != nil && obj.Type != "object" {
		obj = nil
	}
	var out []Export
	for _, el := range pat.NamedChildren() {
		var prop, name string
		switch el.Type {
		case "shorthand_property_identifier_pattern":
			prop, name = f.Text(el), f.Text(el)
		case "pair_pattern":
			k, v := el.ChildByField("key"), el.ChildByField("value")
			if k == nil || v == nil || v.Type != "identifier" || k.Type == "computed_property_name" {
				continue
			}
			prop, name = f.Text(k), f.Text(v)
			if s, ok := f.StringValue(k); ok {
				prop = s
			}
		default:
			continue
		}
		val := init
		if obj != nil {
			p := f.ObjectProp(obj, prop)
			switch {
			case p != nil:
				val = p
			case !HasSpread(obj):
				continue // not a property of the literal: undefined
			}
		}
		out = append(out, Export{Name: name, Value: f.resolveValue(val), Stmt: st, Prop: prop})
	}
	return out
}

func (f *File) resolveValue(v *Node) *Node {
	u := Unwrap(v)
	if u != nil && u.Type == "identifier" {
		if lv := f.LocalValue(f.Text(u)); lv != nil {
			return lv
		}
	}
	return v
}

// LocalValue returns the top-level function declaration named name, or the
// value of the top-level variable named name.
func (f *File) LocalValue(name string) *Node {
	for _, st := range f.Root.Children {
		decl := st
		if st.Type == "export_statement" {
			if d := st.ChildByField("declaration"); d != nil {
				decl = d
			}
		}
		switch decl.Type {
		case "function_declaration", "generator_function_declaration":
			if f.Text(decl.ChildByField("name")) == name {
				return decl
			}
		case "lexical_declaration", "variable_declaration":
			for _, d := range decl.NamedChildren() {
				if d.Type == "variable_declarator" && f.Text(d.ChildByField("name")) == name {
					return d.ChildByField("value")
				}
			}
		}
	}
	return nil
}

// FunctionBody returns the body of a function node, or nil.
func FunctionBody(fn *Node) *Node {
	if fn == nil {
		return nil
	}
	return fn.ChildByField("body")
}

// ImportedCallee returns the module and export a call calls: an import
// called by name (`decodeJwt(t)`: its imported name; a required module
// called itself: "default") or a method of a
// default or namespace import (`jwt.verify(t, key)`: the method), also
// through a top-level require. ok is false for any other callee.
func (f *File) ImportedCallee(call *Node) (src, name string, ok bool) {
	callee := Unwrap(call.ChildByField("function"))
	if callee == nil {
		return "", "", false
	}
	switch callee.Type {
	case "identifier":
		if im, found := f.ImportOf(f.Text(callee)); found {
			if im.Imported == "*" {
				return im.Source, "default", true // const session = require('express-session'); session(...)
			}
			return im.Source, im.Imported, true
		}
	case "member_expression":
		obj := Unwrap(callee.ChildByField("object"))
		if obj == nil || obj.Type != "identifier" {
			break
		}
		if im, found := f.ImportOf(f.Text(obj)); found && (im.Imported == "default" || im.Imported == "*") {
			return im.Source, f.Text(callee.ChildByField("property")), true
		}
	}
	return "", "", false
}

// DynamicImportOf finds a binding made from a dynamic import anywhere in
// the file: `const { Webhook } = await import('svix')` binds Webhook to
// svix's export Webhook, `const mod = await import('x')` binds mod to the
// namespace ("*"). Imports lists only static imports and top-level
// require() calls; a name bound twice to different exports is not
// resolved (each function of a file may import the same export itself).
func (f *File) DynamicImportOf(local string) (Import, bool) {
	var out Import
	n := 0
	same := func(im Import) int { // counts a binding that differs from the first
		if n > 0 && im.Source == out.Source && im.Imported == out.Imported {
			return n
		}
		return n + 1
	}
	Walk(f.Root, func(d *Node) bool {
		if d.Type != "variable_declarator" {
			return true
		}
		v := Unwrap(d.ChildByField("value"))
		if v == nil || v.Type != "call_expression" || f.Text(v.ChildByField("function")) != "import" {
			return true
		}
		args := Args(v)
		if len(args) != 1 {
			return true
		}
		src, ok := f.StringValue(args[0])
		if !ok {
			return true
		}
		switch pat := d.ChildByField("name"); {
		case pat == nil:
		case pat.Type == "identifier" && f.Text(pat) == local:
			im := Import{Source: src, Imported: "*", Local: local, Node: d}
			n, out = same(im), im
		case pat.Type == "object_pattern":
			for _, p := range pat.NamedChildren() {
				switch {
				case p.Type == "shorthand_property_identifier_pattern" && f.Text(p) == local:
					im := Import{Source: src, Imported: local, Local: local, Node: d}
					n, out = same(im), im
				case p.Type == "pair_pattern" && f.Text(p.ChildByField("value")) == local:
					im := Import{Source: src, Imported: f.Text(p.ChildByField("key")), Local: local, Node: d}
					n, out = same(im), im
				}
			}
		}
		return true
	})
	return out, n == 1
}
