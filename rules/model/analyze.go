package model

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// role is how a function is used, which decides what its continuation
// is: the point an anonymous caller must not reach.
type role uint8

const (
	roleHandler    role = iota // an entry's handler: its effects and its normal completion
	roleMiddleware             // Express middleware: the next() call
	roleWrapper                // a higher-order function: the call of the handler it wraps
	roleHelper                 // a helper: returning normally to its caller
	// roleHook is middleware whose parameters the adapter gives (a
	// Fastify hook, Hono middleware): its continuation is the call of its
	// next/done parameter or, when it declares none, its normal end; a
	// denial it returns, or a reply it sends, ends the request.
	roleHook
)

// effect is an Effect as found in a function, with the parameters of that
// function its arguments use (so a caller can map them to its own
// arguments).
type effect struct {
	Effect
	reach  tri
	params []paramUse
	// ownerParams are owner fields a helper sets from its parameters:
	// the caller's argument decides whether the request chose the owner.
	ownerParams []ownerParam
	// switchParams are the parameters a conditional publish filter of a
	// read depends on (Effect.PublishSwitch): the caller's argument
	// decides whether the request chose it.
	switchParams []int
	// sqlParam is 1 + the index of the parameter that holds the statement
	// of an SQL call whose text the function does not show (a query
	// wrapper's client.execute(query, params)); 0 when none. The caller's
	// argument names what the call does (sqlByArg).
	sqlParam int
}

// paramUse is a parameter of the function (index) whose value an
// effect's arguments use, and the property of it they read (prop:
// `args.noteId`, `{ noteId } = args`), "" when the whole value: a caller
// passing an object literal decides the effect by that property alone.
type paramUse struct {
	index int
	prop  string
}

// ownerParam is an owner or tenant field (key) a function sets from
// property prop of its parameter param (`userId: args.userId`).
type ownerParam struct {
	param     int
	prop, key string
}

// check is a place that denies a caller.
type check struct {
	Proof
	authz  Authz
	via    Via
	authn  bool // it stops an anonymous caller (not only an unauthorized one)
	secret bool
	// webhook is the provider of a webhook signature verification.
	webhook string
	// scope and scopeParams are the request inputs and the function's
	// parameters that selected the record whose test this check is
	// (condInfo.scope, condInfo.scopeParams); both are empty when the
	// check's authorization comes from anything else.
	scope       []InputSource
	scopeParams []paramUse
}

// summary is what the analysis of one function found.
type summary struct {
	// cont is whether an anonymous caller reaches the continuation.
	cont      tri
	contSeen  bool
	contAuthz Authz
	effects   []effect
	checks    []check
	// reads are where the function reads the identity.
	reads []Proof
	// nonGuards are helpers called as guards that read the identity but
	// never reject.
	nonGuards []Proof
	ret       value
	retSeen   bool
	unknown   []string
	// incomplete: a helper could not be followed, so effects may be missing.
	incomplete bool
	// payment: a payment provider's API is called (Effects.Payment).
	payment bool
	// verified are the local names of ids the function authorized
	// against the caller's own rows (parentscope.go).
	verified map[string]bool
	inputs   []Input
	// headers are the request headers read by name (headers.go).
	headers []HeaderRead
	// handlerArgs are the values a wrapper passes to the handler.
	handlerArgs []value
	// ownerParams are the parameters a test that exits compares with a
	// field of a record the function loaded (`if (row.ownerId !==
	// ownerId) return null`): an owner check when the caller passes its
	// own identity there (ownerParamChecks).
	ownerParams []int
	// cut: the summary depends on who asked for it: a call was not
	// followed because of the depth limit, or a recursive call was
	// answered by the outer call. Such a summary is never memoised, so a
	// function's summary does not depend on which entry, analysed
	// concurrently, asked for it first (results are deterministic).
	cut bool
}

// use records that the summary s of a callee was applied: a cut callee
// makes the caller's summary cut too.
func (a *analyzer) use(s *summary) *summary {
	if s.cut {
		a.s.cut = true
	}
	return s
}

// state is the analysis state at one point of a function.
type state struct {
	reach tri
	// deny is set inside a branch that an anonymous caller takes because
	// an identity check failed: a return there is a denial.
	deny  bool
	authz Authz
	// caught is set in a catch block: a handler's response there is an
	// error, not a completion.
	caught bool
	// scope lists the request inputs of the records whose tests granted
	// authz (Effect.CheckedBy); open is set once a check of another kind
	// granted some.
	scope []InputSource
	open  bool
	// dead is set after a branch that every caller of the production
	// build takes and that exits (buildBranch): the rest of the block
	// never runs.
	dead bool
}

// grant records the scope of the authorization a passed condition gives.
func (s *state) grant(i condInfo) {
	switch {
	case i.authz == 0:
	case i.unscoped():
		s.open = true
	default:
		s.scope = addSources(s.scope, i.scope)
	}
}

// checkedBy is what an effect reached in s records as Effect.CheckedBy.
func (s *state) checkedBy() []InputSource {
	if s.open || s.authz == 0 {
		return nil
	}
	return s.scope
}

type analyzer struct {
	m     *Model
	ctx   context.Context
	f     *jsast.File
	fn    *jsast.Node
	role  role
	depth int
	stack []*jsast.Node

	vars     map[string]value
	locals   map[string]*jsast.Node
	s        *summary
	next     string // middleware: the next parameter
	handler  string // wrapper: the handler parameter
	callback int    // > 0 inside a callback literal
	effs     map[*jsast.Node]*effect
	seenIn   map[string]bool
	rets     []ret
	// probe, when set, is a node whose anonymous reach is recorded in
	// probeReach (the definition of an inline Server Action).
	probe      *jsast.Node
	probeReach tri
	probeSeen  bool
}

// summarize analyses fn in role, with the parameter roles given (nil for
// helpers, whose parameters are numbered).
func (m *Model) summarize(ctx context.Context, f *jsast.File, fn *jsast.Node, r role, params []ParamRole, depth int, stack []*jsast.Node) *summary {
	return m.summarizeSeeded(ctx, f, fn, r, params, nil, depth, stack)
}

// summarizeSeeded is summarize with the parameters' values given (a
// handler called by a wrapper with what the wrapper passes it).
func (m *Model) summarizeSeeded(ctx context.Context, f *jsast.File, fn *jsast.Node, r role, roles []ParamRole, seeds []value, depth int, stack []*jsast.Node) *summary {
	return m.summarizeIn(ctx, f, fn, r, roles, seeds, nil, depth, stack)
}

// outerScope is what a function nested in the analysed one sees of its
// enclosing function: the variables bound so far and the sibling
// functions it may call.
type outerScope struct {
	vars   map[string]value
	locals map[string]*jsast.Node
}

// summarizeIn is summarizeSeeded for a function that closes over outer
// (nil for a function of its own scope): a closure defined in a handler
// reads the handler's values (`const send = () => fetch(base + path)`
// with path an argument of the action), so its summary is the call's own
// and not memoised.
func (m *Model) summarizeIn(ctx context.Context, f *jsast.File, fn *jsast.Node, r role, roles []ParamRole, seeds []value, outer *outerScope, depth int, stack []*jsast.Node) *summary {
	for _, s := range stack {
		if s == fn {
			return &summary{cont: yes, cut: true} // recursion: the outer call decides
		}
	}
	key := fnKey{fn: fn, role: r}
	memo := seeds == nil && outer == nil && (roles == nil || r == roleHook)
	if memo {
		if s, ok := m.fns.get(key); ok {
			return s
		}
	}
	a := &analyzer{m: m, ctx: ctx, f: f, fn: fn, role: r, depth: depth, stack: append(append([]*jsast.Node(nil), stack...), fn),
		vars: map[string]value{}, locals: nestedFuncs(f, fn), s: &summary{}, effs: map[*jsast.Node]*effect{}, seenIn: map[string]bool{}}
	if outer != nil {
		// The function's own bindings (its parameters, below, and its
		// declarations as the walk meets them) shadow the outer ones.
		maps.Copy(a.vars, outer.vars)
		for k, v := range outer.locals {
			if _, own := a.locals[k]; !own {
				a.locals[k] = v
			}
		}
	}
	if seeds != nil {
		for i, p := range params(fn) {
			v := value{}
			if i < len(seeds) {
				v = seeds[i]
			}
			a.bindParam(p, v)
		}
	} else {
		a.seedParams(roles)
	}
	a.walkBody(true)
	a.returns()
	if memo && !a.s.cut {
		return m.fns.put(key, a.s)
	}
	return a.s
}

// walkBody analyses the function's body for an anonymous caller;
// completes records its normal end (and an expression body's value) as
// a completion.
func (a *analyzer) walkBody(completes bool) {
	st := &state{reach: yes}
	body := jsast.FunctionBody(a.fn)
	if a.fn.Type == "program" {
		body = a.fn // a module that runs per request (an Astro page's frontmatter)
	}
	switch {
	case body == nil:
	case body.Type == "statement_block" || body.Type == "program":
		a.block(body.NamedChildren(), st)
		if completes && (st.reach != no || a.role == roleHook) {
			a.complete(st, nil) // a hook's end is its continuation, reached or not
		}
	default:
		// An expression body: its value is returned.
		a.expr(body, st, false)
		if completes {
			a.returnValue(body, st)
			a.complete(st, body)
		}
	}
}

