package model

import (
	"errors"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// classify returns what an expression holds for an anonymous caller.
func (a *analyzer) classify(n *jsast.Node) value {
	n = jsast.Unwrap(n)
	if n == nil {
		return value{}
	}
	f := a.f
	if v, ok := literalOf(f, n); ok {
		return v
	}
	switch n.Type {
	case "identifier":
		name := f.Text(n)
		if v, ok := a.vars[name]; ok {
			return v
		}
		if exp, pkg := a.m.clerkExportOf(a.ctx, f, name); exp != "" {
			switch exp {
			case "clerkClient":
				return value{kind: vClerkClient}
			case "auth":
				return value{kind: vAuthFn}
			}
			_ = pkg
		}
		if a.moduleClerkClient(name) {
			return value{kind: vClerkClient}
		}
		if im, ok := f.ImportOf(name); ok && knowledge.ServerSettingsModule(im.Source) {
			return value{kind: vSecret, lit: im.Imported} // import { API_TOKEN } from 'astro:env/server'
		}
		return value{}
	case "member_expression", "subscript_expression":
		if lit, ok := knowledge.ProductionConstant(f.Text(n)); ok {
			return value{kind: vLiteral, lit: lit} // import.meta.env.PROD: true in the deployed build
		}
		obj := n.ChildByField("object")
		prop := ""
		if n.Type == "member_expression" {
			prop = f.Text(n.ChildByField("property"))
		} else if s, ok := f.StringValue(n.ChildByField("index")); ok {
			prop = s
		} else {
			prop = "[]"
		}
		if f.Name(obj) == "process.env" || secretName(prop) {
			return value{kind: vSecret, lit: prop} // process.env.X, env().OPENROUTER_API_KEY, config.STRIPE_SECRET_KEY
		}
		ov := a.classify(obj)
		if prop != "[]" && (ov.kind == vRequest && ov.hdrs || ov.kind == vParam && headersMember(f, obj)) && !calleeOf(n) {
			a.headerRead(n, ov, prop) // req.headers['x-user-id']
		}
		if ov.kind == vLiteral && nullishLit(ov) && hasOptional(n) {
			return value{kind: vLiteral, lit: "undefined", idDerived: ov.idDerived} // null?.x
		}
		mv := a.member(ov, prop)
		mv.idDerived = mv.idDerived || ov.idDerived
		return mv
	case "call_expression":
		return a.callValue(n)
	case "binary_expression":
		op := f.Text(n.ChildByField("operator"))
		l, r := n.ChildByField("left"), n.ChildByField("right")
		switch op {
		case "||", "??":
			lv, rv := a.classify(l), a.classify(r)
			if lv.idDerived || rv.idDerived {
				lv.idDerived, rv.idDerived = true, true
			}
			if op == "||" && (a.nullOwnerTest(l) || a.nullOwnerTest(r)) {
				// isOwner = row.userId === userId || row.userId === null:
				// records without an owner pass for every caller.
				lv.authz &^= AuthzOwner
				rv.authz &^= AuthzOwner
			}
			switch {
			case lv.falsy() && (lv.kind == vIdentity || lv.kind == vUser) && rv.kind == vLiteral:
				// role ?? 'user': the literal for an anonymous caller.
				lv.dflt = rv.lit
				return lv
			case lv.falsy() && lv.kind == vCred:
				return rv // no credential: the fallback
			case lv.falsy() && rv.kind != vOther && rv.kind != vLiteral:
				// userId || req.body.userId: the caller's choice;
				// req.headers.get('x-api-key') || process.env.KEY: the server's key.
				return rv
			case lv.kind != vOther && lv.kind != vLiteral:
				return lv
			case lv.kind == vOther && rv.kind == vLiteral:
				// row.kind || 'student' of a value the model cannot
				// read: either side, not the fallback (a known literal
				// would decide the branches that test it).
				return value{}
			}
			return rv
		case "&&":
			return a.classify(r)
		case "===", "==", "!==", "!=", "<", ">", "<=", ">=", "instanceof", "in":
			c, info := a.cond(n)
			if info.mentions {
				return value{kind: vPred, anon: c, authz: info.authz, secret: info.secret}
			}
			return value{}
		case "+":
			return taint(a.classify(l), a.classify(r))
		}
		return value{}
	case "template_string":
		var out value
		for _, c := range n.NamedChildren() {
			if c.Type == "template_substitution" {
				for _, e := range c.NamedChildren() {
					out = taint(out, a.classify(e))
				}
			}
		}
		return out
	case "unary_expression":
		op := n.ChildByField("operator")
		if op != nil && f.Text(op) == "!" {
			c, info := a.cond(n)
			if info.mentions {
				return value{kind: vPred, anon: c, authz: info.authz, secret: info.secret}
			}
		}
		return value{}
	case "ternary_expression":
		c, info := a.cond(n.ChildByField("condition"))
		cv, av := a.classify(n.ChildByField("consequence")), a.classify(n.ChildByField("alternative"))
		if info.mentions {
			cv.idDerived, av.idDerived = true, true
		}
		switch {
		case c == isTrue:
			return cv
		case c == isFalse:
			return av
		case av.kind == vRequest:
			return av
		case cv.kind == vOther && av.kind != vOther:
			return av
		}
		return cv
	case "new_expression":
		ctor := n.ChildByField("constructor")
		if root := rootIdent(ctor); root != nil && (a.importPackage(f.Text(root)) == "" || a.localModule(f.Text(root))) {
			// new Blog({...}): a document of an ORM model (save() writes it).
			if pkg, err := a.m.clientPackage(a.ctx, f, root, 0); err == nil && pkg != "" {
				if _, ok := knowledge.DataLibraryOf(pkg); ok {
					return value{kind: vRow}
				}
			}
		}
		if pkg := a.importPackage(rootName(f.Name(ctor))); pkg != "" {
			if _, ok := knowledge.DataLibraryOf(pkg); ok {
				return value{kind: vClient, pkg: pkg}
			}
			if knowledge.IsClerkPackage(pkg) {
				return value{kind: vClerkClient}
			}
			return value{kind: vClient, pkg: pkg}
		}
		if c := f.Name(ctor); (c == "Map" || c == "Set") && a.importPackage(c) == "" && f.LocalValue(c) == nil {
			// new Map(Object.entries(claims.teams)): a collection built
			// from the identity holds nothing for an anonymous caller.
			if args := jsast.Args(n); len(args) > 0 {
				if v := a.classify(args[0]); v.kind == vIdentity {
					v.coll = true
					return v
				}
			}
		}
		if f.Name(ctor) == "URL" {
			if args := jsast.Args(n); len(args) > 0 {
				if v := a.classify(args[0]); v.kind == vRequest {
					return value{kind: vRequest, src: FromQuery}
				}
			}
		}
	}
	return value{}
}

// validTarget is the request part a Hono validator target names
// (c.req.valid('param')); the body when it is not a constant.
func validTarget(f *jsast.File, args []*jsast.Node) InputSource {
	if len(args) > 0 {
		if t, ok := f.StringValue(args[0]); ok {
			switch t {
			case "param":
				return FromParams
			case "query":
				return FromQuery
			case "header":
				return FromHeaders
			case "cookie":
				return FromCookies
			case "form":
				return FromForm
			}
		}
	}
	return FromBody
}

// taint combines two values of an expression built from both: a request
// input or a secret spreads into the result.
func taint(a, b value) value {
	for _, v := range []value{a, b} {
		if v.kind == vRequest || v.kind == vSecret {
			return v
		}
	}
	for _, v := range []value{a, b} {
		if v.kind == vCred || v.kind == vIdentity {
			return v
		}
	}
	return value{}
}

// member returns what property prop of a value holds.
func (a *analyzer) member(v value, prop string) value {
	if pv, ok := v.props[prop]; ok {
		return pv
	}
	if v.asCaller && prop == "error" {
		// The { error } of a query run with the caller's own token: set
		// when the database refused the token, so testing it and exiting
		// stops a caller whose token is not valid.
		return value{kind: vPred, anon: isTrue}
	}
	switch v.kind {
	case vLocals:
		// context.locals.auth = { userName } set by the application's own
		// middleware from the verified identity (storedLocalsValue).
		if cv, ok := a.m.storedLocalsValue(a.ctx, prop); ok {
			return cv
		}
	case vAuthObj:
		if iv, ok := identityField(prop); ok {
			return iv
		}
		if roleish(prop) && a.m.storedRoleTrusted(a.ctx, prop) {
			// locals.auth.role: Clerk's Auth object has no such field, so
			// the application's hook stored it from the verified
			// session, and no file stores it from client-writable metadata.
			return value{kind: vIdentity, field: prop, authz: AuthzRole}
		}
		return value{}
	case vTRPCOpts:
		switch prop {
		case "ctx":
			return value{kind: vTRPCCtx}
		case "input", "rawInput", "getRawInput":
			return value{kind: vRequest, src: FromArgs}
		case "next":
			return value{kind: vNext}
		}
	case vTRPCCtx:
		// What createContext attaches: Clerk's Auth object (getAuth(req),
		// auth()), or the identity fields taken from it.
		if prop == "auth" {
			return value{kind: vAuthObj}
		}
		if iv, ok := identityField(prop); ok {
			return iv
		}
		if prop == "user" || prop == "session" {
			return value{kind: vUser}
		}
		if prop == "req" || prop == "request" {
			return value{kind: vReq}
		}
	case vAuthFn:
		if prop == "protect" {
			return value{kind: vProtect}
		}
	case vIdentity:
		out := value{kind: vIdentity, field: v.field + "." + prop, authz: v.authz}
		if clientWritable(out.field) {
			return out // sessionClaims.unsafe_metadata.role: the caller wrote it
		}
		if roleish(prop) && (strings.Contains(strings.ToLower(v.field), "metadata") || !a.m.storedFromClient(a.ctx, prop)) {
			out.authz |= AuthzRole
		} else if orgish(prop) {
			out.authz |= AuthzOrg
		}
		return out
	case vUser:
		if v.field == anyTenantMembership && roleish(prop) {
			return value{} // the caller's role in some tenant (membership.go)
		}
		out := value{kind: vIdentity, field: prop}
		if roleish(prop) && !a.m.storedFromClient(a.ctx, prop) {
			out.authz = AuthzRole
		}
		if strings.Contains(strings.ToLower(prop), "metadata") && !clientWritable(prop) {
			out.field = "metadata"
		}
		return out
	case vReq:
		if v.field == "var" {
			// c.var.user reads what c.get('user') reads
			// (https://hono.dev/docs/api/context#var).
			if cv, ok := a.m.storedCallerValue(a.ctx, prop); ok {
				return cv
			}
			if rv, ok := a.m.storedRoleValue(a.ctx, prop); ok {
				return rv
			}
			return value{}
		}
		if prop == "auth" {
			return value{kind: vAuthObj}
		}
		switch prop {
		case "context", "locals", "request", "event":
			// h3's event.context, SvelteKit's event.locals and
			// event.request, a handle's { event }: the same request.
			return v
		case "route":
			if v.route != "" {
				return value{route: v.route} // SvelteKit's event.route: its id is known
			}
		case "req":
			return v // the Hono context's request (c.req.param('id')); h3's event.node.req
		case "var":
			if v.field == "" {
				return value{kind: vReq, field: "var"} // Hono's c.var: the context's variables, read by key below
			}
		case "node":
			if v.path != "" {
				return v // h3's event.node: the Node request of the same path
			}
		case "method":
			if v.method != "" {
				return value{kind: vLiteral, lit: "s:" + v.method}
			}
		case "path", "url", "originalUrl":
			if v.path != "" {
				if prop == "path" {
					return value{kind: vLiteral, lit: "s:" + v.path}
				}
				return value{kind: vRequest, src: FromQuery, path: v.path}
			}
		}
		if rv, ok := requestMember(prop); ok {
			return rv
		}
		if a.m.RequestClerkUser(a.ctx, prop) {
			return value{kind: vUser, clerk: true} // the hook stored a whole Clerk User there
		}
		if prop == "user" || prop == "session" {
			return value{kind: vUser}
		}
		if prop == "userId" {
			// set by the server's own auth middleware or hook (a client
			// cannot set properties of the request object)
			return value{kind: vIdentity, field: "userId"}
		}
		if roleish(prop) && !a.m.storedFromClient(a.ctx, prop) {
			// req.role, event.context.editorRole: set by the same hook,
			// and no file sets it from client-writable metadata
			return value{kind: vIdentity, field: prop, authz: AuthzRole}
		}
		if pkg, ok := a.m.svelteLocalClient(a.ctx, a.f.Path, prop); ok {
			return value{kind: vClient, pkg: pkg} // event.locals.db = createDb(env.DB) in a SvelteKit hook
		}
	case vRequest:
		if v.path != "" && prop == "pathname" {
			return value{kind: vLiteral, lit: "s:" + v.path}
		}
		if (v.src == FromHeaders || v.src == FromCookies) && credentialName(prop) {
			return value{kind: vCred, src: v.src}
		}
		if v.src == FromQuery && prop == "searchParams" {
			return v
		}
		return value{kind: vRequest, src: v.src}
	case vCred:
		return v
	case vRouteCtx:
		if prop == "params" {
			return value{kind: vRequest, src: FromParams}
		}
	case vPageProps:
		switch prop {
		case "params":
			return value{kind: vRequest, src: FromParams}
		case "searchParams":
			return value{kind: vRequest, src: FromQuery}
		}
	case vReqCtx:
		return reqCtxMember(v, prop)
	case vGSSP:
		switch prop {
		case "params":
			return value{kind: vRequest, src: FromParams}
		case "query", "resolvedUrl":
			return value{kind: vRequest, src: FromQuery}
		case "req":
			return value{kind: vReq}
		case "res":
			return value{kind: vRes}
		}
	case vSecret:
		if prop == "length" {
			return value{} // a secret's length is not the secret
		}
		return v
	case vClerkClient, vClient:
		if v.kind == vClient && v.field == convexCtxField {
			return convexCtxMember(prop)
		}
		return v
	case vRow:
		if prop == "data" && v.authz != 0 {
			return v // supabase-js { data }: the record itself
		}
		return value{kind: vRow, clerk: v.clerk, created: v.created, own: v.own}
	case vOther:
		if v.route != "" && prop == "id" {
			return value{kind: vLiteral, lit: "s:" + v.route}
		}
	case vParam:
		if prop == "auth" {
			// A helper's request parameter: req.auth, locals.auth,
			// event.context.auth is Clerk's Auth object (or its function).
			return value{kind: vAuthObj}
		}
		if v.pprop == "" {
			v.pprop = prop // args.noteId: the caller's argument decides it by that property
		}
		// The member chain read of the parameter (locals.user.id), for a
		// caller to read of its argument when the helper returns it.
		v.field = strings.TrimPrefix(v.field+"."+prop, ".")
		return v
	case vResult:
		switch {
		case v.keys.anon[prop] && !v.keys.ok[prop]:
			return value{kind: vPred, anon: isTrue, authz: v.authz}
		case v.keys.ok[prop] && !v.keys.anon[prop]:
			return value{kind: vPred, anon: isFalse, authz: v.authz}
		}
	}
	return value{}
}

// paramMembers is what a helper that returns the member chain of its
// parameter (`return locals.user?.id`) returns to a caller that passed v:
// the same members of v, as far as they name something known (an
// identity, a request input); v itself otherwise.
func (a *analyzer) paramMembers(v value, chain string) value {
	if chain == "" {
		return v
	}
	out := v
	for _, prop := range strings.Split(chain, ".") {
		out = a.member(out, prop)
	}
	if out.kind == 0 {
		return v
	}
	return out
}

// callValue returns what a call returns.
func (a *analyzer) callValue(n *jsast.Node) value {
	f := a.f
	callee := jsast.Unwrap(n.ChildByField("function"))
	if callee == nil {
		return value{}
	}
	name := f.CalleeName(n)
	clean := strings.ReplaceAll(name, "()", "")
	last := jsast.LastSegment(clean)
	args := jsast.Args(n)
	// Object.keys(req.body): the caller chooses the keys too.
	if (clean == "Object.keys" || clean == "Object.values" || clean == "Object.entries") && len(args) == 1 {
		if v := a.classify(args[0]); v.kind == vRequest {
			return value{kind: vRequest, src: v.src}
		}
	}
	// A framework's own identity source (Convex's ctx.auth.getUserIdentity()).
	if src, ok := knowledge.IdentityCallOf(a.ctxCallee(n)); ok && src.Returns == knowledge.ConvexIdentity {
		a.noteRead(n, clean+"()")
		return value{kind: vUser}
	}
	if callee.Type == "member_expression" && last == "authenticateRequest" {
		// clerkClient.authenticateRequest(req) of a Clerk client made anywhere.
		if root := rootIdent(callee); root != nil {
			rv, bound := a.vars[f.Text(root)]
			if a.isClerkClient(root, rv, bound) {
				if src, ok := knowledge.IdentitySourceOf("@clerk/backend", last); ok && src.Returns == knowledge.RequestState {
					a.noteRead(n, clip(clean, 40)+"()")
					return value{kind: vAuthObj}
				}
			}
		}
	}
	if clean == "Deno.env.get" {
		return value{kind: vSecret} // Deno's process.env
	}
	if r, cargs, ok := a.m.convexCallTarget(a.ctx, f, n); ok {
		if a.depth >= MaxDepth {
			a.s.cut = true
			return value{}
		}
		s := a.use(a.m.summarize(a.ctx, r.file, r.fn, roleHelper, nil, a.depth+1, a.stack))
		if s.ret.kind == vParam && s.ret.param < len(cargs) {
			return a.classify(cargs[s.ret.param])
		}
		return s.ret
	}
	// Methods of known values.
	if callee.Type == "member_expression" {
		obj := a.classify(callee.ChildByField("object"))
		prop := f.Text(callee.ChildByField("property"))
		if (prop == "get" || prop == "header") && len(args) == 1 {
			if o := jsast.Unwrap(callee.ChildByField("object")); obj.kind != vParam || o.Type == "identifier" || headersMember(f, o) {
				if h, ok := f.StringValue(args[0]); ok {
					a.headerRead(n, obj, h) // req.get('x-user-id'), headers.get(...), a helper's param.headers.get(...)
				}
			}
		}
		if obj.kind != vIdentity && obj.kind != vUser {
			if v, ok := a.callbackTest(prop, args); ok {
				return v // required.some((r) => !roles.includes(r))
			}
		}
		if b, ok := a.listTest(callee.ChildByField("object"), prop, args); ok {
			return b // ['/', '/sign-in'].includes(event.url.pathname) for a known path
		}
		if pkg := a.checkout(callee.ChildByField("object"), obj, prop); pkg != "" {
			return value{kind: vClient, pkg: pkg} // const client = await pool.connect() of an imported pool
		}
		switch obj.kind {
		case vReq:
			switch prop {
			case "auth":
				a.noteRead(n, "req.auth()")
				return value{kind: vAuthObj}
			case "json", "text", "arrayBuffer", "blob":
				return value{kind: vRequest, src: FromBody}
			case "formData", "parseBody":
				return value{kind: vRequest, src: FromForm}
			case "param":
				// Hono: c.req.param('id'), c.req.query('q'), c.req.valid('json')
				// (https://hono.dev/docs/api/request).
				return value{kind: vRequest, src: FromParams}
			case "query", "queries":
				return value{kind: vRequest, src: FromQuery}
			case "valid":
				return value{kind: vRequest, src: validTarget(f, args)}
			case "get", "header":
				if len(args) > 0 {
					if h, ok := f.StringValue(args[0]); ok && prop == "get" && knowledge.ClientContextKey(h) {
						return value{kind: vClerkClient} // Hono c.get('clerk')
					}
					if h, ok := f.StringValue(args[0]); ok && prop == "get" {
						if v, ok := a.m.storedRoleValue(a.ctx, h); ok {
							return v // Hono c.get('role') that the app's middleware c.set()
						}
						if v, ok := a.m.storedCallerValue(a.ctx, h); ok {
							return v // Hono c.get('user') that a middleware reading the identity c.set()
						}
					}
					if h, ok := f.StringValue(args[0]); ok && credentialName(h) {
						return value{kind: vCred, src: FromHeaders}
					}
				}
				return value{kind: vRequest, src: FromHeaders}
			}
		case vRequest, vCred:
			if b, ok := stringTest(obj, prop, args, f); ok {
				return b // req.url.startsWith('/api') for a known path
			}
			if prop == "get" || prop == "getAll" || prop == "has" {
				if len(args) > 0 {
					if h, ok := f.StringValue(args[0]); ok && (obj.src == FromHeaders || obj.src == FromCookies) && credentialName(h) {
						return value{kind: vCred, src: obj.src}
					}
				}
			}
			return value{kind: obj.kind, src: obj.src}
		case vAuthObj:
			switch prop {
			case "has":
				return value{kind: vPred, anon: isFalse, authz: AuthzRole}
			case "protect":
				return value{kind: vAuthObj}
			case "getToken":
				return value{kind: vIdentity, field: "token"}
			case "toAuth":
				// authenticateRequest's RequestState (knowledge.RequestState):
				// toAuth() is the Auth object of the verified request
				// (https://clerk.com/docs/reference/backend/authenticate-request).
				return value{kind: vAuthObj}
			}
			return value{}
		case vAuthFn:
			if prop == "protect" {
				return value{kind: vAuthObj}
			}
		case vIdentity, vUser:
			if obj.kind == vUser && obj.field == "record" {
				return obj // a query builder: User.findById(id).populate('x') resolves to the record
			}
			if prop == "includes" || prop == "some" || prop == "find" || prop == "startsWith" || prop == "endsWith" {
				return value{kind: vPred, anon: isFalse, authz: obj.authz | AuthzRole}
			}
			return value{kind: vIdentity, field: obj.field, authz: obj.authz}
		case vClerkClient:
			switch {
			case last == "getUser" && len(args) > 0 && a.classify(args[0]).kind != vIdentity && a.classify(args[0]).kind != vUser:
				return value{kind: vRow, clerk: true} // a user picked by id: not null
			case last == "getUser":
				return value{kind: vUser, clerk: true}
			case last == "getUserList" || strings.HasPrefix(last, "getUser"):
				return value{kind: vRow, clerk: true}
			}
			return value{kind: vRow}
		case vClient:
			if e := a.chainedEffect(n); e != nil && (knowledge.SingleInEnvelope(prop) || obj.pkg == "convex/server" && knowledge.SingleRecord(prop) ||
				e == a.effectOf(n) && e.Kind == ReadsData && knowledge.SingleRecord(prop)) {
				// const { data } = await supabase.from(t).select().eq(...).single();
				// ctx.db.query(t).withIndex(i, (q) => q.eq('clerkId', identity.subject)).unique()
				// col.findOne({ _id, userId }) on a collection a helper returned: one record or null
				if v, ok := a.singleRecord(n, clean, e); ok {
					return v
				}
			}
			// A query builder's steps and its results: the caller's own
			// rows when its filter is the caller's identity alone.
			own := obj.own && rowsTransform[prop]
			if e := a.chainedEffect(n); e != nil && !own {
				own = a.selectsOwn(n, e)
			}
			return value{kind: vClient, pkg: obj.pkg, own: own, asCaller: obj.asCaller}
		case vLocals:
			if v, ok := a.localsIdentity(n, prop); ok {
				return v
			}
		case vParam:
			if prop == "auth" {
				a.noteRead(n, clip(clean, 30)+"()")
				return value{kind: vAuthObj}
			}
		case vRow:
			if (prop == "map" || prop == "flatMap") && len(args) > 0 && a.picksPublicFields(args[0]) {
				// users.map((u) => ({ id: u.id, name: u.firstName })): the
				// public profile fields picked, not the User objects.
				return value{kind: vRow, own: obj.own}
			}
			if prop == "includes" && len(args) == 1 {
				if av := a.classify(args[0]); av.identityish() {
					// team.memberIds.includes(userId): membership of a record.
					return value{kind: vPred, anon: isFalse, authz: ownerKind(av)}
				}
			}
			if e := a.chainedEffect(n); e != nil && !obj.clerk {
				// const [row] = await db.select().from(t).where(...): one record.
				if v, ok := a.singleRecord(n, clean, e); ok {
					return v
				}
				return value{kind: vRow, clerk: obj.clerk, own: a.selectsOwn(n, e)}
			}
			return value{kind: vRow, clerk: obj.clerk, own: obj.own && rowsTransform[prop]}
		case vOther, vLiteral:
			if b, ok := stringTest(obj, prop, args, f); ok {
				return b // event.path.startsWith('/api/admin') for a known path
			}
			if prop == "includes" && len(args) == 1 {
				if av := a.classify(args[0]); av.identityish() {
					return value{kind: vPred, anon: isFalse, authz: av.authz | AuthzRole}
				}
			}
		}
	}
	if v, ok := a.tokenVerifier(n); ok && v.Use == knowledge.VerifierFactory {
		return verifierValue
	}
	// Clerk functions.
	if root := rootIdent(callee); root != nil && callee.Type == "identifier" {
		rname := f.Text(root)
		if v, ok := a.vars[rname]; ok {
			switch v.kind {
			case vHas:
				return value{kind: vPred, anon: isFalse, authz: AuthzRole}
			case vProtect:
				return value{kind: vAuthObj}
			case vAuthObj:
				// const { auth } = locals; auth(): the function form of
				// locals.auth / event.context.auth returns the Auth object.
				a.noteRead(n, rname+"()")
				return value{kind: vAuthObj}
			}
		}
		if _, ok := a.vars[rname]; !ok {
			if exp, pkg := a.m.clerkExportOf(a.ctx, f, rname); exp != "" {
				if _, ok := knowledge.IdentitySourceOf(pkg, exp); ok || exp == "auth" || exp == "currentUser" || exp == "getAuth" {
					a.noteRead(n, exp+"()")
				}
				if src, ok := knowledge.IdentitySourceOf(pkg, exp); ok {
					switch src.Returns {
					case knowledge.AuthObject, knowledge.RequestState:
						return value{kind: vAuthObj}
					case knowledge.BackendUser:
						return value{kind: vUser, clerk: true}
					case knowledge.SessionClaims:
						return value{kind: vIdentity, field: "claims"}
					}
				}
				switch exp {
				case "clerkClient", "createClerkClient", "Clerk":
					return value{kind: vClerkClient}
				case "auth":
					return value{kind: vAuthObj}
				case "currentUser":
					return value{kind: vUser, clerk: true}
				case "getAuth":
					return value{kind: vAuthObj}
				}
				return value{}
			}
			if v, ok := a.requestRead(rname, args); ok {
				return v
			}
			if v, ok := a.routeMatch(rname, args); ok {
				return v
			}
			if im, ok := f.ImportOf(rname); ok && im.Source == "next/headers" {
				switch im.Imported {
				case "cookies":
					return value{kind: vRequest, src: FromCookies}
				case "headers":
					return value{kind: vRequest, src: FromHeaders, hdrs: true}
				}
			}
		}
	}
	if (last == "verify" || last == "verifyToken" || last == "jwtVerify") && len(args) > 0 && a.classify(args[0]).kind == vCred {
		return value{kind: vIdentity, field: "claims"}
	}
	if tc, ok := a.tokenCall(n); ok && tc.Use == knowledge.Verifies {
		if a.keyFromCaller(n) {
			return value{kind: vRequest, src: FromToken} // verified with a key the caller sends
		}
		return value{kind: vIdentity, field: "claims"}
	}
	if a.verifiesToken(n) {
		// A verifier made with the application's secret (fast-jwt
		// createVerifier({ key })): the claims the application signed.
		return value{kind: vIdentity, field: "claims"}
	}
	// Data reads return records; a single-record lookup keyed by the
	// (null) identity returns null for an anonymous caller.
	if e := a.effectOf(n); e != nil {
		if v, ok := a.singleRecord(n, clean, e); ok {
			v.asCaller = e.AsCaller
			return v
		}
		if e.Kind == ReadsData || e.Kind == WritesData {
			// A record the caller has just created is theirs.
			return value{kind: vRow, created: e.Kind == WritesData && knowledge.IsCreate(clean), own: a.selectsOwn(n, e), asCaller: e.AsCaller}
		}
		return value{}
	}
	// A function of the snapshot: what it returns. A server function
	// called from server code returns what its handler returns, given the
	// context its middleware passes on (another server function that
	// reads the caller's own row).
	followable := rootIdentType(callee) || dynamicImportCall(f, callee) // (await import('./db')).getDb()
	if a.depth >= MaxDepth && followable {
		a.s.cut = true
	}
	if a.depth < MaxDepth && followable {
		r, seeds, _, isFn := a.calledServerFn(callee)
		var err error
		if !isFn {
			r, err = a.m.resolveFunc(a.ctx, f, callee, a.locals, 0)
		}
		if err == nil && r.fn != a.fn {
			s := a.use(a.m.summarizeSeeded(a.ctx, r.file, r.fn, roleHelper, nil, seeds, a.depth+1, a.stack))
			if s.retSeen {
				ret := s.ret
				if ret.kind == vParam && ret.param < len(args) && !isFn {
					return a.paramMembers(a.classify(args[ret.param]), ret.field)
				}
				if len(s.reads) > 0 && ret.kind == vOther && ret.props == nil || isFn && ret.kind == vParam {
					return value{}
				}
				if ret.kind != vPred && !isFn {
					if p, ok := a.requestPredicate(r, args); ok {
						return p // isAuthorized(request): the request's secret header tested in the helper
					}
				}
				if len(ret.scopeParams) > 0 {
					ret.scope, ret.scopeParams = a.argScope(ret, args)
				}
				return ret
			}
			return value{}
		} else if err != nil && !errors.Is(err, errNotFound) {
			a.s.incomplete = true
		}
	}
	// Another auth library's session: getServerSession() of next-auth,
	// null when signed out.
	if callee.Type == "identifier" {
		if pkg := a.importPackage(f.Text(callee)); pkg != "" && !knowledge.IsClerkPackage(pkg) && sessionName(f.Text(callee)) {
			return value{kind: vUser, field: "session"}
		}
	}
	// A data library's factory: createClient() of @supabase/supabase-js,
	// drizzle(pool), postgres(url).
	if root := rootIdent(callee); root != nil {
		if pkg := a.importPackage(f.Text(root)); pkg != "" {
			if _, ok := knowledge.DataLibraryOf(pkg); ok {
				return value{kind: vClient, pkg: pkg, asCaller: a.callerTokenClient(n, pkg)}
			}
		}
	}
	if a.decodesToken(n) {
		return value{kind: vRequest, src: FromToken}
	}
	// A function the model does not follow (a package, a global): its
	// result carries its arguments' origin (z.parse(body), Number(id)).
	var out value
	for _, arg := range args {
		out = taint(out, a.classify(arg))
	}
	if out.kind == vIdentity {
		return value{kind: vIdentity, field: out.field}
	}
	return out
}

// singleRecord is the value of a single-record read n (findFirst, or
// const [row] = await ..., also of an update returning its rows): the caller's own record when it is selected
// by the identity, an owner or organization check when the request
// selects it too, the app's own session when a credential does.
func (a *analyzer) singleRecord(n *jsast.Node, clean string, e *effect) (value, bool) {
	envelope := e.Kind == ReadsData && knowledge.SingleInEnvelope(clean)
	switch {
	case envelope:
		// { data, error } = await ....single(): data is the record, or null.
	case e.Kind == ReadsData && (knowledge.SingleRecord(clean) || firstOnly(n)):
	case e.Kind == WritesData && e.Selects && firstOnly(n):
		// const [row] = await db.update(t).set(v).where(...).returning():
		// the record changed, or none.
	default:
		return value{}, false
	}
	reqs, owner, org, ps := a.chainSources(n)
	if envelope {
		// Selected by the caller's identity or the claims of a token the
		// handler decoded itself, and by the request
		// (.eq('id', body.id).eq('user_id', payload.sub).single()):
		// testing `data` is an owner check, against the claimed identity
		// whose trust is the token rule's question. The envelope is never
		// null, and a caller may hold the token, so it stays a row.
		if (owner || org || slices.Contains(reqs, FromToken)) && slices.ContainsFunc(reqs, func(r InputSource) bool { return r != FromToken }) {
			az := AuthzOwner
			if !owner && org {
				az = AuthzOrg
			}
			return value{kind: vRow, authz: az, scope: requestInputs(reqs)}, true
		}
		return value{}, false
	}
	switch {
	case owner && len(reqs) == 0 && len(ps) == 0:
		if !org && a.tenantMembership(n, e) {
			return value{kind: vUser, field: anyTenantMembership}, true
		}
		return value{kind: vUser, field: "record"}, true
	case owner || org:
		// Also selected by the request or the helper's argument
		// (where: { id, userId }, a membership by team and user):
		// testing it is an owner or organization check.
		az := AuthzOwner
		if !owner {
			az = AuthzOrg
		}
		return value{kind: vUser, field: "record", authz: az, scope: requestInputs(reqs), scopeParams: ps}, true
	}
	if a.usesCredential(n) {
		// The app's own session: a record looked up by the request's
		// cookie or Authorization header, none for an anonymous caller.
		a.noteRead(n, clip(clean, 40)+"()")
		v := value{kind: vUser, field: "session"}
		for _, r := range reqs {
			if r != FromCookies && r != FromHeaders {
				v.authz = AuthzOwner // also selected by the request: the caller's own record, or none
			}
		}
		return v, true
	}
	return value{}, false
}

// chainedEffect is the effect of the call n, or of the data call n is
// chained on (const [row] = await db.select().from(t).where(...): the
// value is the read's records).
func (a *analyzer) chainedEffect(n *jsast.Node) *effect {
	for c := n; c != nil && c.Type == "call_expression"; {
		if e := a.effectOf(c); e != nil {
			return e
		}
		callee := jsast.Unwrap(c.ChildByField("function"))
		if callee == nil || callee.Type != "member_expression" {
			return nil
		}
		c = jsast.Unwrap(callee.ChildByField("object"))
	}
	return nil
}

// rootIdentType reports whether a callee is something resolveFunc may
// follow (not a call on a literal or a computed value).
func rootIdentType(callee *jsast.Node) bool {
	return rootIdent(callee) != nil
}

// condInfo describes what a condition tests.
type condInfo struct {
	authz    Authz
	mentions bool // it tests the identity or a credential
	secret   bool // it compares a credential with a configured secret
	// presence is set when it tests only that a credential nothing
	// verifies here is present or shaped like a token (testedCred).
	presence bool
	// scope lists the request inputs that selected the records it tests
	// (value.scope); open is set when some of its authorization comes
	// from anything else.
	scope []InputSource
	open  bool
	// scopeParams are the function's parameters that selected the records
	// it tests (value.scopeParams): a helper's check covers the inputs its
	// caller passes there.
	scopeParams []paramUse
	// ownerParams are the parameters it compares with a field of a
	// loaded record (summary.ownerParams).
	ownerParams []int
}

// unscoped reports authorization the condition decides that no record
// test of known scope accounts for.
func (i condInfo) unscoped() bool { return i.open || i.authz != 0 && len(i.scope) == 0 }

func (i condInfo) merge(j condInfo) condInfo {
	return condInfo{authz: i.authz | j.authz, mentions: i.mentions || j.mentions, secret: i.secret || j.secret,
		presence: i.presence || j.presence, scope: addSources(i.scope, j.scope), open: i.unscoped() || j.unscoped(),
		ownerParams: append(slices.Clone(i.ownerParams), j.ownerParams...), scopeParams: append(slices.Clone(i.scopeParams), j.scopeParams...)}
}

// argScope maps the parameters that selected a helper's checked records
// (value.scopeParams) to what its caller passes there: the request
// inputs, or the caller's own parameters. Nothing is known of the scope
// (nil, nil) when an argument is missing or holds neither: its check may
// cover any record.
func (a *analyzer) argScope(ret value, args []*jsast.Node) ([]InputSource, []paramUse) {
	scope, params := ret.scope, []paramUse(nil)
	for _, p := range ret.scopeParams {
		if p.index >= len(args) {
			return nil, nil
		}
		reqs, _, _, ps := a.argSources(propArg(a.f, args[p.index], p.prop))
		in := requestInputs(reqs)
		if len(in) == 0 && len(ps) == 0 || len(reqs) > 0 && len(in) == 0 {
			return nil, nil
		}
		scope, params = addSources(scope, in), append(params, ps...)
	}
	return scope, params
}

// addSources returns the union of two input lists in a new slice.
func addSources(a, b []InputSource) []InputSource {
	if len(b) == 0 {
		return a
	}
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// cond evaluates a condition for an anonymous caller.
// callbackTest reads arr.some(cb), arr.every(cb) and arr.find(cb) whose
// callback's body tests the caller's roles (required.some((r) =>
// !roles.includes(r))): a role predicate. For an anonymous caller, some
// and find are false when the body is, and every is true when the body
// is; an empty array decides otherwise. A callback comparing records to
// the caller's id (players.some((p) => p.id === userId)) is not read: it
// tests membership either way round (already joined, or a member), and
// which way an exit means is not the model's to guess.
func (a *analyzer) callbackTest(method string, args []*jsast.Node) (value, bool) {
	if (method != "some" && method != "every" && method != "find") || len(args) == 0 {
		return value{}, false
	}
	fn := jsast.Unwrap(args[0])
	if fn == nil || fn.Type != "arrow_function" {
		return value{}, false
	}
	body := fn.ChildByField("body")
	if body == nil || body.Type == "statement_block" {
		return value{}, false
	}
	c, info := a.cond(body)
	if !info.mentions || info.authz&AuthzRole == 0 {
		return value{}, false
	}
	anon := either
	if method == "every" && c == isTrue || method != "every" && c == isFalse {
		anon = c
	}
	return value{kind: vPred, anon: anon, authz: AuthzRole}, true
}

func (a *analyzer) cond(n *jsast.Node) (cond, condInfo) {
	n = jsast.Unwrap(n)
	if n == nil {
		return either, condInfo{}
	}
	f := a.f
	switch n.Type {
	case "unary_expression":
		op := n.ChildByField("operator")
		if op != nil && f.Text(op) == "!" {
			c, i := a.cond(n.ChildByField("argument"))
			return c.not(), i
		}
		return either, condInfo{}
	case "binary_expression":
		op := f.Text(n.ChildByField("operator"))
		l, r := n.ChildByField("left"), n.ChildByField("right")
		switch op {
		case "&&":
			cl, il := a.cond(l)
			cr, ir := a.cond(r)
			switch {
			case cl == isFalse || cr == isFalse:
				return isFalse, il.merge(ir)
			case cl == isTrue && cr == isTrue,
				// chat.userId !== user?._id && !chat.isPublic: exits for an
				// anonymous caller but on records their owner published.
				cl == isTrue && il.mentions && a.recordShared(r, false), cr == isTrue && ir.mentions && a.recordShared(l, false):
				return isTrue, il.merge(ir)
			}
			m := il.merge(ir)
			if cl == either && !il.mentions || cr == either && !ir.mentions {
				// orgRole !== 'org:admin' && checkForRole: the role is
				// tested only when a value that is not the caller's (a
				// helper's option, the HTTP method) says so, so the
				// test does not establish the role on its own.
				m.authz = 0
			}
			return either, m
		case "||":
			cl, il := a.cond(l)
			cr, ir := a.cond(r)
			if a.nullOwnerTest(l) || a.nullOwnerTest(r) {
				il.authz &^= AuthzOwner // an owner check that also admits ownerless records
				ir.authz &^= AuthzOwner
			}
			switch {
			case cl == isTrue || cr == isTrue:
				return isTrue, il.merge(ir)
			case cl == isFalse && cr == isFalse,
				// chat.isPublic || chat.userId === user?._id: the same test
				// written as the condition to go on.
				cl == isFalse && il.mentions && a.recordShared(r, true), cr == isFalse && ir.mentions && a.recordShared(l, true):
				return isFalse, il.merge(ir)
			}
			return either, il.merge(ir)
		case "??":
			return a.cond(l)
		case "===", "==", "!==", "!=":
			return a.compare(l, r, op == "===" || op == "==")
		}
		return either, condInfo{}
	}
	v := a.classify(n)
	switch v.kind {
	case vIdentity, vUser, vCred:
		if v.coll {
			return isTrue, condInfo{} // an empty Map or array is truthy
		}
		if id := testedCred(f, n); v.kind == vCred && id != nil && !a.usedBeyondTests(f.Text(id)) {
			// `if (!authHeader) return 401` (or !authHeader.startsWith('Bearer '))
			// and the header never read again, or only handed to a client
			// that sends it to the database: any string passes here,
			// nothing verifies it, so the caller decides the test.
			return either, condInfo{presence: true}
		}
		az := v.authz
		if v.kind == vIdentity && orgish(v.field) {
			// if (!orgId): the caller has an active organization, which
			// scopes no record to it (a comparison or filter does).
			az &^= AuthzOrg
		}
		return isFalse, condInfo{mentions: true, authz: az, scope: v.scope, scopeParams: v.scopeParams}
	case vPred:
		return v.anon, condInfo{mentions: true, authz: v.authz, secret: v.secret}
	case vRow:
		if v.authz != 0 {
			// A record selected by the caller's claimed identity: whether
			// one came back is the caller's to steer, but a branch that
			// exits without it leaves the rest to the record's owner.
			return either, condInfo{mentions: true, authz: v.authz, scope: v.scope}
		}
	case vAuthObj:
		return isTrue, condInfo{}
	case vLiteral:
		switch v.lit {
		case "true":
			return isTrue, condInfo{}
		case "false":
			return isFalse, condInfo{}
		}
	}
	return either, condInfo{}
}

// compare evaluates l == r (eq) or l != r for an anonymous caller.
func (a *analyzer) compare(l, r *jsast.Node, eq bool) (cond, condInfo) {
	f := a.f
	// typeof userId !== 'string'
	if u := jsast.Unwrap(l); u != nil && u.Type == "unary_expression" && strings.HasPrefix(f.Text(u), "typeof") {
		if v := a.classify(u.ChildByField("argument")); v.kind == vIdentity || v.kind == vUser || v.kind == vCred {
			if s, ok := f.StringValue(r); ok && s != "object" && s != "undefined" {
				return boolCond(!eq), condInfo{mentions: true, authz: v.authz}
			}
		}
		return either, condInfo{}
	}
	lv, rv := a.classify(l), a.classify(r)
	if lv.kind == vLiteral && rv.kind == vLiteral && (lv.idDerived || rv.idDerived) {
		// role ('user' for an anonymous caller) !== 'admin'
		info := condInfo{mentions: true}
		if roleish(f.Text(l)) || roleish(f.Text(r)) || isStringLit(lv) && isStringLit(rv) {
			info.authz = AuthzRole
		}
		return boolCond((lv.lit == rv.lit) == eq), info
	}
	if isStringLit(lv) && isStringLit(rv) && !lv.idDerived && !rv.idDerived {
		return boolCond((lv.lit == rv.lit) == eq), condInfo{} // event.path === '/api/health' for a known path
	}
	idL := lv.identityish() || lv.kind == vCred
	idR := rv.identityish() || rv.kind == vCred
	if idL == idR {
		if p, ok := a.recordFieldParam(l, r, lv, rv); ok {
			return either, condInfo{ownerParams: []int{p}}
		}
		return either, condInfo{}
	}
	id, other, otherN := lv, rv, r
	if idR {
		id, other, otherN = rv, lv, l
	}
	info := condInfo{mentions: true, authz: id.authz}
	var equal cond // does the anonymous value equal the other side?
	switch {
	case id.kind == vPred:
		switch {
		case other.kind == vLiteral && other.lit == "true":
			equal = boolCond(id.anon == isTrue)
		case other.kind == vLiteral && other.lit == "false":
			equal = boolCond(id.anon == isFalse)
		default:
			return either, condInfo{}
		}
		if id.anon == either {
			return either, info
		}
	case other.kind == vLiteral && id.dflt != "":
		equal = boolCond(id.dflt == other.lit)
	case other.kind == vLiteral:
		equal = boolCond(nullishLit(other))
		if isStringLit(other) {
			if id.authz == 0 && id.kind != vCred && !a.callerChosen(id.field) {
				info.authz |= AuthzRole // userId === 'user_abc': an allowlist
			}
		}
	case other.kind == vRequest && (other.src == FromBody || other.src == FromArgs):
		// The caller chooses the other side, and can send null.
		info.authz |= ownerKind(id)
		return either, info
	case other.kind == vRequest:
		// A path, query, header or form value is a string, never null.
		equal = isFalse
		info.authz |= ownerKind(id)
	case id.kind == vCred:
		equal = isFalse
		if other.kind == vSecret {
			info.secret = true
		}
	default:
		equal = isFalse
		switch {
		case other.kind != vSecret:
			info.authz |= ownerKind(id)
		case id.authz == 0 && !a.callerChosen(id.field):
			info.authz |= AuthzRole // userId !== process.env.ADMIN_USER_ID: an allowlist the server configures
		}
		_ = otherN
	}
	if eq {
		return equal, info
	}
	return equal.not(), info
}

// recordFieldParam reports a comparison of a helper's whole parameter
// with a field of a record the helper loaded (`row.ownerId !== ownerId`):
// the parameter's index.
func (a *analyzer) recordFieldParam(l, r *jsast.Node, lv, rv value) (int, bool) {
	if p, ok := a.paramAgainstField(lv, r); ok {
		return p, true
	}
	return a.paramAgainstField(rv, l)
}

// paramAgainstField reports pv, a whole parameter, compared with other, a
// member of a record the function loaded.
func (a *analyzer) paramAgainstField(pv value, other *jsast.Node) (int, bool) {
	other = jsast.Unwrap(other)
	if pv.kind != vParam || pv.pprop != "" || other == nil || other.Type != "member_expression" {
		return 0, false
	}
	return pv.param, a.classify(other.ChildByField("object")).kind == vRow
}

func boolCond(b bool) cond {
	if b {
		return isTrue
	}
	return isFalse
}

// ownerKind is the authorization a comparison of the identity with a
// record's field makes: an owner check, or organization scoping.
func ownerKind(id value) Authz {
	switch {
	case id.authz&AuthzRole != 0:
		return AuthzRole
	case orgish(id.field) || id.authz&AuthzOrg != 0:
		return AuthzOrg
	}
	return AuthzOwner
}

// secretName reports a configuration constant that holds a secret:
// OPENROUTER_API_KEY, STRIPE_SECRET_KEY, CRON_SECRET.
func secretName(p string) bool {
	if p == "" || strings.ToUpper(p) != p || p[0] < 'A' || p[0] > 'Z' {
		return false
	}
	for _, k := range []string{"KEY", "SECRET", "TOKEN", "PASSWORD"} {
		if strings.Contains(p, k) {
			return true
		}
	}
	return false
}

// sessionName reports a function named for the signed-in session or user
// (getServerSession, getSession, getCurrentUser, getUser).
func sessionName(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "get") && (strings.Contains(l, "session") || strings.Contains(l, "currentuser"))
}

// usesCredential reports whether a call's arguments use a credential of
// the request: a cookie or the Authorization header.
func (a *analyzer) usesCredential(n *jsast.Node) bool {
	found := false
	args := n.ChildByField("arguments")
	jsast.Walk(args, func(x *jsast.Node) bool {
		if found {
			return false
		}
		switch x.Type {
		case "member_expression", "subscript_expression", "call_expression", "identifier":
			v := a.classify(x)
			if v.kind == vCred || v.kind == vRequest && v.src == FromCookies && x.Type != "identifier" {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// firstOnly reports whether a call's result is destructured to its first
// element (const [row] = await sql`...`): a single-record lookup.
func firstOnly(n *jsast.Node) bool {
	p := n.Parent
	for p != nil && (p.Type == "await_expression" || p.Type == "parenthesized_expression") {
		p = p.Parent
	}
	if p == nil || p.Type != "variable_declarator" {
		return false
	}
	name := p.ChildByField("name")
	return name != nil && name.Type == "array_pattern"
}

// decodesToken reports a call that reads a token's claims without
// verifying its signature: a decoder of knowledge.TokenCallOf, or the
// base64 decoding (atob, Buffer.from(x, 'base64')) of a string the same
// function split on '.' (the payload segment of a JWT).
func (a *analyzer) decodesToken(call *jsast.Node) bool {
	if tc, ok := a.tokenCall(call); ok {
		return tc.Use == knowledge.Decodes && !a.verifiedBefore(call)
	}
	f := a.f
	if !base64Decodes(f, call) {
		return false
	}
	fn := jsast.EnclosingFunction(call)
	if fn == nil {
		return false
	}
	split := false
	jsast.Walk(fn, func(x *jsast.Node) bool {
		if !split && x.Type == "call_expression" && splitsOnDot(f, x) {
			split = true
		}
		return !split
	})
	return split
}

// usedBeyondTests reports whether the function reads the variable name
// anywhere but in its declaration and in conditions that test it alone
// (a credential checked for presence and then verified, looked up or
// passed on is used; one only tested for presence is not).
func (a *analyzer) usedBeyondTests(name string) bool {
	used := false
	jsast.Walk(jsast.FunctionBody(a.fn), func(x *jsast.Node) bool {
		if used {
			return false
		}
		if x.Type != "identifier" || a.f.Text(x) != name {
			return true
		}
		p := x.Parent
		for p != nil && (p.Type == "parenthesized_expression" || p.Type == "unary_expression" || p.Type == "non_null_expression" || logical(a.f, p)) {
			p = p.Parent
		}
		switch {
		case p == nil:
		case p.Type == "variable_declarator" && p.ChildByField("name") == x:
		case p.Type == "if_statement" || p.Type == "ternary_expression" && p.ChildByField("condition") != nil && p.ChildByField("condition").Contains(x):
		case formatTest(a.f, x, p) || a.forwardedToDatabase(x):
			// authHeader.startsWith('Bearer '), or the header handed to a
			// client that sends it as the caller's token: the database
			// verifies it at the client's first query, not here.
		default:
			used = true
		}
		return !used
	})
	return used
}

// testedCred returns the variable a credential test reads: the
// identifier itself, or the receiver of a format test of it
// (authHeader.startsWith('Bearer ')); nil for other expressions.
func testedCred(f *jsast.File, n *jsast.Node) *jsast.Node {
	n = jsast.Unwrap(n)
	if n == nil {
		return nil
	}
	if n.Type == "identifier" {
		return n
	}
	if n.Type != "call_expression" {
		return nil
	}
	m := jsast.Unwrap(n.ChildByField("function"))
	if m == nil || m.Type != "member_expression" {
		return nil
	}
	if obj := m.ChildByField("object"); obj != nil && obj.Type == "identifier" && formatTest(f, obj, m) {
		return obj
	}
	return nil
}

// logical reports a && or || expression (a part of a condition that tests
// its operands for truthiness).
func logical(f *jsast.File, n *jsast.Node) bool {
	if n.Type != "binary_expression" {
		return false
	}
	op := f.Text(n.ChildByField("operator"))
	return op == "&&" || op == "||"
}

// formatTest reports a credential x used only as the receiver of a string
// test of its format (authHeader.startsWith('Bearer ')): any string of
// that shape passes.
func formatTest(f *jsast.File, x, p *jsast.Node) bool {
	if p.Type != "member_expression" || p.ChildByField("object") != x || p.Parent == nil || p.Parent.Type != "call_expression" {
		return false
	}
	switch f.Text(p.ChildByField("property")) {
	case "startsWith", "endsWith", "includes":
		return true
	}
	return false
}

// forwardedToDatabase reports a credential x written into the options of a
// data client factory call (or returned by an option's function) that makes a client sending the caller's own
// token (callerTokenClient).
func (a *analyzer) forwardedToDatabase(x *jsast.Node) bool {
	for c := x.Parent; c != nil; c = c.Parent {
		if jsast.IsFunction(c) || c.Type == "method_definition" {
			// An option written as a function ({ accessToken: async () => token }).
			if c.Parent == nil || c.Parent.Type != "pair" && c.Parent.Type != "object" {
				return false
			}
			continue
		}
		if c.Type != "call_expression" {
			continue
		}
		callee := jsast.Unwrap(c.ChildByField("function"))
		if callee == nil || callee.Type != "identifier" {
			return false
		}
		pkg := a.importPackage(a.f.Text(callee))
		_, data := knowledge.DataLibraryOf(pkg)
		return data && a.callerTokenClient(c, pkg)
	}
	return false
}

// selectsOwn reports whether the read n (effect e) selects records by
// the caller's identity, with no value of the request: the caller's own
// rows.
func (a *analyzer) selectsOwn(n *jsast.Node, e *effect) bool {
	if e.Kind != ReadsData {
		return false
	}
	// The helper's arguments may narrow them (or carry the context the
	// identity is read from: where('clerk_id', '=', callerId(c))); the
	// request's values are the caller's choice.
	reqs, owner, org, _ := a.chainSources(n)
	return owner && !org && len(reqs) == 0
}

// rowsTransform are the array methods whose result holds (some of) the
// receiver's elements or values picked from each.
var rowsTransform = map[string]bool{"map": true, "filter": true, "flatMap": true, "slice": true, "sort": true, "toSorted": true}

// requestInputs keeps the inputs of a request (path, query, body, form,
// headers, cookies) out of reqs, or nil when some other kind (a helper's
// argument, a token's claims) selected the record too: only a record
// the request itself picks has a scope to compare.
func requestInputs(reqs []InputSource) []InputSource {
	var out []InputSource
	for _, r := range reqs {
		switch r {
		case FromParams, FromQuery, FromBody, FromForm, FromHeaders, FromCookies:
			out = addSources(out, []InputSource{r})
		default:
			return nil
		}
	}
	return out
}
