package hardening

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/source"
)

// stored reports whether the rule can ask the model about stored content
// and mail: the project uses Clerk and the model is built.
func (h hard001) stored() bool {
	return h.pass.Model != nil && h.pass.Project.UsesClerk()
}

// mailHTML returns the HTML bodies a call mails (Model.MailHTMLOf: a mail
// library's HTML option, or the application's helper that passes one on).
// Only calls with an object or template argument are asked.
func (h hard001) mailHTML(call *jsast.Node) []model.MailHTML {
	if h.pass.Model == nil {
		return nil
	}
	asked := false
	for _, a := range jsast.Args(call) {
		switch jsast.Unwrap(a).Type {
		case "object", "template_string", "binary_expression", "identifier":
			asked = true
		}
	}
	if !asked {
		return nil
	}
	ms, err := h.pass.Model.MailHTMLOf(h.pass.Ctx, h.f, call)
	if err != nil {
		return nil // unknown: nothing is reported on a guess
	}
	return ms
}

// mailSink names where a mailed HTML value goes.
func mailSink(m model.MailHTML) string {
	if m.Via != "" {
		return "the " + rules.Code(m.Option) + " of " + rules.Code(helperName(m.Via)) + " (mailed as HTML by " + rules.Code(m.Call) + ")"
	}
	return "the " + rules.Code(m.Option) + " of " + rules.Code(m.Call)
}

// helperName is the name of a helper in a model Via ("sendEmail (lib/mail.ts:4)").
func helperName(via string) string {
	name, _, _ := strings.Cut(via, " (")
	return name
}

// sanitizes reports whether a call's result is safe as HTML: an HTML
// sanitizer or escaper (knowledge.HTMLSanitizerOf, by the module the
// callee is imported from, or a global such as encodeURIComponent), a
// replace() whose pattern matches markup (stripping or escaping tags), or
// a function of the application whose body does one of these or escapes
// `<` itself. A helper that cannot be read counts as sanitizing: an
// unknown is never reported.
func (h hard001) sanitizes(f *jsast.File, call *jsast.Node) bool {
	name := strings.ReplaceAll(f.CalleeName(call), "()", "")
	if name == "" {
		return false
	}
	root, last := jsast.FirstSegment(name), jsast.LastSegment(name)
	if (last == "replace" || last == "replaceAll") && name != root {
		if args := jsast.Args(call); len(args) > 0 {
			if a := jsast.Unwrap(args[0]); a.Type == "regex" && strings.Contains(f.Text(a), "<") {
				return true
			} else if v, ok := f.StringValue(a); ok && strings.Contains(v, "<") {
				return true
			}
		}
	}
	if _, ok := knowledge.HTMLSanitizerOf("", name); ok {
		return true
	}
	if im, ok := h.f.ImportOf(root); ok {
		exp := im.Imported
		if name != root {
			if im.Imported != "default" && im.Imported != "*" || strings.Count(name, ".") > 1 {
				return false
			}
			exp = last
		}
		if _, ok := knowledge.HTMLSanitizerOf(im.Source, exp); ok {
			return true
		}
		return name == root && h.pass != nil && h.helperEscapes(root) // (not followed from inside a helper)
	}
	if name == root {
		if v := jsast.Unwrap(h.f.LocalValue(root)); v != nil && jsast.IsFunction(v) {
			return escapesBody(h.f, v)
		}
	}
	return false
}

func isRelative(spec string) bool {
	return strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../")
}

// helperEscapes reports whether an imported function of the application
// (a file of the snapshot, through the module graph) escapes or
// sanitizes; a package that is not a sanitizer does not. A helper that
// cannot be read is unknown, and counts as escaping.
func (h hard001) helperEscapes(local string) bool {
	if h.pass.Model == nil {
		return true
	}
	g := h.pass.Model.Modules()
	o, ok, err := g.Origin(h.pass.Ctx, h.f.Path, local)
	if err != nil || !ok {
		return true
	}
	if o.Module.Kind != modules.File {
		return false // a package the knowledge does not list as a sanitizer
	}
	df, decl, err := g.Decl(h.pass.Ctx, o)
	if err != nil || df == nil || decl == nil {
		return true
	}
	return escapesBody(df, decl)
}

