package model

import (
	"sort"
	"strings"
)

// Authn says whether a signed-out caller is stopped before the entry's
// effects. The string values are part of the routes JSON contract.
type Authn string

// Authentication verdicts. Unknown is not "unguarded": it means the model
// could not tell (a file it could not read, a middleware handler it could
// not evaluate, middleware from a package that may authenticate).
const (
	AuthnYes     Authn = "yes"     // every path to an effect checks the caller first
	AuthnNo      Authn = "no"      // nothing stops a signed-out caller
	AuthnPartial Authn = "partial" // some paths check, others reach effects unchecked
	AuthnUnknown Authn = "unknown"
)

// Authz is how the caller is authorized, as a set.
type Authz uint8

// Authorization checks.
const (
	AuthzOwner Authz = 1 << iota // an owner comparison or an owner-scoped query
	AuthzRole                    // a role or permission check (has(), a role claim, an admin flag)
	AuthzOrg                     // organization scoping (orgId)
	AuthzNone  Authz = 0
)

// Names returns the checks' names ("owner", "role", "org"), or nil.
func (a Authz) Names() []string {
	var out []string
	if a&AuthzOwner != 0 {
		out = append(out, "owner")
	}
	if a&AuthzRole != 0 {
		out = append(out, "role")
	}
	if a&AuthzOrg != 0 {
		out = append(out, "org")
	}
	return out
}

func (a Authz) String() string {
	if a == 0 {
		return "none"
	}
	return strings.Join(a.Names(), "+")
}

// Via says what performs a check. The string values are part of the
// routes JSON contract.
type Via string

// Where a check is made.
const (
	ViaMiddleware Via = "middleware" // the Next.js middleware/proxy file, or route-level middleware
	ViaRouterUse  Via = "router-use" // app.use()/router.use() or a mount's middleware
	ViaHandler    Via = "handler"    // the handler's own body
	ViaWrapper    Via = "wrapper"    // a higher-order function around the handler
	ViaHelper     Via = "helper"     // a function the handler calls
	ViaLayout     Via = "layout"     // a Next.js layout above a page
	ViaSecret     Via = "secret"     // a shared secret (CRON_SECRET, an API key header)
	ViaProcedure  Via = "procedure"  // a tRPC procedure base's or the procedure's own .use() middleware; an action client's .use() middleware
	ViaContext    Via = "context"    // a tRPC context factory (createContext) that never reads the request
	// ViaNavigation is a router's navigation guard (TanStack Router's
	// beforeLoad) on a route that calls the entry: it runs when a visitor
	// navigates to the route, not when the entry is requested itself.
	ViaNavigation Via = "navigation"
)

// Proof is a place that supports a verdict or an effect.
type Proof struct {
	Location
	What string `json:"what"`
}

// Verdict is the guard verdict of one entry.
type Verdict struct {
	Authn Authn
	Authz Authz
	// Via lists what performs the checks, in the order they run.
	Via []Via
	// Proof locates the checks (for AuthnNo: the places that read the
	// identity without rejecting, when any).
	Proof []Proof
	// Why is one sentence a user can read.
	Why string
	// Checked is the part of Authz decided by checks (an owner comparison
	// that exits, has(), a role middleware), leaving out the owner scoping
	// of the entry's own queries.
	Checked Authz
	// Webhook is the provider whose webhook signature the entry verifies
	// before its effects ("svix", "clerk", "stripe"; knowledge.VerifierOf),
	// "" otherwise. Its caller is the provider, not a user: route rules
	// and fix texts must not ask it to sign in.
	Webhook string
}

// Guarded reports whether a signed-out caller is certainly stopped.
func (v Verdict) Guarded() bool { return v.Authn == AuthnYes }

func (v *Verdict) addVia(x Via) {
	for _, y := range v.Via {
		if y == x {
			return
		}
	}
	v.Via = append(v.Via, x)
}

