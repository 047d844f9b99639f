package hardening

import (
	"bytes"
	"go/ast"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// HARD003 flags redirect and multi-domain configuration that allows open
// redirects, a spoofable satellite domain, and state changes on GET.
var HARD003 = &rules.Rule{
	ID:         "CLK-HARD-003",
	Name:       "open-redirect-and-get-mutation",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files:      func(f *source.File) bool { return (f.IsJS() || f.Lang == source.LangGo) && !f.Binary },
	// No Clerk prefilter: a redirect after sign-in often sits in a file
	// that reads the session from locals or the request without naming
	// Clerk; the Clerk-specific checks below look for Clerk themselves.
	Keywords: []string{"allowedRedirectOrigins", "redirect", "domain", "proxyUrl", "Satellite", "GET", ".get(",
		"success_url", "cancel_url", "return_url", "location", "router"},
	Doc: rules.Doc{
		Title: "permissive redirect origins, spoofable satellite domain or state change on get",
		References: []string{
			"https://clerk.com/docs/guides/dashboard/dns-domains/satellite-domains",
			"clerk/javascript packages/shared/src/internal/clerk-js/url.ts",
			"https://clerk.com/docs/guides/secure/best-practices/csrf-protection",
			"https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html",
			"https://docs.stripe.com/api/checkout/sessions/create#create_checkout_session-success_url",
		},
		Text: "Clerk checks every redirect target (`redirect_url`, force/fallback redirect URLs) against " +
			"`allowedRedirectOrigins`, which by default holds the current origin and the subdomains of the root " +
			"domain. Widening it to `/.*/`, `'*'` or `'https://*'`, or filling it from request data, turns sign-in " +
			"into an open redirect usable for phishing. Custom code that sends the user to a request value " +
			"(`searchParams.get('redirect_url')`, `req.query.next`) after sign-in does the same unless it checks the " +
			"value is a relative path or an allowed origin: a server redirect, a returned `redirect.destination`, " +
			"`router.push` or a `location` assignment, or a Stripe Checkout `success_url`/`cancel_url` taken from the " +
			"request body. Prefixing `/` is no check (`/` + `/evil.example` is `//evil.example`), and neither is " +
			"rejecting `//` alone: browsers read `/\\evil.example` as `//evil.example`. A satellite `domain`/`proxyUrl` read from the `Host` or " +
			"`X-Forwarded-Host` header lets the caller choose it. Go's `clerkhttp.Satellite(true)` skips the issuer " +
			"check of session tokens. Clerk session cookies are `SameSite=Lax`, so they are sent on top-level " +
			"navigations: a `GET` handler that checks the session and then writes to the database can be triggered " +
			"by a link or an `<img>` on another site (CSRF).",
		Bad: `<ClerkProvider allowedRedirectOrigins={[/.*/]}>
// app/sign-in/callback/route.ts
export async function GET(req: NextRequest) {
  return NextResponse.redirect(new URL(req.nextUrl.searchParams.get('redirect_url')!, req.url))
}
// app/api/projects/[id]/archive/route.ts
export async function GET(_: Request, { params }) {
  const { userId } = await auth()
  await db.project.update({ where: { id: (await params).id, ownerId: userId! }, data: { archived: true } })
}`,
		Good: `<ClerkProvider allowedRedirectOrigins={['https://app.example.com', 'https://satellite.example.com']}>
const target = new URL(req.nextUrl.searchParams.get('redirect_url') ?? '/', req.url)
if (target.origin !== req.nextUrl.origin) target.href = new URL('/', req.url).href
return NextResponse.redirect(target)
// mutations only in POST/PUT/PATCH/DELETE handlers or Server Actions
export async function POST(_: Request, { params }) { ... }`,
	},
	Fix: fixHARD003,
	Run: runHARD003,
}

func fixHARD003(*project.Model, string) string {
	return "Clerk validates redirect URLs against `allowedRedirectOrigins` (default: the current origin and subdomains of your root domain): " +
		"keep it a short list of exact origins. Redirect only to relative paths (starting with `/` but not `//` or `/\\`) or to origins you compare " +
		"against an allowlist. Derive satellite `domain`/`proxyUrl` from configuration, not request headers. Clerk session cookies are " +
		"`SameSite=Lax`, so navigation alone should never trigger a mutation: move state changes to POST/PUT/PATCH/DELETE or Server Actions."
}

const (
	fixOrigins   = "List exact origins: `allowedRedirectOrigins={['https://app.example.com', 'https://satellite.example.com']}` (or omit the option: the default already allows the current origin and the subdomains of your root domain). Never use `/.*/`, `'*'`, `'https://*'` or request data."
	fixRedirect  = "Accept only relative paths or allowlisted origins: `const t = new URL(next ?? '/', req.url); if (t.origin !== new URL(req.url).origin) t.href = new URL('/', req.url).href`, or check `next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')` (browsers read `/\\` as `//`). Better, let Clerk's `<SignIn>` handle `redirect_url`, which it validates against `allowedRedirectOrigins`."
	fixSatellite = "Set the satellite `domain`/`proxyUrl` from configuration (`process.env.NEXT_PUBLIC_CLERK_DOMAIN`) or map the host against a fixed allowlist; the `Host` and `X-Forwarded-Host` headers are chosen by the caller unless your proxy overwrites them."
	fixGoSat     = "Use `clerkhttp.Satellite(true)` only on services that really run on a satellite domain, and pair it with `clerkhttp.AuthorizedPartyMatches(\"https://satellite.example.com\")` so tokens minted for other origins are refused."
	fixGET       = "Move the mutation to a POST/PUT/PATCH/DELETE handler or a Server Action: Clerk session cookies are `SameSite=Lax`, so they are sent when another site links to this URL. GET handlers should only read."
)

func runHARD003(pass *rules.Pass) error {
	if pass.File.Lang == source.LangGo {
		return hard003Go(pass)
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	checkRedirects(pass, f)
	// The session check is the model's verdict: a route file that
	// registers a controller (`router.get('/x', ctrl)`) need not name Clerk.
	checkGETMutations(pass, f)
	if !bytes.Contains(f.Src, []byte("clerk")) && !bytes.Contains(f.Src, []byte("Clerk")) {
		return nil
	}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "pair":
			key := f.Text(n.ChildByField("key"))
			switch key {
			case "allowedRedirectOrigins":
				checkOrigins(pass, f, n.ChildByField("value"))
			case "domain", "proxyUrl":
				if satelliteContext(f, n) {
					checkSatellite(pass, f, key, n.ChildByField("value"))
				}
			}
		case "jsx_attribute":
			nc := n.NamedChildren()
			if len(nc) < 2 {
				return true
			}
			v := nc[1]
			if v.Type == "jsx_expression" && len(v.NamedChildren()) > 0 {
				v = v.NamedChildren()[0]
			}
			switch name := f.Text(nc[0]); name {
			case "allowedRedirectOrigins":
				checkOrigins(pass, f, v)
			case "domain", "proxyUrl":
				if el := n.Parent; el != nil && strings.Contains(f.Text(el.ChildByField("name")), "ClerkProvider") {
					checkSatellite(pass, f, name, v)
				}
			}
		}
		return true
	})
	return nil
}

