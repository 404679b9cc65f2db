package index

import (
	"bytes"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// TestPageDocs checks that a page's documents are taken at the internal
// ids of the search that found them only while the index still holds each
// of them there, live, and are otherwise found by id: after a CatchUp that
// changes or deletes one of them, and when an internal id names another
// document.
func TestPageDocs(t *testing.T) {
	// Left to itself, Bleve's merger merges the segments while the test
	// looks at them: the internal ids the search found then name other
	// places, located is rightly false, and the test failed by chance.
	testMergePlan = neverMerge
	t.Cleanup(func() { testMergePlan = nil })
	ix, src := segmentedIndex(t, 2000)

	// The page: 20 hits of a word, with the internal ids that found them.
	word := query.NewTermQuery("golang")
	word.SetField(fieldText)
	sr, err := ix.idx.Search(bleve.NewSearchRequestOptions(word, 20, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	if len(sr.Hits) != 20 {
		t.Fatalf("%d hits, want 20", len(sr.Hits))
	}
	page := pageDocs{}
	for _, h := range sr.Hits {
		page.ids = append(page.ids, h.ID)
		page.at = append(page.at, bytes.Clone(h.IndexInternalID))
	}

	// located says whether the index, as it is now, holds the page where
	// the search found it; matched is what a search of the page finds.
	located := func() bool {
		snap := snapshot(t, ix)
		defer snap.Close()
		_, ok := page.located(snap)
		return ok
	}
	matched := func(q query.Query) []string {
		sr, err := ix.idx.Search(bleve.NewSearchRequestOptions(q, 100, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range sr.Hits {
			ids = append(ids, h.ID)
		}
		slices.Sort(ids)
		return ids
	}
	check := func(state string, wantLocated bool, want []string) {
		t.Helper()
		if got := located(); got != wantLocated {
			t.Errorf("%s: located %v, want %v", state, got, wantLocated)
		}
		got := matched(page)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the page matches %q, want %q", state, got, want)
		}
		if byID := matched(query.NewDocIDQuery(page.ids)); !slices.Equal(got, byID) {
			t.Errorf("%s: the page matches %q, DocIDQuery %q", state, got, byID)
		}
	}
	all := slices.Sorted(slices.Values(page.ids))
	check("unchanged", true, all)

	// A search whose hits carry no internal ids (a page put together by
	// id) finds them by id.
	unknown := pageDocs{ids: page.ids, at: make([]bindex.IndexInternalID, len(page.ids))}
	if got := matched(unknown); !slices.Equal(got, all) {
		t.Errorf("without internal ids: the page matches %q, want %q", got, all)
	}

	// Two internal ids swapped: each names a live document, not its own.
	page.at[0], page.at[1] = page.at[1], page.at[0]
	check("two internal ids swapped", false, all)
	page.at[0], page.at[1] = page.at[1], page.at[0]
	check("swapped back", true, all)

	// One of them changed: the index holds it in a new segment, and its
	// old place is a deleted document with the same id.
	changed := src.nodes[page.ids[3]]
	changed.Post.Text += " golang again"
	src.put(changed)
	if _, err := ix.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	check("one changed", false, all)

	// One of them deleted.
	src.del(page.ids[5])
	if _, err := ix.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	check("one deleted", false, slices.DeleteFunc(slices.Clone(all), func(id string) bool { return id == page.ids[5] }))
}

func TestInternalIDsAdvance(t *testing.T) {
	id := func(n uint64) bindex.IndexInternalID { return bindex.NewIndexInternalID(nil, n) }
	value := func(got bindex.IndexInternalID, err error) int {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if got == nil {
			return -1
		}
		return int(got.Value())
	}
	r := &internalIDs{at: []bindex.IndexInternalID{id(1), id(3), id(5)}}
	if got := value(r.Advance(id(2))); got != 3 {
		t.Errorf("Advance(2) = %d, want 3", got)
	}
	if got := value(r.Advance(id(3))); got != 5 { // 3 is read already
		t.Errorf("then Advance(3) = %d, want 5", got)
	}
	if got := value(r.Next()); got != -1 {
		t.Errorf("then Next() = %d, want none", got)
	}
	r = &internalIDs{at: []bindex.IndexInternalID{id(1), id(3), id(5)}}
	if got := value(r.Advance(id(6))); got != -1 {
		t.Errorf("Advance(6) = %d, want none", got)
	}
	if got := value(r.Advance(id(0))); got != -1 {
		t.Errorf("then Advance(0) = %d, want none", got)
	}
}
