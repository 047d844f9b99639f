package source

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Node is what a Git tree holds at one path, for ResolveLinks.
type Node int

// Nodes.
const (
	Missing Node = iota
	Directory
	RegularFile
	SymbolicLink
)

// Why a symbolic link cannot be followed. Each makes the path it stands at
// unanalysable; callers name the path and the reason.
var (
	ErrLinkOutside  = errors.New("symbolic link target is outside the repository; not followed")
	ErrLinkDangling = errors.New("symbolic link target is not in the tree; not followed")
	ErrLinkLoop     = errors.New("symbolic link chain too long (a loop); not followed")
	// ErrLinkDir is returned with a directory: the path resolved to one.
	ErrLinkDir = errors.New("path is a directory")
)

// Resolution is where a path leads.
type Resolution struct {
	Path  string   // the real path; "" with Dir set is the repository root
	Dir   bool     // Path is a directory (ResolveLinks then returns ErrLinkDir)
	Links []string // the symbolic links passed, in order
}

// ResolveLinks resolves path p of one commit's tree component by component,
// as a checkout of the tree (and so the kernel) would: a link's target
// replaces the link, relative to the link's directory, and ".." applies to
// the path resolved so far, so it can never climb out of the repository.
// lookup says what the tree holds at a path and, for a link, its target
// text. At most maxHops links are followed. The local Git snapshot and the
// App's GitHub tree both resolve links here.
func ResolveLinks(p string, maxHops int, lookup func(p string) (Node, string, error)) (Resolution, error) {
	var res Resolution
	queue := strings.Split(p, "/")
	cur := "" // the real directory resolved so far
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if cur == "" {
				return res, ErrLinkOutside
			}
			if cur = path.Dir(cur); cur == "." {
				cur = ""
			}
			continue
		}
		cand := path.Join(cur, c)
		node, target, err := lookup(cand)
		if err != nil {
			return res, err
		}
		switch node {
		case Missing:
			return res, ErrLinkDangling
		case Directory:
			cur = cand
		case SymbolicLink:
			if len(res.Links) >= maxHops {
				return res, fmt.Errorf("%w: more than %d links", ErrLinkLoop, maxHops)
			}
			res.Links = append(res.Links, cand)
			if target == "" || strings.HasPrefix(target, "/") {
				return res, ErrLinkOutside
			}
			queue = append(strings.Split(target, "/"), queue...)
		case RegularFile:
			if strings.Trim(strings.Join(queue, "/"), "/.") != "" {
				return res, ErrLinkDangling // a file used as a directory
			}
			res.Path = cand
			return res, nil
		}
	}
	res.Path, res.Dir = cur, true
	return res, ErrLinkDir
}
