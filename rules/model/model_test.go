package model_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/tools/txtar"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/source"
)

// The model's goldens: each case under testdata/<framework>/ is a txtar
// archive whose files form a snapshot and whose section "@routes" holds
// the expected `clerkguard routes` text output. UPDATE_GOLDEN=1 rewrites
// the sections. A line marked `want:todo "regexp"` (in any file's comment
// syntax) records a known miss: the case passes while no output line
// matches the regexp, and fails once one does, so the fix is noticed and
// the marker moved into the golden.

const routesSection = "@routes"

var todoRe = regexp.MustCompile(`want:todo\s+"((?:[^"\\]|\\.)*)"`)

func TestRoutesGolden(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "*", "*.txtar"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	sch := routesSchema(t)
	for _, c := range cases {
		name := strings.TrimSuffix(filepath.ToSlash(strings.TrimPrefix(c, "testdata"+string(filepath.Separator))), ".txtar")
		t.Run(name, func(t *testing.T) { runCase(t, c, sch) })
	}
}

func runCase(t *testing.T, file string, sch *jsonschema.Schema) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	snap := source.Mem{}
	var golden []byte
	var todos []*regexp.Regexp
	for _, f := range ar.Files {
		if f.Name == routesSection {
			golden = f.Data
			continue
		}
		data := rulestest.Expand(string(f.Data))
		snap[f.Name] = []byte(data)
		for _, m := range todoRe.FindAllStringSubmatch(data, -1) {
			re, err := regexp.Compile(strings.ReplaceAll(m[1], `\"`, `"`))
			if err != nil {
				t.Fatalf("%s: want:todo %q: %v", f.Name, m[1], err)
			}
			todos = append(todos, re)
		}
	}
	rep := report(t, snap)
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	got := text.Bytes()
	for _, re := range todos {
		for _, line := range strings.Split(string(got), "\n") {
			if re.MatchString(line) {
				t.Errorf("known miss %q is fixed (%s): move it from want:todo into the golden", re, strings.TrimSpace(line))
			}
		}
	}
	if sch != nil {
		var js bytes.Buffer
		if err := rep.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(&js)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("routes JSON does not validate: %v", err)
		}
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		found := false
		for i := range ar.Files {
			if ar.Files[i].Name == routesSection {
				ar.Files[i].Data, found = got, true
			}
		}
		if !found {
			ar.Files = append(ar.Files, txtar.File{Name: routesSection, Data: got})
		}
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if golden == nil {
		t.Fatalf("no %s section; run with UPDATE_GOLDEN=1\n%s", routesSection, got)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(golden)) {
		t.Errorf("routes output differs (UPDATE_GOLDEN=1 rewrites)\n--- got\n%s\n--- want\n%s\n%s", got, golden, lineDiff(string(golden), string(got)))
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, x, y)
		}
	}
	return b.String()
}

// report builds the report of a snapshot's model (see buildModel).
func report(t *testing.T, snap source.Mem) *model.Report {
	t.Helper()
	rep, err := buildModel(t, snap).Report(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func routesSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	p := filepath.Join("..", "..", "docs", "schema", "routes.schema.json")
	sch, err := jsonschema.NewCompiler().Compile(p)
	if err != nil {
		t.Fatalf("compile %s: %v", p, err)
	}
	return sch
}
