package model_test

import (
	"context"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestConvexArgumentProperty: a function handed an arguments object
// (ctx.runMutation(ref, { id, summary })) decides its effects by the
// property its parameter reads: the patch by the id the caller just
// inserted is not selected by the request, the patch by the request's
// noteId is, whatever else the object holds (the caller's identity).
func TestConvexArgumentProperty(t *testing.T) {
	m := buildModel(t, caseFiles(t, filepath.Join("testdata", "convex", "scheduled_args.txtar")))
	patch := func(label string) model.Effect {
		t.Helper()
		for _, x := range m.Effects(context.Background(), entry(t, m, label)).List {
			if x.Call == "ctx.db.patch" {
				return x
			}
		}
		t.Fatalf("%s: no ctx.db.patch effect", label)
		return model.Effect{}
	}
	if x := patch("MUTATION api.notes.create"); len(x.Request) != 0 || x.OwnerScoped {
		t.Errorf("create: patch by the inserted id: Request = %v, OwnerScoped = %v; want none, false", x.Request, x.OwnerScoped)
	}
	if x := patch("MUTATION api.notes.resummarize"); len(x.Request) != 1 || x.Request[0] != model.FromArgs || x.OwnerScoped {
		t.Errorf("resummarize: patch by the request's noteId: Request = %v, OwnerScoped = %v; want [args], false", x.Request, x.OwnerScoped)
	}
}

// caseFiles is the snapshot a model case's files make (its sections
// other than the @routes golden).
func caseFiles(t *testing.T, name string) source.Mem {
	t.Helper()
	ar, err := txtar.ParseFile(name)
	if err != nil {
		t.Fatal(err)
	}
	snap := source.Mem{}
	for _, f := range ar.Files {
		if f.Name != routesSection {
			snap[f.Name] = f.Data
		}
	}
	return snap
}