// seedParams binds the function's parameters.
func (a *analyzer) seedParams(roles []ParamRole) {
	ps := params(a.fn)
	for i, p := range ps {
		var v value
		switch {
		case a.role == roleHelper || roles == nil && a.role != roleMiddleware && a.role != roleWrapper:
			v = value{kind: vParam, param: i}
		case a.role == roleMiddleware:
			v = [...]value{{kind: vReq}, {kind: vRes}, {kind: vNext}}[min(i, 2)]
			if i > 2 {
				v = value{}
			}
		case a.role == roleWrapper:
			v = value{kind: vParam, param: i}
		case i < len(roles):
			v = paramValue(roles[i])
			if a.role == roleHook && roles[i] == ParamNext && p.Type == "identifier" {
				a.next = a.f.Text(p)
			}
		}
		a.bindParam(p, v)
	}
	if a.fn.Type == "program" && len(roles) > 0 && roles[0] == ParamAstroGlobal {
		a.setVar("Astro", value{kind: vReqCtx}, a.fn.Line)
	}
	if a.role == roleMiddleware && len(ps) >= 3 && ps[2].Type == "identifier" {
		a.next = a.f.Text(ps[2])
	}
}

func paramValue(r ParamRole) value {
	switch r {
	case ParamRequest:
		return value{kind: vReq}
	case ParamResponse:
		return value{kind: vRes}
	case ParamNext:
		return value{kind: vNext}
	case ParamRouteContext:
		return value{kind: vRouteCtx}
	case ParamPageProps:
		return value{kind: vPageProps}
	case ParamClientValue:
		return value{kind: vRequest, src: FromArgs}
	case ParamRouteParams:
		return value{kind: vRequest, src: FromParams}
	case ParamGSSPContext:
		return value{kind: vGSSP}
	case ParamRequestContext:
		return value{kind: vReqCtx}
	case ParamIdentityContext:
		return value{kind: vReqCtx, field: "identity"}
	case ParamConvexCtx:
		return value{kind: vClient, pkg: "convex/server", field: convexCtxField}
	case ParamTRPCOptions:
		return value{kind: vTRPCOpts}
	}
	return value{}
}

// params returns the parameter patterns of a function.
func params(fn *jsast.Node) []*jsast.Node { return jsast.ParamPatterns(fn) }

// bindParam binds a parameter pattern to a value; a destructured
// parameter binds each property through the value's members.
func (a *analyzer) bindParam(p *jsast.Node, v value) {
	switch p.Type {
	case "identifier":
		a.setVar(a.f.Text(p), v, p.Line)
	case "object_pattern":
		a.bindObjectPattern(p, v, p.Line)
	}
}

func (a *analyzer) setVar(name string, v value, line int) {
	if name == "" {
		return
	}
	v.line = line
	a.vars[name] = v
	if (v.kind == vIdentity || v.kind == vUser || v.kind == vAuthObj) && a.callback == 0 && len(a.s.reads) < 8 {
		a.s.reads = append(a.s.reads, Proof{Location: Location{File: a.f.Path, Line: line}, What: "reads `" + name + "`"})
	}
	var src InputSource
	switch v.kind {
	case vRequest:
		src = v.src
	case vCred:
		src = v.src
	case vIdentity, vUser:
		src = FromIdentity
	default:
		return
	}
	k := name + "\x00" + string(src)
	if a.seenIn[k] || a.role != roleHandler || a.callback > 0 {
		return
	}
	a.seenIn[k] = true
	a.s.inputs = append(a.s.inputs, Input{Name: name, Source: src, Location: Location{File: a.f.Path, Line: line}})
}

// bindObjectPattern binds `{ a, b: c, d = 1 }` from v's members.
func (a *analyzer) bindObjectPattern(p *jsast.Node, v value, line int) {
	for _, c := range p.NamedChildren() {
		key, local := "", (*jsast.Node)(nil)
		switch c.Type {
		case "shorthand_property_identifier_pattern":
			key, local = a.f.Text(c), c
		case "pair_pattern":
			key, local = a.f.Text(c.ChildByField("key")), c.ChildByField("value")
		case "object_assignment_pattern":
			l := c.ChildByField("left")
			key, local = a.f.Text(l), l
		case "rest_pattern":
			for _, id := range c.NamedChildren() {
				a.setVar(a.f.Text(id), v, line)
			}
			continue
		default:
			continue
		}
		mv := a.member(v, key)
		if local == nil {
			continue
		}
		if local.Type == "assignment_pattern" {
			local = local.ChildByField("left")
		}
		switch local.Type {
		case "identifier", "shorthand_property_identifier_pattern":
			a.setVar(a.f.Text(local), mv, line)
		case "object_pattern":
			a.bindObjectPattern(local, mv, line)
		}
	}
}

// complete records a normal completion of the function.
func (a *analyzer) complete(st *state, _ *jsast.Node) {
	if a.callback > 0 {
		return
	}
	switch a.role {
	case roleHandler:
		if st.deny || st.caught {
			return
		}
		a.cont(st)
	case roleHelper:
		a.cont(st)
	case roleHook:
		if a.next == "" && !st.deny && !st.caught {
			a.cont(st)
		}
	}
}

func (a *analyzer) cont(st *state) {
	if !a.s.contSeen {
		a.s.contAuthz = st.authz
	} else {
		a.s.contAuthz &= st.authz
	}
	a.s.contSeen = true
	a.s.cont = or3(a.s.cont, st.reach)
}

func (a *analyzer) block(stmts []*jsast.Node, st *state) {
	for _, s := range stmts {
		if st.dead {
			return // after `if (import.meta.env.PROD) return`: no caller runs it
		}
		if err := a.ctx.Err(); err != nil {
			a.unknown(fmt.Sprintf("analysis stopped: %v", err))
			st.reach = maybe
			return
		}
		a.stmt(s, st)
	}
}

func (a *analyzer) stmt(n *jsast.Node, st *state) {
	if n == nil {
		return
	}
	if a.probe != nil && n.Contains(a.probe) {
		a.probeReach, a.probeSeen = st.reach, true
	}
	switch n.Type {
	case "comment", "empty_statement", "function_declaration", "generator_function_declaration", "class_declaration",
		"import_statement", "type_alias_declaration", "interface_declaration", "break_statement", "continue_statement":
	case "expression_statement":
		for _, c := range n.NamedChildren() {
			a.expr(c, st, false)
			if a.sendsDenial(c) {
				st.reach = no
			}
		}
	case "lexical_declaration", "variable_declaration":
		for _, d := range n.NamedChildren() {
			if d.Type != "variable_declarator" {
				continue
			}
			val := d.ChildByField("value")
			a.expr(val, st, false)
			a.bindDecl(d.ChildByField("name"), val, st)
		}
	case "return_statement":
		var arg *jsast.Node
		if c := n.NamedChildren(); len(c) > 0 {
			arg = c[0]
			a.expr(arg, st, false)
		}
		a.returnValue(arg, st)
		if st.reach != no {
			if (a.role == roleHandler || a.role == roleHook) && !st.deny && a.denies(arg) {
				st.deny = true
			}
			a.complete(st, arg)
		}
		st.reach = no
	case "throw_statement":
		for _, c := range n.NamedChildren() {
			a.expr(c, st, false)
		}
		st.reach = no
	case "if_statement":
		a.ifStmt(n, st)
	case "statement_block":
		a.block(n.NamedChildren(), st)
	case "else_clause":
		for _, c := range n.NamedChildren() {
			a.stmt(c, st)
		}
	case "try_statement":
		a.tryStmt(n, st)
	case "switch_statement":
		a.switchStmt(n, st)
	case "for_statement", "for_in_statement", "while_statement", "do_statement":
		for _, f := range []string{"initializer", "condition", "right", "increment"} {
			if c := n.ChildByField(f); c != nil {
				a.expr(c, st, false)
			}
		}
		sub := *st
		a.stmt(n.ChildByField("body"), &sub)
		st.reach = or3(st.reach, sub.reach)
	case "labeled_statement":
		a.stmt(n.ChildByField("body"), st)
	case "export_statement":
		if d := n.ChildByField("declaration"); d != nil {
			a.stmt(d, st)
		}
	default:
		a.expr(n, st, false)
	}
}

// denies reports whether a returned value denies the caller: a response
// with a deny status, a redirect to sign-in, a Pages Router redirect or
// notFound result.
func (a *analyzer) denies(n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	if n == nil {
		return false
	}
	f := a.f
	switch n.Type {
	case "object":
		return f.ObjectProp(n, "redirect") != nil || f.ObjectProp(n, "notFound") != nil
	case "new_expression", "call_expression":
		t := f.Text(n)
		for _, s := range []string{"401", "403", "Unauthorized", "unauthorized", "Forbidden", "forbidden", "sign-in", "signin", "/login", "redirectToSignIn"} {
			if strings.Contains(t, s) {
				return true
			}
		}
		// Any error response: it returns no data.
		return errorStatusRe.MatchString(t)
	}
	return false
}

// forbiddenRe matches a 403 Forbidden answer.
var forbiddenRe = regexp.MustCompile(`(?:status(?:Code)?\s*:\s*|\.status\(\s*|sendStatus\(\s*|\.code\(\s*|\berror\(\s*)403\b|\bForbiddenError\b|\bforbidden\(`)

// forbids reports whether a branch answers 403 Forbidden.
func forbids(f *jsast.File, n *jsast.Node) bool {
	return n != nil && forbiddenRe.MatchString(f.Text(n))
}

// errorStatusRe matches a 4xx or 5xx status set on a response.
var errorStatusRe = regexp.MustCompile(`(?:status(?:Code)?\s*:\s*|\.status\(\s*|sendStatus\(\s*|\.code\(\s*)[45]\d\d\b`)

