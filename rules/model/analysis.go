package model

import (
	"context"
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// analysis is the per-entry facet: the verdict, effects and inputs, from
// one walk of the entry's chain, wrappers and handler.
type analysis struct {
	verdict Verdict
	effects Effects
	inputs  []Input
	headers []HeaderRead
}

func (m *Model) analysis(ctx context.Context, e *Entry) *analysis {
	an, _ := e.an.get(func() (*analysis, error) { return m.analyse(ctx, e), nil })
	return an
}

// guardInfo is what stops an anonymous caller before the handler.
type guardInfo struct {
	via   Via
	why   string
	proof []Proof
	authz Authz
}

func (m *Model) analyse(ctx context.Context, e *Entry) *analysis { return m.analyseWith(ctx, e, false) }

// analyseWith analyses an entry; own leaves out the middleware layers
// (Via middleware and router-use).
func (m *Model) analyseWith(ctx context.Context, e *Entry, own bool) *analysis {
	if e.Kind == GoRoute {
		return m.goAnalyse(ctx, e, own)
	}
	out := &analysis{}
	v := &out.verdict
	var (
		guard    *guardInfo
		unknowns []string
		partial  *Layer
		authz    Authz
		attach   []*Layer
		notes    []string
	)
	for i := range e.Chain {
		l := &e.Chain[i]
		if own && (l.Via == ViaMiddleware || l.Via == ViaRouterUse) {
			continue
		}
		switch l.Gate {
		case GateRejects, GateRedirects:
			authz |= l.Authz
			if guard == nil {
				guard = &guardInfo{via: l.Via, why: l.Why, proof: l.Proof, authz: l.Authz}
				if len(guard.proof) == 0 {
					guard.proof = []Proof{{Location: l.Location, What: l.Name}}
				}
			}
		case GateUnknown:
			unknowns = append(unknowns, l.Why)
		case GatePartial:
			if partial == nil {
				partial = l
			}
		case GateAttaches:
			attach = append([]*Layer{l}, attach...) // nearest the handler first
			authz |= l.Authz
		case GateNone:
			if l.Why != "" {
				notes = append(notes, l.Why)
			}
			authz |= l.Authz // a role check that lets signed-out callers fail later
		}
	}
	var seeds []value
	for _, w := range e.Wrappers {
		g, unk, args := m.wrapperGate(ctx, e, w)
		if args != nil {
			seeds = args // the innermost wrapper calls the handler
		}
		switch {
		case g != nil:
			authz |= g.authz
			if guard == nil {
				guard = g
			}
		case unk != "":
			unknowns = append(unknowns, unk)
		}
	}
	if e.Fn == nil {
		why := e.Unresolved
		if why == "" {
			why = "the handler could not be found"
		}
		out.effects.Incomplete = true
		if lib := e.Library; lib != nil && !lib.ActsOn(e.Methods) && guard == nil && len(unknowns) == 0 {
			// The library answers this method with its configuration only.
			out.effects.Incomplete = false
			v.Authn, v.Why = AuthnNo, fmt.Sprintf("`%s` answers %s with %s only", lib.Export, strings.Join(e.Methods, ", "), lib.Describes)
			return out
		}
		if lib := e.Library; lib != nil && lib.ActsOn(e.Methods) {
			// The library's own handler: what it does is known, and
			// whether the application gave it a check.
			out.effects.Incomplete = false
			x := Effect{Kind: WritesData, Call: lib.Export + " (" + lib.Does + ")", Location: lib.Location, Selects: lib.Deletes, Authz: authz}
			rg, route := lib.RouteGate()
			switch {
			case guard != nil:
				x.SignedOut = ReachNo
			case rg == GateRejects:
				x.SignedOut = ReachNo
				guard = &guardInfo{via: ViaHandler, why: route.Why, proof: route.Proof}
			case rg == GateNone && len(unknowns) == 0:
				x.SignedOut = ReachYes
				why = fmt.Sprintf("`%s` %s: %s", lib.Export, lib.Does, route.Why)
			case lib.GuardOption != "" && !lib.GuardSet && len(unknowns) == 0:
				x.SignedOut = ReachYes
				why = fmt.Sprintf("`%s` is given no `%s`: the library %s for every request, and nothing identifies the caller", lib.Export, lib.GuardOption, lib.Does)
			default:
				x.SignedOut = ReachUnknown
				if rg == GateUnknown && route.Why != "" {
					why = fmt.Sprintf("`%s` %s after each file route's check: %s", lib.Export, lib.Does, route.Why)
				} else if lib.GuardIn != "" {
					why = fmt.Sprintf("`%s` runs the application's check in %s, which the model does not follow yet", lib.Export, lib.GuardIn)
				} else if lib.GuardSet {
					why = fmt.Sprintf("`%s` identifies the caller in its `%s`, which the model does not follow yet", lib.Export, lib.GuardOption)
				}
			}
			out.effects.List = append(out.effects.List, x)
			if x.SignedOut == ReachYes {
				if len(notes) > 0 {
					why += "; " + notes[0]
				}
				v.Authn, v.Why = AuthnNo, why
				return out
			}
		}
		if guard != nil {
			v.Authn, v.Why, v.Proof, v.Authz = AuthnYes, guard.why, guard.proof, authz
			v.addVia(guard.via)
			return out
		}
		v.Authn, v.Why = AuthnUnknown, why
		return out
	}
	h := m.summarizeSeeded(ctx, e.FnFile, e.Fn, roleHandler, e.Params, seeds, 0, nil)
	out.inputs = h.inputs
	out.headers = headersOf(h.headers)
	out.effects.Incomplete = h.incomplete
	out.effects.Payment = h.payment
	// When every path of an anonymous caller ends in a denial, the reads
	// it triggers on the way are not returned to it (a Pages Router
	// getServerSideProps that queries, then redirects): they do not make
	// the entry unguarded. Writes still do.
	deniedAtEnd := h.cont == no && hasAuthnCheck(h)
	var y, n, u int
	var scoped Authz // owner-scoped queries: authorization of the entry, not a check before later effects
	for _, ef := range h.effects {
		x := ef.Effect
		r := ef.reach
		if deniedAtEnd && guard == nil && r == yes && x.Kind == ReadsData {
			n++
			x.SignedOut = ReachYes
			if authz != 0 {
				x.CheckedBy = nil
			}
			x.Authz |= authz
			out.effects.List = append(out.effects.List, x)
			continue
		}
		if guard != nil {
			r = no
		} else if len(unknowns) > 0 && r == yes {
			r = maybe
		}
		switch r {
		case yes:
			y++
		case no:
			n++
		default:
			u++
		}
		x.SignedOut = reachWord(r)
		if authz != 0 {
			x.CheckedBy = nil // the chain's own checks: their scope is not known
		}
		x.Authz |= authz
		out.effects.List = append(out.effects.List, x)
		if _, clerk := knowledge.BackendCallIn(x.Call); x.OwnerScoped && x.Selects && !clerk {
			scoped |= AuthzOwner // reading your own Clerk user is not an owner check
		}
	}
	checked := authz // the chain's and wrappers' checks
	for _, c := range h.checks {
		checked |= c.authz
		if c.webhook != "" && c.authn && v.Webhook == "" {
			v.Webhook = c.webhook
		}
	}
	v.Checked = checked | h.contAuthz
	v.Authz = scoped | v.Checked

	if guard != nil {
		v.Authn, v.Why = AuthnYes, guard.why
		v.Proof = append(v.Proof, guard.proof...)
		v.addVia(guard.via)
		m.addCheckProofs(v, h)
		return out
	}
	var r tri
	if len(h.effects) > 0 {
		switch {
		case y > 0 && n > 0:
			v.Authn = AuthnPartial
		case y > 0:
			v.Authn = AuthnNo
		case u > 0:
			v.Authn = AuthnUnknown
		default:
			v.Authn = AuthnYes
		}
	} else {
		r = h.cont
		if !h.contSeen {
			r = no
		}
		if r == yes && len(unknowns) > 0 {
			r = maybe
		}
		switch r {
		case no:
			v.Authn = AuthnYes
			if len(h.checks) == 0 {
				v.Authn = AuthnNo // nothing completes, but nothing checks either
			}
		case yes:
			v.Authn = AuthnNo
		default:
			v.Authn = AuthnUnknown
		}
	}
	if v.Authn == AuthnNo && len(h.unknown) > 0 && y == 0 {
		v.Authn = AuthnUnknown
	}
	m.addCheckProofs(v, h)
	switch v.Authn {
	case AuthnYes:
		v.Why = checkWhy(e, h)
	case AuthnPartial:
		v.Why = partialWhy(h)
	case AuthnUnknown:
		v.Why = strings.Join(append(unknowns, h.unknown...), "; ")
		if v.Why == "" {
			v.Why = "whether a signed-out caller is stopped could not be decided"
		}
	case AuthnNo:
		v.Why = m.noWhy(e, h, attach, notes)
		if partial != nil {
			v.Authn = AuthnPartial
			v.addVia(ViaLayout)
			v.Proof = append(v.Proof, partial.Proof...)
			v.Why = fmt.Sprintf("only the layout %s checks the visitor; layouts do not re-render on client-side navigation, so the page's own render is not checked", partial.File)
			if e.Framework != knowledge.NextJS {
				v.Why = "only " + partial.Why
			}
		}
	}
	return out
}

// readsLine is the line of the read readsWhat names.
func readsLine(rs []Proof) int {
	w := "reads " + readsWhat(rs)
	for _, r := range rs {
		if r.What == w {
			return r.Line
		}
	}
	return rs[0].Line
}

func hasAuthnCheck(h *summary) bool {
	for _, c := range h.checks {
		if c.authn {
			return true
		}
	}
	return false
}

func reachWord(r tri) Reach {
	switch r {
	case yes:
		return ReachYes
	case no:
		return ReachNo
	}
	return ReachUnknown
}

func (m *Model) addCheckProofs(v *Verdict, h *summary) {
	for _, c := range h.checks {
		if len(v.Proof) >= 6 {
			break
		}
		v.Proof = append(v.Proof, c.Proof)
		if c.authn {
			v.addVia(c.via)
		}
	}
	if len(h.checks) == 0 {
		for _, p := range h.nonGuards {
			if len(v.Proof) >= 6 {
				break
			}
			v.Proof = append(v.Proof, p)
		}
	}
}

func checkWhy(e *Entry, h *summary) string {
	for _, c := range h.checks {
		if !c.authn {
			continue
		}
		where := fmt.Sprintf("line %d", c.Line)
		if c.File != e.Handler.File {
			where = c.Location.String()
		}
		switch {
		case c.secret:
			return fmt.Sprintf("the request must carry a configured secret: %s (%s)", c.What, where)
		case c.via == ViaHelper:
			return c.What
		case strings.HasPrefix(c.What, "`if"):
			return fmt.Sprintf("%s for a signed-out caller (%s)", c.What, where)
		}
		return fmt.Sprintf("%s (%s)", c.What, where)
	}
	return "every path checks the caller before its effects"
}

func partialWhy(h *summary) string {
	for _, ef := range h.effects {
		if ef.reach == yes {
			return fmt.Sprintf("`%s` (%s) runs for a signed-out caller on some paths; other paths check the caller first", ef.Call, ef.Location)
		}
	}
	return "some paths check the caller, others do not"
}

// noWhy explains why nothing stops a signed-out caller.
func (m *Model) noWhy(e *Entry, h *summary, attach []*Layer, notes []string) string {
	var parts []string
	switch {
	case len(h.nonGuards) > 0:
		parts = append(parts, h.nonGuards[0].What)
	case len(h.reads) > 0:
		parts = append(parts, fmt.Sprintf("the handler reads %s (line %d) but never rejects a signed-out caller", readsWhat(h.reads), readsLine(h.reads)))
	default:
		parts = append(parts, "nothing checks the caller")
	}
	for i, l := range attach {
		if i == 2 {
			break
		}
		parts = append(parts, l.Why)
	}
	if len(attach) == 0 && len(notes) > 0 {
		parts = append(parts, notes[0])
	}
	return strings.Join(parts, "; ")
}

// wrapperGate evaluates a wrapper around a handler: a Clerk wrapper by the
// knowledge tables, an application wrapper by analysing the function it
// returns, which must not call the handler for an anonymous caller.
func (m *Model) wrapperGate(ctx context.Context, e *Entry, w Wrapper) (*guardInfo, string, []value) {
	if w.callFile != nil {
		if root := rootIdent(w.call.ChildByField("function")); root != nil {
			if exp, pkg := m.clerkExportOf(ctx, w.callFile, w.callFile.Text(root)); exp != "" {
				if mw, ok := knowledge.MiddlewareOf(pkg, exp); ok {
					switch mw.Gate {
					case knowledge.Rejects, knowledge.Redirects, knowledge.RejectsByDefault:
						return &guardInfo{via: ViaWrapper, why: fmt.Sprintf("`%s` (%s) rejects signed-out callers", w.Name, pkg),
							proof: []Proof{{Location: w.Location, What: w.Name + "(...)"}}}, "", nil
					}
				}
				return nil, "", nil
			}
		}
	}
	if w.fn == nil {
		return nil, "", nil
	}
	inner, innerFile := w.fn, w.fnFile
	if ret := returnedFunction(w.fn); ret != nil {
		if jsast.IsFunction(ret) {
			inner = ret
		} else if fn := nitroHandlerFn(w.fnFile, ret); fn != nil {
			inner = fn // return defineEventHandler((event) => ...)
		} else if ret.Type == "identifier" {
			if fn, ok := nestedFuncs(w.fnFile, w.fn)[w.fnFile.Text(ret)]; ok {
				inner = fn
			}
		}
	}
	ps := params(w.fn)
	hname := ""
	if w.handlerParam < len(ps) && ps[w.handlerParam].Type == "identifier" {
		hname = w.fnFile.Text(ps[w.handlerParam])
	}
	if hname == "" {
		return nil, "", nil
	}
	s := m.summarizeWrapper(ctx, innerFile, inner, hname, e.Params)
	switch {
	case !s.contSeen:
		return nil, "", nil
	case s.cont == no:
		why := fmt.Sprintf("the wrapper `%s` (%s:%d) rejects signed-out callers before calling the handler", w.Name, w.fnFile.Path, w.fn.Line)
		var proof []Proof
		var authz Authz
		for _, c := range s.checks {
			proof = append(proof, c.Proof)
			authz |= c.authz
		}
		if len(proof) == 0 {
			proof = []Proof{{Location: Location{File: w.fnFile.Path, Line: w.fn.Line}, What: w.Name}}
		}
		return &guardInfo{via: ViaWrapper, why: why, proof: proof, authz: authz | s.contAuthz}, "", s.handlerArgs
	case s.cont == maybe:
		return nil, fmt.Sprintf("the wrapper `%s` could not be evaluated: %s", w.Name, strings.Join(s.unknown, "; ")), s.handlerArgs
	}
	return nil, "", s.handlerArgs
}

// summarizeWrapper analyses the function a wrapper returns, whose
// continuation is the call of the wrapped handler (named hname).
func (m *Model) summarizeWrapper(ctx context.Context, f *jsast.File, fn *jsast.Node, hname string, roles []ParamRole) *summary {
	a := &analyzer{m: m, ctx: ctx, f: f, fn: fn, role: roleWrapper, stack: []*jsast.Node{fn},
		vars: map[string]value{}, locals: nestedFuncs(f, fn), s: &summary{}, effs: map[*jsast.Node]*effect{}, seenIn: map[string]bool{},
		handler: hname}
	for i, p := range params(fn) {
		v := value{}
		if i < len(roles) {
			v = paramValue(roles[i])
		}
		a.bindParam(p, v)
	}
	if ps := params(fn); len(ps) >= 3 && ps[2].Type == "identifier" && len(roles) >= 3 && roles[2] == ParamNext {
		a.next = f.Text(ps[2]) // an Express wrapper: next() also continues
	}
	a.vars[hname] = value{kind: vHandler}
	a.walkBody(false)
	return a.s
}
