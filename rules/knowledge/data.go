package knowledge

import (
	"sort"
	"strings"
)

// Effect is what a call does to stored data.
type Effect uint8

// Effects. ReadWrite is a call whose direction the call alone does not
// tell (raw SQL, a transaction, a Redis script).
const (
	Read      Effect = 1 << iota // reads stored data
	Write                        // creates, changes or deletes stored data
	ReadWrite = Read | Write
)

// Reads reports whether the effect may read data.
func (e Effect) Reads() bool { return e&Read != 0 }

// Writes reports whether the effect may write data.
func (e Effect) Writes() bool { return e&Write != 0 }

func (e Effect) String() string {
	switch e {
	case Read:
		return "read"
	case Write:
		return "write"
	case ReadWrite:
		return "read-write"
	}
	return "none"
}

// DataLibrary is one data-access library: the modules it is imported
// from, the conventional names of its client, and what its calls do.
type DataLibrary struct {
	Name string
	// Modules are the import paths (a path matches its subpaths too).
	// Empty for runtime bindings (Cloudflare D1's env.DB).
	Modules []string
	// Roots are the names its client is conventionally bound to.
	Roots []string
	// Calls maps a method (the callee's last segment) to its effect.
	Calls map[string]Effect
	// Tags are tagged-template functions that run SQL (sql`...`).
	Tags []string
	// KeyValue is set for a key-value store: a write stores one value
	// under a key the call names (SET key value), so a write with a
	// constant key and a server-computed value is a cache fill.
	KeyValue bool
	// Checkouts are methods of its pool that return a connected client
	// of the same library (pg's pool.connect(), mysql2's getConnection()),
	// whose calls are this library's calls.
	Checkouts []string
	// NullAsText is set for a query builder whose filters send a null or
	// undefined value as the text of a condition (PostgREST's
	// ?user_id=eq.undefined): such a filter matches no row, where an ORM
	// drops an undefined filter (every row) or tests IS NULL (the
	// ownerless rows).
	NullAsText bool
	Source     string
}

