package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/google/go-cmp/cmp"

	"github.com/podimport/podimport/schema"
)

// datedCorpus is 2,400 posts over six years, many sharing their
// creation time to the nanosecond (some at midnight, the edge of a
// window) and one after the year 9999, with one to three hashtags,
// mentions, links and media (so that filters on them score unevenly), and
// accounts with and without a creation time. It is indexed in several catch-ups, some of which
// rewrite posts, so that the index has several segments, deleted
// documents, and an index order that is neither id nor time order.
func datedCorpus(t testing.TB) *Index {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	words := []string{"golang", "tea", "coffee", "rust", "berlin", "the", "a", "release", "sunset", "bug"}
	tags := []string{"go", "rust", "tea", "music"}
	langs := []string{"en", "en", "de", "ja"}
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	var times []time.Time
	for len(times) < 400 {
		at := start.Add(time.Duration(rng.Int64N(int64(6 * 365 * 24 * time.Hour))))
		switch rng.IntN(4) {
		case 0:
			at = at.Truncate(24 * time.Hour) // midnight
		case 1:
			at = at.Truncate(time.Second)
		}
		times = append(times, at)
	}
	var nodes []schema.Node
	for i := range 2400 {
		at := times[rng.IntN(len(times))] // about 6 posts per time
		author := rng.IntN(12) * rng.IntN(12) / 11
		text := ""
		for j := range 3 + rng.IntN(6) {
			if j > 0 {
				text += " "
			}
			text += words[rng.IntN(len(words))]
		}
		p := post("twitter", fmt.Sprint(i), fmt.Sprint(author), fmt.Sprintf("h%d", author),
			at.Format(time.RFC3339Nano), langs[rng.IntN(len(langs))], text, func(p *schema.Post) {
				for range rng.IntN(4) {
					p.Hashtags = append(p.Hashtags, tags[rng.IntN(len(tags))])
				}
				for range rng.IntN(3) {
					p.Mentions = append(p.Mentions, fmt.Sprintf("m%d", rng.IntN(5)))
				}
				if rng.IntN(3) == 0 {
					p.Media = []string{"twitter:media:1"}
				}
				if rng.IntN(3) == 0 {
					p.URLs = []string{"https://example.com"}
				}
				if rng.IntN(4) == 0 {
					p.ReplyTo, p.ReplyToHandle = "twitter:post:1", "h1"
				}
			})
		nodes = append(nodes, p)
	}
	// A date past 9999, whose year is not four digits (nor a date that
	// searchByDate can place), sorting as a string before the others.
	late := post("twitter", "9999", "3", "h3", "2024-01-01T00:00:00Z", "en", "golang tea", nil)
	late.Post.Created = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	nodes = append(nodes, late)
	for i := range 240 {
		var created time.Time
		if i%3 == 0 {
			created = time.Date(2008+i%15, time.Month(1+i%3), 1, 0, 0, 0, 0, time.UTC)
		}
		nodes = append(nodes, account("twitter", fmt.Sprint(i), fmt.Sprintf("h%d", i%20), "Someone", "likes golang", created))
	}
	rng.Shuffle(len(nodes), func(i, j int) { nodes[i], nodes[j] = nodes[j], nodes[i] })

	src := newFakeSource()
	ix, err := Open(t.TempDir()+"/index.bleve", src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	for i := 0; i < len(nodes); i += 700 {
		src.put(nodes[i:min(i+700, len(nodes))]...)
		src.put(nodes[rng.IntN(len(nodes))], nodes[rng.IntN(len(nodes))]) // rewritten
		if _, err := ix.CatchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

// TestSearchByDate checks that slicing a search by time finds the same
// pages as one sorted search: the same total, hits, order and scores.
func TestSearchByDate(t *testing.T) {
	ix := datedCorpus(t)
	ctx := context.Background()
	queries := []string{ // a mix first: under the race detector, only the first third
		"", "kind:account", "from:h3 kind:post", "#go", "since:2021-03-15 until:2022-02-10", "golang",
		"-from:h0", "is:reply", "lang:ja -#tea", "golang since:2022-01-01", "from:nobody", "has:media -has:links",
		"kind:post", "-kind:post", "from:h0", "from:h3", "#go #rust", "@m1", "lang:de", "has:media",
		"from:h1 lang:en", "since:2021-03-01 until:2021-04-01", "kind:post since:2021-03-01 until:2021-04-01",
		"since:2022-01-01", "until:2020-06-01", "-from:h0 since:2023-06-01", "lang:en since:2020-02-20 until:2020-05-03",
		"#go since:2019-12-31 until:2024-01-02", "golang tea", `"golang tea"`, "golang from:h2", "-golang",
		"tea -kind:account", "from:h4 has:media since:2020-01-01", "since:2030-01-01",
		// ORs: of filters, of tags, of words, mixed, with dates and exclusions.
		"from:h3 OR from:h5 kind:post", "#go OR #music", "golang OR rust", "lang:ja OR @m1", "#tea OR is:reply -from:h0",
		"has:media OR has:links since:2021-03-15 until:2022-02-10", "kind:account OR from:h2", "@m1 OR @m2 -lang:en",
	}
	pages := []struct{ limit, offset int }{
		{20, 0}, {1, 0}, {7, 33}, {20, 90}, {100, 150}, {3, 900}, {20, 2620}, {20, 5000},
	}
	if raceEnabled {
		// The race detector makes Bleve 10 times slower: the first
		// third, and an OR.
		queries = append(queries[:len(queries)/3], "#tea OR is:reply -from:h0")
	}
	var sliced int
	for _, q := range queries {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		main := pq.compile(ix.analyzer)
		_, alike := pq.scoresAlike()
		for _, sort := range []Sort{SortRelevance, SortNewest, SortOldest} {
			for _, pg := range pages {
				if sort == SortRelevance && !alike {
					continue // never sliced (words or phrases)
				}
				name := fmt.Sprintf("%q/%s/%d+%d", q, sort, pg.offset, pg.limit)
				wantTotal, want, err := ix.findPage(ctx, pq, main, sort, pg.limit, pg.offset, false)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				total, got, ok, err := ix.searchByDate(ctx, pq, main, sort != SortOldest, sort == SortRelevance, pg.limit, pg.offset)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !ok {
					continue // one sorted search: want
				}
				sliced++
				if total != wantTotal {
					t.Errorf("%s: total %d, want %d", name, total, wantTotal)
				}
				if diff := cmp.Diff(idScores(want), idScores(got)); diff != "" {
					t.Errorf("%s: (-one search +sliced):\n%s", name, diff)
				}
			}
		}
	}
	t.Logf("%d pages sliced", sliced)
	if sliced < 100 && !raceEnabled {
		t.Errorf("only %d pages were sliced", sliced)
	}

	// The cases this is for take the sliced path: a selective filter by
	// relevance, and a date range newest first.
	for _, c := range []struct {
		q    string
		sort Sort
	}{
		{"from:h3 kind:post", SortRelevance}, {"is:reply", SortRelevance}, {"-from:h0", SortRelevance},
		{"kind:post since:2021-01-01 until:2022-01-01", SortNewest}, {"since:2021-03-15 until:2022-02-10", SortOldest},
		{"", SortOldest}, {"golang", SortNewest},
	} {
		pq, _ := Parse(c.q)
		main := pq.compile(ix.analyzer)
		if _, _, ok, err := ix.searchByDate(ctx, pq, main, c.sort != SortOldest, c.sort == SortRelevance, 20, 0); !ok || err != nil {
			t.Errorf("%q/%s: not sliced (%v)", c.q, c.sort, err)
		}
	}
}

// raceEnabled is set by race_test.go under the race detector.
var raceEnabled bool

type idScore struct {
	ID    string
	Score float64
}

func idScores(hits search.DocumentMatchCollection) []idScore {
	out := make([]idScore, len(hits))
	for i, h := range hits {
		out[i] = idScore{h.ID, h.Score}
	}
	return out
}

// TestSearchByScore checks that a page by relevance found by byScore is
// the page of one search sorted by score and created: at each place a hit
// with the same score and created (hits that tie on both may come in
// either order, in both searches), each hit once, and the same total.
// Then the same of byCachedScore, from the dates kept in memory.
func TestSearchByScore(t *testing.T) {
	ix := datedCorpus(t)
	ctx := context.Background()
	queries := []string{
		"golang", "tea", "golang tea", `"golang tea"`, "sunset", "golang from:h2", "tea -kind:account",
		"golang since:2022-01-01", "bug lang:ja", "likes", "golang -rust", "nothingmatches",
		// Hashtags and mentions may score alike, but do not here.
		"#go", "@m1 lang:en", "#tea #rust",
		// ORs: of words, of tags, mixed (whose filter's hits score 0).
		"golang OR sunset", "tea golang OR rust", "#go OR #music", "@m1 OR lang:ja", "#tea OR from:h2 -golang",
	}
	pages := []struct{ limit, offset int }{{20, 0}, {1, 0}, {7, 33}, {20, 90}, {100, 150}, {20, 2000}}
	if raceEnabled {
		queries = append(queries[:4], "#go", "#tea OR from:h2 -golang")
	}
	type key struct {
		score   float64
		created string
	}
	for _, kept := range []bool{false, true} {
		if kept {
			ix.KeepDates()
		}
		var twice, cached int
		for _, q := range queries {
			pq, err := Parse(q)
			if err != nil {
				t.Fatal(err)
			}
			sure, maybe := pq.scoresAlike()
			if sure {
				t.Fatalf("%q: scores alike, not a byScore query", q)
			}
			main := pq.compile(ix.analyzer)
			// Every hit, in the reference order, keyed by score and created.
			allTotal, all, err := ix.findPage(ctx, pq, main, SortRelevance, 10000, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			keyOf := map[string]key{}
			for _, h := range all {
				keyOf[h.ID] = key{h.Score, h.Sort[1]}
			}
			for _, pg := range pages {
				name := fmt.Sprintf("%q/%d+%d (dates kept: %v)", q, pg.offset, pg.limit, kept)
				var total uint64
				var got search.DocumentMatchCollection
				if kept {
					var ok bool
					total, got, ok, err = ix.byCachedScore(ctx, pq, main, pg.limit, pg.offset)
					if !ok && err == nil {
						// Or did a merge of Bleve's replace segments meanwhile?
						ix.fillDates(nil)
						total, got, ok, err = ix.byCachedScore(ctx, pq, main, pg.limit, pg.offset)
					}
					if !ok && err == nil {
						// Only a query that matches the post of the year
						// 10000, whose date the cache cannot place, goes
						// the other way.
						if _, odd := keyOf["twitter:post:9999"]; !odd {
							t.Errorf("%s: not found from the kept dates", name)
						}
						continue
					}
					cached++
				} else {
					total, got, err = ix.findPage(ctx, pq, main, SortRelevance, pg.limit, pg.offset, true)
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				want := all[min(pg.offset, len(all)):min(pg.offset+pg.limit, len(all))]
				if total != allTotal || len(got) != len(want) {
					t.Errorf("%s: %d hits of %d, want %d of %d", name, len(got), total, len(want), allTotal)
					continue
				}
				seen := map[string]bool{}
				for i, h := range got {
					w := keyOf[want[i].ID]
					if k, ok := keyOf[h.ID]; !ok || k != w || h.Score != w.score || seen[h.ID] {
						t.Errorf("%s: hit %d is %s (%v, score %v, seen %v), want one with %v", name, i, h.ID, k, h.Score, seen[h.ID], w)
					}
					if maybe && h.ID != want[i].ID {
						// Where all hits may score alike, the id breaks ties.
						t.Errorf("%s: hit %d is %s, want %s", name, i, h.ID, want[i].ID)
					}
					seen[h.ID] = true
				}
				if n := pg.offset + pg.limit; n < len(all) && keyOf[all[n-1].ID].score == all[min(len(all)-1, n+max(10, n/2)-1)].Score {
					twice++ // a tie past the fetched hits: byScore's second search
				}
			}
		}
		if kept {
			t.Logf("%d pages from the kept dates", cached)
		} else {
			t.Logf("%d pages needed the second search", twice)
			if twice == 0 {
				t.Error("no page took byScore's second search")
			}
		}
	}
}

// TestSearchByCachedDate checks that the pages found from the cached
// dates (by byFilters for filters alone, else by byCachedDate) are
// those of one sorted search (total, hits, order and scores),
// and that while the dates of a segment are not read (a catch-up's new
// segment, a rebuilt index) the search goes the other way.
func TestSearchByCachedDate(t *testing.T) {
	ix := datedCorpus(t)
	ctx := context.Background()
	type sorted struct {
		q    string
		sort Sort
	}
	spans := 0 // pages that byFilters answered
	cached := func(c sorted, limit, offset int) (uint64, search.DocumentMatchCollection, bool) {
		t.Helper()
		pq, err := Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		desc := c.sort != SortOldest
		total, hits, ok, err := ix.byFilters(ctx, pq, desc, limit, offset)
		if ok {
			spans++
		} else if err == nil {
			total, hits, ok, err = ix.byCachedDate(ctx, pq, pq.compile(ix.analyzer), desc, limit, offset)
		}
		if err != nil {
			t.Fatalf("%q/%s: %v", c.q, c.sort, err)
		}
		return total, hits, ok
	}
	agrees := func(c sorted, limit, offset int) bool {
		t.Helper()
		total, got, ok := cached(c, limit, offset)
		if !ok {
			return false
		}
		pq, _ := Parse(c.q)
		main := pq.compile(ix.analyzer)
		wantTotal, want, err := ix.findPage(ctx, pq, main, c.sort, limit, offset, false)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%q/%s/%d+%d", c.q, c.sort, offset, limit)
		if total != wantTotal {
			t.Errorf("%s: total %d, want %d", name, total, wantTotal)
		}
		if diff := cmp.Diff(idScores(want), idScores(got)); diff != "" {
			t.Errorf("%s: (-one search +cached):\n%s", name, diff)
		}
		return true
	}

	month := sorted{"since:2021-03-01 until:2021-04-01", SortNewest}
	if _, _, ok := cached(month, 20, 0); ok {
		t.Fatal("an index that does not keep its dates answered from them")
	}
	// The dates are read here, by hand, not in the background, so that
	// the test knows which segments' dates are read.
	ix.mu.Lock()
	ix.dates = newDateCache()
	close(ix.dates.done) // no reader to wait for
	ix.mu.Unlock()
	datesRead(t, ix)

	queries := []string{
		"", "kind:account", "from:h3 kind:post", "#go", "since:2021-03-15 until:2022-02-10", "golang",
		"-from:h0", "is:reply", "lang:ja -#tea", "golang since:2022-01-01", "from:nobody", "has:media -has:links",
		"kind:post", "-kind:post", "from:h0", "from:h1 lang:en", "#go #rust", "@m1", "has:media",
		"kind:post since:2021-03-01 until:2021-04-01", "until:2020-06-01", "golang tea", `"golang tea"`,
		"-golang", "tea -kind:account", "from:h4 has:media since:2020-01-01", "since:2030-01-01",
		"kind:account since:2008-01-01 until:2015-01-01", "since:2019-06-01 until:2019-06-02",
		"since:2021-01-01 until:2021-01-01", "kind:account since:2020-01-01",
		"from:h3 OR from:h5 kind:post", "#go OR #music", "golang OR rust", "lang:ja OR @m1", "#tea OR is:reply -from:h0",
		"has:media OR has:links since:2021-03-15 until:2022-02-10", "kind:account OR from:h2", "@m1 OR @m2 -lang:en",
		"kind:post OR kind:account since:2022-01-01", "lang:de OR lang:ja OR is:reply has:media",
	}
	pages := []struct{ limit, offset int }{
		{20, 0}, {1, 0}, {7, 33}, {20, 90}, {100, 150}, {3, 900}, {20, 2620}, {20, 5000},
	}
	if raceEnabled {
		queries = queries[:len(queries)/3]
	}
	answered := 0
	for _, q := range queries {
		pq, _ := Parse(q)
		sure, _ := pq.scoresAlike()
		for _, sort := range []Sort{SortRelevance, SortNewest, SortOldest} {
			if sort == SortRelevance && !sure {
				continue // by score first: never from the dates
			}
			for _, pg := range pages {
				c := sorted{q, sort}
				if agrees(c, pg.limit, pg.offset) {
					answered++
					continue
				}
				// Or did a merge of Bleve's replace segments meanwhile?
				ix.fillDates(nil)
				if agrees(c, pg.limit, pg.offset) {
					answered++
				}
			}
		}
	}
	t.Logf("%d pages from the cached dates, %d of them by byFilters", answered, spans)
	if answered < 200 && !raceEnabled {
		t.Errorf("only %d pages came from the cached dates", answered)
	}
	if spans < 150 && !raceEnabled {
		t.Errorf("only %d pages of filters alone came from byFilters", spans)
	}
	// The post created in the year 10000 cannot be placed by the cache
	// (its created sorts as a string before the others): its queries go
	// the other way.
	if _, _, ok := cached(sorted{"from:h3", SortNewest}, 20, 0); ok {
		t.Error(`"from:h3", with the post of the year 10000, was answered from the cached dates`)
	}
	for _, c := range []sorted{month, {"from:h0", SortNewest}, {"kind:account", SortOldest}, {"is:reply", SortRelevance}} {
		datesRead(t, ix)
		if !agrees(c, 20, 0) {
			t.Errorf("%q/%s: not answered from the cached dates", c.q, c.sort)
		}
	}

	// Whole results, with the page's stored fields read in the same
	// search (no words: no highlights) or by a second (words), are those
	// of a search without the cached dates.
	for _, c := range []sorted{month, {"from:h0", SortNewest}, {"kind:account", SortOldest},
		{"is:reply", SortRelevance}, {"golang", SortNewest}, {`"golang tea" lang:en`, SortOldest}} {
		for _, pg := range pages[:4] {
			opt := SearchOptions{Limit: pg.limit, Offset: pg.offset, Sort: c.sort}
			datesRead(t, ix)
			got, err := ix.Search(ctx, c.q, opt)
			if err != nil {
				t.Fatal(err)
			}
			dates := ix.dates
			ix.dates = nil
			want, err := ix.Search(ctx, c.q, opt)
			ix.dates = dates
			if err != nil {
				t.Fatal(err)
			}
			if pg.offset == 0 && len(want.Hits) == 0 {
				t.Errorf("%q/%s: no hits", c.q, c.sort)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q/%s/%d+%d: (-without +with the cached dates):\n%s", c.q, c.sort, pg.offset, pg.limit, diff)
			}
		}
	}

	// A catch-up adds a segment whose dates are not read yet.
	src := ix.src.(*fakeSource)
	src.put(post("twitter", "new1", "0", "h0", "2021-03-20T10:00:00Z", "en", "golang news", nil),
		post("twitter", "new2", "0", "h0", "2021-03-20T10:00:00Z", "en", "more tea", nil))
	if _, err := ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := cached(month, 20, 0); ok {
		t.Error("answered from the cached dates before the new segment's were read")
	}
	datesRead(t, ix)
	if !agrees(month, 20, 0) || !agrees(sorted{"from:h0", SortNewest}, 5, 0) {
		t.Error("not answered from the cached dates once the new segment's were read")
	}

	// A rebuilt index has other segments: none of the old dates serve it.
	if err := ix.Reindex(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := cached(month, 20, 0); ok {
		t.Error("answered from the dates of the index before Reindex")
	}
	datesRead(t, ix)
	if !agrees(month, 20, 0) {
		t.Error("not answered from the cached dates of the rebuilt index")
	}
}

// datesRead reads the dates of the index's segments into its cache, and
// again until Bleve's merges leave the segments as they are.
func datesRead(t *testing.T, ix *Index) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ix.fillDates(nil)
		if datesCover(t, ix) {
			time.Sleep(20 * time.Millisecond)
			if datesCover(t, ix) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the segments of the index did not settle in a minute")
}

// datesCover reports whether the cache has the dates of every segment.
func datesCover(t *testing.T, ix *Index) bool {
	t.Helper()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	snap := snapshot(t, ix)
	defer snap.Close()
	for _, seg := range snap.Segments() {
		if _, ok := ix.dates.column(ix.idx, seg); !ok {
			return false
		}
	}
	return true
}

// TestKeepDates checks that KeepDates reads the dates of the index, and
// that a search that finds a segment whose dates are not read asks for
// them: the pages after a catch-up come from the cached dates again.
func TestKeepDates(t *testing.T) {
	ix := datedCorpus(t)
	ctx := context.Background()
	pq, _ := Parse("from:h0")
	main := pq.compile(ix.analyzer)
	ix.KeepDates()
	fromCache := func() search.DocumentMatchCollection {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			_, hits, ok, err := ix.byCachedDate(ctx, pq, main, true, 3, 0)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				return hits
			}
		}
		t.Fatal("from:h0 was not answered from the cached dates within a minute")
		return nil
	}
	fromCache()
	ix.src.(*fakeSource).put(post("twitter", "newest", "0", "h0", "2026-01-01T00:00:00Z", "en", "news", nil))
	if _, err := ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if hits := fromCache(); len(hits) == 0 || hits[0].ID != "twitter:post:newest" {
		t.Errorf("newest from:h0 after a catch-up: %v, want twitter:post:newest first", idScores(hits))
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
}
