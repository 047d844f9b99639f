package hardening

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// SESS002 flags Clerk session or JWT-template tokens (getToken() results)
// written where they outlive their 60-second lifetime or reach other eyes:
// logs, Web Storage, AsyncStorage, document.cookie, long-lived cookies and
// rendered output.
var SESS002 = &rules.Rule{
	ID:         "CLK-SESS-002",
	Name:       "session-token-stored-or-logged",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  6,
	Files:      func(f *source.File) bool { return !f.Binary && (f.IsJS() || f.Lang == source.LangGo) },
	Keywords:   slices.Concat(sess002TokenWords, sess002GoWords, []string{"request"}),
	Doc: rules.Doc{
		Title: "session token stored or logged where it persists",
		Text: "Clerk session tokens live 60 seconds and the SDK refreshes them in the background, so a token stolen " +
			"through XSS or read from a log is useless a minute later. Writing a `getToken()` result to " +
			"`localStorage`/`sessionStorage`/`AsyncStorage` or `document.cookie`, logging it, rendering it into a page, " +
			"or caching it in a cookie that lives for minutes or hours turns it into a bearer credential that others " +
			"can read (any script on the page, whoever reads the logs or a cached page). A JWT-template token " +
			"(`getToken({ template })`) may live much longer and is worse. Call `getToken()` when the request is made " +
			"and send it in the `Authorization` header; on Expo keep the SDK's `tokenCache` backed by `expo-secure-store`.",
		Bad: `const token = await getToken()
localStorage.setItem('token', token)
console.log('token', token)`,
		Good: `const res = await fetch('/api/data', {
  headers: { Authorization: ` + "`Bearer ${await getToken()}`" + ` },
})`,
		References: []string{
			"https://clerk.com/docs/guides/secure/best-practices/xss-leak-protection",
			"https://clerk.com/docs/guides/how-clerk-works/overview",
			"https://clerk.com/docs/guides/sessions/jwt-templates",
			"https://clerk.com/docs/references/expo/token-cache",
		},
	},
	Fix: func(p *project.Model, path string) string {
		fix := "Do not keep the token: call the session's `session.getToken()` right before each request and send it in the `Authorization` header " +
			"(the SDK caches and refreshes it). Remove the log line, and never render the token or store it in Web Storage or a cookie of your own."
		if p.DependsOn(path, "@clerk/clerk-expo") || p.DependsOn(path, "@clerk/expo") {
			fix += " On Expo, pass the SDK's `tokenCache` (backed by `expo-secure-store`) to `<ClerkProvider>` instead of AsyncStorage."
		}
		return fix
	},
	Run: runSESS002,
}

// maxCookieSeconds is the longest a cookie holding a token may live: a few
// session-token lifetimes.
const maxCookieSeconds = 300

// sess002TokenWords are the words without which a JavaScript module
// reads no session token; sess002GoWords are the Go reads (a header, a
// cookie, a query parameter) goTokenLogs looks at.
var (
	sess002TokenWords = []string{"getToken", "cookies.get(", "getCookie("}
	sess002GoWords    = []string{"Header.Get(", "GetHeader(", "Cookie(", "Query("}
)

// mayLogRequest reports whether a module can log the incoming request
// object: it names a request and calls a logger. The keyword index runs
// the rule on every module naming a request; this keeps the parse for
// the ones that also log.
func mayLogRequest(c []byte) bool {
	return bytes.Contains(c, []byte("request")) && (bytes.Contains(c, []byte("console.")) || wordStarts(c, "log"))
}

