package index

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Loading stored fields through Bleve (SearchRequest.Fields, highlights)
// finds each hit by its id in every segment of the index: with 19
// segments at 1M posts, most of the time of a query with few hits. A
// search's hits carry their internal ids, which say where each document
// is, but only in the snapshot that the search reads, and Bleve closes it
// when the search returns. So the queries below wrap a query: their
// searcher notes the hits as they go and, once it has seen the last one,
// reads their stored fields on that same snapshot.

// storedFields maps a hit's internal id (as a string) to its stored
// fields, each with its first value.
type storedFields map[string]map[string]string

// docNums maps the document numbers of a snapshot to its segments: a
// document's internal id is its number in the snapshot, the documents of
// its segments (deleted ones too) one segment after another.
type docNums struct {
	segs   []*scorch.SegmentSnapshot
	starts []uint64 // the number of each segment's first document, and the total last
}

func newDocNums(segs []*scorch.SegmentSnapshot) docNums {
	starts := make([]uint64, len(segs)+1)
	for i, seg := range segs {
		starts[i+1] = starts[i] + seg.Segment().Count()
	}
	return docNums{segs, starts}
}

// in reports whether document num is in segment i.
func (d docNums) in(i int, num uint64) bool {
	return i < len(d.segs) && d.starts[i] <= num && num < d.starts[i+1]
}

// segment returns the segment of document num, and the document's number
// in it; ok is false when no segment holds it.
func (d docNums) segment(num uint64) (i int, local uint64, ok bool) {
	i = sort.Search(len(d.segs), func(i int) bool { return d.starts[i+1] > num })
	if i == len(d.segs) {
		return 0, 0, false
	}
	return i, num - d.starts[i], true
}

// loadStored reads the stored fields of the documents ids on the
// snapshot r.
func loadStored(r bindex.IndexReader, ids []bindex.IndexInternalID) (storedFields, error) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("index: a %T is not a scorch snapshot", r)
	}
	nums := newDocNums(is.Segments())
	out := make(storedFields, len(ids))
	for _, id := range ids {
		i, local, ok := nums.segment(id.Value())
		if !ok {
			return nil, fmt.Errorf("index: no segment holds document %d", id.Value())
		}
		fields := map[string]string{}
		err := nums.segs[i].VisitDocument(local, func(field string, _ byte, value []byte, _ []uint64) bool {
			if _, seen := fields[field]; !seen {
				fields[field] = string(value)
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		out[string(id)] = fields
	}
	return out, nil
}

// withStored is q, and the stored fields of every hit it finds, read once
// the search is done. For a page of hits, not for a query that matches
// many: it keeps every hit's id.
type withStored struct {
	q      query.Query
	stored storedFields // set when the search is done
}

func (w *withStored) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	s, err := w.q.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	var ids []bindex.IndexInternalID
	return &watcher{Searcher: s, reader: i,
		hit: func(d *search.DocumentMatch) {
			// The searcher reuses the id's bytes for its next match.
			ids = append(ids, bytes.Clone(d.IndexInternalID))
		},
		done: func(r bindex.IndexReader) (err error) {
			w.stored, err = loadStored(r, ids)
			return err
		},
	}, nil
}

// watcher is a searcher that shows each of its hits to hit and, once it
// has returned the last, calls done with the snapshot the search reads.
type watcher struct {
	search.Searcher
	reader   bindex.IndexReader
	hit      func(*search.DocumentMatch)
	done     func(bindex.IndexReader) error
	finished bool
}

func (w *watcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := w.Searcher.Next(ctx)
	return w.see(d, err)
}

func (w *watcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := w.Searcher.Advance(ctx, id)
	return w.see(d, err)
}

func (w *watcher) see(d *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	switch {
	case err != nil:
		return nil, err
	case d == nil:
		if w.finished {
			return nil, nil
		}
		w.finished = true
		return nil, w.done(w.reader)
	}
	w.hit(d)
	return d, nil
}
