package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/clerkguard/clerkguard/rules/redact"
	"github.com/clerkguard/clerkguard/rules/secrets/detect"
	"github.com/clerkguard/clerkguard/rules/source"
)

// ConfigPath is where repositories keep their configuration;
// ConfigPathAlt, the same name with the .yaml extension, is accepted too.
const (
	ConfigPath    = ".github/clerkguard.yml"
	ConfigPathAlt = ".github/clerkguard.yaml"
)

// ReadConfig finds the configuration through read, which must return an
// error wrapping fs.ErrNotExist for an absent file. It returns the data
// and the path read, or nil data when neither name exists. Both names at
// once is a *ConfigError naming both: which one governs is not a guess
// to make silently.
func ReadConfig(read func(path string) ([]byte, error)) ([]byte, string, error) {
	var data []byte
	found := ""
	for _, p := range []string{ConfigPath, ConfigPathAlt} {
		b, err := read(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, p, fmt.Errorf("read %s: %w", p, err)
		}
		if found != "" {
			return nil, found, &ConfigError{File: found, Msg: fmt.Sprintf("both %s and %s exist; keep one of them", ConfigPath, ConfigPathAlt)}
		}
		data, found = b, p
	}
	return data, found, nil
}

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
// annotate the config file. Msg is in the user's terms: the key, and what
// was expected and found there.
type ConfigError struct {
	// File names the configuration file; empty means ConfigPath.
	File string
	Line int
	Msg  string
}

func (e *ConfigError) Error() string {
	file := e.File
	if file == "" {
		file = ConfigPath
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", file, e.Line, e.Msg)
	}
	return file + ": " + e.Msg
}

// ParseConfig decodes a configuration strictly: unknown keys, wrong types,
// repeated keys, invalid globs and an unknown on_error value are errors,
// each a *ConfigError that names the key and what was expected. A rule ID
// that is not in known is a warning (Config.Warnings). Rule IDs match
// case-insensitively and are stored in their canonical form.
func ParseConfig(data []byte, known []*Rule) (*Config, error) {
	c := &Config{}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(err)
	}
	if len(doc.Content) == 0 {
		return c, nil
	}
	d := configDecoder{ids: map[string]string{}, c: c}
	for _, r := range known {
		d.ids[strings.ToUpper(r.ID)] = r.ID
	}
	if err := d.root(c, doc.Content[0]); err != nil {
		return nil, err
	}
	return c, nil
}

// configDecoder decodes the YAML tree of a configuration by hand, so every
// error speaks of keys and values rather than Go types.
type configDecoder struct {
	ids map[string]string // upper-case ID -> canonical ID
	c   *Config           // for warnings
}

func (d *configDecoder) root(c *Config, n *yaml.Node) error {
	return d.mapping("", n, "a mapping with the keys rules, paths, fail_on, comments and on_error", map[string]func(*yaml.Node) error{
		"on_error": func(v *yaml.Node) error {
			v = deref(v)
			if isNull(v) {
				return nil
			}
			if v.Kind != yaml.ScalarNode || (v.Value != OnErrorNeutral && v.Value != OnErrorFailure) {
				return &ConfigError{Line: v.Line, Msg: fmt.Sprintf("on_error: expected %s or %s, got %s", OnErrorNeutral, OnErrorFailure, describe(v))}
			}
			c.OnError = v.Value
			return nil
		},
		"rules": func(v *yaml.Node) error {
			return d.mapping("rules", v, "a mapping with the keys disable and severity", map[string]func(*yaml.Node) error{
				"disable": func(v *yaml.Node) error {
					ids, err := d.list("rules.disable", v, "a list of rule IDs, such as [CLK-MFA-001]", "a rule ID")
					if err != nil {
						return err
					}
					for i, id := range ids {
						canon, err := d.ruleID("rules.disable", id, v.Content[i])
						if err != nil {
							return err
						}
						if canon != "" {
							c.Rules.Disable = append(c.Rules.Disable, canon)
						}
					}
					return nil
				},
				"severity": func(v *yaml.Node) error { return d.severities(c, v) },
			})
		},
		"paths": func(v *yaml.Node) error {
			glob := func(key string, dst *[]string) func(*yaml.Node) error {
				return func(v *yaml.Node) error {
					gs, err := d.list(key, v, `a list of globs, such as ["docs/**"]`, "a glob")
					for i, g := range gs {
						if !doublestar.ValidatePattern(g) {
							return &ConfigError{Line: v.Content[i].Line, Msg: fmt.Sprintf("%s: invalid glob %s", key, quote(g))}
						}
					}
					*dst = gs
					return err
				}
			}
			return d.mapping("paths", v, "a mapping with the keys exclude and include", map[string]func(*yaml.Node) error{
				"exclude": glob("paths.exclude", &c.Paths.Exclude),
				"include": glob("paths.include", &c.Paths.Include),
			})
		},
		"fail_on": func(v *yaml.Node) error {
			s, err := d.severity("fail_on", v)
			if err == nil && !isNull(v) {
				c.FailOn = &s
			}
			return err
		},
		"comments": func(v *yaml.Node) error {
			v = deref(v)
			if isNull(v) {
				return nil
			}
			var b bool
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || v.Decode(&b) != nil {
				return &ConfigError{Line: v.Line, Msg: "comments: expected true or false, got " + describe(v)}
			}
			c.Comments = &b
			return nil
		},
	})
}