// --- allowedRedirectOrigins ---

var (
	anyOriginRegex = regexp.MustCompile(`^\^?(\(?https?\??:?(\\/|/)(\\/|/)\)?\??)?\.[*+]\??\$?$`)
	anyOriginGlob  = regexp.MustCompile(`^([a-z*]+://)?\*(:\*)?/?$`)
)

func checkOrigins(pass *rules.Pass, f *jsast.File, v *jsast.Node) {
	v = jsast.Unwrap(v)
	if v == nil {
		return
	}
	if v.Type == "identifier" {
		if lv := f.LocalValue(f.Text(v)); lv != nil && !jsast.IsFunction(lv) {
			v = jsast.Unwrap(lv)
		}
	}
	elems := []*jsast.Node{v}
	if v.Type == "array" {
		elems = v.NamedChildren()
	}
	for _, e := range elems {
		e = jsast.Unwrap(e)
		if e == nil {
			continue
		}
		var why string
		switch {
		case e.Type == "regex":
			if p := e.ChildByField("pattern"); p != nil && anyOriginRegex.MatchString(f.Text(p)) {
				why = "the regular expression " + rules.Code(f.Text(e)) + " matches every origin"
			}
		case e.Type == "string" || e.Type == "template_string":
			if s, ok := f.StringValue(e); ok && anyOriginGlob.MatchString(s) {
				why = "the pattern " + rules.Code("'"+s+"'") + " matches every origin"
			}
		}
		if why == "" && readsRequest(f, e) {
			why = rules.Code(shortJS(f, e)) + " comes from the request, so the caller chooses the allowed origin"
		}
		if why != "" {
			pass.Report(rules.Diagnostic{Line: e.Line, Column: e.Col, Fix: fixOrigins,
				Message: "`allowedRedirectOrigins`: " + why + ", so Clerk will redirect to any site after sign-in or sign-out (open redirect)"})
		}
	}
}

// --- satellite domain / proxyUrl ---

var hostHeader = regexp.MustCompile(`(?i)['"](x-forwarded-host|host)['"]|headers\.host\b|\.hostname\b|\.get\(\s*['"]host['"]`)

// satelliteContext reports whether an object pair is Clerk satellite
// configuration: its object also sets isSatellite, or it is an argument
// of a Clerk call (clerkMiddleware options, possibly returned by a
// callback).
func satelliteContext(f *jsast.File, pair *jsast.Node) bool {
	obj := pair.Parent
	if obj == nil {
		return false
	}
	for _, k := range f.ObjectKeys(obj) {
		if k == "isSatellite" {
			return true
		}
	}
	for p := obj.Parent; p != nil; p = p.Parent {
		if p.Type == "call_expression" {
			root := strings.Split(f.CalleeName(p), ".")[0]
			if f.ResolveClerk(root) != "" {
				return true
			}
		}
	}
	return false
}

func checkSatellite(pass *rules.Pass, f *jsast.File, key string, v *jsast.Node) {
	v = jsast.Unwrap(v)
	if v == nil {
		return
	}
	text := f.Text(v)
	if v.Type == "identifier" {
		if lv := valueOf(f, f.Text(v), v); lv != nil {
			text = f.Text(lv)
		}
	}
	if !hostHeader.MatchString(text) {
		return // includes Clerk's documented `domain: (url) => url.host`
	}
	pass.Report(rules.Diagnostic{Line: v.Line, Column: v.Col, Fix: fixSatellite,
		Message: "satellite " + rules.Code(key) + " is taken from the `Host`/`X-Forwarded-Host` request header (" + rules.Code(shortJS(f, v)) + "), which the caller can set; Clerk then builds its sign-in handshake for a domain the attacker chose"})
}

