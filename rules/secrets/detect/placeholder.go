package detect

import (
	"encoding/base64"
	"math"
	"regexp"
	"strings"
)

// allowlisted are public documentation samples, not credentials: Svix's
// sample signing secret (shown in many vendors' docs) and Clerk's test
// value, base64 of "test_signing_secret_32_chars_long" (catalog CLK-SEC-002).
var allowlisted = map[string]bool{
	"whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw":             true,
	"whsec_" + "dGVzdF9zaWduaW5nX3NlY3JldF8zMl9jaGFyc19sb25n": true,
}

// placeholderRe holds the markers of documentation values and fixtures.
var placeholderRe = regexp.MustCompile(`(?i)(x{4,}|\.{3}|…|your|example|dummy|placeholder|replace|changeme|change_me|sample|fake|mock|stub|deadbeef|redacted|insert|^123|<[a-z_ -]*>|\*{3,}|0{8,})`)

// knownPrefixes are stripped before a body is judged; the first five
// are the full prefixes of issued keys.
var knownPrefixes = []string{"sk_live_", "sk_test_", "pk_live_", "pk_test_", "whsec_", "ak_live_", "ak_test_", "ak_", "live_", "test_"}

// Body returns value without its credential prefix.
func Body(value string) string {
	for _, p := range knownPrefixes {
		if strings.HasPrefix(value, p) {
			return value[len(p):]
		}
	}
	return value
}

// MinEntropy is the Shannon entropy (bits per character) below which a
// value is taken for a placeholder (catalog a.2).
const MinEntropy = 3.0

// Placeholder reports whether value is a documentation value, a fixture or
// a dummy rather than a credential, and why. It judges the body after the
// prefix: never the prefix alone.
func Placeholder(value string) (reason string, ok bool) {
	if allowlisted[value] {
		return "a public documentation sample", true
	}
	body := Body(value)
	if body == "" {
		return "empty", true
	}
	if m := placeholderRe.FindString(body); m != "" {
		return "placeholder marker " + quote(m), true
	}
	if dec, ok := decodeBase64(body); ok && printable(dec) {
		// sk_test_Y2xlcmsuY2xlcmsuZGV2JA== is base64 of "clerk.clerk.dev$"
		// (Clerk's own tests); sk_test_ZHVtbXk= is base64 of "dummy".
		if strings.HasSuffix(dec, "$") {
			return "base64 of a host name (a test fixture)", true
		}
		if m := placeholderRe.FindString(dec); m != "" {
			return "base64 of placeholder text " + quote(m), true
		}
		if wordsRe.MatchString(dec) {
			// A test key whose body is the base64 of
			// "default-test-key-for-ci" (TestPlaceholder): words someone
			// typed, encoded to look like a key body, which is random.
			return "base64 of readable words", true
		}
	}
	if len(body) >= 4 && Entropy(body) < MinEntropy {
		return "low entropy", true
	}
	if body != value && wordsRe.MatchString(body) {
		return "readable words after the key prefix", true
	}
	if rest, ok := embeddedPrefix(value); ok && (rest == "" || wordsRe.MatchString(rest) || wordRe.MatchString(rest)) {
		// mysk_test_secret_key: a word that merely holds a key prefix,
		// with words (no key body) after it.
		return "a key prefix inside words", true
	}
	return "", false
}

// wordRe is a single lower-case word.
var wordRe = regexp.MustCompile(`^[a-z]+$`)

// embeddedPrefix finds a full credential prefix (sk_test_, whsec_) that
// follows lower-case letters inside value ("my" + "sk_test_"): no issued
// key starts with letters before its prefix. It returns what follows the
// prefix.
func embeddedPrefix(value string) (string, bool) {
	for _, p := range knownPrefixes[:5] {
		i := strings.Index(value, p)
		if i > 0 && wordRe.MatchString(value[:i]) {
			return value[i+len(p):], true
		}
	}
	return "", false
}

// wordsRe is a body of two or more lower-case words joined by underscores
// or hyphens (sk_test_github_actions_key). It is judged only after a
// credential prefix: Clerk's and the other prefixed keys' bodies are
// random base62 or base64 without separators, so words there are a label
// someone typed, while an unprefixed passphrase may be a real password.
var wordsRe = regexp.MustCompile(`^[a-z]{2,}(?:[_-][a-z]{2,})+$`)

func quote(s string) string { return `"` + s + `"` }

// Entropy is the Shannon entropy of s in bits per character.
func Entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	e := 0.0
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		e -= p * math.Log2(p)
	}
	return e
}

// decodeBase64 decodes standard or URL base64, padded or not.
func decodeBase64(s string) (string, bool) {
	s = strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return string(b), true
		}
	}
	return "", false
}

func printable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// HasPlaceholderMarker reports whether value holds a documentation or
// fixture marker ("your", "example", "xxxx", "<...>"), without the entropy
// test Placeholder applies: short values such as passwords are judged by
// their markers alone.
func HasPlaceholderMarker(value string) bool {
	return allowlisted[value] || placeholderRe.MatchString(value)
}