// dataAPIs are the data-access libraries and what each call does.
//
// Replaces: rules/routes/next_guard.go dataRoots and dataMethods,
// rules/routes/server_rules.go srvDataRoots, srvDataMethods and
// srvModelMethods, rules/rbac/rbac004_idor.go dbMethods, mongooseFilter
// and createMethods, rules/hardening/hard003_redirects.go dbRoot and
// dbWrite.
var dataAPIs = []DataLibrary{
	{Name: "prisma", Modules: []string{"@prisma/client"}, Roots: []string{"prisma", "db"},
		Calls: calls(Read, "findMany", "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "count", "aggregate",
			"groupBy", "$queryRaw", "$queryRawUnsafe").
			with(Write, "create", "createMany", "createManyAndReturn", "update", "updateMany", "updateManyAndReturn", "upsert",
				"delete", "deleteMany", "$executeRaw", "$executeRawUnsafe").
			with(ReadWrite, "$transaction", "$runCommandRaw"),
		Source: "https://www.prisma.io/docs/orm/reference/prisma-client-reference#model-queries"},
	{Name: "drizzle", Modules: []string{"drizzle-orm", "astro:db"}, Roots: []string{"db", "drizzle", "tx"},
		Calls: calls(Read, "select", "selectDistinct", "selectDistinctOn", "findMany", "findFirst", "$count").
			with(Write, "insert", "update", "delete").
			with(ReadWrite, "execute", "run", "transaction", "batch"),
		Source: "https://orm.drizzle.team/docs/select, /docs/insert, /docs/update, /docs/delete, /docs/rqb; " +
			"astro:db is Astro DB's Drizzle client and utilities (https://docs.astro.build/en/guides/astro-db/#query-your-database: " +
			"`import { db, Comment } from 'astro:db'`, `db.select().from(Comment)`, Drizzle's eq, sql, ...)"},
	{Name: "mongoose", Modules: []string{"mongoose"}, Roots: []string{"mongoose", "models"},
		Calls: calls(Read, "find", "findOne", "findById", "countDocuments", "estimatedDocumentCount", "exists", "distinct",
			"aggregate", "where").
			with(Write, "create", "insertMany", "updateOne", "updateMany", "replaceOne", "findOneAndUpdate", "findByIdAndUpdate",
				"findOneAndDelete", "findByIdAndDelete", "findOneAndReplace", "findOneAndRemove", "findByIdAndRemove", "deleteOne",
				"deleteMany", "bulkWrite", "save", "remove"),
		Source: "https://mongoosejs.com/docs/api/model.html"},
	{Name: "mongodb", Modules: []string{"mongodb"}, Roots: []string{"collection", "mongo", "client"},
		Calls: calls(Read, "find", "findOne", "countDocuments", "estimatedDocumentCount", "aggregate", "distinct").
			with(Write, "insertOne", "insertMany", "updateOne", "updateMany", "replaceOne", "deleteOne", "deleteMany",
				"findOneAndUpdate", "findOneAndDelete", "findOneAndReplace", "bulkWrite", "drop"),
		Source: "https://www.mongodb.com/docs/drivers/node/current/crud/"},
	{Name: "supabase", Modules: []string{"@supabase/supabase-js", "@supabase/ssr", "@supabase/auth-helpers-nextjs"},
		Roots: []string{"supabase", "sb"},
		Calls: calls(Read, "select", "download", "list", "createSignedUrl").
			with(Write, "insert", "update", "upsert", "delete", "upload", "remove", "move").
			with(ReadWrite, "rpc"),
		NullAsText: true,
		Source: "https://supabase.com/docs/reference/javascript/select, /insert, /update, /upsert, /delete, /rpc; " +
			"NullAsText: supabase/postgrest-js src/PostgrestFilterBuilder.ts (eq(column, value) appends `eq.${value}` to the query string) " +
			"and https://docs.postgrest.org/en/stable/references/api/tables_views.html#operators (NULL is tested with `is`, not `eq`)"},
	{Name: "firestore", Modules: []string{"firebase-admin", "firebase/firestore", "@google-cloud/firestore"},
		Roots: []string{"firestore", "db"},
		Calls: calls(Read, "get", "getDoc", "getDocs", "getAll", "onSnapshot", "getCountFromServer").
			with(Write, "set", "setDoc", "add", "addDoc", "update", "updateDoc", "delete", "deleteDoc", "create", "commit").
			with(ReadWrite, "runTransaction"),
		Source: "https://firebase.google.com/docs/firestore/manage-data/add-data, https://firebase.google.com/docs/firestore/query-data/get-data"},
	{Name: "d1", Roots: []string{"DB", "env.DB", "db"},
		Calls:  calls(Read, "first", "all", "raw").with(ReadWrite, "run", "exec", "batch"),
		Source: "https://developers.cloudflare.com/d1/worker-api/prepared-statements/, https://developers.cloudflare.com/d1/worker-api/d1-database/"},
	{Name: "convex", Modules: []string{"convex/server"}, Roots: []string{"ctx.db", "ctx.storage"},
		Calls: calls(Read, "get", "query", "getUrl", "getMetadata").with(Write, "insert", "patch", "replace", "delete", "store",
			"generateUploadUrl"),
		Source: "https://docs.convex.dev/database/reading-data, https://docs.convex.dev/database/writing-data, https://docs.convex.dev/file-storage"},
	// Convex's R2 component: an R2 client made with new R2(components.r2)
	// signs download URLs for stored objects and stores and deletes them.
	{Name: "convex-r2", Modules: []string{"@convex-dev/r2"},
		Calls:  calls(Read, "getUrl", "getMetadata", "listMetadata").with(Write, "store", "deleteObject", "generateUploadUrl"),
		Source: "https://www.convex.dev/components/cloudflare-r2 (r2.getUrl(key), r2.store(ctx, blob), r2.deleteObject(ctx, key), r2.generateUploadUrl())"},
	{Name: "kysely", Modules: []string{"kysely"}, Roots: []string{"db", "trx"},
		Calls: calls(Read, "selectFrom").
			with(Write, "insertInto", "updateTable", "deleteFrom", "replaceInto", "mergeInto").
			with(ReadWrite, "transaction"),
		Source: "https://kysely.dev/docs/category/examples"},
	{Name: "knex", Modules: []string{"knex"}, Roots: []string{"knex", "db", "trx"},
		Calls: calls(Read, "select", "first", "pluck").
			with(Write, "insert", "update", "del", "delete", "truncate").
			with(ReadWrite, "raw", "transaction"),
		Source: "https://knexjs.org/guide/query-builder.html"},
	{Name: "pg", Modules: []string{"pg"}, Roots: []string{"pool", "client", "pg", "db"},
		Calls: calls(ReadWrite, "query"), Checkouts: []string{"connect"},
		Source: "https://node-postgres.com/apis/client#clientquery, https://node-postgres.com/apis/pool#poolconnect"},
	{Name: "mysql", Modules: []string{"mysql2", "mysql"}, Roots: []string{"mysql", "connection", "conn", "pool"},
		Calls: calls(ReadWrite, "query", "execute"), Checkouts: []string{"getConnection"},
		Source: "https://sidorares.github.io/node-mysql2/docs, https://sidorares.github.io/node-mysql2/docs#using-connection-pools"},
	{Name: "postgres.js", Modules: []string{"postgres"}, Roots: []string{"sql"},
		Calls: calls(ReadWrite, "unsafe", "begin"), Tags: []string{"sql"},
		Source: "https://github.com/porsager/postgres#usage"},
	{Name: "vercel-postgres", Modules: []string{"@vercel/postgres"}, Roots: []string{"sql", "db"},
		Calls: calls(ReadWrite, "query"), Tags: []string{"sql"},
		Source: "https://vercel.com/docs/storage/vercel-postgres/sdk"},
	{Name: "neon", Modules: []string{"@neondatabase/serverless"}, Roots: []string{"sql", "neon", "pool"},
		Calls: calls(ReadWrite, "query", "transaction"), Tags: []string{"sql"}, Checkouts: []string{"connect"},
		Source: "https://neon.tech/docs/serverless/serverless-driver"},
	{Name: "libsql", Modules: []string{"@libsql/client"}, Roots: []string{"turso", "client", "db"},
		Calls: calls(ReadWrite, "execute", "batch", "transaction"), Source: "https://docs.turso.tech/sdk/ts/reference"},
	{Name: "better-sqlite3", Modules: []string{"better-sqlite3"}, Roots: []string{"db"},
		Calls:  calls(Read, "get", "all", "iterate").with(ReadWrite, "run", "exec"),
		Source: "https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md"},
	{Name: "sequelize", Modules: []string{"sequelize", "sequelize-typescript"}, Roots: []string{"sequelize", "models"},
		Calls: calls(Read, "findAll", "findOne", "findByPk", "findAndCountAll", "count", "max", "min", "sum").
			with(Write, "create", "bulkCreate", "update", "destroy", "upsert", "increment", "decrement", "save").
			with(ReadWrite, "query", "transaction", "findOrCreate"),
		Source: "https://sequelize.org/docs/v6/core-concepts/model-querying-basics/, https://sequelize.org/docs/v6/core-concepts/model-querying-finders/#findorcreate"},
	{Name: "typeorm", Modules: []string{"typeorm"}, Roots: []string{"repo", "repository", "em", "dataSource", "manager"},
		Calls: calls(Read, "find", "findOne", "findBy", "findOneBy", "findAndCount", "findOneOrFail", "count").
			with(Write, "save", "insert", "update", "delete", "remove", "softDelete", "upsert").
			with(ReadWrite, "query", "transaction"),
		Source: "https://typeorm.io/docs/working-with-entity-manager/repository-api/"},
	// UploadThing's server SDK: new UTApi() acts on the app's file storage
	// with its secret token (https://docs.uploadthing.com/api-reference/ut-api).
	{Name: "uploadthing", Modules: []string{"uploadthing/server"}, Roots: []string{"utapi"},
		Calls: calls(Read, "listFiles", "getFileUrls", "getSignedURL", "getUsageInfo").
			with(Write, "uploadFiles", "uploadFilesFromUrl", "deleteFiles", "renameFiles", "updateACL"),
		Source: "https://docs.uploadthing.com/api-reference/ut-api"},
	// Upload middleware: upload.single('file') stores the request's files
	// (on disk or in the configured storage engine) before the next
	// handler runs (https://github.com/expressjs/multer#usage).
	{Name: "multer", Modules: []string{"multer"}, Calls: calls(Write, "single", "array", "fields", "any"),
		Source: "https://github.com/expressjs/multer#singlefieldname"},
	{Name: "redis", Modules: []string{"ioredis", "redis", "@upstash/redis", "@vercel/kv"}, Roots: []string{"redis", "kv", "cache"},
		Calls: calls(Read, "get", "mget", "hget", "hgetall", "hmget", "smembers", "sismember", "lrange", "zrange", "zscore",
			"exists", "keys", "scan", "ttl").
			with(Write, "set", "setex", "mset", "hset", "hmset", "hdel", "del", "incr", "incrby", "decr", "expire", "lpush",
				"rpush", "lpop", "rpop", "sadd", "srem", "zadd", "zrem").
			with(ReadWrite, "eval", "exec"),
		KeyValue: true,
		Source:   "https://redis.io/docs/latest/commands/, https://upstash.com/docs/redis/sdks/ts/overview"},
	{Name: "vercel-blob", Modules: []string{"@vercel/blob"}, Roots: []string{"blob"},
		Calls:  calls(Read, "list", "head").with(Write, "put", "del", "copy"),
		Source: "https://vercel.com/docs/vercel-blob/using-blob-sdk"},
	{Name: "cloudinary", Modules: []string{"cloudinary"}, Roots: []string{"cloudinary"},
		Calls: calls(Read, "resource", "resources", "resources_by_ids", "resources_by_tag", "search").
			with(Write, "upload", "upload_stream", "upload_large", "upload_chunked", "destroy", "rename", "explicit",
				"delete_resources", "delete_resources_by_tag", "add_tag", "remove_tag"),
		Source: "https://cloudinary.com/documentation/image_upload_api_reference, https://cloudinary.com/documentation/admin_api"},
	// Sanity's Content Lake: fetch runs a GROQ query (its text selects
	// the documents), the mutation methods write documents.
	{Name: "sanity", Modules: []string{"@sanity/client", "next-sanity"}, Roots: []string{"sanity", "sanityClient"},
		Calls: calls(Read, "fetch", "getDocument", "getDocuments").
			with(Write, "create", "createOrReplace", "createIfNotExists", "patch", "delete", "mutate"),
		Source: "https://github.com/sanity-io/client/blob/main/README.md (createClient; client.fetch(query, params), " +
			"client.getDocument(id), client.create(doc), client.patch(id).set(...).commit(), client.delete(id)); " +
			"https://www.sanity.io/docs/apis-and-sdks/js-client-getting-started"},
	{Name: "s3", Modules: []string{"@aws-sdk/client-s3"}, Roots: []string{"s3", "storage", "bucket"},
		Calls: calls(ReadWrite, "send"), Source: "https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/client/s3/"},
}

