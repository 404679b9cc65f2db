package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// Defaults of ClientConfig.
const (
	DefaultMaxRetries        = 5
	DefaultBaseBackoff       = 500 * time.Millisecond
	DefaultMaxBackoff        = 30 * time.Second
	DefaultTimeout           = 60 * time.Second
	DefaultMaxBody           = 32 << 20
	DefaultMaxRateLimitWaits = 10
)

// ErrResponseTooLarge is returned (wrapped) when a successful response's
// body is larger than ClientConfig.MaxBody. The body is not buffered.
var ErrResponseTooLarge = errors.New("response body too large")

// ClientConfig configures a Client. The zero value works: no rate-limit
// headers read, the system clock, the defaults above.
type ClientConfig struct {
	// Transport sends the requests and carries the authentication (oauth1,
	// a bearer token). Nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Limits reads the platform's rate-limit headers. Nil means none are
	// read: the client then waits only when a 429 tells it to.
	Limits RateLimitFunc
	// Clock defaults to SystemClock.
	Clock Clock
	// NoWait makes a spent window (or a 429) return a *RateLimitError
	// instead of waiting for the reset.
	NoWait bool
	// MaxRetries bounds the retries of 5xx responses, timeouts and dropped
	// connections. 0 means DefaultMaxRetries; a negative value, no retries.
	MaxRetries int
	// BaseBackoff and MaxBackoff shape the exponential backoff between
	// retries (full jitter: a random wait in [0, min(Max, Base·2^n)]).
	// 0 means the default.
	BaseBackoff, MaxBackoff time.Duration
	// Timeout bounds one attempt, reading the body included (not the
	// rate-limit waits). 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxBody is the largest response body accepted. A larger successful
	// body is refused with ErrResponseTooLarge; an error response's body is
	// cut to this size. 0 means DefaultMaxBody.
	MaxBody int64
	// MaxRateLimitWaits bounds how many 429s one Do call waits out before
	// it gives up with the 429's *HTTPError, so that a broken server cannot
	// keep it waiting forever. 0 means DefaultMaxRateLimitWaits.
	MaxRateLimitWaits int
	// Log receives the client's lines: waits (info), retries (warn), one
	// line per attempt (debug). Never request headers or query strings.
	// Nil means no logging.
	Log *zerolog.Logger
	// OnWait is called when the client starts waiting for an endpoint's
	// rate-limit window, with the time it waits until and why, and again
	// with a zero until when the wait is over. It may be called from
	// several goroutines.
	OnWait func(endpoint string, until time.Time, reason string)
	// Jitter returns a random duration in [0, max], for the backoff's full
	// jitter. Nil means math/rand/v2. Tests make it deterministic.
	Jitter func(max time.Duration) time.Duration
}

// Client is the HTTP client every network call of a plugin goes through. It
// keeps each endpoint's rate-limit window from the responses' headers and
// waits (or refuses, with NoWait) before a request the window has no room
// for; it retries 5xx responses, timeouts and dropped connections with
// backoff; it counts every attempt per endpoint. It is safe for concurrent
// use: goroutines sharing an endpoint share its window and never send more
// requests than the window has left.
type Client struct {
	cfg   ClientConfig
	clock Clock
	log   zerolog.Logger
	http  *http.Client

	mu      sync.Mutex
	windows map[string]*window
	counts  map[string]int
	total   int
}

// window is what the client knows of one endpoint's rate-limit window.
type window struct {
	// tracked: limit, remaining and reset describe the current window (from
	// a response's headers, or a 429). Untracked, the next request is a
	// probe: it goes alone, and its response describes the window.
	tracked   bool
	limit     int
	remaining int // requests that may still be sent; reserved before sending
	reset     time.Time
	reason    string

	headerless bool // the endpoint answers without rate-limit headers: don't gate
	inflight   int  // requests sent and not yet answered
	waiting    bool // a goroutine is waiting out the window for everyone
	changed    chan struct{}
}

// NewClient returns a client configured by cfg.
func NewClient(cfg ClientConfig) *Client {
	if cfg.Clock == nil {
		cfg.Clock = SystemClock
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	} else if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = DefaultBaseBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxRateLimitWaits <= 0 {
		cfg.MaxRateLimitWaits = DefaultMaxRateLimitWaits
	}
	if cfg.Jitter == nil {
		cfg.Jitter = func(max time.Duration) time.Duration {
			if max <= 0 {
				return 0
			}
			return time.Duration(rand.Int64N(int64(max) + 1))
		}
	}
	log := zerolog.Nop()
	if cfg.Log != nil {
		log = *cfg.Log
	}
	transport := cfg.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	return &Client{
		cfg:     cfg,
		clock:   cfg.Clock,
		log:     log,
		http:    &http.Client{Transport: transport},
		windows: map[string]*window{},
		counts:  map[string]int{},
	}
}

