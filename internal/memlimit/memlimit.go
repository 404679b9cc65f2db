// Package memlimit fits the Go heap to the memory an import may use.
//
// The Go runtime does not read the cgroup's memory limit: left alone, its
// heap grows to twice what is live before it collects, and an import that
// keeps about 150 MB live was killed in a 300 MiB container. A soft memory limit
// below the cgroup's makes the collector run before that happens
// (FromCgroup). Start adds the collector's settings for an import
// (budget.go).
package memlimit

import (
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// Ratio is the share of the cgroup's memory limit given to the Go heap.
// Not the library's 0.9: the store's pages are read through a memory map
// and written through the page cache, and both are charged to the same
// cgroup.
const Ratio = 0.6

// FromCgroup sets the Go runtime's soft memory limit to Ratio of the
// cgroup's memory limit and returns it; a cgroup without a limit gives
// math.MaxInt64, no limit. It does nothing if GOMEMLIMIT is set, or if
// AUTOMEMLIMIT is "off"; AUTOMEMLIMIT set to a number in (0, 1] replaces
// Ratio. Where cgroups cannot be read, it returns the limit in force and
// an error.
func FromCgroup() (int64, error) {
	return memlimit.Set(memlimit.WithRatio(Ratio), memlimit.WithProvider(memlimit.FromCgroup))
}

// CheckEnv reports an AUTOMEMLIMIT that is neither "off" nor a share in
// (0, 1]: the library ignores it, and FromCgroup's error is not shown
// (outside a container there is always one), so a mistyped value would
// silently not apply. An empty value counts as unset.
func CheckEnv() error {
	v := os.Getenv("AUTOMEMLIMIT")
	if v == "" || v == "off" {
		return nil
	}
	if r, err := strconv.ParseFloat(v, 64); err != nil || math.IsNaN(r) || r <= 0 || r > 1 {
		return fmt.Errorf("AUTOMEMLIMIT=%q: want the share of a container's memory limit for the Go heap, from 0 to 1 (0.8, say), or off", v)
	}
	return nil
}
