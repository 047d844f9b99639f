package model

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// astroAdapter lists the entries of Astro apps rendered on demand:
//
//   - endpoints: src/pages/**/*.{ts,js} exporting GET, POST, ..., ALL,
//     called with the APIContext ({ request, params, url, cookies,
//     locals });
//   - pages: src/pages/**/*.astro, whose frontmatter runs per request
//     with the Astro global (Astro.locals.auth(), Astro.params);
//   - actions: defineAction() handlers exported by src/actions/index.ts
//     (astroactions.go), at POST /_actions/<name>, never prerendered.
//
// A page or endpoint that is prerendered (`export const prerender =
// true`, or the default of `output: 'static'`, the default output, unless
// it says `prerender = false`) is built once at build time: it is not a
// request entry, and Prerendered returns it instead. Files and folders
// whose name starts with `_` are not routes.
//
// The chain is src/middleware's onRequest: clerkMiddleware() attaches
// (rules/knowledge); its handler is evaluated per path (createRouteMatcher
// and auth().redirectToSignIn(), as for Next.js); sequence(...) lists
// several; the application's own middleware is analysed as (context,
// next).
//
// Sources: https://docs.astro.build/en/guides/routing/,
// https://docs.astro.build/en/guides/endpoints/,
// https://docs.astro.build/en/guides/on-demand-rendering/,
// https://docs.astro.build/en/guides/middleware/,
// https://clerk.com/docs/reference/astro/clerk-middleware.
type astroAdapter struct{}

func (astroAdapter) Framework() Framework { return knowledge.Astro }

func (astroAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	es, err := m.astroAll(ctx)
	var out []*Entry
	for _, e := range es {
		if !e.prerendered {
			out = append(out, e)
		}
	}
	return out, err
}

func (a astroAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if !strings.Contains(p, "src/pages/") && !strings.Contains(p, "src/actions/") {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return declaredIn(es, p), err
}

// Prerendered returns the page or endpoint entries of the file at p that
// Astro renders once at build time (not request entries, so not in
// Entries): a check of the caller there runs for no visitor.
func (m *Model) Prerendered(ctx context.Context, p string) []*Entry {
	es, _ := m.astroAll(ctx)
	var out []*Entry
	for _, e := range es {
		if e.prerendered && e.File == p {
			out = append(out, e)
		}
	}
	return out
}

func (m *Model) astroAll(ctx context.Context) ([]*Entry, error) {
	return m.astro.get(func() ([]*Entry, error) { return astroEntries(ctx, m) })
}

func isAstroApp(pk *project.Package) bool {
	_, ok := pk.Deps["astro"]
	_, clerk := pk.Deps["@clerk/astro"]
	return ok || clerk
}

var astroOutputRe = regexp.MustCompile(`\boutput\s*:\s*['"](server|static|hybrid)['"]`)
var astroOutputAnyRe = regexp.MustCompile(`\boutput\s*:`)

func astroEntries(ctx context.Context, m *Model) ([]*Entry, error) {
	var out []*Entry
	for _, pk := range m.proj.Packages {
		if !isAstroApp(pk) || strings.Contains("/"+pk.Dir+"/", "/node_modules/") {
			continue
		}
		pages := path.Join(pk.Dir, "src/pages") + "/"
		output, cfgErr := m.astroOutput(ctx, pk)
		chain := m.astroMiddleware(ctx, pk)
		if cfgErr != nil {
			// Whether its pages are built statically is unknown: so is
			// whether a request reaches them.
			chain = append([]astroLayer{{Layer: Layer{Name: "astro.config", Location: Location{File: cfgErr.file, Line: 1}, Gate: GateUnknown,
				Via: ViaMiddleware, Why: fmt.Sprintf("%s could not be read, so whether this file is prerendered is unknown: %v", cfgErr.file, cfgErr.err)}}}, chain...)
		}
		for _, p := range m.fs.Paths() {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			if !strings.HasPrefix(p, pages) {
				continue
			}
			rel := strings.TrimPrefix(p, pages)
			if strings.HasPrefix(rel, "_") || strings.Contains(rel, "/_") || strings.HasSuffix(p, ".d.ts") {
				continue
			}
			lang := source.DetectLang(p)
			if lang != source.LangAstro && lang != source.LangTS && lang != source.LangJS {
				continue
			}
			f, err := m.parse(ctx, p)
			if err != nil {
				m.notes.add(Note{Where: p, What: fmt.Sprintf("not read, so its routes are not listed: %v", err)})
				continue
			}
			urlPath := astroPath(rel)
			pre := astroPrerendered(f, output)
			var es []*Entry
			if lang == source.LangAstro {
				es = append(es, m.astroPage(f, urlPath))
			} else {
				es = m.astroEndpoints(ctx, f, urlPath)
			}
			for _, e := range es {
				e.prerendered = pre
				for _, l := range chain {
					e.Chain = append(e.Chain, l.at(urlPath))
				}
				out = append(out, e)
			}
		}
		for _, e := range m.astroActions(ctx, pk) {
			for _, l := range chain {
				e.Chain = append(e.Chain, l.at(e.Path))
			}
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].File < out[j].File || out[i].File == out[j].File && out[i].Line < out[j].Line
	})
	return withFacets(out), nil
}

