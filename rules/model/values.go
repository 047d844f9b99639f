package model

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// The analysis simulates an anonymous caller: signed out, without a
// session cookie or an Authorization header, who does not know the
// application's secrets, but who chooses every other part of the request.
// A value is classified by what it holds for that caller.

// tri is a three-valued answer: does an anonymous caller reach a point?
type tri uint8

const (
	no tri = iota
	yes
	maybe // unknown: something on the way could not be evaluated
)

func or3(a, b tri) tri {
	switch {
	case a == yes || b == yes:
		return yes
	case a == maybe || b == maybe:
		return maybe
	}
	return no
}

// cond is the value of a condition for an anonymous caller.
type cond uint8

const (
	either cond = iota // anything: the caller may steer it, or it does not depend on who calls
	isTrue
	isFalse
)

func (c cond) not() cond {
	switch c {
	case isTrue:
		return isFalse
	case isFalse:
		return isTrue
	}
	return either
}

// take returns the reach of a branch taken when c has value want.
func take(reach tri, c, want cond) tri {
	if c == either || c == want {
		return reach
	}
	return no
}

// kind is what a value holds for an anonymous caller.
type kind uint8

const (
	vOther       kind = iota
	vAuthObj          // Clerk's Auth object: always truthy; its identity fields are null
	vIdentity         // an identity value (userId, orgRole, claims): null or false
	vUser             // a nullable user object (currentUser()): null; dereferencing it throws
	vHas              // the Auth object's has(): false
	vPred             // a boolean computed from the identity: its value is in anon
	vCred             // a credential of the request (Authorization header, session cookie): absent
	vSecret           // a configured secret (process.env.X): unknown to the caller
	vRequest          // a value the caller chooses (params, query, body, form, headers, args)
	vReq              // the request object
	vRes              // the response object
	vNext             // Express next
	vRouteCtx         // Next.js route context ({ params })
	vPageProps        // Next.js page props
	vGSSP             // getServerSideProps context
	vReqCtx           // a request context object: loader/action args, Astro's APIContext and Astro global, a server function's { data }
	vLocals           // a request's locals (Astro, SvelteKit): Clerk's middleware puts auth() there
	vParam            // a parameter of the function being summarised
	vHandler          // the handler a wrapper receives
	vClient           // a data client (its library in pkg)
	vClerkClient      // the Clerk Backend API client
	vRow              // a record read from a data store
	vLiteral          // a literal; its text is in lit
	vProtect          // auth.protect (destructured)
	vAuthFn           // Clerk's auth function itself (auth.protect is its method)
	vResult           // a helper\'s result object whose keys differ for an anonymous caller ({ error } vs { ok })
	vTRPCOpts         // a tRPC resolver's or middleware's options ({ ctx, input, next })
	vTRPCCtx          // a tRPC context (createContext's result: the identity and the data client)
)

// value is the abstract value of an expression.
type value struct {
	kind  kind
	src   InputSource // vRequest
	param int         // vParam
	pprop string      // vParam: the property of the parameter read (args.noteId), "" for the whole value
	anon  cond        // vPred
	// secret is set on a vPred that compares a credential of the request
	// with a configured secret (a shared-secret check, not a sign-in).
	secret bool
	authz  Authz  // authorization decided by an identity value or predicate
	field  string // vIdentity: the Auth field or member chain
	pkg    string // vClient: the data library's module
	lit    string // vLiteral; vSecret: the setting's name (DATABASE_URL)
	clerk  bool   // vUser/vRow: a Clerk User (or list of users) object
	// asCaller is set on a vClient made with the caller's own token
	// (callerTokenClient): the database's per-user rules decide what its
	// queries reach.
	asCaller bool
	// created is set on a vRow the request has just inserted: the
	// caller's own record.
	created bool
	// own is set on a vRow selected by the caller's identity alone (their
	// memberships, their projects), and on what is picked from it.
	own bool
	// dflt is the literal an identity value falls back to for an
	// anonymous caller (role ?? 'user').
	dflt string
	// coll marks an identity value that is a collection (new
	// Map(claims.teams), or [] for a caller a helper turned away): empty
	// for an anonymous caller, but truthy.
	coll bool
	// keys are the object keys a vResult has for an anonymous caller and
	// for one that passed the helper's checks.
	keys *resultKeys
	// props are the identity values an object literal holds, by key (a
	// helper's `return { isAuthenticated, userId }`): its members.
	props map[string]value
	// idDerived marks a value chosen by the identity (a ternary on
	// userId, a default for a missing role): comparing it is a check.
	idDerived bool
	// line is where the value was bound.
	line int
	// scope lists the request inputs that selected a record whose test is
	// an owner or organization check (singleRecord).
	scope []InputSource
	// scopeParams are the function's parameters that selected such a
	// record (a helper's `seat` read by its boardId parameter), or that
	// the records its checks tested were selected by (a helper's result
	// tested for null): at a call, the arguments there (argScope).
	scopeParams []paramUse
	// path is the request's URL path when the model evaluates a
	// middleware for one path (vReq, and the URL read from it); route is
	// the framework's route ID of that request (vReq, and its route
	// object), method its HTTP method (vReq).
	path, route, method string
	// hdrs marks the request's headers object (req.headers, Next.js
	// headers()): its members are header values (headers.go).
	hdrs bool
}

