package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bindex "github.com/blevesearch/bleve_index_api"
)

// phraseQuery matches the documents whose text holds terms at consecutive
// positions: an exact phrase, already analyzed. It gives what Bleve's
// MatchPhraseQuery gives for such a phrase (the same hits, scores and term
// locations; TestPhraseQueryAgreesWithBleve), faster: Bleve's
// PhraseSearcher turns the term locations of every document that holds
// all the terms into maps before it looks at them (DocumentMatch.Complete),
// which was 40% of a phrase of two common words at 1M posts, and as much
// again went to the collector. phraseSearcher reads the locations as the
// conjunction of the terms lists them.
//
// Only phrases with one term at each position take this way (see
// textQuery); the CJK bigrams and the unicode tokenizer give no others.
type phraseQuery struct {
	terms []string // at consecutive positions; at least two
}

func (p phraseQuery) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	// What NewMultiPhraseSearcher builds: a term searcher for each term,
	// with term vectors, under a conjunction (which sets their query norm).
	options.IncludeTermVectors = true
	terms := make([]search.Searcher, 0, len(p.terms))
	closeAll := func() {
		for _, s := range terms {
			_ = s.Close()
		}
	}
	for _, t := range p.terms {
		s, err := searcher.NewTermSearcher(ctx, i, t, fieldText, 1.0, options)
		if err != nil {
			closeAll()
			return nil, err
		}
		terms = append(terms, s)
	}
	must, err := searcher.NewConjunctionSearcher(ctx, i, terms, options)
	if err != nil {
		closeAll()
		return nil, err
	}
	return &phraseSearcher{must: must, terms: p.terms}, nil
}

// phraseSearcher returns the matches of must, the conjunction of the
// phrase's terms, whose term locations hold the phrase; each with the
// locations of the phrase's occurrences only, as Bleve's PhraseSearcher
// gives them (the highlighter marks those).
type phraseSearcher struct {
	must  search.Searcher
	terms []string
	path  []int                      // indexes into a match's FieldTermLocations
	found []search.FieldTermLocation // the occurrences' locations
}

func (s *phraseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := s.must.Next(ctx)
	return s.first(ctx, d, err)
}

func (s *phraseSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := s.must.Advance(ctx, id)
	return s.first(ctx, d, err)
}

// first returns d if it holds the phrase, or else the next match of must
// that does.
func (s *phraseSearcher) first(ctx *search.SearchContext, d *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	for d != nil && err == nil {
		if s.holds(d) {
			return d, nil
		}
		ctx.DocumentMatchPool.Put(d)
		d, err = s.must.Next(ctx)
	}
	return nil, err
}

// holds tells whether d's term locations hold the phrase, and if so
// leaves d with the locations of its occurrences only. An occurrence is a
// location of the first term at position p, in a field and array
// position, and one of the i-th term at p+i in the same. (A term repeated
// in the phrase is listed once per term searcher, so its occurrences are
// found twice; the collector drops the repeated locations, as it does for
// Bleve's PhraseSearcher.)
func (s *phraseSearcher) holds(d *search.DocumentMatch) bool {
	ftls := d.FieldTermLocations
	s.found = s.found[:0]
starts:
	for i := range ftls {
		start := &ftls[i]
		if start.Term != s.terms[0] {
			continue
		}
		s.path = append(s.path[:0], i)
	terms:
		for k := 1; k < len(s.terms); k++ {
			for j := range ftls {
				if ftls[j].Term == s.terms[k] && sameSpot(&ftls[j], start, uint64(k)) {
					s.path = append(s.path, j)
					continue terms
				}
			}
			continue starts
		}
		for _, j := range s.path {
			s.found = append(s.found, ftls[j])
		}
	}
	if len(s.found) == 0 {
		return false
	}
	d.FieldTermLocations = append(ftls[:0], s.found...)
	return true
}

// sameSpot tells whether l is at start's position plus k, in the same
// field and array position.
func sameSpot(l, start *search.FieldTermLocation, k uint64) bool {
	return l.Location.Pos == start.Location.Pos+k && l.Field == start.Field &&
		l.Location.ArrayPositions.Equals(start.Location.ArrayPositions)
}

func (s *phraseSearcher) Close() error           { return s.must.Close() }
func (s *phraseSearcher) Weight() float64        { return s.must.Weight() }
func (s *phraseSearcher) SetQueryNorm(n float64) { s.must.SetQueryNorm(n) }
func (s *phraseSearcher) Count() uint64          { return s.must.Count() }
func (s *phraseSearcher) Min() int               { return 0 }

// DocumentMatchPoolSize is must's: unlike Bleve's PhraseSearcher, which
// keeps must's next match between calls, this one holds no match of its own.
func (s *phraseSearcher) DocumentMatchPoolSize() int { return s.must.DocumentMatchPoolSize() }

// Size is what Bleve counts against a search's memory: must's, and the
// two slices (an int a path step, a FieldTermLocation of about 64 bytes).
func (s *phraseSearcher) Size() int {
	return s.must.Size() + 8*cap(s.path) + 64*cap(s.found)
}
