package model_test

import (
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules/source"
)

// TestServesPublic: a server function that a public file route calls,
// directly or from a component or hook the route imports, serves that
// page; one only a guarded route's page reaches, one called only by
// another server function's module, and one nothing calls serve none.
func TestServesPublic(t *testing.T) {
	m := buildModel(t, source.Mem{
		"package.json": []byte(`{"dependencies": {"@clerk/tanstack-react-start": "^0.26.0", "@tanstack/react-start": "^1.130.0", "@tanstack/react-router": "^1.130.0"}}`),
		"src/server/fns.ts": []byte(`import { createServerFn } from '@tanstack/react-start'
export const viaHook = createServerFn({ method: 'POST' }).handler(async () => ({ ok: true }))
export const direct = createServerFn({ method: 'GET' }).handler(async () => ({ ok: true }))
export const privateOnly = createServerFn({ method: 'GET' }).handler(async () => ({ ok: true }))
export const serverSide = createServerFn({ method: 'GET' }).handler(async () => ({ ok: true }))
export const nobody = createServerFn({ method: 'GET' }).handler(async () => ({ ok: true }))
`),
		"src/server/other.ts": []byte(`import { createServerFn } from '@tanstack/react-start'
import { serverSide } from './fns'
export const wrapper = createServerFn({ method: 'GET' }).handler(async () => serverSide())
`),
		"src/hooks/use-thing.ts": []byte(`import { useServerFn } from '@tanstack/react-start'
import { viaHook } from '../server/fns'
export function useThing() { return useServerFn(viaHook) }
`),
		"src/components/widget.tsx": []byte(`import { useThing } from '../hooks/use-thing'
export function Widget() { const run = useThing(); return <button onClick={() => run()}>go</button> }
`),
		"src/components/private-panel.tsx": []byte(`import { privateOnly } from '../server/fns'
export function Panel() { privateOnly(); return null }
`),
		"src/routes/index.tsx": []byte(`import { createFileRoute } from '@tanstack/react-router'
import { Widget } from '../components/widget'
import { direct } from '../server/fns'
import { wrapper } from '../server/other'
export const Route = createFileRoute('/')({ loader: async () => ({ a: await direct(), b: await wrapper() }), component: () => <Widget /> })
`),
		"src/routes/_authed.tsx": []byte(`import { createFileRoute, redirect } from '@tanstack/react-router'
export const Route = createFileRoute('/_authed')({
  beforeLoad: ({ context }) => { if (!context.userId) throw redirect({ to: '/sign-in' }) },
})
`),
		"src/routes/_authed/panel.tsx": []byte(`import { createFileRoute } from '@tanstack/react-router'
import { Panel } from '../../components/private-panel'
export const Route = createFileRoute('/_authed/panel')({ component: Panel })
`),
	})
	for label, want := range map[string]string{
		"server-fn viaHook":     "the route / (src/routes/index.tsx)",
		"server-fn direct":      "the route / (src/routes/index.tsx)",
		"server-fn privateOnly": "",
		"server-fn serverSide":  "",
		"server-fn nobody":      "",
	} {
		if got := entry(t, m, label).ServesPublic; got != want {
			t.Errorf("%s: ServesPublic = %q, want %q", label, got, want)
		}
	}
	if e := entry(t, m, "server-fn wrapper"); !strings.Contains(e.ServesPublic, "src/routes/index.tsx") {
		t.Errorf("wrapper: ServesPublic = %q, want the index route", e.ServesPublic)
	}
}
