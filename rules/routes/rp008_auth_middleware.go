package routes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RP008 flags legacy authMiddleware() options that open too much.
var RP008 = &rules.Rule{
	ID:         "CLK-RP-008",
	Name:       "auth-middleware-too-open",
	Pack:       rules.PackRoutes,
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	Checklist:  1,
	Keywords:   []string{"authMiddleware", "publicRoutes", "ignoredRoutes", "afterAuth", "clerkMiddleware", "rootAuthLoader"},
	Doc: rules.Doc{
		Title: "legacy authMiddleware options open routes, or are ignored by clerkMiddleware",
		References: []string{
			"https://clerk.com/docs/references/nextjs/auth-middleware",
			"https://clerk.com/docs/guides/development/upgrading/upgrade-guides/nextjs-v6",
			"https://clerk.com/docs/guides/development/upgrading/upgrade-guides/core-2/nextjs",
		},
		Text: "`authMiddleware()` (Core 1, `@clerk/nextjs` v4; deprecated in v5, removed in v6) protects every route " +
			"except `publicRoutes`, and runs no Clerk code at all on `ignoredRoutes`. An entry such as `'/api/:path*'`, " +
			"`'/api(.*)'` or `'/(.*)'` therefore opens every API route. A custom `afterAuth` completely replaces the " +
			"default behaviour, so unless it redirects signed-out users on non-public routes itself, every route is open. " +
			"When such an entry opens routes and every one of them checks the caller itself (or touches no data), the " +
			"middleware only attaches the session and nothing is reported; otherwise the finding names the opened routes " +
			"that reach data or a privileged call with no check of their own.\n\n" +
			"The same options passed to `clerkMiddleware()` (v5+) do nothing: `clerkMiddleware()` has no `publicRoutes`, " +
			"`ignoredRoutes` or `afterAuth` option, ignores them without an error, and protects no route by default, so " +
			"`clerkMiddleware({ publicRoutes: ['/'] })` leaves every route public.\n\n" +
			"Where the SDK's list of options is known (`clerkMiddleware()` and `rootAuthLoader()` of `@clerk/react-router`), " +
			"any other key, such as a misspelt `publishedKey`, is reported too: the SDK ignores it without an error, so the " +
			"value never reaches Clerk and the default (an environment variable) is used instead.",
		Bad:  "export default authMiddleware({ publicRoutes: ['/', '/api/:path*'] })",
		Good: "export default authMiddleware({ publicRoutes: ['/', '/api/webhooks/clerk'] })",
	},
	Fix: func(p *project.Model, file string) string {
		if a, ok := rules.FrameworkAuthOf(p, file); ok {
			return a.NextOnlyFix()
		}
		fix := "`authMiddleware` protects everything except `publicRoutes`; `ignoredRoutes` skip Clerk entirely; a custom `afterAuth` must handle the signed-out case itself (`if (!auth.userId && !auth.isPublicRoute) return redirectToSignIn({ returnBackUrl: req.url })`). List only the routes that must be public, such as `/api/webhooks/clerk`."
		if p.NextEra(file) >= project.EraV6 {
			return fix + " `authMiddleware` no longer exists in your `@clerk/nextjs` version (removed in v6): migrate to `clerkMiddleware()` and check auth in each resource."
		}
		return fix + " `authMiddleware` is removed in `@clerk/nextjs` v6: plan the migration to `clerkMiddleware()` with per-resource checks."
	},
	Run: runRP008,
}

// legacyOptions are authMiddleware() options that clerkMiddleware() does not
// read, in reporting order; protects says the option implies that the
// routes it does not list are protected.
var legacyOptions = []struct {
	key      string
	protects bool
}{
	{"publicRoutes", true}, {"afterAuth", true}, {"ignoredRoutes", true}, {"apiRoutes", true}, {"beforeAuth", false},
}

