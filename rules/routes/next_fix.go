package routes

import (
	"github.com/clerkguard/clerkguard/rules/project"
)

// guardSnippet returns the resource-level check for the file's SDK era.
func guardSnippet(p *project.Model, file string) string {
	switch p.NextEra(file) {
	case project.EraCore1:
		return "`const { userId } = auth(); if (!userId) return new Response('Unauthorized', { status: 401 })` (`@clerk/nextjs` v4; `auth()` is synchronous)"
	case project.EraV5:
		return "`auth().protect()` at the top, or `const { userId } = auth(); if (!userId) return new Response('Unauthorized', { status: 401 })` (`@clerk/nextjs` v5: `auth()` is synchronous)"
	case project.EraV6:
		// isAuthenticated reached the Auth object late in v6: userId works in every v6 release.
		return "`await auth.protect()` at the top (signed-out API callers get a 404), or `const { userId } = await auth(); if (!userId) return new Response('Unauthorized', { status: 401 })`"
	}
	return "`await auth.protect()` at the top (signed-out API callers get a 404), or `const { isAuthenticated } = await auth(); if (!isAuthenticated) return new Response('Unauthorized', { status: 401 })`"
}

// actionGuardSnippet is guardSnippet for Server Actions.
func actionGuardSnippet(p *project.Model, file string) string {
	switch p.NextEra(file) {
	case project.EraCore1, project.EraV5:
		return "`const { userId } = auth(); if (!userId) throw new Error('Unauthorized')` (or `auth().protect()`) as the first statement"
	}
	return "`const { userId } = await auth.protect()` (signed-out callers get a 401) or `const { userId } = await auth(); if (!userId) throw new Error('Unauthorized')` as the first statement"
}
