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
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// The browser side of the client boundary: every module of the snapshot
// whose code runs in the browser, with why. It starts from the modules
// that say so or that a framework hydrates, and follows their imports:
//
//   - a 'use client' module (React Server Components: the module and what
//     it imports are bundled for the browser,
//     https://react.dev/reference/rsc/use-client);
//   - Astro islands and the modules of bundled <script>s (ClientModule),
//     and an Expo app's code (ClientCode);
//   - outside Next.js, a .tsx/.jsx module of a React app (react-dom or a
//     React Router/Remix runtime among its dependencies): its components
//     hydrate in the browser. The loader, action and other server entries
//     of a route module are not browser code, so an import used only
//     inside them is not followed;
//   - a module imported (for a binding used outside the importer's server
//     entries) by a browser module.
//
// A module that declares itself server-only is never browser code
// (knowledge.ServerOnlyPath, knowledge.ServerOnlyImport, 'use server').

// maxBrowserModules bounds the walk on a hostile snapshot.
const maxBrowserModules = 5000

// BrowserModule says why the module at p runs in the browser.
func (m *Model) BrowserModule(ctx context.Context, p string) (string, bool) {
	bm, _ := m.browser.get(func() (map[string]string, error) { return m.browserModules(ctx), nil })
	why, ok := bm[p]
	return why, ok
}

// reactRuntimes are the dependencies that make a .tsx/.jsx module a
// component hydrated in the browser.
var reactRuntimes = []string{"react-dom", "react-router", "react-router-dom", "@remix-run/react"}