// Requests returns how many requests were sent per endpoint, every attempt
// (retries included) counted.
func (c *Client) Requests() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		m[k] = v
	}
	return m
}

// requestsTotal is the sum of Requests.
func (c *Client) requestsTotal() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// Do sends req, named endpoint for its rate-limit window and its counter.
// A 2xx response is returned read in full; other statuses end as an
// *HTTPError after the client's own handling: 429s are waited out (or give a
// *RateLimitError with NoWait), 5xx, timeouts and dropped connections are
// retried with backoff, other 4xx are returned at once. Cancelling ctx stops
// a wait or a request at once with ctx.Err().
//
// req is never sent itself but cloned for every attempt; a body is re-read
// through req.GetBody (or buffered once when req has no GetBody).
func (c *Client) Do(ctx context.Context, endpoint string, req *http.Request) (*Response, error) {
	getBody, err := bodyGetter(req)
	if err != nil {
		return nil, fmt.Errorf("%s: reading request body: %w", endpoint, err)
	}
	retries, waits := 0, 0
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := c.acquire(ctx, endpoint); err != nil {
			return nil, err
		}
		start := time.Now()
		resp, err := c.attempt(ctx, endpoint, req, getBody)
		c.release(endpoint, resp, waits)

		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			c.log.Debug().Str("endpoint", endpoint).Int("attempt", attempt).
				Dur("took_ms", time.Since(start)).Str("error", err.Error()).Msg("request failed")
			if errors.Is(err, ErrResponseTooLarge) || !retryable(err) || retries >= c.cfg.MaxRetries {
				if retries > 0 {
					return nil, fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
				}
				return nil, err
			}
			d := c.backoff(retries)
			retries++
			c.log.Warn().Str("endpoint", endpoint).Int("attempt", attempt).Str("error", err.Error()).
				Dur("retry_in_ms", d).Msg("request failed, retrying")
			if err := c.clock.Sleep(ctx, d); err != nil {
				return nil, err
			}
			continue
		}

		c.log.Debug().Str("endpoint", endpoint).Int("attempt", attempt).Int("status", resp.StatusCode).
			Dur("took_ms", time.Since(start)).Msg("request")
		switch code := resp.StatusCode; {
		case code >= 200 && code < 300:
			return resp, nil
		case code == http.StatusTooManyRequests:
			waits++
			if waits > c.cfg.MaxRateLimitWaits {
				return nil, c.httpError(endpoint, resp)
			}
			// The window is now marked spent: acquire waits for its reset,
			// or returns a *RateLimitError with NoWait.
			c.log.Info().Str("endpoint", endpoint).Int("status", code).Msg("rate limited by the server")
			continue
		case code >= 500:
			if retries >= c.cfg.MaxRetries {
				return nil, c.httpError(endpoint, resp)
			}
			d := c.backoff(retries)
			if ra, ok := retryAfter(resp.Header, c.clock.Now()); ok {
				if w := min(ra.Sub(c.clock.Now()), c.cfg.MaxBackoff); w > d {
					d = w
				}
			}
			retries++
			c.log.Warn().Str("endpoint", endpoint).Int("attempt", attempt).Int("status", code).
				Dur("retry_in_ms", d).Msg("server error, retrying")
			if err := c.clock.Sleep(ctx, d); err != nil {
				return nil, err
			}
			continue
		default:
			return nil, c.httpError(endpoint, resp)
		}
	}
}

func (c *Client) httpError(endpoint string, resp *Response) *HTTPError {
	return &HTTPError{Endpoint: endpoint, StatusCode: resp.StatusCode, Header: resp.Header, Body: resp.Body}
}

