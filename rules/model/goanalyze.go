package model

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// The Go side of the analysis: a Go function (handler, middleware or
// helper) is walked once per role by simulating an anonymous caller, as
// the JavaScript walk does: Clerk's identity sources give nil claims and
// ok == false, a Clerk verifier gives an error, everything else in the
// request is the caller's choice.

type goRole uint8

const (
	goHandlerRole goRole = iota // an entry's handler
	goGinMW                     // a gin middleware: the request goes on unless c.Abort*() ran
	goHTTPMW                    // a net/http or chi middleware body: the request goes on through next.ServeHTTP
	goEchoMW                    // an echo middleware body: the request goes on through next(c)
	goHelperRole                // a function a handler calls
)

// goSummary is what one walk of a Go function found.
type goSummary struct {
	cont          tri // a middleware: whether an anonymous caller reaches the next handler
	readsIdentity bool
	checks        []Proof // where an anonymous caller is stopped
	reads         []Proof // where the identity is read
	unstopped     []Proof // a denial written while the request goes on
	effects       []Effect
	inputs        []Input
	headers       []HeaderRead // request headers read by name (goheaders.go)
	// credFrom: the request parts a middleware reads a credential from
	// (gocredfrom.go).
	credFrom []InputSource
	// ctxValues: the context values the function stores, by key, with
	// the request inputs they come from (goctx.go).
	ctxValues map[string][]InputSource
	// ctxChecks: the keys of context values a check that ends the
	// request compares with (goctx.go).
	ctxChecks []string
	authz     Authz
	// cut: the summary depends on who asked for it: a helper was not
	// followed because of the depth limit, or a recursive call was
	// answered by the outer call. It is never memoised, so a function's
	// summary does not depend on which entry, analysed concurrently,
	// asked for it first.
	cut        bool
	incomplete bool
	errOnAnon  bool // a helper: each return an anonymous caller reaches carries an error
	okFalse    bool // a helper: each return an anonymous caller reaches ends in false
	// nilOnAnon: a helper whose every return an anonymous caller reaches
	// has nil as its only or first result (func currentUser(r) *User:
	// `if !ok { return nil }`), so a nil test of that result in the
	// caller tests the identity.
	nilOnAnon     bool
	retIdentity   bool // a helper: its first result is (derived from) the identity
	retClerkUsers bool // a helper: it returns Clerk users' data (gousers.go)
	// paramChecks are a helper's exits on a condition over its
	// parameters: an owner check where the caller passes the identity.
	paramChecks []goParamCheck
	stops       bool // a helper: an anonymous caller never returns from it normally
	// wouldReject: a gin middleware whose every anonymous path that goes
	// on has written a denial first.
	wouldReject bool
	contDenied  int // anonymous continuations after a denial was written
	contPlain   int // anonymous continuations without one
	// clerk is the Clerk package of a net/http middleware the function
	// runs (a gin middleware wrapping clerkhttp.WithHeaderAuthorization).
	clerk string
	// compared: a check that ends the request compared a value with the
	// identity (if row.UserID != uid, canEdit(row, user)); the records
	// written afterwards are not taken on the body's word.
	compared bool
	// signature: the webhook signature verification whose error the
	// function tests (err := wh.Verify(body, headers)); a middleware that
	// stops on it rejects an unsigned request, not a signed-out user.
	signature *Proof
	// queryTokens: reads of a credential from the query string
	// (c.Query("token")) by a middleware.
	queryTokens []Proof
	// tokenLogs: log calls that print the request's credential itself.
	tokenLogs []Proof
	// failOpen: a gin middleware's returns without c.Abort(), before it
	// reads the identity, on a branch the request's credential decides
	// (its payload failed to decode): a caller sending a malformed token
	// goes on to the handlers unverified.
	failOpen []Proof
}

type goParamCheck struct {
	params []int
	at     Location
}

type goFact struct {
	identity bool // holds the identity (nil, "" or false for an anonymous caller)
	// ownerData: a record a field of which was set from the identity
	// (comment.Likes = append(comment.Likes, user.ID)).
	ownerData bool
	idOK      bool // the ok of an identity lookup: false for an anonymous caller
	errAnon   bool // an error that is non-nil for an anonymous caller
	src       []InputSource
	clerkMW   string  // a Clerk net/http middleware value
	inner     *goFunc // a handler wrapped by clerkMW
	handler   *goFunc // an http.HandlerFunc value
	// stepped: a field of the record was stepped by a constant
	// (u.Views++, u.Views = u.Views + 1); edited: a field was set to
	// anything else. A record only stepped, saved whole, is a counter.
	stepped, edited bool
	// whole: the request body decoded whole into this value
	// (c.ShouldBindJSON(&x), json.NewDecoder(r.Body).Decode(&x));
	// param: a helper's parameter i+1 itself, which the caller may pass
	// such a value as; checked: an owner-scoped query selected by it ran
	// (the stored row was loaded by its id and the caller's id).
	whole   bool
	param   int
	checked bool
	// clerkUsers: Clerk users' data read from the Backend API (gousers.go).
	clerkUsers bool
	// cred: derived from a credential the request carries (the
	// Authorization header, a session cookie); errOf: the error result of
	// a call (err of payload, err := decode(token)).
	cred, errOf bool
	// token: the credential itself (the header's value, trimmed of its
	// "Bearer " prefix), not something derived from it.
	token bool
	// fields: the sources of a field set after the value was
	// (p.HouseholdID = householdID), which a read of that field has
	// instead of the value's own.
	fields map[string][]InputSource
}

type goWalker struct {
	m       *Model
	ctx     context.Context
	p       *goProgram
	fn      *goFunc
	role    goRole
	depth   int
	stack   []ast.Node // the functions being walked, outermost first: the recursion guard
	facts   map[string]*goFact
	reqs    map[string]bool // names of the request/context parameters
	next    string          // the continuation parameter of a net/http or echo middleware
	s       *goSummary
	aborted bool
	denied  *Proof // a denial written on the current path
	returns int    // returns an anonymous caller reaches
	panics  *Proof // the last assignment panics for an anonymous caller
	// inserted: the tables a statement of the function inserted into
	// (SQL), whose id read back afterwards is the new row's.
	inserted map[string]bool
	// credBranch > 0 inside the body of an if whose condition the
	// request's credential decides, before the identity is read;
	// credRejected is set once such a branch aborted (no token: 401).
	credBranch   int
	credRejected bool
}

type goMemoKey struct {
	node ast.Node
	role goRole
	// withNext: a middleware's inner handler walked with the factory's
	// parameter as the continuation (goWalkWithNext), not on its own.
	withNext bool
}

type goMemo = memo[goMemoKey, *goSummary]

// goSummarize walks fn in a role (memoized unless cut) for a caller
// depth calls below the entry, inside the functions of stack.
func (m *Model) goSummarize(ctx context.Context, fn *goFunc, role goRole, depth int, stack []ast.Node) *goSummary {
	for _, n := range stack {
		if n == fn.node {
			// Recursion: stops nothing and reaches nothing; the outer call decides.
			return &goSummary{cont: maybe, incomplete: true, cut: true}
		}
	}
	k := goMemoKey{node: fn.node, role: role}
	if s, ok := m.gomemo.get(k); ok {
		return s
	}
	s := m.goWalk(ctx, fn, role, depth, stack)
	if s.cut {
		return s
	}
	return m.gomemo.put(k, s)
}

// use records that the summary hs of a helper was applied: a cut helper
// makes the caller's summary cut too.
func (w *goWalker) use(hs *goSummary) *goSummary {
	if hs.cut {
		w.s.cut = true
	}
	return hs
}

// helper returns the summary of the helper fn called from w, or nil with
// the caller's summary marked cut when the depth limit stops it.
func (w *goWalker) helper(fn *goFunc) *goSummary {
	if w.depth >= MaxDepth {
		w.s.cut = true
		return nil
	}
	return w.use(w.m.goSummarize(w.ctx, fn, goHelperRole, w.depth+1, w.stack))
}

func (m *Model) goWalk(ctx context.Context, fn *goFunc, role goRole, depth int, stack []ast.Node) *goSummary {
	w := &goWalker{m: m, ctx: ctx, p: m.goProg(ctx), fn: fn, role: role, depth: depth, stack: append(stack[:len(stack):len(stack)], fn.node),
		facts: map[string]*goFact{}, reqs: map[string]bool{}, s: &goSummary{cont: no}}
	names, types := fn.params()
	for i, n := range names {
		if role == goHelperRole && n != "_" {
			// The caller's argument i: replaced by its sources where the
			// helper is called (goParamSource).
			w.facts[n] = &goFact{src: []InputSource{goParamSource(i)}, param: i + 1}
		}
		switch t := types[i]; {
		case strings.HasSuffix(t, ".Context") && !strings.HasPrefix(t, "context."), strings.HasSuffix(t, ".Request"), t == "fiber.Ctx":
			w.reqs[n] = true
		case t == "http.Handler" || t == "echo.HandlerFunc" || t == "http.HandlerFunc":
			w.next = n
		}
	}
	if fn.body == nil {
		w.s.incomplete = true
		return w.s
	}
	if o := fn.outer; o != nil && o.body != nil {
		// The factory's variables the literal closes over.
		for _, st := range o.body.List {
			if as, ok := st.(*ast.AssignStmt); ok {
				w.assign(as.Lhs, as.Rhs)
			}
		}
	}
	w.s.errOnAnon, w.s.okFalse, w.s.nilOnAnon = true, true, true
	end := w.block(fn.body.List, yes)
	if end != no {
		w.fallOff(end)
		w.returns++
		w.s.errOnAnon, w.s.okFalse, w.s.nilOnAnon = false, false, false
	}
	w.s.stops = w.returns == 0
	if w.returns == 0 {
		w.s.errOnAnon, w.s.okFalse, w.s.nilOnAnon = false, false, false
	}
	w.s.wouldReject = w.role == goGinMW && w.s.contDenied > 0 && w.s.contPlain == 0
	return w.s
}

