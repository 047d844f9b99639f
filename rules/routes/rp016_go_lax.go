package routes

import (
	"fmt"
	"go/ast"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/goast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP016 flags Go routes a signed-out caller reaches: behind clerk-sdk-go's
// pass-through middleware without a session check, writing data with no
// check at all, or behind a middleware that answers 401 but lets the
// request go on; and session-claims lookups whose ok is ignored.
var RP016 = &rules.Rule{
	ID:         "CLK-RP-016",
	Name:       "go-lax-middleware-unchecked",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files:      func(f *source.File) bool { return f.Lang == source.LangGo && !strings.HasSuffix(f.Path, "_test.go") },
	Doc: rules.Doc{
		Title: "Go handler behind Clerk's pass-through middleware without a session check",
		References: []string{
			"clerk/clerk-sdk-go http/middleware.go (WithHeaderAuthorization passes through, RequireHeaderAuthorization rejects)",
			"https://clerk.com/docs/guides/sessions/manual-jwt-verification",
		},
		Text: "In clerk-sdk-go v2, `WithHeaderAuthorization()` only verifies a Bearer token when there is one and puts " +
			"the claims in the request context: a request without a token (or with a malformed header) reaches the " +
			"handler unauthenticated. The handler must check the `ok` returned by `clerk.SessionClaimsFromContext` and " +
			"answer 401, or the route must use `RequireHeaderAuthorization()`, which answers 403. `claims, _ :=` discards " +
			"that check, and `claims.Subject` then dereferences a nil pointer. The v1 `WithSession`/`WithSessionV2` " +
			"middleware behaves the same way. The rule asks the model's Go routes (net/http, chi, gin, echo), so it also reports a gin " +
			"middleware that answers 401 but returns without `c.Abort()` (gin then runs the route's handler), a gin wrapper around " +
			"`WithHeaderAuthorization` whose rejection of an invalid token gin never sees, and a route with no Clerk middleware " +
			"that changes data for a signed-out caller.",
		Bad: "mux.Handle(\"/api/orders\", clerkhttp.WithHeaderAuthorization()(http.HandlerFunc(orders)))\n\n" +
			"func orders(w http.ResponseWriter, r *http.Request) {\n\tclaims, _ := clerk.SessionClaimsFromContext(r.Context())\n\tlist(w, claims.Subject)\n}",
		Good: "mux.Handle(\"/api/orders\", clerkhttp.RequireHeaderAuthorization()(http.HandlerFunc(orders)))\n\n" +
			"func orders(w http.ResponseWriter, r *http.Request) {\n\tclaims, ok := clerk.SessionClaimsFromContext(r.Context())\n" +
			"\tif !ok {\n\t\tw.WriteHeader(http.StatusUnauthorized)\n\t\treturn\n\t}\n\tlist(w, claims.Subject)\n}",
		Lang: "go",
	},
	Fix: rules.ConstFix("Wrap protected handlers with `clerkhttp.RequireHeaderAuthorization()` (403 without a valid session), " +
		"or check `claims, ok := clerk.SessionClaimsFromContext(r.Context()); if !ok { w.WriteHeader(http.StatusUnauthorized); return }` " +
		"before using the claims. On clerk-sdk-go v1, migrate to v2 or use `RequireSessionV2`."),
	Run: runRP016,
}

// runRP016 is policy over the model's Go routes (rules/model/gohttp.go):
//
//   - a route behind Clerk's pass-through middleware (WithHeaderAuthorization,
//     or an application middleware running it) that nothing stops a
//     signed-out caller on: reported at its registration;
//   - a route with no Clerk middleware that changes data (or calls a
//     privileged Clerk API or a metered one: knowledge.GoPaidType) for a signed-out caller, other than stepping
//     a counter (a view count: Effect.Counter): reported at its
//     registration, unless its path is public by convention, it is a
//     GET/HEAD that lists no records the shared exposure policy calls
//     users' own (SELECT ... FROM users, db.Model(&Note{}).Find: model.Exposed)
//     nor answers with other users' Clerk data, its Go module never imports Clerk, or a middleware in
//     front of it writes a denial it does not enforce (that middleware is
//     the one defect, reported once);
//   - a middleware that answers a denial while the framework runs the rest
//     of the chain (a gin middleware without c.Abort(), a gin wrapper
//     around clerkhttp.WithHeaderAuthorization whose rejections gin
//     ignores): reported where the denial is written; high when a route
//     behind it reaches its effects signed out, low when a middleware
//     that authenticates the caller guards nothing because every
//     handler behind it re-checks the caller itself;
//   - `claims, _ := clerk.SessionClaimsFromContext(ctx)`: the ok that tells
//     a signed-out request apart is discarded.
func runRP016(pass *rules.Pass) error {
	if pass.Model != nil {
		all, err := pass.Model.EntriesFor(pass.Ctx, knowledge.GoHTTP) // the Go adapter's routes only
		if err != nil {
			return nil
		}
		seen := map[string]bool{}
		// quiet: denials of a middleware that authenticates the caller
		// (it reads the identity from a credential the request carries)
		// that no route behind makes harmful today (every route's handler
		// stops a signed-out caller itself), with the middleware's name
		// and one route it guards.
		type quietDenial struct {
			u     model.Proof
			mw    string
			route string
		}
		var quiet []quietDenial
		for _, e := range all {
			if e.Kind != model.GoRoute {
				continue
			}
			for _, l := range e.Chain {
				for _, u := range l.Unstopped {
					if u.File != pass.File.Path || seen[u.String()] {
						continue
					}
					if !ownReach(pass, e) {
						if len(l.CredentialFrom) > 0 { // it authenticates the caller
							quiet = append(quiet, quietDenial{u, l.Name, e.Label()})
						}
						continue
					}
					seen[u.String()] = true
					pass.Report(rules.Diagnostic{Line: u.Line, Message: fmt.Sprintf("%s (`%s`; %s reaches its effects then)", u.What, l.Name, e.Label())})
				}
			}
			if e.File == pass.File.Path {
				rp016Entry(pass, e)
			}
		}
		// A denial the framework does not enforce is a guard that guards
		// nothing even when every handler behind it re-checks the caller
		// today: the next handler that trusts it is open. Reported once,
		// low, when no route reaches its effects through it.
		for _, q := range quiet {
			if seen[q.u.String()] {
				continue
			}
			seen[q.u.String()] = true
			pass.Report(rules.Diagnostic{Line: q.u.Line, Severity: rules.Low,
				Message: fmt.Sprintf("%s (`%s`): the request goes on into %s and the other routes behind it; their handlers stop a signed-out caller themselves today, so the middleware is not what protects them", q.u.What, q.mw, q.route)})
		}
	}
	f, err := goast.Parse(pass.File)
	if err != nil {
		return nil // syntax errors are the compiler's business
	}
	// claims, _ := clerk.SessionClaimsFromContext(ctx), unless every
	// route the function handles sits behind a middleware that rejects a
	// signed-out request (RequireHeaderAuthorization): the claims are
	// there whenever the handler runs.
	behindGate := gatedHandlers(pass)
	var fnLine int
	ast.Inspect(f.AST, func(n ast.Node) bool {
		if fd, ok := n.(*ast.FuncDecl); ok {
			fnLine = f.Line(fd.Pos())
		}
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
			return true
		}
		call, ok := as.Rhs[0].(*ast.CallExpr)
		if !ok || !okLookup(f, call) {
			return true
		}
		if id, ok := as.Lhs[1].(*ast.Ident); ok && id.Name == "_" && !behindGate[fnLine] {
			pass.Report(rules.Diagnostic{Line: f.Line(as.Pos()), Column: f.Col(as.Pos()),
				Message: fmt.Sprintf("the `ok` result of %s is discarded: without a session the claims are nil, so the handler either panics on them (a 500) or carries on as if signed in without an identity", rules.Code(goast.CallName(call)))})
		}
		return true
	})
	return nil
}

