package knowledge

// RequestLogger is a framework call that installs a request logger which
// writes every request's path together with its raw query string: a
// credential a client sends in the query string lands in the log.
type RequestLogger struct {
	// Package is the Go import path; Func the function that installs
	// the logger (a router constructor or a middleware factory).
	Package, Func string
	// What says how the logger gets installed, for a message.
	What   string
	Source string
}

// requestLoggers are the calls whose router or middleware logs each
// request's path with its raw query.
var requestLoggers = []RequestLogger{
	{Package: "github.com/gin-gonic/gin", Func: "Default",
		What:   "gin.Default() installs gin's Logger(), which writes each request's path with its raw query string",
		Source: "https://github.com/gin-gonic/gin/blob/master/gin.go (Default: engine.Use(Logger(), Recovery())); https://github.com/gin-gonic/gin/blob/master/logger.go (LoggerWithConfig: if raw != \"\" { path = path + \"?\" + raw })"},
	{Package: "github.com/gin-gonic/gin", Func: "Logger",
		What:   "gin.Logger() writes each request's path with its raw query string",
		Source: "https://github.com/gin-gonic/gin/blob/master/logger.go (Logger returns LoggerWithConfig; LoggerWithConfig: if raw != \"\" { path = path + \"?\" + raw })"},
}

// RequestLoggerOf reports whether fn of the package at import path pkg
// installs a request logger that writes the raw query string.
func RequestLoggerOf(pkg, fn string) (RequestLogger, bool) {
	for _, l := range requestLoggers {
		if l.Package == pkg && l.Func == fn {
			return l, true
		}
	}
	return RequestLogger{}, false
}
