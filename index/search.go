package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	bdocument "github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Sort is the order of search results.
type Sort string

// Sort orders.
const (
	SortRelevance Sort = "relevance" // score, then newest
	SortNewest    Sort = "newest"    // created, newest first
	SortOldest    Sort = "oldest"    // created, oldest first
)

// Limits of SearchOptions.Limit.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
)

// SearchOptions page and order a search.
type SearchOptions struct {
	Limit  int  // hits per page; 0 means DefaultLimit; at most MaxLimit
	Offset int  // hits to skip
	Sort   Sort // "" means SortRelevance
}

// Result is one page of hits.
type Result struct {
	Total uint64 `json:"total"` // all matching documents, not just this page
	Hits  []Hit  `json:"hits"`
}

// Hit is one matching document.
type Hit struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Text    string    `json:"text"`   // post text, or for an account "display name (@handle): bio"
	Author  string    `json:"author"` // handle as written (post author, or the account's own handle)
	Created time.Time `json:"created,omitzero"`
	Score   float64   `json:"score"`
	// Highlights are fragments of Text around the query's words, HTML
	// escaped, with each match in <mark>…</mark>. Empty when the query has
	// no words or phrases.
	Highlights []string `json:"highlights,omitempty"`
}

// Search runs a query in the query language (see Parse).
func (ix *Index) Search(ctx context.Context, q string, opt SearchOptions) (*Result, error) {
	pq, err := Parse(q)
	if err != nil {
		return nil, err
	}
	res, err := ix.SearchQuery(ctx, pq, opt)
	if pe := (*ParseError)(nil); errors.As(err, &pe) {
		// Said of the query as written.
		trimmed := strings.TrimLeftFunc(q, unicode.IsSpace)
		pe.Token, pe.Offset = strings.TrimRightFunc(trimmed, unicode.IsSpace), len(q)-len(trimmed)
	}
	return res, err
}

// SearchQuery runs a parsed query. A query whose clauses are all
// punctuation is refused with a *ParseError.
func (ix *Index) SearchQuery(ctx context.Context, pq *Query, opt SearchOptions) (*Result, error) {
	limit := opt.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	offset := max(opt.Offset, 0)
	if _, err := sortOrder(opt.Sort, false); err != nil {
		return nil, err
	}

	if !pq.searchable(ix.analyzer) {
		return nil, &ParseError{Token: pq.String(),
			Msg: fmt.Sprintf("nothing to search for in %q: no word, tag, mention or operator, only punctuation (an empty query lists everything)", pq.String())}
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil, ErrClosed
	}

	// Phase one finds and sorts the page without highlighting: asking
	// Bleve for highlights makes it decode term locations for every
	// matching document, not just for the page.
	main := pq.compile(ix.analyzer)
	total, hits, err := ix.findPage(ctx, pq, main, opt.Sort, limit, offset, true)
	if err != nil {
		return nil, fmt.Errorf("index: search %q: %w", pq.String(), err)
	}
	res := &Result{Total: total, Hits: make([]Hit, 0, len(hits))}
	if len(hits) == 0 {
		return res, nil
	}
	marked := pq.marked(ix.analyzer)
	tagged := pq.tagged(ix.analyzer)
	if len(marked) == 0 && loaded(hits) {
		for _, h := range hits {
			fields := make(map[string]string, len(h.Fields))
			for k, v := range h.Fields {
				fields[k], _ = v.(string)
			}
			res.Hits = append(res.Hits, newHit(h.ID, h.Score, fields))
		}
		return res, nil
	}

	// Phase two loads the stored fields and highlights of the page.
	page := pageDocs{ids: make([]string, len(hits)), at: make([]bindex.IndexInternalID, len(hits))}
	for i, h := range hits {
		page.ids[i], page.at[i] = h.ID, h.IndexInternalID
	}
	var q2 query.Query = page
	if len(marked) > 0 {
		// Optional clauses: they add their locations where they match,
		// and a hit that matches none of them is still loaded.
		q2 = query.NewBooleanQuery([]query.Query{q2}, marked, nil)
	}
	loading := &withStored{q: q2}
	req2 := bleve.NewSearchRequestOptions(loading, len(hits), 0, false)
	req2.IncludeLocations = len(marked) > 0 // for the highlights
	sr2, err := ix.idx.SearchInContext(ctx, req2)
	if err != nil {
		return nil, fmt.Errorf("index: load hits of %q: %w", pq.String(), err)
	}
	loaded := make(map[string]*search.DocumentMatch, len(sr2.Hits))
	for _, h := range sr2.Hits {
		loaded[h.ID] = h
	}
	for _, h := range hits {
		d := loaded[h.ID]
		if d == nil {
			continue // changed by a CatchUp between the two phases
		}
		hit := newHit(h.ID, h.Score, loading.stored[string(d.IndexInternalID)])
		if len(marked) > 0 {
			onlyTagged(d, hit.Text, tagged)
			hit.Highlights = highlights(d, hit.Text)
		}
		res.Hits = append(res.Hits, hit)
	}
	return res, nil
}

