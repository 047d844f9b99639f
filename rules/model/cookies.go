package model

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// cookieGrant adds a SetsCookie effect for a response cookie that a call
// or a constructor sets to a paid entitlement (knowledge.PaidPlanGrant:
// `proPaid=true`, `plan=premium`): the response tells the browser the
// caller has the paid tier, which is the fulfilment of a payment. The
// cookie is named by a literal and set to a literal; a cookie holding a
// computed value (a session id) is not one.
func (a *analyzer) cookieGrant(n *jsast.Node, st *state) {
	name, val, call, ok := a.cookieSet(n)
	if !ok || !knowledge.PaidPlanGrant(name, val) {
		return
	}
	for _, e := range a.s.effects {
		if e.Kind == SetsCookie && e.Line == n.Line && e.File == a.f.Path && len(e.Via) == 0 {
			return
		}
	}
	a.s.effects = append(a.s.effects, effect{Effect: Effect{Kind: SetsCookie, Call: call,
		Location: Location{File: a.f.Path, Line: n.Line}, Authz: st.authz, Grants: name, GrantsPaidPlan: true}, reach: st.reach})
}

// cookieSet reads the cookie a call or constructor sets: the cookie APIs
// of the frameworks (`cookies.set(name, value)` of Astro, Next.js and
// SvelteKit, Express's `res.cookie(name, value)`, `setCookie(c, name,
// value)` of Hono and h3, Fastify's `reply.setCookie(name, value)`), a
// `Set-Cookie` header set by name (`headers.set('Set-Cookie', ...)`,
// `res.setHeader(...)`), or a `Set-Cookie` field of a headers object
// passed to it (`new Headers({ 'Set-Cookie': ... })`, a Response's init).
func (a *analyzer) cookieSet(n *jsast.Node) (name, val, call string, ok bool) {
	args := jsast.Args(n)
	if n.Type == "call_expression" {
		callee := strings.ReplaceAll(a.f.CalleeName(n), "()", "")
		last := jsast.LastSegment(callee)
		at := -1
		switch {
		case last == "set" && (strings.HasSuffix(callee, "cookies.set") || a.cookieJar(n)), last == "cookie" && callee != last:
			at = 0
		case last == "setCookie" && callee == last:
			at = 1
		case last == "setCookie":
			at = 0
		case last == "set" || last == "append" || last == "setHeader" || last == "header" || last == "appendHeader":
			if h, hok := a.f.StringValue(argAt(args, 0)); hok && strings.EqualFold(h, "set-cookie") {
				if name, val, ok := a.cookieHeader(argAt(args, 1)); ok {
					return name, val, callee, true
				}
			}
		}
		if at >= 0 {
			name, nok := a.f.StringValue(argAt(args, at))
			val, vok := a.literal(argAt(args, at+1))
			if nok && vok {
				return name, val, callee, true
			}
		}
	}
	for _, arg := range args {
		var found bool
		jsast.Walk(arg, func(x *jsast.Node) bool {
			if found || jsast.IsFunction(x) || x.Type == "call_expression" {
				return false
			}
			if x.Type != "pair" {
				return true
			}
			k, kok := a.f.StringValue(x.ChildByField("key"))
			if !kok {
				k = a.f.Text(x.ChildByField("key"))
			}
			if strings.EqualFold(k, "set-cookie") {
				name, val, found = a.cookieHeader(x.ChildByField("value"))
			}
			return true
		})
		if found {
			return name, val, "Set-Cookie", true
		}
	}
	return "", "", "", false
}

// cookieJar reports a call on a local variable that holds the
// request's cookie store (`const jar = await cookies(); jar.set(...)`).
func (a *analyzer) cookieJar(n *jsast.Node) bool {
	callee := jsast.Unwrap(n.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return false
	}
	obj := jsast.Unwrap(callee.ChildByField("object"))
	if obj == nil || obj.Type != "identifier" {
		return false
	}
	v := jsast.Unwrap(declaredBefore(a.f, jsast.EnclosingFunction(n), n, a.f.Text(obj)))
	return v != nil && v.Type == "call_expression" && jsast.LastSegment(strings.ReplaceAll(a.f.CalleeName(v), "()", "")) == "cookies"
}

// cookieHeader parses a literal Set-Cookie header value
// ("proPaid=true; Path=/") into the cookie's name and value.
func (a *analyzer) cookieHeader(v *jsast.Node) (name, val string, ok bool) {
	s, sok := a.f.StringValue(v)
	if !sok {
		return "", "", false
	}
	first, _, _ := strings.Cut(s, ";")
	name, val, ok = strings.Cut(first, "=")
	name, val = strings.TrimSpace(name), strings.Trim(strings.TrimSpace(val), `"`)
	return name, val, ok && name != ""
}

// literal is the text of a string literal, or "true"/"false" for a
// boolean literal.
func (a *analyzer) literal(v *jsast.Node) (string, bool) {
	if v = jsast.Unwrap(v); v == nil {
		return "", false
	}
	if v.Type == "true" || v.Type == "false" {
		return v.Type, true
	}
	return a.f.StringValue(v)
}

func argAt(args []*jsast.Node, i int) *jsast.Node {
	if i < len(args) {
		return args[i]
	}
	return nil
}
