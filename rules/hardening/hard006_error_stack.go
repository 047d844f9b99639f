package hardening

import (
	"regexp"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
)

// HARD006 flags JSX that renders an error's stack trace with no
// development-only condition around it: a route's error component or
// error boundary then shows visitors in production the stack of an error
// thrown on the server during rendering (file paths, packages, code
// structure), which helps an attacker map the application.
var HARD006 = &rules.Rule{
	ID:         "CLK-HARD-006",
	Name:       "error-stack-rendered",
	Pack:       rules.PackHardening,
	Severity:   rules.Low,
	Confidence: rules.MediumConfidence,
	Checklist:  2,
	Keywords:   []string{".stack"},
	Doc: rules.Doc{
		Title: "error page renders the error's stack trace",
		References: []string{
			"https://tanstack.com/start/latest/docs/framework/react/guide/error-boundaries",
			"https://reactrouter.com/how-to/error-boundary",
			"https://owasp.org/www-community/Improper_Error_Handling",
		},
		Text: "A route's error component (TanStack Router's `defaultErrorComponent` or a route's `errorComponent`, a React Router " +
			"`ErrorBoundary`, a Next.js `error.tsx`) that renders `error.stack` shows every visitor the stack trace of the " +
			"error: with server rendering, the stack of an error thrown on the server, with its file paths, packages and call " +
			"structure. Frameworks' own templates show the stack only in development (`import.meta.env.DEV`, " +
			"`process.env.NODE_ENV === 'development'`); a stack rendered under such a condition is not reported, nor one in a " +
			"React class error boundary (`getDerivedStateFromError`), which only catches errors thrown in the browser.",
		Bad:  "defaultErrorComponent: ({ error }) => <pre>{error.stack}</pre>",
		Good: "defaultErrorComponent: ({ error }) => <p>Something went wrong.{import.meta.env.DEV && <pre>{error.stack}</pre>}</p>",
	},
	Fix: rules.ConstFix("Show visitors a generic message (and `error.message` only for errors you throw on purpose); render the stack only in development, " +
		"under `import.meta.env.DEV` or `process.env.NODE_ENV === 'development'`, and send it to your logs or error tracker instead."),
	Run: runHARD006,
}

// errorValue names a value that holds a caught error (err, error,
// routeError, e).
var errorValue = regexp.MustCompile(`(?i)^(e|err|ex|exc|exception|caught|\w*error)$`)

// devOnly matches a condition or a component that tells development from
// production (or a debug flag): what it renders under it is for
// developers.
var devOnly = regexp.MustCompile(`(?i)node_env|import\.meta\.env\.(dev|prod|mode)\b|__dev__|\bis_?dev(elopment)?\b|\bis_?prod(uction)?\b|\bdev_?mode\b|\bdebug\b|\bshow_?(stack|details)\b`)

func runHARD006(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	for _, m := range jsast.Find(f.Root, "member_expression") {
		prop := m.ChildByField("property")
		obj := m.ChildByField("object")
		if prop == nil || obj == nil || f.Text(prop) != "stack" || !errorValue.MatchString(jsast.LastSegment(f.Name(jsast.Unwrap(obj)))) {
			continue
		}
		if !renderedAsChild(m) || devGated(f, m) || clientBoundary(f, m) {
			continue
		}
		pass.Report(rules.Diagnostic{Line: m.Line, Column: m.Col,
			Message: rules.Code(f.Text(m)) + " is rendered into the page with no development-only condition: visitors see the error's stack trace (with server rendering, the server's file paths and packages)"})
	}
	return nil
}

// renderedAsChild reports whether n is inside a JSX expression that is a
// child of an element (rendered text), not an attribute's value (an event
// handler, a key).
func renderedAsChild(n *jsast.Node) bool {
	x := jsast.Ancestor(n, "jsx_expression")
	if x == nil || x.Parent == nil {
		return false
	}
	switch x.Parent.Type {
	case "jsx_element", "jsx_fragment":
		return true
	}
	return false
}

// clientBoundary reports whether n is in a React class error boundary
// (a class with getDerivedStateFromError or componentDidCatch): React
// calls those only for errors thrown while rendering in the browser, so
// the stack is of the application's public bundle, not of the server.
func clientBoundary(f *jsast.File, n *jsast.Node) bool {
	c := jsast.Ancestor(n, "class_declaration", "class")
	if c == nil {
		return false
	}
	for _, m := range jsast.Find(c, "method_definition") {
		if name := m.ChildByField("name"); name != nil {
			switch f.Text(name) {
			case "getDerivedStateFromError", "componentDidCatch":
				return true
			}
		}
	}
	return false
}

// devGated reports whether a condition around n, or a function n is in,
// tells development from production.
func devGated(f *jsast.File, n *jsast.Node) bool {
	for a := n.Parent; a != nil; a = a.Parent {
		switch {
		case jsast.IsFunction(a):
			if devOnly.MatchString(f.Text(a)) {
				return true
			}
		case a.Type == "binary_expression" || a.Type == "ternary_expression" || a.Type == "if_statement":
			c := a.ChildByField("condition")
			if c == nil {
				c = a.ChildByField("left")
			}
			if c != nil && devOnly.MatchString(f.Text(c)) {
				return true
			}
		}
	}
	return false
}
