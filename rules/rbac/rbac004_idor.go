package rbac

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RBAC004 is the IDOR policy over the model: an entry that checks the
// caller is signed in, then reads or writes records selected by a value
// the caller chooses, with no owner scoping, owner comparison or role,
// permission or organization check before it. It also reports filters on
// an optional-chained identity, which a signed-out caller turns into no
// filter at all.
var RBAC004 = &rules.Rule{
	ID:         "CLK-RBAC-004",
	Name:       "idor-request-scoped-query",
	Pack:       rules.PackRBAC,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Files:      modelFiles,
	Doc: rules.Doc{
		Title: "records selected by a request-supplied id with no owner or role check",
		References: []string{
			"https://clerk.com/docs/guides/secure/authorization-checks",
			"https://clerk.com/docs/guides/secure/protect-content",
			"https://www.prisma.io/docs/orm/v6/prisma-client/special-fields-and-types/null-and-undefined",
		},
		Text: "A handler, Server Action or route that checks the caller is signed in knows who they are. When it then reads, " +
			"changes or deletes records selected by an id the caller chooses (a path parameter, the query string, the body, " +
			"form data, a Server Action's argument) and nothing ties those records to the caller (no `where: { id, userId }`, " +
			"no comparison of the record's owner with the caller that answers 403, no `has({ role })`, no organization " +
			"scoping), any signed-in user can read or change another user's records by editing the id (IDOR). The same holds " +
			"for a record created or filtered with an owner or tenant field from the request (`data: { ownerId: body.ownerId }`), " +
			"and for a record with no owner of its own created or listed through a reference to another user's record " +
			"(`data: { folderId: body.folderId }` where folders belong to users) that nothing checks is the caller's. " +
			"A record written with its user field (owner, author or actor) from the request is reported even where the entry checks no " +
			"caller: a sign-in check added there still leaves it written in whichever user's name the request gives; take the id from the " +
			"request's verified auth object instead. " +
			"In Go, a record the request body is decoded into whole (`c.ShouldBindJSON(&b)`) and saved as it came (`db.Save(&b)`) " +
			"lets the body choose the row it overwrites and its owner, unless the stored row is loaded by its id and the caller's id first " +
			"or its owner is compared with the caller; a check of the caller's own attributes (their plan) is not such a check. " +
			"Reads of data the application shows to everyone (records it never scopes by owner) are not reported, nor are reads whose " +
			"records reach the response only as a yes/no or a count (`return !!plan`, `return quota.count`), nor writes " +
			"that only step a counter from its current value (`likeCount: post.likeCount + 1`, `{ increment: 1 }`): liking or " +
			"replying to a record the caller is shown changes nothing its author wrote, and neither does leaving one (a write " +
			"whose only change disconnects the caller's own record from a relation, `{ members: { disconnect: { id: userId } } }`). A related " +
			"mistake: an optional-chained identity such as `user?.id` in a Prisma `where` becomes `undefined` for a signed-out " +
			"caller, and Prisma treats `undefined` as \"no filter\", so every row matches.",
		Bad: `export async function DELETE(_req: Request, { params }) {
  const { userId } = await auth.protect()
  const { id } = await params
  await db.note.delete({ where: { id } })
}`,
		Good: `export async function DELETE(_req: Request, { params }) {
  const { userId } = await auth.protect()
  const { id } = await params
  await db.note.delete({ where: { id, ownerId: userId } })
}`,
	},
	Fix: fixRBAC004,
	Run: runRBAC004,
}

// modelFiles selects the files of the rules that ask only the model about
// entries: JavaScript and TypeScript, Astro pages (their frontmatter is
// an entry), and Go, whose adapter lists Go
// routes with the same facts.
func modelFiles(f *source.File) bool {
	return !f.Binary && (f.IsJS() || f.Lang == source.LangGo || f.Lang == source.LangAstro)
}

