package index

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/podimport/podimport/schema"
)

// A process that searches many times (podimport serve, the benchmarks)
// can keep every document's created time in memory, by segment: segments
// never change, so a segment's times, read once from its doc values, serve
// until a merge replaces it. 22 bytes a document: the time and kind by
// document number, and the documents in date order with their times and
// kinds (for byFilters). A page sorted by date
// is then one search that looks up each hit's time and keeps the best,
// where searchByDate walks years, months and days with a dozen searches or
// more (from: with 1,361 hits among 1M posts: 1.4–2.2 ms that way,
// 0.33–0.45 ms this way, against SQLite's 0.13–0.17, which reads 20 rows
// of a b-tree on (author, created)). The same search reads the page's
// stored fields, so a page with nothing to highlight needs no other.
//
// The times are read in the background, never in a search's path: a
// search that finds a segment whose times are not read yet (a catch-up's
// new segment, a merge's result) asks for them and goes the other way
// meanwhile. A one-off search (the CLI) does not keep them: reading them
// costs more than they save once (0.8 s at 1M documents).

// Created times in the cache: unix nanoseconds, or one of these.
const (
	noDate  = math.MinInt64     // the document has no created
	oddDate = math.MinInt64 + 1 // created is not in createdLayout, or past what nanoseconds reach: the cache cannot place it
)

// maxCachedPage is the deepest page, and maxTies the most hits that tie
// with the page's last on created, that byCachedDate orders; past them it
// leaves the page to searchByDate (ties are ordered by id, read per hit).
const (
	maxCachedPage = 10_000
	maxTies       = 16_384
)

