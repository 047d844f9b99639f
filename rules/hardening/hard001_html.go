package hardening

import (
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/source"
)

// HARD001 flags user-controlled Clerk data (names, usernames, metadata,
// organization names) written into HTML sinks without escaping, and
// request input interpolated into the HTML of mail an entry sends.
var HARD001 = &rules.Rule{
	ID:         "CLK-HARD-001",
	Name:       "clerk-user-data-in-html",
	Pack:       rules.PackHardening,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	// The catalog maps this rule to no checklist item; XSS matters most
	// for the session (item 6: an injected script acts as the user).
	Checklist: 6,
	Files: func(f *source.File) bool {
		return !f.Binary && (f.IsJS() || f.Lang == source.LangVue || f.Lang == source.LangSvelte || f.Lang == source.LangAstro)
	},
	Keywords: []string{"dangerouslySetInnerHTML", "innerHTML", "outerHTML", "insertAdjacentHTML", "html:", "html`", "v-html",
		"{@html", "set:html", "HtmlBody", "htmlBody", ".html(", "`<"},
	Doc: rules.Doc{
		Title: "Clerk user-controlled data rendered as HTML",
		References: []string{
			"https://clerk.com/docs/guides/users/extending",
			"https://clerk.com/docs/guides/secure/best-practices/xss-leak-protection",
		},
		Text: "First and last names, usernames, `unsafeMetadata`, `publicMetadata` values and organization names are " +
			"chosen by users (`unsafeMetadata` and names are writable from the browser). Written into " +
			"`dangerouslySetInnerHTML`, `innerHTML`, `v-html`, `{@html}`, `set:html` or the `html` of an email, " +
			"they become stored XSS or HTML injection in emails sent by your domain. Rendering them as text " +
			"(`{user.firstName}`) or escaping them first is safe.\n\n" +
			"The same holds for request input in the HTML body of a mail an entry point sends (a public contact " +
			"form's fields in the notification to staff): whoever submits the form writes HTML into mail sent from " +
			"your domain. A confirmation sent to the address the caller typed is not reported.\n\n" +
			"Stored content counts too: a SvelteKit page that renders with `{@html}` a value its load reads from records an " +
			"entry of the application lets users store with no role check, and mail (also from a background job) whose HTML " +
			"interpolates a user's name read from the database. Mail is a mail library's HTML option (Resend, nodemailer, " +
			"SendGrid, Postmark) or the application's helper that passes one on. Escaping or sanitizing first (DOMPurify, " +
			"sanitize-html, js-xss, escape-html, a helper of the application that writes `&lt;`, stripping tags with " +
			"`.replace(/<[^>]*>/g, '')`) is safe.",
		Bad: `<div dangerouslySetInnerHTML={{ __html: ` + "`Welcome ${user.firstName}`" + ` }} />
await resend.emails.send({ html: ` + "`<p>Hi ${evt.data.first_name}, welcome!</p>`" + ` })`,
		Good: `<div>Welcome {user.firstName}</div>
await resend.emails.send({ html: ` + "`<p>Hi ${escapeHtml(evt.data.first_name)}, welcome!</p>`" + ` })`,
		Lang: "tsx",
	},
	Fix: rules.ConstFix("Names, usernames and metadata are user-controlled: render them as text (`{user.firstName}`), or escape " +
		"them before they reach an HTML sink (an `escapeHtml()` helper, `DOMPurify.sanitize()` for rich text, a React Email " +
		"component instead of an HTML string for emails). Clerk's short-lived session tokens limit token theft, but XSS " +
		"still acts as the signed-in user."),
	Run: runHARD001,
}

// hard001 holds what the rule knows about one file.
type hard001 struct {
	pass  *rules.Pass
	f     *jsast.File
	clerk bool         // the file uses Clerk (imports it or handles its webhooks)
	seen  map[int]bool // lines of the HTML values already reported
}

func runHARD001(pass *rules.Pass) error {
	f := pass.AST(pass.File)
	if f == nil {
		return nil
	}
	h := hard001{pass: pass, f: f, clerk: usesClerk(f), seen: map[int]bool{}}
	if h.clerk && pass.File.IsJS() {
		h.scriptSinks()
	}
	switch pass.File.Lang {
	case source.LangVue, source.LangSvelte, source.LangAstro:
		if h.clerk {
			h.scriptSinks()
		}
		if h.clerk || h.stored() {
			h.templateSinks()
		}
	}
	if pass.File.IsJS() && h.stored() {
		h.requestMailSinks() // after the Clerk-data sinks: one finding per HTML value
		h.storedMailSinks()
	}
	return nil
}

