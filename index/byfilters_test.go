package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/google/go-cmp/cmp"
)

// TestSearchByFilters checks the pages of filters alone (byFilters) where
// they differ from a plain walk of the dates: a document rewritten since
// its first segment, documents of another kind inside a span, and
// documents at a span's ends; and the other filters, with and without
// dates, against one sorted search.
func TestSearchByFilters(t *testing.T) {
	ctx := context.Background()
	src := newFakeSource(
		post("twitter", "1", "1", "a", "2021-02-28T23:59:59Z", "en", "before", nil),
		post("twitter", "2", "1", "a", "2021-03-01T00:00:00Z", "en", "first instant", nil),
		post("twitter", "3", "1", "a", "2021-03-10T12:00:00Z", "en", "rewritten later", nil),
		post("twitter", "4", "1", "a", "2021-03-10T12:00:00Z", "en", "same time as 3", nil),
		post("twitter", "5", "1", "a", "2021-03-31T23:59:59.999Z", "en", "last instant", nil),
		post("twitter", "6", "1", "a", "2021-04-01T00:00:00Z", "en", "after", nil),
		account("twitter", "7", "b", "B", "an account of the month", day("2021-03-20T00:00:00Z")),
		post("twitter", "8", "1", "a", "2021-04-01T00:00:00Z", "de", "am ersten April", nil),
		post("twitter", "9", "1", "a", "2021-01-15T00:00:00Z", "de", "im Januar", nil),
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
	// Bleve may merge the rewritten post's two segments at any time; the
	// dates of a merged segment are read again before a retry. (The
	// skipping of deleted documents is checked in TestSegDatesHits, where
	// no merge can take them away.)
	byFilters := func(pq *Query, desc bool, limit, offset int) (uint64, search.DocumentMatchCollection, bool, error) {
		t.Helper()
		for range 50 {
			ix.fillDates(nil)
			total, hits, ok, err := ix.byFilters(ctx, pq, desc, limit, offset)
			if ok || err != nil {
				return total, hits, ok, err
			}
			time.Sleep(10 * time.Millisecond)
		}
		return 0, nil, false, nil
	}

	for _, c := range []struct {
		q      string
		sort   Sort
		offset int
		want   []string
	}{
		// 3 and 4 tie on time: newest takes the higher id first, oldest
		// the lower, so that one is the other read backwards.
		{"kind:post since:2021-03-01 until:2021-04-01", SortNewest, 0,
			[]string{"twitter:post:5", "twitter:post:4", "twitter:post:3", "twitter:post:2"}},
		{"kind:post since:2021-03-01 until:2021-04-01", SortOldest, 1,
			[]string{"twitter:post:3", "twitter:post:4", "twitter:post:5"}},
		{"since:2021-03-01 until:2021-04-01", SortRelevance, 0,
			[]string{"twitter:post:5", "twitter:account:7", "twitter:post:4", "twitter:post:3", "twitter:post:2"}},
		{"kind:account since:2021-03-01 until:2021-04-01", SortNewest, 0, []string{"twitter:account:7"}},
	} {
		pq, _ := Parse(c.q)
		total, hits, ok, err := byFilters(pq, c.sort != SortOldest, 20, c.offset)
		if err != nil || !ok {
			t.Fatalf("%q/%s: byFilters ok %v, err %v", c.q, c.sort, ok, err)
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
			t.Errorf("%q/%s: total %d, want %d; (-one search +byFilters):\n%s", c.q, c.sort, total, wantTotal, diff)
		}
	}
	// Other filters, with dates or without, as one sorted search finds them.
	for _, q := range []string{"", "from:a", "from:a since:2021-03-01", "kind:post", "kind:account", "lang:en until:2021-03-10",
		"from:a kind:post since:2021-03-10 until:2021-03-11", "from:nobody", "platform:twitter since:2021-01-01",
		"from:a since:2021-03-20 until:2021-03-21",                              // the span (the account) is walked, and from: checked
		"lang:de since:2021-01-01 until:2021-04-01", "lang:de since:2021-04-01", // the two German posts are looked up
		// ORs: any of their terms, beside the others.
		"from:b OR lang:de", "kind:account OR lang:de since:2021-01-01", "lang:de OR lang:en kind:post since:2021-03-01",
		"kind:post OR kind:account until:2021-03-10", "from:nobody OR lang:de", "from:nobody OR to:nobody",
		"from:a OR from:b lang:en OR kind:account since:2021-03-10 until:2021-04-01",
	} {
		for _, sort := range []Sort{SortNewest, SortOldest} {
			pq, _ := Parse(q)
			total, hits, ok, err := byFilters(pq, sort != SortOldest, 3, 1)
			if err != nil || !ok {
				t.Fatalf("%q/%s: byFilters ok %v, err %v", q, sort, ok, err)
			}
			wantTotal, want, err := ix.findPage(ctx, pq, pq.compile(ix.analyzer), sort, 3, 1, false)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(idScores(want), idScores(hits)); diff != "" || total != wantTotal {
				t.Errorf("%q/%s: total %d, want %d; (-one search +byFilters):\n%s", q, sort, total, wantTotal, diff)
			}
		}
	}
	// The ends of a span where the filters' documents are looked up.
	for q, want := range map[string]uint64{"lang:de since:2021-01-01 until:2021-04-01": 1, "lang:de since:2021-04-01": 1,
		"from:a since:2021-03-20 until:2021-03-21": 0} {
		pq, _ := Parse(q)
		if total, _, ok, err := byFilters(pq, true, 20, 0); !ok || err != nil || total != want {
			t.Errorf("%q: total %d (ok %v, err %v), want %d", q, total, ok, err, want)
		}
	}
	// Words, tags, mentions or a negation, also in an OR: not filters alone.
	for _, q := range []string{"golang since:2021-03-01", "#go from:a", "@b", "-kind:post since:2021-03-01",
		"#go OR from:a", "from:a OR golang", "lang:de OR @b"} {
		pq, _ := Parse(q)
		if _, _, ok, _ := ix.byFilters(ctx, pq, true, 20, 0); ok {
			t.Errorf("%q: answered by byFilters", q)
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

// TestSegDatesHits checks one segment's hits for filters alone against
// every document checked one by one: random times (some missing, some the
// cache cannot place), kinds, filter terms and deleted documents, spans of
// every shape, so that all three ways (walking the span, looking up the
// filters' documents, and everything or a kind alone from the date order)
// are taken; and that a page of a few keeps the best of them.
func TestSegDatesHits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	day := func(d int) time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	walked, looked, everyN := 0, 0, 0
	for round := range 400 {
		n := 1 + rng.IntN(300)
		created := make([]int64, n)
		kinds := make([]uint8, n)
		for i := range n {
			switch {
			case rng.IntN(20) == 0, round%16 == 1 && rng.IntN(100) < 98:
				// One in 20 without a date; in one round of 16 nearly all,
				// so that a page fills with them.
				created[i] = noDate
			case round%2 == 0 && rng.IntN(19) == 0:
				created[i] = oddDate
			default:
				created[i] = day(rng.IntN(60)).Add(time.Duration(rng.IntN(3)) * 12 * time.Hour).UnixNano()
			}
			kinds[i] = uint8(rng.IntN(3))
		}
		sd := newSegDates(created, kinds)
		var with, deleted *roaring.Bitmap
		if rng.IntN(3) > 0 {
			with = roaring.New()
			for i := range n {
				if rng.IntN(1+rng.IntN(40)) == 0 {
					with.Add(uint32(i))
				}
			}
		}
		if rng.IntN(2) == 0 {
			deleted = roaring.New()
			for i := range n {
				if rng.IntN(8) == 0 {
					deleted.Add(uint32(i))
				}
			}
		}
		f := segFilter{code: uint8(rng.IntN(3)), deleted: deleted}
		if rng.IntN(4) > 0 && round%8 != 1 {
			f.since = day(rng.IntN(70) - 5)
		}
		if round%8 == 1 {
			with = nil // neither dates nor filter terms: every
		} else if rng.IntN(4) > 0 {
			f.until = f.since.AddDate(0, 0, rng.IntN(30))
			if f.since.IsZero() {
				f.until = day(rng.IntN(70))
			}
		}
		if with != nil {
			f.with = with.Clone()
		}
		name := fmt.Sprintf("round %d (%d documents, kind %d, %v to %v)", round, n, f.code, f.since, f.until)

		// Every document, one by one.
		dated := !f.since.IsZero() || !f.until.IsZero()
		bounded := !f.since.IsZero() && !f.until.IsZero()
		var want []uint64
		cannot := false
		for i := range n {
			num := uint32(i)
			if f.code != 0 && kinds[i] != f.code || with != nil && !with.Contains(num) || deleted != nil && deleted.Contains(num) {
				continue
			}
			c := created[i]
			switch {
			case c == oddDate && bounded:
				continue
			case c == oddDate:
				cannot = true
			case dated && (c == noDate || !f.since.IsZero() && c < f.since.UnixNano() || !f.until.IsZero() && c >= f.until.UnixNano()):
				continue
			}
			want = append(want, uint64(i)+1000)
		}

		span := dated && (bounded || len(sd.unplaced) == 0)
		desc := rng.IntN(2) == 0
		top := datedTop{need: n + 1, desc: desc} // all of them
		f2, f3 := f, f
		if f.with != nil {
			f2.with, f3.with = f.with.Clone(), f.with.Clone() // hits may change it
		}
		total, ok := sd.hits(f, &top, 1000)
		switch {
		case cannot:
			if ok {
				t.Errorf("%s: answered, with a date the cache cannot place in reach", name)
			}
			continue
		case !ok:
			t.Errorf("%s: not answered", name)
			continue
		}
		var got []uint64
		for _, d := range top.seen {
			got = append(got, d.num)
		}
		slices.Sort(got)
		if total != uint64(len(want)) || !slices.Equal(got, want) {
			t.Errorf("%s: total %d, shown %v; want %d, %v", name, total, got, len(want), want)
		}
		// A page of a few, over the segment twice (as two segments, the
		// second at 5000): every hit better than the page's last, or tied
		// with it, is kept, and none worse.
		few := datedTop{need: 1 + rng.IntN(8), desc: desc}
		_, ok1 := sd.hits(f2, &few, 1000)
		_, ok2 := sd.hits(f3, &few, 5000)
		if !ok1 || !ok2 {
			t.Errorf("%s: a page of %d not answered", name, few.need)
		}
		few.trim()
		if 2*len(want) >= few.need {
			times := make([]int64, 0, 2*len(want))
			for _, num := range want {
				times = append(times, created[num-1000], created[num-1000])
			}
			slices.SortFunc(times, few.cmp)
			last := times[few.need-1]
			kept := map[uint64]bool{}
			for _, d := range few.seen {
				kept[d.num] = true
				if few.cmp(d.created, last) > 0 {
					t.Errorf("%s, a page of %d: kept %d, worse than the page's last", name, few.need, d.num)
				}
			}
			for _, num := range want {
				if few.cmp(created[num-1000], last) <= 0 && (!kept[num] || !kept[num+4000]) {
					t.Errorf("%s, a page of %d: %d or %d not kept", name, few.need, num, num+4000)
				}
			}
		}
		if !dated && with == nil {
			everyN++
		}
		spanN := uint64(0)
		for _, c := range sd.orderTimes {
			if (f.since.IsZero() || c >= f.since.UnixNano()) && (f.until.IsZero() || c < f.until.UnixNano()) {
				spanN++
			}
		}
		if span && (with == nil || spanN < with.GetCardinality()) {
			walked++
		} else {
			looked++
		}
	}
	t.Logf("%d rounds walked a span, %d looked documents up (%d of them everything or a kind alone)", walked, looked, everyN)
	if everyN < 10 {
		t.Errorf("only %d rounds of everything or a kind alone", everyN)
	}
	if walked < 50 || looked < 50 {
		t.Errorf("rounds that walked a span %d, that looked documents up %d: want both ways taken", walked, looked)
	}
}
