package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// fakeStore is an in-memory Store that records what happens, in order, in
// a log it shares with fakeIndex.
type fakeStore struct {
	mu       sync.Mutex
	events   []string
	nextID   uint64
	begun    []store.Run
	ended    []store.Run
	batches  []schema.Batch
	cursors  map[string]string
	complete map[string]bool
	applyErr error
}

func newFakeStore() *fakeStore {
	return &fakeStore{cursors: map[string]string{}, complete: map[string]bool{}}
}

func (s *fakeStore) event(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

func (s *fakeStore) Events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

func (s *fakeStore) BeginRun(plugin, account string) (store.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	r := store.Run{ID: s.nextID, Plugin: plugin, Account: account, Started: t0, Status: store.StatusRunning}
	s.begun = append(s.begun, r)
	s.events = append(s.events, "begin")
	return r, nil
}

func (s *fakeStore) EndRun(r store.Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = append(s.ended, r)
	s.events = append(s.events, "end "+r.Status)
	return nil
}

func (s *fakeStore) NoteRequests(runID uint64, requests map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, fmt.Sprintf("requests of %d %v", runID, requests))
}

func (s *fakeStore) Apply(runID uint64, plugin, account string, b schema.Batch) (store.Applied, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.applyErr != nil {
		return store.Applied{}, s.applyErr
	}
	s.batches = append(s.batches, b)
	s.events = append(s.events, fmt.Sprintf("apply %d", len(s.batches)))
	for _, c := range b.Cursors {
		k := plugin + "/" + account + "/" + c.Stream
		if c.Value == "" {
			delete(s.cursors, k)
		} else {
			s.cursors[k] = c.Value
		}
	}
	for _, n := range b.Nodes {
		if !n.Ref {
			s.complete[n.ID] = true
		}
	}
	return store.Applied{Nodes: len(b.Nodes), Edges: len(b.Edges), Ended: len(b.Sweeps)}, nil
}

func (s *fakeStore) Cursor(plugin, account, stream string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursors[plugin+"/"+account+"/"+stream], nil
}

func (s *fakeStore) HasComplete(id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.complete[id], nil
}

func (s *fakeStore) PutBlob(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

type fakeIndex struct {
	s         *fakeStore
	err       error
	settleErr error
}

func (x *fakeIndex) CatchUp(ctx context.Context) (int, error) {
	if x.err != nil {
		return 0, x.err
	}
	x.s.event("catchup")
	return 1, nil
}

func (x *fakeIndex) SettleMerges(ctx context.Context) error {
	x.s.event("settle")
	return x.settleErr
}

type fakePlugin struct{ name string }

func (p fakePlugin) Name() string                       { return p.name }
func (p fakePlugin) Description() string                { return "a fake" }
func (p fakePlugin) Options() []Option                  { return nil }
func (p fakePlugin) New(v Values) (Job, error)          { return nil, nil }
func (j fakeJob) Account() string                       { return j.account }
func (j fakeJob) Run(ctx context.Context, h Host) error { return j.run(ctx, h) }

type fakeJob struct {
	account string
	run     func(ctx context.Context, h Host) error
}

// recorder is a Reporter keeping every Status.
type recorder struct {
	mu sync.Mutex
	ss []Status
}

func (r *recorder) Report(s Status) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ss = append(r.ss, s)
}

func (r *recorder) all() []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Status(nil), r.ss...)
}

func post(id string) schema.Node {
	return schema.Node{ID: schema.ID("fake", schema.KindPost, id), Kind: schema.KindPost, Platform: "fake",
		Post: &schema.Post{Text: "post " + id}}
}

