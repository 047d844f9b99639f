package webhooks

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	sem "github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// WH002 flags verification of a body that was parsed, re-serialised or
// consumed first: `wh.verify(JSON.stringify(payload))`, `req.json()` before
// `verifyWebhook(req)`, and an Express webhook route behind a global
// `express.json()` without `express.raw()`.
var WH002 = &rules.Rule{
	ID:         "CLK-WH-002",
	Name:       "webhook-body-parsed-before-verification",
	Pack:       rules.PackWebhooks,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  4,
	Files:      func(f *source.File) bool { return (f.IsJS() || f.Lang == source.LangGo) && !f.Binary },
	Keywords:   []string{"verifyWebhook", ".verify(", "express.json", "bodyParser.json", "json()", ".Verify("},
	// json() and .verify( are everywhere; only webhook code matters.
	Requires: webhookKeywords,
	Doc: rules.Doc{
		Title: "webhook body parsed or re-serialised before verification",
		References: []string{
			"https://clerk.com/docs/guides/development/webhooks/syncing",
			"clerk/javascript packages/backend/src/webhooks.ts",
		},
		Text: "Svix signs the exact raw bytes of the request (`id.timestamp.body`). `JSON.stringify(await req.json())` is not " +
			"guaranteed to reproduce them (key order, whitespace, unicode escapes), so verification fails on some deliveries and " +
			"developers are pushed to disable it; reading the body before `verifyWebhook(req)` consumes the stream it needs. " +
			"In Express a global `express.json()` parses the body before the webhook route runs, and `@clerk/express`'s " +
			"`verifyWebhook()` then re-serialises the parsed object. Old Clerk docs used `JSON.stringify(await req.json())`; it is " +
			"reported at low severity.",
		Bad: `app.use(express.json())
app.post('/api/webhooks', async (req, res) => {
  const evt = await verifyWebhook(req) // body already parsed
})`,
		Good: `app.post('/api/webhooks', express.raw({ type: 'application/json' }), async (req, res) => {
  const evt = await verifyWebhook(req)
})
app.use(express.json())`,
	},
	Fix: rawBodyFix,
	Run: runWH002,
}

func runWH002(pass *rules.Pass) error {
	if pass.File.Lang == source.LangGo {
		return runWH002Go(pass)
	}
	f := pass.AST(pass.File)
	if f == nil || nonRequestPath(f.Path) {
		return nil
	}
	c := &checker{pass: pass}
	hs := c.webhookHandlers(f)
	reported := map[*jsast.Node]bool{} // handlers already reported for a re-serialised body
	sites := map[*jsast.Node]bool{}    // verify calls already reported
	for _, h := range hs {
		direct := map[*jsast.Node]sem.VerifyKind{}
		for _, v := range c.pass.Model.WebhookVerifies(c.pass.Ctx, f, jsast.FunctionBody(h.fn)) {
			direct[v.Call] = v.Kind
		}
		if c.helperStringified(f, h, sites) {
			reported[h.fn] = true
		}
		reads := bodyReads(f, h.fn, h.roots)
		for _, call := range f.Calls(jsast.FunctionBody(h.fn), func(string) bool { return true }) {
			switch direct[call] {
			case sem.VerifySvix:
				args := jsast.Args(call)
				if len(args) == 0 {
					continue
				}
				if s := stringified(f, args[0], h.fn); s != nil && !sites[call] {
					reported[h.fn], sites[call] = true, true
					pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col, Severity: rules.Low,
						Message: fmt.Sprintf("%s verifies %s, a re-serialisation of the parsed body, not the raw bytes Svix signed", rules.Code(clip(calleeText(f, call))), rules.Code(clip(f.Text(s))))})
				} else if r := parsedSource(f, args[0], h.fn, reads); r != nil {
					pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col,
						Message: fmt.Sprintf("%s is given %s, which is the parsed body (%s), not the raw bytes Svix signed", rules.Code(clip(calleeText(f, call))), rules.Code(clip(f.Text(args[0]))), rules.Code(clip(r.text)))})
				}
			case sem.VerifyClerk:
				if expressStyle(pass, f) {
					continue // @clerk/express and @clerk/fastify take req; checked by route order below
				}
				args := jsast.Args(call)
				if len(args) == 0 {
					continue
				}
				root := rootOf(f.Name(args[0]))
				for _, r := range reads {
					if r.root != root || r.n.Start >= call.Start || strings.Contains(r.text, "clone()") {
						continue
					}
					if r.root == "event" && !strings.Contains(r.text, ".") {
						continue // h3 caches the raw body: readBody(event) before verifyWebhook(event) is fine
					}
					pass.Report(rules.Diagnostic{Line: r.n.Line, Column: r.n.Col,
						Message: fmt.Sprintf("%s reads the body before %s (line %d), which needs the untouched raw body", rules.Code(clip(r.text)), rules.Code("verifyWebhook("+clip(f.Text(args[0]))+")"), call.Line)})
					break
				}
			}
		}
	}
	c.expressOrder(f, reported)
	return nil
}

