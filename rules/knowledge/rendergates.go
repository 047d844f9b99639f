package knowledge

// RenderGate is a Clerk control component that renders its children only
// for a signed-in (or authorized) visitor and its fallback otherwise. It
// decides what one render shows; it does not stop a request: a page or an
// action below it runs for its own requests whatever the gate rendered.
type RenderGate struct {
	// Export is the component's name as the Clerk SDKs export it.
	Export string
	// SignedOutWhen is the value of the `when` prop that makes the
	// component render its children for signed-out visitors instead
	// (<Show when="signed-out">), or "" when it has none.
	SignedOutWhen string
	Source        string
}

var renderGates = []RenderGate{
	{Export: "Protect",
		Source: "https://clerk.com/docs/components/protect (renders its children only when the user is signed in, or has the role or permission passed, and its fallback otherwise)"},
	{Export: "SignedIn",
		Source: "https://clerk.com/docs/components/protect (`<Protect>` without a role or permission behaves the same as `<SignedIn>`: its children only for a signed-in user)"},
	{Export: "Show", SignedOutWhen: "signed-out",
		Source: "https://clerk.com/docs/vue/reference/components/control/show (`when='signed-in'`, a role, permission, feature or plan renders the children only for such a user; `when='signed-out'` the reverse; it only visually hides its children)"},
}

// RenderGateOf returns the render gate a Clerk export is, if it is one.
func RenderGateOf(export string) (RenderGate, bool) {
	for _, g := range renderGates {
		if g.Export == export {
			return g, true
		}
	}
	return RenderGate{}, false
}