// --- redirects to request data ---

// Which properties, methods and calls read the query string is
// knowledge.QueryProperty, QueryMethod, QueryCall and LocationQuery
// (parsedQuery, queryRead).

// redirectSite is one redirect sink of a file: the node reported, the
// expression holding the target, and how the sink is named.
type redirectSite struct {
	at, target *jsast.Node
	name       string
	// anywhere: the sink redirects whoever follows it whatever the file
	// (a Stripe Checkout success_url), not only after sign-in.
	anywhere bool
	// call is the call whose object argument holds a property sink: its
	// tainted properties make one finding.
	call *jsast.Node
}

// redirectSites lists the redirect sinks of f: request exits that
// redirect (knowledge.ExitsNamed), client navigation and third-party
// return URLs (knowledge.RedirectCall), location assignments
// (knowledge.RedirectAssign) and returned redirect objects
// (knowledge.RedirectObject).
func redirectSites(f *jsast.File) []redirectSite {
	var out []redirectSite
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "call_expression":
			callee := f.CalleeName(n)
			args := jsast.Args(n)
			if len(args) == 0 {
				return true
			}
			if isRedirectExit(callee) {
				target := args[0]
				if len(args) > 1 && jsast.Unwrap(args[0]).Type == "number" {
					target = args[1]
				}
				out = append(out, redirectSite{at: n, target: target, name: rules.Code(callee + "()")})
				return true
			}
			for _, s := range knowledge.RedirectCall(callee) {
				switch {
				case s.Property == "" && s.Arg < len(args):
					out = append(out, redirectSite{at: n, target: args[s.Arg], name: rules.Code(callee + "()")})
				case s.Property != "":
					obj := jsast.Unwrap(args[0])
					if obj == nil || obj.Type != "object" {
						continue
					}
					for _, p := range obj.NamedChildren() {
						if p.Type == "pair" && keyName(f, p.ChildByField("key")) == s.Property {
							out = append(out, redirectSite{at: p, target: p.ChildByField("value"), anywhere: true, call: n,
								name: rules.Code(s.Property) + " of " + rules.Code(callee+"()")})
						}
					}
				}
			}
		case "assignment_expression":
			if _, ok := knowledge.RedirectAssign(f.Text(n.ChildByField("left"))); ok {
				out = append(out, redirectSite{at: n, target: n.ChildByField("right"), name: "the assignment to " + rules.Code(f.Text(n.ChildByField("left")))})
			}
		case "pair":
			obj := n.Parent
			if obj == nil || obj.Type != "object" || obj.Parent == nil || obj.Parent.Type != "pair" {
				return true
			}
			outer, key := keyName(f, obj.Parent.ChildByField("key")), keyName(f, n.ChildByField("key"))
			if _, ok := knowledge.RedirectObject(outer, key); ok {
				out = append(out, redirectSite{at: n, target: n.ChildByField("value"), name: "the returned " + rules.Code(outer+"."+key)})
			}
		}
		return true
	})
	return out
}

// keyName returns the name of an object key: `success_url` and
// `'success_url'` alike.
func keyName(f *jsast.File, k *jsast.Node) string {
	if v, ok := f.StringValue(k); ok {
		return v
	}
	return f.Text(k)
}

// isRedirectExit reports whether a call ends the request with a redirect
// (knowledge.ExitsNamed), or is a redirect method of a framework context
// the exits table does not list (ctx.redirect of Koa).
func isRedirectExit(callee string) bool {
	for _, e := range knowledge.ExitsNamed(callee) {
		if e.Redirect {
			return true
		}
	}
	return jsast.LastSegment(callee) == "redirect"
}

// redirectInputs returns the request values of the model's entries in f
// that enclose line (query, body, form fields and Server Action
// arguments), by name: what the caller chooses.
func redirectInputs(pass *rules.Pass, f *jsast.File, line int) map[string]model.InputSource {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, f.Path)
	if err != nil {
		return nil // unknown entries: only the query reads themselves taint
	}
	out := map[string]model.InputSource{}
	for _, e := range es {
		if e.File != f.Path || line < e.Line || line > e.EndLine {
			continue
		}
		// A path parameter is the link's own choice, as the query string
		// is, where a link reaches the handler: a GET. A POST handler's
		// path takes a form another site submits, which Clerk's Lax
		// session cookie does not follow.
		linked := slices.Contains(e.Methods, "GET")
		for _, in := range pass.Model.Inputs(pass.Ctx, e) {
			switch in.Source {
			case model.FromQuery, model.FromBody, model.FromForm, model.FromArgs:
				if in.File == f.Path {
					out[in.Name] = in.Source
				}
			case model.FromParams:
				if in.File == f.Path && linked {
					out[in.Name] = in.Source
				}
			}
		}
	}
	return out
}

