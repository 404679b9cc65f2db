// Package index is podimport's full-text search: the only package that knows
// Bleve. It follows the store's change log (the store is the source of
// truth; the index can always be rebuilt from it), indexes complete posts
// and accounts under a static mapping made for short social text in many
// languages, and answers queries in the language people know from the
// platforms: from:alice since:2024-01-01 has:media #golang "exact phrase".
//
// The watermark — the last change the index has applied — lives in the
// store, not in the index, and is advanced only after a batch is applied
// (and, with Bleve's safe batches, persisted). A crash therefore at worst
// re-applies some changes; it never skips one.
package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/podimport/podimport/schema"
)

// Bleve's persister merges the in-memory segments of new batches before
// writing them. When that write fails (a full disk), Bleve v2.6.1's Batch
// closes its new segment although the segment is already part of the
// index, and the persister's next attempt reads the closed segment and
// panics in a goroutine no caller can recover ("assignment to entry in
// nil map" in zapx's invertedIndexCache): the process dies instead of
// stopping with "no space left on device". Without the in-memory merge the
// persister writes each new segment as it is, which needs no reading, and
// the file merger combines them later (TestFullDiskStopsCleanly).
func init() { scorch.DefaultMinSegmentsForInMemoryMerge = math.MaxInt }

// Source is what the index reads from the store, the source of truth.
type Source interface {
	// ChangedSince returns the ids changed in (after, last], in ascending
	// order of change, at most limit entries; last == after when none.
	ChangedSince(after uint64, limit int) (ids []string, last uint64, err error)
	// Nodes returns the nodes with these ids, without Raw; missing ids
	// (deleted nodes) are skipped.
	Nodes(ids []string) ([]schema.Node, error)
	// ForEachNodeWithoutRaw calls fn for every node, without Raw, for a
	// rebuild. An error from fn stops the walk and is returned.
	ForEachNodeWithoutRaw(fn func(schema.Node) error) error
	// LastChange is the sequence number of the newest change.
	LastChange() (uint64, error)
	// IndexWatermark is the last change the index has applied.
	IndexWatermark() (uint64, error)
	SetIndexWatermark(seq uint64) error
}

// BatchSize is the number of changes CatchUp reads from the store at a
// time; they are indexed as up to GOMAXPROCS Bleve batches at once. Large
// batches make few segments, and so few merges: at 4,000 a catch-up of
// 20k posts ran at 15,600 docs/s on 2 cores, at 1,000 at 10,900.
const BatchSize = 4000

// minPart is the fewest changes worth a Bleve batch of their own.
const minPart = 250

// ErrClosed is returned by an Index after Close.
var ErrClosed = errors.New("index: closed")

// ErrInUse is returned by Open when another process holds the index.
var ErrInUse = errors.New("index: in use by another process")

// Index is a Bleve index that follows a Source. It is safe for concurrent
// use: searches run while CatchUp or Reindex write.
type Index struct {
	dir      string
	src      Source
	mapping  *mapping.IndexMappingImpl
	analyzer analysis.Analyzer
	docs     *docMaker

	// Rebuilt tells why Open rebuilt the index from the store ("" when it
	// did not): the directory was missing, unreadable, built with another
	// mapping, or out of step with the store.
	Rebuilt string

	reindexMu sync.Mutex   // one Reindex at a time
	settleMu  sync.Mutex   // one SettleMerges at a time: scorch refuses a second
	wmu       sync.Mutex   // serializes writers (CatchUp, the swap of Reindex, Close)
	mu        sync.RWMutex // guards idx and closed: readers search, the swap and Close replace idx
	idx       bleve.Index
	closed    bool
	dates     *dateCache // set by KeepDates
}

// Open opens the index at dir (for example <store>/index.bleve), creating
// it when missing, and catches it up with src. When the directory is
// missing or unreadable, was built by another version of the mapping, or
// does not agree with the store's watermark, the index is rebuilt from the
// store and Rebuilt says why.
func Open(dir string, src Source) (*Index, error) { return OpenWith(dir, src, OpenOptions{}) }

