package index

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Sorting by date is most of the cost of a query with many hits: to sort,
// Bleve reads the created doc value of every hit, and it keeps doc values
// snappy-compressed in chunks of about a thousand documents, so a
// selective query decodes about one chunk per hit (from: with 1,361 hits
// among 1M posts took 50 ms, half of it in doc values, where SQLite FTS5
// takes 0.1 ms). A page of the newest (or oldest) hits only needs the hits
// of the newest (oldest) days, though.
//
// searchByDate counts the hits without sorting them (no doc values), then
// walks the years from the newest (oldest), counts the hits of each, skips
// the windows that lie wholly before the page, descends into months and
// then days where a window holds many more hits than the page still needs,
// and sorts only the windows that hold the page. The year, month and day
// terms are prefixes of the created string, so windows taken in term order
// and sorted each by created (and id) give the order of one search sorted
// by created (and id). Hits without a date (accounts without one) sort
// last in both orders: they are a last window.
//
// A window is searched as the query without its since: and until: clauses
// (Query.within), which is much cheaper; windows outside those clauses are
// skipped, and windows across their bounds divided. The scores, which the
// windows do not compute, are the query's, looked up for the page's hits,
// or for one hit when all hits score alike.
//
// The windows are separate Bleve searches, each on the index as it is at
// that moment: a CatchUp running alongside can shift a page by the
// documents it adds or removes, as it can between two pages.

// sliceMin is the fewest hits worth slicing: below it, or when the page
// holds about half the hits or more, one sorted search is as cheap.
const sliceMin = 64

// searchByDate finds the page of pq's hits (main compiled) sorted by
// created (newest first when desc), missing last, then id. With relevance,
// the order asked for is score first: it is the same when all hits score
// alike, which searchByDate makes sure of (see Query.scoresAlike); when
// they do not, ok is false and nothing is done. ok is false too when
// slicing would not pay.
func (ix *Index) searchByDate(ctx context.Context, pq *Query, main query.Query, desc, relevance bool, limit, offset int) (total uint64, hits search.DocumentMatchCollection, ok bool, err error) {
	sure, maybe := pq.scoresAlike()
	if relevance && !maybe {
		return 0, nil, false, nil
	}
	years, err := ix.terms(fieldYear)
	if err != nil {
		return 0, nil, false, err
	}
	if desc {
		slices.Reverse(years)
	}
	w := &dateWalk{ix: ix, ctx: ctx, pq: pq, main: main, desc: desc, skip: offset, limit: limit}
	w.since, w.until = pq.dates()

	// The count, without scores: scoring every hit can cost much more
	// (from:user42 kind:post among 100k posts: 2.3 ms against 0.07 ms).
	// Only by relevance, where the hits must be seen to score alike
	// unless they surely do, are they scored.
	alike, score := sure, math.NaN() // NaN: not known
	if sure && pq.selects() {
		score = 0 // filters alone: compile made them unscored
	}
	tiles, tiled := w.tiles(fieldYear, years)
	switch {
	case relevance && !sure:
		// Also the lowest score; the collector tracks the highest.
		req := bleve.NewSearchRequestOptions(main, 1, 0, false)
		req.SortByCustom(search.SortOrder{&search.SortScore{Desc: false}})
		sr, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return 0, nil, false, err
		}
		total, score = sr.Total, sr.MaxScore
		alike = len(sr.Hits) > 0 && sr.Hits[0].Score == score
		if !alike {
			return 0, nil, false, nil
		}
	case tiled && (!w.since.IsZero() || !w.until.IsZero()):
		// The windows that cover the query's dates are cheaper to search
		// than its dates, tens of terms.
		if len(tiles) > 0 {
			total, err = ix.count(ctx, pq.within(ix.analyzer, anyOf(tiles)))
		}
		if len(tiles) == 1 {
			w.counted = map[window]uint64{tiles[0]: total}
		}
	default:
		total, err = ix.count(ctx, main)
	}
	if err != nil || total < sliceMin || uint64(2*limit) > total {
		return 0, nil, false, err
	}

	if err := w.walk(fieldYear, years); err != nil {
		return 0, nil, false, err
	}
	if w.limit > 0 && w.dated < int(total) {
		// The hits without a date.
		undated := main
		if len(years) > 0 {
			dated := make([]query.Query, len(years))
			for i, y := range years {
				dated[i] = termQuery(fieldYear, y)
			}
			undated = filtered{main, query.NewDisjunctionQuery(dated), true}
		}
		if err := w.sorted(undated); err != nil {
			return 0, nil, false, err
		}
	}
	if err := ix.score(ctx, main, w.hits, alike, score); err != nil {
		return 0, nil, false, err
	}
	return total, w.hits, true, nil
}

