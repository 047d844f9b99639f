// Package rulestest runs a rule over txtar fixtures with `want` markers,
// in the manner of golang.org/x/tools/go/analysis/analysistest.
//
// Each rule has a folder rules/<pack>/testdata/<RULE-ID>/ of *.txtar cases.
// The archive's comment says what the case is about; its files form the
// snapshot. A line expecting a finding ends with a marker in the file's
// comment syntax, holding one or more quoted regular expressions matched
// against "RULE-ID: message":
//
//	export async function GET() { // want "CLK-RP-003: .*not protected"
//	CLERK_SECRET_KEY={{sk_live}} # want "CLK-SEC-001"
//	{/* want "CLK-RBAC-002" */}
//
// Files that cannot hold comments (JSON) list expectations in a section
// named "@want", one `path:line "regexp"` per line. A section "@diff" holds
// a unified diff and puts the case in review mode: the base is the case's
// files with the diff reversed (Base), and only findings marked in the
// diff are compared. Any finding that no marker expects fails the
// test, and so does any marker left unmatched.
//
// A known miss is recorded with `want:todo "regexp"`: the case passes while
// no finding matches it and fails once one does, so that the marker is
// turned into a plain `want` when the miss is fixed. In the "@want" section
// it is written `path:line want:todo "regexp"`.
//
// Secrets are never written into fixtures. Template tokens are expanded
// into generated keys before the run: {{sk_live}}, {{sk_test}},
// {{whsec}}, {{ak_live}}, {{pk_live:HOST}}, {{pk_test:HOST}}, {{hex32}}.
// Tokens with a suffix ({{sk_live#2}}) give distinct keys. Literal sample
// values (placeholders, documentation samples) are split with the join
// marker {{/}}: `sk_{{/}}live_REPLACE_ME`.
//
// Every rule needs at least one positive case and at least one negative
// case: a file named ok*.txtar or trap*.txtar holding code a naive tool
// would flag.
package rulestest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/diffindex"
	"github.com/clerkguard/clerkguard/rules/rulestest/guard"
	"github.com/clerkguard/clerkguard/rules/source"
)

// Run runs rule over every *.txtar case in dir.
func Run(t *testing.T, rule *rules.Rule, dir string) {
	t.Helper()
	cases, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil || len(cases) == 0 {
		t.Errorf("%s: no test cases in %s", rule.ID, dir)
		return
	}
	var positives, negatives int
	for _, c := range cases {
		name := filepath.Base(c)
		if strings.HasPrefix(name, "ok") || strings.HasPrefix(name, "trap") {
			negatives++
		}
		t.Run(rule.ID+"/"+strings.TrimSuffix(name, ".txtar"), func(t *testing.T) {
			positives += RunCase(t, rule, c)
		})
	}
	if positives == 0 {
		t.Errorf("%s: no positive case (no want marker) in %s", rule.ID, dir)
	}
	if negatives == 0 {
		t.Errorf("%s: no negative case (ok*.txtar or trap*.txtar) in %s", rule.ID, dir)
	}
}

// RunCase runs one archive and returns the number of expectations.
func RunCase(t *testing.T, rule *rules.Rule, file string) int {
	t.Helper()
	return runCase(t, []*rules.Rule{rule}, file)
}

// RunSuite runs every *.txtar case under dir (recursively) with the whole
// rule set rs: every finding of any rule must be expected by a marker, so a
// case states all that a careful reviewer would report on its files and
// nothing else. It is the harness of the hand-written suites (one folder per
// stack) that judge the engine as a user meets it, rather than one rule.
func RunSuite(t *testing.T, rs []*rules.Rule, dir string) {
	t.Helper()
	var cases []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".txtar") {
			cases = append(cases, p)
		}
		return nil
	})
	if err != nil || len(cases) == 0 {
		t.Fatalf("no test cases in %s: %v", dir, err)
	}
	for _, c := range cases {
		rel, _ := filepath.Rel(dir, c)
		t.Run(strings.TrimSuffix(filepath.ToSlash(rel), ".txtar"), func(t *testing.T) {
			runCase(t, rs, c)
		})
	}
}

