package knowledge

import "strings"

// responseObjects are the conventional names of a framework's response
// object: every method of one builds or sends the response
// (res.json, res.status(400).send, reply.code(400).send,
// NextResponse.json), and processes nothing of the request.
//
// Replaces: rules/webhooks/model.go responseCall (its response roots).
var responseObjects = []struct{ Name, Source string }{
	{"res", "https://expressjs.com/en/api.html#res (the response object, res by convention)"},
	{"response", "https://nodejs.org/api/http.html#class-httpserverresponse"},
	{"reply", "https://fastify.dev/docs/latest/Reference/Reply/"},
	{"Response", "https://developer.mozilla.org/en-US/docs/Web/API/Response"},
	{"NextResponse", "https://nextjs.org/docs/app/api-reference/functions/next-response"},
}

// loggers are the conventional names of a logging object: a call of one
// of its methods records and processes nothing.
//
// Replaces: rules/webhooks/model.go responseCall (its console, logger and
// log roots and the request.log receivers).
var loggers = []struct{ Name, Source string }{
	{"console", "https://developer.mozilla.org/en-US/docs/Web/API/console"},
	{"log", "https://fastify.dev/docs/latest/Reference/Logging/ (fastify.log, request.log)"},
	{"logger", "https://getpino.io/#/docs/api (a pino logger instance, logger.info); https://github.com/winstonjs/winston#usage"},
}

// RespondsOrLogs reports whether a call as written ("res.status().json",
// "console.error", "request.log.warn", "c.json", "createError") only
// builds or sends a response or logs: its root is a response object or a
// logger, a logger is its receiver, or it is a request-ending call of the
// exits table.
func RespondsOrLogs(callee string) bool {
	segs := strings.Split(strings.ReplaceAll(callee, "()", ""), ".")
	root := segs[0]
	for _, r := range responseObjects {
		if root == r.Name {
			return true
		}
	}
	for _, l := range loggers {
		if root == l.Name || len(segs) >= 2 && segs[len(segs)-2] == l.Name {
			return true
		}
	}
	return len(ExitsNamed(strings.ReplaceAll(callee, "()", ""))) > 0
}