// acquire reserves room for one request in endpoint's window, waiting for
// the window's reset when it is spent (or failing with NoWait), and counts
// the request.
func (c *Client) acquire(ctx context.Context, endpoint string) error {
	c.mu.Lock()
	w := c.windows[endpoint]
	if w == nil {
		w = &window{changed: make(chan struct{})}
		c.windows[endpoint] = w
	}
	for {
		now := c.clock.Now()
		if w.tracked && !now.Before(w.reset) {
			// The window is over. The next response describes the new one.
			w.tracked = false
		}
		switch {
		case w.tracked && w.remaining > 0:
			w.remaining--
		case w.tracked: // spent
			if c.cfg.NoWait {
				reset := w.reset
				c.mu.Unlock()
				return &RateLimitError{Endpoint: endpoint, Reset: reset}
			}
			if w.waiting || w.inflight > 0 {
				// Another goroutine waits out this window for everyone, or
				// answers still to come may tell more about the window.
				if err := c.waitChange(ctx, w); err != nil {
					return err
				}
				continue
			}
			w.waiting = true
			until, reason := w.reset.Add(time.Second), w.reason // tweepy: reset - now + 1
			c.mu.Unlock()
			err := c.waitUntil(ctx, endpoint, now, until, reason)
			c.mu.Lock()
			w.waiting = false
			c.broadcast(w)
			if err != nil {
				c.mu.Unlock()
				return err
			}
			continue
		case c.cfg.Limits == nil || w.headerless || w.inflight == 0:
			// Not gated, or the probe of an unknown window.
		default:
			// A probe is out; its response will tell how much room there is.
			if err := c.waitChange(ctx, w); err != nil {
				return err
			}
			continue
		}
		w.inflight++
		c.counts[endpoint]++
		c.total++
		c.mu.Unlock()
		return nil
	}
}

// waitChange waits, with c.mu held on entry, until w changes. It returns
// with c.mu held, or unlocked with ctx's error.
func (c *Client) waitChange(ctx context.Context, w *window) error {
	ch := w.changed
	c.mu.Unlock()
	select {
	case <-ch:
		c.mu.Lock()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) broadcast(w *window) {
	close(w.changed)
	w.changed = make(chan struct{})
}

func (c *Client) waitUntil(ctx context.Context, endpoint string, now, until time.Time, reason string) error {
	d := until.Sub(now)
	c.log.Info().Str("endpoint", endpoint).Time("until", until).Dur("wait_ms", d).Str("reason", reason).
		Msgf("%s, waiting until %s (%s)", reason, until.Format(time.RFC3339), d.Round(time.Second))
	if c.cfg.OnWait != nil {
		c.cfg.OnWait(endpoint, until, reason)
	}
	err := c.clock.Sleep(ctx, d)
	if c.cfg.OnWait != nil {
		c.cfg.OnWait(endpoint, time.Time{}, reason)
	}
	return err
}

const (
	reasonSpent = "rate limit window spent"
	reason429   = "rate limited (HTTP 429)"
	// resetSlack tolerates resets that move by a second or two within one
	// window (platforms that send seconds-until-reset).
	resetSlack = 2 * time.Second
)

// release ends a request reserved by acquire and learns from its response
// (nil if none came) what the window looks like. waits is how many 429s the
// call has had before, for the backoff of a 429 that says nothing.
func (c *Client) release(endpoint string, resp *Response, waits int) {
	now := c.clock.Now()
	var (
		rl RateLimit
		ok bool
	)
	if resp != nil && c.cfg.Limits != nil {
		rl, ok = c.cfg.Limits(resp.Header, now)
	}
	var backoff time.Duration
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		backoff = c.backoff(waits)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.windows[endpoint]
	w.inflight--
	defer c.broadcast(w)
	if resp == nil {
		return
	}

	if resp.StatusCode == http.StatusTooManyRequests {
		// Spent, whatever the headers say: wait for the reset they give, or
		// Retry-After, or back off.
		var until time.Time
		if ok && rl.Reset.After(now) {
			until = rl.Reset
		}
		if ra, found := retryAfter(resp.Header, now); found && ra.After(until) {
			until = ra
		}
		named := !until.IsZero()
		if !named {
			until = now.Add(backoff)
		}
		// A reset the 429 names is the server's newest word on the window:
		// it replaces the tracked one even when that is later (a window
		// learned from an earlier response may be stale, and waiting for it
		// could cost up to 15 minutes for nothing). A backoff only extends.
		if named || !w.tracked || until.After(w.reset) {
			w.reset = until
		}
		if ok {
			w.limit = rl.Limit
		}
		w.tracked, w.remaining, w.reason, w.headerless = true, 0, reason429, false
		return
	}

	if !ok {
		if !w.tracked && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			w.headerless = true
		}
		return
	}
	w.headerless = false
	switch {
	case !w.tracked || rl.Reset.After(w.reset.Add(resetSlack)):
		// A new window. Requests still in flight may count against it:
		// assume they all do.
		w.tracked, w.limit, w.reset, w.reason = true, rl.Limit, rl.Reset, reasonSpent
		w.remaining = max(0, rl.Remaining-w.inflight)
	case rl.Reset.Before(w.reset.Add(-resetSlack)):
		// A late answer from an earlier window.
	default:
		w.limit = rl.Limit
		w.remaining = max(0, min(w.remaining, rl.Remaining))
	}
}

