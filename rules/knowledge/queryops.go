package knowledge

// OperatorRole is what a query or update operator does to the records or
// fields it names.
type OperatorRole uint8

// Operator roles.
const (
	// Negates: a filter key whose operand the query excludes (NOT:
	// { userId }, $ne): a value under it selects everyone else's records.
	Negates OperatorRole = iota + 1
	// NegatesCall: a query-builder function that negates its operands
	// (Drizzle's ne(t.userId, userId)).
	NegatesCall
	// Appends: an update key that adds an element to an array field and
	// changes nothing else in it.
	Appends
	// AppendModifier: a key inside an append's value that only shapes
	// how it appends ($each lists the elements; $slice, $sort, $position
	// bound or order the array).
	AppendModifier
)

type queryOperator struct {
	Key    string
	Role   OperatorRole
	Source string
}

var queryOperators = []queryOperator{
	{Key: "NOT", Role: Negates, Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#not-1 (the NOT combinator: records that match none of its conditions)"},
	{Key: "not", Role: Negates, Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#not (field filter: value does not equal n)"},
	{Key: "notIn", Role: Negates, Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#notin"},
	{Key: "$ne", Role: Negates, Source: "https://www.mongodb.com/docs/manual/reference/operator/query/ne/"},
	{Key: "$nin", Role: Negates, Source: "https://www.mongodb.com/docs/manual/reference/operator/query/nin/"},
	{Key: "$not", Role: Negates, Source: "https://www.mongodb.com/docs/manual/reference/operator/query/not/"},
	{Key: "$nor", Role: Negates, Source: "https://www.mongodb.com/docs/manual/reference/operator/query/nor/"},
	{Key: "ne", Role: NegatesCall, Source: "https://orm.drizzle.team/docs/operators#ne"},
	{Key: "notInArray", Role: NegatesCall, Source: "https://orm.drizzle.team/docs/operators#notinarray"},
	{Key: "not", Role: NegatesCall, Source: "https://orm.drizzle.team/docs/operators#not"},
	{Key: "$push", Role: Appends, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/push/"},
	{Key: "$addToSet", Role: Appends, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/addToSet/"},
	{Key: "push", Role: Appends, Source: "https://www.prisma.io/docs/orm/prisma-client/special-fields-and-types/working-with-scalar-lists-arrays#adding-items-to-a-scalar-list"},
	{Key: "$each", Role: AppendModifier, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/each/"},
	{Key: "$slice", Role: AppendModifier, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/slice/"},
	{Key: "$sort", Role: AppendModifier, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/sort/"},
	{Key: "$position", Role: AppendModifier, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/position/"},
}

// QueryOperator reports whether key (an object key of a filter or an
// update, or with NegatesCall the callee's last segment) is an operator
// with the role r: Prisma's NOT/not/notIn and MongoDB's $ne/$nin/$not/$nor
// negate, Drizzle's ne/notInArray/not negate as calls, MongoDB's
// $push/$addToSet and Prisma's push append, with $each/$slice/$sort/
// $position as the append's modifiers.
func QueryOperator(key string, r OperatorRole) bool {
	for _, o := range queryOperators {
		if o.Key == key && o.Role == r {
			return true
		}
	}
	return false
}
