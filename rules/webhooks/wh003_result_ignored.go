package webhooks

import (
	"fmt"
	"regexp"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	sem "github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// WH003 flags verification whose failure does not stop the handler: a
// swallowing catch, a `.catch()` fallback, verification that only runs in
// production or behind a flag, or a handler that only checks that the
// Svix headers are present.
var WH003 = &rules.Rule{
	ID:         "CLK-WH-003",
	Name:       "webhook-verification-ignored",
	Pack:       rules.PackWebhooks,
	Severity:   rules.Critical,
	Confidence: rules.HighConfidence,
	Checklist:  4,
	Keywords:   webhookKeywords,
	Doc: rules.Doc{
		Title: "webhook verification result ignored or its error swallowed",
		References: []string{
			"https://clerk.com/docs/guides/development/webhooks/syncing",
			"https://clerk.com/docs/guides/development/webhooks/overview",
			"clerk/javascript packages/backend/src/webhooks.ts",
		},
		Text: "Only the object returned by a successful `verifyWebhook()` / `wh.verify()` is trustworthy. When the verify call sits " +
			"in a `try` whose `catch` only logs, in a `.catch(() => null)` whose result is not checked, or behind " +
			"`if (process.env.NODE_ENV === 'production')` or a feature flag, a forged request that fails verification still " +
			"reaches the code that writes users and memberships. Checking only that the `svix-id`, `svix-timestamp` and " +
			"`svix-signature` headers are present verifies nothing: anyone can send them.",
		Bad: `let evt
try {
  evt = wh.verify(body, headers)
} catch (err) {
  console.error(err) // falls through
}
await db.user.create({ data: { clerkId: evt.data.id } })`,
		Good: `let evt
try {
  evt = wh.verify(body, headers)
} catch {
  return new Response('Invalid signature', { status: 400 })
}
await db.user.create({ data: { clerkId: evt.data.id } })`,
	},
	Fix: func(p *project.Model, path string) string {
		const rest = " Return 400 when verification throws, verify in every environment, and never fall back to the raw body."
		if since, old := predatesVerifyWebhook(p, path); old {
			return "Only the object returned by a successful `wh.verify()` (`svix`; Clerk's `verifyWebhook()` needs " + since + " or later) is trustworthy." + rest
		}
		return "Only the object returned by a successful `verifyWebhook()`/`wh.verify()` is trustworthy." + rest
	},
	Run: runWH003,
}

func runWH003(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || nonRequestPath(f.Path) {
		return nil
	}
	c := &checker{pass: pass}
	for _, h := range c.webhookHandlers(f) {
		vs := c.verifications(f, h.fn, 2)
		if len(vs) == 0 {
			if !h.entry || len(bodyReads(f, h.fn, h.roots)) == 0 {
				continue
			}
			if st := headerPresenceOnly(f, h.fn); st != nil {
				pass.Report(rules.Diagnostic{Line: st.Line, Column: st.Col,
					Message: fmt.Sprintf("%s only checks that the Svix headers are present; anyone can send them, and the signature is never verified", h.subject())})
			}
			continue
		}
		for _, v := range vs {
			if k := directKind(v); k == sem.VerifyUnknown || k == sem.VerifyHMAC {
				continue // nothing to inspect, or CLK-WH-004's
			}
			reportIgnored(pass, f, h, v)
		}
	}
	return nil
}

// reportIgnored checks one verify call for a failure that does not stop
// the handler.
func reportIgnored(pass *rules.Pass, f *jsast.File, h *handler, v sem.WebhookVerify) {
	var rel []rules.Location
	what := "verification"
	if hp := helperOf(v); hp.fn != nil {
		rel = related(hp)
		what = rules.Code(hp.name)
	} else {
		what = rules.Code(clip(calleeText(f, v.Call)) + "()")
	}
	// .catch(() => null) on the verify promise.
	if cc := catchCall(f, v.Call); cc != nil {
		args := jsast.Args(cc)
		if len(args) > 0 && !failsClosedHandler(f, args[0]) && !resultChecked(f, cc) {
			pass.Report(rules.Diagnostic{Line: cc.Line, Column: cc.Col, Related: rel,
				Message: fmt.Sprintf("%s's rejection is caught with `.catch()` and the handler goes on; a forged request is processed", what)})
			return
		}
	}
	// try { verify } catch { log } and fall through.
	if try := enclosingTry(v.Call, h.fn); try != nil {
		handler := try.ChildByField("handler")
		body := handler.ChildByField("body")
		if body == nil {
			body = handler
		}
		vars := assignedIn(f, try.ChildByField("body"))
		if !failsClosed(f, body) && processes(f, following(try), vars) {
			pass.Report(rules.Diagnostic{Line: handler.Line, Column: handler.Col, Related: rel,
				Message: fmt.Sprintf("the catch around %s neither returns nor throws, so the handler continues with an unverified payload", what)})
			return
		}
	}
	// if (process.env.NODE_ENV === 'production') { verify }
	if ifst, cond := guardingIf(f, v.Call, h.fn); ifst != nil && !secretCondition(f, cond) {
		vars := assignedIn(f, ifst)
		for k := range bodyVars(f, h) {
			vars[k] = true
		}
		if processes(f, following(ifst), vars) {
			pass.Report(rules.Diagnostic{Line: ifst.Line, Column: ifst.Col, Related: rel,
				Message: fmt.Sprintf("%s only runs when %s; otherwise the handler processes the payload unverified", what, rules.Code(clip(f.Text(jsast.Unwrap(cond)))))})
		}
	}
}

// catchCall returns the `.catch(...)` call chained on a verify call.
func catchCall(f *jsast.File, call *jsast.Node) *jsast.Node {
	p := call.Parent
	for p != nil && (p.Type == "parenthesized_expression" || p.Type == "await_expression") {
		p = p.Parent
	}
	if p == nil || p.Type != "member_expression" || f.Text(p.ChildByField("property")) != "catch" {
		return nil
	}
	if cc := p.Parent; cc != nil && cc.Type == "call_expression" {
		return cc
	}
	return nil
}

// failsClosedHandler reports whether a `.catch` handler rethrows or
// responds with an error.
func failsClosedHandler(f *jsast.File, fn *jsast.Node) bool {
	fn = jsast.Unwrap(fn)
	if !jsast.IsFunction(fn) {
		return true // a named handler: cannot tell, stay quiet
	}
	found := false
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		switch n.Type {
		case "throw_statement":
			found = true
		case "call_expression":
			switch jsast.LastSegment(f.CalleeName(n)) {
			case "status", "code", "sendStatus", "setResponseStatus", "createError", "reject":
				found = true
			default:
				found = importedExit(f, n)
			}
		}
		return !found
	})
	return found
}

