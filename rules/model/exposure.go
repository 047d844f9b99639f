package model

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// Level is how much an entry that nothing guards exposes. The string
// values are part of the routes JSON contract.
type Level string

// Exposure levels, lowest first.
const (
	ExposeNone   Level = ""       // public by design: nothing a signed-out caller should not do
	ExposeMedium Level = "medium" // reads records whose owner the model cannot name, or sends mail
	ExposeHigh   Level = "high"   // writes, privileged Clerk calls, money, paid APIs, other users' records
)

func (l Level) rank() int {
	switch l {
	case ExposeHigh:
		return 2
	case ExposeMedium:
		return 1
	}
	return 0
}

// Exposure is what an unguarded entry lets a signed-out caller do, and
// how bad that is. It is the one public-by-design policy every
// unguarded-entry rule applies (Next.js, Pages Router, Node servers, and
// the adapters to come), so that an entry is reported, or not, for the
// same reason whichever rule looks at it.
type Exposure struct {
	Level  Level
	Effect Effect // the effect that decides the level
	Why    string // "writes data", "reads user records", ...
}

// Exposed applies the policy to an entry's verdict and effects (Guard and
// Effects, or OwnGuard for an entry that must check the caller itself):
//
//   - nothing is exposed unless the verdict is no or partial and a
//     signed-out caller reaches an effect (unknown is never exposed);
//   - a write that changes or deletes existing records, a privileged
//     Clerk Backend call, returning a Clerk User, money, a paid API and a
//     request to a caller-chosen URL are high;
//   - returning whole records of the app's user table that hold contact
//     data (ContactExposure) is not counted: it is CLK-RBAC-006's
//     finding (return the public fields), so an entry whose only
//     exposure is that read is left to it;
//   - returning a server secret (ReturnsSecret) is not counted: the
//     leaked value is CLK-SEC-012's finding (stop sending it, rotate it),
//     so an entry whose only exposure is the secret it returns is left to
//     that rule, and an entry that also writes or reads is reported for
//     that, once;
//   - a paid API called by an entry that a public page calls for its
//     visitors (Entry.ServesPublic: a guest AI helper) is the page's
//     feature, not exposed; cost abuse is a rate-limit question;
//   - a key-value write (knowledge.KeyValueCall) that no request input
//     and no identity reaches is a cache fill and exposes nothing;
//   - a write to a cache table (knowledge.CacheRecord: cache-aside) that
//     only path or query inputs reach, naming which item to refresh, is a
//     cache fill too;
//   - creating a record is high, except on a public form or beacon
//     (knowledge.PublicSubmission: contact, waitlist, registration, page
//     views) or an entry the middleware declares public, where adding a
//     record is the entry's purpose; sending mail is medium there too;
//   - reading is high when it reads records that hold someone's data
//     (knowledge.PersonalRecord; for a table the app's schema declares,
//     Effect.Personal judges it by its fields instead, Effect.Declared)
//     other than the caller's own session record, or when the entry is
//     in an area meant for signed-in users (knowledge.PrivateArea), or
//     when it selects records the
//     application marks as not public (Effect.Unpublished: drafts,
//     unapproved items), and medium when it selects records by a
//     request input without the publish filter (Effect.Published) the
//     entry's other reads of the same records apply, and medium when a
//     Server Action (called by its ID from any page, never a page that
//     shows public content itself) selects by a request input a record
//     the schema gives an owner (Effect.SchemaOwned), neither scoped to
//     the caller nor filtered on a publish flag, unless a public Client
//     Component page calls it for its visitors (Entry.ServesPublic) and no
//     owner field is chosen by the request; a read of records the model cannot
//     name is medium; a read of public content (a catalogue, published
//     posts, counts) and reading Clerk users for their public profile
//     (without returning the User objects) expose nothing;
//   - a read that no request input selects returns the same rows to
//     every caller: public by design (a lookup table, a blog's posts)
//     unless a rule above makes it high;
//   - outside such an area, a read selected by the caller's own identity
//     alone reads nothing for a signed-out caller (the identity is null),
//     unless the identity there is optional (user?.id: undefined drops
//     the filter); where the data library sends a null or undefined
//     filter value as text (Effect.NullSafeFilter: PostgREST), such a
//     read reads nothing in any area and however the identity is written;
//   - a read of an account table (users, organizations, members:
//     knowledge.AccountTable) or of personal records is high unless only
//     public fields of the records reach the result (Effect.PublicFields:
//     a profile's name and image), and so is any read of an entry the
//     application meant for signed-in users (MeantPrivate: behind a
//     wrapper that reads the identity but lets a signed-out caller
//     through, or below a layout that stops signed-out visitors);
//   - an entry at a path that is public by design (PublicByDesign:
//     webhooks, health checks, sign-in, a `public` segment) exposes
//     nothing.
func Exposed(e *Entry, v Verdict, fx Effects) Exposure {
	return ExposedWith(e, v, fx, nil)
}

