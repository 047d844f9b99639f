// Package modules is the one module resolver of the engine and the import
// graph built on it. Every rule that needs to know which file an import
// names, or where a binding really comes from, asks this package instead of
// probing paths itself.
//
// It replaces the resolvers in rules/rbac/guard.go (jsExts,
// ResolveModule, resolveHelper), rules/webhooks/resolve.go (moduleExts,
// resolveModule, exportValue, importTarget), rules/routes/server_rules.go
// (srvModuleExts, srvResolver.module, tryExts, export; deleted) and
// rules/routes/next_guard.go (moduleExts, resolveModule, resolveFunction),
// which disagreed on extensions, aliases and re-exports.
//
// # Resolution
//
// [Resolver.Resolve] maps a module specifier written in a file of the
// snapshot to one of:
//
//   - a file of the snapshot ([File]);
//   - a package that is not part of the snapshot ([External], printed as
//     "external: <pkg><subpath>");
//   - a Node.js built-in module ([Builtin]);
//   - a framework's virtual module that is not a file ([Virtual]: Nuxt's
//     #imports, SvelteKit's $app/* and $env/*, Astro's astro:*);
//   - nothing: a local-looking specifier that names no file ([Unresolved]).
//
// It follows TypeScript's resolution as documented in the TypeScript
// handbook, "Modules Reference", section "The moduleResolution compiler
// option" (https://www.typescriptlang.org/docs/handbook/modules/reference.html),
// in the "bundler" mode, which is a superset of "node16"/"nodenext" for
// resolution purposes (it also accepts extensionless paths and directory
// modules, which node16 rejects in ESM files; an import that only bundler
// accepts would not have built, so accepting it loses nothing):
//
//  1. relative (./, ../) specifiers, and root-absolute ones (/x, from the
//     project root, as Vite resolves them): the path, with file extension
//     substitution and directory modules (below);
//  2. tsconfig.json/jsconfig.json "paths" of the nearest config of the
//     importing file, with its "extends" chain (one or several bases,
//     relative files or packages, including workspace packages such as
//     "@repo/typescript-config/nextjs.json") and solution-style
//     "references"; the longest matching prefix wins and each substitution
//     is tried in order. Targets are relative to "baseUrl" when set, else to
//     the config that defines "paths"; ${configDir} is supported;
//  3. fixed framework aliases (Nuxt ~, @, ~~, @@, #shared; SvelteKit $lib)
//     when no "paths" entry matched (their generated tsconfig, .nuxt/ and
//     .svelte-kit/, is not committed);
//  4. "baseUrl";
//  5. package.json "imports" (#specifiers) of the nearest package.json;
//  6. workspace packages (package.json "workspaces" in npm/yarn array or
//     object form, pnpm-workspace.yaml) and self-name imports, through the
//     package's "exports" (conditions in source order) or, without exports,
//     "main"/"module"/"types" and package-relative paths;
//  7. Node.js built-ins, then every other bare specifier: [External].
//
// File extension substitution (handbook, "File extension substitution"):
// a specifier ending in .js/.jsx is looked up as .ts, .tsx, then the
// JavaScript file; .mjs as .mts then .mjs; .cjs as .cts then .cjs. An
// extensionless path tries .ts, .tsx, .js, .jsx, then a directory module:
// the directory's package.json "main"/"types", then index.ts, index.tsx,
// index.js, index.jsx. TypeScript never probes .mts/.cts for an
// extensionless path, and neither does this resolver. One deliberate
// difference: declaration files (.d.ts) rank after JavaScript files,
// because rules want the implementation, not its types.
//
// The resolver reads no file to resolve a relative specifier (existence is
// decided from the snapshot's path list). It reads the nearest tsconfig and
// its extends chain only for a non-relative specifier, and package.json and
// pnpm-workspace.yaml files only when a bare specifier needs them. Every
// file read is parsed once per snapshot. A [Resolver] is safe for
// concurrent use.
//
// # Import graph
//
// [Graph] adds, per file, its imports with the imported names and local
// bindings (static imports, import = require, top-level require, dynamic
// import(), side-effect imports, `export ... from` and `export * from`
// re-exports); the importers of a file (reverse edges); and [Graph.Origin],
// which answers "which file and export does binding X in file F come
// from", following imports and re-exports through barrel files, up to
// [MaxHops] statements and safe against import cycles.
//
// # Limits
//
// A hostile pull request controls every config file. The resolver bounds
// what it does with them: [MaxExtends] configs in an extends chain (cycles
// are cut, as TypeScript rejects them), [MaxReferences] project
// references, [MaxPathRules] "paths" entries with [MaxPathTargets]
// substitutions each, [MaxWorkspacePatterns] workspace globs,
// [MaxWorkspaceRoots] workspace roots, and [MaxHops] statements when
// following re-exports. A config beyond a limit makes the answers that
// depend on it Unknown with an error wrapping [ErrLimit] (an over-long
// re-export chain: [ErrTooDeep]); it never makes them a guess. Config files
// are read through the snapshot, which caps file size (source.MaxFileSize).
package modules
