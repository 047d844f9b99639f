package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/clerkguard/clerkguard/rules"
	"github.com/clerkguard/clerkguard/rules/baseline"
	"github.com/clerkguard/clerkguard/rules/source"
)

// loadConfig reads and parses the configuration: --config FILE when given,
// else the repository's (.github/clerkguard.yml or .yaml) through read,
// named in messages by at. It returns nil and the exit code on an error.
// A configuration file that exists but cannot be read (a FIFO, a link out
// of the directory) is left out with a warning, not silently.
func loadConfig(name, flagFile string, read func(string) ([]byte, error), at func(string) string, rs []*rules.Rule, stderr io.Writer) (*rules.Config, int) {
	var (
		data    []byte
		cfgName string
		err     error
	)
	switch {
	case flagFile != "":
		if data, err = os.ReadFile(flagFile); err != nil {
			fmt.Fprintf(stderr, "clerkguard %s: --config: %v\n", name, err)
			return nil, 2
		}
		cfgName = flagFile
	case read != nil:
		var p string
		data, p, err = rules.ReadConfig(read)
		var ce *rules.ConfigError
		switch {
		case errors.As(err, &ce):
			ce.File = at(p)
			fmt.Fprintf(stderr, "clerkguard %s: invalid configuration: %v\n", name, err)
			return nil, 2
		case err != nil:
			fmt.Fprintf(stderr, "warning: configuration not read, the defaults apply: %v\n", err)
		case p != "":
			cfgName = at(p)
		}
	}
	cfg, err := rules.ParseConfig(data, rs)
	if err != nil {
		var ce *rules.ConfigError
		if errors.As(err, &ce) {
			ce.File = cfgName
		}
		fmt.Fprintf(stderr, "clerkguard %s: invalid configuration: %v\n", name, err)
		return nil, 2
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "clerkguard %s: warning: %s\n", name, (&rules.ConfigError{File: cfgName, Line: w.Line, Msg: w.Msg}).Error())
	}
	return cfg, 0
}

// baselineScope restricts the unmatched baseline entries reported to the
// files a scan of single files analysed; nil (every entry) otherwise.
func baselineScope(snap source.Snapshot) func(string) bool {
	if m, ok := snap.(source.Mem); ok {
		return func(p string) bool { _, ok := m[p]; return ok }
	}
	return nil
}

// maxUnmatchedListed bounds the unmatched baseline entries listed on stderr;
// the JSON report lists them all.
const maxUnmatchedListed = 10

func baselineNote(w io.Writer, s *baseline.Summary) {
	if s.Hidden > 0 {
		fmt.Fprintf(w, "note: baseline %s hid %d findings\n", s.File, s.Hidden)
	}
	if len(s.Unmatched) == 0 {
		return
	}
	fmt.Fprintf(w, "note: %d entries of baseline %s match no finding any more (fixed, or the code changed); rewrite it with --write-baseline to drop them:\n", len(s.Unmatched), s.File)
	for i, e := range s.Unmatched {
		if i == maxUnmatchedListed {
			fmt.Fprintf(w, "  … and %d more\n", len(s.Unmatched)-i)
			break
		}
		fmt.Fprintf(w, "  %s %s (%s)\n", rules.PlainLine(e.Rule), rules.PlainLine(e.Path), rules.PlainLine(e.Fingerprint))
	}
}

// writeFileAtomic writes path through write into a temporary file beside
// it and renames that over path, so a reader never sees a partial report
// and a failed run leaves an earlier file as it was.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}
