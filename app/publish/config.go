package publish

import (
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/report"
)

// ConfigReport is what a review found wrong with the repository
// configuration (rules.ConfigPath). None of it stops the review.
type ConfigReport struct {
	// BaseErr: the base branch's configuration is invalid, so the review
	// ran with the defaults. The conclusion is then never Success.
	BaseErr *rules.ConfigError
	// BaseWarnings: problems in the base configuration that the review
	// ignored (rule IDs this version does not know).
	BaseWarnings []rules.ConfigWarning
	// HeadErr: the pull request changes the configuration and its new
	// version is invalid; the pull request fails, so it does not merge a
	// file that would send every later review to the defaults.
	HeadErr *rules.ConfigError
	// HeadWarnings: problems in the pull request's new version.
	HeadWarnings []rules.ConfigWarning
	// Path is the configuration file the review read
	// (rules.ConfigPathAlt for a repository that names it .yaml); empty
	// means rules.ConfigPath.
	Path string
}

// path returns the configuration file the report is about.
func (c ConfigReport) path() string {
	if c.Path != "" {
		return c.Path
	}
	return rules.ConfigPath
}

func (c ConfigReport) empty() bool {
	return c.BaseErr == nil && c.HeadErr == nil && len(c.BaseWarnings) == 0 && len(c.HeadWarnings) == 0
}

// Bounds of the configuration section: each message and the section,
// and the annotations on the file (a pull request's new version may name
// thousands of unknown rules; each 50 annotations cost a request).
const (
	maxConfigMessage     = 1 << 10
	maxConfigSection     = 8 << 10
	maxConfigAnnotations = 20
)

// configItem is one problem to show and annotate.
type configItem struct {
	where string // "base branch" or "this pull request"
	level string // annotation level: "failure" or "warning"
	line  int
	msg   string
}

func (c ConfigReport) items() []configItem {
	var out []configItem
	add := func(where string, err *rules.ConfigError, ws []rules.ConfigWarning) {
		if err != nil {
			out = append(out, configItem{where, "failure", err.Line, err.Msg})
		}
		for _, w := range ws {
			out = append(out, configItem{where, "warning", w.Line, w.Msg})
		}
	}
	add("base branch", c.BaseErr, c.BaseWarnings)
	add("this pull request", c.HeadErr, c.HeadWarnings)
	return out
}

// applyConfig adds the configuration problems to out: a summary section,
// an annotation on the file per problem, and the conclusion and title
// they call for.
func applyConfig(out *Output, c ConfigReport, head *strings.Builder) {
	if c.empty() {
		return
	}
	switch {
	case c.HeadErr != nil:
		out.Conclusion = Failure
		out.Title = "Invalid " + c.path() + " in this pull request; " + lowerFirst(out.Title)
	case c.BaseErr != nil:
		if out.Conclusion == Success {
			out.Conclusion = Neutral
		}
		out.Title = "Invalid " + c.path() + " on the base branch, reviewed with defaults; " + lowerFirst(out.Title)
	}
	var intro string
	switch {
	case c.BaseErr != nil:
		intro = fmt.Sprintf("\n#### Configuration\n\nThe repository configuration `%s` on the base branch is invalid, so this review ran with the default configuration (no rules disabled, no severity overrides or path excludes, fail on high). Fix the file; see docs/configuration.md.\n\n", c.path())
	case c.HeadErr != nil:
		intro = fmt.Sprintf("\n#### Configuration\n\nThis pull request makes `%s` invalid: once merged, every review would fall back to the default configuration. This review used the base branch's configuration.\n\n", c.path())
	default:
		intro = fmt.Sprintf("\n#### Configuration\n\n`%s` has problems that this review ignored:\n\n", c.path())
	}
	var blocks []string
	for _, it := range c.items() {
		kind := "warning"
		if it.level == "failure" {
			kind = "error"
		}
		line := ""
		if it.line > 0 {
			line = fmt.Sprintf(", line %d", it.line)
		}
		blocks = append(blocks, fmt.Sprintf("- %s (%s%s): %s\n", kind, it.where, line, report.InertClip(it.msg, maxConfigMessage)))
		if len(blocks) > maxConfigAnnotations {
			continue
		}
		l := max(it.line, 1)
		out.Annotations = append(out.Annotations, &github.CheckRunAnnotation{
			Path: github.String(c.path()), StartLine: github.Int(l), EndLine: github.Int(l),
			AnnotationLevel: github.String(it.level), Title: github.String("clerkguard configuration (" + it.where + ")"),
			Message: github.String(report.Clip(it.msg, 60000)),
		})
	}
	head.WriteString(report.Budget(intro, blocks, maxConfigSection, "configuration problems"))
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
