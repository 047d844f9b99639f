package routes

import (
	"bytes"
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
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP017 flags hand-rolled token handling: claims read without signature
// verification, jwt.verify without pinned algorithms, and identity taken
// from a request header.
var RP017 = &rules.Rule{
	ID:         "CLK-RP-017",
	Name:       "jwt-decoded-without-verify",
	Pack:       rules.PackRoutes,
	Severity:   rules.Critical,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		if f.Binary || srvIsTestPath(f.Path) {
			return false
		}
		return f.IsJS() || f.Lang == source.LangAstro || f.Lang == source.LangGo
	},
	// The syntax checks need the first keywords; the entry check (an
	// identity decoded in a helper of another file) runs on entry files.
	Keywords: []string{"decode", "Decode", "ParseUnverified", "split(", "x-user", "x-clerk-user", "x-auth-user", "jsonwebtoken", "getSessionList",
		"req", "Request", "serve(", "Query", "Mutation", "Action", "query(", "mutation(", "action(", "use server"},
	Doc: rules.Doc{
		Title: "session token decoded without verification or identity taken from a header",
		References: []string{
			"https://clerk.com/docs/guides/sessions/manual-jwt-verification",
		},
		Text: "`jwt.decode()` (jsonwebtoken), `jwtDecode()` (jwt-decode), `jose.decodeJwt()`, `decodeJwt()` from " +
			"`@clerk/backend/jwt`, base64-decoding `token.split('.')[1]`, Go's `jwt.ParseUnverified()` and clerk-sdk-go's " +
			"`jwt.Decode()` all return the claims of any token, signed or not: whoever sends `{\"sub\":\"user_admin\"}` becomes " +
			"that user. Request headers such as `x-user-id` are set by the client. Clerk session tokens must be verified " +
			"(signature, `exp`/`nbf`, `azp`) before their claims decide anything. `jwt.verify()` without `algorithms` " +
			"accepts whatever algorithm the token names on jsonwebtoken before 9 (9 pins the algorithms to the key's type).\n\nThe claims are also followed from where they are decoded, across lines, " +
			"helpers and files, into the entry points of every framework the model knows: an entry whose query selects by a " +
			"claim of a token decoded without verification (`JSON.parse(atob(parts[1])).sub` in a Supabase Edge Function) is " +
			"reported at the entry. A request header whose value decides authorization is the caller's choice too: " +
			"a header naming a role (or read into a variable that does) compared with a literal in a check that ends the " +
			"request (`if (req.headers['x-user-role'] !== 'admin') return res.status(403)...`) passes for anyone who " +
			"sends that value. In Go, a request header whose value a function that verifies no token uses to look the " +
			"Clerk user up (`client.Users().Read(id)`, `user.Get(ctx, id)`) is taken as the caller's user id, whatever " +
			"the header is called. A session token minted with `sessions.getToken()` for a session picked from " +
			"`sessions.getSessionList()` (any of the user's sessions, ended ones too) instead of the request's own " +
			"session is reported with low severity.\n\nDecoding only to log or to pick the `kid` before a verification " +
			"in the same function, decoding after the same token was verified, and decoding only to render the claims " +
			"are fine and not reported.",
		Bad:  "const { sub } = jwt.decode(req.cookies.__session)\nconst orders = await db.order.findMany({ where: { userId: sub } })",
		Good: "const { sub } = await verifyToken(req.cookies.__session, {\n  jwtKey: process.env.CLERK_JWT_KEY,\n  authorizedParties: ['https://app.example.com'],\n})",
	},
	Fix: func(p *project.Model, file string) string {
		if strings.HasSuffix(file, ".go") {
			return "Verify the token: use `clerkhttp.RequireHeaderAuthorization()` middleware, or `jwt.Verify(ctx, &jwt.VerifyParams{Token: token, JWK: jwk})` " +
				"from clerk-sdk-go v2, or golang-jwt's `jwt.Parse` with a key function that pins RS256. Never make decisions on unverified claims."
		}
		return "Verify the token before trusting it: `verifyToken(token, { jwtKey: process.env.CLERK_JWT_KEY, authorizedParties: [...] })` " +
			"from `@clerk/backend`, `authenticateRequest()`, or `getAuth(req)` behind Clerk's middleware. If you verify by hand, " +
			"use `jwt.verify(token, publicKey, { algorithms: ['RS256'] })` and check `azp`. Never take identity from a request header the client can set."
	},
	Run: runRP017,
}