func (a *analyzer) ifStmt(n *jsast.Node, st *state) {
	test := n.ChildByField("condition")
	if a.buildBranch(n, st) {
		return
	}
	a.expr(test, st, false)
	c, info := a.cond(test)
	consN, altN := n.ChildByField("consequence"), n.ChildByField("alternative")
	cons := state{reach: take(st.reach, c, isTrue), deny: st.deny || info.mentions && c == isTrue, authz: st.authz, scope: st.scope, open: st.open}
	alt := state{reach: take(st.reach, c, isFalse), deny: st.deny || info.mentions && c == isFalse, authz: st.authz, scope: st.scope, open: st.open}
	// The branch an anonymous caller cannot take is taken only by a caller
	// who passes the condition's authorization: if (has({ role })) { ... }.
	switch {
	case info.mentions && c == isFalse:
		cons.authz |= info.authz
		cons.grant(info)
	case info.mentions && c == isTrue:
		alt.authz |= info.authz
		alt.grant(info)
	}
	a.stmt(consN, &cons)
	if altN != nil {
		a.stmt(altN, &alt)
	}
	consExits, altExits := a.exits(consN), altN != nil && a.exits(altN)
	a.noteVerified(test, consExits && !altExits, altExits && !consExits)
	if info.presence && !info.mentions && consExits != altExits && a.callback == 0 && st.reach != no {
		a.s.nonGuards = append(a.s.nonGuards, Proof{Location: Location{File: a.f.Path, Line: test.Line},
			What: fmt.Sprintf("`if %s` only tests that a token is present, it does not verify it (line %d)", clip(a.f.Text(test), 60), test.Line)})
	}
	if !info.mentions && c == either && !a.callerSetRoleIn(test) && !a.requestDecided(test) && !clockTest(a.f, test) && !a.anyTenantRoleIn(test) {
		// if (!req.admin.permissions.includes(p)) return res.status(403):
		// a test the model cannot read that answers Forbidden decides
		// what the caller may do (unless the role it reads is one the
		// application stores from client-writable metadata, or the
		// request itself carries it, or it compares with the current
		// time: a deadline, not a role).
		orgRole := a.comparesOrgRoleKey(test)
		if orgRole && consExits != altExits {
			a.addCheck(test, condInfo{authz: AuthzRole}, false)
		}
		switch {
		case consExits && !altExits && (forbids(a.f, consN) || orgRole):
			alt.authz |= AuthzRole
			alt.open = true
		case altExits && !consExits && (forbids(a.f, altN) || orgRole):
			cons.authz |= AuthzRole
			cons.open = true
		}
	}
	if len(info.ownerParams) > 0 && consExits != altExits && a.callback == 0 {
		for _, p := range info.ownerParams {
			if !slices.Contains(a.s.ownerParams, p) {
				a.s.ownerParams = append(a.s.ownerParams, p)
			}
		}
	}
	if info.mentions {
		switch {
		case consExits && !altExits:
			a.addCheck(test, info, st.reach != no && c == isTrue)
			alt.authz |= info.authz
			alt.grant(info)
		case altExits && !consExits:
			a.addCheck(test, info, st.reach != no && c == isFalse)
			cons.authz |= info.authz
			cons.grant(info)
		}
	}
	st.reach = or3(cons.reach, alt.reach)
	switch {
	case cons.reach == no && alt.reach != no:
		st.authz, st.scope, st.open = alt.authz, alt.scope, alt.open
	case alt.reach == no && cons.reach != no:
		st.authz, st.scope, st.open = cons.authz, cons.scope, cons.open
	default:
		st.authz = cons.authz & alt.authz
		st.scope, st.open = addSources(cons.scope, alt.scope), cons.open || alt.open
		if consExits && !altExits {
			st.authz, st.scope, st.open = alt.authz, alt.scope, alt.open
		} else if altExits && !consExits {
			st.authz, st.scope, st.open = cons.authz, cons.scope, cons.open
		}
	}
}

func (a *analyzer) addCheck(test *jsast.Node, info condInfo, authn bool) {
	if a.callback > 0 {
		return
	}
	via := ViaHandler
	if info.secret {
		via = ViaSecret
	}
	c := check{Proof: Proof{Location: Location{File: a.f.Path, Line: test.Line},
		What: "`if (" + clip(snippet(a.f, jsast.Unwrap(test)), 60) + ")` exits"}, authz: info.authz, via: via, authn: authn, secret: info.secret}
	if !info.open {
		c.scope, c.scopeParams = info.scope, info.scopeParams
	}
	a.s.checks = append(a.s.checks, c)
}

// exits reports whether a statement always leaves the function: it ends in
// return, throw or a call that throws (redirect(), notFound()).
func (a *analyzer) exits(n *jsast.Node) bool {
	if n == nil {
		return false
	}
	switch n.Type {
	case "return_statement", "throw_statement":
		return true
	case "statement_block":
		for _, c := range n.NamedChildren() {
			if a.exits(c) {
				return true
			}
		}
	case "else_clause":
		for _, c := range n.NamedChildren() {
			return a.exits(c)
		}
	case "if_statement":
		alt := n.ChildByField("alternative")
		return alt != nil && a.exits(n.ChildByField("consequence")) && a.exits(alt)
	case "expression_statement":
		if c := n.NamedChildren(); len(c) > 0 {
			e := jsast.Unwrap(c[0])
			if e != nil && e.Type == "call_expression" {
				if _, ok := a.throwingExit(e); ok {
					return true
				}
				if a.isNextCall(e) && len(jsast.Args(e)) > 0 {
					return true // next(err) ends the middleware's part
				}
				if a.sendsDenial(e) {
					return true
				}
			}
		}
	}
	return false
}

func (a *analyzer) tryStmt(n *jsast.Node, st *state) {
	start := *st
	body := *st
	a.stmt(n.ChildByField("body"), &body)
	after := body.reach
	authz := body.authz
	caught := body.caught
	if h := n.ChildByField("handler"); h != nil {
		c := state{reach: start.reach, deny: start.deny, authz: start.authz, caught: true, scope: start.scope, open: start.open}
		if p := h.ChildByField("parameter"); p != nil && p.Type == "identifier" {
			a.vars[a.f.Text(p)] = value{}
		}
		a.stmt(h.ChildByField("body"), &c)
		after = or3(after, c.reach)
		if c.reach != no {
			authz &= c.authz
		}
		// Only the error path goes on: what follows is no success.
		caught = body.reach == no && c.reach != no || body.caught
	}
	if fin := n.ChildByField("finalizer"); fin != nil {
		fs := state{reach: or3(start.reach, after), deny: start.deny, authz: start.authz, scope: start.scope, open: start.open}
		if b := fin.ChildByField("body"); b != nil {
			a.stmt(b, &fs)
		}
		if fs.reach == no {
			after = no
		}
	}
	st.reach, st.authz, st.caught = after, authz, caught
	st.scope, st.open = body.scope, body.open || authz != body.authz
}

func (a *analyzer) switchStmt(n *jsast.Node, st *state) {
	a.expr(n.ChildByField("value"), st, false)
	body := n.ChildByField("body")
	after, hasDefault := no, false
	if body != nil {
		for _, c := range body.NamedChildren() {
			if c.Type != "switch_case" && c.Type != "switch_default" {
				continue
			}
			if c.Type == "switch_default" {
				hasDefault = true
			}
			cs := *st
			for _, b := range c.ChildrenByField("body") {
				a.stmt(b, &cs)
			}
			after = or3(after, cs.reach)
		}
	}
	if !hasDefault {
		after = or3(after, st.reach)
	}
	st.reach = after
}

// bindDecl binds a declaration's names from its value.
func (a *analyzer) bindDecl(name, val *jsast.Node, st *state) {
	if name == nil {
		return
	}
	if val == nil {
		if name.Type == "identifier" {
			a.vars[a.f.Text(name)] = value{}
		}
		return
	}
	if u := jsast.Unwrap(val); jsast.IsFunction(u) && name.Type == "identifier" {
		a.locals[a.f.Text(name)] = u
	}
	if a.clerkDynamicImport(name, val) {
		return
	}
	v := a.classify(val)
	switch name.Type {
	case "identifier":
		a.setVar(a.f.Text(name), v, name.Line)
	case "object_pattern", "array_pattern":
		if a.bindPromiseAll(name, val) {
			break // const [org, user] = await Promise.all([db.org.findUnique(...), currentUser()])
		}
		if u := jsast.Unwrap(val); name.Type == "array_pattern" && v.kind == vUser && u != nil && firstOnly(u) {
			// const [row] = await sql`...`: the record looked up, or none.
			if c := name.NamedChildren(); len(c) > 0 && c[0].Type == "identifier" {
				a.setVar(a.f.Text(c[0]), v, name.Line)
			}
			break
		}
		if v.kind == vUser {
			// const { id } = await currentUser(): null when signed out.
			a.throwAnon(st, val, "destructures "+clip(a.f.Text(jsast.Unwrap(val)), 40)+", which is null for a signed-out caller")
		}
		if name.Type == "object_pattern" {
			a.bindObjectPattern(name, v, name.Line)
		} else {
			for _, c := range name.NamedChildren() {
				if c.Type == "identifier" {
					a.setVar(a.f.Text(c), a.member(v, "0"), name.Line)
				}
			}
		}
	}
}

// clerkDynamicImport reports `const { auth } = await import('@clerk/…')`
// and unbinds its names: like a static import's, they resolve through
// the file's imports (clerkExportOf), so auth() is the identity source.
func (a *analyzer) clerkDynamicImport(name, val *jsast.Node) bool {
	u := jsast.Unwrap(val)
	if name.Type != "object_pattern" || u == nil || u.Type != "call_expression" || a.f.Text(u.ChildByField("function")) != "import" {
		return false
	}
	src, ok := a.f.StringValue(firstArg(u))
	if !ok || !(jsast.IsClerkModule(src) || knowledge.IsClerkPackage(src)) {
		return false
	}
	for _, id := range jsast.Find(name, "shorthand_property_identifier_pattern") {
		delete(a.vars, a.f.Text(id))
	}
	for _, p := range jsast.Find(name, "pair_pattern") {
		delete(a.vars, a.f.Text(p.ChildByField("value")))
	}
	return true
}

