package model

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// goProgram is the Go side of a snapshot: its non-test Go files grouped
// by package directory, and the module paths of its go.mod files, so that
// an import path names a directory of the snapshot. It is built once per
// snapshot, on the first question about a Go entry.
type goProgram struct {
	files   []*goast.File
	byDir   map[string][]*goast.File
	modules map[string]string // go.mod directory -> module path
	// clerkMods lists the go.mod directories one of whose files imports a
	// Clerk Go package.
	clerkMods map[string]bool
	// failed lists Go files that could not be read or parsed: answers that
	// depend on them are unknown.
	failed map[string]error
}

// goFunc is a Go function: a declaration or a literal, with its file.
type goFunc struct {
	name string
	typ  *ast.FuncType
	body *ast.BlockStmt
	recv string // receiver type name of a method ("" for a function)
	file *goast.File
	node ast.Node
	// outer is the factory a returned function literal closes over
	// (its assignments before the return are the literal's free
	// variables).
	outer *goFunc
}

func (f *goFunc) line() int    { return f.file.Line(f.node.Pos()) }
func (f *goFunc) endLine() int { return f.file.Line(f.node.End()) }

// params returns the parameter names and their types as written.
func (f *goFunc) params() (names []string, types []string) {
	if f.typ == nil || f.typ.Params == nil {
		return nil, nil
	}
	for _, p := range f.typ.Params.List {
		t := goast.ExprName(stripStar(p.Type))
		if len(p.Names) == 0 {
			names, types = append(names, "_"), append(types, t)
		}
		for _, n := range p.Names {
			names, types = append(names, n.Name), append(types, t)
		}
	}
	return names, types
}

func stripStar(e ast.Expr) ast.Expr {
	if s, ok := e.(*ast.StarExpr); ok {
		return s.X
	}
	return e
}

func (m *Model) goProg(ctx context.Context) *goProgram {
	p, _ := m.gop.get(func() (*goProgram, error) { return m.loadGo(ctx), nil })
	return p
}

func (m *Model) loadGo(ctx context.Context) *goProgram {
	p := &goProgram{byDir: map[string][]*goast.File{}, modules: map[string]string{}, clerkMods: map[string]bool{}, failed: map[string]error{}}
	for _, fp := range m.fs.Paths() {
		if ctx.Err() != nil {
			break
		}
		switch {
		case path.Base(fp) == "go.mod":
			sf, err := m.fs.Get(ctx, fp)
			if err != nil || sf == nil {
				continue
			}
			for _, l := range strings.Split(string(sf.Content), "\n") {
				if f := strings.Fields(l); len(f) >= 2 && f[0] == "module" {
					mp, err := strconv.Unquote(f[1])
					if err != nil {
						mp = f[1]
					}
					p.modules[path.Dir(fp)] = mp
					break
				}
			}
		case strings.HasSuffix(fp, ".go") && !strings.HasSuffix(fp, "_test.go") && !goVendored(fp):
			sf, err := m.fs.Get(ctx, fp)
			if err != nil || sf == nil {
				p.failed[fp] = fmt.Errorf("read %s: %w", fp, err)
				continue
			}
			gf, err := goast.Parse(sf)
			if err != nil {
				p.failed[fp] = err
				m.notes.add(Note{Where: fp, What: err.Error()})
				continue
			}
			p.files = append(p.files, gf)
			d := path.Dir(fp)
			p.byDir[d] = append(p.byDir[d], gf)
		}
	}
	for _, gf := range p.files {
		if d, ok := p.moduleOf(gf.Path); ok && goImportsClerk(gf) {
			p.clerkMods[d] = true
		}
	}
	return p
}

// moduleOf returns the directory of the go.mod enclosing the file at p:
// the Go toolchain builds a directory with its own go.mod as its own
// module, so the nearest one wins. ok is false outside every module.
func (p *goProgram) moduleOf(fp string) (string, bool) {
	best, ok := "", false
	for dir := range p.modules {
		if (dir == "." || strings.HasPrefix(fp, dir+"/")) && (!ok || len(dir) > len(best)) {
			best, ok = dir, true
		}
	}
	return best, ok
}

func goImportsClerk(f *goast.File) bool {
	for _, im := range f.AST.Imports {
		if ip, err := strconv.Unquote(im.Path.Value); err == nil && knowledge.GoClerkPath(ip) != "" {
			return true
		}
	}
	return false
}