// srvIsTestPath reports whether p is a test or fixture file.
func srvIsTestPath(p string) bool {
	return strings.Contains(p, ".test.") || strings.Contains(p, ".spec.") || strings.Contains(p, "__tests__/") ||
		strings.HasSuffix(p, "_test.go") || strings.Contains(p, "/testdata/") || strings.HasPrefix(p, "testdata/")
}

func runRP017(pass *rules.Pass) error {
	if pass.File.Lang == source.LangGo {
		return runRP017Go(pass)
	}
	if bytes.Contains(pass.File.Content, []byte("getSessionList")) {
		if f := pass.AST(pass.File); f != nil {
			reportListedSessionToken(pass, f)
		}
	}
	if !mayHandleTokens(pass.File.Content) {
		// No decoding or identity header here: only the entry check, which
		// asks the model (an entry file's claims decoded in a helper).
		reportDecodedIdentity(pass, nil)
		return nil
	}
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	setsHeader := map[string]bool{}
	for _, call := range f.Calls(f.Root, func(n string) bool { return strings.HasSuffix(n, ".set") || strings.HasSuffix(n, ".setHeader") }) {
		if a := jsast.Args(call); len(a) > 0 {
			if v, ok := f.StringValue(a[0]); ok {
				setsHeader[strings.ToLower(v)] = true
			}
		}
	}
	decoded := map[int]bool{} // lines of the unverified decodes reported
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "call_expression":
			name := f.CalleeName(n)
			tc, isToken := tokenCallAt(f, n) // knowledge.TokenCallOf
			switch {
			case isToken && tc.Use == knowledge.Decodes:
				if !verifiedNearby(pass, f, n) && !srvOnlyLogged(f, n) {
					decoded[n.Line] = true
					pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col,
						Message: fmt.Sprintf("%s returns the token's claims without verifying its signature, so a forged token is accepted; nothing in this function verifies it", rules.Code(name+"()"))})
				}
			case isToken && tc.Use == knowledge.Verifies && tc.Package == "jsonwebtoken" && !jsonwebtokenPinsByKey(pass):
				a := jsast.Args(n)
				if len(a) < 3 || f.ObjectProp(a[2], "algorithms") == nil {
					if len(a) >= 3 && jsast.Unwrap(a[2]).Type != "object" {
						break // options built elsewhere
					}
					pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col, Severity: rules.Medium,
						Message: fmt.Sprintf("%s is called without `algorithms`, so the token chooses its own algorithm; pin `algorithms: ['RS256']` for Clerk session tokens", rules.Code(name+"()"))})
				}
			}
		case "subscript_expression", "variable_declarator":
			if model.HandDecodedPayload(f, n) && !verifiedNearby(pass, f, n) && !srvOnlyLogged(f, n) {
				decoded[n.Line] = true
				pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col,
					Message: "the token's payload segment is base64-decoded by hand, which reads the claims without verifying the signature"})
			}
		}
		return true
	})
	reportHeaderReads(pass, f, setsHeader)
	reportDecodedIdentity(pass, decoded)
	return nil
}

// reportHeaderReads reports the request headers read in this file that
// the model finds in its entries (Model.HeaderReads: the handler's
// request and the helpers it passes it to, whatever they are named): one
// that carries the user's identity (knowledge.IdentityHeaderOf), and one
// whose value decides authorization (reportRoleHeader). A header the
// file itself sets (the application's own middleware) is not the
// client's.
func reportHeaderReads(pass *rules.Pass, f *jsast.File, setsHeader map[string]bool) {
	if pass.Model == nil {
		return
	}
	es, err := pass.Model.Entries(pass.Ctx)
	if err != nil {
		return
	}
	seen := map[[2]int]bool{}
	for _, e := range es {
		for _, hr := range pass.Model.HeaderReads(pass.Ctx, e) {
			k := [2]int{hr.Line, hr.Col}
			if hr.File != f.Path || seen[k] || setsHeader[strings.ToLower(hr.Header)] {
				continue
			}
			seen[k] = true
			if _, id := knowledge.IdentityHeaderOf(hr.Header); id {
				pass.Report(rules.Diagnostic{Line: hr.Line, Column: hr.Col,
					Message: fmt.Sprintf("the %s request header is read as the user's identity, but any client can send it", rules.Code(hr.Header))})
				continue
			}
			if n := readAt(f, hr); n != nil {
				reportRoleHeader(pass, f, n, hr.Header, hr.Var)
			}
		}
	}
}

