package fakegithub

import (
	"fmt"
	"strconv"
	"strings"
)

// A minimal GraphQL document parser: operations (query/mutation, variables with
// defaults), fields with aliases and arguments, inline fragments and named fragments.
// Directives are parsed and ignored.

type gqlVar string  // $name
type gqlEnum string // bare enum value

type gqlField struct {
	alias  string
	name   string // "...Name" for a fragment spread
	args   map[string]any
	sel    []*gqlField
	inline bool   // inline fragment: sel is merged into the parent
	on     string // an inline fragment's type condition ("" = none)
}

// gqlFrag is a named fragment: its type condition and selection.
type gqlFrag struct {
	on  string
	sel []*gqlField
}

type gqlOp struct {
	kind     string // query or mutation
	name     string
	defaults map[string]any
	sel      []*gqlField
}

type gqlDoc struct {
	ops   []*gqlOp
	frags map[string]gqlFrag
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
		case strings.ContainsRune("!$():=@[]{}|&", rune(ch)):
			toks = append(toks, string(ch))
			i++
		case ch == '"':
			if strings.HasPrefix(src[i:], `"""`) {
				end := strings.Index(src[i+3:], `"""`)
				if end < 0 {
					return nil, fmt.Errorf("unterminated block string")
				}
				toks = append(toks, strconv.Quote(src[i+3:i+3+end]))
				i += end + 6
				continue
			}
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
			for j < len(src) && strings.IndexByte("0123456789.eE+-", src[j]) >= 0 {
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

func parseGraphQL(src string) (*gqlDoc, error) {
	toks, err := lexGraphQL(src)
	if err != nil {
		return nil, err
	}
	l := &gqlLexer{toks: toks}
	doc := &gqlDoc{frags: map[string]gqlFrag{}}
	for l.peek() != "" {
		switch t := l.peek(); t {
		case "{":
			sel, err := l.selectionSet()
			if err != nil {
				return nil, err
			}
			doc.ops = append(doc.ops, &gqlOp{kind: "query", sel: sel, defaults: map[string]any{}})
		case "query", "mutation", "subscription":
			l.next()
			op := &gqlOp{kind: t, defaults: map[string]any{}}
			if isName(l.peek()) {
				op.name = l.next()
			}
			if l.peek() == "(" {
				l.next()
				for l.peek() != ")" {
					if err := l.expect("$"); err != nil {
						return nil, err
					}
					name := l.next()
					if err := l.expect(":"); err != nil {
						return nil, err
					}
					if err := l.skipType(); err != nil {
						return nil, err
					}
					if l.peek() == "=" {
						l.next()
						v, err := l.value()
						if err != nil {
							return nil, err
						}
						op.defaults[name] = v
					}
					if l.peek() == "" {
						return nil, fmt.Errorf("unterminated variable definitions")
					}
				}
				l.next()
			}
			if err := l.skipDirectives(); err != nil {
				return nil, err
			}
			sel, err := l.selectionSet()
			if err != nil {
				return nil, err
			}
			op.sel = sel
			doc.ops = append(doc.ops, op)
		case "fragment":
			l.next()
			name := l.next()
			if err := l.expect("on"); err != nil {
				return nil, err
			}
			on := l.next()
			if !isName(on) {
				return nil, fmt.Errorf("expected a type condition, got %q", on)
			}
			if err := l.skipDirectives(); err != nil {
				return nil, err
			}
			sel, err := l.selectionSet()
			if err != nil {
				return nil, err
			}
			doc.frags[name] = gqlFrag{on: on, sel: sel}
		default:
			return nil, fmt.Errorf("unexpected %q", t)
		}
	}
	return doc, nil
}

func (l *gqlLexer) skipType() error {
	switch t := l.next(); {
	case t == "[":
		if err := l.skipType(); err != nil {
			return err
		}
		if err := l.expect("]"); err != nil {
			return err
		}
	case isName(t):
	default:
		return fmt.Errorf("bad type %q", t)
	}
	if l.peek() == "!" {
		l.next()
	}
	return nil
}

func (l *gqlLexer) skipDirectives() error {
	for l.peek() == "@" {
		l.next()
		l.next()
		if l.peek() == "(" {
			if _, err := l.arguments(); err != nil {
				return err
			}
		}
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
			if l.peek() == "on" || l.peek() == "{" || l.peek() == "@" {
				on := ""
				if l.peek() == "on" {
					l.next()
					on = l.next()
					if !isName(on) {
						return nil, fmt.Errorf("expected a type condition, got %q", on)
					}
				}
				if err := l.skipDirectives(); err != nil {
					return nil, err
				}
				sel, err := l.selectionSet()
				if err != nil {
					return nil, err
				}
				out = append(out, &gqlField{inline: true, on: on, sel: sel})
				continue
			}
			out = append(out, &gqlField{name: "..." + l.next()})
			if err := l.skipDirectives(); err != nil {
				return nil, err
			}
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
		if err := l.skipDirectives(); err != nil {
			return nil, err
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

func (l *gqlLexer) value() (any, error) {
	t := l.next()
	switch {
	case t == "$":
		return gqlVar(l.next()), nil
	case t == "[":
		var list []any
		for l.peek() != "]" {
			if l.peek() == "" {
				return nil, fmt.Errorf("unterminated list")
			}
			v, err := l.value()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		l.next()
		return list, nil
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
	case t == "null":
		return nil, nil
	case t != "" && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9')):
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			return n, nil
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %s", t)
		}
		return f, nil
	case isName(t):
		return gqlEnum(t), nil
	}
	return nil, fmt.Errorf("unexpected %q in value", t)
}

// resolveValue substitutes variables.
func resolveValue(v any, vars map[string]any) any {
	switch x := v.(type) {
	case gqlVar:
		return vars[string(x)]
	case gqlEnum:
		return string(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolveValue(e, vars)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolveValue(e, vars)
		}
		return out
	}
	return v
}
