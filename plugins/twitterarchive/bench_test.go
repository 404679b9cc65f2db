package twitterarchive_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/plugins/twitterarchive"
	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/store"
)

// Run with:
//
//	go test ./plugins/twitterarchive -run '^$' -bench ArchiveImport -benchtime 1x -timeout 60m \
//		-archive.dir /tmp/pbench -archive.media-bytes 24576
//
// The archive is generated once (Synthetic, 200,000 tweets in 4 parts,
// 49,435 media files of -archive.media-bytes each: a 1.26 GB zip) and kept
// in -archive.dir for later runs.
//
// Measured on the 2-core development box (shared, load average 6–8), into
// a fresh store with fsync on, without the search index: 200,000 tweets in
// 1m45s, 1,905 tweets/s; 49,435 blobs (1.2 GB) copied; store file 1 GB.
// Peak Go heap in use 76 MiB, Go runtime memory 87 MiB, anonymous resident
// memory 84 MiB. VmHWM was 507 MiB, of which 425 MiB were file-backed pages
// of the store's memory-mapped bbolt file (reclaimable page cache): run
// under a cgroup (v1) limit of 300 MiB, which charges page cache too, the
// same import finished (1,733 tweets/s, no OOM kill) with VmHWM 150 MiB.
var (
	benchTweets     = flag.Int("archive.tweets", 200000, "tweets in the benchmark's archive")
	benchMediaBytes = flag.Int("archive.media-bytes", 20<<10, "bytes of each media file in the benchmark's archive")
	benchDir        = flag.String("archive.dir", "", "folder for the generated archive, kept between runs (default: the system's temp folder)")
	benchIndex      = flag.Bool("archive.index", false, "keep the Bleve search index caught up during the import, as `podimport import` does")
	benchNoSync     = flag.Bool("archive.nosync", false, "open the store without fsync (store.Options.NoSync)")
)

func BenchmarkArchiveImport(b *testing.B) {
	dir := *benchDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "podimport-archive-bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("archive-%d-tweets-%d-media-bytes.zip", *benchTweets, *benchMediaBytes))
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		tmp := path + ".tmp"
		a := archivetest.Synthetic(*benchTweets, 1, gen)
		if err := a.WriteZip(tmp, archivetest.Options{Layout: archivetest.Split, Parts: 4, MediaBytes: *benchMediaBytes}); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %s in %s", path, time.Since(start).Round(time.Second))
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.Size())/1e6, "archive-MB")

	for i := 0; i < b.N; i++ {
		b.StopTimer()
		storeDir := b.TempDir()
		s, err := store.Open(storeDir, store.Options{NoSync: *benchNoSync})
		if err != nil {
			b.Fatal(err)
		}
		var ix *index.Index
		cfg := importer.RunConfig{Store: s}
		if *benchIndex {
			if ix, err = index.Open(filepath.Join(storeDir, "index.bleve"), s); err != nil {
				b.Fatal(err)
			}
			cfg.Index = ix
		}
		log := zerolog.New(zerolog.NewConsoleWriter(func(w *zerolog.ConsoleWriter) { w.Out = os.Stderr })).Level(zerolog.WarnLevel)
		cfg.Log = &log
		job, err := twitterarchive.Plugin{}.New(importer.Values{"path": path})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS()
		peak := startPeakSampler()
		start := time.Now()
		b.StartTimer()

		r, err := importer.Run(context.Background(), cfg, twitterarchive.Plugin{}, job)

		b.StopTimer()
		took := time.Since(start)
		pk := peak()
		if err != nil {
			b.Fatal(err)
		}
		stats, _ := s.Stats()
		if ix != nil {
			ix.Close()
		}
		s.Close()
		files, bytes := dirSize(filepath.Join(storeDir, "blobs"))
		b.ReportMetric(float64(*benchTweets)/took.Seconds(), "tweets/s")
		b.ReportMetric(float64(pk.heapInuse)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(pk.sys)/(1<<20), "peak-sys-MiB")
		b.ReportMetric(float64(pk.rssAnon)/(1<<20), "peak-RssAnon-MiB")
		b.ReportMetric(float64(pk.rssFile)/(1<<20), "peak-RssFile-MiB")
		if hwm := peakRSS(); hwm > 0 {
			b.ReportMetric(float64(hwm)/(1<<20), "VmHWM-MiB")
		}
		b.Logf("%d tweets in %s: %d records written, %d posts, %d blobs (%.0f MB), store file %.0f MB",
			*benchTweets, took.Round(time.Second), r.Written, stats.Nodes["post"], files, float64(bytes)/1e6, float64(stats.FileBytes)/1e6)
	}
}

// peaks are the highest values seen while the import ran.
type peaks struct {
	heapInuse, sys uint64 // the Go runtime's: heap in use, memory held from the OS
	rssAnon        uint64 // resident anonymous memory (the heap, stacks, runtime)
	rssFile        uint64 // resident file-backed pages: the store's memory-mapped bbolt file
}

// startPeakSampler samples the Go heap, the memory the runtime holds from
// the OS and the resident set by kind every 20ms until the returned
// function is called; that returns the peaks.
func startPeakSampler() func() peaks {
	var mu sync.Mutex
	var p peaks
	done := make(chan struct{})
	stopped := make(chan struct{})
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		anon, file := procStatus("RssAnon:"), procStatus("RssFile:")
		mu.Lock()
		p.heapInuse, p.sys = max(p.heapInuse, ms.HeapInuse), max(p.sys, ms.Sys-ms.HeapReleased)
		p.rssAnon, p.rssFile = max(p.rssAnon, anon), max(p.rssFile, file)
		mu.Unlock()
	}
	go func() {
		defer close(stopped)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				sample()
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() peaks {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return p
	}
}

// resetPeakRSS resets the kernel's high-water mark of the process's
// resident memory (Linux), so that VmHWM measures the import alone.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is VmHWM, the peak resident memory, in bytes; 0 where unknown.
// It counts the pages of the store's memory-mapped file that were touched.
func peakRSS() uint64 { return procStatus("VmHWM:") }

// procStatus reads one "kB" field of /proc/self/status, in bytes.
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func dirSize(dir string) (files int, bytes int64) {
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			files++
			bytes += fi.Size()
		}
		return nil
	})
	return files, bytes
}
