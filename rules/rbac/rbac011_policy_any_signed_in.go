package rbac

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
	"github.com/clerkguard/clerkguard/rules/source"
)

// RBAC011 flags an ORM access policy that lets every signed-in user read
// records that hold personal data (ZenStack `@@allow('read', auth() !=
// null)` on a patients model, or on the abstract model it extends).
var RBAC011 = &rules.Rule{
	ID:         "CLK-RBAC-011",
	Name:       "access-policy-reads-for-any-signed-in-user",
	Pack:       rules.PackRBAC,
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	Checklist:  3,
	Files: func(f *source.File) bool {
		_, ok := knowledge.AccessPolicyLanguageOf(f.Path)
		return ok && !f.Binary
	},
	Keywords: []string{"@@allow"},
	Doc: rules.Doc{
		Title: "access policy lets any signed-in user read personal records",
		References: []string{
			"https://zenstack.dev/docs/the-complete-guide/part1/access-policy/model-level",
			"https://zenstack.dev/docs/the-complete-guide/part1/access-policy/current-user",
			"https://clerk.com/docs/guides/secure/basic-rbac",
		},
		Text: "ZenStack enforces the access policies of a ZModel schema in the ORM client it generates: `auth()` is the " +
			"user the application passes in (the Clerk user behind the request), null when signed out. A read rule whose " +
			"condition is only `auth() != null` grants every record of the model to every signed-in user. On a model that " +
			"holds someone's personal data (patients, profiles, messages, orders), or on an abstract model such a model " +
			"extends, any user who can sign up reads everyone's records through the API that uses the enhanced client. " +
			"Rules that compare the record with the user (`auth().id == ownerId`), check a role (`auth().role == 'org:admin'`) " +
			"or an organization are not reported, nor models with a `@@deny` read rule of their own.",
		Bad: `abstract model Base {
  @@allow('read', auth() != null)
}

model Patient extends Base {
  id        String @id
  firstName String
  bloodType String
}`,
		Good: `model Patient {
  id        String @id
  firstName String
  bloodType String
  ownerId   String

  @@allow('read', auth().id == ownerId || auth().role == 'org:admin')
}`,
	},
	Fix: func(*project.Model, string) string {
		// The ZModel conditions are written without code spans: their
		// auth() is ZenStack's, not the Clerk export of that name.
		return "Give the `@@allow('read', ...)` rule a condition that ties the record to the user (in ZModel: " +
			"auth().id == ownerId) or to a role or organization (auth().role == 'org:admin'), on each model that holds " +
			"personal data rather than on a shared abstract base; keep auth() != null only for data every signed-in user may see."
	},
	Run: runRBAC011,
}

var (
	zmodelDecl  = regexp.MustCompile(`^\s*(abstract\s+)?model\s+(\w+)(?:\s+extends\s+([\w\s,]+?))?\s*\{`)
	zmodelRule  = regexp.MustCompile(`^\s*(@@allow|@@deny)\(\s*['"]([^'"]*)['"]\s*,\s*(.*)\)\s*(?://.*)?$`)
	zmodelClose = regexp.MustCompile(`^\s*\}`)
)

// policyModel is a model of a policy schema: its policy rules.
type policyModel struct {
	name     string
	abstract bool
	extends  []string
	allows   []policyRule
	deniesRd bool // a @@deny rule that includes reading
}

type policyRule struct {
	ops, cond string
	line      int
}

// parsePolicyModels reads the models of one schema file.
func parsePolicyModels(lang knowledge.AccessPolicyLanguage, text string) []*policyModel {
	var out []*policyModel
	var cur *policyModel
	for i, line := range strings.Split(text, "\n") {
		if m := zmodelDecl.FindStringSubmatch(line); m != nil {
			cur = &policyModel{name: m[2], abstract: m[1] != ""}
			for _, e := range strings.Split(m[3], ",") {
				if e = strings.TrimSpace(e); e != "" {
					cur.extends = append(cur.extends, e)
				}
			}
			out = append(out, cur)
			continue
		}
		if cur == nil {
			continue
		}
		if zmodelClose.MatchString(line) {
			cur = nil
			continue
		}
		m := zmodelRule.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch m[1] {
		case lang.Allow:
			cur.allows = append(cur.allows, policyRule{ops: m[2], cond: m[3], line: i + 1})
		case lang.Deny:
			cur.deniesRd = cur.deniesRd || lang.GrantsRead(m[2])
		}
	}
	return out
}

func runRBAC011(pass *rules.Pass) error {
	lang, ok := knowledge.AccessPolicyLanguageOf(pass.File.Path)
	if !ok {
		return nil
	}
	own := parsePolicyModels(lang, string(pass.File.Content))
	// Models of every schema file of the snapshot: an abstract model's
	// rules apply to the models that extend it, wherever they are.
	all := map[string]*policyModel{}
	for _, p := range pass.Paths() {
		if !strings.HasSuffix(p, lang.FileExt) {
			continue
		}
		f, err := pass.Read(p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		for _, m := range parsePolicyModels(lang, string(f.Content)) {
			all[m.name] = m
		}
	}
	for _, m := range own {
		for _, r := range m.allows {
			if !lang.GrantsRead(r.ops) || !lang.AnySignedIn(r.cond) {
				continue
			}
			personal := personalHeirs(m, all)
			if len(personal) == 0 {
				continue
			}
			what := "`" + strings.Join(personal, "`, `") + "`"
			pass.Report(rules.Diagnostic{Line: r.line, Message: fmt.Sprintf(
				"`%s('%s', %s)` on `%s` lets every signed-in user read every record of %s (personal data): with open sign-up, anyone",
				lang.Allow, r.ops, strings.TrimSpace(r.cond), m.name, what)})
		}
	}
	return nil
}

// personalHeirs returns the models a rule of m applies to (m itself
// unless abstract, and every model that extends it, transitively) whose
// name says they hold personal data and that deny no read of their own.
func personalHeirs(m *policyModel, all map[string]*policyModel) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(x *policyModel, depth int)
	walk = func(x *policyModel, depth int) {
		if seen[x.name] || depth > 8 {
			return
		}
		seen[x.name] = true
		if !x.abstract && !x.deniesRd && knowledge.PersonalRecord(x.name) {
			out = append(out, x.name)
		}
		for _, y := range all {
			if slices.Contains(y.extends, x.name) {
				walk(y, depth+1)
			}
		}
	}
	walk(m, 0)
	slices.Sort(out)
	return out
}
