package model

import (
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// maxVerifyDepth bounds how many helper calls deep VerifiesToken looks
// for a verifier.
const maxVerifyDepth = 3

// VerifiesToken reports whether a call verifies a JSON Web Token's
// signature: a verifier of knowledge.TokenCallOf imported from its
// package (jwt.verify, jwtVerify, Clerk's verifyToken), a Clerk Backend
// identity source that verifies the request's token (verifyToken,
// authenticateRequest, also as a client method: knowledge.IdentitySourceOf),
// or a function of the snapshot that makes such a call (followed through
// Callee, maxVerifyDepth deep), whatever the application named it. A
// callee the model cannot read counts as verifying: an unknown answer
// must not turn into a finding.
func (m *Model) VerifiesToken(ctx context.Context, f *jsast.File, call *jsast.Node) bool {
	return m.verifiesTokenAt(ctx, f, call, 0)
}

func (m *Model) verifiesTokenAt(ctx context.Context, f *jsast.File, call *jsast.Node, depth int) bool {
	if src, name, ok := f.ImportedCallee(call); ok {
		if tc, ok := knowledge.TokenCallOf(src, name); ok {
			return tc.Use == knowledge.Verifies
		}
	}
	last := jsast.LastSegment(f.CalleeName(call))
	if s, ok := knowledge.IdentitySourceOf("@clerk/backend", last); ok && (s.Returns == knowledge.SessionClaims || s.Returns == knowledge.RequestState) {
		return true
	}
	if depth >= maxVerifyDepth || ctx.Err() != nil {
		return false
	}
	c := m.Callee(ctx, f, call)
	switch c.Kind {
	case CalleeUnknown:
		return true
	case CalleeFunction:
		if c.Fn == nil || c.File == nil || c.File.Path == f.Path && c.Fn.Contains(call) {
			return false // recursion: the function itself
		}
		found := false
		jsast.Walk(c.Fn, func(x *jsast.Node) bool {
			if !found && x.Type == "call_expression" && m.verifiesTokenAt(ctx, c.File, x, depth+1) {
				found = true
			}
			return !found
		})
		return found
	}
	return false
}

// HandDecodedPayload reports whether n reads the payload segment of a
// JSON Web Token split by hand, `token.split('.')[1]`, in a function
// that base64-decodes (base64Decodes): the claims read without verifying
// the signature. A JWT in compact serialization is three base64url
// segments, header.payload.signature (RFC 7519 section 3, RFC 7515
// section 7.1).
func HandDecodedPayload(f *jsast.File, n *jsast.Node) bool {
	if n == nil {
		return false
	}
	switch n.Type {
	case "subscript_expression":
		// token.split('.')[1], or parts[1] of const parts = token.split('.')
		obj := jsast.Unwrap(n.ChildByField("object"))
		if obj != nil && obj.Type == "identifier" {
			obj = jsast.Unwrap(splitBinding(f, n, f.Text(obj)))
		}
		if obj == nil || obj.Type != "call_expression" || !splitsOnDot(f, obj) {
			return false
		}
		if idx := n.ChildByField("index"); idx == nil || f.Text(idx) != "1" {
			return false
		}
	case "variable_declarator":
		// const [, payload] = token.split('.')
		name, val := n.ChildByField("name"), jsast.Unwrap(n.ChildByField("value"))
		if name == nil || name.Type != "array_pattern" || val == nil || val.Type != "call_expression" || !splitsOnDot(f, val) ||
			!secondElement(name) {
			return false
		}
	default:
		return false
	}
	// The decoding call may wrap the subscript directly or take the
	// variable it was stored in, in the same statement or function.
	scope := jsast.EnclosingFunction(n)
	if scope == nil {
		scope = f.Root
	}
	decodes := false
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if x.Type == "call_expression" && base64Decodes(f, x) {
			decodes = true
		}
		return !decodes
	})
	return decodes
}

// splitBinding returns the value of the one declaration of name in the
// function around n (`const parts = token.split('.')`), or nil.
func splitBinding(f *jsast.File, n *jsast.Node, name string) *jsast.Node {
	scope := jsast.EnclosingFunction(n)
	if scope == nil {
		scope = f.Root
	}
	var val *jsast.Node
	count := 0
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if x.Type == "variable_declarator" && f.Text(x.ChildByField("name")) == name {
			count++
			val = x.ChildByField("value")
		}
		return true
	})
	if count != 1 {
		return nil
	}
	return val
}

// secondElement reports an array pattern that binds its second element
// (`[, payload]`, `[header, payload]`).
func secondElement(p *jsast.Node) bool {
	i := 0
	for _, c := range p.Children {
		switch c.Type {
		case ",":
			i++
		case "[", "]":
		default:
			if i == 1 && c.Type != "comment" {
				return true
			}
		}
	}
	return false
}

// splitsOnDot reports a call `s.split('.')`: a token cut into its
// segments.
func splitsOnDot(f *jsast.File, call *jsast.Node) bool {
	if jsast.LastSegment(f.CalleeName(call)) != "split" {
		return false
	}
	a := jsast.Args(call)
	if len(a) != 1 {
		return false
	}
	s, ok := f.StringValue(a[0])
	return ok && s == "."
}

// base64Decodes reports a call that base64-decodes its argument: atob(x)
// (https://developer.mozilla.org/en-US/docs/Web/API/Window/atob),
// Buffer.from(x, 'base64' | 'base64url')
// (https://nodejs.org/api/buffer.html#static-method-bufferfromstring-encoding),
// or a base64 module's decode (base64url.decode(x), base64.decode(x)).
func base64Decodes(f *jsast.File, call *jsast.Node) bool {
	args := jsast.Args(call)
	switch name := f.CalleeName(call); {
	case name == "atob":
		return len(args) == 1
	case name == "Buffer.from":
		if len(args) != 2 {
			return false
		}
		enc, ok := f.StringValue(args[1])
		return ok && strings.HasPrefix(enc, "base64")
	default:
		return strings.HasSuffix(name, "base64url.decode") || strings.HasSuffix(name, "base64.decode")
	}
}
