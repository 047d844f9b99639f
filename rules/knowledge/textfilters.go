package knowledge

// textFilter is a filter operator that matches a text field against a
// pattern (a search box), not a record's identity: a value under it
// narrows a listing by its words and picks out no one record.
type textFilter struct {
	Key    string
	Source string
}

// textFilters are the ORM filter operators that match text. mode only
// says how (case-insensitively) and holds a constant.
var textFilters = []textFilter{
	{Key: "contains", Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#contains"},
	{Key: "startsWith", Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#startswith"},
	{Key: "endsWith", Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#endswith"},
	{Key: "search", Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#search (full-text search)"},
	{Key: "mode", Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#mode (insensitive matching of the string filters)"},
	{Key: "$regex", Source: "https://www.mongodb.com/docs/manual/reference/operator/query/regex/"},
	{Key: "$text", Source: "https://www.mongodb.com/docs/manual/reference/operator/query/text/"},
}

// TextFilterKey reports whether an object key in a query filter is a
// text-matching operator (Prisma's contains, startsWith, endsWith, search,
// mode; MongoDB's $regex, $text).
func TextFilterKey(k string) bool {
	for _, f := range textFilters {
		if f.Key == k {
			return true
		}
	}
	return false
}
