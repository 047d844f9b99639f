package hardening

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
)

// HARD007 reports an entry point a signed-out caller reaches that sends
// back the names of the server's settings (`Object.keys(process.env)`,
// the Workers env's bindings): a diagnostics endpoint left public. Which
// objects are the whole environment is knowledge.WholeEnvironment and
// knowledge.EnvironmentImport; who reaches the entry is the model's
// guard verdict.
var HARD007 = &rules.Rule{
	ID:         "CLK-HARD-007",
	Name:       "environment-listed-to-anyone",
	Pack:       rules.PackHardening,
	Severity:   rules.Low,
	Confidence: rules.MediumConfidence,
	Checklist:  2,
	Keywords:   []string{"Object.keys", "getOwnPropertyNames"},
	Doc: rules.Doc{
		Title: "public endpoint lists the server's environment variables",
		References: []string{
			"https://nodejs.org/api/process.html#processenv",
			"https://developers.cloudflare.com/workers/runtime-apis/bindings/#importing-env-as-a-global",
			"https://clerk.com/docs/guides/development/clerk-environment-variables",
		},
		Text: "A diagnostics endpoint that returns `Object.keys(process.env)` (or the names of a Cloudflare Worker's " +
			"bindings, `Object.keys(env)` of `cloudflare:workers`) to a caller nothing authenticates tells anyone which " +
			"databases, buckets, keys and third-party services the deployment holds and what they are called: a map for " +
			"the next request. Such endpoints are written while debugging a deployment and forgotten. Reported where the " +
			"names are read when they reach the entry's response and a signed-out caller reaches it; the values " +
			"themselves are CLK-SEC-012's finding.",
		Bad: "export const GET = async () => {\n  const info = { envKeys: Object.keys(env) }\n" +
			"  return new Response(JSON.stringify(info))\n}",
		Good: "export const GET = async ({ locals }) => {\n  const { userId, has } = locals.auth()\n" +
			"  if (!userId || !has({ role: 'org:admin' })) return new Response(null, { status: 404 })\n" +
			"  return Response.json({ envKeys: Object.keys(env) })\n}",
	},
	Fix: rules.ConstFix("Remove the diagnostics endpoint before deploying, or answer only to an administrator " +
		"(check the caller's role on the server) and return no setting names."),
	Run: runHARD007,
}

func runHARD007(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || pass.Model == nil {
		return nil
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return nil //nolint:nilerr // ctx ended: no findings, not a rule failure
	}
	for _, call := range f.Calls(f.Root, func(n string) bool { return n == "Object.keys" || n == "Object.getOwnPropertyNames" }) {
		args := jsast.Args(call)
		if len(args) == 0 || !wholeEnvironment(f, jsast.Unwrap(args[0])) || !reachesResponse(f, call) {
			continue
		}
		for _, e := range es {
			if e.File != pass.File.Path || call.Line < e.Line || e.EndLine > 0 && call.Line > e.EndLine {
				continue
			}
			v := pass.Model.Guard(pass.Ctx, e)
			if v.Authn != model.AuthnNo && v.Authn != model.AuthnPartial {
				continue // guarded, or the model cannot tell: never a flipped verdict
			}
			pass.Report(rules.Diagnostic{Line: call.Line, Column: call.Col,
				Message: fmt.Sprintf("%s sends %s, the names of every setting and binding of the server, to any caller: nothing authenticates the request",
					rules.Code(e.Label()), rules.Code(f.Text(call)))})
			break
		}
	}
	return nil
}

// wholeEnvironment reports whether n is the runtime's whole environment:
// process.env (knowledge.WholeEnvironment) or an import that is
// (knowledge.EnvironmentImport: env of cloudflare:workers).
func wholeEnvironment(f *jsast.File, n *jsast.Node) bool {
	if n == nil {
		return false
	}
	switch n.Type {
	case "member_expression":
		return knowledge.WholeEnvironment(f.Name(n), false)
	case "identifier":
		im, ok := f.ImportOf(f.Text(n))
		return ok && knowledge.EnvironmentImport(im.Source, im.Imported)
	}
	return false
}

// reachesResponse reports whether the value of call (through the steps
// chained on it: `.filter(...)`, not `.length` or a comparison) is returned by its function, directly
// or through the name it is stored in (`info.envKeys = ...`, `const
// keys = ...`) that a return statement of the function uses.
func reachesResponse(f *jsast.File, call *jsast.Node) bool {
	fn := jsast.EnclosingFunction(call)
	if fn == nil {
		return false
	}
	x := call
	for x.Parent != nil && x.Parent != fn {
		p := x.Parent
		switch p.Type {
		case "member_expression":
			// keys.filter(...) passes them on; keys.length is a number.
			if c := p.Parent; c == nil || c.Type != "call_expression" || c.ChildByField("function") != p {
				return false
			}
		case "binary_expression", "unary_expression", "ternary_expression", "if_statement", "for_in_statement":
			return false // a count, a comparison, a condition: no name is sent
		case "return_statement":
			return true
		case "assignment_expression", "variable_declarator":
			target := p.ChildByField("left")
			if p.Type == "variable_declarator" {
				target = p.ChildByField("name")
			}
			for target != nil && target.Type == "member_expression" {
				target = jsast.Unwrap(target.ChildByField("object"))
			}
			if target == nil || target.Type != "identifier" {
				return false
			}
			return returnsName(f, fn, f.Text(target))
		}
		x = p
	}
	return false
}

// returnsName reports whether a return statement of fn (outside nested
// functions) uses the identifier name.
func returnsName(f *jsast.File, fn *jsast.Node, name string) bool {
	found := false
	jsast.Walk(fn.ChildByField("body"), func(x *jsast.Node) bool {
		if found || jsast.IsFunction(x) {
			return false
		}
		if x.Type == "return_statement" {
			jsast.Walk(x, func(y *jsast.Node) bool {
				if y.Type == "identifier" && f.Text(y) == name {
					found = true
				}
				return !found && !jsast.IsFunction(y)
			})
			return false
		}
		return true
	})
	return found
}
