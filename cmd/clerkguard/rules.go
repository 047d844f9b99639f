package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/all"
	"github.com/clerkguard/clerkguard/rules/report"
)

func cmdRules(args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		// Grouped by checklist item, each under its title; the engine's
		// own rules keep their item.
		rs := all.Rules()
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Checklist < rs[j].Checklist })
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for i, r := range rs {
			if i == 0 || rs[i-1].Checklist != r.Checklist {
				if i > 0 {
					fmt.Fprintln(tw)
				}
				fmt.Fprintf(tw, "%d. %s\n", r.Checklist, rules.Checklist[r.Checklist])
				fmt.Fprintln(tw, "  ID\tSEVERITY\tPACK\tTITLE")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Pack, r.Doc.Title)
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
