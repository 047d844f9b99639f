package rbac

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// RBAC006 flags the full Backend User object (currentUser(),
// users.getUser(), users.getUserList(), a user.* webhook's evt.data) sent
// whole to the browser: a JSON response, a loader or Server Action return
// value, a prop of a 'use client' component, or a realtime broadcast; and
// whole records of the app's own user table with contact fields returned
// to other callers (model.ContactExposure).
var RBAC006 = &rules.Rule{
	ID:         "CLK-RBAC-006",
	Name:       "full-backend-user-sent-to-client",
	Pack:       rules.PackRBAC,
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	Checklist:  2,
	Keywords: []string{"currentUser", "getUser", "user.created", "user.updated", "updateUser", "createUser", "deleteUser",
		"banUser", "unbanUser", "lockUser", "unlockUser", "ctx.db", ".user", "db.get(", "db.query(", "include:", "select:"},
	Doc: rules.Doc{
		Title: "full backend user object sent to the client",
		References: []string{
			"https://clerk.com/docs/reference/nextjs/app-router/current-user",
			"https://clerk.com/docs/guides/users/extending",
		},
		Text: "`currentUser()`, `clerkClient.users.getUser()` / `getUserList()` and the `data` of `user.*` webhook events " +
			"return the Backend API `User`, which includes `privateMetadata` (server-only by design: Clerk documents it as " +
			"not readable from the frontend), every email address and phone number, external accounts and timestamps. " +
			"Returning that object whole from a Route Handler or API route, a loader or Server Action, passing it as a prop " +
			"to a `'use client'` component (props are serialized into the page) or broadcasting it, sends all of it to the " +
			"browser. Clerk's `currentUser()` reference warns about exactly this, although several official examples return " +
			"the full object.\n\nSelected fields (`{ firstName: user.firstName }`), rendering the user in a Server Component, " +
			"props of server components and `auth()` objects are not reported.\n\n" +
			"The users mutations that answer with the updated user (`updateUser`, `updateUserMetadata`, `banUser`, ...) " +
			"return the same object. Sending the caller their own user is reported as low severity; another user's, " +
			"picked by an id from the request or listed by `getUserList()`, as high.\n\n" +
			"The same holds for the app's own user table: an entry (a public Convex query, a search, a helper that attaches " +
			"the creator to feed items) that returns whole documents of a users table whose schema holds an email, phone " +
			"number or push token sends other users' contact data to every caller. Returning only the public fields " +
			"(name, image) and the caller reading their own record are not reported.\n\n" +
			"A Prisma read that brings in such rows through a relation (`include: { user: true }`, an `author` relation " +
			"selecting its `email`) is reported the same way, when its rows leave whole (returned, passed on, or, from a " +
			"Server Component page, passed to a `'use client'` component); a relation narrowed to public fields, a " +
			"relation read only for a name, a read checked by a role or permission, a read whose filter the entry narrows by " +
			"the caller's role, rows handed to a policy check that ends the request, and the caller's own rows in their " +
			"organization (teammates on the caller's records) are not. The caller's own rows that " +
			"include other users' records this way (their subscriptions including each `creator` whole) carry them too. A sign-in check alone " +
			"does not keep them from other users: in an app that does not close sign-up, any signed-in user is anyone.",
		Bad: `// app/profile/page.tsx (Server Component)
import { currentUser } from '@clerk/nextjs/server'
import { ProfileCard } from './profile-card' // 'use client'

export default async function Page() {
  const user = await currentUser()
  return <ProfileCard user={JSON.parse(JSON.stringify(user))} />
}`,
		Good: `export default async function Page() {
  const user = await currentUser()
  if (!user) return null
  return <ProfileCard firstName={user.firstName} imageUrl={user.imageUrl} />
}`,
		Lang: "tsx",
	},
	Fix: fixRBAC006,
	Run: runRBAC006,
}