func TestRunDone(t *testing.T) {
	s, n := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		setLimits(w, 900, 899, t0.Add(15*time.Minute))
		fmt.Fprint(w, "[]")
	})
	st := newFakeStore()
	rec := &recorder{}
	clock := NewFakeClock(t0)
	clock.Advance(time.Minute)
	cfg := RunConfig{Store: st, Index: &fakeIndex{s: st}, Clock: clock, Progress: rec}

	job := fakeJob{account: "alice", run: func(ctx context.Context, h Host) error {
		h.Stream("timeline", 0)
		if c, err := h.Cursor("timeline"); err != nil || c != "" {
			return fmt.Errorf("cursor before: %q %v", c, err)
		}
		hc := h.HTTP(nil, TwitterLimits)
		for i := 0; i < 2; i++ {
			if _, err := hc.Do(ctx, "statuses/user_timeline", get(t, s.URL)); err != nil {
				return err
			}
		}
		if err := h.Emit(ctx, schema.Batch{
			Nodes:   []schema.Node{post("1"), post("2")},
			Edges:   []schema.Edge{{From: "fake:account:1", Kind: schema.EdgeAuthored, To: "fake:post:1"}},
			Cursors: []schema.CursorUpdate{{Stream: "timeline", Value: `{"max_id":"1"}`}},
		}); err != nil {
			return err
		}
		if c, err := h.Cursor("timeline"); err != nil || c != `{"max_id":"1"}` {
			return fmt.Errorf("cursor after the first batch: %q %v", c, err)
		}
		if ok, err := h.Stored("fake:post:2"); err != nil || !ok {
			return fmt.Errorf("Stored: %v %v", ok, err)
		}
		h.Stream("followers", 10)
		if _, err := h.HTTP(nil, TwitterLimits).Do(ctx, "followers/ids", get(t, s.URL)); err != nil {
			return err
		}
		if err := h.Emit(ctx, schema.Batch{
			Nodes:   []schema.Node{post("3")},
			Cursors: []schema.CursorUpdate{{Stream: "timeline", Value: `{"since_id":"3"}`}},
		}); err != nil {
			return err
		}
		if c, _ := h.Cursor("timeline"); c != `{"since_id":"3"}` {
			return fmt.Errorf("cursor after the second batch: %q", c)
		}
		if h.Now() != clock.Now() || h.Log() == nil {
			return errors.New("Now or Log")
		}
		return nil
	}}
	run, err := Run(context.Background(), cfg, fakePlugin{"fake"}, job)
	if err != nil {
		t.Fatal(err)
	}
	// The index catches up in the background while the job goes on; a
	// complete run ends with one more catch-up after its last batch, and
	// the index's merges.
	ev := st.Events()
	applies := slices.DeleteFunc(slices.Clone(ev), func(e string) bool { return e == "catchup" })
	// The requests made so far go with each batch.
	wantEvents := []string{"begin",
		"requests of 1 map[statuses/user_timeline:2]", "apply 1",
		"requests of 1 map[followers/ids:1 statuses/user_timeline:2]", "apply 2",
		"settle", "end done"}
	if diff := cmp.Diff(wantEvents, applies); diff != "" {
		t.Errorf("events without catch-ups (-want +got):\n%s", diff)
	}
	if len(ev) < 3 || ev[len(ev)-3] != "catchup" {
		t.Errorf("a done run should end with a catch-up after its last apply, then the merges: %v", ev)
	}
	want := store.Run{ID: 1, Plugin: "fake", Account: "alice", Started: t0, Ended: t0.Add(time.Minute),
		Status: RunDone, Written: 4, Requests: map[string]int{"statuses/user_timeline": 2, "followers/ids": 1}}
	if diff := cmp.Diff(want, run); diff != "" {
		t.Errorf("run (-want +got):\n%s", diff)
	}
	if len(st.ended) != 1 || !cmp.Equal(st.ended[0], run) {
		t.Errorf("recorded %+v", st.ended)
	}
	if n.Load() != 3 {
		t.Errorf("%d requests", n.Load())
	}

	ss := rec.all()
	last := ss[len(ss)-1]
	if !last.Done || last.Err != nil || last.Written != 4 || last.Requests != 3 || last.Plugin != "fake" || last.Account != "alice" {
		t.Errorf("last status %+v", last)
	}
	var streams []string
	for _, s := range ss {
		if len(streams) == 0 || streams[len(streams)-1] != s.Stream {
			streams = append(streams, s.Stream)
		}
	}
	if diff := cmp.Diff([]string{"timeline", "followers"}, streams); diff != "" {
		t.Errorf("streams (-want +got):\n%s", diff)
	}
	// After the first emit: 3 records written in the timeline stream.
	found := false
	for _, s := range ss {
		if s.Stream == "timeline" && s.Written == 3 && s.Requests == 2 {
			found = true
		}
		if s.Stream == "followers" && s.Expect != 10 {
			t.Errorf("followers status %+v", s)
		}
	}
	if !found {
		t.Errorf("no status after the first emit: %+v", ss)
	}
}

