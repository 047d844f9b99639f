package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/source"
)

var clerkEventApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"express": "^4.19.0", "hono": "^4.6.0", "@clerk/express": "^1.3.0"}}`),
	"server.ts": []byte(`import express from 'express'
import { Hono } from 'hono'
import { db } from './db'

const app = express()
app.post('/sync/users', express.json(), async (req, res) => {
  switch (req.body.type) {
    case 'user.deleted':
      await db.remove(req.body.data.id)
  }
  res.sendStatus(200)
})
app.post('/orders', express.json(), async (req, res) => {
  if (req.body.type === 'user.created') await db.note('noted')
  res.sendStatus(200)
})
app.post('/relay', express.json(), async (req, res) => {
  await fetch('https://relay.example', { method: 'POST', body: JSON.stringify({ type: 'user.created', id: req.body.id }) })
  res.sendStatus(202)
})
app.listen(3000)

const api = new Hono()
api.post('/members', async (c) => {
  const { data } = await c.req.json()
  await db.add(data.email_addresses[0].email_address)
  return c.text('ok')
})
api.post('/invoices', async (c) => {
  const evt = await c.req.json()
  if (evt.type === 'invoice.paid') await db.add(evt.data.username)
  return c.text('ok')
})
export default api
`),
	"db.ts": []byte(`export const db = { remove: async (id: string) => id, note: async (s: string) => s, add: async (s: string) => s }`),
}

// TestClerkWebhookEvent: the model recognises a Clerk event read from the
// body in any adapter (an Express switch on req.body.type, a Hono handler
// reading data.email_addresses); not a Clerk event name the handler only
// sends, nor another provider's event whose data has a username.
func TestClerkWebhookEvent(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, clerkEventApp)
	es, err := m.EntriesOf(ctx, "server.ts")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"POST /sync/users": 7, "POST /orders": 14, "POST /members": 26}
	got := map[string]int{}
	for _, e := range es {
		if at, ok := m.ClerkWebhookEvent(ctx, e); ok {
			got[e.Label()] = at.Line
		}
	}
	for label, line := range want {
		if got[label] != line {
			t.Errorf("%s: ClerkWebhookEvent at line %d, want %d", label, got[label], line)
		}
	}
	for label := range got {
		if _, ok := want[label]; !ok {
			t.Errorf("%s: recognised as a Clerk webhook receiver, want not", label)
		}
	}
	if len(es) < 5 {
		t.Errorf("entries %d, want 5 (express and hono routes)", len(es))
	}
}