// goDenyStatus reports a 401 or 403 status argument.
func goDenyStatus(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Value == "401" || x.Value == "403"
	case *ast.SelectorExpr:
		return x.Sel.Name == "StatusUnauthorized" || x.Sel.Name == "StatusForbidden"
	}
	return false
}

// fallOff is the end of the function (or a return) reached with r.
func (w *goWalker) fallOff(r tri) {
	if w.role == goGinMW && !w.aborted {
		w.s.cont = join(w.s.cont, r)
		if w.denied != nil {
			w.s.contDenied++
			w.s.unstopped = append(w.s.unstopped, *w.denied)
		} else if r != no {
			w.s.contPlain++
		}
	}
}

func join(a, b tri) tri { return or3(a, b) }

func meet(a, b tri) tri {
	if a == no || b == no {
		return no
	}
	if a == yes && b == yes {
		return yes
	}
	return maybe
}

func (w *goWalker) block(list []ast.Stmt, r tri) tri {
	// Statements after the last reachable one are still walked (their
	// effects are listed as not reached by a signed-out caller).
	for _, st := range list {
		if w.ctx.Err() != nil {
			return no
		}
		r = w.stmt(st, r)
	}
	return r
}

func (w *goWalker) stmt(st ast.Stmt, r tri) tri {
	switch x := st.(type) {
	case *ast.ReturnStmt:
		for _, e := range x.Results {
			r = w.expr(e, r)
		}
		if len(x.Results) > 0 && w.mentionsIdentity(x.Results[0]) {
			w.s.retIdentity = true
		}
		if len(x.Results) > 0 && w.holdsClerkUsers(x.Results[0]) {
			w.s.retClerkUsers = true
		}
		if r == no {
			return no
		}
		if len(x.Results) > 0 && w.mentionsIdentity(x.Results[0]) {
			w.s.retIdentity = true
		}
		w.returns++
		if len(x.Results) == 0 || !w.nonNilErr(x.Results[len(x.Results)-1]) {
			w.s.errOnAnon = false
		}
		if len(x.Results) == 0 || !w.falseForAnon(x.Results[len(x.Results)-1]) {
			w.s.okFalse = false
		}
		if len(x.Results) == 0 || !goIsNil(x.Results[0]) {
			w.s.nilOnAnon = false
		}
		w.failsOpen(x)
		w.fallOff(r)
		return no
	case *ast.IfStmt:
		if x.Init != nil {
			r = w.stmt(x.Init, r)
		}
		r = w.expr(x.Cond, r)
		c := w.cond(x.Cond)
		thenR := no
		if c != no {
			in := r
			if c == maybe {
				in = meet(r, maybe)
			}
			saved, savedDenied := w.aborted, w.denied
			credTest := w.credentialDecides(x.Cond)
			credErr := credTest && w.mentionsCredential(x.Cond)
			if credErr {
				w.credBranch++
			}
			thenR = w.block(x.Body.List, in)
			if credErr {
				w.credBranch--
			}
			w.credRejected = w.credRejected || credTest && w.aborted
			thenAborted := w.aborted
			w.aborted, w.denied = saved, savedDenied
			if c == yes && thenR == no && r != no {
				w.s.checks = append(w.s.checks, Proof{Location: w.loc(x.Pos()), What: "if " + w.fn.file.Text(x.Cond)})
				w.authzOf(x.Cond)
			}
			if c != no && thenR == no && w.comparesIdentity(x.Cond) {
				w.s.compared = true
			}
			if c == maybe && thenR == no && goRoleWords(w.fn.file.Text(x.Cond)) {
				// if !hasRole { c.AbortWithStatus(403) }: a role or permission check.
				w.s.authz |= AuthzRole
			} else if c == maybe && thenR == no && w.ctxCompared(x.Cond) {
				// if plan.HouseholdID != household { return }: decided per
				// entry by who stores the value (goAnalyse).
			} else if c == maybe && thenR == no && goSelfExclusion(x.Cond, x.Body) {
				// if actor == target { return }: the request goes on only
				// for another user's id, which checks nothing about it.
			} else if c == maybe && thenR == no && w.mentionsIdentity(x.Cond) {
				// if !canEdit(post, user) { return }: a check of the caller
				// against the record.
				w.s.authz |= AuthzOwner
			} else if c == maybe && thenR == no && w.role == goHelperRole {
				var idx []int
				for _, src := range w.sourcesOf(x.Cond) {
					var i int
					if _, err := fmt.Sscanf(string(src), "param:%d", &i); err == nil {
						idx = append(idx, i)
					}
				}
				if len(idx) > 0 {
					w.s.paramChecks = append(w.s.paramChecks, goParamCheck{params: idx, at: w.loc(x.Pos())})
				}
			}
			if thenR == no {
				thenAborted = w.aborted
			}
			elseR := r
			if c == yes {
				elseR = no
			}
			if x.Else != nil && elseR != no {
				elseR = w.stmt(x.Else, elseR)
			}
			if thenR != no && elseR != no {
				w.aborted = w.aborted && thenAborted
			} else if thenR != no {
				w.aborted = thenAborted
			}
			return join(thenR, elseR)
		}
		// if ok { ... }: the signed-in branch is never taken.
		if r != no && len(x.Body.List) > 0 {
			w.s.checks = append(w.s.checks, Proof{Location: w.loc(x.Pos()), What: "if " + w.fn.file.Text(x.Cond)})
		}
		if x.Else != nil {
			return w.stmt(x.Else, r)
		}
		return r
	case *ast.BlockStmt:
		return w.block(x.List, r)
	case *ast.ExprStmt:
		return w.expr(x.X, r)
	case *ast.IncDecStmt:
		w.fieldWrite(x.X, true)
		return w.expr(x.X, r)
	case *ast.AssignStmt:
		for _, e := range x.Rhs {
			r = w.expr(e, r)
		}
		for i, l := range x.Lhs {
			if i < len(x.Rhs) {
				step := x.Tok == token.ADD_ASSIGN || x.Tok == token.SUB_ASSIGN
				w.fieldWrite(l, step && goIntLit(x.Rhs[i]) || !step && goStepOf(l, x.Rhs[i], w.fn.file))
			}
		}
		w.goHeaderVar(x.Lhs, x.Rhs)
		w.assign(x.Lhs, x.Rhs)
		w.markClerkUsers(x.Lhs, x.Rhs)
		if w.panics != nil && r != no {
			w.s.checks = append(w.s.checks, *w.panics)
			w.panics = nil
			return no
		}
		return r
	case *ast.DeclStmt:
		if gd, ok := x.Decl.(*ast.GenDecl); ok {
			for _, sp := range gd.Specs {
				if vs, ok := sp.(*ast.ValueSpec); ok {
					for _, e := range vs.Values {
						r = w.expr(e, r)
					}
					lhs := make([]ast.Expr, len(vs.Names))
					for i, n := range vs.Names {
						lhs[i] = n
					}
					if len(vs.Values) > 0 {
						w.assign(lhs, vs.Values)
					}
				}
			}
		}
		return r
	case *ast.ForStmt:
		if x.Init != nil {
			r = w.stmt(x.Init, r)
		}
		w.loopBody(x.Body, r)
		return r
	case *ast.RangeStmt:
		r = w.expr(x.X, r)
		w.rangeClerkUsers(x)
		w.loopBody(x.Body, r)
		return r
	case *ast.SwitchStmt:
		if x.Init != nil {
			r = w.stmt(x.Init, r)
		}
		if x.Tag != nil {
			r = w.expr(x.Tag, r)
		}
		return w.clauses(x.Body, r)
	case *ast.TypeSwitchStmt:
		return w.clauses(x.Body, r)
	case *ast.SelectStmt:
		return w.clauses(x.Body, r)
	case *ast.DeferStmt:
		w.expr(x.Call, r)
		return r
	case *ast.GoStmt:
		w.expr(x.Call, r)
		return r
	case *ast.LabeledStmt:
		return w.stmt(x.Stmt, r)
	}
	return r
}

func (w *goWalker) loopBody(b *ast.BlockStmt, r tri) {
	saved := w.aborted
	w.block(b.List, meet(r, maybe))
	w.aborted = saved
}

func (w *goWalker) clauses(b *ast.BlockStmt, r tri) tri {
	out, def := no, false
	saved := w.aborted
	for _, c := range b.List {
		var body []ast.Stmt
		switch cc := c.(type) {
		case *ast.CaseClause:
			body, def = cc.Body, def || cc.List == nil
		case *ast.CommClause:
			body, def = cc.Body, true
		}
		w.aborted = saved
		out = join(out, w.block(body, meet(r, maybe)))
	}
	w.aborted = saved
	if !def {
		out = join(out, r)
	}
	if out == maybe && r == yes && !def {
		return r
	}
	return out
}

func (w *goWalker) loc(p token.Pos) Location {
	return Location{File: w.fn.file.Path, Line: w.fn.file.Line(p)}
}

