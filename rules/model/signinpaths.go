package model

import (
	"bytes"
	"context"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SignInPaths returns the URL paths the project configures for its
// sign-in and sign-up pages (knowledge.SignInSetting): an environment
// file's `NEXT_PUBLIC_CLERK_SIGN_IN_URL=/enter`, or a string-literal
// `signInUrl` option or prop (`<ClerkProvider signInUrl="/enter">`,
// `clerkMiddleware(h, { signInUrl: '/enter' })`). A full URL counts by
// its path; the site root does not count. Files that cannot be read are
// skipped: a path they might name is simply not known.
func (m *Model) SignInPaths(ctx context.Context) []string {
	if m == nil {
		return nil
	}
	out, _ := m.signIn.get(func() ([]string, error) { return m.signInPaths(ctx), nil })
	return out
}

func (m *Model) signInPaths(ctx context.Context) []string {
	var out []string
	add := func(v string) {
		if p := urlPath(v); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	var candidates []string
	for _, p := range m.fs.Paths() {
		env := strings.HasPrefix(path.Base(p), ".env")
		if (env || source.NewFile(p, nil).IsJS()) && !strings.Contains(p, "node_modules/") {
			candidates = append(candidates, p)
		}
	}
	m.readAll(ctx, candidates) // in parallel: the walk below runs inside the facet's once
	for _, p := range candidates {
		if ctx.Err() != nil {
			break
		}
		env := strings.HasPrefix(path.Base(p), ".env")
		sf, err := m.fs.Get(ctx, p)
		if err != nil || !bytes.Contains(sf.Content, []byte("_URL")) && !bytes.Contains(sf.Content, []byte("Url")) {
			continue
		}
		if env {
			for _, line := range strings.Split(string(sf.Content), "\n") {
				k, v, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "export "), "=")
				if ok && knowledge.SignInSetting(strings.TrimSpace(k), true) {
					add(strings.Trim(strings.TrimSpace(v), `"'`))
				}
			}
			continue
		}
		if !bytes.Contains(sf.Content, []byte("signInUrl")) && !bytes.Contains(sf.Content, []byte("signUpUrl")) {
			continue
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			continue
		}
		jsast.Walk(f.Root, func(n *jsast.Node) bool {
			var key, val *jsast.Node
			switch n.Type {
			case "pair":
				key, val = n.ChildByField("key"), n.ChildByField("value")
			case "jsx_attribute":
				if c := n.NamedChildren(); len(c) == 2 {
					key, val = c[0], c[1]
				}
			}
			if key != nil && knowledge.SignInSetting(f.Text(key), false) {
				if s, ok := f.StringValue(val); ok {
					add(s)
				}
			}
			return true
		})
	}
	slices.Sort(out)
	return out
}

// urlPath returns the path of a configured page URL ("/enter" of
// "/enter/" or "https://app.example.com/enter"), "" for the site root or
// a value that is not a URL.
func urlPath(v string) string {
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		u, err := url.Parse(v)
		if err != nil {
			return ""
		}
		v = u.Path
	}
	if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") {
		return ""
	}
	return strings.TrimRight(v, "/")
}
