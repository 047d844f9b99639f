package hardening

import (
	"fmt"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model"
)

// callerSources are the inputs a caller writes: everything but the
// verified identity and the caller's own cookies.
var callerSources = map[model.InputSource]bool{
	model.FromParams: true, model.FromQuery: true, model.FromBody: true, model.FromForm: true,
	model.FromHeaders: true, model.FromArgs: true,
}

// requestMailSinks reports request input (a contact form's fields, a
// Server Action's arguments) interpolated unescaped into the HTML body of
// a mail an entry of this file sends: the model says which calls send
// mail (model.SendsMail) and which names hold request input
// (Model.Inputs). A mail addressed to a request-supplied address goes to
// the caller, whose own input it echoes; it is left out.
func (h hard001) requestMailSinks() {
	pass, f := h.pass, h.f
	es, err := pass.Model.EntriesOf(pass.Ctx, pass.File.Path)
	if err != nil {
		return
	}
	for _, e := range es {
		inputs := map[string]model.InputSource{}
		for _, in := range pass.Model.Inputs(pass.Ctx, e) {
			if callerSources[in.Source] && in.File == pass.File.Path {
				inputs[in.Name] = in.Source
			}
		}
		if len(inputs) == 0 {
			continue
		}
		for _, x := range pass.Model.Effects(pass.Ctx, e).List {
			if x.Kind != model.SendsMail || x.File != pass.File.Path {
				continue
			}
			for _, call := range f.Calls(f.Root, func(n string) bool { return n == x.Call }) {
				if call.Line != x.Line {
					continue
				}
				h.requestMail(call, inputs)
			}
		}
	}
}

// requestMail checks one mail call's HTML options.
func (h hard001) requestMail(call *jsast.Node, inputs map[string]model.InputSource) {
	f := h.f
	for _, a := range jsast.Args(call) {
		if to := f.ObjectProp(a, "to"); to != nil && h.fromInputs(to, inputs) != "" {
			return // the caller's own mailbox
		}
	}
	for _, m := range h.mailHTML(call) {
		v := jsast.Unwrap(m.Value)
		if v != nil && v.Type == "identifier" {
			if init, _ := h.valueOf(f.Text(v), v); init != nil {
				v = jsast.Unwrap(init)
			}
		}
		if v == nil || v.Type != "template_string" || h.seen[v.Line] {
			continue
		}
		if name := h.fromInputs(v, inputs); name != "" {
			h.seen[v.Line] = true
			h.pass.Report(rules.Diagnostic{Line: v.Line, Column: v.Col,
				Message: fmt.Sprintf("request input %s (%s) is interpolated without escaping into %s: whoever submits it writes HTML into mail sent from your domain (HTML injection, phishing links)",
					rules.Code(name), inputs[name], mailSink(m))})
		}
	}
}

// fromInputs returns the first request input an expression's template
// substitutions (or the expression itself) use outside a sanitizer call.
func (h hard001) fromInputs(e *jsast.Node, inputs map[string]model.InputSource) string {
	return h.unescaped(e, func(n *jsast.Node) (string, bool) {
		if _, ok := inputs[h.f.Text(n)]; ok && n.Type == "identifier" && !isKeyOrCallee(n) {
			return h.f.Text(n), false
		}
		return "", true
	})
}
