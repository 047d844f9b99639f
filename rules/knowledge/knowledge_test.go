package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
)

// TestTablesCiteSources: every entry of every table names its source and
// the keys it is looked up by are unique, so a lookup is never decided by
// table order by accident.
func TestTablesCiteSources(t *testing.T) {
	seen := map[string]bool{}
	unique := func(table, key string) {
		t.Helper()
		if seen[table+"\x00"+key] {
			t.Errorf("%s: duplicate key %q", table, key)
		}
		seen[table+"\x00"+key] = true
	}
	for _, f := range clerkEventFields {
		unique("clerkEventFields", f.Name)
		if f.Source == "" || f.Name == "" {
			t.Errorf("clerkEventFields %+v: incomplete entry", f)
		}
	}
	for _, e := range environmentImports {
		unique("environmentImports", e.Module+" "+e.Export)
		if e.Source == "" || e.Module == "" || e.Export == "" {
			t.Errorf("environmentImports %+v: incomplete entry", e)
		}
	}
	for _, p := range statementPreparers {
		unique("statementPreparers", p.Method)
		if p.Source == "" || p.Method == "" {
			t.Errorf("statementPreparers %+v: incomplete entry", p)
		}
	}
	for _, f := range reassignableUserFields {
		unique("reassignableUserFields", f.Name)
		if f.Source == "" || f.Name == "" {
			t.Errorf("reassignableUserFields %+v: incomplete entry", f)
		}
	}
	for _, l := range requestLoggers {
		unique("requestLoggers", l.Package+"."+l.Func)
		if l.Source == "" || l.Package == "" || l.Func == "" || l.What == "" {
			t.Errorf("requestLoggers %+v: incomplete entry", l)
		}
	}
	for _, r := range relationArgs {
		unique("relationArgs", r.ORM+"."+r.Key)
		if r.Source == "" || r.ORM == "" || r.Key == "" {
			t.Errorf("relationArgs %+v: incomplete entry", r)
		}
	}
	for _, o := range queryOperators {
		unique("queryOperators", fmt.Sprint(o.Role)+"."+o.Key)
		if o.Source == "" || o.Key == "" || o.Role == 0 {
			t.Errorf("queryOperators %+v: incomplete entry", o)
		}
	}
	for _, f := range textFilters {
		unique("textFilters", f.Key)
		if f.Source == "" || f.Key == "" {
			t.Errorf("textFilters %+v: incomplete entry", f)
		}
	}
	for _, p := range publicSettings {
		unique("publicSettings", p.Marker)
		if p.Source == "" || p.Marker == "" || p.What == "" {
			t.Errorf("publicSettings %+v: incomplete entry", p)
		}
	}
	for _, c := range buildConstants {
		unique("buildConstants", c.Expr)
		if c.Source == "" || c.Expr == "" || (c.Value != "true" && c.Value != "false") {
			t.Errorf("buildConstants %+v: incomplete entry", c)
		}
	}
	for _, c := range capabilityKeys {
		unique("capabilityKeys", c.Key)
		if c.Source == "" || c.Key == "" || c.Key != strings.ToLower(c.Key) {
			t.Errorf("capabilityKeys %+v: incomplete entry", c)
		}
	}
	for _, g := range renderGates {
		unique("renderGates", g.Export)
		if g.Source == "" || g.Export == "" {
			t.Errorf("renderGates %+v: incomplete entry", g)
		}
	}
	for _, c := range clientSDKs {
		unique("clientSDKs", c.Package)
		if c.Source == "" || !IsClerkPackage(c.Package) {
			t.Errorf("clientSDKs: %s: no source or not a Clerk package", c.Package)
		}
	}
	for _, m := range clerkModules {
		if m.Source == "" || m.Path == "" || len(m.Exports) == 0 || ClerkPackageOf(m.Path) != m.Package {
			t.Errorf("clerkModules %s: incomplete entry %+v", m.Path, m)
		}
		unique("clerkModules", fmt.Sprintf("%s %d-%d", m.Path, m.MinMajor, m.MaxMajor))
	}
	for _, j := range jobTriggers {
		if j.Source == "" || j.Module == "" || j.Call == "" || j.IDArg == j.PayloadArg {
			t.Errorf("jobTriggers %+v: incomplete entry", j)
		}
		unique("jobTriggers", j.Module+" "+j.Call)
	}
	for _, j := range jobTasks {
		if j.Source == "" || j.Module == "" || j.Factory == "" || j.IDOption == "" || j.RunOption == "" {
			t.Errorf("jobTasks %+v: incomplete entry", j)
		}
		unique("jobTasks", j.Module+" "+j.Factory)
	}
	for _, c := range convexRunCalls {
		if c.Source == "" || c.Name == "" || c.Module != "" && !c.Client {
			t.Errorf("convexRunCalls %+v: incomplete entry", c)
		}
		unique("convexRunCalls", c.Name)
	}
	for _, o := range convexCrudOps {
		unique("convexCrudOps", o.Name)
		if o.Source == "" || o.Name == "" {
			t.Errorf("convexCrudOps %+v: incomplete entry", o)
		}
	}
	for _, h := range hmacCalls {
		if h.Source == "" || h.Name == "" {
			t.Errorf("hmacCalls %+v: incomplete entry", h)
		}
		unique("hmacCalls", h.Receiver+"."+h.Name)
	}
	for _, h := range stateHooks {
		if h.Source == "" || h.Name == "" {
			t.Errorf("stateHooks %+v: incomplete entry", h)
		}
		unique("stateHooks", h.Name)
	}
	for _, m := range membershipLists {
		if m.Source == "" || (m.Call == "") == (m.Property == "") {
			t.Errorf("membershipLists %+v: incomplete entry", m)
		}
		unique("membershipLists", m.Call+" "+m.Property)
	}
	for _, m := range membershipSources {
		if m.Source == "" || (m.Call == "") == (m.Type == "") {
			t.Errorf("membershipSources %+v: incomplete entry", m)
		}
		unique("membershipSources", m.Call+m.Type)
	}
	for _, h := range hookFields {
		if h.Source == "" || h.Hook == "" || h.Field == "" || h.State == 0 {
			t.Errorf("hookFields %+v: incomplete entry", h)
		}
		unique("hookFields", h.Hook+"."+h.Field)
	}
	for k, src := range membershipRoleFields {
		if src == "" || k == "" {
			t.Errorf("membershipRoleFields %q: no source", k)
		}
	}
	citeMovedTables(t, unique)
	for _, d := range defaultMatchers {
		if d.Source == "" || d.Era == "" || len(d.Patterns) == 0 {
			t.Errorf("defaultMatchers %q: incomplete entry", d.Era)
		}
		unique("defaultMatchers", d.Era)
	}
	for _, m := range userMetadata {
		unique("userMetadata", m.Name)
		if m.Source == "" {
			t.Errorf("userMetadata %q: no source", m.Name)
		}
	}
	for k, src := range clientContextKeys {
		if src == "" || k == "" {
			t.Errorf("clientContextKeys %q: no source", k)
		}
	}
	if !APIRoute("/api/orders") || !APIRoute("/v1/x") || APIRoute("/dashboard/api") || APIRoute("/") {
		t.Error("APIRoute: the first segment decides")
	}
	for _, o := range expiryOptions {
		if v, ok := TokenCallOf(o.Package, o.Name); !v.Keyed() || o.Source == "" || o.Option == "" || !ok || o.Disables == (o.Unit != 0) {
			t.Errorf("expiryOptions %s.%s %s: incomplete entry or not a token verifier", o.Package, o.Name, o.Option)
		}
		unique("expiryOptions", o.Package+" "+o.Name+" "+o.Option)
	}
	for _, l := range accessPolicyLanguages {
		if l.Source == "" || l.FileExt == "" || l.Allow == "" || len(l.ReadOps) == 0 || len(l.SignedIn) == 0 {
			t.Errorf("accessPolicyLanguages %s: incomplete entry", l.Name)
		}
		unique("accessPolicyLanguages", l.FileExt)
	}
	for _, e := range environmentObjects {
		if e.Source == "" || e.Expr == "" || e.Runtime == "" {
			t.Errorf("environmentObjects %s: incomplete entry", e.Expr)
		}
		unique("environmentObjects", e.Expr)
	}
	for _, d := range rowSecurityDialects {
		if d.Source == "" || d.FileExt == "" || len(d.Identity) == 0 || len(d.SignedInRoles) == 0 || d.Schema == "" {
			t.Errorf("rowSecurityDialects %s: incomplete entry", d.Name)
		}
		unique("rowSecurityDialects", d.FileExt)
	}
	for _, tbl := range []map[string]string{planColumns, paidPlans, paymentProviders} {
		for k, src := range tbl {
			if src == "" || k == "" {
				t.Errorf("entitlements %q: no source", k)
			}
		}
	}
	for pkg, calls := range checkoutStarts {
		for c, src := range calls {
			if !strings.HasPrefix(src, "https://") || !PaymentProvider(pkg) || !CheckoutStart(pkg, c) {
				t.Errorf("checkoutStarts %s %s: no source, or not a payment provider", pkg, c)
			}
		}
	}
	for m, src := range filterCallbacks {
		if src == "" || !FilterCallback(m) {
			t.Errorf("filterCallbacks %s: no source", m)
		}
	}
	for _, s := range schemaFacts {
		if s.Source == "" || s.Package == "" || s.Export == "" || s.Role == 0 {
			t.Errorf("schemaFacts %s.%s: incomplete entry", s.Package, s.Export)
		}
		unique("schemaFacts", s.Package+" "+s.Export)
	}
	for _, v := range idValidators {
		if v.Source == "" || v.Module == "" || v.Builder == "" || v.Method == "" {
			t.Errorf("idValidators %s.%s: incomplete entry", v.Module, v.Builder)
		}
		unique("idValidators", v.Module+" "+v.Builder)
	}
	for _, h := range htmlSanitizers {
		if h.Source == "" || len(h.Names) == 0 {
			t.Errorf("htmlSanitizers %s: incomplete entry", h.Module)
		}
		unique("htmlSanitizers", h.Module)
	}
	for _, h := range htmlSinks {
		if h.Source == "" || h.Name == "" || h.Kind == SinkTemplate && (h.Open == "" || h.Close == "" || h.Lang == "") || h.Kind == SinkAttribute && h.Key == "" {
			t.Errorf("htmlSinks %s: incomplete entry", h.Name)
		}
		unique("htmlSinks", h.Name+" "+h.Receiver+" "+h.Open)
	}
	for _, s := range senders {
		if s.Kind == SendsMail && s.Library != "twilio" && s.Library != "aws-ses" && len(s.HTML) == 0 {
			t.Errorf("senders %s: a mail library without its HTML option", s.Library)
		}
	}
	for _, s := range settingsModules {
		if s.Source == "" || s.Module == "" {
			t.Errorf("settingsModules %+v: incomplete entry", s)
		}
		unique("settingsModules", s.Module)
	}
	for _, h := range identityHeaders {
		if h.Source == "" || h.Name != strings.ToLower(h.Name) {
			t.Errorf("identityHeaders %q: no source or not lower case", h.Name)
		}
		unique("identityHeaders", h.Name)
	}
	for _, c := range actionClients {
		if c.Source == "" || c.Package == "" || c.Constructor == "" || c.Ctx == "" || len(c.Middleware) == 0 || len(c.Terminal) == 0 || len(c.Inputs) == 0 {
			t.Errorf("actionClients %s.%s: incomplete entry", c.Package, c.Constructor)
		}
		unique("actionClients", c.Package+" "+c.Constructor)
	}
	for _, h := range libraryHandlers {
		if h.Source == "" || h.Package == "" || h.Export == "" || h.Does == "" || (h.GuardOption == "") == (h.GuardIn == "") {
			t.Errorf("libraryHandlers %s.%s: incomplete entry", h.Package, h.Export)
		}
		unique("libraryHandlers", h.Package+" "+h.Export)
		for _, k := range h.AllowHooks {
			if k.Source == "" || k.Method == "" || k.Allows == "" || h.RouterOption == "" {
				t.Errorf("libraryHandlers %s.%s: hook %q incomplete", h.Package, h.Export, k.Method)
			}
		}
	}
	for _, r := range backendRoutes {
		if r.Call.Source == "" || r.Method == "" || !strings.HasPrefix(r.Path, "/v1/") {
			t.Errorf("backendRoutes %s %s: incomplete entry", r.Method, r.Path)
		}
		unique("backendRoutes", r.Method+" "+r.Path)
	}
	for _, r := range reverificationCalls {
		if _, ok := BackendCallOf(r.Resource, r.Method); r.Source == "" || !ok {
			t.Errorf("reverificationCalls %s.%s: no source or not a Backend API call", r.Resource, r.Method)
		}
		unique("reverificationCalls", r.Resource+"."+r.Method)
	}
	// cited checks an entry of a table keyed by one name.
	cited := func(table, key, source string, lower bool) {
		t.Helper()
		if source == "" || key == "" || lower && key != strings.ToLower(key) {
			t.Errorf("%s %q: no source, no name, or not normalised", table, key)
		}
		unique(table, key)
	}
	for _, c := range credentialRecords {
		cited("credentialRecords", c.Name, c.Source, true)
	}
	for _, c := range verifyOptionsCalls {
		cited("verifyOptionsCalls", c.Name, c.Source, false)
	}
	for _, m := range machineTokenTypes {
		cited("machineTokenTypes", m.Type, m.Source, true)
	}
	for _, q := range queryForms {
		set := 0
		for _, k := range []string{q.Property, q.Method, q.Call, q.Location} {
			if k != "" {
				set++
			}
		}
		if set != 1 {
			t.Errorf("queryForms %+v: not exactly one form", q)
		}
		cited("queryForms", q.Receiver+"."+q.Property+q.Method+q.Call+q.Location, q.Source, false)
	}
	for _, s := range signInSettings {
		cited("signInSettings", s.Name, s.Source, false)
	}
	for _, h := range requestHeaderForms {
		if (h.Call == "") == (h.Property == "") || (h.Call != "") != (h.Module != "") {
			t.Errorf("requestHeaderForms %+v: not one form", h)
		}
		cited("requestHeaderForms", h.Module+h.Call+" "+h.Receiver+"."+h.Property, h.Source, false)
	}
	for _, b := range bodyMembers {
		cited("bodyMembers", fmt.Sprint(b.Name, " ", b.Method), b.Source, false)
	}
	for _, w := range linkActionWords {
		cited("linkActionWords", w.Word, w.Source, true)
	}
	for k, src := range authzKeys {
		cited("authzKeys", strings.ReplaceAll(k, "_", ""), src, true)
	}
	for k, src := range authzValues {
		cited("authzValues", k, src, true)
	}
	for _, w := range authFlowWords {
		cited("authFlowWords", w.Word, w.Source, true)
	}
	for _, o := range sensitiveOperations {
		cited("sensitiveOperations", o.Word, o.Source, true)
	}
	for _, s := range passwordSignIns {
		if s.Source == "" || s.Provider == "" || s.Unknown == "" || s.Wrong == "" || (s.Export == "" && s.Endpoint == "") {
			t.Errorf("passwordSignIns %s: incomplete entry", s.Provider)
		}
		unique("passwordSignIns", s.Package+" "+s.Export+" "+s.Endpoint)
	}
	for _, f := range userContactFields {
		if f.Source == "" || f.Name == "" {
			t.Errorf("userContactFields %q: no source", f.Name)
		}
		unique("userContactFields", f.Name)
	}
	for _, c := range clientSerialized {
		if c.Source == "" || c.Package == "" || c.Name == "" {
			t.Errorf("clientSerialized %s: incomplete entry", c.Form)
		}
		unique("clientSerialized", c.Package+" "+c.Name)
	}
	for _, api := range dataRESTAPIs {
		if api.Source == "" || api.Path == "" || api.KeyHeader == "" || len(api.Methods) == 0 {
			t.Errorf("dataRESTAPIs %s: incomplete entry", api.Library)
		}
		if _, ok := dataLibraryNamed(api.Library); !ok {
			t.Errorf("dataRESTAPIs %s: not a data library", api.Library)
		}
		unique("dataRESTAPIs", api.Library+" "+api.Path)
	}
	for _, f := range dataClientFactories {
		if _, ok := DataLibraryOf(f.Package); f.Source == "" || f.Name == "" || !ok || f.KeyArg < 0 || f.OptionsArg <= f.KeyArg {
			t.Errorf("dataClientFactories %s.%s: incomplete entry", f.Package, f.Name)
		}
		unique("dataClientFactories", f.Package+" "+f.Name)
	}
	for _, c := range serverOnly {
		if c.Source == "" || c.Why == "" || (c.Import == "") == (c.Suffix == "") {
			t.Errorf("serverOnly %s%s: incomplete entry", c.Import, c.Suffix)
		}
	}
	for p, want := range map[string]bool{"app/db.server.ts": true, "app/.server/db.ts": true, "app/lib/server.ts": false, "app/serverless.ts": false} {
		if _, got := ServerOnlyPath(p); got != want {
			t.Errorf("ServerOnlyPath(%s) = %v, want %v", p, got, want)
		}
	}
	for _, c := range columnFilters {
		if _, ok := knowledgeLibraryNamed(c.Library); c.Source == "" || c.Method == "" || !ok {
			t.Errorf("columnFilters %s.%s: incomplete entry", c.Library, c.Method)
		}
		unique("columnFilters", c.Library+" "+c.Method)
	}
	for _, o := range tokenSetters {
		if o.Source == "" || o.Path == "" || len(TokenSettersOf(o.Library)) == 0 {
			t.Errorf("tokenSetters %s %s: incomplete entry", o.Library, o.Path)
		}
		unique("tokenSetters", o.Library+" "+o.Path)
	}
	for _, o := range optionSets {
		if o.Source == "" || !IsClerkPackage(o.Package) || len(o.Options) == 0 {
			t.Errorf("optionSets %s.%s: incomplete entry", o.Package, o.Name)
		}
		unique("optionSets", o.Package+" "+o.Name)
	}
	for _, o := range tokenOptions {
		if o.Source == "" || o.Path == "" || len(TokenOptionsOf(o.Library)) == 0 {
			t.Errorf("tokenOptions %s %s: incomplete entry", o.Library, o.Path)
		}
		unique("tokenOptions", o.Library+" "+o.Path)
	}
	for _, m := range middlewares {
		if m.Source == "" || m.Gate == 0 || !IsClerkPackage(m.Package) {
			t.Errorf("middlewares %s/%s: incomplete entry", m.Package, m.Name)
		}
		unique("middlewares", m.Package+" "+m.Name)
	}
	for _, s := range identitySources {
		if s.Source == "" || s.Name == "" || s.Returns == 0 || s.Kind == 0 || s.Framework == "" {
			t.Errorf("identitySources %s: incomplete entry", s.Form)
		}
		unique("identitySources", s.Package+" "+s.Name+" "+s.Receiver)
	}
	for _, c := range tokenCalls {
		if c.Source == "" || c.Package == "" || c.Name == "" || c.Use == 0 || c.KeyArg < -1 ||
			c.Use == Decodes && c.Keyed() || c.KeyOption != "" && !c.Keyed() {
			t.Errorf("tokenCalls %s/%s: incomplete entry", c.Package, c.Name)
		}
		unique("tokenCalls", c.Package+" "+c.Name)
	}
	for _, e := range exits {
		if e.Source == "" || e.Name == "" || e.StatusArg < -1 {
			t.Errorf("exits %s: incomplete entry", e.Name)
		}
		unique("exits", fmt.Sprintf("%s %s %s %v", e.Framework, e.Module, e.Name, e.Receivers))
	}
	for _, c := range publicConfig {
		if c.Source == "" || c.Key == "" || c.File == "" || c.Why == "" {
			t.Errorf("publicConfig %s: incomplete entry", c.Key)
		}
		unique("publicConfig", c.File+" "+c.Key)
	}
	for _, r := range requestReaders {
		if r.Source == "" || r.Name == "" || r.Part == "" || r.Framework == "" {
			t.Errorf("requestReaders %s: incomplete entry", r.Name)
		}
		unique("requestReaders", string(r.Framework)+" "+r.Name)
	}
	for _, lib := range dataAPIs {
		if lib.Source == "" || len(lib.Calls) == 0 || lib.Name == "" {
			t.Errorf("dataAPIs %s: incomplete entry", lib.Name)
		}
		unique("dataAPIs", lib.Name)
		for _, m := range lib.Modules {
			unique("dataAPIs.module", m)
		}
	}
	for _, lib := range goDataAPIs {
		if lib.Source == "" || len(lib.Calls) == 0 || len(lib.Types) == 0 || (len(lib.Packages) == 0) == (lib.Generator == "") {
			t.Errorf("goDataAPIs %s: incomplete entry", lib.Name)
		}
		unique("goDataAPIs", lib.Name)
	}
	for _, c := range backendCalls {
		if c.Source == "" || c.Privilege == 0 {
			t.Errorf("backendCalls %s.%s: incomplete entry", c.Resource, c.Method)
		}
		unique("backendCalls", c.Resource+"."+c.Method)
	}
	for _, s := range senders {
		if s.Source == "" || s.Kind == 0 || len(s.Calls) == 0 {
			t.Errorf("senders %s: incomplete entry", s.Library)
		}
	}
	for _, p := range paidServices {
		if p.Source == "" || len(p.Calls) == 0 || len(p.Modules) == 0 {
			t.Errorf("paidServices %s: incomplete entry", p.Library)
		}
		unique("paidServices", p.Library)
	}
	for _, c := range goPaidClients {
		if c.Source == "" || len(c.Calls) == 0 || len(c.Types) == 0 || len(c.Packages) == 0 {
			t.Errorf("goPaidClients %s: incomplete entry", c.Library)
		}
		unique("goPaidClients", c.Library)
	}
	for _, c := range credentialFormats {
		if c.Source == "" || c.Vendor == "" || c.Kind == "" || c.Prefix == "" || c.MinBody <= 42 {
			t.Errorf("credentialFormats %s: incomplete entry (a body of 42 or less is Clerk's shape)", c.Prefix)
		}
		unique("credentialFormats", c.Prefix)
	}
	for _, d := range deployConfigs {
		if d.Source == "" || d.Host == "" || d.File != strings.ToLower(d.File) {
			t.Errorf("deployConfigs %s: incomplete entry", d.File)
		}
		unique("deployConfigs", d.File)
	}
	for _, a := range advisories {
		if a.Source == "" || a.ID == "" || a.Expose == 0 || len(a.Ranges) == 0 {
			t.Errorf("advisories %s: incomplete entry", a.ID)
		}
		unique("advisories", a.ID)
	}
	for _, r := range nodeBodyReaders {
		if r.Module == "" || r.Name == "" || r.Source == "" {
			t.Errorf("nodeBodyReaders %s: incomplete entry", r.Name)
		}
		unique("nodeBodyReaders", r.Module+" "+r.Name)
	}
	for _, p := range plainMiddleware {
		if p.Source == "" || p.Package == "" || p.Does == "" {
			t.Errorf("plainMiddleware %s: incomplete entry", p.Package)
		}
		unique("plainMiddleware", p.Package)
	}
	for _, p := range bodyParsers {
		if p.Source == "" || p.Module == "" || p.Name == "" || p.Parse == "" {
			t.Errorf("bodyParsers %s.%s: incomplete entry", p.Module, p.Name)
		}
		unique("bodyParsers", p.Module+" "+p.Name)
	}
	for _, d := range goBodyDecoders {
		if d.Source == "" || d.Package == "" || d.Name == "" {
			t.Errorf("goBodyDecoders %s.%s: incomplete entry", d.Package, d.Name)
		}
		unique("goBodyDecoders", d.Package+" "+d.Name)
	}
	for _, v := range verifiers {
		if v.Source == "" || v.Name == "" || v.Provider == "" || len(v.Modules) == 0 {
			t.Errorf("verifiers %s: incomplete entry", v.Provider)
		}
		unique("verifiers", v.Provider+" "+v.Receiver+"."+v.Name+" "+strings.Join(v.Modules, ","))
	}
	for _, c := range corsMiddlewares {
		if c.Source == "" || c.Package == "" || c.Export == "" || c.Origin == "" || c.Credentials == "" {
			t.Errorf("corsMiddlewares %s: incomplete entry", c.Package)
		}
		unique("corsMiddlewares", c.Package+" "+c.Export)
	}
	for _, c := range goCORSMiddlewares {
		if c.Source == "" || c.Package == "" || c.Constructor == "" || c.Origins == "" || c.Credentials == "" || len(c.OriginFuncs) == 0 {
			t.Errorf("goCORSMiddlewares %s: incomplete entry", c.Package)
		}
		unique("goCORSMiddlewares", c.Package)
	}
	for _, e := range captchaEras {
		if e.Source == "" || !IsClerkPackage(e.Package) || (e.DialogFrom > 0 && e.DialogFrom <= e.MountFrom) {
			t.Errorf("captchaEras %s: incomplete entry", e.Package)
		}
		unique("captchaEras", e.Package)
	}
	for _, s := range redirectSinks {
		kinds := 0
		for _, set := range []bool{s.Call != "", s.Assign != "", s.Object != ""} {
			if set {
				kinds++
			}
		}
		if s.Source == "" || kinds != 1 || (s.Arg < 0) == (s.Call != "" && s.Property == "") {
			t.Errorf("redirectSinks %+v: incomplete entry", s)
		}
		unique("redirectSinks", s.Call+s.Assign+s.Object+" "+s.Property)
	}
	for _, c := range redirectChecks {
		if c.Source == "" || c.Kind == 0 || (c.Kind == RelativePath) == (len(c.Rejects) == 0) || (c.Kind != RelativePath) == (len(c.Members) == 0) {
			t.Errorf("redirectChecks %+v: incomplete entry", c)
		}
	}
}

