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

// gqlObject serves Repository.object(oid:, expression:). As on GitHub, an object that
// does not exist is null without an error; an expression is "<rev>", "<rev>:" (the
// root tree) or "<rev>:<path>", where rev is a commit SHA, a branch or HEAD.
func (s *Server) gqlObject(r *repo, args map[string]any) (any, error) {
	oid, expr := argStr(args, "oid"), argStr(args, "expression")
	switch {
	case oid == "" && expr == "":
		return nil, fmt.Errorf("Either oid or expression must be provided for 'object'")
	case oid != "":
		if b, ok := r.blobs[oid]; ok {
			return gqlBlob(oid, b), nil
		}
		if t := r.trees[oid]; t != nil {
			return s.gqlTree(r, t, ""), nil
		}
		if snap := r.commits[oid]; snap != nil {
			return s.gqlCommit(r, snap), nil
		}
		return nil, nil
	}
	rev, p, hasPath := strings.Cut(expr, ":")
	if rev == "HEAD" {
		rev = r.defaultBranch
	}
	snap := r.resolveRef(rev)
	if snap == nil {
		return nil, nil
	}
	if !hasPath {
		return s.gqlCommit(r, snap), nil
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return s.gqlTree(r, r.trees[snap.rootTree], ""), nil
	}
	p = path.Clean(p)
	if fe, ok := snap.files[p]; ok {
		if fe.kind == KindSubmodule {
			return nil, nil // the commit lives in another repository
		}
		return gqlBlob(fe.sha, fe.content), nil
	}
	if sha := dirSHA(r, snap, p); sha != "" {
		return s.gqlTree(r, r.trees[sha], p+"/"), nil
	}
	return nil, nil
}

// gqlBlob is a Blob: text is null for binary content, cut at MaxBlobText bytes (on a
// UTF-8 boundary) with isTruncated, and invalid UTF-8 is replaced, since a GraphQL
// String is UTF-8.
func gqlBlob(sha string, b []byte) map[string]any {
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
		"__typename": "Blob", "id": "B_" + sha[:12], "oid": sha, "abbreviatedOid": sha[:7],
		"byteSize": len(b), "isBinary": bin, "isTruncated": truncated, "text": text,
	}
}

func (s *Server) gqlCommit(r *repo, snap *snapshot) map[string]any {
	return map[string]any{
		"__typename": "Commit", "id": "C_" + snap.commitSHA[:12], "oid": snap.commitSHA, "abbreviatedOid": snap.commitSHA[:7],
		"url":  s.htmlBase() + "/" + r.fullName() + "/commit/" + snap.commitSHA,
		"tree": gqlResolver(func(map[string]any) (any, error) { return s.gqlTree(r, r.trees[snap.rootTree], ""), nil }),
	}
}

// gqlTree is a Tree; prefix is its directory ("" for the root, else "dir/").
func (s *Server) gqlTree(r *repo, t *treeObj, prefix string) map[string]any {
	entries := make([]map[string]any, 0, len(t.entries))
	for _, e := range t.entries {
		var mode int
		fmt.Sscanf(e.mode, "%o", &mode)
		entry := map[string]any{
			"__typename": "TreeEntry", "name": e.name, "path": prefix + e.name, "mode": mode, "type": e.typ,
			"oid": e.sha, "extension": nilIfEmpty(path.Ext(e.name)), "isGenerated": false,
		}
		switch e.typ {
		case "blob":
			entry["size"] = e.size
			entry["object"] = gqlResolver(func(map[string]any) (any, error) { return gqlBlob(e.sha, r.blobs[e.sha]), nil })
		case "tree":
			entry["size"] = 0
			sub := r.trees[e.sha]
			entry["object"] = gqlResolver(func(map[string]any) (any, error) { return s.gqlTree(r, sub, prefix+e.name+"/"), nil })
		default: // a submodule's commit is in another repository
			entry["size"] = 0
			entry["object"] = nil
		}
		entries = append(entries, entry)
	}
	return map[string]any{
		"__typename": "Tree", "id": "T_" + t.sha[:12], "oid": t.sha, "abbreviatedOid": t.sha[:7], "entries": entries,
	}
}
