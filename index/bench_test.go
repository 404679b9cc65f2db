package index

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/podimport/podimport/schema"
)

var (
	benchIndexDocs  = flag.Int("index.benchindex", 20_000, "posts indexed per BenchmarkIndex iteration")
	benchSearchDocs = flag.Int("index.benchsearch", 100_000, "posts in BenchmarkSearch's corpus")
)

var (
	genOnce  sync.Once
	genCache []schema.Node
)

// generated returns n generated posts, built once and shared.
func generated(n int) []schema.Node {
	genOnce.Do(func() { genCache = genPosts(max(*benchIndexDocs, *benchSearchDocs)) })
	return genCache[:n]
}

// BenchmarkIndex measures indexing throughput: a rebuild from the store
// (ForEachNodeWithoutRaw) and a catch-up from the change log.
func BenchmarkIndex(b *testing.B) {
	posts := generated(*benchIndexDocs)
	b.Run("rebuild", func(b *testing.B) {
		src := newFakeSource(posts...)
		var indexing time.Duration
		var size int64
		for i := 0; b.Loop(); i++ {
			dir := filepath.Join(b.TempDir(), fmt.Sprint(i))
			t0 := time.Now()
			ix, err := Open(dir, src)
			indexing += time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			ix.Close()
			size = dirSize(b, dir)
			b.StartTimer()
		}
		b.ReportMetric(float64(len(posts)*b.N)/indexing.Seconds(), "docs/s")
		b.ReportMetric(float64(size)/float64(len(posts)), "bytes/doc")
	})
	b.Run("catchup", func(b *testing.B) {
		var indexing time.Duration
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			src := newFakeSource()
			ix, err := Open(filepath.Join(b.TempDir(), fmt.Sprint(i)), src)
			if err != nil {
				b.Fatal(err)
			}
			src.put(posts...)
			b.StartTimer()
			t0 := time.Now()
			n, err := ix.CatchUp(context.Background())
			indexing += time.Since(t0)
			if err != nil || n != len(posts) {
				b.Fatalf("CatchUp: %d, %v", n, err)
			}
			b.StopTimer()
			ix.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(len(posts)*b.N)/indexing.Seconds(), "docs/s")
	})
}

func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkSearch measures query latency over a generated corpus
// (-index.benchsearch posts, 100k by default) and reports p50 and p99.
func BenchmarkSearch(b *testing.B) {
	posts := generated(*benchSearchDocs)
	src := newFakeSource(posts...)
	t0 := time.Now()
	ix, err := Open(filepath.Join(b.TempDir(), "index.bleve"), src)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	b.Logf("indexed %d posts in %v (%.0f docs/s)", len(posts), time.Since(t0), float64(len(posts))/time.Since(t0).Seconds())

	ctx := context.Background()
	queries := []struct {
		name string
		q    string
		opt  SearchOptions
	}{
		{"common-word", "golang", SearchOptions{}},
		{"common-word-newest", "golang", SearchOptions{Sort: SortNewest}},
		{"two-words", "coffee tea", SearchOptions{}},
		{"rare-word", "sunset", SearchOptions{}},
		{"phrase", `"golang rust"`, SearchOptions{}},
		{"hashtag", "#caturday", SearchOptions{}},
		{"from", "from:user42", SearchOptions{Sort: SortNewest}},
		{"from-relevance", "from:user42 kind:post", SearchOptions{}},
		{"month-newest", "kind:post since:2022-03-01 until:2022-04-01", SearchOptions{Sort: SortNewest}},
		{"from-since-media", "from:user42 since:2022-01-01 has:media", SearchOptions{Sort: SortNewest}},
		{"word-and-filters", "golang has:media -rust since:2022-01-01", SearchOptions{}},
		{"match-all-newest", "", SearchOptions{Sort: SortNewest}},
		{"deep-page", "golang", SearchOptions{Sort: SortNewest, Offset: 900, Limit: 100}},
	}
	// As the CLI searches, once; then as serve does, with the dates kept
	// in memory (KeepDates).
	for _, kept := range []bool{false, true} {
		prefix := "one-off/"
		if kept {
			ix.KeepDates()
			prefix = "dates-kept/"
		}
		for _, q := range queries {
			b.Run(prefix+q.name, func(b *testing.B) {
				lat := make([]time.Duration, 0, 1024)
				var total uint64
				for b.Loop() {
					t := time.Now()
					res, err := ix.Search(ctx, q.q, q.opt)
					lat = append(lat, time.Since(t))
					if err != nil {
						b.Fatal(err)
					}
					total = res.Total
				}
				slices.Sort(lat)
				pct := func(p float64) float64 {
					return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
				}
				b.ReportMetric(pct(0.50), "p50-ms")
				b.ReportMetric(pct(0.99), "p99-ms")
				b.ReportMetric(float64(total), "hits")
			})
		}
	}
}