// EffectKind is what an effect does. The string values are part of the
// routes JSON contract.
type EffectKind string

// Effect kinds.
const (
	ReadsData      EffectKind = "read"             // reads stored data (including Clerk users)
	WritesData     EffectKind = "write"            // creates, changes or deletes stored data
	ClerkPrivilege EffectKind = "clerk-privileged" // a privileged Clerk Backend API call
	ReturnsUser    EffectKind = "returns-user"     // returns a Clerk User object to the caller
	ReturnsSecret  EffectKind = "returns-secret"   // returns a server secret (a key, a database URL) to the caller
	SendsMail      EffectKind = "mail"             // sends mail or messages
	MovesMoney     EffectKind = "money"            // charges, refunds, transfers
	PaidAPI        EffectKind = "paid-api"         // calls a paid external API (LLMs, media generation)
	Outbound       EffectKind = "outbound"         // an HTTP request to a URL the caller chooses (server-side request forgery)
	// Relays: returns another API's record that the request names, fetched
	// without the server's credentials (a proxy; see relayedRead).
	Relays EffectKind = "relay"
	// SetsCookie: sets a response cookie to a paid entitlement
	// (proPaid=true; Grants names the cookie, GrantsPaidPlan is set): the
	// response tells the browser the caller has the paid tier.
	SetsCookie EffectKind = "cookie"
)

