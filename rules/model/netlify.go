package model

import (
	"context"
	"path"
	"regexp"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// netlifyAdapter lists Netlify Functions
// (https://docs.netlify.com/functions/get-started/): every file
// netlify/functions/<name>.{js,ts,mjs,cjs,mts,cts} (or
// netlify/functions/<name>/<name>.js or index.js) is one function, reachable by anyone at
// /.netlify/functions/<name>. Its handler is the `handler` export
// (`exports.handler = async (event, context) => ...`, the Lambda-compatible
// form, whose event carries the request's headers and body) or the default
// export (`export default async (req, context) => ...`, which takes a Fetch
// Request). Nothing authenticates the caller unless the handler does.
// Only the default functions directory is read (a netlify.toml
// [functions] directory is not).
type netlifyAdapter struct{}

func (netlifyAdapter) Framework() Framework { return knowledge.Netlify }

var netlifyFileRe = regexp.MustCompile(`(?:^|/)netlify/functions/(?:([^/_.][^/]*)\.(?:js|ts|mjs|cjs|mts|cts)|([^/_.][^/]*)/(?:index|[^/]+)\.(?:js|ts|mjs|cjs|mts|cts))$`)

func (netlifyAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.netlify.get(func() ([]*Entry, error) {
		return m.scanEntries(ctx, netlifyFileRe.MatchString, m.netlifyFileEntries)
	})
}

func (a netlifyAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if !netlifyFileRe.MatchString(p) {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return entriesIn(es, p), err
}

func (m *Model) netlifyFileEntries(ctx context.Context, p string) ([]*Entry, error) {
	mm := netlifyFileRe.FindStringSubmatch(p)
	name := mm[1] + mm[2]
	if mm[2] != "" && !netlifyDirEntry(p, mm[2]) {
		return nil, nil // a helper module beside the function's entry file
	}
	f, err := m.parse(ctx, p)
	if err != nil {
		return nil, err
	}
	var stmt, value *jsast.Node
	for _, ex := range f.Exports() {
		if ex.Name == "handler" || ex.Name == "default" && stmt == nil {
			stmt, value = ex.Stmt, ex.Value
		}
	}
	if stmt == nil {
		stmt, value = commonJSHandler(f)
	}
	if stmt == nil {
		return nil, nil
	}
	e := &Entry{Framework: knowledge.Netlify, Kind: NetlifyFunction, Methods: []string{"ALL"},
		Path: "/.netlify/functions/" + name, PathKnown: true, File: p, Line: stmt.Line, EndLine: stmt.EndLine,
		Name: name, Params: []ParamRole{ParamRequest}}
	fn, fnFile, wrappers, why := m.unwrapHandler(ctx, f, value)
	e.Fn, e.FnFile, e.Wrappers, e.Unresolved = fn, fnFile, wrappers, why
	if fn != nil {
		e.Handler = Location{File: fnFile.Path, Line: fn.Line}
	}
	return []*Entry{e}, nil
}

// netlifyDirEntry reports whether p is the entry file of the function in
// directory dir: index.* or <dir>.*.
func netlifyDirEntry(p, dir string) bool {
	base := path.Base(p)
	for _, ext := range []string{".js", ".ts", ".mjs", ".cjs", ".mts", ".cts"} {
		if base == "index"+ext || base == dir+ext {
			return true
		}
	}
	return false
}

// commonJSHandler returns the top-level `exports.handler = fn` (or
// module.exports.handler) statement and its value.
func commonJSHandler(f *jsast.File) (*jsast.Node, *jsast.Node) {
	for _, st := range f.Root.NamedChildren() {
		if st.Type != "expression_statement" {
			continue
		}
		as := jsast.Unwrap(firstChild(st))
		if as == nil || as.Type != "assignment_expression" {
			continue
		}
		switch f.Name(as.ChildByField("left")) {
		case "exports.handler", "module.exports.handler":
			return st, as.ChildByField("right")
		}
	}
	return nil, nil
}