func runCase(t *testing.T, rs []*rules.Rule, file string) int {
	t.Helper()
	c := loadSet(t, rs, file)
	snap, opts, diff, extra := c.Snap, c.Options, c.Options.Diff, c.extra
	res, err := rules.Run(context.Background(), snap, opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, e := range res.Errors {
		t.Errorf("rule error: %s %s: %s", e.Rule, e.Path, e.Err)
	}
	wants := map[string][]*want{} // "path:line" -> expectations
	count := 0
	for name, data := range snap {
		for i, line := range strings.Split(string(data), "\n") {
			for _, w := range parseWants(t, line) {
				k := fmt.Sprintf("%s:%d", name, i+1)
				wants[k] = append(wants[k], w)
				if !w.todo {
					count++
				}
			}
		}
	}
	for _, l := range extra {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		sp := strings.IndexByte(l, ' ')
		if sp < 0 {
			t.Fatalf("@want: bad line %q", l)
		}
		rest := l[sp+1:]
		if !strings.HasPrefix(rest, "want:todo ") { // a known miss in a file without comments (JSON)
			rest = "want " + rest
		}
		for _, w := range parseWants(t, rest) {
			wants[l[:sp]] = append(wants[l[:sp]], w)
			if !w.todo {
				count++
			}
		}
	}
	var shown []rules.Finding
	for _, f := range res.Findings {
		if diff != nil && !f.InDiff {
			continue
		}
		if !inSet(rs, f.Rule) && !strings.HasPrefix(f.Rule, "CLK-CFG-") {
			continue
		}
		shown = append(shown, f)
		checkNoSecret(t, f, snap)
	}
	for _, p := range compare(shown, wants) {
		t.Error(p)
	}
	return count
}

// Case is a loaded archive: its snapshot and the options it runs with.
type Case struct {
	Snap    source.Mem
	Options rules.Options
	extra   []string // lines of the @want section
}

// Load reads an archive into a snapshot (template tokens expanded) and the
// options rule runs it with: the case's config, and in review mode its
// diff and base.
func Load(t *testing.T, rule *rules.Rule, file string) Case {
	t.Helper()
	return loadSet(t, []*rules.Rule{rule}, file)
}

func inSet(rs []*rules.Rule, id string) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}

func loadSet(t *testing.T, rs []*rules.Rule, file string) Case {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	snap := source.Mem{}
	var diff *diffindex.Index
	var diffText string
	var extra []string
	for _, f := range ar.Files {
		data := Expand(string(f.Data))
		switch f.Name {
		case "@diff":
			diffText = data
			diff, err = diffindex.Parse([]byte(data))
			if err != nil {
				t.Fatalf("@diff: %v", err)
			}
		case "@want":
			extra = append(extra, strings.Split(data, "\n")...)
		default:
			snap[f.Name] = []byte(data)
		}
	}
	var cfg *rules.Config
	if c, ok := snap[rules.ConfigPath]; ok {
		cfg, err = rules.ParseConfig(c, rs)
		if err != nil {
			t.Fatalf("config: %v", err)
		}
	}
	opts := rules.Options{Rules: rs, Config: cfg, Diff: diff}
	if diff != nil {
		// Review mode: the base is the case with the diff reversed.
		if opts.Base, err = Base(snap, []byte(diffText)); err != nil {
			t.Fatal(err)
		}
	}
	return Case{Snap: snap, Options: opts, extra: extra}
}

// compare matches findings against the expectations by "path:line" and
// returns every disagreement: a finding no marker expects, a marker no
// finding matched, and a known miss (want:todo) that a finding now matches.
func compare(findings []rules.Finding, wants map[string][]*want) []string {
	var problems []string
	for _, f := range findings {
		got := f.Rule + ": " + f.Message
		k := fmt.Sprintf("%s:%d", f.Path, f.Line)
		matched := false
		for _, w := range wants[k] {
			if !w.used && w.re.MatchString(got) {
				w.used, matched = true, true
				if w.todo {
					problems = append(problems, fmt.Sprintf("%s: known miss is found now (make want:todo %q a want): %s", k, w.re, got))
				}
				break
			}
		}
		if !matched {
			problems = append(problems, fmt.Sprintf("%s: unexpected finding: %s", k, got))
		}
	}
	keys := make([]string, 0, len(wants))
	for k := range wants {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, w := range wants[k] {
			if !w.used && !w.todo {
				problems = append(problems, fmt.Sprintf("%s: no finding matched %q", k, w.re))
			}
		}
	}
	return problems
}

type want struct {
	re   *regexp.Regexp
	used bool
	todo bool // a known miss: no finding may match it yet
}

var markerRe = regexp.MustCompile(`(?:^|\s|//|#|/\*|<!--|\{/\*)\s*want(:todo)?\s+((?:"(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)(?:\s*(?:"(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `))*)`)
var quotedRe = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|` + "`[^`]*`")