// GoClerkModule reports whether the Go module holding the file at p
// authenticates with Clerk: one of its files imports a Clerk Go package.
// A copy of a service that never imports Clerk (a stale project folder
// with its own go.mod) is a module of its own, outside a Clerk review. A
// file outside every go.mod, or a module with an unreadable file, counts
// as a Clerk module: not knowing never silences a rule.
func (m *Model) GoClerkModule(ctx context.Context, fp string) bool {
	p := m.goProg(ctx)
	d, ok := p.moduleOf(fp)
	if !ok || p.clerkMods[d] {
		return true
	}
	for f := range p.failed {
		if fd, _ := p.moduleOf(f); fd == d {
			return true
		}
	}
	return false
}

func goVendored(p string) bool {
	return strings.HasPrefix(p, "vendor/") || strings.Contains(p, "/vendor/") || strings.Contains(p, "/testdata/")
}

// dirOf returns the snapshot directory of an import path seen from the
// file at from, or "" when no go.mod of the snapshot declares it. When
// several go.mod files declare the module (a copied project), the one
// enclosing from wins.
func (p *goProgram) dirOf(from, importPath string) string {
	best, bestLen, bestNear := "", -1, false
	for dir, mod := range p.modules {
		if importPath != mod && !strings.HasPrefix(importPath, mod+"/") {
			continue
		}
		near := dir == "." || from == dir || strings.HasPrefix(from, dir+"/")
		if len(mod) > bestLen || len(mod) == bestLen && near && !bestNear || len(mod) == bestLen && near == bestNear && dir < best {
			rest := strings.TrimPrefix(strings.TrimPrefix(importPath, mod), "/")
			best, bestLen, bestNear = path.Join(dir, rest), len(mod), near
		}
	}
	return best
}

// importPath returns the import path a file imports under the local
// name, or "".
func importPath(f *goast.File, local string) string {
	for _, im := range f.AST.Imports {
		ip, err := strconv.Unquote(im.Path.Value)
		if err != nil {
			continue
		}
		if f.ImportsAs(ip, local) {
			return ip
		}
	}
	return ""
}

// funcIn returns the top-level function name of a package directory: a
// declaration, or a package-level variable initialised with a function
// literal (var RequireUser = func(r *http.Request) ...) that no file of
// the program assigns again. A variable some file reassigns (a hook
// swapped at start-up) has no one body, so it is not resolved.
func (p *goProgram) funcIn(dir, name string) *goFunc {
	for _, f := range p.byDir[dir] {
		if fd := f.FuncDecl(name); fd != nil {
			return declFunc(f, fd)
		}
	}
	for _, f := range p.byDir[dir] {
		if lit := pkgFuncVar(f, name); lit != nil {
			if p.reassigned(name) {
				return nil
			}
			return &goFunc{name: name, typ: lit.Type, body: lit.Body, file: f, node: lit}
		}
	}
	return nil
}

// pkgFuncVar returns the function literal a package-level variable of
// the file is declared with, or nil.
func pkgFuncVar(f *goast.File, name string) *ast.FuncLit {
	lit, _ := pkgValue(f, name, false).(*ast.FuncLit)
	return lit
}

// pkgValue returns the expression a package-level variable (or, with
// consts, a constant) of the file is initialised with, or nil.
func pkgValue(f *goast.File, name string, consts bool) ast.Expr {
	for _, d := range f.AST.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR && (!consts || gd.Tok != token.CONST) {
			continue
		}
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if n.Name == name && i < len(vs.Values) {
					return vs.Values[i]
				}
			}
		}
	}
	return nil
}