// wordStarts reports whether an identifier in c starts with w (`log.info`,
// `logger`, `this.log(`), not merely contains it (`dialog`, `catalog`).
func wordStarts(c []byte, w string) bool {
	for i := 0; ; {
		j := bytes.Index(c[i:], []byte(w))
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 || !isIdentByte(c[at-1]) {
			return true
		}
		i = at + len(w)
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func containsAny(c []byte, words []string) bool {
	for _, w := range words {
		if bytes.Contains(c, []byte(w)) {
			return true
		}
	}
	return false
}

func runSESS002(pass *rules.Pass) error {
	if pass.File.Lang == source.LangGo {
		goTokenLogs(pass)
		return nil
	}
	if c := pass.File.Content; !containsAny(c, sess002TokenWords) && !mayLogRequest(c) {
		return nil // neither a token read nor a logged request: not parsed
	}
	f := pass.AST(pass.File)
	if f == nil || definesGetToken(f) {
		return nil // a token cache's own getToken(key) reads storage, it is not Clerk's
	}
	reportCookieTokensReturned(pass, f)
	reportLoggedRequests(pass, f)
	vars := tokenVars(f)
	if len(vars) == 0 && len(f.Calls(f.Root, isGetToken)) == 0 {
		return nil
	}
	holds := func(n *jsast.Node) bool { return holdsToken(f, n, vars) }
	report := func(n *jsast.Node, msg string) {
		pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col, Message: msg})
	}
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		name := f.CalleeName(call)
		args := jsast.Args(call)
		last := jsast.LastSegment(name)
		recv := strings.TrimSuffix(name, "."+last)
		switch {
		case knowledge.LogCall(name):
			for _, a := range args {
				if holds(a) {
					report(call, fmt.Sprintf("%s writes a Clerk session token to the log", rules.Code(name+"()")))
					break
				}
			}
		case knowledge.WebStorage(recv) && last == "setItem" && len(args) >= 2 && holds(args[1]):
			report(call, fmt.Sprintf("%s stores a Clerk session token where every script on the page (or the device's storage) can read it", rules.Code(name+"()")))
		case (last == "set" || last == "cookie" || last == "setCookie") && isCookieCall(name) && len(args) >= 2:
			val, opts := args[1], (*jsast.Node)(nil)
			if last == "setCookie" && len(args) >= 3 { // h3: setCookie(event, name, value, opts)
				val = args[2]
				if len(args) >= 4 {
					opts = args[3]
				}
			} else if len(args) >= 3 {
				opts = args[2]
			}
			if !holds(val) {
				continue
			}
			if secs, ok := cookieLifetime(f, opts, last == "cookie"); ok && secs > maxCookieSeconds {
				report(call, fmt.Sprintf("%s caches a Clerk token in a cookie for %s; it stays usable after sign-out for as long as the token's own lifetime allows",
					rules.Code(name+"()"), humanSeconds(secs)))
			}
		}
	}
	// document.cookie = `token=${token}`, template tokens cached in module
	// state on the server, and tokens rendered into JSX.
	// Server code: not a client module, and no React hook of Clerk's.
	server := f.Directive() != "use client" && len(f.Calls(f.Root, func(n string) bool {
		return strings.HasPrefix(n, "use") && f.ResolveClerk(n) != ""
	})) == 0
	globals := moduleVars(f)
	tmpl := templateTokenVars(f)
	holdsTemplate := func(n *jsast.Node) bool {
		return containsTemplateCall(f, n) || !hasNestedFunction(n) && holdsToken(f, n, tmpl)
	}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "assignment_expression":
			left := n.ChildByField("left")
			switch {
			case f.Name(left) == "document.cookie" && holds(n.ChildByField("right")):
				report(n, "`document.cookie` stores a Clerk session token readable by every script on the page")
			case server && left != nil && left.Type == "identifier" && globals[f.Text(left)] && jsast.EnclosingFunction(n) != nil && holdsTemplate(n.ChildByField("right")):
				report(n, "a JWT-template token is cached in module state ("+rules.Code(f.Text(left))+") and reused across requests and users for as long as its lifetime allows")
			}
		case "call_expression":
			fn := n.ChildByField("function")
			args := jsast.Args(n)
			if !server || fn == nil || fn.Type != "member_expression" || len(args) < 2 {
				break
			}
			switch f.Text(fn.ChildByField("property")) {
			case "set", "setex", "put":
				recv := f.Name(fn.ChildByField("object"))
				if globals[recv] || cacheLike(recv) {
					for _, a := range args[1:] {
						if holdsTemplate(a) {
							report(n, "a JWT-template token is cached in "+rules.Code(recv)+" and reused across requests for as long as its lifetime allows")
							break
						}
					}
				}
			}
		case "jsx_expression":
			if holds(n) && jsast.Ancestor(n, "jsx_opening_element", "jsx_self_closing_element") == nil {
				report(n, "a Clerk session token is rendered into the page, where it reaches the HTML, caches and screenshots")
				return false
			}
		}
		return true
	})
	return nil
}

// moduleVars are the names a file declares at its top level.
func moduleVars(f *jsast.File) map[string]bool {
	out := map[string]bool{}
	for _, st := range f.Root.Children {
		if st.Type == "export_statement" {
			if d := st.ChildByField("declaration"); d != nil {
				st = d
			}
		}
		if st.Type != "lexical_declaration" && st.Type != "variable_declaration" {
			continue
		}
		for _, d := range st.NamedChildren() {
			if d.Type == "variable_declarator" {
				if n := d.ChildByField("name"); n != nil && n.Type == "identifier" {
					out[f.Text(n)] = true
				}
			}
		}
	}
	return out
}