// throwAnon records that an anonymous caller certainly throws at n.
func (a *analyzer) throwAnon(st *state, n *jsast.Node, why string) {
	if st.reach == no {
		return
	}
	if a.callback == 0 {
		a.s.checks = append(a.s.checks, check{Proof: Proof{Location: Location{File: a.f.Path, Line: n.Line}, What: why}, via: ViaHandler, authn: true})
	}
	st.reach = no
}

// returnValue records what the function returns.
func (a *analyzer) returnValue(n *jsast.Node, st *state) {
	if a.callback > 0 {
		return
	}
	v := a.classify(n)
	if n == nil {
		v = value{kind: vLiteral, lit: "undefined"}
	} else if v.kind == vOther && v.props == nil {
		v.props = a.identityProps(n)
	}
	a.rets = append(a.rets, ret{v: v, node: jsast.Unwrap(n), deny: st.deny, reach: st.reach})
	if ok, others := a.userReturn(n); a.role == roleHandler && ok {
		a.addUserReturn(n, n, st, others)
	}
	if a.role == roleHandler {
		if name := a.returnedSecret(n); name != "" {
			a.addEffect(n, st, ReturnsSecret, "returns "+name, false, nil)
		}
	}
}

// identityProps returns the identity values of an object literal's
// properties (`{ isAuthenticated, userId: userId || null }`), or nil.
func (a *analyzer) identityProps(n *jsast.Node) map[string]value {
	obj := jsast.Unwrap(n)
	if obj == nil || obj.Type != "object" {
		return nil
	}
	var out map[string]value
	for _, k := range a.f.ObjectKeys(obj) {
		pn := a.f.ObjectProp(obj, k)
		var pv value
		if pn != nil && pn.Type == "shorthand_property_identifier" {
			pv = a.vars[a.f.Text(pn)]
		} else {
			pv = a.classify(pn)
		}
		if !pv.identityish() && pv.kind != vAuthObj {
			continue
		}
		if out == nil {
			out = map[string]value{}
		}
		out[k] = pv
	}
	return out
}

// resultObject recognises a helper that answers with an object whose keys
// say whether the caller passed: `return { error: 'Unauthorized', status:
// 401 }` where an identity check fails, `return { ok: true }` otherwise.
func (a *analyzer) resultObject() (value, bool) {
	keys := &resultKeys{anon: map[string]bool{}, ok: map[string]bool{}}
	denied := false
	for _, r := range a.rets {
		if r.node == nil || r.node.Type != "object" {
			return value{}, false
		}
		set := keys.ok
		if r.deny {
			set, denied = keys.anon, true
		}
		for _, k := range a.f.ObjectKeys(r.node) {
			if v, ok := literalOf(a.f, a.f.ObjectProp(r.node, k)); ok && v.falsy() {
				continue
			}
			set[k] = true
		}
	}
	if !denied || len(keys.ok) == 0 && len(keys.anon) == 0 {
		return value{}, false
	}
	var authz Authz
	for _, c := range a.s.checks {
		authz |= c.authz
	}
	return value{kind: vResult, keys: keys, authz: authz}, true
}

// ret is one return statement's value.
type ret struct {
	v     value
	node  *jsast.Node // the returned expression, unwrapped
	deny  bool
	reach tri
}

// returns decides what the function returns: the value of its returns,
// except that a function which returns a falsy value where an identity
// check failed (`if (!userId) return null`) returns a value that is null
// for an anonymous caller.
func (a *analyzer) returns() {
	if len(a.rets) == 0 {
		return
	}
	a.s.retSeen = true
	if v, ok := a.resultObject(); ok {
		a.s.ret = v
		return
	}
	if v, ok := a.boolPredicate(); ok {
		a.s.ret = v
		return
	}
	// A helper that returns a (truthy) response where a check fails and
	// null on success: const denied = await verifyAdmin(req); if (denied) return denied.
	truthyDeny, falsyOK, sawDeny := true, true, false
	for _, r := range a.rets {
		if r.deny {
			sawDeny = true
			if r.v.falsy() || r.v.kind == vLiteral {
				truthyDeny = false
			}
		} else if !(r.v.kind == vLiteral && r.v.falsy()) {
			falsyOK = false
		}
	}
	if sawDeny && truthyDeny && falsyOK {
		var authz Authz
		for _, c := range a.s.checks {
			authz |= c.authz
		}
		a.s.ret = value{kind: vPred, anon: isTrue, authz: authz}
		return
	}
	nullForAnon, coll := false, false
	var main *value
	for i := range a.rets {
		r := &a.rets[i]
		if r.deny && (r.v.falsy() || emptyCollection(a.f, r.node)) {
			// `if (!userId) return null`, or an empty Map/Set/array:
			// nothing for the caller the check turned away.
			nullForAnon = true
			coll = coll || !r.v.falsy()
			continue
		}
		// A cache-or-connect helper (return cached ?? connect()): its data client.
		if main == nil || main.kind == vLiteral && r.v.kind != vLiteral || main.kind == vOther && r.v.kind == vClient {
			main = &r.v
		}
	}
	switch {
	case main == nil:
		a.s.ret = a.rets[0].v
	case nullForAnon && (main.kind == vOther || main.kind == vRow || main.kind == vLiteral):
		// Its checks decide who gets a non-null value, and their records
		// say which inputs that authorization covers.
		var authz Authz
		for _, c := range a.s.checks {
			authz |= c.authz
		}
		scope, params := a.checksScope()
		a.s.ret = value{kind: vUser, clerk: main.clerk, authz: authz, coll: coll, scope: scope, scopeParams: params}
	default:
		a.s.ret = *main
	}
}

// emptyCollection reports whether n builds an empty collection: `[]`,
// `new Map()`, `new Set()`.
func emptyCollection(f *jsast.File, n *jsast.Node) bool {
	switch {
	case n == nil:
		return false
	case n.Type == "array":
		return len(n.NamedChildren()) == 0
	case n.Type == "new_expression":
		c := f.Name(n.ChildByField("constructor"))
		return (c == "Map" || c == "Set") && len(jsast.Args(n)) == 0
	}
	return false
}

// checksScope is the scope of the authorization the function's checks
// grant: the request inputs and parameters that selected the records
// they tested (`if (!seat) return null` after a read of the caller's
// seat on the board named by parameter 0). It is empty when some check
// granting authorization tested anything else: a role, a comparison, a
// helper of unknown scope.
func (a *analyzer) checksScope() ([]InputSource, []paramUse) {
	var scope []InputSource
	var params []paramUse
	for _, c := range a.s.checks {
		if c.authz == 0 {
			continue
		}
		if len(c.scope) == 0 && len(c.scopeParams) == 0 {
			return nil, nil
		}
		scope = addSources(scope, c.scope)
		params = append(params, c.scopeParams...)
	}
	return scope, params
}

// effectReturn reports whether a returned expression is a Clerk User
// object (or holds one).
func (a *analyzer) effectReturn(n *jsast.Node) bool {
	ok, _ := a.userReturn(n)
	return ok
}

// userReturn reports whether a returned or sent value holds a Clerk User
// (or its contact data); others is set when the users are not the caller
// (users.getUser(id), users.getUserList()).
func (a *analyzer) userReturn(n *jsast.Node) (ok, others bool) {
	n = jsast.Unwrap(n)
	if n == nil {
		return false, false
	}
	switch n.Type {
	case "identifier", "call_expression":
		v := a.classify(n)
		return (v.kind == vUser || v.kind == vRow) && v.clerk, v.kind == vRow
	case "member_expression", "subscript_expression":
		// user.emailAddresses[0].emailAddress: contact data of a user.
		contact := false
		x := n
		for x != nil && (x.Type == "member_expression" || x.Type == "subscript_expression") {
			if x.Type == "member_expression" && knowledge.UserContactField(a.f.Text(x.ChildByField("property"))) {
				contact = true
			}
			x = jsast.Unwrap(x.ChildByField("object"))
		}
		if contact && x != nil {
			v := a.classify(x)
			return (v.kind == vUser || v.kind == vRow) && v.clerk, v.kind == vRow
		}
	case "binary_expression":
		for _, k := range []string{"left", "right"} {
			if ok, others := a.userReturn(n.ChildByField(k)); ok {
				return ok, others
			}
		}
	case "object":
		for _, c := range n.NamedChildren() {
			switch c.Type {
			case "shorthand_property_identifier":
				if v := a.vars[a.f.Text(c)]; (v.kind == vUser || v.kind == vRow) && v.clerk {
					return true, v.kind == vRow
				}
			case "pair":
				if ok, others := a.userReturn(c.ChildByField("value")); ok {
					return ok, others
				}
			}
		}
	}
	return false, false
}

// picksPublicFields reports whether a projection callback
// (users.map((u) => ({ id: u.id, name: u.firstName }))) returns picked
// fields, not the values it maps: every value it returns is built (an
// object or array literal, a field, a string), it spreads nothing, and it
// names no private field (privateField: contact data, credentials). It
// is the one answer to "does this projection copy a user's contact data",
// for Clerk users and stored rows alike.
func (a *analyzer) picksPublicFields(fn *jsast.Node) bool {
	fn = jsast.Unwrap(fn)
	if fn == nil || !jsast.IsFunction(fn) {
		return false
	}
	var results []*jsast.Node
	if body := jsast.Unwrap(fn.ChildByField("body")); body != nil && body.Type != "statement_block" {
		results = append(results, body)
	} else {
		jsast.Walk(body, func(x *jsast.Node) bool {
			if x != body && jsast.IsFunction(x) {
				return false
			}
			if x.Type == "return_statement" {
				if c := x.NamedChildren(); len(c) > 0 {
					results = append(results, jsast.Unwrap(c[0]))
				} else {
					results = append(results, nil)
				}
			}
			return true
		})
	}
	if len(results) == 0 {
		return false
	}
	for _, r := range results {
		if r == nil {
			return false
		}
		switch r.Type {
		case "object", "array", "member_expression", "template_string", "string", "binary_expression":
		default:
			return false // the value itself, or what a call makes of it
		}
	}
	copies := false
	jsast.Walk(jsast.FunctionBody(fn), func(x *jsast.Node) bool {
		switch x.Type {
		case "spread_element":
			copies = true
		case "property_identifier", "shorthand_property_identifier":
			copies = privateField(a.f.Text(x))
		}
		return !copies
	})
	return !copies
}

