package index

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
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
	return ix.SearchQuery(ctx, pq, opt)
}

// SearchQuery runs a parsed query.
func (ix *Index) SearchQuery(ctx context.Context, pq *Query, opt SearchOptions) (*Result, error) {
	limit := opt.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	offset := max(opt.Offset, 0)

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil, ErrClosed
	}

	// Phase one finds and sorts the page without highlighting: asking
	// Bleve for highlights makes it decode term locations for every
	// matching document, not just for the page.
	main, text := pq.compile(ix.analyzer)
	req := bleve.NewSearchRequestOptions(main, limit, offset, false)
	created := func(desc bool) *search.SortField {
		return &search.SortField{Field: fieldCreated, Desc: desc, Type: search.SortFieldAsString, Missing: search.SortFieldMissingLast}
	}
	switch opt.Sort {
	case SortRelevance, "":
		req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}, created(true)})
	case SortNewest:
		req.SortByCustom(search.SortOrder{created(true)})
	case SortOldest:
		req.SortByCustom(search.SortOrder{created(false)})
	default:
		return nil, fmt.Errorf("index: unknown sort %q (want relevance, newest or oldest)", opt.Sort)
	}
	sr, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: search %q: %w", pq.String(), err)
	}
	res := &Result{Total: sr.Total, Hits: make([]Hit, 0, len(sr.Hits))}
	if len(sr.Hits) == 0 {
		return res, nil
	}

	// Phase two loads the stored fields and highlights of the page.
	pageIDs := make([]string, len(sr.Hits))
	for i, h := range sr.Hits {
		pageIDs[i] = h.ID
	}
	var q2 query.Query = query.NewDocIDQuery(pageIDs)
	if len(text) > 0 {
		q2 = query.NewConjunctionQuery(append([]query.Query{q2}, text...))
	}
	req2 := bleve.NewSearchRequestOptions(q2, len(pageIDs), 0, false)
	req2.Fields = []string{fieldText, fieldHandle, fieldKind, fieldCreated}
	if len(text) > 0 {
		req2.Highlight = bleve.NewHighlightWithStyle(html.Name)
		req2.Highlight.AddField(fieldText)
	}
	sr2, err := ix.idx.SearchInContext(ctx, req2)
	if err != nil {
		return nil, fmt.Errorf("index: load hits of %q: %w", pq.String(), err)
	}
	loaded := make(map[string]*search.DocumentMatch, len(sr2.Hits))
	for _, h := range sr2.Hits {
		loaded[h.ID] = h
	}
	for _, h := range sr.Hits {
		d := loaded[h.ID]
		if d == nil {
			continue // changed by a CatchUp between the two phases
		}
		hit := Hit{
			ID:     h.ID,
			Kind:   fieldString(d.Fields, fieldKind),
			Text:   fieldString(d.Fields, fieldText),
			Author: fieldString(d.Fields, fieldHandle),
			Score:  h.Score,
		}
		if s := fieldString(d.Fields, fieldCreated); s != "" {
			if t, err := time.Parse(createdLayout, s); err == nil {
				hit.Created = t
			}
		}
		for _, f := range d.Fragments[fieldText] {
			if strings.Contains(f, "<mark>") {
				hit.Highlights = append(hit.Highlights, f)
			}
		}
		res.Hits = append(res.Hits, hit)
	}
	return res, nil
}

func fieldString(fields map[string]interface{}, name string) string {
	switch v := fields[name].(type) {
	case string:
		return v
	case []interface{}: // a field with several values; not expected for these
		if len(v) > 0 {
			if s, ok := v[0].(string); ok {
				return s
			}
		}
	}
	return ""
}
