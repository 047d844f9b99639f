package model

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// BrowserQuery is a query that browser code sends straight to a hosted
// database (Supabase) through a client that carries no token of the
// signed-in user, selecting or writing rows by an owner column whose value
// the browser supplies. The database sees an anonymous caller holding the
// public key, so its per-user rules cannot bind the rows to the Clerk
// user: whoever holds the key (every visitor) can send the same query
// with another user's id.
type BrowserQuery struct {
	File          string
	Line, EndLine int
	// Call is the query as written, shortened ("supabase.from('notes').select").
	Call   string
	Table  string
	Effect knowledge.Effect
	// Owner is the owner column the query keys on ("user_id").
	Owner string
	// Client is the factory call that made the client.
	Client Location
	// Browser says why the module runs in the browser.
	Browser string
	// Export is the exported declaration that holds the query ("" when it
	// is in a function the module does not export).
	Export     string
	ExportLine int
}

// maxClientHops bounds the functions followed to find a client's factory.
const maxClientHops = 3

// BrowserQueries lists the tokenless owner-keyed queries of the module at
// p, when it runs in the browser of an application that signs users in
// with Clerk. A client whose options the model cannot read (a custom
// fetch, options built elsewhere) is not listed: it may send a token.
func (m *Model) BrowserQueries(ctx context.Context, p string) ([]BrowserQuery, error) {
	why, ok := m.BrowserModule(ctx, p)
	if !ok || !m.usesClerk(p) {
		return nil, nil
	}
	f, err := m.parse(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []BrowserQuery
	jsast.Walk(f.Root, func(x *jsast.Node) bool {
		if ctx.Err() != nil {
			return false
		}
		if x.Type != "call_expression" {
			return true
		}
		fn := jsast.Unwrap(x.ChildByField("function"))
		if fn != nil && fn.Type == "identifier" && f.Text(fn) == "fetch" && f.LocalValue("fetch") == nil {
			// fetch(`${url}/rest/v1/notes`, { headers: { apikey } }): the
			// database's REST API called without its client.
			if q, ok := restQuery(f, x); ok && !m.AnonDenied(ctx, q.Table, q.Effect) {
				q.File, q.Client, q.Browser = p, Location{File: p, Line: x.Line}, why
				q.Export, q.ExportLine = exportedDecl(f, x)
				out = append(out, q)
			}
			return true
		}
		if fn == nil || fn.Type != "member_expression" || f.Text(fn.ChildByField("property")) != "from" {
			return true
		}
		args := jsast.Args(x)
		table, ok := "", len(args) == 1
		if ok {
			table, ok = f.StringValue(args[0])
		}
		recv := jsast.Unwrap(fn.ChildByField("object"))
		if !ok || recv == nil || recv.Type != "identifier" {
			return true
		}
		client, lib, ok := m.tokenlessClient(ctx, f, x, f.Text(recv))
		if !ok {
			return true
		}
		q, ok := ownerKeyedQuery(f, x, table, lib)
		if !ok || m.AnonDenied(ctx, table, q.Effect) {
			return true // or the committed row security keeps a tokenless caller from every row
		}
		q.File, q.Client, q.Browser, q.Table = p, client, why, table
		q.Export, q.ExportLine = exportedDecl(f, x)
		out = append(out, q)
		return true
	})
	return out, ctx.Err()
}

// usesClerk reports whether the package of p depends on a Clerk SDK.
func (m *Model) usesClerk(p string) bool {
	pk := m.proj.PackageFor(p)
	if pk == nil {
		return false
	}
	for d := range pk.Deps {
		if knowledge.IsClerkPackage(d) {
			return true
		}
	}
	return false
}

// tokenlessClient resolves the client a query's receiver name holds at
// call, to the factory call that made it, and reports whether that client
// sends no token of the user.
func (m *Model) tokenlessClient(ctx context.Context, f *jsast.File, at *jsast.Node, name string) (Location, string, bool) {
	vf, v := localInit(f, at, name)
	if v == nil {
		o, ok, err := m.graph.Origin(ctx, f.Path, name)
		if err != nil || !ok || o.Module.Kind != modules.File || o.Binding == "" {
			return Location{}, "", false
		}
		if vf, err = m.parse(ctx, o.Module.Path); err != nil {
			return Location{}, "", false
		}
		name, v = o.Binding, jsast.Unwrap(vf.LocalValue(o.Binding))
	}
	for hop := 0; v != nil && hop < maxClientHops; hop++ {
		if v.Type != "call_expression" {
			return Location{}, "", false
		}
		fac, ok := m.factoryOf(ctx, vf, v)
		if ok {
			if fac.ServerOnly || !tokenless(vf, v, fac) || hop == 0 && givenToken(vf, name, fac.Library) {
				return Location{}, "", false
			}
			return Location{File: vf.Path, Line: v.Line}, fac.Library, true
		}
		// useSupabase(), getClient(): a function of the application that
		// returns a client; follow it to the factory call it makes.
		ff, fn := m.calledFunction(ctx, vf, v)
		if fn == nil {
			return Location{}, "", false
		}
		var inner *jsast.Node
		jsast.Walk(fn, func(x *jsast.Node) bool {
			if inner != nil {
				return false
			}
			if x.Type == "call_expression" {
				if _, ok := m.factoryOf(ctx, ff, x); ok {
					inner = x
					return false
				}
			}
			return true
		})
		vf, v = ff, inner
	}
	return Location{}, "", false
}

// factoryOf says which data client factory a call is.
func (m *Model) factoryOf(ctx context.Context, f *jsast.File, call *jsast.Node) (knowledge.DataClientFactory, bool) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return knowledge.DataClientFactory{}, false
	}
	o, ok, err := m.graph.Origin(ctx, f.Path, f.Text(callee))
	if err != nil || !ok || o.Module.Kind != modules.External {
		return knowledge.DataClientFactory{}, false
	}
	return knowledge.DataClientFactoryOf(o.Module.Package, o.Name)
}

