package rbac

import (
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
)

// bindsName reports whether a parameter list or binding pattern binds name.
func bindsName(f *jsast.File, pat *jsast.Node, name string) bool {
	if pat == nil {
		return false
	}
	found := false
	jsast.Walk(pat, func(n *jsast.Node) bool {
		if found {
			return false
		}
		switch n.Type {
		case "identifier", "shorthand_property_identifier_pattern":
			if f.Text(n) == name && n.Field != "type" {
				found = true
			}
		case "type_annotation":
			return false
		case "pair_pattern":
			if v := n.ChildByField("value"); v != nil {
				jsast.Walk(v, func(x *jsast.Node) bool {
					if (x.Type == "identifier" || x.Type == "shorthand_property_identifier_pattern") && f.Text(x) == name {
						found = true
					}
					return !found
				})
			}
			return false
		}
		return true
	})
	return found
}

// shortText trims source text for a message.
func shortText(f *jsast.File, n *jsast.Node) string {
	t := strings.Join(strings.Fields(f.Text(n)), " ")
	if len(t) > 60 {
		t = t[:57] + "..."
	}
	return t
}

func patternNames(f *jsast.File, pat *jsast.Node) []string {
	if pat == nil {
		return nil
	}
	switch pat.Type {
	case "identifier":
		return []string{f.Text(pat)}
	}
	var out []string
	jsast.Walk(pat, func(n *jsast.Node) bool {
		switch n.Type {
		case "shorthand_property_identifier_pattern":
			out = append(out, f.Text(n))
		case "pair_pattern":
			if v := n.ChildByField("value"); v != nil && v.Type == "identifier" {
				out = append(out, f.Text(v))
			}
		}
		return true
	})
	return out
}

// hasAuthzKey reports whether an options object names a role or permission.
func hasAuthzKey(f *jsast.File, obj *jsast.Node) bool {
	for _, k := range f.ObjectKeys(obj) {
		switch k {
		case "role", "permission", "roles", "permissions", "plan", "feature":
			return true
		}
	}
	return false
}

func isComparison(f *jsast.File, n *jsast.Node) bool {
	op := n.ChildByField("operator")
	if op == nil {
		return false
	}
	switch f.Text(op) {
	case "===", "!==", "==", "!=":
		return true
	}
	return false
}