// attempt sends one copy of req and reads its response. When the response
// came but its body could not be read, both the response (without body) and
// the error are returned, so that its rate-limit headers are still seen.
func (c *Client) attempt(ctx context.Context, endpoint string, req *http.Request, getBody func() (io.ReadCloser, error)) (*Response, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	r := req.Clone(actx)
	if getBody != nil {
		b, err := getBody()
		if err != nil {
			return nil, fmt.Errorf("%s: request body: %w", endpoint, err)
		}
		r.Body = b
	}
	hr, err := c.http.Do(r)
	if err != nil {
		return nil, c.transportError(ctx, actx, endpoint, req, "", err)
	}
	defer hr.Body.Close()

	resp := &Response{StatusCode: hr.StatusCode, Header: hr.Header}
	success := hr.StatusCode >= 200 && hr.StatusCode < 300
	if success && hr.ContentLength > c.cfg.MaxBody {
		return resp, c.tooLarge(endpoint, hr.ContentLength)
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, c.cfg.MaxBody+1))
	if err != nil {
		return resp, c.transportError(ctx, actx, endpoint, req, "reading response body", err)
	}
	if int64(len(body)) > c.cfg.MaxBody {
		if success {
			return resp, c.tooLarge(endpoint, -1)
		}
		body = body[:c.cfg.MaxBody]
	}
	resp.Body = body
	return resp, nil
}

func (c *Client) tooLarge(endpoint string, size int64) error {
	if size >= 0 {
		return fmt.Errorf("%s: %w: %d bytes, more than the limit of %d (ClientConfig.MaxBody)",
			endpoint, ErrResponseTooLarge, size, c.cfg.MaxBody)
	}
	return fmt.Errorf("%s: %w: more than the limit of %d bytes (ClientConfig.MaxBody)",
		endpoint, ErrResponseTooLarge, c.cfg.MaxBody)
}

// backoff is the wait before retry n (0-based): full jitter over
// min(MaxBackoff, BaseBackoff·2^n).
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.BaseBackoff
	for i := 0; i < n && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
	return c.cfg.Jitter(d)
}

// TransportError is a request that got no (complete) response: a dropped
// connection, a timeout, a refused connection. Its message names the
// endpoint and the url without query string or user info, so that it can be
// logged without leaking credentials.
type TransportError struct {
	Endpoint string
	Method   string
	URL      string // scheme://host/path only
	Op       string // what failed, when not the request itself ("reading response body")
	Err      error
}

func (e *TransportError) Error() string {
	op := ""
	if e.Op != "" {
		op = e.Op + ": "
	}
	return fmt.Sprintf("%s: %s %s: %s%v", e.Endpoint, e.Method, e.URL, op, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// transportError wraps err, dropping the url the http package put in it.
func (c *Client) transportError(ctx, actx context.Context, endpoint string, req *http.Request, op string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() == nil && actx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
		err = &timeoutError{d: c.cfg.Timeout}
	}
	return &TransportError{Endpoint: endpoint, Method: req.Method, URL: safeURL(req.URL), Op: op, Err: err}
}

type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string   { return fmt.Sprintf("timed out after %s", e.d) }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }
func (e *timeoutError) Is(target error) bool {
	return target == context.DeadlineExceeded
}

func safeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	s := u.Scheme + "://" + u.Host + u.EscapedPath()
	if u.RawQuery != "" {
		s += "?…"
	}
	return s
}

// retryable reports whether a failed attempt is worth sending again.
func retryable(err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsTemporary
}

// bodyGetter returns how to get a fresh copy of req's body for each
// attempt; nil when there is no body.
func bodyGetter(req *http.Request) (func() (io.ReadCloser, error), error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		return req.GetBody, nil
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Time, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return time.Time{}, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return now.Add(time.Duration(s) * time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// TwitterLimits reads Twitter's x-rate-limit-limit, -remaining and -reset
// (UTC epoch seconds) headers.
func TwitterLimits(h http.Header, now time.Time) (RateLimit, bool) {
	rem, err1 := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset, err2 := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if err1 != nil || err2 != nil {
		return RateLimit{}, false
	}
	limit, err := strconv.Atoi(h.Get("X-Rate-Limit-Limit"))
	if err != nil {
		limit = 0
	}
	return RateLimit{Limit: limit, Remaining: rem, Reset: time.Unix(reset, 0)}, true
}
