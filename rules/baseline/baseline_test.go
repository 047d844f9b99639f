package baseline

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/clerkguard/clerkguard/rules"
)

func findings() []rules.Finding {
	return []rules.Finding{
		{Rule: "CLK-RP-003", Path: "b.ts", Fingerprint: "fp-b"},
		{Rule: "CLK-HARD-002", Path: "a.ts", Fingerprint: "fp-a"},
		{Rule: "CLK-HARD-002", Path: "a.ts", Fingerprint: "fp-a"}, // a duplicate is recorded once
	}
}

func TestRoundTripAndApply(t *testing.T) {
	var buf bytes.Buffer
	if err := New(findings()).Write(&buf); err != nil {
		t.Fatal(err)
	}
	b, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{"fp-a", "CLK-HARD-002", "a.ts"}, {"fp-b", "CLK-RP-003", "b.ts"}}
	if !reflect.DeepEqual(b.Findings, want) {
		t.Fatalf("entries = %+v, want %+v (sorted by path)", b.Findings, want)
	}
	now := []rules.Finding{
		{Rule: "CLK-HARD-002", Path: "a.ts", Fingerprint: "fp-a"},
		{Rule: "CLK-SEC-001", Path: "c.ts", Fingerprint: "fp-new"},
	}
	kept, s := b.Apply("bl.json", now, nil)
	if len(kept) != 1 || kept[0].Fingerprint != "fp-new" {
		t.Errorf("kept = %+v, want only the new finding", kept)
	}
	if s.File != "bl.json" || s.Hidden != 1 || len(s.Unmatched) != 1 || s.Unmatched[0].Fingerprint != "fp-b" {
		t.Errorf("summary = %+v, want 1 hidden and fp-b unmatched", s)
	}
	_, s = b.Apply("bl.json", nil, func(p string) bool { return p == "a.ts" })
	if len(s.Unmatched) != 1 || s.Unmatched[0].Path != "a.ts" {
		t.Errorf("scoped unmatched = %+v, want a.ts only", s.Unmatched)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"not json", "fingerprints: []", "not a clerkguard baseline"},
		{"unknown field", `{"version":1,"findings":[],"extra":1}`, "unknown field"},
		{"version", `{"version":2,"findings":[]}`, "version 2"},
		{"no fingerprint", `{"version":1,"findings":[{"rule":"CLK-RP-003","path":"a.ts"}]}`, "entry 1 (CLK-RP-003 a.ts) has no fingerprint"},
		{"trailing", `{"version":1,"findings":[]} {}`, "data after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse([]byte(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version":1,"tool":"clerkguard","findings":[{"fingerprint":"ab","rule":"CLK-RP-003","path":"a.ts"}]}`))
	f.Add([]byte(`{"version":1,"findings":[]}`))
	f.Add([]byte(`{"version":1,"findings":[{"fingerprint":" "}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"version":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := b.Write(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(buf.Bytes())
		if err != nil {
			t.Fatalf("a parsed baseline does not parse again: %v\n%s", err, buf.Bytes())
		}
		if len(again.Findings) != len(b.Findings) {
			t.Fatalf("round trip changed the entries: %d -> %d", len(b.Findings), len(again.Findings))
		}
		// Every entry either hides the one finding or is reported unmatched.
		kept, s := b.Apply("x", []rules.Finding{{Fingerprint: "ab"}}, nil)
		other := 0
		for _, e := range b.Findings {
			if e.Fingerprint != "ab" {
				other++
			}
		}
		if len(s.Unmatched) != other || s.Hidden+len(kept) != 1 || (s.Hidden == 1) != (other < len(b.Findings)) {
			t.Fatalf("apply: kept %d, summary %+v, entries %+v", len(kept), s, b.Findings)
		}
	})
}
