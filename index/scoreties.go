package index

import (
	"context"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// tiesByCachedDate finds byScore's page when the score of the page's last
// hit ties past the hits fetched, from the cached dates: a #tag or an
// @mention, whose hits score alike but for the number of tags or mentions
// a post has, has thousands of hits at the page's last score. Sorted by
// score, created and id, Bleve reads each one's created doc value, a
// chunk of a thousand documents decoded for each (a hashtag with 20,535
// hits among 1M posts: 65 ms, three quarters of it in doc values). Here
// the hits that score above the last are those fetched, which byScore has
// the created of; those that score the same are found again, looked up in
// the cache and kept best by created, then id, as byCachedDate keeps them.
//
// ok is false, and nothing done, when the index does not keep its dates
// or they are not all read yet (they are asked for).
func (ix *Index) tiesByCachedDate(ctx context.Context, main query.Query, top *topScored, fetched search.DocumentMatchCollection, limit, offset int) (page search.DocumentMatchCollection, ok bool, err error) {
	need := offset + limit
	if ix.dates == nil || need > maxCachedPage || len(fetched) < need {
		return nil, false, nil
	}
	last := fetched[need-1].Score
	var above search.DocumentMatchCollection
	for _, h := range fetched {
		if h.Score > last {
			above = append(above, h)
		}
	}
	top.sort(above)

	tied := &cachedDates{q: scoredExactly{q: main, score: last}, cache: ix.dates, idx: ix.idx,
		top: datedTop{need: need - len(above), desc: true}}
	req := bleve.NewSearchRequestOptions(tied, 0, 0, false)
	if _, err := ix.idx.SearchInContext(ctx, req); err != nil || !tied.ok {
		return nil, false, err
	}
	page = above
	for _, h := range tied.page {
		page = append(page, &search.DocumentMatch{ID: h.id, Score: last})
	}
	if offset >= len(page) {
		return nil, true, nil
	}
	return page[offset:min(need, len(page))], true, nil
}
