package podrun

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
)

// Statuses of the JSON lines on stdout.
const (
	StatusStarted     = "started"
	StatusRunning     = "running"
	StatusDone        = "done"
	StatusError       = "error"
	StatusInterrupted = "interrupted"  // SIGINT or SIGTERM
	StatusRateLimited = "rate_limited" // a spent window and no-wait
	StatusAborted     = "aborted"      // the pod set the PluginRun's status to aborted
)

// ErrAborted is the cause of the import's context when the pod aborted the
// run.
var ErrAborted = errors.New("aborted by the pod")

// Line is one JSON status line on stdout.
type Line struct {
	Status       string    `json:"status"`
	Progress     float64   `json:"progress"`
	Items        int       `json:"items"`
	Requests     int       `json:"requests"`
	Written      int       `json:"written"`
	Plugin       string    `json:"plugin,omitempty"`
	Account      string    `json:"account,omitempty"`
	Stream       string    `json:"stream,omitempty"`
	Expect       int       `json:"expect,omitempty"`
	WaitingUntil time.Time `json:"waiting_until,omitzero"`
	WaitEndpoint string    `json:"wait_endpoint,omitempty"`
	Error        string    `json:"error,omitempty"`
	Time         time.Time `json:"time"`
}

// SessionOptions configure a Session.
type SessionOptions struct {
	// Pod is where progress is reported; nil for none.
	Pod *Pod
	// Stdout receives one JSON Line per change; nil for none.
	Stdout io.Writer
	// Log defaults to no logging.
	Log *zerolog.Logger
	// Redact is applied to every line, error and report.
	Redact *Redactor
	// HTTPClient calls the pod (default: a 15 s timeout per request).
	HTTPClient *http.Client
	// ReportEvery is the least time between two progress reports to the
	// pod (default 1 s); status changes go at once.
	ReportEvery time.Duration
	// RetryMin and RetryMax bound the backoff after a failed report
	// (default 500 ms doubling up to 30 s).
	RetryMin, RetryMax time.Duration
	// FinalAttempts is how many times the final status is tried
	// (default 5, with the backoff from RetryMin up to 4 s between, and
	// 8 s in all).
	FinalAttempts int
}

// The limits of a report: per attempt (progress reports too), and, from
// the moment the run ends, in all: the report in flight, then the final
// status's attempts.
const (
	finalTimeout = 3 * time.Second
	finalBudget  = 8 * time.Second
)

// Session reports one run: JSON lines on stdout, the PluginRun on the pod,
// and the pod's abort. Its methods are safe for concurrent use; it is an
// importer.Reporter.
type Session struct {
	opts   SessionOptions
	log    zerolog.Logger
	client *Client // nil without a pod
	parent context.Context
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu          sync.Mutex
	progress    *Progress
	cur         Line
	lastWritten string // the last line written, without its time
	begun       bool
	finished    bool
	podProgress float64 // the progress the pod should have
	podDirty    bool    // podProgress is not yet reported
	startedSent bool    // the pod has status started

	wake       chan struct{}
	loopCancel context.CancelFunc
	wg         sync.WaitGroup
}

// NewSession returns a session for a run under ctx. Nothing is reported
// before Begin, except the final status by Finish.
func NewSession(ctx context.Context, opts SessionOptions) *Session {
	if opts.ReportEvery <= 0 {
		opts.ReportEvery = time.Second
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = 500 * time.Millisecond
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 30 * time.Second
	}
	if opts.FinalAttempts <= 0 {
		opts.FinalAttempts = 5
	}
	if opts.Redact == nil {
		opts.Redact = NewRedactor()
	}
	s := &Session{opts: opts, log: zerolog.Nop(), parent: ctx, progress: NewProgress(0), wake: make(chan struct{}, 1)}
	if opts.Log != nil {
		s.log = *opts.Log
	}
	if opts.Pod != nil {
		opts.Redact.Add(opts.Pod.Secrets...)
		s.client = NewClient(opts.Pod, opts.HTTPClient, opts.Redact)
		s.log = s.log.With().Str("pluginrun", opts.Pod.RunID).Logger()
	}
	s.ctx, s.cancel = context.WithCancelCause(ctx)
	return s
}

