package model

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// svelteAdapter lists the server entries of SvelteKit apps under
// src/routes: each method export of a +server file (an endpoint), the
// load of a +page.server file, each of its form actions (one entry per
// named action, called by POST ?/name), and the load of a +layout.server
// file. The URL path comes from the directory ((group) segments dropped,
// [param], [...rest] and [[optional]] kept). The chain is the handle hook
// of src/hooks.server (each handle of a sequence(), Clerk's
// withClerkHandler() by rules/knowledge, the application's own evaluated
// for the entry's path: a handle that errors or redirects before
// resolve(event) guards that path), then, for a page load only, the
// layout loads above it: a layout load's check guards the page's load
// only when the load awaits parent(); otherwise both run in parallel and
// the page's data can be requested on its own (partial). A layout's check
// never guards form actions or endpoints.
//
// Conventions: https://svelte.dev/docs/kit/routing (+page.server, +server,
// +layout.server, advanced routing for groups and rest parameters);
// https://svelte.dev/docs/kit/form-actions (named actions, ?/name);
// https://svelte.dev/docs/kit/load#Using-parent-data ("await parent()"
// makes a load wait; otherwise loads run in parallel);
// https://svelte.dev/docs/kit/hooks#Server-hooks-handle and
// https://svelte.dev/docs/kit/@sveltejs-kit-hooks#sequence.
type svelteAdapter struct{}

func (svelteAdapter) Framework() Framework { return knowledge.SvelteKit }

func (svelteAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.svelte.get(func() ([]*Entry, error) { return svelteEntries(ctx, m) })
}

func (a svelteAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	return m.entriesOfDep(ctx, a, "@sveltejs/kit", p)
}

// svelteRouteID is SvelteKit's route ID of a route file: its directory
// below src/routes, (group) segments kept ("/(app)/dashboard").
func svelteRouteID(root, p string) string {
	rel := strings.TrimPrefix(path.Dir(p), root+"src/routes")
	if rel == "" {
		return "/"
	}
	return rel
}

// svelteFile splits a route file into its URL path and its convention
// ("+server", "+page.server", "+layout.server"), or ok=false.
func svelteFile(root, p string) (urlPath, conv string, ok bool) {
	rel, found := strings.CutPrefix(p, root+"src/routes/")
	if !found || !modules.IsModule(p) {
		return "", "", false
	}
	base := path.Base(rel)
	conv = strings.TrimSuffix(base, path.Ext(base))
	switch conv {
	case "+server", "+page.server", "+layout.server":
	default:
		return "", "", false
	}
	var segs []string
	for _, s := range strings.Split(path.Dir(rel), "/") {
		if s == "." || s == "" || strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
			continue
		}
		segs = append(segs, s)
	}
	return "/" + strings.Join(segs, "/"), conv, true
}

func svelteEntries(ctx context.Context, m *Model) ([]*Entry, error) {
	roots := m.packageRoots("@sveltejs/kit")
	if len(roots) == 0 {
		return nil, nil
	}
	var out []*Entry
	for p, root := range m.appFiles(roots) {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		urlPath, conv, ok := svelteFile(root, p)
		if !ok {
			continue
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: err.Error()})
			continue
		}
		base := Entry{Framework: knowledge.SvelteKit, Path: urlPath, PathKnown: true, File: p, Params: []ParamRole{ParamRequest}}
		var es []*Entry
		for _, ex := range f.Exports() {
			if ex.Stmt == nil {
				continue
			}
			switch {
			case conv == "+server":
				meth, ok := knowledge.HTTPMethod(ex.Name)
				if !ok && ex.Name != "fallback" {
					continue
				}
				e := m.svelteEntry(ctx, f, base, ex.Name, ex.Stmt, ex.Value)
				e.Kind, e.Methods = Endpoint, []string{"ALL"}
				if ok {
					e.Methods = []string{meth.Name}
				}
				es = append(es, e)
			case ex.Name == "load":
				e := m.svelteEntry(ctx, f, base, "load", ex.Stmt, ex.Value)
				e.Kind, e.Methods = Load, []string{"GET"}
				if conv == "+layout.server" {
					e.Kind = LayoutLoad
				}
				es = append(es, e)
			case ex.Name == "actions" && conv == "+page.server":
				es = append(es, m.svelteActions(ctx, f, base, ex.Value)...)
			}
		}
		for _, e := range es {
			e.Chain = append(e.Chain, m.svelteHooks(ctx, root, requestAt{path: urlPath, route: svelteRouteID(root, p), method: knownMethod(e.Methods)})...)
			switch e.Kind {
			case Load:
				e.Chain = append(e.Chain, m.svelteLayouts(ctx, root, p, e)...)
			case FormAction, Endpoint:
				if l, ok := m.svelteLayoutNote(ctx, root, p, e); ok {
					e.Chain = append(e.Chain, l)
				}
			}
			e.Public = conventionPublic(urlPath, e.Kind == Load || e.Kind == LayoutLoad)
		}
		out = append(out, es...)
	}
	return withFacets(out), nil
}

