package rules

import "github.com/clerkguard/clerkguard/rules/mdcode"

// Code renders s, text taken from analysed code (a path, a route pattern,
// an expression, a package name), as a Markdown inline code span that
// nothing in s can leave. Every string from analysed code that goes into a
// message goes through Code where the message is assembled (see
// mdcode.Code).
func Code(s string) string { return mdcode.Code(s) }

// PlainLine folds s onto one line (see mdcode.PlainLine).
func PlainLine(s string) string { return mdcode.PlainLine(s) }
