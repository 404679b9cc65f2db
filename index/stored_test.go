package index

import (
	"fmt"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// TestSearchHitsFromSegments checks the fields of hits read by internal
// id (loadStored) against the nodes indexed, on an index of several
// segments: a hit read from the wrong segment, or at the wrong place in
// it, shows another post's text, author or time.
func TestSearchHitsFromSegments(t *testing.T) {
	ix, src := segmentedIndex(t, 3000)

	queries := []string{"golang", "tea coffee", `"golang golang"`, "from:user3", "#golang", "has:media since:2021-01-20 until:2021-02-01", "-the"}
	for _, q := range queries {
		for _, sort := range []Sort{SortRelevance, SortNewest, SortOldest} {
			name := fmt.Sprintf("%q by %s", q, sort)
			res, err := ix.Search(t.Context(), q, SearchOptions{Limit: 50, Sort: sort})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(res.Hits) == 0 {
				t.Errorf("%s: no hits", name)
			}
			for _, h := range res.Hits {
				n, ok := src.nodes[h.ID]
				switch {
				case !ok:
					t.Errorf("%s: hit %s is no node", name, h.ID)
				case h.Text != n.Post.Text || h.Author != n.Post.AuthorHandle || h.Kind != "post" || !h.Created.Equal(n.Post.Created):
					t.Errorf("%s: hit %s reads %q by %q (%s) at %v; the node is %q by %q at %v",
						name, h.ID, h.Text, h.Author, h.Kind, h.Created, n.Post.Text, n.Post.AuthorHandle, n.Post.Created)
				case q == "golang" && (len(h.Highlights) == 0 || !strings.Contains(h.Highlights[0], "<mark>golang</mark>")):
					t.Errorf("%s: hit %s highlights %q", name, h.ID, h.Highlights)
				}
			}
		}
	}
}

// segmentedIndex is an index of n generated posts (genPosts) caught up in
// four parts, a segment or more each, and its source; closed when t ends.
// It fails t if the index has fewer than two segments.
func segmentedIndex(t *testing.T, n int) (*Index, *fakeSource) {
	t.Helper()
	posts := genPosts(n)
	src := newFakeSource()
	ix, err := Open(t.TempDir()+"/index.bleve", src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	for part := range 4 {
		src.put(posts[part*n/4 : (part+1)*n/4]...)
		if _, err := ix.CatchUp(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	snap := snapshot(t, ix)
	segments := len(snap.Segments())
	snap.Close()
	if segments < 2 {
		t.Fatalf("%d segment: the test needs several", segments)
	}
	return ix, src
}

// snapshot is the scorch snapshot of ix's index as it is; the caller
// closes it.
func snapshot(t *testing.T, ix *Index) *scorch.IndexSnapshot {
	t.Helper()
	adv, err := ix.idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	return r.(*scorch.IndexSnapshot)
}
