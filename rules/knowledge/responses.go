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
// log roots and the request.log receivers); rules/hardening/sess002_token_storage.go
// tokenSinkLogRoots; rules/routes/rp017_jwt_decode.go srvLogCall's roots.
var loggers = []struct{ Name, Source string }{
	{"console", "https://developer.mozilla.org/en-US/docs/Web/API/console"},
	{"log", "https://fastify.dev/docs/latest/Reference/Logging/ (fastify.log, request.log)"},
	{"logger", "https://getpino.io/#/docs/api (a pino logger instance, logger.info); https://github.com/winstonjs/winston#usage"},
	{"Logger", "https://docs.nestjs.com/techniques/logger (the static Logger.log, Logger.error of @nestjs/common)"},
}

// logLevels are the methods of those objects that write their arguments
// to the log: the console's output methods and the level methods of pino
// and winston loggers.
//
// Replaces: rules/hardening/sess002_token_storage.go tokenSinkLogMethods.
var logLevels = []struct{ Name, Source string }{
	{"log", "https://developer.mozilla.org/en-US/docs/Web/API/console/log_static; https://docs.nestjs.com/techniques/logger"},
	{"info", "https://developer.mozilla.org/en-US/docs/Web/API/console/info_static; https://getpino.io/#/docs/api?id=logger-level-methods"},
	{"debug", "https://developer.mozilla.org/en-US/docs/Web/API/console/debug_static; https://getpino.io/#/docs/api?id=logger-level-methods"},
	{"warn", "https://developer.mozilla.org/en-US/docs/Web/API/console/warn_static; https://getpino.io/#/docs/api?id=logger-level-methods"},
	{"error", "https://developer.mozilla.org/en-US/docs/Web/API/console/error_static; https://getpino.io/#/docs/api?id=logger-level-methods"},
	{"trace", "https://developer.mozilla.org/en-US/docs/Web/API/console/trace_static; https://getpino.io/#/docs/api?id=logger-level-methods"},
	{"fatal", "https://getpino.io/#/docs/api?id=logger-level-methods"},
	{"verbose", "https://github.com/winstonjs/winston#logging-levels; https://docs.nestjs.com/techniques/logger"},
	{"dir", "https://developer.mozilla.org/en-US/docs/Web/API/console/dir_static"},
	{"table", "https://developer.mozilla.org/en-US/docs/Web/API/console/table_static"},
}

// logFunctions are functions that write their arguments to the log when
// called, as conventionally named.
var logFunctions = []struct{ Name, Source string }{
	{"debug", "https://github.com/debug-js/debug#usage (const debug = require('debug')('app'); debug('...', value))"},
}

// isLogger reports a logging object by its conventional name, or a
// receiver named for one (appLogger, this.requestLogger).
func isLogger(name string) bool {
	for _, l := range loggers {
		if name == l.Name {
			return true
		}
	}
	return strings.HasSuffix(name, "Logger")
}

// LogCall reports whether a call as written ("console.error",
// "request.log.info", "logger.warn", "debug") writes its arguments to a
// log: a level method of a logging object (its root or its receiver), or
// a logging function.
func LogCall(callee string) bool {
	segs := strings.Split(strings.ReplaceAll(callee, "()", ""), ".")
	last := segs[len(segs)-1]
	if len(segs) == 1 {
		for _, f := range logFunctions {
			if last == f.Name {
				return true
			}
		}
		return false
	}
	if !isLogger(segs[0]) && !isLogger(segs[len(segs)-2]) {
		return false
	}
	for _, l := range logLevels {
		if last == l.Name {
			return true
		}
	}
	return false
}

// Responds reports whether a call as written ("res.status().json",
// "NextResponse.json", "c.json", "json", "fail", "Response" of new
// Response) builds or sends a response: its root is a response object, or
// it is a request-ending call of the exits table.
func Responds(callee string) bool {
	callee = strings.ReplaceAll(callee, "()", "")
	root, _, _ := strings.Cut(callee, ".")
	for _, r := range responseObjects {
		if root == r.Name {
			return true
		}
	}
	return len(ExitsNamed(callee)) > 0
}

// RespondsOrLogs reports whether a call as written ("res.status().json",
// "console.error", "request.log.warn", "c.json", "createError") only
// builds or sends a response or logs: it Responds, or its root or
// receiver is a logger.
func RespondsOrLogs(callee string) bool {
	if Responds(callee) {
		return true
	}
	segs := strings.Split(strings.ReplaceAll(callee, "()", ""), ".")
	for _, l := range loggers {
		if segs[0] == l.Name || len(segs) >= 2 && segs[len(segs)-2] == l.Name {
			return true
		}
	}
	return false
}
