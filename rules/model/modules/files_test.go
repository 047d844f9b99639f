package modules_test

import (
	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/model/modules"
	"github.com/clerkguard/clerkguard/rules/project"
)

// The engine's file set is what the resolver reads, and the project
// model's Files is the same interface.
var (
	_ modules.Files = (*rules.FileSet)(nil)
	_ project.Files = modules.Files(nil)
)
