package detect

import "testing"

// TestMayHoldSecretsAgreesWithExpression: the byte scan answers what the
// case-folded expression answers, Unicode folds included.
func TestMayHoldSecretsAgreesWithExpression(t *testing.T) {
	for _, s := range []string{
		"", "sk", "SK_", "xsK_y", "whsec", "WHSEC_abc", "Test_", "tes_t", "LIVE_", "live", "aK_", "Clerk_Secret",
		"CLERK", "encryptionKey", "ENCRYPTIONKEY", "encryption_key", "ſk_", "s\u212a_", "a\u212a_", "plain text\nno keys here",
		"sk-", "s_k", "@k_", "[K_", "`k_", "{k_", "ak", "cl3rk_",
	} {
		if got, want := MayHoldSecrets([]byte(s)), mayHoldRe.MatchString(s); got != want {
			t.Errorf("MayHoldSecrets(%q) = %v, the expression says %v", s, got, want)
		}
	}
}

func FuzzMayHoldSecrets(f *testing.F) {
	for _, s := range []string{"sk_", "WHSEC_", "ſk_", "clerk", "x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := MayHoldSecrets(b), mayHoldRe.Match(b); got != want {
			t.Errorf("MayHoldSecrets(%q) = %v, the expression says %v", b, got, want)
		}
	})
}
