package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// Store is what the runner needs from the store; *store.Store satisfies it.
type Store interface {
	BeginRun(plugin, account string) (store.Run, error)
	EndRun(r store.Run) error
	// NoteRequests gives the run's requests so far to the store, which
	// writes them into the run's record with its next commit.
	NoteRequests(runID uint64, requests map[string]int)
	Apply(runID uint64, plugin, account string, b schema.Batch) (store.Applied, error)
	Cursor(plugin, account, stream string) (string, error)
	HasComplete(id string) (bool, error)
	PutBlob(r io.Reader) (sha256hex string, n int64, err error)
}

// Indexer is what the runner needs from the search index: bringing it up
// to date with the store's change log, and, at the end of a run, making
// the merges of its segments that would otherwise be left to whichever
// process opens it next.
type Indexer interface {
	CatchUp(ctx context.Context) (int, error)
	SettleMerges(ctx context.Context) error
}

// Statuses a run record ends with (the store's).
const (
	RunDone        = store.StatusDone
	RunInterrupted = store.StatusInterrupted // the context was cancelled
	RunRateLimited = store.StatusRateLimited // a window was spent and the run could not wait
	RunError       = store.StatusError
)

// RunConfig is what Run needs besides the plugin and its job.
type RunConfig struct {
	Store Store
	// Index is caught up after every Emit. Nil means no index.
	Index Indexer
	// Clock defaults to SystemClock.
	Clock Clock
	// NoWait: a spent rate-limit window ends the run (status rate_limited)
	// instead of being waited out.
	NoWait bool
	// Log defaults to no logging.
	Log *zerolog.Logger
	// Progress receives the run's progress. Nil means none.
	Progress Reporter
	// HTTP holds the defaults of the clients made by Host.HTTP (Timeout,
	// MaxRetries...). Its Transport is used when a plugin passes none;
	// Clock, NoWait and Log come from this RunConfig; its OnWait, if any,
	// is called besides the runner's own.
	HTTP ClientConfig
}

// Run runs job, plugin p's import of one account: it opens a run record,
// runs the job with a Host that commits its batches and keeps the index
// caught up, and closes the record with the outcome (status done,
// interrupted, rate_limited or error; requests per endpoint; records
// written), even when the job fails. Each batch's commit also brings the
// record's counts up to date, so that a run whose process is killed, and
// never closes its record, still shows what it committed. The error is the
// job's, wrapped with the plugin and account.
func Run(ctx context.Context, cfg RunConfig, p Plugin, job Job) (store.Run, error) {
	if cfg.Store == nil {
		return store.Run{}, errors.New("importer: RunConfig.Store is nil")
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock
	}
	base := zerolog.Nop()
	if cfg.Log != nil {
		base = *cfg.Log
	}
	name := p.Name()
	h := &host{
		cfg:    cfg,
		log:    base.With().Str("plugin", name).Str("account", job.Account()).Logger(),
		plugin: name,
		waits:  map[string]time.Time{},
	}
	// The account keys the run's cursors and record: a job that must ask
	// the platform who it imports does so first, through the run's client,
	// so that its request counts as the run's. When that fails, the run
	// is recorded under the account as named, with the error.
	var resolveErr error
	if r, ok := job.(AccountResolver); ok {
		resolveErr = h.runStep(func() error { return r.ResolveAccount(ctx, h.HTTP) })
	}
	account := job.Account()

	run, err := cfg.Store.BeginRun(name, account)
	if err != nil {
		return run, fmt.Errorf("%s %s: starting the run record: %w", name, account, err)
	}
	if run.Started.IsZero() {
		run.Started = cfg.Clock.Now()
	}
	h.log = base.With().Str("plugin", name).Str("account", account).Uint64("run", run.ID).Logger()
	h.account, h.runID = account, run.ID
	h.st.Plugin, h.st.Account = name, account
	h.log.Info().Msg("import started")

	if cfg.Index != nil {
		h.index = startIndexer(ctx, cfg.Index)
	}
	jobErr := resolveErr
	if jobErr == nil {
		jobErr = h.runStep(func() error { return job.Run(ctx, h) })
	}
	if h.index != nil {
		// After a complete run the index is brought fully up to date, so a
		// search right after sees everything; after an interruption the
		// index catches up when it is next opened.
		if err := h.index.stop(ctx.Err() == nil); err != nil && jobErr == nil && ctx.Err() == nil {
			jobErr = fmt.Errorf("index: %w", err)
		}
		// The run's process may exit next (a CLI import, pod-run): the
		// segments it leaves unmerged would slow every later open and
		// search until a long-running process merged them (at 100k
		// posts, 24 segments merged to 15 in 0.4 s). Not after a failed
		// run (a full disk would fail the merges too), nor after an
		// interruption, whose exit must not wait. The data is committed
		// and indexed either way: a failure here is said, not the run's.
		if jobErr == nil && ctx.Err() == nil {
			if err := cfg.Index.SettleMerges(ctx); err != nil && ctx.Err() == nil {
				h.log.Warn().Err(err).Msg("the index's segments could not be merged")
			}
		}
	}

	run.Ended = cfg.Clock.Now()
	run.Requests = h.requests()
	h.pmu.Lock()
	run.Written = h.st.Written
	h.pmu.Unlock()
	jobErr = stoppedBy(ctx, jobErr)
	run.Status = runStatus(ctx, jobErr)
	if jobErr != nil {
		run.Error = jobErr.Error()
	}
	endErr := cfg.Store.EndRun(run)
	if endErr != nil {
		h.log.Error().Err(endErr).Msg("could not record the run's end")
	}

	// The last report first: it closes the last stream (a log line with
	// its total, or the terminal's bar), so that the run's end is the
	// last line.
	h.report(true, jobErr)
	total := 0
	for _, n := range run.Requests {
		total += n
	}
	ev := h.log.Info()
	if jobErr != nil {
		ev = h.log.Warn().Err(jobErr)
	}
	ev.Str("status", run.Status).Int("written", run.Written).Int("requests", total).
		Dur("took_ms", run.Ended.Sub(run.Started)).Msg("import finished")

	switch {
	case jobErr != nil:
		return run, fmt.Errorf("%s %s: %w", name, account, jobErr)
	case endErr != nil:
		return run, fmt.Errorf("%s %s: recording the run: %w", name, account, endErr)
	}
	return run, nil
}

