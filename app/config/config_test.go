package config_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/app/config"
)

func keyPEM(t *testing.T) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

func TestLoad(t *testing.T) {
	key := keyPEM(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(keyFile, key, 0o644); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"CLERKGUARD_APP_ID": "12", "CLERKGUARD_PRIVATE_KEY_FILE": keyFile, "CLERKGUARD_WEBHOOK_SECRET": "a, b"}
	get := func(over map[string]string) config.Getenv {
		return func(k string) string {
			if v, ok := over[k]; ok {
				return v
			}
			return base[k]
		}
	}
	var warnings []string
	warn := func(msg string, _ ...any) { warnings = append(warnings, msg) }
	c, err := config.Load(get(nil), warn)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.WebhookSecrets) != 2 || string(c.WebhookSecrets[1]) != "b" {
		t.Errorf("secrets = %q, want two trimmed secrets for rotation", c.WebhookSecrets)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "world-readable") {
		t.Errorf("warnings = %v, want the world-readable key warning", warnings)
	}
	if c.APIURL != "https://api.github.com/" || c.GraphQLURL != "https://api.github.com/graphql" || c.DatabaseURL != "sqlite://clerkguard.db" {
		t.Errorf("defaults: %s %s %s", c.APIURL, c.GraphQLURL, c.DatabaseURL)
	}
	ghes, err := config.Load(get(map[string]string{"CLERKGUARD_GITHUB_API_URL": "https://ghe.example.com/api/v3"}), nil)
	if err != nil || ghes.APIURL != "https://ghe.example.com/api/v3/" || ghes.GraphQLURL != "https://ghe.example.com/api/graphql" {
		t.Errorf("GHES URLs: %v %+v", err, ghes)
	}
	if c.OnError != "neutral" {
		t.Errorf("OnError defaults to %q, want neutral", c.OnError)
	}
	if f, err := config.Load(get(map[string]string{"CLERKGUARD_ON_ERROR": "Failure"}), nil); err != nil || f.OnError != "failure" {
		t.Errorf("CLERKGUARD_ON_ERROR=Failure: %v %q", err, f.OnError)
	}
	os.Chmod(keyFile, 0o600)
	warnings = nil
	if _, err := config.Load(get(nil), warn); err != nil || len(warnings) != 0 {
		t.Errorf("0600 key: err %v warnings %v", err, warnings)
	}
	if s := c.LogValue().String(); strings.Contains(s, "PRIVATE") || strings.Contains(s, "a, b") {
		t.Errorf("LogValue leaks secrets: %s", s)
	}

	for _, tc := range []struct {
		name string
		over map[string]string
		want string
	}{
		{"no secret", map[string]string{"CLERKGUARD_WEBHOOK_SECRET": " , "}, "refuses to accept unsigned webhooks"},
		{"bad app id", map[string]string{"CLERKGUARD_APP_ID": "x"}, "CLERKGUARD_APP_ID"},
		{"no key", map[string]string{"CLERKGUARD_PRIVATE_KEY_FILE": ""}, "CLERKGUARD_PRIVATE_KEY"},
		{"not a key", map[string]string{"CLERKGUARD_PRIVATE_KEY_FILE": "", "CLERKGUARD_PRIVATE_KEY": "hello"}, "not a PEM RSA private key"},
		{"bad url", map[string]string{"CLERKGUARD_GITHUB_API_URL": "ftp://x"}, "not an http(s) URL"},
		{"bad database", map[string]string{"CLERKGUARD_DATABASE_URL": "mysql://x"}, "CLERKGUARD_DATABASE_URL"},
		{"bad duration", map[string]string{"CLERKGUARD_JOB_TIMEOUT": "soon"}, "CLERKGUARD_JOB_TIMEOUT"},
		{"bad number", map[string]string{"CLERKGUARD_WORKERS": "-1"}, "CLERKGUARD_WORKERS"},
		{"bad failure policy", map[string]string{"CLERKGUARD_ON_ERROR": "block"}, "CLERKGUARD_ON_ERROR must be neutral or failure"},
	} {
		_, err := config.Load(get(tc.over), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), string(key[40:80])) {
			t.Errorf("%s: error text contains key material", tc.name)
		}
	}
}
