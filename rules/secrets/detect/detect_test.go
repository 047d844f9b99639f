package detect_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
)

// Keys are generated at run time so the repository holds no secret-shaped
// literal.
var (
	skLive    = "sk_live_" + rulestest.Base62("detect-live", 42)
	skTest    = "sk_test_" + rulestest.Base62("detect-test", 42)
	skStripe  = "sk_live_" + rulestest.Base62("detect-stripe", 99)
	whsec     = "whsec_" + base64.StdEncoding.EncodeToString([]byte(rulestest.Base62("detect-wh", 24)))
	pkLive    = "pk_live_" + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("clerk.example.com$")), "=")
	pkDev     = "pk_test_" + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("fond-ant-12.clerk.accounts.dev$")), "=")
	legacy    = "live_" + rulestest.Base62("detect-legacy", 30)
	akLive    = "ak_live_" + rulestest.Base62("detect-ak", 32)
	encKey    = rulestest.Base62("detect-enc", 64)
	hostFixSk = "sk_test_" + base64.StdEncoding.EncodeToString([]byte("clerk.clerk.dev$"))
)

func kinds(cs []detect.Candidate) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind.String()+"@"+c.Name)
	}
	return strings.Join(out, ",")
}

// TestFind is gitleaks-style: true positives, then false positives.
func TestFind(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		// True positives.
		{"env sk", "CLERK_SECRET_KEY=" + skLive, "secret key@CLERK_SECRET_KEY"},
		{"quoted js", "createClerkClient({ secretKey: '" + skTest + "' })", "secret key@secretKey"},
		{"json", `{"CLERK_SECRET_KEY": "` + skLive + `"}`, "secret key@CLERK_SECRET_KEY"},
		{"docker env space", "ENV CLERK_SECRET_KEY " + skLive, "secret key@CLERK_SECRET_KEY"},
		{"whsec", "CLERK_WEBHOOK_SIGNING_SECRET=" + whsec, "webhook signing secret@CLERK_WEBHOOK_SIGNING_SECRET"},
		{"pk", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=" + pkLive, "publishable key@NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY"},
		{"legacy", "CLERK_API_KEY=" + legacy, "legacy secret key@CLERK_API_KEY"},
		{"machine", "CLERK_MACHINE_SECRET_KEY=" + akLive, "machine secret key@CLERK_MACHINE_SECRET_KEY"},
		{"encryption", "CLERK_ENCRYPTION_KEY=" + encKey, "encryption key@CLERK_ENCRYPTION_KEY"},
		{"named other format", "CLERK_WEBHOOK_SECRET=" + encKey, "secret value@CLERK_WEBHOOK_SECRET"},
		{"prose", "the key " + skLive + " leaked", "secret key@"},
		// False positives: nothing found.
		{"too short", "sk_test_abc", ""},
		{"stripe restricted", "rk_live_" + rulestest.Base62("rk", 30), ""},
		{"longer token", "xsk_live_" + rulestest.Base62("x", 30), ""},
		{"whsec inside longer base64", "whsec_" + strings.Repeat("Ab1+", 30), ""},
		{"env reference", "CLERK_SECRET_KEY=${CLERK_SECRET_KEY}", ""},
		{"gha reference", "CLERK_SECRET_KEY: ${{ secrets.CLERK_SECRET_KEY }}", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := kinds(detect.Find(tc.text)); got != tc.want {
				t.Errorf("Find(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

func TestPlaceholder(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{skLive, false},
		{skTest, false},
		{whsec, false},
		{"sk_" + "test_xxxxxxxxxxxxxxxxxxxxxxxx", true},
		{"sk_test_...", true},
		{"sk_test_deadbeef", true},
		{"sk_test_REPLACE_ME_WITH_YOUR_KEY", true},
		{"sk_" + "live_1234567890abcdefghijk", true},
		{hostFixSk, true},
		{"sk_test_ZHVtbXk=", true},                             // base64 "dummy"
		{"sk_" + "test_ZGVmYXVsdC10ZXN0LWtleS1mb3ItY2k", true}, // base64 "default-test-key-for-ci"
		{"sk_" + "test_" + base64.RawStdEncoding.EncodeToString([]byte("ci_pipeline_secret")), true},
		{"sk_" + "live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true},
		{"sk_" + "test_0000000000000000000000000", true},
		{"whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true},
		{"whsec_" + "dGVzdF9zaWduaW5nX3NlY3JldF8zMl9jaGFyc19sb25n", true},
		{"sk_live_" + rulestest.Base62("example-ok", 20) + "example", true},
		{"sk_" + "test_github_actions_key", true}, // words someone typed
		{"whsec_" + "ci_signing_secret", true},
		{"correct_horse_battery", false},         // no prefix: may be a real passphrase
		{"my" + "sk_" + "test_secret_key", true}, // a key prefix inside words, no key body
		{"my" + "pk_" + "test_key", true},
		{"my" + "sk_" + "test_" + rulestest.Base62("embedded-body", 40), false}, // a key body after it
	} {
		if _, got := detect.Placeholder(tc.v); got != tc.want {
			t.Errorf("Placeholder(%s) = %v, want %v", tc.v[:10], got, tc.want)
		}
	}
}

func TestDecodePublishable(t *testing.T) {
	p, ok := detect.DecodePublishable(pkLive)
	if !ok || !p.Live || p.Host != "clerk.example.com" || p.DevHost {
		t.Errorf("pk_live: %+v %v", p, ok)
	}
	p, ok = detect.DecodePublishable(pkDev)
	if !ok || p.Live || !p.DevHost {
		t.Errorf("pk_test dev: %+v %v", p, ok)
	}
	// A Stripe publishable key does not decode to "<host>$".
	if _, ok := detect.DecodePublishable("pk_live_" + rulestest.Base62("stripe-pk", 99)); ok {
		t.Error("Stripe-shaped pk decoded as Clerk")
	}
	if _, ok := detect.DecodePublishable("pk_test_" + base64.StdEncoding.EncodeToString([]byte("a$b$"))); ok {
		t.Error("two dollars accepted")
	}
}

func TestAttribute(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want detect.Vendor
	}{
		{"clerk name", "CLERK_SECRET_KEY=" + skLive, detect.Clerk},
		{"stripe name", "STRIPE_SECRET_KEY=" + skLive, detect.Other},
		{"new Stripe", "import Stripe from 'stripe'\nconst s = new Stripe('" + skLive + "')", detect.Other},
		{"clerk call", "const c = createClerkClient({ secretKey: '" + skStripe + "' })", detect.Clerk},
		{"clerk import", "import { x } from '@clerk/backend'\n\n\n\n\n\n" + strings.Repeat("// filler line\n", 10) + "const k = '" + skStripe + "'", detect.Clerk},
		{"clerk pk in file", "PUB=" + pkLive + "\n" + strings.Repeat("#\n", 80) + "SECRET=" + skStripe, detect.Clerk},
		{"length 42 hint", "const k = '" + skLive + "'", detect.Clerk},
		{"unknown long", "const k = '" + skStripe + "'", detect.Unknown},
		{"stripe env in clerk env file", "CLERK_PUBLISHABLE_KEY=" + pkLive + "\nSTRIPE_SECRET_KEY=" + skLive, detect.Other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c detect.Candidate
			for _, x := range detect.Find(tc.text) {
				if x.Kind == detect.SecretKey {
					c = x
				}
			}
			if c.Kind == 0 {
				t.Fatal("no sk candidate")
			}
			got, _, why := detect.Attribute(tc.text, c, detect.Signals(tc.text))
			if got != tc.want {
				t.Errorf("Attribute = %v (%s), want %v", got, why, tc.want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, n := range []string{"NEXT_PUBLIC_CLERK_SECRET_KEY", "VITE_CLERK_WEBHOOK_SECRET", "PUBLIC_CLERK_ENCRYPTION_KEY", "NUXT_PUBLIC_CLERK_SECRET_KEY", "EXPO_PUBLIC_SIGNING_SECRET"} {
		if !detect.IsPublicSecretName(n) {
			t.Errorf("%s not a public secret name", n)
		}
	}
	for _, n := range []string{"NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_SECRET_KEY", "VITE_CLERK_SIGN_IN_URL", "NEXT_PUBLIC_CLERK_JWT_KEY"} {
		if detect.IsPublicSecretName(n) {
			t.Errorf("%s reported as a public secret name", n)
		}
	}
	for in, want := range map[string]string{
		"NEXT_PUBLIC_CLERK_SECRET_KEY": "CLERK_SECRET_KEY",
		"NUXT_PUBLIC_CLERK_SECRET_KEY": "NUXT_CLERK_SECRET_KEY",
		"VITE_CLERK_WEBHOOK_SECRET":    "CLERK_WEBHOOK_SECRET",
	} {
		if got := detect.ServerName(in); got != want {
			t.Errorf("ServerName(%s) = %s, want %s", in, got, want)
		}
	}
	for _, v := range []string{"${CLERK_SECRET_KEY}", "$(cat /run/secrets/x)", "process.env.CLERK_SECRET_KEY", "os.Getenv(\"CLERK_SECRET_KEY\")",
		"${{ secrets.CLERK_SECRET_KEY }}", "{{ .Values.clerk.secretKey }}", "env.CLERK_SECRET_KEY", "z.string().min(1)", "$CLERK_SECRET_KEY"} {
		if !detect.IsReference(v) {
			t.Errorf("IsReference(%q) = false", v)
		}
	}
	if detect.IsReference(skLive) {
		t.Error("a key is a reference")
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{"CLERK_SECRET_KEY=" + skLive, "whsec_" + strings.Repeat("A", 40), "pk_test_" + "Y2xlcmsuZXhhbXBsZS5jb20k", "ENV X \\\n Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sig := detect.Signals(s)
		for _, c := range detect.Find(s) {
			if s[c.Start:c.End] != c.Value {
				t.Fatalf("offsets do not match value")
			}
			detect.Placeholder(c.Value)
			detect.Attribute(s, c, sig)
			detect.AttributeWebhook(s, c, sig)
			detect.DecodePublishable(c.Value)
		}
	})
}

// FuzzSecrets: MayHoldSecrets is a sound prefilter for Secrets, and every
// value Secrets returns is a candidate of Find.
func FuzzSecrets(f *testing.F) {
	for _, s := range []string{"CLERK_SECRET_KEY=" + skLive, "whsec_" + strings.Repeat("Ab", 20), "clerk_encryption_key: " + strings.Repeat("q1W2", 5),
		"apiKey: 'live_" + strings.Repeat("Zx9", 8) + "'", "machineSecretKey = ak_" + strings.Repeat("k7", 6), "CLER\u212a_SECRET_KEY=abcdefgh12345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := detect.Secrets(s)
		if len(got) > 0 && !detect.MayHoldSecrets([]byte(s)) {
			t.Fatalf("MayHoldSecrets is false for a text with secrets %q", got)
		}
		for _, v := range got {
			if !strings.Contains(s, v) {
				t.Fatalf("secret %q is not in the text", v)
			}
		}
	})
}