// escapesBody reports whether a function escapes markup: it writes an
// entity for `<`, lets the DOM escape text (textContent, a text node), or
// calls a sanitizer (knowledge.HTMLSanitizerOf) or a markup-stripping
// replace().
func escapesBody(f *jsast.File, fn *jsast.Node) bool {
	t := f.Text(fn)
	for _, s := range []string{"&lt;", "&#60;", "&#x3c;", "&#x3C;", "textContent", "createTextNode", "innerText"} {
		if strings.Contains(t, s) {
			return true
		}
	}
	h := hard001{f: f}
	for _, c := range f.Calls(fn, func(string) bool { return true }) {
		if h.sanitizes(f, c) {
			return true
		}
	}
	return false
}

// isOrganization reports whether a local variable holds a Clerk
// organization: it is read from a property named organization
// (clerk.organization, session.lastActiveOrganization), or returned by a
// Backend organizations call (knowledge.BackendCallIn).
func (h hard001) isOrganization(local string, at *jsast.Node) bool {
	if h.f == nil {
		return false
	}
	v, _ := h.valueOf(local, at)
	v = jsast.Unwrap(v)
	if v == nil {
		return false
	}
	switch v.Type {
	case "member_expression":
		return strings.HasSuffix(strings.ToLower(jsast.LastSegment(h.f.Name(v))), "organization")
	case "call_expression":
		bc, ok := knowledge.BackendCallIn(strings.ReplaceAll(h.f.CalleeName(v), "()", ""))
		return ok && bc.Resource == "organizations" && strings.HasSuffix(bc.Method, "Organization")
	}
	return false
}

// storedMailSinks reports HTML mail, in any file of a Clerk project (a
// background job's too), that interpolates unescaped a name users choose
// (knowledge.UserProfileField, or a knowledge.PersonNameField of a
// knowledge.PersonRecord) from records the code reads
// from the database (Model.StoredReadAt): a booking's user.name in a
// confirmation mail is HTML injection in mail sent from your domain.
func (h hard001) storedMailSinks() {
	f := h.f
	for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
		for _, m := range h.mailHTML(call) {
			v := jsast.Unwrap(m.Value)
			if v != nil && v.Type == "identifier" {
				if init, _ := h.valueOf(f.Text(v), v); init != nil {
					v = jsast.Unwrap(init)
				}
			}
			if v == nil || h.seen[v.Line] {
				continue
			}
			src := h.unescaped(v, func(n *jsast.Node) (string, bool) {
				if n.Type != "member_expression" {
					return "", true
				}
				return h.storedName(n), false
			})
			if src == "" {
				continue
			}
			h.seen[v.Line] = true
			h.pass.Report(rules.Diagnostic{Line: v.Line, Column: v.Col, Severity: rules.Medium,
				Message: "`" + src + "` is a name a user chose, read from stored records, and reaches " + mailSink(m) +
					" without escaping: HTML injection in mail sent from your domain"})
		}
	}
}

// storedName returns a member chain that reads a user-chosen name of a
// record the enclosing code read from the database, or "".
func (h hard001) storedName(n *jsast.Node) string {
	name := h.f.Name(n)
	segs := strings.Split(name, ".")
	if len(segs) < 2 {
		return ""
	}
	i := len(segs) - 1
	if !knowledge.UserProfileField(segs[i]) && !(knowledge.PersonNameField(segs[i]) && knowledge.PersonRecord(segs[i-1])) {
		return ""
	}
	init, _ := h.valueOf(segs[0], n)
	if init == nil {
		return ""
	}
	ok, err := h.pass.Model.StoredReadAt(h.pass.Ctx, h.f, init)
	if err != nil || !ok {
		return ""
	}
	return name
}

