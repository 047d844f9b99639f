package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
}

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

// ParseConfig decodes a configuration strictly: unknown keys, wrong types
// and unknown rule IDs are errors. known lists the valid rule IDs.
func ParseConfig(data []byte, known []*Rule) (*Config, error) {
	c := &Config{}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(err)
	}
	ids := map[string]bool{}
	for _, r := range known {
		ids[r.ID] = true
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	for _, id := range c.Rules.Disable {
		if !ids[id] {
			return nil, &ConfigError{Line: findLine(&root, id), Msg: fmt.Sprintf("rules.disable: unknown rule %q", id)}
		}
	}
	for id := range c.Rules.Severity {
		if !ids[id] {
			return nil, &ConfigError{Line: findLine(&root, id), Msg: fmt.Sprintf("rules.severity: unknown rule %q", id)}
		}
	}
	for _, g := range append(append([]string{}, c.Paths.Exclude...), c.Paths.Include...) {
		if !doublestar.ValidatePattern(g) {
			return nil, &ConfigError{Line: findLine(&root, g), Msg: fmt.Sprintf("paths: invalid glob %q", g)}
		}
	}
	return c, nil
}

func yamlError(err error) error {
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