func runRBAC004(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil //nolint:nilerr // the context ended
	}
	seen := map[model.Location]bool{}
	for _, e := range es {
		allowAllHooks(pass, e, seen)
		at, ok := reportAt(pass, e)
		if !ok {
			continue
		}
		fx := pass.Model.Effects(pass.Ctx, e)
		optionalFilters(pass, fx, seen)
		v := pass.Model.Guard(pass.Ctx, e)
		if signedByService(v) || webhookReceiver(pass, e, v) {
			continue
		}
		if v.Authn != model.AuthnYes && !meantSignedIn(e) {
			// Unguarded entries are the route rules' findings, except a
			// record written in the name of a user the request chooses:
			// adding a sign-in check leaves that in place. A Go module
			// that never uses Clerk (a stale copy of the service) is no
			// Clerk app missing its check, as for the route rules.
			if strings.HasSuffix(e.File, ".go") && !pass.Model.GoClerkModule(pass.Ctx, e.File) {
				continue
			}
			if bad := requestNamedOwner(fx); len(bad) > 0 {
				reportRequestOwner(pass, e, at, bad)
			}
			continue
		}
		bad, err := unscoped(pass, v, fx)
		if err != nil || len(bad) == 0 {
			continue
		}
		reportIDOR(pass, e, at, bad)
	}
	return nil
}

// meantSignedIn reports an entry behind a middleware that answers a
// signed-out caller with a denial but lets the request go on (a gin
// middleware without c.Abort()), or that rejects a request without a
// token but goes on when the token it was sent fails to decode
// (Layer.FailsOpen): the route rules report that middleware once, and
// the records the handler selects by request ids are a second defect
// that fixing the middleware leaves in place — any signed-in user would
// still reach another user's records.
func meantSignedIn(e *model.Entry) bool {
	for _, l := range e.Chain {
		if l.WouldReject || len(l.FailsOpen) > 0 {
			return true
		}
	}
	return false
}

// reportAt is where an entry's finding goes: its handler when that is in
// another file (an imported controller), else the entry; ok is set when
// the pass's file holds it.
func reportAt(pass *rules.Pass, e *model.Entry) (model.Location, bool) {
	at := model.Location{File: e.File, Line: e.Line}
	if e.Handler.File != "" && e.Handler.File != e.File {
		at = e.Handler
	}
	return at, at.File == pass.File.Path
}

// unscoped returns the effects of a signed-in entry that select records by
// a request-supplied value with nothing tying them to the caller.
func unscoped(pass *rules.Pass, v model.Verdict, fx model.Effects) ([]model.Effect, error) {
	var bad []model.Effect
	for _, x := range fx.List {
		if x.Kind == model.ReadsData && x.ScalarResult {
			continue // only a yes/no or a count of the records reaches the response
		}
		linked, err := otherRecordLinked(pass, x)
		if err != nil {
			return nil, err
		}
		if bodyChosen(x) || otherRecordChecked(x) || linked {
			bad = append(bad, x)
			continue
		}
		if x.Authz != model.AuthzNone || x.Kind != model.ReadsData && x.Kind != model.WritesData {
			continue
		}
		if x.AsCaller {
			continue // run with the caller's own token: the database's per-user rules pick the rows
		}
		if ok, err := foreignReference(pass, v, x); err != nil {
			return nil, err
		} else if ok {
			bad = append(bad, x)
			continue
		}
		switch {
		case x.OwnerScoped || byClaims(x):
			continue
		case x.Counter && x.OwnerFromRequest == "":
			continue // a like or reply counter bumped on a record the caller is shown
		case x.Unlinks:
			continue // the caller leaves a record's relation: nothing of another user's changes
		case x.Appends:
			continue // the caller adds their own entry (an application, a review) to a record they are shown
		case x.OwnerFromRequest != "" && x.Kind == model.WritesData:
			bad = append(bad, x) // a record written in another user's or tenant's name
			continue
		case x.OwnerFromRequest == "" && (!x.Selects || !requestSelected(x)):
			continue
		}
		if x.Kind == model.ReadsData {
			// A read checked afterwards (the record's owner compared with
			// the caller) or of data no entry scopes by owner is not one.
			if v.Checked != model.AuthzNone {
				continue
			}
			owned, err := pass.Model.OwnedRecords(pass.Ctx)
			if err != nil {
				return nil, fmt.Errorf("owned records: %w", err)
			}
			// An owner field of a record the model cannot name (a Clerk
			// organization's members) says the data is a tenant's.
			if !owned[x.Record] && (x.Record != "" || x.OwnerFromRequest == "") {
				continue
			}
		}
		bad = append(bad, x)
	}
	if contributes(fx) {
		// The reads look up the record the caller's own new record (a
		// like, a comment, a join request) is about.
		var writes []model.Effect
		for _, x := range bad {
			if x.Kind == model.WritesData {
				writes = append(writes, x)
			}
		}
		bad = writes
	}
	return bad, nil
}