// gatedHandlers returns the lines of the pass file's functions that are
// the handlers of Go routes, true when every such route's chain rejects a
// signed-out request before the handler runs (the model's guard verdict
// from a rejecting middleware), false when one route lets it through.
func gatedHandlers(pass *rules.Pass) map[int]bool {
	out := map[int]bool{}
	if pass.Model == nil {
		return out
	}
	es, err := pass.Model.EntriesFor(pass.Ctx, knowledge.GoHTTP)
	if err != nil {
		return out
	}
	seen := map[int]bool{}
	for _, e := range es {
		if e.Kind != model.GoRoute || e.Handler.File != pass.File.Path {
			continue
		}
		gated := false
		for _, l := range e.Chain {
			if l.Gate == model.GateRejects {
				gated = true
			}
		}
		if !seen[e.Handler.Line] {
			seen[e.Handler.Line], out[e.Handler.Line] = true, gated
		} else if !gated {
			out[e.Handler.Line] = false
		}
	}
	return out
}

// okLookup reports a call of a Clerk identity source that returns
// (claims, ok) (rules/knowledge identity sources of the Go SDK).
func okLookup(f *goast.File, call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	for _, im := range f.AST.Imports {
		ip := strings.Trim(im.Path.Value, `"`)
		if f.ImportName(ip) != id.Name {
			continue
		}
		pkg := knowledge.GoClerkPath(ip)
		if pkg == "" {
			return false
		}
		s, ok := knowledge.IdentitySourceOf(pkg, sel.Sel.Name)
		return ok && strings.HasPrefix(s.SignedOut, "nil, false")
	}
	return false
}

