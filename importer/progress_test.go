package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/podimport/podimport/internal/testutil"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestTerminalReporter(t *testing.T) {
	var out testutil.Buffer
	r := NewTerminalReporter(&out)
	base := Status{Plugin: "twitter", Account: "alice"}

	s := base
	s.Stream, s.Expect = "followers", 0
	r.Report(s)
	s.Items, s.Requests, s.Written = 5000, 1, 5001
	r.Report(s)
	s.WaitingUntil, s.WaitEndpoint = time.Date(2024, 3, 1, 12, 15, 1, 0, time.Local), "followers/ids"
	r.Report(s)
	s.WaitingUntil, s.WaitEndpoint = time.Time{}, ""
	s.Stream, s.Expect, s.Items = "timeline", 300, 0
	r.Report(s)
	s.Items, s.Requests, s.Written = 350, 4, 6000 // more than expected
	r.Report(s)
	s.Done = true
	r.Report(s)

	got := out.String()
	for _, want := range []string{
		"twitter alice · followers: 5000 items, 1 request, 5001 written",
		"waiting for followers/ids until 12:15:01",
		"twitter alice · timeline",
		"350/350",
		"twitter alice: done (6000 written, 4 requests)",
		"twitter alice · timeline: 4 requests, 6000 written",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%q", want, got)
		}
	}

	out = testutil.Buffer{}
	r = NewTerminalReporter(&out)
	s = base
	s.Done, s.Err = true, errors.New("twitter alice: rate limit window spent")
	r.Report(s)
	if !strings.Contains(out.String(), "stopped: twitter alice: rate limit window spent") {
		t.Errorf("output %q", out.String())
	}
}

func TestLogReporter(t *testing.T) {
	var out bytes.Buffer
	log := zerolog.New(&out)
	r := NewLogReporter(&log).(*logReporter)
	now := t0
	r.now = func() time.Time { return now }

	s := Status{Plugin: "twitter", Account: "alice", Stream: "followers"}
	r.Report(s) // first: logged
	for i := 1; i <= 10; i++ {
		s.Items = i
		now = now.Add(100 * time.Millisecond)
		r.Report(s) // throttled, but for the one a second later
	}
	s.WaitingUntil, s.WaitEndpoint = t0.Add(15*time.Minute), "followers/ids"
	r.Report(s) // a wait: logged
	s.WaitingUntil, s.WaitEndpoint = time.Time{}, ""
	r.Report(s) // its end: logged
	s.Items, s.StreamDone = 12, true
	r.Report(s) // the stream's total: logged
	s.Stream, s.Items, s.StreamDone = "timeline", 0, false
	r.Report(s) // a new stream: logged
	s.Done, s.Err = true, errors.New("boom")
	r.Report(s) // the end: logged

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	var msgs []string
	for _, m := range lines {
		msgs = append(msgs, m["message"].(string))
	}
	want := []string{"stream started", "progress", "waiting for rate limit", "progress", "stream done", "stream started", "stopped"}
	if strings.Join(msgs, ",") != strings.Join(want, ",") {
		t.Fatalf("messages %v, want %v\n%s", msgs, want, out.String())
	}
	if lines[1]["items"] != 10.0 {
		t.Errorf("throttled line %v", lines[1])
	}
	if lines[2]["wait_endpoint"] != "followers/ids" || lines[4]["items"] != 12.0 || lines[5]["stream"] != "timeline" || lines[6]["error"] != "boom" {
		t.Errorf("lines %v", lines)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(nil) {
		t.Error("a file is not a terminal")
	}
}
