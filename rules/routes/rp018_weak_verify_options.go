package routes

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
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP018 flags token verification options that weaken Clerk's checks:
// wildcard, plain-http or request-derived authorizedParties, a large clock
// skew, machine tokens accepted where userId is then trusted, pending
// sessions treated as signed in, the Go SDK equivalents, a hand-written
// azp check that passes a token without the claim, and a token key with
// a literal fallback.
var RP018 = &rules.Rule{
	ID:         "CLK-RP-018",
	Name:       "weakened-token-verification-options",
	Pack:       rules.PackRoutes,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		if f.Binary || srvIsTestPath(f.Path) || jsast.IsNonRequestPath(f.Path) {
			return false
		}
		return f.IsJS() || f.Lang == source.LangAstro || f.Lang == source.LangGo
	},
	Keywords: []string{"authorizedParties", "azp", "jsonwebtoken", "jose", "fast-jwt", "clockSkewInMs", "acceptsToken", "treatPendingAsSignedOut",
		"authenticateRequest", "verifyToken", "Leeway", "AuthorizedPartyMatches"},
	Doc: rules.Doc{
		Title: "token verification options that weaken Clerk's checks",
		References: []string{
			"https://clerk.com/docs/guides/sessions/manual-jwt-verification",
			"https://clerk.com/docs/guides/development/deployment/production",
			"clerk/javascript packages/backend/src/tokens/authObjects.ts",
			"clerk/javascript packages/backend/src/jwt/assertions.ts",
		},
		Text: "Clerk's `authenticateRequest()`, `verifyToken()`, `clerkMiddleware()`, `clerkPlugin()` and `auth()` take " +
			"options that relax verification. `authorizedParties` is the list of origins whose session tokens are accepted " +
			"(the `azp` claim): `'*'` accepts every origin, an `http://` origin in production accepts tokens minted on a " +
			"page served without TLS, and a value read from the request's `Origin`/`Host` header lets the caller choose " +
			"the origin that is checked, so the check passes for everyone. `clockSkewInMs` above a minute keeps expired " +
			"(60-second) session tokens valid for that long. With `acceptsToken: 'any'` (or a list that includes `api_key`, " +
			"`m2m_token` or `oauth_token`) a machine token is authenticated too: M2M tokens carry no `userId`, and code " +
			"that reads `userId` without branching on `tokenType` treats them like a user session. " +
			"`treatPendingAsSignedOut: false` treats sessions with pending tasks (for example an organization not yet " +
			"chosen) as signed in. In Go, `clerkhttp.Leeway()` above a minute and `AuthorizedPartyMatches()` with no " +
			"origins (it then accepts every `azp`) weaken the same checks. A hand-written `azp` check that runs only when " +
			"the claim is present (`if (claims.azp && !origins.includes(claims.azp))`) accepts every token without one, " +
			"and its list of origins is judged like `authorizedParties`. The key of a hand-written verifier or signer " +
			"(jsonwebtoken, jose, fast-jwt) that falls back to a string literal when its variable is unset " +
			"(`process.env.JWT_SECRET || 'dev-secret'`) lets anyone who reads the source sign tokens the verifier accepts " +
			"wherever the variable is missing.\n\n" +
			"A list the app's own helper builds (`authorizedParties: trustedOrigins(env.BASE_URL)`) is followed to the array literal the helper returns, and reported at the call. " +
			"Local origins inside a `NODE_ENV === 'development'` branch are not reported. A direct `authenticateRequest()` " +
			"or `verifyToken()` call with a literal options object and no `authorizedParties` is reported with low " +
			"confidence, and so is an `authenticateRequest()` call with no options on a client the same file builds with " +
			"`createClerkClient()` and a literal options object without them; a missing `authorizedParties` in `clerkMiddleware()` is not reported.",
		Bad: "export default clerkMiddleware({ authorizedParties: ['*'] })\n\n" +
			"const payload = await verifyToken(token, { secretKey, clockSkewInMs: 3_600_000 })\n\n" +
			"const { isAuthenticated, userId } = await auth({ acceptsToken: 'any' })\n" +
			"if (isAuthenticated) await db.user.update({ where: { id: userId }, data })",
		Good: "export default clerkMiddleware({ authorizedParties: ['https://app.example.com'] })\n\n" +
			"const payload = await verifyToken(token, { secretKey, authorizedParties: ['https://app.example.com'] })\n\n" +
			"const { isAuthenticated, tokenType, userId } = await auth({ acceptsToken: 'any' })\n" +
			"if (!isAuthenticated || tokenType !== 'session_token') return new Response(null, { status: 401 })",
	},
	Fix: fixRP018,
	Run: runRP018,
}