// score sets the scores of hits to those main gives them. When they score
// alike, that is the score of main's first hit in the index, known or
// looked up: the match-all searcher of a query with no positive clause
// walks the index from its start to find a document.
func (ix *Index) score(ctx context.Context, main query.Query, hits search.DocumentMatchCollection, alike bool, score float64) error {
	if len(hits) == 0 {
		return nil
	}
	var ids []string
	if alike && math.IsNaN(score) {
		req := bleve.NewSearchRequestOptions(main, 1, 0, false)
		req.Score = bleve.ScoreNone // Bleve stops at the first hit
		sr, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return err
		}
		for _, h := range sr.Hits {
			ids = append(ids, h.ID)
		}
	} else if !alike {
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
	}
	scores := make(map[string]float64, len(ids))
	if len(ids) > 0 {
		sr, err := ix.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(filtered{main, query.NewDocIDQuery(ids), false}, len(ids), 0, false))
		if err != nil {
			return err
		}
		for _, h := range sr.Hits {
			scores[h.ID], score = h.Score, h.Score
		}
	}
	if math.IsNaN(score) {
		score = 0 // no hit left: the index changed meanwhile
	}
	for _, h := range hits {
		if alike {
			h.Score = score
		} else {
			h.Score = scores[h.ID]
		}
	}
	return nil
}

// createdOrder sorts by created, missing last.
func createdOrder(desc bool) *search.SortField {
	return &search.SortField{Field: fieldCreated, Desc: desc, Type: search.SortFieldAsString, Missing: search.SortFieldMissingLast}
}

// dateWalk gathers a page window by window.
type dateWalk struct {
	ix           *Index
	ctx          context.Context
	pq           *Query
	main         query.Query
	since, until time.Time // pq.dates()
	desc         bool
	skip         int // hits still to skip
	limit        int // hits still wanted
	dated        int // hits in the windows done
	counted      map[window]uint64
	hits         search.DocumentMatchCollection
}

// window is a window of time: a term of the year, month or day field.
type window struct{ field, term string }

// walk goes through the windows, terms of field (year, month or day), in
// the order of the sort.
func (w *dateWalk) walk(field string, windows []string) error {
	for _, t := range windows {
		if w.limit == 0 {
			return nil
		}
		var q query.Query
		place := w.place(field, t)
		switch place {
		case outside:
			continue
		case across:
			if err := w.walk(finer(field, t, w.desc)); err != nil {
				return err
			}
			continue
		case inside:
			q = w.pq.within(w.ix.analyzer, termQuery(field, t))
		default:
			q = filtered{w.main, termQuery(field, t), false}
		}
		if place == inside && field == fieldDay && w.skip == 0 {
			// A day is not divided, and with none to skip its hits are
			// wanted however many: no need to count them first.
			if err := w.sorted(q); err != nil {
				return err
			}
			continue
		}
		n, known := w.counted[window{field, t}]
		if !known {
			var err error
			if n, err = w.ix.count(w.ctx, q); err != nil {
				return err
			}
		}
		switch {
		case n <= uint64(w.skip):
			w.skip -= int(n)
			w.dated += int(n)
		case place == inside && field != fieldDay && n > uint64(2*(w.skip+w.limit)):
			// Many more hits than needed here: go finer.
			if err := w.walk(finer(field, t, w.desc)); err != nil {
				return err
			}
		default:
			if err := w.sorted(q); err != nil {
				return err
			}
		}
	}
	return nil
}

// anyOf is the documents of any of the windows.
func anyOf(windows []window) query.Query {
	qs := make([]query.Query, len(windows))
	for i, w := range windows {
		qs[i] = termQuery(w.field, w.term)
	}
	return query.NewDisjunctionQuery(qs)
}

// tiles returns the fewest windows that cover the query's dates, in
// order; not ok when some window is not a date.
func (w *dateWalk) tiles(field string, windows []string) (tiles []window, ok bool) {
	for _, t := range windows {
		switch w.place(field, t) {
		case across:
			finer, ok := w.tiles(finer(field, t, false))
			if !ok {
				return nil, false
			}
			tiles = append(tiles, finer...)
		case inside:
			tiles = append(tiles, window{field, t})
		case unknown:
			return nil, false
		}
	}
	return tiles, true
}

// Places of a window of time against the query's dates.
const (
	outside = iota
	across  // a bound of the dates
	inside
	unknown // not a date this code writes
)