func checkRedirects(pass *rules.Pass, f *jsast.File) {
	if jsast.IsNonRequestPath(f.Path) {
		return
	}
	authPath := knowledge.AuthFlowPath(f.Path) || servesSignIn(pass, f)
	var ds []rules.Diagnostic
	byCall := map[*jsast.Node]int{} // a call's first finding, in ds
	for _, site := range redirectSites(f) {
		fn := jsast.EnclosingFunction(site.at)
		if fn == nil {
			continue
		}
		inputs := redirectInputs(pass, f, site.at.Line)
		if !authPath && !site.anywhere && len(inputs) == 0 {
			continue // outside sign-in flows, only server entries whose request values the model knows
		}
		t := taint{f: f, inputs: inputs, names: map[string]bool{}}
		src, from := t.of(site.target, site.at, 0)
		if src == "" {
			continue
		}
		safe, missing := validated(pass, f, fn, t.names, 0)
		if safe {
			continue
		}
		check := "without checking that it is a relative path (not `//` or `/\\`) or an allowed origin"
		if len(missing) > 0 {
			check = "with a relative-path check that lets " + rules.Code(missing[0]+"evil.example") + " through"
			if strings.Contains(missing[0], `\`) {
				check += " (browsers read a backslash as a slash)"
			}
		}
		if i, ok := byCall[site.call]; ok && site.call != nil {
			ds[i].Message += "; so does " + rules.Code(keyName(f, site.at.ChildByField("key"))) + " (" + rules.Code(src) + ")"
			continue
		}
		where := "in an authentication handler sends the user"
		switch {
		case site.anywhere:
			where = "sends the customer back after the payment flow"
		case !authPath:
			where = "in a request handler sends the user"
		}
		if site.call != nil {
			byCall[site.call] = len(ds)
		}
		ds = append(ds, rules.Diagnostic{Line: site.at.Line, Column: site.at.Col, Fix: fixRedirect,
			Message: site.name + " " + where + " to " + rules.Code(src) + " from the " + from + " " + check + " (open redirect)"})
	}
	for _, d := range ds {
		pass.Report(d)
	}
}

// servesSignIn reports whether f is part of a sign-in or sign-up page
// the project configures (Model.SignInPaths): an entry of f, or of f's
// directory (the page a client component beside it belongs to), serves
// that URL or a path below it.
func servesSignIn(pass *rules.Pass, f *jsast.File) bool {
	if pass.Model == nil {
		return false
	}
	paths := pass.Model.SignInPaths(pass.Ctx)
	if len(paths) == 0 {
		return false
	}
	es, err := pass.Model.Entries(pass.Ctx)
	if err != nil {
		return false // unknown entries: only the path words count
	}
	dir := path.Dir(f.Path)
	for _, e := range es {
		if e.File != f.Path && path.Dir(e.File) != dir || !e.PathKnown {
			continue
		}
		for _, p := range paths {
			if e.Path == p || strings.HasPrefix(e.Path, p+"/") {
				return true
			}
		}
	}
	return false
}

// taint follows a redirect target back to the request value it derives
// from, recording the local names along the way.
type taint struct {
	f      *jsast.File
	inputs map[string]model.InputSource
	names  map[string]bool
}

// fromWords names an input source in a message.
var fromWords = map[model.InputSource]string{
	model.FromQuery: "query string", model.FromBody: "request body", model.FromForm: "submitted form", model.FromArgs: "Server Action's arguments",
	model.FromParams: "path",
}

// of returns the request read e derives from and where it comes from, or
// "". A constant prefix that fixes the origin or the first path segment
// ("https://app.example.com/", "/dashboard/") makes the value safe; a bare
// "/" does not ("/" + "/evil.example" is "//evil.example").
func (t taint) of(e *jsast.Node, at *jsast.Node, depth int) (string, string) {
	f := t.f
	e = jsast.Unwrap(e)
	if e == nil || depth > 4 || ownOrigin(f, e) {
		return "", ""
	}
	switch e.Type {
	case "new_expression":
		if f.Text(e.ChildByField("constructor")) == "URL" {
			if a := e.ChildByField("arguments"); a != nil && len(a.NamedChildren()) > 0 {
				return t.of(a.NamedChildren()[0], at, depth+1)
			}
		}
		return "", ""
	case "ternary_expression":
		if s, w := t.of(e.ChildByField("consequence"), at, depth+1); s != "" {
			return s, w
		}
		return t.of(e.ChildByField("alternative"), at, depth+1)
	case "binary_expression":
		switch f.Text(e.ChildByField("operator")) {
		case "??", "||":
			return t.of(e.ChildByField("left"), at, depth+1)
		case "+":
			l := jsast.Unwrap(e.ChildByField("left"))
			if s, ok := f.StringValue(l); ok && (l.Type == "string" || l.Type == "template_string") {
				if s == "" || s == "/" {
					return t.of(e.ChildByField("right"), at, depth+1)
				}
				return "", ""
			}
			return t.of(l, at, depth+1)
		}
		return "", ""
	case "template_string":
		prefix := ""
		for _, c := range e.NamedChildren() {
			if c.Type == "template_substitution" {
				if prefix != "" && prefix != "/" {
					return "", ""
				}
				if sub := c.NamedChildren(); len(sub) > 0 {
					return t.of(sub[0], at, depth+1)
				}
				return "", ""
			}
			prefix += f.Text(c)
		}
		return "", ""
	case "call_expression":
		name := f.CalleeName(e)
		if name == "decodeURIComponent" || name == "decodeURI" || name == "String" {
			if a := jsast.Args(e); len(a) > 0 {
				return t.of(a[0], at, depth+1)
			}
		}
		if name == "" {
			name = f.Text(e.ChildByField("function")) // new URL(req.url).searchParams.get
		}
		if queryRead(f, e, at) {
			return shortJS(f, e), fromWords[model.FromQuery]
		}
		return "", ""
	case "member_expression", "subscript_expression":
		if parsedQuery(f, e.ChildByField("object"), at, 0) {
			return shortJS(f, e), fromWords[model.FromQuery]
		}
		if obj := jsast.Unwrap(e.ChildByField("object")); obj != nil && obj.Type == "identifier" && t.inputs[f.Text(obj)] == model.FromParams {
			return shortJS(f, e), fromWords[model.FromParams] // params.rest: a member of the path parameters
		}
		return "", ""
	case "identifier":
		name := f.Text(e)
		t.names[name] = true
		if v := valueOf(f, name, at); v != nil && ownOrigin(f, v) {
			return "", ""
		} else if v != nil {
			if s, w := t.of(v, at, depth+1); s != "" {
				return s, w
			}
		} else if pat := destructuredFrom(f, name, at); pat != nil && parsedQuery(f, pat, at, 0) {
			src := f.Name(jsast.Unwrap(pat))
			if src == "" {
				src = shortJS(f, pat)
			}
			return src + "." + name, fromWords[model.FromQuery]
		}
		if src, ok := t.inputs[name]; ok && fromWords[src] != "" {
			if v := valueOf(f, name, at); v != nil && (!t.derived(v) || t.originFixed(v, at, depth)) {
				return "", "" // a value the model tainted through a check, or an origin, we judge ourselves
			}
			return name, fromWords[src]
		}
	}
	return "", ""
}

// queryRead reports whether a call reads one query parameter:
// URLSearchParams's get() of a value holding the parsed query
// (`searchParams.get('next')`, `new URLSearchParams(location.search).get`),
// or a request's own query method (Hono's `c.req.query('next')`).
func queryRead(f *jsast.File, call *jsast.Node, at *jsast.Node) bool {
	fn := call.ChildByField("function")
	if fn == nil || fn.Type != "member_expression" {
		return false
	}
	method, obj := f.Text(fn.ChildByField("property")), fn.ChildByField("object")
	if knowledge.QueryMethod("", method) && parsedQuery(f, obj, at, 0) {
		return true
	}
	return knowledge.QueryMethod(jsast.LastSegment(f.Name(obj)), method)
}

// parsedQuery reports whether e holds the parsed query string: a query
// property (`req.query`, `url.searchParams`), a call that returns it
// (`useSearchParams()`, h3's `getQuery(event)`), a URLSearchParams of the
// browser's `location.search`, or a variable or parameter bound to one
// (a destructured `{ searchParams }` is the property itself).
func parsedQuery(f *jsast.File, e *jsast.Node, at *jsast.Node, depth int) bool {
	e = jsast.Unwrap(e)
	if e == nil || depth > 3 {
		return false
	}
	switch e.Type {
	case "member_expression":
		return knowledge.QueryProperty(f.Text(e.ChildByField("property")))
	case "call_expression":
		name := f.CalleeName(e)
		mod := ""
		if im, ok := f.ImportOf(strings.Split(name, ".")[0]); ok {
			mod = im.Source
		}
		return knowledge.QueryCall(mod, jsast.LastSegment(name))
	case "new_expression":
		if f.Text(e.ChildByField("constructor")) != "URLSearchParams" {
			return false
		}
		args := e.ChildByField("arguments")
		if args == nil || len(args.NamedChildren()) == 0 {
			return false
		}
		a := jsast.Unwrap(args.NamedChildren()[0])
		return a != nil && a.Type == "member_expression" && knowledge.LocationQuery(f.Text(a.ChildByField("property"))) &&
			jsast.LastSegment(f.Name(a.ChildByField("object"))) == "location"
	case "identifier":
		name := f.Text(e)
		if v := valueOf(f, name, at); v != nil {
			return parsedQuery(f, v, at, depth+1)
		}
		// const { searchParams } = new URL(req.url); ({ query }) of a
		// getServerSideProps context; a page's { searchParams } prop.
		return knowledge.QueryProperty(name)
	}
	return false
}

// readsRequest reports whether an expression reads the request anywhere
// inside it: its query string (queryRead, parsedQuery) or its headers
// (knowledge.RequestHeaderCall, RequestHeaderProperty).
func readsRequest(f *jsast.File, e *jsast.Node) bool {
	found := false
	jsast.Walk(e, func(n *jsast.Node) bool {
		switch {
		case found:
		case n.Type == "call_expression" && (queryRead(f, n, n) || headerCall(f, n)):
			found = true
		case n.Type == "member_expression" && (parsedQuery(f, n, n, 0) ||
			knowledge.RequestHeaderProperty(jsast.LastSegment(f.Name(n.ChildByField("object"))), f.Text(n.ChildByField("property")))):
			found = true
		}
		return !found
	})
	return found
}

// headerCall reports a call of a function that returns the request's
// headers (Next.js's headers()), by its import.
func headerCall(f *jsast.File, call *jsast.Node) bool {
	im, ok := f.ImportOf(f.CalleeName(call))
	return ok && knowledge.RequestHeaderCall(im.Source, im.Imported)
}

// derived reports whether v is a plain copy of a request value (a read, a
// member, an await) rather than a conditional the validation check
// judges.
func (t taint) derived(v *jsast.Node) bool {
	v = jsast.Unwrap(v)
	return v != nil && v.Type != "ternary_expression" && v.Type != "binary_expression"
}

// originFixed reports a template string whose origin a leading value not
// read from the request fixes (`${APP_URL}/organization/${id}`): what the
// request adds comes after a literal '/', in the path of that origin. A
// leading value that is itself "" or "/" fixes nothing ("/" + "/evil.example").
func (t taint) originFixed(v *jsast.Node, at *jsast.Node, depth int) bool {
	f := t.f
	v = jsast.Unwrap(v)
	if v == nil || v.Type != "template_string" {
		return false
	}
	parts := v.NamedChildren()
	if len(parts) < 2 || parts[0].Type != "template_substitution" || parts[1].Type != "string_fragment" ||
		!strings.HasPrefix(f.Text(parts[1]), "/") {
		return false
	}
	sub := parts[0].NamedChildren()
	if len(sub) != 1 {
		return false
	}
	lead := jsast.Unwrap(sub[0])
	if lead == nil || lead.Type != "identifier" {
		return false
	}
	if _, ok := t.inputs[f.Text(lead)]; ok {
		return false
	}
	lv := valueOf(f, f.Text(lead), at)
	if lv == nil || readsRequest(f, lv) {
		return false
	}
	if s, ok := f.StringValue(lv); ok && (s == "" || s == "/") {
		return false
	}
	src, _ := t.of(lead, at, depth+1)
	return src == ""
}

// validated reports whether fn checks one of the tainted names with a
// check knowledge.RedirectChecks accepts: passes it to a validator,
// compares the origin/host of a URL built from it, looks it up in an
// allowlist or matches it with a pattern, or checks it starts with '/'
// and rejects every prefix a browser reads as another origin ('//', '/\').
// For a relative-path check that stops short, missing lists the prefixes
// it lets through.
func validated(pass *rules.Pass, f *jsast.File, fn *jsast.Node, names map[string]bool, depth int) (ok bool, missing []string) {
	// names derived from the tainted ones: const u = new URL(next, req.url)
	jsast.Walk(fn, func(n *jsast.Node) bool {
		if n.Type == "variable_declarator" {
			if id := n.ChildByField("name"); id != nil && id.Type == "identifier" && mentions(f, n.ChildByField("value"), names) {
				names[f.Text(id)] = true
			}
		}
		return true
	})
	var rejects, origin, lookup []string
	for _, c := range knowledge.RedirectChecks() {
		switch c.Kind {
		case knowledge.RelativePath:
			rejects = c.Rejects
		case knowledge.OriginCompare:
			origin = c.Members
		case knowledge.Allowlist:
			lookup = c.Members
		}
	}
	slash := false
	rejected := map[string]bool{}
	literal := func(s string) {
		for _, r := range rejects {
			if s == r || s == strings.TrimPrefix(r, "/") && s != "/" {
				rejected[r] = true
			}
		}
	}
	jsast.Walk(fn, func(n *jsast.Node) bool {
		if ok {
			return false
		}
		switch n.Type {
		case "call_expression":
			name := f.CalleeName(n)
			last := jsast.LastSegment(name)
			args := jsast.Args(n)
			argTainted := false
			for _, a := range args {
				argTainted = argTainted || mentions(f, a, names)
			}
			recvTainted := mentions(f, n.ChildByField("function"), names)
			switch {
			case argTainted && helperValidates(pass, f, n, names, depth):
				ok = true
			case slices.Contains(lookup, last) && (argTainted || recvTainted && len(args) == 1 && jsast.Unwrap(args[0]).Type == "regex"):
				ok = true
			case last == "startsWith" && recvTainted && len(args) == 1:
				if s, _ := f.StringValue(args[0]); s == "/" {
					slash = true
				}
			}
		case "member_expression":
			p := f.Text(n.ChildByField("property"))
			if slices.Contains(origin, p) && mentions(f, n.ChildByField("object"), names) {
				if par := n.Parent; par != nil && (par.Type == "binary_expression" || par.Type == "arguments") {
					ok = true
				}
			}
		case "string":
			if s, ok := f.StringValue(n); ok {
				literal(s)
			}
		}
		return true
	})
	if ok {
		return true, nil
	}
	if !slash {
		return false, nil
	}
	for _, r := range rejects {
		if !rejected[r] {
			missing = append(missing, r)
		}
	}
	return len(missing) == 0, missing
}

// helperValidates reports whether the application's function a call
// passes a tainted value to validates it: the model resolves the callee
// (Model.Callee, through imports), and the function's body checks the
// parameter the value becomes with one of knowledge.RedirectChecks
// (validated, one level deep at most twice). Its name says nothing: an
// `isSafeUrl` that checks nothing is no validation. A helper the model
// could not read counts as one (an unknown is never reported); a package
// function or a global is none.
func helperValidates(pass *rules.Pass, f *jsast.File, call *jsast.Node, names map[string]bool, depth int) bool {
	if pass.Model == nil || depth >= 2 {
		return false
	}
	c := pass.Model.Callee(pass.Ctx, f, call)
	switch c.Kind {
	case model.CalleeUnknown:
		return true
	case model.CalleeFunction:
	default:
		return false
	}
	args := c.Args
	if args == nil {
		args = jsast.Args(call)
	}
	params := jsast.ParamPatterns(c.Fn)
	inner := map[string]bool{}
	for i, a := range args {
		if i < len(params) && params[i].Type == "identifier" && mentions(f, a, names) {
			inner[c.File.Text(params[i])] = true
		}
	}
	if len(inner) == 0 {
		return false
	}
	ok, _ := validated(pass, c.File, c.Fn, inner, depth+1)
	return ok
}

// mentions reports whether n uses one of names (also in shorthand
// properties: { exists }).
func mentions(f *jsast.File, n *jsast.Node, names map[string]bool) bool {
	found := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if found {
			return false
		}
		if (x.Type == "identifier" || x.Type == "shorthand_property_identifier") && names[f.Text(x)] {
			found = true
		}
		return true
	})
	return found
}

// valueOf returns the initial value of `const name = value` in the
// functions enclosing at (before at), or at top level.
func valueOf(f *jsast.File, name string, at *jsast.Node) *jsast.Node {
	for fn := jsast.EnclosingFunction(at); fn != nil; fn = jsast.EnclosingFunction(fn) {
		var v *jsast.Node
		jsast.Walk(jsast.FunctionBody(fn), func(n *jsast.Node) bool {
			if v != nil || n.Start > at.Start {
				return false
			}
			if n.Type == "variable_declarator" {
				if id := n.ChildByField("name"); id != nil && id.Type == "identifier" && f.Text(id) == name {
					v = n.ChildByField("value")
				}
			}
			return true
		})
		if v != nil {
			return v
		}
	}
	if v := f.LocalValue(name); v != nil && !jsast.IsFunction(v) {
		return v
	}
	return nil
}

// destructuredFrom returns the value a `const { name } = value` pattern
// destructures, or nil.
func destructuredFrom(f *jsast.File, name string, at *jsast.Node) *jsast.Node {
	var v *jsast.Node
	scope := f.Root
	if fn := jsast.EnclosingFunction(at); fn != nil {
		scope = fn
	}
	jsast.Walk(scope, func(n *jsast.Node) bool {
		if v != nil || n.Start > at.Start {
			return false
		}
		if n.Type == "variable_declarator" {
			if id := n.ChildByField("name"); id != nil && id.Type == "object_pattern" {
				for _, c := range jsast.Find(id, "shorthand_property_identifier_pattern") {
					if f.Text(c) == name {
						v = n.ChildByField("value")
					}
				}
			}
		}
		return true
	})
	return v
}

// --- state change on GET ---

// checkGETMutations reports a GET entry that stops signed-out callers
// (the model's verdict) and then changes state (the model's effects: a
// data write or a privileged Clerk call): Clerk's session cookie is
// SameSite=Lax, so another site's link makes a signed-in user's browser
// send it. Pages and layouts render; their writes are other rules'.
func checkGETMutations(pass *rules.Pass, f *jsast.File) {
	if pass.Model == nil || knowledge.LinkActionPath(f.Path) {
		return
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, f.Path)
	if err != nil {
		return
	}
	for _, e := range es {
		if e.File != f.Path || len(e.Methods) != 1 || e.Methods[0] != "GET" || e.Kind == model.Page || e.Kind == model.Layout ||
			knowledge.LinkActionPath(e.Label()) {
			continue
		}
		v := pass.Model.Guard(pass.Ctx, e)
		if v.Authn != model.AuthnYes || v.Webhook != "" || slices.Contains(v.Via, model.ViaSecret) {
			continue // not a session check: a signature or a shared secret is not sent by a browser
		}
		if pass.Model.ProviderReturn(pass.Ctx, e) {
			continue // a payment or onboarding service sends the browser back here with a GET
		}
		for _, x := range pass.Model.Effects(pass.Ctx, e).List {
			if !stateChange(x) {
				continue
			}
			line, related := x.Line, []rules.Location(nil)
			if x.File != f.Path {
				line, related = e.Line, []rules.Location{{Path: x.File, Line: x.Line}}
			}
			pass.Report(rules.Diagnostic{Line: line, Fix: fixGET, Related: related,
				Message: "`GET` handler " + rules.Code(getName(e)) + " checks the Clerk session and then changes state (" + rules.Code(x.Call+"()") +
					"); Clerk cookies are SameSite=Lax, so a link or image on another site triggers it for a signed-in user (CSRF)"})
			break
		}
	}
}

// getName names a GET entry by its path, the router's own path when the
// prefix it is mounted under is unknown.
func getName(e *model.Entry) string {
	if !e.PathKnown && e.Path != "" {
		return e.Methods[0] + " " + e.Path
	}
	return e.Label()
}

// stateChange reports an effect a cross-site GET must not trigger: a data
// write or a Clerk Backend call that changes, revokes or creates
// (knowledge.BackendCallIn), other than a visit's bookkeeping (a counter
// or a last-seen timestamp: Effect.Touch), linking a record the request
// does not choose to the caller (Effect.Links) and creating the caller's own
// record, or its active organization's, with nothing the request chooses
// (syncing the signed-in user or organization on first visit).
func stateChange(x model.Effect) bool {
	if x.Kind == model.ClerkPrivilege {
		// Reading a token (getUserOauthAccessToken, sessions.getToken)
		// leaves nothing behind; creating one, a change or a revocation does.
		bc, _ := knowledge.BackendCallIn(x.Call)
		if bc.Privilege != knowledge.Mutates && bc.Privilege != knowledge.Revokes && (bc.Privilege != knowledge.Mints || x.Selects) {
			return false
		}
	}
	switch {
	case x.Kind != model.WritesData && x.Kind != model.ClerkPrivilege,
		x.Counter, x.Touch,
		// linking a record to the caller's own id: a forged visit does
		// only what the caller's own first visit does.
		x.Kind == model.WritesData && x.Links && len(x.Request) == 0,
		x.Kind == model.WritesData && !x.Selects && (x.OwnerScoped || x.Authz&model.AuthzOrg != 0) && len(x.Request) == 0:
		return false
	}
	return true
}

// --- Go: clerkhttp.Satellite(true) ---

func hard003Go(pass *rules.Pass) error {
	gf, err := goast.Parse(pass.File)
	if err != nil || gf == nil {
		return nil // not parseable Go: nothing to check
	}
	pkg := gf.ImportName("github.com/clerk/clerk-sdk-go/v2/http")
	jwtPkg := gf.ImportName("github.com/clerk/clerk-sdk-go/v2/jwt")
	if pkg == "" && jwtPkg == "" {
		return nil
	}
	if strings.Contains(string(gf.Src), "AuthorizedParty") {
		return nil // tokens are bound to the expected origins
	}
	ast.Inspect(gf.AST, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if pkg != "" && goast.CallName(x) == pkg+".Satellite" && len(x.Args) == 1 {
				if id, ok := x.Args[0].(*ast.Ident); ok && id.Name == "true" {
					pass.Report(rules.Diagnostic{Line: gf.Line(x.Pos()), Column: gf.Col(x.Pos()), Severity: rules.Low, Fix: fixGoSat,
						Message: rules.Code(gf.Text(x)) + " makes the middleware skip the issuer (`iss`) check of session tokens, and no `AuthorizedPartyMatches` option restricts the `azp` origin instead"})
				}
			}
		case *ast.KeyValueExpr:
			if k, ok := x.Key.(*ast.Ident); ok && k.Name == "IsSatellite" {
				if v, ok := x.Value.(*ast.Ident); ok && v.Name == "true" {
					pass.Report(rules.Diagnostic{Line: gf.Line(x.Pos()), Column: gf.Col(x.Pos()), Severity: rules.Low, Fix: fixGoSat,
						Message: "`IsSatellite: true` makes token verification skip the issuer (`iss`) check, and no authorized-party check restricts the `azp` origin instead"})
				}
			}
		}
		return true
	})
	return nil
}

// shortJS trims source text for a message.
func shortJS(f *jsast.File, n *jsast.Node) string {
	t := strings.Join(strings.Fields(f.Text(n)), " ")
	if len(t) > 60 {
		t = t[:57] + "..."
	}
	return t
}

// ownOrigin reports whether e is the origin the request was sent to
// (`new URL(request.url).origin`, `url.origin`, `req.nextUrl.host`, the
// `Origin` or `Host` header), or the site's configured address
// (`Astro.site`) in place of it. The browser of the user who follows a
// link sets these to the application's own origin: whoever crafts the
// link cannot choose them, so a redirect there is no open redirect.
func ownOrigin(f *jsast.File, e *jsast.Node) bool {
	e = jsast.Unwrap(e)
	if e == nil {
		return false
	}
	switch e.Type {
	case "member_expression":
		obj := jsast.Unwrap(e.ChildByField("object"))
		switch f.Text(e.ChildByField("property")) {
		case "origin", "host", "hostname", "protocol":
			if obj != nil && obj.Type == "new_expression" && f.Text(obj.ChildByField("constructor")) == "URL" {
				args := obj.ChildByField("arguments")
				return args != nil && len(args.NamedChildren()) > 0 && (requestURL(f, args.NamedChildren()[0]) || ownOrigin(f, args.NamedChildren()[0]))
			}
			switch jsast.LastSegment(f.Name(obj)) {
			case "url", "nextUrl":
				return true
			}
		case "site":
			return f.Name(obj) == "Astro" || jsast.LastSegment(f.Name(obj)) == "config"
		}
	case "call_expression":
		name := f.CalleeName(e)
		if !strings.HasSuffix(name, "headers.get") && jsast.LastSegment(name) != "header" {
			return false
		}
		if a := jsast.Args(e); len(a) == 1 {
			h, ok := f.StringValue(a[0])
			return ok && (strings.EqualFold(h, "origin") || strings.EqualFold(h, "host"))
		}
	case "binary_expression":
		switch f.Text(e.ChildByField("operator")) {
		case "||", "??":
			r := jsast.Unwrap(e.ChildByField("right"))
			return ownOrigin(f, e.ChildByField("left")) && r != nil && (ownOrigin(f, r) || r.Type == "string")
		}
	}
	return false
}

// requestURL reports whether e is the URL of the request itself
// (`request.url`, `req.url`, `context.request.url`).
func requestURL(f *jsast.File, e *jsast.Node) bool {
	e = jsast.Unwrap(e)
	if e == nil || e.Type != "member_expression" || f.Text(e.ChildByField("property")) != "url" {
		return false
	}
	switch jsast.LastSegment(f.Name(e.ChildByField("object"))) {
	case "request", "req", "raw":
		return true
	}
	return false
}
