package podrun

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/podimport/podimport/internal/testutil"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/podrun/podtest"
)

func lines(t *testing.T, out string) []Line {
	t.Helper()
	var ls []Line
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("status line %q: %v", sc.Text(), err)
		}
		ls = append(ls, l)
	}
	return ls
}

func testPod(t *testing.T) (*podtest.Pod, *Pod) {
	t.Helper()
	fake := podtest.New()
	t.Cleanup(fake.Close)
	env := map[string]string{}
	for _, kv := range fake.Env(false) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	pod, err := LoadPod(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	return fake, pod
}

func testLog(t *testing.T, w *testutil.Buffer) *zerolog.Logger {
	l := zerolog.New(w)
	return &l
}

func fastOptions(pod *Pod, out *testutil.Buffer, log *zerolog.Logger) SessionOptions {
	return SessionOptions{Pod: pod, Stdout: out, Log: log, ReportEvery: 50 * time.Millisecond,
		RetryMin: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond}
}

func TestSessionReportsToPodAndStdout(t *testing.T) {
	fake, pod := testPod(t)
	var out, logs testutil.Buffer
	s := NewSession(context.Background(), fastOptions(pod, &out, testLog(t, &logs)))
	s.Begin("twitter", "alice", 2)
	for i := 0; i <= 10; i++ {
		s.Report(importer.Status{Plugin: "twitter", Account: "alice", Stream: "followers", Expect: 10, Items: i, Requests: i, Written: 2 * i})
		time.Sleep(20 * time.Millisecond)
	}
	s.Report(importer.Status{Stream: "timeline", Expect: 0, Items: 5, Requests: 12, Written: 30, WaitingUntil: time.Now().Add(time.Minute), WaitEndpoint: "statuses/user_timeline"})
	s.Report(importer.Status{Stream: "timeline", Items: 5, Requests: 12, Written: 30, Done: true})
	if err := s.Finish(nil); err != nil {
		t.Fatal(err)
	}

	ups := fake.Updates()
	if st := fake.Statuses(); len(st) != 2 || st[0] != "started" || st[1] != "done" {
		t.Fatalf("statuses %v, want [started done]", st)
	}
	last := -1.0
	for i, u := range ups {
		p := u.Progress()
		if p < last || p > 1 {
			t.Errorf("update %d: progress %v after %v", i, p, last)
		}
		last = p
		if i > 0 && i < len(ups)-1 && u.Status() != "" {
			t.Errorf("update %d sets status %q; progress updates must not", i, u.Status())
		}
	}
	if last != 1 || len(ups) < 4 {
		t.Errorf("%d updates, last progress %v; want several, ending at 1", len(ups), last)
	}
	// ~0.3 s of reports at most one per 50 ms, plus started and done.
	if len(ups) > 12 {
		t.Errorf("%d updates: not throttled", len(ups))
	}
	if rj := fake.Rejected(); len(rj) > 0 {
		t.Errorf("the pod refused requests: %v", rj)
	}

	ls := lines(t, out.String())
	if len(ls) < 3 || ls[0].Status != "started" || ls[0].Plugin != "twitter" || ls[0].Account != "alice" {
		t.Fatalf("lines %+v", ls)
	}
	end := ls[len(ls)-1]
	if end.Status != "done" || end.Progress != 1 || end.Items != 5 || end.Requests != 12 || end.Written != 30 || !end.WaitingUntil.IsZero() {
		t.Errorf("last line %+v", end)
	}
	sawWait := false
	for _, l := range ls[1 : len(ls)-1] {
		if l.Status != "running" {
			t.Errorf("line status %q, want running", l.Status)
		}
		sawWait = sawWait || l.WaitEndpoint == "statuses/user_timeline"
	}
	if !sawWait {
		t.Error("no line shows the rate-limit wait")
	}
	if strings.Contains(out.String()+logs.String(), "encryptedPermissions") || strings.Contains(out.String()+logs.String(), "0f1e2d3c") {
		t.Error("the pod's auth leaked into the output")
	}
}

func TestSessionSurvivesFailingPod(t *testing.T) {
	fake, pod := testPod(t)
	fake.FailUpdates(4)
	var out, logs testutil.Buffer
	s := NewSession(context.Background(), fastOptions(pod, &out, testLog(t, &logs)))
	s.Begin("twitter", "alice", 1)
	deadline := time.Now().Add(5 * time.Second)
	for i := 1; !strings.Contains(logs.String(), "works again") && time.Now().Before(deadline); i++ {
		s.Report(importer.Status{Stream: "timeline", Expect: 1000, Items: i})
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Finish(nil); err != nil {
		t.Fatal(err)
	}
	if fake.Failed() != 4 {
		t.Errorf("%d failed calls, want 4", fake.Failed())
	}
	if st := fake.Statuses(); len(st) != 2 || st[0] != "started" || st[1] != "done" {
		t.Errorf("statuses %v, want started, then done", st)
	}
	if !strings.Contains(logs.String(), "reporting to the pod failed") || !strings.Contains(logs.String(), "works again") {
		t.Errorf("the failures should be logged:\n%s", logs.String())
	}
}

func TestSessionAbort(t *testing.T) {
	fake, pod := testPod(t)
	pod.PollInterval = 30 * time.Millisecond
	var out, logs testutil.Buffer
	s := NewSession(context.Background(), fastOptions(pod, &out, testLog(t, &logs)))
	s.Begin("twitter", "alice", 1)
	s.Report(importer.Status{Stream: "timeline", Expect: 10, Items: 3})
	for len(fake.Statuses()) == 0 { // the pod's user aborts a run that has started
		time.Sleep(5 * time.Millisecond)
	}
	fake.SetStatus("aborted")
	select {
	case <-s.Context().Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("the session did not notice the abort; gets %d, rejected %v\n%s", fake.Gets(), fake.Rejected(), logs.String())
	}
	if !errors.Is(context.Cause(s.Context()), ErrAborted) {
		t.Errorf("cause %v", context.Cause(s.Context()))
	}
	err := s.Finish(fmt.Errorf("twitter alice: %w", s.Context().Err()))
	if err != nil {
		t.Errorf("Finish after an abort: %v, want nil (a clean stop)", err)
	}
	st := fake.Statuses()
	if st[len(st)-1] != "aborted" || fake.Item()["status"] != "aborted" {
		t.Errorf("statuses %v, item %v", st, fake.Item())
	}
	if ls := lines(t, out.String()); ls[len(ls)-1].Status != "aborted" {
		t.Errorf("last line %+v", ls[len(ls)-1])
	}
}

func TestSessionOutcomes(t *testing.T) {
	sigterm := errors.New("terminated (SIGTERM)")
	for _, tc := range []struct {
		name       string
		err        error
		signal     bool
		line, pod  string
		errContain string
	}{
		{"config", fmt.Errorf("%w: PODIMPORT_PLUGIN is not set", importer.ErrConfig), false, "error", "error", "PODIMPORT_PLUGIN is not set"},
		{"auth", importer.AuthError("check TWITTER_ACCESS_TOKEN", errors.New("401")), false, "error", "error", "check TWITTER_ACCESS_TOKEN"},
		{"rate limited", &importer.RateLimitError{Endpoint: "followers/ids", Reset: time.Now()}, false, "rate_limited", "error", "followers/ids: rate limit window spent"},
		{"signal", fmt.Errorf("twitter a: %w", context.Canceled), true, "interrupted", "error", "terminated (SIGTERM): interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, pod := testPod(t)
			var out, logs testutil.Buffer
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			s := NewSession(ctx, fastOptions(pod, &out, testLog(t, &logs)))
			if tc.name != "config" {
				s.Begin("twitter", "a", 1)
			}
			if tc.signal {
				cancel(sigterm)
			}
			if err := s.Finish(tc.err); !errors.Is(err, tc.err) || err.Error() != tc.err.Error() {
				t.Errorf("Finish returned %v, want the run's error", err)
			}
			ups := fake.Updates()
			end := ups[len(ups)-1]
			if end.Status() != tc.pod || !strings.Contains(fmt.Sprint(end.Fields["error"]), tc.errContain) {
				t.Errorf("final update %v", end.Fields)
			}
			ls := lines(t, out.String())
			if l := ls[len(ls)-1]; l.Status != tc.line || !strings.Contains(l.Error, tc.errContain) {
				t.Errorf("last line %+v", l)
			}
			if tc.name == "config" && len(ls) != 1 {
				t.Errorf("a run that never began writes one line, got %+v", ls)
			}
		})
	}
}

// TestSessionFinalStatusComesLast: a report in flight when the run ends is
// waited for, not abandoned. Abandoned, the pod could still apply it after
// the final status, and the PluginRun would stay "started" for ever.
func TestSessionFinalStatusComesLast(t *testing.T) {
	fake, pod := testPod(t)
	fake.SlowUpdates(1, 300*time.Millisecond) // the started report
	var out, logs testutil.Buffer
	s := NewSession(context.Background(), fastOptions(pod, &out, testLog(t, &logs)))
	s.Begin("twitter", "a", 1)
	for deadline := time.Now().Add(5 * time.Second); fake.SlowBegun() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the started report never reached the pod")
		}
	}
	runErr := importer.AuthError("check TWITTER_ACCESS_TOKEN", errors.New("401"))
	if err := s.Finish(runErr); !errors.Is(err, runErr) {
		t.Fatalf("Finish: %v", err)
	}
	fake.Close() // waits for every request the pod is still handling
	if st := fake.Statuses(); len(st) != 2 || st[0] != "started" || st[1] != "error" {
		t.Errorf("pod statuses %v, want [started error]", st)
	}
	if got := fake.Item()["status"]; got != "error" {
		t.Errorf("the PluginRun's status is %v, want error", got)
	}
}

