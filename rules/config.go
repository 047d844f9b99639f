package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/clerkguard/clerkguard/rules/source"
)

// ConfigPath is where repositories keep their configuration.
const ConfigPath = ".github/clerkguard.yml"

// Config is the repository configuration (.github/clerkguard.yml).
//
//	rules:
//	  disable: [CLK-MFA-001]
//	  severity: {CLK-SEC-010: low}
//	paths:
//	  exclude: ["docs/**"]
//	  include: ["build/**"]   # re-include a path skipped by default
//	fail_on: high
//	comments: true
//	on_error: neutral         # App: conclusion when the review itself fails
type Config struct {
	Rules struct {
		Disable  []string            `yaml:"disable"`
		Severity map[string]Severity `yaml:"severity"`
	} `yaml:"rules"`
	Paths struct {
		Exclude []string `yaml:"exclude"`
		Include []string `yaml:"include"`
	} `yaml:"paths"`
	FailOn   *Severity `yaml:"fail_on"`
	Comments *bool     `yaml:"comments"`
	// OnError is the App's conclusion when the review itself fails after
	// its last attempt: OnErrorNeutral or OnErrorFailure ("" leaves the
	// server's CLERKGUARD_ON_ERROR in charge).
	OnError string `yaml:"on_error"`

	// Warnings are problems that do not stop the review: rule IDs this
	// version does not know (retired, or from a newer version). They are
	// ignored; the App shows them in the check run, the CLI on stderr.
	Warnings []ConfigWarning `yaml:"-"`
}

// Values of Config.OnError (and of the App's CLERKGUARD_ON_ERROR).
const (
	OnErrorNeutral = "neutral"
	OnErrorFailure = "failure"
)

// ConfigWarning is a configuration problem that leaves the review running,
// with its line (0: unknown) for an annotation.
type ConfigWarning struct {
	Line int
	Msg  string
}

func (w ConfigWarning) String() string { return (&ConfigError{Line: w.Line, Msg: w.Msg}).Error() }

// ConfigError is a configuration problem with its line, so the App can
// annotate the config file.
type ConfigError struct {
	Line int
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", ConfigPath, e.Line, e.Msg)
	}
	return ConfigPath + ": " + e.Msg
}

// ParseConfig decodes a configuration strictly: unknown keys, wrong types,
// invalid globs and an unknown on_error value are errors. A rule ID that
// is not in known is a warning (Config.Warnings), not an error, so an
// upgrade that retires a rule breaks no repository that names it.
func ParseConfig(data []byte, known []*Rule) (*Config, error) {
	c := &Config{}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // only for lines; Decode reports the errors
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(err, &root)
	}
	ids := map[string]bool{}
	for _, r := range known {
		ids[r.ID] = true
	}
	unknown := func(key, id string) {
		c.Warnings = append(c.Warnings, ConfigWarning{Line: findLine(&root, id),
			Msg: fmt.Sprintf("%s: unknown rule %q (retired, or from a newer clerkguard); ignored", key, id)})
	}
	for _, id := range c.Rules.Disable {
		if !ids[id] {
			unknown("rules.disable", id)
		}
	}
	sevIDs := make([]string, 0, len(c.Rules.Severity))
	for id := range c.Rules.Severity {
		sevIDs = append(sevIDs, id)
	}
	sort.Strings(sevIDs)
	for _, id := range sevIDs {
		if !ids[id] {
			unknown("rules.severity", id)
		}
	}
	switch c.OnError {
	case "", OnErrorNeutral, OnErrorFailure:
	default:
		return nil, &ConfigError{Line: findLine(&root, c.OnError), Msg: fmt.Sprintf("on_error: %q is not %s or %s", c.OnError, OnErrorNeutral, OnErrorFailure)}
	}
	for _, g := range append(append([]string{}, c.Paths.Exclude...), c.Paths.Include...) {
		if !doublestar.ValidatePattern(g) {
			return nil, &ConfigError{Line: findLine(&root, g), Msg: fmt.Sprintf("paths: invalid glob %q", g)}
		}
	}
	return c, nil
}

// yamlError turns a decoding error into a ConfigError with its line. An
// error from a value's own decoder (an unknown severity) carries no line:
// the value it quotes is looked up in root instead.
func yamlError(err error, root *yaml.Node) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i:], "line %d", &line)
	}
	if te := (*yaml.TypeError)(nil); errors.As(err, &te) && len(te.Errors) > 0 {
		msg = strings.Join(te.Errors, "; ")
		fmt.Sscanf(strings.TrimPrefix(te.Errors[0], "line "), "%d", &line)
	}
	if i := strings.IndexByte(msg, '"'); line == 0 && i >= 0 {
		if v, err := strconv.QuotedPrefix(msg[i:]); err == nil {
			if u, err := strconv.Unquote(v); err == nil {
				line = findLine(root, u)
			}
		}
	}
	return &ConfigError{Line: line, Msg: msg}
}

func findLine(n *yaml.Node, value string) int {
	if n == nil {
		return 0
	}
	if n.Value == value {
		return n.Line
	}
	for _, c := range n.Content {
		if l := findLine(c, value); l > 0 {
			return l
		}
	}
	return 0
}

// Enabled reports whether the configuration leaves rule id on.
func (c *Config) Enabled(id string) bool {
	if c == nil {
		return true
	}
	for _, d := range c.Rules.Disable {
		if d == id {
			return false
		}
	}
	return true
}

// Skip reports whether the file at p is left out: excluded by the
// configuration, or skipped by default and not re-included.
func (c *Config) Skip(p string) bool {
	if c != nil {
		for _, g := range c.Paths.Exclude {
			if ok, _ := doublestar.Match(g, p); ok {
				return true
			}
		}
	}
	if !source.DefaultSkip(p) {
		return false
	}
	if c != nil {
		for _, g := range c.Paths.Include {
			if ok, _ := doublestar.Match(g, p); ok {
				return false
			}
		}
	}
	return true
}

// CommentsEnabled reports whether inline review comments are on (default).
func (c *Config) CommentsEnabled() bool { return c == nil || c.Comments == nil || *c.Comments }
