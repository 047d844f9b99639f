package routes

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RP023 flags `[functions.<name>] verify_jwt = false` in
// supabase/config.toml for an Edge Function that then takes the caller's
// identity from a token it does not verify (the model's verdict and
// inputs): the gateway's check is off and nothing replaces it.
var RP023 = &rules.Rule{
	ID:         "CLK-RP-023",
	Name:       "supabase-verify-jwt-off-unverified",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  1,
	Files: func(f *source.File) bool {
		return path.Base(f.Path) == "config.toml" && strings.Contains("/"+f.Path, "/supabase/")
	},
	Keywords: []string{"verify_jwt"},
	Doc: rules.Doc{
		Title: "`verify_jwt = false` for a Supabase function that trusts an unverified token",
		Text: "`verify_jwt = false` under `[functions.<name>]` in `supabase/config.toml` turns off the Supabase gateway's JWT " +
			"check for that Edge Function. With Clerk that is the documented setup, because the gateway only accepts tokens " +
			"the Supabase project signed: the function must then verify the Clerk session token itself (`verifyToken()` or " +
			"`authenticateRequest()` of `@clerk/backend`). Reported: a function with the check off that takes the caller's " +
			"identity from a token it decodes without verifying the signature (`atob(token.split('.')[1])`, `decodeJwt()`) " +
			"or from a request header that names the owner of the records it touches, so anyone can call it as any user. The finding is at the config line; CLK-RP-017 reports the decoding in the " +
			"function.\n\nNot reported: functions that verify the Clerk token, webhooks that verify their provider's " +
			"signature, and functions that use no identity (an open function is CLK-RP-021's finding).",
		Bad:  "# supabase/config.toml\n[functions.cancel-subscription]\nverify_jwt = false\n\n// index.ts\nconst claims = JSON.parse(atob(token.split('.')[1]))",
		Good: "// index.ts\nimport { verifyToken } from 'npm:@clerk/backend'\nconst claims = await verifyToken(token, { secretKey: Deno.env.get('CLERK_SECRET_KEY') })",
		Lang: "ts",
		References: []string{
			"https://supabase.com/docs/guides/functions/function-configuration",
			"https://clerk.com/docs/guides/development/integrations/databases/supabase",
			"https://clerk.com/docs/reference/backend/verify-token",
		},
	},
	Fix: func(p *project.Model, file string) string {
		return "Keep `verify_jwt = false` only for functions that verify the caller themselves: verify the Clerk session token " +
			"from the `Authorization` header with `verifyToken()` from `@clerk/backend` (or `authenticateRequest()`) before using " +
			"its `sub`, and reject the request when verification fails."
	},
	Run: runRP023,
}

func runRP023(pass *rules.Pass) error {
	if pass.Model == nil {
		return nil
	}
	es, err := pass.Model.Entries(pass.Ctx)
	if err != nil {
		return fmt.Errorf("CLK-RP-023: %w", err)
	}
	for _, e := range es {
		if e.Framework != knowledge.SupabaseEdge {
			continue
		}
		g := pass.Model.EdgeGateway(pass.Ctx, e)
		if !g.Known || g.VerifyJWT || g.Config.File != pass.File.Path {
			continue
		}
		v := pass.Model.Guard(pass.Ctx, e)
		if v.Webhook != "" || v.Authn != model.AuthnNo && v.Authn != model.AuthnPartial {
			continue
		}
		what, at, ok := unverifiedIdentity(pass, e)
		if !ok {
			continue
		}
		pass.Report(rules.Diagnostic{Line: g.Config.Line,
			Match: "[functions." + e.Name + "] verify_jwt = false",
			Message: fmt.Sprintf("`verify_jwt = false` turns off the gateway's JWT check for the Edge Function `%s`, which takes the caller's "+
				"identity from %s at %s:%d: anyone can call it as any user", e.Name, what, at.File, at.Line),
			Related: []rules.Location{{Path: e.File, Line: e.Line}, {Path: at.File, Line: at.Line}}})
	}
	return nil
}

// unverifiedIdentity returns how an entry takes an identity it never
// verifies, by the model's facts: the claims of a token it decodes
// without verifying (a token input), or a request header that fills the
// owner field of a query or new record (Effect.OwnerFromRequest).
func unverifiedIdentity(pass *rules.Pass, e *model.Entry) (string, model.Location, bool) {
	for _, in := range pass.Model.Inputs(pass.Ctx, e) {
		if in.Source == model.FromToken {
			return "a token it decodes without verifying it (`" + in.Name + "`)", in.Location, true
		}
	}
	for _, fx := range pass.Model.Effects(pass.Ctx, e).List {
		if fx.OwnerFromRequest != "" && slices.Contains(fx.Request, model.FromHeaders) {
			return "a request header (`" + fx.OwnerFromRequest + "` of `" + fx.Call + "`)", fx.Location, true
		}
	}
	return "", model.Location{}, false
}
