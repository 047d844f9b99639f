package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clerkguard/clerkguard/rules"
)

// MaxOutputBytes is GitHub's limit for a check run's output.summary and
// output.text ("Maximum length: 65535 characters"; budgeted in bytes).
const MaxOutputBytes = 65535

// Budget joins blocks until limit bytes would be exceeded, then ends with a
// "... N more" line. The result never exceeds limit.
func Budget(head string, blocks []string, limit int, noun string) string {
	var b strings.Builder
	b.WriteString(head)
	for i, blk := range blocks {
		more := fmt.Sprintf("\n… %d more %s not shown.\n", len(blocks)-i, noun)
		if b.Len()+len(blk)+len(more) > limit {
			if b.Len()+len(more) <= limit {
				b.WriteString(more)
			}
			return b.String()
		}
		b.WriteString(blk)
	}
	return b.String()
}

// FindingMarkdown renders one finding as a markdown list item.
func FindingMarkdown(f rules.Finding, blobURL string) string {
	loc := fmt.Sprintf("`%s:%d`", f.Path, f.Line)
	if blobURL != "" {
		loc = fmt.Sprintf("[`%s:%d`](%s/%s#L%d)", f.Path, f.Line, blobURL, f.Path, f.Line)
	}
	return fmt.Sprintf("- **%s** [%s](%s) %s: %s\n  - Fix: %s\n", strings.ToUpper(f.Severity.String()), f.Rule, f.DocURL, loc,
		oneLine(f.Message), oneLine(f.Fix))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Summary renders the check run summary: counts, then findings grouped by
// the eight items of the hardening checklist, in checklist order, most
// severe first within an item. It fits MaxOutputBytes.
func Summary(head string, fs []rules.Finding, blobURL string) string {
	byItem := map[int][]rules.Finding{}
	for _, f := range fs {
		byItem[f.Checklist] = append(byItem[f.Checklist], f)
	}
	var blocks []string
	for item := 1; item <= 8; item++ {
		list := byItem[item]
		if len(list) == 0 {
			continue
		}
		SortBySeverity(list)
		blocks = append(blocks, fmt.Sprintf("\n### %d. %s (%d)\n\n", item, rules.Checklist[item], len(list)))
		for _, f := range list {
			blocks = append(blocks, FindingMarkdown(f, blobURL))
		}
	}
	return Budget(head, blocks, MaxOutputBytes, "entries")
}

// Counts renders "2 critical, 1 high" for a set of findings.
func Counts(fs []rules.Finding) string {
	n := map[rules.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var keys []rules.Severity
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] > keys[j] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}