// ownReach reports whether the entry's handler, without its middleware,
// lets a signed-out caller reach an effect: what a middleware that does
// not stop the request exposes.
func ownReach(pass *rules.Pass, e *model.Entry) bool {
	_, fx := pass.Model.OwnGuard(pass.Ctx, e)
	for _, x := range fx.List {
		if x.SignedOut == model.ReachYes {
			return true
		}
	}
	return false
}

func rp016Entry(pass *rules.Pass, e *model.Entry) {
	if e.DeclaredPublic() {
		return
	}
	v := pass.Model.Guard(pass.Ctx, e)
	if v.Authn != model.AuthnNo {
		return
	}
	var lax *model.Layer
	for i := range e.Chain {
		l := &e.Chain[i]
		if l.WouldReject {
			return // the middleware's missing abort is the defect
		}
		if l.Clerk != "" && (l.Gate == model.GateAttaches || l.Gate == model.GateNone) {
			lax = l
		}
	}
	handler := "the handler"
	if e.HandlerName != "" {
		handler = fmt.Sprintf("the handler %s (%s)", rules.Code(e.HandlerName), e.Handler)
	}
	if lax != nil {
		// A Clerk middleware wrapped around this one route says the route
		// wants a session; one the whole router runs says nothing about
		// each route. A GET behind it that reads no identity and serves
		// nothing a caller must own (an API docs page, a catalogue) is
		// public by design; a request that changes state is not.
		own := lax.File == e.File && lax.Line >= e.Line && lax.Line <= max(e.EndLine, e.Line)
		if !own && len(v.Proof) == 0 && safeMethods(e) && !rp016Serves(pass, e) {
			return
		}
		name := lax.Name
		if i := strings.IndexByte(name, '('); i > 0 && lax.Clerk != "" && !strings.Contains(name[:i], " ") {
			name = name[:i]
		}
		msg := fmt.Sprintf("%s lets requests without a valid session through, and %s never checks the `ok` of `SessionClaimsFromContext` before serving %s", rules.Code(name), handler, e.Label())
		if strings.Contains(name, "WithSession") {
			msg = fmt.Sprintf("%s (clerk-sdk-go v1) lets requests without a session through, and %s never checks for an active session", rules.Code(name), handler)
		}
		pass.Report(rules.Diagnostic{Line: e.Line, Message: msg})
		return
	}
	if !pass.Model.GoClerkModule(pass.Ctx, e.File) {
		return // a module that never uses Clerk is no Clerk app missing its check
	}
	fx := pass.Model.Effects(pass.Ctx, e)
	if len(e.Methods) == 1 && (e.Methods[0] == "GET" || e.Methods[0] == "HEAD") {
		// A read is reported when it lists records whole, not selected
		// by the caller (SELECT ... FROM users, db.Model(&Note{}).Find),
		// or answers with other users' Clerk data (ReturnsUser: names,
		// e-mail addresses from user.List), and the shared exposure
		// policy calls it high: users' or personal records, other users'
		// submissions. A public profile or catalogue selected by the URL
		// is public by design, and a listing filtered by the caller reads
		// nothing for a signed-out one.
		for _, x := range fx.List {
			listing := x.Kind == model.ReadsData && len(x.Request) == 0 && !x.OwnerScoped
			if !listing && (x.Kind != model.ReturnsUser || !x.OtherUsers) {
				continue
			}
			if ex := model.Exposed(e, v, model.Effects{List: []model.Effect{x}}); ex.Level == model.ExposeHigh {
				pass.Report(rules.Diagnostic{Line: e.Line, Message: fmt.Sprintf("%s %s (`%s`, %s) for a signed-out caller: %s", e.Label(), ex.Why, x.Call, x.Location, v.Why)})
				return
			}
		}
		return
	}
	for _, x := range fx.List {
		if x.Counter {
			continue // a view or like count stepped by one: no one's data changes
		}
		if x.SignedOut == model.ReachYes && (x.Kind == model.WritesData || x.Kind == model.ClerkPrivilege || x.Kind == model.MovesMoney ||
			x.Kind == model.PaidAPI || x.Kind == model.ReturnsUser && x.OtherUsers) {
			pass.Report(rules.Diagnostic{Line: e.Line, Message: fmt.Sprintf("%s reaches `%s` (%s) for a signed-out caller: %s", e.Label(), x.Call, x.Location, v.Why)})
			return
		}
	}
}