// ExposedWith is Exposed knowing the records the application keeps to
// their owners (Model.PrivateRecords): returning one of them whole by the
// id a caller names, to a caller the entry never identifies, is medium
// (its owner's record to anyone holding the id).
func ExposedWith(e *Entry, v Verdict, fx Effects, private map[string]bool) Exposure {
	if v.Authn != AuthnNo && v.Authn != AuthnPartial {
		return Exposure{}
	}
	if v.Webhook != "" {
		// A webhook that verifies its provider's signature (on some paths):
		// its caller is the provider, not a user to sign in. A path that
		// skips the verification is the WH rules' finding, whose fix is to
		// verify, not auth.protect().
		return Exposure{}
	}
	if e.PathKnown && PublicByDesign(e.Path) {
		return Exposure{}
	}
	gated := publishGated(fx)
	byline := e.ServesPublic != "" && oneUserLookedUp(fx)
	var best Exposure
	for _, x := range fx.List {
		if x.Kind == ReturnsUser && byline {
			// One user a public page looks up for its visitors (an
			// author's byline): serving them is the entry's purpose; which
			// fields it returns is CLK-RBAC-006's concern, not a missing
			// sign-in check. Listing every user stays exposed.
			continue
		}
		if x.SignedOut != ReachYes || x.Kind == ReturnsSecret || x.AsCaller || ContactExposure(e, x) && x.ContactVia == "" {
			// A returned secret is CLK-SEC-012's finding, whoever else
			// reports the entry; other users' contact data returned whole
			// is CLK-RBAC-006's (rows of another table that bring user rows
			// along through a relation, ContactVia, are that table's data
			// too: a missing sign-in check stays exposed). A query run with the caller's own token
			// (AsCaller) is the database's to refuse: its per-user rules
			// apply to whatever token the caller sends.
			continue
		}
		l, why := exposureOf(e, x, gated)
		if l == ExposeNone && private[x.Record] && OneByID(x) && !x.OwnerScoped && !x.PublicFields && !x.Published {
			l, why = ExposeMedium, "returns the "+x.Record+" record the caller names by its id, which the application's other functions read only for its owner, to a caller it never identifies"
		}
		// A personal record read on the way (a lookup before a write) says
		// less than another effect of the same level.
		if l.rank() > best.Level.rank() || l.rank() > 0 && l == best.Level && best.Effect.Personal && !x.Personal {
			best = Exposure{Level: l, Effect: x, Why: why}
		}
	}
	return best
}

// ContactExposure reports whether an effect of an entry returns whole
// records of the app's user (or account) table whose schema holds contact
// data or a credential (Effect.Contact: email, phone, push token) to a
// caller the read does not scope to their own record (OwnerScoped), or
// includes such records through a Prisma relation (ContactVia), and
// that is the whole concern: other users' contact data, CLK-RBAC-006's
// finding whether or not the entry is guarded. An entry meant for
// signed-in users or admins (privateEntry) exposes more than contact data
// when nothing guards it: the unguarded-entry rules report it.
func ContactExposure(e *Entry, x Effect) bool {
	return ContactRead(x) && !privateEntry(e)
}

// ContactRead reports whether a read returns whole records holding
// contact data of users other than the caller: rows of a user table whose
// schema holds contact fields (Effect.Contact) that it does not scope to
// the caller's own (OwnerScoped), or such rows brought in through a
// relation (Effect.ContactVia), even on the caller's own rows (their
// subscriptions including each creator whole), except the caller's own
// rows of their organization (where: { assigneeId: me, project: {
// organizationId: orgId } }): the users those rows name are members of
// the caller's organization on the caller's own records. Who
// may see them is the entry's guard: a check of the caller's role
// keeps them from other callers, a sign-in check alone does not (any
// signed-in user of an app open to sign-up is anyone). A read that
// selects only records the application marks as shown to everyone
// (Effect.Shown: a portfolio its owner published, contact details
// included) returns what their owners chose to show.
func ContactRead(x Effect) bool {
	return x.Kind == ReadsData && !x.Shown && (x.Contact && !x.OwnerScoped || x.ContactVia != "" && !(x.OwnerScoped && x.Authz&AuthzOrg != 0))
}