// runWH002Go reports Go webhook handlers (the model's entries) that parse
// the payload before verifying its signature (Model.GoParsedBeforeVerify):
// every unsigned request is parsed, and a parse error that ends the
// process lets anyone stop the server.
// helperStringified reports a Svix verification that h reaches through
// a helper of the repository (the model's WebhookVerifications: `const
// evt = await verifyRequest(req)`) whose verify call is given a
// re-serialisation of the parsed body, inside the helper. The finding
// goes to the verify call when the helper is in f, else to h's call of
// the helper with the verify call related. sites holds the verify calls
// already reported; it reports whether h was reported.
func (c *checker) helperStringified(f *jsast.File, h *handler, sites map[*jsast.Node]bool) bool {
	found := false
	for _, v := range c.pass.Model.WebhookVerifications(c.pass.Ctx, f, h.fn, 2) {
		if len(v.Via) == 0 || v.Kind != sem.VerifySvix || v.Site == nil || v.SiteFile == nil || sites[v.Site] {
			continue
		}
		args := jsast.Args(v.Site)
		site := jsast.EnclosingFunction(v.Site)
		if len(args) == 0 || site == nil {
			continue
		}
		s := stringified(v.SiteFile, args[0], site)
		if s == nil {
			continue
		}
		sites[v.Site], found = true, true
		msg := fmt.Sprintf("%s verifies %s, a re-serialisation of the parsed body, not the raw bytes Svix signed", rules.Code(clip(calleeText(v.SiteFile, v.Site))), rules.Code(clip(v.SiteFile.Text(s))))
		if v.SiteFile == f {
			c.pass.Report(rules.Diagnostic{Line: v.Site.Line, Column: v.Site.Col, Severity: rules.Low, Message: msg})
			continue
		}
		c.pass.Report(rules.Diagnostic{Line: v.Call.Line, Column: v.Call.Col, Severity: rules.Low,
			Message: fmt.Sprintf("%s, through %s (%s:%d)", msg, rules.Code(clip(calleeText(f, v.Call))), v.SiteFile.Path, v.Site.Line),
			Related: []rules.Location{{Path: v.SiteFile.Path, Line: v.Site.Line}}})
	}
	return found
}

func runWH002Go(pass *rules.Pass) error {
	if pass.Model == nil || nonRequestPath(pass.File.Path) {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil //nolint:nilerr // entries that cannot be listed are not reported on
	}
	seen := map[int]bool{}
	for _, e := range es {
		if e.Handler.File != pass.File.Path {
			continue
		}
		p, ok := pass.Model.GoParsedBeforeVerify(pass.Ctx, e)
		if !ok || seen[p.Parse.Line] {
			continue
		}
		seen[p.Parse.Line] = true
		msg := fmt.Sprintf("%s parses the webhook body before %s (line %d) verifies its %s signature, so every unsigned request is parsed and trusted first",
			rules.Code(p.Parse.What), rules.Code(p.Verify.What), p.Verify.Line, providerTitle(p.Provider))
		if p.Fatal {
			msg += "; its parse error ends the process, so any unsigned POST with a malformed body stops the server"
		}
		pass.Report(rules.Diagnostic{Line: p.Parse.Line, Message: msg,
			Related: []rules.Location{{Path: p.Verify.File, Line: p.Verify.Line}}})
	}
	return nil
}

// expressStyle reports whether the file's verifyWebhook takes a Node
// request (Express, Fastify) rather than a web Request.
func expressStyle(pass *rules.Pass, f *jsast.File) bool {
	for _, im := range f.Imports() {
		if im.Imported == "verifyWebhook" {
			return strings.HasPrefix(im.Source, "@clerk/express") || strings.HasPrefix(im.Source, "@clerk/fastify")
		}
	}
	return false
}

