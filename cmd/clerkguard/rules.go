package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/report"
)

func cmdRules(args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tPACK\tCHECKLIST\tTITLE")
		for _, r := range all.Rules() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.ID, r.Severity, r.Pack, r.Checklist, r.Doc.Title)
		}
		tw.Flush()
		return 0
	case 1:
		r := all.Find(args[0])
		if r == nil {
			fmt.Fprintf(stderr, "clerkguard rules: unknown rule %q (run `clerkguard rules` for the list)\n", args[0])
			return 2
		}
		fmt.Fprint(stdout, report.RuleMarkdown(r))
		return 0
	}
	fmt.Fprintln(stderr, "clerkguard rules: at most one rule ID")
	return 2
}
