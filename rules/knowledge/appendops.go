package knowledge

// appendOperator is an update operator that adds an element to an array
// field of the record it selects and changes nothing else in it.
type appendOperator struct {
	Key string
	// Modifier marks a key that only shapes how the operator appends
	// ($each lists the elements; $slice, $sort, $position bound or order
	// the array), not an operator of its own.
	Modifier bool
	Source   string
}

var appendOperators = []appendOperator{
	{Key: "$push", Source: "https://www.mongodb.com/docs/manual/reference/operator/update/push/"},
	{Key: "$addToSet", Source: "https://www.mongodb.com/docs/manual/reference/operator/update/addToSet/"},
	{Key: "push", Source: "https://www.prisma.io/docs/orm/prisma-client/special-fields-and-types/working-with-scalar-lists-arrays#adding-items-to-a-scalar-list"},
	{Key: "$each", Modifier: true, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/each/"},
	{Key: "$slice", Modifier: true, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/slice/"},
	{Key: "$sort", Modifier: true, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/sort/"},
	{Key: "$position", Modifier: true, Source: "https://www.mongodb.com/docs/manual/reference/operator/update/position/"},
}

// AppendOperator reports whether an update key appends to an array field
// (MongoDB's $push and $addToSet, Prisma's scalar-list push).
func AppendOperator(k string) bool {
	for _, o := range appendOperators {
		if o.Key == k && !o.Modifier {
			return true
		}
	}
	return false
}

// AppendModifier reports whether a key inside an append operator's value
// is one of its modifiers ($each, $slice, $sort, $position).
func AppendModifier(k string) bool {
	for _, o := range appendOperators {
		if o.Key == k && o.Modifier {
			return true
		}
	}
	return false
}