// Effect is one thing an entry does.
type Effect struct {
	Kind EffectKind
	// Call is the call as written ("db.post.findMany",
	// "clerkClient.users.updateUserMetadata"), or the returned value.
	Call string
	Location
	// Via lists the helpers the effect was reached through, outermost
	// first ("getPosts (lib/posts.ts:4)").
	Via []string
	// SignedOut says whether a signed-out caller reaches it (the entry's
	// middleware and wrappers are taken into account).
	SignedOut Reach
	// Authz are the authorization checks passed before it.
	Authz Authz
	// Request lists the request inputs its arguments use (for a query:
	// the values that select the records).
	Request []InputSource
	// CheckedBy lists the request inputs that selected the records whose
	// test granted Authz (the caller's membership looked up by
	// ?workspaceId, then `if (!member) return 403`), when every check
	// passed before the call was such a record test; nil when some check
	// of another kind (a role, a comparison, a helper) took part. A
	// select by inputs none of which is among them acts on a record the
	// check did not cover.
	CheckedBy []InputSource
	// OwnerScoped is set when the call's arguments use the verified
	// identity (where: { id, userId }).
	OwnerScoped bool
	// AsCaller is set on a data call made through a client that sends the
	// caller's own token (a Supabase client created with the request's
	// Authorization header or an accessToken callback): the database runs
	// it as that user, so its per-user rules (Row Level Security,
	// functions that read auth.jwt()) decide which rows it reaches, and an
	// invalid token is refused there. A client made with a privileged key
	// (service role) is never one.
	AsCaller bool
	// Selects is set for a call that selects existing records (a read,
	// update or delete, not an insert).
	Selects bool
	// Record names the collection or table the call touches ("post" for
	// db.post.findMany, "File" for File.findById, "notes" for
	// supabase.from('notes')), or "" when it cannot be told.
	Record string
	// OwnerFromRequest is the owner or tenant field ("userId", "orgId")
	// of a filter or a new record whose value the caller chooses, or "".
	OwnerFromRequest string
	// OwnerOptional is set when the identity in the call's arguments is
	// optional-chained (user?.id): undefined for a signed-out caller, and
	// an undefined filter matches every row.
	OwnerOptional bool
	// NullSafeFilter is set when the call's data library sends a null or
	// undefined filter value as text (knowledge.NullFilterAsText,
	// PostgREST): a filter on a missing identity matches no row, however
	// the identity is written.
	NullSafeFilter bool
	// NullSafeOwner is set when every record the call selects must have
	// an owner field equal to the caller's identity converted to text or
	// a number (String(ctx.userId), `${userId}`): a signed-out caller's
	// "null" matches no record, whatever else the request adds to the
	// filter.
	NullSafeOwner bool
	// rowFiltered is set when the call's filter takes a value from a field
	// of another record the handler read (the children of an organization
	// looked up by the URL's slug): no listing of the whole collection.
	rowFiltered bool
	// Grants is the authorization-bearing field ("role", "plan",
	// "publicMetadata") a privileged Clerk call writes with a value the
	// caller chooses, or with a role literal, or that a data write sets
	// from the request (a `role` column); "" when it writes none.
	Grants string
	// GrantsPaidPlan is set when Grants is a plan column a data write
	// sets to a paid plan constant (plan: 'premium', isPro: true,
	// knowledge.PaidPlanGrant): the fulfillment of a payment, which a
	// payment provider confirms (Effects.Payment) or a verified webhook
	// makes.
	GrantsPaidPlan bool
	// OtherUsers is set on a ReturnsUser effect when the users sent are not
	// (only) the caller: users.getUser(id), users.getUserList().
	OtherUsers bool
	// Table is the table or collection the call names as a literal
	// (ctx.db.query("users"), supabase.from("users")) or the schema object
	// a query builder selects from (db.select().from(accounts)), "" when none.
	Table string
	// StartsCheckout is set on a MovesMoney call that only opens a
	// checkout for the customer to confirm on the provider's page
	// (stripe.checkout.sessions.create, knowledge.CheckoutStart): nothing
	// is charged until the payer confirms there.
	StartsCheckout bool
	// Unpublished is set for a read that selects records the application
	// marks as not public (isPublished: false, approved: false, status:
	// 'draft'): the application itself says they are not for everyone.
	Unpublished bool
	// Published is set for a read that selects only records the
	// application marks as public (visibility: 'PUBLIC', isPublished:
	// true): the other records are not for everyone.
	Published bool
	// Shown is set on a Published read whose flag says the records are
	// shown to everyone (isPublished, isPublic, visible, visibility:
	// 'PUBLIC'), not only active or approved: their owners chose to
	// show them.
	Shown bool
	// PublishSwitch is set for a read whose publish filter (a GROQ
	// `&& visible`, where: { published: true }) is applied or left out by
	// a conditional whose condition the request chooses (?show-hidden=true)
	// and no identity takes part in: the caller decides whether the
	// records the application hides are returned.
	PublishSwitch bool
	// OwnerlessToo is set on a read or write whose owner filter also
	// admits records without an owner (or(eq(t.userId, userId),
	// isNull(t.userId))): it is not scoped to the caller.
	OwnerlessToo bool
	// Counter is set on a write whose every field is a counter stepped
	// from its current value by a constant (likeCount: post.likeCount + 1,
	// Prisma's { increment: 1 }): a like or a reply count the application
	// lets every signed-in user bump on records it shows them, not a
	// change of the record's content in another user's name.
	Counter bool
	// Touch is set on a write whose every field is a counter step or
	// the current time (lastSeenAt: new Date(), updatedAt: Date.now()):
	// bookkeeping of a visit, which changes nothing a user chose.
	Touch bool
	// Unlinks is set on a write whose every change removes the caller's
	// own link from a relation of the selected record (Prisma's
	// { members: { disconnect: { id: <the caller's id> } } }): leaving a
	// team or a project changes nothing another user wrote.
	Unlinks bool
	// Appends is set on a write whose every change appends to an array
	// of the selected record an entry naming the caller (MongoDB's
	// { $push: { applications: { applicantId: <the caller's id> } } },
	// Prisma's { likedBy: { push: <the caller's id> } }): the embedded
	// form of a record the caller creates in their own name about the
	// selected one (an application, a review, a follow).
	Appends bool
	// Links is set on an update whose every written field is the
	// caller's own identity ({ clerkId: userId }): it links the selected
	// record to the signed-in user (an invited user's row claimed on
	// first visit) and changes nothing else.
	Links bool
	// linkParams are the parameters of a helper whose arguments must be
	// the identity for Links to hold at the call site.
	linkParams []paramUse
	// Reference is the field of a filter or of a new record that refers
	// to another record by an id the caller chooses (folderId, file_id:
	// not the owner and tenant fields of OwnerFromRequest), or "". Whether
	// that record is private is Model.OwnedRecords' answer
	// (ReferencedRecord).
	Reference string
	// NullOwner is set when a field of the call's object filter or new
	// record holds the bare identity ({ user: userId }): for a signed-out
	// caller it is null, so the record is stored with a null owner, and an
	// object filter on null matches the records stored that way (Prisma,
	// Mongoose and MongoDB, Sequelize, knex: IS NULL, not SQL's = NULL).
	NullOwner bool
	// HiddenBy is the publish flag (published, visible) the application's
	// schema declares for the Record with a default that keeps new rows
	// unpublished (Prisma @default(false), Drizzle .default(false)), on a
	// read with no filter at all (every row); "" otherwise.
	HiddenBy string
	// SchemaOwned is set when the application's Prisma schema gives the
	// Record an owner field (userId, ownerId, authorId): its rows belong
	// to users.
	SchemaOwned bool
	// PublicFields is set on a read whose records reach the entry's
	// result only through public fields of them: the value read is used
	// for its name or image (return { name: user?.name }) and in tests,
	// never returned, spread or passed on whole, and no field holds
	// contact data or a credential (email, phone, token).
	PublicFields bool
	// ScalarResult is set on a read whose records reach the result of the
	// function that reads them only as a yes/no or a count: the records
	// are used field by field and in tests (readsFieldsOnly), and every
	// value the function returns is a boolean, a comparison or a count
	// (`return !orgLimit || orgLimit.count < max`, `return row.count`,
	// `return !!isValid`), or the read is a helper's whose caller only
	// tests the helper's result (`if (!org) notFound()`: testedRead).
	// Nothing the records hold leaves the server with the response.
	ScalarResult bool
	// Contact is set on a read of an account table (knowledge.AccountTable)
	// whose records reach the result whole (not PublicFields, nor used
	// only field by field: a push token read to notify its owner) while the
	// app's schema for that table holds contact data or a credential
	// (email, phone, push token): see ContactExposure.
	Contact bool
	// ContactVia names the relation (as the read names it) through which
	// a Prisma read returns rows of a model the app's schema gives an
	// email, phone or credential field: included or selected whole
	// (db.certificate.findUnique({ include: { user: true } })), or
	// selecting its email; not the caller's own user record (the
	// relation whose foreign key the filter compares with the identity).
	// The caller's own rows that include other users' records this way
	// carry their contact data too. "" otherwise; see ContactRead.
	ContactVia string
	// BodyRecord is set on a write of a record the request body was decoded
	// into whole (gin's c.ShouldBindJSON(&b), json.NewDecoder(r.Body).Decode(&b))
	// and that is written as it came (db.Save(&b), Updates(b)), directly or
	// through helpers: the caller chooses every field, the primary key and
	// the owner included. It is not set when a field of it was set from the
	// identity first (b.UserID = uid), when an owner-scoped query selected
	// by it ran first (the stored row loaded by its id and the caller's id),
	// or when a check that ends the request compared a value with the
	// identity before the write (Go).
	BodyRecord bool
	// bodyParam is, inside a helper's summary, the parameter (1-based) the
	// write takes whole, resolved at each call (Go).
	bodyParam int
	// refParam is, inside a helper's summary, a SQL filter column that
	// refers to another record by the helper's parameter: Reference when
	// the caller's argument is request input, resolved at each call (Go).
	refParam goParamRef
	// ownerParam is, inside a helper's summary, the user column of an
	// INSERT that the helper's parameter fills: OwnerFromRequest when the
	// caller's argument is request input, resolved at each call (Go).
	ownerParam goOwnerParam
	// Personal is set on a read of a table that is not an account table
	// whose records reach the result whole while the app's schema says
	// each belongs to one user and holds that person's contact data or a
	// credential (a profile: `userId` plus `contactEmail`, `phone`); a
	// catalogue table without such fields is not personal.
	Personal bool
	// Declared is set on a read of a table the app's schema declares
	// (a Convex defineSchema table, or a Prisma model that links two other
	// models and holds no contact data: prismaJoinRows): Personal and
	// Contact judge its records by the fields it declares, so its name
	// (comments, reviews, User_Recipe) says nothing more about whose data
	// it holds.
	Declared bool
}