// genericRoots are receiver names that denote a data store or repository
// layer without naming a library (the route rules' heuristics).
//
// Replaces: the library-less names of rules/routes/next_guard.go
// dataRoots, rules/routes/server_rules.go srvDataRoots and
// rules/hardening/hard003_redirects.go dbRoot.
var genericRoots = []string{"db", "database", "conn", "connection", "tx", "trx", "repo", "repository", "store", "orm",
	"models", "collection", "storage", "dataSource", "em", "xata", "Astro.locals.db"}

// helperVerbs are the leading verbs of a repository's own data helpers
// (getUser, createInvoice, deleteAccount) and the effect they announce: a
// naming convention, used only where the helper's body cannot be read.
//
// Source: the verbs of rules/routes/next_guard.go dataVerb, split into
// reads and writes.
//
// Replaces: rules/routes/next_guard.go dataVerb.
var helperVerbs = map[string]Effect{
	"get": Read, "list": Read, "fetch": Read, "find": Read, "read": Read, "load": Read, "export": Read, "search": Read,
	"count":  Read,
	"create": Write, "update": Write, "delete": Write, "remove": Write, "save": Write, "insert": Write, "upsert": Write,
	"add": Write, "archive": Write, "publish": Write, "send": Write, "charge": Write, "refund": Write, "invite": Write,
	"ban": Write, "set": Write, "write": Write, "import": Write, "sync": ReadWrite,
}

