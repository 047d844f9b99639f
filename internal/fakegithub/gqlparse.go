package fakegithub

import (
	"fmt"
	"strconv"
	"strings"
)

// A GraphQL parser for the documents the App sends: one operation (query or
// mutation, with variable definitions), fields with aliases and arguments,
// and inline fragments with a type condition. Anything else (named
// fragments, directives, variable defaults, several operations,
// subscriptions, lists, enums, floats, null literals) is a parse error, so
// a query the App starts sending fails loudly here before it reaches
// GitHub untested.

type gqlVar string // $name

type gqlField struct {
	alias  string
	name   string
	args   map[string]any
	sel    []*gqlField
	inline bool   // inline fragment: sel is merged into the parent
	on     string // the inline fragment's type condition
}

type gqlOp struct {
	kind string // query or mutation
	sel  []*gqlField
}

type gqlLexer struct {
	toks []string
	i    int
}

func lexGraphQL(src string) ([]string, error) {
	var toks []string
	i := 0
	for i < len(src) {
		ch := src[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ',':
			i++
		case ch == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "..."):
			toks = append(toks, "...")
			i += 3
		case strings.ContainsRune("!$():{}", rune(ch)):
			toks = append(toks, string(ch))
			i++
		case ch == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string")
			}
			toks = append(toks, src[i:j+1])
			i = j + 1
		case ch == '-' || (ch >= '0' && ch <= '9'):
			j := i + 1
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			toks = append(toks, src[i:j])
			i = j
		case ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'):
			j := i + 1
			for j < len(src) && (src[j] == '_' || (src[j] >= 'a' && src[j] <= 'z') || (src[j] >= 'A' && src[j] <= 'Z') || (src[j] >= '0' && src[j] <= '9')) {
				j++
			}
			toks = append(toks, src[i:j])
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q", ch)
		}
	}
	return toks, nil
}

func (l *gqlLexer) peek() string {
	if l.i < len(l.toks) {
		return l.toks[l.i]
	}
	return ""
}

func (l *gqlLexer) next() string {
	t := l.peek()
	l.i++
	return t
}

func (l *gqlLexer) expect(t string) error {
	if got := l.next(); got != t {
		return fmt.Errorf("expected %q, got %q", t, got)
	}
	return nil
}

func isName(t string) bool {
	if t == "" {
		return false
	}
	c := t[0]
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func parseGraphQL(src string) (*gqlOp, error) {
	toks, err := lexGraphQL(src)
	if err != nil {
		return nil, err
	}
	l := &gqlLexer{toks: toks}
	op := &gqlOp{kind: "query"}
	switch t := l.peek(); t {
	case "{":
	case "query", "mutation":
		l.next()
		op.kind = t
		if isName(l.peek()) {
			l.next() // the operation's name
		}
		if l.peek() == "(" {
			l.next()
			for l.peek() != ")" {
				if err := l.expect("$"); err != nil {
					return nil, err
				}
				l.next()
				if err := l.expect(":"); err != nil {
					return nil, err
				}
				if err := l.skipType(); err != nil {
					return nil, err
				}
				if l.peek() == "" {
					return nil, fmt.Errorf("unterminated variable definitions")
				}
			}
			l.next()
		}
	default:
		return nil, fmt.Errorf("unexpected %q (the fake serves one query or mutation)", t)
	}
	if op.sel, err = l.selectionSet(); err != nil {
		return nil, err
	}
	if t := l.peek(); t != "" {
		return nil, fmt.Errorf("unexpected %q after the operation (the fake serves one operation, no fragments)", t)
	}
	return op, nil
}

func (l *gqlLexer) skipType() error {
	if t := l.next(); !isName(t) {
		return fmt.Errorf("bad type %q (the fake takes named types only)", t)
	}
	if l.peek() == "!" {
		l.next()
	}
	return nil
}

func (l *gqlLexer) selectionSet() ([]*gqlField, error) {
	if err := l.expect("{"); err != nil {
		return nil, err
	}
	var out []*gqlField
	for l.peek() != "}" {
		if l.peek() == "" {
			return nil, fmt.Errorf("unterminated selection set")
		}
		if l.peek() == "..." {
			l.next()
			if err := l.expect("on"); err != nil {
				return nil, fmt.Errorf("%w (the fake takes inline fragments with a type condition only)", err)
			}
			on := l.next()
			if !isName(on) {
				return nil, fmt.Errorf("expected a type condition, got %q", on)
			}
			sel, err := l.selectionSet()
			if err != nil {
				return nil, err
			}
			out = append(out, &gqlField{inline: true, on: on, sel: sel})
			continue
		}
		name := l.next()
		if !isName(name) {
			return nil, fmt.Errorf("expected field name, got %q", name)
		}
		f := &gqlField{name: name}
		if l.peek() == ":" {
			l.next()
			f.alias = name
			f.name = l.next()
		}
		if l.peek() == "(" {
			args, err := l.arguments()
			if err != nil {
				return nil, err
			}
			f.args = args
		}
		if l.peek() == "{" {
			sel, err := l.selectionSet()
			if err != nil {
				return nil, err
			}
			f.sel = sel
		}
		out = append(out, f)
	}
	l.next()
	return out, nil
}

func (l *gqlLexer) arguments() (map[string]any, error) {
	if err := l.expect("("); err != nil {
		return nil, err
	}
	args := map[string]any{}
	for l.peek() != ")" {
		name := l.next()
		if !isName(name) {
			return nil, fmt.Errorf("expected argument name, got %q", name)
		}
		if err := l.expect(":"); err != nil {
			return nil, err
		}
		v, err := l.value()
		if err != nil {
			return nil, err
		}
		args[name] = v
	}
	l.next()
	return args, nil
}

// value parses a variable, an input object, a string, an integer or a
// boolean.
func (l *gqlLexer) value() (any, error) {
	t := l.next()
	switch {
	case t == "$":
		return gqlVar(l.next()), nil
	case t == "{":
		obj := map[string]any{}
		for l.peek() != "}" {
			k := l.next()
			if !isName(k) {
				return nil, fmt.Errorf("expected object key, got %q", k)
			}
			if err := l.expect(":"); err != nil {
				return nil, err
			}
			v, err := l.value()
			if err != nil {
				return nil, err
			}
			obj[k] = v
		}
		l.next()
		return obj, nil
	case strings.HasPrefix(t, `"`):
		s, err := strconv.Unquote(t)
		if err != nil {
			return nil, fmt.Errorf("bad string %s", t)
		}
		return s, nil
	case t == "true":
		return true, nil
	case t == "false":
		return false, nil
	case t != "" && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9')):
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad integer %s", t)
		}
		return n, nil
	}
	return nil, fmt.Errorf("unexpected %q in value", t)
}

// resolveValue substitutes variables.
func resolveValue(v any, vars map[string]any) any {
	switch x := v.(type) {
	case gqlVar:
		return vars[string(x)]
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolveValue(e, vars)
		}
		return out
	}
	return v
}