// calledFunction returns the function an application call names.
func (m *Model) calledFunction(ctx context.Context, f *jsast.File, call *jsast.Node) (*jsast.File, *jsast.Node) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return nil, nil
	}
	o, ok, err := m.graph.Origin(ctx, f.Path, f.Text(callee))
	if err != nil || !ok || o.Module.Kind != modules.File || o.Binding == "" {
		return nil, nil
	}
	df, err := m.parse(ctx, o.Module.Path)
	if err != nil {
		return nil, nil
	}
	fn := jsast.Unwrap(df.LocalValue(o.Binding))
	if fn == nil || !jsast.IsFunction(fn) && fn.Type != "function_declaration" {
		return nil, nil
	}
	return df, fn
}

// tokenless reports whether a factory call's options send no token: no
// options, or an options object without any of the library's token
// options. Options the model cannot read count as sending one.
func tokenless(f *jsast.File, call *jsast.Node, fac knowledge.DataClientFactory) bool {
	args := jsast.Args(call)
	if fac.KeyArg < len(args) {
		key := f.Text(args[fac.KeyArg])
		if knowledge.PrivilegedKeyName(key) {
			return false // a service key in the browser is a secret leak, not a missing token
		}
	}
	if fac.OptionsArg >= len(args) {
		return true
	}
	opts := jsast.Unwrap(args[fac.OptionsArg])
	if opts != nil && opts.Type == "identifier" {
		_, opts = localInit(f, call, f.Text(opts))
	}
	if opts == nil || opts.Type != "object" {
		return false
	}
	for _, o := range knowledge.TokenOptionsOf(fac.Library) {
		v, found := optionAt(f, opts, strings.Split(o.Path, "."))
		switch {
		case !found:
			continue
		case o.Custom || o.Header == "":
			return false
		case v == nil || v.Type != "object":
			return false // headers built elsewhere: may carry the token
		default:
			if _, has := optionAt(f, v, []string{o.Header}); has {
				return false
			}
		}
	}
	return true
}

