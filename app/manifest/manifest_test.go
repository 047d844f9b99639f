package manifest_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestAppManifest checks app.yml: least-privilege permissions and exactly
// the events the webhook handler serves.
func TestAppManifest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "app.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Name           string `yaml:"name"`
		Description    string `yaml:"description"`
		URL            string `yaml:"url"`
		HookAttributes struct {
			URL    string `yaml:"url"`
			Active bool   `yaml:"active"`
		} `yaml:"hook_attributes"`
		Public             bool              `yaml:"public"`
		DefaultPermissions map[string]string `yaml:"default_permissions"`
		DefaultEvents      []string          `yaml:"default_events"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if m.Name == "" || m.Description == "" || m.URL == "" || !strings.HasSuffix(m.HookAttributes.URL, "/webhook") || !m.HookAttributes.Active {
		t.Errorf("manifest incomplete: %+v", m)
	}
	want := map[string]string{"checks": "write", "pull_requests": "write", "contents": "read", "metadata": "read", "merge_queues": "read"}
	if len(m.DefaultPermissions) != len(want) {
		t.Errorf("permissions = %v, want exactly %v", m.DefaultPermissions, want)
	}
	for k, v := range want {
		if m.DefaultPermissions[k] != v {
			t.Errorf("permission %s = %q, want %q", k, m.DefaultPermissions[k], v)
		}
	}
	sort.Strings(m.DefaultEvents)
	// installation events arrive without a subscription; GitHub rejects them here.
	wantEvents := []string{"check_run", "check_suite", "merge_group", "pull_request"}
	if strings.Join(m.DefaultEvents, ",") != strings.Join(wantEvents, ",") {
		t.Errorf("events = %v, want %v", m.DefaultEvents, wantEvents)
	}
}