// DataHelperName returns the effect a helper's name announces: a leading
// verb followed by an upper-case letter or an underscore ("getUser",
// "delete_post"). "getter" or "settings" announce nothing.
func DataHelperName(name string) (Effect, bool) {
	for i := 1; i < len(name); i++ {
		if c := name[i]; c >= 'A' && c <= 'Z' || c == '_' {
			e, ok := helperVerbs[name[:i]]
			return e, ok
		}
	}
	return 0, false
}

// FilterStyle is where a data call takes the filter that selects records.
type FilterStyle uint8

// Filter styles.
const (
	NoFilter      FilterStyle = iota
	WhereProperty             // the first argument's where property: prisma.post.findMany({ where })
	FilterArg                 // the first argument selects: Post.find({ authorId }), ctx.db.patch(id, ...)
	WhereChain                // a chained where()/eq() call: db.select().from(t).where(eq(...))
)

// filterStyles says, per library, how its queries take their filter.
//
// Sources: each library's Source in [dataAPIs].
//
// Replaces: rules/rbac/rbac004_idor.go dbMethods and mongooseFilter.
var filterStyles = map[string]FilterStyle{
	"prisma": WhereProperty, "sequelize": WhereProperty, "typeorm": WhereProperty,
	"mongoose": FilterArg, "mongodb": FilterArg,
	"drizzle": WhereChain, "kysely": WhereChain, "knex": WhereChain, "supabase": WhereChain,
	"firestore": WhereChain, "convex": FilterArg,
}