// decodesIdentity records that json.Unmarshal(data, &v) of data derived
// from the identity (the caller's user's PublicMetadata) fills v with the
// caller's own values: a record stamped with v.DbID is the caller's.
func (w *goWalker) decodesIdentity(c *ast.CallExpr, name string) {
	if name != "json.Unmarshal" || len(c.Args) != 2 || !w.mentionsIdentity(c.Args[0]) {
		return
	}
	if u, ok := c.Args[1].(*ast.UnaryExpr); ok && u.Op == token.AND {
		if id, ok := u.X.(*ast.Ident); ok && id.Name != "_" {
			w.facts[id.Name] = &goFact{identity: true}
		}
	}
}

// goIsNil reports the literal nil.
func goIsNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

// falseForAnon reports a returned bool that is false for an anonymous
// caller.
func (w *goWalker) falseForAnon(e ast.Expr) bool {
	if id, ok := e.(*ast.Ident); ok {
		if id.Name == "false" {
			return true
		}
		return w.facts[id.Name] != nil && w.facts[id.Name].idOK
	}
	return false
}

// nonNilErr reports whether a returned error is non-nil for an anonymous
// caller.
func (w *goWalker) nonNilErr(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		if x.Name == "nil" {
			return false
		}
		if f := w.facts[x.Name]; f != nil {
			return f.errAnon
		}
		return false
	case *ast.CallExpr:
		n := goast.CallName(x)
		return n == "errors.New" || n == "fmt.Errorf" || strings.HasSuffix(n, ".New")
	case *ast.SelectorExpr:
		return strings.HasPrefix(x.Sel.Name, "Err")
	}
	return false
}

// cond evaluates a condition for an anonymous caller.
func (w *goWalker) cond(e ast.Expr) tri {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return w.cond(x.X)
	case *ast.UnaryExpr:
		if x.Op == token.NOT {
			return not(w.cond(x.X))
		}
	case *ast.Ident:
		if f := w.facts[x.Name]; f != nil && (f.idOK || f.identity) {
			return no
		}
	case *ast.BinaryExpr:
		switch x.Op {
		case token.LAND:
			return meet(w.cond(x.X), w.cond(x.Y))
		case token.LOR:
			return join(w.cond(x.X), w.cond(x.Y))
		case token.EQL, token.NEQ:
			v := w.emptyCompare(x.X, x.Y)
			if v == maybe {
				v = w.emptyCompare(x.Y, x.X)
			}
			if x.Op == token.NEQ {
				return not(v)
			}
			return v
		}
	}
	return maybe
}

// emptyCompare evaluates a == b where b is nil or "": yes when a is the
// (absent) identity, no when a is an error an anonymous caller gets.
func (w *goWalker) emptyCompare(a, b ast.Expr) tri {
	lit := ""
	switch y := b.(type) {
	case *ast.Ident:
		if y.Name != "nil" {
			return maybe
		}
		lit = "nil"
	case *ast.BasicLit:
		if y.Value != `""` {
			return maybe
		}
		lit = `""`
	default:
		return maybe
	}
	if c, ok := a.(*ast.CallExpr); ok && w.identityKeyCall(c) {
		w.s.readsIdentity = true
		return yes // c.GetString("uid") is "" for a signed-out caller
	}
	root := goRootIdent(a)
	if root == nil {
		return maybe
	}
	f := w.facts[root.Name]
	switch {
	case f == nil:
		return maybe
	case f.errAnon && lit == "nil" && root == a:
		return no
	case f.identity:
		return yes
	}
	return maybe
}

func not(t tri) tri {
	switch t {
	case yes:
		return no
	case no:
		return yes
	}
	return maybe
}

func goRootIdent(e ast.Expr) *ast.Ident {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x
		case *ast.SelectorExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.CallExpr:
			e = x.Fun
		default:
			return nil
		}
	}
}

// authzOf records what a rejecting condition checks besides presence.
func (w *goWalker) authzOf(c ast.Expr) {
	idSide, other := false, false
	ast.Inspect(c, func(n ast.Node) bool {
		be, ok := n.(*ast.BinaryExpr)
		if !ok || be.Op != token.EQL && be.Op != token.NEQ {
			return true
		}
		l, r := w.mentionsIdentity(be.X), w.mentionsIdentity(be.Y)
		if l != r && !isEmptyLit(be.X) && !isEmptyLit(be.Y) {
			idSide, other = true, true
		}
		return true
	})
	if idSide && other {
		w.s.authz |= AuthzOwner
		w.s.compared = true
	}
	if goRoleWords(w.fn.file.Text(c)) {
		w.s.authz |= AuthzRole
	}
}

// comparesIdentity reports a condition that relates a value to the
// identity: an equality test with the identity on one side only
// (row.UserID != uid), or a call given the identity and another value
// (canEdit(row, user)). A test of the caller's own attributes next to a
// request value (!canBePublic && body.Public) relates nothing to the
// caller.
func (w *goWalker) comparesIdentity(c ast.Expr) bool {
	found := false
	ast.Inspect(c, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BinaryExpr:
			if x.Op == token.EQL || x.Op == token.NEQ {
				l, r := w.mentionsIdentity(x.X), w.mentionsIdentity(x.Y)
				found = found || l != r && !isEmptyLit(x.X) && !isEmptyLit(x.Y)
			}
		case *ast.CallExpr:
			id, other := false, false
			for _, a := range x.Args {
				if _, lit := a.(*ast.BasicLit); lit {
					continue
				}
				if w.mentionsIdentity(a) {
					id = true
				} else {
					other = true
				}
			}
			found = found || id && other
		}
		return !found
	})
	return found
}

// goSelfExclusion reports a condition that is an equality of two values
// (actor == target), neither nil nor the empty string, whose branch
// returns: a check that ends the request when it holds refuses one value,
// the caller's own, and lets every other through. (A loop that breaks
// when it finds the caller's entry is no check at all.)
func goSelfExclusion(cond ast.Expr, then *ast.BlockStmt) bool {
	for {
		p, ok := cond.(*ast.ParenExpr)
		if !ok {
			break
		}
		cond = p.X
	}
	be, ok := cond.(*ast.BinaryExpr)
	if !ok || be.Op != token.EQL || isEmptyLit(be.X) || isEmptyLit(be.Y) {
		return false
	}
	for _, st := range then.List {
		if _, ok := st.(*ast.ReturnStmt); ok {
			return true
		}
	}
	return false
}

// goRoleWords reports a condition that names a role, permission or
// access decision.
func goRoleWords(cond string) bool {
	low := strings.ToLower(cond)
	for _, k := range []string{"role", "permission", "admin", "access", "allowed", "authorized"} {
		if strings.Contains(low, k) {
			return true
		}
	}
	return false
}

func isEmptyLit(e ast.Expr) bool {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name == "nil"
	}
	if b, ok := e.(*ast.BasicLit); ok {
		return b.Value == `""`
	}
	return false
}

func (w *goWalker) mentionsIdentity(e ast.Expr) bool {
	return goFind(e, func(n ast.Node) (bool, bool) {
		switch x := n.(type) {
		case *ast.Ident:
			f := w.facts[x.Name]
			return f != nil && (f.identity || f.ownerData), true
		case *ast.CallExpr:
			return w.identityKeyCall(x), true // c.GetString("uid")
		}
		return false, true
	})
}

// goFind reports whether test finds a node under e; test also tells
// whether to look below the node.
func goFind(e ast.Node, test func(ast.Node) (found, below bool)) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if found || n == nil {
			return false
		}
		f, below := test(n)
		found = f
		return !found && below
	})
	return found
}

func (w *goWalker) sourcesOf(e ast.Expr) []InputSource {
	var out []InputSource
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				if f := w.facts[id.Name]; f != nil && f.fields != nil {
					if src, set := f.fields[x.Sel.Name]; set {
						out = append(out, src...)
						return false
					}
				}
			}
		case *ast.Ident:
			if f := w.facts[x.Name]; f != nil {
				out = append(out, f.src...)
			}
		case *ast.CallExpr:
			if src, _, ok := w.inputCall(x); ok {
				out = append(out, src)
			}
			if w.providerFetch(x) {
				// checkoutsession.Get(id, params): the request chose which
				// record, the provider wrote its fields.
				return false
			}
		}
		return true
	})
	return sortSources(out)
}

// providerFetch reports whether call is a function of a payment
// provider's Go SDK (knowledge.GoPaymentProvider): its result is the
// record the provider holds, not a value the request wrote.
func (w *goWalker) providerFetch(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok || w.facts[pkg.Name] != nil {
		return false
	}
	return knowledge.GoPaymentProvider(importPath(w.fn.file, pkg.Name))
}

