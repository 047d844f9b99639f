package model

import (
	"slices"
	"testing"
)

// TestPlaceholderRoles: a value bound in LIMIT/OFFSET or in a subquery
// of the select list selects no rows; one in WHERE (also inside an IN
// subquery) does; quoted question marks are no placeholders.
func TestPlaceholderRoles(t *testing.T) {
	tests := []struct {
		q    string
		want []bool
		ok   bool
	}{
		{"SELECT p.id, EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND l.user_id = ?) AS liked FROM posts p WHERE p.id = ?", []bool{false, true}, true},
		{"SELECT * FROM posts ORDER BY created_at DESC LIMIT ? OFFSET ?", []bool{false, false}, true},
		{"SELECT * FROM notes WHERE id IN (SELECT note_id FROM shares WHERE user_id = ?) LIMIT ?", []bool{true, false}, true},
		{"SELECT * FROM t WHERE a = '?' AND b = ?", []bool{true}, true},
		{"SELECT * FROM t WHERE a = $1", nil, false},
	}
	for _, tc := range tests {
		got, ok := placeholderRoles(tc.q)
		if ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("%s: placeholderRoles = %v, %v; want %v, %v", tc.q, got, ok, tc.want, tc.ok)
		}
	}
	if got := sqlStatementOf("SELECT s.id, EXISTS (SELECT 1 FROM stars st WHERE st.user_id = ?) AS starred FROM snippets s").table; got != "snippets" {
		t.Errorf("table = %q, want the statement's own FROM (snippets), not the subquery's", got)
	}
}
