package knowledge

// negatingFilter is a query filter operator that excludes the records
// its operand names: a value under it (NOT: { userId }, $ne, ne(t.userId,
// userId)) selects everyone else's records, so the caller's identity
// written there scopes nothing to the caller.
type negatingFilter struct {
	// Key is the operator as an object key of a filter (Prisma, MongoDB)
	// or, with Call set, as the name of a query-builder function (Drizzle).
	Key    string
	Call   bool
	Source string
}

var negatingFilters = []negatingFilter{
	{Key: "NOT", Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#not-1 (the NOT combinator: records that match none of its conditions)"},
	{Key: "not", Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#not (field filter: value does not equal n)"},
	{Key: "notIn", Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#notin"},
	{Key: "$ne", Source: "https://www.mongodb.com/docs/manual/reference/operator/query/ne/"},
	{Key: "$nin", Source: "https://www.mongodb.com/docs/manual/reference/operator/query/nin/"},
	{Key: "$not", Source: "https://www.mongodb.com/docs/manual/reference/operator/query/not/"},
	{Key: "$nor", Source: "https://www.mongodb.com/docs/manual/reference/operator/query/nor/"},
	{Key: "ne", Call: true, Source: "https://orm.drizzle.team/docs/operators#ne"},
	{Key: "notInArray", Call: true, Source: "https://orm.drizzle.team/docs/operators#notinarray"},
	{Key: "not", Call: true, Source: "https://orm.drizzle.team/docs/operators#not"},
}

// NegatingFilterKey reports whether an object key in a query filter
// negates what is under it (Prisma's NOT, not, notIn; MongoDB's $ne,
// $nin, $not, $nor).
func NegatingFilterKey(k string) bool {
	for _, f := range negatingFilters {
		if !f.Call && f.Key == k {
			return true
		}
	}
	return false
}

// NegatingFilterCall reports whether a query-builder function (the
// callee's last segment) negates its operands (Drizzle's ne, notInArray,
// not).
func NegatingFilterCall(name string) bool {
	for _, f := range negatingFilters {
		if f.Call && f.Key == name {
			return true
		}
	}
	return false
}