// place places the window of a year, month or day term.
func (w *dateWalk) place(field, t string) int {
	from, to, ok := span(field, t)
	switch {
	case !ok:
		return unknown
	case !to.After(w.since) || !w.until.IsZero() && !from.Before(w.until):
		return outside
	case from.Before(w.since) || !w.until.IsZero() && to.After(w.until):
		if field == fieldDay {
			return unknown // never: the dates are whole days
		}
		return across
	}
	return inside
}

// windowFields are the fields whose terms are windows of time.
var windowFields = map[string]struct {
	layout string
	next   func(time.Time) time.Time // the start of the next window
	finer  string                    // the field that divides a window
}{
	fieldYear:  {yearLayout, func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }, fieldMonth},
	fieldMonth: {monthLayout, func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }, fieldDay},
	fieldDay:   {dayLayout, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }, ""},
}

// span returns the time that a year, month or day term covers, [from, to).
func span(field, t string) (from, to time.Time, ok bool) {
	f := windowFields[field]
	from, err := time.Parse(f.layout, t)
	if err != nil {
		return from, from, false
	}
	return from, f.next(from), true
}

// finer divides the window of a year or month term into months or days.
func finer(field, t string, desc bool) (string, []string) {
	from, to, _ := span(field, t)
	child := windowFields[windowFields[field].finer]
	var out []string
	for d := from; d.Before(to); d = child.next(d) {
		out = append(out, d.Format(child.layout))
	}
	if desc {
		slices.Reverse(out)
	}
	return windowFields[field].finer, out
}

func (ix *Index) count(ctx context.Context, q query.Query) (uint64, error) {
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = bleve.ScoreNone
	sr, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, err
	}
	return sr.Total, nil
}

// sorted takes the page's part of a window's hits. Bleve would sort them
// by their created doc values, which it keeps in snappy-compressed chunks
// of about a thousand documents: for a window of a few hundred hits among
// 1M posts it decodes a chunk for nearly every hit. Reading a hit's stored
// created costs about a tenth of that (see stored.go), so the window's
// hits are sorted here, from their stored created, unless they are a
// hundredth of the index or more (then Bleve's chunks are shared by
// enough hits to cost less).
func (w *dateWalk) sorted(q query.Query) error {
	win := &storedDates{q: q}
	req := bleve.NewSearchRequestOptions(win, 0, 0, false)
	req.Score = bleve.ScoreNone
	sr, err := w.ix.idx.SearchInContext(w.ctx, req)
	if err != nil {
		return err
	}
	if win.hits == nil {
		return w.sortedByBleve(q)
	}
	slices.SortFunc(win.hits, func(a, b datedHit) int {
		switch {
		case a.created == b.created:
			return idOrder(a.id, b.id, w.desc)
		case a.created == "" || b.created == "": // missing last
			return strings.Compare(b.created, a.created)
		case w.desc:
			return strings.Compare(b.created, a.created)
		}
		return strings.Compare(a.created, b.created)
	})
	page := win.hits[min(w.skip, len(win.hits)):]
	page = page[:min(w.limit, len(page))]
	for _, h := range page {
		w.hits = append(w.hits, &search.DocumentMatch{ID: h.id})
	}
	w.count(len(page), int(sr.Total))
	return nil
}

// sortedByBleve takes the page's part of a window's hits, sorted by Bleve.
func (w *dateWalk) sortedByBleve(q query.Query) error {
	req := bleve.NewSearchRequestOptions(q, w.limit, w.skip, false)
	req.Score = bleve.ScoreNone
	req.SortByCustom(dateOrder(w.desc))
	sr, err := w.ix.idx.SearchInContext(w.ctx, req)
	if err != nil {
		return err
	}
	w.hits = append(w.hits, sr.Hits...)
	w.count(len(sr.Hits), int(sr.Total))
	return nil
}

// count books a window of total hits, of which taken went to the page.
func (w *dateWalk) count(taken, total int) {
	w.limit -= taken
	w.skip = max(w.skip-total, 0)
	w.dated += total
}

// storedDates is q, and the id and stored created of each of its hits,
// read once the search is done; hits is nil when they are a hundredth of
// the index or more (and not read).
type storedDates struct {
	q    query.Query
	hits []datedHit
}

type datedHit struct{ id, created string }

