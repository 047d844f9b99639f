package hardening

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// ENUM001 flags an entry that a signed-out caller, or any signed-in user,
// reaches and that looks a Clerk user up by an identifier the caller
// chooses (email address, phone number, username) through the Backend API,
// then answers according to the result: an account-existence oracle.
var ENUM001 = &rules.Rule{
	ID:         "CLK-ENUM-001",
	Name:       "user-lookup-by-identifier-exposed",
	Pack:       rules.PackHardening,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Keywords:   []string{"getUserList", "api.clerk.com", "api.clerk.dev", "email", "phone", "mobile"},
	Doc: rules.Doc{
		Title: "endpoint tells callers whether an email, phone or username has an account",
		Text: "The publishable key is public by design, and Clerk's own sign-in can be configured so that it does not reveal " +
			"which identifiers exist. Application code undoes that when an endpoint that anyone (or any signed-in user) can " +
			"call passes a caller-chosen email address, phone number or username to `clerkClient.users.getUserList()` " +
			"(or `GET https://api.clerk.com/v1/users?email_address=…`) and answers differently when a user is found: " +
			"a 404 versus a 200, `{ exists: true }`, or the user's data. Attackers use such an oracle to test leaked email " +
			"lists, target password spraying and phishing, or harvest contact data.\n\n" +
			"The rule asks the model: the entry's guard verdict (unguarded or authenticated without a role check) and its " +
			"effects (the Clerk users read, selected by a request input). A lookup by the caller's own identity, one " +
			"behind a role check, and one whose result does not reach the response are not reported. The same holds for the " +
			"application's own records (an attendee, a member) that an entry a signed-out caller reaches looks up by a typed " +
			"email address or phone number (`where: { email }`) and answers differently for (\"no attendee with that email\"). " +
			"Nor is a profile looked " +
			"up by its username, the public handle an application shows on profiles and in their URLs (returning the user's " +
			"private fields with it is CLK-RBAC-006's finding), or a free-text member search (`query`) that only signed-in " +
			"users reach: a member directory is a feature; for a signed-out caller it is an oracle.",
		Bad: `export async function GET(req: Request) { // app/api/exists/route.ts
  const email = new URL(req.url).searchParams.get('email')!
  const { data } = await (await clerkClient()).users.getUserList({ emailAddress: [email] })
  return Response.json({ exists: data.length > 0 })
}`,
		Good: `export async function POST(req: Request) { // invite a teammate: admins only, same answer either way
  const { has } = await auth.protect()
  if (!has({ role: 'org:admin' })) return new Response(null, { status: 403 })
  const { email } = await req.json()
  await (await clerkClient()).organizations.createOrganizationInvitation({ /* ... */ emailAddress: email })
  return new Response(null, { status: 202 })
}`,
		References: []string{
			"https://clerk.com/docs/references/backend/user/get-user-list",
			"https://clerk.com/docs/reference/backend-api/tag/users/get/users",
			"https://clerk.com/docs/guides/secure/restricting-access",
			"clerk/javascript packages/backend/src/api/endpoints/UserApi.ts (UserListParams)",
		},
	},
	Fix: func(p *project.Model, path string) string {
		guard := "require a role for the lookup (`has({ role: 'org:admin' })`)"
		switch {
		case p.DependsOn(path, "@clerk/express"):
			guard = "require a role for the lookup (`requireAuth()` and `getAuth(req).has({ role: 'org:admin' })`)"
		case p.DependsOn(path, "@clerk/nextjs"):
			// The sign-in check the declared version has (v6
			// auth.protect(), v5 auth().protect(), v4 only auth()).
			if call := knowledge.NextProtectCall(nextVersion(p, path)); call != "" {
				guard = "require a role for the lookup (`const { has } = " + call + "; if (!has({ role: 'org:admin' })) return 403`)"
			} else {
				guard = "require a role for the lookup (`const { userId, has } = auth(); if (!userId || !has({ role: 'org:admin' })) return 403`)"
			}
		}
		return "Do not let callers test identifiers: " + guard + ", or give the same answer whether or not an account exists " +
			"(accept the request and act out of band, e.g. send the email), and never return the looked-up user's data. " +
			"Rate-limit what must stay public."
	},
	Run: runENUM001,
}

// queryParamRe finds the query parameters written in a URL.
var queryParamRe = regexp.MustCompile(`[?&]([A-Za-z_]+)=`)

