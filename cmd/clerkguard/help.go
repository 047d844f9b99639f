package main

import (
	"fmt"
	"io"
	"strings"
)

// helpRequested reports whether args ask for help: -h, -help or --help
// before any "--".
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// commandHelp writes the usage of command cmd to w and reports whether cmd
// has one: scan and review with their flags, every other command with its
// lines of the general usage.
func commandHelp(w io.Writer, cmd string) bool {
	switch cmd {
	case "scan", "review":
		var f scanFlags
		fs := newScanFlagSet(cmd, cmd == "review", &f)
		fs.SetOutput(w)
		fmt.Fprint(w, scanIntro(cmd == "review"))
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(w, "\nExit codes: 0 no findings at or above --fail-on, 1 such findings, 2 usage or runtime error.")
		return true
	case "help":
		fmt.Fprint(w, usage)
		return true
	}
	var lines []string
	for _, l := range strings.Split(usage, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "clerkguard" && f[1] == cmd {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return false
	}
	fmt.Fprintf(w, "Usage:\n%s\n", strings.Join(lines, "\n"))
	return true
}

// scanIntro is the introduction of `scan --help` and `review --help`.
func scanIntro(review bool) string {
	if review {
		return `Usage:
  clerkguard review [flags] --base REF [--head REF] [DIR]

Diffs the local git range BASE...HEAD (without --head: the working tree,
uncommitted and untracked files included) and reports the findings on
changed lines or caused by a change that the merge base did not already
have, and every entry point whose protection the change made worse
(CLK-RP-020), at the changed line that caused it. The configuration is read
from --base, so a change cannot switch off its own review.
`
	}
	return `Usage:
  clerkguard scan [flags] [PATH...]

Analyses directories (default: the current one) or files and reports every
finding in them. A file is analysed with the project around it as context
(the nearest package.json, go.mod or deno.json): its middleware, its SDK
version, the modules it imports. In a git working tree, paths in every
output are relative to the repository's top level and the configuration
is its .github/clerkguard.yml (or .yaml); elsewhere they are relative to
the directory scanned. Use -- before paths that start with "-".
`
}
