package model

import (
	"context"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// edgeAdapter lists Supabase Edge Functions
// (https://supabase.com/docs/guides/functions): each directory
// supabase/functions/<name>/ holds one function whose index.ts passes its
// request handler to Deno.serve(handler) (or serve(handler) of Deno's
// std/http), reachable by anyone at /functions/v1/<name>. Directories
// starting with an underscore (_shared) hold shared code, not functions.
// The gateway's verify_jwt check accepts Supabase's own JWTs, so for an
// application that signs in with Clerk it is no authentication: the
// handler must verify the Clerk token itself.
type edgeAdapter struct{}

func (edgeAdapter) Framework() Framework { return knowledge.SupabaseEdge }

// edgeFileRe matches the entry file of an Edge Function.
var edgeFileRe = regexp.MustCompile(`(?:^|/)supabase/functions/([^/_.][^/]*)/index\.(?:ts|js|mjs|tsx|jsx)$`)

func (edgeAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.edge.get(func() ([]*Entry, error) {
		return m.scanEntries(ctx, edgeFileRe.MatchString, m.edgeFileEntries)
	})
}

func (a edgeAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if !edgeFileRe.MatchString(p) {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return entriesIn(es, p), err
}

func (m *Model) edgeFileEntries(ctx context.Context, p string) ([]*Entry, error) {
	name := edgeFileRe.FindStringSubmatch(p)[1]
	f, err := m.parse(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []*Entry
	for _, st := range f.Root.NamedChildren() {
		if st.Type != "expression_statement" {
			continue
		}
		call := jsast.Unwrap(firstChild(st))
		if call == nil || call.Type != "call_expression" || !isDenoServe(f, call) {
			continue
		}
		e := &Entry{Framework: knowledge.SupabaseEdge, Kind: EdgeFunction, Methods: []string{"ALL"},
			Path: "/functions/v1/" + name, PathKnown: true, File: p, Line: call.Line, EndLine: call.EndLine,
			Name: name, Params: []ParamRole{ParamRequest}}
		if fn := edgeHandler(f, call); fn != nil {
			e.Fn, e.FnFile, e.Handler = fn, f, Location{File: p, Line: fn.Line}
		} else {
			e.Unresolved = "the handler passed to serve() is not a function of this file"
		}
		out = append(out, e)
	}
	return out, nil
}

func firstChild(n *jsast.Node) *jsast.Node {
	for _, c := range n.NamedChildren() {
		return c
	}
	return nil
}

// isDenoServe recognises Deno.serve(...) and serve(...) imported from
// Deno's std/http (https://docs.deno.com/api/deno/~/Deno.serve).
func isDenoServe(f *jsast.File, call *jsast.Node) bool {
	name := f.CalleeName(call)
	if name == "Deno.serve" {
		return true
	}
	if name != "serve" {
		return false
	}
	im, ok := f.ImportOf(name)
	return ok && (strings.Contains(im.Source, "std") && strings.Contains(im.Source, "http") || strings.Contains(im.Source, "deno.land"))
}

// edgeHandler returns the handler function passed to serve: the function
// argument (Deno.serve(opts, handler) takes it last), or the local
// function an identifier names.
func edgeHandler(f *jsast.File, call *jsast.Node) *jsast.Node {
	args := jsast.Args(call)
	for i := len(args) - 1; i >= 0; i-- {
		a := jsast.Unwrap(args[i])
		switch {
		case a == nil:
		case jsast.IsFunction(a):
			return a
		case a.Type == "identifier":
			if v := jsast.Unwrap(f.LocalValue(f.Text(a))); v != nil && jsast.IsFunction(v) {
				return v
			}
			if fn, ok := nestedFuncs(f, f.Root)[f.Text(a)]; ok {
				return fn
			}
		}
	}
	return nil
}

// EdgeGateway is the Supabase gateway's JWT check in front of one Edge
// Function, from the project's supabase/config.toml
// (https://supabase.com/docs/guides/functions/function-configuration:
// `[functions.<name>] verify_jwt`, true by default). The check accepts any
// JWT the Supabase project signed, the public anon key included, so it
// identifies no Clerk user either way: with Clerk the function verifies
// the Clerk token itself, and verify_jwt = false is the documented setup
// (https://clerk.com/docs/guides/development/integrations/databases/supabase).
type EdgeGateway struct {
	// VerifyJWT is false when the config turns the check off.
	VerifyJWT bool
	// Config is the `[functions.<name>]` line that sets verify_jwt (zero
	// when the config does not set it).
	Config Location
	// Known is false when config.toml exists but could not be read or
	// parsed: the gateway's setting is unknown.
	Known bool
}

// edgeConfig is the part of supabase/config.toml the model reads.
type edgeConfig struct {
	Functions map[string]struct {
		VerifyJWT *bool `toml:"verify_jwt"`
	} `toml:"functions"`
}

// EdgeGateway answers the gateway's JWT check for an Edge Function entry.
func (m *Model) EdgeGateway(ctx context.Context, e *Entry) EdgeGateway {
	i := strings.LastIndex(e.File, "supabase/functions/")
	if e.Framework != knowledge.SupabaseEdge || i < 0 {
		return EdgeGateway{VerifyJWT: true, Known: true}
	}
	p := e.File[:i] + "supabase/config.toml"
	if !m.proj.Has(p) {
		return EdgeGateway{VerifyJWT: true, Known: true}
	}
	sf, err := m.fs.Get(ctx, p)
	if err != nil {
		return EdgeGateway{}
	}
	var cfg edgeConfig
	if _, err := toml.Decode(string(sf.Content), &cfg); err != nil {
		return EdgeGateway{}
	}
	fc, ok := cfg.Functions[e.Name]
	if !ok || fc.VerifyJWT == nil {
		return EdgeGateway{VerifyJWT: true, Known: true}
	}
	return EdgeGateway{VerifyJWT: *fc.VerifyJWT, Known: true, Config: Location{File: p, Line: tomlTableLine(sf.Content, "functions", e.Name)}}
}

// tomlTableLine returns the line of the table header [a.b] (either key
// quoted or bare), or 1 when the table is written another way (dotted
// keys, an inline table).
func tomlTableLine(src []byte, a, b string) int {
	for i, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "[") || strings.HasPrefix(t, "[[") {
			continue
		}
		end := strings.IndexByte(t, ']')
		if end < 0 {
			continue
		}
		var keys []string
		for _, k := range strings.Split(t[1:end], ".") {
			keys = append(keys, strings.Trim(strings.TrimSpace(k), `"'`))
		}
		if len(keys) == 2 && keys[0] == a && keys[1] == b {
			return i + 1
		}
	}
	return 1
}