func fixRBAC006(p *project.Model, path string) string {
	const why = "The Backend User object includes `privateMetadata`, which should not be exposed to the frontend, and all of the user's email addresses and phone numbers. "
	switch {
	case p.DependsOn(path, "@clerk/express") || p.DependsOn(path, "@clerk/fastify"):
		return why + "Respond with the fields the client needs: `res.json({ id: user.id, firstName: user.firstName, imageUrl: user.imageUrl })`."
	case p.DependsOn(path, "@clerk/remix") || p.DependsOn(path, "@clerk/react-router") || p.DependsOn(path, "@clerk/tanstack-react-start"):
		return why + "Return only the fields the route renders from the loader: `return { firstName: user.firstName, imageUrl: user.imageUrl }`; in components, `useUser()` gives the frontend User, which has no `privateMetadata`."
	case p.DependsOn(path, "@clerk/nextjs"):
		return why + "Pass only the fields the UI needs (`<Profile firstName={user.firstName} imageUrl={user.imageUrl} />`, `NextResponse.json({ firstName: user.firstName })`), or read the user in the client component with `useUser()`, which returns the frontend User without `privateMetadata`."
	}
	return why + "Return only the fields the UI needs, e.g. `{ firstName: user.firstName, imageUrl: user.imageUrl }`."
}

// webhookSrc starts the source description of a user webhook payload.
const webhookSrc = "the user webhook's `"

// srcMarkdown renders a source for a message: the code of a call, or the
// user webhook's payload expression, each as a code span.
func srcMarkdown(src string) string {
	if expr, ok := strings.CutPrefix(src, webhookSrc); ok {
		return "the user webhook's " + rules.Code(strings.TrimSuffix(expr, "`"))
	}
	return rules.Code(src)
}

// fullUser is a local name bound to a Backend User (or a list of them).
type fullUser struct {
	scope *jsast.Node // function (or program) the binding lives in
	src   string      // the call it came from, for messages
}

// userBindings finds the names bound to Backend User values in a file.
type userBindings struct {
	f     *jsast.File
	names map[string][]fullUser
	// whose says, per source, whether the user sent is the caller
	// ("own": currentUser(), users.updateUser(user.id)) or others
	// ("others": getUserList(), getUser(params.id)); "" when unknown or
	// when the file has both.
	whose map[string]string
	hooks bool // the file handles user.* webhook events
	clerk bool // the file imports a Clerk package
	// reqUser reports a request property a hook stores a whole Backend
	// User in (model.RequestClerkUser); nil without a model.
	reqUser func(prop string) bool
}

func (b *userBindings) bind(name string, at *jsast.Node, src string) {
	scope := jsast.EnclosingFunction(at)
	if scope == nil {
		scope = b.f.Root
	}
	for _, u := range b.names[name] {
		if u.scope == scope {
			return
		}
	}
	b.names[name] = append(b.names[name], fullUser{scope: scope, src: src})
}

// lookup returns the binding of an identifier use.
func (b *userBindings) lookup(id *jsast.Node) (fullUser, bool) {
	for _, u := range b.names[b.f.Text(id)] {
		if u.scope.Contains(id) {
			return u, true
		}
	}
	return fullUser{}, false
}

// sourceCall names a call that returns a Backend User: currentUser(),
// …users.getUser(), …users.getUserList().
func (b *userBindings) sourceCall(call *jsast.Node) string {
	name := b.f.CalleeName(call)
	segs := strings.Split(strings.ReplaceAll(name, "()", ""), ".")
	last := segs[len(segs)-1]
	switch {
	case last == "currentUser" && len(segs) == 1 && b.f.ResolveClerk(segs[0]) == "currentUser":
		return "currentUser()"
	case last == "currentUser" && len(segs) > 1 && segs[len(segs)-2] == "locals":
		return name + "()"
	case (knowledge.ReturnsBackendUser(last) || last == "getUserList") && len(segs) > 1 && segs[len(segs)-2] == "users" &&
		(b.clerk || strings.Contains(strings.ToLower(name), "clerk")):
		return "users." + last + "()"
	}
	return ""
}