// readAt returns the node of a header read the model located.
func readAt(f *jsast.File, hr model.HeaderRead) *jsast.Node {
	var at *jsast.Node
	jsast.Walk(f.Root, func(x *jsast.Node) bool {
		if at != nil || x.Line > hr.Line {
			return false
		}
		if x.Line == hr.Line && x.Col == hr.Col {
			switch x.Type {
			case "call_expression", "subscript_expression", "member_expression":
				at = x
				return false
			}
		}
		return true
	})
	return at
}

// reportListedSessionToken reports a session token minted
// (knowledge.BackendCallIn: sessions.getToken) for a session picked from
// a list of the user's sessions (sessions.getSessionList) instead of the
// request's own session: the list holds every session of the user, ended
// or revoked ones and other devices' too, so the token may speak for a
// session the request is not.
func reportListedSessionToken(pass *rules.Pass, f *jsast.File) {
	listed := map[string]bool{}
	for _, d := range jsast.Find(f.Root, "variable_declarator") {
		v := jsast.Unwrap(d.ChildByField("value"))
		id := d.ChildByField("name")
		if v == nil || v.Type != "call_expression" || id == nil || id.Type != "identifier" {
			continue
		}
		if bc, ok := knowledge.BackendCallIn(f.CalleeName(v)); ok && bc.Resource == "sessions" && bc.Method == "getSessionList" {
			listed[f.Text(id)] = true
		}
	}
	if len(listed) == 0 {
		return
	}
	for _, call := range jsast.Find(f.Root, "call_expression") {
		bc, ok := knowledge.BackendCallIn(f.CalleeName(call))
		args := jsast.Args(call)
		if !ok || bc.Resource != "sessions" || bc.Method != "getToken" || len(args) == 0 {
			continue
		}
		from := ""
		jsast.Walk(args[0], func(x *jsast.Node) bool {
			if x.Type == "identifier" && listed[f.Text(x)] {
				from = f.Text(x)
			}
			return from == ""
		})
		if from == "" {
			continue
		}
		pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col, Severity: rules.Low,
			Message: fmt.Sprintf("%s mints a token for %s, a session picked from %s (any of the user's sessions, ended ones too), not the request's own session: use the verified session id (`auth.sessionId`)",
				rules.Code(f.CalleeName(call)+"()"), rules.Code(f.Text(args[0])), rules.Code(from))})
	}
}

// jsonwebtokenPinsByKey reports whether the file's jsonwebtoken is 9 or
// later, whose verify() without `algorithms` accepts only the algorithms
// of the key's type (HS* for a secret, RS*/PS* for an RSA key) and
// rejects `none`, so the token cannot choose
// (https://github.com/auth0/node-jsonwebtoken/blob/master/CHANGELOG.md,
// 9.0.0; GHSA-8cf7-32gw-wr33, GHSA-hjrf-2m68-5959).
func jsonwebtokenPinsByKey(pass *rules.Pass) bool {
	v, ok := pass.Project.Version(pass.File.Path, "jsonwebtoken")
	return ok && v != nil && v.Major() >= 9
}

// tokenSyntaxWords are the words without which a file holds none of the
// syntax the rule checks itself (a decoder, a hand-split token, a request
// header read): the rest of its files only get the entry check.
var tokenSyntaxWords = [][]byte{[]byte("decode"), []byte("Decode"), []byte("ParseUnverified"), []byte("split("),
	[]byte("eader"), []byte("jsonwebtoken")}

func mayHandleTokens(content []byte) bool {
	for _, w := range tokenSyntaxWords {
		if bytes.Contains(content, w) {
			return true
		}
	}
	return false
}

