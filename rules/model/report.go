package model

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
)

// ReportVersion is the version of the routes JSON (docs/schema/routes.schema.json).
const ReportVersion = 1

// Report is the protection map of a snapshot: `clerkguard routes`. Its
// JSON form is a published interface (docs/schema/routes.schema.json):
// fields are only ever added.
type Report struct {
	Version int           `json:"version"`
	Entries []ReportEntry `json:"entries"`
	// Notes are what the model could not evaluate.
	Notes []Note `json:"notes,omitempty"`
}

// ReportEntry is one entry point of the report.
type ReportEntry struct {
	Framework string   `json:"framework"`
	Kind      Kind     `json:"kind"`
	Methods   []string `json:"methods"`
	// Path is the URL path pattern; "" for a Server Action.
	Path      string `json:"path"`
	PathKnown bool   `json:"path_known"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	EndLine   int    `json:"end_line"`
	Function  string `json:"function"`
	// Handler locates the handler function when it is elsewhere.
	Handler  *Location      `json:"handler,omitempty"`
	Public   string         `json:"public,omitempty"`
	Wrappers []ReportLayer  `json:"wrappers,omitempty"`
	Chain    []ReportLayer  `json:"chain,omitempty"`
	Verdict  ReportVerdict  `json:"verdict"`
	Effects  []ReportEffect `json:"effects"`
	// EffectsIncomplete is set when a helper could not be followed.
	EffectsIncomplete bool          `json:"effects_incomplete,omitempty"`
	Inputs            []ReportInput `json:"inputs,omitempty"`
	// WebhookReceiver is the model's webhook fact (Model.Webhook) for an
	// entry that receives Clerk's (Svix-signed) webhooks; absent otherwise.
	WebhookReceiver *ReportWebhook `json:"webhook_receiver,omitempty"`
}

// ReportWebhook is a webhook receiver's fact: whose webhooks, the signs
// that say so, and whether and where it verifies their signature.
type ReportWebhook struct {
	Provider   string            `json:"provider"`
	Evidence   []WebhookEvidence `json:"evidence"`
	Verified   WebhookVerified   `json:"verified"`
	VerifiedAt []ReportVerify    `json:"verified_at,omitempty"`
}

// ReportVerify is one call that verifies a webhook signature: how
// ("clerk", "svix", "hmac", "unknown"), where, and the helpers it goes
// through.
type ReportVerify struct {
	Kind string `json:"kind"`
	Location
	Via []string `json:"via,omitempty"`
}

// ReportLayer is a middleware or wrapper in front of a handler.
type ReportLayer struct {
	Name string `json:"name"`
	Location
	Gate Gate   `json:"gate,omitempty"`
	Via  Via    `json:"via,omitempty"`
	Why  string `json:"why,omitempty"`
}

// ReportVerdict is an entry's verdict.
type ReportVerdict struct {
	Authn Authn    `json:"authn"`
	Authz []string `json:"authz"`
	Via   []Via    `json:"via"`
	Why   string   `json:"why"`
	Proof []Proof  `json:"proof"`
	// Webhook names the provider of the webhook signature the entry
	// verifies ("svix", "clerk", "stripe"); absent otherwise.
	Webhook string `json:"webhook,omitempty"`
}

// ReportEffect is one effect.
type ReportEffect struct {
	Kind EffectKind `json:"kind"`
	Call string     `json:"call"`
	Location
	Via         []string      `json:"via,omitempty"`
	SignedOut   Reach         `json:"signed_out"`
	Authz       []string      `json:"authz"`
	Request     []InputSource `json:"request,omitempty"`
	OwnerScoped bool          `json:"owner_scoped,omitempty"`
	Selects     bool          `json:"selects,omitempty"`
}

// ReportInput is one input of an entry.
type ReportInput struct {
	Name   string      `json:"name"`
	Source InputSource `json:"source"`
	Location
}

// Report computes every entry's verdict, effects and inputs. Every
// string that comes from the code is redacted of secrets.
func (m *Model) Report(ctx context.Context) (*Report, error) {
	es, err := m.Entries(ctx)
	if err != nil {
		return nil, err
	}
	r := &Report{Version: ReportVersion, Entries: []ReportEntry{}}
	for _, e := range es {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v, fx, in := m.Guard(ctx, e), m.Effects(ctx, e), m.Inputs(ctx, e)
		re := ReportEntry{Framework: string(e.Framework), Kind: e.Kind, Methods: e.Methods, Path: e.Path, PathKnown: e.PathKnown,
			File: e.File, Line: e.Line, EndLine: max(e.EndLine, e.Line), Function: e.Name, Public: e.Public,
			Verdict: ReportVerdict{Authn: v.Authn, Authz: nonNil(v.Authz.Names()), Via: v.Via, Why: v.Why, Proof: v.Proof, Webhook: v.Webhook},
			Effects: []ReportEffect{}, EffectsIncomplete: fx.Incomplete}
		if re.Methods == nil {
			re.Methods = []string{}
		}
		if re.Verdict.Via == nil {
			re.Verdict.Via = []Via{}
		}
		if re.Verdict.Proof == nil {
			re.Verdict.Proof = []Proof{}
		}
		if e.Handler.File != "" && (e.Handler.File != e.File || e.Handler.Line != e.Line) {
			h := e.Handler
			re.Handler = &h
		}
		for _, w := range e.Wrappers {
			re.Wrappers = append(re.Wrappers, ReportLayer{Name: w.Name, Location: w.Location})
		}
		for _, l := range e.Chain {
			re.Chain = append(re.Chain, ReportLayer{Name: l.Name, Location: l.Location, Gate: l.Gate, Via: l.Via, Why: l.Why})
		}
		for _, x := range fx.List {
			re.Effects = append(re.Effects, ReportEffect{Kind: x.Kind, Call: x.Call, Location: x.Location, Via: x.Via,
				SignedOut: x.SignedOut, Authz: nonNil(x.Authz.Names()), Request: x.Request, OwnerScoped: x.OwnerScoped, Selects: x.Selects})
		}
		for _, i := range in {
			re.Inputs = append(re.Inputs, ReportInput{Name: i.Name, Source: i.Source, Location: i.Location})
		}
		re.WebhookReceiver = reportWebhook(m.Webhook(ctx, e))
		r.Entries = append(r.Entries, re)
	}
	r.Notes = m.Notes()
	if m.proj != nil {
		// A matcher pattern that could not be evaluated left some layers
		// "could not be evaluated": say which pattern and why.
		for _, f := range m.proj.Patterns().Failures() {
			where := ""
			if len(f.Where) > 0 {
				where = f.Where[0]
			}
			r.Notes = append(r.Notes, Note{Where: where, What: f.Describe()})
		}
	}
	r.redact()
	return r, nil
}

// reportWebhook is the routes JSON of a webhook fact, nil for an entry
// that receives no webhooks.
func reportWebhook(w WebhookFact) *ReportWebhook {
	if !w.Receiver {
		return nil
	}
	r := &ReportWebhook{Provider: w.Provider, Evidence: w.Evidence, Verified: w.Verified}
	for _, v := range w.VerifiedAt {
		kind := map[VerifyKind]string{VerifyClerk: "clerk", VerifySvix: "svix", VerifyHMAC: "hmac"}[v.Kind]
		if kind == "" {
			kind = "unknown"
		}
		rv := ReportVerify{Kind: kind, Location: v.Location}
		for _, c := range v.Via {
			rv.Via = append(rv.Via, c.Name)
		}
		r.VerifiedAt = append(r.VerifiedAt, rv)
	}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// redact replaces every secret the detector recognises in the report's
// free text (conditions and calls quoted from the code) by its redacted
// form.
func (r *Report) redact() {
	r.Redact(func(s string) string {
		if detect.MayHoldSecrets([]byte(s)) {
			return redact.All(s, detect.Secrets(s))
		}
		return s
	})
}

// Redact applies fn to every free-text string of the report (the engine
// passes its set of the snapshot's secrets).
func (r *Report) Redact(fn func(string) string) {
	clean := func(s *string) { *s = fn(*s) }
	for i := range r.Entries {
		e := &r.Entries[i]
		clean(&e.Verdict.Why)
		clean(&e.Public)
		for j := range e.Verdict.Proof {
			clean(&e.Verdict.Proof[j].What)
		}
		for j := range e.Chain {
			clean(&e.Chain[j].Why)
		}
		for j := range e.Effects {
			clean(&e.Effects[j].Call)
		}
		if e.WebhookReceiver != nil {
			for j := range e.WebhookReceiver.VerifiedAt {
				for k := range e.WebhookReceiver.VerifiedAt[j].Via {
					clean(&e.WebhookReceiver.VerifiedAt[j].Via[k])
				}
			}
		}
	}
	for i := range r.Notes {
		clean(&r.Notes[i].What)
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report as one table: an entry per row, its effects
// as kinds ("write!" when a signed-out caller reaches the write), and why
// the verdict is what it is.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tWHERE\tKIND\tAUTHN\tAUTHZ\tEFFECTS\tWHY")
	var open, guarded, unknown int
	for _, e := range r.Entries {
		path := e.Path
		switch {
		case e.Kind == ServerAction:
			path = "(action " + e.Function + ")"
		case e.Kind == ServerFunction:
			path = "(server-fn " + e.Function + ")"
		case !e.PathKnown:
			path = "?" + e.Path
		}
		authz := strings.Join(e.Verdict.Authz, "+")
		if authz == "" {
			authz = "-"
		}
		var effects []string
		seen := map[string]bool{}
		for _, x := range e.Effects {
			k := string(x.Kind)
			if x.SignedOut == ReachYes {
				k += "!"
			}
			if !seen[k] {
				seen[k] = true
				effects = append(effects, k)
			}
		}
		fx := strings.Join(effects, ",")
		if fx == "" {
			fx = "-"
		}
		if e.EffectsIncomplete {
			fx += "?"
		}
		why := e.Verdict.Why
		if e.Public != "" && e.Verdict.Authn != AuthnYes {
			why = "public: " + e.Public + "; " + why
		}
		if w := e.WebhookReceiver; w != nil {
			why += "; webhook receiver (" + w.Provider + "): signature verified " + string(w.Verified)
			if len(w.VerifiedAt) > 0 {
				v := w.VerifiedAt[0]
				why += " (" + v.Location.String()
				if len(v.Via) > 0 {
					why += " via `" + v.Via[0] + "()`"
				}
				why += ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s:%d\t%s\t%s\t%s\t%s\t%s\n", strings.Join(e.Methods, ","), path, e.File, e.Line, e.Kind,
			e.Verdict.Authn, authz, fx, why)
		switch {
		case e.Verdict.Authn == AuthnYes:
			guarded++
		case e.Verdict.Authn == AuthnUnknown:
			unknown++
		case len(e.Effects) > 0 && e.Public == "":
			open++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d entries: %d guarded, %d not guarded with effects, %d unknown (! marks effects a signed-out caller reaches; ? effects not fully followed)\n",
		len(r.Entries), guarded, open, unknown)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s: %s\n", n.Where, n.What)
	}
	return nil
}