// FilterOf returns how a data call of the module pkg takes its filter;
// only calls that read, change or delete existing records have one.
func FilterOf(pkg, callee string) FilterStyle {
	name := lastSegment(callee)
	for _, lib := range dataAPIs {
		if !lib.fromModule(pkg) {
			continue
		}
		e, ok := lib.Calls[name]
		if !ok || e == ReadWrite || creates[name] {
			return NoFilter
		}
		return filterStyles[lib.Name]
	}
	return NoFilter
}

// creates are write methods that insert records instead of selecting
// them (rules/rbac/rbac004_idor.go createMethods). Convex file storage:
// ctx.storage.store(blob) stores a new file and returns its id, and
// ctx.storage.generateUploadUrl() issues a URL that uploads a new one
// (https://docs.convex.dev/file-storage/store-files,
// https://docs.convex.dev/file-storage/upload-files). UploadThing's
// utapi.uploadFiles() and uploadFilesFromUrl() store new files
// (https://docs.uploadthing.com/api-reference/ut-api#upload-files).
var creates = map[string]bool{"create": true, "createMany": true, "createManyAndReturn": true, "insertOne": true,
	"insertMany": true, "insert": true, "add": true, "addDoc": true, "bulkCreate": true, "insertInto": true,
	"store": true, "generateUploadUrl": true, "uploadFiles": true, "uploadFilesFromUrl": true}