// legacyOptionsFix is the era-specific way to protect routes with
// clerkMiddleware().
func legacyOptionsFix(p *project.Model, file string) string {
	const tail = " Clerk recommends checking auth in each page, Route Handler and Server Action as well; Server Actions cannot be protected by middleware."
	switch p.NextEra(file) {
	case project.EraV5, project.EraCore1:
		return "`clerkMiddleware()` ignores `publicRoutes`/`ignoredRoutes`/`afterAuth`. Protect in its handler: " +
			"`const isPublicRoute = createRouteMatcher(['/', '/sign-in(.*)', '/api/webhooks(.*)'])`, then " +
			"`export default clerkMiddleware((auth, req) => { if (!isPublicRoute(req)) auth().protect() })` (`@clerk/nextjs` v5: `auth()` is synchronous)." + tail
	case project.EraCore3:
		return "`clerkMiddleware()` ignores `publicRoutes`/`ignoredRoutes`/`afterAuth`. Remove them and check auth where the data is: " +
			"`const { isAuthenticated } = await auth(); if (!isAuthenticated) …` (or `await auth.protect()`) in each page, Route Handler and " +
			"Server Action; `createRouteMatcher()` gating in middleware is deprecated in your `@clerk/nextjs` version."
	}
	return "`clerkMiddleware()` ignores `publicRoutes`/`ignoredRoutes`/`afterAuth`. Protect in its handler: " +
		"`const isPublicRoute = createRouteMatcher(['/', '/sign-in(.*)', '/api/webhooks(.*)'])`, then " +
		"`export default clerkMiddleware(async (auth, req) => { if (!isPublicRoute(req)) await auth.protect() })`." + tail
}

// clerkMiddlewareLegacyOptions reports clerkMiddleware() called with only an
// options object that holds authMiddleware() options: they are ignored and
// nothing is protected. With a handler, the handler decides, and the stray
// option is left alone.
func clerkMiddlewareLegacyOptions(pass *rules.Pass, f *jsast.File) {
	calls := f.Calls(f.Root, func(n string) bool {
		if f.ResolveClerk(n) != "clerkMiddleware" {
			return false
		}
		im, _ := f.ImportOf(n)
		return strings.HasPrefix(im.Source, "@clerk/nextjs")
	})
	for _, call := range calls {
		args := jsast.Args(call)
		if len(args) != 1 {
			continue
		}
		opts := jsast.Unwrap(args[0])
		if opts != nil && opts.Type == "identifier" {
			opts = jsast.Unwrap(f.LocalValue(f.Text(opts)))
		}
		if opts == nil || opts.Type != "object" {
			continue
		}
		for _, o := range legacyOptions {
			v := f.ObjectProp(opts, o.key)
			if v == nil {
				continue
			}
			at := v
			if pair := v.Parent; pair != nil && pair.Type == "pair" {
				at = pair
			}
			d := rules.Diagnostic{Line: at.Line, Column: at.Col, Fix: legacyOptionsFix(pass.Project, pass.File.Path)}
			if o.protects {
				d.Message = fmt.Sprintf("`clerkMiddleware()` has no %s option (it belongs to the legacy `authMiddleware()`): it is ignored, and `clerkMiddleware()` protects no route by default, so every route this configuration meant to protect is public", rules.Code(o.key))
			} else {
				d.Message = fmt.Sprintf("`clerkMiddleware()` has no %s option (it belongs to the legacy `authMiddleware()`): it is ignored, and no route is protected by this middleware", rules.Code(o.key))
				d.Severity = rules.Medium
			}
			pass.Report(d)
			break
		}
	}
}