// noteRead records that the function reads the identity at n.
func (a *analyzer) noteRead(n *jsast.Node, what string) {
	if a.callback > 0 || len(a.s.reads) >= 8 {
		return
	}
	for _, r := range a.s.reads {
		if r.Line == n.Line {
			return
		}
	}
	a.s.reads = append(a.s.reads, Proof{Location: Location{File: a.f.Path, Line: n.Line}, What: "reads `" + what + "`"})
}

func (a *analyzer) unknown(why string) {
	for _, u := range a.s.unknown {
		if u == why {
			return
		}
	}
	a.s.unknown = append(a.s.unknown, why)
}

// expr evaluates an expression for its calls, in evaluation order
// (arguments before the call). guarded is set under a short-circuit or
// conditional, where a dereference of a null value may not happen.
func (a *analyzer) expr(n *jsast.Node, st *state, guarded bool) {
	if n == nil {
		return
	}
	if jsast.IsFunction(n) {
		// A function passed to a call runs (map(), $transaction(),
		// then()); one only defined is analysed where it is called.
		if p := n.Parent; p != nil && p.Type == "arguments" {
			a.callbackBody(n, st)
		}
		return
	}
	switch n.Type {
	case "binary_expression":
		op := a.f.Text(n.ChildByField("operator"))
		l, r := n.ChildByField("left"), n.ChildByField("right")
		a.expr(l, st, guarded)
		if op != "&&" && op != "||" && op != "??" {
			a.expr(r, st, guarded)
			return
		}
		// The right side runs only when the left side does not decide.
		c, _ := a.cond(l)
		want := isTrue
		switch op {
		case "||":
			want = isFalse
		case "??":
			c = either
			if lv := a.classify(l); lv.kind == vLiteral && (lv.lit == "undefined" || lv.lit == "null") {
				c, want = isFalse, isFalse // nullish: the right side runs
			}
		}
		sub := *st
		sub.reach = take(st.reach, c, want)
		a.expr(r, &sub, true)
		st.reach = or3(take(st.reach, c, want.not()), sub.reach)
		if c == want {
			st.reach = sub.reach
		}
	case "ternary_expression":
		a.expr(n.ChildByField("condition"), st, guarded)
		c, _ := a.cond(n.ChildByField("condition"))
		cons, alt := *st, *st
		cons.reach, alt.reach = take(st.reach, c, isTrue), take(st.reach, c, isFalse)
		a.expr(n.ChildByField("consequence"), &cons, true)
		a.expr(n.ChildByField("alternative"), &alt, true)
		st.reach = or3(cons.reach, alt.reach)
	case "call_expression":
		callee := jsast.Unwrap(n.ChildByField("function"))
		if callee != nil && (callee.Type == "member_expression" || callee.Type == "call_expression") {
			a.expr(callee, st, guarded || hasOptional(n))
		}
		if args := n.ChildByField("arguments"); args != nil {
			a.expr(args, st, guarded)
		}
		a.call(n, st)
		a.cookieGrant(n, st)
	case "new_expression":
		if args := n.ChildByField("arguments"); args != nil {
			a.expr(args, st, guarded)
		}
		a.newExpr(n, st)
		a.cookieGrant(n, st)
	case "member_expression", "subscript_expression":
		obj := n.ChildByField("object")
		a.expr(obj, st, guarded)
		if n.Type == "subscript_expression" {
			a.expr(n.ChildByField("index"), st, guarded)
		}
		if raw := obj; !guarded && !hasOptional(n) && raw != nil && raw.Type != "call_expression" {
			// (await currentUser()).id throws; a call's promise or query builder does not.
			if v := a.classify(obj); v.kind == vUser && !v.coll {
				a.throwAnon(st, n, "reads "+clip(a.f.Text(n), 40)+" of a value that is null for a signed-out caller")
			}
		}
	case "assignment_expression", "augmented_assignment_expression":
		right := n.ChildByField("right")
		a.expr(right, st, guarded)
		a.expr(n.ChildByField("left"), st, guarded)
		v := a.classify(right) // notes identity reads: req.userId = getAuth(req).userId
		if l := n.ChildByField("left"); l != nil && l.Type == "identifier" && n.Type == "assignment_expression" {
			a.vars[a.f.Text(l)] = v
		}
	case "identifier", "property_identifier", "string", "number", "true", "false", "null", "undefined", "this",
		"regex", "comment", "type_annotation", "type_arguments":
	default:
		for _, c := range n.NamedChildren() {
			a.expr(c, st, guarded)
		}
	}
}

// hasOptional reports whether a member or call is optional (a?.b, f?.()).
func hasOptional(n *jsast.Node) bool {
	return n.HasChild("optional_chain") || n.HasChild("?.")
}

// callbackBody analyses a function literal passed as a value (a callback
// of map(), $transaction(), then()): its effects run with the current
// reach, but its checks do not guard the enclosing function.
func (a *analyzer) callbackBody(fn *jsast.Node, st *state) {
	if a.callback > 4 {
		return
	}
	a.callback++
	defer func() { a.callback-- }()
	elem := a.elementOf(fn)
	for i, p := range params(fn) {
		if p.Type == "identifier" {
			if i == 0 && elem.kind == vRequest {
				a.vars[a.f.Text(p)] = elem // ids.map((id) => ...): an element the caller chose
			} else if _, ok := a.vars[a.f.Text(p)]; !ok {
				a.vars[a.f.Text(p)] = value{}
			}
		}
	}
	sub := *st
	body := jsast.FunctionBody(fn)
	if body == nil {
		return
	}
	if body.Type == "statement_block" {
		a.block(body.NamedChildren(), &sub)
		return
	}
	a.expr(body, &sub, false)
}

// elementOf returns the value of the elements a callback of an array
// method receives (the receiver's, when the caller chose it), or the zero
// value.
func (a *analyzer) elementOf(fn *jsast.Node) value {
	args := fn.Parent
	if args == nil || args.Type != "arguments" || args.Parent == nil || args.Parent.Type != "call_expression" {
		return value{}
	}
	callee := jsast.Unwrap(args.Parent.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return value{}
	}
	switch a.f.Text(callee.ChildByField("property")) {
	case "map", "forEach", "filter", "flatMap", "some", "every", "find", "findIndex":
		if v := a.classify(callee.ChildByField("object")); v.kind == vRequest {
			return value{kind: vRequest, src: v.src}
		}
	}
	return value{}
}

func (a *analyzer) newExpr(n *jsast.Node, st *state) {
	name := a.f.Name(n.ChildByField("constructor"))
	if strings.HasSuffix(name, "Command") {
		// AWS SDK v3: new SendEmailCommand(...) sent by client.send().
		if pkg := a.importPackage(rootName(name)); pkg != "" {
			if s, ok := knowledge.SendCall(pkg, name); ok {
				a.addEffect(n, st, sendKind(s.Kind), name, false, nil)
			}
		}
	}
}

// missingLocalImport returns the specifier a name is imported from when
// it names a file of the repository that the snapshot does not hold.
func (a *analyzer) missingLocalImport(name string) string {
	im, ok := a.f.ImportOf(name)
	if !ok || !isLocalSpec(im.Source) {
		return ""
	}
	res, err := a.m.graph.Resolve(a.ctx, a.f.Path, im.Source)
	if err == nil && res.Kind == modules.Unresolved {
		return im.Source
	}
	return ""
}

// importPackage returns the package a local name is imported from
// directly ("" for a file of the snapshot or no import).
func (a *analyzer) importPackage(local string) string {
	im, ok := a.f.ImportOf(local)
	if !ok {
		im, ok = a.f.DynamicImportOf(local) // const { Webhook } = await import('svix')
	}
	if !ok || isLocalSpec(im.Source) {
		return ""
	}
	return a.m.SpecPackage(a.ctx, a.f, im.Source)
}

func isLocalSpec(s string) bool {
	return strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "@/") || strings.HasPrefix(s, "~/") ||
		strings.HasPrefix(s, "#") || strings.HasPrefix(s, "$lib") || strings.HasPrefix(s, "~~/") || strings.HasPrefix(s, "@@/")
}

func sendKind(k knowledge.SendKind) EffectKind {
	if k == knowledge.MovesMoney {
		return MovesMoney
	}
	return SendsMail
}

// sendsDenial reports a hook's call that sends a denial on the reply it
// was given (reply.code(401).send()): the framework runs nothing after a
// hook that has sent a reply, whether or not the hook returns.
func (a *analyzer) sendsDenial(n *jsast.Node) bool {
	n = jsast.Unwrap(n)
	if a.role != roleHook || n == nil || n.Type != "call_expression" {
		return false
	}
	root := rootIdent(n.ChildByField("function"))
	if root == nil || a.vars[a.f.Text(root)].kind != vRes {
		return false
	}
	return a.denies(n)
}

// passesNext reports whether a call hands the middleware's next on.
func (a *analyzer) passesNext(call *jsast.Node) bool {
	for _, arg := range jsast.Args(call) {
		arg = jsast.Unwrap(arg)
		if arg == nil {
			continue
		}
		if a.next != "" && arg.Type == "identifier" && a.f.Text(arg) == a.next || a.classify(arg).kind == vNext {
			return true
		}
	}
	return false
}