// svelteEntry builds an entry for an exported function, or for a
// library's ready-made handler (UploadThing's createRouteHandler exported
// as GET and POST), as a Next.js route handler's export is built.
func (m *Model) svelteEntry(ctx context.Context, f *jsast.File, base Entry, name string, stmt, val *jsast.Node) *Entry {
	return m.nextEntry(ctx, f, &base, name, stmt, val)
}

// svelteActions lists the form actions of `export const actions = { ... }`.
func (m *Model) svelteActions(ctx context.Context, f *jsast.File, base Entry, v *jsast.Node) []*Entry {
	obj := jsast.Unwrap(v) // also `{ ... } satisfies Actions`
	if obj != nil && obj.Type == "identifier" {
		obj = jsast.Unwrap(f.LocalValue(f.Text(obj)))
	}
	if obj == nil || obj.Type != "object" {
		return nil
	}
	var out []*Entry
	for _, c := range obj.NamedChildren() {
		var key string
		var val *jsast.Node
		switch c.Type {
		case "pair":
			k := c.ChildByField("key")
			key = f.Text(k)
			if s, ok := f.StringValue(k); ok {
				key = s
			}
			val = c.ChildByField("value")
		case "shorthand_property_identifier":
			key, val = f.Text(c), c
		case "method_definition":
			key, val = f.Text(c.ChildByField("name")), c
		default:
			continue
		}
		e := m.svelteEntry(ctx, f, base, "actions."+key, c, val)
		e.Kind, e.Methods = FormAction, []string{"POST"}
		if key != "default" {
			e.Path = base.Path + "?/" + key
		}
		out = append(out, e)
	}
	return out
}

// svelteHooks returns the layers of src/hooks.server's handle for a
// request to urlPath.
func (m *Model) svelteHooks(ctx context.Context, root string, at requestAt) []Layer {
	p, f, err := m.svelteHooksFile(ctx, root)
	if err != nil {
		return []Layer{{Name: path.Base(p), Location: Location{File: p, Line: 1}, Gate: GateUnknown, Via: ViaMiddleware,
			Why: fmt.Sprintf("the hooks file %s could not be read: %v", p, err)}}
	}
	if f == nil {
		return nil
	}
	for _, ex := range f.Exports() {
		if ex.Name == "handle" {
			return m.svelteHandle(ctx, f, ex.Value, at, 0)
		}
	}
	return nil
}

// svelteHooksFile returns the path and the parsed src/hooks.server of the
// SvelteKit app at root; f is nil when the app has none.
func (m *Model) svelteHooksFile(ctx context.Context, root string) (string, *jsast.File, error) {
	for _, ext := range []string{"ts", "js"} {
		p := root + "src/hooks.server." + ext
		if !m.proj.Has(p) {
			continue
		}
		f, err := m.parse(ctx, p)
		return p, f, err
	}
	return "", nil, nil
}

