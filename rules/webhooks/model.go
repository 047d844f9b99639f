package webhooks

import (
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	sem "github.com/clerkguard/clerkguard/rules/model"
)

// handler is a function that receives HTTP requests, or a helper that
// takes the request, in a file that may handle webhooks.
type handler struct {
	f     *jsast.File
	fn    *jsast.Node
	name  string      // "POST handler", "POST /api/webhooks route", "handleClerkWebhook"
	entry bool        // reached by requests directly (route export, route callback, controller)
	route string      // route path of an Express-style registration
	reg   *jsast.Node // registration call of an Express-style route
	at    *jsast.Node // where findings about the whole handler are reported
	roots map[string]bool
	fact  sem.WebhookFact // the model's answer for the handler
	clerk bool            // the signals name Clerk, not only Svix
	// provider is another provider the handler's path names ("paddle"):
	// its payload is that provider's, signed its way.
	provider string
}

// modelHandlers returns the functions of f that take a request: the model's
// entries whose handler is in f (every framework adapter lists them:
// route exports, registered routes, Convex HTTP actions, Deno.serve), and
// the exported helpers of f that receive the request (a verifying helper
// is checked where it fails open too).
func (c *checker) modelHandlers(f *jsast.File) []*handler {
	if c.pass.Model == nil {
		return nil
	}
	var out []*handler
	seen := map[*jsast.Node]bool{}
	// argsOnly: a function a client calls by name (a public Convex
	// function) has no request; its arguments are what the client sent.
	add := func(h *handler, argsOnly bool) {
		if h.fn == nil || seen[h.fn] {
			return
		}
		h.roots = c.requestRoots(f, h.fn)
		if len(h.roots) == 0 && !argsOnly {
			return
		}
		seen[h.fn] = true
		h.f = f
		out = append(out, h)
	}
	es, _ := c.pass.Model.EntriesOf(c.pass.Ctx, f.Path)
	for _, e := range es {
		if e.Fn == nil || e.Handler.File != f.Path || e.SafeOnly() {
			continue
		}
		if fn := nodeAt(f, e.Fn); fn != nil {
			add(c.entryHandler(f, e, fn), clientCallable(e))
		}
	}
	for _, ex := range f.Exports() {
		if fn := c.functionOf(f, ex.Value); fn != nil && !seen[fn] {
			name := rules.Code(ex.Name)
			if ex.Name == "default" {
				name = "default export"
			}
			add(&handler{fn: fn, name: name, at: ex.Stmt}, false)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].fn.Start < out[j].fn.Start })
	return out
}

// entryHandler names the handler of a model entry for messages: an
// exported handler by its export ("POST handler", "default export
// handler", `clerkWebhook` for a controller another file registers), a
// route registered in f by its method and path ("POST /api/webhooks
// route", reported at its registration).
func (c *checker) entryHandler(f *jsast.File, e *sem.Entry, fn *jsast.Node) *handler {
	h := &handler{fn: fn, entry: true, at: fn}
	name := ""
	// The export that holds the entry's function: written inside it
	// (`export default defineEventHandler(async (event) => ...)`), or
	// naming it (`export const POST = handler`).
	for _, ex := range f.Exports() {
		if (ex.Value != nil && ex.Value.Contains(fn) || c.functionOf(f, ex.Value) == fn) && (name == "" || ex.Name == e.Name) {
			name, h.at = ex.Name, ex.Stmt
		}
	}
	if name != e.Name {
		if reg := registration(f, e); reg != nil {
			// Named as registered (`app.post('/x')` of a router mounted
			// elsewhere is "POST /x route"): fingerprints hash the name.
			lit := routeLiteral(f, reg, e)
			h.name, h.route, h.reg, h.at = strings.Replace(e.Label(), e.Path, lit, 1)+" route", e.Path, reg, reg
			if !e.PathKnown {
				h.name, h.route = method(e)+" "+lit+" route", lit
			}
			return h
		}
	}
	switch _, method := knowledge.HTTPMethod(name); {
	case name == "":
		h.name = rules.Code(e.Name)
	case method:
		h.name = name + " handler"
	case name == "default":
		h.name = "default export handler"
	default:
		h.name = rules.Code(name)
	}
	return h
}

