package rbac

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/model"
)

// RBAC010 is policy over the model: an entry that checks only that the
// caller is signed in creates a record that another entry of the
// application creates only after a role or permission check
// (Model.RoleCreatedRecords). The application itself says creating that
// record is privileged; this entry skips the check. Records the caller
// creates in their own name (the identity in the new record, or the
// claims of a token the handler decoded itself, whose forgery is
// CLK-RP-017's finding) are not reported: a marketplace where admins and sellers both add products, each
// seller their own, is by design. A create with sign-in only of a record
// the application keeps as a shared, curated collection
// (Model.CuratedRecords: no owner, edited by id with no role check) is
// reported too: the application has no admin, so any signed-in user
// curates what every user gets.
var RBAC010 = &rules.Rule{
	ID:         "CLK-RBAC-010",
	Name:       "role-protected-create-without-role",
	Pack:       rules.PackRBAC,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Files:      modelFiles,
	Doc: rules.Doc{
		Title: "records created with sign-in only that another route creates behind a role",
		References: []string{
			"https://clerk.com/docs/guides/secure/authorization-checks",
			"https://clerk.com/docs/guides/organizations/roles-and-permissions",
		},
		Text: "When one route creates a kind of record only after a role or permission check (`has({ role: 'org:admin' })`, " +
			"`auth.protect({ permission })`, a role middleware), the application has decided that creating it is privileged. " +
			"Another route that creates the same record after checking only that the caller is signed in lets any signed-in " +
			"user do what the first route reserves for admins (missing function-level authorization). The same holds for a shared " +
			"catalogue the application curates with no role check anywhere (records with no owner field that no route scopes to a user, " +
			"changed or deleted by id with sign-in only, such as exercises or product categories): what any signed-in user adds, every " +
			"user gets. Records the caller " +
			"creates in their own name (the identity in the new record, `data: { ownerId: userId }`) are not reported, nor are " +
			"routes that check a role or organization themselves; changing or deleting records by a request id with no check " +
			"is CLK-RBAC-004's finding.",
		Bad: `// app/api/admin/products/route.ts
export async function POST(req: Request) {
  await auth.protect({ role: 'org:admin' })
  return Response.json(await db.product.create({ data: await req.json() }))
}
// app/api/products/route.ts
export async function POST(req: Request) {
  await auth.protect()
  return Response.json(await db.product.create({ data: await req.json() }))
}`,
		Good: `// app/api/products/route.ts
export async function POST(req: Request) {
  await auth.protect({ role: 'org:admin' })
  return Response.json(await db.product.create({ data: await req.json() }))
}`,
	},
	Fix: rules.ConstFix("Check the same role or permission as the route that already creates these records (or remove this route), " +
		"or, if every user may create them, create them in the caller's own name (owner id from the verified identity)."),
	Run: runRBAC010,
}

func runRBAC010(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil || len(es) == 0 {
		return nil //nolint:nilerr // the context ended
	}
	peers, err := pass.Model.RoleCreatedRecords(pass.Ctx)
	if err != nil {
		return nil //nolint:nilerr // the context ended
	}
	curated, err := pass.Model.CuratedRecords(pass.Ctx)
	if err != nil || len(peers) == 0 && len(curated) == 0 {
		return nil //nolint:nilerr // the context ended
	}
	for _, e := range es {
		at, ok := reportAt(pass, e)
		if !ok {
			continue
		}
		v := pass.Model.Guard(pass.Ctx, e)
		if v.Authn != model.AuthnYes && !meantSignedIn(e) || v.Authz&(model.AuthzRole|model.AuthzOrg) != 0 || signedByService(v) || webhookReceiver(pass, e, v) {
			continue
		}
		for _, x := range pass.Model.Effects(pass.Ctx, e).List {
			if x.Kind != model.WritesData || x.Selects || x.OwnerScoped || byClaims(x) || x.Counter ||
				x.Authz&(model.AuthzRole|model.AuthzOrg) != 0 || x.SignedOut == model.ReachYes {
				continue
			}
			if peer := peers[x.Record]; peer != nil && peer != e {
				pass.Report(rules.Diagnostic{Path: at.File, Line: at.Line, Severity: rules.High,
					Related: []rules.Location{{Path: x.File, Line: x.Line}, {Path: peer.File, Line: peer.Line}},
					Message: fmt.Sprintf("%s checks only that the caller is signed in, then creates `%s` records (%s at %s), which %s (%s:%d) creates only after a role or permission check: any signed-in user can create them",
						rules.Code(e.Label()), x.Record, rules.Code(x.Call), x.Location, rules.Code(peer.Label()), peer.File, peer.Line)})
				break
			}
			if ed := curated[x.Record]; ed != nil && peers[x.Record] == nil && x.Authz == model.AuthzNone {
				pass.Report(rules.Diagnostic{Path: at.File, Line: at.Line, Severity: rules.Medium,
					Related: []rules.Location{{Path: x.File, Line: x.Line}, {Path: ed.File, Line: ed.Line}},
					Message: fmt.Sprintf("%s checks only that the caller is signed in, then creates `%s` records (%s at %s): a shared collection whose rows have no owner and which %s (%s:%d) edits by id, so what any signed-in user adds every user gets, and nothing checks a role",
						rules.Code(e.Label()), x.Record, rules.Code(x.Call), x.Location, rules.Code(ed.Label()), ed.File, ed.Line)})
				break
			}
		}
	}
	return nil
}
