package knowledge

// SchemaFact is a library call whose argument declares the fields of a
// request body or a table: a validator middleware takes the body's schema,
// a schema generator derives one from a table, a table definer lists the
// columns.
type SchemaFact struct {
	Package string // the import path: "@hono/zod-validator"
	Export  string // "zValidator"
	Role    SchemaRole
	Arg     int // the argument holding the schema, table or columns
	// BodyTargets are the values of a validator's first argument that
	// validate the request body ("json", "form"); other targets (param,
	// query, header) validate something else.
	BodyTargets []string
	Source      string
}

// SchemaRole says what a SchemaFact's argument is.
type SchemaRole uint8

// Schema roles.
const (
	ValidatorSchema SchemaRole = iota + 1 // the schema a request body is validated with
	TableSchema                           // a schema derived from a table's columns
	TableColumns                          // the columns of a table definition
)

// schemaFacts are the schema-bearing calls known.
var schemaFacts = []SchemaFact{
	{Package: "@hono/zod-validator", Export: "zValidator", Role: ValidatorSchema, Arg: 1, BodyTargets: []string{"json", "form"},
		Source: "https://github.com/honojs/middleware/tree/main/packages/zod-validator (zValidator(target, schema); c.req.valid(target) is the parsed value)"},
	{Package: "drizzle-zod", Export: "createInsertSchema", Role: TableSchema, Arg: 0,
		Source: "https://orm.drizzle.team/docs/zod (createInsertSchema(table): a schema with the table's columns)"},
	{Package: "drizzle-zod", Export: "createUpdateSchema", Role: TableSchema, Arg: 0, Source: "https://orm.drizzle.team/docs/zod"},
	{Package: "drizzle-zod", Export: "createSelectSchema", Role: TableSchema, Arg: 0, Source: "https://orm.drizzle.team/docs/zod"},
	{Package: "drizzle-orm/pg-core", Export: "pgTable", Role: TableColumns, Arg: 1,
		Source: "https://orm.drizzle.team/docs/sql-schema-declaration (pgTable(name, columns))"},
	{Package: "drizzle-orm/mysql-core", Export: "mysqlTable", Role: TableColumns, Arg: 1, Source: "https://orm.drizzle.team/docs/sql-schema-declaration"},
	{Package: "drizzle-orm/sqlite-core", Export: "sqliteTable", Role: TableColumns, Arg: 1, Source: "https://orm.drizzle.team/docs/sql-schema-declaration"},
}

// SchemaFactOf returns the schema fact of a call of export from pkg.
func SchemaFactOf(pkg, export string) (SchemaFact, bool) {
	for _, s := range schemaFacts {
		if s.Package == pkg && s.Export == export {
			return s, true
		}
	}
	return SchemaFact{}, false
}

// SchemaStep says how a schema method's result relates to its receiver.
type SchemaStep uint8

// Schema steps.
const (
	StepSame    SchemaStep = iota + 1 // the receiver's fields (partial(), strict())
	StepOnly                          // the keys of the argument object (pick({ a: true }))
	StepWithout                       // the receiver's fields but the argument's keys (omit({ id: true }))
	StepPlus                          // the receiver's fields and the argument's (extend({...}), merge(schema))
	StepInner                         // the argument's fields (z.object({...}), z.array(schema))
)

// zodSteps are the zod calls a schema is built or refined with.
//
// Source: https://zod.dev/api (z.object, z.array; .pick, .omit, .extend,
// .merge, .partial, .required, .strict, .passthrough, .strip).
var zodSteps = map[string]SchemaStep{
	"object": StepInner, "array": StepInner, "pick": StepOnly, "omit": StepWithout, "extend": StepPlus, "merge": StepPlus,
	"partial": StepSame, "required": StepSame, "strict": StepSame, "passthrough": StepSame, "strip": StepSame,
	"deepPartial": StepSame,
}

// SchemaStepOf returns how the schema method name relates its result to
// its receiver and argument.
func SchemaStepOf(name string) (SchemaStep, bool) {
	s, ok := zodSteps[name]
	return s, ok
}
