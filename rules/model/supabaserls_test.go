package model

import (
	"testing"
)

func TestSQLStatements(t *testing.T) {
	got := sqlStatements("create function f() returns int as $$ begin; return 1; end; $$ language sql;\n-- x; y\nALTER TABLE  public.a\n ENABLE ROW LEVEL SECURITY;\nselect ';' /* ; */ ;alter table public.a disable row level security")
	want := []string{"create function f() returns int as $body$ language sql", "alter table public.a enable row level security", "select ';'", "alter table public.a disable row level security"}
	if len(got) != len(want) {
		t.Fatalf("sqlStatements = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("statement %d = %q, want %q", i, got[i], want[i])
		}
	}
}
