package model

import (
	"bytes"
	"context"
	"fmt"
	"slices"
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

// jobTaskIndex is the snapshot's tasks by id, and whether some file that
// may define one could not be read.
type jobTaskIndex struct {
	byID       map[string]fnRef
	incomplete bool
}

// jobCallTarget returns the run function of the task a call queues and
// the argument that is its payload. unread is set for a trigger call
// whose task was not found while some file could not be read: what it
// does is not known.
func (m *Model) jobCallTarget(ctx context.Context, f *jsast.File, call *jsast.Node) (r fnRef, payload []*jsast.Node, ok, unread bool) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return fnRef{}, nil, false, false
	}
	root := rootIdent(callee)
	if root == nil {
		return fnRef{}, nil, false, false
	}
	if r, args, ok := m.taskHandleCall(ctx, f, call, callee, root); ok {
		return r, args, true, false
	}
	im, ok := f.ImportOf(f.Text(root))
	if !ok {
		return fnRef{}, nil, false, false
	}
	rest := strings.TrimPrefix(strings.ReplaceAll(f.CalleeName(call), "()", ""), f.Text(root))
	t, ok := knowledge.JobTriggerOf(im.Source, im.Imported+rest)
	if !ok {
		return fnRef{}, nil, false, false
	}
	args := jsast.Args(call)
	if t.IDArg >= len(args) || t.PayloadArg >= len(args) {
		return fnRef{}, nil, false, false
	}
	id, ok := f.StringValue(args[t.IDArg])
	if !ok {
		return fnRef{}, nil, false, false
	}
	idx, _ := m.jobs.get(func() (jobTaskIndex, error) { return m.jobTasks(ctx), nil })
	r, ok = idx.byID[id]
	return r, []*jsast.Node{args[t.PayloadArg]}, ok, !ok && idx.incomplete
}

// taskHandleCall recognises a method of a task object that queues it
// (videoDeletion.trigger({ videoId })): the object's declaration, through
// imports, is a task factory's call.
func (m *Model) taskHandleCall(ctx context.Context, f *jsast.File, call, callee, root *jsast.Node) (fnRef, []*jsast.Node, bool) {
	obj := jsast.Unwrap(callee.ChildByField("object"))
	args := jsast.Args(call)
	if obj != root || len(args) == 0 {
		return fnRef{}, nil, false
	}
	method := f.Text(callee.ChildByField("property"))
	if !knowledge.IsJobHandleCall(method) {
		return fnRef{}, nil, false // cheap test before the import graph
	}
	o, ok, err := m.origin(ctx, f, f.Text(root))
	if err != nil || !ok {
		return fnRef{}, nil, false
	}
	df, decl, err := m.originValue(ctx, o)
	if err != nil || decl == nil {
		return fnRef{}, nil, false
	}
	decl = jsast.Unwrap(decl)
	if decl.Type != "call_expression" {
		return fnRef{}, nil, false
	}
	jt, _, r, ok := taskDefinition(df, decl)
	if !ok || !slices.Contains(jt.HandleCalls, method) {
		return fnRef{}, nil, false
	}
	return r, args[:1], true
}

// taskDefinition reads a task factory's call: the factory, the task's id
// and its run function.
func taskDefinition(f *jsast.File, call *jsast.Node) (knowledge.JobTask, string, fnRef, bool) {
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "identifier" {
		return knowledge.JobTask{}, "", fnRef{}, false
	}
	im, ok := f.ImportOf(f.Text(callee))
	if !ok {
		return knowledge.JobTask{}, "", fnRef{}, false
	}
	jt, ok := knowledge.JobTaskOf(im.Source, im.Imported)
	if !ok {
		return knowledge.JobTask{}, "", fnRef{}, false
	}
	opts := jsast.Unwrap(firstArg(call))
	if opts == nil || opts.Type != "object" {
		return knowledge.JobTask{}, "", fnRef{}, false
	}
	id, ok := f.StringValue(f.ObjectProp(opts, jt.IDOption))
	run := jsast.Unwrap(f.ObjectProp(opts, jt.RunOption))
	if !ok || run == nil || !jsast.IsFunction(run) {
		return knowledge.JobTask{}, "", fnRef{}, false
	}
	return jt, id, fnRef{file: f, fn: run, name: "task " + id}, true
}

// jobTasks indexes the snapshot's task definitions by id.
func (m *Model) jobTasks(ctx context.Context) jobTaskIndex {
	idx := jobTaskIndex{byID: map[string]fnRef{}}
	out := idx.byID
	mods := knowledge.JobModules()
	idx.incomplete = m.scanModules(ctx, "the background tasks it defines are not followed",
		func(b []byte) bool { return containsAny(b, mods) },
		func(f *jsast.File) {
			for _, call := range f.Calls(f.Root, func(string) bool { return true }) {
				if _, id, r, ok := taskDefinition(f, call); ok {
					if _, dup := out[id]; !dup {
						out[id] = r
					}
				}
			}
		})
	return idx
}

// scanModules parses each JavaScript or TypeScript module of the
// snapshot (outside node_modules) whose content want accepts, and hands
// it to fn. It reports whether some file could not be read or parsed (a
// note says what is then not known) or the context ended the scan.
func (m *Model) scanModules(ctx context.Context, unknown string, want func([]byte) bool, fn func(*jsast.File)) (incomplete bool) {
	for _, p := range m.fs.Paths() {
		if ctx.Err() != nil {
			return true
		}
		if !modules.IsModule(p) || strings.Contains("/"+p, "/node_modules/") {
			continue
		}
		sf, err := m.fs.Get(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: fmt.Sprintf("not read, so %s: %v", unknown, err)})
			incomplete = true
			continue
		}
		if !want(sf.Content) {
			continue
		}
		f, err := m.parse(ctx, p)
		if err != nil {
			m.notes.add(Note{Where: p, What: err.Error()})
			incomplete = true
			continue
		}
		fn(f)
	}
	return incomplete || ctx.Err() != nil
}

func containsAny(b []byte, subs []string) bool {
	for _, s := range subs {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}