// TestSignUpChallengeOf: the SDK eras of Clerk's sign-up challenge.
func TestSignUpChallengeOf(t *testing.T) {
	for _, c := range []struct {
		spec  string
		major uint64
		known bool
		want  SignUpChallenge
	}{
		{"@clerk/nextjs", 7, true, ChallengeDialog},
		{"@clerk/nextjs/legacy", 7, true, ChallengeMountPoint},
		{"@clerk/nextjs", 6, true, ChallengeMountPoint},
		{"@clerk/nextjs", 3, true, ChallengeNone},
		{"@clerk/nextjs", 0, false, ChallengeDialog},
		{"@clerk/react", 6, true, ChallengeDialog},
		{"@clerk/clerk-react", 5, true, ChallengeMountPoint},
		{"@clerk/react-router", 2, true, ChallengeMountPoint},
		{"@clerk/react-router", 3, true, ChallengeDialog},
		{"@clerk/tanstack-react-start", 1, true, ChallengeDialog},
		{"@clerk/vue", 1, true, ChallengeMountPoint},
		{"@clerk/clerk-js", 0, false, ChallengeMountPoint},
		{"react", 19, true, ChallengeUnknown},
	} {
		if got := SignUpChallengeOf(c.spec, c.major, c.known); got != c.want {
			t.Errorf("SignUpChallengeOf(%s, %d, %v) = %d, want %d", c.spec, c.major, c.known, got, c.want)
		}
	}
}

