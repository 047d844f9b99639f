// Package knowledge holds the hand-collected API facts the rules and the
// model depend on, in one documented place: which Clerk package exports
// what per framework and major version, which middleware attaches the
// identity and which rejects, where the identity comes from, which calls
// end a request, which calls read or write data, which Clerk Backend API
// calls are privileged, which calls send mail or move money, how each
// webhook provider is verified, which routes are public by convention,
// and the HTTP verbs.
//
// Every table is a typed Go value looked up by name (the way
// staticcheck's knowledge package is), never a free-form string list in a
// rule. Each table's doc comment cites its source (a Clerk docs page, or a
// source file of clerk/javascript, clerk/clerk-sdk-go or the library) and
// names the lists in rules/ it replaces, so moving a rule onto it is
// mechanical. The tables are immutable: lookups return copies.
//
// Where a new framework's facts go: its Clerk package(s) in [clerkModules]
// (server entry points and exports per major version), its middleware in
// [middlewares], its identity source in [identitySources], its exit calls
// in [exits], and any route-file convention of its own in the model's
// framework adapter, not here. A data library goes in [dataAPIs], a
// webhook provider in [verifiers] and [signatureHeaders].
package knowledge