// assign records what the assigned variables hold.
func (w *goWalker) assign(lhs, rhs []ast.Expr) {
	name := func(i int) string {
		if i < len(lhs) {
			if id, ok := lhs[i].(*ast.Ident); ok && id.Name != "_" {
				return id.Name
			}
		}
		return ""
	}
	set := func(i int, f goFact) {
		if n := name(i); n != "" {
			nf := f
			w.facts[n] = &nf
		}
	}
	if len(rhs) == 1 && len(lhs) >= 1 {
		e := rhs[0]
		if ta, ok := e.(*ast.TypeAssertExpr); ok && len(lhs) == 1 {
			if id, ok := ta.X.(*ast.Ident); ok && w.facts[id.Name] != nil && w.facts[id.Name].identity {
				// v.(*T) of a nil interface panics: the request ends in a 500.
				w.panics = &Proof{Location: w.loc(e.Pos()), What: w.fn.file.Text(e) + " panics when the identity is not set"}
			}
		}
		if ta, ok := e.(*ast.TypeAssertExpr); ok && len(lhs) == 2 && w.mentionsIdentity(ta.X) && w.identityCall(ta) != "ok" {
			// (c.Get(key).(string) is an identity lookup below: its ok is
			// false for a signed-out caller.)
			// uid, ok := v.(string): the comma-ok assertion's value is v.
			set(0, goFact{identity: true})
			if n := name(1); n != "" {
				delete(w.facts, n)
			}
			return
		}
		// err := wh.Verify(payload, headers): the error is non-nil for
		// a request nobody signed with the webhook's secret, which an
		// anonymous caller cannot (knowledge.VerifierOf).
		if call, ok := e.(*ast.CallExpr); ok {
			if v, ok := goVerifier(w.fn.file, w.fn, call); ok {
				set(len(lhs)-1, goFact{errAnon: true})
				if w.s.signature == nil {
					w.s.signature = &Proof{Location: w.loc(call.Pos()), What: fmt.Sprintf("`%s()`, %s", goast.CallName(call), v.Provider)}
				}
				return
			}
		}
		switch k := w.identityCall(e); k {
		case "ok":
			set(0, goFact{identity: true})
			set(1, goFact{idOK: true})
			w.s.readsIdentity = true
			w.s.reads = append(w.s.reads, Proof{Location: w.loc(e.Pos()), What: w.fn.file.Text(e)})
			return
		case "err":
			set(0, goFact{identity: true})
			set(len(lhs)-1, goFact{errAnon: true})
			w.s.readsIdentity = true
			return
		case "value":
			set(0, goFact{identity: true})
			w.s.readsIdentity = true
			return
		}
		if call, ok := e.(*ast.CallExpr); ok {
			if fn := w.p.resolveCallee(w.fn.file, call.Fun); fn != nil && len(lhs) == 1 && fn.node != w.fn.node && fn.body != nil {
				if hs := w.helper(fn); hs != nil && (hs.retIdentity || hs.nilOnAnon && hs.readsIdentity) {
					set(0, goFact{identity: true})
					w.s.readsIdentity = true
					return
				}
			}
			// A helper whose every return carries an error for an anonymous caller.
			if fn := w.p.resolveCallee(w.fn.file, call.Fun); fn != nil && len(lhs) >= 2 && fn.node != w.fn.node {
				hs := w.helper(fn)
				if hs == nil {
					hs = &goSummary{}
				}
				if hs.errOnAnon && hs.readsIdentity {
					set(0, goFact{identity: true})
					set(len(lhs)-1, goFact{errAnon: true})
					w.s.readsIdentity = true
					return
				}
				if hs.retIdentity && len(lhs) >= 1 {
					defer set(0, goFact{identity: true})
				}
				if hs.okFalse && hs.readsIdentity {
					set(0, goFact{identity: true})
					set(len(lhs)-1, goFact{idOK: true})
					w.s.readsIdentity = true
					return
				}
			}
			// clerkhttp.WithHeaderAuthorization() as a value, mw(h), http.HandlerFunc(fn).
			if cm := w.clerkMiddleware(call); cm != "" {
				set(0, goFact{clerkMW: cm})
				return
			}
			if len(call.Args) == 1 {
				if id, ok := call.Fun.(*ast.Ident); ok && w.facts[id.Name] != nil && w.facts[id.Name].clerkMW != "" {
					set(0, goFact{clerkMW: w.facts[id.Name].clerkMW, inner: w.handlerOf(call.Args[0])})
					return
				}
				if inner, ok := call.Fun.(*ast.CallExpr); ok {
					if cm := w.clerkMiddleware(inner); cm != "" {
						set(0, goFact{clerkMW: cm, inner: w.handlerOf(call.Args[0])})
						return
					}
				}
				if goast.CallName(call) == "http.HandlerFunc" {
					set(0, goFact{handler: w.handlerOf(call.Args[0])})
					return
				}
			}
		}
	}
	// rec.Field = <identity>: the record now carries the caller's id.
	for i, l := range lhs {
		sel, ok := l.(*ast.SelectorExpr)
		if !ok || i >= len(rhs) {
			continue
		}
		root := goRootIdent(sel)
		if root == nil {
			continue
		}
		id, src := w.mentionsIdentity(rhs[i]), w.sourcesOf(rhs[i])
		if x, ok := sel.X.(*ast.Ident); ok && w.facts[x.Name] != nil && !id {
			// p.HouseholdID = householdID: the field holds that value now.
			f := w.facts[x.Name]
			if f.fields == nil {
				f.fields = map[string][]InputSource{}
			}
			f.fields[sel.Sel.Name] = src
		}
		if !id && len(src) == 0 {
			continue
		}
		f := w.facts[root.Name]
		if f == nil {
			f = &goFact{}
			w.facts[root.Name] = f
		}
		f.ownerData = f.ownerData || id
		f.src = sortSources(append(f.src, src...))
	}
	for i := range lhs {
		var e ast.Expr
		if len(rhs) == len(lhs) {
			e = rhs[i]
		} else if len(rhs) == 1 {
			e = rhs[0]
		}
		if e == nil {
			continue
		}
		f := goFact{src: w.sourcesOf(e), identity: w.mentionsIdentity(e) && len(rhs) == len(lhs)}
		if _, call := e.(*ast.CallExpr); call && i == len(lhs)-1 {
			f.cred, f.errOf = w.credentialIn(e), true
		} else {
			f.cred = w.credentialIn(e)
		}
		f.token = len(lhs) == 1 && w.tokenExpr(e)
		if f.identity || len(f.src) > 0 {
			set(i, f)
		} else if n := name(i); n != "" {
			delete(w.facts, n)
		}
	}
}

// handlerOf resolves a handler value: a function literal, a named
// function, http.HandlerFunc(x), or a variable holding one.
func (w *goWalker) handlerOf(e ast.Expr) *goFunc {
	if c, ok := e.(*ast.CallExpr); ok && len(c.Args) == 1 && strings.HasSuffix(goast.CallName(c), "HandlerFunc") {
		return w.handlerOf(c.Args[0])
	}
	if id, ok := e.(*ast.Ident); ok {
		if f := w.facts[id.Name]; f != nil && f.handler != nil {
			return f.handler
		}
	}
	return w.p.resolveCallee(w.fn.file, e)
}

// clerkMiddleware names the Clerk net/http middleware a call builds
// (clerkhttp.WithHeaderAuthorization()), "" for other calls.
func (w *goWalker) clerkMiddleware(call *ast.CallExpr) string {
	if _, ok := goClerkMiddleware(w.fn.file, call); ok {
		return goast.CallName(call)
	}
	return ""
}

func goClerkMiddleware(f *goast.File, call *ast.CallExpr) (knowledge.Middleware, bool) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return knowledge.Middleware{}, false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return knowledge.Middleware{}, false
	}
	pkg := knowledge.GoClerkPath(importPath(f, id.Name))
	if pkg == "" {
		return knowledge.Middleware{}, false
	}
	return knowledge.MiddlewareOf(pkg, sel.Sel.Name)
}

// identityCall classifies an identity source: "ok" for (claims, ok)
// lookups, "err" for verifiers returning (claims, err), "value" for a
// context value asserted to Clerk's claims type, "" otherwise.
func (w *goWalker) identityCall(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.TypeAssertExpr:
		t := goast.ExprName(stripStar(x.Type))
		if i := strings.IndexByte(t, '.'); i > 0 && knowledge.GoClerkPath(importPath(w.fn.file, t[:i])) != "" {
			return "ok"
		}
		// c.MustGet("k").(string) of an identity key.
		if c, ok := x.X.(*ast.CallExpr); ok && w.identityKeyCall(c) {
			return "ok"
		}
	case *ast.CallExpr:
		if w.identityKeyCall(x) {
			return "ok"
		}
		name := goast.CallName(x)
		last := name[strings.LastIndexByte(name, '.')+1:]
		var pkgs []string
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				pkgs = append(pkgs, importPath(w.fn.file, id.Name))
			}
		}
		if len(pkgs) == 0 || pkgs[0] == "" {
			// client.VerifyToken(t): a method of a value declared with a
			// Clerk SDK type (var ClerkClient clerk.Client).
			sel, ok := x.Fun.(*ast.SelectorExpr)
			if !ok || w.m.goDataNames(w.ctx)[lastName(sel.X)] != goClerkClient {
				return ""
			}
			pkgs = []string{"github.com/clerk/clerk-sdk-go"}
			if s, ok := goIdentity(pkgs, last); !ok || s.Name != "VerifyToken" {
				return ""
			}
		}
		if s, ok := goIdentity(pkgs, last); ok {
			if strings.HasPrefix(s.SignedOut, "nil, false") {
				return "ok"
			}
			return "err"
		}
	}
	return ""
}

func goIdentity(pkgs []string, name string) (knowledge.IdentitySource, bool) {
	for _, p := range pkgs {
		if cp := knowledge.GoClerkPath(p); cp != "" {
			if s, ok := knowledge.IdentitySourceOf(cp, name); ok {
				return s, true
			}
		}
	}
	return knowledge.IdentitySource{}, false
}

// identityKeyCall reports a read of a request-context key that the
// snapshot's middleware sets from the Clerk identity (c.Get("user_id")
// after c.Set("user_id", claims.Subject)).
func (w *goWalker) identityKeyCall(c *ast.CallExpr) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || len(c.Args) == 0 {
		return false
	}
	switch sel.Sel.Name {
	case "Get", "GetString", "MustGet", "Value":
	case "Locals": // fiber's c.Locals(key) reads, c.Locals(key, v) sets
		if len(c.Args) != 1 {
			return false
		}
	default:
		return false
	}
	k, ok := w.p.keyString(w.fn.file, c.Args[0])
	return ok && w.m.goIdentityKeys(w.ctx)[k]
}