func (m *Model) browserModules(ctx context.Context) map[string]string {
	out, seen := map[string]string{}, map[string]bool{}
	var queue []string
	add := func(p, why string) {
		if seen[p] || len(seen) >= maxBrowserModules {
			return
		}
		seen[p] = true
		if _, server := knowledge.ServerOnlyPath(p); server {
			return
		}
		out[p] = why
		queue = append(queue, p)
	}
	var js []string
	for _, p := range m.fs.Paths() {
		if jsModule(p) {
			js = append(js, p)
		}
	}
	m.readAll(ctx, js)
	for _, p := range js {
		if ctx.Err() != nil {
			return out
		}
		if why, ok := m.ClientModule(ctx, p); ok {
			add(p, why)
			continue
		}
		if why, ok := m.ClientCode(p); ok {
			add(p, why)
			continue
		}
		if why, ok := m.hydratedComponent(p); ok {
			add(p, why)
			continue
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil || !strings.Contains(string(sf.Content), "use client") {
			continue
		}
		if f, err := m.parse(ctx, p); err == nil && f.Directive() == "use client" {
			add(p, "a 'use client' module")
		}
	}
	for len(queue) > 0 && ctx.Err() == nil {
		s := queue[0]
		queue = queue[1:]
		f, err := m.parse(ctx, s)
		if err != nil {
			m.notes.add(Note{Where: s, What: fmt.Sprintf("not read, so the modules it brings to the browser are not known: %v", err)})
			continue
		}
		ims, err := m.graph.Imports(ctx, s)
		if err != nil {
			continue
		}
		if f.Directive() == "use server" || slices.ContainsFunc(ims, func(im modules.Import) bool {
			_, ok := knowledge.ServerOnlyImport(im.Spec)
			return ok
		}) {
			delete(out, s) // a build error or an RPC stub in the browser, never this module's code
			continue
		}
		_, server := m.serverRegions(ctx, s)
		for _, im := range ims {
			if im.TypeOnly || im.Target.Kind != modules.File || !jsModule(im.Target.Path) {
				continue
			}
			if im.Local != "" && len(server) > 0 && !usedOutside(f, im.Local, server) {
				continue
			}
			add(im.Target.Path, "imported by "+s+" (browser code)")
		}
	}
	return out
}

// hydratedComponent says whether p is a React component module outside
// Next.js (where a module without 'use client' is a Server Component).
func (m *Model) hydratedComponent(p string) (string, bool) {
	if ext := path.Ext(p); ext != ".tsx" && ext != ".jsx" {
		return "", false
	}
	pk := m.proj.PackageFor(p)
	if pk == nil {
		return "", false
	}
	if _, next := pk.Deps["next"]; next {
		return "", false
	}
	for _, r := range reactRuntimes {
		if _, ok := pk.Deps[r]; ok {
			return "a React component module (" + r + "), hydrated in the browser", true
		}
	}
	return "", false
}

// serverFns are the functions of the module at p that run on the server
// only: its entries (loaders, actions, server functions), and a Pages
// Router page's data-fetching exports, which Next.js removes from the
// browser bundle whole (pagesServerExports).
func (m *Model) serverFns(ctx context.Context, p string) []*jsast.Node {
	es, err := m.EntriesOf(ctx, p)
	if err != nil {
		return nil
	}
	var out []*jsast.Node
	for _, e := range es {
		if e.Fn != nil && e.FnFile != nil && e.FnFile.Path == p {
			out = append(out, e.Fn)
		}
	}
	if r := m.proj.RouteOf(p); r != nil && r.Kind == project.PagesPage {
		if f, err := m.parse(ctx, p); err == nil {
			for _, ex := range f.Exports() {
				if pagesServerExports[ex.Name] && ex.Stmt != nil {
					out = append(out, ex.Stmt)
				}
			}
		}
	}
	return out
}

// pagesServerExports are the exports of a Pages Router page that run on
// the server only and are removed from its browser bundle with what only
// they use (https://nextjs.org/docs/pages/building-your-application/data-fetching/get-server-side-props,
// .../get-static-props, .../get-static-paths).
var pagesServerExports = map[string]bool{"getServerSideProps": true, "getStaticProps": true, "getStaticPaths": true}

// BrowserBinding reports whether the imported binding local of the module
// at p, a module that runs in the browser, stays in its browser bundle:
// false when only the module's server-only code uses it (serverRegions:
// a Pages Router page's getServerSideProps, a route module's loader).
func (m *Model) BrowserBinding(ctx context.Context, p, local string) bool {
	f, regions := m.serverRegions(ctx, p)
	if f == nil || len(regions) == 0 || local == "" {
		return true
	}
	return usedOutside(f, local, regions)
}

// ServerOnly reports whether the source range [start, end) of the module
// at p lies in code that its browser bundle drops (serverRegions).
func (m *Model) ServerOnly(ctx context.Context, p string, start, end int) bool {
	_, regions := m.serverRegions(ctx, p)
	for _, r := range regions {
		if r.Start <= start && end <= r.End {
			return true
		}
	}
	return false
}

// serverRegions returns the parsed module at p and its server-only code:
// serverFns, and the top-level declarations that only server-only code
// uses, to a fixed point (Next.js removes the data-fetching exports, then
// the bindings they leave unreferenced: a `const clerk =
// createClerkClient(...)` that only getStaticProps uses goes too).
func (m *Model) serverRegions(ctx context.Context, p string) (*jsast.File, []*jsast.Node) {
	regions := m.serverFns(ctx, p)
	if len(regions) == 0 {
		return nil, nil
	}
	f, err := m.parse(ctx, p)
	if err != nil {
		return nil, nil
	}
	in := map[*jsast.Node]bool{}
	for changed := true; changed; {
		changed = false
		for _, st := range f.Root.NamedChildren() {
			if in[st] {
				continue
			}
			names := declaredNames(f, st)
			if len(names) == 0 {
				continue
			}
			only := true
			for _, name := range names {
				if usedOutside(f, name, append(regions, st)) || !usedOutside(f, name, []*jsast.Node{st}) {
					only = false // used in browser code, or by nothing at all
					break
				}
			}
			if only {
				in[st], changed = true, true
				regions = append(regions, st)
			}
		}
	}
	return f, regions
}

// declaredNames returns the names a top-level, unexported declaration
// binds: const/let/var declarators with a plain name, and a function
// declaration.
func declaredNames(f *jsast.File, st *jsast.Node) []string {
	switch st.Type {
	case "function_declaration":
		if n := st.ChildByField("name"); n != nil {
			return []string{f.Text(n)}
		}
	case "lexical_declaration", "variable_declaration":
		var out []string
		for _, d := range st.NamedChildren() {
			if d.Type != "variable_declarator" {
				continue
			}
			n := d.ChildByField("name")
			if n == nil || n.Type != "identifier" {
				return nil
			}
			out = append(out, f.Text(n))
		}
		return out
	}
	return nil
}

// usedOutside reports whether the file refers to name outside the
// functions fns (and outside its import statements).
func usedOutside(f *jsast.File, name string, fns []*jsast.Node) bool {
	found := false
	jsast.Walk(f.Root, func(x *jsast.Node) bool {
		if found || x.Type == "import_statement" {
			return false
		}
		for _, fn := range fns {
			if x == fn {
				return false
			}
		}
		if (x.Type == "identifier" || x.Type == "shorthand_property_identifier") && f.Text(x) == name {
			found = true
		}
		return true
	})
	return found
}

// jsModule reports whether p is a JavaScript or TypeScript module outside
// node_modules.
func jsModule(p string) bool {
	return !strings.Contains("/"+p, "/node_modules/") && source.IsScriptPath(p)
}