// Context is the import's context: the session's, cancelled with cause
// ErrAborted when the pod aborts the run.
func (s *Session) Context() context.Context { return s.ctx }

// Begin reports the start of plugin's import of account, expecting
// streams streams (see Progress), and starts reporting to the pod and
// watching it for an abort.
func (s *Session) Begin(plugin, account string, streams int) {
	s.mu.Lock()
	if s.begun || s.finished {
		s.mu.Unlock()
		return
	}
	s.begun = true
	s.progress = NewProgress(streams)
	s.cur.Plugin, s.cur.Account, s.cur.Status = plugin, account, StatusStarted
	s.writeLocked()
	s.mu.Unlock()

	if s.client == nil {
		return
	}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(s.ctx))
	s.loopCancel = cancel
	s.wg.Add(2)
	go s.reportLoop(loopCtx)
	go s.watchLoop(loopCtx)
}

// Report takes the importer's progress.
func (s *Session) Report(st importer.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.begun || s.finished {
		return
	}
	p := s.progress.Update(st)
	if st.Account != "" { // the account the job learnt (the token's owner), once it has
		s.cur.Account = st.Account
	}
	s.cur.Items, s.cur.Requests, s.cur.Written = st.Items, st.Requests, st.Written
	s.cur.Stream, s.cur.Expect = st.Stream, st.Expect
	s.cur.WaitingUntil, s.cur.WaitEndpoint = st.WaitingUntil.UTC(), st.WaitEndpoint
	if st.WaitingUntil.IsZero() {
		s.cur.WaitingUntil = time.Time{}
	}
	s.cur.Progress = round(p)
	if st.Done {
		return // Finish writes the last line
	}
	s.cur.Status = StatusRunning
	s.writeLocked()
	if s.cur.Progress != s.podProgress {
		s.podProgress, s.podDirty = s.cur.Progress, true
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

func round(p float64) float64 { return math.Round(p*1e4) / 1e4 }

// writeLocked writes the current line if it differs from the last one.
func (s *Session) writeLocked() {
	if s.opts.Stdout == nil {
		return
	}
	l := s.cur
	l.Time = time.Time{}
	b, _ := json.Marshal(l)
	if string(b) == s.lastWritten {
		return
	}
	s.lastWritten = string(b)
	l.Time = time.Now().UTC()
	b, _ = json.Marshal(l)
	b = append([]byte(s.opts.Redact.String(string(b))), '\n')
	_, _ = s.opts.Stdout.Write(b)
}

// Finish ends the session with the run's outcome: it writes the last line,
// stops the pod loops and reports the final status to the pod, retrying a
// few times. It returns err (its message redacted), except when the pod
// aborted the run and the run stopped for it: that is a clean stop, and
// Finish returns nil.
func (s *Session) Finish(err error) error {
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return err
	}
	s.finished = true
	aborted := err != nil && errors.Is(context.Cause(s.ctx), ErrAborted) && s.parent.Err() == nil
	status, podStatus, msg := StatusDone, PodDone, ""
	switch {
	case err == nil:
		s.cur.Progress = 1
	case aborted:
		status, podStatus = StatusAborted, PodAborted
	case errors.Is(err, context.Canceled) || s.parent.Err() != nil:
		status, podStatus = StatusInterrupted, PodError
		msg = "interrupted; everything before the page in flight is committed, run again to resume"
		if cause := context.Cause(s.parent); cause != nil && !errors.Is(cause, context.Canceled) {
			msg = cause.Error() + ": " + msg
		}
	case errors.Is(err, importer.ErrRateLimited):
		status, podStatus, msg = StatusRateLimited, PodError, err.Error()
	default:
		status, podStatus, msg = StatusError, PodError, err.Error()
	}
	msg = s.opts.Redact.String(msg)
	s.cur.Status, s.cur.Error = status, msg
	s.cur.WaitingUntil, s.cur.WaitEndpoint = time.Time{}, ""
	s.writeLocked()
	progress := s.cur.Progress
	s.mu.Unlock()

	// Stopping the loops waits for a report in flight (at most
	// finalTimeout): abandoned, it could reach the pod after the final
	// status and overwrite it.
	deadline := time.Now().Add(finalBudget)
	if s.loopCancel != nil {
		s.loopCancel()
		s.wg.Wait()
	}
	s.cancel(nil)
	if s.client != nil {
		fields := map[string]any{"status": podStatus, "progress": progress}
		if msg != "" {
			fields["error"] = msg
		}
		s.finalReport(fields, deadline)
	}
	if aborted {
		s.log.Info().Msg("stopped: the pod aborted the run; everything before the page in flight is committed")
		return nil
	}
	if err != nil {
		return &redactedError{err: err, msg: s.opts.Redact.String(err.Error())}
	}
	return nil
}

// redactedError is an error whose message has gone through the Redactor;
// errors.Is and errors.As still see the original.
type redactedError struct {
	err error
	msg string
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// finalReport sends the final status, trying a few times: the run is over
// and nothing else will tell the pod. It gives up after FinalAttempts or
// at deadline (finalBudget after the run ended), whichever comes first, so
// that a pod that does not answer cannot hold a stopping container past
// its grace period (10 s by default).
func (s *Session) finalReport(fields map[string]any, deadline time.Time) {
	wait := s.opts.RetryMin
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), min(finalTimeout, time.Until(deadline)))
		err := s.client.UpdateRun(ctx, fields)
		cancel()
		if err == nil {
			s.log.Info().Any("status", fields["status"]).Any("progress", fields["progress"]).Msg("final status reported to the pod")
			return
		}
		if attempt >= s.opts.FinalAttempts || time.Now().Add(wait).After(deadline) {
			s.log.Error().Str("error", err.Error()).Int("attempts", attempt).Msg("could not report the final status to the pod")
			return
		}
		s.log.Warn().Str("error", err.Error()).Int("attempt", attempt).Dur("retry_in_ms", wait).Msg("reporting the final status to the pod failed")
		time.Sleep(wait)
		wait = min(2*wait, 4*time.Second)
	}
}