func fixRP018(p *project.Model, file string) string {
	if strings.HasSuffix(file, ".go") {
		return "Keep the default leeway (a few seconds): drop `clerkhttp.Leeway()` or keep it under a minute. Pass your exact " +
			"frontend origins to `clerkhttp.AuthorizedPartyMatches(\"https://app.example.com\")` (or use " +
			"`clerkhttp.AuthorizedParty(func(azp string) bool { ... })`)."
	}
	var b strings.Builder
	b.WriteString("Set `authorizedParties` to your exact production origins (`['https://app.example.com']`), never `'*'`, " +
		"`http://` or a request header; keep local origins in a `process.env.NODE_ENV === 'development'` branch. " +
		"Keep `clockSkewInMs` at its default (5000 ms). A hand-written `azp` check must reject a token whose `azp` is " +
		"missing too (`if (!claims.azp || !origins.includes(claims.azp))`). Read a signing key from the environment " +
		"without a literal fallback, and fail at start-up when it is unset. ")
	switch {
	case p.DependsOn(file, "@clerk/nextjs") && !p.NextEra(file).AsyncAuth():
		b.WriteString("Machine tokens (`acceptsToken`) need `@clerk/nextjs` 6.16 or later; on this version accept session tokens only. ")
	default:
		b.WriteString("With `acceptsToken: 'any'` or machine token types, branch on `tokenType` before using `userId` " +
			"(M2M tokens have none), or accept `'session_token'` only. ")
	}
	b.WriteString("Leave `treatPendingAsSignedOut` at its default (`true`) or check `sessionStatus` yourself.")
	return b.String()
}

func runRP018(pass *rules.Pass) error {
	if pass.File.Lang == source.LangGo {
		return runRP018Go(pass)
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	// A hand-written azp check judges the claims of a token verified
	// elsewhere (@fastify/jwt, jose), in a file that need not import Clerk.
	rp018CheckAzp(pass, f)
	rp018KeyFallback(pass, f)
	// A file that does not import Clerk may still verify through a Clerk
	// client an app module builds (`getClerkClient(env).authenticateRequest`,
	// `api.verifyToken`): only those two methods, on a receiver the model
	// resolves to a Clerk client (rp018IsClerkCall).
	direct := f.ImportsFrom(jsast.IsClerkModule)
	for _, call := range f.Calls(f.Root, func(n string) bool {
		last := jsast.LastSegment(n)
		if !direct {
			return last == "authenticateRequest" || last == "verifyToken"
		}
		_, ok := knowledge.VerifyOptionsArg(last)
		return ok || last == "register"
	}) {
		name := f.CalleeName(call)
		last := jsast.LastSegment(name)
		args := jsast.Args(call)
		idx, _ := knowledge.VerifyOptionsArg(last)
		if last == "register" {
			// fastify.register(clerkPlugin, { ... })
			if len(args) < 2 || f.ResolveClerk(f.Text(jsast.Unwrap(args[0]))) != "clerkPlugin" {
				continue
			}
			name, last, idx = "clerkPlugin", "clerkPlugin", 1
		} else if !rp018IsClerkCall(pass, f, call, name) {
			continue
		}
		var opts []*jsast.Node
		for i, a := range args {
			if idx >= 0 && i != idx {
				continue
			}
			if o := rp018Object(f, a); o != nil {
				opts = append(opts, o)
			}
		}
		for _, o := range opts {
			rp018CheckOptions(pass, f, call, name, o)
		}
		if (last == "authenticateRequest" || last == "verifyToken") && len(opts) == 1 && len(args) > idx &&
			f.ObjectProp(opts[0], "authorizedParties") == nil && !jsast.HasSpread(opts[0]) && !nonProduction(f.Path) {
			o := opts[0]
			if f.ObjectProp(o, "jwtKey") == nil && f.ObjectProp(o, "secretKey") == nil && last == "verifyToken" {
				continue // not a Clerk session token verification we can judge
			}
			pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col, Confidence: rules.LowConfidence,
				Message: fmt.Sprintf("%s is called without `authorizedParties`, so a session token minted for any origin of this Clerk instance (including a compromised sibling subdomain) is accepted", rules.Code(name+"()"))})
		}
		if last == "authenticateRequest" && len(args) <= idx && !nonProduction(f.Path) {
			// authenticateRequest(req) with no options takes the client's
			// defaults: judged when the client is built here by
			// createClerkClient with a literal object lacking them.
			if cc := rp018ClientOptions(f, call); cc != nil {
				pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col, Confidence: rules.LowConfidence,
					Message: fmt.Sprintf("%s is called without options on a client that `createClerkClient()` (line %d) builds without `authorizedParties`, so a session token minted for any origin of this Clerk instance (including a compromised sibling subdomain) is accepted", rules.Code(name+"()"), cc.Line)})
			}
		}
	}
	return nil
}

