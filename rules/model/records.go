package model

import (
	"bufio"
	"bytes"
	"context"
	"maps"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// OwnedRecords returns the collections or tables (Effect.Record) the
// snapshot treats as private to a user: some entry queries or writes them
// scoped by the caller's identity (where: { userId }, data: { ownerId:
// userId }) or with an owner field, or the Prisma schema gives the model an
// owner field (userId, ownerId, orgId, ...); and no entry lets a
// signed-out caller read them unscoped or lists them whole to any caller
// without a check (a listing for signed-in callers filtered by
// visibility: 'PUBLIC' says the rest are private). A record with an author that the application also
// serves to everyone (blog posts, announcements) is public content.
func (m *Model) OwnedRecords(ctx context.Context) (map[string]bool, error) {
	return m.owned.get(func() (map[string]bool, error) {
		owned, public := maps.Clone(m.schemaOwnedRecords(ctx)), map[string]bool{}
		es, err := m.Entries(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			for _, x := range m.Effects(ctx, e).List {
				switch {
				case x.Record == "":
				case x.OwnerScoped || x.OwnerFromRequest != "" && !attribution(x.OwnerFromRequest):
					owned[x.Record] = true
				case x.Kind == ReadsData && x.Authz == AuthzNone && (x.SignedOut == ReachYes || !x.Published && (!x.Selects || len(x.Request) == 0 && !knowledge.SingleRecord(x.Call) && !x.rowFiltered)):
					// Served to signed-out callers, or listed whole to any
					// caller; a listing of the shared ones for signed-in
					// members says the others are not shared. One record
					// looked up by a value of another (the last card of the
					// list a card the request chose is in) is no listing.
					public[x.Record] = true
				}
			}
		}
		for r := range public {
			delete(owned, r)
		}
		return owned, ctx.Err()
	})
}

// PrivateRecords returns the records (Effect.Record) the application
// keeps to their owners: some entry reads them selected by the caller's
// identity, and no entry reads them otherwise except one record by the id
// its caller names (ctx.db.get(args.noteId), findUnique by id). A listing,
// a search or a feed that no owner scopes, signed in or not, says the
// records are shared. A read of one record by a caller-chosen id is not
// counted either way: it is the read whose exposure this answer decides
// (ExposedWith).
func (m *Model) PrivateRecords(ctx context.Context) (map[string]bool, error) {
	return m.private.get(func() (map[string]bool, error) {
		es, err := m.Entries(ctx)
		if err != nil {
			return nil, err
		}
		scoped, shared := map[string]bool{}, map[string]bool{}
		for _, e := range es {
			for _, x := range m.Effects(ctx, e).List {
				switch {
				case x.Kind != ReadsData || x.Record == "":
				case x.OwnerScoped && !x.OwnerOptional:
					scoped[x.Record] = true
				case !OneByID(x):
					shared[x.Record] = true
				}
			}
		}
		for r := range shared {
			delete(scoped, r)
		}
		return scoped, ctx.Err()
	})
}

// OneByID reports whether a read returns one record by an id its caller
// chooses: a Convex `db.get(id)` (knowledge.ConvexIDMethod) or an ORM's
// single-record lookup (knowledge.SingleRecord) selected by a request
// value.
func OneByID(x Effect) bool {
	last := jsast.LastSegment(x.Call)
	return x.Kind == ReadsData && x.Selects && len(x.Request) > 0 &&
		(last == "get" && x.Table != "" && knowledge.ConvexIDMethod(last) || knowledge.SingleRecord(last))
}

// NullOwnedRecords returns the records (Effect.Record) some entry creates
// for a signed-out caller with the caller's identity in an object field:
// the identity is null then, so rows with a null owner exist, and a read
// that filters by the caller's identity alone returns them all to every
// signed-out caller (CLK-RP-011).
func (m *Model) NullOwnedRecords(ctx context.Context) (map[string]bool, error) {
	es, err := m.Entries(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, e := range es {
		for _, x := range m.Effects(ctx, e).List {
			if x.Kind == WritesData && !x.Selects && x.NullOwner && x.SignedOut == ReachYes && x.Record != "" {
				out[x.Record] = true
			}
		}
	}
	return out, ctx.Err()
}

// ReferencedRecord names the private record (a key of owned, from
// OwnedRecords) a reference field refers to: folderId and folder_id refer
// to folder, folders or Folder, categoryId to categories. ok is false
// when the field names no owned record.
func ReferencedRecord(field string, owned map[string]bool) (string, bool) {
	m := refKey.FindStringSubmatch(field)
	if m == nil {
		return "", false
	}
	base, out := singular(m[1]), ""
	for r := range owned {
		if owned[r] && singular(r) == base && (out == "" || r < out) {
			out = r
		}
	}
	return out, out != ""
}

// singular is a record name lower-cased, without separators and plural
// ending (Folders, folder, video_files -> videofile).
func singular(name string) string {
	s := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(name))
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 3:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss"):
		return s[:len(s)-1]
	}
	return s
}

