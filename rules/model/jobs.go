package model

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/model/modules"
)

// Background jobs. A request that queues a task of the application
// (trigger.dev's tasks.trigger("video-deletion", { videoId })) hands it a
// payload; the task's run function acts on it later with no caller to
// check, so what it does with the payload is an effect of the request.
// The task is found by the id it was defined with
// (schemaTask({ id: "video-deletion", run })), and the trigger call is
// followed like a call of run(payload) (knowledge.JobTriggerOf,
// knowledge.JobTaskOf).

// jobCallTarget returns the run function of the task a call queues and
// the argument that is its payload.
func (m *Model) jobCallTarget(ctx context.Context, f *jsast.File, call *jsast.Node) (fnRef, []*jsast.Node, bool) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return fnRef{}, nil, false
	}
	root := rootIdent(callee)
	if root == nil {
		return fnRef{}, nil, false
	}
	im, ok := f.ImportOf(f.Text(root))
	if !ok {
		return fnRef{}, nil, false
	}
	rest := strings.TrimPrefix(strings.ReplaceAll(f.CalleeName(call), "()", ""), f.Text(root))
	t, ok := knowledge.JobTriggerOf(im.Source, im.Imported+rest)
	if !ok {
		return fnRef{}, nil, false
	}
	args := jsast.Args(call)
	if t.IDArg >= len(args) || t.PayloadArg >= len(args) {
		return fnRef{}, nil, false
	}
	id, ok := f.StringValue(args[t.IDArg])
	if !ok {
		return fnRef{}, nil, false
	}
	tasks, _ := m.jobs.get(func() (map[string]fnRef, error) { return m.jobTasks(ctx), nil })
	r, ok := tasks[id]
	return r, []*jsast.Node{args[t.PayloadArg]}, ok
}

// jobTasks indexes the snapshot's task definitions by id.
func (m *Model) jobTasks(ctx context.Context) map[string]fnRef {
	out := map[string]fnRef{}
	mods := knowledge.JobModules()
	for _, p := range m.fs.Paths() {
		if ctx.Err() != nil {
			break
		}
		if !modules.IsModule(p) || strings.Contains("/"+p, "/node_modules/") {
			continue
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: fmt.Sprintf("not read, so the background tasks it defines are not followed: %v", err)})
			continue
		}
		if !containsAny(sf.Content, mods) {
			continue
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: err.Error()})
			continue
		}
		for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
			callee := jsast.Unwrap(call.ChildByField("function"))
			if callee == nil || callee.Type != "identifier" {
				continue
			}
			im, ok := f.ImportOf(f.Text(callee))
			if !ok {
				continue
			}
			jt, ok := knowledge.JobTaskOf(im.Source, im.Imported)
			if !ok {
				continue
			}
			opts := jsast.Unwrap(firstArg(call))
			if opts == nil || opts.Type != "object" {
				continue
			}
			id, ok := f.StringValue(f.ObjectProp(opts, jt.IDOption))
			run := jsast.Unwrap(f.ObjectProp(opts, jt.RunOption))
			if !ok || run == nil || !jsast.IsFunction(run) {
				continue
			}
			if _, dup := out[id]; !dup {
				out[id] = fnRef{file: f, fn: run, name: "task " + id}
			}
		}
	}
	return out
}

func containsAny(b []byte, subs []string) bool {
	for _, s := range subs {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}