// With the real store, a run's record says what the run has committed and
// the requests that fetched it while the run goes on, not only once it
// ends: a process killed in the middle leaves that record.
func TestRunRecordFollowsTheRun(t *testing.T) {
	srv, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "[]") })
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var during store.Run
	job := fakeJob{account: "alice", run: func(ctx context.Context, h Host) error {
		hc := h.HTTP(nil, nil)
		for range 2 {
			if _, err := hc.Do(ctx, "statuses/user_timeline", get(t, srv.URL)); err != nil {
				return err
			}
		}
		alice := schema.Node{ID: schema.ID("fake", schema.KindAccount, "1"), Kind: schema.KindAccount, Platform: "fake",
			Account: &schema.Account{Handle: "alice"}}
		p := post("1")
		p.Post.Author, p.Post.Created = alice.ID, t0
		if err := h.Emit(ctx, schema.Batch{Nodes: []schema.Node{alice, p}}); err != nil {
			return err
		}
		// Sent after the last commit: not in the record until the end.
		if _, err := hc.Do(ctx, "favorites/list", get(t, srv.URL)); err != nil {
			return err
		}
		runs, err := st.Runs(1)
		if err != nil || len(runs) != 1 {
			return fmt.Errorf("runs: %v, %v", runs, err)
		}
		during = runs[0]
		return nil
	}}
	run, err := Run(context.Background(), RunConfig{Store: st}, fakePlugin{"fake"}, job)
	if err != nil {
		t.Fatal(err)
	}
	if during.Status != store.StatusRunning || during.Written != 2 || during.LastCommit.IsZero() ||
		!cmp.Equal(during.Requests, map[string]int{"statuses/user_timeline": 2}) {
		t.Errorf("the record during the run: %+v, want running, 2 written, 2 requests to statuses/user_timeline and a last commit", during)
	}
	final, err := st.RunByID(run.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Run{ID: run.ID, Plugin: "fake", Account: "alice", Started: final.Started, Ended: final.Ended,
		Status: RunDone, Written: 2, LastCommit: during.LastCommit,
		Requests: map[string]int{"statuses/user_timeline": 2, "favorites/list": 1}}
	if d := cmp.Diff(want, final); d != "" {
		t.Errorf("the record at the end (-want +got):\n%s", d)
	}
}

// TestRunLogLines reads a run's log as a person would: every stream opens
// and closes, the last one too, and the run's end is the last line, with
// its error.
func TestRunLogLines(t *testing.T) {
	for _, fail := range []bool{false, true} {
		var out bytes.Buffer
		log := zerolog.New(&out).Level(zerolog.InfoLevel)
		st := newFakeStore()
		cfg := RunConfig{Store: st, Clock: NewFakeClock(t0), Log: &log, Progress: NewLogReporter(&log)}
		job := fakeJob{account: "alice", run: func(ctx context.Context, h Host) error {
			h.Stream("timeline", 0)
			if err := h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post("1")}}); err != nil {
				return err
			}
			h.Stream("followers", 10)
			AddItems(h, 4)
			if fail {
				return errors.New("boom")
			}
			return nil
		}}
		_, err := Run(context.Background(), cfg, fakePlugin{"fake"}, job)
		if (err != nil) != fail {
			t.Fatalf("fail=%v: Run: %v", fail, err)
		}
		lines, _ := logLines(t, &out)
		var got []string
		for _, m := range lines {
			if m["message"] != "progress" {
				got = append(got, fmt.Sprintf("%v %v", m["message"], m["stream"]))
			}
		}
		last := lines[len(lines)-1]
		end := "stream done followers"
		if fail {
			end = "stream stopped followers"
		}
		want := []string{"import started <nil>", "stream started timeline", "stream done timeline",
			"stream started followers", end, "import finished <nil>"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("fail=%v: log (-want +got):\n%s\n%s", fail, diff, out.String())
		}
		if fail && last["error"] != "boom" || !fail && last["error"] != nil {
			t.Errorf("fail=%v: the run's end line has error %v", fail, last["error"])
		}
	}
}

