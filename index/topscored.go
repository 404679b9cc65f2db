package index

import (
	"bytes"
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// topScored is q, whose searcher also notes the hits that may be among
// the n best by score and, once the search has seen every hit, reads their
// stored created on the search's snapshot (see stored.go). byScore breaks
// ties by them. (Their doc values cost more than stored fields: a chunk of
// a thousand documents decoded for each hit.)
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

// finish reads the created of the hits kept.
func (s *topScoredSearcher) finish() error {
	if s.done {
		return nil
	}
	s.done = true
	s.trim()
	ids := make([]bindex.IndexInternalID, len(s.seen))
	for i, h := range s.seen {
		ids[i] = h.id
	}
	stored, err := loadStored(s.reader, ids)
	if err != nil {
		return err
	}
	s.t.created = make(map[string]string, len(stored))
	for id, fields := range stored {
		s.t.created[id] = fields[fieldCreated]
	}
	return nil
}
