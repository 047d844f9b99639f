package model_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestGoTransactionWrites: a transaction a data client starts (sqlx's
// db.Beginx(), database/sql's db.BeginTx) is a client of the same
// library, so the writes made through it, in a helper the handler calls,
// are the entry's effects; a Begin of a value that is no data client
// starts nothing the model knows.
func TestGoTransactionWrites(t *testing.T) {
	m := buildModel(t, source.Mem{
		"go.mod": []byte("module example.com/app\n\ngo 1.22\n"),
		"store/dishes.go": []byte(`package store

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

type Workflow interface{ Begin() Step }
type Step interface{ Exec(q string) }

func RemoveDish(db *sqlx.DB, id int) error {
	tx, err := db.Beginx()
	if err != nil {
		return err
	}
	tx.Exec("DELETE FROM dish_steps WHERE dish_id = $1", id)
	return tx.Commit()
}

func Archive(ctx context.Context, conn *sql.DB) {
	t2, _ := conn.BeginTx(ctx, nil)
	t2.ExecContext(ctx, "UPDATE dishes SET archived = true")
}

func Run(w Workflow) {
	s := w.Begin()
	s.Exec("DELETE")
}
`),
		"main.go": []byte(`package main

import (
	"database/sql"
	"net/http"

	"example.com/app/store"
	"github.com/jmoiron/sqlx"
)

var db *sqlx.DB
var conn *sql.DB
var wf store.Workflow

func remove(w http.ResponseWriter, r *http.Request) {
	store.RemoveDish(db, 1)
}

func archive(w http.ResponseWriter, r *http.Request) {
	store.Archive(r.Context(), conn)
}

func run(w http.ResponseWriter, r *http.Request) {
	store.Run(wf)
}

func main() {
	http.HandleFunc("DELETE /dishes", remove)
	http.HandleFunc("POST /archive", archive)
	http.HandleFunc("POST /run", run)
	http.ListenAndServe(":8080", nil)
}
`),
	})
	ctx := context.Background()
	for label, want := range map[string]string{
		"DELETE /dishes": "write tx.Exec store/dishes.go:18",
		"POST /archive":  "write conn.BeginTx store/dishes.go:23; write t2.ExecContext store/dishes.go:24",
		"POST /run":      "",
	} {
		var got []string
		for _, e := range m.Effects(ctx, entry(t, m, label)).List {
			if e.Kind == model.WritesData {
				got = append(got, fmt.Sprintf("write %s %s:%d", e.Call, e.File, e.Line))
			}
		}
		if g := strings.Join(got, "; "); g != want {
			t.Errorf("%s: writes = %q, want %q", label, g, want)
		}
	}
}