// reportDecodedIdentity reports the entries of the file whose data
// effects are selected by the claims of a token decoded without
// verification (the model's FromToken inputs), followed across helpers
// and lines: the decoded sub is whatever the caller wrote.
//
// decoded holds the lines where this file's unverified decodes were
// already reported: a handler that decodes and keeps the claims on one
// line (`const claims = jwt.decode(token)`) is one mistake, reported once.
func reportDecodedIdentity(pass *rules.Pass, decoded map[int]bool) {
	if pass.Model == nil {
		return
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return
	}
	for _, e := range es {
		if e.File != pass.File.Path {
			continue
		}
		x, ok := tokenSelected(pass.Model.Effects(pass.Ctx, e))
		if !ok {
			continue
		}
		// Point at the handler's first value holding the claims, when
		// it is in this file; else at the entry.
		line, held := e.Line, ""
		for _, in := range pass.Model.Inputs(pass.Ctx, e) {
			if in.Source == model.FromToken && in.File == pass.File.Path {
				line, held = in.Line, " (`"+in.Name+"`)"
				break
			}
		}
		if decoded[line] {
			continue
		}
		pass.Report(rules.Diagnostic{Line: line,
			Message: fmt.Sprintf("%s selects data by the claims of a token decoded without verifying its signature%s, at `%s` (%s): a forged token names any user",
				rules.Code(e.Label()), held, x.Call, x.Location),
			Related: []rules.Location{{Path: x.File, Line: x.Line}}})
	}
}

// tokenSelected returns the first effect whose arguments use a claim of
// a token decoded without verification.
func tokenSelected(fx model.Effects) (model.Effect, bool) {
	for _, x := range fx.List {
		for _, src := range x.Request {
			if src == model.FromToken {
				return x, true
			}
		}
	}
	return model.Effect{}, false
}

// reportRoleHeader reports a request header that decides authorization:
// its value, read at n directly or through the variable it initialises,
// is compared with a string literal in an if whose branch ends the request
// (`if (req.headers['x-user-role'] !== 'admin') return res.status(403)`),
// and the header or the variable names a role (model.RoleName). The
// header is the caller's to choose, so the check passes for anyone who
// sends the expected value.
func reportRoleHeader(pass *rules.Pass, f *jsast.File, n *jsast.Node, header, held string) {
	if !model.RoleName(header) && !model.RoleName(held) {
		return
	}
	scope := jsast.EnclosingFunction(n)
	if scope == nil {
		return
	}
	for _, st := range jsast.Find(scope, "if_statement") {
		if st.Line < n.Line || !branchLeaves(f, st.ChildByField("consequence")) {
			continue
		}
		cond := st.ChildByField("condition")
		for _, cmp := range jsast.Find(cond, "binary_expression") {
			switch f.Text(cmp.ChildByField("operator")) {
			case "===", "!==", "==", "!=":
			default:
				continue
			}
			l, r := jsast.Unwrap(cmp.ChildByField("left")), jsast.Unwrap(cmp.ChildByField("right"))
			if _, ok := f.StringValue(l); ok {
				l, r = r, l
			}
			if _, ok := f.StringValue(r); !ok || l == nil {
				continue
			}
			if l != n && (held == "" || l.Type != "identifier" || f.Text(l) != held) {
				continue
			}
			pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col, Severity: rules.High,
				Message: fmt.Sprintf("the %s request header decides authorization (%s, line %d), but any client can send it: take the role from the verified session (`has({ role })`, the session claims)",
					rules.Code(header), rules.Code(f.Text(cmp)), cmp.Line)})
			return
		}
	}
}

func srvIsAssignTarget(n *jsast.Node) bool {
	p := n.Parent
	return p != nil && (p.Type == "assignment_expression" || p.Type == "augmented_assignment_expression") && p.ChildByField("left") == n
}

// verifiedNearby reports whether the function around n also verifies a
// token (decode to read the kid, then verify): a call the model says
// verifies (Model.VerifiesToken: a library or Clerk verifier, or a helper
// of the application that calls one).
func verifiedNearby(pass *rules.Pass, f *jsast.File, n *jsast.Node) bool {
	scope := jsast.EnclosingFunction(n)
	if scope == nil || pass.Model == nil {
		return scope != nil // no model: unknown, never a finding
	}
	found := false
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if x.Type == "call_expression" && x != n && pass.Model.VerifiesToken(pass.Ctx, f, x) {
			found = true
		}
		return !found
	})
	return found
}