// givenToken reports whether the module declaring a client gives it a
// token after making it: supabase.auth.setSession(...), or an
// Authorization header written into its headers.
func givenToken(f *jsast.File, name, lib string) bool {
	given := false
	jsast.Walk(f.Root, func(x *jsast.Node) bool {
		if given {
			return false
		}
		for _, s := range knowledge.TokenSettersOf(lib) {
			switch {
			case s.Header == "" && x.Type == "call_expression" && f.CalleeName(x) == name+"."+s.Path:
				given = true
			case s.Header != "" && x.Type == "assignment_expression":
				left := strings.ToLower(f.Text(x.ChildByField("left")))
				if strings.HasPrefix(left, strings.ToLower(name)+".") && strings.Contains(left, "."+s.Path) && strings.Contains(left, s.Header) {
					given = true
				}
			}
		}
		return true
	})
	return given
}

// optionAt finds the value at a key path of an object literal; keys match
// case-insensitively (HTTP header names). A spread element makes the
// answer "found" with no value: the object may hold anything.
func optionAt(f *jsast.File, obj *jsast.Node, keys []string) (*jsast.Node, bool) {
	for i, key := range keys {
		obj = jsast.Unwrap(obj)
		if obj == nil || obj.Type != "object" {
			return nil, false
		}
		if slices.ContainsFunc(obj.NamedChildren(), func(c *jsast.Node) bool { return c.Type == "spread_element" }) {
			return nil, true
		}
		have := f.ObjectKeys(obj)
		j := slices.IndexFunc(have, func(k string) bool { return strings.EqualFold(k, key) })
		if j < 0 {
			return nil, false
		}
		next := f.ObjectProp(obj, have[j])
		if i == len(keys)-1 {
			return jsast.Unwrap(next), true
		}
		obj = next
	}
	return nil, false
}

// localInit returns the value a name is declared with in the functions
// around at (before it) or at the top level of f.
func localInit(f *jsast.File, at *jsast.Node, name string) (*jsast.File, *jsast.Node) {
	for fn := jsast.EnclosingFunction(at); fn != nil; fn = jsast.EnclosingFunction(fn) {
		if v := declaredBefore(f, fn, at, name); v != nil {
			return f, v
		}
	}
	return f, jsast.Unwrap(f.LocalValue(name))
}

// declaredBefore returns the value a variable of the function fn (not of
// the functions nested in it) is declared with before at, or nil.
func declaredBefore(f *jsast.File, fn, at *jsast.Node, name string) *jsast.Node {
	if fn == nil {
		return nil
	}
	var out *jsast.Node
	jsast.Walk(jsast.FunctionBody(fn), func(x *jsast.Node) bool {
		if x.Start >= at.Start {
			return false
		}
		if x.Type == "variable_declarator" {
			if id := x.ChildByField("name"); id != nil && id.Type == "identifier" && f.Text(id) == name {
				out = jsast.Unwrap(x.ChildByField("value"))
			}
		}
		return !jsast.IsFunction(x)
	})
	return out
}

// ownerKeyedQuery reads the chain on a from(table) call: its data effect
// and the first owner column it filters on or writes (ownerKey; the id of
// an account table such as profiles).
func ownerKeyedQuery(f *jsast.File, from *jsast.Node, table, lib string) (BrowserQuery, bool) {
	var q BrowserQuery
	pkg := ""
	if l, ok := knowledgeLibrary(lib); ok && len(l.Modules) > 0 {
		pkg = l.Modules[0]
	}
	owner := func(key string) bool {
		return ownerKey.MatchString(key) || key == "id" && knowledge.AccountTable(table)
	}
	top := from
	for p := top.Parent; p != nil && p.Type == "member_expression" && p.Parent != nil && p.Parent.Type == "call_expression"; p = top.Parent {
		call := p.Parent
		top = call
		method := f.Text(p.ChildByField("property"))
		if e, ok := knowledge.DataCall(pkg, method); ok && q.Effect == 0 {
			q.Effect = e
		}
		if q.Owner != "" {
			continue
		}
		args := jsast.Args(call)
		if cf, ok := knowledge.ColumnFilterOf(lib, method); ok && len(args) >= 1 {
			if cf.Object {
				q.Owner = ownerProp(f, call, args[0], owner)
			} else if col, ok := f.StringValue(args[0]); ok && owner(col) {
				q.Owner = col
			}
		} else if e, ok := knowledge.DataCall(pkg, method); ok && e == knowledge.Write && len(args) >= 1 {
			q.Owner = ownerProp(f, call, args[0], owner) // insert/upsert/update(record)
		}
	}
	if q.Owner == "" || q.Effect == 0 {
		return q, false
	}
	q.Line, q.EndLine = from.Line, top.EndLine
	q.Call = fmt.Sprintf("%s.from('%s').%s", f.Text(jsast.Unwrap(from.ChildByField("function")).ChildByField("object")), table,
		methodsOf(f, from, top))
	return q, true
}

