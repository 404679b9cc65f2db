package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Run statuses.
const (
	StatusRunning = "running"
	StatusDone    = "done"
	StatusError   = "error"
	// StatusInterrupted: the run stopped before it was done, because it
	// was cancelled (Ctrl-C, SIGTERM, a server's shutdown) or because its
	// process ended without closing the run (killed or crashed; Open
	// records that, with abandonedRunError as the Error). Either way what
	// it committed is kept and the next run resumes from there.
	StatusInterrupted = "interrupted"
	StatusRateLimited = "rate_limited"
)

// Run is the record of one import run.
//
// While a run is running, every batch Apply commits for it also adds to
// its Written, sets its LastCommit and writes the requests noted by
// NoteRequests, in the batch's own transaction: the record of a run whose
// process is killed still says what the run committed.
type Run struct {
	ID       uint64         `json:"id"`
	Plugin   string         `json:"plugin"`
	Account  string         `json:"account"`
	Started  time.Time      `json:"started"`
	Ended    time.Time      `json:"ended,omitzero"`
	Status   string         `json:"status"`             // StatusRunning, StatusDone, …
	Requests map[string]int `json:"requests,omitempty"` // per endpoint
	Written  int            `json:"written"`            // nodes+edges actually changed
	// LastCommit is when a batch of the run was last committed; zero
	// before the first.
	LastCommit time.Time `json:"last_commit,omitzero"`
	Error      string    `json:"error,omitempty"`
}

// abandonedRunError is the Error of a run that Open found still running:
// the process that ran it ended without recording its end.
const abandonedRunError = "the process ended without closing the run (it was killed or crashed); " +
	"what the run committed is kept, and the next import of this account resumes from its last committed page"

// BeginRun records the start of a run and returns it with its ID (ids
// increase), Started set to now and Status running.
func (s *Store) BeginRun(plugin, account string) (Run, error) {
	r := Run{Plugin: plugin, Account: account, Started: s.now().UTC(), Status: StatusRunning}
	err := s.update("the run was not recorded", func(tx *bolt.Tx) error {
		b := runsBucket(tx)
		id, err := b.NextSequence()
		if err != nil {
			return wrapWrite(err, "number run")
		}
		r.ID = id
		return putRun(b, r)
	})
	if err != nil {
		return Run{}, err
	}
	return r, nil
}

// EndRun overwrites the record of run r.ID with r (it may be called again
// to update a record). If r.Status is not running and r.Ended is zero,
// Ended is set to now; fields r leaves zero among Plugin, Account, Started
// and LastCommit keep their stored values. Written and Requests are r's:
// the caller counts what its Apply calls returned and the requests it
// sent, which agrees with what the commits recorded. The error wraps
// ErrNotFound if no run r.ID was begun.
func (s *Store) EndRun(r Run) error {
	err := s.update(fmt.Sprintf("run %d was not updated", r.ID), func(tx *bolt.Tx) error {
		b := runsBucket(tx)
		old, ok, err := getRun(b, r.ID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("store: run %d: %w (runs are created by BeginRun)", r.ID, ErrNotFound)
		}
		if r.Plugin == "" {
			r.Plugin = old.Plugin
		}
		if r.Account == "" {
			r.Account = old.Account
		}
		if r.Started.IsZero() {
			r.Started = old.Started
		}
		if r.LastCommit.IsZero() {
			r.LastCommit = old.LastCommit
		}
		if r.Status != StatusRunning && r.Ended.IsZero() {
			r.Ended = s.now().UTC()
		}
		return putRun(b, r)
	})
	if err == nil && r.Status != StatusRunning {
		s.notes.drop(r.ID)
	}
	return err
}

// NoteRequests notes the requests per endpoint that run runID has sent so
// far. The note is written into the run's record by the run's next
// commit, so that a run that is killed shows the requests made up to its
// last commit; requests sent after that are lost with the process. A
// count never goes down: notes of a run's concurrent workers may arrive
// out of order. The note is dropped when the run ends (EndRun).
func (s *Store) NoteRequests(runID uint64, requests map[string]int) {
	if runID == 0 || len(requests) == 0 {
		return
	}
	s.notes.add(runID, requests)
}

// runNotes holds the requests noted for runs in flight, by run id.
type runNotes struct {
	mu       sync.Mutex
	requests map[uint64]map[string]int
}

func (n *runNotes) add(runID uint64, requests map[string]int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.requests == nil {
		n.requests = map[uint64]map[string]int{}
	}
	m := n.requests[runID]
	if m == nil {
		m = make(map[string]int, len(requests))
		n.requests[runID] = m
	}
	mergeMax(m, requests)
}