// requestNamedOwner returns the writes of an entry that does not check
// its caller which set or filter a field naming the record's user (its
// owner, author or actor: model.UserOwnerField) with a value the request
// chooses, with no authorization check before them: the request says
// whose record it is, so once the entry checks the caller it still
// writes in anyone's name. Reads are left to the route rules (a public
// profile lists a user's records by the id in its URL), and so are
// organization and tenant fields (a public form posts to a workspace);
// a write by a client that sends the caller's own token is the
// database's rules' to decide, and an id taken from the claims of a
// token the handler read itself is the caller's. A write that also sets
// a role, a plan or credits from the request (model.Effect.Grants) is an
// administrator's assignment to the user it names (a staff record): the
// user is meant to come from the request, and what is missing is the
// role check.
func requestNamedOwner(fx model.Effects) []model.Effect {
	var bad []model.Effect
	for _, x := range fx.List {
		if x.Kind == model.WritesData && model.UserOwnerField(x.OwnerFromRequest) && x.Authz == model.AuthzNone &&
			!x.AsCaller && !byClaims(x) && x.Grants == "" {
			bad = append(bad, x)
		}
	}
	return bad
}

// reportRequestOwner reports the writes of requestNamedOwner.
func reportRequestOwner(pass *rules.Pass, e *model.Entry, at model.Location, bad []model.Effect) {
	first := bad[0]
	related, more := relatedEffects(bad)
	src := ""
	if s := sources(first); s != "" {
		src = " (" + s + ")"
	}
	pass.Report(rules.Diagnostic{Path: at.File, Line: at.Line, Severity: rules.High, Related: related,
		Message: fmt.Sprintf("%s writes with %s (%s)%s the user field %s set or filtered by a value from the request%s, not the verified identity: "+
			"any caller can write records in another user's name, and a sign-in check alone does not change that",
			rules.Code(e.Label()), rules.Code(first.Call), first.Location, more, rules.Code(first.OwnerFromRequest), src)})
}

// contributes reports an entry that creates or removes a record in the
// caller's own name about a record the request names (a like of post
// :id, its unlike): the application lets signed-in users react to
// records they are shown.
func contributes(fx model.Effects) bool {
	for _, x := range fx.List {
		if x.Kind == model.WritesData && x.Record != "" && x.OwnerScoped && !x.Counter && x.OwnerFromRequest == "" && requestSelected(x) {
			return true
		}
	}
	return false
}

// foreignReference reports an effect that refers to another user's private
// record by an id the caller chooses (a message posted into fileId,
// messages listed by fileId) with nothing tying it to the caller: no
// owner check before it, no identity in its filter or new record, no
// check of the records read afterwards. A record the caller creates in
// their own name about another record (a comment, a vote, a join
// request) is their contribution to it, which applications allow by
// design; one with no owner belongs to whoever owns the record referred to.
func foreignReference(pass *rules.Pass, v model.Verdict, x model.Effect) (bool, error) {
	switch {
	case x.Reference == "" || x.Counter || x.OwnerScoped || byClaims(x):
		return false, nil
	case x.Kind == model.ReadsData && v.Checked != model.AuthzNone:
		return false, nil
	}
	return refersToPrivate(pass, x)
}

// refersToPrivate reports whether x's Reference names a private record
// (model.OwnedRecords) other than the one x touches.
func refersToPrivate(pass *rules.Pass, x model.Effect) (bool, error) {
	owned, err := pass.Model.OwnedRecords(pass.Ctx)
	if err != nil {
		return false, fmt.Errorf("owned records: %w", err)
	}
	r, ok := model.ReferencedRecord(x.Reference, owned)
	return ok && r != x.Record, nil
}

// byClaims reports an effect also selected by the claims of a token the
// handler read itself (an id decoded from a bearer token): the records are
// scoped to the caller's claimed identity. A forgeable claim is the token
// rule's finding (CLK-RP-017), not a second one here.
func byClaims(x model.Effect) bool {
	for _, s := range x.Request {
		if s == model.FromToken {
			return true
		}
	}
	return false
}

// bodyChosen reports an update of a record the request body was decoded
// into whole (model.Effect.BodyRecord): the body names the row it
// overwrites by its primary key and sets its owner, and nothing compared
// an owner with the caller or loaded the row by the caller's id first. A
// check of the caller's own attributes (a plan that allows public
// records) is not an owner check; a role or organization check is.
func bodyChosen(x model.Effect) bool {
	return x.Kind == model.WritesData && x.BodyRecord && x.Selects && !x.OwnerScoped && !x.Counter &&
		x.Authz&(model.AuthzRole|model.AuthzOrg) == 0
}

