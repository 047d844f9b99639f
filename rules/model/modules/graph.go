package modules

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/source"
)

// Errors of the import graph.
var (
	// ErrIncomplete marks an answer built without some files, which could
	// not be read, parsed or resolved. The answer holds what could be
	// found; a caller must treat what it does not show as unknown.
	ErrIncomplete = errors.New("import graph incomplete")
	// ErrTooDeep is returned when following a binding crosses more than
	// MaxHops import and re-export statements.
	ErrTooDeep = errors.New("import chain too long")
)

// Graph is the import graph of one snapshot. Build it once per snapshot
// with [New]; it parses a file only when asked about it (or, for
// [Graph.Importers], about every file once) and is safe for concurrent use.
type Graph struct {
	r         *Resolver
	fs        Files
	infos     memo[string, *fileInfo]
	importers memo[string, *reverse] // by directory ("" for the whole snapshot)
}

// fileInfo is a file's module syntax with every import resolved.
type fileInfo struct {
	path   string
	file   *jsast.File
	syntax *syntax
}

type reverse struct {
	edges      map[string][]Edge
	incomplete []string // files whose edges are not all known
	firstErr   error
}

// Edge is an import of a file, seen from the importer.
type Edge struct {
	From   string // the importing file
	Import Import
}

// New builds the import graph over the snapshot's files, with its own
// resolver. It reads nothing yet.
func New(fs Files) *Graph { return &Graph{r: NewResolver(fs), fs: fs} }

// Parser is implemented by Files that parse through a shared, budgeted
// parser (the engine's file set): the graph then shares its syntax trees
// with the rules and charges them to the run's budget.
type Parser interface {
	AST(ctx context.Context, f *source.File) (*jsast.File, error)
}

func (g *Graph) parse(ctx context.Context, sf *source.File) (*jsast.File, error) {
	if p, ok := g.fs.(Parser); ok {
		return p.AST(ctx, sf)
	}
	return jsast.Parse(ctx, sf)
}

// Resolver returns the graph's resolver.
func (g *Graph) Resolver() *Resolver { return g.r }

// Resolve resolves spec written in the file at from; see [Resolver.Resolve].
func (g *Graph) Resolve(ctx context.Context, from, spec string) (Resolution, error) {
	return g.r.Resolve(ctx, from, spec)
}

// IsModule reports whether the file at p is a JavaScript or TypeScript
// module the graph reads (including Astro frontmatter and Vue and Svelte
// script blocks).
func IsModule(p string) bool {
	switch source.DetectLang(p) {
	case source.LangTS, source.LangTSX, source.LangJS, source.LangAstro, source.LangVue, source.LangSvelte:
		return true
	}
	return false
}

func (g *Graph) info(ctx context.Context, p string) (*fileInfo, error) {
	return g.infos.do(ctx, p, func() (*fileInfo, error) {
		if !IsModule(p) || !g.r.Has(p) {
			return &fileInfo{path: p, syntax: &syntax{exports: map[string]localExport{}}}, nil
		}
		sf, err := g.fs.Get(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		pf, err := g.parse(ctx, sf)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		s := extract(pf)
		for i := range s.imports {
			im := &s.imports[i]
			im.Target, im.Err = g.r.Resolve(ctx, p, im.Spec)
			if im.Err != nil && ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
		return &fileInfo{path: p, file: pf, syntax: s}, nil
	})
}

// Imports returns the file's import edges in source order (one per
// imported binding; statements before calls on the same line), each with
// its resolution. A non-module file has none. It returns an error when the
// file cannot be read or parsed.
func (g *Graph) Imports(ctx context.Context, p string) ([]Import, error) {
	fi, err := g.info(ctx, p)
	if err != nil {
		return nil, err
	}
	return append([]Import(nil), fi.syntax.imports...), nil
}

// Importers returns the edges that import the file at p, sorted by
// importer and line. The first call parses every module of the snapshot
// once. When some files could not be read, parsed or resolved the edges
// found are returned with an error wrapping [ErrIncomplete].
func (g *Graph) Importers(ctx context.Context, p string) ([]Edge, error) {
	return g.ImportersIn(ctx, p, "")
}

// ImportersIn is Importers over the modules under dir only ("" for every
// module): a caller that knows where the importers can live (a Next.js
// app's own tree) parses that tree once instead of the whole snapshot,
// which in a monorepo holds every other app and package too.
func (g *Graph) ImportersIn(ctx context.Context, p, dir string) ([]Edge, error) {
	dir = strings.TrimSuffix(dir, "/")
	rev, err := g.importers.do(ctx, dir, func() (*reverse, error) { return g.buildReverse(ctx, dir) })
	if err != nil {
		return nil, err
	}
	out := append([]Edge(nil), rev.edges[p]...)
	if len(rev.incomplete) > 0 {
		return out, fmt.Errorf("%w: %d files not read or resolved (%s: %v)", ErrIncomplete, len(rev.incomplete),
			rev.incomplete[0], rev.firstErr)
	}
	return out, nil
}

// importMarkers are words without which a file has no import edge.
var importMarkers = [][]byte{[]byte("import"), []byte("require"), []byte("export")}

func (g *Graph) buildReverse(ctx context.Context, dir string) (*reverse, error) {
	rev := &reverse{edges: map[string][]Edge{}}
	fail := func(p string, err error) {
		rev.incomplete = append(rev.incomplete, p)
		if rev.firstErr == nil {
			rev.firstErr = err
		}
	}
	for _, p := range sortedKeys(g.r.files) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !IsModule(p) || dir != "" && !strings.HasPrefix(p, dir+"/") {
			continue
		}
		sf, err := g.fs.Get(ctx, p)
		if err != nil {
			fail(p, err)
			continue
		}
		if !hasAny(sf.Content, importMarkers) {
			continue
		}
		fi, err := g.info(ctx, p)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			fail(p, err)
			continue
		}
		for _, im := range fi.syntax.imports {
			switch {
			case im.Err != nil:
				fail(p, im.Err)
			case im.Target.Kind == File:
				rev.edges[im.Target.Path] = append(rev.edges[im.Target.Path], Edge{From: p, Import: im})
			}
		}
	}
	for _, es := range rev.edges {
		sort.SliceStable(es, func(i, j int) bool {
			if es[i].From != es[j].From {
				return es[i].From < es[j].From
			}
			return es[i].Import.Line < es[j].Import.Line
		})
	}
	return rev, nil
}

