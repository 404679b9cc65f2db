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
	}
	pages := []struct{ limit, offset int }{
		{20, 0}, {1, 0}, {7, 33}, {20, 90}, {100, 150}, {3, 900}, {20, 2620}, {20, 5000},
	}
	if raceEnabled {
		queries = queries[:len(queries)/3] // the race detector makes Bleve 10 times slower
	}
	var sliced int
	for _, q := range queries {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		main, text := pq.compile(ix.analyzer)
		for _, sort := range []Sort{SortRelevance, SortNewest, SortOldest} {
			for _, pg := range pages {
				if sort == SortRelevance && len(text) > 0 {
					continue // never sliced
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
		main, _ := pq.compile(ix.analyzer)
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
func TestSearchByScore(t *testing.T) {
	ix := datedCorpus(t)
	ctx := context.Background()
	queries := []string{
		"golang", "tea", "golang tea", `"golang tea"`, "sunset", "golang from:h2", "tea -kind:account",
		"golang since:2022-01-01", "bug lang:ja", "likes", "golang -rust", "nothingmatches",
		// Hashtags and mentions may score alike, but do not here.
		"#go", "@m1 lang:en", "#tea #rust",
	}
	pages := []struct{ limit, offset int }{{20, 0}, {1, 0}, {7, 33}, {20, 90}, {100, 150}, {20, 2000}}
	if raceEnabled {
		queries = queries[:4]
	}
	type key struct {
		score   float64
		created string
	}
	var twice int
	for _, q := range queries {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		sure, maybe := pq.scoresAlike()
		if sure {
			t.Fatalf("%q: scores alike, not a byScore query", q)
		}
		main, _ := pq.compile(ix.analyzer)
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
			name := fmt.Sprintf("%q/%d+%d", q, pg.offset, pg.limit)
			total, got, err := ix.findPage(ctx, pq, main, SortRelevance, pg.limit, pg.offset, true)
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
				twice++ // a tie past the fetched hits: the second search
			}
		}
	}
	t.Logf("%d pages needed the second search", twice)
	if twice == 0 && !raceEnabled {
		t.Error("no page took byScore's second search")
	}
}
