package model

import (
	"context"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// publicFetch is a same-origin GET a public page makes: the page (as
// publicClientPage names it) and the URL's segments (URLSegments).
type publicFetch struct {
	page string
	segs []string
}

// fetchedByPublicPage names a Client Component page that signed-out
// visitors reach by design (publicClientPage) and that fetches the route
// handler e itself (`fetch(`/api/authors/${id}`)` in the page's module):
// the page shows every visitor what the handler returns, so serving it
// is the handler's purpose (Entry.ServesPublic). "" when none is known.
func (m *Model) fetchedByPublicPage(ctx context.Context, e *Entry) string {
	fs, _ := m.publicFetches.get(func() ([]publicFetch, error) { return m.listPublicFetches(ctx), nil })
	for _, pf := range fs {
		if e.Serves("GET", pf.segs) {
			return pf.page
		}
	}
	return ""
}

// listPublicFetches lists the fetch(url) calls of the App Router pages
// that publicClientPage names, with a same-origin URL. A page that cannot
// be read adds nothing.
func (m *Model) listPublicFetches(ctx context.Context) []publicFetch {
	var out []publicFetch
	for _, a := range m.proj.Next {
		for _, r := range a.Routes {
			if ctx.Err() != nil {
				return out
			}
			if r.Kind != project.Page {
				continue
			}
			why := m.publicClientPage(ctx, r.File)
			if why == "" {
				continue
			}
			f, err := m.parse(ctx, r.File)
			if err != nil {
				continue
			}
			for _, call := range f.Calls(f.Root, func(name string) bool { return name == "fetch" }) {
				args := jsast.Args(call)
				if len(args) == 0 || len(args) > 1 && !getOnly(f, args[1]) {
					continue
				}
				if segs, ok := URLSegments(f, args[0]); ok {
					out = append(out, publicFetch{page: why, segs: segs})
				}
			}
		}
	}
	return out
}

// getOnly reports whether fetch options send a GET: no method, or
// method: 'GET'.
func getOnly(f *jsast.File, opts *jsast.Node) bool {
	opts = jsast.Unwrap(opts)
	if opts == nil || opts.Type != "object" {
		return false
	}
	m := f.ObjectProp(opts, "method")
	if m == nil {
		return true
	}
	v, ok := f.StringValue(m)
	return ok && (v == "GET" || v == "get")
}
