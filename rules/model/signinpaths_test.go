package model_test

import (
	"context"
	"slices"
	"testing"

	"github.com/clerkguard/clerkguard/rules/source"
)

// TestSignInPaths: the sign-in and sign-up URLs a project configures in
// its environment files and in ClerkProvider props or middleware options,
// by path; the site root, a protocol-relative value and other settings
// do not count.
func TestSignInPaths(t *testing.T) {
	m := buildModel(t, source.Mem{
		"package.json":    []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0"}}`),
		".env.example":    []byte("export NEXT_PUBLIC_CLERK_SIGN_IN_URL=\"/enter/\"\nNEXT_PUBLIC_CLERK_AFTER_SIGN_IN_URL=/home\nCLERK_SIGN_UP_URL=/\n"),
		".env.production": []byte("VITE_CLERK_SIGN_UP_URL=https://app.example.com/join\nOTHER_SIGN_IN_URL=//evil.example\n"),
		"app/layout.tsx": []byte("import { ClerkProvider } from '@clerk/nextjs'\nexport default function L({ children }) {\n" +
			"  return <ClerkProvider signInUrl=\"/account/access\">{children}</ClerkProvider>\n}\n"),
		"middleware.ts": []byte("import { clerkMiddleware } from '@clerk/nextjs/server'\nexport default clerkMiddleware(async () => {}, { signUpUrl: '/register', afterSignInUrl: '/x' })\n"),
	})
	want := []string{"/account/access", "/enter", "/join", "/register"}
	if got := m.SignInPaths(context.Background()); !slices.Equal(got, want) {
		t.Errorf("SignInPaths = %v, want %v", got, want)
	}
}
