package modules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestGraphCases runs every testdata/graph/*.txtar case. Its sections:
//
//	@imports    file kind spec imported local => resolution   (every edge, in order)
//	@origin     file binding => origin                         (Graph.Origin)
//	@export     file name => origin                            (Graph.ExportOrigin)
//	@importers  file => importer:line ...                      (Graph.Importers; one edge per imported binding)
//
// An origin is written "file: lib/a.ts#export binding:line",
// "external: pkg#name", "none", or "error <text>". "-" stands for "".
func TestGraphCases(t *testing.T) {
	ctx := context.Background()
	for _, a := range archives(t, "graph") {
		t.Run(a.name, func(t *testing.T) {
			g := New(newMemFiles(a.files))
			imports := map[string][]string{}
			for _, line := range a.sections["@imports"] {
				lhs, want := fields(t, line)
				if len(lhs) != 5 {
					t.Fatalf("@imports line %q: want 'file kind spec imported local => resolution'", line)
				}
				imports[lhs[0]] = append(imports[lhs[0]], strings.Join(lhs[1:], " ")+" => "+want)
			}
			for file, want := range imports {
				ims, err := g.Imports(ctx, file)
				if err != nil {
					t.Fatalf("Imports(%s): %v", file, err)
				}
				var got []string
				for _, im := range ims {
					got = append(got, fmt.Sprintf("%s %s %s %s => %s", im.Kind, im.Spec, dash(im.Imported), dash(im.Local), im.Target))
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("Imports(%s) =\n%s\nwant\n%s", file, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
			for _, sec := range []string{"@origin", "@export"} {
				for _, line := range a.sections[sec] {
					lhs, want := fields(t, line)
					if len(lhs) != 2 {
						t.Fatalf("%s line %q: want 'file name => origin'", sec, line)
					}
					find := g.Origin
					if sec == "@export" {
						find = g.ExportOrigin
					}
					o, ok, err := find(ctx, lhs[0], lhs[1])
					got := describeOrigin(o, ok)
					if err != nil {
						got = "error " + err.Error()
					}
					if got != want && !(strings.HasPrefix(want, "error ") && strings.HasPrefix(got, want)) {
						t.Errorf("%s(%s, %s) = %s; want %s", sec[1:], lhs[0], lhs[1], got, want)
					}
				}
			}
			for _, line := range a.sections["@importers"] {
				lhs, want := fields(t, line)
				es, err := g.Importers(ctx, lhs[0])
				if err != nil {
					t.Fatalf("Importers(%s): %v", lhs[0], err)
				}
				var got []string
				for _, e := range es {
					got = append(got, fmt.Sprintf("%s:%d", e.From, e.Import.Line))
				}
				if strings.Join(got, " ") != want && !(want == "-" && len(got) == 0) {
					t.Errorf("Importers(%s) = %s; want %s", lhs[0], strings.Join(got, " "), want)
				}
			}
		})
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// TestOriginHops checks the statements Origin reports for a chain through
// two barrels.
func TestOriginHops(t *testing.T) {
	g := New(newMemFiles(map[string]string{
		"app/page.ts":        "import { requireAdmin } from '../lib'\nrequireAdmin()\n",
		"lib/index.ts":       "// barrel\nexport * from './auth'\n",
		"lib/auth/index.ts":  "\nexport { requireAdmin } from './guards'\n",
		"lib/auth/guards.ts": "import x from 'y'\n\nexport async function requireAdmin() {}\n",
	}))
	o, ok, err := g.Origin(context.Background(), "app/page.ts", "requireAdmin")
	if err != nil || !ok {
		t.Fatalf("Origin: %v %v", ok, err)
	}
	var hops []string
	for _, h := range o.Hops {
		hops = append(hops, fmt.Sprintf("%s:%d", h.Path, h.Line))
	}
	if got, want := strings.Join(hops, " "), "app/page.ts:1 lib/index.ts:2 lib/auth/index.ts:2"; got != want {
		t.Errorf("hops = %s; want %s", got, want)
	}
	if o.Module.Path != "lib/auth/guards.ts" || o.Line != 3 || o.Binding != "requireAdmin" {
		t.Errorf("origin = %+v", o)
	}
	f, decl, err := g.Decl(context.Background(), o)
	if err != nil || f == nil || decl == nil || decl.Type != "function_declaration" {
		t.Errorf("Decl = %v, %v, %v", f, decl, err)
	}
}

// TestOriginTooDeep: a chain longer than MaxHops is an error, not "not
// found" and not an answer.
func TestOriginTooDeep(t *testing.T) {
	files := map[string]string{"m0.ts": "import { x } from './m1'\n"}
	for i := 1; i <= MaxHops+2; i++ {
		files[fmt.Sprintf("m%d.ts", i)] = fmt.Sprintf("export { x } from './m%d'\n", i+1)
	}
	files[fmt.Sprintf("m%d.ts", MaxHops+3)] = "export const x = 1\n"
	_, ok, err := New(newMemFiles(files)).Origin(context.Background(), "m0.ts", "x")
	if !errors.Is(err, ErrTooDeep) || ok {
		t.Fatalf("Origin over %d hops = %v, %v; want ErrTooDeep", MaxHops+3, ok, err)
	}
	// Just under the limit it is found.
	files = map[string]string{"m0.ts": "import { x } from './m1'\n"}
	for i := 1; i < MaxHops; i++ {
		files[fmt.Sprintf("m%d.ts", i)] = fmt.Sprintf("export { x } from './m%d'\n", i+1)
	}
	files[fmt.Sprintf("m%d.ts", MaxHops)] = "export const x = 1\n"
	o, ok, err := New(newMemFiles(files)).Origin(context.Background(), "m0.ts", "x")
	if err != nil || !ok || o.Module.Path != fmt.Sprintf("m%d.ts", MaxHops) {
		t.Fatalf("Origin over %d hops = %+v, %v, %v", MaxHops, o, ok, err)
	}
}
