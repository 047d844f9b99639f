package boundedre

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
	"unicode/utf8"
)

// jsOracle asks node what JavaScript's RegExp answers: the ground truth
// for the linear engine's translation. V8 is told to switch to its own
// linear engine on excessive backtracking; a pattern that engine does not
// cover (/i, big counts) can still backtrack for ages, so an answer that
// takes over oracleTimeout is no answer, and node is restarted.
type jsOracle struct {
	node string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  chan string
}

const oracleTimeout = 500 * time.Millisecond

// oracleScript says "ready" once it reads queries, so a node that is slow
// to start on a loaded machine is waited for, not taken for a timeout.
const oracleScript = `const rl = require('readline').createInterface({ input: process.stdin });
process.stdout.write('ready\n');
rl.on('line', l => {
  const q = JSON.parse(l);
  let r;
  try { r = new RegExp(q.p, q.i ? 'i' : '').test(q.in) ? '1' : '0' } catch (e) { r = 'E' }
  process.stdout.write(r + '\n');
});`

// startJSOracle starts node, or returns nil after saying loudly why not
// (and failing under CI, which installs node).
func startJSOracle(tb testing.TB) *jsOracle {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		msg := "*** node is not installed: route-pattern translations are not checked against JavaScript ***"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg + " (CI is set; .ci/run installs nodejs)")
		}
		fmt.Fprintln(os.Stderr, tb.Name()+": "+msg)
		return nil
	}
	o := &jsOracle{node: node}
	if err := o.start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(o.stop)
	return o
}

func (o *jsOracle) start() error {
	cmd := exec.Command(o.node, "--enable-experimental-regexp-engine-on-excessive-backtracks", "-e", oracleScript)
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	o.cmd, o.in, o.out = cmd, in, lines
	select {
	case l := <-lines:
		if l != "ready" {
			return fmt.Errorf("node said %q before it was ready", l)
		}
	case <-time.After(time.Minute): // a hang guard only
		return fmt.Errorf("node did not start within a minute")
	}
	return nil
}

func (o *jsOracle) stop() {
	o.in.Close()
	_ = o.cmd.Process.Kill()
	_ = o.cmd.Wait()
}

// test returns JavaScript's answer; ok is false when JavaScript rejects
// the pattern or takes too long, or when the input is outside what both
// engines read the same way (invalid UTF-8, or characters beyond the BMP,
// which JavaScript sees as two UTF-16 units).
func (o *jsOracle) test(tb testing.TB, pattern string, ic bool, input string) (match, ok bool) {
	tb.Helper()
	if !utf8.ValidString(input) || !utf8.ValidString(pattern) {
		return false, false
	}
	for _, r := range input {
		if r > 0xFFFF {
			return false, false
		}
	}
	q, _ := json.Marshal(struct {
		P  string `json:"p"`
		I  bool   `json:"i"`
		In string `json:"in"`
	}{pattern, ic, input})
	if _, err := o.in.Write(append(q, '\n')); err != nil {
		tb.Fatalf("node: %v", err)
	}
	select {
	case line, open := <-o.out:
		if !open {
			tb.Fatal("node exited")
		}
		switch line {
		case "1":
			return true, true
		case "0":
			return false, true
		}
		return false, false
	case <-time.After(oracleTimeout):
		o.stop()
		if err := o.start(); err != nil {
			tb.Fatal(err)
		}
		return false, false
	}
}
