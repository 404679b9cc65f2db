package index

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	bindex "github.com/blevesearch/bleve_index_api"
)

// A query of filters alone (from:, kind:, lang:, has:, is:, to:,
// platform:, since:, until:), sorted by date or by relevance (where all
// its hits score 0), asks for documents in date order, as a table with an
// index on its date answers it. With the dates kept in memory
// (datecache.go), byFilters answers it without a Bleve searcher, whose
// machinery costs about 170 ns a hit:
//
//   - a span of time (with kind: at most) is a binary search per segment
//     in its documents kept in date order, then a walk of the span: a
//     month among 1M posts (10,095), newest first, 0.13–0.15 ms, against
//     1.7–1.9 ms through the cached search and SQLite's 0.09–0.14 ms; a
//     year (96,004) 0.3–0.4 ms against 14–16;
//   - other filters are the intersection of their terms' postings (an
//     OR of filters: the union of its terms'), per segment, whose
//     documents' times are looked up: from: with 1,361
//     posts among 1M, 0.13 ms against 0.41 through the cached search and
//     SQLite's 0.12–0.19 with an index on (author, created). With a span
//     too, the smaller of the two is read and checked against the other.

// filter is a keyword term that a query's hits must have, or for an OR of
// filters, any of the terms of or.
type filter struct {
	field, term string
	or          []filter
}

// filtersOnly returns the keyword filters of q, and whether q is filters
// alone: none negated, no words, phrases, hashtags or mentions, nor an OR
// with one. The empty query, everything, is filters alone too. Its dates
// are q.dates().
func (q *Query) filtersOnly() (fs []filter, ok bool) {
	for _, c := range q.Clauses {
		switch {
		case c.Negate:
			return nil, false
		case c.Op == OpSince || c.Op == OpUntil:
		case c.Op == OpOr:
			f := filter{or: make([]filter, len(c.Or))}
			for i, a := range c.Or {
				if !a.filters() {
					return nil, false
				}
				f.or[i] = filter{field: fieldFor[a.Op], term: a.Value}
			}
			fs = append(fs, f)
		case c.filters():
			fs = append(fs, filter{field: fieldFor[c.Op], term: c.Value})
		default:
			return nil, false
		}
	}
	return fs, true
}

// filters tells whether c is a keyword filter: from:, to:, kind:, lang:,
// platform:, has: or is:.
func (c Clause) filters() bool {
	switch c.Op {
	case OpFrom, OpTo, OpKind, OpLang, OpPlatform, OpHas, OpIs:
		return true
	}
	return false
}

// placeable reports whether t is a time the cache holds as unix
// nanoseconds (see parseCreated); zero is no bound, and placeable.
func placeable(t time.Time) bool {
	return t.IsZero() || t.Year() >= 1678 && t.Year() <= 2261
}

// byFilters finds the page of pq, filters alone (filtersOnly), sorted by
// created (newest first when desc), missing last, then id, as
// searchByDate does, from the dates kept in memory. ok is false, and
// nothing done, when the index does not keep its dates, they are not all
// read yet (they are asked for), a segment has a date the cache cannot
// place where it may matter, or the page or its ties are too deep. Every
// hit scores 0, as filters alone do (compile).
func (ix *Index) byFilters(ctx context.Context, pq *Query, desc bool, limit, offset int) (total uint64, hits search.DocumentMatchCollection, ok bool, err error) {
	filters, only := pq.filtersOnly()
	since, until := pq.dates()
	need := offset + limit
	if !only || ix.dates == nil || need > maxCachedPage || !placeable(since) || !placeable(until) {
		return 0, nil, false, nil
	}
	adv, err := ix.idx.Advanced()
	if err != nil {
		return 0, nil, false, err
	}
	r, err := adv.Reader()
	if err != nil {
		return 0, nil, false, err
	}
	defer r.Close()
	is, isScorch := r.(*scorch.IndexSnapshot)
	if !isScorch {
		return 0, nil, false, nil
	}
	// A kind known to the cache is checked from the kinds it keeps.
	code := uint8(0)
	var others []filter
	for _, f := range filters {
		if k := slices.Index(docKinds, f.term); f.or == nil && f.field == fieldKind && k >= 0 && code == 0 {
			code = uint8(k + 1)
			continue
		}
		others = append(others, f)
	}
	kindAlone := code != 0 && len(others) == 0 && since.IsZero() && until.IsZero()
	nums := newDocNums(is.Segments())
	top := datedTop{need: need, desc: desc}
	for j, seg := range nums.segs {
		if err := ctx.Err(); err != nil {
			return 0, nil, false, err
		}
		sd, cached := ix.dates.column(ix.idx, seg)
		if !cached {
			ix.dates.kick()
			return 0, nil, false, nil
		}
		f := segFilter{since: since, until: until, code: code}
		for _, o := range others {
			bm, ok := filterBitmap(seg, o)
			if !ok {
				return 0, nil, false, nil
			}
			if f.with == nil {
				f.with = bm
			} else {
				f.with.And(bm)
			}
		}
		if kindAlone {
			// A rare kind from its postings rather than from the kind of
			// every document: kind:account among 1M posts 0.3 ms against
			// 2–4; kind:post is faster the other way (16 ms against 25).
			if bm, ok := rareTermBitmap(seg, fieldKind, docKinds[code-1], seg.Segment().Count()/8); ok {
				f.with = bm
			}
		}
		if d := seg.Deleted(); d != nil && !d.IsEmpty() {
			f.deleted = d
		}
		n, ok := sd.hits(f, &top, nums.starts[j])
		if !ok {
			return 0, nil, false, nil
		}
		total += n
	}
	page, ok, err := top.page(nums)
	if err != nil || !ok {
		return 0, nil, false, err
	}
	page = page[min(offset, len(page)):]
	internal := make([]bindex.IndexInternalID, len(page))
	for k, h := range page {
		internal[k] = h.internal
	}
	stored, err := loadStored(r, internal)
	if err != nil {
		return 0, nil, false, err
	}
	for _, h := range page {
		d := &search.DocumentMatch{ID: h.id, Score: 0, Fields: map[string]interface{}{}}
		for k, v := range stored[string(h.internal)] {
			d.Fields[k] = v
		}
		hits = append(hits, d)
	}
	if len(pq.Clauses) == 0 {
		// Everything: Bleve's match-all scores its hits alike, not 0.
		if err := ix.score(ctx, pq.compile(ix.analyzer), hits, true, math.NaN()); err != nil {
			return 0, nil, false, err
		}
	}
	return total, hits, true, nil
}