// srvOnlyLogged reports whether the value of expression n only reaches
// log calls or rendered markup: it is a log call's argument or inside a
// JSX expression, or it initialises a variable every use of which is.
// Claims shown to the user whose token it is decide nothing.
func srvOnlyLogged(f *jsast.File, n *jsast.Node) bool {
	var top *jsast.Node = n
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == "call_expression" && knowledge.LogCall(f.CalleeName(p)) || p.Type == "jsx_expression" {
			return true
		}
		if p.Type == "variable_declarator" {
			top = p
			break
		}
		if p.Type == "expression_statement" || jsast.IsFunction(p) {
			return false
		}
	}
	if top == n {
		return false
	}
	id := top.ChildByField("name")
	if id == nil || id.Type != "identifier" {
		return false
	}
	name := f.Text(id)
	scope := jsast.EnclosingFunction(top)
	if scope == nil {
		scope = f.Root
	}
	uses, logged := 0, 0
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if x.Type == "identifier" && x != id && f.Text(x) == name {
			uses++
			for p := x.Parent; p != nil && p != scope; p = p.Parent {
				if p.Type == "call_expression" && knowledge.LogCall(f.CalleeName(p)) || p.Type == "jsx_expression" {
					logged++
					break
				}
			}
		}
		return true
	})
	return uses > 0 && uses == logged
}

// Go: golang-jwt ParseUnverified and clerk-sdk-go's jwt.Decode.
func runRP017Go(pass *rules.Pass) error {
	f, err := goast.Parse(pass.File)
	if err != nil {
		return nil
	}
	golangJWT := false // ParseUnverified is a function (v3/v4) or a Parser method (v4/v5)
	for _, p := range []string{"github.com/golang-jwt/jwt/v5", "github.com/golang-jwt/jwt/v4", "github.com/golang-jwt/jwt", "github.com/dgrijalva/jwt-go", "github.com/form3tech-oss/jwt-go"} {
		if f.ImportName(p) != "" {
			golangJWT = true
		}
	}
	clerkDecode := ""
	if n := f.ImportName("github.com/clerk/clerk-sdk-go/v2/jwt"); n != "" {
		clerkDecode = n + ".Decode"
	}
	clerkSDK := false
	for _, im := range f.AST.Imports {
		if p, err := strconv.Unquote(im.Path.Value); err == nil && knowledge.GoClerkPath(p) != "" {
			clerkSDK = true
		}
	}
	reported := map[token.Pos]bool{}
	if clerkSDK {
		goHeaderIdentity(pass, f, reported)
	}
	goFailOpen(pass)
	goReportHeaderReads(pass, f, reported)
	if !golangJWT && clerkDecode == "" {
		return nil
	}
	isUnverified := func(call *ast.CallExpr) bool {
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && golangJWT && sel.Sel.Name == "ParseUnverified" {
			return true
		}
		return clerkDecode != "" && goast.CallName(call) == clerkDecode
	}
	for _, d := range f.AST.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		verifies := false
		var hits []*ast.CallExpr
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if isUnverified(call) {
				hits = append(hits, call)
				return true
			}
			last := ""
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				last = sel.Sel.Name
			}
			if last == "Verify" || last == "Parse" || last == "ParseWithClaims" {
				verifies = true
			}
			return true
		})
		if verifies {
			continue // decode to read the kid, then verify
		}
		for _, call := range hits {
			pass.Report(rules.Diagnostic{Line: f.Line(call.Pos()), Column: f.Col(call.Pos()),
				Message: fmt.Sprintf("%s returns the token's claims without verifying its signature, and %s does not verify the token", rules.Code(srvGoCallLabel(f, call)), rules.Code(fd.Name.Name))})
		}
	}
	return nil
}

// goFailOpen reports, in the pass's file, the returns of a gin middleware
// that rejects a request without a token but lets one whose token fails
// to decode go on unverified (model.Layer.FailsOpen): gin runs the
// handlers when a middleware returns without c.Abort(), so a malformed
// token skips the verification that follows.
func goFailOpen(pass *rules.Pass) {
	if pass.Model == nil {
		return
	}
	hits, err := pass.Model.GoLayerFindings(pass.Ctx, pass.File.Path, func(l model.Layer) []model.Proof { return l.FailsOpen })
	if err != nil {
		return
	}
	for _, h := range hits {
		routes := rules.Code(h.Routes[0])
		if len(h.Routes) > 1 {
			routes += fmt.Sprintf(" and %d more", len(h.Routes)-1)
		}
		pass.Report(rules.Diagnostic{Line: h.Line, Severity: rules.High,
			Message: fmt.Sprintf("%s %s: it rejects a request without a token, but one whose token does not decode goes on unverified to the routes behind it (%s), because gin runs the rest of the chain unless the middleware calls c.Abort()",
				rules.Code(h.Layer), h.What, routes)})
	}
}

