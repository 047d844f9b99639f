package knowledge

import (
	"slices"
	"testing"
)

func TestGraphQLMutation(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		want    bool
		name    string
		fields  []string
		creates bool
	}{
		{"mutation DeletePost($id: ID!) { deletePost(where: { id: $id }) { id } }", true, "DeletePost", []string{"deletePost"}, false},
		{"\n  # comment\n  mutation {\n createTag(data: {}) { slug }\n }", true, "", []string{"createTag"}, true},
		{"mutation Both($s: String!) { createAuthor(data: { slug: $s }) { id } publishAuthor(where: { slug: $s }) { id } }", true, "Both", []string{"createAuthor", "publishAuthor"}, false},
		{"query GetPost($slug: String!) { post(where: { slug: $slug }) { id } }", false, "", nil, false},
		{"{ posts { title } }", false, "", nil, false},
		{"mutationally speaking", false, "", nil, false},
		{"", false, "", nil, false},
	} {
		op, ok := GraphQLMutation(tc.doc)
		if ok != tc.want || op.Name != tc.name || !slices.Equal(op.Fields, tc.fields) || op.Creates() != tc.creates {
			t.Errorf("GraphQLMutation(%q) = %+v, %v (creates %v); want name %q fields %v, %v (creates %v)", tc.doc, op, ok, op.Creates(), tc.name, tc.fields, tc.want, tc.creates)
		}
	}
}
