package memlimit

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestBudget(t *testing.T) {
	const mib = 1 << 20
	for _, tt := range []struct {
		live, ceiling, want int64
	}{
		{0, math.MaxInt64, MinBudget},                         // nothing live yet
		{100 * mib, math.MaxInt64, MinBudget},                 // 2×live under MinBudget
		{128 * mib, math.MaxInt64, MinBudget},                 // the turning point
		{200 * mib, math.MaxInt64, 400 * mib},                 // a large live heap: as GOGC=100
		{2000 * mib, math.MaxInt64, 4000 * mib},               // never collected over and over
		{50 * mib, 180 * mib, 180 * mib},                      // a 300 MiB container's share
		{200 * mib, 180 * mib, 180 * mib},                     // the ceiling wins even then
		{math.MaxInt64 / 2, math.MaxInt64, math.MaxInt64 - 1}, // no overflow
		{math.MaxInt64 - 1, math.MaxInt64, math.MaxInt64},
	} {
		if got := Budget(tt.live, tt.ceiling); got != tt.want {
			t.Errorf("Budget(%d MiB, %d MiB) = %d MiB, want %d MiB", tt.live/mib, tt.ceiling/mib, got/mib, tt.want/mib)
		}
	}
}

// TestStart checks that Start sets GOGC and a limit of at least MinBudget,
// and that a GOGC of the user's leaves both alone.
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
	if limit < min(MinBudget, ceiling) || limit == math.MaxInt64 {
		t.Errorf("memory limit after Start = %d, want at least %d and not unlimited", limit, min(MinBudget, ceiling))
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
