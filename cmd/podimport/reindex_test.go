package main

import (
	"strings"
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