// reassigned reports whether an assignment of the program (tests are not
// loaded) writes a variable or field spelled name.
func (p *goProgram) reassigned(name string) bool {
	for _, f := range p.files {
		found := false
		ast.Inspect(f.AST, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || found || as.Tok == token.DEFINE {
				return !found
			}
			for _, l := range as.Lhs {
				if lastName(l) == name {
					found = true
				}
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// constString returns the string a package-level constant or variable
// of a package directory is declared with ("" when it is not one
// literal): sqlc declares each query's SQL so
// (https://docs.sqlc.dev/en/latest/tutorials/getting-started-postgresql.html).
func (p *goProgram) constString(dir, name string) string {
	for _, f := range p.byDir[dir] {
		v := pkgValue(f, name, true)
		if v == nil {
			continue
		}
		if b, ok := v.(*ast.BasicLit); ok && b.Kind == token.STRING {
			if s, err := strconv.Unquote(b.Value); err == nil {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	return ""
}

// keyString returns the string a context key expression stands for: a
// literal, a constant of the file's package (c.Set(userKey, id)), one of
// another snapshot package (auth.UserKey) or a conversion of one
// (string(UserIDKey)).
func (p *goProgram) keyString(f *goast.File, e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		return goStringArg(x)
	case *ast.Ident:
		s := p.constString(path.Dir(f.Path), x.Name)
		return s, s != ""
	case *ast.SelectorExpr:
		q, ok := x.X.(*ast.Ident)
		if !ok {
			return "", false
		}
		ip := importPath(f, q.Name)
		if ip == "" {
			return "", false
		}
		s := p.constString(p.dirOf(f.Path, ip), x.Sel.Name)
		return s, s != ""
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "string" && len(x.Args) == 1 {
			return p.keyString(f, x.Args[0])
		}
	case *ast.ParenExpr:
		return p.keyString(f, x.X)
	}
	return "", false
}

func declFunc(f *goast.File, fd *ast.FuncDecl) *goFunc {
	g := &goFunc{name: fd.Name.Name, typ: fd.Type, body: fd.Body, file: f, node: fd}
	if fd.Recv != nil && len(fd.Recv.List) > 0 {
		g.recv = goast.ExprName(stripStar(fd.Recv.List[0].Type))
	}
	return g
}

// methods returns the methods called name, in the directory (or anywhere
// when dir is ""), sorted by file.
func (p *goProgram) methods(dir, name string) []*goFunc {
	var out []*goFunc
	for _, f := range p.files {
		if dir != "" && path.Dir(f.Path) != dir {
			continue
		}
		for _, d := range f.AST.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && fd.Name.Name == name {
				out = append(out, declFunc(f, fd))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].file.Path < out[j].file.Path })
	return out
}

// resolveCallee finds the function an expression names, from the file
// at f: a local function, pkg.Func of a snapshot package, or a method
// value x.M (resolved by the receiver's type name when the method name is
// shared). It returns nil when it is not the snapshot's.
func (p *goProgram) resolveCallee(f *goast.File, e ast.Expr) *goFunc {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return p.resolveCallee(f, x.X)
	case *ast.FuncLit:
		return &goFunc{name: "func literal", typ: x.Type, body: x.Body, file: f, node: x}
	case *ast.Ident:
		return p.funcIn(path.Dir(f.Path), x.Name)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			if ip := importPath(f, id.Name); ip != "" {
				if d := p.dirOf(f.Path, ip); d != "" {
					return p.funcIn(d, x.Sel.Name)
				}
				return nil
			}
		}
		if m := p.staticMethod(f, x); m != nil {
			return m
		}
		ms := p.methods("", x.Sel.Name)
		if len(ms) == 1 {
			return ms[0]
		}
		// Several methods share the name: the receiver's field or variable
		// name usually spells its type (h.userService -> UserService,
		// accountHandlers -> AccountsHandler), plurals aside.
		hint := goSingularWords(lastName(x.X))
		if hint != "" {
			for _, mf := range ms {
				if strings.Contains(goSingularWords(mf.recv), hint) {
					return mf
				}
			}
		}
		var local []*goFunc
		for _, mf := range ms {
			if path.Dir(mf.file.Path) == path.Dir(f.Path) {
				local = append(local, mf)
			}
		}
		if len(local) == 1 {
			return local[0]
		}
	}
	return nil
}

// goSingularWords lowercases a camel-case name and drops the plural s of
// each of its words: "accountHandlers" and "AccountsHandler" both give
// "accounthandler".
func goSingularWords(name string) string {
	var b strings.Builder
	word := func(w string) {
		if len(w) > 1 {
			w = strings.TrimSuffix(w, "s")
		}
		b.WriteString(strings.ToLower(w))
	}
	start := 0
	for i := 1; i < len(name); i++ {
		if name[i] >= 'A' && name[i] <= 'Z' && name[i-1] >= 'a' && name[i-1] <= 'z' {
			word(name[start:i])
			start = i
		}
	}
	word(name[start:])
	return b.String()
}

// lastName is the last identifier of a selector chain ("h.userService"
// gives "userService").
func lastName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	case *ast.CallExpr:
		return lastName(x.Fun)
	case *ast.ParenExpr:
		return lastName(x.X)
	}
	return ""
}

// failedFor returns the read or parse error of a file of the package an
// unresolved handler expression names (pkg.F, or F of the file's own
// package), nil when none failed.
func (p *goProgram) failedFor(f *goast.File, e ast.Expr) error {
	dir := path.Dir(f.Path)
	if sel, ok := e.(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			if ip := importPath(f, id.Name); ip != "" {
				dir = p.dirOf(f.Path, ip)
			}
		}
	}
	var paths []string
	for fp := range p.failed {
		if path.Dir(fp) == dir {
			paths = append(paths, fp)
		}
	}
	if len(paths) == 0 {
		return nil
	}
	sort.Strings(paths)
	return p.failed[paths[0]]
}

