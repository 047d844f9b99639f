package model

import (
	"errors"
	"regexp"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// builtinRoots are global objects whose methods are never data access.
var builtinRoots = map[string]bool{"Object": true, "Array": true, "JSON": true, "Promise": true, "Math": true, "Date": true,
	"Response": true, "NextResponse": true, "Number": true, "String": true, "Boolean": true, "Error": true, "URL": true,
	"Buffer": true, "Symbol": true, "Reflect": true, "Intl": true, "Map": true, "Set": true, "console": true, "process": true,
	"window": true, "document": true, "z": true, "Headers": true, "Request": true, "FormData": true, "crypto": true}

// effectOf classifies a library call: a data access, a Clerk Backend API
// call, mail or money, a paid API. It returns nil for other calls.
func (a *analyzer) effectOf(n *jsast.Node) *effect {
	if e, ok := a.effs[n]; ok {
		return e
	}
	e := a.computeEffect(n)
	a.effs[n] = e
	return e
}

func (a *analyzer) computeEffect(n *jsast.Node) *effect {
	f := a.f
	callee := jsast.Unwrap(n.ChildByField("function"))
	if callee == nil {
		return nil
	}
	name := f.CalleeName(n)
	clean := strings.ReplaceAll(name, "()", "")
	root := rootIdent(callee)
	if root == nil || clean == "" {
		return nil
	}
	rname := f.Text(root)
	if builtinRoots[rname] {
		return nil
	}
	rv, bound := a.vars[rname]
	if bound && rv.kind == vOther && a.dynamicImport(rname) {
		bound = false // const { getDb } = await import('./db'): the module's export, as if imported
	}
	if rv.kind == vTRPCCtx {
		// ctx.db.note.findMany(): the data client createContext attached,
		// named as the application names it.
		rest, ok := strings.CutPrefix(clean, rname+".")
		if !ok || !strings.Contains(rest, ".") {
			return nil
		}
		clean, rname = rest, jsast.FirstSegment(rest)
		rv, bound = value{}, false
	}
	if rv.kind == vReq {
		// locals.db.update(...): the data client the hook stored in locals.
		if rest, ok := strings.CutPrefix(clean, rname+"."); ok && strings.Contains(rest, ".") {
			if cv := a.member(rv, jsast.FirstSegment(rest)); cv.kind == vClient {
				clean, rname, rv = rest, jsast.FirstSegment(rest), cv
			}
		}
	}
	last := jsast.LastSegment(clean)
	mk := func(k EffectKind, selects bool) *effect {
		return &effect{Effect: Effect{Kind: k, Call: clean, Selects: selects, AsCaller: rv.kind == vClient && rv.asCaller}}
	}
	if call, ok := a.clerkAPIRequest(n, rname, bound); ok {
		// A hand-written Backend API request is the SDK call it stands for
		// (asked first: its URL may carry a caller-chosen query).
		if bc, _ := knowledge.BackendCallAt(call.method, call.path); bc.Privilege == knowledge.ReadsUsers {
			return mk(ReadsData, true).named(call.String())
		}
		return mk(ClerkPrivilege, true).named(call.String())
	}
	if call, selects, ok := a.credentialedWrite(n, rname, clean, bound); ok {
		return mk(WritesData, selects).named(call)
	}
	if a.credentialedRead(n, rname, clean, bound) {
		return mk(ReadsData, true)
	}
	if a.relayedRead(n, rname, clean, bound) {
		return mk(Relays, true)
	}
	if a.outbound(n, rname, clean, bound) {
		return mk(Outbound, false)
	}
	if a.paidURL(n, rname, bound) {
		return mk(PaidAPI, false)
	}
	// The Clerk Backend API.
	if bc, ok := knowledge.BackendCallIn(clean); ok && (a.isClerkClient(root, rv, bound) || a.clientResult(callee)) {
		if bc.Privilege == knowledge.ReadsUsers {
			return mk(ReadsData, true)
		}
		return mk(ClerkPrivilege, !strings.HasPrefix(bc.Method, "create"))
	}
	if rv.kind == vParam {
		// A data root written as a member of a parameter (a helper's
		// ctx.db.get(id)).
		if rest, ok := strings.CutPrefix(clean, rname+"."); ok && strings.Count(rest, ".") == 1 {
			if libs, ok := knowledge.DataRoot(rname + "." + jsast.FirstSegment(rest)); ok {
				var eff knowledge.Effect
				for _, u := range knowledge.DataMethod(last) {
					if contains(libs, u.Library) {
						eff |= u.Effect
					}
				}
				if eff != 0 {
					return mk(dataKind(eff), !knowledge.IsCreate(last))
				}
			}
		}
	}
	switch rv.kind {
	case vReq, vRes, vNext, vRequest, vAuthObj, vIdentity, vUser, vCred, vHas, vRouteCtx, vPageProps, vGSSP, vReqCtx, vLocals, vParam, vHandler:
		return nil
	case vRow:
		// A fetched document or model instance written back: Mongoose's
		// doc.save()/deleteOne(), Sequelize's instance.update()/destroy()
		// (https://sequelize.org/docs/v6/core-concepts/model-instances/).
		if last == "save" || last == "remove" || last == "deleteOne" || last == "updateOne" ||
			strings.Count(clean, ".") == 1 && (last == "update" || last == "destroy") {
			return mk(WritesData, true)
		}
		return nil
	}
	pkg := ""
	switch {
	case rv.kind == vClient:
		pkg = rv.pkg
	case !bound:
		p, err := a.m.clientPackage(a.ctx, f, root, 0)
		if err != nil && !errors.Is(err, errNotFound) {
			a.s.incomplete = true
		}
		pkg = p
	}
	if pkg == "" && bound && rv.kind == vOther {
		// const stripe = getStripeClient(): a client the value analysis
		// does not follow; asking the payment provider's API is still a
		// payment check.
		if init := declInit(f, rname, rv.line); init != nil {
			if p, err := a.m.clientPackage(a.ctx, f, init, 0); err == nil && knowledge.PaymentProvider(p) && !knowledge.CheckoutStart(p, clean) {
				a.s.payment = true
			}
		}
	}
	if pkg != "" {
		if knowledge.PaymentProvider(pkg) && !knowledge.CheckoutStart(pkg, clean) {
			a.s.payment = true // not a checkout it only starts: that confirms no payment
		}
		if s, ok := knowledge.SendCall(pkg, clean); ok {
			e := mk(sendKind(s.Kind), false)
			e.StartsCheckout = s.Kind == knowledge.MovesMoney && knowledge.CheckoutStart(pkg, clean)
			return e
		}
		if _, ok := knowledge.PaidCall(pkg, clean); ok {
			return mk(PaidAPI, false)
		}
		isTag := clean == rname && n.ChildByField("arguments") != nil && n.ChildByField("arguments").Type == "template_string"
		if isTag {
			if _, ok := knowledge.DataCall(pkg, last); ok {
				return a.sqlEffect(n, clean)
			}
		}
		if clean != rname {
			if eff, ok := knowledge.DataCall(pkg, last); ok {
				if st := sqlOf(f, n); st.known && eff == knowledge.ReadWrite {
					if st.kind == "" {
						return nil // SELECT NOW(): no stored data
					}
					return mk(st.kind, st.selects)
				} else if writesByStatement(st, eff) {
					return mk(st.kind, st.selects)
				}
				eff = executed(clean, rname, eff, func(m string) knowledge.Effect { e, _ := knowledge.DataCall(pkg, m); return e })
				e := mk(dataKind(eff), !knowledge.IsCreate(last))
				if eff == knowledge.ReadWrite {
					e.sqlParam = a.statementParam(n)
				}
				e.NullSafeFilter = knowledge.NullFilterAsText(pkg)
				return e
			}
		}
		if _, ok := knowledge.DataLibraryOf(pkg); ok || knowledge.IsClerkPackage(pkg) {
			return nil // a known library, and not one of its data calls
		}
	}
	// The receiver's origin is unknown (a global, an untyped parameter):
	// the conventional names of data clients and models.
	if clean == rname {
		if im, ok := f.ImportOf(rname); ok {
			if _, lib := knowledge.DataLibraryOf(im.Source); lib {
				return nil // a known library's export (astro:db's sql``: a query fragment), and not one of its data calls
			}
		}
		if !bound && (rname == "sql") && n.ChildByField("arguments") != nil && n.ChildByField("arguments").Type == "template_string" {
			return a.sqlEffect(n, clean)
		}
		return nil
	}
	if !bound && strings.Count(clean, ".") == 1 && a.helperObject(rname, last) {
		return nil // store.add(x) of the application's own module: its helper is followed, not guessed from the name
	}
	if libs, ok := knowledge.DataRoot(rname); ok && !bound || ok && rv.kind == vOther && rname == "tx" {
		var eff knowledge.Effect
		of := func(m string) knowledge.Effect {
			var e knowledge.Effect
			for _, u := range knowledge.DataMethod(m) {
				if contains(libs, u.Library) || contains(libs, "") {
					e |= u.Effect
				}
			}
			return e
		}
		eff = executed(clean, rname, of(last), of)
		if st := sqlOf(f, n); writesByStatement(st, eff) {
			return mk(st.kind, st.selects)
		}
		if eff != 0 {
			return mk(dataKind(eff), !knowledge.IsCreate(last))
		}
	}
	if !bound && rname != "" && rname[0] >= 'A' && rname[0] <= 'Z' && strings.Count(clean, ".") == 1 && !constantName(rname) &&
		a.importPackage(rname) == "" {
		// User.find(), Booking.create(): an ORM model (SIDEBAR_ITEMS.find()
		// is an array constant). A class imported from a package that is
		// not a data library (pdf-lib's PDFDocument.create()) is that
		// package's, not a model.
		if eff := ormModelMethod(last); eff != 0 {
			return mk(dataKind(eff), !knowledge.IsCreate(last))
		}
	}
	if strings.Count(clean, ".") == 2 && injectedModel(f, callee) {
		// this.usersModel.findAll(): an ORM model the class was given.
		if eff := ormModelMethod(last); eff != 0 {
			return mk(dataKind(eff), !knowledge.IsCreate(last))
		}
	}
	if last == "save" && isNewModel(f, callee) {
		return mk(WritesData, false)
	}
	return nil
}

// ormModelMethod is the effect of a method called on an ORM model
// (Mongoose, Sequelize, TypeORM), 0 for any other method.
func ormModelMethod(method string) knowledge.Effect {
	var eff knowledge.Effect
	for _, u := range knowledge.DataMethod(method) {
		switch u.Library {
		case "mongoose", "sequelize", "typeorm":
			eff |= u.Effect
		}
	}
	return eff
}

// executed is the effect of a query builder's executor (`.run()`,
// `.execute()`: knowledge.ReadWrite on its own) by the data call that
// started the chain: db.select().from(t).run() reads,
// db.insert(t).values(v).run() writes. of gives a method's effect.
func executed(clean, rname string, eff knowledge.Effect, of func(string) knowledge.Effect) knowledge.Effect {
	if eff != knowledge.ReadWrite {
		return eff
	}
	first := jsast.FirstSegment(strings.TrimPrefix(clean, rname+"."))
	if first == "" || first == jsast.LastSegment(clean) {
		return eff
	}
	if fe := of(first); fe == knowledge.Read || fe == knowledge.Write {
		return fe
	}
	return eff
}

// helperObject reports whether name is imported from a file of the
// application that declares it as an object literal whose member method
// is a function of that file (export default { add, rename }): the
// application's own helper, which the analysis follows, whatever the
// receiver is called. A name the model cannot resolve is not one.
func (a *analyzer) helperObject(name, method string) bool {
	if im, ok := a.f.ImportOf(name); !ok || !isLocalSpec(im.Source) {
		return false
	}
	o, ok, err := a.m.origin(a.ctx, a.f, name)
	if err != nil || !ok {
		return false
	}
	of, v, err := a.m.originValue(a.ctx, o)
	if v = jsast.Unwrap(v); err != nil || v == nil || v.Type != "object" {
		return false
	}
	for _, c := range v.NamedChildren() {
		switch c.Type {
		case "method_definition":
			if of.Text(c.ChildByField("name")) == method {
				return true
			}
		case "pair":
			if propertyKey(of, c.ChildByField("key")) == method {
				return jsast.IsFunction(jsast.Unwrap(c.ChildByField("value")))
			}
		case "shorthand_property_identifier":
			if of.Text(c) == method {
				return jsast.IsFunction(jsast.Unwrap(of.LocalValue(method)))
			}
		}
	}
	return false
}

// sqlEffect classifies a tagged SQL template (sql`...`) by its statement
// (sqlOf); a statement it cannot name is a read and write. The table, when
// the text names it, is appended to the call ("sql.users") so that the
// record is named.
func (a *analyzer) sqlEffect(n *jsast.Node, call string) *effect {
	st := sqlOf(a.f, n)
	switch {
	case !st.known:
		return &effect{Effect: Effect{Kind: WritesData, Call: call, Selects: true}}
	case st.kind == "":
		return nil
	}
	if st.table != "" {
		call += "." + st.table
	}
	return &effect{Effect: Effect{Kind: st.kind, Call: call, Selects: st.selects}}
}

// writesByStatement reports a data call the knowledge table counts as a
// read whose SQL statement writes: a raw query method run with
// `UPDATE ... RETURNING *` (prisma.$queryRaw, which returns the rows)
// changes the rows its statement selects, whatever the method is
// usually used for.
func writesByStatement(st sqlStatement, eff knowledge.Effect) bool {
	return st.known && st.kind == WritesData && eff == knowledge.Read
}

// sqlStatement is what a raw SQL statement does.
type sqlStatement struct {
	kind    EffectKind // ReadsData, WritesData, or "" for no stored data (SELECT NOW())
	selects bool       // it selects existing rows (not an INSERT)
	table   string     // the table it names, or ""
	known   bool       // the statement's verb was read
}

// sqlOf reads the SQL statement of a query call, the leading literal of a
// tagged template (sql`SELECT ...`) or of the first argument
// (client.query('UPDATE ...')): SELECT (WITH, SHOW) reads, INSERT
// creates, UPDATE and DELETE change existing rows; a SELECT without FROM
// and a fragment composed into another statement (WHERE ..., an empty
// template) read no stored data. This is the one answer to "what does
// this SQL string do" for every caller.
func sqlOf(f *jsast.File, n *jsast.Node) sqlStatement {
	var q string
	if p := preparedBy(f, n); p != nil {
		return sqlOf(f, p) // db.prepare('SELECT ...').bind(id).all(): the statement prepared
	}
	if a := n.ChildByField("arguments"); a != nil && a.Type == "template_string" {
		if f.Text(a) == "``" {
			return sqlStatement{known: true} // sql``: an empty fragment
		}
		q = leadingLiteral(f, a)
	} else if args := jsast.Args(n); len(args) > 0 {
		q = leadingLiteral(f, statementOption(f, args[0]))
		if q == "" {
			q = leadingLiteral(f, constIn(f, jsast.Ancestor(n, functionTypes...), args[0]))
		}
	}
	return sqlStatementOf(q)
}

// preparedBy returns the call that prepared the statement a call runs,
// found down its chain (`db.prepare(sql).bind(id).first()`:
// knowledge.PreparesStatement), or nil.
func preparedBy(f *jsast.File, n *jsast.Node) *jsast.Node {
	for i := 0; i < 4; i++ {
		callee := jsast.Unwrap(n.ChildByField("function"))
		if callee == nil || callee.Type != "member_expression" {
			return nil
		}
		n = jsast.Unwrap(callee.ChildByField("object"))
		if n == nil || n.Type != "call_expression" {
			return nil
		}
		if c := jsast.Unwrap(n.ChildByField("function")); c != nil && c.Type == "member_expression" &&
			knowledge.PreparesStatement(f.Text(c.ChildByField("property"))) {
			return n
		}
	}
	return nil
}

// functionTypes are the node types of a function.
var functionTypes = []string{"function_declaration", "function_expression", "arrow_function", "method_definition",
	"generator_function_declaration", "generator_function"}

// constIn returns the value of the one const declaration of the
// identifier id in the function fn (const query = `SELECT ...` before
// client.query(query)), or nil when there is none or more than one.
func constIn(f *jsast.File, fn, id *jsast.Node) *jsast.Node {
	id = jsast.Unwrap(id)
	if fn == nil || id == nil || id.Type != "identifier" {
		return nil
	}
	name := f.Text(id)
	var val *jsast.Node
	n := 0
	jsast.Walk(fn, func(x *jsast.Node) bool {
		if x.Type == "variable_declarator" && f.Text(x.ChildByField("name")) == name {
			n++
			if d := x.Parent; d != nil && d.Type == "lexical_declaration" && strings.HasPrefix(f.Text(d), "const") {
				val = x.ChildByField("value")
			}
		}
		return true
	})
	if n != 1 {
		return nil
	}
	return val
}

// sqlStatementOf classifies the text of one SQL statement (for sqlOf and
// the Go side's query calls). Leading comment lines are skipped: sqlc's
// generated constants open with the "-- name: <Name> :<cmd>" annotation
// (https://docs.sqlc.dev/en/latest/reference/query-annotations.html).
func sqlStatementOf(q string) sqlStatement {
	for {
		q = strings.TrimSpace(q)
		if !strings.HasPrefix(q, "--") {
			break
		}
		i := strings.IndexByte(q, '\n')
		if i < 0 {
			return sqlStatement{}
		}
		q = q[i+1:]
	}
	text := strings.ToLower(q)
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return sqlStatement{}
	}
	switch fields[0] {
	case "where", "and", "or", "order", "group", "having", "limit", "offset", "join", "left", "inner", "set", "values":
		// A fragment (sql`WHERE status = ${s}`) composed into the
		// statement that embeds it: no effect of its own.
		return sqlStatement{known: true}
	case "select", "with", "show":
		if wordAfter(fields, "from") == "" && !strings.Contains(text, " from ") {
			return sqlStatement{known: true}
		}
		// The statement's own FROM, not a subquery's of the select list.
		return sqlStatement{kind: ReadsData, selects: true, table: wordAfter(strings.Fields(topLevel(text)), "from"), known: true}
	case "insert":
		return sqlStatement{kind: WritesData, table: wordAfter(fields, "into"), known: true}
	case "update":
		return sqlStatement{kind: WritesData, selects: true, table: wordAfter(fields, "update"), known: true}
	case "delete":
		return sqlStatement{kind: WritesData, selects: true, table: wordAfter(fields, "from"), known: true}
	case "upsert", "merge", "replace":
		return sqlStatement{kind: WritesData, selects: true, known: true}
	}
	return sqlStatement{}
}

