package main

import (
	"context"
	"slices"
	"testing"
)

func TestAnalyseExportsMap(t *testing.T) {
	files := map[string][]byte{
		"package.json": []byte(`{"name":"@clerk/x","dependencies":{"@clerk/backend":"1.2.3"},
			"exports":{".":{"import":{"types":"./dist/types/index.d.ts","default":"./dist/esm/index.js"}},
			"./server":{"types":"./dist/types/server/index.d.ts"},
			"./webhooks":"./dist/webhooks.js","./package.json":"./package.json","./*":"./dist/*.js"}}`),
		"dist/types/index.d.ts": []byte(`export { ClerkProvider } from './provider';
export * from './hooks';
export * as errors from './errors';
export type { Theme as AppTheme } from './theme';
`),
		"dist/types/hooks.d.ts": []byte(`export declare function useAuth(): void;
export declare const useUser: () => void, useSession: () => void;
declare class Internal {}
export { Internal as PublicInternal };
export default useAuth;
`),
		"dist/types/server/index.d.ts": []byte(`export * from '@clerk/backend';
export { clerkMiddleware } from './clerkMiddleware';
export declare namespace NS { const x: number; }
export interface AuthObject { userId: string }
export * from './missing';
`),
		"dist/webhooks.d.ts": []byte(`export * from '@clerk/backend/webhooks';`),
	}
	got, err := analyse(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]entryExports{
		".":          {names: []string{"AppTheme", "ClerkProvider", "PublicInternal", "default", "errors", "useAuth", "useSession", "useUser"}},
		"./server":   {names: []string{"AuthObject", "NS", "clerkMiddleware"}, open: []string{"./missing", "@clerk/backend"}},
		"./webhooks": {open: []string{"@clerk/backend/webhooks"}},
	}
	if len(got) != len(want) {
		t.Errorf("entry points = %v, want %v", got, want)
	}
	for ep, w := range want {
		g := got[ep]
		if !slices.Equal(g.names, w.names) || !slices.Equal(g.open, w.open) {
			t.Errorf("%s: got %v %v, want %v %v", ep, g.names, g.open, w.names, w.open)
		}
	}

	// A re-export of another analysed package takes its names at the
	// version depended on.
	backend := []*release{
		{minor: "1.1", entries: map[string]entryExports{"./webhooks": {names: []string{"old"}}}},
		{minor: "1.2", entries: map[string]entryExports{"./webhooks": {names: []string{"verifyWebhook"}}, ".": {names: []string{"verifyToken"}}}},
		{minor: "2.0", entries: map[string]entryExports{"./webhooks": {names: []string{"later"}}}},
	}
	r := &release{entries: got, deps: dependencies(files)}
	resolveOpen(r, map[string][]*release{"@clerk/backend": backend})
	if w := []string{"verifyWebhook"}; !slices.Equal(r.entries["./webhooks"].names, w) || len(r.entries["./webhooks"].open) != 0 {
		t.Errorf("webhooks after resolving: %v %v, want %v", r.entries["./webhooks"].names, r.entries["./webhooks"].open, w)
	}
	if s := r.entries["./server"]; !slices.Contains(s.names, "verifyToken") || !slices.Equal(s.open, []string{"./missing"}) {
		t.Errorf("server after resolving: %v %v", s.names, s.open)
	}
}

func TestAnalyseLegacyLayout(t *testing.T) {
	// Packages that predate "exports": root-level server.d.ts beside
	// server.js, and a folder with its own package.json.
	files := map[string][]byte{
		"package.json":             []byte(`{"typings":"dist/index.d.ts","main":"dist/index.js"}`),
		"dist/index.d.ts":          []byte(`export declare function authMiddleware(): void;`),
		"server.d.ts":              []byte(`export * from './dist/server';`),
		"dist/server/index.d.ts":   []byte(`export declare const getAuth: () => void;`),
		"edge/package.json":        []byte(`{"types":"../dist/edge/index.d.ts"}`),
		"dist/edge/index.d.ts":     []byte(`export declare const withEdge: () => void;`),
		"dist/internal/index.d.ts": []byte(`export declare const hidden: number;`),
	}
	got, err := analyse(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	for ep, name := range map[string]string{".": "authMiddleware", "./server": "getAuth", "./edge": "withEdge"} {
		if !slices.Contains(got[ep].names, name) {
			t.Errorf("%s: %v lacks %s", ep, got[ep].names, name)
		}
	}
	if _, ok := got["./dist"]; ok {
		t.Errorf("build output folder taken as an entry point: %v", got)
	}
}

func TestLatestPatchesAndCompress(t *testing.T) {
	rels := latestPatches(map[string]string{"5.0.0": "", "5.0.3": "", "5.1.0-beta.1": "", "5.1.2": "", "6.0.0": "", "5.10.0": ""})
	var vs []string
	for _, r := range rels {
		vs = append(vs, r.version)
	}
	if w := []string{"5.0.3", "5.1.2", "5.10.0", "6.0.0"}; !slices.Equal(vs, w) {
		t.Fatalf("latest patches = %v, want %v", vs, w)
	}
	rels[0].entries = map[string]entryExports{".": {names: []string{"a"}}}
	rels[1].entries = map[string]entryExports{".": {names: []string{"a"}}}
	rels[2].entries = map[string]entryExports{}
	rels[3].entries = map[string]entryExports{".": {names: []string{"a"}}}
	rs := compress(rels)["."]
	if len(rs) != 2 || rs[0].From != "5.0" || rs[0].To != "5.1" || rs[1].From != "6.0" {
		t.Errorf("ranges = %+v, want 5.0-5.1 and 6.0-6.0 (a gap at 5.10)", rs)
	}
}
