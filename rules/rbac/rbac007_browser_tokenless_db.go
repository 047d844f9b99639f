package rbac

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RBAC007 reports browser code that reads or writes users' rows in a
// hosted database (Supabase) through a client made with the public key and
// no Clerk session token, keyed by a user id the browser supplies. The
// model answers which modules run in the browser and which queries go
// through such a client (model.BrowserQueries); the rule reports once per
// exported function (or once for the rest of the module), at its first
// query.
var RBAC007 = &rules.Rule{
	ID:         "CLK-RBAC-007",
	Name:       "browser-database-without-clerk-token",
	Pack:       rules.PackRBAC,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Keywords:   []string{"supabase", "from(", "/rest/v1/"},
	Doc: rules.Doc{
		Title: "browser code queries users' rows without sending the Clerk session token",
		References: []string{
			"https://clerk.com/docs/integrations/databases/supabase",
			"https://supabase.com/docs/guides/auth/third-party/clerk",
			"https://supabase.github.io/supabase-js/v2/types/lib_types.SupabaseClientOptions.html",
			"https://supabase.com/docs/guides/database/postgres/row-level-security",
		},
		Text: "Supabase lets the browser query the database directly with the public anon (publishable) key; what protects " +
			"the rows is Row Level Security, which decides from the JWT the client sends. A client made with " +
			"`createClient(url, anonKey)` and no `accessToken` option (or `Authorization` header) carrying Clerk's session " +
			"token sends no user token at all, so RLS sees an anonymous caller and cannot tie a row to the Clerk user. When " +
			"such a query selects or writes rows by an owner column (`user_id`, `owner_id`, a profile's `id`) whose value " +
			"the browser supplies, the tables must be open to the anon role for the app to work, and anyone holding the " +
			"public key (every visitor) can send the same query with another user's id. The rule follows the client to its " +
			"`createClient` call (through imports and hooks such as `useSupabase()`), and reports only modules that run in " +
			"the browser ('use client' modules, React components outside Next.js Server Components, and what they import " +
			"outside loaders and actions). A client that forwards a token (`accessToken`, a `global.headers` " +
			"`Authorization`, or a custom `global.fetch`) is not reported, nor is a server-only module. A `fetch` of Supabase's " +
			"REST API (`/rest/v1/<table>`) sending the public key as `apikey` and no user token is the same query without the client.",
		Bad: `// lib/supabase.ts
export const supabase = createClient(import.meta.env.VITE_SUPABASE_URL, import.meta.env.VITE_SUPABASE_ANON_KEY)
export async function getNotes(userId: string) {
  return supabase.from('notes').select('*').eq('user_id', userId)
}`,
		Good: `export function useSupabase() {
  const { session } = useSession()
  return createClient(import.meta.env.VITE_SUPABASE_URL, import.meta.env.VITE_SUPABASE_ANON_KEY, {
    accessToken: async () => session?.getToken() ?? null,
  })
}
// RLS: using ((select auth.jwt()->>'sub') = user_id)`,
	},
	Fix: fixRBAC007,
	Run: runRBAC007,
}

func fixRBAC007(p *project.Model, file string) string {
	hook := "the Clerk session (its getToken method)"
	if pkg := knowledge.ClientSDKOf(func(pkg string) bool { return p.DependsOn(file, pkg) }); pkg != "" {
		ver := ""
		if v, ok := p.Version(file, pkg); ok && v != nil {
			ver = v.Original()
		}
		if knowledge.HasExport(pkg, ".", "useSession", ver) != knowledge.Absent {
			hook = "the `session` of `useSession()` (`import { useSession } from '" + pkg + "'`)"
		}
	}
	return "Send the signed-in user's Clerk session token with every query: create the client with " +
		"`createClient(url, anonKey, { accessToken: async () => session?.getToken() ?? null })`, taking the token from " +
		hook + ", add Clerk as a third-party auth provider in Supabase, and write RLS policies that compare the owner " +
		"column with the token's `sub` claim, so the database, not the browser, decides whose rows a caller reaches. " +
		"Or move the query to a server loader, action or Route Handler that takes the user id from Clerk's server-side auth."
}

func runRBAC007(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	qs, err := pass.Model.BrowserQueries(pass.Ctx, pass.File.Path)
	if err != nil || len(qs) == 0 {
		return nil //nolint:nilerr // a file the model cannot read is no finding
	}
	// One finding per exported function; the queries of functions the
	// module does not export join the module's first finding.
	type group struct {
		first model.BrowserQuery
		more  int
	}
	var order []string
	groups := map[string]*group{}
	var loose []model.BrowserQuery
	for _, q := range qs {
		if q.Export == "" {
			loose = append(loose, q)
			continue
		}
		if g, ok := groups[q.Export]; ok {
			g.more++
			continue
		}
		groups[q.Export] = &group{first: q}
		order = append(order, q.Export)
	}
	if len(loose) > 0 {
		if len(order) == 0 {
			groups[""] = &group{first: loose[0], more: len(loose) - 1}
			order = append(order, "")
		} else {
			groups[order[0]].more += len(loose)
		}
	}
	for _, k := range order {
		g := groups[k]
		q := g.first
		more := ""
		if g.more > 0 {
			more = fmt.Sprintf(" (and %d more such queries here)", g.more)
		}
		what := "reads"
		if q.Effect.Writes() {
			what = "writes"
			if q.Effect.Reads() {
				what = "reads and writes"
			}
		}
		via := fmt.Sprintf("through the Supabase client made at %s:%d", q.Client.File, q.Client.Line)
		if q.Client.File == q.File && q.Client.Line == q.Line {
			via = "straight to Supabase's REST API" // a fetch of /rest/v1/<table>: the request is the client
		}
		pass.Report(rules.Diagnostic{
			Line:    q.Line,
			EndLine: q.EndLine,
			Related: []rules.Location{{Path: q.Client.File, Line: q.Client.Line}},
			Match:   "browser-tokenless " + q.Call + " " + q.Owner,
			Message: fmt.Sprintf("`%s` %s `%s` rows by `%s` from the browser (%s) %s "+
				"with the public key and no Clerk session token%s: RLS cannot tie the rows to the Clerk user, so anyone holding "+
				"the public key can send this query with another user's id", q.Call, what, q.Table, q.Owner, q.Browser,
				via, more),
		})
	}
	return nil
}