// rp018ClientOptions returns the options object of the createClerkClient
// call that builds the receiver of call (a binding in the functions
// around it or at the top of the file) when that object is a literal
// with neither authorizedParties nor a spread; otherwise nil (a client
// from elsewhere, or options not written here, are not judged).
func rp018ClientOptions(f *jsast.File, call *jsast.Node) *jsast.Node {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return nil
	}
	recv := jsast.Unwrap(callee.ChildByField("object"))
	if recv == nil || recv.Type != "identifier" {
		return nil
	}
	v := model.ScopedValue(f, recv)
	if v == nil {
		v = f.LocalValue(f.Text(recv))
	}
	v = jsast.Unwrap(v)
	if v == nil || v.Type != "call_expression" || f.ResolveClerk(f.CalleeName(v)) != "createClerkClient" {
		return nil
	}
	args := jsast.Args(v)
	if len(args) != 1 {
		return nil
	}
	o := rp018Object(f, args[0])
	if o == nil || f.ObjectProp(o, "authorizedParties") != nil || jsast.HasSpread(o) {
		return nil
	}
	return o
}

// nonProduction reports the files no deployed request runs: examples,
// demos, playgrounds, templates, docs, tests and scripts
// (knowledge.NonRequestPath).
func nonProduction(p string) bool {
	_, ok := knowledge.NonRequestPath(p)
	return ok
}

// rp018IsClerkCall reports whether a call named name is Clerk's: a Clerk
// import (auth(), auth.protect(), verifyToken) or a method of a value the
// model resolves to a Clerk client (Model.ClerkClient: createClerkClient,
// clerkClient, an application module's client or factory), whatever the
// application names it. A client the model could not resolve for a read
// failure is not judged.
func rp018IsClerkCall(pass *rules.Pass, f *jsast.File, call *jsast.Node, name string) bool {
	if f.ResolveClerk(jsast.FirstSegment(strings.ReplaceAll(name, "()", ""))) != "" {
		return true
	}
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" || pass.Model == nil {
		return false
	}
	_, ok, err := pass.Model.ClerkClient(pass.Ctx, f, callee.ChildByField("object"))
	return err == nil && ok
}

// rp018Object returns the object literal an argument is (or names).
func rp018Object(f *jsast.File, a *jsast.Node) *jsast.Node {
	a = jsast.Unwrap(a)
	if a == nil {
		return nil
	}
	if a.Type == "identifier" {
		a = jsast.Unwrap(f.LocalValue(f.Text(a)))
	}
	if a != nil && jsast.IsFunction(a) {
		// clerkMiddleware(handler, (req) => ({ authorizedParties: [...] }))
		if body := a.ChildByField("body"); body != nil && body.Type != "statement_block" {
			a = jsast.Unwrap(body)
		}
	}
	if a != nil && a.Type == "object" {
		return a
	}
	return nil
}