// expr walks the calls of an expression in evaluation order (function
// literals passed as callbacks run where they are passed).
func (w *goWalker) expr(e ast.Expr, r tri) tri {
	if e == nil {
		return r
	}
	out := r
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			saved := w.aborted
			w.block(x.Body.List, meet(out, maybe))
			w.aborted = saved
			return false
		case *ast.CallExpr:
			for _, a := range x.Args {
				out = w.expr(a, out)
			}
			if fl, ok := x.Fun.(*ast.FuncLit); ok {
				out = w.block(fl.Body.List, out)
				return false
			}
			if inner, ok := x.Fun.(*ast.CallExpr); ok {
				out = w.expr(inner, out)
			} else if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
				out = w.expr(sel.X, out)
			}
			out = w.call(x, out)
			return false
		}
		return true
	})
	return out
}

// goEndsProcess reports whether a call by its dotted name ends the
// process or unwinds the goroutine: panic, os.Exit, log.Fatal*, log.Panic*.
func goEndsProcess(name string) bool {
	return name == "panic" || name == "os.Exit" || strings.HasPrefix(name, "log.Fatal") || strings.HasPrefix(name, "log.Panic")
}

// call handles one call reached with r and returns the reach after it.
func (w *goWalker) call(c *ast.CallExpr, r tri) tri {
	name := goast.CallName(c)
	last := name[strings.LastIndexByte(name, '.')+1:]
	w.tokenLog(c, name)
	w.queryToken(c)
	w.credentialRead(c)
	root := goRootIdent(c.Fun)
	onReq := root != nil && w.reqs[root.Name]
	switch {
	case goEndsProcess(name):
		return no
	case onReq && strings.HasPrefix(last, "Abort") && w.role != goHTTPMW:
		w.aborted = true
		return r
	case onReq && last == "MustGet" && len(c.Args) == 1 && w.identityKeyCall(c) && r != no:
		// MustGet panics when the key is unset: gin answers 500.
		w.s.readsIdentity = true
		w.s.checks = append(w.s.checks, Proof{Location: w.loc(c.Pos()), What: w.fn.file.Text(c) + " panics when the identity is not set"})
		return no
	case onReq && last == "Next" && w.role == goGinMW:
		if !w.aborted {
			w.s.cont = join(w.s.cont, r)
		}
		return r
	case w.next != "" && (name == w.next+".ServeHTTP" || name == w.next):
		w.s.cont = join(w.s.cont, r)
		return r
	case last == "ServeHTTP":
		if id, ok := c.Fun.(*ast.SelectorExpr).X.(*ast.Ident); ok {
			if f := w.facts[id.Name]; f != nil && f.clerkMW != "" {
				return w.served(c, f, r)
			}
		}
	}
	w.storesCtxValue(c)
	w.decodesIdentity(c, name)
	if src, iname, ok := w.inputCall(c); ok {
		w.s.inputs = append(w.s.inputs, Input{Name: iname, Source: src, Location: w.loc(c.Pos())})
		if src == FromHeaders {
			w.goHeaderRead(c, iname)
		}
		return r
	}
	if onReq {
		if eff, ok := w.answersClerkUsers(c, last, r); ok {
			w.s.effects = append(w.s.effects, eff)
		}
	}
	if onReq && (last == "Set" || last == "Get" || last == "GetString" || strings.HasPrefix(last, "JSON") || last == "String" || last == "Status") {
		if w.role == goGinMW && last != "Set" && last != "Get" && last != "GetString" && len(c.Args) > 0 && goDenyStatus(c.Args[0]) {
			w.denied = &Proof{Location: w.loc(c.Pos()), What: fmt.Sprintf("`%s` answers a denial but the gin middleware returns without c.Abort(): gin runs the rest of the chain, the route's handler included", w.fn.file.Text(c.Fun))}
		}
		return r
	}
	if eff := w.dataCall(c); eff != nil {
		eff.SignedOut = reachWord(r)
		w.s.effects = append(w.s.effects, *eff)
		return r
	}
	if bc, ok := w.backendCall(c); ok {
		bc.SignedOut = reachWord(r)
		w.s.effects = append(w.s.effects, bc)
		return r
	}
	// A helper of the snapshot.
	fn := w.p.resolveCallee(w.fn.file, c.Fun)
	if fn == nil || fn.node == w.fn.node || fn.body == nil {
		return r
	}
	if _, isLit := fn.node.(*ast.FuncLit); isLit {
		return r
	}
	hs := w.helper(fn)
	if hs == nil {
		return r
	}
	via := fmt.Sprintf("%s (%s:%d)", fn.name, fn.file.Path, fn.line())
	var ownerAfter []Location
	for _, pc := range hs.paramChecks {
		for _, i := range pc.params {
			if i < len(c.Args) && w.mentionsIdentity(c.Args[i]) {
				ownerAfter = append(ownerAfter, pc.at)
			}
		}
	}
	for _, e := range hs.effects {
		e.Via = append([]string{via}, e.Via...)
		e.Counter = e.Counter || e.Kind == WritesData && goSaveCall(e.Call) && w.steppedRecords(goParamArgs(c, e.Request))
		e.Request, e.OwnerScoped = w.bindParams(c, e.Request, e.OwnerScoped)
		for _, at := range ownerAfter {
			if at.File == e.File && at.Line < e.Line {
				e.Authz |= AuthzOwner
				e.BodyRecord, e.bodyParam = false, 0
			}
		}
		w.bindBodyParam(c, &e)
		w.bindSQLReference(c, &e)
		w.bindSQLOwner(c, &e)
		e.SignedOut = reachWord(meet(r, triOf(e.SignedOut)))
		e.Authz |= w.s.authz
		w.s.effects = append(w.s.effects, e)
	}
	if hs.readsIdentity {
		w.s.readsIdentity = true
	}
	w.s.compared = w.s.compared || hs.compared
	w.s.incomplete = w.s.incomplete || hs.incomplete
	for _, in := range hs.inputs {
		w.s.inputs = append(w.s.inputs, in)
	}
	w.goEnterHeaders(hs, via)
	w.s.unstopped = append(w.s.unstopped, hs.unstopped...)
	if hs.stops && len(hs.checks) > 0 && r != no {
		w.s.checks = append(w.s.checks, Proof{Location: w.loc(c.Pos()), What: fmt.Sprintf("%s stops a signed-out caller", fn.name)})
		return no
	}
	return r
}

// fieldWrite records a write to a field of a local record (rec.Field =
// ...): step tells whether it steps the field by a constant.
func (w *goWalker) fieldWrite(l ast.Expr, step bool) {
	sel, ok := l.(*ast.SelectorExpr)
	if !ok {
		return
	}
	root := goRootIdent(sel)
	if root == nil {
		return
	}
	f := w.facts[root.Name]
	if f == nil {
		f = &goFact{}
		w.facts[root.Name] = f
	}
	if step {
		f.stepped = true
	} else {
		f.edited = true
	}
}

// goSaveCall reports whether a data call saves a whole record: gorm's
// Save (https://gorm.io/docs/update.html#Save-All-Fields).
func goSaveCall(call string) bool {
	return call == "Save" || strings.HasSuffix(call, ".Save")
}

// goParamArgs returns the call's arguments a helper effect's sources
// name as its parameters, or nil when the effect has another source too.
func goParamArgs(c *ast.CallExpr, src []InputSource) []ast.Expr {
	var out []ast.Expr
	for _, s := range src {
		var i int
		if _, err := fmt.Sscanf(string(s), "param:%d", &i); err != nil || i >= len(c.Args) {
			return nil
		}
		out = append(out, c.Args[i])
	}
	return out
}

// goIntLit reports whether e is an integer literal.
func goIntLit(e ast.Expr) bool {
	l, ok := e.(*ast.BasicLit)
	return ok && l.Kind == token.INT
}

// goStepOf reports whether rhs steps the field l by a constant:
// u.Views = u.Views + 1.
func goStepOf(l, rhs ast.Expr, f *goast.File) bool {
	b, ok := rhs.(*ast.BinaryExpr)
	if !ok || (b.Op != token.ADD && b.Op != token.SUB) || !goIntLit(b.Y) {
		return false
	}
	_, sel := l.(*ast.SelectorExpr)
	return sel && f.Text(b.X) == f.Text(l)
}

// steppedRecords reports whether the record arguments of a whole-record
// save are all local records whose only changed fields were stepped by
// a constant (u.Views++ then db.Save(&u), or a helper that saves it): a
// view count, no one's data changed.
func (w *goWalker) steppedRecords(args []ast.Expr) bool {
	found := false
	for _, a := range args {
		if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.AND {
			a = u.X
		}
		id, ok := a.(*ast.Ident)
		if !ok {
			continue
		}
		f := w.facts[id.Name]
		if f == nil || !f.stepped || f.edited {
			continue
		}
		for _, s := range f.src {
			if s == FromBody || s == FromForm {
				return false // bound from the request: the caller chose its fields
			}
		}
		found = true
	}
	return found
}

// goParamSource marks a value that is a helper's parameter i.
func goParamSource(i int) InputSource { return InputSource(fmt.Sprintf("param:%d", i)) }

// bindParams replaces a helper effect's parameter marks with what the
// call's arguments hold.
func (w *goWalker) bindParams(c *ast.CallExpr, src []InputSource, owner bool) ([]InputSource, bool) {
	var out []InputSource
	for _, s := range src {
		var i int
		if _, err := fmt.Sscanf(string(s), "param:%d", &i); err != nil {
			out = append(out, s)
			continue
		}
		// A method value's receiver is not a parameter: indices count the
		// call's arguments.
		if i < len(c.Args) {
			out = append(out, w.sourcesOf(c.Args[i])...)
			if w.mentionsIdentity(c.Args[i]) {
				owner = true
			}
		}
	}
	return sortSources(out), owner
}

