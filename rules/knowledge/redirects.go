package knowledge

import "strings"

// RedirectSink is a place whose value the browser is sent to: besides the
// request-ending redirects of the exits table (Exit.Redirect), a client
// navigation call, an assigned location property, a property of a
// returned redirect object, or a URL a third-party service sends the
// customer back to.
type RedirectSink struct {
	// Call is the callee's trailing segments ("router.push",
	// "checkout.sessions.create"); "" for an assignment or a returned
	// object.
	Call string
	// Arg is the argument index of the target of a call sink, -1 when
	// the target is a property of its object argument.
	Arg int
	// Property is the key holding the target: in the object argument of
	// Call, or in the object that is the value of Object.
	Property string
	// Object is the key of the object literal holding Property for a
	// returned redirect object ("redirect" of getServerSideProps).
	Object string
	// Assign is the assigned member ("location.href") for an assignment
	// sink.
	Assign string
	// Client: the sink runs in the browser.
	Client bool
	Source string
}

// redirectSinks lists the navigation sinks that are not request exits.
// Server redirects (redirect(), res.redirect(), NextResponse.redirect())
// are the exits with Redirect set.
var redirectSinks = []RedirectSink{
	// Next.js Pages Router: getServerSideProps may return
	// { redirect: { destination } }.
	{Object: "redirect", Property: "destination", Arg: -1,
		Source: "https://nextjs.org/docs/pages/api-reference/functions/get-server-side-props#redirect"},
	// Stripe sends the customer to success_url / cancel_url after
	// Checkout and to return_url from the billing portal.
	{Call: "checkout.sessions.create", Property: "success_url", Arg: -1,
		Source: "https://docs.stripe.com/api/checkout/sessions/create#create_checkout_session-success_url"},
	{Call: "checkout.sessions.create", Property: "cancel_url", Arg: -1,
		Source: "https://docs.stripe.com/api/checkout/sessions/create#create_checkout_session-cancel_url"},
	{Call: "checkout.sessions.create", Property: "return_url", Arg: -1,
		Source: "https://docs.stripe.com/payments/checkout/custom-success-page (return_url of embedded Checkout)"},
	// Stripe Connect onboarding sends the account holder to return_url
	// when they leave the flow and to refresh_url when the link expired.
	{Call: "accountLinks.create", Property: "return_url", Arg: -1,
		Source: "https://docs.stripe.com/api/account_links/create#create_account_link-return_url"},
	{Call: "accountLinks.create", Property: "refresh_url", Arg: -1,
		Source: "https://docs.stripe.com/api/account_links/create#create_account_link-refresh_url"},
	{Call: "billingPortal.sessions.create", Property: "return_url", Arg: -1,
		Source: "https://docs.stripe.com/api/customer_portal/sessions/create#create_portal_session-return_url"},
	// Client navigation.
	{Call: "router.push", Arg: 0, Client: true,
		Source: "https://nextjs.org/docs/pages/api-reference/functions/use-router#routerpush"},
	{Call: "router.replace", Arg: 0, Client: true,
		Source: "https://nextjs.org/docs/pages/api-reference/functions/use-router#routerreplace"},
	{Call: "location.assign", Arg: 0, Client: true,
		Source: "https://developer.mozilla.org/en-US/docs/Web/API/Location/assign"},
	{Call: "location.replace", Arg: 0, Client: true,
		Source: "https://developer.mozilla.org/en-US/docs/Web/API/Location/replace"},
	{Assign: "location.href", Arg: -1, Client: true,
		Source: "https://developer.mozilla.org/en-US/docs/Web/API/Location/href"},
	{Assign: "window.location", Arg: -1, Client: true,
		Source: "https://developer.mozilla.org/en-US/docs/Web/API/Window/location"},
}

// RedirectCall returns the sinks a call is: its callee ends with the
// sink's Call ("this.router.push", "stripe.checkout.sessions.create").
func RedirectCall(callee string) []RedirectSink {
	var out []RedirectSink
	for _, s := range redirectSinks {
		if s.Call != "" && (callee == s.Call || strings.HasSuffix(callee, "."+s.Call)) {
			out = append(out, s)
		}
	}
	return out
}

// RedirectAssign returns the sink an assignment to member is
// ("window.location.href", "location.href", "window.location").
func RedirectAssign(member string) (RedirectSink, bool) {
	for _, s := range redirectSinks {
		if s.Assign != "" && (member == s.Assign || strings.HasSuffix(member, "."+s.Assign)) {
			return s, true
		}
	}
	return RedirectSink{}, false
}

// RedirectObject returns the sink a returned object property is: key in
// an object that is the value of object.
func RedirectObject(object, key string) (RedirectSink, bool) {
	for _, s := range redirectSinks {
		if s.Object != "" && s.Object == object && s.Property == key {
			return s, true
		}
	}
	return RedirectSink{}, false
}

// RedirectCheck is a check that makes a request-chosen redirect target
// safe.
type RedirectCheck struct {
	Kind RedirectCheckKind
	// Rejects are the prefixes a relative-path check must refuse besides
	// requiring a leading "/" (RelativePath).
	Rejects []string
	// Members are the properties compared (OriginCompare) or the methods
	// that look the value up or match it (Allowlist).
	Members []string
	Source  string
}

// RedirectCheckKind is how a check restricts the target.
type RedirectCheckKind int

// Redirect check kinds.
const (
	// RelativePath: the value starts with "/" and none of Rejects.
	RelativePath RedirectCheckKind = iota + 1
	// OriginCompare: the origin of new URL(value, base) is compared.
	OriginCompare
	// Allowlist: the value is looked up in a fixed list or matched by a
	// pattern.
	Allowlist
)

// redirectChecks lists the accepted validations of a redirect target.
// A leading "/" alone is not one: "//evil.example" is protocol-relative,
// and browsers parse "/\evil.example" the same way because the URL
// parser treats "\" as "/" in http(s) URLs.
var redirectChecks = []RedirectCheck{
	{Kind: RelativePath, Rejects: []string{"//", `/\`},
		Source: "https://url.spec.whatwg.org/#special-authority-ignore-slashes-state (a backslash is read as a slash in special URLs); https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html"},
	{Kind: OriginCompare, Members: []string{"origin", "host", "hostname"},
		Source: "https://developer.mozilla.org/en-US/docs/Web/API/URL/origin"},
	{Kind: Allowlist, Members: []string{"includes", "has", "some", "test", "match", "search"},
		Source: "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html (validate against an allow-list)"},
}

// RedirectChecks returns the accepted validations of a redirect target.
func RedirectChecks() []RedirectCheck {
	out := make([]RedirectCheck, len(redirectChecks))
	for i, c := range redirectChecks {
		c.Rejects = append([]string(nil), c.Rejects...)
		c.Members = append([]string(nil), c.Members...)
		out[i] = c
	}
	return out
}