// resultChecked reports whether the value of a `.catch()` call is bound
// to a variable that a later `if` tests before returning or throwing.
func resultChecked(f *jsast.File, cc *jsast.Node) bool {
	decl := jsast.Ancestor(cc, "variable_declarator", "assignment_expression", "expression_statement")
	if decl == nil || decl.Type == "expression_statement" {
		return false
	}
	names := map[string]bool{}
	if decl.Type == "variable_declarator" {
		collectPatternNames(f, decl.ChildByField("name"), names)
	} else {
		collectPatternNames(f, decl.ChildByField("left"), names)
	}
	st := jsast.Ancestor(decl, "lexical_declaration", "variable_declaration", "expression_statement")
	for _, next := range following(st) {
		for _, ifst := range jsast.Find(next, "if_statement") {
			cond := ifst.ChildByField("condition")
			mentions := false
			jsast.Walk(cond, func(n *jsast.Node) bool {
				if n.Type == "identifier" && names[f.Text(n)] {
					mentions = true
				}
				return !mentions
			})
			if mentions && failsClosed(f, ifst.ChildByField("consequence")) {
				return true
			}
		}
	}
	return false
}

// enclosingTry returns the innermost try statement of fn whose block
// holds n (not its catch or finally).
func enclosingTry(n, fn *jsast.Node) *jsast.Node {
	for p := n.Parent; p != nil && p != fn; p = p.Parent {
		if jsast.IsFunction(p) {
			return nil
		}
		if p.Type == "try_statement" && p.ChildByField("body").Contains(n) {
			return p
		}
	}
	return nil
}

// guardingIf returns the innermost if statement of fn whose branch holds
// n, with its condition.
func guardingIf(f *jsast.File, n, fn *jsast.Node) (*jsast.Node, *jsast.Node) {
	for p := n.Parent; p != nil && p != fn; p = p.Parent {
		if jsast.IsFunction(p) {
			return nil, nil
		}
		if p.Type == "if_statement" && !p.ChildByField("condition").Contains(n) {
			cond := p.ChildByField("condition")
			// if (!evt) return …: the verify call is not what the if guards.
			if cons := p.ChildByField("consequence"); cons != nil && cons.Contains(n) || p.ChildByField("alternative").Contains(n) {
				return p, cond
			}
		}
		if p.Type == "ternary_expression" && !p.ChildByField("condition").Contains(n) {
			st := jsast.Ancestor(p, "expression_statement", "lexical_declaration", "variable_declaration", "return_statement")
			return st, p.ChildByField("condition")
		}
	}
	return nil, nil
}

var secretName = regexp.MustCompile(`(?i)(secret|signing|whsec|webhook_?key)`)

// secretCondition reports whether a condition tests the signing secret
// (CLK-WH-005's case).
func secretCondition(f *jsast.File, cond *jsast.Node) bool {
	return secretName.MatchString(f.Text(cond))
}

// bodyVars returns the variables holding a read of the request body.
func bodyVars(f *jsast.File, h *handler) map[string]bool {
	out := map[string]bool{}
	for _, r := range bodyReads(f, h.fn, h.roots) {
		if d := jsast.Ancestor(r.n, "variable_declarator"); d != nil {
			collectPatternNames(f, d.ChildByField("name"), out)
		}
	}
	return out
}

// headerPresenceOnly returns the if statement that rejects a request
// without the Svix headers, in a function that never verifies them.
func headerPresenceOnly(f *jsast.File, fn *jsast.Node) *jsast.Node {
	headerVars := map[string]bool{}
	reads := false
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		if n.Type != "string" {
			return true
		}
		v, ok := f.StringValue(n)
		if !ok || !knowledge.SvixSignatureValueHeader(v) {
			return true
		}
		reads = true
		if d := jsast.Ancestor(n, "variable_declarator"); d != nil {
			collectPatternNames(f, d.ChildByField("name"), headerVars)
		}
		return true
	})
	if !reads {
		return nil
	}
	for _, ifst := range jsast.Find(jsast.FunctionBody(fn), "if_statement") {
		cond := ifst.ChildByField("condition")
		hit := false
		jsast.Walk(cond, func(n *jsast.Node) bool {
			switch n.Type {
			case "identifier":
				hit = hit || headerVars[f.Text(n)]
			case "string":
				v, _ := f.StringValue(n)
				hit = hit || knowledge.SvixSignatureValueHeader(v)
			}
			return !hit
		})
		if hit && failsClosed(f, ifst.ChildByField("consequence")) {
			return ifst
		}
	}
	return nil
}