// unknownOptions reports keys of an options object passed to a Clerk helper
// whose complete option list the knowledge tables hold, that are not in
// it: the SDK ignores them.
func unknownOptions(pass *rules.Pass, f *jsast.File) {
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		callee := jsast.Unwrap(call.ChildByField("function"))
		if callee == nil || callee.Type != "identifier" {
			continue
		}
		im, ok := f.ImportOf(f.Text(callee))
		if !ok || !jsast.IsClerkModule(im.Source) {
			continue
		}
		set, ok := knowledge.OptionsOf(im.Source, im.Imported)
		if !ok {
			continue
		}
		for _, a := range jsast.Args(call) {
			opts := jsast.Unwrap(a)
			if opts != nil && opts.Type == "identifier" {
				opts = jsast.Unwrap(f.LocalValue(f.Text(opts)))
			}
			if opts == nil || opts.Type != "object" {
				continue
			}
			for _, c := range opts.NamedChildren() {
				if c.Type != "pair" && c.Type != "shorthand_property_identifier" {
					continue
				}
				key := f.Text(c)
				if c.Type == "pair" {
					kn := c.ChildByField("key")
					if key, ok = f.StringValue(kn); !ok {
						key = f.Text(kn)
					}
				}
				if slices.Contains(set.Options, key) || isLegacyOption(key) {
					continue // legacy authMiddleware() options have their own message
				}
				hint := ""
				if near := nearestOption(key, set.Options); near != "" {
					hint = fmt.Sprintf(" (did you mean %s?)", rules.Code(near))
				}
				pass.Report(rules.Diagnostic{Line: c.Line, Column: c.Col, Severity: rules.Low,
					Related: []rules.Location{{Path: pass.File.Path, Line: call.Line}},
					Fix: fmt.Sprintf("Use the option names %s reads%s; the SDK ignores any other key without an error.",
						rules.Code(im.Imported+"()"), hint),
					Message: fmt.Sprintf("%s is not an option of %s (%s): the SDK ignores it, so this value never reaches Clerk%s",
						rules.Code(key), rules.Code(im.Imported+"()"), set.Package, hint)})
			}
		}
	}
}

func isLegacyOption(key string) bool {
	for _, o := range legacyOptions {
		if o.key == key {
			return true
		}
	}
	return false
}

