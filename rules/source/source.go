// Package source holds the files a review looks at: the Snapshot interface,
// its implementations for a directory and a git range, and per-file parse
// caches. Rules never read the disk themselves; they see a Snapshot.
package source

import (
	"bytes"
	"context"
	"path"
	"strings"
	"sync"
	"unicode/utf8"
)

// Lang is the language a file is parsed as.
type Lang string

// Languages the engine understands.
const (
	LangTS         Lang = "typescript"
	LangTSX        Lang = "tsx"
	LangJS         Lang = "javascript"
	LangGo         Lang = "go"
	LangJSON       Lang = "json"
	LangYAML       Lang = "yaml"
	LangEnv        Lang = "dotenv"
	LangDockerfile Lang = "dockerfile"
	LangAstro      Lang = "astro"
	LangVue        Lang = "vue"
	LangSvelte     Lang = "svelte"
	LangText       Lang = "text"
)

// MaxFileSize is the largest file the engine reads. Larger files are skipped
// and reported in the stats, never read into memory.
const MaxFileSize = 2 << 20

// File is one file of a snapshot. Content is read-only.
type File struct {
	Path    string // slash-separated, relative to the snapshot root
	Content []byte
	Lang    Lang
	// Binary is set when the file holds NUL bytes or is not valid UTF-8;
	// such files are only scanned by line-oriented secret rules.
	Binary bool

	mu    sync.Mutex
	cache map[string]any
}

// NewFile builds a File, detecting its language from the path.
func NewFile(p string, content []byte) *File {
	f := &File{Path: p, Content: content, Lang: DetectLang(p)}
	if bytes.IndexByte(content, 0) >= 0 || !utf8.Valid(content) {
		f.Binary = true
	}
	return f
}

// Memo returns the cached value for key, computing it once with fn.
// It is safe for concurrent use; parse caches use it.
func (f *File) Memo(key string, fn func() any) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.cache[key]; ok {
		return v
	}
	if f.cache == nil {
		f.cache = map[string]any{}
	}
	v := fn()
	f.cache[key] = v
	return v
}

// Lines returns the file's lines without their terminators (memoized).
func (f *File) Lines() []string {
	return f.Memo("lines", func() any {
		s := string(f.Content)
		s = strings.ReplaceAll(s, "\r\n", "\n")
		return strings.Split(s, "\n")
	}).([]string)
}

// Line returns line n (1-based), or "" when out of range.
func (f *File) Line(n int) string {
	ls := f.Lines()
	if n < 1 || n > len(ls) {
		return ""
	}
	return ls[n-1]
}

// LineOf returns the 1-based line and column of byte offset off.
func (f *File) LineOf(off int) (line, col int) {
	if off > len(f.Content) {
		off = len(f.Content)
	}
	line = 1 + bytes.Count(f.Content[:off], []byte{'\n'})
	start := bytes.LastIndexByte(f.Content[:off], '\n') + 1
	return line, off - start + 1
}

// IsJS reports whether the file is JavaScript or TypeScript source.
func (f *File) IsJS() bool {
	switch f.Lang {
	case LangTS, LangTSX, LangJS:
		return true
	}
	return false
}

// IsScriptPath reports whether p names JavaScript or TypeScript source
// (.ts, .tsx, .mts, .cts, .js, .jsx, .mjs, .cjs; DetectLang), leaving out
// declaration files (.d.ts), which hold no code: the one answer to "is
// this a module the engine parses".
func IsScriptPath(p string) bool {
	switch DetectLang(p) {
	case LangTS, LangTSX, LangJS:
		l := strings.ToLower(p)
		return !strings.HasSuffix(l, ".d.ts") && !strings.HasSuffix(l, ".d.mts") && !strings.HasSuffix(l, ".d.cts")
	}
	return false
}

// DetectLang maps a path to a language.
func DetectLang(p string) Lang {
	base := path.Base(p)
	lower := strings.ToLower(base)
	switch {
	case strings.HasSuffix(lower, ".tsx"):
		return LangTSX
	case strings.HasSuffix(lower, ".ts"), strings.HasSuffix(lower, ".mts"), strings.HasSuffix(lower, ".cts"):
		return LangTS
	case strings.HasSuffix(lower, ".js"), strings.HasSuffix(lower, ".jsx"), strings.HasSuffix(lower, ".mjs"), strings.HasSuffix(lower, ".cjs"):
		return LangJS
	case strings.HasSuffix(lower, ".go"):
		return LangGo
	case strings.HasSuffix(lower, ".json"):
		return LangJSON
	case strings.HasSuffix(lower, ".yml"), strings.HasSuffix(lower, ".yaml"):
		return LangYAML
	case lower == ".env" || strings.HasPrefix(lower, ".env.") || strings.HasSuffix(lower, ".env"):
		return LangEnv
	case lower == "dockerfile" || strings.HasPrefix(lower, "dockerfile.") || strings.HasSuffix(lower, ".dockerfile"):
		return LangDockerfile
	case strings.HasSuffix(lower, ".astro"):
		return LangAstro
	case strings.HasSuffix(lower, ".vue"):
		return LangVue
	case strings.HasSuffix(lower, ".svelte"):
		return LangSvelte
	}
	return LangText
}

// Snapshot is a read-only view of a repository at one revision.
type Snapshot interface {
	// Files lists every path the snapshot will analyse, sorted.
	Files(ctx context.Context) ([]string, error)
	// Read returns a file's content. It returns an error wrapping
	// ErrTooLarge for files above MaxFileSize.
	Read(ctx context.Context, path string) ([]byte, error)
}

// Committer is implemented by snapshots that know which of their files
// version control holds: a commit's or a pull request's tree (every file
// of it is committed) and a git working tree (a file is committed when
// git tracks it, or would add it because no ignore rule excludes it).
type Committer interface {
	// Committed reports whether the file at path is committed; known is
	// false when the snapshot cannot tell (then the .gitignore rules
	// decide).
	Committed(ctx context.Context, path string) (committed, known bool)
}

// Skip is a path a snapshot leaves out, with the reason: a symbolic link
// that leads out of the repository or in a loop, a FIFO, a device.
type Skip struct {
	Path   string
	Reason string
}

// Skipper is implemented by snapshots that leave out paths a reader would
// expect to be reviewed; the engine names them in its result.
type Skipper interface {
	Skipped() []Skip
}
