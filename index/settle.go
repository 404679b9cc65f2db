package index

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// settle runs Bleve's merges, at the merge plan Bleve itself follows,
// until the plan has nothing left to merge, and returns the number of
// segments left. dir is the index's folder, for the error of a merge that
// failed.
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
func settle(ctx context.Context, idx bleve.Index, dir string) (segments uint64, err error) {
	adv, err := idx.Advanced()
	if err != nil {
		return 0, fmt.Errorf("index: merge: %w", err)
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return 0, nil
	}
	st := sc.Stats().(*scorch.Stats)
	count := func() uint64 {
		return atomic.LoadUint64(&st.TotFileSegmentsAtRoot) + atomic.LoadUint64(&st.TotMemorySegmentsAtRoot)
	}
	failures := atomic.LoadUint64(&st.TotFileMergeLoopErr)
	for {
		before := count()
		if err := forceMerge(ctx, dir, sc, st, failures); err != nil {
			return before, err
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

// mergeWatch is how often forceMerge looks for a failed merge.
const mergeWatch = 50 * time.Millisecond

// forceMerge asks scorch for one round of merges at its default plan and
// waits for it. A merge that fails (a full disk) does not end the round:
// scorch's merger reports the error to no caller and tries the same
// merges again, for ever, and ForceMerge would never return. So the round
// is watched: when scorch counts a failed merge beyond the failures it had
// counted before, it is cancelled, and the error Bleve reported for the
// index (asyncErrors) is returned.
func forceMerge(ctx context.Context, dir string, sc *scorch.Scorch, st *scorch.Stats, failures uint64) error {
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Scorch's default options: the plan its own merger follows
	// (FloorSegmentFileSize is 0 with the default persister options).
	opts := mergeplan.DefaultMergePlanOptions
	done := make(chan error, 1)
	go func() { done <- sc.ForceMerge(mctx, &opts) }()
	watch := time.NewTicker(mergeWatch)
	defer watch.Stop()
	failed := false
	for {
		select {
		case err := <-done:
			switch {
			case failed:
				return fmt.Errorf("index: merging segments failed: %w (the index is usable; its segments are merged when it is next held open)", lastAsyncError(dir))
			case err != nil:
				return fmt.Errorf("index: merge: %w", err)
			}
			return nil
		case <-watch.C:
			if !failed && atomic.LoadUint64(&st.TotFileMergeLoopErr) > failures {
				failed = true
				cancel()
			}
		}
	}
}

// asyncErrors holds the last error Bleve's background goroutines (the
// merger, the persister) met, by the scorch folder: they have no caller to
// return it to. Bleve calls asyncErrorCallback for every index opened with
// asyncConfig.
var asyncErrors sync.Map // string -> error

const asyncErrorCallback = "podimport"

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		asyncErrors.Store(path, err)
	}
}

// asyncConfig adds to a Bleve index configuration what makes its
// background errors reach asyncErrors.
func asyncConfig(config map[string]interface{}) map[string]interface{} {
	config["asyncErrorCallbackName"] = asyncErrorCallback
	return config
}

// lastAsyncError is the last background error of the index in dir, or a
// generic one when none was recorded (an index opened without
// asyncConfig).
func lastAsyncError(dir string) error {
	var found error
	asyncErrors.Range(func(k, v any) bool {
		if strings.HasPrefix(k.(string), dir) {
			found = v.(error)
		}
		return found == nil
	})
	if found == nil {
		return errors.New("Bleve's merger reported an error")
	}
	return found
}
