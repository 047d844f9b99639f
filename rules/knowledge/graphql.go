package knowledge

import (
	"regexp"
	"strings"
)

// GraphQLOp is the operation a GraphQL document sent over HTTP asks for.
type GraphQLOp struct {
	Name string // the operation's name ("DeletePost"); "" when anonymous
	// Fields are the names of the fields the operation calls with
	// arguments (createPost, publishPost), in document order.
	Fields []string
}

// Creates reports whether every field the mutation calls adds a record
// (createPost, addComment, insertRow): nothing existing is changed.
func (op GraphQLOp) Creates() bool {
	if len(op.Fields) == 0 {
		return false
	}
	for _, f := range op.Fields {
		if !graphQLCreate.MatchString(f) {
			return false
		}
	}
	return true
}

// graphQLMutationStart matches a document whose operation is a mutation:
// the keyword `mutation`, then the optional name. A document that starts
// with `query` or with a bare selection set `{` reads.
//
// Source: the GraphQL specification, "Operations"
// (https://spec.graphql.org/October2021/#sec-Language.Operations: "There
// are three types of operations that GraphQL models: query – a read-only
// fetch; mutation – a write followed by a fetch; subscription"; the
// shorthand `{ ... }` is a query), and "Mutation" (a mutation's top-level
// fields are executed serially because they have side effects,
// https://spec.graphql.org/October2021/#sec-Mutation). Comments start
// with `#` (https://spec.graphql.org/October2021/#sec-Comments).
var graphQLMutationStart = regexp.MustCompile(`^\s*(?:#[^\n]*\n\s*)*mutation\b\s*([_A-Za-z][_0-9A-Za-z]*)?`)

// graphQLField matches a field called with arguments: `createPost(`.
var graphQLField = regexp.MustCompile(`([_A-Za-z][_0-9A-Za-z]*)\s*\(`)

// graphQLCreate matches the field names that conventionally add a record
// (Hygraph createPost, Hasura insert_posts, GitHub addComment).
//
// Sources: Hygraph's generated mutations
// (https://hygraph.com/docs/api-reference/content-api/mutations: create,
// update, upsert, delete, publish, unpublish), Hasura's insert_<table>
// (https://hasura.io/docs/2.0/mutations/postgres/insert/), and the GitHub
// GraphQL API's add* mutations (https://docs.github.com/en/graphql/reference/mutations).
var graphQLCreate = regexp.MustCompile(`^(?i:create|add|insert)`)

// GraphQLMutation reports whether doc, the text of a GraphQL document, is
// a mutation, and which fields it calls.
func GraphQLMutation(doc string) (GraphQLOp, bool) {
	m := graphQLMutationStart.FindStringSubmatch(doc)
	if m == nil {
		return GraphQLOp{}, false
	}
	op := GraphQLOp{Name: m[1]}
	rest := doc[len(m[0]):]
	if i := strings.IndexByte(rest, '{'); i >= 0 {
		// The variable definitions before the selection set are not fields.
		rest = rest[i:]
	}
	for _, f := range graphQLField.FindAllStringSubmatch(rest, -1) {
		op.Fields = append(op.Fields, f[1])
	}
	return op, true
}