func TestSessionUnreachablePod(t *testing.T) {
	fake, pod := testPod(t)
	fake.Close() // nothing listens there any more
	var out, logs testutil.Buffer
	s := NewSession(context.Background(), fastOptions(pod, &out, testLog(t, &logs)))
	s.Begin("twitter", "a", 1)
	s.Report(importer.Status{Stream: "x", Expect: 2, Items: 1})
	start := time.Now()
	if err := s.Finish(nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Finish took %v", took)
	}
	if n := strings.Count(logs.String(), "reporting the final status to the pod failed"); n != 4 {
		t.Errorf("%d retries of the final report logged, want 4 (5 attempts):\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "could not report the final status") {
		t.Error("the final failure is not logged")
	}
	if ls := lines(t, out.String()); ls[len(ls)-1].Status != "done" {
		t.Errorf("the run is done even if the pod cannot hear it: %+v", ls[len(ls)-1])
	}
}

func TestSessionRedacts(t *testing.T) {
	fake, pod := testPod(t)
	var out, logs testutil.Buffer
	opts := fastOptions(pod, &out, testLog(t, &logs))
	opts.Redact = NewRedactor(secretToken)
	s := NewSession(context.Background(), opts)
	s.Begin("twitter", "a", 1)
	runErr := fmt.Errorf("%w: the platform echoed %s back", importer.ErrAuth, secretToken)
	err := s.Finish(runErr)
	if !errors.Is(err, importer.ErrAuth) || strings.Contains(err.Error(), secretToken) || !strings.Contains(err.Error(), "echoed [REDACTED] back") {
		t.Errorf("Finish returned %q", err)
	}
	ups := fake.Updates()
	for _, text := range []string{out.String(), logs.String(), fmt.Sprint(ups[len(ups)-1].Fields)} {
		if strings.Contains(text, secretToken) || strings.Contains(text, "0f1e2d3c4b5a6978") {
			t.Errorf("a secret leaked: %s", text)
		}
	}
}
