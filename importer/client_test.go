package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// setLimits writes Twitter's rate-limit headers.
func setLimits(w http.ResponseWriter, limit, remaining int, reset time.Time) {
	w.Header().Set("x-rate-limit-limit", strconv.Itoa(limit))
	w.Header().Set("x-rate-limit-remaining", strconv.Itoa(remaining))
	w.Header().Set("x-rate-limit-reset", strconv.FormatInt(reset.Unix(), 10))
}

// server starts a loopback server whose handler gets the 1-based number of
// the request; it returns the server and a counter of requests.
func server(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(int(n.Add(1)), w, r)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

// testClient is a client on a FakeClock at t0, reading Twitter's headers,
// with a jitter that always takes the whole backoff.
func testClient(cfg ClientConfig) (*Client, *FakeClock) {
	clock := NewFakeClock(t0)
	if cfg.Clock == nil {
		cfg.Clock = clock
	}
	if cfg.Limits == nil {
		cfg.Limits = TwitterLimits
	}
	if cfg.Jitter == nil {
		cfg.Jitter = func(d time.Duration) time.Duration { return d }
	}
	return NewClient(cfg), clock
}

func get(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestTwitterLimits(t *testing.T) {
	h := http.Header{}
	if _, ok := TwitterLimits(h, t0); ok {
		t.Error("no headers: ok")
	}
	h.Set("x-rate-limit-limit", "15")
	h.Set("x-rate-limit-remaining", "14")
	h.Set("x-rate-limit-reset", "1613173286")
	rl, ok := TwitterLimits(h, t0)
	want := RateLimit{Limit: 15, Remaining: 14, Reset: time.Unix(1613173286, 0)}
	if !ok || rl != want {
		t.Errorf("got %+v %v, want %+v", rl, ok, want)
	}
}

func TestClientWaitsWhenWindowSpent(t *testing.T) {
	reset := t0.Add(15 * time.Minute)
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		if i == 1 {
			setLimits(w, 15, 0, reset)
		} else {
			setLimits(w, 15, 14, reset.Add(15*time.Minute))
		}
		fmt.Fprint(w, "ok")
	})
	var waits []time.Time
	c, clock := testClient(ClientConfig{OnWait: func(ep string, until time.Time, reason string) {
		if ep != "followers/ids" {
			t.Errorf("OnWait endpoint %q", ep)
		}
		waits = append(waits, until)
	}})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		resp, err := c.Do(ctx, "followers/ids", get(t, s.URL))
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.Body) != "ok" || resp.StatusCode != 200 {
			t.Fatalf("response %d %q", resp.StatusCode, resp.Body)
		}
	}
	if got, want := clock.Slept(), 15*time.Minute+time.Second; got != want {
		t.Errorf("slept %v, want %v (until reset + 1s)", got, want)
	}
	if got, want := clock.Now(), reset.Add(time.Second); !got.Equal(want) {
		t.Errorf("clock at %v, want %v", got, want)
	}
	if len(waits) != 2 || !waits[0].Equal(reset.Add(time.Second)) || !waits[1].IsZero() {
		t.Errorf("OnWait got %v, want [reset+1s, zero]", waits)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
}

func TestClientNoWait(t *testing.T) {
	reset := t0.Add(15 * time.Minute)
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		setLimits(w, 15, 0, reset)
	})
	c, clock := testClient(ClientConfig{NoWait: true})
	ctx := context.Background()
	if _, err := c.Do(ctx, "followers/ids", get(t, s.URL)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Do(ctx, "followers/ids", get(t, s.URL))
	var rle *RateLimitError
	if !errors.As(err, &rle) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("got %v, want a *RateLimitError", err)
	}
	if rle.Endpoint != "followers/ids" || !rle.Reset.Equal(reset) {
		t.Errorf("got %+v", rle)
	}
	if n.Load() != 1 || clock.Slept() != 0 {
		t.Errorf("%d requests, slept %v; want 1 and none", n.Load(), clock.Slept())
	}
	// Another endpoint has its own window.
	if _, err := c.Do(ctx, "users/show", get(t, s.URL)); err != nil {
		t.Errorf("other endpoint: %v", err)
	}
}

