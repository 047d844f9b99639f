package hardening_test

import (
	"context"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/hardening"
	"github.com/clerkguard/clerkguard/rules/source"
)

// TestGETRouteFileReachesRule: through the engine (its keyword
// prefilter included), an Express route file that registers a GET
// controller with `router.get(` and names neither Clerk nor a redirect
// is still checked, and the controller's session check and privileged
// write are reported at the registration.
func TestGETRouteFileReachesRule(t *testing.T) {
	snap := source.Mem{
		"package.json": []byte(`{"dependencies": {"@clerk/express": "^1.3.0", "express": "^4.19.0"}}`),
		"server/index.js": []byte("import express from 'express'\nimport { clerkMiddleware } from '@clerk/express'\nimport staff from './routes/staff.js'\n" +
			"const app = express()\napp.use(clerkMiddleware())\napp.use('/api/staff', staff)\napp.listen(3000)\n"),
		"server/routes/staff.js": []byte("import { Router } from 'express'\nimport { becomeReviewer } from '../controllers/staff.js'\n" +
			"const staff = Router()\nstaff.get('/become-reviewer', becomeReviewer)\nexport default staff\n"),
		"server/controllers/staff.js": []byte("import { clerkClient, getAuth } from '@clerk/express'\n" +
			"export const becomeReviewer = async (req, res) => {\n  const { userId } = getAuth(req)\n  if (!userId) return res.status(401).end()\n" +
			"  await clerkClient.users.updateUserMetadata(userId, { publicMetadata: { reviewer: true } })\n  res.json({ ok: true })\n}\n"),
	}
	res, err := rules.Run(context.Background(), snap, rules.Options{Rules: []*rules.Rule{hardening.HARD003}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.Rule == hardening.HARD003.ID && f.Path == "server/routes/staff.js" && f.Line == 4 {
			return
		}
	}
	t.Errorf("no CLK-HARD-003 finding at server/routes/staff.js:4; findings: %+v", res.Findings)
}
