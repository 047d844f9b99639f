package source

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Linker is implemented by snapshots that list files at the path of a
// symbolic link: Target returns the path of the file that a listed path
// stands for, when the two differ. The engine uses it to tie a finding at
// the link's path to a change of the file it points to.
type Linker interface {
	Target(p string) (string, bool)
}

// treeLinks is the symbolic links of a Git tree, resolved.
type treeLinks struct {
	alias   map[string]string // listed path -> path of the regular blob it stands for
	skipped []Skip
}

// resolveTreeLinks resolves the symbolic links (mode 120000 blobs: path ->
// target text) of a tree whose regular blobs are files, as a checkout of
// the tree would resolve them, with the target inside the same tree only:
// a link to a file stands for that file; a link to a directory lists that
// directory's regular files under the link's path (one level: links inside
// it are not expanded again, and a link to one of its own parents is a
// loop). Absolute targets, targets that climb out of the tree, chains of
// more than 40 links and targets that do not exist are skipped with the
// reason.
func resolveTreeLinks(files map[string]gitEntry, links map[string]string) treeLinks {
	out := treeLinks{alias: map[string]string{}}
	if len(links) == 0 {
		return out
	}
	sorted := make([]string, 0, len(files))
	dirs := map[string]bool{"": true}
	for p := range files {
		sorted = append(sorted, p)
		for d := path.Dir(p); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	sort.Strings(sorted)
	names := make([]string, 0, len(links))
	for p := range links {
		names = append(names, p)
	}
	sort.Strings(names)
	linked := 0
	for _, l := range names {
		t, err := resolveLink(l, links)
		_, isFile := files[t]
		switch {
		case err != nil:
			out.skipped = append(out.skipped, Skip{Path: l, Reason: err.Error()})
		case isFile:
			out.alias[l] = t
		case dirs[t] && (t == "" || strings.HasPrefix(l, t+"/")):
			out.skipped = append(out.skipped, Skip{Path: l, Reason: "symbolic link to one of its own parent directories (a loop); not followed"})
		case dirs[t]:
			for i := sort.SearchStrings(sorted, t+"/"); i < len(sorted) && strings.HasPrefix(sorted[i], t+"/"); i++ {
				if linked >= MaxLinkedFiles {
					out.skipped = append(out.skipped, Skip{Path: l, Reason: fmt.Sprintf("more than %d paths reached through symbolic links", MaxLinkedFiles)})
					break
				}
				out.alias[l+"/"+strings.TrimPrefix(sorted[i], t+"/")] = sorted[i]
				linked++
			}
		default:
			out.skipped = append(out.skipped, Skip{Path: l, Reason: "symbolic link that does not resolve in the tree"})
		}
	}
	return out
}

// resolveLink resolves path p through the tree's links (ResolveLinks);
// whether the path it leads to exists is for the caller to decide against
// the tree's files.
func resolveLink(p string, links map[string]string) (string, error) {
	res, err := ResolveLinks(p, maxLinkHops, func(q string) (Node, string, error) {
		if t, ok := links[q]; ok {
			return SymbolicLink, t, nil
		}
		return Directory, "", nil
	})
	if errors.Is(err, ErrLinkDir) {
		return res.Path, nil
	}
	return "", err
}