func TestMethods(t *testing.T) {
	tests := []struct {
		name   string
		router bool
		want   string
		safe   bool
	}{
		{"GET", false, "GET", true},
		{"POST", false, "POST", false},
		{"ALL", false, "ALL", false},
		{"get", false, "", false}, // exports are upper case
		{"get", true, "GET", true},
		{"del", true, "DELETE", false},
		{"all", true, "ALL", false},
		{"Get", true, "", false},
		{"use", true, "", false},
		{"TRACE", false, "", false},
	}
	for _, tt := range tests {
		lookup := HTTPMethod
		if tt.router {
			lookup = RouterMethod
		}
		m, ok := lookup(tt.name)
		if ok != (tt.want != "") || m.Name != tt.want || m.Safe != tt.safe {
			t.Errorf("lookup(%q, router=%v) = %+v, %v; want %q safe=%v", tt.name, tt.router, m, ok, tt.want, tt.safe)
		}
	}
	if got := len(Methods()); got != 8 {
		t.Errorf("Methods() has %d entries; want 8", got)
	}
}

func TestClerkModules(t *testing.T) {
	tests := []struct {
		path   string
		major  int
		export string
		want   bool
	}{
		{"@clerk/nextjs", 4, "auth", true},  // Core 1: from the root
		{"@clerk/nextjs", 5, "auth", false}, // Core 2 moved it to /server
		{"@clerk/nextjs/server", 6, "auth", true},
		{"@clerk/nextjs/server", 6, "clerkMiddleware", true},
		{"@clerk/nextjs/server", 4, "clerkMiddleware", false},
		{"@clerk/nextjs/server", 4, "authMiddleware", true},
		{"@clerk/nextjs/server", 7, "authMiddleware", false},
		{"@clerk/nextjs/webhooks", 6, "verifyWebhook", true},
		{"@clerk/express", 1, "requireAuth", true},
		{"@clerk/fastify", 0, "clerkPlugin", true},
		{"@clerk/remix/ssr.server", 0, "rootAuthLoader", true},
		{"@clerk/react-router/ssr.server", 0, "getAuth", true},
		{"@clerk/react-router/server", 0, "clerkMiddleware", true},
		{"@clerk/react-router/ssr.server", 0, "clerkMiddleware", false},
		{"@clerk/tanstack-react-start/server", 0, "auth", true},
		{"@clerk/astro/server", 3, "createRouteMatcher", true},
		{"@clerk/astro/server", 4, "createRouteMatcher", false},
		{"@clerk/nuxt/server", 2, "getAuth", true},
		{"@clerk/nuxt/server", 3, "getAuth", false},
		{"svelte-clerk/server", 0, "withClerkHandler", true},
		{"@hono/clerk-auth", 0, "getAuth", true},
		{"github.com/clerk/clerk-sdk-go/v2/http", 2, "RequireHeaderAuthorization", true},
		{"github.com/clerk/clerk-sdk-go/clerk", 1, "WithSessionV2", true},
		{"@clerk/clerk-react", 0, "auth", false},
	}
	for _, tt := range tests {
		if got := ClerkExport(tt.path, tt.export, tt.major); got != tt.want {
			t.Errorf("ClerkExport(%s, %s, v%d) = %v; want %v", tt.path, tt.export, tt.major, got, tt.want)
		}
	}
	m, ok := ClerkModuleOf("@clerk/astro/server", 0)
	if !ok || m.MinMajor != 4 {
		t.Errorf("ClerkModuleOf(@clerk/astro/server, unknown) = %+v; want the newest entry", m)
	}
	if m, ok := ClerkModuleOf("@clerk/clerk-sdk-node", 5); !ok || m.Deprecated == "" {
		t.Errorf("@clerk/clerk-sdk-node not marked deprecated: %+v", m)
	}
	m.Exports[0] = "mutated"
	if again, _ := ClerkModuleOf("@clerk/clerk-sdk-node", 5); again.Exports[0] == "mutated" {
		t.Error("ClerkModuleOf returns the table's own slice")
	}
	for spec, want := range map[string]bool{
		"@clerk/nextjs": true, "@clerk/nextjs/server": true, "@hono/clerk-auth": true, "svelte-clerk/server": true,
		"github.com/clerk/clerk-sdk-go/v2/user": true, "@clerk/nextjsx": false, "clerk": false, "@clerkx/nextjs": false,
		"svelte-clerk-x": false,
	} {
		if got := IsClerkPackage(spec); got != want {
			t.Errorf("IsClerkPackage(%q) = %v; want %v", spec, got, want)
		}
	}
}