// isTemplateCall matches getToken({ template }) and
// sessions.getToken(sessionId, template): a JWT-template token, whose
// lifetime the template sets.
func isTemplateCall(f *jsast.File, c *jsast.Node) bool {
	if c == nil || c.Type != "call_expression" || !isGetToken(f.CalleeName(c)) {
		return false
	}
	args := jsast.Args(c)
	return len(args) >= 2 || len(args) == 1 && f.ObjectProp(args[0], "template") != nil
}

// containsTemplateCall reports a template-token call evaluated with n;
// one inside a nested function (a fetch callback) runs per request, later.
func containsTemplateCall(f *jsast.File, n *jsast.Node) bool {
	found := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if x != n && jsast.IsFunction(x) {
			return false
		}
		found = found || isTemplateCall(f, x)
		return !found
	})
	return found
}

// templateTokenVars are the local names bound to a JWT-template token.
func templateTokenVars(f *jsast.File) map[string]bool {
	vars := map[string]bool{}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type == "variable_declarator" {
			if name := n.ChildByField("name"); name != nil && name.Type == "identifier" && isTemplateCall(f, jsast.Unwrap(n.ChildByField("value"))) {
				vars[f.Text(name)] = true
			}
		}
		return true
	})
	return vars
}

// hasNestedFunction reports a function inside n: its token use is later.
func hasNestedFunction(n *jsast.Node) bool {
	found := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		found = found || x != n && jsast.IsFunction(x)
		return !found
	})
	return found
}

// cacheLike names receivers that keep values between requests.
func cacheLike(name string) bool {
	l := strings.ToLower(jsast.FirstSegment(name))
	for _, w := range []string{"cache", "redis", "kv", "lru", "memo"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// cookieArgs returns the name and value arguments of a cookie setter call
// (h3's setCookie(event, name, value) takes the event first).
func cookieArgs(f *jsast.File, call *jsast.Node) (name, val *jsast.Node) {
	args := jsast.Args(call)
	if jsast.LastSegment(f.CalleeName(call)) == "setCookie" {
		args = args[min(1, len(args)):]
	}
	if len(args) < 2 {
		return nil, nil
	}
	return args[0], args[1]
}

// tokenCookies are the names of the cookies that the snapshot's code sets
// to a Clerk token (a getToken() result): the application's own token
// cache, which a later request reads back.
func tokenCookies(pass *rules.Pass) map[string]bool {
	out := map[string]bool{}
	for _, p := range pass.Paths() {
		src := pass.Get(p)
		if src == nil || !src.IsJS() || !bytes.Contains(src.Content, []byte("getToken")) {
			continue
		}
		f := pass.AST(src)
		if f == nil || definesGetToken(f) {
			continue
		}
		vars := tokenVars(f)
		for _, c := range f.Calls(f.Root, isCookieCall) {
			if name, val := cookieArgs(f, c); name != nil && holdsToken(f, val, vars) {
				if v, ok := f.StringValue(name); ok {
					out[v] = true
				}
			}
		}
	}
	return out
}

// reportCookieTokensReturned reports an entry that reads the application's
// token cookie and returns its value: page data and JSON responses reach
// the browser, where an httpOnly cookie kept it from scripts.
func reportCookieTokensReturned(pass *rules.Pass, f *jsast.File) {
	if pass.Model == nil || len(cookieReads(f, f.Root)) == 0 {
		return
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil || len(es) == 0 {
		return
	}
	var cookies map[string]bool
	for _, e := range es {
		ef := e.FnFile
		if e.Fn == nil || ef == nil || ef.Path != pass.File.Path {
			continue
		}
		read := cookieReads(ef, e.Fn)
		if len(read) == 0 {
			continue
		}
		if cookies == nil {
			cookies = tokenCookies(pass)
		}
		for _, r := range jsast.Find(e.Fn, "return_statement") {
			if jsast.EnclosingFunction(r) != e.Fn {
				continue // a callback's return value stays on the server
			}
			for local, c := range read {
				if cookies[c] && mentions(ef, r, map[string]bool{local: true}) {
					pass.Report(rules.Diagnostic{Line: r.Line, Column: r.Col,
						Message: fmt.Sprintf("%s %s returns the Clerk token cached in the %s cookie to the browser (as %s)",
							e.Kind, rules.Code(e.Label()), rules.Code(c), rules.Code(local))})
				}
			}
		}
	}
}

// cookieReads maps the local names bound in n to a cookie read
// (cookies.get('name'), getCookie(event, 'name')) to the cookie's name.
func cookieReads(f *jsast.File, n *jsast.Node) map[string]string {
	read := map[string]string{}
	jsast.Walk(n, func(x *jsast.Node) bool {
		if x.Type != "variable_declarator" {
			return true
		}
		id, v := x.ChildByField("name"), jsast.Unwrap(x.ChildByField("value"))
		if id == nil || id.Type != "identifier" || v == nil || v.Type != "call_expression" {
			return true
		}
		name := f.CalleeName(v)
		args := jsast.Args(v)
		if jsast.LastSegment(name) == "getCookie" && len(args) > 1 {
			args = args[1:]
		} else if !strings.HasSuffix(name, "cookies.get") {
			return true
		}
		if len(args) > 0 {
			if c, ok := f.StringValue(args[0]); ok {
				read[f.Text(id)] = c
			}
		}
		return true
	})
	return read
}

// isGetToken matches Clerk's getToken() in every form (useAuth, auth(),
// session.getToken, clerkClient.sessions.getToken).
func isGetToken(name string) bool { return jsast.LastSegment(name) == "getToken" }

// definesGetToken reports a file that declares its own getToken function
// or method (an Expo tokenCache implementation).
func definesGetToken(f *jsast.File) bool {
	found := false
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if found {
			return false
		}
		switch n.Type {
		case "method_definition", "function_declaration":
			found = f.Text(n.ChildByField("name")) == "getToken"
		case "pair":
			found = f.Text(n.ChildByField("key")) == "getToken" && jsast.IsFunction(jsast.Unwrap(n.ChildByField("value")))
		}
		return !found
	})
	return found
}

// tokenVars are the local names bound to a getToken() result.
func tokenVars(f *jsast.File) map[string]bool {
	vars := map[string]bool{}
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if n.Type == "variable_declarator" {
			name, v := n.ChildByField("name"), jsast.Unwrap(n.ChildByField("value"))
			if name != nil && name.Type == "identifier" && v != nil && v.Type == "call_expression" && isGetToken(f.CalleeName(v)) {
				vars[f.Text(name)] = true
			}
		}
		return true
	})
	return vars
}

