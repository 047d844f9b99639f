package webhooks

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	sem "github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// WH004 flags hand-rolled Svix signature checks: HMAC code in a webhook
// handler, `===` comparison of the svix-signature header, and Go's
// VerifyIgnoringTimestamp, which disables replay protection.
var WH004 = &rules.Rule{
	ID:         "CLK-WH-004",
	Name:       "webhook-hand-rolled-verification",
	Pack:       rules.PackWebhooks,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  4,
	Files:      func(f *source.File) bool { return (f.IsJS() || f.Lang == source.LangGo) && !f.Binary },
	Keywords:   []string{"createHmac", "svix-signature", "webhook-signature", "VerifyIgnoringTimestamp", "hmac.New"},
	Doc: rules.Doc{
		Title: "hand-rolled webhook signature check or replay protection disabled",
		References: []string{
			"https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md",
			"https://docs.svix.com/receiving/verifying-payloads/how-manual",
			"clerk/javascript packages/backend/src/webhooks.ts",
		},
		Text: "Svix signs `${svix-id}.${svix-timestamp}.${body}` with the base64-decoded key after `whsec_`, sends a " +
			"space-separated list of `v1,<base64 signature>` values, and expects receivers to compare in constant time and to " +
			"reject timestamps more than 5 minutes away. Custom code usually gets one of these wrong: `===` leaks timing and " +
			"never matches the `v1,` list, the key is used as a string, or no timestamp bound lets captured requests be " +
			"replayed. Go's `VerifyIgnoringTimestamp` turns the replay window off on purpose.",
		Bad: `const expected = crypto.createHmac('sha256', secret).update(body).digest('hex')
if (req.headers['svix-signature'] === expected) { /* … */ }`,
		Good: `import { verifyWebhook } from '@clerk/express/webhooks'
const evt = await verifyWebhook(req) // constant-time, timestamp tolerance`,
	},
	Fix: func(p *project.Model, path string) string {
		if strings.HasSuffix(path, ".go") {
			return "Use `wh.Verify(payload, r.Header)` from `github.com/svix/svix-webhooks/go`, which enforces the 5-minute timestamp " +
				"tolerance; deduplicate on the `svix-id` header for non-idempotent side effects."
		}
		if since, old := predatesVerifyWebhook(p, path); old {
			return "Use `new Webhook(secret).verify()` from `svix` (or Clerk's `verifyWebhook()` from " + since + ") instead of custom HMAC code: it " +
				"decodes the `whsec_` key, compares every `v1,` signature in constant time and enforces a 5-minute timestamp tolerance. " +
				verifyFix(p, path)
		}
		return "Use Clerk's `verifyWebhook()` (or `new Webhook(secret).verify()` from `svix`) instead of custom HMAC code: it " +
			"decodes the `whsec_` key, compares every `v1,` signature in constant time and enforces a 5-minute timestamp tolerance. " +
			verifyFix(p, path)
	},
	Run: runWH004,
}

func runWH004(pass *rules.Pass) error {
	if pass.File.Lang == source.LangGo {
		return runWH004Go(pass)
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	c := &checker{pass: pass}
	w := pass.Model.WebhookFile(pass.Ctx, f)
	if !w.Has(sem.SignSvixHeaders) && !(w.Clerk && w.Has(sem.SignPath)) {
		return nil // not a Svix/Clerk webhook context
	}
	if w.OtherProvider != "" && !w.Clerk {
		return nil
	}
	sigVars := signatureVars(f)
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "call_expression":
			name := f.CalleeName(n)
			if jsast.LastSegment(name) != "createHmac" {
				return true
			}
			fn := jsast.EnclosingFunction(n)
			if fn == nil || verifiesOtherProvider(pass, f, fn) || libraryVerifies(c.verifications(f, fn, 0)) {
				return true
			}
			pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col,
				Message: "hand-rolled HMAC verification of a Svix-signed webhook" + missing(f, fn)})
		case "binary_expression":
			op := f.Text(n.ChildByField("operator"))
			if op != "===" && op != "==" && op != "!==" && op != "!=" {
				return true
			}
			l, r := jsast.Unwrap(n.ChildByField("left")), jsast.Unwrap(n.ChildByField("right"))
			if trivialOperand(f, l) || trivialOperand(f, r) {
				return true // presence check: svixSignature === undefined
			}
			if isSignatureValue(f, l, sigVars) || isSignatureValue(f, r, sigVars) {
				pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col,
					Message: fmt.Sprintf("%s compares the Svix signature with %s: not constant-time, and the header is a list of `v1,<sig>` values", rules.Code(clip(f.Text(n))), rules.Code(op))})
			}
		}
		return true
	})
	return nil
}

