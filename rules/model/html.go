package model

import (
	"context"
	"errors"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// MailHTML is a value a call sends as the HTML body of a mail.
type MailHTML struct {
	// Option names where the value goes: the mail library's option
	// ("html", postmark's "HtmlBody"), or the parameter of the
	// application's mail helper that becomes one ("body").
	Option string
	// Value is the expression at the call.
	Value *jsast.Node
	// Call is the mail library call that sends it ("resend.emails.send").
	Call string
	// Via is the application's helper it is passed through
	// ("sendEmail (lib/mail.ts:4)"), or "".
	Via string
}

// MailHTMLOf returns the HTML bodies a call mails, in any file (an entry's
// or a background job's): the HTML options (knowledge.SendCall's HTML) of
// a mail library call, whose receiver's package the model resolves as it
// does for effects (new Resend(), nodemailer.createTransport(), an import
// of @sendgrid/mail), and the arguments of an application helper that
// passes one of its parameters on as such an option, followed one call
// deep. A helper's parameter is matched at the call by position, or by
// name in an object argument ({ to, html } for a destructured parameter).
// A read failure is returned as an error, never as "not mail".
func (m *Model) MailHTMLOf(ctx context.Context, f *jsast.File, call *jsast.Node) ([]MailHTML, error) {
	out, err := m.mailLibraryHTML(ctx, f, call)
	if err != nil || len(out) > 0 {
		return out, err
	}
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil {
		return nil, nil
	}
	r, err := m.resolveFunc(ctx, f, callee, nil, 1)
	if err != nil {
		if errors.Is(err, errNotFound) {
			return nil, nil
		}
		return nil, err
	}
	if r.fn == nil || r.file == nil {
		return nil, nil
	}
	params := map[string]int{} // parameter name -> position (-1: a property of a destructured parameter)
	for i, p := range jsast.ParamPatterns(r.fn) {
		switch p.Type {
		case "identifier":
			params[r.file.Text(p)] = i
		case "object_pattern":
			for _, c := range p.NamedChildren() {
				if c.Type == "shorthand_property_identifier_pattern" {
					params[r.file.Text(c)] = -1
				}
			}
		}
	}
	args := jsast.Args(call)
	for _, inner := range r.file.Calls(r.fn, func(string) bool { return true }) {
		hs, err := m.mailLibraryHTML(ctx, r.file, inner)
		if err != nil {
			return out, err
		}
		for _, h := range hs {
			v := jsast.Unwrap(h.Value)
			if v == nil || v.Type != "identifier" && v.Type != "shorthand_property_identifier" {
				continue
			}
			name := r.file.Text(v)
			i, ok := params[name]
			if !ok {
				continue
			}
			via := r.name + " (" + r.loc().String() + ")"
			if i >= 0 && i < len(args) && jsast.Unwrap(args[i]).Type != "object" {
				out = append(out, MailHTML{Option: name, Value: args[i], Call: h.Call, Via: via})
				continue
			}
			for _, a := range args {
				if pv := f.ObjectProp(a, name); pv != nil {
					out = append(out, MailHTML{Option: name, Value: pv, Call: h.Call, Via: via})
				}
			}
		}
	}
	return out, nil
}

// mailLibraryHTML returns the HTML options of a mail library call.
func (m *Model) mailLibraryHTML(ctx context.Context, f *jsast.File, call *jsast.Node) ([]MailHTML, error) {
	if callee := jsast.Unwrap(call.ChildByField("function")); callee == nil || callee.Type != "member_expression" {
		return nil, nil
	}
	pkg, err := m.receiverPackage(ctx, f, call)
	if err != nil {
		return nil, err
	}
	clean := strings.ReplaceAll(f.CalleeName(call), "()", "")
	s, ok := knowledge.SendCall(pkg, clean)
	if pkg == "" || !ok || s.Kind != knowledge.SendsMail {
		return nil, nil
	}
	var out []MailHTML
	for _, a := range jsast.Args(call) {
		for _, key := range s.HTML {
			if v := f.ObjectProp(a, key); v != nil {
				out = append(out, MailHTML{Option: key, Value: v, Call: clean})
			}
		}
	}
	return out, nil
}

// StoredReadAt reports whether an expression reads stored records: a data
// call (knowledge.DataCall, Read or ReadWrite) on a client whose package
// the model resolves as it does for effects, also inside a chain of query
// builder calls (Booking.findById(id).populate('user')) and under await.
// A read failure is returned as an error.
func (m *Model) StoredReadAt(ctx context.Context, f *jsast.File, n *jsast.Node) (bool, error) {
	n = jsast.Unwrap(n)
	if n == nil || n.Type != "call_expression" {
		return false, nil
	}
	pkg, err := m.receiverPackage(ctx, f, n)
	if err != nil || pkg == "" {
		return false, err
	}
	for c := n; c != nil && c.Type == "call_expression"; {
		fn := jsast.Unwrap(c.ChildByField("function"))
		if fn == nil || fn.Type != "member_expression" {
			break
		}
		if eff, ok := knowledge.DataCall(pkg, f.Text(fn.ChildByField("property"))); ok && eff&knowledge.Read != 0 {
			return true, nil
		}
		c = jsast.Unwrap(fn.ChildByField("object"))
	}
	return false, nil
}

// receiverPackage returns the package the root of a call's callee comes
// from (clientPackage: db in db.post.findMany(), resend in
// resend.emails.send()), "" when it is none.
func (m *Model) receiverPackage(ctx context.Context, f *jsast.File, call *jsast.Node) (string, error) {
	root := rootIdent(jsast.Unwrap(call.ChildByField("function")))
	if root == nil {
		return "", nil
	}
	pkg, err := m.clientPackage(ctx, f, root, 0)
	if err != nil && !errors.Is(err, errNotFound) {
		return "", err
	}
	return pkg, nil
}
