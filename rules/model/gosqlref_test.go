package model

import (
	"maps"
	"testing"
)

func TestSQLPlaceholderColumns(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want map[int]string
	}{
		{"SELECT body FROM message m WHERE m.lang != $1 AND m.chat_id = $2", map[int]string{2: "chat_id"}},
		{"SELECT * FROM t WHERE a.Folder_ID=$3 OR owner_id = $1", map[int]string{3: "folder_id", 1: "owner_id"}},
		{"SELECT * FROM t WHERE kind = 'x?' AND note_id = ? AND user_id = ?", map[int]string{1: "note_id", 2: "user_id"}},
		{"UPDATE t SET title = ? WHERE id = ?", map[int]string{1: "title", 2: "id"}},
		{"SELECT id FROM t", map[int]string{}},
	} {
		if got := sqlPlaceholderColumns(tc.q); !maps.Equal(got, tc.want) {
			t.Errorf("sqlPlaceholderColumns(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestSQLInsertColumns(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want map[int]string
	}{
		{"-- name: CreateShare :exec\nINSERT INTO shares (owner_id, grantee_id)\nVALUES ($1, $2)", map[int]string{1: "owner_id", 2: "grantee_id"}},
		{"INSERT INTO team_members (role, user_id) VALUES ('member', $1)", map[int]string{1: "user_id"}},
		{`insert into "notes" ("title", "author") values (?, ?) returning id`, map[int]string{1: "title", 2: "author"}},
		{"INSERT INTO t (a, b, c) VALUES (lower(?), ?, DEFAULT)", map[int]string{2: "b"}},
		{"INSERT INTO t SELECT * FROM u WHERE id = $1", nil},
		{"UPDATE t SET a = $1", nil},
	} {
		if got := sqlInsertColumns(tc.q); !maps.Equal(got, tc.want) {
			t.Errorf("sqlInsertColumns(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestSQLFilterOrdinals(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want map[int]bool
		ok   bool
	}{
		{"UPDATE recipes SET name=$1, description=$2 WHERE id=$3", map[int]bool{3: true}, true},
		{"UPDATE t SET a = ?, note = 'x?' WHERE id = ? AND owner_id = ?", map[int]bool{2: true, 3: true}, true},
		{"DELETE FROM list_items WHERE list_id = $1", map[int]bool{1: true}, true},
		{"UPDATE t SET a = $1", nil, false},
		{"INSERT INTO t (a) VALUES ($1)", nil, false},
		{"SELECT * FROM t WHERE id = $1", nil, false},
	} {
		got, ok := sqlFilterOrdinals(tc.q)
		if ok != tc.ok || !maps.Equal(got, tc.want) {
			t.Errorf("sqlFilterOrdinals(%q) = %v, %v, want %v, %v", tc.q, got, ok, tc.want, tc.ok)
		}
	}
}