// clerkGateCall says whether call builds a Clerk middleware that rejects
// or redirects signed-out requests (requireAuth(), ClerkExpressRequireAuth()),
// and names it.
func (a *analyzer) clerkGateCall(call *jsast.Node) (string, bool) {
	fn := jsast.Unwrap(call.ChildByField("function"))
	root := rootIdent(fn)
	if root == nil {
		return "", false
	}
	exp, pkg := a.m.clerkExportOf(a.ctx, a.f, a.f.Text(root))
	if exp == "" {
		return "", false
	}
	if exp == "default" || exp == "*" || fn.Type == "member_expression" {
		exp = jsast.LastSegment(strings.ReplaceAll(a.f.Name(fn), "()", ""))
	}
	mw, ok := knowledge.MiddlewareOf(pkg, exp)
	if !ok {
		return "", false
	}
	switch mw.Gate {
	case knowledge.Rejects, knowledge.RejectsByDefault:
		return fmt.Sprintf("`%s()` rejects signed-out requests (line %d)", exp, call.Line), true
	case knowledge.Redirects:
		return fmt.Sprintf("`%s()` redirects signed-out requests to sign-in (line %d)", exp, call.Line), true
	}
	return "", false
}

// isNextCall reports whether a call calls the middleware's next.
func (a *analyzer) isNextCall(call *jsast.Node) bool {
	c := jsast.Unwrap(call.ChildByField("function"))
	if a.next == "" {
		// A continuation taken from a context object: next({ context })
		// of a TanStack Start or React Router middleware.
		return a.role == roleMiddleware && c != nil && a.classify(c).kind == vNext
	}
	return c != nil && c.Type == "identifier" && a.f.Text(c) == a.next
}

// throwingExit returns the exit a call is when it throws by itself
// (redirect(), notFound() of next/navigation, redirectToSignIn()).
func (a *analyzer) throwingExit(call *jsast.Node) (knowledge.Exit, bool) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil {
		return knowledge.Exit{}, false
	}
	name := a.f.CalleeName(call)
	if callee.Type == "identifier" {
		if im, ok := a.f.ImportOf(name); ok {
			if e, ok := knowledge.ExitOf(im.Source, im.Imported); ok && e.Throws {
				return e, true
			}
			if jsast.IsClerkModule(im.Source) && im.Imported == "redirectToSignIn" {
				return knowledge.Exit{Name: "redirectToSignIn", Throws: true, Redirect: true}, true
			}
			return knowledge.Exit{}, false
		}
		if v, ok := a.vars[name]; ok && v.kind == vOther && name == "redirectToSignIn" {
			return knowledge.Exit{Name: name, Throws: true, Redirect: true}, true
		}
	}
	if jsast.LastSegment(name) == "redirectToSignIn" {
		for _, e := range knowledge.ExitsNamed(name) {
			if e.Throws {
				return e, true
			}
		}
	}
	return knowledge.Exit{}, false
}

// call handles one call: guards, continuations, effects, and helpers.
func (a *analyzer) call(n *jsast.Node, st *state) {
	f := a.f
	name := f.CalleeName(n)
	callee := jsast.Unwrap(n.ChildByField("function"))
	if callee == nil {
		return
	}
	// The continuation of a middleware or wrapper.
	if a.isNextCall(n) {
		if len(jsast.Args(n)) == 0 || isRouteArg(f, jsast.Args(n)) || a.next == "" {
			a.cont(st)
		}
		return
	}
	// A Clerk middleware applied inside the app's own one:
	// `return requireAuth()(req, res, next)`: it decides whether the
	// continuation runs (knowledge.MiddlewareOf).
	if inner := callee; inner.Type == "call_expression" && (a.role == roleMiddleware || a.role == roleHook) && a.passesNext(n) {
		if l, ok := a.clerkGateCall(inner); ok {
			a.reject(st, n, l, ViaHelper, AuthzNone)
			a.cont(st)
			return
		}
	}
	if a.role == roleWrapper && a.handler != "" && (name == a.handler || name == a.handler+".call" || name == a.handler+".apply") {
		a.cont(st)
		if a.s.handlerArgs == nil && name == a.handler {
			a.s.handlerArgs = []value{}
			for _, arg := range jsast.Args(n) {
				a.s.handlerArgs = append(a.s.handlerArgs, a.classify(arg))
			}
		}
		return
	}
	// Clerk guards.
	if a.isProtect(n) && a.unawaitedAsyncProtect(n) {
		return // a promise nobody waits for stops nothing (CLK-RP-006)
	}
	if a.isProtect(n) {
		authz := AuthzNone
		if len(jsast.Args(n)) > 0 {
			authz = AuthzRole
		}
		a.reject(st, n, "`"+clip(name, 40)+"()` rejects signed-out callers", ViaHandler, authz)
		return
	}
	if e, ok := a.throwingExit(n); ok {
		if st.reach != no && (st.deny || e.Redirect && e.Name == "redirectToSignIn") {
			st.deny = true
		}
		if e.Name == "redirectToSignIn" {
			a.reject(st, n, "`"+name+"()` sends signed-out callers to sign-in", ViaHandler, AuthzNone)
			return
		}
		st.reach = no
		return
	}
	// Webhook signature verification: an anonymous caller cannot sign.
	if v, ok := a.verifier(n); ok {
		label := name
		if label == "" { // new Webhook(secret).verify(...)
			label = strings.TrimPrefix(v.Receiver+"."+v.Name, ".")
		}
		a.reject(st, n, fmt.Sprintf("`%s()` (%s) rejects a request without a valid signature", clip(label, 40), v.Provider), ViaSecret, AuthzNone)
		if a.callback == 0 {
			// A presence test of the signature headers before it
			// (`if (!svixSignature) return`) already stops a request
			// without them, but only the verification proves the
			// sender: it is what identifies the caller as the service.
			a.s.checks[len(a.s.checks)-1].webhook = v.Provider
			a.s.checks[len(a.s.checks)-1].authn = true
		}
		return
	}
	// Calls that throw for an anonymous caller.
	if why, ok := a.throwsForAnon(n); ok {
		// The call fails for an anonymous caller, so it reads nothing.
		a.throwAnon(st, n, why)
		if e := a.effectOf(n); e != nil {
			a.addEffect(n, st, e.Kind, e.Call, e.Selects, e.params)
		}
		return
	}
	// A framework's identity source called where its value is not bound
	// (({ who: await ctx.auth.getUserIdentity() })): a read of the identity.
	if _, ok := knowledge.IdentityCallOf(a.ctxCallee(n)); ok {
		a.noteRead(n, strings.ReplaceAll(name, "()", "")+"()")
		return
	}
	// A call of a function convex-helpers' crud() generated: its data access.
	if op, table, ref, ok := a.m.convexCrudCall(a.ctx, a.f, n); ok {
		a.addCrudEffect(n, st, op, table, ref)
		return
	}
	// A call of another function by reference (Convex's ctx.runMutation).
	if r, args, ok := a.m.convexCallTarget(a.ctx, a.f, n); ok {
		if a.depth < MaxDepth {
			a.enter(n, st, r, args, nil, nil)
		} else {
			a.s.cut = true
		}
		return
	}
	// A background task queued with a payload (trigger.dev's
	// tasks.trigger(id, payload)): what its run function does with it.
	if r, args, ok, unread := a.m.jobCallTarget(a.ctx, a.f, n); ok || unread {
		if unread {
			a.s.incomplete = true // the task may be in a file not read
		} else if a.depth < MaxDepth {
			a.enter(n, st, r, args, nil, nil)
		} else {
			a.s.cut = true
		}
		return
	}
	// Effects of library calls.
	if e := a.effectOf(n); e != nil {
		a.addEffect(n, st, e.Kind, e.Call, e.Selects, e.params)
		return
	}
	if a.role == roleHandler && a.isResponseCall(n) {
		for _, arg := range jsast.Args(n) {
			if ok, others := a.userReturn(arg); ok {
				a.addUserReturn(n, arg, st, others)
				break
			}
		}
		if args := jsast.Args(n); len(args) > 0 {
			if name := a.returnedSecret(args[0]); name != "" {
				a.addEffect(n, st, ReturnsSecret, "returns "+name, false, nil)
			}
		}
		return
	}
	a.helper(n, st)
}

func isRouteArg(f *jsast.File, args []*jsast.Node) bool {
	if len(args) != 1 {
		return false
	}
	s, ok := f.StringValue(args[0])
	return ok && (s == "route" || s == "router")
}

// isProtect recognises auth.protect(), auth().protect(),
// (await auth()).protect() and a destructured protect.
func (a *analyzer) isProtect(call *jsast.Node) bool {
	callee := jsast.Unwrap(call.ChildByField("function"))
	switch callee.Type {
	case "identifier":
		return a.vars[a.f.Text(callee)].kind == vProtect
	case "member_expression":
		if a.f.Text(callee.ChildByField("property")) != "protect" {
			return false
		}
		obj := jsast.Unwrap(callee.ChildByField("object"))
		if obj == nil {
			return false
		}
		if obj.Type == "identifier" {
			exp, _ := a.m.clerkExportOf(a.ctx, a.f, a.f.Text(obj))
			return exp == "auth" || a.vars[a.f.Text(obj)].kind == vAuthObj
		}
		return a.classify(obj).kind == vAuthObj
	}
	return false
}

