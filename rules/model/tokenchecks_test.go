package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

const tokenUseTS = `import { jwtVerify } from 'jose'
import jwt from 'jsonwebtoken'
import { checkSession, looksLikeJwt, verifyAccessToken } from '../lib/session'

export async function handle(token: string, key: Uint8Array, client: any) {
  await jwtVerify(token, key)
  jwt.decode(token)
  await checkSession(token)
  looksLikeJwt(token)
  verifyAccessToken(token)
  await client.authenticateRequest(token)
  fetch('/x')
}
`

func TestVerifiesToken(t *testing.T) {
	m := buildModel(t, source.Mem{
		"package.json": []byte(`{"dependencies": {"jose": "^5.0.0", "jsonwebtoken": "^9.0.0"}}`),
		"lib/session.ts": []byte(`import { jwtVerify } from 'jose'
// named for nothing in particular, but verifies through a helper
export async function checkSession(token: string) {
  // This body is long on purpose: its byte range in this file covers the
  // offsets of the calls in src/use.ts, so a recursion check that compared
  // offsets across files would take the caller for the function itself
  // and stop before finding the verifier in inner().
  // ................................................................
  // ................................................................
  // ................................................................
  return inner(token)
}
async function inner(token: string) { return jwtVerify(token, new TextEncoder().encode(process.env.JWT_SECRET)) }
// named for verifying, but only checks the shape
export function verifyAccessToken(token: string) { return token.split('.').length === 3 }
export const looksLikeJwt = (t: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(t)
`),
		"src/use.ts": []byte(tokenUseTS),
	})
	ctx := context.Background()
	f, err := jsast.Parse(ctx, source.NewFile("src/use.ts", []byte(tokenUseTS)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"jwtVerify": true, "jwt.decode": false, "checkSession": true, "looksLikeJwt": false,
		"verifyAccessToken": false, "client.authenticateRequest": true, "fetch": false,
	}
	for _, c := range f.Calls(f.Root, func(string) bool { return true }) {
		name := f.CalleeName(c)
		w, ok := want[name]
		if !ok {
			continue
		}
		delete(want, name)
		if got := m.VerifiesToken(ctx, f, c); got != w {
			t.Errorf("VerifiesToken(%s) = %v, want %v", name, got, w)
		}
	}
	for name := range want {
		t.Errorf("no call %s", name)
	}
}

func TestHandDecodedPayload(t *testing.T) {
	const src = `export function a(t) { return JSON.parse(atob(t.split('.')[1])) }
export function b(t) { const p = t.split('.')[1]; return JSON.parse(Buffer.from(p, 'base64url').toString()) }
export function c(t) { return t.split('.')[1] }
export function d(v) { return JSON.parse(atob(v.split(',')[1])) }
export function e(t) { return JSON.parse(atob(t.split('.')[0])) }
export function g(t) { return JSON.parse(Buffer.from(t.split('.')[1]).toString()) }
`
	f, err := jsast.Parse(context.Background(), source.NewFile("lib/jwt.ts", []byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	// a and b decode the payload by hand; c never decodes it, d splits on
	// a comma (a data URL), e reads the header, g reads it as UTF-8.
	want := map[string]bool{"a": true, "b": true, "c": false, "d": false, "e": false, "g": false}
	got := map[string]bool{}
	for _, n := range jsast.Find(f.Root, "subscript_expression") {
		fn := jsast.EnclosingFunction(n)
		name := f.Text(fn.ChildByField("name"))
		got[name] = got[name] || model.HandDecodedPayload(f, n)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("HandDecodedPayload in %s = %v, want %v", name, got[name], w)
		}
	}
}