// holdsToken reports whether an expression carries the token's value: a
// getToken() call or a token variable, also inside template strings, string
// concatenation, objects and JSON.stringify. Tests of it (!!token, token ?
// a : b, token.length, comparisons) do not carry it.
func holdsToken(f *jsast.File, n *jsast.Node, vars map[string]bool) bool {
	found := false
	jsast.Walk(n, func(x *jsast.Node) bool {
		if found {
			return false
		}
		switch x.Type {
		case "unary_expression":
			return false
		case "binary_expression":
			op := x.ChildByField("operator")
			return op != nil && f.Text(op) == "+"
		case "ternary_expression":
			for _, c := range []string{"consequence", "alternative"} {
				if holdsToken(f, x.ChildByField(c), vars) {
					found = true
				}
			}
			return false
		case "member_expression":
			return false // token.length, token.slice: not the value
		case "call_expression":
			if isGetToken(f.CalleeName(x)) {
				found = true
				return false
			}
			if fn := x.ChildByField("function"); fn != nil && fn.Type == "member_expression" && f.Name(fn) != "JSON.stringify" {
				// a method of the token (token.substring(0, 8)) is not the token
				if obj := fn.ChildByField("object"); obj != nil && vars[f.Text(obj)] {
					return false
				}
			}
		case "identifier", "shorthand_property_identifier":
			if vars[f.Text(x)] {
				found = true
			}
		}
		return true
	})
	return found
}

// isCookieCall matches the cookie setters of the frameworks Clerk supports:
// cookies().set / cookies.set (Next.js, SvelteKit, Astro), res.cookie
// (Express), setCookie (h3, Hono).
func isCookieCall(name string) bool {
	switch jsast.LastSegment(name) {
	case "setCookie":
		return true
	case "cookie":
		return strings.Contains(jsast.FirstSegment(name), "res") || strings.HasSuffix(name, "reply.cookie")
	case "set":
		return strings.Contains(strings.ToLower(name), "cookies")
	}
	return false
}

// cookieLifetime is a cookie's lifetime in seconds from its options
// (maxAge in seconds, or in milliseconds for Express's res.cookie; any
// expires counts as long-lived).
func cookieLifetime(f *jsast.File, opts *jsast.Node, millis bool) (int64, bool) {
	if opts == nil {
		return 0, false
	}
	if v := f.ObjectProp(opts, "maxAge"); v != nil {
		n, ok := numberValue(f, v)
		if !ok {
			return 0, false
		}
		if millis {
			n /= 1000
		}
		return n, true
	}
	if f.ObjectProp(opts, "expires") != nil {
		return maxCookieSeconds + 1, true
	}
	return 0, false
}

