package modules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// errJSONC is returned for JSON-with-comments text that cannot be read.
var errJSONC = errors.New("malformed JSON with comments")

// standardJSON turns JSON with comments and trailing commas (the dialect of
// tsconfig.json, jsconfig.json and deno.jsonc, "JSONC") into standard JSON.
// Comments become spaces and a trailing comma before `]` or `}` becomes a
// space, so byte offsets and line numbers stay those of the input. A byte
// order mark is dropped. Standard JSON is returned unchanged.
//
// It does not validate the rest of the syntax; json.Unmarshal does that.
func standardJSON(in []byte) ([]byte, error) {
	in = bytes.TrimPrefix(in, []byte("\xef\xbb\xbf"))
	out := make([]byte, len(in))
	copy(out, in)
	last := -1 // index of the last significant byte written
	for i := 0; i < len(out); i++ {
		switch c := out[i]; c {
		case '"':
			j := i + 1
			for ; j < len(out); j++ {
				if out[j] == '\\' {
					j++
					continue
				}
				if out[j] == '"' {
					break
				}
			}
			if j >= len(out) {
				return nil, fmt.Errorf("%w: unterminated string at byte %d", errJSONC, i)
			}
			last, i = j, j
		case '/':
			if i+1 >= len(out) {
				return nil, fmt.Errorf("%w: stray '/' at byte %d", errJSONC, i)
			}
			switch out[i+1] {
			case '/':
				j := i
				for ; j < len(out) && out[j] != '\n'; j++ {
					out[j] = ' '
				}
				i = j - 1
			case '*':
				end := bytes.Index(out[i+2:], []byte("*/"))
				if end < 0 {
					return nil, fmt.Errorf("%w: unterminated comment at byte %d", errJSONC, i)
				}
				stop := i + 2 + end + 2
				for j := i; j < stop; j++ {
					if out[j] != '\n' && out[j] != '\r' {
						out[j] = ' '
					}
				}
				i = stop - 1
			default:
				return nil, fmt.Errorf("%w: stray '/' at byte %d", errJSONC, i)
			}
		case ' ', '\t', '\n', '\r':
		case ']', '}':
			if last >= 0 && out[last] == ',' {
				out[last] = ' '
			}
			last = i
		default:
			last = i
		}
	}
	return out, nil
}

// unmarshalJSONC decodes JSON with comments into v.
func unmarshalJSONC(data []byte, v any) error {
	std, err := standardJSON(data)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(std, v); err != nil {
		return fmt.Errorf("%w: %v", errJSONC, err)
	}
	return nil
}

// member is one key of a JSON object, in source order.
type member struct {
	Key   string
	Value json.RawMessage
}

// objectMembers returns the members of a JSON object in source order (the
// order package.json "exports" and "imports" conditions are tried in). It
// returns ok=false when raw is not an object.
func objectMembers(raw json.RawMessage) ([]member, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var out []member
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, false
		}
		k, ok := kt.(string)
		if !ok {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, member{Key: k, Value: v})
	}
	return out, true
}
