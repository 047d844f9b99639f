package knowledge

// HTMLSanitizer is a library call whose result is safe to insert as HTML:
// it escapes markup (escape-html, he, lodash's escape) or removes what can
// run (DOMPurify, sanitize-html, js-xss, striptags).
type HTMLSanitizer struct {
	// Module is the import path (a path matches its subpaths only when no
	// entry names the subpath itself).
	Module string
	// Names are the exports or methods that sanitize; "default" is the
	// default export called directly (sanitizeHtml(s)).
	Names  []string
	Source string
}

// htmlSanitizers are the HTML escaping and sanitizing libraries.
//
// Replaces: the name pattern sanitizerRe of
// rules/hardening/hard001_html.go (/sanitiz|escape|purify|.../).
var htmlSanitizers = []HTMLSanitizer{
	{Module: "", Names: []string{"encodeURIComponent", "encodeURI"}, Source: "https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/encodeURIComponent (percent-encodes < > \" and &)"},
	{Module: "dompurify", Names: []string{"sanitize"}, Source: "https://github.com/cure53/DOMPurify#how-do-i-use-it"},
	{Module: "isomorphic-dompurify", Names: []string{"sanitize", "default"}, Source: "https://github.com/kkomelin/isomorphic-dompurify#usage"},
	{Module: "sanitize-html", Names: []string{"default"}, Source: "https://github.com/apostrophecms/sanitize-html#how-to-use"},
	{Module: "xss", Names: []string{"default", "filterXSS", "process"}, Source: "https://github.com/leizongmin/js-xss#usage"},
	{Module: "escape-html", Names: []string{"default"}, Source: "https://github.com/component/escape-html#usage"},
	{Module: "he", Names: []string{"encode", "escape"}, Source: "https://github.com/mathiasbynens/he#heescapetext"},
	{Module: "lodash", Names: []string{"escape"}, Source: "https://lodash.com/docs/#escape"},
	{Module: "lodash-es", Names: []string{"escape"}, Source: "https://lodash.com/docs/#escape"},
	{Module: "lodash/escape", Names: []string{"default"}, Source: "https://lodash.com/docs/#escape"},
	{Module: "lodash.escape", Names: []string{"default"}, Source: "https://www.npmjs.com/package/lodash.escape"},
	{Module: "validator", Names: []string{"escape"}, Source: "https://github.com/validatorjs/validator.js#sanitizers"},
	{Module: "html-escaper", Names: []string{"escape"}, Source: "https://github.com/WebReflection/html-escaper#readme"},
	{Module: "striptags", Names: []string{"default"}, Source: "https://github.com/ericnorris/striptags#usage"},
}

// HTMLSanitizerOf returns the sanitizer that name is when imported from
// module ("" for a global such as encodeURIComponent): the export's name for a named or default import called
// directly, the method's name on a default or namespace import
// (DOMPurify.sanitize).
func HTMLSanitizerOf(module, name string) (HTMLSanitizer, bool) {
	for _, s := range htmlSanitizers {
		if s.Module == "" && module != "" || s.Module != "" && !fromAny([]string{s.Module}, module) {
			continue
		}
		for _, n := range s.Names {
			if n == name {
				s.Names = append([]string(nil), s.Names...)
				return s, true
			}
		}
	}
	return HTMLSanitizer{}, false
}