// goHeaderIdentity reports a request header whose value a function takes
// as a user id: it looks the Clerk user up by it (knowledge.BackendCallOf
// reads users: user.Get(ctx, id), client.Users().Read(id)) in a function
// that verifies no token. Whatever its name, the header is the client's
// to set, so the caller picks the user they act as.
func goHeaderIdentity(pass *rules.Pass, f *goast.File, at map[token.Pos]bool) {
	for _, d := range f.AST.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		headers := map[string]*ast.CallExpr{} // variable -> the header read it holds
		verifies := false
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.AssignStmt:
				if len(x.Lhs) == 1 && len(x.Rhs) == 1 {
					if id, ok := x.Lhs[0].(*ast.Ident); ok {
						if c, ok := x.Rhs[0].(*ast.CallExpr); ok && goHeaderRead(c) {
							headers[id.Name] = c
						}
					}
				}
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Verify" || sel.Sel.Name == "VerifyToken") {
					verifies = true
				}
			}
			return true
		})
		if len(headers) == 0 || verifies {
			continue
		}
		reported := map[string]bool{}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || !goUserLookup(f, c) {
				return true
			}
			for _, a := range c.Args {
				id, ok := a.(*ast.Ident)
				if !ok || headers[id.Name] == nil || reported[id.Name] {
					continue
				}
				read := headers[id.Name]
				reported[id.Name] = true
				at[read.Pos()] = true
				name, _ := strconv.Unquote(f.Text(read.Args[0]))
				pass.Report(rules.Diagnostic{Line: f.Line(read.Pos()), Column: f.Col(read.Pos()), Severity: rules.Critical,
					Message: fmt.Sprintf("the %s request header is taken as the caller's user id (%s looks the user up by it, line %d), but any client can send it: %s verifies no session token, so the caller acts as any user",
						rules.Code(name), rules.Code(f.Text(c.Fun)+"()"), f.Line(c.Pos()), rules.Code(fd.Name.Name))})
			}
			return true
		})
	}
}

// goHeaderRead reports a read of a named request header:
// r.Header.Get("x"), c.Request.Header.Get("x"), c.GetHeader("x").
func goHeaderRead(c *ast.CallExpr) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || len(c.Args) != 1 {
		return false
	}
	if lit, ok := c.Args[0].(*ast.BasicLit); !ok || lit.Kind != token.STRING {
		return false
	}
	if sel.Sel.Name == "GetHeader" {
		return true
	}
	h, ok := sel.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Get" && h.Sel.Name == "Header"
}

// goUserLookup reports a Clerk Backend call that reads a user by id
// (knowledge.BackendCallOf, ReadsUsers): user.Get(ctx, id) of the v2
// SDK's user package, client.Users().Read(id) of v1.
func goUserLookup(f *goast.File, c *ast.CallExpr) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	resource := ""
	switch x := sel.X.(type) {
	case *ast.Ident:
		if f.ImportName("github.com/clerk/clerk-sdk-go/v2/user") != x.Name {
			return false
		}
		resource = x.Name
	case *ast.CallExpr:
		if s, ok := x.Fun.(*ast.SelectorExpr); ok && len(x.Args) == 0 {
			resource = s.Sel.Name + "()"
		}
	}
	bc, ok := knowledge.BackendCallOf(resource, sel.Sel.Name)
	return ok && bc.Privilege == knowledge.ReadsUsers
}

// srvGoCallLabel names a Go call for a message: "jwt.Decode",
// "ParseUnverified" for a method on a parser.
func srvGoCallLabel(f *goast.File, call *ast.CallExpr) string {
	if n := goast.CallName(call); n != "" {
		return n
	}
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		return sel.Sel.Name
	}
	return f.Text(call.Fun)
}
