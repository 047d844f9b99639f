package rules_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestRunAbandonsAStuckRule: when the context is cancelled (SIGTERM in the
// CLI) while a rule never returns, Run returns with the findings of the
// finished rule runs and an error naming the stuck one. Before the fix
// Run waited for every rule and never returned.
func TestRunAbandonsAStuckRule(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stuck := rulestest.StuckRule("CLK-HARD-903", "stuck.ts", cancel, release)
	snap := source.Mem{"a.ts": []byte("const x = 'BAD'\n"), "stuck.ts": []byte("x\n")}
	res, err := rulestest.RunGuarded(ctx, t, snap, rules.Options{Rules: []*rules.Rule{markerRule, stuck}, Workers: 1})
	var ie *rules.IncompleteError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want an IncompleteError wrapping context.Canceled", err)
	}
	if len(ie.Unfinished) != 1 || ie.Unfinished[0].Rule != "CLK-HARD-903" || ie.Unfinished[0].Path != "stuck.ts" {
		t.Errorf("unfinished = %+v", ie.Unfinished)
	}
	if !strings.Contains(err.Error(), "CLK-HARD-903 on stuck.ts") {
		t.Errorf("error %q does not name the stuck rule", err)
	}
	if res == nil || len(res.Findings) != 1 || res.Findings[0].Path != "a.ts" {
		t.Fatalf("partial result = %+v, want the finding in a.ts", res)
	}
	found := false
	for _, e := range res.Errors {
		found = found || e.Rule == "CLK-HARD-903" && strings.Contains(e.Err, "did not finish")
	}
	if !found {
		t.Errorf("errors %+v do not report the stuck rule", res.Errors)
	}
}

// TestRunEnforcesTheDeadline: the analysis deadline holds even when a
// rule never returns.
func TestRunEnforcesTheDeadline(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	stuck := rulestest.StuckRule("CLK-HARD-903", "stuck.ts", nil, release)
	_, err := rulestest.RunGuarded(ctx, t, source.Mem{"stuck.ts": []byte("x\n")}, rules.Options{Rules: []*rules.Rule{stuck}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}
