package model

import (
	"bytes"
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/source"
)

// ProviderReturn reports whether a GET entry is a page a third-party
// service sends the browser back to: the application gives its URL as the
// return URL of a payment or onboarding flow (Stripe Checkout's
// success_url, a Connect account link's return_url; knowledge.RedirectCall
// sinks of server calls). The service redirects with a GET, so the
// handler cannot take another method; what it may change on arrival is
// for its own checks (a state token, the provider's answer) to bound.
func (m *Model) ProviderReturn(ctx context.Context, e *Entry) bool {
	if m == nil || e == nil {
		return false
	}
	paths, _ := m.returns.get(func() ([][]string, error) { return m.providerReturns(ctx), nil })
	for _, segs := range paths {
		if e.Serves("GET", segs) {
			return true
		}
	}
	return false
}

func (m *Model) providerReturns(ctx context.Context) [][]string {
	var candidates []string
	for _, p := range m.fs.Paths() {
		if source.NewFile(p, nil).IsJS() && !strings.Contains(p, "node_modules/") {
			candidates = append(candidates, p)
		}
	}
	m.readAll(ctx, candidates)
	var out [][]string
	for _, p := range candidates {
		if ctx.Err() != nil {
			break
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil || !bytes.Contains(sf.Content, []byte("_url")) {
			continue
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			continue
		}
		jsast.Walk(f.Root, func(n *jsast.Node) bool {
			if n.Type != "call_expression" {
				return true
			}
			for _, s := range knowledge.RedirectCall(f.CalleeName(n)) {
				if s.Client || s.Property == "" {
					continue
				}
				for _, a := range jsast.Args(n) {
					if a = jsast.Unwrap(a); a != nil && a.Type == "object" {
						if segs, ok := returnSegments(f, f.ObjectProp(a, s.Property)); ok {
							out = append(out, segs)
						}
					}
				}
			}
			return true
		})
	}
	return out
}

// returnSegments reads the path of a return URL written as a string or a
// template (`${origin}/billing/${status}?session={CHECKOUT_SESSION_ID}`):
// its segments, "*" for one the code computes; ok is false when the path
// cannot be told (a variable, a bare origin).
func returnSegments(f *jsast.File, v *jsast.Node) ([]string, bool) {
	text, ok := urlTemplate(f, v)
	if !ok {
		return nil, false
	}
	if i := strings.Index(text, "://"); i >= 0 {
		text = text[i+3:] // https://app.example.com/billing: the path after the host
	}
	if !strings.HasPrefix(text, "/") {
		j := strings.Index(text, "/") // ${host}/billing, app.example.com/billing
		if j < 0 {
			return nil, false
		}
		text = text[j:]
	}
	segs, ok := pathSegments(text)
	if !ok || len(segs) == 0 {
		return nil, false // the site root is no handler's own return page
	}
	return segs, true
}