// unawaitedAsyncProtect reports an auth.protect() call that is neither
// awaited nor returned where the Next.js SDK's protect() is asynchronous
// (Core 2's auth().protect() was synchronous; @clerk/nextjs v6 made
// auth.protect() return a promise, https://clerk.com/docs/guides/development/upgrading/upgrade-guides/nextjs-v6):
// the handler runs on before the promise rejects.
func (a *analyzer) unawaitedAsyncProtect(call *jsast.Node) bool {
	if a.m.proj == nil {
		return false
	}
	if era := a.m.proj.NextEra(a.f.Path); era == project.EraUnknown || !era.AsyncAuth() {
		return false // synchronous, or an unknown era: do not flip a verdict on a guess
	}
	p := call.Parent
	for p != nil && p.Type == "parenthesized_expression" {
		p = p.Parent
	}
	if p == nil {
		return false
	}
	switch p.Type {
	case "await_expression", "return_statement", "arrow_function", "member_expression", "call_expression":
		return false // awaited, handed to the caller, or chained (.then/.catch)
	}
	return p.Type == "expression_statement"
}

// reject records a call that stops an anonymous caller.
func (a *analyzer) reject(st *state, n *jsast.Node, what string, via Via, authz Authz) {
	if a.callback == 0 {
		a.s.checks = append(a.s.checks, check{Proof: Proof{Location: Location{File: a.f.Path, Line: n.Line}, What: what},
			via: via, authz: authz, authn: st.reach != no})
	}
	st.authz |= authz
	st.open = st.open || authz != 0
	st.reach = no
	st.deny = false
}

// constructedRoot returns the class a method chain starts from when its
// object is constructed in place (`new Webhook(secret).verify(...)`).
func constructedRoot(n *jsast.Node) *jsast.Node {
	for n = jsast.Unwrap(n); n != nil; n = jsast.Unwrap(n) {
		switch n.Type {
		case "member_expression":
			n = n.ChildByField("object")
		case "new_expression":
			return rootIdent(n.ChildByField("constructor"))
		default:
			return nil
		}
	}
	return nil
}

// verifier recognises a webhook signature verification call
// (knowledge.VerifierOf): verifyWebhook(req), wh.verify(body, headers) of
// a svix Webhook, stripe.webhooks.constructEvent(...).
func (a *analyzer) verifier(call *jsast.Node) (knowledge.Verifier, bool) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	name := strings.ReplaceAll(a.f.CalleeName(call), "()", "")
	last := jsast.LastSegment(name)
	root := rootIdent(callee)
	if root == nil {
		// new Webhook(secret).verify(...): named after the class.
		if root = constructedRoot(callee); root != nil && callee.Type == "member_expression" {
			last = a.f.Text(callee.ChildByField("property"))
			name = a.f.Text(root) + "." + last
		}
	}
	if root == nil || name == "" {
		return knowledge.Verifier{}, false
	}
	rname := a.f.Text(root)
	pkg := a.importPackage(rname)
	if pkg == "" {
		if v := a.vars[rname]; v.kind == vClient {
			pkg = v.pkg
		}
	}
	if pkg == "" {
		if _, bound := a.vars[rname]; !bound {
			if p, err := a.m.clientPackage(a.ctx, a.f, root, 0); err == nil {
				pkg = p
			}
		}
	}
	if pkg != "" {
		if v, ok := knowledge.VerifierOf(pkg, last); ok {
			return v, true
		}
		if im, ok := a.f.ImportOf(rname); ok && rname == name {
			if v, ok := knowledge.VerifierOf(im.Source, im.Imported); ok {
				return v, true
			}
		}
		return knowledge.Verifier{}, false
	}
	// The receiver's module is unknown: a method whose receiver names it.
	recv := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		recv = jsast.LastSegment(name[:i])
	}
	for _, v := range knowledge.VerifiersNamed(last) {
		if v.Receiver != "" && v.Receiver == recv {
			return v, true
		}
	}
	return knowledge.Verifier{}, false
}

// throwsForAnon recognises calls that throw for an anonymous caller:
// clerkClient.users.getUser(userId) with a null userId, and token
// verification of an absent credential.
func (a *analyzer) throwsForAnon(call *jsast.Node) (string, bool) {
	name := a.f.CalleeName(call)
	last := jsast.LastSegment(name)
	args := jsast.Args(call)
	if len(args) == 0 {
		return "", false
	}
	first := a.classify(args[0])
	if tc, ok := a.tokenCall(call); ok && tc.Use == knowledge.Verifies && first.kind != vRequest && !a.keyFromCaller(call) {
		// An anonymous caller has no token the issuer signed.
		return "`" + clip(name, 30) + "()` rejects a token its issuer did not sign", true
	}
	switch {
	case last == "getUser" && strings.Contains(name, "users") && (first.kind == vIdentity || first.kind == vUser):
		return "`" + clip(strings.ReplaceAll(name, "()", ""), 40) + "(" + clip(a.f.Text(args[0]), 20) + ")` throws for a signed-out caller (the id is null)", true
	case (last == "verify" || last == "verifyToken" || last == "jwtVerify") && first.kind == vCred:
		return "`" + clip(name, 30) + "()` throws when the request carries no token", true
	case a.verifiesToken(call):
		return "`" + clip(name, 30) + "()` throws for a token not signed with the application's secret", true
	}
	return "", false
}

// isResponseCall recognises a call that sends a response body:
// res.json(x), res.send(x), Response.json(x), NextResponse.json(x),
// c.json(x).
func (a *analyzer) isResponseCall(call *jsast.Node) bool {
	name := a.f.CalleeName(call)
	last := jsast.LastSegment(name)
	if last != "json" && last != "send" && last != "jsonp" {
		return false
	}
	root := rootName(name)
	if root == "Response" || root == "NextResponse" {
		return true
	}
	v := a.vars[root]
	return v.kind == vRes || v.kind == vReq
}

// helper follows a call into a function of the snapshot.
func (a *analyzer) helper(n *jsast.Node, st *state) {
	callee := n.ChildByField("function")
	root := rootIdent(callee)
	if root != nil {
		switch a.vars[a.f.Text(root)].kind {
		case vReq, vRes, vNext, vRequest, vAuthObj, vIdentity, vUser, vClient, vClerkClient, vRow, vCred, vHas, vRouteCtx, vPageProps, vGSSP, vReqCtx, vLocals, vTRPCOpts, vTRPCCtx:
			return
		}
		switch a.f.Text(root) {
		case "console", "JSON", "Math", "Object", "Array", "Promise", "Number", "String", "Boolean", "Date", "Response",
			"NextResponse", "URL", "URLSearchParams", "Buffer", "process", "crypto", "z", "Error", "Symbol", "Reflect", "Intl",
			"Map", "Set", "require", "fetch":
			return
		}
	}
	if a.depth >= MaxDepth {
		a.s.cut = true
		if authName(a.f.CalleeName(n)) && st.reach != no {
			a.unknown(fmt.Sprintf("`%s()` is more than %d helper calls deep and was not followed", a.f.CalleeName(n), MaxDepth))
			st.reach = maybeOf(st.reach)
		}
		a.s.incomplete = true
		return
	}
	var (
		r     fnRef
		args  = jsast.Args(n)
		err   error
		seeds []value
	)
	// Another entry point called from server code (a server function)
	// runs its own middleware and checks; asked first, because its handler
	// would otherwise resolve as a plain wrapped function.
	if sr, sd, rejects, ok := a.calledServerFn(callee); ok {
		if rejects != "" {
			a.reject(st, n, rejects, ViaHelper, AuthzNone)
			return
		}
		r, seeds = sr, sd
	} else {
		r, args, err = a.m.callee(a.ctx, a.f, n, a.locals)
	}
	if err != nil {
		if errors.Is(err, errNotFound) && root != nil && authName(a.f.CalleeName(n)) && st.reach != no {
			if spec := a.missingLocalImport(a.f.Text(root)); spec != "" {
				// An auth helper whose module is not in the snapshot: unknown.
				a.unknown(fmt.Sprintf("`%s()` comes from %s, which is not in the snapshot", clip(a.f.CalleeName(n), 40), spec))
				st.reach = maybeOf(st.reach)
				a.s.incomplete = true
			}
			return
		}
		if !errors.Is(err, errNotFound) {
			a.s.incomplete = true
			if st.reach != no {
				a.unknown(fmt.Sprintf("`%s()` could not be followed: %v", clip(a.f.CalleeName(n), 40), err))
				st.reach = maybeOf(st.reach)
			}
		}
		return
	}
	if r.fn == a.fn {
		return
	}
	if seeds == nil {
		seeds = missingArgSeeds(r.fn, args)
	}
	var unreached map[Location]bool
	if seeds == nil {
		unreached = a.unreachedWithIdentity(r, args)
	}
	a.enter(n, st, r, args, seeds, unreached)
}

// ownerParamChecks records, for a helper called at n, the owner checks it
// makes against a parameter the caller fills with its own identity: a
// helper that loads a record and exits unless the record's owner equals
// that parameter hands back only the caller's records.
func (a *analyzer) ownerParamChecks(n *jsast.Node, s *summary, args []*jsast.Node, where string) {
	if a.callback > 0 {
		return
	}
	for _, p := range s.ownerParams {
		if p >= len(args) || args[p].Type == "spread_element" {
			continue
		}
		if v := a.classify(args[p]); v.kind != vIdentity || v.authz != 0 {
			continue
		}
		a.s.checks = append(a.s.checks, check{Proof: Proof{Location: Location{File: a.f.Path, Line: n.Line},
			What: fmt.Sprintf("%s compares the record's owner with the caller's id and exits otherwise", where)},
			authz: AuthzOwner, via: ViaHelper})
	}
}

// missingArgSeeds seeds a helper called with fewer arguments than it
// declares: the passed ones stay its parameters, the missing ones are
// undefined (getClient() of `getClient(id?) { id ?? await requireId() }`
// takes the fallback). nil when every parameter gets an argument or an
// argument is spread.
func missingArgSeeds(fn *jsast.Node, args []*jsast.Node) []value {
	ps := params(fn)
	if len(args) >= len(ps) {
		return nil
	}
	seeds := make([]value, len(ps))
	for i := range ps {
		seeds[i] = value{kind: vLiteral, lit: "undefined"}
		if i < len(args) {
			if args[i].Type == "spread_element" {
				return nil
			}
			seeds[i] = value{kind: vParam, param: i}
		}
	}
	return seeds
}

