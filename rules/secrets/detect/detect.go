// Package detect finds Clerk credentials in text. It is pure: functions of
// strings, no I/O, no global mutable state, so it can be table-tested and
// fuzzed on its own. The regular expressions are the catalog's R1..R10
// (reference/clerk-rules.md, section a.2), all RE2.
//
// Detection is in three steps: Find proposes candidates by shape, Placeholder
// drops documentation values and test fixtures (by entropy and markers,
// never by prefix), and Attribute decides from context whether an `sk_` key
// is Clerk's or Stripe's (both use sk_test_/sk_live_).
package detect

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
)

// Kind is the kind of credential a candidate looks like.
type Kind int

// Kinds of candidates.
const (
	SecretKey      Kind = iota + 1 // sk_test_/sk_live_ (R2)
	LegacyKey                      // test_/live_ assigned to a Clerk key name (R3)
	WebhookSecret                  // whsec_ (R4)
	EncryptionKey                  // CLERK_ENCRYPTION_KEY literal (R5)
	MachineKey                     // ak_ assigned to a machine/platform key name (R6)
	NamedSecret                    // any other literal assigned to a Clerk secret name (R7)
	PublishableKey                 // pk_test_/pk_live_ (R1): not a secret
	PublicKeyPEM                   // JWT verification key (R10): not a secret
)

var kindNames = map[Kind]string{
	SecretKey: "secret key", LegacyKey: "legacy secret key", WebhookSecret: "webhook signing secret",
	EncryptionKey: "encryption key", MachineKey: "machine secret key", NamedSecret: "secret value",
	PublishableKey: "publishable key", PublicKeyPEM: "public key",
}

func (k Kind) String() string { return kindNames[k] }

// Candidate is one credential-shaped value found in a text.
type Candidate struct {
	Kind  Kind
	Value string // the full value, prefix included
	Start int    // byte offset of Value in the text
	End   int
	// Name is the variable or key the value is assigned to on its line
	// ("CLERK_SECRET_KEY", "secretKey"), or "".
	Name string
	// Live is set for production values (sk_live_, pk_live_, live_, ak_live_).
	Live bool
}

// Catalog regular expressions (a.2).
var (
	// R1 publishable key.
	reR1 = regexp.MustCompile(`\bpk_(?:test|live)_[A-Za-z0-9+/]{8,}={0,2}`)
	// R2 sk_ secret key (Clerk or Stripe).
	reR2 = regexp.MustCompile(`\bsk_(?:test|live)_[A-Za-z0-9]{20,128}\b`)
	// R3 legacy Clerk server key.
	reR3 = regexp.MustCompile("(?i)\\b(CLERK_API_KEY|CLERK_SECRET_KEY|apiKey|secretKey)\\b[\"']?[ \\t]*[:=][ \\t]*[\"'`]?((?:test|live)_[A-Za-z0-9]{20,})")
	// R4 Svix / Clerk webhook signing secret.
	reR4 = regexp.MustCompile(`\bwhsec_[A-Za-z0-9+/]{32,88}={0,2}`)
	// R5 Clerk encryption key literal.
	reR5 = regexp.MustCompile("(?i)\\b((?:NUXT_)?CLERK_ENCRYPTION_KEY|encryptionKey)\\b[\"']?[ \\t]*[:=][ \\t]*[\"'`]?([^\\s\"'`,;]{16,})")
	// R6 machine / platform API-key secrets (context required: ak_ is generic).
	reR6 = regexp.MustCompile("(?i)\\b((?:NUXT_)?CLERK_MACHINE_SECRET_KEY|machineSecretKey|CLERK_PLATFORM_API_KEY)\\b[\"']?[ \\t]*[:=][ \\t]*[\"'`]?(ak_[A-Za-z0-9_]{8,})")
	// R7 any value assigned to a Clerk secret name.
	reR7 = regexp.MustCompile("(?i)\\b((?:NUXT_)?CLERK_(?:SECRET_KEY|API_KEY|ENCRYPTION_KEY|MACHINE_SECRET_KEY|WEBHOOK_(?:SIGNING_)?SECRET|PLATFORM_API_KEY))\\b[\"']?[ \\t]*[:=][ \\t]*[\"'`]?([^\\s\"'`$,;]{12,})")
	// R9 keyless secrets file.
	reR9 = regexp.MustCompile(`(^|/)\.clerk/\.tmp/keyless\.json$`)
	// R10 public verification key.
	reR10 = regexp.MustCompile(`-----BEGIN PUBLIC KEY-----|\bMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA[A-Za-z0-9+/]{200,}`)
)

