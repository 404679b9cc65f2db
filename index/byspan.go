package index

import (
	"context"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	bindex "github.com/blevesearch/bleve_index_api"
)

// A query of dates alone ("since:2024-03-01 until:2024-04-01", with one
// kind: at most) asks for a span of time in date order, which an index
// sorted by date answers by reading the span. With the dates kept in
// memory (datecache.go), each segment's documents are also kept in date
// order, so such a page is a binary search per segment and a walk of the
// span, without a Bleve searcher: a month among 1M posts (10,095), newest
// first, 0.13–0.15 ms, against 1.7–1.9 ms through the cached search (each
// hit costs Bleve's searchers about 170 ns) and SQLite's 0.09 ms with an
// index on created; a year (96,004) 0.3–0.4 ms against 14–16.

// spanOnly reports whether q is a span of time alone: since:, until: and
// at most one kind:, none negated, at least one of since: and until:. kind
// is "" for documents of every kind.
func (q *Query) spanOnly() (kind string, ok bool) {
	dated := false
	for _, c := range q.Clauses {
		switch {
		case c.Negate:
			return "", false
		case c.Op == OpSince || c.Op == OpUntil:
			dated = true
		case c.Op == OpKind && kind == "":
			kind = c.Value
		default:
			return "", false
		}
	}
	return kind, dated
}

// placeable reports whether t is a time the cache holds as unix
// nanoseconds (see parseCreated); zero is no bound, and placeable.
func placeable(t time.Time) bool {
	return t.IsZero() || t.Year() >= 1678 && t.Year() <= 2261
}

// bySpan finds the page of pq, a span of time alone (spanOnly), sorted by
// created (newest first when desc), then id, as searchByDate does, from
// the dates kept in memory. ok is false, and nothing done, when the index
// does not keep its dates, they are not all read yet (they are asked
// for), a segment has a date the cache cannot place, or the page or its
// ties are too deep. Every hit scores 0, as filters alone do (compile).
func (ix *Index) bySpan(ctx context.Context, pq *Query, desc bool, limit, offset int) (total uint64, hits search.DocumentMatchCollection, ok bool, err error) {
	kind, span := pq.spanOnly()
	since, until := pq.dates()
	need := offset + limit
	if !span || ix.dates == nil || need > maxCachedPage || !placeable(since) || !placeable(until) {
		return 0, nil, false, nil
	}
	code := uint8(0) // any kind
	if kind != "" {
		k := slices.Index(docKinds, kind)
		if k < 0 {
			return 0, nil, false, nil
		}
		code = uint8(k + 1)
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
		if sd.odd && (since.IsZero() || until.IsZero()) {
			// A date the cache cannot place is before 1678 or after
			// 2261 (document writes every created in createdLayout):
			// outside a span with both ends, maybe inside one without.
			return 0, nil, false, nil
		}
		deleted := seg.Deleted()
		if deleted != nil && deleted.IsEmpty() {
			deleted = nil
		}
		// The span [lo, hi) of the segment's date order.
		times := sd.orderTimes
		lo, hi := 0, len(times)
		if !since.IsZero() {
			lo, _ = slices.BinarySearch(times, since.UnixNano())
		}
		if !until.IsZero() {
			hi, _ = slices.BinarySearch(times, until.UnixNano())
		}
		match := func(i int) bool {
			return (code == 0 || sd.orderKinds[i] == code) && (deleted == nil || !deleted.Contains(sd.order[i]))
		}
		total += sd.walk(lo, hi, match, &top, nums.starts[j])
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
	return total, hits, true, nil
}

// termBitmap returns the documents of seg that have term in field; ok is
// false when the segment cannot give them as a bitmap.
func termBitmap(seg *scorch.SegmentSnapshot, field, term string) (*roaring.Bitmap, bool) {
	dict, err := seg.Segment().Dictionary(field)
	if err != nil {
		return nil, false
	}
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
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
		if top.full && top.cmp(sd.orderTimes[i], top.floor) > 0 {
			for k++; k < n; k++ {
				if match(at(k)) {
					total++
				}
			}
			return total
		}
		top.note(sd.orderTimes[i], base+uint64(sd.order[i]))
	}
	return total
}
