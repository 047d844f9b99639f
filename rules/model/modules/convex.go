package modules

import (
	"path"
	"strings"
)

// ConvexFunction resolves a Convex function reference written in the file
// at from (`internal.clerk.fulfill`, `api.billing.webhooks.handle`, as
// passed to ctx.runAction/runMutation/runQuery or the scheduler) to the
// module that defines it and its export: the reference's middle segments
// are the module's path inside the convex/ directory holding from, the
// last one the export ("api.myFunctions.sendMessage" is the sendMessage
// export of convex/myFunctions.ts, https://docs.convex.dev/functions/query-functions#query-names;
// `internal` references internal functions the same way,
// https://docs.convex.dev/functions/internal-functions). ok is false for
// anything else, or when the snapshot has no such module.
func (g *Graph) ConvexFunction(from, ref string) (file, export string, ok bool) {
	segs := strings.Split(ref, ".")
	if len(segs) < 3 || (segs[0] != "api" && segs[0] != "internal") {
		return "", "", false
	}
	root := ""
	for d := dirOf(from); d != ""; d = dirOf(d) {
		if path.Base(d) == "convex" {
			root = d
			break
		}
	}
	if root == "" {
		return "", "", false
	}
	mod := join(root, strings.Join(segs[1:len(segs)-1], "/"))
	for _, ext := range []string{".ts", ".js", ".tsx", ".jsx", ".mts", ".mjs"} {
		if g.r.Has(mod + ext) {
			return mod + ext, segs[len(segs)-1], true
		}
	}
	return "", "", false
}