// staticMethod resolves recv.M() by the declared type of recv when the
// source spells it: a receiver or parameter of the enclosing function
// (h *NoteHandler), or a field of such a struct (h.service of type
// *service.NoteService). nil when the type is not a struct type of the
// snapshot with that method (an interface, an unknown expression).
func (p *goProgram) staticMethod(f *goast.File, x *ast.SelectorExpr) *goFunc {
	tf, t := p.exprType(f, x.X, 0)
	if t == "" {
		return nil
	}
	dir, name := p.typeDir(tf, t)
	if dir == "" {
		return nil
	}
	for _, m := range p.methods(dir, x.Sel.Name) {
		if m.recv == name {
			return m
		}
	}
	return nil
}

// exprType returns the file in which the type of e is written and the
// type's name as written there ("service.NoteService", "NoteHandler").
func (p *goProgram) exprType(f *goast.File, e ast.Expr, depth int) (*goast.File, string) {
	if depth > 4 {
		return nil, ""
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return p.exprType(f, x.X, depth+1)
	case *ast.Ident:
		fd := enclosingFuncDecl(f, x.Pos())
		if fd == nil {
			return nil, ""
		}
		var lists []*ast.Field
		if fd.Recv != nil {
			lists = append(lists, fd.Recv.List...)
		}
		if fd.Type.Params != nil {
			lists = append(lists, fd.Type.Params.List...)
		}
		for _, fl := range lists {
			for _, n := range fl.Names {
				if n.Name == x.Name {
					return f, goast.ExprName(stripStar(fl.Type))
				}
			}
		}
	case *ast.SelectorExpr:
		sf, st := p.exprType(f, x.X, depth+1)
		if st == "" {
			return nil, ""
		}
		dir, name := p.typeDir(sf, st)
		if dir == "" {
			return nil, ""
		}
		for _, df := range p.byDir[dir] {
			if fl := structField(df, name, x.Sel.Name); fl != nil {
				return df, goast.ExprName(stripStar(fl.Type))
			}
		}
	}
	return nil, ""
}

// typeDir splits a type name written in f into the snapshot directory
// of its package and its bare name ("" when the package is not the
// snapshot's).
func (p *goProgram) typeDir(f *goast.File, t string) (string, string) {
	if i := strings.IndexByte(t, '.'); i >= 0 {
		ip := importPath(f, t[:i])
		if ip == "" {
			return "", ""
		}
		return p.dirOf(f.Path, ip), t[i+1:]
	}
	return path.Dir(f.Path), t
}

func enclosingFuncDecl(f *goast.File, pos token.Pos) *ast.FuncDecl {
	for _, d := range f.AST.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= pos && pos < fd.End() {
			return fd
		}
	}
	return nil
}

// structField returns the field called name of the struct type typ
// declared in f.
func structField(f *goast.File, typ, name string) *ast.Field {
	for _, d := range f.AST.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, sp := range gd.Specs {
			ts, ok := sp.(*ast.TypeSpec)
			if !ok || ts.Name.Name != typ {
				continue
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return nil
			}
			for _, fl := range st.Fields.List {
				for _, n := range fl.Names {
					if n.Name == name {
						return fl
					}
				}
			}
			return nil
		}
	}
	return nil
}
