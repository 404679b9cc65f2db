package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/podimport/podimport/schema"
)

func searchIDs(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), q, SearchOptions{Limit: MaxLimit, Sort: SortNewest})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return ids(res.Hits)
}

func docCount(t *testing.T, ix *Index) uint64 {
	t.Helper()
	n, err := ix.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func catchUp(t *testing.T, ix *Index) int {
	t.Helper()
	n, err := ix.CatchUp(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCatchUp(t *testing.T) {
	src := newFakeSource()
	dir := filepath.Join(t.TempDir(), "index.bleve")
	ix, err := Open(dir, src)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n := docCount(t, ix); n != 0 {
		t.Fatalf("empty store: %d docs", n)
	}
	c := corpus()
	byID := map[string]schema.Node{}
	for _, n := range c {
		byID[n.ID] = n
	}

	// First page: three posts and a ref.
	src.put(byID[p1], byID[p2], byID[p3], schema.Ref("twitter:post:99"))
	src.takeRequested()
	if n := catchUp(t, ix); n != 3 {
		t.Errorf("first CatchUp indexed %d, want 3", n)
	}
	if got := src.watermark(); got != 4 {
		t.Errorf("watermark %d, want 4", got)
	}
	if diff := cmp.Diff([]string{p1, p2, p3, "twitter:post:99"}, src.takeRequested()); diff != "" {
		t.Errorf("nodes read (-want +got):\n%s", diff)
	}
	// Nothing changed: nothing read, nothing indexed.
	if n := catchUp(t, ix); n != 0 {
		t.Errorf("second CatchUp indexed %d, want 0", n)
	}
	if r := src.takeRequested(); len(r) != 0 {
		t.Errorf("second CatchUp read %v", r)
	}

	// p1 changed twice and p4 is new: p1 is indexed once, with its last text.
	edited := byID[p1]
	ep := *edited.Post
	ep.Text = "first edit"
	edited.Post = &ep
	src.put(edited)
	ep2 := ep
	ep2.Text = "second edit with rust"
	edited.Post = &ep2
	src.put(edited, byID[p4])
	if n := catchUp(t, ix); n != 2 {
		t.Errorf("CatchUp after p1 twice + p4 indexed %d, want 2", n)
	}
	if diff := cmp.Diff([]string{p1, p4}, src.takeRequested()); diff != "" {
		t.Errorf("nodes read (-want +got):\n%s", diff)
	}
	if got := src.watermark(); got != 7 {
		t.Errorf("watermark %d, want 7", got)
	}
	if diff := cmp.Diff([]string{p1}, searchIDs(t, ix, "rust")); diff != "" {
		t.Errorf("rust (-want +got):\n%s", diff)
	}
	if got := searchIDs(t, ix, "learning"); len(got) != 0 {
		t.Errorf("old text of p1 still found: %v", got)
	}
	if n := docCount(t, ix); n != 4 {
		t.Errorf("%d docs, want 4", n)
	}

	// p2 becomes a reference: its document goes.
	src.put(schema.Ref(p2))
	catchUp(t, ix)
	if got := searchIDs(t, ix, "generics"); len(got) != 0 {
		t.Errorf("p2 (now a ref) still found: %v", got)
	}
	// p3 is deleted from the store.
	src.del(p3)
	catchUp(t, ix)
	if diff := cmp.Diff([]string{p4, p1}, searchIDs(t, ix, "")); diff != "" {
		t.Errorf("after ref and delete (-want +got):\n%s", diff)
	}
	// Media, link and tag nodes are read but never become documents.
	src.put(byID["twitter:media:1"], byID["twitter:tag:golang"])
	if n := catchUp(t, ix); n != 0 {
		t.Errorf("media and tag indexed %d docs", n)
	}
	if n := docCount(t, ix); n != 2 {
		t.Errorf("%d docs, want 2", n)
	}
	if got, last := src.watermark(), uint64(len(src.log)); got != last {
		t.Errorf("watermark %d, want the last change %d", got, last)
	}
}

func TestCatchUpBatches(t *testing.T) {
	src := newFakeSource()
	ix, err := Open(filepath.Join(t.TempDir(), "index.bleve"), src)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	posts := genPosts(2*BatchSize + 500)
	src.put(posts...)
	src.put(posts[:10]...) // changed again, in another batch
	var marks []uint64
	wrapped := &watermarkRecorder{fakeSource: src, marks: &marks}
	ix.src = wrapped
	if n := catchUp(t, ix); n != len(posts)+10 {
		t.Errorf("indexed %d, want %d", n, len(posts)+10)
	}
	if diff := cmp.Diff([]uint64{BatchSize, 2 * BatchSize, 2*BatchSize + 510}, marks); diff != "" {
		t.Errorf("watermarks set (-want +got):\n%s", diff)
	}
	if n := docCount(t, ix); n != uint64(len(posts)) {
		t.Errorf("%d docs, want %d", n, len(posts))
	}
}

// watermarkRecorder records each watermark set.
type watermarkRecorder struct {
	*fakeSource
	marks *[]uint64
}

func (w *watermarkRecorder) SetIndexWatermark(seq uint64) error {
	*w.marks = append(*w.marks, seq)
	return w.fakeSource.SetIndexWatermark(seq)
}

func TestCatchUpCancel(t *testing.T) {
	src := newFakeSource()
	ix, err := Open(filepath.Join(t.TempDir(), "index.bleve"), src)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	src.put(corpus()...)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.CatchUp(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled CatchUp: %v", err)
	}
	if src.watermark() != 0 {
		t.Errorf("watermark moved to %d", src.watermark())
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	src := newFakeSource(corpus()...)
	dir := filepath.Join(t.TempDir(), "index.bleve")

	ix, err := Open(dir, src)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Rebuilt == "" {
		t.Error("new index: Rebuilt empty")
	}
	want := searchIDs(t, ix, "")
	if len(want) != len(allDocs) {
		t.Fatalf("%d docs, want %d", len(want), len(allDocs))
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Search(ctx, "", SearchOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Search after Close: %v", err)
	}
	if _, err := ix.CatchUp(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("CatchUp after Close: %v", err)
	}
	if err := ix.Reindex(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Reindex after Close: %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	reopen := func(wantRebuild bool) *Index {
		t.Helper()
		src.forEach = 0
		ix, err := Open(dir, src)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		if (ix.Rebuilt != "") != wantRebuild || (src.forEach > 0) != wantRebuild {
			t.Errorf("Rebuilt = %q after %d ForEachNodeWithoutRaw, want a rebuild: %v", ix.Rebuilt, src.forEach, wantRebuild)
		}
		if diff := cmp.Diff(want, searchIDs(t, ix, "")); diff != "" {
			t.Errorf("documents (-want +got):\n%s", diff)
		}
		return ix
	}
	close := func(ix *Index) {
		t.Helper()
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}

	// Reopened as it is: no rebuild; changes made while closed are caught up.
	src.put(post("twitter", "20", "1", "alice", "2024-06-01T00:00:00Z", "en", "while closed", nil))
	want = append([]string{"twitter:post:20"}, want...)
	close(reopen(false))

	t.Run("directory deleted", func(t *testing.T) {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		close(reopen(true))
	})
	t.Run("corrupt", func(t *testing.T) {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}
		close(reopen(true))
	})
	t.Run("watermark ahead of the store", func(t *testing.T) {
		src.wm = 10_000
		close(reopen(true))
		if src.watermark() != uint64(len(src.log)) {
			t.Errorf("watermark %d, want %d", src.watermark(), len(src.log))
		}
	})
	t.Run("watermark reset", func(t *testing.T) {
		src.wm = 0
		close(reopen(true))
	})
	t.Run("leftovers of an interrupted Reindex", func(t *testing.T) {
		for _, d := range []string{dir + ".new", dir + ".old"} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		close(reopen(false))
		for _, d := range []string{dir + ".new", dir + ".old"} {
			if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s left: %v", d, err)
			}
		}
	})
	t.Run("in use", func(t *testing.T) {
		ix := reopen(false)
		defer ix.Close()
		start := time.Now()
		_, err := Open(dir, src)
		if !errors.Is(err, ErrInUse) {
			t.Errorf("second Open: %v, want ErrInUse", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("second Open took %v", d)
		}
		// The first is untouched.
		if diff := cmp.Diff(want, searchIDs(t, ix, "")); diff != "" {
			t.Errorf("documents (-want +got):\n%s", diff)
		}
	})
}

func TestReindex(t *testing.T) {
	ctx := context.Background()
	// Incremental: an empty index that follows page after page.
	incSrc := newFakeSource()
	inc, err := Open(filepath.Join(t.TempDir(), "inc.bleve"), incSrc)
	if err != nil {
		t.Fatal(err)
	}
	defer inc.Close()
	nodes := append(corpus(), genPosts(300)...)
	for i := 0; i < len(nodes); i += 37 {
		incSrc.put(nodes[i:min(i+37, len(nodes))]...)
		catchUp(t, inc)
	}

	// Reindexed: an index with stale content, rebuilt from the same store.
	src := newFakeSource(corpus()[:5]...)
	dir := filepath.Join(t.TempDir(), "re.bleve")
	re, err := Open(dir, src)
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	src.mu.Lock()
	src.nodes = map[string]schema.Node{}
	src.mu.Unlock()
	for _, n := range nodes {
		src.nodes[n.ID] = n // not logged: only a rebuild sees these
	}
	src.put(nodes[0]) // one logged change after the rebuild's start
	if err := re.Reindex(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir + ".old", dir + ".new"} {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left after Reindex: %v", d, err)
		}
	}
	if got := src.watermark(); got != uint64(len(src.log)) {
		t.Errorf("watermark %d, want %d", got, len(src.log))
	}

	if a, b := docCount(t, inc), docCount(t, re); a != b {
		t.Errorf("DocCount: incremental %d, reindexed %d", a, b)
	}
	ca, err := inc.CountByKind()
	if err != nil {
		t.Fatal(err)
	}
	cb, err := re.CountByKind()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ca, cb); diff != "" {
		t.Errorf("CountByKind (-incremental +reindexed):\n%s", diff)
	}
	mention := ""
	for _, n := range nodes {
		if n.Post != nil && len(n.Post.Mentions) > 0 && n.Platform == "twitter" && n.Post.AuthorHandle != "alice" {
			mention = "@" + n.Post.Mentions[0]
			break
		}
	}
	for _, q := range []string{"", "golang", "coffee tea", `"golang rust"`, "#golang", "from:user7", "has:media -golang",
		"since:2021-01-02 until:2021-01-03", "東京", "münchen", mention, "kind:account"} {
		for _, s := range []Sort{SortRelevance, SortNewest, SortOldest} {
			a, err := inc.Search(ctx, q, SearchOptions{Limit: MaxLimit, Sort: s})
			if err != nil {
				t.Fatal(err)
			}
			b, err := re.Search(ctx, q, SearchOptions{Limit: MaxLimit, Sort: s})
			if err != nil {
				t.Fatal(err)
			}
			if a.Total == 0 {
				t.Errorf("%q finds nothing: a poor test", q)
			}
			if diff := cmp.Diff(a, b, cmpIgnoreScore); diff != "" {
				t.Errorf("Search(%q, %s) (-incremental +reindexed):\n%s", q, s, diff)
			}
		}
	}

	// A canceled Reindex leaves the index as it was.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := re.Reindex(canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled Reindex: %v", err)
	}
	if _, err := os.Stat(dir + ".new"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s.new left after a canceled Reindex: %v", dir, err)
	}
	if a, b := docCount(t, inc), docCount(t, re); a != b {
		t.Errorf("after a canceled Reindex: DocCount %d, want %d", b, a)
	}

	// The reindexed index keeps following the store.
	src.put(post("twitter", "900", "1", "alice", "2024-06-01T00:00:00Z", "en", "after the reindex", nil))
	if n := catchUp(t, re); n != 1 {
		t.Errorf("CatchUp after Reindex indexed %d, want 1", n)
	}
}

// TestConcurrent runs searches and catch-ups while Reindex swaps the index,
// for the race detector; also with the dates kept in memory, read in the
// background as segments come and go.
func TestConcurrent(t *testing.T) {
	t.Run("searched", func(t *testing.T) { testConcurrent(t, false) })
	t.Run("dates kept", func(t *testing.T) { testConcurrent(t, true) })
}

func testConcurrent(t *testing.T, keepDates bool) {
	ctx := context.Background()
	src := newFakeSource(corpus()...)
	ix, err := Open(filepath.Join(t.TempDir(), "index.bleve"), src)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if keepDates {
		ix.KeepDates()
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := ix.Search(ctx, "golang", SearchOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				if res.Total < 5 {
					t.Errorf("searcher %d: %d hits", i, res.Total)
					return
				}
				// Phrases, dates and filters take other ways, each reading
				// stored fields on its own snapshot of the index.
				for _, q := range []string{`"golang generics"`, "from:alice kind:post", "kind:post since:2024-01-01"} {
					res, err := ix.Search(ctx, q, SearchOptions{Sort: SortNewest})
					if err != nil {
						t.Error(err)
						return
					}
					for _, h := range res.Hits {
						if h.Kind != "post" || h.Text == "" || h.Created.IsZero() {
							t.Errorf("searcher %d: %q: hit %+v", i, q, h)
							return
						}
					}
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 20 {
			src.put(post("twitter", fmt.Sprint(1000+i), "1", "alice", "2024-06-01T00:00:00Z", "en", "golang again", nil))
			if _, err := ix.CatchUp(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 2 {
		if err := ix.Reindex(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	catchUp(t, ix)
	if n := docCount(t, ix); n != uint64(len(allDocs)+20) {
		t.Errorf("%d docs, want %d", n, len(allDocs)+20)
	}
}