// webhookEvent reports whether name is bound to a verified webhook event
// (verifyWebhook(req), wh.verify(body, headers)).
func (b *userBindings) webhookEvent(id *jsast.Node) bool {
	v := jsast.Unwrap(b.f.LocalValue(b.f.Text(id)))
	if v == nil {
		// let evt: WebhookEvent; evt = wh.verify(...)
		return strings.Contains(b.f.Text(b.f.Root), b.f.Text(id)+" = wh.verify(") || strings.Contains(b.f.Text(b.f.Root), b.f.Text(id)+" = await verifyWebhook(")
	}
	if v.Type != "call_expression" {
		return false
	}
	last := jsast.LastSegment(b.f.CalleeName(v))
	return last == "verifyWebhook" || last == "verify"
}

// value returns the source an expression denotes when it is a whole
// Backend User: a bound name, a source call, a JSON round trip or
// structuredClone of one, evt.data of a user webhook.
func (b *userBindings) value(e *jsast.Node) (string, bool) {
	e = jsast.Unwrap(e)
	if e == nil {
		return "", false
	}
	switch e.Type {
	case "identifier":
		if u, ok := b.lookup(e); ok {
			return u.src, true
		}
	case "ternary_expression":
		// userId ? await clerkClient.users.getUser(userId) : null: the
		// user, or nothing.
		c, a := jsast.Unwrap(e.ChildByField("consequence")), jsast.Unwrap(e.ChildByField("alternative"))
		for _, pair := range [2][2]*jsast.Node{{c, a}, {a, c}} {
			if other := pair[1]; other != nil && (other.Type == "null" || other.Type == "undefined") {
				return b.value(pair[0])
			}
		}
	case "call_expression":
		if src := b.sourceCall(e); src != "" {
			b.noteWhose(src, e)
			return src, true
		}
		switch b.f.CalleeName(e) {
		case "JSON.parse", "JSON.stringify", "structuredClone", "superjson.serialize", "serialize":
			if a := jsast.Args(e); len(a) > 0 {
				return b.value(a[0])
			}
		}
	case "member_expression":
		obj := jsast.Unwrap(e.ChildByField("object"))
		if b.requestUser(e, obj) {
			return b.f.Text(e), true // request.user, stored by the application's hook
		}
		if b.f.Text(e.ChildByField("property")) != "data" || obj == nil {
			break
		}
		if obj.Type != "identifier" {
			// JSON.parse(JSON.stringify(list)).data: the page of a copy.
			if src, ok := b.value(obj); ok && strings.HasSuffix(src, "getUserList()") {
				return src, true
			}
			break
		}
		if u, ok := b.lookup(obj); ok && strings.HasSuffix(u.src, "getUserList()") {
			return u.src, true // the page of users
		}
		if b.hooks && b.webhookEvent(obj) {
			return webhookSrc + b.f.Text(obj) + ".data`", true
		}
	}
	return "", false
}

// requestUser reports whether e (obj.prop) reads a property of the
// enclosing function's request parameter that a hook of the application
// sets to a whole Backend User.
func (b *userBindings) requestUser(e, obj *jsast.Node) bool {
	if b.reqUser == nil || obj == nil || obj.Type != "identifier" {
		return false
	}
	fn := jsast.EnclosingFunction(e)
	if fn == nil {
		return false
	}
	ps := jsast.ParamPatterns(fn)
	return len(ps) > 0 && ps[0].Type == "identifier" && b.f.Text(ps[0]) == b.f.Text(obj) && b.reqUser(b.f.Text(e.ChildByField("property")))
}