// method names the entry's method as a route's name does ("POST",
// "ALL"; "ANY" when it is not known).
func method(e *sem.Entry) string {
	if len(e.Methods) == 1 {
		return e.Methods[0]
	}
	return strings.TrimSuffix(e.Label(), " (path unknown)")
}

// registration returns the call of f that registers e's route
// (`app.post('/x', fn)`, `http.route({...})`, `Deno.serve(fn)`): the
// outermost call on the entry's line when the entry is declared in f.
func registration(f *jsast.File, e *sem.Entry) *jsast.Node {
	if e.File != f.Path {
		return nil
	}
	return outermostCallAt(f, e.Line)
}

// outermostCallAt returns the outermost call of f that starts on line.
func outermostCallAt(f *jsast.File, line int) *jsast.Node {
	var out *jsast.Node
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if out != nil || n.Line > line || n.EndLine < line {
			return false
		}
		if n.Type == "call_expression" && n.Line == line {
			out = n
		}
		return out == nil
	})
	return out
}

// requestRoots returns the names under which fn sees an entry's request:
// the model's answer (sem.Model.RequestNames: the request parameter the
// entry's adapter marks, or the parameter of a helper an entry passes
// the request to).
func (c *checker) requestRoots(f *jsast.File, fn *jsast.Node) map[string]bool {
	if c.pass.Model == nil {
		return nil
	}
	out := map[string]bool{}
	for _, n := range c.pass.Model.RequestNames(c.pass.Ctx, f.Path, fn) {
		out[n] = true
	}
	return out
}

// rootOf returns the first segment of a dotted name.
func rootOf(name string) string {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return strings.TrimSuffix(name, "()")
}

// bodyRead is one read of the request body.
type bodyRead struct {
	n      *jsast.Node
	text   string
	parsed bool // JSON/form parsed, not the raw bytes
	root   string
}

// bodyReads returns the reads of the request body in fn: a body method
// or property of the request (knowledge.BodyMember: the Fetch API's
// json()/text(), a server's req.body/req.rawBody), or a function that
// reads the body of the request passed to it (knowledge.BodyReaderOf).
func bodyReads(f *jsast.File, fn *jsast.Node, roots map[string]bool) []bodyRead {
	var out []bodyRead
	jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
		switch n.Type {
		case "call_expression":
			name := f.CalleeName(n)
			if strings.Contains(name, ".") && roots[rootOf(name)] {
				if len(jsast.Args(n)) > 0 {
					// The Fetch API's body methods take no argument: ctx.json(x, 500)
					// of a Hono context builds a response.
					return true
				}
				if raw, ok := knowledge.BodyMember(jsast.LastSegment(name), true); ok {
					out = append(out, bodyRead{n: n, text: f.Text(n), parsed: !raw, root: rootOf(name)})
				}
				return true
			}
			if args := jsast.Args(n); len(args) > 0 && !strings.Contains(name, ".") && roots[rootOf(f.Name(args[0]))] {
				// readBody(event) of h3, json(req) of micro, getRawBody(req)
				// of raw-body (knowledge.BodyReaderOf).
				mod, exported := "", name
				if im, ok := f.ImportOf(name); ok {
					mod, exported = im.Source, im.Imported
				}
				if raw, ok := knowledge.BodyReaderOf(mod, exported); ok {
					out = append(out, bodyRead{n: n, text: f.Text(n), parsed: !raw, root: rootOf(f.Name(args[0]))})
				}
			}
		case "member_expression":
			name := f.Name(n)
			if !roots[rootOf(name)] {
				return true
			}
			if raw, ok := knowledge.BodyMember(jsast.LastSegment(name), false); ok {
				// req.body.type: the read is the inner node, counted once.
				out = append(out, bodyRead{n: n, text: f.Text(n), parsed: !raw, root: rootOf(name)})
				return false
			}
		}
		return true
	})
	return out
}

// verifications returns the calls in fn that verify a signature, directly
// or through a helper function of the repository (followed depth levels):
// the model's answer (sem.Model.WebhookVerifications).
func (c *checker) verifications(f *jsast.File, fn *jsast.Node, depth int) []sem.WebhookVerify {
	return c.pass.Model.WebhookVerifications(c.pass.Ctx, f, fn, depth)
}

