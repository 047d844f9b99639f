package rules_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/source"
)

// stuckRule never returns on stuck.ts, whatever its context says: the
// stand-in for a rule caught in a pathological computation.
func stuckRule(started chan<- struct{}, release <-chan struct{}) *rules.Rule {
	return &rules.Rule{
		ID: "CLK-HARD-903", Name: "test-stuck", Pack: rules.PackHardening, Severity: rules.High,
		Confidence: rules.HighConfidence, Checklist: 1,
		Files: func(f *source.File) bool { return f.Path == "stuck.ts" },
		Doc:   rules.Doc{Title: "test stuck", Text: "t", Bad: "x", Good: "y"},
		Fix:   rules.ConstFix("n/a"),
		Run: func(p *rules.Pass) error {
			close(started)
			<-release // ignores p.Ctx on purpose
			return nil
		},
	}
}

// runGuarded runs the engine with a generous hang guard (not a speed
// check): before the fix, Run waited for every rule and never returned.
func runGuarded(t *testing.T, ctx context.Context, snap source.Snapshot, opts rules.Options) (*rules.Result, error) {
	t.Helper()
	type out struct {
		res *rules.Result
		err error
	}
	ch := make(chan out, 1)
	go func() {
		res, err := rules.Run(ctx, snap, opts)
		ch <- out{res, err}
	}()
	select {
	case o := <-ch:
		return o.res, o.err
	case <-time.After(60 * time.Second):
		t.Fatal("rules.Run did not return within 60s of its context ending")
		return nil, nil
	}
}

// TestRunAbandonsAStuckRule: when the context is cancelled (SIGTERM in the
// CLI) while a rule never returns, Run returns with the findings of the
// finished rule runs and an error naming the stuck one.
func TestRunAbandonsAStuckRule(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-started
		cancel()
	}()
	snap := source.Mem{"a.ts": []byte("const x = 'BAD'\n"), "stuck.ts": []byte("x\n")}
	res, err := runGuarded(t, ctx, snap, rules.Options{Rules: []*rules.Rule{markerRule, stuckRule(started, release)}, Workers: 1})
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
	started, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := runGuarded(t, ctx, source.Mem{"stuck.ts": []byte("x\n")}, rules.Options{Rules: []*rules.Rule{stuckRule(started, release)}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}