// contains returns the source of a whole Backend User found in e: the
// value itself, an object property or spread, an array element.
func (b *userBindings) contains(e *jsast.Node, depth int) (string, string, bool) {
	e = jsast.Unwrap(e)
	if e == nil || depth > 4 {
		return "", "", false
	}
	if src, ok := b.value(e); ok {
		return b.f.Text(e), src, true
	}
	switch e.Type {
	case "ternary_expression": // user ? user : null
		for _, k := range []string{"consequence", "alternative"} {
			if expr, src, ok := b.contains(e.ChildByField(k), depth+1); ok {
				return expr, src, true
			}
		}
	case "binary_expression": // user ?? null, user || {}
		if op := e.ChildByField("operator"); op != nil && (b.f.Text(op) == "??" || b.f.Text(op) == "||") {
			for _, k := range []string{"left", "right"} {
				if expr, src, ok := b.contains(e.ChildByField(k), depth+1); ok {
					return expr, src, true
				}
			}
		}
	case "object", "array":
		for _, c := range e.NamedChildren() {
			var v *jsast.Node
			switch c.Type {
			case "pair":
				v = c.ChildByField("value")
			case "shorthand_property_identifier":
				if u, ok := b.lookup(c); ok {
					return b.f.Text(c), u.src, true
				}
				continue
			case "spread_element":
				if nc := c.NamedChildren(); len(nc) > 0 {
					v = nc[0]
				}
			default:
				v = c
			}
			if expr, src, ok := b.contains(v, depth+1); ok {
				return expr, src, true
			}
		}
	}
	return "", "", false
}

// collect binds every name assigned a Backend User in the file.
func (b *userBindings) collect() {
	for pass := 0; pass < 2; pass++ { // aliases of aliases
		for _, d := range jsast.Find(b.f.Root, "variable_declarator", "assignment_expression") {
			var pat, val *jsast.Node
			if d.Type == "variable_declarator" {
				pat, val = d.ChildByField("name"), d.ChildByField("value")
			} else {
				pat, val = d.ChildByField("left"), d.ChildByField("right")
			}
			if pat == nil || val == nil {
				continue
			}
			src, ok := b.value(val)
			if !ok {
				continue
			}
			b.noteWhose(src, val)
			switch pat.Type {
			case "identifier":
				b.bind(b.f.Text(pat), d, src)
			case "object_pattern":
				// const { data: users } = await client.users.getUserList()
				if !strings.HasSuffix(src, "getUserList()") {
					continue
				}
				for _, c := range pat.NamedChildren() {
					switch c.Type {
					case "shorthand_property_identifier_pattern":
						if b.f.Text(c) == "data" {
							b.bind("data", d, src)
						}
					case "pair_pattern":
						if k, v := c.ChildByField("key"), c.ChildByField("value"); k != nil && v != nil && b.f.Text(k) == "data" && v.Type == "identifier" {
							b.bind(b.f.Text(v), d, src)
						}
					}
				}
			}
		}
	}
}

// rbac006ReturnKinds are the model's entry kinds whose return value the
// framework serializes to the browser, with the noun a finding uses (a
// Route Handler or endpoint returns a Response, reported where it is
// built).
var rbac006ReturnKinds = map[model.Kind]string{
	model.Loader: "loader", model.Action: "action", model.ServerAction: "server action",
	model.ServerFunction: "server function", model.TRPCQuery: "procedure", model.TRPCMutation: "procedure",
	model.TRPCSubscription: "procedure", model.Load: "endpoint", model.LayoutLoad: "endpoint",
	model.FormAction: "action", model.ServerRoute: "event handler",
}