func TestRunStatuses(t *testing.T) {
	reset := t0.Add(15 * time.Minute)
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		setLimits(w, 15, 0, reset)
	})
	cases := []struct {
		name   string
		noWait bool
		run    func(ctx context.Context, cancel func(), h Host) error
		status string
		is     error
	}{
		{"error", false, func(ctx context.Context, cancel func(), h Host) error {
			return errors.New("boom")
		}, RunError, nil},
		{"interrupted", false, func(ctx context.Context, cancel func(), h Host) error {
			if err := h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post("1")}}); err != nil {
				return err
			}
			cancel()
			if err := h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post("2")}}); err != nil {
				return err
			}
			return errors.New("Emit after cancel did not fail")
		}, RunInterrupted, context.Canceled},
		{"rate limited", true, func(ctx context.Context, cancel func(), h Host) error {
			c := h.HTTP(nil, TwitterLimits)
			for {
				if _, err := c.Do(ctx, "followers/ids", get(t, s.URL)); err != nil {
					return fmt.Errorf("followers: %w", err)
				}
			}
		}, RunRateLimited, ErrRateLimited},
		{"panic", false, func(ctx context.Context, cancel func(), h Host) error {
			panic("oops")
		}, RunError, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeStore()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg := RunConfig{Store: st, Index: &fakeIndex{s: st}, Clock: NewFakeClock(t0), NoWait: tc.noWait}
			job := fakeJob{account: "bob", run: func(ctx context.Context, h Host) error { return tc.run(ctx, cancel, h) }}
			run, err := Run(ctx, cfg, fakePlugin{"fake"}, job)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "fake bob: ") {
				t.Errorf("error %q lacks the plugin and account", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if run.Status != tc.status || run.Error == "" || run.Ended.IsZero() {
				t.Errorf("run %+v, want status %s with error and end", run, tc.status)
			}
			if len(st.ended) != 1 || st.ended[0].Status != tc.status {
				t.Errorf("recorded %+v", st.ended)
			}
			// Merging would hold up the exit an interruption asked for,
			// and fail as the run did (a full disk).
			if slices.Contains(st.Events(), "settle") {
				t.Errorf("a run that ended %s merged the index: %v", tc.status, st.Events())
			}
			switch tc.name {
			case "interrupted":
				if len(st.batches) != 1 || run.Written != 1 {
					t.Errorf("applied %d batches, written %d; want 1, 1", len(st.batches), run.Written)
				}

			case "rate limited":
				if run.Requests["followers/ids"] != 1 {
					t.Errorf("requests %v", run.Requests)
				}
				if !strings.Contains(run.Error, "rate limit window spent until") {
					t.Errorf("error %q", run.Error)
				}
			}
		})
	}
}

// TestRunStoppedByACause checks that a run stopped by a context with a
// cause (a signal, a server's shutdown) says the cause, not "context
// canceled", and is still an interruption.
func TestRunStoppedByACause(t *testing.T) {
	st := newFakeStore()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	signal := errors.New("interrupted (SIGINT)")
	job := fakeJob{account: "bob", run: func(ctx context.Context, h Host) error {
		if err := h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post("1")}}); err != nil {
			return err
		}
		cancel(signal)
		return h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post("2")}})
	}}
	run, err := Run(ctx, RunConfig{Store: st, Clock: NewFakeClock(t0)}, fakePlugin{"fake"}, job)
	want := "fake bob: interrupted (SIGINT); what was committed stays, and the next run resumes from it"
	if err == nil || err.Error() != want || !errors.Is(err, context.Canceled) || !errors.Is(err, signal) {
		t.Errorf("error %v; want %q, both context.Canceled and the cause", err, want)
	}
	if run.Status != RunInterrupted || strings.Contains(run.Error, "context canceled") || !strings.Contains(run.Error, "interrupted (SIGINT)") {
		t.Errorf("run %s %q; want interrupted, with the cause", run.Status, run.Error)
	}
}

