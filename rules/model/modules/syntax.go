package modules

import (
	"slices"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// ImportKind is the syntax of an import edge.
type ImportKind uint8

// Kinds of import edges.
const (
	ImportStatic     ImportKind = iota // import x from 'm'; import { a } from 'm'; import * as ns from 'm'
	ImportSideEffect                   // import 'm'
	ImportRequire                      // const x = require('m'); import x = require('m'); require('m')
	ImportDynamic                      // import('m')
	ReExport                           // export { a as b } from 'm'; export * as ns from 'm'
	ReExportAll                        // export * from 'm'
)

func (k ImportKind) String() string {
	return [...]string{"import", "side-effect", "require", "dynamic", "re-export", "re-export-all"}[k]
}

// Import is one import edge of a file.
type Import struct {
	Spec string
	Kind ImportKind
	// Imported is the name taken from the target: "default", "*" (the
	// module namespace, also for a CommonJS require bound to one name), an
	// export name, or "" when the statement binds nothing.
	Imported string
	// Local is the binding the statement creates in this file; for a
	// re-export, the name this file exports. "" when none.
	Local    string
	TypeOnly bool
	Line     int
	// Target is where Spec leads. When it is Unknown, Err says why.
	Target Resolution
	Err    error
}

// localExport is a name the file exports from its own declarations (or
// from a binding it imported first).
type localExport struct {
	binding string // the top-level name it exports; "" for an anonymous default export
	line    int
}

// syntax is what the graph extracts from one parsed file.
type syntax struct {
	imports []Import // without Target
	exports map[string]localExport
	order   []string // export names in source order
	// cjsDefault is set when the file assigns module.exports = ..., so a
	// require() of it binds that value.
	cjsDefault bool
}

func (s *syntax) export(name, binding string, line int) {
	if _, dup := s.exports[name]; dup {
		return
	}
	s.exports[name] = localExport{binding: binding, line: line}
	s.order = append(s.order, name)
}

// extract reads the module syntax of a parsed file.
func extract(f *jsast.File) *syntax {
	s := &syntax{exports: map[string]localExport{}}
	covered := map[*jsast.Node]bool{} // statements jsast.Imports already read
	for _, im := range f.Imports() {
		kind := ImportStatic
		if im.Node.Type != "import_statement" {
			kind = ImportRequire
		}
		covered[im.Node] = true
		s.imports = append(s.imports, Import{Spec: im.Source, Kind: kind, Imported: im.Imported, Local: im.Local,
			TypeOnly: im.TypeOnly, Line: im.Node.Line})
	}
	for _, st := range f.Root.Children {
		switch st.Type {
		case "import_statement":
			s.importStatement(f, st, covered[st])
		case "export_statement":
			s.exportStatement(f, st)
		case "expression_statement":
			s.commonJSExport(f, st)
		}
	}
	// require() and import() anywhere else in the file.
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "call_expression" {
			return true
		}
		fn := n.ChildByField("function")
		args := jsast.Args(n)
		if fn == nil || len(args) == 0 {
			return true
		}
		spec, ok := f.StringValue(args[0])
		if !ok {
			return true
		}
		switch {
		case fn.Type == "import":
			s.imports = append(s.imports, dynamicBindings(f, n, spec)...)
		case fn.Type == "identifier" && f.Text(fn) == "require" && !topLevelRequire(n, covered):
			s.imports = append(s.imports, Import{Spec: spec, Kind: ImportRequire, Line: n.Line})
		}
		return true
	})
	sort.SliceStable(s.imports, func(i, j int) bool { return s.imports[i].Line < s.imports[j].Line })
	return s
}

// dynamicBindings are the edges of the dynamic import call n: one per
// name a declaration binds from its awaited result (`const { a, b: c } =
// await import('m')` binds a and c to m's exports a and b, `const mod =
// await import('m')` binds mod to its namespace), so that the binding is
// followed like a static import's; one edge binding nothing otherwise
// (import('m').then(...), an import passed along).
func dynamicBindings(f *jsast.File, n *jsast.Node, spec string) []Import {
	edge := Import{Spec: spec, Kind: ImportDynamic, Line: n.Line}
	d := n.Parent
	for d != nil && (d.Type == "parenthesized_expression" || d.Type == "await_expression") {
		d = d.Parent
	}
	if d == nil || d.Type != "variable_declarator" || jsast.Unwrap(d.ChildByField("value")) != n {
		return []Import{edge}
	}
	var out []Import
	bind := func(imported, local string) {
		im := edge
		im.Imported, im.Local = imported, local
		out = append(out, im)
	}
	switch pat := d.ChildByField("name"); {
	case pat == nil:
	case pat.Type == "identifier":
		bind("*", f.Text(pat))
	case pat.Type == "object_pattern":
		for _, p := range pat.NamedChildren() {
			switch p.Type {
			case "shorthand_property_identifier_pattern":
				bind(f.Text(p), f.Text(p))
			case "pair_pattern":
				if v := p.ChildByField("value"); v != nil && v.Type == "identifier" {
					bind(specName(f, p.ChildByField("key")), f.Text(v))
				}
			}
		}
	}
	if len(out) == 0 {
		return []Import{edge}
	}
	return out
}

