package model

import (
	"context"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// HeaderRead is a read of a request header by its literal name in an
// entry's handler or a helper it passes the request to:
// `req.headers['x-user-id']`, `request.headers.get('x-user-id')`,
// `req.get('X-User-Id')`, `c.req.header('x-user-id')`, `headers().get(...)`.
type HeaderRead struct {
	// Header is the name as written.
	Header string
	// Var is the variable the read initialises (`const role =
	// req.headers['x-user-role']`), or "".
	Var string
	// Location is the read itself; Col its column.
	Location
	Col int
	// Via lists the helpers the read was reached through, outermost
	// first ("userIdOf (lib/req.ts:3)").
	Via []string
	// param is, in a helper's summary, the parameter that holds the
	// request (-1: the request itself).
	param int
}

// HeaderReads returns the request headers an entry's handler reads by
// name, through the helpers it passes the request (or its headers) to.
// The request is the model's (the handler's request parameter, Next.js
// `headers()`), so the name the application gives it does not matter and
// a `get('x')` of any other object is no read. Listed are the reads the
// model's walk evaluates: a value bound to a variable, tested in a
// condition, or passed to a call (a query's filter, a helper); a read
// only echoed in a response literal and reads in middleware layers are
// not listed yet. In Go (goheaders.go) the request is the handler's
// *http.Request or framework context parameter, and the reads are the
// header accessors of net/http, gin, echo and chi (r.Header.Get("x"),
// c.GetHeader("x")).
func (m *Model) HeaderReads(ctx context.Context, e *Entry) []HeaderRead {
	return m.analysis(ctx, e).headers
}

// headerRead records a read of the header name from recv at n (a call
// `recv.get(name)`/`recv.header(name)` or a member `recv[name]`): recv is
// the request (Express `req.get`, Hono `c.req.header`), its headers
// object, or, in a helper, a parameter or a parameter's `headers` (the
// caller decides which), which enterHeaders maps to the argument.
func (a *analyzer) headerRead(n *jsast.Node, recv value, name string) {
	param := -1
	switch {
	case recv.kind == vRequest && recv.hdrs, recv.kind == vReq && n.Type == "call_expression":
	case recv.kind == vParam && a.role == roleHelper:
		param = recv.param
	default:
		return
	}
	if name == "" || len(a.s.headers) >= maxHeaderReads {
		return
	}
	for _, h := range a.s.headers {
		if h.Line == n.Line && h.Col == n.Col && h.File == a.f.Path && len(h.Via) == 0 {
			return // the same read, classified again
		}
	}
	hr := HeaderRead{Header: name, Location: Location{File: a.f.Path, Line: n.Line}, Col: n.Col, param: param}
	if p := n.Parent; p != nil && p.Type == "variable_declarator" && jsast.Unwrap(p.ChildByField("value")) == n {
		if id := p.ChildByField("name"); id != nil && id.Type == "identifier" {
			hr.Var = a.f.Text(id)
		}
	}
	a.s.headers = append(a.s.headers, hr)
}

// maxHeaderReads bounds the reads one function records.
const maxHeaderReads = 64

// enterHeaders maps the header reads of a helper's summary to the call
// that passed the request: a read of the parameter holding the request
// (or its headers) is a read of the request's header here, and a read of
// the request's own headers (Next.js headers()) stays one.
func (a *analyzer) enterHeaders(s *summary, where string, args []*jsast.Node) {
	for _, hr := range s.headers {
		if hr.param >= len(args) {
			continue
		}
		if hr.param >= 0 {
			// A parameter's header: the request's when the argument is.
			v := a.classify(args[hr.param])
			switch {
			case v.kind == vReq, v.kind == vRequest && v.hdrs:
				hr.param = -1
			case v.kind == vParam && a.role == roleHelper:
				hr.param = v.param
			default:
				continue
			}
		}
		hr.Via = append([]string{where}, hr.Via...)
		if len(a.s.headers) < maxHeaderReads {
			a.s.headers = append(a.s.headers, hr)
		}
	}
}

// headersMember reports whether n is written `x.headers`: a helper's
// parameter's headers, whose members are header values once the caller
// passes the request.
func headersMember(f *jsast.File, n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	return n != nil && n.Type == "member_expression" && f.Text(n.ChildByField("property")) == "headers"
}

// headersOf returns the reads of the request's own headers (those of a
// parameter only mean something in a helper's summary), in order.
func headersOf(hs []HeaderRead) []HeaderRead {
	var out []HeaderRead
	for _, h := range hs {
		if h.param < 0 {
			out = append(out, h)
		}
	}
	return out
}

// calleeOf reports whether n is the function of a call (`req.headers.get`
// in `req.headers.get('x')`), not a value read.
func calleeOf(n *jsast.Node) bool {
	p := n.Parent
	return p != nil && p.Type == "call_expression" && p.ChildByField("function") == n
}
