package model

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// credentialedWrite recognises fetch(url, init) made with the server's
// credentials (an Authorization or API-key header no request input sets:
// sendsCredentials) that changes another service's records: a method that
// changes its target other than POST (PUT, PATCH, DELETE: RFC 9110
// section 9.3), or a body that carries a GraphQL mutation
// (knowledge.GraphQLMutation). The service acts on the application's
// authority, so the entry writes data as much as one that calls its own
// database. A POST that reads (a GraphQL query, a search) is no write, and
// the same request without the server's credentials is one the caller can
// send the service directly. It returns the effect's call as it names it
// ("fetch DELETE", "fetch mutation DeletePost") and whether the request
// changes existing records rather than only adding new ones.
func (a *analyzer) credentialedWrite(n *jsast.Node, rname, clean string, bound bool) (call string, selects, ok bool) {
	args := jsast.Args(n)
	if len(args) < 2 || bound || rname != "fetch" || clean != "fetch" {
		return "", false, false
	}
	init := jsast.Unwrap(args[1])
	if init == nil || init.Type != "object" || !a.sendsCredentials(init) {
		return "", false, false
	}
	method, body := "", (*jsast.Node)(nil)
	for _, p := range init.NamedChildren() {
		if p.Type != "pair" {
			continue
		}
		switch strings.Trim(a.f.Text(p.ChildByField("key")), `"'`) {
		case "method":
			method, _ = a.f.StringValue(p.ChildByField("value"))
		case "body":
			body = p.ChildByField("value")
		}
	}
	if m, known := knowledge.HTTPMethod(strings.ToUpper(method)); known && !m.Safe && m.Name != "POST" && m.Name != "ALL" {
		return "fetch " + m.Name, true, true
	}
	if body == nil {
		return "", false, false
	}
	op, found := a.graphQLMutationIn(body, jsast.EnclosingFunction(n), 0)
	if !found {
		return "", false, false
	}
	call = "fetch mutation"
	if op.Name != "" {
		call += " " + op.Name
	}
	return call, !op.Creates(), true
}

// graphQLMutationIn finds a GraphQL mutation among the strings a request
// body is built from: literals in it (JSON.stringify({ query: `mutation
// ...` })) and the consts it names (body: JSON.stringify({ query:
// mutation }), body: payload), followed a few steps.
func (a *analyzer) graphQLMutationIn(body, fn *jsast.Node, depth int) (knowledge.GraphQLOp, bool) {
	var op knowledge.GraphQLOp
	found := false
	jsast.Walk(body, func(x *jsast.Node) bool {
		if found || jsast.IsFunction(x) {
			return false
		}
		switch x.Type {
		case "string", "template_string":
			op, found = knowledge.GraphQLMutation(leadingLiteral(a.f, x))
			return false
		case "identifier", "shorthand_property_identifier":
			if depth >= 3 {
				return false
			}
			var v *jsast.Node
			if fn != nil {
				v = a.constValue(fn, a.f.Text(x))
			} else {
				v = jsast.Unwrap(a.f.LocalValue(a.f.Text(x)))
			}
			if v != nil && v != body && !v.Contains(body) {
				op, found = a.graphQLMutationIn(v, fn, depth+1)
			}
			return false
		}
		return true
	})
	return op, found
}
