package index

import (
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bindex "github.com/blevesearch/bleve_index_api"
)

// A search finds its page first and then reads the page's documents again
// for their stored fields and highlights (SearchQuery). Bleve's DocIDQuery
// finds a document by its id in the id dictionary of every segment: 20
// ids in 17 segments took 40% of a rare word's search at 1M posts, and
// more on an index whose merges have not caught up. The first search
// knows where each hit is, by its internal id, but in its own snapshot;
// the second may read a newer one, after a CatchUp. So pageDocs takes
// each document where the first search saw it only after checking that
// the second search's snapshot holds that very document there, live; if
// any one has moved, all are found by id, as DocIDQuery finds them.

// pageDocs matches the documents ids, which an earlier search found at
// the internal ids at (the same length; a nil entry: not known).
type pageDocs struct {
	ids []string
	at  []bindex.IndexInternalID
}

func (p pageDocs) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if r, ok := p.located(i); ok {
		return searcher.NewDocIDSearcher(ctx, r, p.ids, 1, options)
	}
	return searcher.NewDocIDSearcher(ctx, i, p.ids, 1, options)
}

// located returns a reader of i that reads the page's documents at their
// internal ids, when i holds each of them there, live; ok is false when
// one has moved (or i is not a scorch snapshot).
func (p pageDocs) located(i bindex.IndexReader) (r bindex.IndexReader, ok bool) {
	is, isScorch := i.(*scorch.IndexSnapshot)
	if !isScorch || len(p.at) != len(p.ids) {
		return nil, false
	}
	nums := newDocNums(is.Segments())
	at := make([]bindex.IndexInternalID, 0, len(p.at))
	for k, internal := range p.at {
		if len(internal) != 8 {
			return nil, false
		}
		j, local, found := nums.segment(internal.Value())
		if !found {
			return nil, false
		}
		seg := nums.segs[j]
		if del := seg.Deleted(); del != nil && del.Contains(uint32(local)) {
			return nil, false
		}
		id, err := seg.DocID(local)
		if err != nil || string(id) != p.ids[k] {
			return nil, false
		}
		at = append(at, internal)
	}
	slices.SortFunc(at, bindex.IndexInternalID.Compare)
	at = slices.CompactFunc(at, bindex.IndexInternalID.Equals)
	return located{IndexReader: i, at: at}, true
}

// located is an index reader whose DocIDReaderOnly, the one method
// Bleve's DocIDSearcher calls, reads documents already located.
type located struct {
	bindex.IndexReader
	at []bindex.IndexInternalID // in order
}

func (l located) DocIDReaderOnly([]string) (bindex.DocIDReader, error) {
	return &internalIDs{at: l.at}, nil
}

// internalIDs reads a list of internal ids in order, as scorch's
// IndexSnapshotDocIDReader reads those it found.
type internalIDs struct {
	at   []bindex.IndexInternalID
	next int
}

func (r *internalIDs) Next() (bindex.IndexInternalID, error) {
	if r.next == len(r.at) {
		return nil, nil
	}
	r.next++
	return r.at[r.next-1], nil
}

// Advance returns the first id at or after id that is not yet read.
func (r *internalIDs) Advance(id bindex.IndexInternalID) (bindex.IndexInternalID, error) {
	for r.next < len(r.at) && r.at[r.next].Compare(id) < 0 {
		r.next++
	}
	return r.Next()
}

func (r *internalIDs) Size() int { return 8 * len(r.at) }

func (r *internalIDs) Close() error { return nil }