func (sd *storedDates) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	s, err := sd.q.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	docs, err := i.DocCount()
	if err != nil {
		s.Close()
		return nil, err
	}
	most := max(sliceMin, int(docs/100))
	var ids []bindex.IndexInternalID
	return &watcher{Searcher: s, reader: i,
		hit: func(d *search.DocumentMatch) {
			if len(ids) >= most {
				return // too many: ids is dropped at the end
			}
			// The searcher reuses the id's bytes for its next match.
			ids = append(ids, bytes.Clone(d.IndexInternalID))
		},
		done: func(r bindex.IndexReader) error {
			if len(ids) >= most {
				return nil
			}
			stored, err := loadStored(r, ids)
			if err != nil {
				return err
			}
			sd.hits = make([]datedHit, 0, len(stored))
			for _, f := range stored {
				sd.hits = append(sd.hits, datedHit{id: f[idField], created: f[fieldCreated]})
			}
			return nil
		},
	}, nil
}

// idField is the stored field of a document's id.
const idField = "_id"

// terms lists the terms of a field, in order.
func (ix *Index) terms(field string) ([]string, error) {
	d, err := ix.idx.FieldDict(field)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	var out []string
	for {
		e, err := d.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return out, nil
		}
		out = append(out, e.Term)
	}
}

// filtered is a query for the documents of q that do (or with exclude, do
// not) match filter, scored as by q alone. (A conjunction or a Boolean
// query with a filter would normalize q's score with the filter's
// weight, or run through all of q's hits.)
type filtered struct {
	q, filter query.Query
	exclude   bool
}

func (f filtered) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	qs, err := f.q.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	fs, err := f.filter.Searcher(ctx, i, m, search.SearcherOptions{Score: bleve.ScoreNone})
	if err != nil {
		qs.Close()
		return nil, err
	}
	return &filterSearcher{s: qs, filter: fs, exclude: f.exclude}, nil
}

// filterSearcher returns the matches of s that filter matches (or with
// exclude, does not match). Including, it leapfrogs: each searcher
// advances to the other's document.
type filterSearcher struct {
	s, filter search.Searcher
	exclude   bool
	f         *search.DocumentMatch // filter's current match; nil before the first and after the last
	started   bool
	done      bool
}

func (fs *filterSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if fs.done {
		return nil, nil
	}
	d, err := fs.s.Next(ctx)
	if err != nil {
		return nil, err
	}
	return fs.match(ctx, d)
}

func (fs *filterSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	if fs.done {
		return nil, nil
	}
	d, err := fs.s.Advance(ctx, id)
	if err != nil {
		return nil, err
	}
	return fs.match(ctx, d)
}

// match returns d, s's current match, if the filter agrees, or else the
// next match of s that it agrees with.
func (fs *filterSearcher) match(ctx *search.SearchContext, d *search.DocumentMatch) (*search.DocumentMatch, error) {
	var err error
	for d != nil {
		// Bring the filter to d's document or past it.
		if !fs.started || fs.f != nil && fs.f.IndexInternalID.Compare(d.IndexInternalID) < 0 {
			fs.started = true
			ctx.DocumentMatchPool.Put(fs.f)
			if fs.f, err = fs.filter.Advance(ctx, d.IndexInternalID); err != nil {
				return nil, err
			}
		}
		in := fs.f != nil && fs.f.IndexInternalID.Equals(d.IndexInternalID)
		switch {
		case in != fs.exclude:
			return d, nil
		case fs.f == nil:
			// The filter is done: so is an including searcher.
			ctx.DocumentMatchPool.Put(d)
			fs.done = true
			return nil, nil
		case !in:
			// Skip s to the filter's document.
			ctx.DocumentMatchPool.Put(d)
			d, err = fs.s.Advance(ctx, fs.f.IndexInternalID)
		default:
			ctx.DocumentMatchPool.Put(d)
			d, err = fs.s.Next(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	fs.done = true
	return nil, nil
}

func (fs *filterSearcher) Close() error {
	err := fs.s.Close()
	if ferr := fs.filter.Close(); err == nil {
		err = ferr
	}
	return err
}

func (fs *filterSearcher) Weight() float64        { return fs.s.Weight() }
func (fs *filterSearcher) SetQueryNorm(n float64) { fs.s.SetQueryNorm(n) }
func (fs *filterSearcher) Count() uint64          { return fs.s.Count() }
func (fs *filterSearcher) Min() int               { return 0 }
func (fs *filterSearcher) Size() int              { return fs.s.Size() + fs.filter.Size() }
func (fs *filterSearcher) DocumentMatchPoolSize() int {
	return 2 + fs.s.DocumentMatchPoolSize() + fs.filter.DocumentMatchPoolSize()
}