// Keywords are byte strings at least one of which is in any text Find can
// report on; rules use them as their prefilter.
var Keywords = []string{"sk_live_", "sk_test_", "whsec_", "CLERK_", "clerk_", "Clerk_", "live_", "test_", "ak_", "pk_live_", "pk_test_", "encryptionKey", "machineSecretKey"}

// Find returns every credential candidate in text, in order of position,
// with the assignment name filled in. It does not judge placeholders or
// attribution; see Placeholder and Attribute.
func Find(text string) []Candidate {
	var out []Candidate
	seen := map[[2]int]bool{}
	add := func(c Candidate) {
		k := [2]int{c.Start, c.End}
		if seen[k] {
			return
		}
		seen[k] = true
		if c.Name == "" {
			c.Name = NameBefore(text, c.Start)
		}
		out = append(out, c)
	}
	for _, m := range reR2.FindAllStringIndex(text, -1) {
		v := text[m[0]:m[1]]
		add(Candidate{Kind: SecretKey, Value: v, Start: m[0], End: m[1], Live: strings.HasPrefix(v, "sk_live_")})
	}
	for _, m := range reR4.FindAllStringIndex(text, -1) {
		if m[1] < len(text) && isB64(text[m[1]]) {
			continue // part of a longer token
		}
		add(Candidate{Kind: WebhookSecret, Value: text[m[0]:m[1]], Start: m[0], End: m[1]})
	}
	for _, m := range reR1.FindAllStringIndex(text, -1) {
		v := text[m[0]:m[1]]
		add(Candidate{Kind: PublishableKey, Value: v, Start: m[0], End: m[1], Live: strings.HasPrefix(v, "pk_live_")})
	}
	for _, m := range reR3.FindAllStringSubmatchIndex(text, -1) {
		v := text[m[4]:m[5]]
		add(Candidate{Kind: LegacyKey, Value: v, Start: m[4], End: m[5], Name: text[m[2]:m[3]], Live: strings.HasPrefix(v, "live_")})
	}
	for _, m := range reR5.FindAllStringSubmatchIndex(text, -1) {
		add(Candidate{Kind: EncryptionKey, Value: text[m[4]:m[5]], Start: m[4], End: m[5], Name: text[m[2]:m[3]]})
	}
	for _, m := range reR6.FindAllStringSubmatchIndex(text, -1) {
		v := text[m[4]:m[5]]
		add(Candidate{Kind: MachineKey, Value: v, Start: m[4], End: m[5], Name: text[m[2]:m[3]], Live: strings.HasPrefix(v, "ak_live_")})
	}
	for _, m := range reR7.FindAllStringSubmatchIndex(text, -1) {
		if covered(out, m[4], m[5]) {
			continue // already a more specific candidate
		}
		add(Candidate{Kind: NamedSecret, Value: text[m[4]:m[5]], Start: m[4], End: m[5], Name: text[m[2]:m[3]]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// covered reports whether [s, e) overlaps a candidate already found.
func covered(cs []Candidate, s, e int) bool {
	for _, c := range cs {
		if s < c.End && c.Start < e {
			return true
		}
	}
	return false
}

func isB64(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '='
}

// IsKeylessFile reports whether p is Clerk's keyless secrets file (R9).
func IsKeylessFile(p string) bool { return reR9.MatchString(p) }

// IsPublicKeyPEM reports whether text holds a public verification key
// (R10), which is not a secret.
func IsPublicKeyPEM(text string) bool { return reR10.MatchString(text) }

// nameBeforeRe finds the key a value is assigned to, at the end of the text
// before the value: `NAME=`, `NAME: `, `"name": "`, `name = '`, `name := "`,
// `name => `, and Dockerfile `ENV NAME ` (space form).
var nameBeforeRe = regexp.MustCompile("([A-Za-z_$][A-Za-z0-9_$.\\-]*)[\"']?\\]?\\s*(?::=|=>|[:=]|\\s)\\s*[\"'`]?\\s*$")

// NameBefore returns the name a value starting at off is assigned to on its
// line, or "".
func NameBefore(text string, off int) string {
	start := strings.LastIndexByte(text[:off], '\n') + 1
	prefix := text[start:off]
	if len(prefix) > 200 {
		prefix = prefix[len(prefix)-200:]
	}
	m := nameBeforeRe.FindStringSubmatch(prefix)
	if m == nil {
		return ""
	}
	name := m[1]
	// `ENV NAME value` has a space between name and value; a plain space
	// separator elsewhere (prose) must not invent a name.
	sep := strings.TrimSpace(prefix[len(prefix)-len(m[0])+len(m[1]):])
	if sep == "" || sep == `"` || sep == "'" || sep == "`" {
		line := strings.TrimSpace(prefix)
		if !strings.HasPrefix(strings.ToUpper(line), "ENV ") && !strings.HasPrefix(strings.ToUpper(line), "ARG ") {
			return ""
		}
	}
	switch strings.ToLower(name) {
	case "env", "arg", "export", "set", "const", "let", "var":
		return ""
	}
	return name
}

// Secrets returns the values in text that must never be printed: every
// candidate that Find proposes except publishable keys, and, for the kinds
// found only by the name they are assigned to (encryption keys and other
// values of a Clerk secret name), those with a credential's shape, so
// that code such as `process.env.CLERK_SECRET_KEY` stays readable.
// Placeholders are included: redacting one costs nothing, missing a real
// secret that looks like one would leak it. The engine redacts these
// values from every finding it returns.
func Secrets(text string) []string {
	var out []string
	for _, c := range Find(text) {
		switch c.Kind {
		case PublishableKey, PublicKeyPEM:
			continue
		case EncryptionKey, NamedSecret:
			if !LooksLikeToken(c.Value) {
				continue
			}
		}
		out = append(out, c.Value)
	}
	return out
}

// mayHoldRe matches, with the same case folding as the catalog
// expressions, a part that every match of them holds: the sk_, whsec_,
// test_, live_ or ak_ of a value, or the CLERK_ or encryptionKey of a name.
var mayHoldRe = regexp.MustCompile(`(?i)sk_|whsec_|test_|live_|ak_|clerk_|encryptionkey`)

// MayHoldSecrets is the one-pass test before Secrets: when it is false,
// Secrets finds nothing.
//
// It answers what mayHoldRe.Match answers, by a byte scan: Go's regexp
// runs a case-folded alternation through its NFA, and this test runs on
// every file a review reads (it was three quarters of a scan's CPU).
func MayHoldSecrets(text []byte) bool {
	for i := 0; i < len(text); i++ {
		c := text[i] | 0x20
		for _, w := range mayHoldWords {
			if w[0] == c && foldPrefix(text[i:], w) {
				return true
			}
		}
	}
	// (?i) also folds ſ (U+017F) to s and the Kelvin sign (U+212A) to k:
	// a text holding either is left to the expression itself.
	if bytes.Contains(text, []byte("\u017f")) || bytes.Contains(text, []byte("\u212a")) {
		return mayHoldRe.Match(text)
	}
	return false
}

// mayHoldWords are mayHoldRe's alternatives, in lower case.
var mayHoldWords = [][]byte{[]byte("sk_"), []byte("whsec_"), []byte("test_"), []byte("live_"), []byte("ak_"), []byte("clerk_"), []byte("encryptionkey")}

// foldPrefix reports whether text starts with w (lower-case ASCII letters
// and '_') with ASCII letters compared case-insensitively.
func foldPrefix(text, w []byte) bool {
	if len(text) < len(w) {
		return false
	}
	for j, b := range w {
		t := text[j]
		if b == '_' {
			if t != '_' {
				return false
			}
			continue
		}
		if t|0x20 != b || t < 'A' || (t > 'Z' && t < 'a') || t > 'z' {
			return false
		}
	}
	return true
}