// projections are query methods whose first argument names the fields to
// return, never the records to select: Drizzle's db.select({ email:
// users.email }) (https://orm.drizzle.team/docs/select#partial-select),
// Knex's select('email') (https://knexjs.org/guide/query-builder.html#select),
// supabase-js's .select('email') (https://supabase.com/docs/reference/javascript/select),
// Mongoose's Query#select('email') (https://mongoosejs.com/docs/api/query.html#Query.prototype.select()),
// Kysely's selectFrom('users') names the table
// (https://kysely-org.github.io/kysely-apidoc/classes/Kysely.html#selectFrom).
// Their filter, if any, is a chained where().
var projections = map[string]bool{"select": true, "selectDistinct": true, "selectDistinctOn": true, "selectFrom": true}

// TakesProjection reports whether a data call's first argument is a
// projection (the fields or table it returns) rather than a filter: a
// field name in it does not select records by that field.
func TakesProjection(callee string) bool { return projections[lastSegment(callee)] }

type callTable map[string]Effect

func calls(e Effect, names ...string) callTable { return callTable{}.with(e, names...) }

func (t callTable) with(e Effect, names ...string) callTable {
	for _, n := range names {
		t[n] |= e
	}
	return t
}

// DataCall returns the effect of calling method callee ("findMany", or
// "db.user.findMany": the last segment is used) on a client imported from
// the module pkg ("@prisma/client", "drizzle-orm/node-postgres").
func DataCall(pkg, callee string) (Effect, bool) {
	name := lastSegment(callee)
	for _, lib := range dataAPIs {
		if !lib.fromModule(pkg) {
			continue
		}
		if e, ok := lib.Calls[name]; ok {
			return e, true
		}
		for _, t := range lib.Tags {
			if t == name {
				return ReadWrite, true
			}
		}
	}
	return 0, false
}

// CheckoutCall reports whether method, called on a pool of the data
// library imported from pkg, returns a connected client of that library.
func CheckoutCall(pkg, method string) bool {
	name := lastSegment(method)
	for _, lib := range dataAPIs {
		if lib.fromModule(pkg) {
			for _, c := range lib.Checkouts {
				if c == name {
					return true
				}
			}
		}
	}
	return false
}

// DataUse is one library's meaning of a method name.
type DataUse struct {
	Library string
	Effect  Effect
}

// DataMethod returns every library that has a method called name, with its
// effect, for a receiver whose module is unknown. Names shared by many
// libraries ("get", "delete") need the receiver to decide.
func DataMethod(name string) []DataUse {
	var out []DataUse
	for _, lib := range dataAPIs {
		if e, ok := lib.Calls[name]; ok {
			out = append(out, DataUse{Library: lib.Name, Effect: e})
		}
	}
	return out
}

// DataRoot reports whether a receiver name conventionally holds a data
// client, with the libraries that use it ("" stands for a generic data
// layer).
func DataRoot(name string) ([]string, bool) {
	var out []string
	for _, lib := range dataAPIs {
		if contains(lib.Roots, name) {
			out = append(out, lib.Name)
		}
	}
	if contains(genericRoots, name) {
		out = append(out, "")
	}
	sort.Strings(out)
	return out, len(out) > 0
}

// KeyValueCall reports whether a data call as written ("redis.set",
// "kv.get") is made on a receiver conventionally bound to a key-value
// store client, and to nothing else (DataRoot).
func KeyValueCall(call string) bool {
	root, _, _ := strings.Cut(call, ".")
	libs, ok := DataRoot(root)
	if !ok {
		return false
	}
	for _, name := range libs {
		lib, found := dataLibraryNamed(name)
		if !found || !lib.KeyValue {
			return false
		}
	}
	return true
}

func dataLibraryNamed(name string) (DataLibrary, bool) {
	for _, lib := range dataAPIs {
		if lib.Name == name {
			return lib, true
		}
	}
	return DataLibrary{}, false
}

