package hardening

import (
	"go/ast"
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
	Keywords:   []string{"allowedRedirectOrigins", "redirect", "domain", "proxyUrl", "Satellite", "GET"},
	Requires:   []string{"clerk", "Clerk"},
	Doc: rules.Doc{
		Title: "permissive redirect origins, spoofable satellite domain or state change on get",
		References: []string{
			"https://clerk.com/docs/guides/dashboard/dns-domains/satellite-domains",
			"clerk/javascript packages/shared/src/internal/clerk-js/url.ts",
			"https://clerk.com/docs/guides/secure/best-practices/csrf-protection",
		},
		Text: "Clerk checks every redirect target (`redirect_url`, force/fallback redirect URLs) against " +
			"`allowedRedirectOrigins`, which by default holds the current origin and the subdomains of the root " +
			"domain. Widening it to `/.*/`, `'*'` or `'https://*'`, or filling it from request data, turns sign-in " +
			"into an open redirect usable for phishing. Custom server code that redirects to a query parameter " +
			"(`searchParams.get('redirect_url')`, `req.query.next`) after sign-in does the same unless it checks the " +
			"value is a relative path or an allowed origin. A satellite `domain`/`proxyUrl` read from the `Host` or " +
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
		"keep it a short list of exact origins. Redirect only to relative paths (starting with `/` but not `//`) or to origins you compare " +
		"against an allowlist. Derive satellite `domain`/`proxyUrl` from configuration, not request headers. Clerk session cookies are " +
		"`SameSite=Lax`, so navigation alone should never trigger a mutation: move state changes to POST/PUT/PATCH/DELETE or Server Actions."
}

const (
	fixOrigins   = "List exact origins: `allowedRedirectOrigins={['https://app.example.com', 'https://satellite.example.com']}` (or omit the option: the default already allows the current origin and the subdomains of your root domain). Never use `/.*/`, `'*'`, `'https://*'` or request data."
	fixRedirect  = "Accept only relative paths or allowlisted origins: `const t = new URL(next ?? '/', req.url); if (t.origin !== new URL(req.url).origin) t.href = new URL('/', req.url).href`, or check `next.startsWith('/') && !next.startsWith('//')`. Better, let Clerk's `<SignIn>` handle `redirect_url`, which it validates against `allowedRedirectOrigins`."
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
	checkRedirects(pass, f)
	checkGETMutations(pass, f)
	return nil
}

// --- allowedRedirectOrigins ---

var (
	anyOriginRegex = regexp.MustCompile(`^\^?(\(?https?\??:?(\\/|/)(\\/|/)\)?\??)?\.[*+]\??\$?$`)
	anyOriginGlob  = regexp.MustCompile(`^([a-z*]+://)?\*(:\*)?/?$`)
	requestData    = regexp.MustCompile(`\bheaders\(\)|\.headers\b|\bsearchParams\b|\breq\.query\b|\brequest\.query\b|\breq\.hostname\b`)
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
		if why == "" && requestData.MatchString(f.Text(e)) {
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

// --- redirects to query parameters in auth handlers ---

var (
	authHandlerPath = regexp.MustCompile(`(?i)(^|/)[^/]*(sign[-_]?in|sign[-_]?up|log[-_]?in|callback|sso|oauth|after[-_]?(sign|auth|login))[^/]*/|(^|/)auth/`)
	querySource     = regexp.MustCompile(`searchParams\.get\(|\bparams\.get\(|\b(req|request|ctx|c\.req)\.query\b|\bquery\.\w+|getQuery\(|\.query\(\s*['"]`)
	queryObject     = regexp.MustCompile(`(^|\.)(searchParams|query|getQuery\(\))$`)
	validatorName   = regexp.MustCompile(`(?i)(safe|valid|allow|sanitiz|relative|islocal|sameorigin|trusted|whitelist|internal)`)
)

func checkRedirects(pass *rules.Pass, f *jsast.File) {
	if !authHandlerPath.MatchString(f.Path) || jsast.IsNonRequestPath(f.Path) {
		return
	}
	for _, call := range f.Calls(f.Root, func(n string) bool { return jsast.LastSegment(n) == "redirect" }) {
		args := jsast.Args(call)
		if len(args) == 0 {
			continue
		}
		target := args[0]
		if len(args) > 1 && jsast.Unwrap(args[0]).Type == "number" {
			target = args[1]
		}
		fn := jsast.EnclosingFunction(call)
		if fn == nil {
			continue
		}
		names := map[string]bool{}
		src := queryTaint(f, target, call, names, 0)
		if src == "" || validated(f, fn, names) {
			continue
		}
		callee := f.CalleeName(call)
		pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col, Fix: fixRedirect,
			Message: rules.Code(callee+"()") + " in an authentication handler sends the user to " + rules.Code(src) + " from the query string without checking that it is a relative path or an allowed origin (open redirect after sign-in)"})
	}
}

// queryTaint returns the query-string read e derives from, recording the
// local names along the way, or "".
func queryTaint(f *jsast.File, e *jsast.Node, at *jsast.Node, names map[string]bool, depth int) string {
	e = jsast.Unwrap(e)
	if e == nil || depth > 4 {
		return ""
	}
	switch e.Type {
	case "new_expression":
		if f.Text(e.ChildByField("constructor")) == "URL" {
			if a := e.ChildByField("arguments"); a != nil && len(a.NamedChildren()) > 0 {
				return queryTaint(f, a.NamedChildren()[0], at, names, depth+1)
			}
		}
		return ""
	case "binary_expression":
		if op := f.Text(e.ChildByField("operator")); op == "??" || op == "||" {
			return queryTaint(f, e.ChildByField("left"), at, names, depth+1)
		}
		return ""
	case "call_expression":
		name := f.CalleeName(e)
		if name == "decodeURIComponent" || name == "decodeURI" || name == "String" {
			if a := jsast.Args(e); len(a) > 0 {
				return queryTaint(f, a[0], at, names, depth+1)
			}
		}
		if (strings.HasSuffix(name, ".get") || strings.HasSuffix(name, ".query")) && querySource.MatchString(f.Text(e)) {
			return shortJS(f, e)
		}
		return ""
	case "member_expression", "subscript_expression":
		if f.Name(e) != "" && querySource.MatchString(f.Name(e)) {
			return shortJS(f, e)
		}
		return ""
	case "identifier":
		name := f.Text(e)
		names[name] = true
		if v := valueOf(f, name, at); v != nil {
			return queryTaint(f, v, at, names, depth+1)
		}
		if pat := destructuredFrom(f, name, at); pat != nil {
			if src := f.Name(jsast.Unwrap(pat)); queryObject.MatchString(src) {
				return src + "." + name
			}
		}
	}
	return ""
}

// validated reports whether fn checks one of the tainted names: passes
// it to a validator, compares the origin/host of a URL built from it,
// looks it up in an allowlist, tests it with a regular expression, or
// checks it starts with '/' and not '//'.
func validated(f *jsast.File, fn *jsast.Node, names map[string]bool) bool {
	// names derived from the tainted ones: const u = new URL(next, req.url)
	jsast.Walk(fn, func(n *jsast.Node) bool {
		if n.Type == "variable_declarator" {
			if id := n.ChildByField("name"); id != nil && id.Type == "identifier" && mentions(f, n.ChildByField("value"), names) {
				names[f.Text(id)] = true
			}
		}
		return true
	})
	slash, doubleSlash := false, false
	ok := false
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
			switch {
			case argTainted && validatorName.MatchString(name):
				ok = true
			case argTainted && (last == "includes" || last == "has" || last == "test" || last == "some"):
				ok = true
			case last == "startsWith" && mentions(f, n.ChildByField("function"), names) && len(args) == 1:
				if s, _ := f.StringValue(args[0]); s == "/" {
					slash = true
				} else if s == "//" {
					doubleSlash = true
				}
			case (last == "match" || last == "search") && mentions(f, n.ChildByField("function"), names):
				ok = true
			}
		case "member_expression":
			p := f.Text(n.ChildByField("property"))
			if (p == "origin" || p == "host" || p == "hostname") && mentions(f, n.ChildByField("object"), names) {
				if par := n.Parent; par != nil && (par.Type == "binary_expression" || par.Type == "arguments") {
					ok = true
				}
			}
		case "string":
			if s, _ := f.StringValue(n); s == "//" {
				doubleSlash = true
			}
		}
		return true
	})
	return ok || (slash && doubleSlash)
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