// numberValue evaluates a number written in code, in whole units.
func numberValue(f *jsast.File, n *jsast.Node) (int64, bool) {
	v, ok := f.Number(n)
	return int64(v), ok
}

func humanSeconds(s int64) string {
	switch {
	case s >= 86400 && s%86400 == 0:
		return fmt.Sprintf("%d day(s)", s/86400)
	case s >= 3600 && s%3600 == 0:
		return fmt.Sprintf("%d hour(s)", s/3600)
	case s >= 60 && s%60 == 0:
		return fmt.Sprintf("%d minutes", s/60)
	}
	return fmt.Sprintf("%d s", s)
}

// goTokenLogs reports the log calls of the Go middleware in the pass's
// file that print the request's session token itself
// (model.Layer.LogsToken): whoever reads the server's logs holds the
// callers' bearer tokens.
func goTokenLogs(pass *rules.Pass) {
	if pass.Model == nil {
		return
	}
	hits, err := pass.Model.GoLayerFindings(pass.Ctx, pass.File.Path, func(l model.Layer) []model.Proof { return l.LogsToken })
	if err != nil {
		return
	}
	for _, h := range hits {
		pass.Report(rules.Diagnostic{Line: h.Line,
			Message: fmt.Sprintf("%s in %s writes the caller's session token from the request to the server log, where whoever reads the logs can replay it",
				rules.Code(h.What), rules.Code(h.Layer))})
	}
}

// reportLoggedRequests reports a log call (knowledge.LogCall) that writes
// an entry's incoming Request object itself, alone or as a property of a
// logged object ({ params, request }): Node's inspection of a Request
// prints its headers, the Cookie header carrying the caller's __session
// token and the Authorization header its bearer token. Only a request
// destructured from the entry's context ({ request }) counts: that name
// is the Request (model.RequestNames), not a context wrapping it.
func reportLoggedRequests(pass *rules.Pass, f *jsast.File) {
	if pass.Model == nil {
		return
	}
	for _, call := range f.Calls(f.Root, knowledge.LogCall) {
		fn := jsast.EnclosingFunction(call)
		if fn == nil {
			continue
		}
		reqs := destructuredRequests(f, fn, pass.Model.RequestNames(pass.Ctx, f.Path, fn))
		if len(reqs) == 0 {
			continue
		}
		for _, a := range jsast.Args(call) {
			if name, ok := loggedRequest(f, a, reqs); ok {
				pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col,
					Message: fmt.Sprintf("%s writes the incoming request %s, whose printed headers carry the caller's Clerk session token (the __session cookie or the Authorization bearer), to the log",
						rules.Code(f.CalleeName(call)+"()"), rules.Code(name))})
				break
			}
		}
	}
}

// destructuredRequests keeps the request names of fn that its first
// parameter destructures ({ request }, { request: req }).
func destructuredRequests(f *jsast.File, fn *jsast.Node, names []string) map[string]bool {
	ps := fn.ChildByField("parameters")
	if ps == nil || len(names) == 0 {
		return nil
	}
	out := map[string]bool{}
	jsast.Walk(ps, func(n *jsast.Node) bool {
		switch n.Type {
		case "shorthand_property_identifier_pattern":
			out[f.Text(n)] = true
		case "pair_pattern":
			if v := n.ChildByField("value"); v != nil && v.Type == "identifier" {
				out[f.Text(v)] = true
			}
		}
		return true
	})
	keep := map[string]bool{}
	for _, n := range names {
		if out[n] {
			keep[n] = true
		}
	}
	return keep
}

// loggedRequest reports a logged argument that is the request itself or
// an object literal with it as a property's value.
func loggedRequest(f *jsast.File, a *jsast.Node, reqs map[string]bool) (string, bool) {
	a = jsast.Unwrap(a)
	switch a.Type {
	case "identifier":
		return f.Text(a), reqs[f.Text(a)]
	case "object":
		for _, p := range a.NamedChildren() {
			switch p.Type {
			case "shorthand_property_identifier":
				if reqs[f.Text(p)] {
					return f.Text(p), true
				}
			case "pair":
				if v := jsast.Unwrap(p.ChildByField("value")); v != nil && v.Type == "identifier" && reqs[f.Text(v)] {
					return f.Text(v), true
				}
			}
		}
	}
	return "", false
}