// rp016Serves reports whether an entry behind a pass-through middleware
// serves something only a signed-in caller should reach: a write, a
// privileged Clerk call, a payment, other users' Clerk data or a whole
// table of accounts, or effects the model could not follow. A handler
// that reads no identity and only serves a static page or a catalogue
// is public by design, whatever middleware the router runs first.
func rp016Serves(pass *rules.Pass, e *model.Entry) bool {
	fx := pass.Model.Effects(pass.Ctx, e)
	if fx.Incomplete {
		return true
	}
	for _, x := range fx.List {
		if x.Counter || x.SignedOut != model.ReachYes {
			continue
		}
		switch {
		case x.Kind == model.WritesData, x.Kind == model.ClerkPrivilege, x.Kind == model.MovesMoney, x.Kind == model.PaidAPI:
			return true
		case x.Kind == model.ReturnsUser && x.OtherUsers:
			return true
		case x.Kind == model.ReadsData && x.Table != "" && knowledge.AccountTable(x.Table) && len(x.Request) == 0:
			return true
		}
	}
	return false
}

// safeMethods reports whether every method of the entry is safe (RFC
// 9110: GET, HEAD, OPTIONS; knowledge.HTTPMethod).
func safeMethods(e *model.Entry) bool {
	if len(e.Methods) == 0 {
		return false
	}
	for _, m := range e.Methods {
		if k, ok := knowledge.HTTPMethod(m); !ok || !k.Safe {
			return false
		}
	}
	return true
}