// missing lists what the function around a hand-rolled HMAC lacks.
func missing(f *jsast.File, fn *jsast.Node) string {
	text := f.Text(fn)
	var gaps []string
	if !strings.Contains(text, "timingSafeEqual") {
		gaps = append(gaps, "no constant-time comparison")
	}
	if !strings.Contains(text, "Date.now") && !strings.Contains(text, "getTime") {
		gaps = append(gaps, "no timestamp tolerance")
	}
	if !strings.Contains(text, "whsec_") && !strings.Contains(text, "base64") {
		gaps = append(gaps, "the whsec_ key is not base64-decoded")
	}
	if len(gaps) == 0 {
		return ""
	}
	return " (" + strings.Join(gaps, ", ") + ")"
}

func trivialOperand(f *jsast.File, n *jsast.Node) bool {
	if n == nil {
		return true
	}
	switch n.Type {
	case "null", "undefined", "true", "false", "number":
		return true
	case "identifier":
		return f.Text(n) == "undefined"
	}
	if _, ok := f.StringValue(n); ok {
		return true
	}
	return n.Type == "unary_expression" && strings.HasPrefix(f.Text(n), "typeof")
}

// signatureVars returns variables initialised from the signature header.
func signatureVars(f *jsast.File) map[string]bool {
	out := map[string]bool{}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type == "variable_declarator" && readsSignatureHeader(f, n.ChildByField("value")) {
			collectPatternNames(f, n.ChildByField("name"), out)
		}
		return true
	})
	return out
}

func readsSignatureHeader(f *jsast.File, n *jsast.Node) bool {
	hit := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if x.Type == "string" {
			v, _ := f.StringValue(x)
			hit = hit || knowledge.SvixSignatureValueHeader(v)
		}
		return !hit
	})
	return hit
}

func isSignatureValue(f *jsast.File, n *jsast.Node, vars map[string]bool) bool {
	if n == nil {
		return false
	}
	if n.Type == "identifier" {
		return vars[f.Text(n)]
	}
	return (n.Type == "subscript_expression" || n.Type == "call_expression" || n.Type == "member_expression") && readsSignatureHeader(f, n)
}

// runWH004Go checks Go files: VerifyIgnoringTimestamp, and hmac.New in a
// file that reads the svix-signature header.
func runWH004Go(pass *rules.Pass) error {
	gf, err := goast.Parse(pass.File)
	if err != nil {
		return nil //nolint:nilerr // not Go we can read (or over the parse limits); other rules report nothing either
	}
	fset, file := gf.Fset, gf.AST
	svix := false
	for _, im := range file.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		if strings.Contains(p, "svix") || strings.Contains(p, "standard-webhooks") || strings.Contains(p, "standardwebhooks") {
			svix = true
		}
	}
	readsHeader := false
	ast.Inspect(file, func(n ast.Node) bool {
		if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
			v, _ := strconv.Unquote(bl.Value)
			readsHeader = readsHeader || knowledge.SvixSignatureValueHeader(v)
		}
		return true
	})
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pos := fset.Position(call.Pos())
		switch {
		case sel.Sel.Name == "VerifyIgnoringTimestamp" && svix:
			pass.Report(rules.Diagnostic{Line: pos.Line, Column: pos.Column,
				Message: "`VerifyIgnoringTimestamp` skips the 5-minute timestamp check, so a captured webhook can be replayed indefinitely"})
		case sel.Sel.Name == "New" && isIdent(sel.X, "hmac") && readsHeader && !svix:
			pass.Report(rules.Diagnostic{Line: pos.Line, Column: pos.Column,
				Message: "hand-rolled HMAC verification of a Svix-signed webhook; use the svix library's `Verify`"})
		}
		return true
	})
	return nil
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// libraryVerifies reports whether a function also verifies with a library
// (svix, Clerk's verifyWebhook), so its HMAC is not the verification.
func libraryVerifies(vs []sem.WebhookVerify) bool {
	for _, v := range vs {
		if k := directKind(v); k == sem.VerifyClerk || k == sem.VerifySvix {
			return true
		}
	}
	return false
}

// verifiesOtherProvider reports whether fn verifies another provider's webhook
// (the model's OtherWebhookProvider).
func verifiesOtherProvider(pass *rules.Pass, f *jsast.File, fn *jsast.Node) bool {
	p, _ := pass.Model.OtherWebhookProvider(f, fn)
	return p != ""
}