// OpenOptions is what OpenWith may be told.
type OpenOptions struct {
	// Context stops the rebuild or the catch-up that opening may have to
	// do, which take minutes on a large store; nil is
	// context.Background().
	Context context.Context
	// Rebuilding, if not nil, is called when the index is rebuilt, with
	// Rebuilt's reason, and then as the rebuild goes (see
	// ReindexReporting).
	Rebuilding func(reason string, p RebuildProgress)
}

// OpenWith is Open with options.
func OpenWith(dir string, src Source, opt OpenOptions) (*Index, error) {
	im, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("index: mapping: %w", err)
	}
	ix := &Index{dir: dir, src: src, mapping: im, analyzer: im.AnalyzerNamed(textAnalyzer)}
	if ix.analyzer == nil {
		return nil, fmt.Errorf("index: analyzer %s missing", textAnalyzer)
	}
	if ix.docs, err = newDocMaker(im); err != nil {
		return nil, err
	}
	ctx := opt.Context
	if ctx == nil {
		ctx = context.Background()
	}

	reason, err := ix.openExisting()
	if err != nil {
		return nil, err
	}
	// Leftovers of an interrupted Reindex are never needed. (Only now: had
	// another process held the index, they could have been its own.)
	_ = os.RemoveAll(dir + ".new")
	_ = os.RemoveAll(dir + ".old")
	if reason != "" {
		ix.Rebuilt = reason
		var report func(RebuildProgress)
		if opt.Rebuilding != nil {
			opt.Rebuilding(reason, RebuildProgress{})
			report = func(p RebuildProgress) { opt.Rebuilding(reason, p) }
		}
		if err := ix.rebuild(ctx, report); err != nil {
			return nil, err
		}
	}
	if _, err := ix.CatchUp(ctx); err != nil {
		_ = ix.Close()
		return nil, err
	}
	return ix, nil
}

// openExisting opens dir into ix.idx. It returns why a rebuild is needed
// instead ("" when the index is usable); an error only for what a rebuild
// cannot fix.
func (ix *Index) openExisting() (rebuild string, err error) {
	if _, err := os.Stat(ix.dir); errors.Is(err, os.ErrNotExist) {
		return "index directory missing", nil
	} else if err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	idx, err := openBleve(ix.dir)
	if errors.Is(err, berrors.ErrTimeout) {
		return "", fmt.Errorf("%w: %s", ErrInUse, ix.dir)
	}
	if err != nil {
		return fmt.Sprintf("index unreadable: %v", err), nil
	}
	if v, err := idx.GetInternal(mappingVersionKey); err != nil || string(v) != mappingVersion {
		_ = idx.Close()
		return fmt.Sprintf("index built with mapping %q, want %q", v, mappingVersion), nil
	}
	wm, err := ix.src.IndexWatermark()
	if err != nil {
		_ = idx.Close()
		return "", fmt.Errorf("index: watermark: %w", err)
	}
	last, err := ix.src.LastChange()
	if err != nil {
		_ = idx.Close()
		return "", fmt.Errorf("index: last change: %w", err)
	}
	n, err := idx.DocCount()
	if err != nil {
		_ = idx.Close()
		return fmt.Sprintf("index unreadable: %v", err), nil
	}
	switch {
	case wm > last:
		_ = idx.Close()
		return fmt.Sprintf("watermark %d is ahead of the store's last change %d", wm, last), nil
	case wm == 0 && n > 0:
		_ = idx.Close()
		return fmt.Sprintf("index holds %d documents but the store's watermark is 0", n), nil
	}
	ix.idx = idx
	return "", nil
}

func openBleve(dir string) (bleve.Index, error) {
	// Without a timeout, opening an index that another process holds
	// waits forever.
	return bleve.OpenUsing(dir, bleveConfig(map[string]interface{}{"bolt_timeout": "1s"}))
}

