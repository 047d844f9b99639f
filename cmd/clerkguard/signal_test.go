package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/rulestest"
	"github.com/clerkguard/clerkguard/rules/rulestest/guard"
)

// stuckEnv makes the test binary act as the CLI with one extra rule that
// never returns (see TestMain).
const stuckEnv = "CLERKGUARD_TEST_STUCK_CLI"

func TestMain(m *testing.M) {
	if dir := os.Getenv(stuckEnv); dir != "" {
		os.Exit(cliMain([]string{"scan", "--format", "json", dir}, append(all.Rules(), stuckRule())))
	}
	os.Exit(m.Run())
}

// stuckRule announces itself on stderr and never returns, whatever its
// context says.
func stuckRule() *rules.Rule {
	return rulestest.StuckRule("CLK-HARD-903", "stuck.ts", func() { fmt.Fprintln(os.Stderr, "stuck rule started") }, nil)
}

// TestSignalStopsAStuckScan: SIGTERM (and SIGINT) end `clerkguard scan`
// with exit code 2 and the name of the rule that was still running, even
// though that rule never returns. Before the fix the CLI waited for every
// rule and ignored SIGTERM.
func TestSignalStopsAStuckScan(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"stuck.ts": "export const x = 1\n", "a.ts": "export const y = 2\n"})
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), stuckEnv+"="+dir)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			lines := make(chan string, 100)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			var rest []string
			for l := range lines {
				if l == "stuck rule started" {
					break
				}
				rest = append(rest, l)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var werr error
			guard.Returns(t, "the CLI after "+sig.String(), func() {
				for l := range lines {
					rest = append(rest, l)
				}
				werr = cmd.Wait()
			})
			var ee *exec.ExitError
			if !errors.As(werr, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("exit: %v, want code 2; stderr:\n%s", werr, strings.Join(rest, "\n"))
			}
			if msg := strings.Join(rest, "\n"); !strings.Contains(msg, "interrupted") || !strings.Contains(msg, "CLK-HARD-903 on stuck.ts") {
				t.Errorf("stderr does not name the stuck rule:\n%s", msg)
			}
		})
	}
}
