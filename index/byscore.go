package index

import (
	"context"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// byCachedScore finds a page by relevance (score, then created newest
// first, then id) in one search that scores each hit and looks up its
// created in the dates kept in memory, keeping the best as byCachedDate
// does. Without the cache, byScore sorts by score alone and, when the
// page's last score ties past the hits it fetched, searches again sorted
// by score and created, which reads the created doc value of every tied
// hit (a chunk of a thousand documents decoded for each): a #tag or an
// @mention, whose hits score alike but for the number of tags or mentions
// a post has, ties in thousands (a hashtag with 20,535 hits among 1M
// posts: 65 ms, three quarters of it in doc values; SQLite FTS5 61 ms),
// and a phrase, whose search is the costly part, ties often too.
//
// ok is false, and nothing done, when the index does not keep its dates,
// they are not all read yet (they are asked for), a hit's created is one
// the cache cannot place, or the page or its ties are too deep.
func (ix *Index) byCachedScore(ctx context.Context, pq *Query, main query.Query, limit, offset int) (total uint64, hits search.DocumentMatchCollection, ok bool, err error) {
	need := offset + limit
	if ix.dates == nil || need > maxCachedPage {
		return 0, nil, false, nil
	}
	q := &cachedDates{q: main, cache: ix.dates, idx: ix.idx, top: datedTop{need: need, desc: true},
		offset: offset, load: len(pq.marked(ix.analyzer)) == 0}
	req := bleve.NewSearchRequestOptions(q, 0, 0, false) // scored: Bleve's default
	sr, err := ix.idx.SearchInContext(ctx, req)
	if err != nil || !q.ok {
		return 0, nil, false, err
	}
	return sr.Total, q.hits(), true, nil
}
