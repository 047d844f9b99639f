package fakegithub

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
)

// MaxContentsBytes is the largest file the contents API returns inline as base64;
// larger files come back with encoding "none" and need the raw media type.
const MaxContentsBytes = 1 << 20

func wrap60(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(enc) > 60 {
		sb.WriteString(enc[:60])
		sb.WriteByte('\n')
		enc = enc[60:]
	}
	sb.WriteString(enc)
	sb.WriteByte('\n')
	return sb.String()
}

func wantsRaw(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/vnd.github.raw") || strings.Contains(a, "application/vnd.github.v3.raw")
}

func (s *Server) hGetTree(c *reqCtx) {
	sha := c.params["tree_sha"]
	r := c.repo
	root := r.trees[sha]
	if root == nil {
		if snap := r.resolveRef(sha); snap != nil {
			root = r.trees[snap.rootTree]
		}
	}
	if root == nil {
		c.notFound()
		return
	}
	api := s.URL() + "repos/" + r.fullName()
	entryJSON := func(p string, e treeEntry) map[string]any {
		m := map[string]any{"path": p, "mode": e.mode, "type": e.typ, "sha": e.sha}
		switch e.typ {
		case "blob":
			m["size"] = e.size
			m["url"] = api + "/git/blobs/" + e.sha
		case "tree":
			m["url"] = api + "/git/trees/" + e.sha
		}
		return m
	}
	var out []any
	truncated := false
	if _, recursive := c.query["recursive"]; recursive {
		var walk func(t *treeObj, prefix string) bool
		walk = func(t *treeObj, prefix string) bool {
			for _, e := range t.entries {
				if len(out) >= s.opts.MaxTreeEntries {
					truncated = true
					return false
				}
				out = append(out, entryJSON(prefix+e.name, e))
				if e.typ == "tree" {
					if !walk(r.trees[e.sha], prefix+e.name+"/") {
						return false
					}
				}
			}
			return true
		}
		walk(root, "")
	} else {
		for _, e := range root.entries {
			out = append(out, entryJSON(e.name, e))
		}
	}
	if out == nil {
		out = []any{}
	}
	c.json(http.StatusOK, map[string]any{"sha": root.sha, "url": api + "/git/trees/" + root.sha, "tree": out, "truncated": truncated})
}

func (s *Server) hGetBlob(c *reqCtx) {
	sha := c.params["file_sha"]
	b, ok := c.repo.blobs[sha]
	if !ok {
		c.notFound()
		return
	}
	if wantsRaw(c.r) {
		c.w.Header().Set("Content-Type", "application/vnd.github.raw")
		c.writeHeader(http.StatusOK)
		_, _ = c.w.Write(b)
		return
	}
	c.json(http.StatusOK, map[string]any{
		"sha": sha, "node_id": "B_" + sha[:12], "size": len(b), "url": s.URL() + "repos/" + c.repo.fullName() + "/git/blobs/" + sha,
		"content": wrap60(b), "encoding": "base64",
	})
}

func (s *Server) hGetContent(c *reqCtx) {
	r := c.repo
	ref := c.query.Get("ref")
	snap := r.resolveRef(ref)
	if snap == nil {
		c.errorJSON(http.StatusNotFound, "No commit found for the ref "+ref, docURL(c.rt.op))
		return
	}
	p := strings.Trim(c.params["path"], "/")
	if p != "" {
		p = path.Clean(p)
	}
	refForURL := ref
	if refForURL == "" {
		refForURL = r.defaultBranch
	}
	api := s.URL() + "repos/" + r.fullName()
	links := func(typ, p, sha string) (self, git, html string) {
		self = fmt.Sprintf("%s/contents/%s?ref=%s", api, p, refForURL)
		kind := "blob"
		gitKind := "blobs"
		if typ == "dir" {
			kind, gitKind = "tree", "trees"
		}
		git = fmt.Sprintf("%s/git/%s/%s", api, gitKind, sha)
		html = fmt.Sprintf("%s/%s/%s/%s/%s", s.htmlBase(), r.fullName(), kind, refForURL, p)
		return
	}
	entry := func(typ, p, sha string, size int) map[string]any {
		self, git, html := links(typ, p, sha)
		var download any = fmt.Sprintf("%s/raw/%s/%s/%s", s.htmlBase(), r.fullName(), refForURL, p)
		if typ == "dir" || typ == "submodule" {
			download = nil
		}
		var gitURL any = git
		if typ == "submodule" {
			gitURL = nil
		}
		return map[string]any{"type": typ, "size": size, "name": path.Base(p), "path": p, "sha": sha,
			"url": self, "git_url": gitURL, "html_url": html, "download_url": download,
			"_links": map[string]any{"self": self, "git": gitURL, "html": html}}
	}
	if fe, ok := snap.files[p]; ok && p != "" {
		if wantsRaw(c.r) && fe.kind != KindSubmodule {
			c.w.Header().Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
			c.writeHeader(http.StatusOK)
			_, _ = c.w.Write(fe.content)
			return
		}
		switch fe.kind {
		case KindSymlink:
			m := entry("symlink", p, fe.sha, len(fe.content))
			m["target"] = string(fe.content)
			c.json(http.StatusOK, m)
		case KindSubmodule:
			m := entry("submodule", p, fe.sha, 0)
			m["submodule_git_url"] = "git://fake.github/" + r.owner + "/" + path.Base(p) + ".git"
			c.json(http.StatusOK, m)
		default:
			m := entry("file", p, fe.sha, len(fe.content))
			if len(fe.content) > MaxContentsBytes {
				m["encoding"], m["content"] = "none", ""
			} else {
				m["encoding"], m["content"] = "base64", wrap60(fe.content)
			}
			c.json(http.StatusOK, m)
		}
		return
	}
	// directory listing
	prefix := ""
	if p != "" {
		prefix = p + "/"
	}
	type item struct {
		name string
		m    map[string]any
	}
	seen := map[string]bool{}
	var items []item
	for fp, fe := range snap.files {
		if !strings.HasPrefix(fp, prefix) {
			continue
		}
		rest := fp[len(prefix):]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			d := rest[:i]
			if !seen[d] {
				seen[d] = true
				items = append(items, item{d, entry("dir", prefix+d, dirSHA(r, snap, prefix+d), 0)})
			}
			continue
		}
		typ := "file"
		switch fe.kind {
		case KindSymlink:
			typ = "symlink"
		case KindSubmodule:
			typ = "submodule"
		}
		items = append(items, item{rest, entry(typ, fp, fe.sha, len(fe.content))})
	}
	if len(items) == 0 {
		c.notFound()
		return
	}
	sort.Slice(items, func(i, j int) bool { return items[i].name < items[j].name })
	out := make([]any, 0, len(items))
	for _, it := range items {
		out = append(out, it.m)
	}
	c.json(http.StatusOK, out)
}

// dirSHA finds the tree SHA of a directory in a snapshot.
func dirSHA(r *repo, snap *snapshot, dir string) string {
	t := r.trees[snap.rootTree]
	for _, part := range strings.Split(dir, "/") {
		if t == nil {
			return ""
		}
		var next *treeObj
		for _, e := range t.entries {
			if e.name == part && e.typ == "tree" {
				next = r.trees[e.sha]
			}
		}
		t = next
	}
	if t == nil {
		return ""
	}
	return t.sha
}
