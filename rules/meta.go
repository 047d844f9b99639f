package rules

// Engine rules: findings about clerkguard's own suppression comments.
// They have no Run of their own; the engine reports them.

// SuppressionUnused reports a clerkguard:ignore that matches nothing.
var SuppressionUnused = Rule{
	ID: "CLK-CFG-001", Name: "unused-suppression", Pack: PackHardening,
	Severity: Low, Confidence: HighConfidence, Checklist: 1, Scope: PerSnapshot,
	Doc: Doc{
		Title: "suppression comment that matches no finding",
		References: []string{
			"docs/configuration.md (suppression comments: clerkguard:ignore ID -- reason)",
		},
		Text: "A `clerkguard:ignore` comment applies to findings of the named rules on its own line and on the line below. " +
			"One that matches nothing is stale: the code it excused moved or was fixed, and the comment would silently hide a future finding.",
		Bad:  "// clerkguard:ignore CLK-RP-003 -- public health check\nexport const dynamic = 'force-dynamic'",
		Good: "// clerkguard:ignore CLK-RP-003 -- public health check\nexport async function GET() { return Response.json({ ok: true }) }",
	},
	Fix: ConstFix("Remove the suppression, or move it to the line of the finding (or the line above)."),
	Run: func(*Pass) error { return nil },
}

// SuppressionMalformed reports a clerkguard:ignore without rule or reason.
var SuppressionMalformed = Rule{
	ID: "CLK-CFG-002", Name: "suppression-without-reason", Pack: PackHardening,
	Severity: Low, Confidence: HighConfidence, Checklist: 1, Scope: PerSnapshot,
	Doc: Doc{
		Title: "suppression comment without a rule ID or a reason",
		References: []string{
			"docs/configuration.md (suppression comments: clerkguard:ignore ID -- reason)",
		},
		Text: "Suppressions must name the rule and say why the code is safe, so reviewers can audit them. One without a reason does not suppress anything.",
		Bad:  "// clerkguard:ignore CLK-RP-003",
		Good: "// clerkguard:ignore CLK-RP-003 -- public status endpoint, returns no user data",
	},
	Fix: ConstFix("Write `clerkguard:ignore CLK-XXX-NNN -- reason` in a comment on the finding's line or the line above."),
	Run: func(*Pass) error { return nil },
}

// EngineRules are the rules the engine itself reports.
func EngineRules() []*Rule { return []*Rule{&SuppressionUnused, &SuppressionMalformed} }
