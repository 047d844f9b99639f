package model_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/clerkguard/clerkguard/rules/source"
)

// curatedApp is a Fastify API where every route is behind a signed-in
// hook and no route checks a role: units are a shared catalogue (no owner
// field, renamed by id); tags are only added to; chapters are edited
// after the book's owner is compared with the caller; flags are deleted
// only by admins; drafts carry their owner.
var curatedApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"fastify": "^5.0.0", "@clerk/fastify": "^2.1.0", "@prisma/client": "^6.0.0"}}`),
	"prisma/schema.prisma": []byte(`model Unit {
  id   String @id
  name String
}

model Draft {
  id      String @id
  ownerId String
}
`),
	"src/server.ts": []byte(`import Fastify from 'fastify'
import { clerkPlugin, getAuth } from '@clerk/fastify'
import { PrismaClient } from '@prisma/client'

const db = new PrismaClient()
const app = Fastify()
app.register(clerkPlugin)
app.register(async (api) => {
  api.addHook('preHandler', async (req, reply) => {
    const { userId, sessionClaims } = getAuth(req)
    if (!userId) return reply.code(401).send()
    req.uid = userId
    req.staff = sessionClaims?.metadata?.role === 'staff'
  })
  api.post('/units', async (req) => db.unit.create({ data: { name: req.body.name } }))
  api.put('/units/:id', async (req) => db.unit.update({ where: { id: req.params.id }, data: { name: req.body.name } }))
  api.post('/tags', async (req) => db.tag.create({ data: { label: req.body.label } }))
  api.put('/chapters/:id', async (req, reply) => {
    const ch = await db.chapter.findUnique({ where: { id: req.params.id }, include: { book: true } })
    if (!ch || ch.book.ownerId !== req.uid) return reply.code(403).send()
    return db.chapter.update({ where: { id: ch.id }, data: { title: req.body.title } })
  })
  api.delete('/flags/:id', async (req, reply) => {
    if (!req.staff) return reply.code(403).send()
    return db.flag.delete({ where: { id: req.params.id } })
  })
  api.delete('/drafts/:id', async (req) => db.draft.delete({ where: { id: req.params.id } }))
})
`),
}

func TestCuratedRecords(t *testing.T) {
	m := buildModel(t, curatedApp)
	got, err := m.CuratedRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for r, e := range got {
		list = append(list, fmt.Sprintf("%s by %s", r, e.Label()))
	}
	sort.Strings(list)
	if fmt.Sprint(list) != "[unit by PUT /units/:id]" {
		t.Errorf("CuratedRecords = %v; want [unit by PUT /units/:id] (drafts have an owner field, chapters an owner check, flags a role check, tags no edit)", list)
	}
}