// testMergePlan, when set, is the merge plan of Bleve's background merger
// for the indexes opened or built after: a test that looks at segments
// sets one that never merges, so that the merger does not change them
// under it. nil (Bleve's default plan) outside tests.
var testMergePlan map[string]interface{}

// bleveConfig completes the configuration of an index to open or create.
func bleveConfig(config map[string]interface{}) map[string]interface{} {
	if testMergePlan != nil {
		config["scorchMergePlanOptions"] = testMergePlan
	}
	return asyncConfig(config)
}

// CatchUp indexes every node changed after the watermark, in Bleve batches
// of up to BatchSize changes, and advances the watermark after each batch
// is applied. Nodes that are no longer indexable (they became references,
// or were deleted) are removed. It is cheap when nothing changed, so it can
// be called after every import page. It returns the number of documents
// indexed (deletions not counted).
func (ix *Index) CatchUp(ctx context.Context) (int, error) {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.RLock()
	idx := ix.idx
	ix.mu.RUnlock()
	if idx == nil {
		return 0, ErrClosed
	}

	after, err := ix.src.IndexWatermark()
	if err != nil {
		return 0, fmt.Errorf("index: watermark: %w", err)
	}
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		ids, last, err := ix.src.ChangedSince(after, BatchSize)
		if err != nil {
			return total, fmt.Errorf("index: changes after %d: %w", after, err)
		}
		if last <= after {
			return total, nil
		}
		n, err := ix.applyParallel(idx, dedup(ids))
		total += n
		if err != nil {
			return total, err
		}
		if err := ix.src.SetIndexWatermark(last); err != nil {
			return total, fmt.Errorf("index: set watermark %d: %w", last, err)
		}
		after = last
	}
}

// applyParallel indexes ids as up to GOMAXPROCS batches at once. Bleve builds
// each batch's segment on the calling goroutine, so one batch at a time
// leaves all cores but one idle. The parts are disjoint (ids are
// deduplicated), so no document is in two batches whose order could matter.
func (ix *Index) applyParallel(idx bleve.Index, ids []string) (int, error) {
	parts := min(runtime.GOMAXPROCS(0), max(1, len(ids)/minPart))
	if parts <= 1 {
		return ix.apply(idx, ids)
	}
	var (
		wg    sync.WaitGroup
		total atomic.Int64
		errs  = make([]error, parts)
	)
	size := (len(ids) + parts - 1) / parts
	for p := range parts {
		part := ids[p*size : min(len(ids), (p+1)*size)]
		wg.Go(func() {
			n, err := ix.apply(idx, part)
			total.Add(int64(n))
			errs[p] = err
		})
	}
	wg.Wait()
	return int(total.Load()), errors.Join(errs...)
}

// apply reads the nodes of ids from the store and indexes or deletes their
// documents in one batch.
func (ix *Index) apply(idx bleve.Index, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	nodes, err := ix.src.Nodes(ids)
	if err != nil {
		return 0, fmt.Errorf("index: read nodes: %w", err)
	}
	b := idx.NewBatch()
	found := make(map[string]bool, len(nodes))
	n := 0
	for _, node := range nodes {
		found[node.ID] = true
		if doc, ok := ix.docs.document(node); ok {
			if err := b.IndexAdvanced(doc); err != nil {
				return 0, fmt.Errorf("index: %s: %w", node.ID, err)
			}
			n++
		} else if mayBeDocument(node.ID) {
			b.Delete(node.ID)
		}
	}
	for _, id := range ids {
		if !found[id] && mayBeDocument(id) {
			b.Delete(id) // deleted from the store
		}
	}
	if b.Size() == 0 {
		return 0, nil
	}
	if err := batch(idx, b); err != nil {
		return 0, err
	}
	return n, nil
}

