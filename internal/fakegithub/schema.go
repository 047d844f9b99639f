package fakegithub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaSet holds the operation index and the compiled request schemas.
type schemaSet struct {
	dir      string
	ops      map[string]string // "METHOD /template" -> operationId ("checks/create")
	requests map[string]*jsonschema.Schema
}

// findFixturesDir locates fixtures/github: next to this source file's module root, or
// in the working directory or one of its parents.
func findFixturesDir() (string, error) {
	var tried []string
	if _, file, _, ok := runtime.Caller(0); ok {
		d := filepath.Join(filepath.Dir(file), "..", "..", "fixtures", "github")
		if fileExists(filepath.Join(d, "openapi", "index.json")) {
			return filepath.Clean(d), nil
		}
		tried = append(tried, d)
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			c := filepath.Join(d, "fixtures", "github")
			if fileExists(filepath.Join(c, "openapi", "index.json")) {
				return c, nil
			}
			tried = append(tried, c)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("fakegithub: fixtures/github not found (tried %s); set Options.FixturesDir", strings.Join(tried, ", "))
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func loadSchemas(dir string) (*schemaSet, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "openapi", "index.json"))
	if err != nil {
		return nil, fmt.Errorf("fakegithub: read operation index: %w", err)
	}
	var index map[string]string
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, fmt.Errorf("fakegithub: parse operation index: %w", err)
	}
	ss := &schemaSet{dir: dir, ops: map[string]string{}, requests: map[string]*jsonschema.Schema{}}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for key, file := range index {
		op := strings.TrimSuffix(file, ".json")
		ss.ops[key] = op
		p := filepath.Join(dir, "openapi", "jsonschema", filepath.FromSlash(op)+".request.json")
		if !fileExists(p) {
			continue
		}
		sch, err := compileFile(c, p)
		if err != nil {
			return nil, err
		}
		ss.requests[op] = sch
	}
	return ss, nil
}

// compileFile compiles one schema file, registered under its own $id.
func compileFile(c *jsonschema.Compiler, p string) (*jsonschema.Schema, error) {
	raw, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("fakegithub: read schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("fakegithub: parse schema %s: %w", p, err)
	}
	id := "file://" + filepath.ToSlash(p)
	if m, ok := doc.(map[string]any); ok {
		if s, ok := m["$id"].(string); ok && s != "" {
			id = s
		}
	}
	if err := c.AddResource(id, doc); err != nil {
		return nil, fmt.Errorf("fakegithub: add schema %s: %w", p, err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("fakegithub: compile schema %s: %w", p, err)
	}
	return sch, nil
}

// ResponseSchema compiles the response schema of an operation (e.g. "checks/create",
// 201) from the fixtures directory. Tests use it to check the fake's own responses.
func ResponseSchema(fixturesDir, operationID string, status int) (*jsonschema.Schema, error) {
	if fixturesDir == "" {
		d, err := findFixturesDir()
		if err != nil {
			return nil, err
		}
		fixturesDir = d
	}
	p := filepath.Join(fixturesDir, "openapi", "jsonschema", filepath.FromSlash(operationID)+fmt.Sprintf(".response.%d.json", status))
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	return compileFile(c, p)
}

// validateBody validates a request body against the operation's request schema.
// It returns "" when the body is valid (or the operation has no request schema).
func (ss *schemaSet) validateBody(op string, body []byte) string {
	sch := ss.requests[op]
	if sch == nil {
		return ""
	}
	// GitHub treats an empty body and a JSON null (ghinstallation sends one when it
	// has no token options) as no parameters.
	if t := bytes.TrimSpace(body); len(t) == 0 || string(t) == "null" {
		body = []byte("{}")
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return "Problems parsing JSON: " + err.Error()
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return ve.Error()
		}
		return err.Error()
	}
	return ""
}
