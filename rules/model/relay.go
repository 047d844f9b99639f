package model

import "github.com/clerkguard/clerkguard/rules/jsast"

// relayedRead recognises a request to a fixed API host, without the
// server's credentials, whose path or query names a record by a value of
// the request (`fetch('https://records.example/api/student?id=' + id)`),
// and whose response the function hands back (returns it, or sends it
// in its response). Such an entry is a proxy: the records are the other
// API's, and a caller who knows that API can ask it directly, so it is no
// data read (credentialedRead is the credentialed form). But where the
// application puts the proxy behind a gate, the gate is all that stands
// between a signed-out caller and those records through the application
// (Relays).
func (a *analyzer) relayedRead(n *jsast.Node, rname, clean string, bound bool) bool {
	return a.recordURL(n, rname, clean, bound) != nil && a.handsBack(n)
}

// handsBack reports whether the value of call n reaches what its function
// returns or sends as its response: `return fetch(u)`, `const r = await
// fetch(u); const d = await r.json(); return new Response(JSON.stringify(d))`,
// `return Response.json(await r.json())`. The names bound from the call,
// and from values that use them, are followed in source order.
func (a *analyzer) handsBack(n *jsast.Node) bool {
	fn := jsast.EnclosingFunction(n)
	if fn == nil {
		return false
	}
	if a.sink(n, fn) {
		return true
	}
	names := map[string]bool{}
	bind := func(target *jsast.Node) {
		jsast.Walk(target, func(x *jsast.Node) bool {
			switch x.Type {
			case "identifier", "shorthand_property_identifier_pattern":
				names[a.f.Text(x)] = true
			}
			return !jsast.IsFunction(x)
		})
	}
	uses := func(v *jsast.Node) bool {
		if v == nil {
			return false
		}
		if v.Contains(n) {
			return true
		}
		found := false
		jsast.Walk(v, func(x *jsast.Node) bool {
			if found || jsast.IsFunction(x) {
				return false
			}
			if x.Type == "identifier" && names[a.f.Text(x)] {
				found = true
			}
			return true
		})
		return found
	}
	var refs []*jsast.Node
	jsast.Walk(fn.ChildByField("body"), func(x *jsast.Node) bool {
		if jsast.IsFunction(x) {
			return false
		}
		switch x.Type {
		case "variable_declarator":
			if uses(x.ChildByField("value")) {
				bind(x.ChildByField("name"))
			}
		case "assignment_expression":
			if l := x.ChildByField("left"); l != nil && l.Type == "identifier" && uses(x.ChildByField("right")) {
				names[a.f.Text(l)] = true
			}
		case "identifier":
			if names[a.f.Text(x)] {
				refs = append(refs, x)
			}
		}
		return true
	})
	for _, r := range refs {
		if a.sink(r, fn) {
			return true
		}
	}
	return false
}

// sink reports whether node x is part of what fn returns (a return
// statement's value, an arrow function's expression body) or of a
// response it builds (`new Response(x)`, `Response.json(x)`, `res.json(x)`).
func (a *analyzer) sink(x, fn *jsast.Node) bool {
	for c, p := x, x; p != nil && p != fn; c, p = p, p.Parent {
		if p != c && a.decidesOnly(c, p) {
			return false
		}
		switch p.Type {
		case "return_statement":
			return true
		case "new_expression":
			if c := a.f.Text(p.ChildByField("constructor")); c == "Response" || c == "NextResponse" {
				return true
			}
		case "call_expression":
			if p != x && a.isResponseCall(p) {
				return true
			}
		}
		if p.Parent == fn && p.Field == "body" && p.Type != "statement_block" {
			return true // (url) => fetch(url)
		}
		if jsast.IsFunction(p) {
			return false
		}
	}
	return false
}

// responseMeta are the members of a fetch response that describe it
// rather than carry its body.
var responseMeta = map[string]bool{"ok": true, "status": true, "statusText": true, "headers": true, "redirected": true}

// decidesOnly reports whether parent p uses its child c only to decide
// something (a condition, a comparison, a negation) or takes the
// response's metadata from it (`res.ok`, `res.status`): the record does
// not reach what p yields.
func (a *analyzer) decidesOnly(c, p *jsast.Node) bool {
	switch p.Type {
	case "ternary_expression":
		return c.Field == "condition"
	case "unary_expression":
		return true
	case "binary_expression":
		switch a.f.Text(p.ChildByField("operator")) {
		case "===", "!==", "==", "!=", "<", ">", "<=", ">=", "instanceof", "in":
			return true
		}
	case "member_expression":
		return c.Field == "object" && responseMeta[a.f.Text(p.ChildByField("property"))]
	}
	return false
}