func TestMiddlewareGates(t *testing.T) {
	tests := []struct {
		pkg, name string
		want      Gate
	}{
		{"@clerk/nextjs/server", "clerkMiddleware", Attaches},
		{"@clerk/nextjs", "authMiddleware", RejectsByDefault},
		{"@clerk/nextjs/server", "auth.protect", Rejects},
		{"@clerk/express", "clerkMiddleware", Attaches},
		{"@clerk/express", "requireAuth", Redirects},
		{"@clerk/clerk-sdk-node", "ClerkExpressWithAuth", Attaches},
		{"@clerk/clerk-sdk-node", "ClerkExpressRequireAuth", Rejects},
		{"@clerk/fastify", "clerkPlugin", Attaches},
		{"@hono/clerk-auth", "clerkMiddleware", Attaches},
		{"svelte-clerk/server", "withClerkHandler", Attaches},
		{"github.com/clerk/clerk-sdk-go/v2/http", "WithHeaderAuthorization", Attaches},
		{"github.com/clerk/clerk-sdk-go/v2/http", "RequireHeaderAuthorization", Rejects},
		{"github.com/clerk/clerk-sdk-go/clerk", "RequireSessionV2", Rejects},
		{"@clerk/express", "ClerkExpressRequireAuth", 0}, // wrong package
		{"express", "clerkMiddleware", 0},
	}
	for _, tt := range tests {
		m, ok := MiddlewareOf(tt.pkg, tt.name)
		if ok != (tt.want != 0) || m.Gate != tt.want {
			t.Errorf("MiddlewareOf(%s, %s) = %v, %v; want %v", tt.pkg, tt.name, m.Gate, ok, tt.want)
		}
	}
	if n := len(MiddlewareNamed("clerkMiddleware")); n < 7 {
		t.Errorf("MiddlewareNamed(clerkMiddleware) = %d entries; want one per framework", n)
	}
}