// topLevelRequire reports whether a require() call is the value of a
// top-level declaration that jsast.Imports already bound.
func topLevelRequire(call *jsast.Node, covered map[*jsast.Node]bool) bool {
	d := call.Parent
	for d != nil && (d.Type == "parenthesized_expression" || d.Type == "await_expression") {
		d = d.Parent
	}
	return d != nil && d.Type == "variable_declarator" && d.Parent != nil && covered[d.Parent]
}

func (s *syntax) importStatement(f *jsast.File, st *jsast.Node, covered bool) {
	src, ok := f.StringValue(st.ChildByField("source"))
	if !ok {
		// import x = require('m') keeps its source inside the clause.
		for _, c := range st.NamedChildren() {
			if c.Type != "import_require_clause" {
				continue
			}
			src, ok := f.StringValue(c.ChildByField("source"))
			var local string
			for _, id := range c.NamedChildren() {
				if id.Type == "identifier" {
					local = f.Text(id)
					break
				}
			}
			if ok {
				s.imports = append(s.imports, Import{Spec: src, Kind: ImportRequire, Imported: "*", Local: local,
					TypeOnly: st.HasChild("type"), Line: st.Line})
			}
		}
		return
	}
	if !covered {
		// import 'm', or a clause that binds nothing (import {} from 'm').
		s.imports = append(s.imports, Import{Spec: src, Kind: ImportSideEffect, Line: st.Line})
	}
}

func (s *syntax) exportStatement(f *jsast.File, st *jsast.Node) {
	typeOnly := st.HasChild("type")
	if src, ok := f.StringValue(st.ChildByField("source")); ok {
		clause := false
		for _, c := range st.NamedChildren() {
			switch c.Type {
			case "export_clause":
				clause = true
				for _, sp := range exportSpecifiers(f, c) {
					s.imports = append(s.imports, Import{Spec: src, Kind: ReExport, Imported: sp.name, Local: sp.exported,
						TypeOnly: typeOnly || sp.typeOnly, Line: st.Line})
				}
			case "namespace_export":
				clause = true
				var name string
				for _, id := range c.NamedChildren() {
					name = specName(f, id)
				}
				s.imports = append(s.imports, Import{Spec: src, Kind: ReExport, Imported: "*", Local: name,
					TypeOnly: typeOnly, Line: st.Line})
			}
		}
		if !clause {
			s.imports = append(s.imports, Import{Spec: src, Kind: ReExportAll, Imported: "*", TypeOnly: typeOnly, Line: st.Line})
		}
		return
	}
	if decl := st.ChildByField("declaration"); decl != nil {
		isDefault := st.HasChild("default")
		for _, name := range declaredNames(f, decl) {
			exported := name
			if isDefault {
				exported = "default"
			}
			s.export(exported, name, decl.Line)
		}
		return
	}
	if st.HasChild("default") {
		v := st.ChildByField("value")
		if kids := st.NamedChildren(); v == nil && len(kids) > 0 {
			v = kids[len(kids)-1] // grammars that give the value no field
		}
		binding := ""
		if u := jsast.Unwrap(v); u != nil && u.Type == "identifier" {
			binding = f.Text(u)
		} else if v != nil {
			if names := declaredNames(f, v); len(names) == 1 {
				binding = names[0] // export default function name() {}
			}
		}
		s.export("default", binding, declLine(f, binding, st.Line))
		return
	}
	for _, c := range st.NamedChildren() {
		if c.Type == "export_clause" {
			for _, sp := range exportSpecifiers(f, c) {
				s.export(sp.exported, sp.name, declLine(f, sp.name, st.Line))
			}
		}
	}
}

// specifier is one `name as exported` of an export clause.
type specifier struct {
	name, exported string
	typeOnly       bool
}

