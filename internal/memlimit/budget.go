package memlimit

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The collector's settings for an import. Left at Go's defaults (GOGC=100),
// the collector ran 149–179 times in a 100,000-post import, about every
// 55 MB allocated, and took about 15% of the CPU: the import allocates
// about 85 KiB a post and keeps little of it. Collecting when the heap
// reaches three times what is live (GCPercent), but never letting it grow
// past MinBudget while the live heap is small, halves the collections
// (72–84) with about the same peak heap in use (240–246 MiB against
// 231–244 MiB at 224 MiB; at 256 MiB the peak was 256–262), and the
// import was faster in almost every run interleaved with the default's
// (about 12% on average; `go run ./bench import`, BENCHMARKS.md).
const (
	GCPercent = 200
	MinBudget = 224 << 20
)

// livePoll is how often Start looks at the live heap.
const livePoll = 200 * time.Millisecond

// Start fits the collector for an import: the soft memory limit of a
// container (FromCgroup), and GOGC at Percent(live heap), which follows
// the live heap, polled every livePoll, until stop is called.
//
// If GOGC or GOMEMLIMIT is set, or AUTOMEMLIMIT is "off", the user has
// chosen, and in a container whose share is under MinBudget the heap is
// better kept at Go's default of twice what is live: Start then only does
// what FromCgroup does. (In a 300 MiB container, whose share is 180 MiB,
// the store's pages in the page cache are charged beside the heap; there
// GCPercent made the import 4–12% slower, 1,814 and 1,971 against 2,060
// posts/s, and the peak RSS no lower. Measured with the budget kept as a
// soft memory limit, 72c0ed8; inside a container's limit it binds either
// way.)
//
// The budget is kept through GOGC, not through a soft memory limit: the
// limit counts all of the runtime's memory, not only the heap, so a limit
// of twice the live heap made the collector run more often than Go's
// default (the 1,000,000-post import of bench fts5, whose corpus is live
// throughout, took 5m28s against Go default's 4m43s).
func Start() (stop func()) {
	ceiling, _ := FromCgroup() // errors: outside a container there is no limit to fit
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" || os.Getenv("AUTOMEMLIMIT") == "off" {
		return func() {}
	}
	if ceiling > 0 && ceiling < MinBudget {
		return func() {}
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	percent := -1
	update := func() {
		metrics.Read(sample)
		var live int64
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live = int64(min(sample[0].Value.Uint64(), math.MaxInt64))
		}
		if p := Percent(live); p != percent {
			debug.SetGCPercent(p)
			percent = p
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

// Percent is the GOGC for a live heap of live bytes: the heap may grow to
// three times what is live (GCPercent) while that stays under MinBudget,
// then up to MinBudget, and never to less than twice what is live (Go's
// default, GOGC=100), so that a large live heap is collected no more often
// than Go would by itself. It is rounded down to a multiple of 10, so that
// small changes of the live heap do not change it.
func Percent(live int64) int {
	if live <= 0 {
		return GCPercent
	}
	if live >= MinBudget/2 {
		return 100
	}
	target := max(2*live, min(3*live, MinBudget))
	return int(100*(target-live)/live) / 10 * 10
}