// dateCache holds the created times of the documents of the segments of
// one Bleve index, by segment id.
type dateCache struct {
	mu    sync.Mutex
	owner bleve.Index          // the index the columns belong to: Reindex swaps in another
	cols  map[uint64]*segDates // by SegmentSnapshot.Id()

	kicks    chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

func newDateCache() *dateCache {
	return &dateCache{cols: map[uint64]*segDates{}, kicks: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
}

// KeepDates makes ix keep the created time of every document in memory,
// for pages sorted by date (see datecache.go): it reads those of the
// index as it is before it returns (0.8 s at 1M posts), and those of
// new segments in the background. For processes that search many times;
// calling it again does nothing.
func (ix *Index) KeepDates() {
	ix.mu.Lock()
	if ix.dates != nil || ix.closed {
		ix.mu.Unlock()
		return
	}
	c := newDateCache()
	ix.dates = c
	ix.mu.Unlock()
	ix.fillDates(c.stop)
	go func() {
		defer close(c.done)
		for {
			select {
			case <-c.kicks:
			case <-c.stop:
				return
			}
			ix.fillDates(c.stop)
		}
	}()
}

// signalStop tells the reader of the times to stop.
func (c *dateCache) signalStop() { c.stopOnce.Do(func() { close(c.stop) }) }

// kick asks for the times of the index's current segments.
func (c *dateCache) kick() {
	select {
	case c.kicks <- struct{}{}:
	default:
	}
}

// fillDates reads the times of the current segments that the cache lacks
// and forgets those of segments no longer in the index. It stops early,
// keeping what it has read, when stop is closed.
func (ix *Index) fillDates(stop <-chan struct{}) {
	ix.mu.RLock() // Reindex's swap and Close wait: the snapshot's segments stay open
	defer ix.mu.RUnlock()
	c, idx := ix.dates, ix.idx
	if c == nil || idx == nil {
		return
	}
	adv, err := idx.Advanced()
	if err != nil {
		return
	}
	r, err := adv.Reader()
	if err != nil {
		return // the next search asks again
	}
	defer r.Close()
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return
	}
	segs := is.Segments()
	live := make(map[uint64]bool, len(segs))
	for _, seg := range segs {
		live[seg.Id()] = true
		if _, ok := c.column(idx, seg); ok {
			continue
		}
		col, err := readCreated(seg, stop)
		if err != nil {
			return
		}
		kinds, err := readKinds(seg)
		if err != nil {
			return
		}
		sd := newSegDates(col, kinds)
		c.mu.Lock()
		if c.owner == idx {
			c.cols[seg.Id()] = sd
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	for id := range c.cols {
		if !live[id] {
			delete(c.cols, id)
		}
	}
	c.mu.Unlock()
}

// column returns the times of seg, a segment of idx, if the cache has them.
// The cache holds one index's times: asked about another (Reindex swapped
// it in), it forgets them.
func (c *dateCache) column(idx bleve.Index, seg *scorch.SegmentSnapshot) (*segDates, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owner != idx {
		c.owner, c.cols = idx, map[uint64]*segDates{}
	}
	sd, ok := c.cols[seg.Id()]
	return sd, ok && uint64(len(sd.created)) == seg.Segment().Count()
}

// segDates are the times of one segment's documents, by document number,
// and the same in date order (for byFilters).
type segDates struct {
	created []int64 // by document number
	kinds   []uint8 // by document number: the index in docKinds plus one, 0 for another
	// The documents with a date that the cache places, oldest first:
	// their numbers, times and kinds (the index in docKinds plus one, 0
	// for another), side by side so that a span of time is read in order.
	order      []uint32
	orderTimes []int64
	orderKinds []uint8
	undated    []uint32 // the documents without a date
	unplaced   []uint32 // the documents with an oddDate, which the order leaves out
	kindCount  []int    // documents by kind code (see kinds)
}

// docKinds are the kinds of search documents (see indexable).
var docKinds = []string{string(schema.KindPost), string(schema.KindAccount)}

// readKinds reads the kind of every document of seg from the postings of
// its kinds: the index in docKinds plus one, 0 for another.
func readKinds(seg *scorch.SegmentSnapshot) ([]uint8, error) {
	kinds := make([]uint8, seg.Segment().Count())
	for k, kind := range docKinds {
		bm, ok := termBitmap(seg, fieldKind, kind)
		if !ok {
			return nil, fmt.Errorf("index: the %s postings of a %T are not a bitmap", kind, seg.Segment())
		}
		it := bm.Iterator()
		for it.HasNext() {
			if num := it.Next(); int(num) < len(kinds) {
				kinds[num] = uint8(k + 1)
			}
		}
	}
	return kinds, nil
}

func newSegDates(created []int64, kinds []uint8) *segDates {
	sd := &segDates{created: created, kinds: kinds, kindCount: make([]int, len(docKinds)+1)}
	for _, k := range kinds {
		sd.kindCount[k]++
	}
	order := make([]uint32, 0, len(created))
	for num, t := range created {
		switch t {
		case noDate:
			sd.undated = append(sd.undated, uint32(num))
		case oddDate:
			sd.unplaced = append(sd.unplaced, uint32(num))
		default:
			order = append(order, uint32(num))
		}
	}
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(created[a], created[b]) })
	sd.order = order
	sd.orderTimes = make([]int64, len(order))
	sd.orderKinds = make([]uint8, len(order))
	for i, num := range order {
		sd.orderTimes[i], sd.orderKinds[i] = created[num], kinds[num]
	}
	return sd
}

// readCreated reads the created doc value of every document of seg, in
// order, so that each chunk of doc values is decoded once.
func readCreated(seg *scorch.SegmentSnapshot, stop <-chan struct{}) ([]int64, error) {
	dv, ok := seg.Segment().(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("index: a %T has no doc values", seg.Segment())
	}
	n := seg.Segment().Count()
	col := make([]int64, n)
	fields := []string{fieldCreated}
	var state segment.DocVisitState
	var err error
	for i := range n {
		if i%4096 == 0 {
			select {
			case <-stop:
				return nil, context.Canceled
			default:
			}
		}
		col[i] = noDate
		state, err = dv.VisitDocValues(i, fields, func(_ string, term []byte) { col[i] = parseCreated(term) }, state)
		if err != nil {
			return nil, err
		}
	}
	return col, nil
}

// parseCreated reads a created term, written in createdLayout, as unix
// nanoseconds, in which order is the terms' order; oddDate when it cannot.
func parseCreated(b []byte) int64 {
	if len(b) != len(createdLayout) {
		return oddDate
	}
	t, err := time.Parse(createdLayout, string(b))
	if err != nil || t.Year() < 1678 || t.Year() > 2261 {
		return oddDate
	}
	return t.UnixNano()
}

// byCachedDate finds the page of pq's hits (main compiled) sorted by
// created (newest first when desc), missing last, then id, as
// searchByDate does, in one search that looks up each hit's time in the
// cache. ok is false, and nothing done, when the index does not keep its
// dates, they are not all read yet (they are asked for), a hit's created
// is one the cache cannot place, or the page or its ties are too deep.
// With relevance, the order asked for is score first: the same when all
// hits surely score alike, the only case taken.
func (ix *Index) byCachedDate(ctx context.Context, pq *Query, main query.Query, desc bool, limit, offset int) (total uint64, hits search.DocumentMatchCollection, ok bool, err error) {
	need := offset + limit
	if ix.dates == nil || need > maxCachedPage {
		return 0, nil, false, nil
	}
	// A date range is tens of terms: the fewest year, month and day terms
	// that cover it are much cheaper to search (see searchByDate).
	found := main
	if since, until := pq.dates(); !since.IsZero() || !until.IsZero() {
		years, err := ix.terms(fieldYear)
		if err != nil {
			return 0, nil, false, err
		}
		w := &dateWalk{since: since, until: until}
		switch tiles, ok := w.tiles(fieldYear, years); {
		case !ok:
			// A year that is not a date this code writes: the range.
		case len(tiles) == 0:
			return 0, nil, true, nil // no document in those dates
		default:
			found = pq.within(ix.analyzer, anyOf(tiles))
		}
	}
	q := &cachedDates{q: found, cache: ix.dates, idx: ix.idx, top: datedTop{need: need, desc: desc},
		offset: offset, load: len(pq.marked(ix.analyzer)) == 0}
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = bleve.ScoreNone
	sr, err := ix.idx.SearchInContext(ctx, req)
	if err != nil || !q.ok {
		return 0, nil, false, err
	}
	hits = q.hits()
	sure, _ := pq.scoresAlike()
	score := math.NaN()
	if sure && pq.selects() {
		score = 0 // filters alone: compile made them unscored
	}
	if err := ix.score(ctx, main, hits, sure, score); err != nil {
		return 0, nil, false, err
	}
	return sr.Total, hits, true, nil
}

// cachedDates is q, whose searcher looks up the created of each hit in
// the cache and keeps the best. Once the search is done, ok says so, page
// holds the hits past offset in order, and with load stored holds their
// stored fields, read on the search's snapshot (see stored.go): a page
// without highlights needs no second search.
type cachedDates struct {
	q      query.Query
	cache  *dateCache
	idx    bleve.Index
	top    datedTop
	offset int
	load   bool

	page   []pageHit
	stored storedFields
	ok     bool
}

// hits is the page as Bleve's hits, with their stored fields when loaded.
func (cd *cachedDates) hits() search.DocumentMatchCollection {
	hits := make(search.DocumentMatchCollection, 0, len(cd.page))
	for _, h := range cd.page {
		d := &search.DocumentMatch{ID: h.id, Score: h.score, IndexInternalID: h.internal}
		if cd.load {
			d.Fields = map[string]interface{}{}
			for k, v := range cd.stored[string(h.internal)] {
				d.Fields[k] = v
			}
		}
		hits = append(hits, d)
	}
	return hits
}

type pageHit struct {
	id       string
	internal bindex.IndexInternalID
	score    float64
}

func (cd *cachedDates) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	is, ok := i.(*scorch.IndexSnapshot)
	if !ok {
		return searcher.NewMatchNoneSearcher(i)
	}
	nums := newDocNums(is.Segments())
	cols := make([][]int64, len(nums.segs))
	for j, seg := range nums.segs {
		sd, ok := cd.cache.column(cd.idx, seg)
		if !ok {
			cd.cache.kick()
			return searcher.NewMatchNoneSearcher(i) // ok stays false
		}
		cols[j] = sd.created
	}
	s, err := cd.q.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	cur := 0 // the segment of the last hit: hits come in document order
	return &watcher{Searcher: s, reader: i,
		hit: func(d *search.DocumentMatch) {
			num := d.IndexInternalID.Value()
			if !nums.in(cur, num) {
				var ok bool
				if cur, _, ok = nums.segment(num); !ok {
					cd.top.odd = true // not in the snapshot: never
					return
				}
			}
			cd.top.note(d.Score, cols[cur][num-nums.starts[cur]], num)
		},
		done: func(r bindex.IndexReader) error {
			page, ok, err := cd.top.page(nums)
			if err != nil || !ok {
				return err
			}
			cd.page = page[min(cd.offset, len(page)):]
			if cd.load {
				internal := make([]bindex.IndexInternalID, len(cd.page))
				for k, h := range cd.page {
					internal[k] = h.internal
				}
				if cd.stored, err = loadStored(r, internal); err != nil {
					return err
				}
			}
			cd.ok = true
			return nil
		},
	}, nil
}