// loaded reports whether the hits carry their stored fields (byCachedDate
// reads them on the search's snapshot).
func loaded(hits search.DocumentMatchCollection) bool {
	for _, h := range hits {
		if h.Fields == nil {
			return false
		}
	}
	return true
}

// newHit is the hit of document id from its stored fields.
func newHit(id string, score float64, fields map[string]string) Hit {
	hit := Hit{
		ID:     id,
		Kind:   fields[fieldKind],
		Text:   fields[fieldText],
		Author: fields[fieldHandle],
		Score:  score,
	}
	if s := fields[fieldCreated]; s != "" {
		if t, err := time.Parse(createdLayout, s); err == nil {
			hit.Created = t
		}
	}
	return hit
}

// onlyTagged drops from d's locations in text the places where a term
// that the query asks for only as a #tag or @mention (tagged: the term and
// its sign) stands without its sign: "#golang" finds the posts tagged
// #golang, and should not mark the golang of a url in them.
func onlyTagged(d *search.DocumentMatch, text string, tagged map[string]byte) {
	terms := d.Locations[fieldText]
	for term, sign := range tagged {
		locs, ok := terms[term]
		if !ok {
			continue
		}
		kept := locs[:0]
		for _, l := range locs {
			// The tokenizer leaves the sign out of the term: it is the
			// byte before.
			if l.Start > 0 && l.Start <= uint64(len(text)) && text[l.Start-1] == sign {
				kept = append(kept, l)
			}
		}
		if len(kept) == 0 {
			delete(terms, term)
		} else {
			terms[term] = kept
		}
	}
}

// highlights returns the fragments of text, a hit's stored text, around
// the terms of d's locations, with the terms marked; Bleve's own highlight
// of a search would load the text once more (see stored.go).
func highlights(d *search.DocumentMatch, text string) []string {
	doc := bdocument.NewDocument(d.ID)
	doc.AddField(bdocument.NewTextField(fieldText, nil, []byte(text)))
	var out []string
	for _, f := range highlighter.BestFragmentsInField(d, doc, fieldText, 1) {
		if strings.Contains(f, "<mark>") {
			out = append(out, f)
		}
	}
	return out
}

// highlighter is Bleve's HTML highlighter, which marks terms with <mark>.
var highlighter = func() highlight.Highlighter {
	h, err := bleve.Config.Cache.HighlighterNamed(html.Name)
	if err != nil {
		panic(err) // registered by the package imported for its name
	}
	return h
}()

// sortOrder is Bleve's sort order for a Sort. The id breaks ties, so that
// hits created at the same time keep their order from page to page
// (Bleve's own tie break, the order in the index, changes when segments
// merge) and whether the page is found by one search or by searchByDate.
// It goes the way time goes (idOrder): descending for newest, and for
// relevance, whose next key is the newest; ascending for oldest, so that
// oldest is newest read backwards.
// By relevance, only a query whose hits may all score alike (see
// Query.scoresAlike), which searchByDate may answer, is given the id:
// Bleve reads the id of every hit, which made BenchmarkSearch's common
// word 1.6 times slower, and a tie of both score and time is rare.
func sortOrder(s Sort, alike bool) (search.SortOrder, error) {
	switch s {
	case SortRelevance, "":
		if !alike {
			return search.SortOrder{&search.SortScore{Desc: true}, createdOrder(true)}, nil
		}
		return search.SortOrder{&search.SortScore{Desc: true}, createdOrder(true), &search.SortDocID{Desc: true}}, nil
	case SortNewest:
		return dateOrder(true), nil
	case SortOldest:
		return dateOrder(false), nil
	}
	return nil, fmt.Errorf("index: unknown sort %q (want relevance, newest or oldest)", s)
}

// dateOrder sorts by created, missing last, then id the same way.
func dateOrder(desc bool) search.SortOrder {
	return search.SortOrder{createdOrder(desc), &search.SortDocID{Desc: desc}}
}

// idOrder orders two ids of hits that tie on everything else: the way
// time goes (see sortOrder).
func idOrder(a, b string, desc bool) int {
	if desc {
		return strings.Compare(b, a)
	}
	return strings.Compare(a, b)
}

