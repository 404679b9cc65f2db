package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// benchStore measures the store alone: it records the batches a Twitter
// import emits (fetched from the fake API first, not timed), then applies
// them to a fresh store from as many goroutines as the importer has
// workers, as the importer does, and reports posts/s and CPU time. With
// no index, no HTTP and no JSON decoding in the timed part, a change to
// the store can be compared run against run without their noise.
func benchStore(args []string) error {
	fl := flag.NewFlagSet("store", flag.ExitOnError)
	posts := fl.Int("posts", 100000, "posts to import (from the timelines of posts/200 followings)")
	workers := fl.Int("workers", 8, "goroutines applying batches at once (the importer's default pool is 8)")
	noSync := fl.Bool("nosync", false, "no fsync on commit (store.Options.NoSync)")
	runs := fl.Int("runs", 1, "times the batches are applied, each time to a fresh store")
	fl.Parse(args)

	api, err := startFake("-followers", "200", "-followings", strconv.Itoa(max(1, *posts/200)), "-own", "200", "-per-following", "200")
	if err != nil {
		return err
	}
	job, err := api.job(0)
	if err != nil {
		api.stop()
		return err
	}
	rec := &recordingHost{}
	err = job.Run(context.Background(), rec)
	api.stop()
	if err != nil {
		return fmt.Errorf("recording the import's batches: %w", err)
	}
	n := 0
	for _, b := range rec.batches {
		for _, nd := range b.Nodes {
			if nd.Kind == schema.KindPost && !nd.Ref {
				n++
			}
		}
	}
	fmt.Printf("recorded %d batches, %d complete post nodes\n", len(rec.batches), n)

	for range *runs {
		if err := replay(rec.batches, n, *workers, *noSync); err != nil {
			return err
		}
	}
	return nil
}

func replay(batches []schema.Batch, posts, workers int, noSync bool) error {
	dir, err := os.MkdirTemp("", "podimport-bench-store-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s, err := store.Open(dir, store.Options{NoSync: noSync})
	if err != nil {
		return err
	}
	defer s.Close()

	next := make(chan schema.Batch)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	cpu0, written0 := cpuTime(), bytesWritten()
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for b := range next {
				if _, err := s.Apply(1, "twitter", "bench_user", b); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for _, b := range batches {
		next <- b
	}
	close(next)
	wg.Wait()
	elapsed, cpu, written := time.Since(start), cpuTime()-cpu0, bytesWritten()-written0
	select {
	case err := <-errs:
		return err
	default:
	}
	fi, err := os.Stat(dir + "/" + store.FileName)
	if err != nil {
		return err
	}
	fmt.Printf("store: %d posts in %v: %.0f posts/s, %.1f CPU-s (%.0f µs a post), %.1f KiB written a post, file %.1f MiB, %d workers, nosync=%v\n",
		posts, elapsed.Round(time.Millisecond), float64(posts)/elapsed.Seconds(), cpu.Seconds(),
		float64(cpu.Microseconds())/float64(posts), float64(written)/1024/float64(posts),
		float64(fi.Size())/(1<<20), workers, noSync)
	return nil
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bytesWritten is how many bytes this process has passed to write calls
// so far (wchar of /proc/self/io; bbolt writes its pages with pwrite), 0
// where that is not available.
func bytesWritten() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// recordingHost is an importer.Host that keeps the emitted batches
// instead of storing them: a first import, with nothing stored.
type recordingHost struct {
	mu      sync.Mutex
	batches []schema.Batch
	client  *importer.Client
}

func (h *recordingHost) HTTP(t http.RoundTripper, limits importer.RateLimitFunc) importer.Doer {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.client == nil {
		h.client = importer.NewClient(importer.ClientConfig{Transport: t, Limits: limits})
	}
	return h.client
}

func (h *recordingHost) Emit(_ context.Context, b schema.Batch) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.batches = append(h.batches, b)
	return nil
}

func (h *recordingHost) Cursor(string) (string, error) { return "", nil }
func (h *recordingHost) Stored(string) (bool, error)   { return false, nil }
func (h *recordingHost) Blob(io.Reader) (string, int64, error) {
	return "", 0, errors.New("bench: no blobs")
}
func (h *recordingHost) Stream(string, int) {}
func (h *recordingHost) Log() *zerolog.Logger {
	l := zerolog.Nop()
	return &l
}
func (h *recordingHost) Now() time.Time { return time.Now() }