// bindBodyParam resolves a helper effect that writes its parameter whole
// (Effect.bodyParam) against the caller's argument: a decoded request body
// makes it a BodyRecord, the caller's own parameter passes the question
// on, and a check the caller made before the call clears it.
func (w *goWalker) bindBodyParam(c *ast.CallExpr, e *Effect) {
	i := e.bodyParam - 1
	e.bodyParam = 0
	if w.s.compared {
		e.BodyRecord = false
		return
	}
	if i < 0 || i >= len(c.Args) {
		return
	}
	w.passedWhole(c.Args[i], e)
}

func triOf(r Reach) tri {
	switch r {
	case ReachYes:
		return yes
	case ReachNo:
		return no
	}
	return maybe
}

// served handles h.ServeHTTP(w, r) of a handler wrapped by a Clerk
// net/http middleware inside another framework's middleware: an
// anonymous caller (no token) reaches the inner handler, which is walked
// in place; a rejected token is answered by Clerk's middleware without
// calling it, and the request goes on unless the outer middleware stops
// it afterwards.
func (w *goWalker) served(c *ast.CallExpr, f *goFact, r tri) tri {
	mw, _ := knowledge.MiddlewareOf("github.com/clerk/clerk-sdk-go", f.clerkMW[strings.LastIndexByte(f.clerkMW, '.')+1:])
	w.s.clerk = mw.Package
	if f.inner != nil && f.inner.body != nil {
		w.readsInner(f.inner, r)
	}
	if w.role == goGinMW && mw.Gate == knowledge.Attaches {
		w.s.unstopped = append(w.s.unstopped, Proof{Location: w.loc(c.Pos()),
			What: fmt.Sprintf("`%s` answers a request with an invalid token itself, without calling the wrapped handler, and the gin middleware returns without c.Abort(): the rest of the chain runs", f.clerkMW)})
	}
	if mw.Gate == knowledge.Rejects && w.role == goGinMW {
		w.s.checks = append(w.s.checks, Proof{Location: w.loc(c.Pos()), What: f.clerkMW})
	}
	return r
}

// readsInner walks a wrapped handler in place (its request parameter is
// the request, the outer gin context's c.Next() the continuation). When
// every path of it aborts, the outer middleware has aborted after it.
func (w *goWalker) readsInner(fn *goFunc, r tri) {
	sub := &goWalker{m: w.m, ctx: w.ctx, p: w.p, fn: fn, role: w.role, depth: w.depth, stack: w.stack, facts: w.facts, reqs: map[string]bool{},
		next: w.next, s: &goSummary{cont: no}, aborted: w.aborted}
	for k := range w.reqs {
		sub.reqs[k] = true
	}
	names, types := fn.params()
	for i, n := range names {
		if strings.HasSuffix(types[i], ".Request") {
			sub.reqs[n] = true
		}
	}
	if end := sub.block(fn.body.List, r); end != no {
		sub.fallOff(end)
	}
	s := sub.s
	w.s.readsIdentity = w.s.readsIdentity || s.readsIdentity
	w.s.reads = append(w.s.reads, s.reads...)
	w.s.checks = append(w.s.checks, s.checks...)
	w.s.effects = append(w.s.effects, s.effects...)
	w.s.inputs = append(w.s.inputs, s.inputs...)
	w.s.headers = append(w.s.headers, s.headers...)
	w.s.unstopped = append(w.s.unstopped, s.unstopped...)
	w.s.authz |= s.authz
	w.s.incomplete = w.s.incomplete || s.incomplete
	w.use(s)
	if w.role == goGinMW && s.cont == no {
		w.aborted = true
	}
}

// inputCall classifies a call that reads the request.
func (w *goWalker) inputCall(c *ast.CallExpr) (InputSource, string, bool) {
	name := goast.CallName(c)
	last := name[strings.LastIndexByte(name, '.')+1:]
	if sel, ok := c.Fun.(*ast.SelectorExpr); ok && name == "" {
		last = sel.Sel.Name // a method of a call's result: json.NewDecoder(r.Body).Decode(&x)
	}
	arg := ""
	if len(c.Args) > 0 {
		if b, ok := c.Args[0].(*ast.BasicLit); ok {
			arg, _ = strconv.Unquote(b.Value)
		}
	}
	root := goRootIdent(c.Fun)
	if src, ok := w.ctxValueRead(c); ok {
		return src, "", true
	}
	if name == "chi.URLParam" || name == "mux.Vars" {
		if len(c.Args) > 1 {
			if b, ok := c.Args[1].(*ast.BasicLit); ok {
				arg, _ = strconv.Unquote(b.Value)
			}
		}
		return FromParams, arg, true
	}
	if root == nil || !w.reqs[root.Name] {
		// json.NewDecoder(r.Body).Decode(&x), io.ReadAll(r.Body)
		if (last == "Decode" || name == "io.ReadAll" || name == "ioutil.ReadAll") && strings.Contains(w.fn.file.Text(c), ".Body") {
			w.taintArg(c, FromBody)
			return FromBody, "body", true
		}
		return "", "", false
	}
	if strings.HasSuffix(name, ".Header.Get") || strings.HasSuffix(name, ".Header.Values") {
		// net/http's r.Header.Get("x"), gin's c.Request.Header.Get("x").
		return FromHeaders, arg, true
	}
	src, ok := goInputs[last]
	if !ok {
		return "", "", false
	}
	if strings.Contains(name, ".Header.") || last == "GetHeader" {
		src = FromHeaders
	}
	if strings.Contains(name, ".URL.Query") {
		src = FromQuery
	}
	if src == FromBody || last == "ShouldBindUri" || last == "ShouldBindQuery" {
		w.taintArg(c, src)
		if arg == "" {
			arg = "body"
		}
	}
	return src, arg, true
}

// goInputs maps the request accessors of net/http, gin, echo and chi to
// what they read.
var goInputs = map[string]InputSource{
	"PathValue": FromParams, "Param": FromParams, "ShouldBindUri": FromParams, "BindUri": FromParams,
	"Query": FromQuery, "DefaultQuery": FromQuery, "GetQuery": FromQuery, "QueryArray": FromQuery, "QueryMap": FromQuery,
	"QueryParam": FromQuery, "QueryParams": FromQuery, "ShouldBindQuery": FromQuery,
	"ShouldBindJSON": FromBody, "BindJSON": FromBody, "ShouldBind": FromBody, "Bind": FromBody, "ShouldBindWith": FromBody,
	"BindWith": FromBody, "ShouldBindBodyWith": FromBody, "GetRawData": FromBody,
	"PostForm": FromForm, "DefaultPostForm": FromForm, "FormValue": FromForm, "PostFormValue": FromForm, "FormFile": FromForm,
	"MultipartForm": FromForm,
	"GetHeader":     FromHeaders, "Cookie": FromCookies,
	// fiber (https://docs.gofiber.io/api/ctx)
	"Params": FromParams, "ParamsInt": FromParams, "AllParams": FromParams, "QueryParser": FromQuery,
	"BodyParser": FromBody, "Cookies": FromCookies,
}

func (w *goWalker) taintArg(c *ast.CallExpr, src InputSource) {
	for _, a := range c.Args {
		if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.AND {
			a = u.X
		} else if src != FromBody {
			continue
		}
		// &x, or x holding a pointer (x := &T{}; c.BindJSON(x)).
		if id, ok := a.(*ast.Ident); ok {
			w.facts[id.Name] = &goFact{src: []InputSource{src}, whole: src == FromBody}
		}
	}
}

// goCounterStep reports a single-column update that steps the column from
// its current value by a constant (the Go form of Effect.Counter):
// gorm's Update("views", b.Views+1) or UpdateColumn("views",
// gorm.Expr("views + ?", 1)), the (column, value) form of
// https://gorm.io/docs/update.html#Update-single-column.
func goCounterStep(method string, args []ast.Expr) bool {
	if (method != "Update" && method != "UpdateColumn") || len(args) != 2 {
		return false
	}
	constant := func(x ast.Expr) bool {
		l, ok := x.(*ast.BasicLit)
		return ok && l.Kind == token.INT
	}
	switch v := args[1].(type) {
	case *ast.BinaryExpr:
		_, field := v.X.(*ast.SelectorExpr)
		return (v.Op == token.ADD || v.Op == token.SUB) && field && constant(v.Y)
	case *ast.CallExpr:
		// gorm.Expr("views + ?", 1)
		sel, ok := v.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Expr" || len(v.Args) != 2 || !constant(v.Args[1]) {
			return false
		}
		q, ok := v.Args[0].(*ast.BasicLit)
		return ok && q.Kind == token.STRING && goStepExpr.MatchString(q.Value)
	}
	return false
}

// goStepExpr matches a SQL expression that steps a column by a bound
// value: "views + ?", "stock - ?".
var goStepExpr = regexp.MustCompile(`^["\x60]\s*\w+\s*[-+]\s*\?\s*["\x60]$`)