func TestRunStoreAndIndexErrors(t *testing.T) {
	st := newFakeStore()
	st.applyErr = errors.New("disk full")
	job := fakeJob{account: "a", run: func(ctx context.Context, h Host) error {
		return h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post("1")}})
	}}
	run, err := Run(context.Background(), RunConfig{Store: st}, fakePlugin{"fake"}, job)
	if err == nil || !strings.Contains(err.Error(), "disk full") || run.Status != RunError {
		t.Errorf("apply error: %v, %+v", err, run)
	}

	st = newFakeStore()
	job.run = func(ctx context.Context, h Host) error {
		return h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post("1")}})
	}
	run, err = Run(context.Background(), RunConfig{Store: st, Index: &fakeIndex{s: st, err: errors.New("bleve broke")}},
		fakePlugin{"fake"}, job)
	if err == nil || !strings.Contains(err.Error(), "index: bleve broke") || run.Status != RunError {
		t.Errorf("index error: %v, %+v", err, run)
	}
	if len(st.batches) != 1 || run.Written != 1 {
		t.Errorf("the batch should stay applied: %d batches, written %d", len(st.batches), run.Written)
	}

	// Merges that fail at the end leave a done run: its data is committed
	// and indexed. The failure is logged.
	st = newFakeStore()
	var logged bytes.Buffer
	log := zerolog.New(&logged)
	run, err = Run(context.Background(), RunConfig{Store: st, Log: &log,
		Index: &fakeIndex{s: st, settleErr: errors.New("index: merging segments failed: no space left on device")}},
		fakePlugin{"fake"}, job)
	if err != nil || run.Status != RunDone || run.Written != 1 {
		t.Errorf("merge error: %v, %+v; want a done run", err, run)
	}
	if !strings.Contains(logged.String(), `"level":"warn","plugin":"fake","account":"a"`) ||
		!strings.Contains(logged.String(), "no space left on device") || !strings.Contains(logged.String(), "could not be merged") {
		t.Errorf("merge error not logged as a warning:\n%s", logged.String())
	}
}