// svelteHandle evaluates one handle value: sequence(a, b), a Clerk handle
// by rules/knowledge, or the application's own.
func (m *Model) svelteHandle(ctx context.Context, f *jsast.File, v *jsast.Node, at requestAt, depth int) []Layer {
	urlPath := at.path
	v = jsast.Unwrap(v)
	if v == nil || depth > MaxWrapperDepth {
		return nil
	}
	if v.Type == "identifier" {
		if lv := jsast.Unwrap(f.LocalValue(f.Text(v))); lv != nil && !jsast.IsFunction(lv) {
			return m.svelteHandle(ctx, f, lv, at, depth+1)
		}
	}
	if v.Type == "call_expression" {
		callee := jsast.Unwrap(v.ChildByField("function"))
		if callee != nil && callee.Type == "identifier" {
			name := f.Text(callee)
			if im, ok := f.ImportOf(name); ok && im.Imported == "sequence" && strings.HasPrefix(im.Source, "@sveltejs/kit") {
				var out []Layer
				for _, a := range jsast.Args(v) {
					out = append(out, m.svelteHandle(ctx, f, a, at, depth+1)...)
				}
				return out
			}
			if exp, pkg := m.clerkExportOf(ctx, f, name); exp != "" {
				l := Layer{Name: exp + "()", Location: Location{File: f.Path, Line: v.Line}, Via: ViaMiddleware}
				mw, ok := knowledge.MiddlewareOf(pkg, exp)
				switch {
				case ok && protectedPath(f, v, urlPath) != "":
					l.Gate = GateRedirects
					l.Why = fmt.Sprintf("`%s` redirects signed-out requests under %s (protectedPaths) to sign-in", l.Name, protectedPath(f, v, urlPath))
				case ok && mw.Gate == knowledge.Attaches:
					l.Gate, l.Why = GateAttaches, fmt.Sprintf("`%s` only attaches the identity; it never rejects a signed-out request", l.Name)
				default:
					l.Gate, l.Why = GateUnknown, fmt.Sprintf("`%s` is not a handle the model knows", l.Name)
				}
				return []Layer{l}
			}
		}
	}
	fn, fnFile, _, why := m.unwrapHandler(ctx, f, v)
	if fn == nil {
		return []Layer{{Name: clip(f.Text(v), 30), Location: Location{File: f.Path, Line: v.Line}, Gate: GateUnknown, Via: ViaMiddleware,
			Why: "the handle could not be followed: " + why}}
	}
	name := jsast.FunctionName(fnFile, fn)
	if name == "" || name == "anonymous function" {
		name = "handle"
	}
	return []Layer{m.pathGate(ctx, fnFile, fn, at, name, ViaMiddleware)}
}

// svelteLayoutLoads returns the +layout.server files at or above the
// directory of p, outermost first, with the check of each load that stops
// a signed-out visitor.
func (m *Model) svelteLayoutChecks(ctx context.Context, root, p string) []Layer {
	dir := path.Dir(p)
	var dirs []string
	for d := dir; strings.HasPrefix(d+"/", root+"src/routes/"); d = path.Dir(d) {
		dirs = append([]string{d}, dirs...)
		if d == path.Dir(d) {
			break
		}
	}
	var out []Layer
	for _, d := range dirs {
		for _, ext := range []string{"ts", "js"} {
			lp := d + "/+layout.server." + ext
			if lp == p {
				continue
			}
			if !m.proj.Has(lp) {
				continue
			}
			f, err := m.parse(ctx, lp)
			if err != nil {
				out = append(out, Layer{Name: lp, Location: Location{File: lp, Line: 1}, Gate: GateUnknown, Via: ViaLayout,
					Why: fmt.Sprintf("the layout %s could not be read: %v", lp, err)})
				continue
			}
			for _, ex := range f.Exports() {
				if ex.Name != "load" {
					continue
				}
				fn, fnFile, _, _ := m.unwrapHandler(ctx, f, ex.Value)
				if fn == nil {
					continue
				}
				s := m.summarize(ctx, fnFile, fn, roleHandler, []ParamRole{ParamRequest}, 0, nil)
				if s.cont == no && len(s.checks) > 0 {
					var proof []Proof
					for _, c := range s.checks {
						proof = append(proof, c.Proof)
					}
					out = append(out, Layer{Name: lp, Location: Location{File: lp, Line: fn.Line}, Gate: GateRejects, Via: ViaLayout,
						Why: "the layout load " + lp + " stops signed-out visitors", Proof: proof})
				}
			}
		}
	}
	return out
}

// svelteLayouts returns the layout layers of a page load: rejecting when
// the load awaits parent(), partial otherwise.
func (m *Model) svelteLayouts(ctx context.Context, root, p string, e *Entry) []Layer {
	ls := m.svelteLayoutChecks(ctx, root, p)
	waits := e.Fn != nil && e.FnFile != nil && bytes.Contains(e.FnFile.Src[e.Fn.Start:e.Fn.End], []byte("parent()"))
	for i := range ls {
		if ls[i].Gate != GateRejects || waits {
			continue
		}
		ls[i].Gate = GatePartial
		ls[i].Why += "; the page's load does not await parent(), so it runs in parallel and its data can be requested without the layout's check"
	}
	return ls
}