// reportLoop keeps the pod's PluginRun up to date: status started as soon
// as possible, then the progress at most once per ReportEvery. Failed
// reports are retried with a backoff; the run goes on meanwhile, and later
// reports carry the latest progress.
//
// Progress reports set only "progress", never "status": a status written
// again could overwrite an "aborted" that the pod set in between.
func (s *Session) reportLoop(ctx context.Context) {
	defer s.wg.Done()
	var next time.Time
	backoff := s.opts.RetryMin
	fails := 0
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		s.mu.Lock()
		started, dirty, p := s.startedSent, s.podDirty, s.podProgress
		s.mu.Unlock()
		need := !started || dirty
		wait := time.Until(next)
		if need && wait <= 0 {
			fields := map[string]any{"progress": p}
			if !started {
				fields["status"] = PodStarted
			}
			// Not canceled with ctx (see Finish), only bounded.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalTimeout)
			err := s.client.UpdateRun(rctx, fields)
			cancel()
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				fails++
				if fails == 1 || fails%10 == 0 {
					s.log.Warn().Str("error", err.Error()).Int("failures", fails).Dur("retry_in_ms", backoff).
						Msg("reporting to the pod failed; the import goes on")
				}
				next = time.Now().Add(backoff)
				backoff = min(2*backoff, s.opts.RetryMax)
				continue
			}
			if fails > 0 {
				s.log.Info().Int("failures", fails).Msg("reporting to the pod works again")
			}
			fails, backoff = 0, s.opts.RetryMin
			s.mu.Lock()
			s.startedSent = true
			if s.podProgress == p {
				s.podDirty = false
			}
			s.mu.Unlock()
			next = time.Now().Add(s.opts.ReportEvery)
			continue
		}
		if need {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}

// watchLoop reads the PluginRun every PollInterval and cancels the import
// when its status is aborted, as pymemri's abort listener does.
func (s *Session) watchLoop(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.Pod.PollInterval)
	defer t.Stop()
	fails := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		status, err := s.client.RunStatus(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			fails++
			if fails == 1 || fails%10 == 0 {
				s.log.Warn().Str("error", err.Error()).Int("failures", fails).Msg("reading the PluginRun from the pod failed")
			}
			continue
		}
		fails = 0
		if status == PodAborted {
			s.log.Warn().Msg("the pod aborted the run: stopping after the page in flight")
			s.cancel(ErrAborted)
			return
		}
	}
}