func requestSelected(x model.Effect) bool { return x.RequestSelected() }

// otherRecordChecked reports a read or write selected by request inputs
// none of which selected the record whose test granted its owner or
// organization check (model.Effect.CheckedBy): the caller's membership of
// the workspace named by ?workspaceId is checked, then the project named
// by the path is changed by its own id, so any member of some workspace
// reaches every workspace's projects.
func otherRecordChecked(x model.Effect) bool {
	if len(x.CheckedBy) == 0 || !x.Selects || x.OwnerScoped || x.AsCaller || x.Counter || x.Unlinks ||
		x.Kind != model.ReadsData && x.Kind != model.WritesData || x.Authz&^(model.AuthzOwner|model.AuthzOrg) != 0 {
		return false
	}
	selected := false
	for _, r := range x.Request {
		if !model.IsSelector(r) || r == model.FromArgs {
			continue
		}
		if slices.Contains(x.CheckedBy, r) {
			return false
		}
		selected = true
	}
	return selected
}

// otherRecordLinked reports a record created that refers to a private
// record (model.Effect.Reference, model.ReferencedRecord) by request
// inputs none of which selected the record whose test granted the
// owner or organization check before it (model.Effect.CheckedBy): the
// caller's membership of the workspace named by ?workspaceId is
// checked, then the new comment is attached to the task the path names,
// of any workspace. A contribution that no check of another record
// precedes (a like of a post the caller is shown) is not one.
func otherRecordLinked(pass *rules.Pass, x model.Effect) (bool, error) {
	if len(x.CheckedBy) == 0 || x.Kind != model.WritesData || x.Selects || x.Reference == "" || x.Counter || x.AsCaller ||
		x.Authz&^(model.AuthzOwner|model.AuthzOrg) != 0 {
		return false, nil
	}
	for _, r := range x.Request {
		if model.IsSelector(r) && r != model.FromArgs && slices.Contains(x.CheckedBy, r) {
			return false, nil
		}
	}
	return refersToPrivate(pass, x)
}

// relatedEffects lists the places of a finding's effects, and says how
// many there are beyond the first (" (and 2 more)").
func relatedEffects(bad []model.Effect) (related []rules.Location, more string) {
	for _, x := range bad {
		related = append(related, rules.Location{Path: x.File, Line: x.Line})
	}
	if len(bad) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(bad)-1)
	}
	return related, more
}

func reportIDOR(pass *rules.Pass, e *model.Entry, at model.Location, bad []model.Effect) {
	first := bad[0]
	related, more := relatedEffects(bad)
	what := "can read"
	for _, x := range bad {
		if x.Kind == model.WritesData {
			what = "can change"
		}
	}
	var how string
	whose := "another user's records"
	missing := "with no owner scoping, owner comparison or role check before it"
	switch {
	case bodyChosen(first):
		how = "writes the request body as decoded into the record, so the body chooses the row it overwrites (its id) and its owner"
	case first.Reference != "" && first.OwnerFromRequest == "":
		how = fmt.Sprintf("refers to another record by %s from the request", rules.Code(first.Reference))
		whose = "another user's records through it"
		if first.Kind == model.WritesData {
			what, whose = "can attach records to", "another user's records"
		}
		if len(first.CheckedBy) > 0 && first.Authz != model.AuthzNone {
			missing = fmt.Sprintf("while the record its owner or membership check tested was selected by %s, so that check does not cover it",
				checkedSources(first))
		}
	case first.OwnerFromRequest != "":
		how = fmt.Sprintf("sets or filters the owner field %s with a value from the request", rules.Code(first.OwnerFromRequest))
		if src := sources(first); src != "" {
			how += " (" + src + ")"
		}
	case otherRecordChecked(first):
		how = fmt.Sprintf("selects records by %s from the request, while the record its owner or membership check tested was selected by %s",
			sources(first), checkedSources(first))
		missing = "so that check does not cover them"
	default:
		how = fmt.Sprintf("selects records by %s from the request", sources(first))
	}
	checks := "checks that the caller is signed in"
	if meantSignedIn(e) && pass.Model.Guard(pass.Ctx, e).Authn != model.AuthnYes {
		checks = "is meant for signed-in callers (its middleware's denial is not enforced, reported on its own)"
	}
	if first.OwnerlessToo {
		missing = "and its owner filter (and any owner comparison before it) also admits records without an owner"
		whose = "every record without an owner"
	}
	pass.Report(rules.Diagnostic{Path: at.File, Line: at.Line, Severity: rules.High, Related: related,
		Message: fmt.Sprintf("%s %s, then %s (%s)%s %s, %s: any signed-in user %s %s",
			rules.Code(e.Label()), checks, rules.Code(first.Call), first.Location, more, how, missing, what, whose)})
}

