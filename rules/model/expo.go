package model

import (
	"context"
	"path"
	"regexp"
	"strings"

	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// expoAdapter lists Expo Router API routes
// (https://docs.expo.dev/router/reference/api-routes/): a file
// app/**/<name>+api.ts of an app that depends on expo-router runs on the
// server, and each HTTP-method export (GET, POST, ...) answers requests
// to the route's URL. Groups in parentheses are not part of the URL,
// [param] is a dynamic segment and index names the directory. The rest of
// the app runs on the device: client code, not an entry.
type expoAdapter struct{}

func (expoAdapter) Framework() Framework { return knowledge.Expo }

var expoAPIRe = regexp.MustCompile(`(?:^|/)app/(.*)\+api\.(?:ts|tsx|js|jsx)$`)

func (expoAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) {
	return m.expo.get(func() ([]*Entry, error) {
		if !m.dependsOn("expo-router") {
			return nil, nil
		}
		return m.scanEntries(ctx, expoAPIRe.MatchString, m.expoFileEntries)
	})
}

func (a expoAdapter) EntriesOf(ctx context.Context, m *Model, p string) ([]*Entry, error) {
	if !expoAPIRe.MatchString(p) {
		return nil, nil
	}
	es, err := a.Entries(ctx, m)
	return entriesIn(es, p), err
}

// expoRoutePath is the URL path of an API route file's path inside app/.
func expoRoutePath(rel string) string {
	var segs []string
	for _, s := range strings.Split(rel, "/") {
		if s == "" || strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
			continue
		}
		segs = append(segs, s)
	}
	if n := len(segs); n > 0 && segs[n-1] == "index" {
		segs = segs[:n-1]
	}
	return path.Clean("/" + strings.Join(segs, "/"))
}

func (m *Model) expoFileEntries(ctx context.Context, p string) ([]*Entry, error) {
	route := expoRoutePath(expoAPIRe.FindStringSubmatch(p)[1])
	f, err := m.parse(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []*Entry
	for _, ex := range f.Exports() {
		if _, ok := knowledge.HTTPMethod(ex.Name); !ok {
			continue
		}
		e := &Entry{Framework: knowledge.Expo, Kind: ExpoAPIRoute, Methods: []string{ex.Name}, Path: route, PathKnown: true,
			File: p, Line: ex.Stmt.Line, EndLine: ex.Stmt.EndLine, Name: ex.Name, Params: []ParamRole{ParamRequest}}
		fn, fnFile, wrappers, why := m.unwrapHandler(ctx, f, ex.Value)
		e.Fn, e.FnFile, e.Wrappers, e.Unresolved = fn, fnFile, wrappers, why
		if fn != nil {
			e.Handler = Location{File: fnFile.Path, Line: fn.Line}
		}
		out = append(out, e)
	}
	return out, nil
}