// findPage finds a page of the hits of pq, compiled to main, in order.
// With slice, a query ordered by date is found from the cached dates when
// the index keeps them (see byCachedDate), or else sliced by time when that
// pays (see searchByDate), and one by relevance likewise (see
// byCachedScore), or else is sorted by score first (see byScore); without,
// it is one sorted search, the reference they must all agree with.
func (ix *Index) findPage(ctx context.Context, pq *Query, main query.Query, sort Sort, limit, offset int, slice bool) (uint64, search.DocumentMatchCollection, error) {
	relevance := sort == SortRelevance || sort == ""
	sure, alike := pq.scoresAlike()
	order, err := sortOrder(sort, alike)
	if err != nil {
		return 0, nil, err
	}
	if slice && (sure || !relevance) {
		total, hits, ok, err := ix.byFilters(ctx, pq, sort != SortOldest, limit, offset)
		if ok || err != nil {
			return total, hits, err
		}
		total, hits, ok, err = ix.byCachedDate(ctx, pq, main, sort != SortOldest, limit, offset)
		if ok || err != nil {
			return total, hits, err
		}
	}
	if slice && relevance && !sure {
		total, hits, ok, err := ix.byCachedScore(ctx, pq, main, limit, offset)
		if ok || err != nil {
			return total, hits, err
		}
	}
	if slice && (alike || !relevance) {
		total, hits, ok, err := ix.searchByDate(ctx, pq, main, sort != SortOldest, relevance, limit, offset)
		if ok || err != nil {
			return total, hits, err
		}
	}
	if slice && relevance && offset+limit <= byScoreMax {
		// Also a query whose hits may score alike but do not (a #tag:
		// searchByDate found out), or are too few to slice.
		return ix.byScore(ctx, main, limit, offset, alike)
	}
	req := bleve.NewSearchRequestOptions(main, limit, offset, false)
	req.SortByCustom(order)
	sr, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, nil, err
	}
	return sr.Total, sr.Hits, nil
}

// byScoreMax is the deepest page byScore finds. It reads the stored
// created of each hit up to the page's end (see topScored), which for deep
// pages may cost more than one sorted search; the bound is a guess, not
// measured (pages that deep are rare: the API and CLI page 20 at a time).
const byScoreMax = 1000

// byScore finds a page by relevance, in sortOrder's order, without
// reading the created of every hit, which was most of the time of a query
// with many hits. Bleve sorts by score alone, which needs no doc values,
// for a few more hits than the page. When the last hit fetched scores
// below the page's last, or every hit was fetched, the page's ties are
// all among them and are ordered by their created (read by topScored),
// then id. Otherwise the page's last score ties past what was fetched, and
// a second search sorts, in sortOrder's order, only the hits that score at
// least as much as the page's last. alike is sortOrder's: whether the hits
// may all score alike, which makes the id part of the order.
func (ix *Index) byScore(ctx context.Context, main query.Query, limit, offset int, alike bool) (uint64, search.DocumentMatchCollection, error) {
	need := offset + limit
	fetch := need + max(10, need/2)
	top := &topScored{q: main, n: fetch}
	req := bleve.NewSearchRequestOptions(top, fetch, 0, false)
	req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
	sr, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, nil, err
	}
	hits := sr.Hits
	if len(hits) == fetch && hits[fetch-1].Score == hits[need-1].Score {
		order, err := sortOrder(SortRelevance, alike)
		if err != nil {
			return 0, nil, err
		}
		req := bleve.NewSearchRequestOptions(atLeast{q: main, min: hits[need-1].Score}, limit, offset, false)
		req.SortByCustom(order)
		top, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return sr.Total, top.Hits, nil
	}
	slices.SortFunc(hits, func(a, b *search.DocumentMatch) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		// The layout sorts in time order; a missing created ("") last.
		if c := strings.Compare(top.created[string(b.IndexInternalID)], top.created[string(a.IndexInternalID)]); c != 0 {
			return c
		}
		return idOrder(a.ID, b.ID, true)
	})
	if offset >= len(hits) {
		return sr.Total, nil, nil
	}
	return sr.Total, hits[offset:min(need, len(hits))], nil
}

// atLeast is the documents of q that score at least min, scored as by q
// alone (its searcher is q's, so the scores are the same to the bit).
type atLeast struct {
	q   query.Query
	min float64
}

func (a atLeast) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	s, err := a.q.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	return &minScoreSearcher{Searcher: s, min: a.min}, nil
}

// minScoreSearcher drops the matches of its searcher that score below min.
type minScoreSearcher struct {
	search.Searcher
	min float64
}

func (m *minScoreSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	for {
		d, err := m.Searcher.Next(ctx)
		if err != nil || d == nil || d.Score >= m.min {
			return d, err
		}
		ctx.DocumentMatchPool.Put(d)
	}
}

func (m *minScoreSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := m.Searcher.Advance(ctx, id)
	if err != nil || d == nil || d.Score >= m.min {
		return d, err
	}
	ctx.DocumentMatchPool.Put(d)
	return m.Next(ctx)
}
