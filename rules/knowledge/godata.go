package knowledge

import "strings"

// GoDataLibrary is a Go data-access package: the types whose values are
// its clients and what their methods do.
type GoDataLibrary struct {
	Name string
	// Packages are the import paths (a path matches its subpaths too).
	Packages []string
	// Types are the client types of those packages (sql.DB, gorm.DB).
	Types  []string
	Calls  callTable
	Source string
}

// goDataAPIs are the Go data-access packages. A method of a value whose
// declared type is one of Types is a data call.
//
// Replaces: nothing (the Go side of the model is new).
var goDataAPIs = []GoDataLibrary{
	{Name: "database/sql", Packages: []string{"database/sql"}, Types: []string{"DB", "Tx", "Conn", "Stmt"},
		Calls: calls(Read, "Query", "QueryContext", "QueryRow", "QueryRowContext").
			with(Write, "Exec", "ExecContext").with(ReadWrite, "Prepare", "PrepareContext", "Begin", "BeginTx"),
		Source: "https://pkg.go.dev/database/sql#DB"},
	{Name: "sqlx", Packages: []string{"github.com/jmoiron/sqlx"}, Types: []string{"DB", "Tx", "Conn"},
		Calls: calls(Read, "Query", "QueryContext", "QueryRow", "QueryRowContext", "Queryx", "QueryRowx", "Get", "GetContext",
			"Select", "SelectContext", "NamedQuery").
			with(Write, "Exec", "ExecContext", "MustExec", "NamedExec", "NamedExecContext"),
		Source: "https://pkg.go.dev/github.com/jmoiron/sqlx#DB"},
	{Name: "gorm", Packages: []string{"gorm.io/gorm", "github.com/jinzhu/gorm"}, Types: []string{"DB"},
		Calls: calls(Read, "Find", "First", "Take", "Last", "Count", "Pluck", "Scan", "Row", "Rows", "FindInBatches", "Preload").
			with(Write, "Create", "CreateInBatches", "Save", "Update", "Updates", "UpdateColumn", "UpdateColumns", "Delete",
				"FirstOrCreate").
			with(ReadWrite, "Exec", "Raw", "Transaction"),
		Source: "https://gorm.io/docs/query.html, https://gorm.io/docs/create.html, https://gorm.io/docs/update.html, https://gorm.io/docs/delete.html"},
	{Name: "pgx", Packages: []string{"github.com/jackc/pgx"}, Types: []string{"Conn", "Pool", "Tx"},
		Calls:  calls(Read, "Query", "QueryRow").with(Write, "Exec", "CopyFrom").with(ReadWrite, "SendBatch", "Begin", "BeginTx"),
		Source: "https://pkg.go.dev/github.com/jackc/pgx/v5#Conn, https://pkg.go.dev/github.com/jackc/pgx/v5/pgxpool#Pool"},
	{Name: "ent", Packages: []string{"entgo.io/ent"}, Types: []string{"Client", "Tx"},
		Calls: calls(Read, "Query", "Get", "GetX", "All", "AllX", "Only", "OnlyX", "First", "FirstX", "Count").
			with(Write, "Create", "CreateBulk", "Update", "UpdateOne", "UpdateOneID", "Delete", "DeleteOne", "DeleteOneID",
				"Save", "SaveX", "Exec", "ExecX"),
		Source: "https://entgo.io/docs/crud"},
}

// GoDataType reports whether typ of the package importPath is a data
// client ("database/sql", "DB"), and names its library.
func GoDataType(importPath, typ string) (string, bool) {
	for _, lib := range goDataAPIs {
		if !goFromAny(lib.Packages, importPath) {
			continue
		}
		for _, t := range lib.Types {
			if t == typ {
				return lib.Name, true
			}
		}
	}
	return "", false
}

// GoDataCall returns the effect of the method of a client of the named
// library (as GoDataType names it).
func GoDataCall(library, method string) (Effect, bool) {
	for _, lib := range goDataAPIs {
		if lib.Name == library {
			e, ok := lib.Calls[method]
			return e, ok
		}
	}
	return 0, false
}

// GoDataLibraries returns the Go data-access packages.
func GoDataLibraries() []GoDataLibrary { return append([]GoDataLibrary(nil), goDataAPIs...) }

func goFromAny(pkgs []string, ip string) bool {
	for _, p := range pkgs {
		if ip == p || strings.HasPrefix(ip, p+"/") {
			return true
		}
	}
	return false
}