// merged returns recorded, a run's recorded requests, with run runID's
// noted requests merged in.
func (n *runNotes) merged(runID uint64, recorded map[string]int) map[string]int {
	n.mu.Lock()
	defer n.mu.Unlock()
	noted := n.requests[runID]
	if len(noted) == 0 {
		return recorded
	}
	if recorded == nil {
		recorded = make(map[string]int, len(noted))
	}
	mergeMax(recorded, noted)
	return recorded
}

func (n *runNotes) drop(runID uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.requests, runID)
}

// mergeMax raises the counts of into to those of from.
func mergeMax(into, from map[string]int) {
	for k, v := range from {
		if v > into[k] {
			into[k] = v
		}
	}
}

// countRun records in run runID's record, inside the transaction that
// commits one of its batches, what the batch wrote, the time of the commit
// and the requests noted so far. A run that is not running (or runID 0,
// or no such run: Apply allows both) is left as it is, and so is a record
// that does not decode: the batch matters more than its count, and EndRun
// reports the damage.
func (s *Store) countRun(tx *bolt.Tx, now time.Time, runID uint64, a Applied) error {
	if runID == 0 {
		return nil
	}
	b := runsBucket(tx)
	r, ok, err := getRun(b, runID)
	if err != nil || !ok || r.Status != StatusRunning {
		return nil
	}
	r.Written += a.Nodes + a.Edges + a.Ended
	r.LastCommit = now
	r.Requests = s.notes.merged(runID, r.Requests)
	return putRun(b, r)
}

// closeAbandonedRuns marks as interrupted every run that is still running
// when the store is opened. Open holds the file's lock, which only one
// process at a time can hold (two Opens in one process exclude each other
// too), and calls this before it returns the Store, so before this
// process can begin a run: a run still running was begun by a process
// that has lost the lock, that is one that ended without closing the run.
// This keeps the invariant that a record says running only while the
// process that runs it has the store open. The run's end is its last
// commit, when it had one; otherwise Ended stays zero, since the store
// does not know when the process died (Error says why).
//
// The records are scanned with a byte search first, so that an Open
// decodes only those that may be running. A record that does not decode is
// left as it is: failing Open for it would lock its owner out of the whole
// store, export included, while Runs reports it where it is read.
func closeAbandonedRuns(tx *bolt.Tx) error {
	b := runsBucket(tx)
	running := []byte(`"` + StatusRunning + `"`)
	var found []Run
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if !bytes.Contains(v, running) {
			continue
		}
		var r Run
		if json.Unmarshal(v, &r) == nil && r.Status == StatusRunning {
			found = append(found, r)
		}
	}
	// Written after the scan: a cursor is not valid across writes to its
	// bucket.
	for _, r := range found {
		r.Status, r.Error, r.Ended = StatusInterrupted, abandonedRunError, r.LastCommit
		if err := putRun(b, r); err != nil {
			return err
		}
	}
	return nil
}

// Runs returns at most limit runs, newest first; limit <= 0 means all.
func (s *Store) Runs(limit int) ([]Run, error) {
	var out []Run
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRuns).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var r Run
			if err := json.Unmarshal(v, &r); err != nil {
				return corrupt(fmt.Sprintf("run %d", decodeU64(k)), err)
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// RunByID returns one run; the error wraps ErrNotFound if there is none.
func (s *Store) RunByID(id uint64) (Run, error) {
	var r Run
	err := s.view(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		r, ok, err = getRun(tx.Bucket(bucketRuns), id)
		if err == nil && !ok {
			err = fmt.Errorf("store: run %d: %w", id, ErrNotFound)
		}
		return err
	})
	return r, err
}

// runsBucket returns the runs bucket ready for writing: ids only grow, so
// pages can be packed full.
func runsBucket(tx *bolt.Tx) *bolt.Bucket {
	b := tx.Bucket(bucketRuns)
	b.FillPercent = appendFill
	return b
}

func getRun(b *bolt.Bucket, id uint64) (Run, bool, error) {
	v := b.Get(encodeU64(id))
	if v == nil {
		return Run{}, false, nil
	}
	var r Run
	if err := json.Unmarshal(v, &r); err != nil {
		return Run{}, false, corrupt(fmt.Sprintf("run %d", id), err)
	}
	return r, true, nil
}

func putRun(b *bolt.Bucket, r Run) error {
	enc, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: run %d cannot be encoded: %w", r.ID, err)
	}
	return wrapWrite(b.Put(encodeU64(r.ID), enc), "put run %d", r.ID)
}