// batch applies b, turning a panic inside Bleve into an error. Bleve
// v2.6.1 can panic in Batch after one of its own writes failed (seen with
// a full disk: a segment closed on the error path is still read by a
// concurrent batch). The store is the source of truth and is not
// affected: the error stops the run, and the index catches up from the
// change log, or is rebuilt, when it is next opened.
func batch(idx bleve.Index, b *bleve.Batch) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("index: Bleve failed while writing a batch (%v); the store is intact, and the index catches up when next opened (is the disk full?)", r)
		}
	}()
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("index: batch: %w", err)
	}
	return nil
}

// dedup keeps the first occurrence of each id.
func dedup(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

// Reindex builds a fresh index from every node of the store in dir+".new",
// swaps it in for the current one, and catches it up. Searches keep using
// the current index while the new one is built, and CatchUp keeps
// following the store.
func (ix *Index) Reindex(ctx context.Context) error { return ix.ReindexReporting(ctx, nil) }

// RebuildProgress is how far a rebuild has come.
type RebuildProgress struct {
	Documents int  // indexed so far
	Merging   bool // every document is indexed; the segments are being merged (see settle)
}

// reportEvery is how many documents a rebuild indexes between reports (a
// variable so that a test can make it small).
var reportEvery = 10000

// ReindexReporting is Reindex that calls report (if not nil) every
// reportEvery documents and when the merges begin, from the goroutine
// that reads the store: at 1M posts a rebuild takes minutes.
func (ix *Index) ReindexReporting(ctx context.Context, report func(RebuildProgress)) error {
	ix.mu.RLock()
	closed := ix.idx == nil
	ix.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	if err := ix.rebuild(ctx, report); err != nil {
		return err
	}
	_, err := ix.CatchUp(ctx)
	return err
}

// rebuild builds dir+".new" from ForEachNodeWithoutRaw, swaps it into dir (the
// current index, if any, is closed and removed) and sets the watermark to
// the last change recorded before the build began. Changes made during the
// build are applied again by the next CatchUp, which is harmless.
func (ix *Index) rebuild(ctx context.Context, report func(RebuildProgress)) error {
	ix.reindexMu.Lock()
	defer ix.reindexMu.Unlock()

	start, err := ix.src.LastChange()
	if err != nil {
		return fmt.Errorf("index: last change: %w", err)
	}
	tmp := ix.dir + ".new"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if report == nil {
		report = func(RebuildProgress) {}
	}
	if err := ix.build(ctx, tmp, report); err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}

	// Swap. Writers wait; searches wait only for the renames.
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed { // closed while the new index was built
		_ = os.RemoveAll(tmp)
		return ErrClosed
	}
	if ix.idx != nil {
		if err := ix.idx.Close(); err != nil {
			return fmt.Errorf("index: close old index: %w", err)
		}
		ix.idx = nil
	}
	old := ix.dir + ".old"
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if _, err := os.Stat(ix.dir); err == nil {
		if err := os.Rename(ix.dir, old); err != nil {
			return fmt.Errorf("index: %w", err)
		}
	}
	if err := os.Rename(tmp, ix.dir); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	idx, err := openBleve(ix.dir)
	if err != nil {
		return fmt.Errorf("index: open rebuilt index: %w", err)
	}
	ix.idx = idx
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("index: remove old index: %w", err)
	}
	// The watermark goes back to where the build started, even if a
	// CatchUp on the old index went further meanwhile: a lower watermark
	// only re-applies changes.
	if err := ix.src.SetIndexWatermark(start); err != nil {
		return fmt.Errorf("index: set watermark %d: %w", start, err)
	}
	return nil
}

