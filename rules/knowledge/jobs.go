package knowledge

// A background-job library queues work for a task its application
// defines elsewhere: the request hands the task a payload, and the task's
// run function does the work later, outside the request, with no caller
// to check. What the task does with that payload is the request's doing.

// JobTrigger is a call that queues a task by the id the application gave
// it, with a payload.
type JobTrigger struct {
	Module string // the module the receiver is imported from
	Call   string // the call on the imported name: "tasks.trigger"
	// IDArg and PayloadArg are the positions of the task id and the
	// payload.
	IDArg, PayloadArg int
	Source            string
}

// JobTask is a factory that defines a task: its options object names the
// task's id and its run function, which receives the payload first.
type JobTask struct {
	Module  string
	Factory string // the factory export: "task", "schemaTask"
	// IDOption and RunOption are the option keys of the id and the
	// function that runs the task.
	IDOption, RunOption string
	// HandleCalls are the methods of the task object the factory returns
	// that queue it with their first argument as the payload
	// (videoDeletion.trigger({ videoId })).
	HandleCalls []string
	Source      string
}

const triggerDevTriggering = "https://trigger.dev/docs/triggering (tasks.trigger(), tasks.triggerAndWait(), tasks.batchTrigger() take the task id and the payload)"

const triggerDevTasks = "https://trigger.dev/docs/tasks/overview (task({ id, run: async (payload) => ... })), https://trigger.dev/docs/tasks/schemaTask, https://trigger.dev/docs/triggering (yourTask.trigger(payload), yourTask.triggerAndWait(payload))"

// jobTriggers are the calls that queue a task by id.
var jobTriggers = []JobTrigger{
	{Module: "@trigger.dev/sdk", Call: "tasks.trigger", IDArg: 0, PayloadArg: 1, Source: triggerDevTriggering},
	{Module: "@trigger.dev/sdk", Call: "tasks.triggerAndWait", IDArg: 0, PayloadArg: 1, Source: triggerDevTriggering},
	{Module: "@trigger.dev/sdk/v3", Call: "tasks.trigger", IDArg: 0, PayloadArg: 1, Source: triggerDevTriggering},
	{Module: "@trigger.dev/sdk/v3", Call: "tasks.triggerAndWait", IDArg: 0, PayloadArg: 1, Source: triggerDevTriggering},
}

var triggerDevHandle = []string{"trigger", "triggerAndWait"}

// jobTasks are the factories that define a task.
var jobTasks = []JobTask{
	{Module: "@trigger.dev/sdk", Factory: "task", IDOption: "id", RunOption: "run", HandleCalls: triggerDevHandle, Source: triggerDevTasks},
	{Module: "@trigger.dev/sdk", Factory: "schemaTask", IDOption: "id", RunOption: "run", HandleCalls: triggerDevHandle, Source: triggerDevTasks},
	{Module: "@trigger.dev/sdk/v3", Factory: "task", IDOption: "id", RunOption: "run", HandleCalls: triggerDevHandle, Source: triggerDevTasks},
	{Module: "@trigger.dev/sdk/v3", Factory: "schemaTask", IDOption: "id", RunOption: "run", HandleCalls: triggerDevHandle, Source: triggerDevTasks},
}

// JobTriggerOf returns the job trigger that call (on a name imported from
// module: "tasks.trigger") is.
func JobTriggerOf(module, call string) (JobTrigger, bool) {
	for _, t := range jobTriggers {
		if t.Module == module && t.Call == call {
			return t, true
		}
	}
	return JobTrigger{}, false
}

// JobTaskOf returns the task factory that the export factory of module is.
func JobTaskOf(module, factory string) (JobTask, bool) {
	for _, t := range jobTasks {
		if t.Module == module && t.Factory == factory {
			return t, true
		}
	}
	return JobTask{}, false
}

// IsJobHandleCall reports whether method queues a task on the task
// object some factory returns.
func IsJobHandleCall(method string) bool {
	for _, t := range jobTasks {
		for _, h := range t.HandleCalls {
			if h == method {
				return true
			}
		}
	}
	return false
}

// JobModules lists the modules that define tasks, for a cheap prefilter.
func JobModules() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range jobTasks {
		if !seen[t.Module] {
			seen[t.Module] = true
			out = append(out, t.Module)
		}
	}
	return out
}