func runRBAC006(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil || f.Directive() == "use client" {
		return nil
	}
	if jsast.IsNonRequestPath(f.Path) && !modelEntries(pass) {
		return nil // a script or example no request reaches (the model lists an example repository's apps)
	}
	reportContactReads(pass)
	text := f.Text(f.Root)
	b := &userBindings{f: f, names: map[string][]fullUser{}, whose: map[string]string{},
		hooks: strings.Contains(text, "'user.created'") || strings.Contains(text, "'user.updated'") ||
			strings.Contains(text, `"user.created"`) || strings.Contains(text, `"user.updated"`)}
	b.clerk = f.ImportsFrom(jsast.IsClerkModule)
	stored := false // the file reads a request property a hook stores a Backend User in
	if pass.Model != nil {
		for _, p := range pass.Model.RequestClerkUserProps(pass.Ctx) {
			stored = stored || strings.Contains(text, "."+p)
		}
		b.reqUser = func(prop string) bool { return pass.Model.RequestClerkUser(pass.Ctx, prop) }
	}
	if !b.clerk && !b.hooks && !stored && !strings.Contains(text, "locals.currentUser") && !strings.Contains(strings.ToLower(text), "clerk") {
		return nil
	}
	b.collect()
	var entries []*model.Entry
	if pass.Model != nil {
		entries, _ = pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	}
	reported := map[*jsast.Node]bool{}
	lines := map[int]bool{} // lines already reported
	report := func(n *jsast.Node, src, msg string, related []rules.Location) {
		if reported[n] {
			return
		}
		reported[n] = true
		if adminOnly(pass, entries, n) {
			return
		}
		lines[n.Line] = true
		pass.Report(rules.Diagnostic{Line: n.Line, Column: n.Col, Severity: b.severityOf(src), Message: msg, Related: related})
	}
	const tail = "; the Backend User includes `privateMetadata`, all email addresses and phone numbers"

	// JSON responses and realtime broadcasts.
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "call_expression":
			name := f.CalleeName(n)
			args := jsast.Args(n)
			if len(args) == 0 {
				return true
			}
			if sink := rbac006ResponseSink(name); sink != "" {
				// A webhook handler's response goes back to Clerk, not to a browser.
				if expr, src, ok := b.contains(args[0], 0); ok && !strings.HasPrefix(src, webhookSrc) {
					report(n, src, fmt.Sprintf("%s (from %s) is sent whole in the %s response%s", rules.Code(expr), srcMarkdown(src), rules.Code(sink), tail), nil)
				}
			} else if rbac006Broadcast(name) {
				for _, a := range args {
					if expr, src, ok := b.contains(a, 0); ok {
						report(n, src, fmt.Sprintf("%s (from %s) is broadcast whole with %s%s", rules.Code(expr), srcMarkdown(src), rules.Code(name), tail), nil)
						break
					}
				}
			}
		case "new_expression":
			ctor := f.Text(n.ChildByField("constructor"))
			if ctor != "Response" && ctor != "NextResponse" {
				return true
			}
			if a := jsast.Args(n); len(a) > 0 {
				if expr, src, ok := b.contains(a[0], 0); ok && !strings.HasPrefix(src, webhookSrc) {
					report(n, src, fmt.Sprintf("%s (from %s) is sent whole in the %s body%s", rules.Code(expr), srcMarkdown(src), rules.Code("new "+ctor+"()"), tail), nil)
				}
			}
		}
		return true
	})

	// Values returned from loaders, Server Actions, server functions,
	// tRPC procedures, getServerSideProps.
	type retFn struct{ kind, name string }
	fns := map[*jsast.Node]retFn{}
	for _, e := range entries {
		if noun, ok := rbac006ReturnKinds[e.Kind]; ok && e.Fn != nil && e.FnFile != nil && e.FnFile.Path == f.Path {
			fns[e.Fn] = retFn{noun, e.Name}
		}
	}
	for _, ex := range f.Exports() {
		if ex.Name == "getServerSideProps" || ex.Name == "getStaticProps" {
			if v := jsast.Unwrap(ex.Value); v != nil && jsast.IsFunction(v) {
				fns[v] = retFn{"data function", ex.Name}
			}
		}
	}
	for fn, rf := range fns {
		var rets []*jsast.Node
		if body := fn.ChildByField("body"); body != nil && body.Type != "statement_block" {
			rets = append(rets, body)
		}
		for _, r := range jsast.Find(fn, "return_statement") {
			if jsast.EnclosingFunction(r) == fn {
				if nc := r.NamedChildren(); len(nc) > 0 {
					rets = append(rets, nc[0])
				}
			}
		}
		for _, r := range rets {
			if reported[jsast.Unwrap(r)] {
				continue // return Response.json(user): reported as a response
			}
			if expr, src, ok := b.contains(r, 0); ok && !strings.HasPrefix(src, webhookSrc) {
				report(r, src, fmt.Sprintf("%s %s returns %s (from %s) whole, and its return value is serialized to the browser%s", rf.kind, rules.Code(rf.name), rules.Code(expr), srcMarkdown(src), tail), nil)
			}
		}
	}

	// Other users' data an entry sends, as the model follows it: contact
	// fields copied out of users.getUser(id) or a getUserList() page.
	for _, e := range entries {
		at, ok := reportAt(pass, e)
		if !ok {
			continue
		}
		v := pass.Model.Guard(pass.Ctx, e)
		if v.Checked&model.AuthzRole != 0 {
			continue
		}
		for _, x := range pass.Model.Effects(pass.Ctx, e).List {
			if x.Kind != model.ReturnsUser || !x.OtherUsers || x.File != pass.File.Path || lines[x.Line] {
				continue
			}
			lines[x.Line] = true
			who := callers(x)
			pass.Report(rules.Diagnostic{Line: x.Line, Related: []rules.Location{{Path: at.File, Line: at.Line}},
				Message: fmt.Sprintf("%s returns other users' Clerk data (%s) to %s: their email addresses, phone numbers or metadata are not the caller's to see",
					rules.Code(e.Label()), rules.Code(strings.TrimPrefix(x.Call, "returns ")), who)})
		}
	}

	// Props of 'use client' components.
	for _, ce := range componentElements(f) {
		comp, el := ce.name, ce.el
		for _, attr := range el.NamedChildren() {
			var val *jsast.Node
			prop := "{...}"
			switch attr.Type {
			case "jsx_attribute":
				nc := attr.NamedChildren()
				if len(nc) < 2 || nc[1].Type != "jsx_expression" || len(nc[1].NamedChildren()) == 0 {
					continue
				}
				prop, val = f.Text(nc[0]), nc[1].NamedChildren()[0]
			case "jsx_expression": // {...user}
				nc := attr.NamedChildren()
				if len(nc) == 0 || nc[0].Type != "spread_element" || len(nc[0].NamedChildren()) == 0 {
					continue
				}
				val = nc[0].NamedChildren()[0]
			default:
				continue
			}
			expr, src, ok := b.contains(val, 0)
			if !ok {
				continue
			}
			target := rbac006ClientComponent(pass, f, strings.Split(comp, ".")[0])
			if target == "" {
				continue
			}
			report(attr, src, fmt.Sprintf("%s (from %s) is passed whole as prop %s to %s, a 'use client' component (%s) whose props are serialized into the page%s", rules.Code(expr), srcMarkdown(src), rules.Code(prop), rules.Code("<"+comp+">"), target, tail), []rules.Location{{Path: target, Line: 1}})
		}
	}
	return nil
}

