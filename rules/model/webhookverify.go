package model

import (
	"context"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// VerifyKind says how a call verifies a webhook signature.
type VerifyKind int

const (
	// VerifyClerk: verifyWebhook() of a Clerk SDK.
	VerifyClerk VerifyKind = iota + 1
	// VerifySvix: verify() of a `new Webhook(secret)` instance of a library
	// verifying the Svix scheme (svix, standardwebhooks).
	VerifySvix
	// VerifyHMAC: an HMAC computed by hand (knowledge.HMACCallOf); how well
	// it is compared is CLK-WH-004's question.
	VerifyHMAC
	// VerifyUnknown: a call that may verify but cannot be inspected: a
	// package function named like a verifier, or a helper whose file could
	// not be read or resolved (a read failure never means "unverified").
	VerifyUnknown
)

// WebhookVerify is a call that verifies a webhook signature itself.
type WebhookVerify struct {
	Kind VerifyKind
	// Provider is whose scheme the call verifies ("clerk", "svix",
	// "standard-webhooks"; "" for a hand-rolled HMAC).
	Provider string
	Call     *jsast.Node
	Location Location
	// Via are the helper functions followed from Call to the verifying
	// call, outermost first (empty when Call verifies itself); Site is that
	// verifying call, in SiteFile.
	Via      []Callee
	SiteFile *jsast.File
	Site     *jsast.Node
}

// WebhookVerifies returns the calls within n (a function, a statement) of
// f that verify a webhook signature themselves, in source order: Clerk's
// verifyWebhook (knowledge.VerifierOf), verify() of a Svix-scheme Webhook
// instance (bound in f to a variable or class field, built from a static
// or dynamic import, or exported by another file and followed with
// Value), and hand-rolled HMACs. Calls of helpers are not followed: ask
// Callee for them.
func (m *Model) WebhookVerifies(ctx context.Context, f *jsast.File, n *jsast.Node) []WebhookVerify {
	if n == nil {
		return nil
	}
	inst := m.svixInstances(ctx, f)
	var out []WebhookVerify
	var calls []*jsast.Node
	if n.Type == "call_expression" {
		calls = append(calls, n)
	}
	calls = append(calls, f.Calls(n, func(string) bool { return true })...)
	for _, call := range calls {
		if k, p := m.verifyKind(ctx, f, call, inst); k != 0 {
			out = append(out, WebhookVerify{Kind: k, Provider: p, Call: call, Location: Location{File: f.Path, Line: call.Line}})
		}
	}
	return out
}

// verifyKind classifies one call against the svix instances of its file.
func (m *Model) verifyKind(ctx context.Context, f *jsast.File, call *jsast.Node, inst map[string]string) (VerifyKind, string) {
	name := strings.ReplaceAll(f.CalleeName(call), "()", "")
	if last := jsast.LastSegment(name); last == "verifyWebhook" {
		if im, ok := f.ImportOf(jsast.FirstSegment(name)); ok && m.ClerkVerifyModule(ctx, f, im.Source) {
			return VerifyClerk, "clerk"
		}
	}
	if h, ok := knowledge.HMACCallOf(name); ok && (!h.AlgorithmArg || hmacAlgorithm(f, call)) {
		return VerifyHMAC, ""
	}
	fnNode := jsast.Unwrap(call.ChildByField("function"))
	if fnNode == nil || fnNode.Type != "member_expression" || f.Text(fnNode.ChildByField("property")) != "verify" {
		return 0, ""
	}
	obj := jsast.Unwrap(fnNode.ChildByField("object"))
	if obj != nil && obj.Type == "new_expression" {
		if p, ok := inst["#ctor:"+f.Name(obj.ChildByField("constructor"))]; ok {
			return VerifySvix, p
		}
	}
	on := f.Name(obj)
	if p, ok := inst[on]; ok {
		return VerifySvix, p
	}
	// An instance exported by another module: `import { wh } from '@/lib/svix'`.
	if on != "" && !strings.Contains(on, ".") && f.LocalValue(on) == nil {
		if tf, v, _ := m.Value(ctx, f, obj); tf != nil && tf != f {
			if u := jsast.Unwrap(v); u != nil && u.Type == "new_expression" {
				if p, ok := m.svixInstances(ctx, tf)["#ctor:"+tf.Name(u.ChildByField("constructor"))]; ok {
					return VerifySvix, p
				}
			}
		}
	}
	return 0, ""
}

// ClerkVerifyModule reports whether verifyWebhook imported by f from src
// is Clerk's: a Clerk SDK's webhooks entry point (knowledge.VerifierOf).
// A module of the repository that wraps it is a helper, which Callee
// follows.
func (m *Model) ClerkVerifyModule(ctx context.Context, f *jsast.File, src string) bool {
	v, ok := knowledge.VerifierOf(m.SpecPackage(ctx, f, src), "verifyWebhook")
	return ok && v.Provider == "clerk"
}

// hmacAlgorithm reports whether a Web Crypto call's first argument names
// the HMAC algorithm ("HMAC", { name: "HMAC" }).
func hmacAlgorithm(f *jsast.File, call *jsast.Node) bool {
	args := jsast.Args(call)
	if len(args) == 0 {
		return false
	}
	alg := jsast.Unwrap(args[0])
	if s, ok := f.StringValue(alg); ok {
		return strings.EqualFold(s, "HMAC")
	}
	if alg != nil && alg.Type == "object" {
		if s, ok := f.StringValue(f.ObjectProp(alg, "name")); ok {
			return strings.EqualFold(s, "HMAC")
		}
	}
	return false
}

// SvixScheme reports whether the import specifier src of f names a
// library whose Webhook class verifies Svix-scheme signatures
// (knowledge.VerifierOf, knowledge.SvixScheme), and which provider.
func (m *Model) SvixScheme(ctx context.Context, f *jsast.File, src string) (string, bool) {
	v, ok := knowledge.VerifierOf(m.SpecPackage(ctx, f, src), "verify")
	if !ok || !knowledge.SvixScheme(v.Provider) || v.Receiver != "Webhook" {
		return "", false
	}
	return v.Provider, true
}

// svixInstances returns the names bound in f to `new Webhook(...)` of a
// Svix-scheme library (local variables, assignments, class fields as
// "this.wh") and, as "#ctor:<name>", the constructors themselves, each
// with its provider.
func (m *Model) svixInstances(ctx context.Context, f *jsast.File) map[string]string {
	ctors := map[string]string{}
	for _, im := range f.Imports() {
		p, ok := m.SvixScheme(ctx, f, im.Source)
		if !ok {
			continue
		}
		switch im.Imported {
		case "Webhook":
			ctors[im.Local] = p
		case "*", "default":
			ctors[im.Local+".Webhook"] = p
			if im.Imported == "default" {
				ctors[im.Local] = p
			}
		}
	}
	m.dynamicSvixImports(ctx, f, ctors)
	out := map[string]string{}
	if len(ctors) == 0 {
		return out
	}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		var name string
		var val *jsast.Node
		switch n.Type {
		case "variable_declarator":
			name, val = f.Text(n.ChildByField("name")), n.ChildByField("value")
		case "assignment_expression":
			name, val = f.Name(n.ChildByField("left")), n.ChildByField("right")
		case "public_field_definition", "field_definition":
			name, val = "this."+f.Text(n.ChildByField("name")), n.ChildByField("value")
		default:
			return true
		}
		if u := jsast.Unwrap(val); u != nil && u.Type == "new_expression" {
			if p, ok := ctors[f.Name(u.ChildByField("constructor"))]; ok {
				out[name] = p
			}
		}
		return true
	})
	for k, p := range ctors {
		out["#ctor:"+k] = p
	}
	return out
}

