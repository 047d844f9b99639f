package main

import (
	"io/fs"
	"testing"
)

func fakeFS(files map[string]string) readFileFunc {
	return func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestGoMemoryLimit(t *testing.T) {
	const mi = 1 << 20
	for _, c := range []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  int64
		from  string
	}{
		{"cgroup v2 in its own namespace", map[string]string{"/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/memory.max": "536870912\n"},
			nil, 512 * mi * 9 / 10, "/sys/fs/cgroup/memory.max"},
		{"cgroup v2, limit on a parent", map[string]string{"/proc/self/cgroup": "0::/kubepods/pod1/ctr\n",
			"/sys/fs/cgroup/kubepods/pod1/ctr/memory.max": "max\n", "/sys/fs/cgroup/kubepods/pod1/memory.max": "268435456\n"},
			nil, 256 * mi * 9 / 10, "/sys/fs/cgroup/kubepods/pod1/memory.max"},
		{"cgroup v1", map[string]string{"/proc/self/cgroup": "9:pids:/\n4:memory,hugetlb:/docker/abc\n0::/\n",
			"/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "1073741824"},
			nil, 1024 * mi * 9 / 10, "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes"},
		{"cgroup v1 without a limit", map[string]string{"/proc/self/cgroup": "4:memory:/\n",
			"/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712"}, nil, 0, ""},
		{"cgroup v2 max", map[string]string{"/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/memory.max": "max"}, nil, 0, ""},
		{"no cgroup files", nil, nil, 0, ""},
		{"GOMEMLIMIT wins", map[string]string{"/sys/fs/cgroup/memory.max": "536870912"}, map[string]string{"GOMEMLIMIT": "300MiB"}, 0, ""},
		{"env from the manifest", nil, map[string]string{memoryLimitEnv: "536870912"}, 512 * mi * 9 / 10, memoryLimitEnv},
		{"the smaller of env and cgroup", map[string]string{"/sys/fs/cgroup/memory.max": "268435456"},
			map[string]string{memoryLimitEnv: "536870912"}, 256 * mi * 9 / 10, "/sys/fs/cgroup/memory.max"},
	} {
		got, from, err := goMemoryLimit(env(c.env), fakeFS(c.files))
		if err != nil || got != c.want || from != c.from {
			t.Errorf("%s: goMemoryLimit = %d from %q (%v), want %d from %q", c.name, got, from, err, c.want, c.from)
		}
	}
	if _, _, err := goMemoryLimit(env(map[string]string{memoryLimitEnv: "512Mi"}), fakeFS(nil)); err == nil {
		t.Errorf("%s=512Mi: no error (the manifests give bytes)", memoryLimitEnv)
	}
}