// reportContactReads reports the reads the model marks as returning other
// users' contact data (model.ContactExposure: whole records of the app's
// user table whose schema holds email, phone or push token fields) in
// the pass's file, for each entry that does not check a role.
func reportContactReads(pass *rules.Pass) {
	if pass.Model == nil {
		return
	}
	entries, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return
	}
	lines := map[int]bool{}
	for _, e := range entries {
		at, ok := reportAt(pass, e)
		v := pass.Model.Guard(pass.Ctx, e)
		if !ok || v.Checked&model.AuthzRole != 0 {
			continue
		}
		fx := pass.Model.Effects(pass.Ctx, e)
		// A read CLK-RBAC-004 reports (a signed-in caller picks another
		// user's record by a request id) is that finding's: one root
		// cause, one finding.
		idor := map[model.Location]bool{}
		if v.Authn == model.AuthnYes {
			if bad, err := unscoped(pass, v, fx); err == nil {
				for _, b := range bad {
					idor[model.Location{File: b.File, Line: b.Line}] = true
				}
			}
		}
		for _, x := range fx.List {
			// A signed-in check alone lets every signed-in user read them:
			// an entry meant for signed-in users is reported once it checks
			// sign-in (unguarded, it is the unguarded-entry rules' finding).
			exposed := model.ContactExposure(e, x) || v.Authn == model.AuthnYes && model.ContactRead(x)
			if !exposed || x.File != pass.File.Path || lines[x.Line] || idor[model.Location{File: x.File, Line: x.Line}] {
				continue
			}
			if x.ContactVia != "" && (e.Kind == model.Page || e.Kind == model.Layout) && !sentToClientComponent(pass, x.Line) {
				continue // a Server Component renders what it picks of the rows; only the HTML leaves
			}
			if x.ContactVia != "" && v.Checked&model.AuthzOwner != 0 {
				continue // the caller's membership of the parent record was checked: rows shared with its members
			}
			lines[x.Line] = true
			msg := fmt.Sprintf("%s returns whole %s records (%s) to %s, and the app's schema gives them contact fields (email, phone or push token): return only the public fields (name, image)",
				rules.Code(e.Label()), rules.Code(x.Table), rules.Code(x.Call), callers(x))
			if x.ContactVia != "" {
				msg = fmt.Sprintf("%s includes the %s relation's rows, contact fields included, in each row of %s and returns them to %s: those are other users' records, and the app's schema gives them contact fields (email, phone or push token); select only the public fields (`%s: { select: { id: true, name: true } }`)",
					rules.Code(e.Label()), rules.Code(x.ContactVia), rules.Code(x.Call), callers(x), x.ContactVia)
			}
			pass.Report(rules.Diagnostic{Line: x.Line, Related: []rules.Location{{Path: at.File, Line: at.Line}}, Message: msg})
		}
	}
}

