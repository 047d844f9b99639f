package knowledge

import "testing"

// The tests of the facts moved out of the rule packs (issue 11's rule-private
// facts audit: routes and hardening rows).

func TestIdentitySourceNeedsMiddleware(t *testing.T) {
	for _, c := range []struct {
		path, name string
		want       bool
	}{
		{"@clerk/nextjs/server", "auth", true},
		{"@clerk/nextjs/server", "currentUser", true},
		{"@clerk/nextjs/server", "getAuth", true},
		{"@clerk/nextjs", "auth", true}, // Core 1 root export
		{"@clerk/nextjs/server", "clerkClient", false},
		{"@clerk/express", "getAuth", true},
		{"@clerk/tanstack-react-start/server", "auth", false},
	} {
		src, ok := IdentitySourceOf(c.path, c.name)
		if got := ok && src.NeedsMiddleware; got != c.want {
			t.Errorf("IdentitySourceOf(%q, %q).NeedsMiddleware = %v, want %v", c.path, c.name, got, c.want)
		}
	}
}

// citeMovedTables is TestTablesCiteSources for the tables that replaced
// the routes and hardening packs' private lists.
func citeMovedTables(t *testing.T, unique func(table, key string)) {
	t.Helper()
	for table, rows := range map[string][]struct{ Name, Source string }{
		"loggers": loggers, "logLevels": logLevels, "logFunctions": logFunctions, "webStorages": webStorages,
		"personRecords": personRecords,
	} {
		for _, r := range rows {
			unique(table, r.Name)
			if r.Source == "" || r.Name == "" {
				t.Errorf("%s %+v: incomplete entry", table, r)
			}
		}
	}
	for _, f := range profileFields {
		unique("profileFields", f.Of+" "+f.Name)
		if f.Source == "" || f.Name == "" || f.Of != ProfileUser && f.Of != ProfileOrganization && f.Of != ProfilePerson {
			t.Errorf("profileFields %+v: incomplete entry", f)
		}
	}
	for _, c := range debugOptionCalls {
		unique("debugOptionCalls", c.Name)
		if c.Source == "" || c.Name == "" {
			t.Errorf("debugOptionCalls %+v: incomplete entry", c)
		}
	}
}

func TestTakesDebugOption(t *testing.T) {
	for name, want := range map[string]bool{
		"clerkMiddleware": true, "authMiddleware": true, "clerkPlugin": true, "withClerkMiddleware": true,
		"createClerkClient": false, "requireAuth": false, "": false,
	} {
		if got := TakesDebugOption(name); got != want {
			t.Errorf("TakesDebugOption(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestLogCall(t *testing.T) {
	for callee, want := range map[string]bool{
		"console.log": true, "console.error": true, "logger.info": true, "request.log.info": true,
		"fastify.log.warn": true, "this.logger.debug": true, "appLogger.error": true, "Logger.log": true,
		"debug": true, "console.table": true,
		"logger.child": false, "log": false, "res.json": false, "audit.send": false, "catalog.info": false,
	} {
		if got := LogCall(callee); got != want {
			t.Errorf("LogCall(%q) = %v, want %v", callee, got, want)
		}
	}
}

func TestResponds(t *testing.T) {
	for callee, want := range map[string]bool{
		"res.json": true, "res.status().json": true, "reply.code().send": true, "NextResponse.json": true,
		"Response.json": true, "Response": true, "c.json": true, "c.text": true, "json": true, "data": true,
		"fail": true, "createError": true,
		"audit.send": false, "telemetry.json": false, "console.error": false, "String": false,
	} {
		if got := Responds(callee); got != want {
			t.Errorf("Responds(%q) = %v, want %v", callee, got, want)
		}
	}
	// RespondsOrLogs is Responds or a logger's method.
	for _, callee := range []string{"console.error", "request.log.warn", "res.send", "Logger.warn"} {
		if !RespondsOrLogs(callee) {
			t.Errorf("RespondsOrLogs(%q) = false", callee)
		}
	}
	if RespondsOrLogs("audit.send") {
		t.Error(`RespondsOrLogs("audit.send") = true`)
	}
}

func TestWebStorage(t *testing.T) {
	for recv, want := range map[string]bool{
		"localStorage": true, "window.localStorage": true, "sessionStorage": true, "globalThis.sessionStorage": true,
		"AsyncStorage": true, "SecureStore": false, "cache": false, "window.caches": false,
	} {
		if got := WebStorage(recv); got != want {
			t.Errorf("WebStorage(%q) = %v, want %v", recv, got, want)
		}
	}
}

func TestNotOnAuthObjectAndCallerName(t *testing.T) {
	for name, want := range map[string]bool{
		"user": true, "session": true, "isSignedIn": true, "isLoggedIn": true, "authenticated": true, "sub": true,
		"userId": false, "isAuthenticated": false, "has": false, "orgRole": false, "email": false,
	} {
		if got := NotOnAuthObject(name); got != want {
			t.Errorf("NotOnAuthObject(%q) = %v, want %v", name, got, want)
		}
	}
	var callers []string
	for _, f := range authFields {
		if f.CallerName {
			callers = append(callers, f.Name)
		}
	}
	if len(callers) != 2 || callers[0] != "userId" || callers[1] != "user" {
		t.Errorf("CallerName fields = %v, want [userId user]", callers)
	}
}

func TestProfileFields(t *testing.T) {
	for name, want := range map[string]bool{
		"firstName": true, "last_name": true, "username": true, "publicUserData": true,
		"publicMetadata": true, "unsafe_metadata": true, // the metadata table's, readable by the browser
		"privateMetadata": false, "private_metadata": false, "name": false, "id": false, "emailAddresses": false,
	} {
		if got := UserProfileField(name); got != want {
			t.Errorf("UserProfileField(%q) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]bool{"name": true, "slug": true, "firstName": false, "id": false} {
		if got := OrganizationProfileField(name); got != want {
			t.Errorf("OrganizationProfileField(%q) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]bool{"name": true, "displayName": true, "nickname": true, "slug": false, "title": false} {
		if got := PersonNameField(name); got != want {
			t.Errorf("PersonNameField(%q) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]bool{"user": true, "Author": true, "owner": true, "booking": false, "product": false} {
		if got := PersonRecord(name); got != want {
			t.Errorf("PersonRecord(%q) = %v, want %v", name, got, want)
		}
	}
}