func TestClient429(t *testing.T) {
	cases := []struct {
		name    string
		headers func(w http.ResponseWriter)
		slept   time.Duration
	}{
		{"rate-limit headers", func(w http.ResponseWriter) { setLimits(w, 900, 0, t0.Add(5*time.Minute)) }, 5*time.Minute + time.Second},
		{"retry-after seconds", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "30") }, 31 * time.Second},
		{"retry-after date", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", t0.Add(2*time.Minute).Format(http.TimeFormat))
		}, 2*time.Minute + time.Second},
		{"nothing: backoff", func(w http.ResponseWriter) {}, DefaultBaseBackoff + time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
				if i == 1 {
					tc.headers(w)
					w.WriteHeader(http.StatusTooManyRequests)
					fmt.Fprint(w, `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`)
					return
				}
				fmt.Fprint(w, "ok")
			})
			c, clock := testClient(ClientConfig{})
			resp, err := c.Do(context.Background(), "statuses/user_timeline", get(t, s.URL))
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "ok" {
				t.Errorf("body %q", resp.Body)
			}
			if clock.Slept() != tc.slept {
				t.Errorf("slept %v, want %v", clock.Slept(), tc.slept)
			}
			if n.Load() != 2 || c.Requests()["statuses/user_timeline"] != 2 {
				t.Errorf("%d requests (counted %v), want 2", n.Load(), c.Requests())
			}
		})
	}
}

func TestClient429NoWait(t *testing.T) {
	reset := t0.Add(5 * time.Minute)
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		setLimits(w, 900, 0, reset)
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, _ := testClient(ClientConfig{NoWait: true})
	_, err := c.Do(context.Background(), "ep", get(t, s.URL))
	var rle *RateLimitError
	if !errors.As(err, &rle) || !rle.Reset.Equal(reset) {
		t.Fatalf("got %v, want a *RateLimitError until %v", err, reset)
	}
}

func TestClient429Bounded(t *testing.T) {
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, _ := testClient(ClientConfig{MaxRateLimitWaits: 3})
	_, err := c.Do(context.Background(), "ep", get(t, s.URL))
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 429 {
		t.Fatalf("got %v, want an *HTTPError 429", err)
	}
	if n.Load() != 4 {
		t.Errorf("%d requests, want 4", n.Load())
	}
}

func TestClientRetries5xx(t *testing.T) {
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		if i <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"errors":[{"code":130,"message":"Over capacity"}]}`)
			return
		}
		fmt.Fprint(w, "ok")
	})
	var logs bytes.Buffer
	log := zerolog.New(&logs)
	c, clock := testClient(ClientConfig{Log: &log})
	resp, err := c.Do(context.Background(), "ep", get(t, s.URL))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "ok" || n.Load() != 3 {
		t.Errorf("body %q after %d requests, want ok after 3", resp.Body, n.Load())
	}
	// Full jitter taking the whole backoff: 500ms, then 1s.
	if got, want := clock.Sleeps(), []time.Duration{500 * time.Millisecond, time.Second}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sleeps %v, want %v", got, want)
	}
	if strings.Count(logs.String(), `"level":"warn"`) != 2 || !strings.Contains(logs.String(), `"attempt":2`) {
		t.Errorf("want two warnings with the attempt, got:\n%s", logs.String())
	}
}

func TestClient5xxGivesUp(t *testing.T) {
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"errors":[{"code":131,"message":"Internal error"}]}`)
	})
	c, clock := testClient(ClientConfig{MaxRetries: 3, MaxBackoff: 2 * time.Second})
	_, err := c.Do(context.Background(), "ep", get(t, s.URL))
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 500 || !strings.Contains(string(he.Body), "Internal error") {
		t.Fatalf("got %v, want an *HTTPError 500 with its body", err)
	}
	if n.Load() != 4 {
		t.Errorf("%d requests, want MaxRetries+1 = 4", n.Load())
	}
	if got, want := clock.Sleeps(), []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sleeps %v, want %v (capped by MaxBackoff)", got, want)
	}
}

func TestClientDefaultRetries(t *testing.T) {
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	})
	c, _ := testClient(ClientConfig{})
	if _, err := c.Do(context.Background(), "ep", get(t, s.URL)); err == nil {
		t.Fatal("no error")
	}
	if n.Load() != DefaultMaxRetries+1 {
		t.Errorf("%d requests, want %d", n.Load(), DefaultMaxRetries+1)
	}
	c, _ = testClient(ClientConfig{MaxRetries: -1})
	n.Store(0)
	if _, err := c.Do(context.Background(), "ep", get(t, s.URL)); err == nil {
		t.Fatal("no error")
	}
	if n.Load() != 1 {
		t.Errorf("MaxRetries -1: %d requests, want 1", n.Load())
	}
}

