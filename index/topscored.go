package index

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// topScored is q, whose searcher also notes the hits that may be among
// the n best by score and, once the search has seen every hit, reads their
// stored created from the snapshot of the index that the search reads (it
// is closed when the search returns). byScore breaks ties by them. Asking
// Bleve for the stored field instead finds each hit by its id, in every
// segment: most of the time of a rare word at 1M posts. (Doc values cost
// more still: a chunk of a thousand documents decoded for each hit.)
type topScored struct {
	q       query.Query
	n       int
	created map[string]string // string(IndexInternalID) → created; set when the search is done
}

func (t *topScored) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	s, err := t.q.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	return &topScoredSearcher{Searcher: s, reader: i, t: t, floor: math.Inf(-1)}, nil
}

type scoredID struct {
	score float64
	id    bindex.IndexInternalID
}

type topScoredSearcher struct {
	search.Searcher
	reader bindex.IndexReader
	t      *topScored
	seen   []scoredID // every hit that scores at least floor
	floor  float64    // the n-th best score of the hits trimmed so far
	done   bool
}

func (s *topScoredSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Next(ctx)
	return s.note(d, err)
}

func (s *topScoredSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Advance(ctx, id)
	return s.note(d, err)
}

func (s *topScoredSearcher) note(d *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	switch {
	case err != nil:
		return nil, err
	case d == nil:
		return nil, s.finish()
	case d.Score >= s.floor:
		// The searcher reuses the id's bytes for its next match.
		s.seen = append(s.seen, scoredID{d.Score, bytes.Clone(d.IndexInternalID)})
		if len(s.seen) >= 4*s.t.n+64 {
			s.trim()
		}
	}
	return d, nil
}

// trim keeps the n best hits. Of those that tie with the n-th, it may
// keep others than the collector does; byScore needs the created of the
// hits that score above the n-th only (or else it searches again).
func (s *topScoredSearcher) trim() {
	if len(s.seen) <= s.t.n {
		return
	}
	slices.SortFunc(s.seen, func(a, b scoredID) int { return cmp.Compare(b.score, a.score) })
	s.floor = s.seen[s.t.n-1].score
	s.seen = s.seen[:s.t.n]
}

// finish reads the created of the hits kept from their stored fields. A
// document's internal id is its number in the snapshot: the segments'
// documents (deleted ones too) counted one segment after another.
func (s *topScoredSearcher) finish() error {
	if s.done {
		return nil
	}
	s.done = true
	s.trim()
	is, ok := s.reader.(*scorch.IndexSnapshot)
	if !ok {
		return fmt.Errorf("index: a %T is not a scorch snapshot", s.reader)
	}
	segs := is.Segments()
	starts := make([]uint64, len(segs))
	var n uint64
	for i, seg := range segs {
		starts[i] = n
		n += seg.Segment().Count()
	}
	created := make(map[string]string, len(s.seen))
	for _, h := range s.seen {
		num := h.id.Value()
		i := sort.Search(len(starts), func(i int) bool { return starts[i] > num }) - 1
		if i < 0 {
			return fmt.Errorf("index: no segment holds document %d", num)
		}
		key := string(h.id)
		err := segs[i].VisitDocument(num-starts[i], func(field string, _ byte, value []byte, _ []uint64) bool {
			if field != fieldCreated {
				return true
			}
			created[key] = string(value)
			return false
		})
		if err != nil {
			return err
		}
	}
	s.t.created = created
	return nil
}
