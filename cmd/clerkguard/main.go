// Command clerkguard reviews code for Clerk authentication
// misconfigurations: `scan` a directory, `review` a local git range in diff
// mode, list `rules`, or `serve` the GitHub App.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `clerkguard reviews code for Clerk authentication misconfigurations.

Usage:
  clerkguard scan   [--format text|json|sarif|github] [--config FILE] [--fail-on SEVERITY] [PATH...]
  clerkguard review [--format ...] [--config FILE] [--fail-on SEVERITY] --base REF [--head REF] [DIR]
  clerkguard serve                     # the GitHub App, configured by CLERKGUARD_* environment variables
  clerkguard rules  [ID]
  clerkguard routes [--format text|json] [DIR]   # the protection map: every entry point, its guard and effects
  clerkguard version

Exit codes: 0 no findings at or above --fail-on (default high), 1 such findings, 2 usage or runtime error.
Run clerkguard COMMAND --help for a command's flags.
`

func main() {
	os.Exit(profiled(os.Getenv("CLERKGUARD_CPUPROFILE"), func() int { return cliMain(os.Args[1:], all.Rules()) }))
}

// profiled runs f and, when path is set (CLERKGUARD_CPUPROFILE, a
// developer's aid: docs/benchmarks.md), writes a CPU profile of it there.
func profiled(path string, f func() int) int {
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "clerkguard: CLERKGUARD_CPUPROFILE: %v\n", err)
		return 2
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		fmt.Fprintf(os.Stderr, "clerkguard: CLERKGUARD_CPUPROFILE: %v\n", err)
		return 2
	}
	defer pprof.StopCPUProfile()
	return f()
}

// cliMain runs a command line under SIGINT/SIGTERM: the first signal
// cancels the command, which returns promptly even when a rule never does
// (the engine abandons it and the process exits); a second signal, with
// the handler gone, ends the process at once.
func cliMain(args []string, rs []*rules.Rule) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	return runWith(ctx, rs, args, os.Stdout, os.Stderr)
}

// run executes one command line with every rule and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWith(ctx, all.Rules(), args, stdout, stderr)
}

func runWith(ctx context.Context, rs []*rules.Rule, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if helpRequested(args[1:]) && commandHelp(stdout, args[0]) {
		return 0
	}
	switch args[0] {
	case "scan":
		return cmdScan(ctx, rs, args[1:], stdout, stderr, false)
	case "review":
		return cmdScan(ctx, rs, args[1:], stdout, stderr, true)
	case "rules":
		return cmdRules(args[1:], stdout, stderr)
	case "routes":
		return cmdRoutes(ctx, args[1:], stdout, stderr)
	case "serve":
		return cmdServe(ctx, args[1:], stderr, os.Getenv)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "clerkguard %s\n", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "clerkguard: unknown command %q\n\n%s", args[0], usage)
	return 2
}
