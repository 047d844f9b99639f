// Package goast parses Go files of a snapshot with go/parser and offers
// the few lookups the Go rules need: import names, function declarations
// across a package directory, and call names.
package goast

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/source"
)

// File is a parsed Go file.
type File struct {
	Path string
	Fset *token.FileSet
	AST  *ast.File
	Src  []byte
}

// Parse parses f once (memoized on the file). Files with syntax errors
// return the partial tree go/parser recovers, when it has one.
func Parse(f *source.File) (*File, error) {
	type result struct {
		f   *File
		err error
	}
	r := f.Memo("goast", func() any {
		if f.Lang != source.LangGo || f.Binary {
			return result{nil, fmt.Errorf("parse %s: not Go source", f.Path)}
		}
		// The same cheap bound as for JavaScript: go/parser's memory grows
		// with tokens, and its recursion with nesting.
		if err := jsast.Prescan(f.Content, jsast.DefaultLimits()); err != nil {
			return result{nil, fmt.Errorf("parse %s: %w", f.Path, err)}
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, f.Path, f.Content, parser.SkipObjectResolution)
		if af == nil {
			return result{nil, fmt.Errorf("parse %s: %w", f.Path, err)}
		}
		return result{&File{Path: f.Path, Fset: fset, AST: af, Src: f.Content}, nil}
	}).(result)
	return r.f, r.err
}

// Line returns the 1-based line of pos.
func (f *File) Line(pos token.Pos) int { return f.Fset.Position(pos).Line }

// Col returns the 1-based column of pos.
func (f *File) Col(pos token.Pos) int { return f.Fset.Position(pos).Column }

// Text returns the source of n.
func (f *File) Text(n ast.Node) string {
	start, end := f.Fset.Position(n.Pos()).Offset, f.Fset.Position(n.End()).Offset
	if start < 0 || end > len(f.Src) || start > end {
		return ""
	}
	return string(f.Src[start:end])
}

// ImportName returns the local name under which the file imports the
// package at importPath, or "" when it does not. Blank and dot imports
// return "".
func (f *File) ImportName(importPath string) string {
	for _, im := range f.AST.Imports {
		p, err := strconv.Unquote(im.Path.Value)
		if err != nil || p != importPath {
			continue
		}
		if im.Name != nil {
			if im.Name.Name == "_" || im.Name.Name == "." {
				return ""
			}
			return im.Name.Name
		}
		base := path.Base(p)
		if strings.HasPrefix(base, "v") && len(base) > 1 && strings.Trim(base[1:], "0123456789") == "" {
			base = path.Base(path.Dir(p)) // .../clerk-sdk-go/v2 is package clerk, see PackageNames
		}
		if n, ok := PackageNames[p]; ok {
			return n
		}
		return base
	}
	return ""
}

// PackageNames maps import paths whose package name differs from their
// last element.
var PackageNames = map[string]string{
	"github.com/clerk/clerk-sdk-go/v2":     "clerk",
	"github.com/golang-jwt/jwt/v5":         "jwt",
	"github.com/golang-jwt/jwt/v4":         "jwt",
	"github.com/golang-jwt/jwt":            "jwt",
	"github.com/dgrijalva/jwt-go":          "jwt",
	"github.com/form3tech-oss/jwt-go":      "jwt",
	"github.com/lestrrat-go/jwx/v2/jwt":    "jwt",
	"gopkg.in/square/go-jose.v2/jwt":       "jwt",
	"github.com/go-jose/go-jose/v3/jwt":    "jwt",
	"github.com/go-jose/go-jose/v4/jwt":    "jwt",
	"github.com/clerk/clerk-sdk-go/v2/jwt": "jwt",
	"github.com/svix/svix-webhooks/go":     "svix",
}

// CallName returns the dotted name of a call's function: "pkg.Func",
// "recv.Method", "Func"; "" for other callees.
func CallName(call *ast.CallExpr) string { return ExprName(call.Fun) }

// ExprName returns the dotted name of an identifier or selector chain.
func ExprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		if p := ExprName(x.X); p != "" {
			return p + "." + x.Sel.Name
		}
	case *ast.ParenExpr:
		return ExprName(x.X)
	case *ast.IndexExpr:
		return ExprName(x.X)
	}
	return ""
}

// FuncDecl returns the top-level function (not method) named name.
func (f *File) FuncDecl(name string) *ast.FuncDecl {
	for _, d := range f.AST.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
			return fd
		}
	}
	return nil
}

// Mentions reports whether the identifier name occurs under n.
func Mentions(n ast.Node, name string) bool {
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		if id, ok := x.(*ast.Ident); ok && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}
