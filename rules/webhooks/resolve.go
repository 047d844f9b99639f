package webhooks

import (
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
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

// moduleExts are the suffixes tried when resolving an import specifier,
// in the order TypeScript's bundler resolution tries them.
var moduleExts = []string{"", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", "/index.ts", "/index.tsx", "/index.js", "/index.mjs"}

// resolveModule returns the parsed file a relative or aliased (`@/`, `~/`,
// `~~/`) import specifier of the file at from refers to, or nil when the
// specifier names a package or the file is not in the snapshot.
func (c *checker) resolveModule(from, spec string) *jsast.File {
	var bases []string
	switch {
	case strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../") || spec == "." || spec == "..":
		bases = []string{path.Join(path.Dir(from), spec)}
	case strings.HasPrefix(spec, "@/") || strings.HasPrefix(spec, "~/") || strings.HasPrefix(spec, "~~/"):
		root := ""
		if pk := c.pass.Project.PackageFor(from); pk != nil {
			root = pk.Dir
		}
		rest := spec[strings.IndexByte(spec, '/')+1:]
		bases = []string{path.Join(root, "src", rest), path.Join(root, rest)}
		// A nested app without its own package.json: try the directory
		// holding the importer's app/ or src/ tree.
		for _, marker := range []string{"/src/", "/app/", "/pages/", "/server/"} {
			if i := strings.Index("/"+from, marker); i > 0 {
				dir := from[:i-1]
				bases = append(bases, path.Join(dir, "src", rest), path.Join(dir, rest))
			}
		}
	default:
		return nil
	}
	for _, b := range bases {
		cands := make([]string, 0, len(moduleExts)+1)
		for _, e := range moduleExts {
			cands = append(cands, b+e)
		}
		// ESM TypeScript imports name the emitted file: './verify.js' is verify.ts.
		if ext := path.Ext(b); ext == ".js" || ext == ".mjs" || ext == ".jsx" {
			stem := strings.TrimSuffix(b, ext)
			cands = append(cands, stem+".ts", stem+".tsx", stem+".mts")
		}
		for _, p := range cands {
			if p == "" || !c.pass.Project.Has(p) {
				continue
			}
			if f := c.pass.AST(c.pass.Get(p)); f != nil {
				return f
			}
		}
	}
	return nil
}

// isLocalSpec reports whether an import specifier points into the
// repository (relative or aliased) rather than at a package.
func isLocalSpec(spec string) bool {
	return strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "@/") || strings.HasPrefix(spec, "~/") || strings.HasPrefix(spec, "~~/")
}

// exportValue returns the value exported as name from f, following
// re-exports (`export { x } from './y'`, `export * from './y'`) up to depth
// files away.
func (c *checker) exportValue(f *jsast.File, name string, depth int) (*jsast.File, *jsast.Node) {
	for _, ex := range f.Exports() {
		if ex.Name == name && ex.Value != nil {
			return f, ex.Value
		}
	}
	if depth <= 0 {
		return nil, nil
	}
	for _, st := range f.Root.Children {
		if st.Type != "export_statement" {
			continue
		}
		src, ok := f.StringValue(st.ChildByField("source"))
		if !ok {
			continue
		}
		target := name
		star := true
		for _, cl := range st.NamedChildren() {
			if cl.Type != "export_clause" {
				continue
			}
			star = false
			target = ""
			for _, spec := range cl.NamedChildren() {
				exported := f.Text(spec.ChildByField("name"))
				if a := spec.ChildByField("alias"); a != nil {
					exported = f.Text(a)
				}
				if exported == name {
					target = f.Text(spec.ChildByField("name"))
				}
			}
		}
		if !star && target == "" {
			continue
		}
		if tf := c.resolveModule(f.Path, src); tf != nil {
			if rf, v := c.exportValue(tf, target, depth-1); v != nil {
				return rf, v
			}
		}
	}
	return nil, nil
}

// importTarget resolves a (possibly dotted) name used in f to the value it
// is bound to in another file of the repository: `verifyClerkWebhook` from
// '@/lib/webhooks', or `webhooks.verify` from `import * as webhooks`.
// external is set when the name is imported from a package or from a
// module the snapshot does not hold.
func (c *checker) importTarget(f *jsast.File, name string) (tf *jsast.File, v *jsast.Node, external bool) {
	segs := strings.Split(name, ".")
	im, ok := f.ImportOf(segs[0])
	if !ok {
		return nil, nil, false
	}
	export := im.Imported
	if export == "*" {
		if len(segs) < 2 {
			return nil, nil, true
		}
		export = strings.TrimSuffix(segs[1], "()")
	} else if len(segs) > 1 && im.Imported != "default" {
		// verifier.verify(): a method of an imported object; follow the object.
		export = im.Imported
	}
	if !isLocalSpec(im.Source) {
		return nil, nil, true
	}
	mf := c.resolveModule(f.Path, im.Source)
	if mf == nil {
		return nil, nil, true
	}
	rf, val := c.exportValue(mf, export, 2)
	if val == nil {
		return nil, nil, true
	}
	return rf, val, false
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
// repository. external reports an import from a package or from a file
// the snapshot lacks.
func (c *checker) calleeFunction(f *jsast.File, call *jsast.Node) (ref fnRef, external bool) {
	name := f.CalleeName(call)
	if name == "" {
		return fnRef{}, false
	}
	segs := strings.Split(name, ".")
	if len(segs) == 1 {
		if v := f.LocalValue(name); v != nil {
			if fn := functionOf(f, v); fn != nil {
				return fnRef{f: f, fn: fn, name: name}, false
			}
			return fnRef{}, false
		}
	}
	tf, v, ext := c.importTarget(f, name)
	if ext {
		return fnRef{}, true
	}
	if tf == nil {
		return fnRef{}, false
	}
	if fn := functionOf(tf, v); fn != nil {
		return fnRef{f: tf, fn: fn, name: name}, false
	}
	// An imported object: look the method up in its literal.
	if u := jsast.Unwrap(v); u != nil && u.Type == "object" && len(segs) > 1 {
		if fn := functionOf(tf, tf.ObjectProp(u, strings.TrimSuffix(segs[len(segs)-1], "()"))); fn != nil {
			return fnRef{f: tf, fn: fn, name: name}, false
		}
	}
	return fnRef{}, false
}
