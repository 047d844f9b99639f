package webhooks

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
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
	Keywords:   []string{"verifyWebhook", ".verify(", "express.json", "bodyParser.json", "json()"},
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
	f := pass.AST(pass.File)
	if f == nil || nonRequestPath(f.Path) {
		return nil
	}
	c := &checker{pass: pass}
	hs := c.webhookHandlers(f)
	reported := map[*jsast.Node]bool{} // handlers already reported for a re-serialised body
	for _, h := range hs {
		inst := c.svixInstances(f)
		reads := bodyReads(f, h.fn, h.roots)
		for _, call := range f.Calls(jsast.FunctionBody(h.fn), func(string) bool { return true }) {
			switch c.directVerify(f, call, inst) {
			case verifySvix:
				args := jsast.Args(call)
				if len(args) == 0 {
					continue
				}
				if s := stringified(f, args[0], h.fn); s != nil {
					reported[h.fn] = true
					pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col, Severity: rules.Low,
						Message: fmt.Sprintf("%s verifies %s, a re-serialisation of the parsed body, not the raw bytes Svix signed", rules.Code(clip(calleeText(f, call))), rules.Code(clip(f.Text(s))))})
				} else if r := parsedSource(f, args[0], h.fn, reads); r != nil {
					pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col,
						Message: fmt.Sprintf("%s is given %s, which is the parsed body (%s), not the raw bytes Svix signed", rules.Code(clip(calleeText(f, call))), rules.Code(clip(f.Text(args[0]))), rules.Code(clip(r.text)))})
				}
			case verifyClerk:
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
	var rest []*handler
	for _, h := range hs {
		if !reported[h.fn] {
			rest = append(rest, h)
		}
	}
	c.expressOrder(f, rest)
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

// jsonParser reports whether a middleware argument parses JSON bodies:
// express.json(), bodyParser.json(), json() imported from express or
// body-parser. A parser with a `verify` hook that keeps the raw body does
// not count.
func jsonParser(f *jsast.File, n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	if n == nil || n.Type != "call_expression" {
		return false
	}
	name := f.CalleeName(n)
	ok := name == "express.json" || name == "bodyParser.json" || name == "bodyparser.json"
	if name == "json" {
		if im, found := f.ImportOf("json"); found && (im.Source == "express" || im.Source == "body-parser") {
			ok = true
		}
	}
	if !ok {
		return false
	}
	for _, a := range jsast.Args(n) {
		if f.ObjectProp(a, "verify") != nil {
			return false
		}
	}
	return true
}

// rawParser reports whether a route middleware keeps the raw body.
func rawParser(f *jsast.File, n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	if n == nil || n.Type != "call_expression" {
		return false
	}
	switch jsast.LastSegment(f.CalleeName(n)) {
	case "raw", "text":
		return true
	}
	return false
}

// expressOrder reports webhook routes that verify a signature but are
// registered after a global JSON body parser on the same app or router,
// without a raw parser of their own.
func (c *checker) expressOrder(f *jsast.File, hs []*handler) {
	type use struct {
		obj  string
		path string
		n    *jsast.Node
	}
	var uses []use
	for _, call := range f.Calls(f.Root, func(n string) bool { return jsast.LastSegment(n) == "use" }) {
		name := f.CalleeName(call)
		obj := strings.TrimSuffix(name, ".use")
		prefix := ""
		for i, a := range jsast.Args(call) {
			if v, ok := f.StringValue(a); ok && i == 0 {
				prefix = v
				continue
			}
			if jsonParser(f, a) {
				uses = append(uses, use{obj: obj, path: prefix, n: call})
			}
		}
	}
	if len(uses) == 0 {
		return
	}
	routes := map[*jsast.Node]bool{}
	check := func(reg *jsast.Node, route string, verifies bool, rel []rules.Location) {
		if reg == nil || routes[reg] || !verifies {
			return
		}
		routes[reg] = true
		args := jsast.Args(reg)
		for _, a := range args[1 : len(args)-1] {
			if rawParser(f, a) {
				return
			}
		}
		obj := strings.TrimSuffix(f.CalleeName(reg), "."+jsast.LastSegment(f.CalleeName(reg)))
		for _, u := range uses {
			if u.obj != obj || u.n.Start > reg.Start || jsast.EnclosingFunction(u.n) != jsast.EnclosingFunction(reg) ||
				(u.path != "" && !strings.HasPrefix(route, u.path)) {
				continue
			}
			c.pass.Report(rules.Diagnostic{Line: reg.Line, Column: reg.Col, Related: append([]rules.Location{loc(f, u.n)}, rel...),
				Message: fmt.Sprintf("the webhook route %s is registered after %s (line %d) without `express.raw()`, so it verifies a parsed and re-serialised body", rules.Code(route), rules.Code(clip(f.Text(u.n))), u.n.Line)})
			return
		}
	}
	for _, h := range hs {
		if h.reg != nil {
			check(h.reg, h.route, len(c.verifications(f, h.fn, 2)) > 0, nil)
		}
	}
	// Routes whose handler lives in another file: app.post('/api/webhooks', clerkWebhook).
	for _, call := range f.Calls(f.Root, deliveryRoute) {
		args := jsast.Args(call)
		if len(args) < 2 || routes[call] {
			continue
		}
		route, ok := f.StringValue(args[0])
		if !ok || !strings.HasPrefix(route, "/") {
			continue
		}
		last := jsast.Unwrap(args[len(args)-1])
		if last == nil || last.Type != "identifier" || f.LocalValue(f.Text(last)) != nil {
			continue
		}
		tf, v, _, _ := c.importTarget(f, f.Text(last))
		fn := functionOf(tf, v)
		if tf == nil || fn == nil {
			continue
		}
		h := &handler{f: tf, fn: fn, roots: requestRoots(tf, fn), route: route}
		if ok, _ := c.recognise(h); !ok {
			continue
		}
		ref := fnRef{f: tf, fn: fn}
		check(call, route, len(c.verifications(tf, fn, 2)) > 0, related(ref))
	}
}