// schemaOwnedRecords is prismaOwned, read once per snapshot.
func (m *Model) schemaOwnedRecords(ctx context.Context) map[string]bool {
	out, _ := m.schemaOwned.get(func() (map[string]bool, error) { return m.prismaOwned(ctx), nil })
	return out
}

// prismaOwned returns the Prisma models whose schema declares an owner or
// tenant field, by their client name (model File is db.file). A schema
// that cannot be read adds nothing: the record is then judged by the
// entries alone.
func (m *Model) prismaOwned(ctx context.Context) map[string]bool {
	out := map[string]bool{}
	m.prismaFields(ctx, func(model string, f []string, _ string) {
		if len(f) >= 2 && ownerKey.MatchString(f[0]) {
			out[model] = true
		}
	})
	return out
}

// prismaFields calls fn for each field line of every Prisma model of the
// snapshot, with the model's client name (model File is file), the line's
// words and the line. A schema that cannot be read is noted and skipped.
func (m *Model) prismaFields(ctx context.Context, fn func(model string, words []string, line string)) {
	for _, p := range m.fs.Paths() {
		if path.Ext(p) != ".prisma" {
			continue
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: "Prisma schema not read: " + err.Error()})
			continue
		}
		model := ""
		sc := bufio.NewScanner(bytes.NewReader(sf.Content))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) >= 3 && f[0] == "model" && f[2] == "{":
				model = strings.ToLower(f[1][:1]) + f[1][1:]
			case len(f) > 0 && f[0] == "}":
				model = ""
			case model != "" && len(f) > 0:
				fn(model, f, sc.Text())
			}
		}
	}
}

// RoleCreatedRecords returns the records (Effect.Record) some entry
// creates only after a role or permission check, with the first entry
// that does (in entry order): the application says creating them
// is a privileged action. A create of the same record that another entry
// makes with sign-in only, not in the caller's own name, skips that check
// (CLK-RBAC-010).
func (m *Model) RoleCreatedRecords(ctx context.Context) (map[string]*Entry, error) {
	es, err := m.Entries(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]*Entry{}
	for _, e := range es {
		for _, x := range m.Effects(ctx, e).List {
			if x.Kind != WritesData || x.Selects || x.Record == "" || x.Authz&AuthzRole == 0 || x.SignedOut == ReachYes {
				continue
			}
			if _, ok := out[x.Record]; !ok {
				out[x.Record] = e
			}
		}
	}
	return out, ctx.Err()
}

// CuratedRecords returns the records (Effect.Record) the application
// keeps as one shared collection that its entries curate, with the first
// entry (in entry order) that changes or deletes its rows: no row has an
// owner (the Prisma schema gives the model no owner field, no entry
// scopes, creates or filters it by an owner or organization, and no
// entry compares an owner with the caller before touching it), no row belongs to a private
// record through a reference field (a workout's exercises), it is not an
// account table, and some entry signed-in callers reach changes or
// deletes its rows by an id the request chooses with no role check
// before it (rows only an admin edits or deletes, such as the reports
// users file for moderation, are not curated by their users). A catalogue of this kind
// (exercises, muscle groups, product categories) belongs to nobody, so
// what a signed-in caller adds to it everyone gets; without a role check
// anywhere, any signed-in user edits it (CLK-RBAC-004 reports the edits,
// CLK-RBAC-010 the creates). A table users only add to (feedback, tags)
// is not curated.
func (m *Model) CuratedRecords(ctx context.Context) (map[string]*Entry, error) {
	es, err := m.Entries(ctx)
	if err != nil {
		return nil, err
	}
	owned, err := m.OwnedRecords(ctx)
	if err != nil {
		return nil, err
	}
	schema := m.schemaOwnedRecords(ctx)
	out, personal := map[string]*Entry{}, map[string]bool{}
	for _, e := range es {
		for _, x := range m.Effects(ctx, e).List {
			if x.Record == "" || x.Kind != ReadsData && x.Kind != WritesData {
				continue
			}
			if r, ok := ReferencedRecord(x.Reference, owned); x.OwnerScoped || x.OwnerFromRequest != "" || x.SchemaOwned || x.NullOwner || x.Authz&(AuthzOwner|AuthzOrg) != 0 ||
				schema[x.Record] || knowledge.AccountTable(x.Record) || ok && r != x.Record {
				personal[x.Record] = true
				continue
			}
			if _, ok := out[x.Record]; !ok && x.Kind == WritesData && x.Selects && x.Authz == AuthzNone && x.SignedOut != ReachYes && x.RequestSelected() {
				out[x.Record] = e
			}
		}
	}
	for r := range personal {
		delete(out, r)
	}
	return out, ctx.Err()
}

// RequestSelected reports a call whose filter takes a value the caller
// sets freely to pick records (IsSelector).
func (x Effect) RequestSelected() bool {
	for _, s := range x.Request {
		if IsSelector(s) {
			return true
		}
	}
	return false
}

// IsSelector reports the request inputs a caller sets freely to pick
// records: a path parameter, the query string, the body, form data, a
// Server Action's argument (headers and cookies carry credentials more
// often than ids).
func IsSelector(s InputSource) bool {
	switch s {
	case FromParams, FromQuery, FromBody, FromForm, FromArgs:
		return true
	}
	return false
}
