package model

import (
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// URLSegments splits a fetch URL (string or template literal) into path
// segments; "*" stands for an interpolated segment. ok is false when the
// URL is not a same-origin absolute path.
func URLSegments(f *jsast.File, n *jsast.Node) (segs []string, ok bool) {
	s, ok := urlTemplate(f, n)
	if !ok {
		return nil, false
	}
	return pathSegments(s)
}

// urlTemplate returns the text of a string or template literal, "\x00"
// standing for each interpolation.
func urlTemplate(f *jsast.File, n *jsast.Node) (string, bool) {
	n = jsast.Unwrap(n)
	if n == nil {
		return "", false
	}
	switch n.Type {
	case "string":
		v, _ := f.StringValue(n)
		return v, true
	case "template_string":
		var b strings.Builder
		for _, c := range n.Children {
			switch c.Type {
			case "string_fragment":
				b.WriteString(f.Text(c))
			case "template_substitution":
				b.WriteString("\x00")
			}
		}
		return b.String(), true
	}
	return "", false
}

// pathSegments splits a same-origin absolute path ("/api/x\x00?q") into
// its segments, "*" for one holding an interpolation.
func pathSegments(s string) (segs []string, ok bool) {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return nil, false
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	for _, p := range strings.Split(strings.Trim(s, "/"), "/") {
		if p == "" {
			continue
		}
		if strings.Contains(p, "\x00") {
			p = "*"
		}
		segs = append(segs, p)
	}
	return segs, true
}

// FetchedEntry returns the project's entry that a same-origin request
// reaches: the URL node (a string or template literal, "/api/users/${id}")
// resolved against every entry's path and methods (Entry.Serves). nil
// when the URL is not a same-origin path or no entry serves it.
func (m *Model) FetchedEntry(ctx context.Context, f *jsast.File, url *jsast.Node, method string) (*Entry, error) {
	segs, ok := URLSegments(f, url)
	if !ok {
		return nil, nil
	}
	es, err := m.Entries(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.Serves(method, segs) {
			return e, nil
		}
	}
	return nil, nil
}