func TestIdentitySources(t *testing.T) {
	tests := []struct {
		pkg, name string
		want      Returns
		async     int
	}{
		{"@clerk/nextjs/server", "auth", AuthObject, 6},
		{"@clerk/nextjs/server", "currentUser", BackendUser, -1},
		{"@clerk/express", "getAuth", AuthObject, 0},
		{"@clerk/clerk-sdk-node", "auth", AuthObject, 0},
		{"@hono/clerk-auth", "clerkAuth", AuthObject, 0},
		{"@clerk/astro/server", "auth", AuthObject, 0},
		{"@clerk/nuxt/server", "auth", AuthObject, 0},
		{"", "getUserIdentity", ConvexIdentity, -1},
		{"github.com/clerk/clerk-sdk-go/v2", "SessionClaimsFromContext", SessionClaims, 0},
		{"@clerk/nextjs/server", "getUserIdentity", 0, 0},
	}
	for _, tt := range tests {
		s, ok := IdentitySourceOf(tt.pkg, tt.name)
		if ok != (tt.want != 0) || s.Returns != tt.want || s.AsyncFrom != tt.async {
			t.Errorf("IdentitySourceOf(%q, %s) = %+v, %v; want %v async %d", tt.pkg, tt.name, s, ok, tt.want, tt.async)
		}
	}
	if n := len(IdentitySources(Nuxt)); n != 2 {
		t.Errorf("IdentitySources(Nuxt) = %d; want event.context.auth() and the removed getAuth(event)", n)
	}
	for name, want := range map[string][2]bool{ // {identity, on the Auth object}
		"userId": {true, true}, "isAuthenticated": {true, true}, "orgRole": {true, true}, "isSignedIn": {true, false},
		"getToken": {false, true}, "user": {false, false}, "sub": {true, false},
	} {
		f, ok := AuthFieldOf(name)
		if !ok || f.Identity != want[0] || f.OnAuthObject != want[1] {
			t.Errorf("AuthFieldOf(%s) = %+v, %v; want identity=%v onAuthObject=%v", name, f, ok, want[0], want[1])
		}
	}
	if f, _ := AuthFieldOf("has"); !f.Authz {
		t.Error("has() is not marked as an authorization decision")
	}
}

func TestExits(t *testing.T) {
	tests := []struct {
		callee string
		want   []string // framework/statusArg of each match
	}{
		{"res.status", []string{"express/0"}},
		{"response.sendStatus", []string{"express/0"}},
		{"reply.code", []string{"fastify/0"}},
		{"c.json", []string{"hono/1"}},
		{"NextResponse.json", []string{"nextjs/1"}},
		{"ctx.throw", []string{"koa/0"}},
		{"http.Error", []string{"go/2"}},
		{"c.AbortWithStatus", []string{"gin/0"}},
		{"notFound", []string{"nextjs/-1", "tanstack-start/-1"}},
		{"error", []string{"sveltekit/0"}},
		{"auth().redirectToSignIn", []string{"nextjs/-1"}},
		{"redirectToSignIn", []string{"nextjs/-1"}},
		{"Response", []string{"js/1"}},
		{"createError", []string{"nuxt/0"}},
		{"items.status", nil},    // a receiver that is not a response
		{"router.redirect", nil}, // likewise
		{"iterator.next", nil},   // next(err) is a plain call
		{"user.save", nil},       // not an exit
		{"Astro.redirect", []string{"astro/1"}},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range ExitsNamed(tt.callee) {
			got = append(got, fmt.Sprintf("%s/%d", e.Framework, e.StatusArg))
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("ExitsNamed(%s) = %v; want %v", tt.callee, got, tt.want)
		}
	}
	if e, ok := ExitOf("next/navigation", "redirect"); !ok || !e.Throws || !e.Redirect {
		t.Errorf("ExitOf(next/navigation, redirect) = %+v, %v", e, ok)
	}
	if e, ok := ExitOf("@sveltejs/kit", "error"); !ok || !e.Throws || e.StatusArg != 0 {
		t.Errorf("ExitOf(@sveltejs/kit, error) = %+v, %v", e, ok)
	}
	for code, want := range map[int]bool{401: true, 403: true, 404: true, 400: false, 200: false, 302: false} {
		if DenyStatus(code) != want {
			t.Errorf("DenyStatus(%d) = %v", code, !want)
		}
	}
}

func TestDataCalls(t *testing.T) {
	tests := []struct {
		pkg, callee string
		want        Effect
	}{
		{"@prisma/client", "db.user.findMany", Read},
		{"@prisma/client", "prisma.post.delete", Write},
		{"@prisma/client", "$transaction", ReadWrite},
		{"drizzle-orm/node-postgres", "db.insert", Write},
		{"drizzle-orm", "db.query.users.findFirst", Read},
		{"mongoose", "User.findOneAndUpdate", Write},
		{"mongoose", "User.find", Read},
		{"mongoose", "Order.countDocuments", Read},
		{"mongodb", "collection.insertOne", Write},
		{"@supabase/supabase-js", "supabase.from('x').select", Read},
		{"@supabase/ssr", "upsert", Write},
		{"@supabase/supabase-js", "rpc", ReadWrite},
		{"firebase-admin/firestore", "doc.set", Write},
		{"firebase/firestore", "getDocs", Read},
		{"convex/server", "ctx.db.patch", Write},
		{"convex/server", "ctx.db.query", Read},
		{"kysely", "db.deleteFrom", Write},
		{"knex", "knex.raw", ReadWrite},
		{"pg", "pool.query", ReadWrite},
		{"mysql2/promise", "conn.execute", ReadWrite},
		{"postgres", "sql", ReadWrite},
		{"@vercel/postgres", "sql", ReadWrite},
		{"@neondatabase/serverless", "sql", ReadWrite},
		{"@upstash/redis", "redis.set", Write},
		{"ioredis", "redis.hgetall", Read},
		{"@vercel/kv", "kv.get", Read},
		{"sequelize", "User.destroy", Write},
		{"sequelize", "User.findOrCreate", ReadWrite}, // reads, or inserts when nothing matches
		{"typeorm", "repo.findOneBy", Read},
		{"react", "useState", 0},
		{"@prisma/client", "prisma.user.someHelper", 0},
		{"mongoose-lean", "find", 0},
	}
	for _, tt := range tests {
		e, ok := DataCall(tt.pkg, tt.callee)
		if ok != (tt.want != 0) || e != tt.want {
			t.Errorf("DataCall(%s, %s) = %v, %v; want %v", tt.pkg, tt.callee, e, ok, tt.want)
		}
	}
	// D1 is a runtime binding: looked up by method only.
	var d1 bool
	for _, u := range DataMethod("first") {
		d1 = d1 || u.Library == "d1" && u.Effect == Read
	}
	if !d1 {
		t.Error("DataMethod(first) does not include Cloudflare D1")
	}
	if uses := DataMethod("findOneAndUpdate"); len(uses) != 2 {
		t.Errorf("DataMethod(findOneAndUpdate) = %v; want mongoose and mongodb", uses)
	}
	for name, want := range map[string]bool{"prisma": true, "db": true, "ctx.db": true, "supabase": true, "repo": true,
		"user": false, "req": false} {
		if _, ok := DataRoot(name); ok != want {
			t.Errorf("DataRoot(%s) = %v; want %v", name, ok, want)
		}
	}
	if libs, _ := DataRoot("db"); !contains(libs, "") || !contains(libs, "prisma") {
		t.Errorf("DataRoot(db) = %v; want prisma among others and the generic layer", libs)
	}
	for name, want := range map[string]Effect{"getUser": Read, "deleteAccount": Write, "delete_post": Write,
		"syncCustomers": ReadWrite, "getter": 0, "settings": 0, "get": 0, "handleRequest": 0} {
		if e, ok := DataHelperName(name); e != want || ok != (want != 0) {
			t.Errorf("DataHelperName(%s) = %v, %v; want %v", name, e, ok, want)
		}
	}
	for _, tt := range []struct {
		pkg, callee string
		want        FilterStyle
	}{
		{"@prisma/client", "db.post.findMany", WhereProperty},
		{"@prisma/client", "db.post.create", NoFilter},
		{"mongoose", "Post.findOneAndUpdate", FilterArg},
		{"mongoose", "Post.countDocuments", FilterArg},
		{"mongoose", "Post.insertMany", NoFilter},
		{"drizzle-orm", "db.update", WhereChain},
		{"pg", "pool.query", NoFilter},
		{"convex/server", "ctx.db.patch", FilterArg},
	} {
		if got := FilterOf(tt.pkg, tt.callee); got != tt.want {
			t.Errorf("FilterOf(%s, %s) = %v; want %v", tt.pkg, tt.callee, got, tt.want)
		}
	}
	if !ReadWrite.Reads() || !ReadWrite.Writes() || Read.Writes() || Write.Reads() {
		t.Error("Effect bits")
	}
}