// sentToClientComponent reports whether the value a read on line binds
// (const articles = await db.article.findMany(...), or an element of a
// destructured Promise.all) is passed in the file as a prop of a
// 'use client' component, whose props are serialized into the page. A
// Server Component that renders fields of it sends only those.
func sentToClientComponent(pass *rules.Pass, line int) bool {
	f := pass.AST(pass.File)
	if f == nil {
		return false
	}
	names := map[string]bool{}
	for _, d := range jsast.Find(f.Root, "variable_declarator") {
		pat, val := d.ChildByField("name"), d.ChildByField("value")
		if pat == nil || val == nil || line < val.Line || line > val.EndLine {
			continue
		}
		if pat.Type == "identifier" {
			names[f.Text(pat)] = true
		}
		for _, id := range jsast.Find(pat, "identifier", "shorthand_property_identifier_pattern") {
			names[f.Text(id)] = true
		}
	}
	if len(names) == 0 {
		return false
	}
	for _, ce := range componentElements(f) {
		comp, el := ce.name, ce.el
		for _, attr := range el.NamedChildren() {
			if attr.Type != "jsx_attribute" && attr.Type != "jsx_expression" {
				continue
			}
			for _, id := range jsast.Find(attr, "identifier") {
				if names[f.Text(id)] && rbac006ClientComponent(pass, f, strings.Split(comp, ".")[0]) != "" {
					return true
				}
			}
		}
	}
	return false
}

// componentElement is a JSX element of a component (a capitalised name).
type componentElement struct {
	name string
	el   *jsast.Node
}

// componentElements returns the file's JSX elements of components, with
// their names (<ProfileCard ...>, <UI.Card ...>).
func componentElements(f *jsast.File) []componentElement {
	var out []componentElement
	for _, el := range jsast.Find(f.Root, "jsx_self_closing_element", "jsx_opening_element") {
		nameNode := el.ChildByField("name")
		if nameNode == nil {
			continue
		}
		if comp := f.Text(nameNode); comp != "" && comp[0] >= 'A' && comp[0] <= 'Z' {
			out = append(out, componentElement{name: comp, el: el})
		}
	}
	return out
}

// callers names who reaches an effect: any caller when a signed-out one
// does, any signed-in caller otherwise.
func callers(x model.Effect) string {
	if x.SignedOut == model.ReachYes {
		return "any caller, signed in or not"
	}
	return "any signed-in caller"
}

// modelEntries reports whether the model lists entries in the pass's file.
func modelEntries(pass *rules.Pass) bool {
	if pass.Model == nil {
		return false
	}
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	return err == nil && len(es) > 0
}

// noteWhose records whose user the source call in val returns.
func (b *userBindings) noteWhose(src string, val *jsast.Node) {
	w := ""
	for _, c := range jsast.Find(val, "call_expression") {
		if b.sourceCall(c) == "" {
			continue
		}
		switch {
		case strings.HasSuffix(src, "currentUser()"):
			w = "own"
		case strings.HasSuffix(src, "getUserList()"):
			w = "others"
		default:
			if a := jsast.Args(c); len(a) > 0 {
				w = b.argWhose(a[0])
			}
		}
		break
	}
	if old, seen := b.whose[src]; seen && old != w {
		w = ""
	}
	b.whose[src] = w
}