// build writes a new index of every indexable node into dir and closes it.
func (ix *Index) build(ctx context.Context, dir string, report func(RebuildProgress)) (err error) {
	idx, err := bleve.NewUsing(dir, ix.mapping, scorch.Name, bleve.Config.DefaultKVStore, bleveConfig(map[string]interface{}{}))
	if err != nil {
		return fmt.Errorf("index: create %s: %w", dir, err)
	}
	defer func() {
		if cerr := idx.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("index: close %s: %w", dir, cerr)
		}
	}()
	// Batches are indexed by GOMAXPROCS workers while the store is read:
	// Bleve builds a batch's segment on the goroutine that calls Batch.
	workers := runtime.GOMAXPROCS(0)
	batches := make(chan *bleve.Batch, workers)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range batches {
				if err := batch(idx, b); err != nil {
					errs <- err
					for range batches { // drain, so the reader never blocks
					}
					return
				}
			}
		})
	}
	size := max(minPart, BatchSize/workers)
	b := idx.NewBatch()
	docs := 0
	err = ix.src.ForEachNodeWithoutRaw(func(n schema.Node) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case err := <-errs:
			return err
		default:
		}
		doc, ok := ix.docs.document(n)
		if !ok {
			return nil
		}
		if err := b.IndexAdvanced(doc); err != nil {
			return fmt.Errorf("index: %s: %w", n.ID, err)
		}
		if docs++; docs%reportEvery == 0 {
			report(RebuildProgress{Documents: docs})
		}
		if b.Size() >= size {
			batches <- b
			b = idx.NewBatch()
		}
		return nil
	})
	if err == nil && b.Size() > 0 {
		batches <- b
	}
	close(batches)
	wg.Wait()
	close(errs)
	if err != nil {
		return err
	}
	if err := <-errs; err != nil {
		return err
	}
	report(RebuildProgress{Documents: docs, Merging: true})
	if _, err := settle(ctx, idx, dir); err != nil {
		return err
	}
	return idx.SetInternal(mappingVersionKey, []byte(mappingVersion))
}

// SettleMerges makes the merges Bleve's merger would make in the
// background, until its plan has none left (see settle). A process about
// to exit after writing calls it, so that the index it leaves opens and
// searches as fast as it will. Searches go on meanwhile; calls at once
// (two imports that end together in serve) take turns. A cancelled ctx
// stops it.
func (ix *Index) SettleMerges(ctx context.Context) error {
	ix.settleMu.Lock()
	defer ix.settleMu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return ErrClosed
	}
	_, err := settle(ctx, ix.idx, ix.dir)
	return err
}

// DocCount is the number of documents in the index.
func (ix *Index) DocCount() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return 0, ErrClosed
	}
	return ix.idx.DocCount()
}

// CountByKind counts the documents of each kind ("post", "account"), to
// compare the index with the store. Kinds with no documents are left out.
func (ix *Index) CountByKind() (map[string]uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil, ErrClosed
	}
	out := map[string]uint64{}
	for _, k := range []schema.Kind{schema.KindPost, schema.KindAccount} {
		q := bleve.NewTermQuery(string(k))
		q.SetField(fieldKind)
		req := bleve.NewSearchRequestOptions(q, 0, 0, false)
		req.Score = "none"
		sr, err := ix.idx.Search(req)
		if err != nil {
			return nil, fmt.Errorf("index: count %s: %w", k, err)
		}
		if sr.Total > 0 {
			out[string(k)] = sr.Total
		}
	}
	return out, nil
}

// Close closes the index. It waits for a running CatchUp and for searches.
func (ix *Index) Close() error {
	// The reader of KeepDates holds mu while it reads: tell it to stop
	// first, and wait for it once mu is released.
	ix.mu.RLock()
	if ix.dates != nil {
		ix.dates.signalStop()
	}
	ix.mu.RUnlock()
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.Lock()
	ix.closed = true
	dates := ix.dates
	ix.dates = nil
	var err error
	if ix.idx != nil {
		err = ix.idx.Close()
		ix.idx = nil
	}
	ix.mu.Unlock()
	if dates != nil {
		dates.signalStop()
		<-dates.done
	}
	return err
}