// pageData finds, in a SvelteKit page's template expression, a value of
// its `data` prop that the page's load (Model.PageLoads) returns from
// records another user writes: an entry of the application stores them
// with no role check (writtenByUsers). It returns the expression, why,
// and the read and the write it rests on (for diff mode).
func (h hard001) pageData(ef *jsast.File) (string, string, []rules.Location) {
	if !h.stored() || h.pass.File.Lang != source.LangSvelte {
		return "", "", nil
	}
	var expr string
	var key string
	jsast.Walk(ef.Root, func(n *jsast.Node) bool {
		if key != "" {
			return false
		}
		switch n.Type {
		case "call_expression":
			return !h.sanitizes(ef, n)
		case "member_expression":
			name := ef.Name(n)
			if segs := strings.Split(name, "."); len(segs) >= 2 && segs[0] == "data" {
				expr, key = name, segs[1]
			}
			return false
		}
		return true
	})
	if key == "" {
		return "", "", nil
	}
	ctx, m := h.pass.Ctx, h.pass.Model
	loads, err := m.PageLoads(ctx, h.pass.File.Path)
	if err != nil {
		return "", "", nil
	}
	for _, e := range loads {
		if e.Fn == nil || e.FnFile == nil {
			continue
		}
		lf := hard001{pass: h.pass, f: e.FnFile}
		for _, ret := range jsast.Find(e.Fn, "return_statement") {
			obj := firstNamed(ret)
			v := jsast.Unwrap(e.FnFile.ObjectProp(obj, key))
			if v == nil {
				continue
			}
			if v.Type == "identifier" || v.Type == "shorthand_property_identifier" {
				init, _ := lf.valueOf(e.FnFile.Text(v), v)
				v = jsast.Unwrap(init)
			}
			if v == nil || v.Type == "call_expression" && lf.sanitizes(e.FnFile, v) {
				continue
			}
			if ok, err := m.StoredReadAt(ctx, e.FnFile, v); err != nil || !ok {
				continue
			}
			for _, x := range m.Effects(ctx, e).List {
				if x.Kind != model.ReadsData || x.File != e.FnFile.Path || x.Line != v.Line {
					continue
				}
				if w, wx := writtenByUsers(h.pass, x); w != nil {
					return expr, "its load (" + rules.Code(x.Call) + ", " + e.FnFile.Path + ") reads records that " +
							rules.Code(strings.Join(w.Methods, ",")+" "+w.Path) + " stores with no role check (" + rules.Code(wx.Call) + "): any user it lets in writes them",
						[]rules.Location{{Path: x.File, Line: x.Line}, {Path: wx.File, Line: wx.Line}}
				}
			}
		}
	}
	return "", "", nil
}

func firstNamed(n *jsast.Node) *jsast.Node {
	if nc := n.NamedChildren(); len(nc) > 0 {
		return nc[0]
	}
	return nil
}

// writtenByUsers returns an entry of the application that writes the
// records a read selects (the same Record or Table) with no role check
// before the write, other than a counter: what it stores, any caller it
// lets through chose. nil when no entry does, or the model cannot tell.
func writtenByUsers(pass *rules.Pass, read model.Effect) (*model.Entry, model.Effect) {
	if read.Record == "" && read.Table == "" {
		return nil, model.Effect{}
	}
	es, err := pass.Model.Entries(pass.Ctx)
	if err != nil {
		return nil, model.Effect{}
	}
	var we *model.Entry
	var wx model.Effect
	for _, e := range es {
		for _, x := range pass.Model.Effects(pass.Ctx, e).List {
			if x.Kind != model.WritesData || x.Counter || x.Authz&model.AuthzRole != 0 {
				continue
			}
			if read.Record != "" && x.Record == read.Record || read.Table != "" && x.Table == read.Table {
				if !x.Selects {
					return e, x // a new record: its content is the caller's
				}
				if we == nil {
					we, wx = e, x
				}
			}
		}
	}
	return we, wx
}