// datedTop keeps the need best hits by score, highest first, then
// created (and those that tie with the last of them on both), among the
// hits it is shown. A search that does not score shows it every hit with
// score 0: then it keeps the best by created.
type datedTop struct {
	need  int
	desc  bool
	seen  []datedNum // every hit at least as good as floor
	floor datedNum   // the need-th best of the hits trimmed so far
	full  bool       // floor is set
	odd   bool       // a hit's created cannot be placed
}

type datedNum struct {
	score   float64
	created int64
	num     uint64
}

// order orders two hits: the better first, by score, then created.
func (t *datedTop) order(a, b datedNum) int {
	switch {
	case a.score > b.score:
		return -1
	case a.score < b.score:
		return 1
	}
	return t.cmp(a.created, b.created)
}

// cmp orders two created times: the better first, noDate last.
func (t *datedTop) cmp(a, b int64) int {
	switch {
	case a == b:
		return 0
	case a == noDate:
		return 1
	case b == noDate:
		return -1
	case t.desc:
		return cmp.Compare(b, a)
	}
	return cmp.Compare(a, b)
}

func (t *datedTop) note(score float64, created int64, num uint64) {
	if created == oddDate {
		t.odd = true
	}
	h := datedNum{score, created, num}
	if t.odd || t.full && t.order(h, t.floor) > 0 {
		return
	}
	t.seen = append(t.seen, h)
	if len(t.seen) >= 2*t.need+64 {
		t.trim()
	}
}

