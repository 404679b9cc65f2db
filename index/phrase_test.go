package index

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	gocmp "github.com/google/go-cmp/cmp"
)

// TestPhraseQueryAgreesWithBleve runs phrases through phraseQuery and
// through Bleve's MatchPhraseQuery, alone and within conjunctions and
// Boolean queries, and wants the same hits with the same scores, to the
// bit, and the same term locations (what the highlighter marks).
func TestPhraseQueryAgreesWithBleve(t *testing.T) {
	// genPosts draws from few words, many of them in every post: phrases
	// of two and three words match often, and repeat within a post
	// ("golang golang golang").
	src := newFakeSource(append(corpus(), genPosts(3000)...)...)
	ix, err := Open(t.TempDir()+"/index.bleve", src)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	words := []string{"golang", "rust", "coffee", "tea", "the", "a", "of", "code", "review", "東京", "again", "nosuchword"}
	var phrases []string
	for i, w := range words {
		for j, v := range words {
			phrases = append(phrases, w+" "+v)
			if (i+j)%4 == 0 {
				phrases = append(phrases, w+" "+v+" "+words[(i*j)%len(words)])
			}
		}
	}
	phrases = append(phrases,
		"golang golang golang", "the the", "東京タワーに行きました", "学习中文", "golang generics are great",
		"the exact phrase", "GOLANG Generics", "go.dev/blog/intro-generics", "don’t tell", "über alles")

	matched := 0
	for _, p := range phrases {
		ours := textQuery(ix.analyzer, p)
		if _, ok := ours.(phraseQuery); !ok {
			t.Fatalf("%q: textQuery gave %T, want a phraseQuery", p, ours)
		}
		theirs := query.NewMatchPhraseQuery(p)
		theirs.SetField(fieldText)
		theirs.Analyzer = textAnalyzer

		word := termQuery(fieldText, "code")
		kind := termQuery(fieldKind, "post")
		pairs := []struct {
			name         string
			ours, theirs query.Query
		}{
			{"alone", ours, theirs},
			{"with a word", query.NewConjunctionQuery([]query.Query{word, ours}), query.NewConjunctionQuery([]query.Query{word, theirs})},
			{"filtered", &query.BooleanQuery{Must: ours, Filter: kind, MustNot: query.NewDisjunctionQuery([]query.Query{termQuery(fieldText, "tea")})},
				&query.BooleanQuery{Must: theirs, Filter: kind, MustNot: query.NewDisjunctionQuery([]query.Query{termQuery(fieldText, "tea")})}},
			{"as a filter", filtered{word, ours, false}, filtered{word, theirs, false}},
		}
		for _, pair := range pairs {
			got, gotTotal := phraseHits(t, ix, pair.ours)
			want, wantTotal := phraseHits(t, ix, pair.theirs)
			if gotTotal != wantTotal {
				t.Errorf("%q %s: %d hits, Bleve's phrase query %d", p, pair.name, gotTotal, wantTotal)
				continue
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%q %s: the hits differ from Bleve's phrase query (-Bleve +ours):\n%s", p, pair.name, diff)
			}
			if pair.name == "alone" && wantTotal > 0 {
				matched++
			}
		}
	}
	if matched < len(phrases)/3 {
		t.Errorf("only %d of %d phrases matched anything: the test proves little", matched, len(phrases))
	}
}

// phraseHit is what a hit of a phrase search must agree on.
type phraseHit struct {
	ID        string
	Score     float64
	Locations []string // field, term, position, start, end: sorted
}

func phraseHits(t *testing.T, ix *Index, q query.Query) ([]phraseHit, uint64) {
	t.Helper()
	req := bleve.NewSearchRequestOptions(q, 5000, 0, false)
	req.IncludeLocations = true
	req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}})
	sr, err := ix.idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]phraseHit, len(sr.Hits))
	for i, h := range sr.Hits {
		out[i] = phraseHit{ID: h.ID, Score: h.Score}
		for field, tlm := range h.Locations {
			for term, locs := range tlm {
				for _, l := range locs {
					out[i].Locations = append(out[i].Locations, fmt.Sprintf("%s %s %d %d-%d %v", field, term, l.Pos, l.Start, l.End, l.ArrayPositions))
				}
			}
		}
		slices.SortFunc(out[i].Locations, func(a, b string) int { return cmp.Compare(a, b) })
	}
	return out, sr.Total
}

// TestPhraseSearch checks phrases through Search: the hits, and the
// highlights, which mark the phrase's words where they are the phrase.
func TestPhraseSearch(t *testing.T) {
	ix, _ := openCorpus(t)
	res, err := ix.Search(t.Context(), `"golang generics"`, SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sorted(ids(res.Hits)); !slices.Equal(got, sorted([]string{p2, p7})) {
		t.Errorf(`"golang generics": hits %v, want %v`, got, []string{p2, p7})
	}
	for _, h := range res.Hits {
		if len(h.Highlights) == 0 || !strings.Contains(h.Highlights[0], "<mark>golang</mark> <mark>generics</mark>") {
			t.Errorf("%s: highlights %q, want the phrase marked", h.ID, h.Highlights)
		}
	}
	// The words in another order are not the phrase.
	if res, err := ix.Search(t.Context(), `"generics golang"`, SearchOptions{}); err != nil || res.Total != 0 {
		t.Errorf(`"generics golang": %v hits (%v), want none`, res, err)
	}
}
