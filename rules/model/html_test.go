package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

var mailApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"@clerk/express": "^1.0.0", "nodemailer": "^6.9.0", "resend": "^4.0.0", "mongoose": "^8.0.0"}}`),
	"lib/mail.js": []byte(`import nodemailer from 'nodemailer'
const transport = nodemailer.createTransport({})
export const mail = (to, subject, body) => transport.sendMail({ to, subject, html: body })
`),
	"models/Order.js": []byte(`import mongoose from 'mongoose'
export default mongoose.model('Order', new mongoose.Schema({}))
`),
	"jobs/run.js": []byte(`const { Resend } = require('resend')
import Order from '../models/Order.js'
import { mail } from '../lib/mail.js'
const resend = new Resend('k')
export async function run(id) {
  const order = await Order.findById(id).populate('user')
  await mail('a@example.com', 'Hi', '<p>' + order.user.name + '</p>')
  await resend.emails.send({ to: 'b@example.com', html: '<b>x</b>' })
  await order.save()
  console.log({ html: 'not mail' })
}
`),
}

// parsed parses a file of a snapshot on its own.
func parsed(t *testing.T, snap source.Mem, p string) *jsast.File {
	t.Helper()
	f, err := jsast.Parse(context.Background(), source.NewFile(p, snap[p]))
	if err != nil || f == nil {
		t.Fatalf("parse %s: %v", p, err)
	}
	return f
}

// TestMailHTMLOf: a mail library's HTML option, and an application
// helper's parameter that becomes one; console.log's object is no mail.
func TestMailHTMLOf(t *testing.T) {
	ctx := context.Background()
	m, f := buildModel(t, mailApp), parsed(t, mailApp, "jobs/run.js")
	got := map[string]string{}
	for _, c := range f.Calls(f.Root, func(string) bool { return true }) {
		ms, err := m.MailHTMLOf(ctx, f, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ms {
			got[f.CalleeName(c)] = x.Option + " " + x.Call + " " + f.Text(x.Value)
		}
	}
	want := map[string]string{
		"mail":               "body transport.sendMail '<p>' + order.user.name + '</p>'",
		"resend.emails.send": "html resend.emails.send '<b>x</b>'",
	}
	if len(got) != len(want) {
		t.Errorf("MailHTMLOf = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("MailHTMLOf(%s) = %q, want %q", k, got[k], v)
		}
	}
}

// TestStoredReadAt: a query builder chain over a Mongoose model reads
// stored records; a save of the record read and a call of no data
// client are not reads of records.
func TestStoredReadAt(t *testing.T) {
	ctx := context.Background()
	m, f := buildModel(t, mailApp), parsed(t, mailApp, "jobs/run.js")
	for _, c := range f.Calls(f.Root, func(string) bool { return true }) {
		if c.Parent != nil && c.Parent.Type == "member_expression" {
			continue // inner links of a chain: the whole chain is asked
		}
		ok, err := m.StoredReadAt(ctx, f, c)
		if err != nil {
			t.Fatal(err)
		}
		name := f.CalleeName(c)
		if want := name == "Order.findById().populate"; ok != want {
			t.Errorf("StoredReadAt(%s) = %v, want %v", name, ok, want)
		}
	}
}

// TestPageLoads: a +page.svelte receives the load of the +page.server
// file beside it, and nothing else does.
func TestPageLoads(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, source.Mem{
		"package.json":                      []byte(`{"dependencies": {"@sveltejs/kit": "^2.0.0", "svelte-clerk": "^0.10.0"}}`),
		"src/routes/p/[id]/+page.server.ts": []byte(`export const load = async ({ params }) => ({ id: params.id })`),
		"src/routes/p/[id]/+page.svelte":    []byte(`<p>{data.id}</p>`),
		"src/routes/q/+page.svelte":         []byte(`<p>q</p>`),
	})
	es, err := m.PageLoads(ctx, "src/routes/p/[id]/+page.svelte")
	if err != nil || len(es) != 1 || es[0].Kind != model.Load || es[0].File != "src/routes/p/[id]/+page.server.ts" {
		t.Errorf("PageLoads = %v, %v; want the load of +page.server.ts", es, err)
	}
	for _, p := range []string{"src/routes/q/+page.svelte", "src/routes/p/[id]/+page.server.ts"} {
		if es, err := m.PageLoads(ctx, p); err != nil || len(es) != 0 {
			t.Errorf("PageLoads(%s) = %v, %v; want none", p, es, err)
		}
	}
}

// TestMailHTMLOfUnreadableHelper: a helper that cannot be read is an
// error (unknown), never "this call mails nothing".
func TestMailHTMLOfUnreadableHelper(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, failingFiles{Mem: mailApp, fail: map[string]bool{"lib/mail.js": true}})
	f := parsed(t, mailApp, "jobs/run.js")
	calls := f.Calls(f.Root, func(n string) bool { return n == "mail" })
	if len(calls) != 1 {
		t.Fatalf("%d calls of mail, want 1", len(calls))
	}
	for _, c := range calls {
		if ms, err := m.MailHTMLOf(ctx, f, c); err == nil {
			t.Errorf("MailHTMLOf(mail) with lib/mail.js unreadable = %v, nil; want an error", ms)
		}
	}
}
