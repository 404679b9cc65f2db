package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/index"
)

// TestRebuildProgress checks what reindex says while it works: on a
// terminal one line redrawn, in a log a line each tenth of the documents
// and one when the merges begin.
func TestRebuildProgress(t *testing.T) {
	reports := []index.RebuildProgress{}
	for n := 10; n <= 100; n += 10 {
		reports = append(reports, index.RebuildProgress{Documents: n})
	}
	reports = append(reports, index.RebuildProgress{Documents: 101}, index.RebuildProgress{Documents: 101, Merging: true})

	var line strings.Builder
	report := rebuildLine(&line, 95) // nodes written while it reads: past the count
	for _, p := range reports {
		report(p)
	}
	for _, want := range []string{
		"\r\x1b[Krebuilding the index: 10 of 95 documents (10%)",
		"\r\x1b[Krebuilding the index: 101 of 95 documents (100%)",
		"\r\x1b[Krebuilding the index: 101 documents; merging its segments\n",
	} {
		if !strings.Contains(line.String(), want) {
			t.Errorf("terminal output lacks %q:\n%q", want, line.String())
		}
	}

	var logged strings.Builder
	log := zerolog.New(&logged)
	report = rebuildLogger(&log, 200)
	for _, p := range reports {
		report(p)
	}
	want := `{"level":"info","documents":20,"of":200,"message":"rebuilding the index"}
{"level":"info","documents":40,"of":200,"message":"rebuilding the index"}
{"level":"info","documents":60,"of":200,"message":"rebuilding the index"}
{"level":"info","documents":80,"of":200,"message":"rebuilding the index"}
{"level":"info","documents":100,"of":200,"message":"rebuilding the index"}
{"level":"info","documents":101,"message":"rebuilding the index: merging its segments"}
`
	if logged.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", logged.String(), want)
	}
}

// TestReindexInterrupted checks what a reindex stopped by a signal says:
// the signal, with its exit code, and the index answers as before. (The
// signal here comes before the command starts, so it is the open's
// catch-up that stops; "reindex interrupted (SIGINT); the index is as it
// was before" is said when it comes during the rebuild.)
func TestReindexInterrupted(t *testing.T) {
	dir := queryStore(t)
	if code, _, errOut := runCLI(t, "--store", dir, "search", "golang"); code != 0 {
		t.Fatalf("search: exit %d: %s", code, errOut)
	}
	for _, c := range []struct {
		sig  syscall.Signal
		code int
		want string
	}{
		{syscall.SIGINT, exitInterrupted, "interrupted (SIGINT)"},
		{syscall.SIGTERM, exitTerminated, "terminated (SIGTERM)"},
	} {
		ctx, cancel := context.WithCancelCause(t.Context())
		cancel(signalCause{c.sig})
		var out, errOut bytes.Buffer
		code := run(ctx, []string{"podimport", "--store", dir, "reindex"}, &out, &errOut)
		if code != c.code || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("reindex stopped by %v: exit %d, want %d and %q\nstderr: %s", c.sig, code, c.code, c.want, errOut.String())
		}
	}
	// And the index still answers.
	if code, out, errOut := runCLI(t, "--store", dir, "search", "golang"); code != 0 || !strings.HasPrefix(out, "3 results") {
		t.Errorf("search after the interrupted reindexes: exit %d\n%s%s", code, out, errOut)
	}
}

// TestRebuildAtOpen checks that a command whose index must be rebuilt
// first says so and why, and that Ctrl-C stops that rebuild: it takes
// minutes on a large store.
func TestRebuildAtOpen(t *testing.T) {
	dir := queryStore(t)
	if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(signalCause{syscall.SIGINT})
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"podimport", "--store", dir, "search", "golang"}, &out, &errOut)
	if want := "search index: interrupted (SIGINT) before it was ready; the next open finishes it"; code != exitInterrupted || !strings.Contains(errOut.String(), want) {
		t.Errorf("search with its rebuild interrupted: exit %d, want %d and %q\nstderr: %s", code, exitInterrupted, want, errOut.String())
	}

	code, stdout, stderr := runCLI(t, "--store", dir, "search", "golang")
	if code != 0 || !strings.HasPrefix(stdout, "3 results") ||
		!strings.Contains(stderr, "podimport: rebuilding the search index from the store (index directory missing)\n") ||
		!strings.Contains(stderr, "podimport: the search index is rebuilt: ") {
		t.Errorf("search that rebuilds the index: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	// Rebuilt once: the next search says nothing of it.
	if code, _, stderr := runCLI(t, "--store", dir, "search", "golang"); code != 0 || stderr != "" {
		t.Errorf("the search after: exit %d, stderr %q", code, stderr)
	}
}
