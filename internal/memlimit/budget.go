package memlimit

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The collector's settings for an import. Left at Go's defaults (GOGC=100,
// no limit), the collector ran 149–168 times in a 100,000-post import,
// about every 55 MB allocated, and took about 15% of the CPU: the import
// allocates about 85 KiB a post and keeps little of it. Collecting when the
// heap reaches three times what is live (GCPercent), but never letting it
// grow past MinBudget while the live heap is small, halved the collections
// (76–83) with the same peak heap (224–240 MiB against 211–240 MiB). The
// import was faster in seven of eight runs interleaved with the default's
// (−2% to +21%, +12% on average; `go run ./bench import`), and the
// reference workload took 11.5–12.1 s against 12.4–13.9 s (BENCHMARKS.md).
const (
	GCPercent = 200
	MinBudget = 256 << 20
)

// livePoll is how often Start looks at the live heap.
const livePoll = 200 * time.Millisecond

// Start fits the collector for an import: the soft memory limit of a
// container (FromCgroup), GOGC at GCPercent, and a soft memory limit of
// Budget(live heap) that follows the live heap, polled every livePoll,
// until stop is called.
//
// If GOGC or GOMEMLIMIT is set, or AUTOMEMLIMIT is "off", the user has
// chosen, and in a container whose share is under MinBudget the heap is
// better kept at Go's default of twice what is live: Start then only does
// what FromCgroup does. (In a 300 MiB container, whose share is 180 MiB,
// the store's pages in the page cache are charged beside the heap; there
// GCPercent made the import 4–12% slower, 1,814 and 1,971 against 2,060
// posts/s, and the peak RSS no lower.)
func Start() (stop func()) {
	ceiling, _ := FromCgroup() // errors: outside a container there is no limit to fit
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" || os.Getenv("AUTOMEMLIMIT") == "off" {
		return func() {}
	}
	if ceiling <= 0 {
		ceiling = math.MaxInt64
	}
	if ceiling < MinBudget {
		return func() {}
	}
	debug.SetGCPercent(GCPercent)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	limit := int64(-1)
	update := func() {
		metrics.Read(sample)
		var live int64
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live = int64(min(sample[0].Value.Uint64(), math.MaxInt64))
		}
		if want := Budget(live, ceiling); want != limit {
			debug.SetMemoryLimit(want)
			limit = want
		}
	}
	update()
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(livePoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				update()
			}
		}
	}()
	// stop waits for the poller, so that it changes nothing afterwards.
	return func() { close(done); <-exited }
}

// Budget is the soft memory limit for a live heap of live bytes under a
// ceiling (a container's share, or math.MaxInt64): MinBudget, or twice the
// live heap once that is more, as Go's default GOGC=100 would allow, so
// that a large live heap is never collected over and over to stay under a
// limit it cannot fit in; never above the ceiling.
func Budget(live, ceiling int64) int64 {
	if live > ceiling/2 {
		return ceiling
	}
	return min(ceiling, max(MinBudget, 2*live))
}