// wordAfter returns the identifier that follows the keyword kw in a SQL
// statement's words ("" when there is none or it is not a plain name).
func wordAfter(fields []string, kw string) string {
	if kw == "" {
		return ""
	}
	for i, f := range fields {
		if f == kw && i+1 < len(fields) {
			t := strings.Trim(fields[i+1], `"'`+"`;(),")
			if i := strings.LastIndexByte(t, '.'); i >= 0 {
				t = t[i+1:] // public.users
			}
			for _, r := range t {
				if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
					return ""
				}
			}
			return t
		}
	}
	return ""
}

// httpClients are HTTP client packages whose call (or method call) takes
// the URL as its first argument.
var httpClients = map[string]bool{"axios": true, "got": true, "ky": true, "node-fetch": true, "undici": true, "superagent": true,
	"needle": true, "request": true, "cross-fetch": true}

// outbound recognises an HTTP request to a URL the caller chooses:
// fetch(url), axios.post(url, ...), got(url) with url from the request.
func (a *analyzer) outbound(n *jsast.Node, rname, clean string, bound bool) bool {
	args := jsast.Args(n)
	if len(args) == 0 || bound {
		return false
	}
	switch {
	case rname == "fetch" && clean == "fetch":
	case httpClients[a.importPackage(rname)]:
	default:
		return false
	}
	u := jsast.Unwrap(args[0])
	if u != nil && (u.Type == "template_string" || u.Type == "binary_expression") {
		// The caller picks a path on the application's API and the request
		// carries the server's credentials: anyone can call that API as
		// the application.
		if reqs, _, _, _ := a.argSources(u); len(args) > 1 && len(reqs) > 0 && a.sendsCredentials(args[1]) {
			return true
		}
		// `https://api.example.com/${id}`: the caller picks a path, not the host.
		if strings.Contains(a.f.Text(u)[:min(len(a.f.Text(u)), 12)], "://") {
			return false
		}
		// `${API_URL}/clubs/${id}`: a base URL the request does not choose.
		if c := u.NamedChildren(); u.Type == "template_string" && len(c) > 0 && c[0].Type == "template_substitution" && c[0].Start == u.Start+1 {
			if reqs, _, _, _ := a.argSources(c[0]); len(reqs) == 0 {
				return false
			}
		}
	}
	v := a.classify(args[0])
	return v.kind == vRequest
}