// privateEntry reports whether an entry lives in an area meant for
// signed-in users (knowledge.PrivateArea; the module segments of a Convex
// function path count: api.admin.listUsers) or behind a layer
// MeantPrivate names.
func privateEntry(e *Entry) bool {
	if e.PathKnown && knowledge.PrivateArea(areaPath(e)) {
		return true
	}
	_, ok := MeantPrivate(e)
	return ok
}

// areaPath is the path whose segments name the area of an entry: its
// path with dots as separators (a tRPC procedure admin.listUsers is
// admin/listUsers), and for a Convex function path (api.admin.list) its
// module segments without those naming an account table
// (knowledge.AccountTable): a module named after the records it serves
// (profile.ts, members.ts) says which data its functions read, not that
// only signed-in users call them; whether those records may be shown to
// everyone is the schema's answer (Effect.Contact, Effect.Personal).
func areaPath(e *Entry) string {
	if e.Framework != knowledge.Convex || strings.HasPrefix(e.Path, "/") {
		return strings.ReplaceAll(e.Path, ".", "/")
	}
	var segs []string
	for _, s := range strings.Split(e.Path, ".") {
		if !knowledge.AccountTable(s) {
			segs = append(segs, s)
		}
	}
	return strings.Join(segs, "/")
}

// oneUserLookedUp reports whether the entry's only Clerk Backend reads
// look up one user by id (users.getUser): no listing of users.
func oneUserLookedUp(fx Effects) bool {
	one := false
	for _, x := range fx.List {
		bc, ok := knowledge.BackendCallIn(x.Call)
		if !ok || x.Kind != ReadsData {
			continue
		}
		if bc.Resource != "users" || bc.Method != "getUser" {
			return false
		}
		one = true
	}
	return one
}

// publishGated returns the records (Effect.Record) some read of the
// entry selects by a publish flag (isPublished: true, visibility:
// 'PUBLIC'): the entry itself says the others are not for everyone.
func publishGated(fx Effects) map[string]bool {
	var out map[string]bool
	for _, x := range fx.List {
		if x.Kind == ReadsData && x.Published && x.Record != "" {
			if out == nil {
				out = map[string]bool{}
			}
			out[x.Record] = true
		}
	}
	return out
}

func exposureOf(e *Entry, x Effect, gated map[string]bool) (Level, string) {
	open := submissionEntry(e)
	switch x.Kind {
	case ClerkPrivilege:
		return ExposeHigh, "calls a privileged Clerk Backend API"
	case ReturnsUser:
		return ExposeHigh, "returns Clerk user objects"
	case MovesMoney:
		return ExposeHigh, "moves money"
	case PaidAPI:
		if e.ServesPublic != "" {
			// A paid API a public page calls for its visitors (a guest AI
			// helper): the feature itself; that anyone can spend it is a
			// rate-limit question, not a missing sign-in check.
			return ExposeNone, ""
		}
		return ExposeHigh, "spends a paid API"
	case Outbound:
		return ExposeHigh, "requests a URL the caller chooses"
	case SetsCookie:
		// A cookie granting a paid tier: signing the caller in does not
		// stop them granting it to themselves (CLK-RBAC-005's finding).
		return ExposeNone, ""
	case Relays:
		// Another API's record fetched without the server's credentials:
		// that API answers the caller directly too, so an entry nothing
		// guards adds no exposure. Only a gate the application put in
		// front of it (CLK-RP-019's matcher advisory) says it is private.
		return ExposeNone, ""
	case SendsMail:
		if open {
			return ExposeNone, ""
		}
		return ExposeMedium, "sends mail"
	case WritesData:
		if len(x.Request) == 0 && !x.OwnerScoped && !x.OwnerOptional && knowledge.KeyValueCall(x.Call) {
			// A value the server computed, stored under a key the caller
			// does not choose: a cache fill, the same for every caller.
			return ExposeNone, ""
		}
		if knowledge.CacheRecord(x.Record) && !x.OwnerScoped && selectsOnly(x.Request) {
			// A cache refreshed on demand (cache-aside): the request names
			// at most which item (a ticker in the query); the stored value
			// is the server's own copy, the same for every caller.
			return ExposeNone, ""
		}
		if x.Selects {
			return ExposeHigh, "changes or deletes stored records"
		}
		if open {
			return ExposeNone, ""
		}
		return ExposeHigh, "creates records"
	case ReadsData:
		return readExposure(e, x, gated)
	}
	return ExposeMedium, string(x.Kind)
}