func rp018CheckOptions(pass *rules.Pass, f *jsast.File, call *jsast.Node, name string, o *jsast.Node) {
	report := func(n *jsast.Node, msg string) {
		pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col, Message: msg})
	}
	if ap := f.ObjectProp(o, "authorizedParties"); ap != nil {
		rp018CheckParties(pass, f, ap, fmt.Sprintf("`authorizedParties` of %s", rules.Code(name+"()")), report)
	}
	if cs := f.ObjectProp(o, "clockSkewInMs"); cs != nil {
		if v, ok := f.Number(cs); ok && v > 60000 {
			report(cs, fmt.Sprintf("%s in %s accepts session tokens up to %s after they expire (the default is 5000 ms; session tokens live 60 s)", rules.Code("clockSkewInMs: "+
				f.Text(cs)), rules.Code(name+"()"), rp018Duration(v)))
		}
	}
	if tp := f.ObjectProp(o, "treatPendingAsSignedOut"); tp != nil && f.Text(jsast.Unwrap(tp)) == "false" {
		report(tp, fmt.Sprintf("`treatPendingAsSignedOut: false` in %s treats sessions with pending tasks (for example no organization chosen yet) as signed in", rules.Code(name+"()")))
	}
	if at := f.ObjectProp(o, "acceptsToken"); at != nil {
		var types []string
		if s, ok := f.StringValue(at); ok {
			types = []string{s}
		} else if l, _, ok := f.StringList(at); ok {
			types = l
		}
		// A single machine type is a deliberate choice (an API-key-only
		// endpoint reads the key owner's userId); 'any' or a list mixing
		// types is where the kinds get confused.
		machine := ""
		for _, t := range types {
			if knowledge.MachineTokenType(t) && (t == "any" || len(types) > 1) {
				machine = t
				break
			}
		}
		if machine == "" {
			return
		}
		if use := rp018UserIDWithoutTokenType(f, call); use != nil {
			report(at, fmt.Sprintf("%s accepts %s tokens, and `userId` is used (line %d) without checking `tokenType`: machine tokens count as authenticated, but an M2M token has no `userId` and an API key or OAuth token is not a signed-in session", rules.Code(name+"()"), rules.Code(machine), use.Line))
		}
	}
}

// rp018CheckParties reports '*', http:// origins outside a development
// branch, and values read from request headers.
// what names the list in messages ("`authorizedParties` of `verifyToken()`").
func rp018CheckParties(pass *rules.Pass, f *jsast.File, ap *jsast.Node, what string, report func(*jsast.Node, string)) {
	list := jsast.Unwrap(ap)
	if list != nil && list.Type == "identifier" {
		if v := jsast.Unwrap(f.LocalValue(f.Text(list))); v != nil {
			list = v
		}
	}
	if list != nil && list.Type == "call_expression" && pass.Model != nil {
		// authorizedParties: getAuthorizedParties(env.BASE_URL): the list
		// the app's helper returns, judged where it is written.
		if c := pass.Model.Callee(pass.Ctx, f, list); c.Kind == model.CalleeFunction {
			if hf, arr := returnedList(c.File, c.Fn); arr != nil {
				helper := rules.Code(f.CalleeName(list) + "()")
				reported := false // one finding at the call: the first weak origin names the line
				rp018CheckParties(pass, hf, arr, what+" (built by "+helper+")", func(el *jsast.Node, msg string) {
					if !reported {
						reported = true
						report(ap, fmt.Sprintf("%s (%s:%d)", msg, hf.Path, el.Line))
					}
				})
			}
		}
		return
	}
	if list == nil || list.Type != "array" {
		if list != nil && rp018FromHeaders(f, list) {
			report(ap, fmt.Sprintf("%s is built from a request header, so the caller chooses the origin it is checked against", what))
		}
		return
	}
	for _, el := range list.NamedChildren() {
		if rp018FromHeaders(f, el) {
			report(el, fmt.Sprintf("%s includes a value read from a request header, so the caller chooses the origin it is checked against", what))
			continue
		}
		s, ok := f.StringValue(el)
		if !ok {
			continue
		}
		switch {
		case strings.Contains(s, "*"):
			report(el, fmt.Sprintf("%s contains %s: Clerk compares the token's `azp` with these values literally, so this is no pattern: it states 'any origin' and either accepts tokens without `azp` only or breaks browser sign-in; list exact origins", what, rules.Code(s)))
		case strings.HasPrefix(strings.ToLower(s), "http://") && !rp018InDevBranch(f, el):
			msg := fmt.Sprintf("%s accepts the plain-http origin %s outside a development-only branch", what, rules.Code(s))
			if rp018Local(s) {
				// A local origin in shipped config: anyone can serve a page there.
				msg += "; any visitor can serve a page on their own localhost, so keep it in a `NODE_ENV === 'development'` branch"
				if f.Path != pass.File.Path {
					report(el, msg) // in a helper: shown at the call that uses the list
					continue
				}
				pass.Report(rules.Diagnostic{Line: el.Line, Column: el.Col, Confidence: rules.LowConfidence, Message: msg})
				continue
			}
			report(el, msg)
		}
	}
}

