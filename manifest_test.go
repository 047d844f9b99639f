package clerkguard_test

import (
	"bytes"
	"os"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/clerkguard/clerkguard"
)

// TestAppManifestEmbedded: the binary carries app.yml byte for byte, and it
// is a YAML mapping (the setup page converts it to JSON).
func TestAppManifestEmbedded(t *testing.T) {
	disk, err := os.ReadFile("app.yml")
	if err != nil {
		t.Fatal(err)
	}
	got := clerkguard.AppManifest()
	if !bytes.Equal(got, disk) {
		t.Fatal("the embedded manifest differs from app.yml; rebuild")
	}
	got[0] ^= 0xff // a caller cannot change what the next caller sees
	if !bytes.Equal(clerkguard.AppManifest(), disk) {
		t.Fatal("AppManifest returned shared storage")
	}
	var m map[string]any
	if err := yaml.Unmarshal(disk, &m); err != nil || m["name"] == nil {
		t.Fatalf("app.yml is not a manifest mapping: %v", err)
	}
}