// usesClerk reports whether a file works with Clerk user data: it imports a
// Clerk SDK (or vue-clerk), or verifies Clerk webhooks with svix.
func usesClerk(f *jsast.File) bool {
	return f.ImportsFrom(func(s string) bool {
		return jsast.IsClerkModule(s) || s == "vue-clerk" || s == "svix" || strings.HasPrefix(s, "astro-clerk-auth")
	}) || len(f.Calls(f.Root, func(n string) bool {
		return strings.HasSuffix(n, "locals.currentUser") || strings.HasSuffix(n, "locals.auth")
	})) > 0
}

func (h hard001) scriptSinks() {
	f := h.f
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		switch n.Type {
		case "jsx_attribute":
			nc := n.NamedChildren()
			if len(nc) != 2 {
				break
			}
			if s, ok := knowledge.HTMLAttributeSink(f.Text(nc[0])); ok {
				if v := f.ObjectProp(jsxValue(nc[1]), s.Key); v != nil {
					h.check(v, s.Name)
				}
			}
		case "assignment_expression", "augmented_assignment_expression":
			left := f.Name(n.ChildByField("left"))
			if _, ok := knowledge.HTMLPropertySink(jsast.LastSegment(left)); ok {
				h.check(n.ChildByField("right"), rules.Code(left))
			}
		case "call_expression":
			name := f.CalleeName(n)
			last := jsast.LastSegment(name)
			args := jsast.Args(n)
			sink, isSink := knowledge.HTMLMethodSink(name)
			switch {
			case isSink && sink.Arg < 0:
				for _, a := range args {
					h.check(a, rules.Code(name))
				}
			case isSink && sink.Arg < len(args):
				h.check(args[sink.Arg], rules.Code(name))
			case isSink:
			case (last == "send" || last == "end") && strings.HasPrefix(name, "res.") && len(args) == 1:
				if v := jsast.Unwrap(args[0]); v.Type == "template_string" && strings.HasPrefix(strings.TrimSpace(strings.Trim(f.Text(v), "`")), "<") {
					h.check(v, rules.Code(name)+" (HTML)")
				}
			default:
				for _, m := range h.mailHTML(n) {
					h.check(m.Value, mailSink(m))
				}
			}
		}
		return true
	})
}

func jsxValue(n *jsast.Node) *jsast.Node {
	if n != nil && n.Type == "jsx_expression" && len(n.NamedChildren()) > 0 {
		return n.NamedChildren()[0]
	}
	return n
}

// check reports when a sink value carries user-controlled Clerk data.
func (h hard001) check(v *jsast.Node, sink string) {
	if src := h.tainted(v, 0); src != "" {
		h.seen[v.Line] = true
		h.pass.Report(rules.Diagnostic{Line: v.Line, Column: v.Col,
			Message: fmt.Sprintf("%s is user-controlled Clerk data and reaches %s without escaping (stored XSS / HTML injection)", rules.Code(src), sink)})
	}
}

// tainted returns the user-controlled source an expression carries, or "".
func (h hard001) tainted(e *jsast.Node, depth int) string {
	f := h.f
	return h.unescaped(e, func(n *jsast.Node) (string, bool) {
		switch n.Type {
		case "member_expression", "subscript_expression":
			if s := h.source(n); s != "" {
				return s, false
			}
		case "identifier":
			if depth < 3 && !isKeyOrCallee(n) {
				v, direct := h.valueOf(f.Text(n), n)
				if direct != "" {
					return direct, false
				} else if v != nil {
					if s := h.tainted(v, depth+1); s != "" {
						return s, false
					}
				}
			}
		}
		return "", true
	})
}

// unescaped walks the values of an expression that reach its HTML as
// written: not through a sanitizer call, a function or JSX (which escapes
// text). visit returns what it found ("" for nothing) and whether to
// descend; the first find is returned.
func (h hard001) unescaped(e *jsast.Node, visit func(*jsast.Node) (string, bool)) string {
	found := ""
	jsast.Walk(e, func(n *jsast.Node) bool {
		if found != "" {
			return false
		}
		switch n.Type {
		case "call_expression":
			if h.sanitizes(h.f, n) {
				return false
			}
		case "jsx_element", "jsx_self_closing_element", "arrow_function", "function_expression":
			return false // JSX escapes text; functions are not values here
		}
		s, descend := visit(n)
		found = s
		return descend && s == ""
	})
	return found
}

// source recognises user-controlled Clerk fields in a member chain.
func (h hard001) source(n *jsast.Node) string {
	name := h.f.Name(n)
	if name == "" {
		return ""
	}
	segs := strings.Split(name, ".")
	for i, s := range segs {
		if knowledge.UserProfileField(s) && i > 0 {
			return name
		}
		if knowledge.OrganizationProfileField(s) && i > 0 {
			root := strings.ToLower(segs[i-1])
			if root == "organization" || root == "org" || strings.HasSuffix(root, "organization") || i == 1 && h.isOrganization(segs[0], n) {
				return name
			}
		}
	}
	return ""
}