// nearestOption returns the option a misspelt key most likely meant: the
// one at the smallest edit distance, when that is at most a third of the
// key's length.
func nearestOption(key string, options []string) string {
	best, bestD := "", len(key)/3+1
	for _, o := range options {
		if d := editDistance(strings.ToLower(key), strings.ToLower(o)); d < bestD {
			best, bestD = o, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// broadProbes are paths a too-broad public or ignored entry matches.
var broadProbes = []struct{ path, what string }{
	{"/clerkguard-probe/deep/path", "nearly every route"},
	{"/api/clerkguard-probe", "every /api route"},
	{"/trpc/clerkguard-probe", "every /trpc route"},
}

func runRP008(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	clerkMiddlewareLegacyOptions(pass, f)
	unknownOptions(pass, f)
	var openAfterAuth []*jsast.Node // afterAuth callbacks that let signed-out requests through
	for _, call := range f.Calls(f.Root, func(n string) bool { return f.ResolveClerk(n) == "authMiddleware" }) {
		args := jsast.Args(call)
		if len(args) == 0 {
			continue
		}
		opts := jsast.Unwrap(args[0])
		if opts.Type == "identifier" {
			opts = jsast.Unwrap(f.LocalValue(f.Text(opts)))
		}
		if opts == nil || opts.Type != "object" {
			continue
		}
		for _, key := range []string{"publicRoutes", "ignoredRoutes"} {
			v := f.ObjectProp(opts, key)
			if v == nil {
				continue
			}
			if fn := jsast.Unwrap(v); jsast.IsFunction(fn) {
				if returnsTrue(f, fn) {
					d := rules.Diagnostic{Line: fn.Line, Column: fn.Col,
						Message: fmt.Sprintf("%s is a function that returns true for every request: no route is protected", rules.Code(key))}
					if openedReport(pass, &d, func(string) bool { return true }) {
						pass.Report(d)
					}
				}
				continue
			}
			pats, _ := pass.Project.CompileRoutePatternsOf(f, v)
			for _, p := range pats {
				if p.Err != nil || strings.Contains(strings.ToLower(p.Source), "webhook") {
					continue
				}
				for _, probe := range broadProbes {
					if !p.Match(probe.path) {
						continue
					}
					effect := "public: authMiddleware lets signed-out requests through"
					if key == "ignoredRoutes" {
						effect = "ignored: Clerk does not run there at all, so no auth state exists"
					}
					d := rules.Diagnostic{Line: p.Line,
						Message: fmt.Sprintf("%s entry %s makes %s %s", rules.Code(key), rules.Code("'"+p.Source+"'"), probe.what, effect)}
					if openedReport(pass, &d, p.Match) {
						pass.Report(d)
					}
					break
				}
			}
		}
		if aa := f.ObjectProp(opts, "afterAuth"); aa != nil {
			fn := jsast.Unwrap(aa)
			if fn.Type == "identifier" {
				if lv := jsast.Unwrap(f.LocalValue(f.Text(fn))); lv != nil {
					fn = lv
				}
			}
			if !handlesSignedOut(f, fn) {
				openAfterAuth = append(openAfterAuth, aa)
			}
		}
	}
	// Every copy opens every route: one defect, reported once at the first
	// with the others as related places.
	if len(openAfterAuth) > 0 {
		aa := openAfterAuth[0]
		d := rules.Diagnostic{Line: aa.Line, Column: aa.Col,
			Message: "custom `afterAuth` replaces authMiddleware's default redirect but never handles signed-out requests to non-public routes: every route is open"}
		var also []string
		for _, o := range openAfterAuth[1:] {
			d.Related = append(d.Related, rules.Location{Path: pass.File.Path, Line: o.Line})
			also = append(also, fmt.Sprint(o.Line))
		}
		if len(also) > 0 {
			d.Message += " (the same afterAuth problem: also line " + strings.Join(also, ", line ") + ")"
		}
		pass.Report(d)
	}
	return nil
}

// openedReport completes d with the entries the opening configuration
// exposes (see openedExposed) and reports whether d stands: it does unless
// the configuration opens entries and every one of them checks the caller
// itself or touches nothing. A configuration that opens no entry yet stands
// on its own: a route added later is public by default.
func openedReport(pass *rules.Pass, d *rules.Diagnostic, match func(string) bool) bool {
	opened, exposed, known := openedExposed(pass, match)
	if known && opened > 0 && len(exposed) == 0 {
		return false
	}
	if len(exposed) > 0 {
		d.Message += fmt.Sprintf("; %s reaches data or a privileged call with no check of its own", exposed[0].Label())
		if len(exposed) > 1 {
			d.Message += fmt.Sprintf(" (and %d more entries)", len(exposed)-1)
		}
		for _, e := range exposed {
			d.Related = append(d.Related, rules.Location{Path: e.File, Line: e.Line})
		}
	}
	return true
}

// openedExposed asks the model how many entries of this middleware's app
// the public or ignored configuration (match) opens, and which of them, by their own guard alone,
// let a signed-out caller reach data or a privileged call (Model.OwnGuard):
// a middleware that opens only routes checking the caller themselves opens
// nothing. known is false when the model cannot tell (no model, entries not
// listed): the finding then stands on the configuration alone.
func openedExposed(pass *rules.Pass, match func(string) bool) (opened int, exposed []*model.Entry, known bool) {
	if pass.Model == nil {
		return 0, nil, false
	}
	es, err := pass.Model.Entries(pass.Ctx)
	if err != nil {
		return 0, nil, false
	}
	app := pass.Project.PackageFor(pass.File.Path)
	for _, e := range es {
		if e.Framework != knowledge.NextJS || !e.PathKnown || !match(e.Path) || pass.Project.PackageFor(e.File) != app {
			continue
		}
		opened++
		v, effs := pass.Model.OwnGuard(pass.Ctx, e)
		if v.Guarded() {
			continue
		}
		if effs.Incomplete || slices.ContainsFunc(effs.List, func(x model.Effect) bool {
			return x.SignedOut != model.ReachNo && x.Kind != model.Outbound && x.Kind != model.Relays
		}) {
			exposed = append(exposed, e)
		}
	}
	return opened, exposed, true
}

func returnsTrue(f *jsast.File, fn *jsast.Node) bool {
	b := fn.ChildByField("body")
	if b == nil {
		return false
	}
	if b.Type != "statement_block" {
		return jsast.Unwrap(b).Type == "true"
	}
	sts := b.NamedChildren()
	if len(sts) != 1 || sts[0].Type != "return_statement" {
		return false
	}
	r := jsast.Unwrap(firstNamed(sts[0]))
	return r != nil && r.Type == "true"
}

// handlesSignedOut reports whether an afterAuth function deals with
// signed-out users: it redirects to sign-in, or branches on userId and
// isPublicRoute, or protects.
func handlesSignedOut(f *jsast.File, fn *jsast.Node) bool {
	t := f.Text(fn)
	return strings.Contains(t, "redirectToSignIn") || strings.Contains(t, ".protect(") ||
		(strings.Contains(t, "userId") && strings.Contains(t, "isPublicRoute")) ||
		(strings.Contains(t, "!auth.userId") || strings.Contains(t, "!userId"))
}