// directKind is the kind of a call that verifies itself; 0 for one that
// verifies through a helper of the repository.
func directKind(v sem.WebhookVerify) sem.VerifyKind {
	if len(v.Via) > 0 {
		return 0
	}
	return v.Kind
}

// helperOf is the helper a verification goes through first (nil fn when
// the call verifies itself).
func helperOf(v sem.WebhookVerify) fnRef {
	if len(v.Via) == 0 {
		return fnRef{}
	}
	return fnRef{f: v.Via[0].File, fn: v.Via[0].Fn, name: v.Via[0].Name}
}

// recognise asks the model whether the handler receives webhooks
// (sem.Model.Webhook for an entry, WebhookFunc for a helper that receives
// the request) and whether they are Clerk's.
func (c *checker) recognise(h *handler) (webhook, clerk bool) {
	if e := c.entryOf(h); h.entry && e != nil {
		h.fact = c.pass.Model.Webhook(c.pass.Ctx, e)
	} else {
		h.fact = c.pass.Model.WebhookFunc(c.pass.Ctx, h.f, h.fn)
	}
	if p := h.fact.Provider; p != "clerk" && p != "svix" {
		h.provider = p
	}
	return h.fact.Receiver, h.fact.Clerk
}

// subject names the handler in a message: "POST handler of this Clerk
// webhook route", "the Clerk webhook route POST /api/webhooks".
func (h *handler) subject() string {
	kind := kindName(h.clerk)
	if h.provider != "" {
		kind = providerTitle(h.provider) + " webhook"
	}
	if h.reg != nil {
		return "the " + kind + " route " + rules.Code(strings.TrimSuffix(h.name, " route"))
	}
	return h.name + " of this " + kind + " route"
}

// signature names the signature the handler should verify.
func (h *handler) signature() string {
	if h.provider != "" {
		return "the " + providerTitle(h.provider) + " signature"
	}
	return "the Svix signature"
}

func providerTitle(p string) string {
	if p == "" {
		return ""
	}
	return strings.ToUpper(p[:1]) + p[1:]
}

// label names the handler in a message. A registered route's name holds
// its path from the code, so it is shown as code; h.name itself stays
// as it was, since fingerprints hash it.
func (h *handler) label() string {
	if h.reg != nil {
		return rules.Code(strings.TrimSuffix(h.name, " route")) + " route"
	}
	return h.name
}

// kindName names the webhook sender for messages.
func kindName(clerk bool) string {
	if clerk {
		return "Clerk webhook"
	}
	return "Svix-signed webhook"
}

// webhookHandlers returns the recognised webhook handlers of the pass's
// file with whether each is Clerk's.
func (c *checker) webhookHandlers(f *jsast.File) []*handler {
	var out []*handler
	for _, h := range c.modelHandlers(f) {
		if ok, clerk := c.recognise(h); ok {
			h.clerk = clerk
			out = append(out, h)
		}
	}
	return out
}

// nodeAt returns the function of f spanning the same bytes as n (a node
// of another parse of the same file), or nil.
func nodeAt(f *jsast.File, n *jsast.Node) *jsast.Node {
	var out *jsast.Node
	jsast.Walk(f.Root, func(x *jsast.Node) bool {
		if out != nil || x.End < n.Start || x.Start > n.End {
			return false
		}
		if x.Start == n.Start && x.End == n.End && jsast.IsFunction(x) {
			out = x
		}
		return out == nil
	})
	return out
}

// statementOf returns the statement of block that contains n.
func statementOf(block, n *jsast.Node) *jsast.Node {
	for p := n; p != nil; p = p.Parent {
		if p.Parent == block {
			return p
		}
	}
	return nil
}

// following returns the statements after st in its block.
func following(st *jsast.Node) []*jsast.Node {
	if st == nil || st.Parent == nil {
		return nil
	}
	var out []*jsast.Node
	after := false
	for _, c := range st.Parent.NamedChildren() {
		if c == st {
			after = true
			continue
		}
		if after {
			out = append(out, c)
		}
	}
	return out
}

// responseCall reports whether a call only builds or sends a response
// or logs (knowledge.RespondsOrLogs), or is a conversion of the
// language's built-ins (JSON.stringify, String(x)).
func responseCall(name string) bool {
	switch rootOf(name) {
	case "JSON", "String", "Number":
		return true
	}
	return knowledge.RespondsOrLogs(name)
}