// rp018CheckAzp reports a hand-written check of a token's azp claim
// that passes a token without the claim (`if (claims.azp &&
// !origins.includes(claims.azp)) throw ...`): a token minted for no
// origin, or one stripped of the claim, is accepted from anywhere. Its
// list of origins is judged like authorizedParties.
func rp018CheckAzp(pass *rules.Pass, f *jsast.File) {
	for _, n := range jsast.Find(f.Root, "if_statement") {
		cond := jsast.Unwrap(n.ChildByField("condition"))
		if cond == nil || cond.Type != "binary_expression" || f.Text(cond.ChildByField("operator")) != "&&" {
			continue
		}
		claim := jsast.Unwrap(cond.ChildByField("left"))
		if !rp018IsAzp(f, claim) || !branchLeaves(f, n.ChildByField("consequence")) {
			continue
		}
		check := jsast.Unwrap(cond.ChildByField("right"))
		list := rp018AzpList(f, check, f.Text(claim))
		if list == nil {
			continue
		}
		pass.Report(rules.Diagnostic{Line: cond.Line, Column: cond.Col,
			Message: fmt.Sprintf("%s checks the `azp` claim only when the token has one: a token without `azp` is accepted whatever origin it was minted for; reject a missing `azp` too", rules.Code("if ("+f.Text(cond)+")"))})
		if v := rp018ScopedValue(f, n, list); v != nil {
			list = v
		}
		rp018CheckParties(pass, f, list, "the `azp` allowlist", func(x *jsast.Node, msg string) {
			pass.Report(rules.Diagnostic{Line: x.Line, Column: x.Col, Message: msg})
		})
	}
}

// rp018KeyFallback reports the key of a token verifier or signer
// (knowledge.TokenCallOf) that falls back to a string literal when its
// environment variable is unset (`process.env.JWT_SECRET || 'dev-secret'`):
// the literal is in the source, so whoever reads it signs tokens the
// verifier accepts wherever the variable is missing.
func rp018KeyFallback(pass *rules.Pass, f *jsast.File) {
	seen := map[*jsast.Node]bool{}
	for _, call := range jsast.Find(f.Root, "call_expression") {
		tc, ok := tokenCallAt(f, call)
		if !ok || !tc.Keyed() {
			continue
		}
		args := jsast.Args(call)
		if tc.KeyArg >= len(args) {
			continue
		}
		key := jsast.Unwrap(args[tc.KeyArg])
		if tc.KeyOption != "" {
			if o := rp018Object(f, key); o != nil {
				key = jsast.Unwrap(f.ObjectProp(o, tc.KeyOption))
			} else {
				continue
			}
		}
		if key != nil && key.Type == "identifier" {
			if v := rp018ScopedValue(f, call, key); v != nil {
				key = jsast.Unwrap(v)
			} else {
				key = jsast.Unwrap(f.LocalValue(f.Text(key)))
			}
		}
		name, lit, v, ok := f.EnvFallback(key)
		if !ok || seen[key] {
			continue
		}
		op := f.Text(key.ChildByField("operator"))
		seen[key] = true
		pass.Report(rules.Diagnostic{Line: lit.Line, Column: lit.Col, Severity: rules.High, Secrets: []string{v},
			Match: name + " " + op + " " + redact.Secret(v),
			Message: fmt.Sprintf("the key of %s falls back to the hard-coded string %s when %s is unset: anyone who reads the source signs tokens it accepts",
				rules.Code(f.CalleeName(call)+"()"), rules.Code(redact.Secret(v)), rules.Code(name))})
	}
}

