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
// [param] is a dynamic segment (its values are the handler's second
// argument, `GET(request, { param })`) and index names the directory. The rest of
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
			File: p, Line: ex.Stmt.Line, EndLine: ex.Stmt.EndLine, Name: ex.Name, Params: []ParamRole{ParamRequest, ParamRouteParams}}
		fn, fnFile, wrappers, why := m.unwrapHandler(ctx, f, ex.Value)
		e.Fn, e.FnFile, e.Wrappers, e.Unresolved = fn, fnFile, wrappers, why
		if fn != nil {
			e.Handler = Location{File: fnFile.Path, Line: fn.Line}
		}
		out = append(out, e)
	}
	return out, nil
}

// ClientCode reports whether the module at p runs on the user's device
// rather than a server: the app code of an Expo / React Native package
// (https://docs.expo.dev/router/reference/api-routes/: only +api files
// run on the server). Its screens under app/ and its .tsx/.jsx modules
// are client code; +api routes, configuration files and the Convex
// and Supabase functions a repository keeps beside its app are not. why
// names the boundary for a message ("Expo app code").
func (m *Model) ClientCode(p string) (why string, ok bool) {
	pk := m.proj.PackageFor(p)
	if pk == nil {
		return "", false
	}
	_, expo := pk.Deps["expo"]
	_, rn := pk.Deps["react-native"]
	if !expo && !rn {
		return "", false
	}
	rel := p
	if pk.Dir != "" {
		rel = strings.TrimPrefix(p, pk.Dir+"/")
	}
	base := path.Base(rel)
	switch {
	case expoAPIRe.MatchString(p), strings.Contains(base, ".config."), edgeFileRe.MatchString(p),
		strings.Contains("/"+rel, "/supabase/functions/"), strings.Contains("/"+rel, "/node_modules/"):
		return "", false
	}
	if _, ok := convexModule(p); ok {
		return "", false
	}
	ext := path.Ext(base)
	if strings.HasPrefix(rel, "app/") || strings.HasPrefix(rel, "src/app/") || ext == ".tsx" || ext == ".jsx" {
		return "Expo app code", true
	}
	return "", false
}