// dataCall classifies a data-access call by the declared type of its
// receiver's root (knowledge.GoDataType) and the method.
func (w *goWalker) dataCall(c *ast.CallExpr) *Effect {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	lib := w.m.goDataRoot(w.ctx, w.fn.file, sel.X)
	if lib == "" {
		return nil
	}
	if paid, ok := strings.CutPrefix(lib, goPaidClient); ok {
		// model.GenerateContent(ctx, ...) on a metered API's client.
		if !knowledge.GoPaidCall(paid, sel.Sel.Name) {
			return nil
		}
		return &Effect{Kind: PaidAPI, Call: w.fn.file.Text(c.Fun), Location: w.loc(c.Pos()), Authz: w.s.authz}
	}
	eff, ok := knowledge.GoDataCall(lib, sel.Sel.Name)
	if !ok {
		return nil
	}
	kind := dataKind(eff)
	selects := !knowledge.IsCreate(strings.ToLower(sel.Sel.Name[:1]) + sel.Sel.Name[1:])
	table := ""
	q, at := w.sqlText(c)
	st := sqlStatementOf(q)
	if st.kind != "" {
		kind, table = st.kind, st.table
		selects = selects && st.selects
	}
	var args []ast.Expr
	args = append(args, c.Args...)
	// gorm: db.Where("id = ?", id).First(&x) selects by the chain's arguments.
	for x := sel.X; ; {
		cx, ok := x.(*ast.CallExpr)
		if !ok {
			break
		}
		args = append(args, cx.Args...)
		s, ok := cx.Fun.(*ast.SelectorExpr)
		if !ok {
			break
		}
		x = s.X
	}
	e := &Effect{Kind: kind, Call: w.fn.file.Text(c.Fun), Location: w.loc(c.Pos()), Selects: selects, Authz: w.s.authz, Table: table}
	if st.kind != "" {
		w.sqlReference(e, c, q, at)
	}
	if lib == "gorm" && kind == WritesData && !selects && len(c.Args) > 0 {
		e.Record = goRecordOf(w.fn, c.Args[0])
	}
	if e.Record == "" {
		e.Record = table // the SQL statement's table: SELECT ... FROM invoices
	}
	e.Counter = kind == WritesData && selects && (goCounterStep(sel.Sel.Name, c.Args) || goSaveCall(sel.Sel.Name) && w.steppedRecords(c.Args))
	filter, byWhere := sqlFilterOrdinals(q)
	for i, a := range args {
		if byWhere && i > at && i < len(c.Args) && !filter[i-at] {
			continue // UPDATE t SET name = $1 WHERE id = $2: a written value picks no row
		}
		e.Request = append(e.Request, w.sourcesOf(a)...)
		if w.mentionsIdentity(a) {
			e.OwnerScoped = true
		}
	}
	e.Request = sortSources(e.Request)
	if lib == "gorm" && kind == ReadsData && e.Record == "" && len(e.Request) == 0 && !e.OwnerScoped {
		// A listing names the records it returns whole. A read selected
		// by the request stays unnamed: the Go walk does not yet see an
		// owner comparison after it (stored.OwnerID != uid → 403) as
		// the check that makes it the caller's record.
		e.Record = goReadRecord(w.fn, c)
	}
	if st.kind != "" {
		w.sqlOwner(e, c, q, at)
	}
	w.bodyRecord(e, c.Args, args)
	if kind == WritesData && !selects && table != "" {
		if w.inserted == nil {
			w.inserted = map[string]bool{}
		}
		w.inserted[table] = true
	}
	if kind == ReadsData {
		// db.Where("id = ?", id).First(&row): row is a record the
		// request selected; a later Save(&row) or Delete(&row) is too.
		// Read from a table the function inserted into (the new row's
		// id read back by its values), it is the row the request made.
		for _, a := range c.Args {
			if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.AND {
				if id, ok := u.X.(*ast.Ident); ok && table != "" && w.inserted[table] {
					delete(w.facts, id.Name)
				} else if ok && (len(e.Request) > 0 || e.OwnerScoped) {
					w.facts[id.Name] = &goFact{src: e.Request, identity: e.OwnerScoped && len(e.Request) == 0}
				}
			}
		}
	}
	return e
}

// bodyRecord records the provenance of a write's record (Effect.BodyRecord):
// the request body decoded whole and passed as is, in a handler or through
// a helper's parameter (Effect.bodyParam). An owner-scoped read selected
// by the body's values marks it checked.
func (w *goWalker) bodyRecord(e *Effect, direct, all []ast.Expr) {
	if e.Kind == ReadsData && e.OwnerScoped {
		for _, a := range all {
			if f := w.wholeFact(a, true); f != nil {
				f.checked = true
			}
		}
		return
	}
	if e.Kind != WritesData || w.s.compared {
		return
	}
	for _, a := range direct {
		w.passedWhole(a, e)
	}
}

// passedWhole records on a write what its argument a holds whole: a
// decoded request body (BodyRecord) or the helper's own parameter
// (bodyParam), unless its owner was set from the identity or the row was
// loaded by the caller's id.
func (w *goWalker) passedWhole(a ast.Expr, e *Effect) {
	f := w.wholeFact(a, false)
	switch {
	case f == nil || f.ownerData || f.checked:
	case f.whole:
		e.BodyRecord = true
	case f.param > 0:
		e.bodyParam = f.param
	}
}

// wholeFact returns the fact of a value passed whole (x, &x, or with
// fields, x.ID) that holds a decoded request body or a helper's parameter.
func (w *goWalker) wholeFact(a ast.Expr, fields bool) *goFact {
	if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.AND {
		a = u.X
	}
	if fields {
		if r := goRootIdent(a); r != nil {
			a = r
		}
	}
	id, ok := a.(*ast.Ident)
	if !ok {
		return nil
	}
	if f := w.facts[id.Name]; f != nil && (f.whole || f.param > 0) {
		return f
	}
	return nil
}

// sqlText returns the SQL statement of a call's first string argument (a
// literal, a local variable assigned one, or a constant of the package)
// and that argument's index, "" and -1 when there is none.
func (w *goWalker) sqlText(c *ast.CallExpr) (string, int) {
	for i, a := range c.Args {
		switch x := a.(type) {
		case *ast.BasicLit:
			if x.Kind == token.STRING {
				if s, err := strconv.Unquote(x.Value); err == nil && strings.TrimSpace(s) != "" {
					return strings.TrimSpace(s), i
				}
			}
		case *ast.Ident:
			if s := w.localString(x.Name); s != "" {
				return s, i
			}
			if s := w.p.constString(path.Dir(w.fn.file.Path), x.Name); s != "" {
				return s, i
			}
		}
	}
	return "", -1
}

func (w *goWalker) localString(name string) string {
	out := ""
	ast.Inspect(w.fn.node, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || out != "" {
			return out == ""
		}
		for i, l := range as.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name == name && i < len(as.Rhs) {
				if b, ok := as.Rhs[i].(*ast.BasicLit); ok && b.Kind == token.STRING {
					if s, err := strconv.Unquote(b.Value); err == nil {
						out = strings.TrimSpace(s)
					}
				}
			}
		}
		return true
	})
	return out
}

// backendCall classifies a Clerk Backend API call of the Go SDK
// (user.Delete(ctx, id), client.Users().Delete(id)).
func (w *goWalker) backendCall(c *ast.CallExpr) (Effect, bool) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return Effect{}, false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return Effect{}, false
	}
	ip := importPath(w.fn.file, id.Name)
	if knowledge.GoClerkPath(ip) == "" {
		return Effect{}, false
	}
	bc, ok := knowledge.BackendCallOf(id.Name, sel.Sel.Name)
	if !ok {
		return Effect{}, false
	}
	k := ClerkPrivilege
	if bc.Privilege == knowledge.ReadsUsers {
		k = ReadsData
	}
	e := Effect{Kind: k, Call: goast.CallName(c), Location: w.loc(c.Pos()), Selects: true, Authz: w.s.authz}
	if k == ClerkPrivilege {
		e.OwnerScoped, e.Grants = w.clerkTarget(c)
	}
	return e, true
}

// clerkTarget reads a Go SDK v2 call's arguments after the context: self
// reports that the object it acts on is the caller's own (its id argument,
// user.Delete(ctx, claims.Subject), or the ID, UserID or SessionID field
// of its params literal, session.Revoke(ctx, &session.RevokeParams{ID:
// claims.SessionID}), derives from the identity); grants names a metadata
// or role field the request sets (PublicMetadata: body.Meta), or "params"
// for params decoded whole from the request body, which set what the
// caller chooses.
func (w *goWalker) clerkTarget(c *ast.CallExpr) (self bool, grants string) {
	if len(c.Args) < 2 {
		return false, ""
	}
	lit := func(e ast.Expr) *ast.CompositeLit {
		if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
			e = u.X
		}
		cl, _ := e.(*ast.CompositeLit)
		return cl
	}
	if cl := lit(c.Args[1]); cl != nil {
		for _, el := range cl.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "ID" || k.Name == "UserID" || k.Name == "SessionID") && w.mentionsIdentity(kv.Value) {
					self = true
				}
			}
		}
	} else {
		self = w.mentionsIdentity(c.Args[1])
	}
	for _, a := range c.Args[1:] {
		if id, ok := a.(*ast.Ident); ok && w.facts[id.Name] != nil && w.facts[id.Name].whole {
			return self, "params"
		}
		if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.AND {
			if id, ok := u.X.(*ast.Ident); ok && w.facts[id.Name] != nil && w.facts[id.Name].whole {
				return self, "params"
			}
		}
		cl := lit(a)
		if cl == nil {
			continue
		}
		for _, el := range cl.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			if k, ok := kv.Key.(*ast.Ident); ok && goGrantField(k.Name) && w.fromRequest(kv.Value) {
				return self, k.Name
			}
		}
	}
	return self, ""
}

// fromRequest reports a value the request supplies: one with request
// sources, or (the address of) a field of a value decoded whole from the
// body (&in.Meta).
func (w *goWalker) fromRequest(v ast.Expr) bool {
	if u, ok := v.(*ast.UnaryExpr); ok && u.Op == token.AND {
		v = u.X
	}
	if len(w.sourcesOf(v)) > 0 {
		return true
	}
	if sel, ok := v.(*ast.SelectorExpr); ok {
		if root := goRootIdent(sel); root != nil && w.facts[root.Name] != nil && w.facts[root.Name].whole {
			return true
		}
	}
	return false
}