func hasAny(b []byte, words [][]byte) bool {
	for _, w := range words {
		if bytes.Contains(b, w) {
			return true
		}
	}
	return false
}

// Origin says where a binding comes from.
type Origin struct {
	// Module is the file that declares the binding, or the package (or
	// built-in, or virtual module) it is imported from when the chain
	// leaves the snapshot.
	Module Resolution
	// Name is the export name in Module: "default", "*" for the module
	// namespace, or a name. It is "" for a binding declared in the queried
	// file and not exported.
	Name string
	// Binding is the top-level name declared in Module.Path ("" for an
	// anonymous default export, and when Module is not a file).
	Binding string
	// Line is the line of the declaration in Module.Path (0 when Module is
	// not a file).
	Line int
	// Hops are the import and re-export statements followed, in order.
	Hops []Hop
}

// Hop is one import or re-export statement crossed by Origin.
type Hop struct {
	Path string
	Line int
}

// Decl returns the declaration node of a file origin in its parsed file
// (a function, class or variable declaration), or nil.
func (g *Graph) Decl(ctx context.Context, o Origin) (*jsast.File, *jsast.Node, error) {
	if o.Module.Kind != File || o.Binding == "" {
		return nil, nil, nil
	}
	fi, err := g.info(ctx, o.Module.Path)
	if err != nil || fi.file == nil {
		return nil, nil, err
	}
	return fi.file, topLevelDecl(fi.file, o.Binding), nil
}

// Origin returns where the binding named name in the file at p comes from:
// through its import (or require) and every re-export after it, to the
// file and export that declares it, or to the package it leaves the
// snapshot for. "ns.member" follows a namespace import. ok is false when
// the file neither imports nor declares the binding, or a re-export chain
// ends without it (including an export cycle). The error is non-nil when a
// file on the way cannot be read, parsed or resolved, or the chain is
// longer than MaxHops: the origin is then unknown.
func (g *Graph) Origin(ctx context.Context, p, name string) (Origin, bool, error) {
	w := &walker{g: g, ctx: ctx, seen: map[[2]string]bool{}}
	o, ok, err := w.binding(p, name)
	return o, ok, err
}

// ExportOrigin returns where the export called name of the file at p comes
// from, following re-exports (export { a } from, export * from) through
// barrel files. See [Graph.Origin].
func (g *Graph) ExportOrigin(ctx context.Context, p, name string) (Origin, bool, error) {
	w := &walker{g: g, ctx: ctx, seen: map[[2]string]bool{}}
	return w.export(p, name)
}

type walker struct {
	g    *Graph
	ctx  context.Context
	seen map[[2]string]bool
	hops []Hop
}

func (w *walker) step(p string, line int) error {
	if len(w.hops) >= MaxHops {
		return fmt.Errorf("%w: more than %d statements from %s", ErrTooDeep, MaxHops, w.hops[0].Path)
	}
	w.hops = append(w.hops, Hop{Path: p, Line: line})
	return nil
}

func (w *walker) found(o Origin) (Origin, bool, error) {
	o.Hops = append([]Hop(nil), w.hops...)
	return o, true, nil
}

