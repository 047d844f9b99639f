package model

import (
	"context"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// supabaseAdapter lists Supabase Edge Functions: each
// supabase/functions/<name>/index.ts serves every method of
// /functions/v1/<name> through the handler it passes to Deno.serve() (or
// serve() of Deno's std/http), which receives the Request
// (https://supabase.com/docs/guides/functions/quickstart,
// https://supabase.com/docs/guides/functions/development-environment).
// No middleware runs in front of it: the platform's JWT check is
// configuration (verify_jwt), not code, and it admits the public anon key.
type supabaseAdapter struct{}

func (supabaseAdapter) Framework() Framework { return knowledge.SupabaseEdge }

func (supabaseAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.supabase.get(func() ([]*Entry, error) {
		var out []*Entry
		for _, p := range m.fs.Paths() {
			name, ok := edgeFunctionName(p)
			if !ok {
				continue
			}
			f, err := m.parse(ctx, p)
			if err != nil {
				m.notes.add(Note{Where: p, What: "edge function not read: " + err.Error()})
				continue
			}
			out = append(out, edgeEntries(f, name)...)
		}
		return withFacets(out), nil
	})
}

func (a supabaseAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if _, ok := edgeFunctionName(p); !ok {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	var out []*Entry
	for _, e := range es {
		if e.File == p {
			out = append(out, e)
		}
	}
	return out, err
}

// edgeFunctionName returns <name> of supabase/functions/<name>/index.ts
// (at any depth: monorepos nest the supabase directory).
func edgeFunctionName(p string) (string, bool) {
	dir, base := path.Split(p)
	if strings.TrimSuffix(base, path.Ext(base)) != "index" || !isScriptName(base) {
		return "", false
	}
	dir = strings.TrimSuffix(dir, "/")
	name := path.Base(dir)
	parent := path.Dir(dir)
	if path.Base(parent) != "functions" || path.Base(path.Dir(parent)) != "supabase" || strings.HasPrefix(name, "_") {
		return "", false // _shared/ holds helpers, not functions
	}
	return name, true
}

// isScriptName reports whether a file name is a JavaScript or TypeScript module.
func isScriptName(base string) bool {
	switch path.Ext(base) {
	case ".ts", ".js", ".mts", ".mjs", ".tsx", ".jsx":
		return true
	}
	return false
}

// edgeEntries finds the Deno.serve(handler) / serve(handler) calls of a
// function's index file.
func edgeEntries(f *jsast.File, name string) []*Entry {
	var out []*Entry
	for _, call := range f.Calls(f.Root, func(n string) bool { return n == "Deno.serve" || n == "serve" }) {
		if f.CalleeName(call) == "serve" {
			im, ok := f.ImportOf("serve")
			if !ok || !strings.Contains(im.Source, "/http/server") {
				continue // a serve() that is not Deno's std/http
			}
		}
		args := jsast.Args(call)
		if len(args) == 0 {
			continue
		}
		fn := jsast.Unwrap(args[len(args)-1])
		if fn != nil && fn.Type == "identifier" {
			fn = jsast.Unwrap(f.LocalValue(f.Text(fn)))
		}
		if fn == nil || !jsast.IsFunction(fn) {
			continue
		}
		out = append(out, &Entry{Framework: knowledge.SupabaseEdge, Kind: EdgeFunction, Methods: []string{"ALL"},
			Path: "/functions/v1/" + name, PathKnown: true, File: f.Path, Line: call.Line, EndLine: call.EndLine,
			Name: "serve", Handler: Location{File: f.Path, Line: fn.Line}, Fn: fn, FnFile: f,
			Params: []ParamRole{ParamRequest}})
	}
	return out
}
