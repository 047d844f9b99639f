package source

import (
	"context"
	"fmt"
	"sort"
)

// Mem is an in-memory Snapshot, used by tests and by the App after it has
// fetched a pull request's files.
type Mem map[string][]byte

// Files implements Snapshot.
func (m Mem) Files(ctx context.Context) ([]string, error) {
	out := make([]string, 0, len(m))
	for p := range m {
		if !DefaultSkip(p) || BuildOutput(p) { // build output: see rules.Run
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Read implements Snapshot.
func (m Mem) Read(ctx context.Context, p string) ([]byte, error) {
	b, ok := m[p]
	if !ok {
		return nil, fmt.Errorf("read %s: not in snapshot", p)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", p, len(b), ErrTooLarge)
	}
	return b, nil
}
