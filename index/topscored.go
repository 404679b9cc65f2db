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
	best := &bestScores{n: t.n, floor: math.Inf(-1)}
	return &watcher{Searcher: s, reader: i, hit: best.note,
		done: func(r bindex.IndexReader) error {
			best.trim()
			ids := make([]bindex.IndexInternalID, len(best.seen))
			for i, h := range best.seen {
				ids[i] = h.id
			}
			stored, err := loadStored(r, ids)
			if err != nil {
				return err
			}
			t.created = make(map[string]string, len(stored))
			for id, fields := range stored {
				t.created[id] = fields[fieldCreated]
			}
			return nil
		},
	}, nil
}

// bestScores keeps the n best of the hits it is shown, by score.
type bestScores struct {
	n     int
	seen  []scoredID // every hit that scores at least floor
	floor float64    // the n-th best score of the hits trimmed so far
}

type scoredID struct {
	score float64
	id    bindex.IndexInternalID
}

func (b *bestScores) note(d *search.DocumentMatch) {
	if d.Score < b.floor {
		return
	}
	// The searcher reuses the id's bytes for its next match.
	b.seen = append(b.seen, scoredID{d.Score, bytes.Clone(d.IndexInternalID)})
	if len(b.seen) >= 4*b.n+64 {
		b.trim()
	}
}

// trim keeps the n best hits. Of those that tie with the n-th, it may
// keep others than the collector does; byScore needs the created of the
// hits that score above the n-th only (or else it searches again).
func (b *bestScores) trim() {
	if len(b.seen) <= b.n {
		return
	}
	slices.SortFunc(b.seen, func(x, y scoredID) int { return cmp.Compare(y.score, x.score) })
	b.floor = b.seen[b.n-1].score
	b.seen = b.seen[:b.n]
}
