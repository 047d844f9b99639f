package knowledge

import "strings"

// CredentialFormat is the documented shape of a third-party server
// credential that apps using Clerk commit beside Clerk's own keys: a value
// with this prefix and at least MinBody characters after it is that
// vendor's secret, not a placeholder and not Clerk's.
type CredentialFormat struct {
	Vendor string // "Stripe"
	Kind   string // "secret key"
	Prefix string // "sk_live_"
	// MinBody is the shortest body (after Prefix) the vendor issues. It
	// is what tells a Stripe sk_ key from a Clerk one: Clerk's secret
	// keys have a 42-character body.
	MinBody int
	Live    bool // a production (live-mode) credential
	Source  string
}

// credentialFormats: Stripe's secret and restricted keys. Stripe
// documents the sk_/rk_ test and live prefixes (https://docs.stripe.com/keys)
// and, through its security team, key bodies of up to 128 characters
// (https://gitlab.com/gitlab-org/gitlab/-/issues/458019); the keys it
// issues today have a 99-character body that begins with the account's
// "51" marker, so a body of at least 90 characters is Stripe's shape and
// never Clerk's (42 characters; see rules/secrets/detect Attribute).
// Replaces: rules/secrets/detect's "the file uses Stripe" guess for the
// values whose shape already says so.
var credentialFormats = []CredentialFormat{
	{Vendor: "Stripe", Kind: "secret key", Prefix: "sk_live_", MinBody: 90, Live: true, Source: "https://docs.stripe.com/keys"},
	{Vendor: "Stripe", Kind: "secret key", Prefix: "sk_test_", MinBody: 90, Source: "https://docs.stripe.com/keys"},
	{Vendor: "Stripe", Kind: "restricted key", Prefix: "rk_live_", MinBody: 90, Live: true, Source: "https://docs.stripe.com/keys"},
	{Vendor: "Stripe", Kind: "restricted key", Prefix: "rk_test_", MinBody: 90, Source: "https://docs.stripe.com/keys"},
}

// CredentialFormatOf returns the third-party credential format value has,
// judged by its prefix and body length alone (the body's characters are
// the caller's business: a placeholder filter still applies).
func CredentialFormatOf(value string) (CredentialFormat, bool) {
	for _, f := range credentialFormats {
		if strings.HasPrefix(value, f.Prefix) && len(value)-len(f.Prefix) >= f.MinBody {
			return f, true
		}
	}
	return CredentialFormat{}, false
}

// CredentialPrefixes returns the prefixes of the formats, for a rule's
// keyword prefilter.
func CredentialPrefixes() []string {
	out := make([]string, 0, len(credentialFormats))
	for _, f := range credentialFormats {
		out = append(out, f.Prefix)
	}
	return out
}
