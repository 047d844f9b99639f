package model

import (
	"testing"

	"github.com/clerkguard/clerkguard/rules/knowledge"
)

func TestExposed(t *testing.T) {
	open := Verdict{Authn: AuthnNo}
	route := func(path string) *Entry { return &Entry{Kind: RouteHandler, Path: path, PathKnown: true} }
	eff := func(k EffectKind, call string, selects bool, req ...InputSource) Effects {
		return Effects{List: []Effect{{Kind: k, Call: call, Selects: selects, SignedOut: ReachYes, Request: req}}}
	}
	cases := []struct {
		name string
		e    *Entry
		v    Verdict
		fx   Effects
		want Level
	}{
		{"guarded", route("/api/x"), Verdict{Authn: AuthnYes}, eff(WritesData, "db.post.delete", true), ExposeNone},
		{"unknown is never exposed", route("/api/x"), Verdict{Authn: AuthnUnknown}, eff(WritesData, "db.post.delete", true), ExposeNone},
		{"not reached", route("/api/x"), open, Effects{List: []Effect{{Kind: WritesData, Call: "db.post.delete", Selects: true, SignedOut: ReachNo}}}, ExposeNone},
		{"delete", route("/api/x"), open, eff(WritesData, "db.post.delete", true), ExposeHigh},
		{"create", route("/api/posts"), open, eff(WritesData, "db.post.create", false), ExposeHigh},
		{"contact form create", route("/api/contact"), open, eff(WritesData, "db.enquiry.create", false), ExposeNone},
		{"contact form delete", route("/api/contact"), open, eff(WritesData, "db.enquiry.delete", true), ExposeHigh},
		{"contact action", &Entry{Kind: ServerAction, Name: "sendContactEmail", File: "app/x/action.ts"}, open, eff(SendsMail, "transporter.sendMail", false), ExposeNone},
		{"declared public create", &Entry{Kind: RouteHandler, Path: "/api/hit", PathKnown: true, Public: "middleware.ts declares it public"}, open, eff(WritesData, "db.hit.create", false), ExposeNone},
		{"privileged", route("/api/x"), open, eff(ClerkPrivilege, "clerkClient.users.deleteUser", true), ExposeHigh},
		{"clerk users read for display", route("/api/authors"), open, eff(ReadsData, "clerkClient.users.getUserList", true), ExposeNone},
		{"clerk users returned", route("/api/authors"), open, eff(ReturnsUser, "users", false), ExposeHigh},
		{"user records", route("/api/x"), open, eff(ReadsData, "prisma.userProfile.findMany", true), ExposeHigh},
		{"orm model", route("/api/x"), open, eff(ReadsData, "Conversation.find", true), ExposeHigh},
		{"user count", route("/api/stats"), open, eff(ReadsData, "db.user.count", true), ExposeNone},
		{"own session record", route("/api/attendee/projects"), open, eff(ReadsData, "db.attendee.findFirst", true, FromCookies), ExposeNone},
		{"public content", route("/api/posts"), open, eff(ReadsData, "db.post.findMany", true), ExposeNone},
		{"private area", route("/api/dashboard/posts"), open, eff(ReadsData, "db.post.findMany", true), ExposeHigh},
		{"unnamed table the request selects", route("/api/x"), open, eff(ReadsData, "db.select", true, FromQuery), ExposeMedium},
		{"supabase chain the request selects", route("/api/x"), open, eff(ReadsData, "supabase.from.select", true, FromBody), ExposeMedium},
		{"unnamed table nothing selects", route("/api/x"), open, eff(ReadsData, "db.select", true), ExposeNone},
		{"drizzle table named by from()", route("/api/debug/db"), open, Effects{List: []Effect{{Kind: ReadsData, Call: "db.select", Table: "accounts", Selects: true, SignedOut: ReachYes}}}, ExposeHigh},
		{"unnamed table, private area", route("/api/admin/x"), open, eff(ReadsData, "db.select", true), ExposeHigh},
		{"signed-out owner filter drops", route("/dashboard"), open, Effects{List: []Effect{{Kind: ReadsData, Call: "prisma.hackathon.findMany", Selects: true, SignedOut: ReachYes, OwnerScoped: true, OwnerOptional: true}}}, ExposeHigh},
		{"owner-scoped read", route("/api/notes"), open, Effects{List: []Effect{{Kind: ReadsData, Call: "db.note.findMany", Selects: true, SignedOut: ReachYes, OwnerScoped: true}}}, ExposeNone},
		{"read below a checking layout", &Entry{Kind: Load, Path: "/author/write/[id]", PathKnown: true, Chain: []Layer{{Via: ViaLayout, Gate: GateRejects, Name: "src/routes/author/+layout.server.ts"}}}, open, eff(ReadsData, "db.query.articles.findFirst", true, FromParams), ExposeHigh},
		{"account table", route("/api/x"), open, Effects{List: []Effect{{Kind: ReadsData, Call: "admin.from.select", Table: "users", Selects: true, SignedOut: ReachYes}}}, ExposeHigh},
		{"read behind a wrapper that fails open", &Entry{Kind: ConvexQuery, Name: "fileUrl", Chain: []Layer{{Via: ViaWrapper, Gate: GateAttaches, Name: "softAuthQuery"}}}, open, eff(ReadsData, "ctx.storage.getUrl", true), ExposeHigh},
		{"read behind a bypassable path check", &Entry{Kind: Endpoint, Path: "/api/data", PathKnown: true, Chain: []Layer{{Via: ViaMiddleware, Gate: GateRejects, ByPath: true, Name: "src/middleware.ts"}}}, open, eff(ReadsData, "prisma.record.findMany", true), ExposeHigh},
		{"public by design path", route("/api/health"), open, eff(WritesData, "db.ping.create", false), ExposeNone},
		{"webhook path", route("/api/webhooks/stripe"), open, eff(WritesData, "db.user.update", true), ExposeNone},
		{"sql users table", route("/api/x"), open, eff(ReadsData, "sql.users", true), ExposeHigh},
		{"account table, public profile fields", route("/api/x"), open, Effects{List: []Effect{{Kind: ReadsData, Call: "ctx.db.get", Table: "users", Selects: true, SignedOut: ReachYes, Request: []InputSource{FromBody}, PublicFields: true}}}, ExposeNone},
		{"user records, public profile fields", route("/api/x"), open, Effects{List: []Effect{{Kind: ReadsData, Call: "db.user.findUnique", Selects: true, SignedOut: ReachYes, Request: []InputSource{FromParams}, PublicFields: true}}}, ExposeNone},
		{"public profile fields in a private area", route("/api/dashboard/x"), open, Effects{List: []Effect{{Kind: ReadsData, Call: "db.user.findUnique", Selects: true, SignedOut: ReachYes, PublicFields: true}}}, ExposeHigh},
		{"sql public table", route("/api/x"), open, eff(ReadsData, "sql.jobs", true), ExposeNone},
		{"unpublished records", route("/api/posts"), open, Effects{List: []Effect{{Kind: ReadsData, Call: "db.post.findMany", Selects: true, SignedOut: ReachYes, Unpublished: true}}}, ExposeHigh},
		{"cache fill under a constant key", route("/api/products"), open, eff(WritesData, "redis.set", true), ExposeNone},
		{"cache write the request selects", route("/api/products"), open, eff(WritesData, "redis.set", true, FromBody), ExposeHigh},
		{"key-value delete the request selects", route("/api/x"), open, eff(WritesData, "kv.del", true, FromParams), ExposeHigh},
		{"database write no request input reaches", route("/api/reset"), open, eff(WritesData, "db.post.deleteMany", true), ExposeHigh},
		{"read for a route guarded on navigation only", &Entry{Kind: ServerFunction, Name: "listInvoices", Chain: []Layer{{Via: ViaNavigation, Gate: GateNone, Name: "beforeLoad of /_authed"}}}, open, eff(ReadsData, "db.invoice.findMany", true), ExposeHigh},
		{"declared comments table without contact fields", &Entry{Kind: ConvexQuery, Framework: knowledge.Convex, Path: "api.articles.feed", PathKnown: true}, open, Effects{List: []Effect{{Kind: ReadsData, Call: "db.query", Table: "comments", Record: "comments", Selects: true, SignedOut: ReachYes, Declared: true}}}, ExposeNone},
		{"undeclared comments table", &Entry{Kind: ConvexQuery, Framework: knowledge.Convex, Path: "api.articles.feed", PathKnown: true}, open, Effects{List: []Effect{{Kind: ReadsData, Call: "db.query", Table: "comments", Record: "comments", Selects: true, SignedOut: ReachYes}}}, ExposeHigh},
		{"convex profile module is not a private area", &Entry{Kind: ConvexQuery, Framework: knowledge.Convex, Path: "api.profile.byId", PathKnown: true}, open, Effects{List: []Effect{{Kind: ReadsData, Call: "db.query", Table: "users", Record: "users", Selects: true, SignedOut: ReachYes, Request: []InputSource{FromArgs}, Contact: true, Declared: true}}}, ExposeNone},
		{"convex admin module is a private area", &Entry{Kind: ConvexQuery, Framework: knowledge.Convex, Path: "api.admin.users", PathKnown: true}, open, Effects{List: []Effect{{Kind: ReadsData, Call: "db.query", Table: "users", Record: "users", Selects: true, SignedOut: ReachYes, Contact: true, Declared: true}}}, ExposeHigh},
		{"public read no route guards", &Entry{Kind: ServerFunction, Name: "listPlans"}, open, eff(ReadsData, "db.plan.findMany", true), ExposeNone},
		{"returned secret is CLK-SEC-012's", route("/api/debug"), open, eff(ReturnsSecret, "returns DATABASE_URL", false), ExposeNone},
		{"returned secret beside a write", route("/api/debug"), open, Effects{List: []Effect{
			{Kind: ReturnsSecret, Call: "returns DATABASE_URL", SignedOut: ReachYes},
			{Kind: WritesData, Call: "db.post.deleteMany", Selects: true, SignedOut: ReachYes}}}, ExposeHigh},
		{"paid api", route("/api/ai"), open, eff(PaidAPI, "openai.chat.completions.create", false), ExposeHigh},
		{"read by slug without the publish filter the listing applies", route("/api/courses"), open, Effects{List: []Effect{
			{Kind: ReadsData, Call: "prisma.course.findUnique", Record: "course", Selects: true, SignedOut: ReachYes, Request: []InputSource{FromQuery}},
			{Kind: ReadsData, Call: "prisma.course.findMany", Record: "course", Selects: true, SignedOut: ReachYes, Published: true}}}, ExposeMedium},
		{"read by slug with the publish filter", route("/api/courses"), open, Effects{List: []Effect{
			{Kind: ReadsData, Call: "prisma.course.findUnique", Record: "course", Selects: true, SignedOut: ReachYes, Request: []InputSource{FromQuery}, Published: true},
			{Kind: ReadsData, Call: "prisma.course.findMany", Record: "course", Selects: true, SignedOut: ReachYes, Published: true}}}, ExposeNone},
		{"publish filter on another record", route("/api/courses"), open, Effects{List: []Effect{
			{Kind: ReadsData, Call: "prisma.category.findUnique", Record: "category", Selects: true, SignedOut: ReachYes, Request: []InputSource{FromQuery}},
			{Kind: ReadsData, Call: "prisma.course.findMany", Record: "course", Selects: true, SignedOut: ReachYes, Published: true}}}, ExposeNone},
	}
	for _, c := range cases {
		if got := Exposed(c.e, c.v, c.fx).Level; got != c.want {
			t.Errorf("%s: Exposed = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestExposedWithPrivateRecords(t *testing.T) {
	e := &Entry{Kind: ConvexQuery, Framework: knowledge.Convex, Path: "api.notes.one", PathKnown: true}
	byID := Effects{List: []Effect{{Kind: ReadsData, Call: "ctx.db.get", Table: "notes", Record: "notes", Selects: true, SignedOut: ReachYes, Request: []InputSource{FromArgs}}}}
	open := Verdict{Authn: AuthnNo}
	if got := Exposed(e, open, byID).Level; got != ExposeNone {
		t.Errorf("no private records known: %q, want none", got)
	}
	if got := ExposedWith(e, open, byID, map[string]bool{"notes": true}).Level; got != ExposeMedium {
		t.Errorf("notes kept to their owners: %q, want medium", got)
	}
	if got := ExposedWith(e, open, byID, map[string]bool{"recipes": true}).Level; got != ExposeNone {
		t.Errorf("another table private: %q, want none", got)
	}
	list := Effects{List: []Effect{{Kind: ReadsData, Call: "ctx.db.query", Table: "notes", Record: "notes", Selects: true, SignedOut: ReachYes, Request: []InputSource{FromArgs}}}}
	if got := ExposedWith(e, open, list, map[string]bool{"notes": true}).Level; got != ExposeNone {
		t.Errorf("a query chain is not a read by id: %q, want none", got)
	}
}
