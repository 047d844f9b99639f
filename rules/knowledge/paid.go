package knowledge

import (
	"net/url"
	"strings"
)

// PaidService is an external API billed per call: large language models,
// image, audio and video generation. An unauthenticated entry that reaches
// one spends the application's money for anyone.
type PaidService struct {
	Library string
	Modules []string // import paths (a path matches its subpaths)
	// Calls are call suffixes, receiver segments included where they
	// disambiguate ("chat.completions.create").
	Calls  []string
	Source string
}

// paidServices are the metered APIs the model reports as PaidAPI effects.
//
// Replaces: the "openai" entry of rules/routes/next_guard.go dataRoots.
var paidServices = []PaidService{
	{Library: "openai", Modules: []string{"openai"},
		Calls: []string{"chat.completions.create", "completions.create", "responses.create", "images.generate", "images.edit",
			"embeddings.create", "audio.speech.create", "audio.transcriptions.create", "beta.chat.completions.parse"},
		Source: "https://platform.openai.com/docs/api-reference (openai-node README.md)"},
	{Library: "anthropic", Modules: []string{"@anthropic-ai/sdk"}, Calls: []string{"messages.create", "messages.stream"},
		Source: "https://docs.anthropic.com/en/api/messages (anthropic-sdk-typescript README.md)"},
	{Library: "google-genai", Modules: []string{"@google/generative-ai", "@google/genai"},
		Calls:  []string{"generateContent", "generateContentStream", "models.generateContent", "embedContent"},
		Source: "https://ai.google.dev/gemini-api/docs/quickstart?lang=node"},
	{Library: "vercel-ai", Modules: []string{"ai"}, Calls: []string{"generateText", "streamText", "generateObject", "streamObject", "embed", "embedMany", "experimental_generateImage"},
		Source: "https://ai-sdk.dev/docs/reference/ai-sdk-core"},
	{Library: "tanstack-ai", Modules: []string{"@tanstack/ai"}, Calls: []string{"chat", "generateImage", "generateSpeech", "generateTranscription", "summarize"},
		Source: "https://tanstack.com/ai/latest/docs/api/ai.md (chat(), the generation functions; the adapter reads the provider key on the server)"},
	{Library: "replicate", Modules: []string{"replicate"}, Calls: []string{"run", "predictions.create"},
		Source: "https://github.com/replicate/replicate-javascript#usage"},
	{Library: "groq", Modules: []string{"groq-sdk"}, Calls: []string{"chat.completions.create"},
		Source: "https://console.groq.com/docs/libraries"},
	{Library: "mistral", Modules: []string{"@mistralai/mistralai"}, Calls: []string{"chat.complete", "chat.stream"},
		Source: "https://docs.mistral.ai/getting-started/clients/"},
	{Library: "cohere", Modules: []string{"cohere-ai"}, Calls: []string{"chat", "generate", "embed"},
		Source: "https://docs.cohere.com/reference/about"},
	{Library: "elevenlabs", Modules: []string{"elevenlabs", "@elevenlabs/elevenlabs-js"}, Calls: []string{"textToSpeech.convert", "generate"},
		Source: "https://elevenlabs.io/docs/api-reference/text-to-speech/convert"},
}

// PaidCall returns the paid service a call is: pkg is the module the
// receiver (or the called function) comes from, callee the call's text.
func PaidCall(pkg, callee string) (PaidService, bool) {
	for _, s := range paidServices {
		if !fromAny(s.Modules, pkg) {
			continue
		}
		if endsWithCall(callee, s.Calls) {
			out := s
			out.Modules = append([]string(nil), s.Modules...)
			out.Calls = append([]string(nil), s.Calls...)
			return out, true
		}
	}
	return PaidService{}, false
}

// paidHosts are the API hosts of metered services, for calls written with
// fetch() or an HTTP client instead of the SDK.
//
// Sources: the API reference of each service (the Source of its entry in
// [paidServices]); https://openrouter.ai/docs/api-reference/overview;
// https://ai.google.dev/api (generativelanguage.googleapis.com);
// https://platform.stability.ai/docs/api-reference; https://docs.together.ai/reference;
// https://api-docs.deepseek.com/.
var paidHosts = []string{"api.openai.com", "openrouter.ai", "api.anthropic.com", "generativelanguage.googleapis.com",
	"api.replicate.com", "api.groq.com", "api.mistral.ai", "api.cohere.ai", "api.cohere.com", "api.elevenlabs.io",
	"api.stability.ai", "api.together.xyz", "api.deepseek.com", "api.perplexity.ai", "api.fireworks.ai"}

// PaidURL reports whether a URL (or the literal start of one) calls a
// metered API.
func PaidURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	return contains(paidHosts, strings.ToLower(u.Hostname()))
}