// dynamicSvixImports adds the Webhook constructors bound by a dynamic
// import or a nested require of a Svix-scheme library: `const { Webhook }
// = await import('svix')`, `const svix = await import('svix')`.
func (m *Model) dynamicSvixImports(ctx context.Context, f *jsast.File, ctors map[string]string) {
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type != "variable_declarator" {
			return true
		}
		v := jsast.Unwrap(n.ChildByField("value"))
		if v == nil || v.Type != "call_expression" {
			return true
		}
		callee := f.Text(v.ChildByField("function"))
		if callee != "import" && callee != "require" {
			return true
		}
		args := jsast.Args(v)
		if len(args) == 0 {
			return true
		}
		src, ok := f.StringValue(args[0])
		if !ok {
			return true
		}
		p, ok := m.SvixScheme(ctx, f, src)
		if !ok {
			return true
		}
		switch id := n.ChildByField("name"); id.Type {
		case "identifier":
			ctors[f.Text(id)+".Webhook"] = p
		case "object_pattern":
			for _, c := range id.NamedChildren() {
				switch c.Type {
				case "shorthand_property_identifier_pattern":
					if f.Text(c) == "Webhook" {
						ctors["Webhook"] = p
					}
				case "pair_pattern":
					if f.Text(c.ChildByField("key")) == "Webhook" {
						ctors[f.Text(c.ChildByField("value"))] = p
					}
				}
			}
		}
		return true
	})
}