// credentialedRead reports a request to a fixed API host whose path or
// query the request's values select and that carries the server's
// credentials (an Authorization or API-key header, or a key from a server
// setting in the URL): `fetch(`https://records.example/api/student?id=${id}`,
// { headers: { Authorization: `Bearer ${env.RECORDS_TOKEN}` } })` reads
// that API's records as the application, for whatever id the caller
// names, so it is a data read selected by the request. A public API
// called without credentials is not: the caller can ask it directly.
func (a *analyzer) credentialedRead(n *jsast.Node, rname, clean string, bound bool) bool {
	u := a.recordURL(n, rname, clean, bound)
	if u == nil {
		return false
	}
	args := jsast.Args(n)
	return len(args) > 1 && a.sendsCredentials(args[1]) || a.secretIn(u)
}

// recordURL returns the URL of an HTTP request (fetch, an HTTP client)
// to a fixed API host whose path or query names a record by a value of
// the request, or nil.
func (a *analyzer) recordURL(n *jsast.Node, rname, clean string, bound bool) *jsast.Node {
	args := jsast.Args(n)
	if len(args) == 0 || bound || !(rname == "fetch" && clean == "fetch" || httpClients[a.importPackage(rname)]) {
		return nil
	}
	u := jsast.Unwrap(args[0])
	if u == nil || u.Type != "template_string" && u.Type != "binary_expression" {
		return nil
	}
	if t := a.f.Text(u); !strings.Contains(t[:min(len(t), 12)], "://") {
		return nil // the host is not fixed: outbound decides
	}
	if !a.selectsByRequest(u) {
		return nil
	}
	return u
}

// idParam matches the end of a URL's literal text before a value that
// names a record: a path segment (`/students/`) or an id parameter
// (`?id=`, `&studentId=`, `?user_id=`).
var idParam = regexp.MustCompile(`(?i)(/|[?&][a-z_]*id=)$`)

// selectsByRequest reports a URL (a template or a + chain) in which a
// value of the request names a record: it follows a path separator or an
// id parameter. A search term (`?q=${title}`) selects no record.
func (a *analyzer) selectsByRequest(u *jsast.Node) bool {
	before, found := "", false // the URL's literal text so far
	var walk func(n *jsast.Node)
	value := func(n *jsast.Node) {
		if reqs, _, _, _ := a.argSources(n); len(reqs) > 0 && idParam.MatchString(before) {
			found = true
		}
		before += "\x00"
	}
	walk = func(n *jsast.Node) {
		n = jsast.Unwrap(n)
		switch {
		case n == nil || found:
		case n.Type == "binary_expression" && a.f.Text(n.ChildByField("operator")) == "+":
			walk(n.ChildByField("left"))
			walk(n.ChildByField("right"))
		case n.Type == "string":
			t, _ := a.f.StringValue(n)
			before += t
		case n.Type == "template_string":
			last := n.Start + 1
			for _, c := range n.NamedChildren() {
				if c.Type == "template_substitution" {
					before += string(a.f.Src[last:c.Start])
					value(c)
					last = c.End
				}
			}
		default:
			value(n)
		}
	}
	walk(u)
	return found
}

// secretIn reports a server secret setting (process.env.RECORDS_API_KEY)
// in a URL: an API key sent in the query.
func (a *analyzer) secretIn(u *jsast.Node) bool {
	found := false
	jsast.Walk(u, func(x *jsast.Node) bool {
		if found || x.Type != "member_expression" && x.Type != "identifier" {
			return !found
		}
		if v := a.classify(x); v.kind == vSecret && exposedSecret(v.lit) {
			found = true
		}
		return !found
	})
	return found
}

// credentialHeader matches the request headers that carry credentials.
var credentialHeader = regexp.MustCompile(`(?i)^["']?(authorization|x-api-key|api-key|apikey|x-auth-token|cookie)["']?$`)

// sendsCredentials reports whether fetch options set a credential header
// of the server's ({ headers: { Authorization: `JWT ${token}` } }). A
// credential taken from the request (the caller's own token or cookie,
// forwarded) is not: the API behind authenticates the caller.
func (a *analyzer) sendsCredentials(opts *jsast.Node) bool {
	found := false
	jsast.Walk(opts, func(x *jsast.Node) bool {
		if found || jsast.IsFunction(x) {
			return false
		}
		if x.Type == "pair" && credentialHeader.MatchString(a.f.Text(x.ChildByField("key"))) {
			reqs, _, _, _ := a.argSources(x.ChildByField("value"))
			found = len(reqs) == 0
		}
		return true
	})
	return found
}

// apiRequest is a raw HTTP request to a known API.
type apiRequest struct{ callee, method, path string }

// String is the effect's Call: "fetch GET /v1/users".
func (r apiRequest) String() string { return r.callee + " " + r.method + " " + r.path }

func (e *effect) named(call string) *effect {
	e.Call = call
	return e
}