func readExposure(e *Entry, x Effect, gated map[string]bool) (Level, string) {
	// Reading Clerk users to render their public profile (an author's
	// name and avatar) is what a public page does; returning the User
	// objects is ReturnsUser (and CLK-RBAC-006's concern), and a
	// privileged call is ClerkPrivilege.
	_, clerkUsers := knowledge.BackendCallIn(x.Call)
	model, method := recordOf(x.Call)
	if x.Record != "" && strings.Contains(model, "(") {
		// A builder chain's step (Go's db.Preload("User").Find) names no
		// model; the record the analysis named does (db.Model(&Note{})).
		model = x.Record
	}
	if model == "" {
		model = x.Table // db.select().from(accounts), supabase.from('users')
	}
	if model == "" {
		model = x.Record // a later step of db.select().from(accounts).where(...)
	}
	private := e.PathKnown && knowledge.PrivateArea(e.Path)
	ownSession := len(x.Request) > 0
	for _, s := range x.Request {
		ownSession = ownSession && s == FromCookies
	}
	switch {
	case x.EmptyWithoutIdentity() || x.OwnerScoped && len(x.Request) == 0 && !x.OwnerOptional && !private:
		// Selected by the caller's own identity, null when signed out: it
		// reads nothing. Where the library sends a null or undefined filter
		// as text (NullSafeFilter) that holds in any area and for an
		// optional identity (user?.id) too.
		return ExposeNone, ""
	case x.Table != "" && knowledge.AccountTable(x.Table) && !x.PublicFields:
		return ExposeHigh, "reads users' or organizations' records"
	case x.Personal && !x.PublicFields:
		return ExposeHigh, "reads personal records (`" + x.Table + "`: an owner's contact data)"
	case !clerkUsers && model != "" && !x.Declared && knowledge.PersonalRecord(model) && !ownSession && !countOnly(method) && !x.PublicFields:
		return ExposeHigh, "reads " + model + " records"
	case private:
		return ExposeHigh, "reads data in an area meant for signed-in users"
	case x.Unpublished:
		return ExposeHigh, "reads records the application marks as not public"
	case x.PublishSwitch && !x.OwnerScoped:
		return ExposeMedium, "leaves out the publish filter of its query when the request asks for it, so anyone reads the records the application hides"
	case x.HiddenBy != "" && len(x.Request) == 0 && !x.OwnerScoped && !x.PublicFields && !countOnly(method):
		// A count returns a number, not the hidden records.
		return ExposeMedium, "lists " + x.Record + " records without filtering on `" + x.HiddenBy + "`, which the schema sets false for new ones, so unpublished ones are returned too"
	case x.SchemaOwned && x.Record != "" && BlindContext(e) != nil:
		return ExposeMedium, "reads " + x.Record + " records, which the schema gives an owner, and `" + BlindContext(e).Name + "` gives it no identity to select the caller's own"
	case x.SchemaOwned && x.Record != "" && e.Kind == ServerAction && x.Selects && len(x.Request) > 0 && !x.OwnerScoped && !x.PublicFields && !x.Published &&
		(e.ServesPublic == "" || x.OwnerFromRequest != ""):
		return ExposeMedium, "returns the " + x.Record + " record the caller names, which the schema gives an owner, to a caller it never identifies"
	case gated[x.Record] && !x.Published && x.Selects && len(x.Request) > 0:
		return ExposeMedium, "selects " + x.Record + " records by a value the caller chooses without the publish filter its other reads of them apply, so unpublished ones are returned too"
	}
	if l, ok := MeantPrivate(e); ok {
		switch {
		case l.Via == ViaLayout:
			return ExposeHigh, "reads data below `" + l.Name + "`, which stops signed-out visitors only on navigation"
		case l.ByPath:
			return ExposeHigh, "reads data the path check of `" + l.Name + "` is meant to protect"
		case l.Via == ViaNavigation:
			return ExposeHigh, "reads data for a route whose `" + l.Name + "` stops signed-out visitors only on navigation"
		}
		return ExposeHigh, "reads data behind `" + l.Name + "`, which lets a signed-out caller through"
	}
	switch {
	case clerkUsers, e.Public != "", len(x.Request) == 0:
		return ExposeNone, "" // the same rows for every caller: public by design
	case model == "":
		return ExposeMedium, "reads stored data"
	}
	return ExposeNone, "" // public content: a catalogue, published posts, counts
}