// restFilter is a PostgREST column filter in a URL's query (user_id=eq.x).
var restFilter = regexp.MustCompile(`[?&]([A-Za-z_][A-Za-z0-9_]*)=eq\.`)

// restQuery reads a fetch of a hosted database's REST API
// (knowledge.DataRESTTable) that sends the public key and no user token:
// the query a tokenless client would send, keyed by an owner column when
// the URL filters on one or the body writes one. An owner value named for
// the user's id (userId, user.id) under another key (username: userID)
// keys it too.
func restQuery(f *jsast.File, call *jsast.Node) (BrowserQuery, bool) {
	var q BrowserQuery
	args := jsast.Args(call)
	if len(args) < 2 {
		return q, false // no headers: not a request with the key
	}
	api, table, ok := knowledge.DataRESTTable(f.Text(args[0]))
	opts := jsast.Unwrap(args[1])
	if opts != nil && opts.Type == "identifier" {
		_, opts = localInit(f, call, f.Text(opts))
	}
	if !ok || opts == nil {
		return q, false
	}
	key, ok := optionAt(f, opts, []string{"headers", api.KeyHeader})
	if !ok || key == nil {
		return q, false
	}
	if tok, ok := optionAt(f, opts, []string{"headers", api.TokenHeader}); ok &&
		(tok == nil || !strings.Contains(f.Text(tok), strings.Trim(f.Text(key), "\"'`"))) {
		return q, false // a token of the user (or headers it cannot read)
	}
	method := "GET"
	if mv, ok := optionAt(f, opts, []string{"method"}); ok {
		s, isStr := f.StringValue(mv)
		if !isStr {
			return q, false
		}
		method = strings.ToUpper(s)
	}
	q.Effect = api.Methods[method]
	owner := func(k string) bool { return ownerKey.MatchString(k) || k == "id" && knowledge.AccountTable(table) }
	for _, m := range restFilter.FindAllStringSubmatch(f.Text(args[0]), -1) {
		if owner(m[1]) {
			q.Owner = m[1]
			break
		}
	}
	if body, ok := optionAt(f, opts, []string{"body"}); ok && body != nil && q.Owner == "" && q.Effect.Writes() &&
		body.Type == "call_expression" && f.CalleeName(body) == "JSON.stringify" && len(jsast.Args(body)) > 0 {
		rec := jsast.Args(body)[0]
		if q.Owner = ownerProp(f, call, rec, owner); q.Owner == "" {
			q.Owner = ownerValueKey(f, call, rec)
		}
	}
	if q.Owner == "" || q.Effect == 0 {
		return q, false
	}
	q.Table, q.Line, q.EndLine = table, call.Line, call.EndLine
	q.Call = fmt.Sprintf("fetch('%s%s', %s)", api.Path, table, method)
	return q, true
}

// ownerValueKey returns the key of a record literal whose value is named
// for the user's id (username: userID, owner: user.id).
func ownerValueKey(f *jsast.File, at, a *jsast.Node) string {
	a = jsast.Unwrap(a)
	if a != nil && a.Type == "identifier" {
		_, a = localInit(f, at, f.Text(a))
	}
	if a == nil || a.Type != "object" {
		return ""
	}
	for _, k := range f.ObjectKeys(a) {
		v := jsast.Unwrap(f.ObjectProp(a, k))
		if v == nil || v.Type != "identifier" && v.Type != "member_expression" {
			continue
		}
		if name := strings.NewReplacer(".", "", "?", "").Replace(f.Text(v)); ownerKey.MatchString(name) {
			return k
		}
	}
	return ""
}