// stoppedBy is err, the error of a job whose context was cancelled, told
// by the context's cause when it has one (a signal, a server's shutdown):
// "context canceled" and the endpoint in flight say nothing to the user.
func stoppedBy(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	cause := context.Cause(ctx)
	if cause == nil || errors.Is(cause, context.Canceled) || errors.Is(cause, context.DeadlineExceeded) {
		return err
	}
	return &stoppedError{cause: cause, err: err}
}

// stoppedError is a run stopped by its context's cause. It is the cause
// and, through Unwrap, also the job's own error (context.Canceled).
type stoppedError struct {
	cause, err error
}

func (e *stoppedError) Error() string {
	return e.cause.Error() + "; what was committed stays, and the next run resumes from it"
}

func (e *stoppedError) Unwrap() []error { return []error{e.cause, e.err} }

func runStatus(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return RunDone
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return RunInterrupted
	case errors.Is(err, ErrRateLimited):
		return RunRateLimited
	default:
		return RunError
	}
}

// AddItems tells progress that the job finished n items of its current
// stream, in the unit of the expect it gave Host.Stream (tweets, accounts).
// Items are counted only this way (records written are counted apart):
// guessing items from records would mix units within a stream.
// It does nothing with a Host that is not the runner's.
func AddItems(h Host, n int) {
	if c, ok := h.(interface{ addItems(int) }); ok {
		c.addItems(n)
	}
}

// host is the Host a job runs with.
type host struct {
	cfg     RunConfig
	log     zerolog.Logger
	plugin  string
	account string
	runID   uint64

	index *indexer // nil without an index

	cmu     sync.Mutex
	clients []hostClient

	pmu   sync.Mutex // progress; held while reporting, so reports stay in order
	st    Status
	waits map[string]time.Time
}

type hostClient struct {
	transport http.RoundTripper
	client    *Client
}

// runStep runs a step of the plugin's, turning a panic into an error.
func (h *host) runStep(step func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			h.log.Error().Str("stack", string(debug.Stack())).Msgf("plugin panicked: %v", r)
			err = fmt.Errorf("plugin panicked: %v", r)
		}
	}()
	return step()
}

// HTTP returns the run's client for transport, made the first time from
// RunConfig.HTTP. Calls with the same transport share one client, and so
// their rate-limit windows.
func (h *host) HTTP(transport http.RoundTripper, limits RateLimitFunc) Doer {
	h.cmu.Lock()
	defer h.cmu.Unlock()
	for _, hc := range h.clients {
		if sameTransport(hc.transport, transport) {
			return hc.client
		}
	}
	cc := h.cfg.HTTP
	if transport != nil {
		cc.Transport = transport
	}
	if limits != nil {
		cc.Limits = limits
	}
	cc.Clock = h.cfg.Clock
	cc.NoWait = cc.NoWait || h.cfg.NoWait
	cc.Log = &h.log
	userOnWait := cc.OnWait
	cc.OnWait = func(endpoint string, until time.Time, reason string) {
		h.waiting(endpoint, until)
		if userOnWait != nil {
			userOnWait(endpoint, until, reason)
		}
	}
	c := NewClient(cc)
	h.clients = append(h.clients, hostClient{transport: transport, client: c})
	return c
}

// sameTransport compares two transports without panicking on ones whose
// dynamic type is not comparable.
func sameTransport(a, b http.RoundTripper) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && a == b
}

func (h *host) requests() map[string]int {
	h.cmu.Lock()
	defer h.cmu.Unlock()
	m := map[string]int{}
	for _, hc := range h.clients {
		for k, v := range hc.client.Requests() {
			m[k] += v
		}
	}
	return m
}

func (h *host) requestsTotal() int {
	h.cmu.Lock()
	defer h.cmu.Unlock()
	n := 0
	for _, hc := range h.clients {
		n += hc.client.requestsTotal()
	}
	return n
}

