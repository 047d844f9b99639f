package boundedre

import (
	"fmt"
	"testing"
)

// benchProbes are route probes the way rules ask them: each path several
// times (the model, CLK-RP-002, CLK-RP-009 and the report all ask).
func benchProbes() []string {
	var ps []string
	for i := 0; i < 200; i++ {
		ps = append(ps, fmt.Sprintf("/app/section-%d/items/[id]/edit", i), fmt.Sprintf("/api/v1/resource-%d", i), fmt.Sprintf("/static/file-%d.css", i))
	}
	return ps
}

// BenchmarkMatcherProbes is one review's matcher work: a Set, Clerk's
// default matcher (backtracking) and a linear route pattern, each probed
// with 600 paths five times.
func BenchmarkMatcherProbes(b *testing.B) {
	ps := benchProbes()
	for b.Loop() {
		s := NewSet(Limits{})
		bt, err := s.Compile(clerkDefaultMatcher, false, "middleware.ts:5")
		if err != nil {
			b.Fatal(err)
		}
		lin, err := s.Compile(`^\/api(?:\/(.*))?[\/#\?]?$`, true, "middleware.ts:3")
		if err != nil {
			b.Fatal(err)
		}
		for range 5 {
			for _, p := range ps {
				if bt.Match(p) == Unknown || lin.Match(p) == Unknown {
					b.Fatal("unknown")
				}
			}
		}
	}
}