// argWhose classifies a user id argument by the declaration of its root
// name: from auth()/currentUser()/getAuth() is the caller's own, from the
// request (params, query, body) another user's.
func (b *userBindings) argWhose(arg *jsast.Node) string {
	root := strings.Split(strings.ReplaceAll(b.f.Text(jsast.Unwrap(arg)), "?.", "."), ".")[0]
	for _, d := range jsast.Find(b.f.Root, "variable_declarator") {
		pat, val := d.ChildByField("name"), d.ChildByField("value")
		if pat == nil || val == nil || !strings.Contains(b.f.Text(pat), root) {
			continue
		}
		v := b.f.Text(val)
		switch {
		case strings.Contains(v, "auth(") || strings.Contains(v, "currentUser(") || strings.Contains(v, "getAuth("):
			return "own"
		case strings.Contains(v, "params") || strings.Contains(v, "query") || strings.Contains(v, ".json()") || strings.Contains(v, "body"):
			return "others"
		}
	}
	return ""
}

// severityOf is a finding's severity by whose user it sends: the caller's
// own data is low, other users' high, unknown the rule's default.
func (b *userBindings) severityOf(src string) rules.Severity {
	switch b.whose[src] {
	case "own":
		return rules.Low
	case "others":
		return rules.High
	}
	return 0
}

// rbac006ResponseSink names a call that sends its first argument as a
// JSON (or plain) response body, or returns "".
func rbac006ResponseSink(name string) string {
	segs := strings.Split(strings.ReplaceAll(name, "()", ""), ".")
	last := segs[len(segs)-1]
	root := segs[0]
	switch {
	case name == "Response.json" || name == "NextResponse.json" || name == "json" || name == "data" || name == "typedjson":
		return name
	case last == "json" && len(segs) > 1 && root != "JSON" && root != "Response" && root != "NextResponse":
		return name // res.json, res.status(200).json, c.json, ctx.json
	case last == "send" && len(segs) > 1 && (root == "res" || root == "reply" || root == "response" || strings.Contains(name, "status")):
		return name
	}
	return ""
}

// rbac006Broadcast reports realtime calls that push data to browsers.
func rbac006Broadcast(name string) bool {
	segs := strings.Split(name, ".")
	if len(segs) < 2 {
		return false
	}
	root := strings.ToLower(segs[0])
	switch segs[len(segs)-1] {
	case "trigger":
		return strings.Contains(root, "pusher")
	case "emit", "broadcast", "publish":
		return root == "io" || root == "socket" || strings.Contains(root, "pusher") || strings.Contains(root, "ably") ||
			strings.Contains(root, "channel") || strings.Contains(root, "realtime")
	}
	return false
}

// rbac006ClientComponent returns the file that declares a JSX component
// (through imports, barrels and re-exports, asked of the model's import
// graph) when it is a 'use client' module, or "".
func rbac006ClientComponent(pass *rules.Pass, f *jsast.File, local string) string {
	if im, ok := f.ImportOf(local); !ok || im.TypeOnly || pass.Model == nil {
		return ""
	}
	o, ok, err := pass.Model.Modules().Origin(pass.Ctx, f.Path, local)
	if err != nil || !ok || o.Module.Kind != modules.File {
		return ""
	}
	tf := pass.AST(pass.Get(o.Module.Path))
	if tf == nil || tf.Directive() != "use client" {
		return ""
	}
	return o.Module.Path
}

// adminOnly reports whether the model's entry that runs n checks a role or
// permission of the caller: an admin screen that lists users on purpose.
func adminOnly(pass *rules.Pass, entries []*model.Entry, n *jsast.Node) bool {
	for _, e := range entries {
		if e.Fn != nil && e.FnFile != nil && e.FnFile.Path == pass.File.Path && e.Fn.Contains(n) {
			return pass.Model.Guard(pass.Ctx, e).Checked&model.AuthzRole != 0
		}
	}
	return false
}