// checkedSources names the inputs of the records an effect's check tested.
func checkedSources(x model.Effect) string {
	var out []string
	for _, s := range x.CheckedBy {
		out = append(out, rules.Code(string(s)))
	}
	return strings.Join(out, ", ")
}

func sources(x model.Effect) string {
	var out []string
	for _, s := range x.Request {
		if model.IsSelector(s) {
			out = append(out, rules.Code(string(s)))
		}
	}
	return strings.Join(out, ", ")
}

// optionalFilters reports queries filtered by an optional-chained
// identity that a signed-out caller reaches.
func optionalFilters(pass *rules.Pass, fx model.Effects, seen map[model.Location]bool) {
	for _, x := range fx.List {
		if !x.OwnerOptional || !x.Selects || x.SignedOut == model.ReachNo || x.File != pass.File.Path || seen[x.Location] {
			continue
		}
		seen[x.Location] = true
		pass.Report(rules.Diagnostic{Line: x.Line,
			Message: fmt.Sprintf("%s filters by an optional-chained identity, which is undefined for a signed-out caller, and an undefined filter matches every row", rules.Code(x.Call))})
	}
}

// signedByService reports whether the entry's caller is a service that
// proves itself with a shared secret or a webhook signature: the values it
// sends are the service's, not a user's choice.
func signedByService(v model.Verdict) bool {
	for _, via := range v.Via {
		if via == model.ViaSecret {
			return true
		}
	}
	return false
}

// webhookReceiver reports an entry that receives a provider's webhook:
// it verifies a webhook signature (the model's verdict names the
// provider), or its URL is a webhook endpoint by convention
// (knowledge.PublicRoute), or it reads a Clerk webhook event from its
// body (model.Model.ClerkWebhookEvent). The ids in its payload are the provider's, not
// a signed-in user's choice; whether the payload can be forged (no
// signature check, a check that only looks for the headers) is the webhook
// rules' finding, one root cause and one finding.
func webhookReceiver(pass *rules.Pass, e *model.Entry, v model.Verdict) bool {
	if v.Webhook != "" {
		return true
	}
	if _, ok := pass.Model.ClerkWebhookEvent(pass.Ctx, e); ok {
		return true
	}
	r, ok := knowledge.PublicRoute(e.Path)
	return e.PathKnown && ok && r == knowledge.Webhook
}

// fixRBAC004 names the identity source and the sign-in check of the
// project's SDK: `auth.protect()` only where the @clerk/nextjs version has
// it (knowledge.NextProtectCall, from the generated SDK table), the
// request's auth object elsewhere.
func fixRBAC004(p *project.Model, path string) string {
	const scope = "Scope the query to the caller (`where: { id, userId }` with `userId` from "
	const rest = "or load the record and answer 403/404 unless its owner is the caller, or check a role or permission first (`has({ permission })`"
	if p.DependsOn(path, "@clerk/nextjs") {
		ver := ""
		if v, ok := p.Version(path, "@clerk/nextjs"); ok && v != nil {
			ver = v.Original()
		}
		switch call := knowledge.NextProtectCall(ver); call {
		case "await auth.protect()":
			return scope + "`auth()`), " + rest + ", `auth.protect({ role })`). Take owner and organization ids from `auth()`, never from the request. " +
				"Make sure the identity is non-null (`await auth.protect()`) before it reaches a `where`."
		case "auth().protect()":
			return scope + "`auth()`), " + rest + ", `auth().protect({ role })`). Take owner and organization ids from `auth()`, never from the request. " +
				"Make sure the identity is non-null (`auth().protect()`) before it reaches a `where`."
		}
		return scope + "`auth()`), " + rest + "). Take owner and organization ids from `auth()`, never from the request. " +
			"Make sure the identity is non-null (`if (!userId)` answer 401) before it reaches a `where`."
	}
	return scope + "the request's Clerk auth object), " + rest + "). Take owner and organization ids from that auth object, never from the request body or URL. " +
		"Make sure the identity is non-null (answer 401 when signed out) before it reaches a `where`."
}
