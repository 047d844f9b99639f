package routes

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP021 flags the public functions of backends the model lists entry by
// entry (Convex queries, mutations, actions and routed httpActions;
// Supabase Edge Functions; Expo Router API routes) that a signed-out
// caller can run to write data, make privileged Clerk calls, send mail
// or move money, or to read the records of users and organizations.
var RP021 = &rules.Rule{
	ID:         "CLK-RP-021",
	Name:       "backend-function-without-auth",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  1,
	Files:      func(f *source.File) bool { return f.IsJS() },
	Keywords: []string{"query", "mutation", "action", "Query", "Mutation", "Action", "convex", "route(", "serve(", "GET", "POST",
		"PUT", "PATCH", "DELETE"},
	Doc: rules.Doc{
		Title: "backend function runs for a signed-out caller",
		References: []string{
			"https://docs.convex.dev/auth/functions-auth (ctx.auth.getUserIdentity() is null when the client is not authenticated)",
			"https://docs.convex.dev/functions/internal-functions (internal functions cannot be called by clients)",
			"https://clerk.com/docs/integrations/databases/supabase (verify the Clerk session token in Edge Functions)",
			"https://clerk.com/docs/references/backend/verify-token",
			"https://docs.expo.dev/router/reference/api-routes/ (API routes run on the server and any client can call them)",
		},
		Text: "Convex functions exported with `query`, `mutation` or `action` (and httpActions routed in `convex/http.ts`), " +
			"Supabase Edge Functions (`Deno.serve` in `supabase/functions/<name>/index.ts`) and Expo Router API routes " +
			"(`app/**/+api.ts`) are public: any client can call them. When one writes data, makes a privileged Clerk Backend " +
			"call, sends mail, moves money, calls a paid API (an LLM) on the project's key, reads the records of users or organizations, or returns by the id the caller names a record the application otherwise reads only for its owner, and nothing rejects a signed-out " +
			"caller first, anyone can do it.\n\nIn Convex, `ctx.auth.getUserIdentity()` is null for a signed-out caller: throw " +
			"when it is (or use a custom function builder that does). A Supabase Edge Function must verify the Clerk session " +
			"token itself (`verifyToken` from `@clerk/backend`, or `jose.jwtVerify` with Clerk's JWKS): the gateway's " +
			"`verify_jwt` accepts the public anon key. Testing that the `Authorization` header is present or starts with `Bearer ` " +
			"verifies nothing: a function that only hands the header to a Supabase client made with it leaves the verification " +
			"to the database's first query, so what runs before that query (a paid API call) runs for anyone; queries through that " +
			"client, and what follows one whose error ends the request, are the database's to refuse. `internalQuery`/`internalMutation`/`internalAction` are not callable by " +
			"clients and are not reported; webhook endpoints are left to the WH rules.",
		Bad: "export const deleteNote = mutation({\n  args: { id: v.id('notes') },\n  handler: async (ctx, { id }) => ctx.db.delete(id),\n})",
		Good: "export const deleteNote = mutation({\n  args: { id: v.id('notes') },\n  handler: async (ctx, { id }) => {\n" +
			"    const identity = await ctx.auth.getUserIdentity()\n    if (!identity) throw new Error('Unauthenticated')\n" +
			"    const note = await ctx.db.get(id)\n    if (note?.userId !== identity.subject) throw new Error('Forbidden')\n" +
			"    await ctx.db.delete(id)\n  },\n})",
	},
	Fix: func(_ *project.Model, file string) string {
		return "Reject a signed-out caller before the effect: in Convex, `const identity = await ctx.auth.getUserIdentity(); " +
			"if (!identity) throw new Error('Unauthenticated')`; in an Edge Function or API route, verify the Clerk session token " +
			"from the Authorization header with `verifyToken()` or `authenticateRequest()` from `@clerk/backend` and answer 401 when it fails."
	},
	Run: runRP021,
}

// rp020Frameworks are the adapters whose entries RP021 judges.
var rp020Frameworks = map[knowledge.Framework]bool{knowledge.Convex: true, knowledge.SupabaseEdge: true, knowledge.Expo: true, knowledge.Netlify: true}

func runRP021(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil
	}
	private, err := pass.Model.PrivateRecords(pass.Ctx)
	if err != nil {
		private = nil // unknown: judged without it
	}
	for _, e := range es {
		if !rp020Frameworks[e.Framework] || e.File != pass.File.Path || e.DeclaredPublic() {
			continue
		}
		if _, ok := pass.Model.ClerkWebhookEvent(pass.Ctx, e); ok {
			continue // a Clerk webhook receiver: the WH rules report a missing signature check
		}
		fx := pass.Model.Effects(pass.Ctx, e)
		if _, decoded := tokenSelected(fx); decoded {
			continue // CLK-RP-017 reports the identity taken from an unverified token
		}
		v := pass.Model.Guard(pass.Ctx, e)
		exp := model.ExposedWith(e, v, fx, private)
		if exp.Level == model.ExposeNone {
			continue
		}
		x := exp.Effect
		what := fmt.Sprintf("%s (`%s`)", exp.Why, x.Call)
		if x.Table != "" {
			what = fmt.Sprintf("%s (`%s` on `%s`)", exp.Why, x.Call, x.Table)
		}
		if x.Kind != model.ReadsData {
			what = fmt.Sprintf("reaches `%s` (%s)", x.Call, x.Kind)
		}
		why := "nothing checks the caller first"
		if v.Authn == model.AuthnNo && len(v.Proof) > 0 {
			why = v.Why // a test that verifies nothing (a token only checked for presence)
		}
		pass.Report(rules.Diagnostic{
			Line: e.Line, Severity: severityOf(exp),
			Message: fmt.Sprintf("%s %s for a signed-out caller, at %s: %s",
				rules.Code(e.Label()), what, x.Location, why),
			Related: []rules.Location{{Path: x.File, Line: x.Line}},
		})
	}
	return nil
}