// astroOutput reads the output mode of the app's astro.config.*:
// "static" (the default), "server" or "hybrid"; "" when the config
// sets it to something the model does not read, or there is no config.
func (m *Model) astroOutput(ctx context.Context, pk *project.Package) (string, *configError) {
	for _, ext := range []string{".mjs", ".ts", ".js", ".mts", ".cjs"} {
		p := path.Join(pk.Dir, "astro.config"+ext)
		if !m.proj.Has(p) {
			continue
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil {
			return "", &configError{file: p, err: err}
		}
		if mm := astroOutputRe.FindSubmatch(sf.Content); mm != nil {
			return string(mm[1]), nil
		}
		if astroOutputAnyRe.Match(sf.Content) {
			return "", nil // not a literal
		}
		return "static", nil
	}
	return "", nil // no config the model reads: on demand, to be safe
}

// configError is a configuration file that could not be read.
type configError struct {
	file string
	err  error
}

// astroPrerendered decides whether a page or endpoint is built at build
// time: its own `export const prerender`, else the output mode (static
// and hybrid prerender by default).
func astroPrerendered(f *jsast.File, output string) bool {
	for _, ex := range f.Exports() {
		if ex.Name != "prerender" {
			continue
		}
		switch v := jsast.Unwrap(ex.Value); {
		case v != nil && v.Type == "true":
			return true
		case v != nil && v.Type == "false":
			return false
		}
		return false // computed: not known to be static
	}
	return output == "static" || output == "hybrid"
}

// astroPath is the URL path of a file under src/pages.
func astroPath(rel string) string {
	rel = strings.TrimSuffix(rel, path.Ext(rel))
	rel = strings.TrimSuffix(rel, ".json") // src/pages/feed.json.ts is /feed.json
	if rel == "index" {
		return "/"
	}
	rel = strings.TrimSuffix(rel, "/index")
	return "/" + rel
}

// astroPage is the entry of a page: its frontmatter, run per request.
func (m *Model) astroPage(f *jsast.File, urlPath string) *Entry {
	end := 1
	for _, st := range f.Root.NamedChildren() {
		end = max(end, st.EndLine+1)
	}
	e := &Entry{Framework: knowledge.Astro, Kind: Page, Methods: []string{"GET"}, Path: urlPath, PathKnown: true, File: f.Path,
		Line: 1, EndLine: end, Name: "frontmatter", Fn: f.Root, FnFile: f, Handler: Location{File: f.Path, Line: 1},
		Params: []ParamRole{ParamAstroGlobal}}
	e.Public = conventionPublic(urlPath, true)
	return e
}

// astroEndpoints are the HTTP method exports of an endpoint file.
func (m *Model) astroEndpoints(ctx context.Context, f *jsast.File, urlPath string) []*Entry {
	base := &Entry{Framework: knowledge.Astro, Path: urlPath, PathKnown: true, File: f.Path}
	var out []*Entry
	for _, ex := range f.Exports() {
		if _, ok := knowledge.HTTPMethod(ex.Name); !ok {
			continue
		}
		e := m.nextEntry(ctx, f, base, ex.Name, ex.Stmt, ex.Value)
		e.Kind, e.Methods, e.Params = Endpoint, []string{ex.Name}, []ParamRole{ParamRequestContext}
		e.Public = conventionPublic(urlPath, false)
		out = append(out, e)
	}
	return out
}

// astroLayer is one middleware of src/middleware, evaluated per path
// when it is Clerk's with a handler.
type astroLayer struct {
	Layer
	clerk *project.Middleware
	// delegates is set on the application's own middleware when it
	// calls a clerkMiddleware() handler itself (`return clerk(context,
	// next)`), so clerkMiddleware() runs for the requests that reach
	// that call.
	delegates bool
	// own is the application's own middleware function evaluated per
	// path, when it lets some signed-out requests through.
	own *project.Middleware
}

func (l astroLayer) at(urlPath string) Layer {
	l.byPath = l.clerk
	if l.own != nil {
		l.byPath = l.own
	}
	if l.own != nil && l.own.Protects(urlPath) == project.Protected {
		out := l.Layer
		out.Gate, out.ByPath = GateRejects, len(l.own.RouteMatchers) > 0
		out.Why = fmt.Sprintf("%s (%s:%d) stops signed-out requests to %s", "`"+out.Name+"`", l.File, l.Line, urlPath)
		for _, ln := range l.own.ProtectLines {
			out.Proof = append(out.Proof, Proof{Location: Location{File: l.File, Line: ln}})
		}
		return out
	}
	if l.clerk == nil {
		return l.Layer
	}
	out := l.Layer
	switch l.clerk.Protects(urlPath) {
	case project.Protected:
		// By path only when another spelling of the same route (a
		// percent-encoded letter) escapes the check: a public-route
		// matcher negated (deny by default) stops that spelling too.
		out.Gate = GateRejects
		out.ByPath = len(l.clerk.RouteMatchers) > 0 && l.clerk.Protects(encodedPath(urlPath)) != project.Protected
		out.Why = fmt.Sprintf("clerkMiddleware() in %s stops signed-out requests to %s", l.File, urlPath)
		for _, ln := range l.clerk.ProtectLines {
			out.Proof = append(out.Proof, Proof{Location: Location{File: l.File, Line: ln}})
		}
	case project.Unprotected:
		out.Gate = GateAttaches
		out.Why = fmt.Sprintf("clerkMiddleware() in %s does not stop signed-out requests to %s", l.File, urlPath)
	default:
		out.Gate = GateUnknown
		out.Why = fmt.Sprintf("whether clerkMiddleware() in %s stops signed-out requests to %s could not be evaluated", l.File, urlPath)
	}
	return out
}

// firstFile returns the first of the candidate paths (relative to dir)
// that the snapshot has, or "".
func (m *Model) firstFile(dir string, candidates ...string) string {
	for _, c := range candidates {
		if p := path.Join(dir, c); m.proj.Has(p) {
			return p
		}
	}
	return ""
}

// astroMiddleware reads the onRequest export of the app's middleware.
func (m *Model) astroMiddleware(ctx context.Context, pk *project.Package) []astroLayer {
	file := m.firstFile(pk.Dir, "src/middleware.ts", "src/middleware.js", "src/middleware.mjs", "src/middleware/index.ts", "src/middleware/index.js")
	if file == "" {
		return nil
	}
	f, err := m.parse(ctx, file)
	if err != nil {
		return []astroLayer{{Layer: Layer{Name: path.Base(file), Location: Location{File: file, Line: 1}, Gate: GateUnknown, Via: ViaMiddleware,
			Why: fmt.Sprintf("the middleware %s could not be read: %v", file, err)}}}
	}
	for _, ex := range f.Exports() {
		if ex.Name == "onRequest" {
			return m.astroMiddlewareValue(ctx, f, ex.Value, 0)
		}
	}
	return nil
}

func (m *Model) astroMiddlewareValue(ctx context.Context, f *jsast.File, v *jsast.Node, depth int) []astroLayer {
	v = jsast.Unwrap(v)
	if v == nil || depth > MaxWrapperDepth {
		return nil
	}
	if v.Type == "identifier" {
		if lv := f.LocalValue(f.Text(v)); lv != nil && !jsast.IsFunction(jsast.Unwrap(lv)) {
			return m.astroMiddlewareValue(ctx, f, lv, depth+1)
		}
	}
	l := Layer{Name: clip(f.Text(v), 40), Location: Location{File: f.Path, Line: v.Line}, Via: ViaMiddleware}
	if v.Type == "call_expression" {
		callee := jsast.Unwrap(v.ChildByField("function"))
		name := jsast.LastSegment(f.CalleeName(v))
		if root := rootIdent(callee); root != nil {
			if exp, pkg := m.clerkExportOf(ctx, f, f.Text(root)); exp != "" {
				if mw, ok := knowledge.MiddlewareOf(pkg, exp); ok && mw.Gate == knowledge.Attaches {
					l.Name = exp + "()"
					return []astroLayer{{Layer: l, clerk: m.proj.ClerkMiddlewareCall(f, v)}}
				}
			}
		}
		if o, ok, err := m.origin(ctx, f, f.Text(callee)); err == nil && ok && o.Module.Kind != modules.File && (name == "sequence" || name == "defineMiddleware") {
			var out []astroLayer
			for _, a := range jsast.Args(v) {
				out = append(out, m.astroMiddlewareValue(ctx, f, a, depth+1)...)
			}
			return out
		}
	}
	out := astroLayer{Layer: m.contextMiddlewareLayer(ctx, f, v, l)}
	if fn := jsast.Unwrap(v); fn != nil {
		if fn.Type == "identifier" {
			fn = jsast.Unwrap(f.LocalValue(f.Text(fn)))
		}
		out.delegates = fn != nil && m.astroCallsClerk(ctx, f, fn)
	}
	if out.Gate == GateAttaches || out.Gate == GatePartial {
		// Lets some signed-out requests through: which ones may depend on
		// the path (`context.url.pathname.startsWith('/admin')`).
		fn := v
		if fn.Type == "identifier" {
			fn = jsast.Unwrap(f.LocalValue(f.Text(fn)))
		}
		if fn != nil && (jsast.IsFunction(fn) || fn.Type == "function_declaration") && fn.ChildByField("body") != nil {
			out.own = m.proj.ContextMiddlewareFunc(f, fn)
		}
	}
	return []astroLayer{out}
}

// astroCallsClerk reports whether the application's own middleware
// function fn calls a clerkMiddleware() handler: one it holds in a
// variable of its module (`const clerk = clerkMiddleware()`, also when
// assigned lazily, `clerk ??= clerkMiddleware()`), one a function of its
// module returns (`getClerk()(context, next)`), or the call's own result
// (`clerkMiddleware()(context, next)`).
func (m *Model) astroCallsClerk(ctx context.Context, f *jsast.File, fn *jsast.Node) bool {
	for _, call := range jsast.Find(fn, "call_expression") {
		if m.astroClerkHandler(ctx, f, call.ChildByField("function"), 0) {
			return true
		}
	}
	return false
}

// astroClerkHandler reports whether v evaluates to the handler
// clerkMiddleware() returns.
func (m *Model) astroClerkHandler(ctx context.Context, f *jsast.File, v *jsast.Node, depth int) bool {
	v = jsast.Unwrap(v)
	if v == nil || depth > MaxWrapperDepth {
		return false
	}
	switch v.Type {
	case "call_expression":
		if root := rootIdent(jsast.Unwrap(v.ChildByField("function"))); root != nil {
			if exp, pkg := m.clerkExportOf(ctx, f, f.Text(root)); exp != "" {
				mw, ok := knowledge.MiddlewareOf(pkg, exp)
				return ok && mw.Gate == knowledge.Attaches
			}
		}
		callee := jsast.Unwrap(v.ChildByField("function"))
		if callee == nil || callee.Type != "identifier" {
			return false
		}
		g := jsast.Unwrap(f.LocalValue(f.Text(callee)))
		if g == nil || !(jsast.IsFunction(g) || g.Type == "function_declaration") {
			return false
		}
		if body := jsast.Unwrap(g.ChildByField("body")); body != nil && body.Type != "statement_block" {
			return m.astroClerkHandler(ctx, f, body, depth+1) // () => clerk
		}
		for _, r := range jsast.Find(g, "return_statement") {
			if len(r.NamedChildren()) > 0 && m.astroClerkHandler(ctx, f, r.NamedChildren()[0], depth+1) {
				return true
			}
		}
	case "identifier":
		name := f.Text(v)
		if lv := f.LocalValue(name); lv != nil && m.astroClerkHandler(ctx, f, lv, depth+1) {
			return true
		}
		// let clerk; ... clerk ??= clerkMiddleware()
		for _, t := range []string{"assignment_expression", "augmented_assignment_expression"} {
			for _, as := range jsast.Find(f.Root, t) {
				if l := jsast.Unwrap(as.ChildByField("left")); l != nil && l.Type == "identifier" && f.Text(l) == name &&
					m.astroClerkHandler(ctx, f, as.ChildByField("right"), depth+1) {
					return true
				}
			}
		}
	}
	return false
}
