package model

import (
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// ClerkWebhookEvent reports whether the entry's handler reads a Clerk
// webhook event from its request body, whatever the adapter: it tests the
// body's `type` against a Clerk event name (knowledge.IsClerkWebhookEvent:
// `evt.type === 'user.created'`, a switch on it), or reads a Clerk user
// field from the body's `data` (knowledge.ClerkEventFieldOf:
// `body.data.email_addresses`, `const { first_name } = evt.data`; a
// field every user API has only from a body the code names Clerk's,
// `clerkData.data.username`). Such
// an entry's caller is Clerk's webhook sender, not a user to sign in:
// whether it verifies the signature is the webhook rules' question. The
// location is the read that shows it.
func (m *Model) ClerkWebhookEvent(ctx context.Context, e *Entry) (Location, bool) {
	if m == nil || e == nil || e.Fn == nil || e.FnFile == nil || ctx.Err() != nil {
		return Location{}, false
	}
	f, fn := e.FnFile, e.Fn
	reqs := map[string]bool{}
	for _, n := range entryRequestNames(f, fn, e.Params) {
		reqs[n] = true
	}
	if len(reqs) == 0 {
		return Location{}, false
	}
	s := eventShape{f: f, reqs: reqs, bodies: map[string]bool{}, types: map[string]bool{}, datas: map[string]bool{}}
	var at *jsast.Node
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		if at != nil {
			return false
		}
		switch n.Type {
		case "variable_declarator":
			at = s.declare(n)
		case "member_expression":
			prop := f.Text(n.ChildByField("property"))
			obj := n.ChildByField("object")
			switch {
			case prop == "type" && s.body(obj) && clerkEventTest(f, n):
				at = n
			case s.clerkField(prop, obj):
				at = n
			}
		case "identifier":
			if s.types[f.Text(n)] && clerkEventTest(f, n) {
				at = n
			}
		}
		return at == nil
	})
	if at == nil {
		return Location{}, false
	}
	return Location{File: f.Path, Line: at.Line}, true
}

// eventShape holds the names under which a handler sees its request's
// parsed body, the body's `type` and its `data`.
type eventShape struct {
	f                    *jsast.File
	reqs                 map[string]bool
	bodies, types, datas map[string]bool
}

// declare records a variable that holds the body, its type or its data;
// it returns the declarator when it destructures a Clerk user field from
// the data.
func (s *eventShape) declare(n *jsast.Node) *jsast.Node {
	name, v := n.ChildByField("name"), n.ChildByField("value")
	if name == nil || v == nil {
		return nil
	}
	switch {
	case s.body(v):
		if name.Type == "identifier" {
			s.bodies[s.f.Text(name)] = true
			return nil
		}
		for k, local := range patternNames(s.f, name) {
			switch k {
			case "type":
				s.types[local] = true
			case "data":
				s.datas[local] = true
			}
		}
	case s.data(v):
		if name.Type == "identifier" {
			s.datas[s.f.Text(name)] = true
			return nil
		}
		for k := range patternNames(s.f, name) {
			if s.clerkField(k, v) {
				return n
			}
		}
	}
	return nil
}

// body reports whether e is the request's parsed body: a body read of a
// request (knowledge.BodyMember: `await req.json()`, `req.body`), JSON.parse
// of one, or a variable holding one.
func (s *eventShape) body(e *jsast.Node) bool {
	e = jsast.Unwrap(e)
	if e == nil {
		return false
	}
	switch e.Type {
	case "identifier":
		return s.bodies[s.f.Text(e)]
	case "call_expression":
		name, args := s.f.CalleeName(e), jsast.Args(e)
		if name == "JSON.parse" && len(args) > 0 {
			return s.body(args[0])
		}
		// req.json(), c.req.json() of a Hono context: a body method of
		// the request or of a member of the request context.
		root, _, dotted := strings.Cut(name, ".")
		if _, body := knowledge.BodyMember(jsast.LastSegment(name), true); dotted && body && s.reqs[root] && len(args) == 0 {
			return true
		}
	case "member_expression":
		if _, ok := knowledge.BodyMember(s.f.Text(e.ChildByField("property")), false); ok {
			root, _, _ := strings.Cut(s.f.Name(e.ChildByField("object")), ".")
			return s.reqs[root]
		}
	}
	return false
}

// data reports whether e is the `data` of the request's parsed body.
func (s *eventShape) data(e *jsast.Node) bool {
	e = jsast.Unwrap(e)
	if e == nil {
		return false
	}
	switch e.Type {
	case "identifier":
		return s.datas[s.f.Text(e)]
	case "member_expression":
		return s.f.Text(e.ChildByField("property")) == "data" && s.body(e.ChildByField("object"))
	}
	return false
}

// clerkField reports whether reading field of obj reads a Clerk user
// field of the body's data; a field every user API has (username) counts
// only when the code names the body Clerk's (`clerkData.data.username`).
func (s *eventShape) clerkField(field string, obj *jsast.Node) bool {
	common, ok := knowledge.ClerkEventFieldOf(field)
	if !ok || !s.data(obj) {
		return false
	}
	if !common {
		return true
	}
	named := false
	jsast.Walk(obj, func(n *jsast.Node) bool {
		if n.Type == "identifier" && strings.Contains(strings.ToLower(s.f.Text(n)), "clerk") {
			named = true
		}
		return !named
	})
	return named
}

// patternNames maps the keys an object pattern destructures to their
// local names.
func patternNames(f *jsast.File, p *jsast.Node) map[string]string {
	out := map[string]string{}
	if p.Type != "object_pattern" {
		return out
	}
	for _, c := range p.NamedChildren() {
		switch c.Type {
		case "shorthand_property_identifier_pattern":
			out[f.Text(c)] = f.Text(c)
		case "pair_pattern":
			if v := c.ChildByField("value"); v != nil && v.Type == "identifier" {
				out[f.Text(c.ChildByField("key"))] = f.Text(v)
			}
		case "object_assignment_pattern":
			if l := c.ChildByField("left"); l != nil {
				out[f.Text(l)] = f.Text(l)
			}
		}
	}
	return out
}

// clerkEventTest reports whether n (an event's type) is compared with a
// Clerk event name: `n === 'user.created'`, or `switch (n)` with a case
// naming one.
func clerkEventTest(f *jsast.File, n *jsast.Node) bool {
	p := n.Parent
	for p != nil && p.Type == "parenthesized_expression" && (p.Parent == nil || p.Parent.Type != "switch_statement") {
		p = p.Parent
	}
	if p == nil {
		return false
	}
	clerkName := func(x *jsast.Node) bool {
		v, ok := f.StringValue(x)
		return ok && knowledge.IsClerkWebhookEvent(v)
	}
	switch p.Type {
	case "binary_expression":
		if op := p.ChildByField("operator"); op != nil {
			switch f.Text(op) {
			case "===", "==", "!==", "!=":
				return clerkName(p.ChildByField("left")) || clerkName(p.ChildByField("right"))
			}
		}
	case "parenthesized_expression":
		found := false
		jsast.Walk(p.Parent.ChildByField("body"), func(c *jsast.Node) bool {
			if c.Type == "switch_case" && clerkName(c.ChildByField("value")) {
				found = true
			}
			return !found && c.Type != "switch_case"
		})
		return found
	}
	return false
}
