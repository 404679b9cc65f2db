package podrun

import (
	"math"
	"testing"

	"github.com/podimport/podimport/importer"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestProgressShares(t *testing.T) {
	p := NewProgress(5)
	if got := p.Update(importer.Status{}); got != 0 {
		t.Fatalf("before any stream: %v", got)
	}
	steps := []struct {
		s    importer.Status
		want float64
	}{
		{importer.Status{Stream: "profile", Expect: 1}, 0},
		{importer.Status{Stream: "profile", Expect: 1, Items: 1}, 0.2},
		{importer.Status{Stream: "followers", Expect: 100, Items: 50}, 0.3},
		{importer.Status{Stream: "followers", Expect: 100, Items: 100}, 0.4},
		{importer.Status{Stream: "followings", Expect: 10, Items: 30}, 0.6}, // more than expected: capped
		{importer.Status{Stream: "timeline", Expect: 3200, Items: 0}, 0.6},
		{importer.Status{Stream: "followings' timelines", Expect: 50, Items: 25}, 0.7}, // the timeline ended at 0.6: 0.6 + 0.4/2 × 0.5
		{importer.Status{Stream: "likes", Items: 100}, 0.775},                          // a sixth stream: 0.7 + 0.3/2 × 100/(100+100)
	}
	for i, st := range steps {
		if got := p.Update(st.s); !near(got, st.want) {
			t.Errorf("step %d (%s %d/%d): %v, want %v", i, st.s.Stream, st.s.Items, st.s.Expect, got, st.want)
		}
	}
}

func TestProgressMonotonic(t *testing.T) {
	p := NewProgress(0)
	last := 0.0
	for i, s := range []importer.Status{
		{Stream: "a", Expect: 10, Items: 8},
		{Stream: "a", Expect: 10, Items: 2}, // items counted anew (AddItems after emits)
		{Stream: "a", Expect: 100, Items: 9},
		{Stream: "b", Items: 1000000},
		{Stream: "c"}, {Stream: "d"}, {Stream: "e"}, {Stream: "f", Expect: 1, Items: 1},
		{Stream: "g", Expect: 1, Items: 1}, {Stream: "h", Expect: 1, Items: 1},
	} {
		got := p.Update(s)
		if got < last || got >= 1 {
			t.Errorf("report %d: %v after %v; want rising, below 1", i, got, last)
		}
		last = got
	}
}