func runENUM001(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil // unknown, never a finding
	}
	for _, e := range es {
		v := pass.Model.Guard(pass.Ctx, e)
		if v.Authn == model.AuthnUnknown || v.Authn == model.AuthnPartial || v.Checked != model.AuthzNone {
			continue
		}
		for _, eff := range pass.Model.Effects(pass.Ctx, e).List {
			if eff.Kind != model.ReadsData || eff.OwnerScoped || eff.Authz != model.AuthzNone || !fromCaller(eff.Request) {
				continue
			}
			signedOut := eff.SignedOut == model.ReachYes
			subject := "a Clerk user"
			what, scope, call, ok := userLookup(pass, eff)
			if !ok && signedOut {
				// The application's own records (an attendee, a member)
				// looked up by an email or phone number the caller types.
				what, call, ok = recordLookup(pass, eff)
				subject = "a record"
				if eff.Record != "" {
					subject = "a " + rules.Code(eff.Record) + " record"
				}
			}
			if !ok || len(eff.Via) == 0 && !answersWith(pass, e, call) {
				continue
			}
			if scope == knowledge.PublicHandle || scope == knowledge.MemberSearch && !signedOut {
				continue // a public profile by its handle; a member directory for members
			}
			who, sev := "any signed-in user", rules.Low
			if signedOut {
				who, sev = "a signed-out caller", rules.Medium
			}
			line, related := eff.Line, []rules.Location(nil)
			if eff.File != pass.File.Path {
				if e.File != pass.File.Path {
					continue // reported in the file that registers the entry, at its line
				}
				line = e.Line
				related = append(related, rules.Location{Path: eff.File, Line: eff.Line})
			}
			pass.Report(rules.Diagnostic{Line: line, Severity: sev, Related: related,
				Message: fmt.Sprintf("%s %s lets %s look %s up by any %s (%s) and answers according to the result: an account-existence oracle",
					e.Kind, rules.Code(e.Label()), who, subject, what, rules.Code(eff.Call))})
		}
	}
	return nil
}

// fromCaller reports whether a filter uses a value the caller chooses
// (not only the verified identity).
func fromCaller(in []model.InputSource) bool {
	for _, s := range in {
		if s != model.FromIdentity {
			return true
		}
	}
	return false
}

// userLookup finds the effect's call and tells whether it selects Clerk
// users by a personal identifier: users.getUserList({ emailAddress }) or
// GET /v1/users?email_address=. Of several filters, the most private one
// names the lookup (knowledge.UserLookupScope).
func userLookup(pass *rules.Pass, eff model.Effect) (string, knowledge.LookupScope, *jsast.Node, bool) {
	src := pass.Get(eff.File)
	if src == nil {
		return "", 0, nil, false
	}
	f := pass.AST(src)
	if f == nil {
		return "", 0, nil, false
	}
	callee, rest, raw := strings.Cut(eff.Call, " ")
	if raw {
		method, path, _ := strings.Cut(rest, " ")
		if bc, ok := knowledge.BackendCallAt(method, path); !ok || bc.Method != "getUserList" {
			return "", 0, nil, false
		}
	} else if bc, ok := knowledge.BackendCallIn(eff.Call); !ok || bc.Method != "getUserList" {
		return "", 0, nil, false
	}
	for _, c := range f.Calls(f.Root, func(n string) bool { return strings.ReplaceAll(n, "()", "") == callee }) {
		if c.Line != eff.Line {
			continue
		}
		args := jsast.Args(c)
		if len(args) == 0 {
			continue
		}
		var params []string
		if raw {
			for _, m := range queryParamRe.FindAllStringSubmatch(f.Text(args[0]), -1) {
				params = append(params, m[1])
			}
		} else {
			params = f.ObjectKeys(args[0])
		}
		what, scope, found := "", knowledge.LookupScope(0), false
		for _, k := range params {
			w, ok := knowledge.UserLookupFilter(k)
			if !ok {
				continue
			}
			if sc := knowledge.UserLookupScope(k); !found || sc < scope {
				what, scope, found = w, sc, true
			}
		}
		if found {
			return what, scope, c, true
		}
	}
	return "", 0, nil, false
}