// stringified returns the JSON.stringify(...) call that produced arg,
// directly or through a local variable of fn.
func stringified(f *jsast.File, arg, fn *jsast.Node) *jsast.Node {
	arg = jsast.Unwrap(arg)
	for i := 0; i < 3 && arg != nil; i++ {
		if arg.Type == "call_expression" && f.CalleeName(arg) == "JSON.stringify" {
			return arg
		}
		if arg.Type != "identifier" {
			return nil
		}
		arg = jsast.Unwrap(localInit(f, fn, f.Text(arg)))
	}
	return nil
}

// localInit returns the initializer of the variable name declared in fn
// (or at the top of the file).
func localInit(f *jsast.File, fn *jsast.Node, name string) *jsast.Node {
	var out *jsast.Node
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		if out == nil && n.Type == "variable_declarator" && f.Text(n.ChildByField("name")) == name {
			out = n.ChildByField("value")
		}
		return out == nil
	})
	if out == nil {
		out = f.LocalValue(name)
	}
	return out
}

// parsedSource returns the parsed body read that a verify argument is.
func parsedSource(f *jsast.File, arg, fn *jsast.Node, reads []bodyRead) *bodyRead {
	arg = jsast.Unwrap(arg)
	if arg != nil && arg.Type == "identifier" {
		arg = jsast.Unwrap(localInit(f, fn, f.Text(arg)))
	}
	if arg == nil {
		return nil
	}
	for i := range reads {
		r := &reads[i]
		if r.parsed && (r.n == arg || arg.Contains(r.n) && arg.Type == "call_expression" && f.CalleeName(arg) == f.CalleeName(r.n)) {
			if r.n.Type == "member_expression" {
				return nil // req.body: raw or parsed depends on the route's parser, checked by route order
			}
			return r
		}
	}
	return nil
}

// expressOrder reports webhook routes of f that verify a signature but
// whose first body parser (the model's middleware chain, in registration
// order: a parser skips a body an earlier one read) parses the body
// without keeping the raw bytes: a global `express.json()` registered
// before the route, without `express.raw()` ahead of it.
func (c *checker) expressOrder(f *jsast.File, reported map[*jsast.Node]bool) {
	if c.pass.Model == nil {
		return
	}
	es, _ := c.pass.Model.EntriesOf(c.pass.Ctx, f.Path)
	for _, e := range es {
		reg := registration(f, e)
		if reg == nil || e.Fn == nil {
			continue
		}
		parser := firstBodyParser(e)
		if parser == nil || parser.Body != knowledge.BodyParsed || parser.KeepsRaw {
			continue
		}
		tf := f
		if e.Handler.File != f.Path {
			tf = c.pass.AST(c.pass.Get(e.Handler.File))
		}
		if tf == nil {
			continue
		}
		fn := nodeAt(tf, e.Fn)
		if fn == nil || reported[fn] {
			continue
		}
		if w := c.pass.Model.Webhook(c.pass.Ctx, e); !w.Receiver || len(c.verifications(tf, fn, 2)) == 0 {
			continue
		}
		var rel []rules.Location
		if tf != f {
			rel = related(fnRef{f: tf, fn: fn})
		}
		// The parser's registration (`app.use(express.json())`), in this
		// file or in the one that mounts this router.
		use, where := parser.Name, rules.Code(parser.Location.String())
		if parser.File == f.Path {
			where = fmt.Sprintf("line %d", parser.Line)
			if call := outermostCallAt(f, parser.Line); call != nil {
				use = clip(f.Text(call))
			}
		}
		c.pass.Report(rules.Diagnostic{Line: reg.Line, Column: reg.Col, Related: append([]rules.Location{{Path: parser.File, Line: parser.Line}}, rel...),
			Message: fmt.Sprintf("the webhook route %s is registered after %s (%s) without `express.raw()`, so it verifies a parsed and re-serialised body", rules.Code(routeLiteral(f, reg, e)), rules.Code(use), where)})
	}
}

// firstBodyParser returns the first body-parsing layer of the entry's
// middleware chain, or nil.
func firstBodyParser(e *sem.Entry) *sem.Layer {
	for i := range e.Chain {
		if e.Chain[i].Body != "" {
			return &e.Chain[i]
		}
	}
	return nil
}

// routeLiteral names the route as its registration writes it
// (`app.post('/api/webhooks', ...)`), or the model's path.
func routeLiteral(f *jsast.File, reg *jsast.Node, e *sem.Entry) string {
	if args := jsast.Args(reg); len(args) > 0 {
		if s, ok := f.StringValue(args[0]); ok {
			return s
		}
	}
	return e.Path
}
