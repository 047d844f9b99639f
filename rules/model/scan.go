package model

import (
	"context"
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// scanEntries lists the entries of the adapters whose entry points are
// found file by file (Convex functions, Supabase Edge Functions, Expo API
// routes): fn runs on every module file of the snapshot that match
// accepts, outside node_modules. A file that cannot be read or parsed is
// recorded in Notes and lists no entries.
func (m *Model) scanEntries(ctx context.Context, match func(p string) bool, fn func(ctx context.Context, p string) ([]*Entry, error)) ([]*Entry, error) {
	var out []*Entry
	for _, p := range m.fs.Paths() {
		if !modules.IsModule(p) || strings.Contains("/"+p, "/node_modules/") || !match(p) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		es, err := fn(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: fmt.Sprintf("entries not listed: %v", err)})
			continue
		}
		out = append(out, es...)
		if len(out) > MaxEntries {
			break
		}
	}
	return withFacets(out), nil
}

// dependsOn reports whether some package of the snapshot depends on dep.
func (m *Model) dependsOn(dep string) bool {
	for _, pk := range m.proj.Packages {
		if _, ok := pk.Deps[dep]; ok {
			return true
		}
	}
	return false
}
