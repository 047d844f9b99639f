// Package redact turns secret values into a form that is safe to print:
// the known prefix, an ellipsis and the last four characters.
package redact

import "strings"

var prefixes = []string{"sk_live_", "sk_test_", "pk_live_", "pk_test_", "whsec_", "ak_live_", "ak_test_", "ak_", "rk_live_", "rk_test_", "mt_", "oat_", "live_", "test_"}

// Secret returns the redacted form of a secret: `sk_live_…ab12`. Values of
// eight characters or fewer after the prefix show no tail at all.
func Secret(s string) string {
	p := ""
	for _, pre := range prefixes {
		if strings.HasPrefix(s, pre) {
			p = pre
			break
		}
	}
	rest := s[len(p):]
	if len(rest) <= 8 {
		return p + "…"
	}
	return p + "…" + rest[len(rest)-4:]
}

// All replaces every secret in text with its redacted form.
func All(text string, secrets []string) string {
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		text = strings.ReplaceAll(text, s, Secret(s))
	}
	return text
}
