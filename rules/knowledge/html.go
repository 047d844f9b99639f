package knowledge

import "strings"

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

// HTMLSinkKind is how code hands a string to an HTML parser.
type HTMLSinkKind uint8

// Kinds of raw-HTML sinks.
const (
	SinkProperty  HTMLSinkKind = iota + 1 // an assigned DOM property (el.innerHTML = s)
	SinkMethod                            // a method's argument (el.insertAdjacentHTML(pos, s))
	SinkAttribute                         // a JSX attribute's object key (dangerouslySetInnerHTML={{ __html: s }})
	SinkTemplate                          // a template directive (v-html="s", {@html s}, set:html={s})
)

// HTMLSink is a place where a string is parsed as HTML, not shown as
// text: whatever markup the string holds runs in the page (or the mail).
type HTMLSink struct {
	Kind HTMLSinkKind
	// Name is the property, method (last segment), attribute or the
	// directive as written ("v-html", "{@html}").
	Name string
	// Receiver is the callee's first segment a method sink needs
	// ("document" for document.write), "" for any receiver.
	Receiver string
	// Arg is the argument a method sink parses (-1: every argument).
	Arg int
	// Key is the attribute's object key that holds the HTML ("__html").
	Key string
	// Lang is the template language of a directive ("vue", "svelte",
	// "astro"); Open and Close delimit its expression.
	Lang, Open, Close string
	Source            string
}

// htmlSinks are the raw-HTML sinks of the DOM, React, Vue, Svelte, Astro
// and the servers' HTML responses.
//
// Replaces: the sink names written into rules/hardening/hard001_html.go
// (scriptSinks, templateSinks).
var htmlSinks = []HTMLSink{
	{Kind: SinkProperty, Name: "innerHTML", Source: "https://developer.mozilla.org/en-US/docs/Web/API/Element/innerHTML#security_considerations"},
	{Kind: SinkProperty, Name: "outerHTML", Source: "https://developer.mozilla.org/en-US/docs/Web/API/Element/outerHTML"},
	{Kind: SinkMethod, Name: "insertAdjacentHTML", Arg: 1, Source: "https://developer.mozilla.org/en-US/docs/Web/API/Element/insertAdjacentHTML#security_considerations"},
	{Kind: SinkMethod, Name: "write", Receiver: "document", Arg: -1, Source: "https://developer.mozilla.org/en-US/docs/Web/API/Document/write#security_considerations"},
	{Kind: SinkMethod, Name: "writeln", Receiver: "document", Arg: -1, Source: "https://developer.mozilla.org/en-US/docs/Web/API/Document/writeln"},
	{Kind: SinkMethod, Name: "html", Arg: 0, Source: "https://hono.dev/docs/api/context#html (c.html() responds with the string as text/html); https://api.jquery.com/html/#html2 ($(el).html(s) parses s)"},
	{Kind: SinkAttribute, Name: "dangerouslySetInnerHTML", Key: "__html", Source: "https://react.dev/reference/react-dom/components/common#dangerously-setting-the-inner-html"},
	{Kind: SinkTemplate, Name: "v-html", Lang: "vue", Open: `v-html="`, Close: `"`, Source: "https://vuejs.org/api/built-in-directives.html#v-html"},
	{Kind: SinkTemplate, Name: "v-html", Lang: "vue", Open: `v-html='`, Close: `'`, Source: "https://vuejs.org/api/built-in-directives.html#v-html"},
	{Kind: SinkTemplate, Name: "{@html}", Lang: "svelte", Open: "{@html ", Close: "}", Source: "https://svelte.dev/docs/svelte/@html"},
	{Kind: SinkTemplate, Name: "set:html", Lang: "astro", Open: "set:html={", Close: "}", Source: "https://docs.astro.build/en/reference/directives-reference/#sethtml"},
}

// HTMLPropertySink returns the sink an assigned property is (innerHTML).
func HTMLPropertySink(prop string) (HTMLSink, bool) {
	for _, s := range htmlSinks {
		if s.Kind == SinkProperty && s.Name == prop {
			return s, true
		}
	}
	return HTMLSink{}, false
}

// HTMLMethodSink returns the sink a call is, by its callee as written
// (el.insertAdjacentHTML, document.write, c.html): its last segment, and
// its first when the sink names a receiver. A method sink is always
// called on something (el.html(), never html()).
func HTMLMethodSink(callee string) (HTMLSink, bool) {
	i := strings.LastIndexByte(callee, '.')
	if i < 0 {
		return HTMLSink{}, false
	}
	first, _, _ := strings.Cut(callee, ".")
	for _, s := range htmlSinks {
		if s.Kind == SinkMethod && s.Name == callee[i+1:] && (s.Receiver == "" || s.Receiver == first && i == len(first)) {
			return s, true
		}
	}
	return HTMLSink{}, false
}

// HTMLAttributeSink returns the sink a JSX attribute is.
func HTMLAttributeSink(attr string) (HTMLSink, bool) {
	for _, s := range htmlSinks {
		if s.Kind == SinkAttribute && s.Name == attr {
			return s, true
		}
	}
	return HTMLSink{}, false
}

// HTMLTemplateSinks returns the directives of a template language
// ("vue", "svelte", "astro") that render their expression as HTML.
func HTMLTemplateSinks(lang string) []HTMLSink {
	var out []HTMLSink
	for _, s := range htmlSinks {
		if s.Kind == SinkTemplate && s.Lang == lang {
			out = append(out, s)
		}
	}
	return out
}
