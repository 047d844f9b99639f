// Package routes holds the route protection rules (checklist item 1): the
// Next.js middleware/proxy file and matcher, route handlers, Server
// Actions and Pages Router routes without an auth check, SDK era
// mistakes, and the same for Node servers and other frameworks.
package routes

// Rules is the pack: the Next.js rules, the server rules, then the
// review-mode rule that compares base and head (CLK-RP-020).
var Rules = append(append(nextRules(), serverRules()...), RP020)