// svelteLayoutNote records, for a form action or an endpoint below a
// layout that checks the visitor, that the layout does not guard it.
func (m *Model) svelteLayoutNote(ctx context.Context, root, p string, e *Entry) (Layer, bool) {
	ls := m.svelteLayoutChecks(ctx, root, p)
	if len(ls) == 0 || ls[0].Gate != GateRejects {
		return Layer{}, false
	}
	l := ls[0]
	l.Gate = GateNone
	what := "form actions"
	if e.Kind == Endpoint {
		what = "+server endpoints"
	}
	l.Why = fmt.Sprintf("the layout load %s checks the visitor, but SvelteKit runs %s without running layout loads", l.File, what)
	l.Proof = nil
	return l, true
}

// protectedPath returns the entry of a protectedPaths option (clerk-sveltekit's
// handleClerk(secret, { protectedPaths: ['/admin'] })) that urlPath is under,
// or "".
func protectedPath(f *jsast.File, call *jsast.Node, urlPath string) string {
	for _, a := range jsast.Args(call) {
		obj := jsast.Unwrap(a)
		if obj == nil || obj.Type != "object" {
			continue
		}
		list, _, ok := f.StringList(f.ObjectProp(obj, "protectedPaths"))
		if !ok {
			continue
		}
		for _, p := range list {
			if p != "" && strings.HasPrefix(urlPath, p) {
				return p
			}
		}
	}
	return ""
}

// PageLoads returns the load entries whose result a SvelteKit page
// component receives as its `data` prop: the load of the +page.server
// file beside a +page.svelte (https://svelte.dev/docs/kit/load#Page-data).
func (m *Model) PageLoads(ctx context.Context, component string) ([]*Entry, error) {
	if path.Base(component) != "+page.svelte" {
		return nil, nil
	}
	var out []*Entry
	for _, ext := range []string{".ts", ".js"} {
		p := path.Join(path.Dir(component), "+page.server"+ext)
		es, err := m.EntriesOf(ctx, p)
		if err != nil {
			return out, err
		}
		for _, e := range es {
			if e.Framework == knowledge.SvelteKit && e.Kind == Load && e.File == p {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// SvelteLocalSetBy returns where the server hook of the SvelteKit app that
// holds file (its src/hooks.server) assigns locals.<prop> itself
// (`event.locals.auth = () => requestState.toAuth()`): locals.<prop> then
// holds the application's value, which may be null, not the Auth object
// a Clerk handle attaches. ok is false when the hook assigns nothing to
// it or cannot be read (the Clerk convention stands).
func (m *Model) SvelteLocalSetBy(ctx context.Context, file, prop string) (Location, bool) {
	f, as := m.svelteLocalAssign(ctx, file, prop)
	if as == nil {
		return Location{}, false
	}
	return Location{File: f.Path, Line: as.Line}, true
}

// svelteLocalClient returns the data library of the client the server
// hook stores in locals.<prop> (`event.locals.db = createDb(env.DB)`), so
// that locals.db.update(...) in a load or an endpoint is a data call.
func (m *Model) svelteLocalClient(ctx context.Context, file, prop string) (string, bool) {
	f, as := m.svelteLocalAssign(ctx, file, prop)
	if as == nil {
		return "", false
	}
	pkg, err := m.clientPackage(ctx, f, as.ChildByField("right"), 0)
	if err != nil || pkg == "" {
		return "", false
	}
	if _, ok := knowledge.DataLibraryOf(pkg); !ok {
		return "", false
	}
	return pkg, true
}

// svelteLocalAssign returns the first assignment to locals.<prop> in the
// src/hooks.server of the SvelteKit app that holds file; nil when there
// is none or the hook cannot be read.
func (m *Model) svelteLocalAssign(ctx context.Context, file, prop string) (*jsast.File, *jsast.Node) {
	root, found := "", false
	for _, r := range m.packageRoots("@sveltejs/kit") {
		if strings.HasPrefix(file, r) && (!found || len(r) > len(root)) {
			root, found = r, true
		}
	}
	if !found {
		return nil, nil
	}
	_, f, err := m.svelteHooksFile(ctx, root)
	if err != nil || f == nil {
		return nil, nil
	}
	for _, as := range jsast.Find(f.Root, "assignment_expression") {
		if l := jsast.Unwrap(as.ChildByField("left")); l != nil && l.Type == "member_expression" &&
			(f.Name(l) == "locals."+prop || strings.HasSuffix(f.Name(l), ".locals."+prop)) {
			return f, as
		}
	}
	return nil, nil
}