func TestClient4xxNoRetry(t *testing.T) {
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[{"code":50,"message":"User not found."}]}`)
	})
	c, clock := testClient(ClientConfig{})
	_, err := c.Do(context.Background(), "users/show", get(t, s.URL))
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 404 || he.Endpoint != "users/show" {
		t.Fatalf("got %v, want an *HTTPError 404", err)
	}
	if !strings.Contains(string(he.Body), "User not found.") {
		t.Errorf("body %q", he.Body)
	}
	if n.Load() != 1 || clock.Slept() != 0 {
		t.Errorf("%d requests, slept %v; want 1, none", n.Load(), clock.Slept())
	}
}

// hijack drops the connection after writing raw.
func hijack(t *testing.T, w http.ResponseWriter, raw string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	buf.WriteString(raw)
	buf.Flush()
	conn.Close()
}

func TestClientDroppedConnection(t *testing.T) {
	cases := map[string]string{
		"mid-body":        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[{\"id\":1},",
		"mid-chunked":     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
		"before response": "",
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
				if i == 1 {
					hijack(t, w, raw)
					return
				}
				fmt.Fprint(w, "complete")
			})
			c, _ := testClient(ClientConfig{})
			resp, err := c.Do(context.Background(), "ep", get(t, s.URL))
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "complete" || n.Load() != 2 {
				t.Errorf("body %q after %d requests", resp.Body, n.Load())
			}
		})
	}
}

func TestClientDroppedConnectionGivesUp(t *testing.T) {
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		hijack(t, w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
	})
	c, _ := testClient(ClientConfig{MaxRetries: 2})
	_, err := c.Do(context.Background(), "ep", get(t, s.URL))
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want a *TransportError wrapping unexpected EOF", err)
	}
	if n.Load() != 3 {
		t.Errorf("%d requests, want 3", n.Load())
	}
}

func TestClientTimeoutRetried(t *testing.T) {
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		if i == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		fmt.Fprint(w, "ok")
	})
	c, _ := testClient(ClientConfig{Timeout: 100 * time.Millisecond})
	resp, err := c.Do(context.Background(), "ep", get(t, s.URL))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "ok" || n.Load() != 2 {
		t.Errorf("body %q after %d requests", resp.Body, n.Load())
	}
}

func TestClientBodyLimit(t *testing.T) {
	big := strings.Repeat("x", 2048)
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			fmt.Fprint(w, big)
		case "/chunked":
			for i := 0; i < 4; i++ {
				fmt.Fprint(w, big[:512])
				w.(http.Flusher).Flush()
			}
		case "/error":
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, big)
		case "/fits":
			fmt.Fprint(w, big[:1024])
		}
	})
	c, _ := testClient(ClientConfig{MaxBody: 1024})
	ctx := context.Background()
	for _, path := range []string{"/length", "/chunked"} {
		n.Store(0)
		_, err := c.Do(ctx, "ep", get(t, s.URL+path))
		if !errors.Is(err, ErrResponseTooLarge) {
			t.Errorf("%s: got %v, want ErrResponseTooLarge", path, err)
		}
		if n.Load() != 1 {
			t.Errorf("%s: %d requests, want 1 (no retry)", path, n.Load())
		}
	}
	_, err := c.Do(ctx, "ep", get(t, s.URL+"/error"))
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 403 || len(he.Body) != 1024 {
		t.Errorf("got %v, want an *HTTPError 403 with its body cut to 1024 bytes", err)
	}
	resp, err := c.Do(ctx, "ep", get(t, s.URL+"/fits"))
	if err != nil || len(resp.Body) != 1024 {
		t.Errorf("a body of exactly MaxBody: %v", err)
	}
}

func TestClientCancelDuringWait(t *testing.T) {
	reset := time.Now().Add(time.Hour)
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		setLimits(w, 15, 0, reset)
	})
	waiting := make(chan struct{}, 1)
	c := NewClient(ClientConfig{Limits: TwitterLimits, OnWait: func(string, time.Time, string) {
		select {
		case waiting <- struct{}{}:
		default:
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := c.Do(ctx, "ep", get(t, s.URL)); err != nil {
		t.Fatal(err)
	}
	go func() {
		<-waiting
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	_, err := c.Do(ctx, "ep", get(t, s.URL))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
}

func TestClientCancelDuringRequest(t *testing.T) {
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	c := NewClient(ClientConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Do(ctx, "ep", get(t, s.URL))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
}

// TestClientConcurrentWindow: goroutines sharing an endpoint never send more
// requests than its window allows, against a server that enforces it.
func TestClientConcurrentWindow(t *testing.T) {
	const limit, workers, each = 5, 8, 5
	clock := NewFakeClock(t0)
	var (
		mu          sync.Mutex
		windowReset time.Time
		count, over int
		windows     int
	)
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		now := clock.Now()
		if !now.Before(windowReset) {
			windowReset = now.Truncate(time.Second).Add(15 * time.Minute)
			count = 0
			windows++
		}
		count++
		rem, reset, status := limit-count, windowReset, 200
		if count > limit {
			over++
			rem, status = 0, 429
		}
		mu.Unlock()
		setLimits(w, limit, rem, reset)
		w.WriteHeader(status)
	})
	c, _ := testClient(ClientConfig{Clock: clock})
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := c.Do(context.Background(), "followers/ids", get(t, s.URL)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if over != 0 {
		t.Errorf("the server refused %d requests over the window", over)
	}
	if got := c.Requests()["followers/ids"]; got != workers*each {
		t.Errorf("%d requests, want %d", got, workers*each)
	}
	if want := workers * each / limit; windows != want {
		t.Errorf("used %d windows, want %d", windows, want)
	}
}

// TestClientConcurrentProbe: while the window is unknown only one request
// goes out, so a window with little left is not overshot either.
func TestClientConcurrentProbe(t *testing.T) {
	clock := NewFakeClock(t0)
	var (
		mu             sync.Mutex
		inflight, peak int
		left           = 2
		over           int
	)
	reset := t0.Add(15 * time.Minute)
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		if clock.Now().After(reset) {
			left = 100
			reset = reset.Add(15 * time.Minute)
		}
		left--
		rem, rs := left, reset
		if left < 0 {
			over++
			rem = 0
		}
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		setLimits(w, 100, rem, rs)
	})
	c, _ := testClient(ClientConfig{Clock: clock})
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Do(context.Background(), "ep", get(t, s.URL)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if over != 0 {
		t.Errorf("%d requests over the window", over)
	}
}

func TestClientHeaderlessNotGated(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	inflight, peak := 0, 0
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		if i == 1 {
			return // answers without rate-limit headers
		}
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		if peak == 3 {
			close(release)
		}
		mu.Unlock()
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		mu.Lock()
		inflight--
		mu.Unlock()
	})
	c, _ := testClient(ClientConfig{})
	if _, err := c.Do(context.Background(), "media", get(t, s.URL)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Do(context.Background(), "media", get(t, s.URL)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if peak != 3 {
		t.Errorf("peak concurrency %d, want 3 on an endpoint without rate-limit headers", peak)
	}
}

func TestClientRequestCounts(t *testing.T) {
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flaky" && i == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
		}
	})
	c, _ := testClient(ClientConfig{})
	ctx := context.Background()
	c.Do(ctx, "flaky", get(t, s.URL+"/flaky"))
	c.Do(ctx, "users/show", get(t, s.URL))
	c.Do(ctx, "users/show", get(t, s.URL))
	c.Do(ctx, "missing", get(t, s.URL+"/missing"))
	want := map[string]int{"flaky": 2, "users/show": 2, "missing": 1}
	got := c.Requests()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got["flaky"] = 100 // a copy
	if c.Requests()["flaky"] != 2 {
		t.Error("Requests returned the client's own map")
	}
	if c.requestsTotal() != 5 {
		t.Errorf("total %d", c.requestsTotal())
	}
}

func TestClientResendsBody(t *testing.T) {
	for _, withGetBody := range []bool{true, false} {
		var (
			mu     sync.Mutex
			bodies []string
		)
		s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies = append(bodies, string(b))
			mu.Unlock()
			if i == 1 {
				w.WriteHeader(http.StatusBadGateway)
			}
		})
		req, _ := http.NewRequest("POST", s.URL, strings.NewReader("screen_name=a,b"))
		if !withGetBody {
			req.GetBody = nil
			req.Body = io.NopCloser(strings.NewReader("screen_name=a,b"))
		}
		c, _ := testClient(ClientConfig{})
		if _, err := c.Do(context.Background(), "users/lookup", req); err != nil {
			t.Fatal(err)
		}
		if want := []string{"screen_name=a,b", "screen_name=a,b"}; fmt.Sprint(bodies) != fmt.Sprint(want) {
			t.Errorf("GetBody %v: bodies %q, want %q", withGetBody, bodies, want)
		}
	}
}

// secretTransport adds a bearer token, as a plugin's auth transport does.
type secretTransport struct{ token string }

func (s secretTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+s.token)
	return http.DefaultTransport.RoundTrip(r)
}

func TestClientNeverLogsSecrets(t *testing.T) {
	const token, querySecret = "sekrit-token-4242", "sekrit-query-1717"
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("the transport's header did not arrive")
		}
		switch r.URL.Path {
		case "/flaky":
			if i%2 == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		case "/drop":
			if i%2 == 1 {
				hijack(t, w, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nabc")
			}
		case "/limited":
			if i%2 == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			}
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
		}
	})
	var logs bytes.Buffer
	log := zerolog.New(&logs).Level(zerolog.TraceLevel)
	c, _ := testClient(ClientConfig{Transport: secretTransport{token}, Log: &log})
	ctx := context.Background()
	var errs []error
	for _, path := range []string{"/flaky", "/drop", "/limited", "/missing", "/ok"} {
		req := get(t, s.URL+path+"?access_token="+querySecret+"&screen_name=alice")
		req.Header.Set("X-Api-Key", querySecret)
		_, err := c.Do(ctx, strings.TrimPrefix(path, "/"), req)
		errs = append(errs, err)
	}
	c2, _ := testClient(ClientConfig{Transport: secretTransport{token}, Log: &log, MaxRetries: -1})
	_, err := c2.Do(ctx, "drop", get(t, s.URL+"/drop?access_token="+querySecret))
	if err == nil {
		t.Error("a dropped connection without retries: no error")
	}
	errs = append(errs, err)

	out := logs.String()
	for _, want := range []string{`"endpoint":"flaky"`, `"endpoint":"drop"`, `"endpoint":"limited"`, `"level":"warn"`, `"status":503`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	for _, secret := range []string{token, querySecret} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain the secret %q:\n%s", secret, out)
		}
		for _, err := range errs {
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error contains the secret %q: %v", secret, err)
			}
		}
	}
}

func TestClientCancelledBeforeStart(t *testing.T) {
	s, n := server(t, func(int, http.ResponseWriter, *http.Request) {})
	c, _ := testClient(ClientConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Do(ctx, "ep", get(t, s.URL)); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
	if n.Load() != 0 || c.Requests()["ep"] != 0 {
		t.Error("a request was sent")
	}
}

func TestFakeClock(t *testing.T) {
	c := NewFakeClock(t0)
	c.Advance(time.Minute)
	if err := c.Sleep(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	if !c.Now().Equal(t0.Add(time.Minute+time.Second)) || c.Slept() != time.Second {
		t.Errorf("now %v, slept %v", c.Now(), c.Slept())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || c.Slept() != time.Second {
		t.Errorf("cancelled sleep: %v, slept %v", err, c.Slept())
	}
	if err := SystemClock.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("system clock, cancelled: %v", err)
	}
}

// A 429 whose reset is earlier than the window the client tracks is waited
// out until its own reset, not the tracked one.
func TestClient429EarlierResetWins(t *testing.T) {
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		switch i {
		case 1: // the tracked window: resets in 15 minutes, one request left
			setLimits(w, 900, 1, t0.Add(15*time.Minute))
			fmt.Fprint(w, "ok")
		case 2: // the server says: spent, back in 1 minute
			setLimits(w, 900, 0, t0.Add(time.Minute))
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`)
		default:
			setLimits(w, 900, 899, t0.Add(16*time.Minute))
			fmt.Fprint(w, "ok")
		}
	})
	c, clock := testClient(ClientConfig{})
	for range 2 {
		if _, err := c.Do(context.Background(), "statuses/user_timeline", get(t, s.URL)); err != nil {
			t.Fatal(err)
		}
	}
	if want := time.Minute + time.Second; clock.Slept() != want {
		t.Errorf("slept %v, want %v (the 429's reset, not the tracked window's)", clock.Slept(), want)
	}
}