// recordLookup finds a read of the application's own records whose filter
// (Prisma/Sequelize/TypeORM `where`, or a Mongoose/MongoDB filter object)
// selects by a private identifier field (knowledge.IdentifierField):
// findFirst({ where: { email } }), User.findOne({ email }).
func recordLookup(pass *rules.Pass, eff model.Effect) (string, *jsast.Node, bool) {
	if eff.Kind != model.ReadsData || !eff.Selects || knowledge.TakesProjection(eff.Call) {
		return "", nil, false // db.select({ email: users.email }) returns the field, it does not look up by it
	}
	src := pass.Get(eff.File)
	if src == nil {
		return "", nil, false
	}
	f := pass.AST(src)
	if f == nil {
		return "", nil, false
	}
	for _, c := range f.Calls(f.Root, func(n string) bool { return n == eff.Call }) {
		if c.Line != eff.Line {
			continue
		}
		args := jsast.Args(c)
		if len(args) == 0 {
			continue
		}
		filter := args[0]
		if w := f.ObjectProp(filter, "where"); w != nil {
			filter = w
		}
		for _, k := range f.ObjectKeys(filter) {
			if what, ok := knowledge.IdentifierField(k); ok && !fromLoadedUser(f, c, f.ObjectProp(filter, k)) {
				return what, c, true
			}
		}
	}
	return "", nil, false
}

// fromLoadedUser reports whether a filter value is an identifier the
// server read from a user it loaded (clerkUser.emailAddresses[0],
// user.primaryEmailAddress), directly or through a variable declared in
// the same function: the caller did not type it, so the lookup tells them
// nothing about a person they chose.
func fromLoadedUser(f *jsast.File, call, v *jsast.Node) bool {
	v = jsast.Unwrap(v)
	if v == nil {
		return false
	}
	if v.Type == "identifier" {
		name := f.Text(v)
		fn := jsast.EnclosingFunction(call)
		if fn == nil {
			return false
		}
		found := false
		jsast.Walk(fn, func(n *jsast.Node) bool {
			if found {
				return false
			}
			if n.Type == "variable_declarator" {
				if id := n.ChildByField("name"); id != nil && id.Type == "identifier" && f.Text(id) == name {
					found = userRecordField.MatchString(f.Text(n.ChildByField("value")))
				}
			}
			return true
		})
		return found
	}
	return userRecordField.MatchString(f.Text(v))
}

// userRecordField matches the contact fields of a loaded Clerk User
// (emailAddresses, primaryEmailAddress, phoneNumbers, primaryPhoneNumber;
// clerk/javascript packages/backend/src/api/resources/User.ts).
var userRecordField = regexp.MustCompile(`\b(?:emailAddresses|primaryEmailAddress|phoneNumbers|primaryPhoneNumber)\b`)

// answersWith reports whether the lookup's result reaches the caller: the
// variable it is bound to appears in a returned or sent value, or in the
// condition of a branch that returns or throws.
func answersWith(pass *rules.Pass, e *model.Entry, call *jsast.Node) bool {
	f := e.FnFile
	if f == nil || e.Fn == nil || !e.Fn.Contains(call) {
		return true // in a helper: its caller's use is not followed here
	}
	names := map[string]bool{}
	for n := call; n != nil && n != e.Fn; n = n.Parent {
		if n.Type == "variable_declarator" {
			jsast.Walk(n.ChildByField("name"), func(x *jsast.Node) bool {
				if x.Type == "identifier" || x.Type == "shorthand_property_identifier_pattern" {
					names[f.Text(x)] = true
				}
				return true
			})
			break
		}
		if n.Type == "return_statement" || n.Type == "if_statement" || n.Type == "ternary_expression" {
			return true // returned or tested where it is made
		}
	}
	for i := 0; i < 2; i++ { // const user = data[0]; const exists = data.length > 0
		jsast.Walk(e.Fn, func(x *jsast.Node) bool {
			if x.Type == "variable_declarator" && mentions(f, x.ChildByField("value"), names) {
				if id := x.ChildByField("name"); id != nil && id.Type == "identifier" {
					names[f.Text(id)] = true
				}
			}
			return true
		})
	}
	if len(names) == 0 {
		return false
	}
	found := false
	jsast.Walk(e.Fn, func(x *jsast.Node) bool {
		if found {
			return false
		}
		switch x.Type {
		case "return_statement", "throw_statement":
			found = mentions(f, x, names)
		case "if_statement", "ternary_expression":
			if mentions(f, x.ChildByField("condition"), names) && len(jsast.Find(x, "return_statement", "throw_statement")) > 0 {
				found = true
			}
		case "call_expression":
			last := jsast.LastSegment(f.CalleeName(x))
			if (last == "json" || last == "send" || last == "status" || last == "redirect") && mentions(f, x.ChildByField("arguments"), names) {
				found = true
			}
		}
		return !found
	})
	return found
}
