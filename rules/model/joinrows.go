package model

import (
	"context"
	"slices"
	"strings"
)

// prismaJoinRows returns the Prisma models, by client name, that link two
// other models of the schema: the model holds the relation fields to both
// (`@relation(fields: [...])`), its name is made of theirs (User_Recipe,
// UserRecipe, RecipeUser), and none of its fields holds contact data or
// a credential (privateField). Such a row says that a user rated, joined or
// saved a thing; the "user" in its name does not make it that user's
// private record, so a read of it is judged by its declared fields, like a
// Convex table's (Effect.Declared). A schema that cannot be read adds
// nothing.
func (m *Model) prismaJoinRows(ctx context.Context) map[string]bool {
	out, _ := m.joinRows.get(func() (map[string]bool, error) {
		models := map[string]bool{}
		m.prismaFields(ctx, func(model string, _ []string, _ string) { models[model] = true })
		targets := map[string][]string{}
		private := map[string]bool{}
		m.prismaFields(ctx, func(model string, f []string, line string) {
			if len(f) < 2 {
				return
			}
			if privateField(f[0]) {
				private[model] = true
			}
			t := strings.TrimRight(f[1], "?[]")
			if t == "" || !strings.Contains(line, "@relation") || !strings.Contains(line, "fields:") {
				return
			}
			t = strings.ToLower(t[:1]) + t[1:]
			if models[t] && !slices.Contains(targets[model], t) {
				targets[model] = append(targets[model], t)
			}
		})
		out := map[string]bool{}
		for model, ts := range targets {
			if !private[model] && joinName(model, ts) {
				out[model] = true
			}
		}
		return out, nil
	})
	return out
}

// joinName reports whether a model's name is the names of two of the
// models it relates to, in either order (user_Recipe of user and recipe).
func joinName(model string, targets []string) bool {
	name := strings.ToLower(strings.ReplaceAll(model, "_", ""))
	for _, a := range targets {
		for _, b := range targets {
			if a != b && name == strings.ToLower(a+b) {
				return true
			}
		}
	}
	return false
}