// SpecPackage names the package an import specifier of f names: Deno's
// npm:/jsr: specifiers and CDN URLs name a package the module graph says
// ("npm:svix@1.40.0" is svix); any other specifier is itself.
func (m *Model) SpecPackage(ctx context.Context, f *jsast.File, src string) string {
	if strings.Contains(src, ":") {
		if res, err := m.graph.Resolve(ctx, f.Path, src); err == nil && res.Kind == modules.External {
			return strings.TrimPrefix(res.Package, "jsr:") + res.Subpath
		}
	}
	return src
}

// verifierName is how a package function that verifies is usually named,
// for packages the knowledge tables do not list.
var verifierName = regexp.MustCompile(`(?i)(verif|validat|signature|authenticat)`)

// WebhookVerifications returns the calls in the function fn of f that
// verify a webhook signature: directly (WebhookVerifies), or through
// helper functions of the repository the model follows with Callee
// (Convex ctx.runAction references included), depth helper levels deep.
// A helper the model could not read, and a package function named like a
// verifier, are VerifyUnknown.
func (m *Model) WebhookVerifications(ctx context.Context, f *jsast.File, fn *jsast.Node, depth int) []WebhookVerify {
	body := jsast.FunctionBody(fn)
	direct := map[*jsast.Node]WebhookVerify{}
	for _, v := range m.WebhookVerifies(ctx, f, body) {
		direct[v.Call] = v
	}
	var out []WebhookVerify
	for _, call := range f.Calls(body, func(string) bool { return true }) {
		if v, ok := direct[call]; ok {
			out = append(out, v)
			continue
		}
		if depth <= 0 {
			continue
		}
		at := Location{File: f.Path, Line: call.Line}
		c := m.Callee(ctx, f, call)
		switch c.Kind {
		case CalleeUnknown:
			out = append(out, WebhookVerify{Kind: VerifyUnknown, Call: call, Location: at})
			continue
		case CalleeExternal:
			if verifierName.MatchString(jsast.LastSegment(f.CalleeName(call))) {
				out = append(out, WebhookVerify{Kind: VerifyUnknown, Call: call, Location: at})
			}
			continue
		case CalleeFunction:
		default:
			continue
		}
		if c.File == f && (c.Fn == fn || c.Fn.Contains(call)) {
			continue
		}
		if inner := m.WebhookVerifications(ctx, c.File, c.Fn, depth-1); len(inner) > 0 {
			in := inner[0]
			v := WebhookVerify{Kind: in.Kind, Provider: in.Provider, Call: call, Location: at,
				Via: append([]Callee{c}, in.Via...), SiteFile: c.File, Site: in.Call}
			if len(in.Via) > 0 {
				v.SiteFile, v.Site = in.SiteFile, in.Site
			}
			out = append(out, v)
		}
	}
	return out
}
