package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
)

// TestDocsListEveryVariable keeps docs/configuration.md in step with the
// code: every CLERKGUARD_* variable read anywhere in app/ or cmd/, and every
// repository config key, must be documented.
func TestDocsListEveryVariable(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	re := regexp.MustCompile(`"(CLERKGUARD_[A-Z_]+)"`)
	for _, dir := range []string{"..", filepath.Join("..", "..", "cmd")} {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			b, _ := os.ReadFile(p)
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				vars[m[1]] = true
			}
			return nil
		})
	}
	if len(vars) < 10 {
		t.Fatalf("found only %d variables; the scan is broken", len(vars))
	}
	var missing []string
	for v := range vars {
		if !strings.Contains(string(doc), "`"+v+"`") {
			missing = append(missing, v)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/configuration.md does not document %v", missing)
	}
	keys := yamlKeys(reflect.TypeOf(rules.Config{}), "")
	if len(keys) < 7 {
		t.Fatalf("found only repository keys %v; the scan is broken", keys)
	}
	for _, key := range keys {
		if !strings.Contains(string(doc), "`"+key+"`") {
			t.Errorf("docs/configuration.md does not document the repository key %s", key)
		}
	}
}

// yamlKeys lists the repository configuration's keys, dotted, from the yaml
// tags of rules.Config.
func yamlKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			out = append(out, yamlKeys(f.Type, prefix+name+".")...)
			continue
		}
		out = append(out, prefix+name)
	}
	return out
}