// filterBitmap returns the documents of seg that pass f: those with its
// term, or for an OR, with any of its terms; ok is false when the segment
// cannot give them as a bitmap.
func filterBitmap(seg *scorch.SegmentSnapshot, f filter) (*roaring.Bitmap, bool) {
	if f.or == nil {
		return termBitmap(seg, f.field, f.term)
	}
	union := roaring.New()
	for _, a := range f.or {
		bm, ok := termBitmap(seg, a.field, a.term)
		if !ok {
			return nil, false
		}
		union.Or(bm)
	}
	return union, true
}

// termBitmap returns the documents of seg that have term in field; ok is
// false when the segment cannot give them as a bitmap.
func termBitmap(seg *scorch.SegmentSnapshot, field, term string) (*roaring.Bitmap, bool) {
	return rareTermBitmap(seg, field, term, math.MaxUint64)
}

// rareTermBitmap is termBitmap when fewer than limit documents of seg
// have the term; ok is false otherwise, before the bitmap is built.
func rareTermBitmap(seg *scorch.SegmentSnapshot, field, term string, limit uint64) (*roaring.Bitmap, bool) {
	dict, err := seg.Segment().Dictionary(field)
	if err != nil {
		return nil, false
	}
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil || pl.Count() >= limit {
		return nil, false
	}
	or, ok := pl.(interface{ OrInto(*roaring.Bitmap) }) // zap's
	if !ok {
		return nil, false
	}
	bm := roaring.New()
	or.OrInto(bm)
	return bm, true
}

// every shows top the live documents of sd of f's kind (of any kind when
// f.code is 0), from the best end of the date order until the page is
// full and the next is worse, then those without a date, which sort last
// in both orders, if the page may still take them; it returns how many
// there are, counted from the kinds rather than by visiting each: the
// newest of everything among 1M posts without reading them all.
// ok is false when a document it would show has a date the cache cannot
// place, which may come first.
func (sd *segDates) every(f segFilter, top *datedTop, base uint64) (total uint64, ok bool) {
	live := func(num uint32, kind uint8) bool {
		return (f.code == 0 || kind == f.code) && (f.deleted == nil || !f.deleted.Contains(num))
	}
	for _, num := range sd.unplaced {
		if live(num, sd.kinds[num]) {
			return 0, false
		}
	}
	if f.code == 0 {
		total = uint64(len(sd.created))
	} else {
		total = uint64(sd.kindCount[f.code])
	}
	if f.deleted != nil {
		for it := f.deleted.Iterator(); it.HasNext(); {
			if num := it.Next(); int(num) < len(sd.kinds) && (f.code == 0 || sd.kinds[num] == f.code) {
				total--
			}
		}
	}
	n := len(sd.order)
	for k := range n {
		i := k
		if top.desc {
			i = n - 1 - k
		}
		if !live(sd.order[i], sd.orderKinds[i]) {
			continue
		}
		if top.full && top.cmp(sd.orderTimes[i], top.floor.created) > 0 { // all score 0
			break // and so are the rest
		}
		top.note(0, sd.orderTimes[i], base+uint64(sd.order[i]))
	}
	if !top.full || top.floor.created == noDate {
		for _, num := range sd.undated {
			if live(num, sd.kinds[num]) {
				top.note(0, noDate, base+uint64(num))
			}
		}
	}
	return total, true
}

