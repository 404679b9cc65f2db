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
	"unicode/utf8"

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
		"twitter alice · timeline: 4 requests, 6000 written",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%q", want, got)
		}
	}
	// At the end the bar is closed, its line ended for what follows (the
	// command's own summary), and nothing more is said.
	if !strings.HasSuffix(got, "6000 written 100% |██████████████████████████████| (350/350)\n") {
		t.Errorf("the bar's last line should end the output:\n%q", got)
	}

	out = testutil.Buffer{}
	r = NewTerminalReporter(&out)
	s = base
	s.Done, s.Err = true, errors.New("twitter alice: rate limit window spent")
	r.Report(s)
	if got := out.String(); strings.Contains(got, "window spent") || strings.Contains(got, "stopped") {
		t.Errorf("output %q: the command says how the run ended, not the bar", got)
	}
}

// TestTerminalReporterFitsTheWidth checks the text before the bar against
// the terminal's width: whole when there is room, then without the plugin
// and account, then cut with an ellipsis, always leaving the bar its room.
func TestTerminalReporterFitsTheWidth(t *testing.T) {
	s := Status{Plugin: "twitter", Account: "demo_user", Stream: "followings' timelines",
		Items: 35, Expect: 600, Requests: 27, Written: 3594}
	long := "twitter demo_user · followings' timelines: 27 requests, 3594 written"
	for _, c := range []struct {
		width int
		want  string
	}{
		{0, long}, // not a terminal: whole
		{200, long},
		{100, "followings' timelines: 27 requests, 3594 written"},
		{80, "followings' timelines: 27 requests…"},
		{40, ""},
	} {
		r := &terminalReporter{width: func() int { return c.width }}
		got := r.describe(s)
		if got != c.want {
			t.Errorf("width %d: %q, want %q", c.width, got, c.want)
		}
		// The bar's part: " 100% |" a bar of 10 "| (600/600) [1m2s:3m4s]".
		if line := utf8.RuneCountInString(got+" 100% |") + 10 + len("| (600/600) [1m2s:3m4s]"); c.width > 0 && line > c.width {
			t.Errorf("width %d: a line of %d columns", c.width, line)
		}
	}
	// A spinner (no size known) leaves more room.
	s.Expect = 0
	r := &terminalReporter{width: func() int { return 80 }}
	if got, want := r.describe(s), "followings' timelines: 35 items, 27 requests, 3594 written"; got != want {
		t.Errorf("spinner at 80 columns: %q, want %q", got, want)
	}
	// A run that makes no requests (an archive's) does not count them.
	s.Stream, s.Requests = "tweets", 0
	if got, want := r.describe(s), "twitter demo_user · tweets: 35 items, 3594 written"; got != want {
		t.Errorf("no requests: %q, want %q", got, want)
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
	s.Items, s.Done, s.Err = 3, true, errors.New("boom")
	r.Report(s) // the end, in the timeline: logged

	lines, msgs := logLines(t, &out)
	want := []string{"stream started", "progress", "waiting for rate limit", "progress", "stream done", "stream started", "stream stopped"}
	if strings.Join(msgs, ",") != strings.Join(want, ",") {
		t.Fatalf("messages %v, want %v\n%s", msgs, want, out.String())
	}
	if lines[1]["items"] != 10.0 {
		t.Errorf("throttled line %v", lines[1])
	}
	if lines[2]["wait_endpoint"] != "followers/ids" || lines[4]["items"] != 12.0 || lines[5]["stream"] != "timeline" {
		t.Errorf("lines %v", lines)
	}
	// The run's error is on the runner's "import finished" line, not here
	// a second time.
	if l := lines[6]; l["level"] != "warn" || l["stream"] != "timeline" || l["items"] != 3.0 || l["error"] != nil {
		t.Errorf("last line %v", l)
	}

	// A run that ends well closes its last stream with its total.
	out.Reset()
	r = NewLogReporter(&log).(*logReporter)
	r.Report(Status{Plugin: "twitter", Account: "alice", Stream: "likes"})
	r.Report(Status{Plugin: "twitter", Account: "alice", Stream: "likes", Items: 40, Done: true})
	if lines, msgs := logLines(t, &out); strings.Join(msgs, ",") != "stream started,stream done" || lines[1]["items"] != 40.0 {
		t.Errorf("a run that ends well: %s", out.String())
	}
	// A run that ends before its first stream has none to close.
	out.Reset()
	r = NewLogReporter(&log).(*logReporter)
	r.Report(Status{Plugin: "twitter", Account: "alice", Done: true, Err: errors.New("boom")})
	if out.Len() != 0 {
		t.Errorf("a run without streams: %s", out.String())
	}
}

// logLines parses the JSON log lines in out, and their messages.
func logLines(t *testing.T, out *bytes.Buffer) (lines []map[string]any, msgs []string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
		msgs = append(msgs, m["message"].(string))
	}
	return lines, msgs
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