// mapping decodes a mapping whose known keys are fields; key is its path
// ("" at the root) and want says what the mapping should be.
func (d *configDecoder) mapping(key string, n *yaml.Node, want string, fields map[string]func(*yaml.Node) error) error {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &ConfigError{Line: n.Line, Msg: fmt.Sprintf("%sexpected %s, got %s", prefix(key), want, describe(n))}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			return &ConfigError{Line: k.Line, Msg: fmt.Sprintf("%skey %s is given twice (first on line %d)", prefix(key), quote(k.Value), first)}
		}
		seen[k.Value] = k.Line
		f, ok := fields[k.Value]
		if !ok || k.Kind != yaml.ScalarNode {
			return &ConfigError{Line: k.Line, Msg: fmt.Sprintf("%sunknown key %s (the keys are %s)", prefix(key), quote(k.Value), keyList(want))}
		}
		if err := f(v); err != nil {
			return err
		}
	}
	return nil
}

// keyList takes "a mapping with the keys a, b and c" to "a, b, c".
func keyList(want string) string {
	s := strings.TrimPrefix(want, "a mapping with the keys ")
	return strings.Replace(s, " and ", ", ", 1)
}

// list decodes a list of text values; a null is an empty list.
func (d *configDecoder) list(key string, n *yaml.Node, want, wantItem string) ([]string, error) {
	n = deref(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, &ConfigError{Line: n.Line, Msg: fmt.Sprintf("%s: expected %s, got %s", key, want, describe(n))}
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		item = deref(item)
		n.Content[i] = item
		if item.Kind != yaml.ScalarNode || isNull(item) {
			return nil, &ConfigError{Line: item.Line, Msg: fmt.Sprintf("%s: expected %s, got %s", key, wantItem, describe(item))}
		}
		out = append(out, item.Value)
	}
	return out, nil
}

func (d *configDecoder) severities(c *Config, n *yaml.Node) error {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	const key = "rules.severity"
	if n.Kind != yaml.MappingNode {
		return &ConfigError{Line: n.Line, Msg: fmt.Sprintf("%s: expected a mapping of rule ID to severity, such as {CLK-SEC-010: low}, got %s", key, describe(n))}
	}
	c.Rules.Severity = map[string]Severity{}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return &ConfigError{Line: k.Line, Msg: fmt.Sprintf("%s: expected a rule ID as key, got %s", key, describe(k))}
		}
		id, err := d.ruleID(key, k.Value, k)
		if err != nil {
			return err
		}
		if id == "" {
			continue // unknown: a warning
		}
		if first, dup := seen[id]; dup {
			return &ConfigError{Line: k.Line, Msg: fmt.Sprintf("%s: rule %s is given twice (first on line %d)", key, id, first)}
		}
		seen[id] = k.Line
		s, err := d.severity(key+"."+k.Value, v)
		if err != nil {
			return err
		}
		if isNull(deref(v)) {
			return &ConfigError{Line: k.Line, Msg: fmt.Sprintf("%s.%s: expected a severity (critical, high, medium, low or info), got nothing", key, k.Value)}
		}
		c.Rules.Severity[id] = s
	}
	return nil
}

func (d *configDecoder) severity(key string, n *yaml.Node) (Severity, error) {
	n = deref(n)
	if isNull(n) {
		return 0, nil
	}
	if n.Kind != yaml.ScalarNode {
		return 0, &ConfigError{Line: n.Line, Msg: fmt.Sprintf("%s: expected a severity (critical, high, medium, low or info), got %s", key, describe(n))}
	}
	s, err := ParseSeverity(n.Value)
	if err != nil {
		return 0, &ConfigError{Line: n.Line, Msg: fmt.Sprintf("%s: unknown severity %s (want critical, high, medium, low or info)", key, quote(n.Value))}
	}
	return s, nil
}

// ruleID returns the canonical form of a rule ID written in any case.
// ruleID returns the canonical form of a rule ID. An ID this version does
// not know is a warning, not an error (it returns ""), so an upgrade that
// retires a rule breaks no repository that names it.
func (d *configDecoder) ruleID(key, id string, n *yaml.Node) (string, error) {
	canon, ok := d.ids[strings.ToUpper(strings.TrimSpace(id))]
	if !ok {
		d.c.Warnings = append(d.c.Warnings, ConfigWarning{Line: n.Line,
			Msg: fmt.Sprintf("%s: unknown rule %s (retired, or from a newer clerkguard); ignored", key, quote(id))})
		return "", nil
	}
	return canon, nil
}

// deref follows YAML aliases (a bounded chain: anchors cannot loop here,
// but the bound costs nothing).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; i < 8 && n != nil && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func prefix(key string) string {
	if key == "" {
		return ""
	}
	return key + ": "
}

// describe names what a node is, in YAML's words: a list, a mapping or the
// quoted text.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	if isNull(n) {
		return "nothing"
	}
	return quote(n.Value)
}

// quote shows a value from the file: quoted, cut at 60 characters, and
// with any secret the detector recognises redacted.
func quote(v string) string {
	if detect.MayHoldSecrets([]byte(v)) {
		v = redact.All(v, detect.Secrets(v))
	}
	if r := []rune(v); len(r) > 60 {
		v = string(r[:60]) + "…"
	}
	return strconv.Quote(v)
}

func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if strings.HasPrefix(msg, "line ") {
		if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
			msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		}
	}
	return &ConfigError{Line: line, Msg: "not valid YAML: " + msg}
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

// Excluded reports whether the configuration's paths.exclude names p.
func (c *Config) Excluded(p string) bool {
	if c != nil {
		for _, g := range c.Paths.Exclude {
			if ok, _ := doublestar.Match(g, p); ok {
				return true
			}
		}
	}
	return false
}

// Skip reports whether the file at p is left out: excluded by the
// configuration, or skipped by default and not re-included.
func (c *Config) Skip(p string) bool {
	if c.Excluded(p) {
		return true
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
