package knowledge

// RelationArg is an argument key of an ORM read that brings related rows
// into its result, or narrows the fields of those rows.
type RelationArg struct {
	ORM string
	Key string
	// Brings is set on a key whose object names relations to return
	// (include, select): `true` returns the related rows whole.
	Brings bool
	// Narrows is set on a key that limits the fields returned (select,
	// omit).
	Narrows bool
	Source  string
}

// relationArgs are the relation arguments known. A Prisma schema field
// whose type is another model is a relation field
// (`user User @relation(fields: [userId], references: [id])`).
var relationArgs = []RelationArg{
	{ORM: "prisma", Key: "include", Brings: true,
		Source: "https://www.prisma.io/docs/orm/prisma-client/queries/relation-queries (include: { posts: true } returns the related records with all their scalar fields; includes nest)"},
	{ORM: "prisma", Key: "select", Brings: true, Narrows: true,
		Source: "https://www.prisma.io/docs/orm/prisma-client/queries/select-fields (select: { author: true } returns the relation whole; select: { name: true } only the named fields)"},
	{ORM: "prisma", Key: "omit", Narrows: true,
		Source: "https://www.prisma.io/docs/orm/prisma-client/queries/excluding-fields (omit: { email: true } leaves the named fields out)"},
}

// RelationArgs returns the keys of an ORM read's arguments that bring
// related rows into its result (include, select) and those that narrow
// their fields (select, omit).
func RelationArgs(orm string) (brings, narrows []string) {
	for _, r := range relationArgs {
		if r.ORM != orm {
			continue
		}
		if r.Brings {
			brings = append(brings, r.Key)
		}
		if r.Narrows {
			narrows = append(narrows, r.Key)
		}
	}
	return brings, narrows
}