var (
	getSkipPath = regexp.MustCompile(`(?i)callback|oauth|webhook|cron|verify|confirm|unsubscribe|invite|accept|magic|token|connect|log-?out|sign-?out|/cancel|health`)
	// bookkeeping matches writes a GET may do harmlessly: counters and
	// last-seen timestamps.
	bookkeeping = regexp.MustCompile(`(?i)\bincrement\b|last_?(seen|active|login|visit)|view_?count|\bviews\b`)
)

// checkGETMutations reports a GET entry that stops signed-out callers
// (the model's verdict) and then changes state (the model's effects: a
// data write or a privileged Clerk call): Clerk's session cookie is
// SameSite=Lax, so another site's link makes a signed-in user's browser
// send it. Pages and layouts render; their writes are other rules'.
func checkGETMutations(pass *rules.Pass, f *jsast.File) {
	if pass.Model == nil || getSkipPath.MatchString(f.Path) {
		return
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, f.Path)
	if err != nil {
		return
	}
	for _, e := range es {
		if e.File != f.Path || len(e.Methods) != 1 || e.Methods[0] != "GET" || e.Kind == model.Page || e.Kind == model.Layout ||
			getSkipPath.MatchString(e.Label()) {
			continue
		}
		v := pass.Model.Guard(pass.Ctx, e)
		if v.Authn != model.AuthnYes || v.Webhook != "" || slices.Contains(v.Via, model.ViaSecret) {
			continue // not a session check: a signature or a shared secret is not sent by a browser
		}
		for _, x := range pass.Model.Effects(pass.Ctx, e).List {
			if !stateChange(f, x) {
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
// (knowledge.BackendCallIn), other than bookkeeping (a counter, a
// last-seen timestamp) and creating the caller's own record with nothing
// the request chooses (syncing the signed-in user on first visit).
func stateChange(f *jsast.File, x model.Effect) bool {
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
		x.Counter,
		x.Kind == model.WritesData && !x.Selects && x.OwnerScoped && len(x.Request) == 0:
		return false
	}
	return x.File != f.Path || !bookkeeping.MatchString(lineText(f.Src, x.Line))
}

// lineText returns line n (1-based) of src, "" when there is none.
func lineText(src []byte, n int) string {
	lines := strings.SplitN(string(src), "\n", n+1)
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
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
