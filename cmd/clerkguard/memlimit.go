package main

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/clerkguard/clerkguard/app/config"
)

// memoryLimitEnv names the container's memory limit in bytes, for
// platforms that do not show the cgroup to the process; the Kubernetes
// manifests set it from the container's resources.limits.memory.
const memoryLimitEnv = "CLERKGUARD_MEMORY_LIMIT"

// memoryLimitShare is the part of the container's limit given to the Go
// heap as its soft limit (GOMEMLIMIT). The rest is headroom for what the
// Go runtime does not count: tree-sitter's C memory (bounded per parse by
// the engine's node limit), thread stacks, the binary itself.
const memoryLimitShare = 0.9

// readFileFunc reads a file; tests pass a map.
type readFileFunc func(name string) ([]byte, error)

// goMemoryLimit returns the soft memory limit for the Go runtime, and
// where the container limit came from, or 0 when GOMEMLIMIT is set (the
// runtime already applies it) or no container limit is known.
func goMemoryLimit(getenv config.Getenv, readFile readFileFunc) (int64, string, error) {
	if getenv("GOMEMLIMIT") != "" {
		return 0, "", nil
	}
	limit, from := containerMemoryLimit(readFile)
	if v := strings.TrimSpace(getenv(memoryLimitEnv)); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, "", fmt.Errorf("%s=%q: want the container's memory limit in bytes", memoryLimitEnv, v)
		}
		if limit == 0 || n < limit {
			limit, from = n, memoryLimitEnv
		}
	}
	if limit == 0 {
		return 0, "", nil
	}
	return int64(float64(limit) * memoryLimitShare), from, nil
}

// containerMemoryLimit returns the smallest memory limit of the cgroups
// the process is in (cgroup v2 memory.max or v1 memory.limit_in_bytes,
// along the process's cgroup path and its ancestors, where limits set on
// a parent apply too), and the file it came from; 0 when there is none.
func containerMemoryLimit(readFile readFileFunc) (int64, string) {
	var files []string
	if b, err := readFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			// hierarchy-ID:controller-list:cgroup-path
			parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
			if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
				continue
			}
			switch {
			case parts[0] == "0" && parts[1] == "":
				for _, dir := range ancestors(parts[2]) {
					files = append(files, path.Join("/sys/fs/cgroup", dir, "memory.max"))
				}
			case hasController(parts[1], "memory"):
				for _, dir := range ancestors(parts[2]) {
					files = append(files, path.Join("/sys/fs/cgroup/memory", dir, "memory.limit_in_bytes"))
				}
			}
		}
	}
	// A container with its own cgroup namespace sees its cgroup at the root.
	files = append(files, "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
	var limit int64
	from := ""
	for _, f := range files {
		b, err := readFile(f)
		if err != nil {
			continue
		}
		if n, ok := parseCgroupLimit(b); ok && (limit == 0 || n < limit) {
			limit, from = n, f
		}
	}
	return limit, from
}

// ancestors returns a cgroup path and each of its parents up to "/".
func ancestors(p string) []string {
	p = path.Clean(p)
	out := []string{p}
	for p != "/" {
		p = path.Dir(p)
		out = append(out, p)
	}
	return out
}

func hasController(list, name string) bool {
	for _, c := range strings.Split(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// noLimitV1 is the smallest value cgroup v1 reports for "no limit"
// (PAGE_COUNTER_MAX pages, rounded down to the page size, on 64-bit
// kernels); anything above 2^62 is no real limit.
const noLimitV1 = 1 << 62

// parseCgroupLimit parses memory.max ("max" or bytes) or
// memory.limit_in_bytes (bytes, a huge value for none).
func parseCgroupLimit(b []byte) (int64, bool) {
	s := strings.TrimSpace(string(b))
	if s == "" || s == "max" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 || n >= noLimitV1 || n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}