// DataLibraryOf returns the library imported from module, when one is.
func DataLibraryOf(module string) (DataLibrary, bool) {
	for _, lib := range dataAPIs {
		if lib.fromModule(module) {
			return lib.clone(), true
		}
	}
	return DataLibrary{}, false
}

// NullFilterAsText reports whether the data library of module sends a
// null or undefined filter value as text (DataLibrary.NullAsText): a
// filter on a missing identity selects nothing.
func NullFilterAsText(module string) bool {
	lib, ok := DataLibraryOf(module)
	return ok && lib.NullAsText
}

// DataLibraries returns every library, in table order.
func DataLibraries() []DataLibrary {
	out := make([]DataLibrary, len(dataAPIs))
	for i, lib := range dataAPIs {
		out[i] = lib.clone()
	}
	return out
}

func (lib DataLibrary) fromModule(pkg string) bool { return fromAny(lib.Modules, pkg) }

func (lib DataLibrary) clone() DataLibrary {
	c := lib
	c.Modules = append([]string(nil), lib.Modules...)
	c.Roots = append([]string(nil), lib.Roots...)
	c.Tags = append([]string(nil), lib.Tags...)
	c.Checkouts = append([]string(nil), lib.Checkouts...)
	c.Calls = make(map[string]Effect, len(lib.Calls))
	for k, v := range lib.Calls {
		c.Calls[k] = v
	}
	return c
}