type resultKeys struct{ anon, ok map[string]bool }

// falsy reports whether the value is falsy for an anonymous caller.
func (v value) falsy() bool {
	switch v.kind {
	case vIdentity, vUser, vCred:
		return v.dflt == "" || v.dflt == "''" || v.dflt == "null" || v.dflt == "undefined" || v.dflt == "false"
	case vPred:
		return v.anon == isFalse
	case vLiteral:
		return v.lit == "null" || v.lit == "undefined" || v.lit == "false" || v.lit == "0" || v.lit == "''" || v.lit == `""`
	}
	return false
}

func (v value) identityish() bool {
	return v.kind == vIdentity || v.kind == vUser || v.kind == vPred || v.kind == vHas
}

// RoleName reports whether a name (a variable, a property, a claim or a
// header) carries a role or permission, as the model judges role
// comparisons.
func RoleName(name string) bool { return roleish(name) }

// roleish reports whether a name carries a role or permission.
func roleish(name string) bool {
	l := strings.ToLower(name)
	for _, k := range []string{"role", "admin", "permission", "isstaff", "superuser", "isowner", "plan", "tier"} {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

func orgish(name string) bool {
	l := strings.ToLower(name)
	return strings.Contains(l, "orgid") || strings.Contains(l, "org_id") || strings.Contains(l, "organizationid") ||
		strings.Contains(l, "orgslug") || l == "org"
}

// identityField classifies a property read from the Auth object.
func identityField(prop string) (value, bool) {
	af, ok := knowledge.AuthFieldOf(prop)
	if !ok {
		return value{}, false
	}
	switch {
	case prop == "has":
		return value{kind: vHas, authz: AuthzRole}, true
	case prop == "protect":
		return value{kind: vProtect}, true
	case !af.Identity || !af.OnAuthObject && prop != "isSignedIn" && prop != "sub":
		return value{}, false
	}
	v := value{kind: vIdentity, field: prop}
	if af.Authz {
		v.authz = AuthzRole
		if orgish(prop) {
			v.authz = AuthzOrg
		}
	}
	return v, true
}

// requestMember maps a property of the request object to its source.
func requestMember(prop string) (value, bool) {
	switch prop {
	case "params":
		return value{kind: vRequest, src: FromParams}, true
	case "query", "searchParams", "nextUrl", "url", "originalUrl", "path":
		return value{kind: vRequest, src: FromQuery}, true
	case "body", "rawBody", "files", "file":
		return value{kind: vRequest, src: FromBody}, true
	case "headers":
		return value{kind: vRequest, src: FromHeaders, hdrs: true}, true
	case "cookies", "signedCookies":
		return value{kind: vRequest, src: FromCookies}, true
	}
	return value{}, false
}

// credentialHeader reports whether a header or cookie name carries a
// credential an anonymous caller does not have.
func credentialName(name string) bool {
	l := strings.ToLower(name)
	for _, k := range []string{"authorization", "token", "session", "__session", "jwt", "auth", "api-key", "apikey", "x-api-key", "secret", "signature"} {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

func literalOf(f *jsast.File, n *jsast.Node) (value, bool) {
	n = jsast.Unwrap(n)
	if n == nil {
		return value{}, false
	}
	switch n.Type {
	case "null", "undefined", "true", "false", "number":
		return value{kind: vLiteral, lit: f.Text(n)}, true
	case "string", "template_string":
		if s, ok := f.StringValue(n); ok {
			if s == "" {
				return value{kind: vLiteral, lit: "''"}, true
			}
			return value{kind: vLiteral, lit: "s:" + s}, true
		}
	case "identifier":
		if f.Text(n) == "undefined" {
			return value{kind: vLiteral, lit: "undefined"}, true
		}
	}
	return value{}, false
}

// isStringLit reports a string or number literal.
func isStringLit(v value) bool {
	return v.kind == vLiteral && (strings.HasPrefix(v.lit, "s:") || v.lit != "" && v.lit[0] >= '0' && v.lit[0] <= '9')
}

func nullishLit(v value) bool {
	return v.kind == vLiteral && (v.lit == "null" || v.lit == "undefined" || v.lit == "false")
}
