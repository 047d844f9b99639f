package model

import "github.com/clerkguard/clerkguard/rules/jsast"

// A helper handed the caller's own identity (`sitesOf(orgId)`,
// `sitesOf({ team: orgId })`) that returns early when that value is
// missing (`if (!team) return []`) never runs its queries for a signed-out
// caller, whose identity is null. The helper is summarised once on its
// parameters (what it checks, whose records it selects) and once more
// with the identity in those parameters, for the reach of its effects
// alone.

// unreachedWithIdentity returns the effects of the helper r, called with
// args, that an anonymous caller does not reach once the arguments that
// carry the caller's identity hold it (null): the helper's own early exit
// on a missing value (`if (!id) return []`) keeps them from running. Only
// their reach is taken from that reading; what the helper checks and
// whose records it selects stay judged on its parameters. nil when no
// argument carries the identity.
func (a *analyzer) unreachedWithIdentity(r fnRef, args []*jsast.Node) map[Location]bool {
	seeds := a.identitySeeds(r.fn, args)
	if seeds == nil {
		return nil
	}
	s := a.m.summarizeSeeded(a.ctx, r.file, r.fn, roleHelper, nil, seeds, a.depth+1, a.stack)
	if s.cut {
		return nil
	}
	var out map[Location]bool
	for _, e := range s.effects {
		if e.reach != no {
			continue
		}
		if out == nil {
			out = map[Location]bool{}
		}
		out[e.Location] = true
	}
	return out
}

// identitySeeds seeds a helper that the caller hands its own identity
// (`listFor(orgId)`, `listFor({ id: orgId })`): those parameters hold the
// identity, the other parameters stay parameters. nil when no argument
// carries the identity or an argument is spread.
func (a *analyzer) identitySeeds(fn *jsast.Node, args []*jsast.Node) []value {
	ps := params(fn)
	if len(args) > len(ps) {
		return nil
	}
	var seeds []value
	for i, arg := range args {
		if arg.Type == "spread_element" {
			return nil
		}
		v := value{kind: vParam, param: i}
		if cv := a.classify(arg); cv.kind == vIdentity && !cv.idDerived {
			v = cv
		} else if props := identityOnly(a.identityProps(arg)); props != nil {
			v.props = props
		} else {
			continue
		}
		if seeds == nil {
			seeds = make([]value, len(ps))
			for j := range seeds {
				seeds[j] = value{kind: vParam, param: j}
			}
		}
		seeds[i] = v
	}
	return seeds
}

// identityOnly keeps the members of an object literal that hold the
// identity itself (userId, orgId), not a value computed from it (a
// display name) nor the user object.
func identityOnly(props map[string]value) map[string]value {
	var out map[string]value
	for k, v := range props {
		if v.kind != vIdentity || v.idDerived {
			continue
		}
		if out == nil {
			out = map[string]value{}
		}
		out[k] = v
	}
	return out
}