// rp018ScopedValue returns the value a function-local variable named by
// id is declared with before at (const origins = [...]), or nil.
func rp018ScopedValue(f *jsast.File, at, id *jsast.Node) *jsast.Node {
	id = jsast.Unwrap(id)
	scope := jsast.EnclosingFunction(at)
	if id == nil || id.Type != "identifier" || scope == nil {
		return nil
	}
	var val *jsast.Node
	for _, d := range jsast.Find(scope, "variable_declarator") {
		if d.Line <= at.Line && f.Text(d.ChildByField("name")) == f.Text(id) {
			val = d.ChildByField("value")
		}
	}
	return val
}

// rp018IsAzp reports an expression that reads the azp claim: claims.azp,
// payload['azp'], or a variable named azp.
func rp018IsAzp(f *jsast.File, n *jsast.Node) bool {
	if n == nil {
		return false
	}
	switch n.Type {
	case "identifier":
		return f.Text(n) == "azp"
	case "member_expression":
		return f.Text(n.ChildByField("property")) == "azp"
	case "subscript_expression":
		v, ok := f.StringValue(n.ChildByField("index"))
		return ok && v == "azp"
	}
	return false
}

// rp018AzpList returns the list a check compares the claim with:
// `!list.includes(claim)` or `!list.some(...)`/`indexOf(claim) === -1`;
// nil when check is not a membership test of claim.
func rp018AzpList(f *jsast.File, check *jsast.Node, claim string) *jsast.Node {
	if check == nil {
		return nil
	}
	if check.Type == "unary_expression" && f.Text(check.ChildByField("operator")) == "!" {
		check = jsast.Unwrap(check.ChildByField("argument"))
	} else if check.Type == "binary_expression" {
		check = jsast.Unwrap(check.ChildByField("left")) // list.indexOf(azp) === -1
	}
	if check == nil || check.Type != "call_expression" {
		return nil
	}
	fn := jsast.Unwrap(check.ChildByField("function"))
	if fn == nil || fn.Type != "member_expression" {
		return nil
	}
	switch f.Text(fn.ChildByField("property")) {
	case "includes", "indexOf", "has":
	default:
		return nil
	}
	if a := jsast.Args(check); len(a) != 1 || f.Text(jsast.Unwrap(a[0])) != claim {
		return nil
	}
	return fn.ChildByField("object")
}

// rp018FromHeaders reports whether n reads a request header (Origin,
// Host, Referer) directly.
func rp018FromHeaders(f *jsast.File, n *jsast.Node) bool {
	found := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if found {
			return false
		}
		switch x.Type {
		case "member_expression", "subscript_expression":
			if name := f.Name(x); strings.Contains(name, "headers.") || strings.HasSuffix(name, ".headers") && x.Type == "subscript_expression" {
				found = true
			}
		case "call_expression":
			name := f.CalleeName(x)
			last := jsast.LastSegment(name)
			if (last == "get" && strings.Contains(name, "headers")) || ((last == "get" || last == "header") && (strings.HasPrefix(name, "req.") || strings.HasPrefix(name, "request.") || strings.HasPrefix(name, "c.req."))) {
				if a := jsast.Args(x); len(a) == 1 {
					if h, ok := f.StringValue(a[0]); ok {
						switch strings.ToLower(h) {
						case "origin", "host", "referer", "x-forwarded-host", "x-forwarded-proto":
							found = true
						}
					}
				}
			}
		}
		return !found
	})
	return found
}

// rp018InDevBranch reports whether n sits in a branch taken only in
// development: a ternary, if or && whose condition names NODE_ENV
// 'development', import.meta.env.DEV or an isDev-style flag.
func rp018InDevBranch(f *jsast.File, n *jsast.Node) bool {
	isDev := func(c *jsast.Node) bool {
		t := f.Text(c)
		return strings.Contains(t, "development") || strings.Contains(t, "env.DEV") || strings.Contains(t, "isDev") ||
			strings.Contains(t, "IS_DEV") || strings.Contains(t, "isLocal") || (strings.Contains(t, "production") && strings.Contains(t, "!"))
	}
	for p := n.Parent; p != nil; p = p.Parent {
		switch p.Type {
		case "ternary_expression":
			if c := p.ChildByField("condition"); c != nil && !c.Contains(n) && isDev(c) {
				return true
			}
		case "binary_expression":
			if l := p.ChildByField("left"); l != nil && !l.Contains(n) && isDev(l) {
				return true
			}
		case "if_statement":
			if c := p.ChildByField("condition"); c != nil && isDev(c) {
				return true
			}
		case "program":
			return false
		}
	}
	// const parties = isDev ? [...] : [...] handled above; also a list named for dev.
	return false
}