// trim keeps the need best and those that tie with the need-th, in no
// particular order (page sorts them).
func (t *datedTop) trim() {
	if len(t.seen) <= t.need {
		return
	}
	nth(t.seen, t.need-1, t.order)
	t.floor, t.full = t.seen[t.need-1], true
	end := t.need
	for i := end; i < len(t.seen); i++ {
		if t.order(t.seen[i], t.floor) == 0 {
			t.seen[end], t.seen[i] = t.seen[i], t.seen[end]
			end++
		}
	}
	t.seen = t.seen[:end]
	if end-t.need > maxTies {
		t.odd = true // too many ties to order by id
	}
}

// page returns the need best hits in order, score, created, then id, reading the
// ids of the hits kept from their segments; ok is false when the hits
// cannot be ordered.
func (t *datedTop) page(nums docNums) ([]pageHit, bool, error) {
	if t.odd {
		return nil, false, nil
	}
	t.trim()
	if t.odd {
		return nil, false, nil
	}
	type dated struct {
		datedNum
		id string
	}
	kept := make([]dated, len(t.seen))
	for k, h := range t.seen {
		j, local, ok := nums.segment(h.num)
		if !ok {
			return nil, false, nil
		}
		id, err := nums.segs[j].DocID(local)
		if err != nil {
			return nil, false, err
		}
		kept[k] = dated{h, string(id)}
	}
	slices.SortFunc(kept, func(a, b dated) int {
		if c := t.order(a.datedNum, b.datedNum); c != 0 {
			return c
		}
		return idOrder(a.id, b.id, t.desc)
	})
	out := make([]pageHit, 0, min(t.need, len(kept)))
	for _, h := range kept[:min(t.need, len(kept))] {
		out = append(out, pageHit{h.id, bindex.NewIndexInternalID(nil, h.num), h.score})
	}
	return out, true, nil
}
