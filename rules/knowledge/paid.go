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

// GoPaidClient is a client type of a metered API's Go SDK and the methods
// of it that bill a call (a value declared with one of Types whose method
// is one of Calls is a PaidAPI effect).
type GoPaidClient struct {
	Library  string
	Packages []string // import paths (a path matches its subpaths)
	Types    []string
	Calls    []string
	// Factories are the client methods that return another client of the
	// library (client.GenerativeModel("gemini-2.0-flash")).
	Factories []string
	Source    string
}

// goPaidClients are the metered APIs' Go SDKs.
//
// Replaces: nothing (the Go model had no paid calls).
var goPaidClients = []GoPaidClient{
	{Library: "generative-ai-go", Packages: []string{"github.com/google/generative-ai-go/genai"},
		Types:     []string{"Client", "GenerativeModel", "ChatSession", "EmbeddingModel"},
		Factories: []string{"GenerativeModel", "EmbeddingModel", "StartChat"},
		Calls:     []string{"GenerateContent", "GenerateContentStream", "SendMessage", "SendMessageStream", "EmbedContent", "BatchEmbedContents"},
		Source:    "https://pkg.go.dev/github.com/google/generative-ai-go/genai (Client.GenerativeModel, GenerativeModel.GenerateContent, GenerativeModel.StartChat, ChatSession.SendMessage, EmbeddingModel.EmbedContent)"},
	{Library: "google-genai-go", Packages: []string{"google.golang.org/genai"},
		Types:  []string{"Models", "Chat"},
		Calls:  []string{"GenerateContent", "GenerateContentStream", "GenerateImages", "GenerateVideos", "EmbedContent", "SendMessage", "SendMessageStream"},
		Source: "https://pkg.go.dev/google.golang.org/genai (Models.GenerateContent, Models.GenerateImages, Chat.SendMessage)"},
	{Library: "go-openai", Packages: []string{"github.com/sashabaranov/go-openai"},
		Types: []string{"Client"},
		Calls: []string{"CreateChatCompletion", "CreateChatCompletionStream", "CreateCompletion", "CreateCompletionStream", "CreateImage",
			"CreateEditImage", "CreateEmbeddings", "CreateTranscription", "CreateTranslation", "CreateSpeech"},
		Source: "https://pkg.go.dev/github.com/sashabaranov/go-openai (Client.CreateChatCompletion, Client.CreateImage, Client.CreateSpeech)"},
}

// GoPaidType reports whether typ of the package importPath is a metered
// API's client, and names its library.
func GoPaidType(importPath, typ string) (string, bool) {
	for _, c := range goPaidClients {
		if goFromAny(c.Packages, importPath) && contains(c.Types, typ) {
			return c.Library, true
		}
	}
	return "", false
}

// GoPaidCall reports whether the method of a client of the named library
// (as GoPaidType names it) bills a call.
func GoPaidCall(library, method string) bool {
	for _, c := range goPaidClients {
		if c.Library == library && contains(c.Calls, method) {
			return true
		}
	}
	return false
}

// GoPaidFactory reports whether the method of a client of the named
// library returns another client of it.
func GoPaidFactory(library, method string) bool {
	for _, c := range goPaidClients {
		if c.Library == library && contains(c.Factories, method) {
			return true
		}
	}
	return false
}
