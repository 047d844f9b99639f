package server_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/clerkguard/clerkguard/internal/apptest"
	"github.com/clerkguard/clerkguard/internal/fakegithub"
	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/rulestest"
)

// TestStuckRuleIsPublishedAsPartial: a rule that never returns (what a
// hostile pattern did before matching was bounded) no longer holds the
// job: the analysis deadline, derived from CLERKGUARD_JOB_TIMEOUT, stops
// the engine, the job publishes what the finished rules found as a
// partial review naming the stuck rule, and the job is not run again.
// Before the fix the job never returned, River's rescuer started it again
// in another slot, and no check run completed.
func TestStuckRuleIsPublishedAsPartial(t *testing.T) {
	gh := apptest.Fake(t, fakegithub.Options{})
	var starts atomic.Int32
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	stuck := rulestest.StuckRule("CLK-HARD-903", "app/api/invoices/route.ts", func() { starts.Add(1) }, release)
	h := startRules(t, gh, map[string]string{"CLERKGUARD_JOB_TIMEOUT": "5s"}, append(all.Rules(), stuck))
	gh.AddInstallation(42, "acme")
	gh.AddRepo("acme", "shop", 42, "main")
	if err := gh.AddPR("acme", "shop", fakegithub.PR{Number: 7, BaseFiles: baseFiles,
		HeadFiles: with(baseFiles, map[string]string{"app/api/invoices/route.ts": unprotected, "lib/clerk.ts": leakyClient})}); err != nil {
		t.Fatal(err)
	}
	head, _ := gh.HeadSHA("acme", "shop", 7)
	if _, status := h.deliver("pull_request", h.prPayload("opened", "acme", "shop", 7, 42)); status != 202 {
		t.Fatalf("webhook status %d", status)
	}
	cr := h.waitCompleted("acme", "shop", head, 1)[0] // waits at most 60s
	if cr.Conclusion != "failure" {
		t.Errorf("conclusion %q, want failure: the finished rules found the leaked secret key", cr.Conclusion)
	}
	sum := cr.Output.Summary
	for _, want := range []string{"Partial review", "did not finish within", "CLK-HARD-903", "did not finish before the analysis stopped", "CLK-SEC-004"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	if n := starts.Load(); n != 1 {
		t.Errorf("the stuck rule ran %d times, want once: the job ran again", n)
	}
	h.assertClean()
}