// walk shows top the documents at [lo, hi) of sd's date order that match,
// the best first (newest when top.desc), and returns how many match. base
// is the number of the segment's first document in the snapshot. Once one
// is worse than the page's floor, so are the rest, which are only counted.
func (sd *segDates) walk(lo, hi int, match func(i int) bool, top *datedTop, base uint64) (total uint64) {
	n := max(0, hi-lo)
	at := func(k int) int {
		if top.desc {
			return hi - 1 - k
		}
		return lo + k
	}
	for k := 0; k < n; k++ {
		i := at(k)
		if !match(i) {
			continue
		}
		total++
		if top.full && top.cmp(sd.orderTimes[i], top.floor.created) > 0 { // all score 0
			for k++; k < n; k++ {
				if match(at(k)) {
					total++
				}
			}
			return total
		}
		top.note(0, sd.orderTimes[i], base+uint64(sd.order[i]))
	}
	return total
}

// segFilter is what byFilters asks of one segment's documents.
type segFilter struct {
	since, until time.Time       // zero: no bound
	code         uint8           // the kind, its index in docKinds plus one; 0 for any
	with         *roaring.Bitmap // the documents with the other filters' terms; nil for all (hits may change it)
	deleted      *roaring.Bitmap // nil for none
}

// hits shows top the documents of sd that pass f and returns how many
// pass; ok is false when it cannot tell (a date the cache cannot place
// that may be in the span, or no kinds). base is the number of the
// segment's first document in the snapshot. Of the span of time and the
// documents with the filters, it reads the smaller: the span in date
// order, checking each document against the filters, or the filters'
// documents, looking up each one's time.
func (sd *segDates) hits(f segFilter, top *datedTop, base uint64) (total uint64, ok bool) {
	dated := !f.since.IsZero() || !f.until.IsZero()
	// A date the cache cannot place is before 1678 or after 2261
	// (document writes every created in createdLayout): outside a span
	// with both ends, maybe inside one without.
	bounded := !f.since.IsZero() && !f.until.IsZero()
	times := sd.orderTimes
	lo, hi := 0, len(times)
	if !f.since.IsZero() {
		lo, _ = slices.BinarySearch(times, f.since.UnixNano())
	}
	if !f.until.IsZero() {
		hi, _ = slices.BinarySearch(times, f.until.UnixNano())
	}
	if !dated && f.with == nil {
		return sd.every(f, top, base)
	}
	if dated && (bounded || len(sd.unplaced) == 0) && (f.with == nil || uint64(hi-lo) < f.with.GetCardinality()) {
		match := func(i int) bool {
			num := sd.order[i]
			return (f.code == 0 || sd.orderKinds[i] == f.code) && (f.with == nil || f.with.Contains(num)) &&
				(f.deleted == nil || !f.deleted.Contains(num))
		}
		return sd.walk(lo, hi, match, top, base), true
	}
	if f.with == nil && f.code == 0 {
		// A span open at one end alone, over documents with dates the
		// cache cannot place: they may be in it.
		return 0, false
	}
	sinceN, untilN := int64(math.MinInt64), int64(math.MaxInt64)
	if !f.since.IsZero() {
		sinceN = f.since.UnixNano()
	}
	if !f.until.IsZero() {
		untilN = f.until.UnixNano()
	}
	// visit shows top document num if it is of the kind and in the span;
	// false when its date cannot be placed and may be in the span.
	visit := func(num uint32) bool {
		if f.code != 0 && sd.kinds[num] != f.code {
			return true
		}
		t := sd.created[num]
		switch {
		case t == oddDate && bounded:
			return true // outside the span (above)
		case t == oddDate:
			return false
		case dated && (t == noDate || t < sinceN || t >= untilN):
			return true
		}
		total++
		top.note(0, t, base+uint64(num))
		return true
	}
	if f.with == nil { // a kind and a span open at one end: every live document of the kind
		for num := range uint32(len(sd.created)) {
			// The kind first: a lookup in the deleted bitmap costs more.
			if sd.kinds[num] != f.code || f.deleted != nil && f.deleted.Contains(num) {
				continue
			}
			if !visit(num) {
				return 0, false
			}
		}
		return total, true
	}
	if f.deleted != nil {
		f.with.AndNot(f.deleted)
	}
	for it := f.with.Iterator(); it.HasNext(); {
		if !visit(it.Next()) {
			return 0, false
		}
	}
	return total, true
}