// clerkAPIRequest recognises fetch("https://api.clerk.com/v1/users?...")
// and the like: the Backend API called without the SDK
// (knowledge.ClerkAPIURL, knowledge.BackendCallAt).
func (a *analyzer) clerkAPIRequest(n *jsast.Node, rname string, bound bool) (apiRequest, bool) {
	args := jsast.Args(n)
	if len(args) == 0 || bound || rname != "fetch" && !httpClients[a.importPackage(rname)] {
		return apiRequest{}, false
	}
	raw := leadingLiteral(a.f, args[0])
	path, ok := knowledge.ClerkAPIURL(raw)
	if !ok {
		return apiRequest{}, false
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	method := "GET"
	if m, ok := knowledge.RouterMethod(jsast.LastSegment(a.f.CalleeName(n))); ok && rname != "fetch" && m.Name != "ALL" {
		method = m.Name
	}
	if len(args) > 1 {
		if v, ok := a.f.StringValue(a.f.ObjectProp(args[1], "method")); ok {
			method = strings.ToUpper(v)
		}
	}
	_, known := knowledge.BackendCallAt(method, path)
	return apiRequest{callee: strings.ReplaceAll(a.f.CalleeName(n), "()", ""), method: method, path: path}, known
}

// paidURL recognises fetch("https://openrouter.ai/api/v1/...") and the
// like: a metered API called without its SDK.
func (a *analyzer) paidURL(n *jsast.Node, rname string, bound bool) bool {
	args := jsast.Args(n)
	if len(args) == 0 || bound || rname != "fetch" && !httpClients[a.importPackage(rname)] {
		return false
	}
	return knowledge.PaidURL(leadingLiteral(a.f, args[0]))
}

// leadingLiteral returns the constant start of a string expression: a
// string, a template's text before its first substitution, the left-most
// string of a concatenation.
func leadingLiteral(f *jsast.File, n *jsast.Node) string {
	n = jsast.Unwrap(n)
	for n != nil && n.Type == "binary_expression" {
		n = jsast.Unwrap(n.ChildByField("left"))
	}
	if n == nil {
		return ""
	}
	switch n.Type {
	case "string":
		s, _ := f.StringValue(n)
		return s
	case "template_string":
		var b strings.Builder
		for _, c := range n.Children {
			switch c.Type {
			case "template_substitution":
				return b.String()
			case "string_fragment":
				b.WriteString(f.Text(c))
			}
		}
		return b.String()
	case "identifier":
		// const ANTHROPIC_URL = 'https://api.anthropic.com/v1/messages'
		// at the module's top level.
		if v := jsast.Unwrap(f.LocalValue(f.Text(n))); v != nil && v.Type != "identifier" {
			return leadingLiteral(f, v)
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// constantName reports whether a name is written as a constant
// (SIDEBAR_ITEMS, GPA_SCALES): upper case, digits and underscores.
func constantName(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return len(s) > 1
}

// isNewModel recognises new Model({...}).save().
func isNewModel(f *jsast.File, callee *jsast.Node) bool {
	if callee.Type != "member_expression" {
		return false
	}
	obj := jsast.Unwrap(callee.ChildByField("object"))
	if obj == nil || obj.Type != "new_expression" {
		return false
	}
	c := f.Text(obj.ChildByField("constructor"))
	return c != "" && c[0] >= 'A' && c[0] <= 'Z'
}

func dataKind(e knowledge.Effect) EffectKind {
	if e == knowledge.Read {
		return ReadsData
	}
	return WritesData
}

// isClerkClient reports whether the root of a Backend API call is Clerk's
// client: clerkClient imported from a Clerk package (or the application's
// re-export of it), its awaited result, createClerkClient()'s result, or
// a global named like it.
func (a *analyzer) isClerkClient(root *jsast.Node, rv value, bound bool) bool {
	name := a.f.Text(root)
	if rv.kind == vClerkClient {
		return true
	}
	if bound {
		return false
	}
	if exp, _ := a.m.clerkExportOf(a.ctx, a.f, name); exp != "" {
		return exp == "clerkClient" || exp == "createClerkClient" || exp == "default" || exp == "*" || exp == "Clerk" || exp == "clerk"
	}
	l := strings.ToLower(name)
	if strings.Contains(l, "clerk") {
		return true
	}
	// An application module that exports a Clerk client.
	pkg, err := a.m.clientPackage(a.ctx, a.f, root, 0)
	return err == nil && knowledge.IsClerkPackage(pkg)
}

// clientResult reports a Backend API call made on the result of a call
// that returns Clerk's client, with no variable in between: Hono's
// c.get('clerk').users.deleteUser(id) (knowledge.ClientContextKey).
func (a *analyzer) clientResult(callee *jsast.Node) bool {
	if callee.Type != "member_expression" {
		return false
	}
	res := jsast.Unwrap(callee.ChildByField("object")) // c.get('clerk').users
	if res == nil || res.Type != "member_expression" {
		return false
	}
	x := jsast.Unwrap(res.ChildByField("object"))
	return x != nil && x.Type == "call_expression" && a.classify(x).kind == vClerkClient
}

// addEffect records an effect of the call (or returned value) n.
func (a *analyzer) addEffect(n *jsast.Node, st *state, k EffectKind, call string, selects bool, params []paramUse) {
	line := n.Line
	for _, e := range a.s.effects {
		if e.Line == line && e.Call == call && e.File == a.f.Path && len(e.Via) == 0 {
			return
		}
	}
	if selects && a.batch(n) {
		selects = false // $transaction([...]): its queries are effects of their own
	}
	e := effect{Effect: Effect{Kind: k, Call: call, Location: Location{File: a.f.Path, Line: line}, Authz: st.authz, Selects: selects,
		CheckedBy: st.checkedBy()}, reach: st.reach, params: params}
	if n.Type == "call_expression" {
		if k == ReadsData || k == WritesData {
			e.Table = tableOf(a.f, n)
			if e.Table == "" {
				e.Table = a.convexRefTable(n) // ctx.db.get(article.authorId): the table the schema gives the field
			}
			if ce := a.effectOf(n); ce != nil {
				e.AsCaller = ce.AsCaller
				e.sqlParam = ce.sqlParam
				e.NullSafeFilter = ce.NullSafeFilter
			}
		}
		if k == MovesMoney {
			if ce := a.effectOf(n); ce != nil {
				e.StartsCheckout = ce.StartsCheckout
			}
		}
		reqs, owner, org, ps := a.chainSources(n)
		if filter := a.filterArgs(n); selects && filter != nil {
			// The values that select the records, not those written.
			reqs, owner, org, ps = nil, false, false, nil
			for _, f := range filter {
				if u := jsast.Unwrap(f); u != nil && jsast.IsFunction(u) {
					// A filter written as a callback of the query builder
					// (Convex .filter(q => q.eq(q.field('userId'), subject))).
					f = jsast.FunctionBody(u)
				}
				r, o, g, p := a.argSources(f)
				if a.textSearchOnly(f) {
					r, p = nil, nil // a search box's words select no record
				}
				if a.byCapability(f) && len(r) > 0 {
					e.Authz |= AuthzOwner // the request presents the secret the record's owner handed out
				}
				reqs, owner, org, ps = append(reqs, r...), owner || o, org || g, append(ps, p...)
				e.OwnerlessToo = e.OwnerlessToo || a.admitsOwnerless(f)
				e.rowFiltered = e.rowFiltered || a.rowFiltered(f)
			}
			if a.filtersVerified(filter) {
				e.Authz |= AuthzOwner // scoped by a parent id the caller's own rows hold
			}
			e.NullSafeOwner = owner && a.convertedOwnerFilter(filter)
		}
		e.Request, e.OwnerScoped = sortSources(reqs), owner
		if _, clerk := knowledge.BackendCallIn(call); !clerk && (k == ReadsData || k == WritesData) {
			e.Record = a.recordOf(n)
			if _, client := knowledge.DataRoot(strings.TrimSuffix(call, "."+jsast.LastSegment(call))); client && e.Table != "" {
				e.Record = e.Table // ctx.db.query('notes'): `db` is the client, not a record
			}
			if e.Record == "" {
				e.Record = fromTable(a.f, n) // db.select().from(notes): the table a later step names
			}
		}
		e.SchemaOwned = e.Record != "" && a.m.schemaOwnedRecords(a.ctx)[e.Record]
		var actor string
		e.OwnerFromRequest, e.OwnerOptional, e.Reference, e.NullOwner, actor, e.ownerParams = a.ownerFields(n)
		if bylineKey.MatchString(e.OwnerFromRequest) && (k != WritesData || selects) {
			e.OwnerFromRequest = "" // a byline in a filter lists an author's public records
		}
		if e.OwnerFromRequest == "" && actor != "" && k == WritesData && !selects && !owner && e.Reference == "" && knowledge.IsCreate(call) {
			// { user: body.user, minutes } created with no field holding
			// the caller and about no other record: the caller's own
			// activity, attributed to whoever the request names. A grant
			// names what it grants (a reference) or its granter.
			e.OwnerFromRequest = actor
		}
		if k == ClerkPrivilege || k == WritesData {
			e.Grants, e.GrantsPaidPlan = a.grants(n, k == ClerkPrivilege)
		}
		if k == ReadsData {
			e.Unpublished, e.Published, e.Shown = a.publication(n)
			e.PublishSwitch, e.switchParams = a.publishSwitch(n)
			if !e.Unpublished && !e.Published && e.Record != "" && a.filterArgs(n) == nil {
				// A listing of every row, the flag included.
				e.HiddenBy = a.m.hiddenRecords(a.ctx)[e.Record]
			}
			e.PublicFields = a.readsPublicFields(n)
			e.ScalarResult = a.readsScalarOnly(n)
			e.Contact = !e.PublicFields && e.Table != "" && knowledge.AccountTable(e.Table) && !countsChain(a.f, n) && !a.readsFieldsOnly(n) &&
				a.m.contactTable(a.ctx, a.f.Path, e.Table)
			if !e.PublicFields && !e.Contact && !countsChain(a.f, n) && !a.readsFieldsOnly(n) {
				e.ContactVia = a.relationContact(n, e.Record)
			}
			e.Personal = !e.PublicFields && e.Table != "" && !knowledge.AccountTable(e.Table) && !countsChain(a.f, n) &&
				a.m.personalTable(a.ctx, a.f.Path, e.Table)
			e.Declared = e.Table != "" && a.m.convexTableFields(a.ctx, a.f.Path, e.Table) != nil ||
				e.Record != "" && a.m.prismaJoinRows(a.ctx)[e.Record]
		}
		e.Counter = k == WritesData && selects && countersOnly(a.f, n)
		e.Touch = k == WritesData && selects && dataFieldsAll(a.f, n, touchStep)
		e.Unlinks = k == WritesData && selects && a.unlinksCaller(n)
		e.Appends = k == WritesData && selects && a.appendsCaller(n)
		if k == WritesData && selects {
			e.Links, e.linkParams = a.linksCaller(n)
		}
		e.params = append(e.params, ps...)
		if owner && selects {
			e.Authz |= AuthzOwner
		}
		if org {
			e.Authz |= AuthzOrg
		}
	}
	a.s.effects = append(a.s.effects, e)
}

// countersOnly reports whether a write's data, its last argument
// (ctx.db.patch(id, { likeCount: n + 1 }), or that argument's `data`
// object), sets nothing but counters: each field stepped by a number
// literal from an expression that reads the same field, or Prisma's
// { increment: 1 } / { decrement: 1 }.
func countersOnly(f *jsast.File, call *jsast.Node) bool {
	return dataFieldsAll(f, call, counterStep)
}

// dataFieldsAll reports whether a write's data (as countersOnly reads
// it) has fields and each one satisfies step.
func dataFieldsAll(f *jsast.File, call *jsast.Node, step func(f *jsast.File, key string, v *jsast.Node) bool) bool {
	args := jsast.Args(call)
	if len(args) == 0 {
		return false
	}
	obj := jsast.Unwrap(args[len(args)-1])
	if obj == nil || obj.Type != "object" {
		return false
	}
	if d := jsast.Unwrap(f.ObjectProp(obj, "data")); d != nil && d.Type == "object" {
		obj = d
	}
	n := 0
	for _, c := range obj.NamedChildren() {
		if c.Type == "comment" {
			continue
		}
		if c.Type != "pair" || !step(f, f.Text(c.ChildByField("key")), jsast.Unwrap(c.ChildByField("value"))) {
			return false
		}
		n++
	}
	return n > 0
}

// touchStep reports a field of a visit's bookkeeping: a counter step or
// the current time, JavaScript's `new Date()` or `Date.now()`
// (https://tc39.es/ecma262/#sec-date-constructor, #sec-date.now).
func touchStep(f *jsast.File, key string, v *jsast.Node) bool {
	if counterStep(f, key, v) {
		return true
	}
	switch {
	case v == nil:
		return false
	case v.Type == "new_expression":
		a := v.ChildByField("arguments")
		return f.Text(v.ChildByField("constructor")) == "Date" && (a == nil || len(a.NamedChildren()) == 0)
	case v.Type == "call_expression":
		return f.CalleeName(v) == "Date.now" && len(jsast.Args(v)) == 0
	}
	return false
}

// unlinksCaller reports a write whose data holds only relation
// disconnects of the caller's own record (Prisma relation queries,
// https://www.prisma.io/docs/orm/prisma-client/queries/relation-queries#disconnect-a-related-record):
// data: { collaborators: { disconnect: [{ id: me.id }] } }.
func (a *analyzer) unlinksCaller(call *jsast.Node) bool {
	args := jsast.Args(call)
	if len(args) == 0 {
		return false
	}
	d := jsast.Unwrap(a.f.ObjectProp(args[len(args)-1], "data"))
	if d == nil || d.Type != "object" {
		return false
	}
	n := 0
	for _, c := range d.NamedChildren() {
		if c.Type == "comment" {
			continue
		}
		if c.Type != "pair" {
			return false
		}
		rel := jsast.Unwrap(c.ChildByField("value"))
		if rel == nil || rel.Type != "object" || len(a.f.ObjectKeys(rel)) != 1 {
			return false
		}
		target := jsast.Unwrap(a.f.ObjectProp(rel, "disconnect"))
		if target == nil {
			return false
		}
		targets := []*jsast.Node{target}
		if target.Type == "array" {
			targets = target.NamedChildren()
		}
		for _, t := range targets {
			t = jsast.Unwrap(t)
			if t == nil || t.Type != "object" || len(t.NamedChildren()) == 0 {
				return false
			}
			for _, p := range t.NamedChildren() {
				if p.Type != "pair" || !a.classify(p.ChildByField("value")).identityish() {
					return false
				}
			}
		}
		n++
	}
	return n > 0
}

// counterStep reports whether v steps the field key by a constant.
func counterStep(f *jsast.File, key string, v *jsast.Node) bool {
	switch {
	case v == nil || key == "":
		return false
	case v.Type == "object":
		ps := v.NamedChildren()
		if len(ps) != 1 || ps[0].Type != "pair" {
			return false
		}
		k := f.Text(ps[0].ChildByField("key"))
		lit := jsast.Unwrap(ps[0].ChildByField("value"))
		return (k == "increment" || k == "decrement") && lit != nil && lit.Type == "number"
	case v.Type != "binary_expression":
		return false
	}
	op := f.Text(v.ChildByField("operator"))
	if op != "+" && op != "-" {
		return false
	}
	l, r := jsast.Unwrap(v.ChildByField("left")), jsast.Unwrap(v.ChildByField("right"))
	if l == nil || r == nil {
		return false
	}
	if l.Type == "number" {
		l, r = r, l
	}
	if r.Type != "number" {
		return false
	}
	found := false
	jsast.Walk(l, func(x *jsast.Node) bool {
		if x.Type == "property_identifier" && f.Text(x) == key {
			found = true
		}
		return !found
	})
	return found
}

// chainSources returns the inputs the arguments of a call use, and those
// of the calls chained on it (db.select().from(t).where(eq(t.id, id))).
func (a *analyzer) chainSources(n *jsast.Node) (reqs []InputSource, owner, org bool, ps []paramUse) {
	scope := n
	for {
		p := scope.Parent
		if p == nil || p.Type != "member_expression" || p.Parent == nil || p.Parent.Type != "call_expression" {
			break
		}
		scope = p.Parent
	}
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if x.Field != "arguments" || x.Parent == nil || x.Parent.Type != "call_expression" {
			return true // sql`...${id}`: the template is the call's arguments
		}
		r, o, g, p := a.argSources(x)
		reqs = append(reqs, r...)
		owner, org = owner || o, org || g
		ps = append(ps, p...)
		// A selection written as a callback of the query builder
		// (.withIndex('by_owner', q => q.eq('owner', userId))).
		for _, arg := range x.NamedChildren() {
			if u := jsast.Unwrap(arg); u != nil && jsast.IsFunction(u) {
				r, o, g, p := a.argSources(jsast.FunctionBody(u))
				reqs = append(reqs, r...)
				owner, org = owner || o, org || g
				ps = append(ps, p...)
			}
		}
		return false
	})
	return reqs, owner, org, ps
}

// argSources returns the request inputs, identity and parameters an
// expression uses.
func (a *analyzer) argSources(n *jsast.Node) (reqs []InputSource, owner, org bool, ps []paramUse) {
	jsast.Walk(n, func(x *jsast.Node) bool {
		if a.negatedFilter(x) {
			return false // NOT: { userId }: everyone else's records, not the caller's
		}
		if x.Type == "ternary_expression" {
			// userId ? { ... } : {}: the test picks the filter and is no part of it
			for _, b := range []string{"consequence", "alternative"} {
				r, o, g, p := a.argSources(x.ChildByField(b))
				reqs, owner, org, ps = append(reqs, r...), owner || o, org || g, append(ps, p...)
			}
			return false
		}
		switch x.Type {
		case "identifier", "member_expression", "subscript_expression", "shorthand_property_identifier", "call_expression":
		default:
			return !jsast.IsFunction(x)
		}
		var v value
		if x.Type == "shorthand_property_identifier" {
			v = a.vars[a.f.Text(x)]
		} else {
			v = a.classify(x)
		}
		// A call's value is recorded, and its arguments looked at too:
		// and(eq(t.id, id), eq(t.ownerId, userId)) uses both.
		descend := x.Type == "call_expression"
		switch v.kind {
		case vRequest, vCred:
			reqs = append(reqs, v.src)
			return descend
		case vIdentity, vUser:
			if orgish(v.field) {
				org = true
			} else if v.authz == 0 {
				owner = true
			}
			return descend
		case vRow:
			// where: { attendeeId: created.id }; q.eq(q.field('userId'),
			// me._id) with me the caller's own row (selected by the
			// identity alone).
			owner = owner || v.created || v.own
		case vClient:
			owner = owner || v.own // the result of a query selected by the identity alone
		case vParam:
			ps = append(ps, paramUse{index: v.param, prop: v.pprop})
			return descend
		}
		return true
	})
	if owner && a.admitsOwnerless(n) {
		owner = false // or(eq(t.userId, userId), isNull(t.userId)): every ownerless record too
	}
	return reqs, owner, org, ps
}

// ownerKey matches the names of the fields that tie a record to its owner
// or tenant (userId, owner_id, orgId, authorId, createdBy).
var ownerKey = regexp.MustCompile(`(?i)^(user|owner|author|creator|account|member|customer|org|organization|tenant|team|workspace)_?id$|^created_?by(_?id)?$`)

// tenantKey matches the owner fields of ownerKey that name a group of
// users (an organization, a tenant, a team, a workspace) rather than one.
var tenantKey = regexp.MustCompile(`(?i)^(org|organization|tenant|team|workspace)_?id$`)

// UserOwnerField reports whether an owner field of a filter or a new
// record (Effect.OwnerFromRequest) names one user: the record's owner
// (userId, owner_id, createdBy), author (authorId, author) or actor
// (user, username), not an organization or a tenant. Written or filtered
// with a value the request chooses, it names whoever the caller likes,
// where the verified identity is what belongs there.
func UserOwnerField(key string) bool {
	return (ownerKey.MatchString(key) || bylineKey.MatchString(key) || actorKey.MatchString(key)) && !tenantKey.MatchString(key)
}

// bylineKey matches the fields that name a record's author by name or
// reference without an id suffix (author, creator, postedBy). Written
// from the request they let a caller post in another user's name; they
// do not make the record private (a byline is shown to every reader), so
// only writes count them.
var bylineKey = regexp.MustCompile(`(?i)^(author|creator|posted_?by)$`)

// actorKey matches the field that names who did what a record logs by
// name (user, username). Unlike a byline it is as often a grantee (a
// share's or an invite's user), so only a created record with no field
// holding the caller and no reference to another record counts it.
var actorKey = regexp.MustCompile(`(?i)^user_?(name)?$`)

// attribution reports an owner field that names a record's author or
// actor rather than making it private to them.
func attribution(key string) bool { return bylineKey.MatchString(key) || actorKey.MatchString(key) }

// tableMethods take the collection or table as their first argument
// (supabase.from('notes'), db.collection('posts'), db.delete(projects)).
var tableMethods = map[string]bool{"from": true, "collection": true, "table": true, "delete": true, "update": true, "insert": true,
	"into": true, "selectFrom": true, "deleteFrom": true, "updateTable": true, "insertInto": true}

// recordOf names the collection or table a data call touches, or "".
func (a *analyzer) recordOf(n *jsast.Node) string {
	for c := n; c != nil && c.Type == "call_expression"; {
		callee := jsast.Unwrap(c.ChildByField("function"))
		if callee == nil || callee.Type != "member_expression" {
			break
		}
		if args := jsast.Args(c); len(args) > 0 && tableMethods[a.f.Text(callee.ChildByField("property"))] {
			arg := jsast.Unwrap(args[0])
			if s, ok := a.f.StringValue(arg); ok {
				return s
			}
			if arg.Type == "identifier" {
				return a.f.Text(arg)
			}
		}
		c = jsast.Unwrap(callee.ChildByField("object"))
	}
	segs := strings.Split(strings.ReplaceAll(a.f.CalleeName(n), "()", ""), ".")
	switch {
	case len(segs) >= 3:
		return segs[len(segs)-2]
	case len(segs) == 2 && segs[0] != "" && segs[0][0] >= 'A' && segs[0][0] <= 'Z':
		return segs[0] // User.findById: a model
	}
	return ""
}

// refKey matches the fields that refer to another record by its id
// (folderId, file_id, parentID), the record's name in the group.
var refKey = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*?)(?:Id|ID|_id|_ID)$`)

// ownerFields looks at the owner and tenant fields of a call's filters and
// records (and of the calls chained on it): the first whose value comes
// from the request, and whether an identity there is optional-chained;
// and the first other field that refers to a record by a request id.
func (a *analyzer) ownerFields(n *jsast.Node) (fromRequest string, optional bool, ref string, nullable bool, actor string, params []ownerParam) {
	scope := n
	for p := scope.Parent; p != nil && p.Type == "member_expression" && p.Parent != nil && p.Parent.Type == "call_expression"; p = scope.Parent {
		scope = p.Parent
	}
	classify := func(v *jsast.Node) value {
		if v.Type == "shorthand_property_identifier" {
			return a.vars[a.f.Text(v)]
		}
		x := a.classify(v)
		if x.kind != vRequest {
			// rows.map((row) => ({ boardId: row.boardId })): a field of
			// an element of an array the caller chose.
			root := jsast.Unwrap(v)
			for root != nil && root.Type == "member_expression" {
				root = jsast.Unwrap(root.ChildByField("object"))
			}
			if root != nil && root.Type == "identifier" {
				if arr := a.elementParam(root); arr != nil {
					return a.classify(arr)
				}
			}
		}
		return x
	}
	check := func(key string, v *jsast.Node) {
		if actor == "" && v != nil && actorKey.MatchString(key) && classify(v).kind == vRequest {
			actor = key
		}
		owner := ownerKey.MatchString(key) || bylineKey.MatchString(key)
		if !owner && !refKey.MatchString(key) || v == nil {
			return
		}
		x := classify(v)
		if !owner {
			if x.kind == vRequest && ref == "" {
				ref = key
			}
			return
		}
		switch x.kind {
		case vRequest:
			if fromRequest == "" && !a.memberRow(v) {
				fromRequest = key
			}
		case vParam:
			// userId: args.userId of a helper: its caller's argument decides.
			prop := key
			if u := jsast.Unwrap(v); u != nil && u.Type == "member_expression" {
				prop = a.f.Text(u.ChildByField("property"))
			}
			params = append(params, ownerParam{param: x.param, prop: prop, key: key})
		case vIdentity, vUser:
			if u := jsast.Unwrap(v); u.Type == "member_expression" && hasOptional(u) {
				optional = true
			}
		}
	}
	// { user: userId }: an object field holding the bare identity, null
	// for a signed-out caller (not user.id of a loaded record, which fails
	// closed, nor an organization).
	field := func(v *jsast.Node) {
		if v == nil {
			return
		}
		if x := classify(v); x.kind == vIdentity && x.authz == 0 && !orgish(x.field) {
			if u := jsast.Unwrap(v); u.Type != "member_expression" || !hasOptional(u) {
				nullable = true
			}
		}
	}
	visit := func(x *jsast.Node) bool {
		switch x.Type {
		case "pair":
			k, ok := a.f.StringValue(x.ChildByField("key"))
			if !ok {
				k = a.f.Text(x.ChildByField("key"))
			}
			v := jsast.Unwrap(x.ChildByField("value"))
			check(k, v)
			field(v)
			if rel := connectedRelation(a.f, x, k); rel != "" && ref == "" {
				// folder: { connect: { id: input.folderId } }: Prisma's
				// nested write that links the record to another by id.
				if id := a.f.ObjectProp(v, "id"); id != nil && classify(jsast.Unwrap(id)).kind == vRequest {
					ref = rel + "Id"
				}
			}
		case "shorthand_property_identifier":
			check(a.f.Text(x), x)
			field(x)
		case "spread_element":
			// { ...body }: the fields of the validated body it spreads,
			// but those the record sets itself.
			a.bodySpread(x.Parent, x.NamedChildren(), check)
		case "call_expression":
			// eq(t.orgId, orgId): a Drizzle condition; q.eq('userId', id)
			// and q.eq(q.field('userId'), id): a Convex index range or filter.
			if args := jsast.Args(x); len(args) == 2 && jsast.LastSegment(a.f.CalleeName(x)) == "eq" {
				check(conditionField(a.f, args[0]), jsast.Unwrap(args[1]))
			}
		}
		return !jsast.IsFunction(x) || conditionCallback(a.f, x) || a.elementRecords(x)
	}
	jsast.Walk(scope, visit)
	// insertOne(doc) where const doc = { ..., userId }: the record built
	// just before; also create({ data: doc }).
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if x.Type == "identifier" && x.Parent != nil && x.Parent.Type == "pair" && x.Field == "value" {
			if obj := localObject(a.f, n, a.f.Text(x)); obj != nil {
				jsast.Walk(obj, visit)
			}
			return false
		}
		if x.Type == "identifier" && x.Parent != nil && x.Parent.Type == "arguments" {
			if obj := localObject(a.f, n, a.f.Text(x)); obj != nil {
				jsast.Walk(obj, visit)
			} else {
				a.bodySpread(nil, []*jsast.Node{x}, check) // .set(body): the validated body as the record
			}
		}
		return !jsast.IsFunction(x)
	})
	return fromRequest, optional, ref, nullable, actor, params
}

// connectedRelation returns the relation field (folder) of a Prisma
// connect pair (folder: { connect: {...} }), or "".
func connectedRelation(f *jsast.File, pair *jsast.Node, key string) string {
	if key != "connect" || pair.Parent == nil || pair.Parent.Parent == nil || pair.Parent.Parent.Type != "pair" {
		return ""
	}
	rel := f.Text(pair.Parent.Parent.ChildByField("key"))
	if ownerKey.MatchString(rel+"Id") || bylineKey.MatchString(rel) {
		return "" // user: { connect: { id } }: the owner, which OwnerFromRequest is about
	}
	return rel
}

// memberRow reports a value of a related row the write creates, one per
// element of a user list the request chose (Prisma's `participants: {
// create: ids.map((id) => ({ userId: id })) }`): those rows name the
// members of the new record (whom a conversation is with, whom a task is
// shared with), not whose record it is.
func (a *analyzer) memberRow(v *jsast.Node) bool {
	fn := jsast.EnclosingFunction(v)
	if fn == nil || fn == a.fn || !a.elementRecords(fn) {
		return false
	}
	var keys []string
	for p := fn.Parent.Parent; p != nil && p != a.fn && len(keys) < 3; p = p.Parent {
		if p.Type == "pair" {
			keys = append(keys, a.f.Text(p.ChildByField("key")))
		}
	}
	if len(keys) > 0 && keys[0] == "data" {
		keys = keys[1:] // createMany: { data: ids.map(...) }
	}
	if len(keys) < 2 || keys[1] == "data" || keys[1] == "where" {
		return false
	}
	switch keys[0] {
	case "create", "createMany", "connectOrCreate":
		return true
	}
	return false
}

// elementRecords reports whether fn builds one record per element of an
// array the caller chose (rows.map((row) => ({ ...row, id }))): the
// records it returns are written, with the element's fields.
func (a *analyzer) elementRecords(fn *jsast.Node) bool {
	call := fn.Parent
	if call == nil || call.Parent == nil || call.Parent.Type != "call_expression" {
		return false
	}
	callee := jsast.Unwrap(call.Parent.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return false
	}
	switch a.f.Text(callee.ChildByField("property")) {
	case "map", "flatMap":
		return a.elementOf(fn).kind == vRequest
	}
	return false
}

// localObject returns the object literal a variable of the function
// holding at was declared with before at, or nil.
func localObject(f *jsast.File, at *jsast.Node, name string) *jsast.Node {
	if v := declaredBefore(f, jsast.EnclosingFunction(at), at, name); v != nil && v.Type == "object" {
		return v
	}
	return nil
}

// updateMethods take the filter first and the change after it
// (Model.updateOne(filter, update), findByIdAndUpdate(id, update),
// ctx.db.patch(id, fields)).
var updateMethods = map[string]bool{"update": true, "updateOne": true, "updateMany": true, "findOneAndUpdate": true,
	"findByIdAndUpdate": true, "findOneAndReplace": true, "replaceOne": true, "patch": true, "replace": true}

// chainFilters are the chained calls that select records
// (db.update(t).set(v).where(eq(t.id, id)), supabase.from(t).update(v).eq('id', id)).
var chainFilters = map[string]bool{"where": true, "andWhere": true, "orWhere": true, "whereIn": true, "eq": true, "neq": true,
	"match": true, "in": true, "filter": true, "doc": true}

// filterArgs returns the expressions that select the records of a data
// call: a Prisma-style where property, the filter argument of an update
// that takes its change second, or the arguments of the filter calls
// chained on it; nil when the call shows no separate filter.
func (a *analyzer) filterArgs(n *jsast.Node) []*jsast.Node {
	args := jsast.Args(n)
	if len(args) > 0 {
		if w := a.f.ObjectProp(args[0], "where"); w != nil {
			return []*jsast.Node{w}
		}
	}
	var out []*jsast.Node
	for c := n; ; {
		p := c.Parent
		if p == nil || p.Type != "member_expression" || p.Parent == nil || p.Parent.Type != "call_expression" {
			break
		}
		c = p.Parent
		if chainFilters[a.f.Text(p.ChildByField("property"))] {
			out = append(out, jsast.Args(c)...)
		}
	}
	if out != nil {
		return out
	}
	if len(args) >= 2 && updateMethods[jsast.LastSegment(a.f.CalleeName(n))] {
		if w := a.f.ObjectProp(args[1], "where"); w != nil {
			// Sequelize Model.update(values, { where }): the options
			// select the rows (https://sequelize.org/docs/v6/core-concepts/model-querying-basics/#simple-update-queries).
			return []*jsast.Node{w}
		}
		return args[:1]
	}
	if sel, ok := a.sqlSelectors(n); ok {
		return sel // the values a SQL read binds where they select its rows
	}
	return nil
}

// batch reports whether a call's arguments hold data calls of their own
// (prisma.$transaction([...]), Promise-style batches), written in place
// or in the variable the argument names (`const ops = items.map(i =>
// db.card.update(...)); db.$transaction(ops)`).
func (a *analyzer) batch(n *jsast.Node) bool {
	if n.Type != "call_expression" {
		return false
	}
	found := false
	for _, arg := range jsast.Args(n) {
		if u := jsast.Unwrap(arg); u != nil && u.Type == "identifier" {
			if _, v := localInit(a.f, n, a.f.Text(u)); v != nil {
				arg = v
			}
		}
		jsast.Walk(arg, func(x *jsast.Node) bool {
			if !found && x.Type == "call_expression" && a.effectOf(x) != nil {
				found = true
			}
			return !found
		})
	}
	return found
}

// grantKey matches the metadata fields that carry authorization: a role,
// permissions, a plan or credits, Clerk's own createOrganizationEnabled.
var grantKey = regexp.MustCompile(`(?i)^(roles?|is_?admin|admin|is_?staff|permissions?|plan|tier|credits|subscription|is_?pro|create_?organization_?enabled|create_?organizations_?limit)$`)

// roleKey matches the fields whose literal value grants a role by itself.
var roleKey = regexp.MustCompile(`(?i)^(roles?|is_?admin|admin|permissions?)$`)

// grants returns the authorization-bearing field a Clerk Backend call
// writes with a request value or a role literal, or the metadata it
// replaces wholesale with a request value. For a data write (clerk
// false) only a request value counts, and the query's filter is not what
// it writes: `data: { role }` from the body on the caller's own row is a
// self-service grant, `role: 'member'` on sign-up is a default.
func (a *analyzer) grants(n *jsast.Node, clerk bool) (string, bool) {
	skip := map[*jsast.Node]bool{}
	if !clerk {
		for _, f := range a.filterArgs(n) {
			skip[jsast.Unwrap(f)] = true
		}
	}
	args := jsast.Args(n)
	if !clerk {
		// db.update(t).set({ plan }).where(...): the steps chained on
		// the call carry what it writes.
		for p := n.Parent; p != nil && p.Type == "member_expression" && p.Parent != nil && p.Parent.Type == "call_expression"; p = p.Parent.Parent {
			args = append(args, jsast.Args(p.Parent)...)
		}
	}
	out, paid := "", false
	for _, arg := range args {
		jsast.Walk(arg, func(x *jsast.Node) bool {
			if out != "" || skip[x] || jsast.IsFunction(x) {
				return false
			}
			var k string
			var cv value
			var v *jsast.Node
			switch x.Type {
			case "pair":
				s, ok := a.f.StringValue(x.ChildByField("key"))
				if !ok {
					s = a.f.Text(x.ChildByField("key"))
				}
				if v = jsast.Unwrap(x.ChildByField("value")); v == nil {
					return true
				}
				k, cv = s, a.classify(v)
			case "shorthand_property_identifier": // { role }
				k, cv, v = a.f.Text(x), a.vars[a.f.Text(x)], x
			default:
				return true
			}
			switch {
			case clerk && (k == "publicMetadata" || k == "privateMetadata" || k == "unsafeMetadata") && cv.kind == vRequest:
				out = k
			case grantKey.MatchString(k) && cv.kind == vRequest && !a.harmlessChoice(n, v):
				out = k
			case clerk && roleKey.MatchString(k) && (v.Type == "string" || v.Type == "true"):
				out = k
			case !clerk && (v.Type == "string" || v.Type == "true") && knowledge.PaidPlanGrant(k, paidLiteral(a.f, v)):
				out, paid = k, true // plan: 'premium'
			}
			return true
		})
	}
	return out, paid
}

// paidLiteral is the text of a string or `true` literal.
func paidLiteral(f *jsast.File, v *jsast.Node) string {
	if s, ok := f.StringValue(v); ok {
		return s
	}
	return f.Text(v)
}

// privilegedRole matches role names that carry administrative power.
var privilegedRole = regexp.MustCompile(`(?i)(admin|owner|super|root|staff|moderator|manager)`)

// harmlessChoice reports whether the request value v written at call n
// was first checked against a literal allow-list that names no
// privileged role (`if (!['buyer', 'seller'].includes(role)) return`):
// the caller picks a profile type, not a power. An allow-list that
// holds 'admin' grants it.
func (a *analyzer) harmlessChoice(n, v *jsast.Node) bool {
	fn := jsast.EnclosingFunction(n)
	if fn == nil || v == nil {
		return false
	}
	name := a.f.Text(v)
	found := false
	for _, c := range jsast.Find(fn, "call_expression") {
		args := jsast.Args(c)
		callee := jsast.Unwrap(c.ChildByField("function"))
		if len(args) != 1 || a.f.Text(jsast.Unwrap(args[0])) != name || callee == nil || callee.Type != "member_expression" ||
			a.f.Text(callee.ChildByField("property")) != "includes" {
			continue
		}
		list := jsast.Unwrap(callee.ChildByField("object"))
		if list != nil && list.Type == "identifier" {
			list = a.constValue(fn, a.f.Text(list))
		}
		if list == nil || list.Type != "array" {
			continue
		}
		vals, _, ok := a.f.StringList(list)
		if !ok || len(vals) == 0 {
			continue
		}
		for _, s := range vals {
			if privilegedRole.MatchString(s) {
				return false
			}
		}
		found = true
	}
	return found
}

// constValue returns the value a const declared in fn, or at module
// level, binds to name.
func (a *analyzer) constValue(fn *jsast.Node, name string) *jsast.Node {
	for _, d := range jsast.Find(fn, "variable_declarator") {
		if id := d.ChildByField("name"); id != nil && id.Type == "identifier" && a.f.Text(id) == name {
			return jsast.Unwrap(d.ChildByField("value"))
		}
	}
	return jsast.Unwrap(a.f.LocalValue(name))
}

// addUserReturn records that the call or return n sends the Clerk user
// data val to the caller; others says whose.
func (a *analyzer) addUserReturn(n, val *jsast.Node, st *state, others bool) {
	call := "returns " + clip(a.f.Text(jsast.Unwrap(val)), 40)
	a.addEffect(n, st, ReturnsUser, call, false, nil)
	if !others {
		return
	}
	for i := range a.s.effects {
		if e := &a.s.effects[i]; e.Kind == ReturnsUser && e.Call == call && e.Line == n.Line && e.File == a.f.Path {
			e.OtherUsers = true
		}
	}
}

// tableOf returns the table a data call names by a leading string
// literal: the one nearest the chain's root (supabase.from("users") in
// supabase.from("users").select("id, email"), whose select names
// columns), on the call itself (ctx.db.query("users")) otherwise.
func tableOf(f *jsast.File, call *jsast.Node) string {
	start, table := call, ""
	if st := sqlOf(f, call); st.known {
		return st.table // client.query('INSERT INTO notes ...'): the table the statement names
	}
	for i := 0; i < 4 && call != nil && call.Type == "call_expression"; i++ {
		if args := jsast.Args(call); len(args) > 0 {
			if s, ok := f.StringValue(args[0]); ok {
				table = s
			}
		}
		callee := jsast.Unwrap(call.ChildByField("function"))
		if callee == nil || callee.Type != "member_expression" {
			break
		}
		call = jsast.Unwrap(callee.ChildByField("object"))
	}
	if table == "" {
		table = fromTable(f, start)
	}
	if table == "" {
		table = convexIDTable(f, start) // ctx.db.get(id): the table its validator v.id('notes') names
	}
	return table
}

// fromTable names the table a query builder call selects with a later
// `.from(table)` step: db.select().from(accounts) is on accounts (the
// schema object's name), supabase.from('users') was named above.
func fromTable(f *jsast.File, call *jsast.Node) string {
	for i := 0; i < 3 && call != nil; i++ {
		m := call.Parent
		if m == nil || m.Type != "member_expression" || m.Parent == nil || m.Parent.Type != "call_expression" {
			return ""
		}
		call = m.Parent
		if f.Text(m.ChildByField("property")) != "from" {
			continue
		}
		if args := jsast.Args(call); len(args) > 0 {
			if a := jsast.Unwrap(args[0]); a != nil && (a.Type == "identifier" || a.Type == "member_expression") {
				return jsast.LastSegment(f.Text(a))
			}
		}
		return ""
	}
	return ""
}

// returnedSecret returns the name of a server secret whose value (or a
// part of it) the expression n sends to the caller, or "": `{ url:
// process.env.DATABASE_URL }`, `key.substring(0, 20)`. A secret that only
// decides a value (`key ? 'set' : 'missing'`, `!!key`, `key.length`,
// a comparison) is not sent.
func (a *analyzer) returnedSecret(n *jsast.Node) string {
	found := ""
	jsast.Walk(n, func(x *jsast.Node) bool {
		if found != "" || jsast.IsFunction(x) {
			return false
		}
		switch x.Type {
		case "ternary_expression":
			a.walkSecret(x.ChildByField("consequence"), &found)
			a.walkSecret(x.ChildByField("alternative"), &found)
			return false
		case "unary_expression":
			return false // !key, typeof key
		case "call_expression":
			switch callee := a.f.Name(x.ChildByField("function")); {
			case knowledge.WholeEnvironment(callee, true):
				found = callee + "() (every setting)" // Deno.env.toObject()
				return false
			case callee == "Object.keys":
				return false // the settings' names, not their values
			}
			if knowledge.IsClerkPackage(externalOf(a.f, rootIdent(x.ChildByField("function")))) {
				// A Clerk SDK helper takes the keys as its configuration
				// (rootAuthLoader(args, { secretKey }), createClerkClient({
				// secretKey })) and returns what it computes with them: the
				// auth state, a client, a response.
				return false
			}
			if _, _, err := a.m.callee(a.ctx, a.f, x, a.locals); err == nil {
				// A function of the application: what it returns is sent,
				// not what it is given (send(process.env.KEY) returns the
				// response the key fetched), as far as its return value
				// is followed.
				if v := a.classify(x); v.kind == vSecret && exposedSecret(v.lit) {
					found = v.lit
				}
				return false
			}
		case "binary_expression":
			switch a.f.Text(x.ChildByField("operator")) {
			case "===", "!==", "==", "!=", "<", ">", "<=", ">=", "instanceof", "in":
				return false // a comparison sends a boolean
			}
		case "identifier", "member_expression":
			if name := a.f.Name(x); x.Type == "member_expression" && knowledge.WholeEnvironment(name, false) {
				found = name + " (every setting)" // res.json(process.env)
			} else if v := a.classify(x); v.kind == vSecret && exposedSecret(v.lit) {
				found = v.lit
			}
			return false // key.length is not the key
		}
		return true
	})
	return found
}

func (a *analyzer) walkSecret(n *jsast.Node, found *string) {
	if n != nil && *found == "" {
		*found = a.returnedSecret(n)
	}
}

// exposedSecret reports whether a setting's name is a server secret: a
// key, token, password or database connection string, and not a value
// the framework ships to the browser anyway (NEXT_PUBLIC_, VITE_, ...).
func exposedSecret(name string) bool {
	if name == "" || knowledge.IsPublicSetting(name) {
		return false
	}
	for _, p := range []string{"NEXT_PUBLIC_", "PUBLIC_", "VITE_", "EXPO_PUBLIC_", "NUXT_PUBLIC_", "REACT_APP_"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	if secretName(name) {
		return true
	}
	for _, k := range []string{"DATABASE_URL", "DB_URL", "DSN", "PASSWD", "PWD", "CREDENTIAL", "PRIVATE"} {
		if strings.Contains(name, k) {
			return true
		}
	}
	return false
}

// publishFlags are the names of fields that say whether a record is
// public; visibilityDrafts and visibilityPublic are the values of a status
// field that say it is not, or is.
var (
	publishFlags = map[string]bool{"published": true, "ispublished": true, "approved": true, "isapproved": true,
		"isapprove": true, "public": true, "ispublic": true, "visible": true, "isvisible": true, "active": true, "isactive": true}
	visibilityDrafts = map[string]bool{"draft": true, "pending": true, "unpublished": true, "private": true, "hidden": true,
		"review": true, "in_review": true, "archived": true}
	visibilityPublic = map[string]bool{"public": true, "published": true, "live": true, "visible": true, "approved": true, "shared": true}
	// shownFlags are the publish flags that say a record is shown to
	// everyone (not only that it is active or approved).
	shownFlags = map[string]bool{"published": true, "ispublished": true, "public": true, "ispublic": true, "visible": true, "isvisible": true}
)

// publication reports whether a query call's arguments select records by
// a publish flag or status: set to false or naming a draft (isPublished:
// false, status: 'draft'), or set to true or naming a published state
// (visibility: 'PUBLIC', isPublished: true), and whether that state says
// the records are shown to everyone (shownFlags; not isActive: true). A filter built in a local
// object just before the call (where: whereClause) is looked at too.
func (a *analyzer) publication(call *jsast.Node) (unpublished, published, shown bool) {
	visit := func(x *jsast.Node) bool {
		if jsast.IsFunction(x) {
			return false
		}
		if x.Type != "pair" {
			return true
		}
		key := strings.ToLower(strings.Trim(a.f.Text(x.ChildByField("key")), `"'`))
		v := jsast.Unwrap(x.ChildByField("value"))
		if v == nil {
			return true
		}
		switch {
		case publishFlags[key] && (a.f.Text(v) == "false" || a.f.Text(v) == "true"):
			unpublished, published = unpublished || a.f.Text(v) == "false", published || a.f.Text(v) == "true"
			shown = shown || shownFlags[key] && a.f.Text(v) == "true"
		case (key == "status" || key == "visibility" || key == "state") && v.Type == "string":
			s, _ := a.f.StringValue(v)
			unpublished, published = unpublished || visibilityDrafts[strings.ToLower(s)], published || visibilityPublic[strings.ToLower(s)]
			shown = shown || visibilityPublic[strings.ToLower(s)] && strings.ToLower(s) != "approved"
		}
		return true
	}
	args := call.ChildByField("arguments")
	jsast.Walk(args, visit)
	// eq(posts.published, true) in the query or a step chained on it
	// (db.select().from(posts).where(...)).
	scope := call
	for p := scope.Parent; p != nil && p.Type == "member_expression" && p.Parent != nil && p.Parent.Type == "call_expression"; p = scope.Parent {
		scope = p.Parent
	}
	jsast.Walk(scope, func(x *jsast.Node) bool {
		if x.Type == "call_expression" && jsast.LastSegment(a.f.CalleeName(x)) == "eq" {
			if as := jsast.Args(x); len(as) == 2 && publishFlags[strings.ToLower(conditionField(a.f, as[0]))] {
				switch a.f.Text(jsast.Unwrap(as[1])) {
				case "true":
					published = true
					shown = shown || shownFlags[strings.ToLower(conditionField(a.f, as[0]))]
				case "false":
					unpublished = true
				}
			}
		}
		return !jsast.IsFunction(x) || conditionCallback(a.f, x)
	})
	// where: whereClause, a filter object built before the call.
	jsast.Walk(args, func(x *jsast.Node) bool {
		if x.Type == "pair" && a.f.Text(x.ChildByField("key")) == "where" {
			if v := jsast.Unwrap(x.ChildByField("value")); v != nil && v.Type == "identifier" {
				if obj := localObject(a.f, call, a.f.Text(v)); obj != nil {
					jsast.Walk(obj, visit)
				}
			}
		}
		return !jsast.IsFunction(x)
	})
	return unpublished, published, shown && published
}

// publishWord matches a publish flag as a word of a query's text or of a
// filter written as code (`&& visible`, { published: true }).
var publishWord = func() *regexp.Regexp {
	var names []string
	for k := range publishFlags {
		names = append(names, k)
	}
	sort.Strings(names)
	return regexp.MustCompile(`(?i)\b(` + strings.Join(names, "|") + `)\b`)
}()

// publishSwitch reports whether a read's arguments hold a conditional
// (inline, or a local the arguments use, as in a query text's
// ${visibleFilter}) of which one branch adds a publish filter and the
// other does not, under a condition the request chooses with no identity
// in it (Effect.PublishSwitch); params are the function's parameters the
// condition depends on, for its callers to decide.
func (a *analyzer) publishSwitch(call *jsast.Node) (bool, []int) {
	fn := jsast.EnclosingFunction(call)
	var conds []*jsast.Node
	var visit func(x *jsast.Node) bool
	seen := map[string]bool{}
	visit = func(x *jsast.Node) bool {
		switch {
		case jsast.IsFunction(x):
			return false
		case x.Type == "ternary_expression":
			c, t, f := x.ChildByField("condition"), x.ChildByField("consequence"), x.ChildByField("alternative")
			if c != nil && t != nil && f != nil && publishWord.MatchString(a.f.Text(t)) != publishWord.MatchString(a.f.Text(f)) {
				conds = append(conds, c)
				return false
			}
		case x.Type == "identifier" && !seen[a.f.Text(x)]:
			seen[a.f.Text(x)] = true
			if v := declaredBefore(a.f, fn, call, a.f.Text(x)); v != nil {
				jsast.Walk(v, visit)
			}
		}
		return true
	}
	jsast.Walk(call.ChildByField("arguments"), visit)
	var params []int
	sw := false
	for _, c := range conds {
		s, ps := a.switchSources(c)
		sw = sw || s
		params = append(params, ps...)
	}
	return sw, params
}

// switchSources says whether the condition of a publish switch is chosen
// by the request (a request value and no identity in it), and which
// parameters it depends on.
func (a *analyzer) switchSources(cond *jsast.Node) (bool, []int) {
	reqs, _, _, ps := a.argSources(cond)
	var idx []int
	for _, p := range ps {
		idx = append(idx, p.index)
	}
	return len(reqs) > 0 && !a.readsIdentity(cond, 0), idx
}

// readsIdentity reports whether an expression uses the caller's identity
// (a role claim, the user id), also through the locals it names.
func (a *analyzer) readsIdentity(n *jsast.Node, depth int) bool {
	found := false
	fn := jsast.EnclosingFunction(n)
	jsast.Walk(n, func(x *jsast.Node) bool {
		if found || jsast.IsFunction(x) {
			return false
		}
		switch x.Type {
		case "identifier", "member_expression", "call_expression":
		default:
			return true
		}
		switch a.classify(x).kind {
		case vIdentity, vUser, vAuthObj, vHas:
			found = true
			return false
		}
		if x.Type == "identifier" && depth < 3 {
			if v := declaredBefore(a.f, fn, n, a.f.Text(x)); v != nil && a.readsIdentity(v, depth+1) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// conditionField names the field a condition compares: t.orgId,
// 'userId', q.field('userId').
func conditionField(f *jsast.File, n *jsast.Node) string {
	n = jsast.Unwrap(n)
	if s, ok := f.StringValue(n); ok {
		return s
	}
	if n != nil && n.Type == "call_expression" && jsast.LastSegment(f.CalleeName(n)) == "field" {
		if args := jsast.Args(n); len(args) == 1 {
			s, _ := f.StringValue(args[0])
			return s
		}
	}
	return jsast.LastSegment(f.Name(n))
}

// conditionCallback reports whether fn is the callback a query builder
// step takes its conditions in (knowledge.FilterCallback).
func conditionCallback(f *jsast.File, fn *jsast.Node) bool {
	args := fn.Parent
	if args == nil || args.Type != "arguments" || args.Parent == nil || args.Parent.Type != "call_expression" {
		return false
	}
	callee := jsast.Unwrap(args.Parent.ChildByField("function"))
	return callee != nil && callee.Type == "member_expression" && knowledge.FilterCallback(f.Text(callee.ChildByField("property")))
}

// checkout returns the data library of a pool whose method prop hands out
// a connected client (pg's pool.connect(), mysql2's getConnection()), for a
// receiver that is no local value of the function: a module-level or
// imported pool. The client's calls are then that library's calls.
func (a *analyzer) checkout(obj *jsast.Node, v value, prop string) string {
	obj = jsast.Unwrap(obj)
	if obj == nil || obj.Type != "identifier" || v.kind != vOther {
		return ""
	}
	if _, bound := a.vars[a.f.Text(obj)]; bound {
		return ""
	}
	pkg, err := a.m.clientPackage(a.ctx, a.f, obj, 0)
	if err != nil {
		if !errors.Is(err, errNotFound) {
			a.s.incomplete = true
		}
		return ""
	}
	if pkg == "" || !knowledge.CheckoutCall(pkg, prop) {
		return ""
	}
	return pkg
}

// linksCaller reports an update whose every written field is set to the
// caller's own identity (Prisma's { data: { clerkId: userId } }, a query
// builder's .set({ clerk_id: userId }) chained on the call): it links the
// selected record to the signed-in user and writes nothing else. In a
// helper a field may come from a parameter instead: ps lists them, and
// the call site decides (every argument for them is the identity).
func (a *analyzer) linksCaller(call *jsast.Node) (bool, []paramUse) {
	obj := (*jsast.Node)(nil)
	if args := jsast.Args(call); len(args) > 0 {
		if d := jsast.Unwrap(a.f.ObjectProp(args[len(args)-1], "data")); d != nil && d.Type == "object" {
			obj = d
		}
	}
	for n := call; obj == nil && n != nil; {
		m := n.Parent
		if m == nil || m.Type != "member_expression" || m.Parent == nil || m.Parent.Type != "call_expression" {
			break
		}
		n = m.Parent
		if a.f.Text(m.ChildByField("property")) == "set" {
			if args := jsast.Args(n); len(args) == 1 {
				obj = jsast.Unwrap(args[0])
			}
		}
	}
	if obj == nil || obj.Type != "object" {
		return false, nil
	}
	k := 0
	var ps []paramUse
	for _, c := range obj.NamedChildren() {
		var v value
		switch c.Type {
		case "comment":
			continue
		case "pair":
			v = a.classify(c.ChildByField("value"))
		case "shorthand_property_identifier":
			v = a.vars[a.f.Text(c)]
		default:
			return false, nil
		}
		switch {
		case v.identityish() && !orgish(v.field):
		case v.kind == vParam:
			ps = append(ps, paramUse{index: v.param, prop: v.pprop})
		default:
			return false, nil
		}
		k++
	}
	return k > 0, ps
}

// declInit returns the initializer of the declaration of name on line
// (`const stripe = getStripeClient()`), nil when there is none.
func declInit(f *jsast.File, name string, line int) *jsast.Node {
	for _, d := range jsast.Find(f.Root, "variable_declarator") {
		if n := d.ChildByField("name"); n != nil && n.Line == line && n.Type == "identifier" && f.Text(n) == name {
			return d.ChildByField("value")
		}
	}
	return nil
}
