package model

import (
	"context"
	"path"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
)

// PublicConfig is a configuration value that the framework sends to every
// browser (knowledge.PublicConfigIn): a leaf under Nuxt's
// runtimeConfig.public or under the `clerk:` options @clerk/nuxt copies
// there.
type PublicConfig struct {
	// Key is the dotted path of the value ("clerk.secretKey",
	// "runtimeConfig.public.clerk.machineSecretKey").
	Key string
	// Root is the public key it lies under ("clerk", "runtimeConfig.public").
	Root string
	Location
	Col int
	// Value is the value's expression, in File.
	Value *jsast.Node
	// Why says how it reaches the browser.
	Why string
}

// ClientConfig returns the values of the configuration file at p that
// reach the browser, in source order; nil for a file that is no
// framework configuration.
func (m *Model) ClientConfig(ctx context.Context, p string) ([]PublicConfig, error) {
	base := path.Base(p)
	pcs := knowledge.PublicConfigIn(strings.TrimSuffix(base, path.Ext(base)))
	if len(pcs) == 0 {
		return nil, nil
	}
	f, err := m.parse(ctx, p)
	if err != nil {
		return nil, err
	}
	cfg := configObject(f)
	if cfg == nil {
		return nil, nil
	}
	var out []PublicConfig
	for _, pc := range pcs {
		obj := cfg
		for _, k := range strings.Split(pc.Key, ".") {
			obj = jsast.Unwrap(f.ObjectProp(obj, k))
		}
		if obj == nil || obj.Type != "object" {
			continue
		}
		var walk func(obj *jsast.Node, prefix string, depth int)
		walk = func(obj *jsast.Node, prefix string, depth int) {
			for _, c := range obj.NamedChildren() {
				if c.Type != "pair" {
					continue
				}
				k := c.ChildByField("key")
				key := f.Text(k)
				if s, ok := f.StringValue(k); ok {
					key = s
				}
				v := jsast.Unwrap(c.ChildByField("value"))
				if v != nil && v.Type == "object" && depth < MaxWrapperDepth {
					walk(v, prefix+"."+key, depth+1)
					continue
				}
				out = append(out, PublicConfig{Key: prefix + "." + key, Root: pc.Key, Location: Location{File: p, Line: c.Line}, Col: c.Col,
					Value: v, Why: pc.Why})
			}
		}
		walk(obj, pc.Key, 0)
	}
	return out, nil
}

// configObject returns the object passed to a define*Config() call that
// the file exports by default, or the default-exported object.
func configObject(f *jsast.File) *jsast.Node {
	for _, e := range f.Exports() {
		if e.Name != "default" {
			continue
		}
		v := jsast.Unwrap(e.Value)
		if v != nil && v.Type == "call_expression" {
			if a := jsast.Args(v); len(a) > 0 {
				v = jsast.Unwrap(a[0])
			}
		}
		if v != nil && v.Type == "object" {
			return v
		}
	}
	return nil
}