// MeantPrivate returns the layer that shows an entry was meant for
// signed-in users though it does not stop a signed-out caller: a wrapper
// that reads the identity but lets a signed-out caller through (a custom
// Convex builder that catches the missing identity), a layout above it
// that stops signed-out visitors (it does not run for the entry's own
// requests), or a middleware path check that rejects signed-out requests
// to it (asked with the entry's own verdict: the check can be bypassed),
// or a route whose navigation guard stops signed-out visitors calls it
// (a TanStack Start server function a `beforeLoad`-guarded route calls).
// Every read behind it counts.
func MeantPrivate(e *Entry) (Layer, bool) {
	for _, l := range e.Chain {
		switch {
		case l.Via == ViaWrapper && l.Gate == GateAttaches,
			l.Via == ViaLayout && !l.Hides && (l.Gate == GateRejects || l.Gate == GateRedirects || l.Gate == GatePartial),
			l.ByPath && (l.Gate == GateRejects || l.Gate == GateRedirects),
			l.Via == ViaNavigation:
			return l, true
		}
	}
	return Layer{}, false
}

// PublicByDesign reports whether a route path is public by design:
// webhooks (the WH rules cover them), health checks, sign-in and sign-up,
// crawler and metadata files, and a `public` segment
// (knowledge.PublicRoute; marketing segments make only pages public).
func PublicByDesign(routePath string) bool {
	r, ok := knowledge.PublicRoute(routePath)
	if !ok {
		return false
	}
	if r != knowledge.Marketing && r != knowledge.CapabilityLink {
		return true
	}
	for _, seg := range strings.Split(strings.ToLower(routePath), "/") {
		if seg == "public" {
			return true
		}
	}
	return false
}

// selectsOnly reports whether the request inputs that reach an effect
// can only name an item (a path segment or query parameter), not carry
// a value to store (a body, a form, a header or cookie).
func selectsOnly(srcs []InputSource) bool {
	for _, s := range srcs {
		if s != FromQuery && s != FromParams {
			return false
		}
	}
	return true
}

// submissionEntry reports whether adding a record is the entry's purpose:
// the middleware declares it public, or it is a public form or beacon.
func submissionEntry(e *Entry) bool {
	if e.Public != "" {
		return true
	}
	if e.PathKnown && e.Path != "" && knowledge.PublicSubmission(e.Path) {
		return true
	}
	return e.Kind == ServerAction && (knowledge.PublicSubmission(e.Name) || knowledge.PublicSubmission(e.File))
}

// recordOf names the model or table a data call reads and its method:
// "db.user.findMany" is user and findMany, "Blog.find" is Blog and find;
// a call whose table is an argument (db.select(), supabase.from()) names
// none.
func recordOf(call string) (model, method string) {
	segs := strings.Split(call, ".")
	method = segs[len(segs)-1]
	if len(segs) < 2 {
		return "", method
	}
	m := segs[len(segs)-2]
	switch {
	case len(segs) == 2 && m == "sql":
		return method, "" // sql.users: a SQL statement on the users table
	case len(segs) == 2 && m != "" && m[0] >= 'A' && m[0] <= 'Z':
		return m, method // an ORM model: User.find
	case len(segs) >= 3 && !chainWords[m]:
		return m, method // a client's model: prisma.user.findMany
	}
	return "", method
}

// chainWords are the builder steps of query APIs whose table is an
// argument (db.select().from(t), supabase.from('t').select(),
// db.collection('t').find()): not a model name.
var chainWords = map[string]bool{"from": true, "select": true, "where": true, "query": true, "table": true,
	"collection": true, "doc": true, "docs": true, "insert": true, "update": true, "delete": true, "eq": true,
	"orderBy": true, "limit": true, "single": true, "rpc": true, "selectFrom": true, "insertInto": true}

// countOnly reports whether a read returns a number, not records.
func countOnly(method string) bool {
	switch jsast.LastSegment(method) {
	case "count", "countDocuments", "estimatedDocumentCount", "_count":
		return true
	}
	return false
}

// BlindContext returns the tRPC context layer of an entry whose context
// factory never reads the request (ViaContext): none of its procedures
// can know the caller, so records the schema gives an owner are every
// owner's, returned to whoever asks.
func BlindContext(e *Entry) *Layer {
	for i := range e.Chain {
		if e.Chain[i].Via == ViaContext {
			return &e.Chain[i]
		}
	}
	return nil
}
