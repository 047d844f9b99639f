package detect

import (
	"regexp"
	"strings"
)

// PublicPrefixes are the env-var prefixes that frameworks inline into the
// client bundle (catalog b.1), longest first so NUXT_PUBLIC_ wins over
// PUBLIC_.
var PublicPrefixes = []string{"NEXT_PUBLIC_", "NUXT_PUBLIC_", "EXPO_PUBLIC_", "REACT_APP_", "GATSBY_", "VUE_APP_", "VITE_", "PUBLIC_"}

// secretNames are the Clerk secret variables of catalog b.2 (server names,
// without a public prefix), with the doc, legacy and community names.
var secretNames = map[string]bool{
	"CLERK_SECRET_KEY": true, "NUXT_CLERK_SECRET_KEY": true, "CLERK_ENCRYPTION_KEY": true,
	"CLERK_MACHINE_SECRET_KEY": true, "NUXT_CLERK_MACHINE_SECRET_KEY": true,
	"CLERK_WEBHOOK_SIGNING_SECRET": true, "NUXT_CLERK_WEBHOOK_SIGNING_SECRET": true,
	"CLERK_WEBHOOK_SECRET": true, "CLERK_API_KEY": true, "CLERK_PLATFORM_API_KEY": true,
	"WEBHOOK_SECRET": true, "SIGNING_SECRET": true, "WEBHOOK_SIGNING_SECRET": true,
}

// publicPrefixedSecretRe is the catalog's R8: a public-prefixed name that
// holds a Clerk secret.
var publicPrefixedSecretRe = regexp.MustCompile(`\b(?:NEXT_PUBLIC|NUXT_PUBLIC|EXPO_PUBLIC|REACT_APP|VITE|GATSBY|VUE_APP|PUBLIC)_[A-Z0-9_]*(?:CLERK_[A-Z0-9_]*(?:SECRET|SIGNING|ENCRYPTION|MACHINE|PLATFORM_API)|(?:CLERK_)?WEBHOOK_(?:SIGNING_)?SECRET|SIGNING_SECRET)[A-Z0-9_]*\b`)

// clerkSecretShape matches Clerk secret names beyond the fixed list
// ("CLERK_SECRET_KEY_PROD", "MY_CLERK_SECRET_KEY").
var clerkSecretShape = regexp.MustCompile(`^[A-Z0-9_]*CLERK_[A-Z0-9_]*(?:SECRET|ENCRYPTION_KEY|MACHINE_SECRET|PLATFORM_API_KEY|API_KEY)[A-Z0-9_]*$`)

// IsSecretName reports whether an env-var name holds a Clerk secret, with
// or without a public prefix. Publishable-key and URL names are public.
func IsSecretName(name string) bool {
	n := strings.ToUpper(StripPublicPrefix(name))
	if strings.Contains(n, "PUBLISHABLE") {
		return false
	}
	return secretNames[n] || clerkSecretShape.MatchString(n)
}

// IsClerkSecretName is IsSecretName restricted to names that say Clerk
// (not the generic WEBHOOK_SECRET / SIGNING_SECRET).
func IsClerkSecretName(name string) bool {
	return IsSecretName(name) && strings.Contains(strings.ToUpper(name), "CLERK")
}

// PublicPrefixOf returns the client-exposing prefix of name, or "".
func PublicPrefixOf(name string) string {
	for _, p := range PublicPrefixes {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	return ""
}

// StripPublicPrefix returns name without its client-exposing prefix.
func StripPublicPrefix(name string) string {
	return strings.TrimPrefix(name, PublicPrefixOf(name))
}

// FindPublicSecretNames returns the byte ranges of public-prefixed secret
// names (R8) in text.
func FindPublicSecretNames(text string) [][]int {
	return publicPrefixedSecretRe.FindAllStringIndex(text, -1)
}

// IsPublicSecretName reports whether name is exactly an R8 name.
func IsPublicSecretName(name string) bool {
	m := publicPrefixedSecretRe.FindStringIndex(name)
	return m != nil && m[0] == 0 && m[1] == len(name)
}

// ServerName is the server-only name a public-prefixed secret name should
// have: NEXT_PUBLIC_CLERK_SECRET_KEY -> CLERK_SECRET_KEY, and for Nuxt
// NUXT_PUBLIC_CLERK_SECRET_KEY -> NUXT_CLERK_SECRET_KEY.
func ServerName(name string) string {
	p := PublicPrefixOf(name)
	rest := strings.TrimPrefix(name, p)
	if p == "NUXT_PUBLIC_" {
		return "NUXT_" + rest
	}
	return rest
}

// referenceRe matches values that refer to a secret instead of holding one.
var referenceRe = regexp.MustCompile(`(?i)^\$\{|^\$\(|^\$[A-Za-z_]|\$\{\{|\{\{|<%|%[A-Z_]+%|process\.env|import\.meta\.env|os\.getenv|os\.environ|getenv\(|env\(|ENV\[|ENV\.fetch|Deno\.env|Bun\.env|System\.getenv|^secrets\.|^vars\.|^env\.|valueFrom|secretKeyRef|^!(?:Ref|Sub|GetAtt)`)

// dottedRe is a dotted identifier chain such as env.CLERK_SECRET_KEY or
// config.clerk.secretKey: code, not a literal.
var dottedRe = regexp.MustCompile(`^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+$`)

// IsReference reports whether value refers to a secret held elsewhere: a
// shell or template variable, an env lookup, a CI secret, a Helm value, or
// a code expression.
func IsReference(value string) bool {
	v := strings.TrimSpace(value)
	v = strings.Trim(v, "\"'`")
	if v == "" {
		return false
	}
	if referenceRe.MatchString(v) || dottedRe.MatchString(v) {
		return true
	}
	// Function calls and other code (zod schemas, getters).
	return strings.ContainsAny(v, "()")
}

// envNameRe is an ALL_CAPS variable name: a value naming another variable.
var envNameRe = regexp.MustCompile(`^[A-Z][A-Z0-9_]*=?$`)

// LooksLikeToken reports whether a free-form value (an encryption key, a
// legacy key) has the shape of a credential: token characters only, long,
// not a reference, not a placeholder.
func LooksLikeToken(value string) bool {
	if len(value) < 12 || IsReference(value) {
		return false
	}
	for i := 0; i < len(value); i++ {
		c := value[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("_-+/=.:", c) >= 0) {
			return false
		}
	}
	if strings.HasPrefix(value, "http:") || strings.HasPrefix(value, "https:") || envNameRe.MatchString(value) {
		return false // a URL, or another variable's name
	}
	_, ph := Placeholder(value)
	return !ph
}