// rp018UserIDWithoutTokenType returns the first use of userId in the
// function around call (or in the callback of clerkMiddleware) when the
// function never mentions tokenType.
func rp018UserIDWithoutTokenType(f *jsast.File, call *jsast.Node) *jsast.Node {
	scope := jsast.EnclosingFunction(call)
	if scope == nil {
		return nil
	}
	checksType := false
	jsast.Walk(scope, func(x *jsast.Node) bool {
		switch x.Type {
		case "identifier", "property_identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern":
			if f.Text(x) == "tokenType" {
				checksType = true
			}
		}
		return !checksType
	})
	if checksType {
		return nil
	}
	// if (!userId) return ...: a token without a user is rejected.
	for _, n := range jsast.Find(scope, "if_statement") {
		cond := n.ChildByField("condition")
		mentions := false
		jsast.Walk(cond, func(x *jsast.Node) bool {
			if (x.Type == "identifier" || x.Type == "property_identifier") && f.Text(x) == "userId" {
				mentions = true
			}
			return !mentions
		})
		if mentions && branchLeaves(f, n.ChildByField("consequence")) {
			return nil
		}
	}
	var use *jsast.Node
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if use != nil {
			return false
		}
		switch x.Type {
		case "identifier", "property_identifier", "shorthand_property_identifier":
			if f.Text(x) == "userId" && x.Line >= call.Line && !rp018IsDeclaration(x) {
				use = x
			}
		}
		return true
	})
	return use
}

// rp018IsDeclaration reports whether an identifier is a binding or an
// object key rather than a read.
func rp018IsDeclaration(x *jsast.Node) bool {
	p := x.Parent
	if p == nil {
		return false
	}
	switch p.Type {
	case "shorthand_property_identifier_pattern", "object_pattern", "pair_pattern":
		return true
	case "variable_declarator":
		return p.ChildByField("name") == x
	case "pair":
		return p.ChildByField("key") == x
	}
	return false
}

func rp018Duration(ms float64) string {
	switch {
	case ms >= 3600000:
		return fmt.Sprintf("%g h", ms/3600000)
	case ms >= 60000:
		return fmt.Sprintf("%g min", ms/60000)
	}
	return fmt.Sprintf("%g s", ms/1000)
}

// Go: clerkhttp.Leeway(d) over a minute, AuthorizedPartyMatches() with no
// origins, and jwt.VerifyParams{Leeway: d}.
func runRP018Go(pass *rules.Pass) error {
	f, err := goast.Parse(pass.File)
	if err != nil {
		return nil
	}
	httpPkg := f.ImportName("github.com/clerk/clerk-sdk-go/v2/http")
	jwtPkg := f.ImportName("github.com/clerk/clerk-sdk-go/v2/jwt")
	if httpPkg == "" && jwtPkg == "" {
		return nil
	}
	ast.Inspect(f.AST, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			name := goast.CallName(x)
			switch {
			case httpPkg != "" && name == httpPkg+".Leeway" && len(x.Args) == 1:
				if d, ok := rp018GoDuration(x.Args[0]); ok && d > 60 {
					pass.Report(rules.Diagnostic{Line: f.Line(x.Pos()), Column: f.Col(x.Pos()),
						Message: fmt.Sprintf("%s accepts session tokens up to %s after they expire (session tokens live 60 s)", rules.Code(fmt.Sprintf("%s(%s)", name, f.Text(x.Args[0]))), rp018Duration(d*1000))})
				}
			case httpPkg != "" && name == httpPkg+".AuthorizedPartyMatches" && len(x.Args) == 0:
				pass.Report(rules.Diagnostic{Line: f.Line(x.Pos()), Column: f.Col(x.Pos()),
					Message: fmt.Sprintf("%s is given no origins, and with an empty list it accepts every `azp`: tokens minted for any origin of the instance pass", rules.Code(name+"()"))})
			}
		case *ast.CompositeLit:
			if jwtPkg == "" || goast.ExprName(x.Type) != jwtPkg+".VerifyParams" {
				return true
			}
			for _, e := range x.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok || goast.ExprName(kv.Key) != "Leeway" {
					continue
				}
				if d, ok := rp018GoDuration(kv.Value); ok && d > 60 {
					pass.Report(rules.Diagnostic{Line: f.Line(kv.Pos()), Column: f.Col(kv.Pos()),
						Message: fmt.Sprintf("%s in %s accepts session tokens up to %s after they expire", rules.Code("Leeway: "+f.Text(kv.Value)), rules.Code(goast.ExprName(x.Type)), rp018Duration(d*1000))})
				}
			}
		}
		return true
	})
	return nil
}

