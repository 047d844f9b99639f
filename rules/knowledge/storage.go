package knowledge

import "strings"

// webStorages are the client-side stores whose values any script of the
// page (or anything reading the device's storage) can read back: what is
// written to them is not a secret the server keeps.
//
// Replaces: rules/hardening/sess002_token_storage.go webStorages.
var webStorages = []struct{ Name, Source string }{
	{"localStorage", "https://developer.mozilla.org/en-US/docs/Web/API/Window/localStorage"},
	{"sessionStorage", "https://developer.mozilla.org/en-US/docs/Web/API/Window/sessionStorage"},
	{"AsyncStorage", "https://react-native-async-storage.github.io/async-storage/docs/usage (\"unencrypted, asynchronous, persistent, key-value storage system\")"},
}

// WebStorage reports whether a receiver as written ("localStorage",
// "window.sessionStorage", "AsyncStorage") is a readable client store.
func WebStorage(receiver string) bool {
	receiver = strings.TrimPrefix(strings.TrimPrefix(receiver, "window."), "globalThis.")
	for _, s := range webStorages {
		if receiver == s.Name {
			return true
		}
	}
	return false
}