func TestRunWaitReported(t *testing.T) {
	reset := t0.Add(15 * time.Minute)
	s, _ := server(t, func(i int, w http.ResponseWriter, r *http.Request) {
		if i == 1 {
			setLimits(w, 15, 0, reset)
		} else {
			setLimits(w, 15, 14, reset.Add(15*time.Minute))
		}
	})
	st := newFakeStore()
	rec := &recorder{}
	var logs bytes.Buffer
	log := zerolog.New(&logs)
	clock := NewFakeClock(t0)
	var hookCalls int
	cfg := RunConfig{Store: st, Clock: clock, Progress: rec, Log: &log, HTTP: ClientConfig{
		OnWait: func(string, time.Time, string) { hookCalls++ },
	}}
	job := fakeJob{account: "a", run: func(ctx context.Context, h Host) error {
		h.Stream("followers", 0)
		c := h.HTTP(nil, TwitterLimits)
		for i := 0; i < 2; i++ {
			if _, err := c.Do(ctx, "followers/ids", get(t, s.URL)); err != nil {
				return err
			}
		}
		return nil
	}}
	if _, err := Run(context.Background(), cfg, fakePlugin{"fake"}, job); err != nil {
		t.Fatal(err)
	}
	var waits []Status
	for _, s := range rec.all() {
		if !s.WaitingUntil.IsZero() {
			waits = append(waits, s)
		}
	}
	if len(waits) != 1 || !waits[0].WaitingUntil.Equal(reset.Add(time.Second)) || waits[0].WaitEndpoint != "followers/ids" {
		t.Errorf("wait statuses %+v", waits)
	}
	if last := rec.all()[len(rec.all())-1]; !last.WaitingUntil.IsZero() || !last.Done {
		t.Errorf("last status %+v", last)
	}
	if hookCalls != 2 {
		t.Errorf("RunConfig.HTTP.OnWait called %d times, want 2", hookCalls)
	}
	for _, want := range []string{"rate limit window spent, waiting until", `"plugin":"fake"`, `"run":1`, `"status":"done"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs.String())
		}
	}
}

type otherTransport struct{ http.RoundTripper }

func TestRunSharesClients(t *testing.T) {
	s, _ := server(t, func(int, http.ResponseWriter, *http.Request) {})
	st := newFakeStore()
	tr1 := &otherTransport{http.DefaultTransport}
	tr2 := &otherTransport{http.DefaultTransport}
	job := fakeJob{account: "a", run: func(ctx context.Context, h Host) error {
		a, b, c := h.HTTP(tr1, nil), h.HTTP(tr1, nil), h.HTTP(tr2, nil)
		if a != b || a == c {
			return errors.New("clients: want one per transport")
		}
		// A transport of a non-comparable type must not panic.
		d := h.HTTP(funcTransport(http.DefaultTransport.RoundTrip), nil)
		for _, x := range []Doer{a, b, c, d} {
			if _, err := x.Do(ctx, "ep", get(t, s.URL)); err != nil {
				return err
			}
		}
		return nil
	}}
	run, err := Run(context.Background(), RunConfig{Store: st}, fakePlugin{"fake"}, job)
	if err != nil {
		t.Fatal(err)
	}
	if run.Requests["ep"] != 4 {
		t.Errorf("requests %v, want ep: 4 summed over the clients", run.Requests)
	}
}

type funcTransport func(*http.Request) (*http.Response, error)

func (f funcTransport) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRunAddItems(t *testing.T) {
	st := newFakeStore()
	rec := &recorder{}
	job := fakeJob{account: "a", run: func(ctx context.Context, h Host) error {
		h.Stream("timeline", 200)
		AddItems(h, 2)
		if err := h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post("1"), post("2"), post("3")}}); err != nil {
			return err
		}
		AddItems(h, 1) // after the Emit's report: counted in the stream's last
		h.Stream("likes", 0)
		return h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post("4")}})
	}}
	if _, err := Run(context.Background(), RunConfig{Store: st, Progress: rec}, fakePlugin{"fake"}, job); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range rec.all() {
		line := fmt.Sprintf("%s %d/%d", s.Stream, s.Items, s.Expect)
		if s.StreamDone {
			line += " stream done"
		}
		if s.Done {
			line += " done"
		}
		got = append(got, line)
	}
	// Items are what the job counts with AddItems, per stream; records
	// written are counted apart. A stream's last report has its total.
	want := []string{"timeline 0/200", "timeline 2/200", "timeline 3/200 stream done",
		"likes 0/0", "likes 0/0", "likes 0/0 done"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestRunConcurrentEmits(t *testing.T) {
	st := newFakeStore()
	job := fakeJob{account: "a", run: func(ctx context.Context, h Host) error {
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h.Stream(fmt.Sprintf("s%d", i%3), i)
				errs <- h.Emit(ctx, schema.Batch{Nodes: []schema.Node{post(fmt.Sprint(i))}})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	}}
	run, err := Run(context.Background(), RunConfig{Store: st, Index: &fakeIndex{s: st}, Progress: &recorder{}}, fakePlugin{"fake"}, job)
	if err != nil || run.Written != 20 {
		t.Fatalf("%v, written %d", err, run.Written)
	}
	// Catch-ups run beside the applies, and the last events before the
	// run's end are a catch-up that has seen every apply and the merges.
	ev := st.Events()
	if len(ev) < 3 || ev[len(ev)-3] != "catchup" || ev[len(ev)-2] != "settle" || ev[len(ev)-1] != "end done" {
		t.Fatalf("events: %v", ev)
	}
}

// The store package's Store is what the runner needs.
var _ Store = (*store.Store)(nil)