func isKeyOrCallee(n *jsast.Node) bool {
	p := n.Parent
	if p == nil {
		return false
	}
	return (p.Type == "call_expression" && n.Field == "function") || (p.Type == "pair" && n.Field == "key") ||
		(p.Type == "member_expression" && n.Field == "property")
}

// valueOf returns the initializer of a local variable visible at n. For a
// name destructured from an object by a user-controlled key (`const {
// first_name } = evt.data`) it returns that source as direct instead.
func (h hard001) valueOf(name string, at *jsast.Node) (v *jsast.Node, direct string) {
	for fn := jsast.EnclosingFunction(at); ; fn = jsast.EnclosingFunction(fn) {
		scope := h.f.Root
		if fn != nil {
			scope = jsast.FunctionBody(fn)
		}
		jsast.Walk(scope, func(n *jsast.Node) bool {
			if v != nil || direct != "" || n.Start > at.Start {
				return false
			}
			if n.Type != "variable_declarator" {
				return true
			}
			pat, val := n.ChildByField("name"), n.ChildByField("value")
			switch {
			case pat == nil || val == nil:
			case pat.Type == "identifier" && h.f.Text(pat) == name:
				v = val
			case pat.Type == "object_pattern":
				for _, c := range pat.NamedChildren() {
					key := ""
					switch c.Type {
					case "shorthand_property_identifier_pattern":
						if h.f.Text(c) == name {
							key = name
						}
					case "pair_pattern":
						if pv := c.ChildByField("value"); pv != nil && h.f.Text(pv) == name {
							key = h.f.Text(c.ChildByField("key"))
						}
					}
					if key == "" {
						continue
					}
					obj := h.f.Name(val)
					if knowledge.UserProfileField(key) || knowledge.OrganizationProfileField(key) && strings.Contains(strings.ToLower(obj), "org") {
						direct = key + " (from " + shortName(h.f, val) + ")"
					}
				}
			}
			return true
		})
		if v != nil || direct != "" || fn == nil {
			return v, direct
		}
	}
}

func shortName(f *jsast.File, n *jsast.Node) string {
	t := strings.Join(strings.Fields(f.Text(n)), " ")
	if len(t) > 40 {
		t = t[:37] + "..."
	}
	return t
}

// templateSinks finds v-html="…", {@html …} and set:html={…} in Vue,
// Svelte and Astro templates and checks their expressions, parsed as
// TypeScript.
func (h hard001) templateSinks() {
	src := string(h.pass.File.Content)
	lang := map[source.Lang]string{source.LangVue: "vue", source.LangSvelte: "svelte", source.LangAstro: "astro"}[h.pass.File.Lang]
	for _, s := range knowledge.HTMLTemplateSinks(lang) {
		for off := 0; ; {
			i := strings.Index(src[off:], s.Open)
			if i < 0 {
				break
			}
			start := off + i + len(s.Open)
			end := closingIndex(src, start, s.Close)
			if end < 0 {
				break
			}
			off = end
			expr := src[start:end]
			ef, err := jsast.Parse(h.pass.Ctx, source.NewFile(h.pass.File.Path+".expr.ts", []byte(expr)))
			if err != nil || ef == nil {
				continue
			}
			line, col := h.pass.File.LineOf(start)
			if found := h.templateSource(ef); found != "" {
				h.pass.Report(rules.Diagnostic{Line: line, Column: col,
					Message: fmt.Sprintf("%s is user-controlled Clerk data and reaches %s without escaping (stored XSS)", rules.Code(found), s.Name)})
			} else if found, why, related := h.pageData(ef); found != "" {
				h.pass.Report(rules.Diagnostic{Line: line, Column: col, Related: related,
					Message: fmt.Sprintf("%s reaches %s without sanitizing: %s, so one user's HTML runs for everyone who views it (stored XSS)", rules.Code(found), s.Name, why)})
			}
		}
	}
}

// closingIndex returns the index of the delimiter that closes an
// expression starting at start, balancing braces for "}".
func closingIndex(src string, start int, close string) int {
	if close != "}" {
		j := strings.Index(src[start:], close)
		if j < 0 {
			return -1
		}
		return start + j
	}
	depth := 0
	for i := start; i < len(src); i++ {
		switch src[i] {
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// templateSource finds a user-controlled Clerk field in a template
// expression that is not wrapped in a sanitizer.
func (h hard001) templateSource(ef *jsast.File) string {
	if !h.clerk {
		return ""
	}
	found := ""
	jsast.Walk(ef.Root, func(n *jsast.Node) bool {
		if found != "" {
			return false
		}
		switch n.Type {
		case "call_expression":
			if h.sanitizes(ef, n) {
				return false
			}
		case "member_expression", "subscript_expression":
			if s := (hard001{f: ef}).source(n); s != "" {
				found = s
				return false
			}
		}
		return true
	})
	return found
}
