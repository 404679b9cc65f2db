package index

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSearchBySpan checks the pages of a span of time alone (bySpan)
// where they differ from a plain walk of the dates: a document rewritten
// since its first segment (deleted there, live in the next), documents
// of another kind inside the span, and documents at the span's ends.
func TestSearchBySpan(t *testing.T) {
	ctx := context.Background()
	src := newFakeSource(
		post("twitter", "1", "1", "a", "2021-02-28T23:59:59Z", "en", "before", nil),
		post("twitter", "2", "1", "a", "2021-03-01T00:00:00Z", "en", "first instant", nil),
		post("twitter", "3", "1", "a", "2021-03-10T12:00:00Z", "en", "rewritten later", nil),
		post("twitter", "4", "1", "a", "2021-03-10T12:00:00Z", "en", "same time as 3", nil),
		post("twitter", "5", "1", "a", "2021-03-31T23:59:59.999Z", "en", "last instant", nil),
		post("twitter", "6", "1", "a", "2021-04-01T00:00:00Z", "en", "after", nil),
		account("twitter", "7", "b", "B", "an account of the month", day("2021-03-20T00:00:00Z")),
	)
	ix, err := Open(t.TempDir()+"/index.bleve", src)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ix.mu.Lock()
	ix.dates = newDateCache()
	close(ix.dates.done)
	ix.mu.Unlock()
	datesRead(t, ix)

	src.put(post("twitter", "3", "1", "a", "2021-03-10T12:00:00Z", "en", "rewritten now", nil))
	if _, err := ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	ix.fillDates(nil)
	deleted := func() bool {
		snap := snapshot(t, ix)
		defer snap.Close()
		for _, seg := range snap.Segments() {
			if d := seg.Deleted(); d != nil && !d.IsEmpty() {
				return true
			}
		}
		return false
	}
	if !deleted() {
		t.Fatal("the rewritten post left no deleted document behind (merged already?)")
	}

	for _, c := range []struct {
		q      string
		sort   Sort
		offset int
		want   []string
	}{
		{"kind:post since:2021-03-01 until:2021-04-01", SortNewest, 0,
			[]string{"twitter:post:5", "twitter:post:3", "twitter:post:4", "twitter:post:2"}},
		{"kind:post since:2021-03-01 until:2021-04-01", SortOldest, 1,
			[]string{"twitter:post:3", "twitter:post:4", "twitter:post:5"}},
		{"since:2021-03-01 until:2021-04-01", SortRelevance, 0,
			[]string{"twitter:post:5", "twitter:account:7", "twitter:post:3", "twitter:post:4", "twitter:post:2"}},
		{"kind:account since:2021-03-01 until:2021-04-01", SortNewest, 0, []string{"twitter:account:7"}},
	} {
		pq, _ := Parse(c.q)
		total, hits, ok, err := ix.bySpan(ctx, pq, c.sort != SortOldest, 20, c.offset)
		if err != nil || !ok {
			t.Fatalf("%q/%s: bySpan ok %v, err %v", c.q, c.sort, ok, err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.ID)
			if h.Score != 0 || h.Fields[fieldKind] == nil {
				t.Errorf("%q: hit %s scores %v with fields %v", c.q, h.ID, h.Score, h.Fields)
			}
		}
		if diff := cmp.Diff(c.want, got); diff != "" || total != uint64(len(c.want)+c.offset) {
			t.Errorf("%q/%s+%d: total %d, (-want +got):\n%s", c.q, c.sort, c.offset, total, diff)
		}
		wantTotal, want, err := ix.findPage(ctx, pq, pq.compile(ix.analyzer), c.sort, 20, c.offset, false)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(idScores(want), idScores(hits)); diff != "" || total != wantTotal {
			t.Errorf("%q/%s: total %d, want %d; (-one search +bySpan):\n%s", c.q, c.sort, total, wantTotal, diff)
		}
	}
	if !deleted() {
		t.Error("merged during the test: the deleted document was not there to skip")
	}
	// Words, another filter or a negation: not a span alone.
	for _, q := range []string{"golang since:2021-03-01", "from:a since:2021-03-01", "-kind:post since:2021-03-01", "kind:post"} {
		pq, _ := Parse(q)
		if _, _, ok, _ := ix.bySpan(ctx, pq, true, 20, 0); ok {
			t.Errorf("%q: answered by bySpan", q)
		}
	}
}

// TestSegDatesWalk checks the walk of one segment's span for ties at the
// page's edge: the first segment's 110 documents of one instant fill the
// page, and the next segment's 5 of the same instant, which sort before
// them by id, must still be shown to the page, not only counted.
func TestSegDatesWalk(t *testing.T) {
	const instant = 1_650_000_000_000_000_000
	segment := func(n int) *segDates {
		created := make([]int64, n)
		kinds := make([]uint8, n)
		for i := range created {
			created[i], kinds[i] = instant, 1
		}
		return newSegDates(created, kinds)
	}
	a, b := segment(110), segment(5)
	all := func(int) bool { return true }
	top := datedTop{need: 20, desc: true}
	if n := a.walk(0, len(a.order), all, &top, 0); n != 110 {
		t.Errorf("first segment: %d counted, want 110", n)
	}
	if !top.full {
		t.Fatal("110 documents did not fill a page of 20")
	}
	if n := b.walk(0, len(b.order), all, &top, 110); n != 5 {
		t.Errorf("second segment: %d counted, want 5", n)
	}
	top.trim()
	var shown []uint64
	for _, d := range top.seen {
		shown = append(shown, d.num)
	}
	for num := uint64(110); num < 115; num++ {
		if !slices.Contains(shown, num) {
			t.Errorf("document %d of the second segment, tied with the page's last, was not shown to the page", num)
		}
	}

	// Older ones after a full page are counted, not shown.
	older := newSegDates([]int64{instant - 2, instant - 1, instant + 1}, []uint8{1, 2, 1})
	kind1 := func(i int) bool { return older.orderKinds[i] == 1 }
	if n := older.walk(0, len(older.order), kind1, &top, 115); n != 2 {
		t.Errorf("older segment: %d of kind 1 counted, want 2", n)
	}
	shown = shown[:0]
	for _, d := range top.seen {
		shown = append(shown, d.num)
	}
	if !slices.Contains(shown, 117) || slices.Contains(shown, 115) || slices.Contains(shown, 116) {
		t.Errorf("older segment: shown %v, want the newer document (117) and neither older one (115, 116)", shown)
	}
}