// processes reports whether the statements do more than respond: they
// use a variable from vars or call something other than a response
// builder or logger.
func processes(f *jsast.File, stmts []*jsast.Node, vars map[string]bool) bool {
	found := false
	for _, st := range stmts {
		jsast.Walk(st, func(n *jsast.Node) bool {
			if found {
				return false
			}
			switch n.Type {
			case "identifier", "shorthand_property_identifier":
				if vars[f.Text(n)] {
					found = true
				}
			case "call_expression":
				if !responseCall(f.CalleeName(n)) && f.CalleeName(n) != "" {
					found = true
				}
			case "new_expression":
				return true
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// assignedIn returns the variables declared or assigned inside n.
func assignedIn(f *jsast.File, n *jsast.Node) map[string]bool {
	out := map[string]bool{}
	jsast.Walk(n, func(x *jsast.Node) bool {
		switch x.Type {
		case "variable_declarator":
			collectPatternNames(f, x.ChildByField("name"), out)
		case "assignment_expression":
			collectPatternNames(f, x.ChildByField("left"), out)
		}
		return true
	})
	return out
}

func collectPatternNames(f *jsast.File, p *jsast.Node, out map[string]bool) {
	if p == nil {
		return
	}
	switch p.Type {
	case "identifier":
		out[f.Text(p)] = true
	case "object_pattern", "array_pattern", "pair_pattern", "assignment_pattern":
		for _, c := range p.NamedChildren() {
			if c.Type == "shorthand_property_identifier_pattern" {
				out[f.Text(c)] = true
				continue
			}
			if c.Field == "key" {
				continue
			}
			collectPatternNames(f, c, out)
		}
	}
}

// failsClosed reports whether a block stops the request: it returns,
// throws, or calls what ends a request or sets its status
// (knowledge.ExitsNamed).
func failsClosed(f *jsast.File, block *jsast.Node) bool {
	found := false
	jsast.Walk(block, func(n *jsast.Node) bool {
		if found {
			return false
		}
		if jsast.IsFunction(n) && n != block {
			return false
		}
		switch n.Type {
		case "return_statement", "throw_statement":
			found = true
		case "call_expression":
			// A call that ends the request or sets its status
			// (knowledge.ExitsNamed: res.status(401), reply.code(400),
			// error(400) of SvelteKit, createError of h3, notFound(); an exit
			// imported from a framework: knowledge.ExitOf).
			found = len(knowledge.ExitsNamed(strings.ReplaceAll(f.CalleeName(n), "()", ""))) > 0 || importedExit(f, n)
		}
		return !found
	})
	return found
}

// importedExit reports a call of an imported function that ends the
// request by knowledge.ExitOf (SvelteKit's error(400) and redirect() of
// @sveltejs/kit throw without a `throw` statement).
func importedExit(f *jsast.File, call *jsast.Node) bool {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return false
	}
	im, ok := f.ImportOf(f.Text(callee))
	if !ok {
		return false
	}
	_, ok = knowledge.ExitOf(im.Source, im.Imported)
	return ok
}

// related returns the location list for a helper-dependent verdict.
func related(refs ...fnRef) []rules.Location {
	var out []rules.Location
	for _, r := range refs {
		if r.fn != nil {
			out = append(out, loc(r.f, r.fn))
		}
	}
	return out
}

// nonRequestPath reports whether p is a test, script, seed, migration,
// fixture or example file, which no request reaches
// (knowledge.NonRequestPath).
func nonRequestPath(p string) bool {
	_, ok := knowledge.NonRequestPath(p)
	return ok
}

// calleeText names a call's function for a message, also when it is not
// a plain dotted name (`new Webhook(secret).verify`).
func calleeText(f *jsast.File, call *jsast.Node) string {
	if n := f.CalleeName(call); n != "" {
		return n
	}
	fn := jsast.Unwrap(call.ChildByField("function"))
	if fn != nil && fn.Type == "member_expression" {
		if o := jsast.Unwrap(fn.ChildByField("object")); o != nil && o.Type == "new_expression" {
			return "new " + f.Name(o.ChildByField("constructor")) + "(…)." + f.Text(fn.ChildByField("property"))
		}
	}
	return clip(f.Text(fn))
}
