package index

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// settle runs Bleve's merges, at the merge plan Bleve itself follows,
// until the plan has nothing left to merge, and returns the number of
// segments left.
//
// A rebuild writes segments much faster than Bleve's one merger goroutine
// combines them: at 1M posts, Reindex ended with about 130 segments where
// the plan settles at about 17. Closed like that, the index stayed slow
// until a long-running process (serve) had merged it: every open read the
// segments' files again (0.8 s instead of 3 ms), searches were 1.5–5 times
// slower, and every short-lived command (a CLI search) started the same
// merges, competed with its own search for the CPU and abandoned them.
//
// The merges of one round run one after the other on one goroutine, so
// this takes a while on a large index. A cancelled ctx stops it: the
// merges done stay, the one in progress is dropped (a merge is introduced
// whole or not at all). Scorch runs one such request at a time and refuses
// a second one while the first runs: callers on one index take turns.
func settle(ctx context.Context, idx bleve.Index) (segments uint64, err error) {
	adv, err := idx.Advanced()
	if err != nil {
		return 0, fmt.Errorf("index: merge: %w", err)
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return 0, nil
	}
	count := func() uint64 {
		st := sc.Stats().(*scorch.Stats)
		return atomic.LoadUint64(&st.TotFileSegmentsAtRoot) + atomic.LoadUint64(&st.TotMemorySegmentsAtRoot)
	}
	for {
		before := count()
		// Scorch's default options: the plan its own merger follows
		// (FloorSegmentFileSize is 0 with the default persister options).
		opts := mergeplan.DefaultMergePlanOptions
		if err := sc.ForceMerge(ctx, &opts); err != nil {
			return before, fmt.Errorf("index: merge: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return count(), err
		}
		// A round with nothing to merge leaves the count as it was; a
		// round that merged leaves fewer segments, and may have made
		// segments large enough to merge at the next tier.
		if after := count(); after >= before {
			return after, nil
		}
	}
}
