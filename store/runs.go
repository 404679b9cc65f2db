package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Run statuses.
const (
	StatusRunning     = "running"
	StatusDone        = "done"
	StatusError       = "error"
	StatusInterrupted = "interrupted"
	StatusRateLimited = "rate_limited"
)

// Run is the record of one import run.
type Run struct {
	ID       uint64         `json:"id"`
	Plugin   string         `json:"plugin"`
	Account  string         `json:"account"`
	Started  time.Time      `json:"started"`
	Ended    time.Time      `json:"ended,omitzero"`
	Status   string         `json:"status"`             // StatusRunning, StatusDone, …
	Requests map[string]int `json:"requests,omitempty"` // per endpoint
	Written  int            `json:"written"`            // nodes+edges actually changed
	Error    string         `json:"error,omitempty"`
}

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
// Ended is set to now; fields r leaves zero among Plugin, Account and
// Started keep their stored values. The error wraps ErrNotFound if no run
// r.ID was begun.
func (s *Store) EndRun(r Run) error {
	return s.update(fmt.Sprintf("run %d was not updated", r.ID), func(tx *bolt.Tx) error {
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
		if r.Status != StatusRunning && r.Ended.IsZero() {
			r.Ended = s.now().UTC()
		}
		return putRun(b, r)
	})
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
