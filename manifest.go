// Package clerkguard holds files from the repository root that the binary
// embeds at build time. app.yml, the GitHub App manifest, is the single
// source: `clerkguard serve` posts it to GitHub in the manifest flow
// (app/setup), and people can paste it into GitHub by hand.
package clerkguard

import _ "embed"

//go:embed app.yml
var appManifest string

// AppManifest returns app.yml, the GitHub App manifest (YAML), as built
// into the binary. Each call returns a fresh copy.
func AppManifest() []byte { return []byte(appManifest) }
