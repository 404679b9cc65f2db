package memlimit

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, tt := range []struct {
		live int64
		want int
	}{
		{0, 200},                 // nothing live yet
		{50 * mib, 200},          // three times live is under MinBudget
		{74 * mib, 200},          // 222 MiB
		{90 * mib, 140},          // up to MinBudget: 148, rounded down
		{111 * mib, 100},         // 101, rounded down
		{112 * mib, 100},         // twice live is MinBudget
		{2000 * mib, 100},        // as Go's default
		{math.MaxInt64 - 1, 100}, // no overflow
	} {
		if got := Percent(tt.live); got != tt.want {
			t.Errorf("Percent(%d MiB) = %d, want %d", tt.live/mib, got, tt.want)
		}
	}
}

// TestStart checks that Start sets GOGC (the test's live heap is small, so
// to GCPercent) and sets no memory limit of its own, and that a GOGC of
// the user's leaves both alone.
func TestStart(t *testing.T) {
	t.Setenv("AUTOMEMLIMIT", "")
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "")
	prevGC := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(prevGC)
		debug.SetMemoryLimit(prevLimit)
	})

	ceiling, _ := FromCgroup() // a container's share, if the tests run in one
	if ceiling <= 0 {
		ceiling = math.MaxInt64
	}
	debug.SetMemoryLimit(math.MaxInt64)

	if ceiling < MinBudget {
		t.Skipf("in a container whose share (%d bytes) is under MinBudget, Start leaves GOGC alone", ceiling)
	}

	stop := Start()
	gc, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(gc)
	stop()
	if gc != GCPercent {
		t.Errorf("GOGC after Start = %d, want %d", gc, GCPercent)
	}
	if want := min(ceiling, math.MaxInt64); limit != want {
		t.Errorf("memory limit after Start = %d, want %d (the container's share, if any)", limit, want)
	}

	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOGC", "150")
	Start()()
	if gc := debug.SetGCPercent(-1); gc != 100 {
		t.Errorf("with GOGC set, Start changed GOGC to %d", gc)
	}
	debug.SetGCPercent(100)
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
		t.Errorf("with GOGC set, Start set a memory limit of %d", limit)
	}
}
