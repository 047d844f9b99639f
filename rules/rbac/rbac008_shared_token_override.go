package rbac

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RBAC008 reports a third-party access token chosen as
// `env.SHARED_TOKEN || <the caller's OAuth token from Clerk>`: when the
// deployment sets the variable, every signed-in user acts with the
// deployment's account instead of their own.
var RBAC008 = &rules.Rule{
	ID:         "CLK-RBAC-008",
	Name:       "shared-token-overrides-user-oauth-token",
	Pack:       rules.PackRBAC,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Keywords:   []string{oauthTokenCall},
	Doc: rules.Doc{
		Title: "a deployment-wide token replaces the user's own OAuth token",
		References: []string{
			"https://clerk.com/docs/reference/backend/user/get-user-oauth-access-token",
			"https://clerk.com/docs/guides/configure/auth-strategies/social-connections/overview",
		},
		Text: "`clerkClient.users.getUserOauthAccessToken(userId, provider)` returns the signed-in user's own access token " +
			"for a connected provider (Notion, GitHub, Google), so what the app then does at that provider is limited to what " +
			"that user may do there. Code that picks the token as `process.env.X_TOKEN || userToken` (or `??`, or a ternary " +
			"on the variable) prefers a deployment-wide token whenever the variable is set: every signed-in user then reads " +
			"and writes the deployment owner's account at the provider, and the provider's per-user authorization no longer " +
			"applies. The rule follows the value of the Clerk call through the function's variables; an environment value " +
			"used only as the fallback after the user's token, or for app-level calls that never see the user's token, is not " +
			"reported.",
		Bad: `const { data } = await clerkClient.users.getUserOauthAccessToken(userId, 'notion')
const token = process.env.NOTION_TOKEN || data[0].token
return new Client({ auth: token })`,
		Good: `const { data } = await clerkClient.users.getUserOauthAccessToken(userId, 'notion')
if (!data[0]) throw new Error('Notion is not connected')
return new Client({ auth: data[0].token })`,
	},
	Fix: func(*project.Model, string) string {
		return "Use the token `getUserOauthAccessToken` returns for the signed-in user and fail when there is none; keep a " +
			"deployment-wide token, if one is needed, for app-level jobs that act on no user's behalf, behind an admin check."
	},
	Run: runRBAC008,
}

// oauthTokenCall is the Backend method that returns a user's OAuth
// access token for a provider.
const oauthTokenCall = "getUserOauthAccessToken"

func runRBAC008(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	for _, call := range jsast.Find(f.Root, "call_expression") {
		// clerkClient.users.getUserOauthAccessToken, clerk.users.…: the
		// Backend API's users resource, as knowledge lists it.
		segs := strings.Split(f.CalleeName(call), ".")
		if len(segs) < 2 || segs[len(segs)-1] != oauthTokenCall {
			continue
		}
		if _, ok := knowledge.BackendCallOf(segs[len(segs)-2], oauthTokenCall); !ok {
			continue
		}
		fn := jsast.EnclosingFunction(call)
		if fn == nil {
			continue
		}
		derived := userTokenNames(f, fn, call)
		for _, x := range jsast.Find(fn, "binary_expression", "ternary_expression") {
			env, user, ok := sharedFirst(f, x, derived)
			if !ok {
				continue
			}
			pass.Report(rules.Diagnostic{Line: x.Line, Column: x.Col,
				Message: fmt.Sprintf("%s is preferred to the caller's own OAuth token (%s from `%s`): when it is set, every signed-in user acts with the deployment's account",
					rules.Code(env), rules.Code(user), oauthTokenCall)})
		}
	}
	return nil
}

// userTokenNames returns the variables of fn that hold the value of the
// token call or something read from it (const res = await call;
// const tokens = res.data; const [{ token }] = tokens), in declaration
// order.
func userTokenNames(f *jsast.File, fn, call *jsast.Node) map[string]bool {
	names := map[string]bool{}
	holds := func(v *jsast.Node) bool {
		if v == nil {
			return false
		}
		if v.Contains(call) {
			return true
		}
		for _, id := range jsast.Find(v, "identifier", "shorthand_property_identifier") {
			if names[f.Text(id)] {
				return true
			}
		}
		return false
	}
	for _, d := range jsast.Find(fn, "variable_declarator") {
		if !holds(d.ChildByField("value")) {
			continue
		}
		for _, id := range jsast.Find(d.ChildByField("name"), "identifier", "shorthand_property_identifier_pattern") {
			names[f.Text(id)] = true
		}
	}
	return names
}

// sharedFirst recognises `env.X || user` / `env.X ?? user` and
// `env.X ? env.X : user`, where user reads the caller's token.
func sharedFirst(f *jsast.File, x *jsast.Node, derived map[string]bool) (env, user string, ok bool) {
	var left, right *jsast.Node
	switch x.Type {
	case "binary_expression":
		if op := f.Text(x.ChildByField("operator")); op != "||" && op != "??" {
			return "", "", false
		}
		left, right = x.ChildByField("left"), x.ChildByField("right")
	case "ternary_expression":
		cond, cons := x.ChildByField("condition"), x.ChildByField("consequence")
		if cond == nil || cons == nil || f.EnvName(cond) == "" || f.EnvName(cond) != f.EnvName(cons) {
			return "", "", false
		}
		left, right = cons, x.ChildByField("alternative")
	}
	if left == nil || right == nil || f.EnvName(left) == "" || strings.Contains(f.Text(left), oauthTokenCall) {
		return "", "", false
	}
	for _, id := range jsast.Find(right, "identifier") {
		if derived[f.Text(id)] {
			return f.Text(jsast.Unwrap(left)), f.Text(jsast.Unwrap(right)), true
		}
	}
	return "", "", false
}