func exportSpecifiers(f *jsast.File, clause *jsast.Node) []specifier {
	var out []specifier
	for _, spec := range clause.NamedChildren() {
		if spec.Type != "export_specifier" {
			continue
		}
		sp := specifier{name: specName(f, spec.ChildByField("name")), typeOnly: spec.HasChild("type")}
		sp.exported = sp.name
		if a := spec.ChildByField("alias"); a != nil {
			sp.exported = specName(f, a)
		}
		out = append(out, sp)
	}
	return out
}

// commonJSExport reads module.exports = x, module.exports = { a, b: c }
// and exports.name = x.
func (s *syntax) commonJSExport(f *jsast.File, st *jsast.Node) {
	kids := st.NamedChildren()
	if len(kids) == 0 || kids[0].Type != "assignment_expression" {
		return
	}
	left := f.Name(kids[0].ChildByField("left"))
	right := jsast.Unwrap(kids[0].ChildByField("right"))
	switch {
	case left == "module.exports":
		s.cjsDefault = true
		if right != nil && right.Type == "object" {
			for _, p := range right.NamedChildren() {
				switch p.Type {
				case "shorthand_property_identifier":
					name := f.Text(p)
					s.export(name, name, declLine(f, name, st.Line))
				case "pair":
					key := f.Text(p.ChildByField("key"))
					binding := ""
					if v := jsast.Unwrap(p.ChildByField("value")); v != nil && v.Type == "identifier" {
						binding = f.Text(v)
					}
					s.export(strings.Trim(key, `'"`), binding, declLine(f, binding, p.Line))
				}
			}
		}
		s.export("default", identName(f, right), declLine(f, identName(f, right), st.Line))
	case strings.HasPrefix(left, "exports.") || strings.HasPrefix(left, "module.exports."):
		name := jsast.LastSegment(left)
		s.export(name, identName(f, right), declLine(f, identName(f, right), st.Line))
	}
}

func identName(f *jsast.File, n *jsast.Node) string {
	if n != nil && n.Type == "identifier" {
		return f.Text(n)
	}
	return ""
}

// specName is the text of an export specifier's name, which may be a
// string literal (export { "a-b" as c }).
func specName(f *jsast.File, n *jsast.Node) string {
	if n == nil {
		return ""
	}
	if v, ok := f.StringValue(n); ok {
		return v
	}
	return f.Text(n)
}

// declaredNames returns the top-level names a declaration introduces.
func declaredNames(f *jsast.File, decl *jsast.Node) []string {
	switch decl.Type {
	case "lexical_declaration", "variable_declaration":
		var out []string
		for _, d := range decl.NamedChildren() {
			if d.Type == "variable_declarator" {
				out = append(out, patternNames(f, d.ChildByField("name"))...)
			}
		}
		return out
	}
	if n := decl.ChildByField("name"); n != nil {
		return []string{f.Text(n)}
	}
	return nil
}

// patternNames lists the identifiers a binding pattern declares.
func patternNames(f *jsast.File, n *jsast.Node) []string {
	if n == nil {
		return nil
	}
	switch n.Type {
	case "identifier", "shorthand_property_identifier_pattern":
		return []string{f.Text(n)}
	case "pair_pattern":
		return patternNames(f, n.ChildByField("value"))
	case "assignment_pattern":
		return patternNames(f, n.ChildByField("left"))
	}
	var out []string
	for _, c := range n.NamedChildren() {
		out = append(out, patternNames(f, c)...)
	}
	return out
}

// topLevelDecl returns the top-level statement that declares name (a
// function, class, variable, enum, or import), or nil.
func topLevelDecl(f *jsast.File, name string) *jsast.Node {
	if name == "" {
		return nil
	}
	for _, st := range f.Root.Children {
		decl := declarationOf(st)
		if !nonDeclarations[decl.Type] && slices.Contains(declaredNames(f, decl), name) {
			return decl
		}
	}
	return nil
}

// nonDeclarations are top-level statements that declare no local name of
// their own (imports are bindings, found through the import list).
var nonDeclarations = map[string]bool{"import_statement": true, "export_statement": true,
	"expression_statement": true, "comment": true}

// declarationOf unwraps `export <declaration>`.
func declarationOf(st *jsast.Node) *jsast.Node {
	if st.Type == "export_statement" {
		if d := st.ChildByField("declaration"); d != nil {
			return d
		}
	}
	return st
}

// declLine is the line of name's top-level declaration, or def.
func declLine(f *jsast.File, name string, def int) int {
	if d := topLevelDecl(f, name); d != nil {
		return d.Line
	}
	return def
}