// Reach says whether a signed-out caller reaches an effect. The string
// values are part of the routes JSON contract.
type Reach string

// Reach values.
const (
	ReachYes     Reach = "yes"
	ReachNo      Reach = "no"
	ReachUnknown Reach = "unknown"
)

// Effects is what an entry does.
type Effects struct {
	List []Effect
	// Incomplete is set when a helper could not be read or followed: the
	// entry may do more than List shows.
	Incomplete bool
	// Payment is set when the entry calls a payment provider's API
	// (knowledge.PaymentProvider: Stripe, Lemon Squeezy, Paddle, ...),
	// which may confirm the payment a plan it sets was bought with. A
	// call that only starts a checkout (knowledge.CheckoutStart: Stripe's
	// checkout.sessions.create) confirms nothing and does not set it.
	Payment bool
}

// Has reports whether any effect is of one of the kinds.
func (es Effects) Has(kinds ...EffectKind) bool {
	for _, e := range es.List {
		for _, k := range kinds {
			if e.Kind == k {
				return true
			}
		}
	}
	return false
}

// TouchesUserData reports whether the entry reads or writes data, calls a
// privileged Clerk API, returns a user, or sends mail or money.
func (es Effects) TouchesUserData() bool { return len(es.List) > 0 }

// EmptyWithoutIdentity reports a read selected by the caller's own
// identity alone through a library that sends a missing identity as text
// (NullSafeFilter, PostgREST), or one whose filter requires the identity
// converted to text (NullSafeOwner) whatever else it selects by: a
// caller without an identity reads no row.
func (x Effect) EmptyWithoutIdentity() bool {
	return x.Kind == ReadsData && x.OwnerScoped && (x.NullSafeFilter && len(x.Request) == 0 || x.NullSafeOwner)
}