// ownerProp returns the first owner key of a record argument (an object,
// the first object of an array, or a local variable holding one).
func ownerProp(f *jsast.File, at, a *jsast.Node, owner func(string) bool) string {
	a = jsast.Unwrap(a)
	if a != nil && a.Type == "array" && len(a.NamedChildren()) > 0 {
		a = jsast.Unwrap(a.NamedChildren()[0])
	}
	if a != nil && a.Type == "identifier" {
		_, a = localInit(f, at, f.Text(a))
	}
	if a == nil || a.Type != "object" {
		return ""
	}
	for _, k := range f.ObjectKeys(a) {
		if owner(k) {
			return k
		}
	}
	return ""
}

// methodsOf lists the data methods of a chain, for the message.
func methodsOf(f *jsast.File, from, top *jsast.Node) string {
	var ms []string
	for p := from.Parent; p != nil && p.Type == "member_expression" && p.Parent != nil; p = p.Parent.Parent {
		ms = append(ms, f.Text(p.ChildByField("property")))
		if p.Parent == top {
			break
		}
	}
	if len(ms) > 3 {
		ms = ms[:3]
	}
	return strings.Join(ms, "().") + "()"
}

func knowledgeLibrary(name string) (knowledge.DataLibrary, bool) {
	for _, l := range knowledge.DataLibraries() {
		if l.Name == name {
			return l, true
		}
	}
	return knowledge.DataLibrary{}, false
}

// exportedDecl names the exported top-level declaration holding n.
func exportedDecl(f *jsast.File, n *jsast.Node) (string, int) {
	st := n
	for st.Parent != nil && st.Parent != f.Root {
		st = st.Parent
	}
	if st.Type != "export_statement" {
		return "", 0
	}
	name := "default"
	if d := st.ChildByField("declaration"); d != nil {
		if id := d.ChildByField("name"); id != nil {
			name = f.Text(id)
		} else if d.Type == "lexical_declaration" || d.Type == "variable_declaration" {
			for _, c := range d.NamedChildren() {
				if c.Type == "variable_declarator" {
					name = f.Text(c.ChildByField("name"))
					break
				}
			}
		}
	}
	return name, st.Line
}

// callerTokenClient reports whether the data client factory call n (of
// the data library module pkg) makes a client that sends the caller's own
// token: a token option (knowledge.TokenOptionsOf: Supabase's
// global.headers Authorization, accessToken) whose value comes from the
// request, and a key argument that is not a privileged key. Such a client
// is the documented way to query Supabase as the signed-in user from a
// server or an Edge Function, so Row Level Security applies to it.
func (a *analyzer) callerTokenClient(n *jsast.Node, pkg string) bool {
	callee := jsast.Unwrap(n.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return false
	}
	im, ok := a.f.ImportOf(a.f.Text(callee))
	if !ok {
		return false
	}
	fac, ok := knowledge.DataClientFactoryOf(pkg, im.Imported)
	args := jsast.Args(n)
	if !ok || fac.KeyArg >= len(args) || fac.OptionsArg >= len(args) || knowledge.PrivilegedKeyName(a.f.Text(args[fac.KeyArg])) {
		return false
	}
	opts := jsast.Unwrap(args[fac.OptionsArg])
	for _, o := range knowledge.TokenOptionsOf(fac.Library) {
		v, found := optionAt(a.f, opts, strings.Split(o.Path, "."))
		if !found || v == nil || o.Custom {
			continue
		}
		if o.Header != "" {
			if v, found = optionAt(a.f, v, []string{o.Header}); !found || v == nil {
				continue
			}
		}
		if jsast.IsFunction(v) {
			v = jsast.FunctionBody(v) // accessToken: async () => token
		}
		if reqs, _, _, _ := a.argSources(v); len(reqs) > 0 {
			return true
		}
	}
	return false
}
