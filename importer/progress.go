package importer

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Status is a run's progress, reported when the job changes stream, after
// every emit, when a rate-limit wait starts and ends, and at the end.
type Status struct {
	Plugin, Account string
	// Stream is what the job works on ("followers", "timeline"), as it told
	// Host.Stream.
	Stream string
	// Items done in the current stream: what the job reported with AddItems,
	// or else the records (nodes and edges) it emitted in the stream.
	Items int
	// Expect is how many items the stream is expected to have; 0 when
	// unknown.
	Expect int
	// Written is the records the store wrote in the whole run; Requests the
	// HTTP requests sent in the whole run (every attempt).
	Written, Requests int
	// WaitingUntil is set while a rate-limit window is waited out: until
	// when, and for which endpoint.
	WaitingUntil time.Time
	WaitEndpoint string
	// StreamDone is set on the last report of a stream, when the job moves
	// on to the next one: Items is then the stream's total. (The last
	// stream's total is in the Done report.)
	StreamDone bool
	// Done is set on the last report of a run, with the job's error.
	Done bool
	Err  error
}

// Reporter receives a run's progress. Report may be called from several
// goroutines, though never at the same time by one run.
type Reporter interface {
	Report(s Status)
}

// IsTerminal reports whether f is a terminal (a progress bar makes sense).
func IsTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// NewTerminalReporter returns a Reporter that draws a progress line on w, a
// terminal: a bar when the stream's size is known, a spinner when not, with
// the items, requests and records written, and rate-limit waits with the
// time they end. The line is kept within the terminal's width: a line
// that wraps is drawn again on a new line at every report.
func NewTerminalReporter(w io.Writer) Reporter {
	return &terminalReporter{w: w, width: func() int { return terminalWidth(w) }}
}

// terminalWidth is the width of the terminal w is, 0 when unknown.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil {
			return width
		}
	}
	return 0
}

type terminalReporter struct {
	mu      sync.Mutex
	w       io.Writer
	width   func() int // the terminal's columns; 0: unknown
	bar     *progressbar.ProgressBar
	stream  string
	bounded bool // the bar has a known size
}

func (t *terminalReporter) Report(s Status) {
	t.mu.Lock()
	defer t.mu.Unlock()
	bounded := s.Expect > 0
	if t.bar == nil || s.Stream != t.stream || bounded != t.bounded {
		t.closeBar()
		t.openBar(s)
	}
	if bounded && s.Items > s.Expect {
		s.Expect = s.Items
	}
	if bounded && int64(s.Expect) != t.bar.GetMax64() {
		t.bar.ChangeMax(s.Expect)
	}
	t.bar.Describe(t.describe(s))
	_ = t.bar.Set(s.Items)
	if s.Done {
		// The bar stays as it last was. What the run did, and its error,
		// the command prints next: a line here would say it once more.
		t.closeBar()
	}
}

func (t *terminalReporter) openBar(s Status) {
	max := s.Expect
	if max <= 0 {
		max = -1 // a spinner
	}
	t.stream, t.bounded = s.Stream, s.Expect > 0
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(t.w),
		progressbar.OptionSetDescription(t.describe(s)),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSpinnerType(14),
		// No spinner goroutine: the line moves when there is news.
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(t.bounded),
	}
	if t.bounded {
		opts = append(opts, progressbar.OptionShowCount()) // a spinner's count is in the description
	}
	t.bar = progressbar.NewOptions(max, opts...)
}

func (t *terminalReporter) closeBar() {
	if t.bar == nil {
		return
	}
	_ = t.bar.Exit()
	fmt.Fprintln(t.w)
	t.bar = nil
}

// describe is the text before the bar, within the room the terminal's
// width leaves it: the plugin and account go first (the command line
// names them), then the end of the text gives way to an ellipsis.
func (t *terminalReporter) describe(s Status) string {
	head, tail := activity(s)
	full := s.Plugin + " " + s.Account
	if head != "" {
		full += " · " + head
	}
	full += tail
	width := t.width()
	if width <= 0 {
		return full
	}
	// The rest of the line: a percentage, a bar of at least 10 columns
	// (the bar library narrows it to fit), the count and the times for a
	// bar; the spinner, the count and the time for a spinner.
	rest := 20
	if s.Expect > 0 {
		rest = 34 + 2*len(strconv.Itoa(s.Expect))
	}
	room := width - rest
	for _, d := range []string{full, head + tail} {
		if utf8.RuneCountInString(d) <= room {
			return d
		}
	}
	if room < 2 {
		return ""
	}
	cut := string([]rune(head + tail)[:room-1])
	if i := strings.LastIndex(cut, ", "); i > 0 {
		cut = cut[:i] // not in the middle of a number: "359…" would read as 359
	}
	return cut + "…"
}

// activity says what the run is doing: the stream, and the counts or the
// wait after it.
func activity(s Status) (stream, rest string) {
	if !s.WaitingUntil.IsZero() {
		return s.Stream, fmt.Sprintf(": rate limit, waiting for %s until %s", s.WaitEndpoint,
			s.WaitingUntil.Local().Format("15:04:05"))
	}
	rest = ": "
	if s.Expect <= 0 {
		rest += plural(s.Items, "item") + ", "
	}
	// An archive's import makes none: "0 requests" would read as stuck.
	if s.Requests > 0 {
		rest += plural(s.Requests, "request") + ", "
	}
	return s.Stream, rest + strconv.Itoa(s.Written) + " written"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// NewLogReporter returns a Reporter that writes progress as structured log
// lines: at most one a second, plus one for the start of every stream and
// one for its end (with its total: "stream done", or "stream stopped" when
// the run stopped in it), and one for every wait's start and end. The run's
// own end, with its error, is the runner's "import finished" line.
func NewLogReporter(log *zerolog.Logger) Reporter {
	if log == nil {
		l := zerolog.Nop()
		log = &l
	}
	return &logReporter{log: log, now: time.Now, every: time.Second}
}

type logReporter struct {
	mu        sync.Mutex
	log       *zerolog.Logger
	now       func() time.Time
	every     time.Duration
	last      time.Time
	started   bool
	stream    string
	waitUntil time.Time
}

func (r *logReporter) Report(s Status) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	started := s.Stream != "" && (!r.started || s.Stream != r.stream)
	news := !r.started || started || s.Done || s.StreamDone || !s.WaitingUntil.Equal(r.waitUntil)
	if !news && now.Sub(r.last) < r.every {
		return
	}
	r.started, r.last, r.stream, r.waitUntil = true, now, s.Stream, s.WaitingUntil

	ev := r.log.Info()
	msg := "progress"
	switch {
	case s.Done && s.Stream == "":
		return // the run ended before its first stream: nothing to close
	case s.Done && s.Err != nil:
		ev, msg = r.log.Warn(), "stream stopped"
	case s.Done, s.StreamDone:
		msg = "stream done"
	case started:
		msg = "stream started"
	case !s.WaitingUntil.IsZero():
		ev, msg = ev.Time("waiting_until", s.WaitingUntil).Str("wait_endpoint", s.WaitEndpoint), "waiting for rate limit"
	}
	ev = ev.Str("plugin", s.Plugin).Str("account", s.Account).Str("stream", s.Stream).Int("items", s.Items)
	if s.Expect > 0 {
		ev = ev.Int("expect", s.Expect)
	}
	ev.Int("written", s.Written).Int("requests", s.Requests).Msg(msg)
}
