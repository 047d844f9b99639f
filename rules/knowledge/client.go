package knowledge

// ClientSerialized is a framework integration whose options are
// serialised into the script of every page it renders: whatever is passed
// to it reaches the browser, whatever file it is written in.
type ClientSerialized struct {
	Package string // the module it is imported from
	Name    string // the export ("default" for a default import)
	Form    string // as written
	Source  string
}

// clientSerialized lists the integrations that ship their options to the
// browser.
var clientSerialized = []ClientSerialized{
	{Package: "@clerk/astro", Name: "default", Form: "integrations: [clerk({ ... })] in astro.config.*",
		Source: "clerk/javascript packages/astro/src/integration/create-integration.ts (injectScript('page', ... runInjectionScript(JSON.stringify({ ...params }))))"},
}

// ClientSerializedOf returns the integration a call of the export name of
// module pkg is, when its options are serialised into page scripts.
func ClientSerializedOf(pkg, name string) (ClientSerialized, bool) {
	for _, c := range clientSerialized {
		if c.Package == pkg && c.Name == name {
			return c, true
		}
	}
	return ClientSerialized{}, false
}

// StateHook is a component-state constructor whose first argument is the
// state's initial value: a form field built with it holds that value until
// the user types.
type StateHook struct {
	Name   string // as called: useState, React.useState, ref
	Source string
}

var stateHooks = []StateHook{
	{Name: "useState", Source: "https://react.dev/reference/react/useState (useState(initialState))"},
	{Name: "React.useState", Source: "https://react.dev/reference/react/useState (useState(initialState))"},
	{Name: "ref", Source: "https://vuejs.org/api/reactivity-core.html#ref (ref(initialValue))"},
}

// StateHookOf reports whether a call named name creates component state
// from its first argument.
func StateHookOf(name string) bool {
	for _, h := range stateHooks {
		if h.Name == name {
			return true
		}
	}
	return false
}
