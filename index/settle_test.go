package index

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/podimport/podimport/internal/testutil"
)

// pendingMerges is the number of merges Bleve's default plan would make
// on idx as it is now.
func pendingMerges(t *testing.T, idx bleve.Index) (tasks, segments int) {
	t.Helper()
	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var segs []mergeplan.Segment
	for _, s := range r.(*scorch.IndexSnapshot).Segments() {
		segs = append(segs, s)
	}
	plan, err := mergeplan.Plan(segs, &mergeplan.DefaultMergePlanOptions)
	if err != nil {
		t.Fatal(err)
	}
	if plan != nil {
		tasks = len(plan.Tasks)
	}
	return tasks, len(segs)
}

// TestSettle checks that settle merges an index of many small segments
// until Bleve's default plan has nothing left to merge, keeping every
// document.
func TestSettle(t *testing.T) {
	idx := manySegments(t, t.TempDir()+"/index.bleve", map[string]interface{}{})
	if tasks, segs := pendingMerges(t, idx); tasks == 0 || segs < 20 {
		t.Fatalf("before settle: %d segments, %d merges planned; the test needs many of both", segs, tasks)
	}

	left, err := settle(t.Context(), idx, "")
	if err != nil {
		t.Fatal(err)
	}
	tasks, segs := pendingMerges(t, idx)
	if tasks != 0 || uint64(segs) != left || segs >= 20 {
		t.Errorf("after settle: %d segments (settle said %d), %d merges still planned; want none planned", segs, left, tasks)
	}
	if n, err := idx.DocCount(); err != nil || n != 600 {
		t.Errorf("after settle: %d documents (%v), want 600", n, err)
	}
}

// TestReindexSettles checks that a rebuilt index is left with nothing for
// Bleve's merger to do.
func TestReindexSettles(t *testing.T) {
	ix, _ := segmentedIndex(t, 4000)
	if err := ix.Reindex(t.Context()); err != nil {
		t.Fatal(err)
	}
	if tasks, segs := pendingMerges(t, ix.idx); tasks != 0 {
		t.Errorf("after Reindex: %d segments, %d merges planned; want none planned", segs, tasks)
	}
}

// TestSettleMerges checks that an index written by catch-ups is left with
// nothing for Bleve's merger to do, and keeps its documents, when
// SettleMerges is called from several goroutines at once (imports that end
// together in serve): scorch alone refuses all but one of them with "force
// merge already in progress".
func TestSettleMerges(t *testing.T) {
	ix, _ := segmentedIndex(t, 4000)
	const calls = 8
	errs := make(chan error, calls)
	for range calls {
		go func() { errs <- ix.SettleMerges(t.Context()) }()
	}
	for range calls {
		if err := <-errs; err != nil {
			t.Errorf("SettleMerges: %v", err)
		}
	}
	if tasks, segs := pendingMerges(t, ix.idx); tasks != 0 {
		t.Errorf("after SettleMerges: %d segments, %d merges planned; want none planned", segs, tasks)
	}
	if n, err := ix.DocCount(); err != nil || n != 4000 {
		t.Errorf("after SettleMerges: %d documents (%v), want 4000", n, err)
	}
	ix.Close()
	if err := ix.SettleMerges(t.Context()); !errors.Is(err, ErrClosed) {
		t.Errorf("SettleMerges after Close: %v, want ErrClosed", err)
	}
}

// TestReindexReporting checks what a rebuild reports: the documents
// indexed, counting up, then the merges with every document.
func TestReindexReporting(t *testing.T) {
	ix, _ := segmentedIndex(t, 2000)
	defer func(n int) { reportEvery = n }(reportEvery)
	reportEvery = 500
	var got []RebuildProgress
	if err := ix.ReindexReporting(t.Context(), func(p RebuildProgress) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	want := []RebuildProgress{{Documents: 500}, {Documents: 1000}, {Documents: 1500}, {Documents: 2000}, {Documents: 2000, Merging: true}}
	if !slices.Equal(got, want) {
		t.Errorf("reports %v, want %v", got, want)
	}
}

// TestSettleFullDisk checks that merges that cannot be written (a full
// disk) end settle with the disk's error instead of leaving it waiting:
// scorch's merger tries a failed merge again for ever and answers the
// request that asked for it never.
func TestSettleFullDisk(t *testing.T) {
	mnt := testutil.SmallDisk(t, "8m")

	idx := manySegments(t, mnt+"/index.bleve", asyncConfig(map[string]interface{}{}))
	// Fill the disk.
	f, err := os.Create(mnt + "/filler")
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err = settle(ctx, idx, mnt+"/index.bleve")
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("settle on a full disk: %v (context: %v); want the disk's error, at once", err, ctx.Err())
	}
	if n, err := idx.DocCount(); err != nil || n != 600 {
		t.Errorf("after the failed merges: %d documents (%v), want 600", n, err)
	}
}

// manySegments is a new index in dir of 600 posts in 30 segments, whose own
// merger is told a plan that never merges, so that the segments are there
// to merge whatever the scheduler does. config is Bleve's, to which the
// plan is added; the index is closed when t ends.
func manySegments(t *testing.T, dir string, config map[string]interface{}) bleve.Index {
	t.Helper()
	im, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	config["scorchMergePlanOptions"] = neverMerge
	idx, err := bleve.NewUsing(dir, im, scorch.Name, scorch.Name, config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	ds, err := newDocMaker(im)
	if err != nil {
		t.Fatal(err)
	}
	posts := genPosts(600)
	for i := 0; i < len(posts); i += 20 {
		b := idx.NewBatch()
		for _, n := range posts[i : i+20] {
			doc, ok := ds.document(n)
			if !ok {
				t.Fatalf("%s: not indexable", n.ID)
			}
			if err := b.IndexAdvanced(doc); err != nil {
				t.Fatal(err)
			}
		}
		if err := idx.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	return idx
}

// neverMerge is a merge plan under which Bleve's merger leaves every
// segment as it is (each is its own tier): for the tests that look at
// segments, or need them there to merge.
var neverMerge = map[string]interface{}{"MaxSegmentsPerTier": 1 << 20, "FloorSegmentSize": 1}