// enter applies the summary of the function r, called at n with args
// (seeds: the values its parameters hold, when known): its effects,
// checks and identity reads. The effects at unreached do not run for an
// anonymous caller (unreachedWithIdentity).
func (a *analyzer) enter(n *jsast.Node, st *state, r fnRef, args []*jsast.Node, seeds []value, unreached map[Location]bool) {
	var outer *outerScope
	if r.file == a.f && r.fn != nil && a.fn != nil && r.fn.Start > a.fn.Start && r.fn.End <= a.fn.End {
		// A function declared inside this one: it sees this one's values.
		outer = &outerScope{vars: a.vars, locals: a.locals}
	}
	s := a.use(a.m.summarizeIn(a.ctx, r.file, r.fn, roleHelper, nil, seeds, outer, a.depth+1, a.stack))
	hname := r.name
	if hname == "" {
		hname = clip(a.f.CalleeName(n), 40)
	}
	where := fmt.Sprintf("%s (%s:%d)", hname, r.file.Path, r.fn.Line)
	a.verifiedArgs(r.file, r.fn, args, s)
	a.enterHeaders(s, where, args)
	a.ownerParamChecks(n, s, args, where)
	dropped := a.discardedRead(n, args)
	tested := a.testedRead(n)
	for _, e := range s.effects {
		if dropped && e.Kind == ReadsData {
			continue // the caller drops the helper's result: its reads reach no response
		}
		ne := e
		ne.ScalarResult = ne.ScalarResult || tested && e.Kind == ReadsData
		ne.Via = append([]string{where}, e.Via...)
		ne.reach = and3(st.reach, e.reach)
		if unreached[e.Location] {
			ne.reach = no
		}
		ne.CheckedBy = nil
		if e.Authz == 0 {
			ne.CheckedBy = st.checkedBy()
		}
		ne.Authz |= st.authz
		ne.Request = append([]InputSource(nil), e.Request...)
		ne.params = nil
		ne.ownerParams = nil
		for _, op := range e.ownerParams {
			a.ownerArg(&ne, op, args)
		}
		if !a.sqlByArg(&ne, e.sqlParam, args) {
			continue // the caller's statement reads no stored data
		}
		ne.switchParams = nil
		for _, p := range e.switchParams {
			if p < len(args) {
				sw, ps := a.switchSources(args[p])
				ne.PublishSwitch = ne.PublishSwitch || sw
				ne.switchParams = append(ne.switchParams, ps...)
			}
		}
		for _, p := range e.params {
			if p.index < len(args) {
				reqs, owner, org, ps := a.argSources(propArg(a.f, args[p.index], p.prop))
				ne.Request = append(ne.Request, reqs...)
				ne.OwnerScoped = ne.OwnerScoped || owner
				if org {
					ne.Authz |= AuthzOrg
				}
				ne.params = append(ne.params, ps...)
			}
		}
		ne.linkParams = nil
		for _, p := range e.linkParams {
			if !ne.Links {
				break
			}
			if p.index >= len(args) {
				ne.Links = false
				break
			}
			_, owner, _, ps := a.argSources(propArg(a.f, args[p.index], p.prop))
			ne.Links = owner || len(ps) > 0
			ne.linkParams = append(ne.linkParams, ps...)
		}
		ne.Request = sortSources(ne.Request)
		a.s.effects = append(a.s.effects, ne)
	}
	if s.incomplete {
		a.s.incomplete = true
	}
	a.s.payment = a.s.payment || s.payment
	if len(s.reads) > 0 && a.callback == 0 {
		a.s.reads = append(a.s.reads, Proof{Location: Location{File: a.f.Path, Line: n.Line}, What: "calls " + hname})
	}
	for _, u := range s.unknown {
		a.unknown(u)
	}
	switch s.cont {
	case no:
		if st.reach != no || a.callback == 0 {
			authz := s.contAuthz
			for _, c := range s.checks {
				authz |= c.authz
			}
			what := fmt.Sprintf("`%s()` (%s:%d) rejects signed-out callers", hname, r.file.Path, r.fn.Line)
			a.reject(st, n, what, ViaHelper, authz)
		}
	case maybe:
		if st.reach == yes {
			st.reach = maybe
		}
	default:
		st.authz |= s.contAuthz
		st.open = st.open || s.contAuthz != 0
		if len(s.reads) > 0 && a.callback == 0 && st.reach != no {
			a.s.nonGuards = append(a.s.nonGuards, Proof{Location: Location{File: r.file.Path, Line: r.fn.Line},
				What: fmt.Sprintf("`%s` in %s reads %s but never rejects a signed-out caller", hname, r.file.Path, readsWhat(s.reads))})
		}
	}
}

// ownerArg decides an owner field a called function sets from its
// parameter (op) by the argument the caller passes: a request value makes
// it an owner the request chose (`mutation(api.users.create, { userId:
// body.userId })`); another parameter passes the question on.
func (a *analyzer) ownerArg(ne *effect, op ownerParam, args []*jsast.Node) {
	if op.param >= len(args) || ne.OwnerFromRequest != "" ||
		bylineKey.MatchString(op.key) && (ne.Kind != WritesData || ne.Selects) {
		return
	}
	arg := jsast.Unwrap(args[op.param])
	var v value
	switch {
	case arg == nil:
		return
	case arg.Type == "object":
		if pn := a.f.ObjectProp(arg, op.prop); pn != nil {
			if pn.Type == "shorthand_property_identifier" {
				v = a.vars[a.f.Text(pn)]
			} else {
				v = a.classify(pn)
			}
			break
		}
		// { ...body, isActive: true }: the property comes from a spread.
		for _, c := range arg.NamedChildren() {
			if c.Type == "spread_element" && len(c.NamedChildren()) > 0 {
				if sv := a.member(a.classify(c.NamedChildren()[0]), op.prop); sv.kind == vRequest || sv.kind == vParam {
					v = sv
				}
			}
		}
	default:
		v = a.member(a.classify(arg), op.prop)
	}
	switch v.kind {
	case vRequest:
		ne.OwnerFromRequest = op.key
	case vParam:
		ne.ownerParams = append(ne.ownerParams, ownerParam{param: v.param, prop: op.prop, key: op.key})
	}
}

// readsWhat names what a function reads of the identity: a variable it
// binds (`userId`) rather than the call it comes from (`getAuth()`).
func readsWhat(rs []Proof) string {
	var call string
	for _, r := range rs {
		w, ok := strings.CutPrefix(r.What, "reads ")
		if !ok {
			continue
		}
		if !strings.HasSuffix(w, "()`") {
			return w
		}
		if call == "" {
			call = w
		}
	}
	if call != "" {
		return call
	}
	return "the identity"
}

func and3(a, b tri) tri {
	switch {
	case a == no || b == no:
		return no
	case a == yes && b == yes:
		return yes
	}
	return maybe
}

func maybeOf(t tri) tri {
	if t == yes {
		return maybe
	}
	return t
}

// authName reports whether a function name suggests an auth check.
func authName(name string) bool {
	l := strings.ToLower(jsast.LastSegment(name))
	for _, k := range []string{"auth", "protect", "require", "ensure", "guard", "session", "user", "admin", "role", "permission", "verify", "login", "signedin"} {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

// snippet is the source text of n without its comments.
func snippet(f *jsast.File, n *jsast.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	pos := n.Start
	jsast.Walk(n, func(x *jsast.Node) bool {
		if x.Type == "comment" {
			b.Write(f.Src[pos:x.Start])
			pos = x.End
			return false
		}
		return true
	})
	b.Write(f.Src[pos:n.End])
	return b.String()
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// tokenCall returns the token library function a call calls
// (knowledge.TokenCallOf): verifyToken(t) imported from @clerk/backend,
// jose.jwtVerify(t, jwks) through a namespace import, jwt.decode(t).
func (a *analyzer) tokenCall(call *jsast.Node) (knowledge.TokenCall, bool) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	root := rootIdent(callee)
	if root == nil {
		return knowledge.TokenCall{}, false
	}
	rname := a.f.Text(root)
	if _, bound := a.vars[rname]; bound {
		return knowledge.TokenCall{}, false
	}
	im, ok := a.f.ImportOf(rname)
	if !ok {
		return knowledge.TokenCall{}, false
	}
	pkg := a.importPackage(rname)
	switch {
	case callee.Type == "identifier":
		return knowledge.TokenCallOf(pkg, im.Imported)
	case callee.Type == "member_expression" && (im.Imported == "*" || im.Imported == "default") && jsast.Unwrap(callee.ChildByField("object")) == root:
		return knowledge.TokenCallOf(pkg, a.f.Text(callee.ChildByField("property")))
	}
	return knowledge.TokenCall{}, false
}

// propArg is the part of a call's argument that a parameter's property
// prop receives: the property's value when the argument is an object
// literal that writes it (`{ id: noteId, title }` gives noteId for id),
// the whole argument otherwise (no property, a spread, any other
// expression).
func propArg(f *jsast.File, arg *jsast.Node, prop string) *jsast.Node {
	obj := jsast.Unwrap(arg)
	if prop == "" || obj == nil || obj.Type != "object" {
		return arg
	}
	for _, c := range obj.NamedChildren() {
		switch c.Type {
		case "spread_element":
			return arg
		case "shorthand_property_identifier":
			if f.Text(c) == prop {
				return c
			}
		case "pair":
			if k, ok := f.StringValue(c.ChildByField("key")); ok && k == prop || f.Text(c.ChildByField("key")) == prop {
				return c.ChildByField("value")
			}
		}
	}
	return arg
}
