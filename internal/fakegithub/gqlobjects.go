package fakegithub

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// MaxBlobText is where GitHub's GraphQL Blob.text stops: longer blobs come back cut at
// 512,000 bytes with isTruncated: true (observed behaviour; GitHub does not document
// the number).
const MaxBlobText = 512000

// gqlObject serves Repository.object for the App's reads, which are all
// blobs: by oid, or by expression "<rev>:<path>" (rev a commit SHA, a
// branch or HEAD). As on GitHub, a blob that does not exist is null without
// an error. Other objects (trees, commits) are not served: asking for one
// is a violation.
func (s *Server) gqlObject(r *repo, args map[string]any) (any, error) {
	oid, expr := argStr(args, "oid"), argStr(args, "expression")
	switch {
	case (oid == "") == (expr == ""):
		return nil, fmt.Errorf("Exactly one of oid or expression must be provided for 'object'")
	case oid != "":
		if b, ok := r.blobs[oid]; ok {
			return gqlBlob(b), nil
		}
		if r.trees[oid] != nil || r.commits[oid] != nil {
			return nil, fmt.Errorf("object(oid: %q) is a tree or commit; the fake serves blobs only", oid)
		}
		return nil, nil
	}
	rev, p, hasPath := strings.Cut(expr, ":")
	p = strings.Trim(p, "/")
	if !hasPath || p == "" {
		return nil, fmt.Errorf("object(expression: %q) names a commit or tree; the fake serves blobs only", expr)
	}
	if rev == "HEAD" {
		rev = r.defaultBranch
	}
	snap := r.resolveRef(rev)
	if snap == nil {
		return nil, nil
	}
	p = path.Clean(p)
	if fe, ok := snap.files[p]; ok {
		if fe.kind == KindSubmodule {
			return nil, nil // the commit lives in another repository
		}
		return gqlBlob(fe.content), nil
	}
	if dirSHA(r, snap, p) != "" {
		return nil, fmt.Errorf("object(expression: %q) is a tree; the fake serves blobs only", expr)
	}
	return nil, nil
}

// gqlBlob is a Blob: text is null for binary content, cut at MaxBlobText bytes (on a
// UTF-8 boundary) with isTruncated, and invalid UTF-8 is replaced, since a GraphQL
// String is UTF-8.
func gqlBlob(b []byte) map[string]any {
	bin := isBinary(b)
	truncated := false
	var text any
	if !bin {
		t := b
		if len(t) > MaxBlobText {
			cut := MaxBlobText
			for cut > 0 && !utf8.RuneStart(t[cut]) {
				cut--
			}
			t, truncated = t[:cut], true
		}
		text = strings.ToValidUTF8(string(t), "\uFFFD")
	}
	return map[string]any{
		"__typename": "Blob", "byteSize": len(b), "isBinary": bin, "isTruncated": truncated, "text": text,
	}
}