func lastSegment(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// IsCreate reports whether a data method inserts records rather than
// selecting existing ones (create, insertOne, addDoc, ...), so its
// arguments are the new record's fields, not a filter.
func IsCreate(method string) bool { return creates[lastSegment(method)] }

// singleRecord are read methods that return one record or null (Prisma
// findUnique/findFirst, Mongoose findById/findOne, Sequelize findByPk,
// TypeORM findOneBy, Drizzle's relational findFirst, Convex's query
// .first() and .unique()); a lookup by a null key returns null.
//
// Sources: the Source of each library in [dataAPIs]; Convex:
// https://docs.convex.dev/database/reading-data and the convex package's
// src/server/query.ts (first() and unique() resolve to Document | null).
var singleRecord = map[string]bool{"findUnique": true, "findFirst": true, "findById": true, "findOne": true, "findByPk": true,
	"findOneBy": true, "findUniqueOrThrow": false, "findFirstOrThrow": false, "first": true, "unique": true}

// SingleRecord reports whether a read method returns one record or null.
func SingleRecord(method string) bool { return singleRecord[lastSegment(method)] }

// singleInEnvelope are the modifiers that make a query answer one record
// inside a result envelope, `{ data, error }`: `data` is the record, or
// null (and `error` set) when no row matched. The envelope itself is
// never null, so destructuring it does not throw.
//
// Sources: https://supabase.com/docs/reference/javascript/single,
// https://supabase.com/docs/reference/javascript/maybesingle.
var singleInEnvelope = map[string]bool{"single": true, "maybeSingle": true}

// SingleInEnvelope reports whether a query modifier makes the query answer
// `{ data }` holding one record or null.
func SingleInEnvelope(method string) bool { return singleInEnvelope[lastSegment(method)] }

// convexIDMethods are the methods of a Convex function's ctx.db that take
// a document id as their first argument, the document being in the table
// the id belongs to.
//
// Sources: https://docs.convex.dev/database/reading-data (db.get(id)),
// https://docs.convex.dev/database/writing-data (db.patch(id, fields),
// db.replace(id, doc), db.delete(id)).
var convexIDMethods = map[string]bool{"get": true, "patch": true, "replace": true, "delete": true}

// ConvexIDMethod reports whether a Convex ctx.db method takes a document
// id first (db.get(id)).
func ConvexIDMethod(method string) bool { return convexIDMethods[method] }

// accountTables are the names applications give the tables that hold
// their users' and organizations' records, typically synced from Clerk
// (https://clerk.com/docs/guides/development/webhooks/syncing stores users
// in a `users` table; https://docs.convex.dev/auth/database-auth uses
// `users`; organizations and memberships the same way).
var accountTables = map[string]bool{"user": true, "users": true, "profile": true, "profiles": true, "account": true, "accounts": true,
	"organization": true, "organizations": true, "org": true, "orgs": true, "member": true, "members": true,
	"membership": true, "memberships": true, "customer": true, "customers": true}

// AccountTable reports whether a table or collection name is one that
// holds users' or organizations' records.
func AccountTable(name string) bool {
	return accountTables[strings.ToLower(name)]
}

// IDValidator is an argument validator that names the table its document
// id belongs to: a function whose argument is declared `v.id('notes')`
// reads `ctx.db.get(id)` from the notes table, though the call names none.
type IDValidator struct {
	Module   string   // the module the validator builder is imported from
	Builder  string   // the imported builder ("v")
	Method   string   // the validator naming the table; its first argument is the table
	Wrappers []string // validators that wrap another without changing its table (v.optional)
	Source   string
}

// idValidators are the id validators known.
var idValidators = []IDValidator{
	{Module: "convex/values", Builder: "v", Method: "id", Wrappers: []string{"optional"},
		Source: "https://docs.convex.dev/functions/validation (v.id(tableName): an id of a document in that table; v.optional wraps any validator)"},
}

// IDValidatorOf returns the id validator a builder imported as
// builder from module has, if any.
func IDValidatorOf(module, builder string) (IDValidator, bool) {
	for _, v := range idValidators {
		if v.Module == module && v.Builder == builder {
			return v, true
		}
	}
	return IDValidator{}, false
}

// IDType is a type that names the table of a document id: a helper's
// parameter declared `userId: Id<'users'>` holds an id of the users
// table, so `ctx.db.get(userId)` reads it.
type IDType struct {
	ModuleSuffix string // the end of the module path the type is imported from (generated per app)
	Name         string // the exported type; its first type argument is the table
	Source       string
}

// idTypes are the id types known.
var idTypes = []IDType{
	{ModuleSuffix: "_generated/dataModel", Name: "Id",
		Source: "https://docs.convex.dev/generated-api/data-model (Id<TableName>: an identifier for a document in that table, loaded with db.get(id))"},
}

// IDTypeOf returns the id type imported as name from module, if any.
func IDTypeOf(module, name string) (IDType, bool) {
	for _, t := range idTypes {
		if t.Name == name && strings.HasSuffix(module, t.ModuleSuffix) {
			return t, true
		}
	}
	return IDType{}, false
}

// filterCallbacks are query builder steps that take their conditions in a
// callback on a range or filter builder (`.withIndex('by_user', (q) =>
// q.eq('userId', id))`, `.filter((q) => q.eq(q.field('userId'), id))`):
// the conditions inside select the records.
var filterCallbacks = map[string]string{
	"withIndex":       "https://docs.convex.dev/database/reading-data/indexes/ (withIndex(name, q => q.eq(field, value)))",
	"withSearchIndex": "https://docs.convex.dev/search/text-search (withSearchIndex(name, q => q.search(field, text).eq(field, value)))",
	"filter":          "https://docs.convex.dev/database/reading-data/filters (filter(q => q.eq(q.field(name), value)))",
}

// FilterCallback reports whether a query builder step takes its
// conditions in a callback.
func FilterCallback(method string) bool { return filterCallbacks[method] != "" }

// statementPreparers are the methods of SQL clients that take a statement
// and return it prepared, run by a later call of the chain: D1's
// prepare(sql).bind(...).all(), better-sqlite3's prepare(sql).get(...).
var statementPreparers = []struct{ Method, Source string }{
	{"prepare", "https://developers.cloudflare.com/d1/worker-api/d1-database/#prepare, https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md#preparestring---statement"},
}

// PreparesStatement reports whether a client method named method takes a
// SQL statement and returns it prepared for a later call to run.
func PreparesStatement(method string) bool {
	for _, p := range statementPreparers {
		if p.Method == method {
			return true
		}
	}
	return false
}
