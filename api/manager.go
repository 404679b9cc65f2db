package api

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/store"
)

// keepFinished is how many finished runs the manager remembers with their
// last progress; older ones are answered from their run records.
const keepFinished = 100

var errShuttingDown = errors.New("the server is shutting down; no new imports")

// errStopped is why the runs still going at shutdown stopped: their
// records say it.
var errStopped = errors.New("stopped: the server shut down")

// busyError: the account is being imported already.
type busyError struct {
	plugin, account string
	id              uint64
}

func (e *busyError) Error() string {
	return fmt.Sprintf("an import of %s %s is already running (run %d); wait for it to finish", e.plugin, e.account, e.id)
}

// manager runs imports in the background, one at a time per (plugin,
// account), and keeps their latest progress.
type manager struct {
	store *store.Store
	index *index.Index
	log   *zerolog.Logger

	ctx    context.Context // cancelled by shutdown; every run's context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	running  map[runKey]*importRun
	byID     map[uint64]*importRun // running and recently finished
	finished []uint64              // ids of finished runs in byID, oldest first
}

type runKey struct{ plugin, account string }

func newManager(s *store.Store, ix *index.Index, log *zerolog.Logger) *manager {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &manager{
		store: s, index: ix, log: log, ctx: ctx, cancel: func() { cancel(errStopped) },
		running: map[runKey]*importRun{}, byID: map[uint64]*importRun{},
	}
}

// importRun is one run started by the manager. It is the run's
// importer.Reporter.
type importRun struct {
	key    runKey
	begun  chan struct{} // closed once the run record exists (or could not be made)
	done   chan struct{} // closed when the run has ended
	logRep importer.Reporter

	mu       sync.Mutex
	rec      store.Run // the record: as begun, then as ended
	beginErr error
	last     importer.Status
	ended    bool
}

// Report keeps the latest status and logs progress.
func (r *importRun) Report(s importer.Status) {
	r.mu.Lock()
	r.last = s
	r.mu.Unlock()
	r.logRep.Report(s)
}

func (r *importRun) id() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rec.ID
}

func (r *importRun) view() Import {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := fromRecord(r.rec)
	v.Plugin, v.Account = r.key.plugin, r.key.account
	v.Active = !r.ended
	s := r.last
	v.Progress = &Progress{
		Stream: s.Stream, Items: s.Items, Expect: s.Expect, Requests: s.Requests,
		WaitingUntil: s.WaitingUntil, WaitEndpoint: s.WaitEndpoint,
	}
	if !r.ended {
		v.Status = store.StatusRunning
		v.Counts = Counts{Written: s.Written, Requests: s.Requests}
	}
	return v
}

// beginStore is the store a run writes to: the server's, telling the
// manager the account the run records (see claim) and the run's id as
// soon as its record is made.
type beginStore struct {
	*store.Store
	claim func(account string) error
	begun func(store.Run, error)
}

func (b beginStore) BeginRun(plugin, account string) (store.Run, error) {
	if err := b.claim(account); err != nil {
		b.begun(store.Run{}, err)
		return store.Run{}, err
	}
	rec, err := b.Store.BeginRun(plugin, account)
	b.begun(rec, err)
	return rec, err
}

// claim moves run to account, the one its run records: a job may learn it
// only once it asks the platform (the token's owner, "me" until then; see
// importer.AccountResolver). It fails with a *busyError when that account
// is being imported already.
func (m *manager) claim(run *importRun, account string) error {
	for {
		m.mu.Lock()
		key := runKey{run.key.plugin, account}
		if key == run.key {
			m.mu.Unlock()
			return nil
		}
		other, ok := m.running[key]
		if !ok {
			delete(m.running, run.key)
			m.running[key] = run
			run.mu.Lock()
			run.key = key
			run.mu.Unlock()
			m.mu.Unlock()
			return nil
		}
		m.mu.Unlock()
		if err := m.busyWith(other, key); err != nil {
			return err
		}
	}
}