func parseWants(t *testing.T, line string) []*want {
	m := markerRe.FindStringSubmatch(line)
	if m == nil {
		return nil
	}
	var out []*want
	for _, q := range quotedRe.FindAllString(m[2], -1) {
		s, err := strconv.Unquote(q)
		if err != nil {
			t.Fatalf("bad want %s: %v", q, err)
		}
		re, err := regexp.Compile(s)
		if err != nil {
			t.Fatalf("bad want regexp %q: %v", s, err)
		}
		out = append(out, &want{re: re, todo: m[1] != ""})
	}
	return out
}

// checkNoSecret fails when a finding's text carries a generated key.
func checkNoSecret(t *testing.T, f rules.Finding, snap source.Mem) {
	t.Helper()
	text := f.Message + "\n" + f.Fix
	if f.Suggestion != nil {
		text += "\n" + f.Suggestion.Text
	}
	generatedMu.Lock()
	defer generatedMu.Unlock()
	for _, s := range generated {
		if strings.Contains(text, s) {
			t.Errorf("%s:%d: finding text contains an unredacted secret", f.Path, f.Line)
		}
	}
}

// generated records the keys Expand produced, for checkNoSecret. Tests in
// one package may run in parallel, so it is guarded.
var (
	generatedMu sync.Mutex
	generated   = map[string]string{}
)

var tokenRe = regexp.MustCompile(`\{\{(sk_live|sk_test|whsec|ak_live|ak_test|pk_live|pk_test|hex32|b62)(#\w+)?(?::([^}]*))?\}\}`)

// Expand replaces template tokens with generated, deterministic secrets.
func Expand(s string) string {
	// {{/}} is a join marker: fixtures write placeholder and sample keys as
	// `sk_{{/}}test_deadbeef…` so that no secret scanner flags this
	// repository; the harness removes the marker.
	s = strings.ReplaceAll(s, "{{/}}", "")
	return tokenRe.ReplaceAllStringFunc(s, func(tok string) string {
		m := tokenRe.FindStringSubmatch(tok)
		kind, tag, arg := m[1], m[2], m[3]
		seed := kind + tag + arg
		var v string
		switch kind {
		case "sk_live", "sk_test", "ak_live", "ak_test":
			v = kind + "_" + Base62(seed, 42)
		case "whsec":
			sum := sha256.Sum256([]byte("whsec" + seed))
			v = "whsec_" + base64.StdEncoding.EncodeToString(sum[:24])
		case "pk_live", "pk_test":
			host := arg
			if host == "" {
				host = "clerk.example.com"
			}
			v = kind + "_" + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(host+"$")), "=")
		case "hex32":
			sum := sha256.Sum256([]byte("hex" + seed))
			v = hex.EncodeToString(sum[:])
		case "b62":
			n, _ := strconv.Atoi(arg)
			if n <= 0 {
				n = 32
			}
			v = Base62(seed, n)
		}
		if kind != "pk_live" && kind != "pk_test" {
			generatedMu.Lock()
			generated[tok] = v
			generatedMu.Unlock()
		}
		return v
	})
}

// Base62 returns n deterministic base62 characters derived from seed, with
// high entropy like a real key.
func Base62(seed string, n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", seed, i)))
		for _, c := range sum {
			if b.Len() == n {
				break
			}
			b.WriteByte(alphabet[int(c)%62])
		}
	}
	return b.String()
}

// Update reports whether golden files should be rewritten (UPDATE_GOLDEN=1).
func Update() bool { return os.Getenv("UPDATE_GOLDEN") == "1" }

// StuckRule is a rule that never returns on the file at path, whatever
// its context says (the stand-in for a rule caught in a pathological
// computation), until release is closed (never, when nil). started, when
// set, is called as it starts.
func StuckRule(id, path string, started func(), release <-chan struct{}) *rules.Rule {
	return &rules.Rule{
		ID: id, Name: "test-stuck", Pack: rules.PackHardening, Severity: rules.High,
		Confidence: rules.HighConfidence, Checklist: 1,
		Files: func(f *source.File) bool { return f.Path == path },
		Doc:   rules.Doc{Title: "test stuck", Text: "t", Bad: "x", Good: "y"},
		Fix:   rules.ConstFix("n/a"),
		Run: func(*rules.Pass) error {
			if started != nil {
				started()
			}
			<-release
			return nil
		},
	}
}

// RunGuarded runs the engine under the hang guard.
func RunGuarded(ctx context.Context, t testing.TB, snap source.Snapshot, opts rules.Options) (res *rules.Result, err error) {
	t.Helper()
	guard.Returns(t, "rules.Run", func() { res, err = rules.Run(ctx, snap, opts) })
	return res, err
}