func (h *host) Emit(ctx context.Context, b schema.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Checked only before applying: a batch that is being applied is
	// committed whole. Concurrent Emits (a plugin's workers) are not
	// serialized here: the store commits them together (group commit).
	// The requests that fetched the batch are recorded with it; the
	// store's record counts what the batch wrote itself.
	h.cfg.Store.NoteRequests(h.runID, h.requests())
	a, err := h.cfg.Store.Apply(h.runID, h.plugin, h.account, b)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	h.pmu.Lock()
	h.st.Written += a.Nodes + a.Edges + a.Ended
	h.pmu.Unlock()

	if h.index != nil {
		if err := h.index.err(); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		h.index.kick()
	}
	h.report(false, nil)
	return nil
}

func (h *host) Cursor(stream string) (string, error) {
	return h.cfg.Store.Cursor(h.plugin, h.account, stream)
}

func (h *host) Stored(id string) (bool, error) {
	return h.cfg.Store.HasComplete(id)
}

func (h *host) Blob(r io.Reader) (string, int64, error) {
	return h.cfg.Store.PutBlob(r)
}

func (h *host) Stream(name string, expect int) {
	h.pmu.Lock()
	if name != h.st.Stream {
		if h.st.Stream != "" && h.cfg.Progress != nil {
			// The stream's total: reports after an Emit may not count
			// the items the job added after it.
			s := h.status()
			s.StreamDone = true
			h.cfg.Progress.Report(s)
		}
		h.st.Stream, h.st.Items = name, 0
		h.log.Debug().Str("stream", name).Int("expect", expect).Msg("stream")
	}
	h.st.Expect = expect
	h.pmu.Unlock()
	h.report(false, nil)
}

func (h *host) addItems(n int) {
	h.pmu.Lock()
	defer h.pmu.Unlock()
	h.st.Items += n
}

func (h *host) Log() *zerolog.Logger { return &h.log }

func (h *host) Now() time.Time { return h.cfg.Clock.Now() }

// waiting records a rate-limit wait's start (until set) or end (zero).
func (h *host) waiting(endpoint string, until time.Time) {
	h.pmu.Lock()
	if until.IsZero() {
		delete(h.waits, endpoint)
	} else {
		h.waits[endpoint] = until
	}
	h.pmu.Unlock()
	h.report(false, nil)
}

func (h *host) report(done bool, err error) {
	if h.cfg.Progress == nil {
		return
	}
	h.pmu.Lock()
	defer h.pmu.Unlock()
	s := h.status()
	s.Done, s.Err = done, err
	h.cfg.Progress.Report(s)
}

// status is the run's progress now; h.pmu must be held.
func (h *host) status() Status {
	s := h.st
	s.Requests = h.requestsTotal()
	s.WaitingUntil, s.WaitEndpoint = time.Time{}, ""
	for ep, until := range h.waits { // the wait that ends last
		if until.After(s.WaitingUntil) || (until.Equal(s.WaitingUntil) && ep < s.WaitEndpoint) {
			s.WaitingUntil, s.WaitEndpoint = until, ep
		}
	}
	return s
}

// indexer catches the search index up with the store's change log in the
// background, so that indexing one page overlaps with fetching and storing
// the next, and pages coalesce into larger index batches. The index keeps
// its watermark in the store, so whatever it has not indexed when a run
// stops or crashes is indexed when it is next opened.
type indexer struct {
	ix    Indexer
	ctx   context.Context
	kicks chan struct{}
	quit  chan struct{} // closed by stop: end the settling wait
	done  chan struct{}

	mu      sync.Mutex
	lastErr error
}

// indexSettle is how long the indexer lets pages accumulate after a kick
// before it catches up. The index need not follow every page during an
// import, and large Bleve batches make few segments, which are then cheap
// to merge (at 1,000 changes a batch, merging took a quarter of the
// import's CPU). Searches during an import see pages about this much later.
const indexSettle = 500 * time.Millisecond

func startIndexer(ctx context.Context, ix Indexer) *indexer {
	x := &indexer{ix: ix, ctx: ctx, kicks: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(x.done)
		settle := time.NewTimer(indexSettle)
		settle.Stop()
		for {
			select {
			case <-x.kicks:
			case <-x.quit:
				return
			}
			settle.Reset(indexSettle)
			select {
			case <-settle.C:
			case <-x.quit:
				return // stop runs the last catch-up itself
			}
			if _, err := ix.CatchUp(ctx); err != nil && ctx.Err() == nil {
				x.mu.Lock()
				x.lastErr = err
				x.mu.Unlock()
			}
		}
	}()
	return x
}

// kick asks for a catch-up; kicks while one is running coalesce into one.
func (x *indexer) kick() {
	select {
	case x.kicks <- struct{}{}:
	default:
	}
}

func (x *indexer) err() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.lastErr
}

// stop waits for the catch-up in progress and, if final, runs a last one.
func (x *indexer) stop(final bool) error {
	close(x.quit)
	<-x.done
	if err := x.err(); err != nil {
		return err
	}
	if final {
		_, err := x.ix.CatchUp(x.ctx)
		return err
	}
	return nil
}