func TestBackendCalls(t *testing.T) {
	tests := []struct {
		callee string
		want   Privilege
	}{
		{"clerkClient.users.updateUserMetadata", Mutates},
		{"(await clerkClient()).users.deleteUser", Mutates},
		{"clerk.users.banUser", Mutates},
		{"clerkClient.users.getUser", ReadsUsers},
		{"clerkClient.users.getUserList", ReadsUsers},
		{"clerkClient.organizations.createOrganizationMembership", Mutates},
		{"clerkClient.organizations.revokeOrganizationInvitation", Revokes},
		{"clerkClient.invitations.createInvitation", Mutates},
		{"clerkClient.sessions.revokeSession", Revokes},
		{"clerkClient.sessions.getToken", Mints},
		{"clerkClient.signInTokens.createSignInToken", Mints},
		{"clerkClient.actorTokens.create", Mints},
		{"clerkClient.allowlistIdentifiers.createAllowlistIdentifier", Mutates},
		{"clerkClient.blocklistIdentifiers.deleteBlocklistIdentifier", Mutates}, // by verb
		{"clerkClient.organizations.updateOrganizationLogo", Mutates},           // by verb
		{"clerkClient.users.verifyPassword", 0},
		{"user.UpdateMetadata", Mutates},
		{"user.Ban", Mutates},
		{"organizationmembership.Delete", Mutates},
		{"session.Revoke", Revokes},
		{"cart.users.deleteUser", Mutates}, // any receiver: the resource decides
		{"db.users.delete", 0},
		{"prisma.users.deleteMany", 0},
		{"updateUser", 0},
	}
	for _, tt := range tests {
		c, ok := BackendCallIn(tt.callee)
		if ok != (tt.want != 0) || c.Privilege != tt.want {
			t.Errorf("BackendCallIn(%s) = %+v, %v; want %v", tt.callee, c, ok, tt.want)
		}
	}
	for raw, want := range map[string]string{
		"https://api.clerk.com/v1/users/user_123/metadata": "/v1/users/user_123/metadata",
		"https://API.CLERK.DEV/v1/users":                   "/v1/users",
		"https://api.clerk.com.evil.example/v1/users":      "",
		"/v1/users":                         "",
		"https://example.com/api.clerk.com": "",
	} {
		got, ok := ClerkAPIURL(raw)
		if got != want || ok != (want != "") {
			t.Errorf("ClerkAPIURL(%s) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	if !IsClerkSecretKeyEnv("CLERK_SECRET_KEY") || IsClerkSecretKeyEnv("NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY") {
		t.Error("IsClerkSecretKeyEnv")
	}
}

func TestSenders(t *testing.T) {
	tests := []struct {
		pkg, callee string
		want        SendKind
	}{
		{"resend", "resend.emails.send", SendsMail},
		{"nodemailer", "transporter.sendMail", SendsMail},
		{"@sendgrid/mail", "sgMail.send", SendsMail},
		{"stripe", "stripe.refunds.create", MovesMoney},
		{"stripe", "stripe.transfers.create", MovesMoney},
		{"stripe", "stripe.charges.create", MovesMoney},
		{"stripe", "stripe.customers.list", 0},
		{"stripe", "stripe.xrefunds.create", 0}, // segment boundary
		{"resend", "resend.domains.create", 0},
		{"@aws-sdk/client-ses", "SendEmailCommand", SendsMail},
	}
	for _, tt := range tests {
		s, ok := SendCall(tt.pkg, tt.callee)
		if ok != (tt.want != 0) || s.Kind != tt.want {
			t.Errorf("SendCall(%s, %s) = %v, %v; want %v", tt.pkg, tt.callee, s.Kind, ok, tt.want)
		}
	}
}

func TestVerifiers(t *testing.T) {
	tests := []struct {
		pkg, name, want string
	}{
		{"@clerk/nextjs/webhooks", "verifyWebhook", "clerk"},
		{"@clerk/express/webhooks", "verifyWebhook", "clerk"},
		{"@clerk/backend/webhooks", "verifyWebhook", "clerk"},
		{"svix", "verify", "svix"},
		{"standardwebhooks", "verify", "standard-webhooks"},
		{"stripe", "constructEvent", "stripe"},
		{"stripe", "constructEventAsync", "stripe"},
		{"@octokit/webhooks", "verify", "github"},
		{"@octokit/webhooks-methods", "verify", "github"},
		{"@clerk/nextjs/server", "verifyWebhook", ""}, // not the webhooks entry point
		{"svix", "sign", ""},
	}
	for _, tt := range tests {
		v, ok := VerifierOf(tt.pkg, tt.name)
		if ok != (tt.want != "") || v.Provider != tt.want {
			t.Errorf("VerifierOf(%s, %s) = %q, %v; want %q", tt.pkg, tt.name, v.Provider, ok, tt.want)
		}
	}
	for h, want := range map[string]string{"Svix-Signature": "svix", "stripe-signature": "stripe",
		"X-Hub-Signature-256": "github", "webhook-signature": "standard-webhooks", "authorization": ""} {
		p, ok := SignatureHeader(h)
		if p != want || ok != (want != "") {
			t.Errorf("SignatureHeader(%s) = %q; want %q", h, p, want)
		}
	}
	for s, want := range map[string]bool{"user.created": true, "organizationMembership.updated": true,
		"session.revoked": true, "user.logged": false, "checkout.session.completed": false, "user": false, "paymentAttempt.": false} {
		if IsClerkWebhookEvent(s) != want {
			t.Errorf("IsClerkWebhookEvent(%q) = %v", s, !want)
		}
	}
	for s, want := range map[string]bool{"WebhookEvent": true, "UserWebhookEvent": true, "OrganizationMembershipJSON": true,
		"UserJSON": true, "OrganizationJSON": true, "Stripe.Event": false, "OrganizationJSONX": false, "JSON": false} {
		if IsClerkWebhookType(s) != want {
			t.Errorf("IsClerkWebhookType(%q) = %v", s, !want)
		}
	}
	if !IsClerkPayloadField("email_addresses") || IsClerkPayloadField("email") {
		t.Error("IsClerkPayloadField")
	}
	if !IsClerkWebhookSecretEnv("CLERK_WEBHOOK_SIGNING_SECRET") || !IsClerkWebhookSecretEnv("WEBHOOK_SECRET") ||
		IsClerkWebhookSecretEnv("STRIPE_WEBHOOK_SECRET") {
		t.Error("IsClerkWebhookSecretEnv")
	}
	if n := len(VerifiersNamed("verify")); n < 4 {
		t.Errorf("VerifiersNamed(verify) = %d", n)
	}
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		path string
		want PublicReason
	}{
		{"/api/webhooks/clerk", Webhook},
		{"app/api/stripe-webhook/route.ts", Webhook},
		{"/api/health", Health},
		{"/healthz", Health},
		{"app/api/status/route.ts", Health},
		{"/health/live", Health},
		{"/api/v1/status/:userId", NotPublic}, // a user's status, not a probe
		{"app/api/status/[orderId]/route.ts", NotPublic},
		{"/api/status/orders", NotPublic},
		{"/sign-in/[[...sign-in]]", AuthPage},
		{"/robots.txt", Crawler},
		{"app/opengraph-image.tsx", Metadata},
		{"/blog/[slug]", Marketing},
		{"app/(marketing)/about/page.tsx", Marketing},
		{"/api/users/[id]", NotPublic},
		{"/api/[health]", NotPublic}, // a dynamic segment is not a name
		{"/dashboard", NotPublic},
	}
	for _, tt := range tests {
		got, ok := PublicRoute(tt.path)
		if got != tt.want || ok != (tt.want != NotPublic) {
			t.Errorf("PublicRoute(%s) = %v, %v; want %v", tt.path, got, ok, tt.want)
		}
	}
	for p, want := range map[string]bool{"/dashboard/settings": true, "/api/admin/users": true, "/(orgs)/x": true, "/blog": false} {
		if PrivateArea(p) != want {
			t.Errorf("PrivateArea(%s) = %v", p, !want)
		}
	}
	paths := []struct {
		path string
		want PathKind
	}{
		{"src/__tests__/route.ts", TestPath},
		{"app/api/x/route.test.ts", TestPath},
		{"scripts/backfill.ts", ScriptPath},
		{"prisma/seed.ts", ScriptPath},
		{"src/seed-users.ts", ScriptPath},
		{"examples/next/app/api/x/route.ts", ExamplePath},
		{"app/api/tests-results/route.ts", RequestPath},
		{"app/api/x/route.ts", RequestPath},
	}
	for _, tt := range paths {
		got, ok := NonRequestPath(tt.path)
		if got != tt.want || ok != (tt.want != RequestPath) {
			t.Errorf("NonRequestPath(%s) = %v, %v; want %v", tt.path, got, ok, tt.want)
		}
	}
}

func TestPaidCallAndIsCreate(t *testing.T) {
	if s, ok := PaidCall("openai", "openai.chat.completions.create"); !ok || s.Library != "openai" {
		t.Errorf("PaidCall(openai, chat.completions.create) = %+v, %v", s, ok)
	}
	if _, ok := PaidCall("openai", "openai.models.list"); ok {
		t.Error("models.list is not a paid call")
	}
	if _, ok := PaidCall("lodash", "chat.completions.create"); ok {
		t.Error("a call of another package is not a paid call")
	}
	if !IsCreate("db.post.create") || IsCreate("findMany") || !IsCreate("ctx.storage.store") || !IsCreate("ctx.storage.generateUploadUrl") || IsCreate("ctx.storage.delete") {
		t.Error("IsCreate")
	}
}

func TestTokenCallsAndFrameworkIdentity(t *testing.T) {
	for _, tt := range []struct {
		pkg, name string
		ok        bool
		use       TokenUse
		keyed     bool
	}{
		{"jose", "jwtVerify", true, Verifies, true},
		{"jose", "decodeJwt", true, Decodes, false},
		{"@clerk/backend/jwt", "decodeJwt", true, Decodes, false},
		{"@clerk/backend", "verifyToken", true, Verifies, false},
		{"jwt-decode", "jwtDecode", true, Decodes, false},
		{"jsonwebtoken", "sign", true, Signs, true},
		{"fast-jwt", "createVerifier", true, VerifierFactory, true},
		{"jose", "SignJWT", false, 0, false},
		{"josex", "decodeJwt", false, 0, false},
	} {
		c, ok := TokenCallOf(tt.pkg, tt.name)
		if ok != tt.ok || c.Use != tt.use || c.Keyed() != tt.keyed {
			t.Errorf("TokenCallOf(%q, %q) = %+v, %v; want ok %v use %v keyed %v", tt.pkg, tt.name, c, ok, tt.ok, tt.use, tt.keyed)
		}
	}
	for callee, want := range map[string]bool{"ctx.auth.getUserIdentity": true, "context.auth.getUserIdentity": true,
		"getUserIdentity": false, "ctx.getUserIdentity": false, "ctx.auth.getUser": false} {
		s, ok := IdentityCallOf(callee)
		if ok != want || ok && s.Returns != ConvexIdentity {
			t.Errorf("IdentityCallOf(%q) = %+v, %v; want %v", callee, s, ok, want)
		}
	}
	for name, want := range map[string]bool{"users": true, "Organizations": true, "posts": false, "": false} {
		if AccountTable(name) != want {
			t.Errorf("AccountTable(%q) = %v", name, !want)
		}
	}
}

func TestAdvisoriesFor(t *testing.T) {
	cases := []struct {
		pkg, v string
		want   []string
	}{
		{"@clerk/nextjs", "4.29.2", []string{"CVE-2024-22206"}},
		{"@clerk/nextjs", "4.29.3", nil},
		{"@clerk/nextjs", "6.39.1", []string{"GHSA-vqx2-fgx2-5wq9", "GHSA-w24r-5266-9c3c"}},
		{"@clerk/nextjs", "6.39.2", []string{"GHSA-w24r-5266-9c3c"}},
		{"@clerk/nextjs", "6.39.3", nil},
		{"@clerk/astro", "1.4.1", []string{"GHSA-vqx2-fgx2-5wq9"}},
		{"next", "15.2.2", []string{"CVE-2025-29927"}},
		{"next", "15.2.3", nil},
		{"next", "16.2.5", []string{"GHSA-26hh-7cqf-hhc6"}},
	}
	for _, c := range cases {
		var got []string
		for _, h := range AdvisoriesFor(c.pkg, semver.MustParse(c.v)) {
			got = append(got, h.ID)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("AdvisoriesFor(%s, %s) = %v, want %v", c.pkg, c.v, got, c.want)
		}
	}
}

func TestHasServerModule(t *testing.T) {
	for pkg, want := range map[string]bool{"@clerk/nextjs": true, "@clerk/express": true, "@clerk/backend": true,
		"@clerk/clerk-expo": false, "@clerk/clerk-react": false, "@clerk/vue": false} {
		if HasServerModule(pkg) != want {
			t.Errorf("HasServerModule(%q) = %v", pkg, !want)
		}
	}
}

func TestAffectedAuthzShape(t *testing.T) {
	cases := map[string]bool{
		"permission,reverification": true,
		"role,reverification":       true,
		"permission,feature":        true,
		"plan,role":                 true,
		"role,unauthorizedUrl":      true,
		"permission":                false,
		"reverification":            false,
		"feature,plan":              false,
		"unauthenticatedUrl":        false,
	}
	for keys, want := range cases {
		if got := AffectedAuthzShape(strings.Split(keys, ",")); got != want {
			t.Errorf("AffectedAuthzShape(%s) = %v, want %v", keys, got, want)
		}
	}
}

func TestProviderInName(t *testing.T) {
	for p, want := range map[string]string{
		"supabase/functions/paddle-webhook/index.ts": "paddle",
		"app/api/stripe/webhook/route.ts":            "stripe",
		"app/api/webhooks/clerk/route.ts":            "",
		"src/routes/api/svix.ts":                     "",
		"app/api/stripes-gallery/route.ts":           "",
		"LEMON_SQUEEZY_WEBHOOK_SECRET":               "lemonsqueezy",
		"app/api/upstash/qstash/route.ts":            "upstash-qstash",
		"PAYPAL_WEBHOOK_ID":                          "paypal",
		"CLERK_WEBHOOK_SIGNING_SECRET":               "",
	} {
		got, _ := ProviderInName(p)
		if got != want {
			t.Errorf("ProviderInName(%s) = %q, want %q", p, got, want)
		}
	}
}

// TestCredentialFormatOf: a Stripe-shaped body is Stripe's, a Clerk-shaped
// (42-character) sk_ body is not a third-party format.
func TestCredentialFormatOf(t *testing.T) {
	body := func(n int) string { return strings.Repeat("aB3", n/3+1)[:n] }
	for v, want := range map[string]string{
		"sk_live_51" + body(97): "Stripe secret key",
		"sk_test_51" + body(97): "Stripe secret key",
		"rk_live_51" + body(97): "Stripe restricted key",
		"sk_test_" + body(42):   "",
		"pk_test_51" + body(97): "",
		"sk_test_":              "",
	} {
		f, ok := CredentialFormatOf(v)
		got := ""
		if ok {
			got = f.Vendor + " " + f.Kind
		}
		if got != want {
			t.Errorf("CredentialFormatOf(%.12s…) = %q, want %q", v, got, want)
		}
	}
}

func knowledgeLibraryNamed(name string) (DataLibrary, bool) {
	for _, l := range dataAPIs {
		if l.Name == name {
			return l, true
		}
	}
	return DataLibrary{}, false
}

// TestOtherProviders: another provider's SDK and verification calls are
// recognised from the verifier table; a Svix instance's verify and a
// schema's validate never are.
func TestOtherProviders(t *testing.T) {
	for pkg, want := range map[string]string{"stripe": "stripe", "@octokit/webhooks": "github", "@upstash/qstash/nextjs": "upstash-qstash",
		"svix": "", "standardwebhooks": "", "@clerk/nextjs/webhooks": "", "zod": ""} {
		if p, _ := OtherProviderModule(pkg); p != want {
			t.Errorf("OtherProviderModule(%s) = %q; want %q", pkg, p, want)
		}
	}
	for callee, want := range map[string]string{"stripe.webhooks.constructEvent": "stripe", "twilio.validateRequest": "twilio",
		"shopify.webhooks.validate": "shopify", "receiver.verify": "upstash-qstash", "webhooks.verify": "github",
		"wh.verify": "", "schema.validate": "", "result.unwrap": "", "verifyWebhook": "", "constructEvent": ""} {
		if p, _ := OtherProviderCall(callee); p != want {
			t.Errorf("OtherProviderCall(%s) = %q; want %q", callee, p, want)
		}
	}
	for _, p := range []string{"clerk", "svix", "standard-webhooks"} {
		if !SvixScheme(p) {
			t.Errorf("SvixScheme(%s) = false", p)
		}
	}
	if SvixScheme("stripe") {
		t.Error("SvixScheme(stripe) = true")
	}
}

// TestBodyReaderOf: body readers by module and export name, raw or parsed.
func TestBodyReaderOf(t *testing.T) {
	for _, c := range []struct {
		mod, name string
		raw, ok   bool
	}{
		{"", "readBody", false, true}, {"h3", "readRawBody", true, true}, {"", "readFormData", false, true},
		{"micro", "json", false, true}, {"micro", "buffer", true, true}, {"raw-body", "default", true, true},
		{"", "json", false, false}, {"", "getQuery", false, false}, {"micro", "send", false, false},
	} {
		raw, ok := BodyReaderOf(c.mod, c.name)
		if raw != c.raw || ok != c.ok {
			t.Errorf("BodyReaderOf(%q, %q) = %v, %v; want %v, %v", c.mod, c.name, raw, ok, c.raw, c.ok)
		}
	}
}

func TestIdentityHeaderOf(t *testing.T) {
	for _, c := range []struct {
		name string
		want bool
	}{
		{"X-User-Id", true}, {"x-clerk-user-id", true}, {"X-Forwarded-Email", true}, {"x-remote-user", true},
		{"x-user-role", false}, {"authorization", false}, {"x-clerk-auth-status", false}, {"x-forwarded-for", false},
	} {
		if _, ok := IdentityHeaderOf(c.name); ok != c.want {
			t.Errorf("IdentityHeaderOf(%q) = %v, want %v", c.name, ok, c.want)
		}
	}
}

func TestHTMLMethodSink(t *testing.T) {
	for _, c := range []struct {
		callee string
		arg    int
		want   bool
	}{
		{"el.insertAdjacentHTML", 1, true}, {"document.write", -1, true}, {"window.document.write", 0, false},
		{"stream.write", 0, false}, {"c.html", 0, true}, {"html", 0, false}, {"el.appendChild", 0, false},
	} {
		s, ok := HTMLMethodSink(c.callee)
		if ok != c.want || ok && s.Arg != c.arg {
			t.Errorf("HTMLMethodSink(%q) = %+v, %v; want arg %d, %v", c.callee, s, ok, c.arg, c.want)
		}
	}
}

func TestPaidPlanGrant(t *testing.T) {
	for _, c := range []struct {
		col, lit string
		want     bool
	}{
		{"plan", "premium", true}, {"subscription_plan", "Pro", true}, {"isPro", "true", true},
		{"plan", "free", false}, {"plan", "trial", false}, {"status", "active", false}, {"isPro", "false", false},
		{"role", "premium", false},
	} {
		if got := PaidPlanGrant(c.col, c.lit); got != c.want {
			t.Errorf("PaidPlanGrant(%q, %q) = %v, want %v", c.col, c.lit, got, c.want)
		}
	}
	if !PaymentProvider("stripe") || !PaymentProvider("@paddle/paddle-node-sdk") || PaymentProvider("stripe-like") {
		t.Error("PaymentProvider: the payment SDKs, and only them")
	}
}

func TestAccessPolicyLanguage(t *testing.T) {
	l, ok := AccessPolicyLanguageOf("db/schema.zmodel")
	if !ok || !l.GrantsRead("create, read") || !l.GrantsRead("all") || l.GrantsRead("update") {
		t.Errorf("ZenStack operations: %+v", l)
	}
	if !l.AnySignedIn("auth() != null") || l.AnySignedIn("auth().id == ownerId") {
		t.Error("ZenStack: auth() != null, and only it, holds for any signed-in user")
	}
	if _, ok := AccessPolicyLanguageOf("schema.prisma"); ok {
		t.Error("a Prisma schema declares no access policy")
	}
}

func TestRedirectSinks(t *testing.T) {
	if got := RedirectCall("stripe.checkout.sessions.create"); len(got) != 3 {
		t.Errorf("stripe.checkout.sessions.create: %d sinks, want success_url, cancel_url, return_url", len(got))
	}
	if got := RedirectCall("this.router.push"); len(got) != 1 || got[0].Arg != 0 || !got[0].Client {
		t.Errorf("this.router.push: %+v", got)
	}
	if got := RedirectCall("push"); len(got) != 0 {
		t.Errorf("a bare push is not router navigation: %+v", got)
	}
	if _, ok := RedirectAssign("window.location.href"); !ok {
		t.Error("window.location.href assignment is a sink")
	}
	if _, ok := RedirectAssign("link.href"); ok {
		t.Error("link.href is not a location")
	}
	if _, ok := RedirectObject("redirect", "destination"); !ok {
		t.Error("getServerSideProps redirect.destination is a sink")
	}
	var rejects []string
	for _, c := range RedirectChecks() {
		if c.Kind == RelativePath {
			rejects = c.Rejects
		}
	}
	if !slices.Contains(rejects, "//") || !slices.Contains(rejects, `/\`) {
		t.Errorf("a relative-path check must reject // and /\\: %q", rejects)
	}
}

// TestAuthFlowPath: a directory of a sign-in flow, not a file name or a
// word that merely contains "auth".
func TestAuthFlowPath(t *testing.T) {
	for p, want := range map[string]bool{
		"app/sign-in/callback/route.ts":           true,
		"src/routes/sso-callback/+page.server.ts": true,
		"app/(auth)/login/page.tsx":               true,
		"pages/auth/return.tsx":                   true,
		"app/after_sign_up/page.tsx":              true,
		"app/api/oauth-return/route.ts":           true,
		"app/author/page.tsx":                     false,
		"app/api/authorize/route.ts":              false,
		"app/dashboard/login.tsx":                 false,
		"app/settings/page.tsx":                   false,
	} {
		if got := AuthFlowPath(p); got != want {
			t.Errorf("AuthFlowPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestNativeSDK(t *testing.T) {
	for spec, want := range map[string]bool{
		"@clerk/clerk-expo":        true,
		"@clerk/expo":              true,
		"@clerk/expo/legacy":       true,
		"@clerk/expo-passkeys-web": false,
		"@clerk/nextjs":            false,
		"@clerk/clerk-react":       false,
	} {
		if got := NativeSDK(spec); got != want {
			t.Errorf("NativeSDK(%s) = %v, want %v", spec, got, want)
		}
	}
}

func TestRowSecurityReadsIdentity(t *testing.T) {
	d, ok := RowSecurityDialectOf("supabase/migrations/001_init.SQL")
	if !ok {
		t.Fatal("no dialect for .sql")
	}
	for cond, want := range map[string]bool{
		"user_id = auth.uid()":                     true,
		"(select auth.uid()) = owner":              true,
		"public.has_role(auth.uid(), 'admin')":     true,
		"owner = (auth.jwt() ->> 'sub')":           true,
		"true":                                     false,
		"auth.uid() IS NULL OR owner = auth.uid()": false,
		"auth.jwt() ->> 'role' = 'anon'":           false,
		"owner = get_user_id_from_jwt()":           false, // an application function: unknown
	} {
		if got := d.ReadsIdentity(cond); got != want {
			t.Errorf("ReadsIdentity(%q) = %v, want %v", cond, got, want)
		}
	}
}

func TestDataRESTTable(t *testing.T) {
	for url, want := range map[string]string{
		"'https://abc.supabase.co/rest/v1/notes'":                        "notes",
		"`${import.meta.env.PUBLIC_SUPABASE_URL}/rest/v1/APIS?select=*`": "APIS",
		"`${base}/rest/v1/todos?user_id=eq.${id}`":                       "todos",
		"`${base}/rest/v1/${table}`":                                     "",
		"'/api/notes'":                                                   "",
	} {
		_, got, ok := DataRESTTable(url)
		if got != want || ok != (want != "") {
			t.Errorf("DataRESTTable(%s) = %q, %v; want %q", url, got, ok, want)
		}
	}
}

// TestWebhookPathWordsCite: every webhook path word names its source.
func TestWebhookPathWordsCite(t *testing.T) {
	for _, w := range webhookPathWords {
		if w.Word == "" || w.Source == "" || w.Word != strings.ToLower(w.Word) {
			t.Errorf("webhookPathWords %+v: incomplete entry or not lower case", w)
		}
	}
	if !NamesWebhook("app/api/Webhooks/clerk/route.ts") || NamesWebhook("app/api/users/route.ts") {
		t.Error("NamesWebhook: want a webhooks path named, a users path not")
	}
}

// TestSvixSignatureValueHeader: the Svix scheme's signature header in
// either spelling; not its id, nor another provider's signature.
func TestSvixSignatureValueHeader(t *testing.T) {
	for h, want := range map[string]bool{"Svix-Signature": true, "webhook-signature": true, "svix-id": false,
		"stripe-signature": false, "linear-signature": false} {
		if got := SvixSignatureValueHeader(h); got != want {
			t.Errorf("%s: %v, want %v", h, got, want)
		}
	}
}
