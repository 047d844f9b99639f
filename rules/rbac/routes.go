package rbac

import (
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/boundedre"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// routeTarget is the server code a client request reaches.
type routeTarget struct {
	File string
	Desc string      // "POST /api/admin/wipe (app/api/admin/wipe/route.ts)"
	Fn   *jsast.Node // the handler function
	Mw   []*jsast.Node
	AST  *jsast.File
	URL  string // the request path pattern, for middleware matching
}

// urlSegments splits a fetch URL (string or template literal) into path
// segments; "*" stands for an interpolated segment. ok is false when the
// URL is not a same-origin absolute path.
func urlSegments(f *jsast.File, n *jsast.Node) (segs []string, ok bool) {
	n = jsast.Unwrap(n)
	if n == nil {
		return nil, false
	}
	var s string
	switch n.Type {
	case "string":
		v, _ := f.StringValue(n)
		s = v
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
		s = b.String()
	default:
		return nil, false
	}
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

// routeFileRe splits a path at its Next.js app/ or pages/ directory.
var routeFileRe = regexp.MustCompile(`^(.*?)(?:^|/)(?:src/)?(app|pages)/(.*)$`)

// matchRoute reports whether a route file's segments ([id], [...slug],
// [[...opt]]) serve the URL segments.
func matchRoute(fileSegs, urlSegs []string) bool {
	i := 0
	for _, fs := range fileSegs {
		switch {
		case strings.HasPrefix(fs, "[[...") || strings.HasPrefix(fs, "[..."):
			return strings.HasPrefix(fs, "[[") || i < len(urlSegs)
		case strings.HasPrefix(fs, "["):
			if i >= len(urlSegs) {
				return false
			}
			i++
		default:
			if i >= len(urlSegs) || urlSegs[i] != fs {
				return false
			}
			i++
		}
	}
	return i == len(urlSegs)
}

// resolveFetch maps a same-origin request to the handler that serves it:
// an App Router Route Handler or a Pages Router API route.
func resolveFetch(pass *rules.Pass, from string, urlSegs []string, method string) *routeTarget {
	for _, p := range pass.Paths() {
		m := routeFileRe.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		rest := m[3]
		var segs []string
		isAppRoute := m[2] == "app" && (path.Base(rest) == "route.ts" || path.Base(rest) == "route.js")
		isPagesAPI := m[2] == "pages" && strings.HasPrefix(rest, "api/")
		switch {
		case isAppRoute:
			for _, s := range strings.Split(path.Dir(rest), "/") {
				if s == "." || strings.HasPrefix(s, "(") || strings.HasPrefix(s, "@") {
					continue
				}
				segs = append(segs, s)
			}
		case isPagesAPI:
			r := strings.TrimSuffix(rest, path.Ext(rest))
			r = strings.TrimSuffix(r, "/index")
			segs = strings.Split(r, "/")
		default:
			continue
		}
		if !matchRoute(segs, urlSegs) {
			continue
		}
		tf := pass.AST(pass.Get(p))
		if tf == nil {
			return nil
		}
		want := "default"
		if isAppRoute {
			want = method
		}
		for _, e := range tf.Entries() {
			if e.Name == want {
				return &routeTarget{File: p, AST: tf, Fn: e.Fn, Mw: e.Middleware,
					Desc: rules.Code(method+" /"+strings.Join(segs, "/")) + " (" + rules.Code(p) + ")", URL: "/" + strings.Join(urlSegs, "/")}
			}
		}
		return nil // the route exists but not for this method
	}
	return nil
}

// resolveAction maps an imported name to a Server Action.
func resolveAction(pass *rules.Pass, f *jsast.File, local string) *routeTarget {
	im, ok := f.ImportOf(local)
	if !ok {
		return nil
	}
	target := ResolveModule(pass, f.Path, im.Source)
	if target == "" {
		return nil
	}
	tf := pass.AST(pass.Get(target))
	if tf == nil {
		return nil
	}
	for _, e := range tf.Entries() {
		if e.Kind == "server action" && e.Name == im.Imported {
			return &routeTarget{File: target, AST: tf, Fn: e.Fn, Mw: e.Middleware,
				Desc: "Server Action " + rules.Code(im.Imported) + " (" + rules.Code(target) + ")"}
		}
	}
	return nil
}

// middlewareCheck returns the protection a Next.js middleware/proxy gives
// url: protect() for every request, or for createRouteMatcher patterns that
// match it. Unknown shapes count as protected, so the rule stays quiet.
func middlewareCheck(pass *rules.Pass, url string) Check {
	best := NoCheck
	for _, p := range pass.Paths() {
		base := path.Base(p)
		if base != "middleware.ts" && base != "middleware.js" && base != "proxy.ts" && base != "proxy.js" {
			continue
		}
		if d := path.Dir(p); d != "." && d != "src" && !strings.HasSuffix(d, "/src") && strings.Contains(d, "/") {
			continue
		}
		mf := pass.AST(pass.Get(p))
		if mf == nil {
			continue
		}
		protects := mf.Calls(mf.Root, func(n string) bool { return jsast.LastSegment(n) == "protect" })
		if len(protects) == 0 {
			continue
		}
		level := AuthnCheck
		for _, pc := range protects {
			for _, a := range jsast.Args(pc) {
				if hasAuthzKey(mf, a) || jsast.IsFunction(jsast.Unwrap(a)) {
					level = AuthzCheck
				}
			}
		}
		matchers := mf.Calls(mf.Root, func(n string) bool { return n == "createRouteMatcher" })
		if len(matchers) == 0 {
			best = max(best, level)
			continue
		}
		for _, m := range matchers {
			args := jsast.Args(m)
			if len(args) == 0 {
				continue
			}
			pats, _, ok := mf.StringList(args[0])
			if !ok {
				best = max(best, level) // not evaluable: assume covered
				continue
			}
			for _, pat := range pats {
				// Compiled as Clerk does, in the review's bounded set; a
				// pattern that cannot be evaluated counts as covering.
				if project.CompileRoutePattern(pass.Project.Patterns(), p, pat, m.Line).Eval(url) != boundedre.NoMatch {
					best = max(best, level)
				}
			}
		}
	}
	return best
}