// rp018GoDuration evaluates a constant time.Duration expression in
// seconds: `2 * time.Minute`, `time.Hour`, `90 * time.Second`.
func rp018GoDuration(e ast.Expr) (float64, bool) {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return rp018GoDuration(x.X)
	case *ast.BasicLit:
		if x.Kind == token.INT || x.Kind == token.FLOAT {
			v, err := strconv.ParseFloat(strings.ReplaceAll(x.Value, "_", ""), 64)
			return v / 1e9, err == nil // a bare number is nanoseconds
		}
	case *ast.SelectorExpr:
		switch x.Sel.Name {
		case "Nanosecond":
			return 1e-9, true
		case "Millisecond":
			return 1e-3, true
		case "Second":
			return 1, true
		case "Minute":
			return 60, true
		case "Hour":
			return 3600, true
		}
	case *ast.BinaryExpr:
		if x.Op != token.MUL {
			return 0, false
		}
		l, lok := rp018GoScalar(x.X)
		r, rok := rp018GoDuration(x.Y)
		if lok && rok {
			return l * r, true
		}
		l2, lok2 := rp018GoDuration(x.X)
		r2, rok2 := rp018GoScalar(x.Y)
		if lok2 && rok2 {
			return l2 * r2, true
		}
	}
	return 0, false
}

func rp018GoScalar(e ast.Expr) (float64, bool) {
	if c, ok := e.(*ast.CallExpr); ok && len(c.Args) == 1 {
		if goast.CallName(c) == "time.Duration" {
			return rp018GoScalar(c.Args[0])
		}
	}
	if b, ok := e.(*ast.BasicLit); ok && (b.Kind == token.INT || b.Kind == token.FLOAT) {
		v, err := strconv.ParseFloat(strings.ReplaceAll(b.Value, "_", ""), 64)
		return v, err == nil
	}
	return 0, false
}

// rp018Local reports a loopback origin.
func rp018Local(origin string) bool {
	h := strings.TrimPrefix(strings.ToLower(origin), "http://")
	return strings.HasPrefix(h, "localhost") || strings.HasPrefix(h, "127.0.0.1") || strings.HasPrefix(h, "[::1]")
}

// returnedList is the array literal a helper returns: `return [...]`, or
// `return parties` where parties was declared with an array literal in
// the helper (elements pushed later under a condition are the caller's
// own values, not judged).
func returnedList(f *jsast.File, fn *jsast.Node) (*jsast.File, *jsast.Node) {
	body := jsast.FunctionBody(fn)
	if body == nil {
		return nil, nil
	}
	var arr *jsast.Node
	jsast.Walk(body, func(n *jsast.Node) bool {
		if arr != nil || (n != fn && jsast.IsFunction(n)) {
			return false
		}
		if n.Type != "return_statement" || len(n.NamedChildren()) == 0 {
			return true
		}
		v := jsast.Unwrap(n.NamedChildren()[0])
		if v != nil && v.Type == "identifier" {
			name := f.Text(v)
			jsast.Walk(body, func(d *jsast.Node) bool {
				if d.Type == "variable_declarator" && f.Text(d.ChildByField("name")) == name {
					v = jsast.Unwrap(d.ChildByField("value"))
					return false
				}
				return arr == nil
			})
		}
		if v != nil && v.Type == "array" {
			arr = v
		}
		return false
	})
	if arr == nil {
		return nil, nil
	}
	return f, arr
}
