package model

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// convexAdapter lists the functions of a Convex backend
// (https://docs.convex.dev/functions): every `query`, `mutation` and
// `action` exported from a module of the convex/ directory is callable by
// any client as `api.<module>.<name>`; `internalQuery`,
// `internalMutation` and `internalAction` are not (only other functions
// reach them, through ctx.runQuery/runMutation/runAction or the
// scheduler, which the analysis follows). httpActions are reachable at
// the paths convex/http.ts routes them to (httpRouter().route({ path,
// method, handler })).
//
// Builders made with convex-helpers' customQuery/customMutation/
// customAction (https://stack.convex.dev/custom-functions) are followed
// to the builder they extend; their customCtx function runs before every
// handler and is a layer of the entry's chain: it rejects when it throws
// for a signed-out caller (ctx.auth.getUserIdentity() is null), and only
// attaches when it catches that and passes null on.
type convexAdapter struct{}

func (convexAdapter) Framework() Framework { return knowledge.Convex }

func (convexAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.convex.get(func() ([]*Entry, error) {
		if !m.dependsOn("convex") {
			return nil, nil
		}
		return m.scanEntries(ctx, func(p string) bool { _, ok := convexModule(p); return ok }, m.convexFileEntries)
	})
}

func (a convexAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if _, ok := convexModule(p); !ok {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return entriesIn(es, p), err
}

// convexModule returns the module name of a file of a convex/ directory
// ("users", "functions/admin"); ok is false for other files and for the
// generated code and configuration Convex does not expose.
func convexModule(p string) (string, bool) {
	dir, rel := convexSplit(p)
	if dir == "" && !strings.HasPrefix(p, "convex/") {
		return "", false
	}
	mod := strings.TrimSuffix(rel, path.Ext(rel))
	switch {
	case strings.HasPrefix(mod, "_generated/"), strings.Contains(mod, ".test"), strings.HasSuffix(mod, ".d"),
		mod == "schema", mod == "auth.config", mod == "convex.config", mod == "crons":
		return "", false
	}
	return mod, true
}

// convexSplit splits p into the convex/ directory holding it
// ("packages/backend/convex/") and the path inside it.
func convexSplit(p string) (dir, rel string) {
	if strings.HasPrefix(p, "convex/") {
		return "convex/", strings.TrimPrefix(p, "convex/")
	}
	if i := strings.LastIndex(p, "/convex/"); i >= 0 {
		return p[:i+len("/convex/")], p[i+len("/convex/"):]
	}
	return "", ""
}

// convexBuilder is what a function builder makes.
type convexBuilder struct {
	kind     Kind
	internal bool
	layers   []Layer
}

// convexBuiltins are the builders of convex/server and the generated
// server module (https://docs.convex.dev/api/modules/server).
var convexBuiltins = map[string]convexBuilder{
	"query": {kind: ConvexQuery}, "mutation": {kind: ConvexMutation}, "action": {kind: ConvexAction},
	"httpAction":    {kind: ConvexHTTPAction},
	"internalQuery": {kind: ConvexQuery, internal: true}, "internalMutation": {kind: ConvexMutation, internal: true},
	"internalAction": {kind: ConvexAction, internal: true},
	"queryGeneric":   {kind: ConvexQuery}, "mutationGeneric": {kind: ConvexMutation}, "actionGeneric": {kind: ConvexAction},
	"httpActionGeneric":    {kind: ConvexHTTPAction},
	"internalQueryGeneric": {kind: ConvexQuery, internal: true}, "internalMutationGeneric": {kind: ConvexMutation, internal: true},
	"internalActionGeneric": {kind: ConvexAction, internal: true},
}

// convexCustom are convex-helpers' builders of custom functions.
var convexCustom = map[string]bool{"customQuery": true, "customMutation": true, "customAction": true}

func isConvexServer(spec string) bool {
	return spec == "convex/server" || strings.HasSuffix(spec, "_generated/server") || strings.HasSuffix(spec, "_generated/server.js")
}

// builder classifies the callee of an exported definition.
func (m *Model) convexBuilderOf(ctx context.Context, f *jsast.File, callee *jsast.Node, depth int) (convexBuilder, bool) {
	callee = jsast.Unwrap(callee)
	if callee == nil || callee.Type != "identifier" || depth > MaxWrapperDepth {
		return convexBuilder{}, false
	}
	name := f.Text(callee)
	if im, ok := f.ImportOf(name); ok && isConvexServer(im.Source) {
		b, ok := convexBuiltins[im.Imported]
		return b, ok
	}
	o, ok, err := m.origin(ctx, f, name)
	if err != nil || !ok {
		return convexBuilder{}, false
	}
	of, v, err := m.originValue(ctx, o)
	if err != nil || v == nil {
		if of == nil {
			of = f
		}
		if v = of.LocalValue(name); v == nil {
			return convexBuilder{}, false
		}
	}
	v = jsast.Unwrap(v)
	if v.Type != "call_expression" {
		return convexBuilder{}, false
	}
	cfn := jsast.Unwrap(v.ChildByField("function"))
	if cfn == nil || cfn.Type != "identifier" {
		return convexBuilder{}, false
	}
	im, ok := of.ImportOf(of.Text(cfn))
	if !ok || !strings.HasPrefix(im.Source, "convex-helpers") || !convexCustom[im.Imported] {
		return convexBuilder{}, false
	}
	args := jsast.Args(v)
	if len(args) == 0 {
		return convexBuilder{}, false
	}
	base, ok := m.convexBuilderOf(ctx, of, args[0], depth+1)
	if !ok {
		return convexBuilder{}, false
	}
	out := convexBuilder{kind: base.kind, internal: base.internal, layers: append([]Layer(nil), base.layers...)}
	if len(args) > 1 {
		if l, ok := m.convexCustomLayer(ctx, of, name, args[1]); ok {
			out.layers = append(out.layers, l)
		}
	}
	return out, true
}

// convexCustomLayer evaluates the customization of a custom builder:
// customCtx(fn) or { args, input: fn }.
func (m *Model) convexCustomLayer(ctx context.Context, f *jsast.File, name string, mod *jsast.Node) (Layer, bool) {
	mod = jsast.Unwrap(mod)
	var fn *jsast.Node
	switch {
	case mod == nil:
	case mod.Type == "call_expression":
		if a := jsast.Args(mod); len(a) > 0 {
			fn = jsast.Unwrap(a[0])
		}
	case mod.Type == "object":
		fn = jsast.Unwrap(f.ObjectProp(mod, "input"))
	}
	if fn == nil || !jsast.IsFunction(fn) {
		return Layer{}, false
	}
	l := Layer{Name: name, Location: Location{File: f.Path, Line: fn.Line}, Via: ViaWrapper}
	s := m.summarize(ctx, f, fn, roleHelper, nil, 0, nil)
	for _, c := range s.checks {
		l.Authz |= c.authz
		l.Proof = append(l.Proof, c.Proof)
	}
	l.Authz |= s.contAuthz
	switch {
	case s.contSeen && s.cont == no || !s.contSeen && len(s.checks) > 0:
		l.Gate = GateRejects
		l.Why = fmt.Sprintf("the custom function `%s` (%s:%d) rejects signed-out callers before the handler runs", name, f.Path, fn.Line)
	case s.cont == maybe:
		l.Gate = GateUnknown
		l.Why = fmt.Sprintf("the custom function `%s` could not be evaluated: %s", name, strings.Join(s.unknown, "; "))
	case len(s.reads) > 0:
		l.Gate = GateAttaches
		l.Why = fmt.Sprintf("the custom function `%s` (%s:%d) reads the identity but lets a signed-out caller through", name, f.Path, fn.Line)
	default:
		l.Gate = GateNone
	}
	return l, true
}

// convexHandler returns the handler of a definition's argument: the
// `handler` of an object, or the function itself (the older form).
func convexHandler(f *jsast.File, call *jsast.Node) *jsast.Node {
	args := jsast.Args(call)
	if len(args) == 0 {
		return nil
	}
	a := jsast.Unwrap(args[0])
	if a == nil {
		return nil
	}
	if a.Type == "object" {
		a = jsast.Unwrap(f.ObjectProp(a, "handler"))
	}
	if a != nil && jsast.IsFunction(a) {
		return a
	}
	return nil
}

func (m *Model) convexFileEntries(ctx context.Context, p string) ([]*Entry, error) {
	mod, _ := convexModule(p)
	f, err := m.parse(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []*Entry
	for _, ex := range f.Exports() {
		v := jsast.Unwrap(ex.Value)
		if v == nil || v.Type != "call_expression" || ex.Name == "default" {
			continue
		}
		b, ok := m.convexBuilderOf(ctx, f, v.ChildByField("function"), 0)
		if !ok || b.internal || b.kind == ConvexHTTPAction {
			continue // internal functions are not callable by clients; httpActions are reached through http.ts
		}
		e := &Entry{Framework: knowledge.Convex, Kind: b.kind, Methods: []string{convexMethod(b.kind)},
			Path: "api." + strings.ReplaceAll(mod, "/", ".") + "." + ex.Name, PathKnown: true,
			File: p, Line: ex.Stmt.Line, EndLine: ex.Stmt.EndLine, Name: ex.Name,
			Params: []ParamRole{ParamConvexCtx, ParamClientValue}, Chain: b.layers}
		if fn := convexHandler(f, v); fn != nil {
			e.Fn, e.FnFile, e.Handler = fn, f, Location{File: p, Line: fn.Line}
		} else {
			e.Unresolved = "the function's handler is not a function literal"
		}
		out = append(out, e)
	}
	out = append(out, m.convexRoutes(ctx, f)...)
	return out, nil
}

func convexMethod(k Kind) string {
	switch k {
	case ConvexQuery:
		return "QUERY"
	case ConvexMutation:
		return "MUTATION"
	}
	return "ACTION"
}

// convexRoutes lists the httpActions a file routes:
// http.route({ path | pathPrefix, method, handler }).
func (m *Model) convexRoutes(ctx context.Context, f *jsast.File) []*Entry {
	var out []*Entry
	for _, call := range f.Calls(f.Root, func(n string) bool { return strings.HasSuffix(n, ".route") }) {
		args := jsast.Args(call)
		if len(args) != 1 || jsast.Unwrap(args[0]).Type != "object" {
			continue
		}
		obj := jsast.Unwrap(args[0])
		h := f.ObjectProp(obj, "handler")
		if h == nil {
			continue
		}
		method, _ := f.StringValue(f.ObjectProp(obj, "method"))
		p, known := f.StringValue(f.ObjectProp(obj, "path"))
		if !known {
			if pre, ok := f.StringValue(f.ObjectProp(obj, "pathPrefix")); ok {
				p, known = pre+"*", true
			}
		}
		e := &Entry{Framework: knowledge.Convex, Kind: ConvexHTTPAction, Methods: []string{strings.ToUpper(method)}, Path: p, PathKnown: known,
			File: f.Path, Line: call.Line, EndLine: call.EndLine, Name: strings.ToUpper(method) + " " + p,
			Params: []ParamRole{ParamConvexCtx, ParamRequest}}
		if method == "" {
			e.Methods = []string{"ALL"}
		}
		hf, hv := f, jsast.Unwrap(h)
		if hv.Type == "identifier" {
			if o, ok, err := m.origin(ctx, f, f.Text(hv)); err == nil && ok {
				if of, v, err := m.originValue(ctx, o); err == nil && v != nil {
					hf, hv = of, jsast.Unwrap(v)
				}
			}
		}
		if hv != nil && hv.Type == "call_expression" {
			if fn := convexHandler(hf, hv); fn != nil {
				e.Fn, e.FnFile, e.Handler = fn, hf, Location{File: hf.Path, Line: fn.Line}
			}
		}
		if e.Fn == nil {
			e.Unresolved = "the route's handler could not be followed"
		}
		out = append(out, e)
	}
	return out
}

// convexCallTarget resolves a call that runs a Convex function by
// reference (knowledge.ConvexRunCallOf) to the handler of the function
// referenced, and the call's arguments from the reference on, as that
// handler's (ctx, args): ctx.runMutation(internal.users.create, args) and
// ctx.scheduler.runAfter(0, api.x.y, args) in a Convex function, and
// client.mutation(api.x.y, args) or fetchMutation(api.x.y, args) in
// server code, whose generated api module locates the convex/ directory.
// ok is false for other calls.
func (m *Model) convexCallTarget(ctx context.Context, f *jsast.File, call *jsast.Node) (fnRef, []*jsast.Node, bool) {
	r, ok := m.convexRefExport(ctx, f, call)
	if !ok {
		return fnRef{}, nil, false
	}
	if v := jsast.Unwrap(r.ex.Value); v != nil && v.Type == "call_expression" {
		if fn := convexHandler(r.file, v); fn != nil {
			return fnRef{file: r.file, fn: fn, name: r.name}, r.args, true
		}
	}
	return fnRef{}, nil, false
}

// convexExportRef is the export a call that runs a Convex function by
// reference names: the module file, the export, the reference as
// written ("internal.notes.update") and the call's arguments from the
// reference on.
type convexExportRef struct {
	file *jsast.File
	ex   jsast.Export
	name string
	args []*jsast.Node
}

// convexRefExport resolves a call that runs a Convex function by
// reference (knowledge.ConvexRunCallOf) to the export it names, whatever
// defines it. ok is false for other calls and unresolved references.
func (m *Model) convexRefExport(ctx context.Context, f *jsast.File, call *jsast.Node) (convexExportRef, bool) {
	name := strings.ReplaceAll(f.CalleeName(call), "()", "")
	rc, ok := knowledge.ConvexRunCallOf(jsast.LastSegment(name))
	if !ok {
		return convexExportRef{}, false
	}
	dotted := strings.Contains(name, ".")
	switch {
	case !rc.Client && !dotted:
		return convexExportRef{}, false
	case rc.Client && rc.Module == "" && !dotted:
		return convexExportRef{}, false
	case rc.Client && rc.Module != "":
		if im, ok := f.ImportOf(name); dotted || !ok || im.Source != rc.Module {
			return convexExportRef{}, false
		}
	}
	args := jsast.Args(call)
	if rc.RefArg >= len(args) {
		return convexExportRef{}, false
	}
	ref := strings.Split(f.Name(jsast.Unwrap(args[rc.RefArg])), ".")
	if len(ref) < 3 || ref[0] != "api" && (rc.Client || ref[0] != "internal") {
		return convexExportRef{}, false
	}
	im, ok := f.ImportOf(ref[0])
	if !ok || !strings.Contains(im.Source, "_generated/api") {
		return convexExportRef{}, false
	}
	mod, export := strings.Join(ref[1:len(ref)-1], "/"), ref[len(ref)-1]
	dir, _ := convexSplit(f.Path)
	if rc.Client {
		dir = m.convexDirOf(ctx, f, im.Source, mod)
	}
	if dir == "" && !strings.HasPrefix(f.Path, "convex/") {
		return convexExportRef{}, false
	}
	for _, ext := range []string{".ts", ".js", ".tsx", ".jsx"} {
		tf, err := m.parse(ctx, dir+mod+ext)
		if err != nil {
			continue
		}
		for _, ex := range tf.Exports() {
			if ex.Name == export {
				return convexExportRef{file: tf, ex: ex, name: strings.Join(ref, "."), args: args[rc.RefArg:]}, true
			}
		}
		return convexExportRef{}, false
	}
	return convexExportRef{}, false
}

// convexCrudCall resolves a call that runs, by reference, a function
// convex-helpers' crud() generated (ctx.runMutation(internal.notes.update,
// { id, patch }) where convex/notes.ts exports
// `const { update } = crud(schema, "notes")`): the operation and the table
// the crud call names. ok is false for any other call.
func (m *Model) convexCrudCall(ctx context.Context, f *jsast.File, call *jsast.Node) (op knowledge.ConvexCrudOp, table, ref string, ok bool) {
	r, ok := m.convexRefExport(ctx, f, call)
	if !ok {
		return op, "", "", false
	}
	v := jsast.Unwrap(r.ex.Value)
	if v == nil || v.Type != "call_expression" {
		return op, "", "", false
	}
	callee := jsast.Unwrap(v.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return op, "", "", false
	}
	if im, ok := r.file.ImportOf(r.file.Text(callee)); !ok || im.Source != knowledge.ConvexCrudModule || im.Imported != "crud" {
		return op, "", "", false
	}
	cargs := jsast.Args(v)
	if len(cargs) < 2 {
		return op, "", "", false
	}
	table, ok = r.file.StringValue(cargs[1])
	if !ok || table == "" {
		return op, "", "", false
	}
	op, ok = knowledge.ConvexCrudOpOf(crudProperty(r.file, r.ex))
	return op, table, r.name, ok
}

// crudProperty returns the property of the destructured value an export
// binds: "update" for `export const { update } = ...` and for
// `export const { update: updateNote } = ...`.
func crudProperty(f *jsast.File, ex jsast.Export) string {
	prop := ex.Name
	if ex.Stmt == nil {
		return prop
	}
	for _, pp := range jsast.Find(ex.Stmt, "pair_pattern") {
		k, v := pp.ChildByField("key"), pp.ChildByField("value")
		if k != nil && v != nil && v.Type == "identifier" && f.Text(v) == ex.Name {
			prop = f.Text(k)
		}
	}
	return prop
}

// addCrudEffect records a call that runs a crud() function as the data
// access it performs on the table crud() was made for.
func (a *analyzer) addCrudEffect(n *jsast.Node, st *state, op knowledge.ConvexCrudOp, table, ref string) {
	k := ReadsData
	if op.Writes {
		k = WritesData
	}
	before := len(a.s.effects)
	a.addEffect(n, st, k, ref, op.Selects, nil)
	for i := before; i < len(a.s.effects); i++ {
		if e := &a.s.effects[i]; e.Table == "" {
			e.Table, e.Record = table, table
			e.SchemaOwned = a.m.schemaOwnedRecords(a.ctx)[table]
		}
	}
}

// convexDirOf returns the convex/ directory that the generated api
// module spec (imported by f) lies in, given a module mod of it the code
// references: where the module graph resolves spec, else, when the alias
// is not configured, the one convex/ directory of the snapshot that holds
// mod. "" when there is none.
func (m *Model) convexDirOf(ctx context.Context, f *jsast.File, spec, mod string) string {
	res, err := m.graph.Resolve(ctx, f.Path, spec)
	if err != nil {
		return ""
	}
	if d, _, found := strings.Cut(res.Path, "_generated/"); found && res.Kind == modules.File {
		return d
	}
	dir := ""
	for _, p := range m.fs.Paths() {
		d, rest := convexSplit(p)
		if d == "" || strings.TrimSuffix(rest, path.Ext(rest)) != mod {
			continue
		}
		if dir != "" && dir != d {
			return "" // more than one: the import does not say which
		}
		dir = d
	}
	return dir
}

// ConvexCall resolves a call that runs another Convex function by
// reference (ctx.runAction(internal.clerk.fulfill, args),
// ctx.scheduler.runAfter(0, api.x.y, args)) to the file and handler of
// the function it runs, and that function's export name ("fulfill"). ok
// is false for any other call, or when the reference cannot be followed.
func (m *Model) ConvexCall(ctx context.Context, f *jsast.File, call *jsast.Node) (file string, fn *jsast.Node, export string, ok bool) {
	ref, _, ok := m.convexCallTarget(ctx, f, call)
	if !ok || ref.file == nil || ref.fn == nil {
		return "", nil, "", false
	}
	return ref.file.Path, ref.fn, jsast.LastSegment(ref.name), true
}

// convexCtxMember is what a property of a Convex function's ctx holds
// for an anonymous caller: db, storage, auth and the run methods are the
// ctx itself (a data client whose calls the knowledge tables classify);
// any other property was added by a custom function's customCtx, which
// an authentication builder fills with the caller's user (null when the
// builder lets a signed-out caller through).
func convexCtxMember(prop string) value {
	switch prop {
	case "db", "storage", "auth", "scheduler", "runQuery", "runMutation", "runAction", "vectorSearch":
		return value{kind: vClient, pkg: "convex/server", field: convexCtxField + "." + prop}
	}
	return value{kind: vUser, field: prop}
}

// convexCtxField marks the value of a Convex function's ctx parameter.
const convexCtxField = "convex ctx"

// ctxCallee is a call's callee as written, with ctx's member spelled out
// when the receiver is that member taken out of a Convex function's ctx
// (`const { auth } = ctx; auth.getUserIdentity()` is
// ctx.auth.getUserIdentity): the knowledge tables name Convex's calls by
// their receiver on ctx.
func (a *analyzer) ctxCallee(n *jsast.Node) string {
	clean := strings.ReplaceAll(a.f.CalleeName(n), "()", "")
	callee := jsast.Unwrap(n.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return clean
	}
	obj := jsast.Unwrap(callee.ChildByField("object"))
	if obj == nil || obj.Type != "identifier" {
		return clean
	}
	if v := a.classify(obj); v.kind == vClient {
		if prop, ok := strings.CutPrefix(v.field, convexCtxField+"."); ok {
			return "ctx." + prop + "." + jsast.LastSegment(clean)
		}
	}
	return clean
}

// convexIDTable names the table a data call that names none reads or
// writes (ctx.db.get(id), ctx.db.delete(args.noteId)) from the validator
// of its id argument in the enclosing definition's `args`
// (`{ noteId: v.optional(v.id('notes')) }`, knowledge.IDValidatorOf).
// The argument must be the definition's argument by its declared name:
// args.noteId, or a variable of that name destructured from the args.
func convexIDTable(f *jsast.File, call *jsast.Node) string {
	args := jsast.Args(call)
	if len(args) == 0 {
		return ""
	}
	name := ""
	switch a := jsast.Unwrap(args[0]); {
	case a == nil:
		return ""
	case a.Type == "identifier":
		name = f.Text(a)
	case a.Type == "member_expression":
		name = f.Text(a.ChildByField("property"))
	}
	if name == "" {
		return ""
	}
	def := convexDefinitionOf(call)
	if def == nil {
		if a := jsast.Unwrap(args[0]); a.Type == "identifier" {
			return convexParamTable(f, call, name)
		}
		return ""
	}
	return convexValidatorTable(f, jsast.Unwrap(f.ObjectProp(f.ObjectProp(def, "args"), name)))
}

// convexValidatorTable names the table of an id validator
// (`v.id('notes')`, also wrapped: `v.optional(v.id('notes'))`,
// knowledge.IDValidatorOf), or "".
func convexValidatorTable(f *jsast.File, val *jsast.Node) string {
	for i := 0; i < 4 && val != nil && val.Type == "call_expression"; i++ {
		callee := jsast.Unwrap(val.ChildByField("function"))
		if callee == nil || callee.Type != "member_expression" {
			return ""
		}
		im, ok := f.ImportOf(f.Text(callee.ChildByField("object")))
		if !ok {
			return ""
		}
		iv, ok := knowledge.IDValidatorOf(im.Source, im.Imported)
		vargs := jsast.Args(val)
		if !ok || len(vargs) == 0 {
			return ""
		}
		switch method := f.Text(callee.ChildByField("property")); {
		case method == iv.Method:
			t, _ := f.StringValue(vargs[0])
			return t
		case slices.Contains(iv.Wrappers, method):
			val = jsast.Unwrap(vargs[0])
		default:
			return ""
		}
	}
	return ""
}

// convexParamTable names the table of a parameter of the function
// enclosing call that is declared with an id type
// (knowledge.IDTypeOf: `userId: Id<'users'>` in a helper), or "".
func convexParamTable(f *jsast.File, call *jsast.Node, name string) string {
	fn := jsast.EnclosingFunction(call)
	if fn == nil {
		return ""
	}
	params := fn.ChildByField("parameters")
	if params == nil {
		return ""
	}
	for _, p := range params.NamedChildren() {
		pat, typ := p.ChildByField("pattern"), p.ChildByField("type")
		if pat == nil || typ == nil || f.Text(pat) != name {
			continue
		}
		t := strings.TrimSpace(strings.TrimPrefix(f.Text(typ), ":"))
		local, arg, ok := strings.Cut(strings.TrimSuffix(t, ">"), "<")
		if !ok || !strings.HasSuffix(t, ">") {
			return ""
		}
		im, ok := f.ImportOf(strings.TrimSpace(local))
		if !ok {
			return ""
		}
		if _, ok := knowledge.IDTypeOf(im.Source, im.Imported); !ok {
			return ""
		}
		return strings.Trim(strings.TrimSpace(arg), `'"`)
	}
	return ""
}

// convexRefTable names the table a Convex document call by id
// (knowledge.ConvexIDMethod: get, patch, replace, delete) reads or writes
// when its id is a field of another document (ctx.db.get(article.authorId)):
// the table the schema's id validator for that field names
// (Model.convexFieldTable), or "".
func (a *analyzer) convexRefTable(call *jsast.Node) string {
	callee := jsast.Unwrap(call.ChildByField("function"))
	args := jsast.Args(call)
	if callee == nil || callee.Type != "member_expression" || len(args) == 0 ||
		!knowledge.ConvexIDMethod(a.f.Text(callee.ChildByField("property"))) {
		return ""
	}
	arg := jsast.Unwrap(args[0])
	if arg == nil || arg.Type != "member_expression" {
		return ""
	}
	return a.m.convexFieldTable(a.ctx, a.f.Path, a.f.Text(arg.ChildByField("property")))
}

// convexDefinitionOf returns the definition object ({ args, handler })
// whose handler holds n.
func convexDefinitionOf(n *jsast.Node) *jsast.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if !jsast.IsFunction(p) || p.Parent != nil && p.Parent.Type == "arguments" {
			continue // a callback in the handler (items.map(async (x) => ...)) sees its args
		}
		holder := p
		if p.Type != "method_definition" {
			holder = p.Parent
			if holder == nil || holder.Type != "pair" {
				return nil
			}
		}
		if holder.Parent != nil && holder.Parent.Type == "object" {
			return holder.Parent
		}
		return nil
	}
	return nil
}