// binding follows a binding of the file at p.
func (w *walker) binding(p, name string) (Origin, bool, error) {
	fi, err := w.g.info(w.ctx, p)
	if err != nil {
		return Origin{}, false, err
	}
	head, member, isMember := strings.Cut(name, ".")
	im, ok := importOf(fi, head)
	if !ok {
		if isMember || fi.file == nil {
			return Origin{}, false, nil
		}
		d := topLevelDecl(fi.file, name)
		if d == nil {
			return Origin{}, false, nil
		}
		exported := ""
		for _, n := range fi.syntax.order {
			if fi.syntax.exports[n].binding == name {
				exported = n
				break
			}
		}
		return w.found(Origin{Module: Resolution{Kind: File, Path: p}, Name: exported, Binding: name, Line: d.Line})
	}
	if err := w.step(p, im.Line); err != nil {
		return Origin{}, false, err
	}
	if im.Err != nil {
		return Origin{}, false, im.Err
	}
	imported := im.Imported
	if isMember {
		if imported != "*" {
			return Origin{}, false, nil // a.b on a non-namespace import: a property, not an export
		}
		imported = member
	}
	return w.target(im, imported)
}

// target follows an import or re-export edge to the export it names.
func (w *walker) target(im Import, name string) (Origin, bool, error) {
	if im.Target.Kind != File {
		if im.Target.Kind == Unresolved {
			return Origin{}, false, nil
		}
		return w.found(Origin{Module: im.Target, Name: name})
	}
	if name == "*" {
		tfi, err := w.g.info(w.ctx, im.Target.Path)
		if err != nil {
			return Origin{}, false, err
		}
		if im.Kind == ImportRequire && tfi.syntax.cjsDefault {
			// const x = require('./m') binds m's module.exports.
			return w.export(im.Target.Path, "default")
		}
		return w.found(Origin{Module: im.Target, Name: "*"})
	}
	return w.export(im.Target.Path, name)
}

// export follows the export called name of the file at p.
func (w *walker) export(p, name string) (Origin, bool, error) {
	key := [2]string{p, name}
	if w.seen[key] {
		return Origin{}, false, nil // an export cycle defines nothing
	}
	w.seen[key] = true
	if err := w.ctx.Err(); err != nil {
		return Origin{}, false, err
	}
	fi, err := w.g.info(w.ctx, p)
	if err != nil {
		return Origin{}, false, err
	}
	if le, ok := fi.syntax.exports[name]; ok {
		if le.binding != "" {
			if _, ok := importOf(fi, le.binding); ok {
				// import { a } from './x'; export { a as b }
				if err := w.step(p, le.line); err != nil {
					return Origin{}, false, err
				}
				return w.binding(p, le.binding)
			}
		}
		return w.found(Origin{Module: Resolution{Kind: File, Path: p}, Name: name, Binding: le.binding, Line: le.line})
	}
	for _, im := range fi.syntax.imports {
		if im.Kind != ReExport || im.Local != name {
			continue
		}
		if err := w.step(p, im.Line); err != nil {
			return Origin{}, false, err
		}
		if im.Err != nil {
			return Origin{}, false, im.Err
		}
		if im.Imported == "*" {
			return w.found(Origin{Module: im.Target, Name: "*"})
		}
		return w.target(im, im.Imported)
	}
	if name == "default" {
		return Origin{}, false, nil // export * does not re-export default
	}
	var externals []Import
	for _, im := range fi.syntax.imports {
		if im.Kind != ReExportAll {
			continue
		}
		if im.Err != nil {
			return Origin{}, false, im.Err
		}
		if im.Target.Kind != File {
			if im.Target.Kind != Unresolved {
				externals = append(externals, im)
			}
			continue
		}
		mark := len(w.hops)
		if err := w.step(p, im.Line); err != nil {
			return Origin{}, false, err
		}
		o, ok, err := w.export(im.Target.Path, name)
		if err != nil || ok {
			return o, ok, err
		}
		w.hops = w.hops[:mark]
	}
	if len(externals) == 1 {
		// export * from '@clerk/nextjs/server': the package is the only
		// place the name can come from.
		if err := w.step(p, externals[0].Line); err != nil {
			return Origin{}, false, err
		}
		return w.found(Origin{Module: externals[0].Target, Name: name})
	}
	return Origin{}, false, nil
}

// importOf returns the import that binds local in the file, preferring a
// value import to a type-only one.
func importOf(fi *fileInfo, local string) (Import, bool) {
	var typeOnly *Import
	for i, im := range fi.syntax.imports {
		if im.Local != local || im.Kind == ReExport || im.Kind == ReExportAll {
			continue
		}
		if !im.TypeOnly {
			return im, true
		}
		if typeOnly == nil {
			typeOnly = &fi.syntax.imports[i]
		}
	}
	if typeOnly != nil {
		return *typeOnly, true
	}
	return Import{}, false
}
