package model

import "github.com/clerkguard/clerkguard/rules/jsast"

// requestPredicate reads again, with the caller's request bound to its
// parameters, a helper of the snapshot that the caller passes its request
// (or a credential of it) to and whose answer, read without it, is
// undecided: a helper that answers whether the request carries a
// configured secret (`return header === process.env.CRON_SECRET`) only
// tests a credential once it sees the request. It returns the helper's
// answer for an anonymous caller when that is a predicate the caller
// cannot satisfy or must satisfy, and false otherwise.
func (a *analyzer) requestPredicate(r fnRef, args []*jsast.Node) (value, bool) {
	if a.depth >= MaxDepth {
		return value{}, false
	}
	seeds := make([]value, len(args))
	request := false
	for i, x := range args {
		switch v := a.classify(x); v.kind {
		case vReq, vRequest, vCred:
			seeds[i], request = v, true
		}
	}
	if !request {
		return value{}, false
	}
	s := a.use(a.m.summarizeSeeded(a.ctx, r.file, r.fn, roleHelper, nil, seeds, a.depth+1, a.stack))
	if !s.retSeen || s.ret.kind != vPred || s.ret.anon == either {
		return value{}, false
	}
	return s.ret, true
}

// boolPredicate reads a function whose every return is a boolean literal
// or a predicate of the caller, at least one a predicate (`if (!secret)
// return false; return header === secret`): it is that test, true for an
// anonymous caller when every return the caller reaches is, false when
// every one is, and undecided otherwise; a shared-secret check when every
// predicate is one.
func (a *analyzer) boolPredicate() (value, bool) {
	var authz Authz
	secret := true
	pred, anyTrue, anyFalse, undecided := false, false, false, false
	for _, r := range a.rets {
		reached := r.reach != no
		switch {
		case r.v.kind == vPred:
			pred = true
			authz |= r.v.authz
			secret = secret && r.v.secret
			switch {
			case !reached:
			case r.v.anon == isTrue:
				anyTrue = true
			case r.v.anon == isFalse:
				anyFalse = true
			default:
				undecided = true
			}
		case r.v.kind == vLiteral && r.v.lit == "true":
			anyTrue = anyTrue || reached
		case r.v.kind == vLiteral && r.v.lit == "false":
			anyFalse = anyFalse || reached
		default:
			return value{}, false
		}
	}
	if !pred {
		return value{}, false
	}
	anon := either
	switch {
	case undecided || anyTrue && anyFalse:
	case anyTrue:
		anon = isTrue
	case anyFalse:
		anon = isFalse
	}
	return value{kind: vPred, anon: anon, authz: authz, secret: secret}, true
}
