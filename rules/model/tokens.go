package model

import (
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// tokenVerifier returns the token verifier a call is (rules/knowledge
// TokenCallOf, a keyed verifier) when the key it verifies with is a
// configured secret:
// jwt.verify(token, process.env.SECRET), jwtVerify(token, key),
// createVerifier({ key: process.env.SECRET }).
func (a *analyzer) tokenVerifier(call *jsast.Node) (knowledge.TokenCall, bool) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	root := rootIdent(callee)
	if root == nil {
		return knowledge.TokenCall{}, false
	}
	im, ok := a.f.ImportOf(a.f.Text(root))
	if !ok {
		return knowledge.TokenCall{}, false
	}
	name := im.Imported
	if callee.Type == "member_expression" {
		name = a.f.Text(callee.ChildByField("property")) // jwt.verify of a default or namespace import
	}
	v, ok := keyedVerifier(im.Source, name)
	if !ok {
		return knowledge.TokenCall{}, false
	}
	args := jsast.Args(call)
	if v.KeyArg >= len(args) {
		return knowledge.TokenCall{}, false
	}
	key := args[v.KeyArg]
	if v.KeyOption != "" {
		key = a.f.ObjectProp(jsast.Unwrap(key), v.KeyOption)
	}
	if key == nil || a.classify(key).kind != vSecret {
		return knowledge.TokenCall{}, false
	}
	return v, true
}

// verifierValue is what a token verifier factory returns: a function
// that throws for a token the application's secret did not sign.
var verifierValue = value{kind: vSecret, field: "verifier"}

// verifiesToken reports a call that throws for a token not signed with
// the application's secret, which an anonymous caller cannot make.
func (a *analyzer) verifiesToken(call *jsast.Node) bool {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee != nil && callee.Type == "identifier" {
		if v, ok := a.vars[a.f.Text(callee)]; ok && v.kind == vSecret && v.field == verifierValue.field {
			return true
		}
	}
	v, ok := a.tokenVerifier(call)
	return ok && v.Use == knowledge.Verifies
}

// keyFromCaller reports a call of a keyed token verifier (knowledge
// TokenCallOf) whose key is not a configured secret: the caller can
// sign a token it accepts, so its claims are the caller's to choose.
func (a *analyzer) keyFromCaller(call *jsast.Node) bool {
	callee := jsast.Unwrap(call.ChildByField("function"))
	root := rootIdent(callee)
	if root == nil {
		return false
	}
	im, ok := a.f.ImportOf(a.f.Text(root))
	if !ok {
		return false
	}
	name := im.Imported
	if callee.Type == "member_expression" {
		name = a.f.Text(callee.ChildByField("property"))
	}
	if _, known := keyedVerifier(im.Source, name); !known {
		return false
	}
	_, appKey := a.tokenVerifier(call)
	return !appKey
}

// keyedVerifier returns the token function name of package pkg when it
// verifies, or makes a verifier, with a key the application passes.
func keyedVerifier(pkg, name string) (knowledge.TokenCall, bool) {
	t, ok := knowledge.TokenCallOf(pkg, name)
	if !ok || !t.Keyed() || t.Use != knowledge.Verifies && t.Use != knowledge.VerifierFactory {
		return knowledge.TokenCall{}, false
	}
	return t, true
}

// verifiedBefore reports a decoder call whose token an earlier call of
// the same function verified with a key the caller does not hold, in a
// way that ends the request when the token is forged: outside a try, or
// in a try whose catch leaves and does not hold the decoder. The decoded
// claims are then those of a verified token (decode after verifyToken).
func (a *analyzer) verifiedBefore(decode *jsast.Node) bool {
	args := jsast.Args(decode)
	fn := jsast.EnclosingFunction(decode)
	if len(args) == 0 || fn == nil {
		return false
	}
	token := a.f.Text(jsast.Unwrap(args[0]))
	for _, c := range jsast.Find(fn, "call_expression") {
		if c.Line > decode.Line || c == decode || jsast.EnclosingFunction(c) != fn {
			continue
		}
		ca := jsast.Args(c)
		if len(ca) == 0 || a.f.Text(jsast.Unwrap(ca[0])) != token {
			continue
		}
		if tc, ok := a.tokenCall(c); !ok || tc.Use != knowledge.Verifies || a.keyFromCaller(c) {
			continue
		}
		if a.failureEnds(c, fn, decode) {
			return true
		}
	}
	return false
}

// failureEnds reports whether a call's throw ends the request before
// node runs: no try around it in fn, or each try's catch leaves (return
// or throw) without holding node.
func (a *analyzer) failureEnds(call, fn, node *jsast.Node) bool {
	for p := call.Parent; p != nil && p != fn; p = p.Parent {
		if p.Type != "try_statement" || !p.ChildByField("body").Contains(call) {
			continue
		}
		h := p.ChildByField("handler")
		if h == nil || h.Contains(node) {
			return false
		}
		if len(jsast.Find(h, "return_statement")) == 0 && len(jsast.Find(h, "throw_statement")) == 0 {
			return false
		}
	}
	return true
}