// Kinds returns the distinct kinds of the effects, in a fixed order.
func (es Effects) Kinds() []EffectKind {
	order := []EffectKind{ReadsData, WritesData, ClerkPrivilege, ReturnsUser, ReturnsSecret, SendsMail, MovesMoney, PaidAPI, Outbound, Relays}
	var out []EffectKind
	for _, k := range order {
		if es.Has(k) {
			out = append(out, k)
		}
	}
	return out
}

// InputSource is where a value comes from. The string values are part of
// the routes JSON contract.
type InputSource string

// Input sources.
const (
	FromParams   InputSource = "params"   // path parameters
	FromQuery    InputSource = "query"    // the query string
	FromBody     InputSource = "body"     // the request body (JSON, text)
	FromForm     InputSource = "form"     // form data
	FromHeaders  InputSource = "headers"  // request headers
	FromCookies  InputSource = "cookies"  // cookies
	FromArgs     InputSource = "args"     // a Server Action's arguments
	FromIdentity InputSource = "identity" // the verified identity (userId, orgId, the current user)
	// FromToken is a claim of a token decoded without verifying its
	// signature (jose.decodeJwt, atob(token.split('.')[1])): whatever the
	// caller wrote in it.
	FromToken InputSource = "token"
)

// Input is one value of an entry and where it comes from.
type Input struct {
	Name   string
	Source InputSource
	Location
}

func sortSources(s []InputSource) []InputSource {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
