package model_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules/model"
	"github.com/clerkguard/clerkguard/rules/source"
)

var jobApp = source.Mem{
	"package.json": []byte(`{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "@trigger.dev/sdk": "^3.3.0"}}`),
	"trigger/wipe.ts": []byte(`import { task } from '@trigger.dev/sdk/v3'
export const wipe = task({
  id: 'wipe-note',
  run: async (payload: { noteId: string }) => {
    await db.note.delete({ where: { id: payload.noteId } })
  },
})
`),
	"app/api/notes/[id]/route.ts": []byte(`import { auth } from '@clerk/nextjs/server'
import { tasks } from '@trigger.dev/sdk/v3'
export async function DELETE(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { userId } = await auth()
  if (!userId) return new Response(null, { status: 401 })
  const { id } = await params
  await tasks.trigger('wipe-note', { noteId: id })
  return new Response(null, { status: 202 })
}
`),
}

// TestJobTriggerFollowsTask: a queued task's effects on the payload are
// the request's, selected by the request value it passes; when the file
// that may define the task cannot be read, the effects are incomplete,
// not empty and complete.
func TestJobTriggerFollowsTask(t *testing.T) {
	ctx := context.Background()
	m := buildModel(t, jobApp)
	fx := m.Effects(ctx, entry(t, m, "DELETE /api/notes/[id]"))
	found := false
	for _, x := range fx.List {
		if x.Kind == model.WritesData && x.Call == "db.note.delete" {
			found = true
			if len(x.Request) != 1 || x.Request[0] != model.FromParams || x.OwnerScoped || len(x.Via) == 0 {
				t.Errorf("task delete: request %v, owner scoped %v, via %v; want params, not scoped, via the task", x.Request, x.OwnerScoped, x.Via)
			}
		}
	}
	if !found || fx.Incomplete {
		t.Errorf("readable task: effects %+v (incomplete %v), want the task's db.note.delete", fx.List, fx.Incomplete)
	}
	m = buildModel(t, failingFiles{Mem: jobApp, fail: map[string]bool{"trigger/wipe.ts": true}})
	fx = m.Effects(ctx, entry(t, m, "DELETE /api/notes/[id]"))
	if !fx.Incomplete {
		t.Errorf("unreadable task file: effects %+v not marked incomplete", fx.List)
	}
	if v := m.Guard(ctx, entry(t, m, "DELETE /api/notes/[id]")); v.Authn != model.AuthnYes {
		t.Errorf("unreadable task file changed the verdict: %s (%s)", v.Authn, v.Why)
	}
}
