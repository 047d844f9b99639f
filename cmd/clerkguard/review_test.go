package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// reviewBase is a Next.js app whose middleware protects every route but
// /api/stats, which its matcher skips: GET /api/stats is unprotected on
// the base already (CLK-RP-003), GET /api/reports is protected.
var reviewBase = map[string]string{
	"package.json": `{"dependencies": {"next": "15.3.0", "@clerk/nextjs": "^6.20.0", "@prisma/client": "^5.0.0"}}`,
	"middleware.ts": `import { clerkMiddleware } from '@clerk/nextjs/server'

export default clerkMiddleware(async (auth) => {
  await auth.protect()
})

export const config = {
  matcher: ['/((?!_next|api/stats).*)'],
}
`,
	"app/api/reports/route.ts": `import { db } from '@/lib/db'

export async function GET() {
  return Response.json(await db.report.findMany())
}
`,
	"app/api/stats/route.ts": `import { db } from '@/lib/db'

export async function GET() {
  return Response.json(await db.stat.findMany())
}
`,
	"lib/db.ts": `import { PrismaClient } from '@prisma/client'
export const db = new PrismaClient()
`,
}

type reviewFinding struct {
	Rule    string `json:"rule"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Message string `json:"message"`
	InDiff  bool   `json:"in_diff"`
}

// reviewBranch commits change on a branch off main and reviews it.
func reviewBranch(t *testing.T, dir, branch string, change func()) (int, []reviewFinding) {
	t.Helper()
	git(t, dir, "checkout", "-q", "main")
	git(t, dir, "checkout", "-qb", branch)
	change()
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", branch)
	code, out, stderr := runCLI(t, "review", "--format", "json", "--base", "main", "--head", branch, dir)
	if code == 2 {
		t.Fatalf("%s: exit 2: %s", branch, stderr)
	}
	var rep struct{ Findings []reviewFinding }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%s: %v\n%s", branch, err, out)
	}
	return code, rep.Findings
}

func TestReviewProtectionChanges(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	writeFiles(t, dir, reviewBase)
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "base")

	rp020 := func(fs []reviewFinding) []reviewFinding {
		var out []reviewFinding
		for _, f := range fs {
			if f.Rule == "CLK-RP-020" {
				out = append(out, f)
			}
		}
		return out
	}

	t.Run("deleted middleware", func(t *testing.T) {
		code, fs := reviewBranch(t, dir, "delete-mw", func() { git(t, dir, "rm", "-q", "middleware.ts") })
		r := rp020(fs)
		if code != 1 || len(r) != 1 || r[0].Path != "middleware.ts" || r[0].Line != 1 || !r[0].InDiff ||
			!strings.Contains(r[0].Message, "`GET /api/reports`") || !strings.Contains(r[0].Message, "`middleware.ts` was deleted") {
			t.Fatalf("exit %d, findings %+v", code, fs)
		}
		if strings.Contains(r[0].Message, "/api/stats") {
			t.Errorf("/api/stats was not protected on the base, so it did not regress: %s", r[0].Message)
		}
	})
	t.Run("moved middleware", func(t *testing.T) {
		code, fs := reviewBranch(t, dir, "move-mw", func() { git(t, dir, "mv", "middleware.ts", "lib/middleware.ts") })
		r := rp020(fs)
		if code != 1 || len(r) != 1 || r[0].Path != "lib/middleware.ts" || !strings.Contains(r[0].Message, "was moved to `lib/middleware.ts`") {
			t.Errorf("exit %d, findings %+v", code, fs)
		}
	})
	t.Run("matcher opens a data route", func(t *testing.T) {
		code, fs := reviewBranch(t, dir, "open-reports", func() {
			writeFiles(t, dir, map[string]string{"middleware.ts": strings.Replace(reviewBase["middleware.ts"], "api/stats", "api/stats|api/reports", 1)})
		})
		r := rp020(fs)
		if code != 1 || len(r) != 1 || r[0].Path != "middleware.ts" || r[0].Line != 8 || !strings.Contains(r[0].Message, "`GET /api/reports`") {
			t.Errorf("exit %d, findings %+v", code, fs)
		}
		// CLK-RP-003's finding on the route, which diff mode moves to the
		// matcher line, is told by the regression that names the route.
		if len(fs) != 1 {
			t.Errorf("%d findings, want the regression alone: %+v", len(fs), fs)
		}
	})
	t.Run("whitespace-only matcher edit", func(t *testing.T) {
		// The base already left /api/stats open; touching the matcher line
		// must not bring that finding back.
		code, fs := reviewBranch(t, dir, "reformat", func() {
			writeFiles(t, dir, map[string]string{"middleware.ts": strings.Replace(reviewBase["middleware.ts"],
				"matcher: ['/((?!_next|api/stats).*)'],", "matcher: [\n    '/((?!_next|api/stats).*)',\n  ],", 1)})
		})
		if code != 0 || len(fs) != 0 {
			t.Errorf("exit %d, want 0 and no finding: %+v", code, fs)
		}
	})
	t.Run("suppressed at the shown line", func(t *testing.T) {
		code, fs := reviewBranch(t, dir, "open-reports-on-purpose", func() {
			writeFiles(t, dir, map[string]string{"middleware.ts": strings.Replace(reviewBase["middleware.ts"],
				"  matcher: ['/((?!_next|api/stats).*)'],",
				"  // clerkguard:ignore CLK-RP-020, CLK-RP-003 -- reports are public data now\n  matcher: ['/((?!_next|api/stats|api/reports).*)'],", 1)})
		})
		if code != 0 || len(fs) != 0 {
			t.Errorf("exit %d, want 0 and no finding: %+v", code, fs)
		}
	})
}