// goGrantField reports a Clerk params field that grants access: the
// metadata roles are kept in, or a role.
func goGrantField(name string) bool {
	switch name {
	case "PublicMetadata", "PrivateMetadata", "UnsafeMetadata", "Role":
		return true
	}
	return false
}

// goAnalyse is the analysis of a Go route: its middleware layers in
// order, then its handler walked for an anonymous caller.
func (m *Model) goAnalyse(ctx context.Context, e *Entry, own bool) *analysis {
	out := &analysis{}
	v := &out.verdict
	var (
		guard    *Layer
		unknowns []string
		attach   []string
		authz    Authz
	)
	if !own {
		for i := range e.Chain {
			l := &e.Chain[i]
			switch l.Gate {
			case GateRejects, GateRedirects:
				authz |= l.Authz
				if guard == nil {
					guard = l
				}
			case GateUnknown:
				unknowns = append(unknowns, l.Why)
			case GateAttaches:
				attach = append(attach, l.Why)
			}
		}
	}
	if e.gofn == nil {
		out.effects.Incomplete = true
		if guard != nil {
			v.Authn, v.Why, v.Authz = AuthnYes, guard.Why, authz
			v.Proof = goLayerProof(guard)
			v.addVia(guard.Via)
			return out
		}
		v.Authn, v.Why = AuthnUnknown, e.Unresolved
		return out
	}
	h := m.goSummarize(ctx, e.gofn, goHandlerRole, 0, nil)
	for _, in := range h.inputs {
		if !goCtxSource(in.Source) {
			out.inputs = append(out.inputs, in)
		}
	}
	out.headers = h.headers
	for _, c := range h.reads {
		out.inputs = append(out.inputs, Input{Name: c.What, Source: FromIdentity, Location: c.Location})
	}
	out.effects.Incomplete = h.incomplete
	reached := map[tri]int{}
	if goCtxChecked(e, h.ctxChecks) {
		authz |= AuthzOwner
	}
	for _, x := range h.effects {
		var req []InputSource
		for _, s := range x.Request {
			if !strings.HasPrefix(string(s), "param:") && !goCtxSource(s) {
				req = append(req, s)
			}
		}
		if x.Selects && !x.OwnerScoped && goCtxChecked(e, goCtxKeys(x.Request)) {
			// WHERE household_id = $2 with the household the entry's
			// authenticating middleware looked up for the caller.
			x.OwnerScoped = true
		}
		x.Request = sortSources(append(req, goCtxInputs(e, x.Request)...))
		r := triOf(x.SignedOut)
		if guard != nil {
			r = no
		} else if len(unknowns) > 0 && r == yes {
			r = maybe
		}
		reached[r]++
		x.SignedOut, x.Authz = reachWord(r), x.Authz|authz
		out.effects.List = append(out.effects.List, x)
		if x.OwnerScoped && x.Selects && x.Kind != ClerkPrivilege {
			authz |= AuthzOwner
		}
	}
	v.Authz = authz | h.authz
	y, n, u := reached[yes], reached[no], reached[maybe]
	switch {
	case guard != nil:
		v.Authn, v.Why = AuthnYes, guard.Why
		v.Proof = goLayerProof(guard)
		v.addVia(guard.Via)
		return out
	case y > 0 && n > 0:
		v.Authn = AuthnPartial
		v.Why = "some paths reach effects before the handler checks the caller"
	case y > 0:
		v.Authn = AuthnNo
	case u > 0:
		v.Authn = AuthnUnknown
	case len(h.checks) > 0:
		v.Authn = AuthnYes
	case len(h.effects) > 0:
		v.Authn = AuthnYes
	case len(unknowns) > 0:
		v.Authn = AuthnUnknown
	default:
		v.Authn = AuthnNo
	}
	if len(h.checks) > 0 {
		v.Proof = append(v.Proof, h.checks...)
		v.addVia(ViaHandler)
	}
	switch v.Authn {
	case AuthnYes:
		if len(h.checks) > 0 {
			v.Why = fmt.Sprintf("the handler stops a signed-out caller (%s)", h.checks[0].Location)
		} else {
			v.Why = "no effect is reached by a signed-out caller"
		}
	case AuthnUnknown:
		v.Why = strings.Join(unknowns, "; ")
		if v.Why == "" {
			v.Why = "whether a signed-out caller is stopped could not be decided"
		}
	case AuthnNo:
		why := []string{"nothing checks the caller"}
		if len(h.reads) > 0 {
			why = []string{fmt.Sprintf("the handler reads the identity (%s) but never rejects a signed-out caller", h.reads[0].Location)}
		} else if h.readsIdentity {
			why = []string{"the handler reads the identity but never rejects a signed-out caller"}
		}
		v.Why = strings.Join(append(why, attach...), "; ")
		v.Proof = append(v.Proof, h.reads...)
	}
	return out
}

func goLayerProof(l *Layer) []Proof {
	if len(l.Proof) > 0 {
		return l.Proof
	}
	return []Proof{{Location: l.Location, What: l.Name}}
}

// credentialDecides reports a condition of a gin middleware, before it
// reads the identity, over a credential the request carries or a value
// derived from it (the Authorization header is empty, the error of
// decoding its token): the caller chooses which way it goes by what they
// send.
func (w *goWalker) credentialDecides(cond ast.Expr) bool {
	return w.role == goGinMW && !w.s.readsIdentity && w.credentialIn(cond)
}

// mentionsCredential reports a condition that tests the error of
// decoding a credential the request carries (err != nil of
// json.Unmarshal(payload) where payload came from the Authorization
// header): a present but malformed credential, not a missing one.
func (w *goWalker) mentionsCredential(cond ast.Expr) bool {
	b, ok := cond.(*ast.BinaryExpr)
	if !ok || b.Op != token.NEQ {
		return false
	}
	for _, side := range []ast.Expr{b.X, b.Y} {
		if id, ok := side.(*ast.Ident); ok {
			if f := w.facts[id.Name]; f != nil && f.cred && f.errOf {
				return true
			}
		}
	}
	return false
}

// credentialIn reports an expression that reads a credential header or
// cookie (inputCall with a credential's name) or a value derived from
// one.
func (w *goWalker) credentialIn(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Ident:
			if f := w.facts[x.Name]; f != nil && f.cred {
				found = true
			}
		case *ast.CallExpr:
			if src, name, ok := w.inputCall(x); ok && (src == FromHeaders || src == FromCookies) && credentialName(name) {
				found = true
			}
		}
		return !found
	})
	return found
}

// failsOpen records a return of a gin middleware that lets the request
// go on (no c.Abort(), no denial written) inside a branch the request's
// credential decides, before the identity is read.
func (w *goWalker) failsOpen(ret *ast.ReturnStmt) {
	if w.role != goGinMW || w.credBranch == 0 || !w.credRejected || w.aborted || w.denied != nil || w.s.readsIdentity {
		return
	}
	w.s.failOpen = append(w.s.failOpen, Proof{Location: w.loc(ret.Pos()),
		What: "returns without c.Abort() before the token is verified"})
}

// tokenExpr reports an expression that is the request's credential: a
// read of a credential header or cookie (Authorization, __session), a
// variable holding one, or either with a prefix or spaces trimmed.
func (w *goWalker) tokenExpr(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return w.tokenExpr(x.X)
	case *ast.Ident:
		f := w.facts[x.Name]
		return f != nil && f.token
	case *ast.CallExpr:
		if src, name, ok := w.inputCall(x); ok && (src == FromHeaders || src == FromCookies) && credentialName(name) {
			return true
		}
		switch goast.CallName(x) {
		case "strings.TrimPrefix", "strings.TrimSpace", "strings.TrimSuffix", "strings.Replace", "strings.ReplaceAll", "strings.TrimLeft":
			return len(x.Args) > 0 && w.tokenExpr(x.Args[0])
		}
	}
	return false
}

// goLogCalls are the standard-library calls that write a log line (or
// print one to the server's output).
var goLogCalls = map[string]bool{
	"log.Print": true, "log.Printf": true, "log.Println": true, "log.Fatal": true, "log.Fatalf": true, "log.Fatalln": true,
	"log.Panic": true, "log.Panicf": true, "log.Panicln": true,
	"fmt.Print": true, "fmt.Printf": true, "fmt.Println": true,
	"slog.Info": true, "slog.Debug": true, "slog.Warn": true, "slog.Error": true,
}

// tokenLog records a log call one of whose arguments is the request's
// credential itself (log.Println(sessionToken)).
func (w *goWalker) tokenLog(c *ast.CallExpr, name string) {
	if !goLogCalls[name] {
		return
	}
	for _, a := range c.Args {
		if w.tokenExpr(a) {
			w.s.tokenLogs = append(w.s.tokenLogs, Proof{Location: w.loc(c.Pos()), What: name + "(" + w.fn.file.Text(a) + ")"})
			return
		}
	}
}

// queryToken records a middleware's read of a credential from the query
// string (c.Query("token")): the URL, query included, is what request
// loggers write.
func (w *goWalker) queryToken(c *ast.CallExpr) {
	if w.role != goGinMW && w.role != goHTTPMW && w.role != goEchoMW {
		return
	}
	if src, name, ok := w.inputCall(c); ok && src == FromQuery && credentialName(name) {
		w.s.queryTokens = append(w.s.queryTokens, Proof{Location: w.loc(c.Pos()), What: w.fn.file.Text(c)})
	}
}