// busyWith waits until other, found under key in running, has its run
// record, and returns the *busyError saying that other imports key's
// account. It returns nil when other turned out not to: it moved to the
// account it learnt ("me" became the token's owner), or it ended without
// a record (its account was busy); then it waits until other has left key,
// so that the caller can look again.
func (m *manager) busyWith(other *importRun, key runKey) error {
	<-other.begun
	other.mu.Lock()
	holds := other.beginErr == nil && other.key == key
	id := other.rec.ID
	other.mu.Unlock()
	if holds {
		return &busyError{plugin: key.plugin, account: key.account, id: id}
	}
	m.mu.Lock()
	still := m.running[key] == other
	m.mu.Unlock()
	if still {
		<-other.done
	}
	return nil
}

// start runs job in the background and returns once its run record exists,
// so the run has an id. It fails with a *busyError when the account is
// being imported, and errShuttingDown after shutdown.
func (m *manager) start(p importer.Plugin, job importer.Job, noWait bool) (*importRun, error) {
	key := runKey{p.Name(), job.Account()}
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, errShuttingDown
		}
		other, ok := m.running[key]
		if !ok {
			break // with m.mu held
		}
		m.mu.Unlock()
		if err := m.busyWith(other, key); err != nil {
			return nil, err
		}
	}
	run := &importRun{
		key:    key,
		begun:  make(chan struct{}),
		done:   make(chan struct{}),
		logRep: importer.NewLogReporter(m.log),
	}
	m.running[key] = run
	m.wg.Add(1)
	m.mu.Unlock()

	go m.run(run, p, job, noWait)
	<-run.begun
	run.mu.Lock()
	err := run.beginErr
	run.mu.Unlock()
	if err != nil {
		<-run.done
		return nil, err
	}
	return run, nil
}

func (m *manager) run(run *importRun, p importer.Plugin, job importer.Job, noWait bool) {
	defer m.wg.Done()
	var once sync.Once
	begun := func(rec store.Run, err error) {
		once.Do(func() {
			run.mu.Lock()
			run.rec, run.beginErr = rec, err
			run.mu.Unlock()
			if err == nil {
				m.mu.Lock()
				m.byID[rec.ID] = run
				m.mu.Unlock()
			}
			close(run.begun)
		})
	}
	cfg := importer.RunConfig{
		Store:  beginStore{Store: m.store, claim: func(account string) error { return m.claim(run, account) }, begun: begun},
		NoWait: noWait, Log: m.log, Progress: run,
	}
	if m.index != nil {
		cfg.Index = m.index
	}
	rec, err := importer.Run(m.ctx, cfg, p, job)
	begun(rec, fmt.Errorf("the run did not start: %v", err)) // when BeginRun was never reached

	run.mu.Lock()
	if rec.ID != 0 {
		run.rec = rec
	}
	run.ended = true
	run.mu.Unlock()

	m.mu.Lock()
	delete(m.running, run.key)
	if rec.ID != 0 {
		m.finished = append(m.finished, rec.ID)
		if len(m.finished) > keepFinished {
			delete(m.byID, m.finished[0])
			m.finished = m.finished[1:]
		}
	}
	m.mu.Unlock()
	close(run.done)
}

func (m *manager) byRunID(id uint64) *importRun {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byID[id]
}

// active returns the runs in flight that have a record.
func (m *manager) active() []*importRun {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*importRun
	for _, r := range m.running {
		if _, ok := m.byID[r.id()]; ok {
			out = append(out, r)
		}
	}
	return out
}

func (m *manager) runningCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.running)
}

// shutdown refuses new runs, cancels the running ones and waits for them
// to record how they ended, or for ctx.
func (m *manager) shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	n := len(m.running)
	m.mu.Unlock()
	if n > 0 {
		m.log.Info().Int("imports", n).Msg("interrupting running imports")
	}
	m.cancel()
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("imports still running: %w", ctx.Err())
	}
}
