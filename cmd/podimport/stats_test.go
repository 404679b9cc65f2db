package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// TestPrintStats checks the human output of stats: counts by kind, the
// store's size in a unit a person reads, cursors with the per-following
// timelines counted, and runs with how long they took and their error on
// a line of its own.
func TestPrintStats(t *testing.T) {
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.Local)
	var out bytes.Buffer
	printStats(&out, statsReport{
		Stats: store.Stats{
			Nodes: map[schema.Kind]int{schema.KindPost: 1266}, Refs: map[schema.Kind]int{schema.KindPost: 170},
			Edges: map[schema.EdgeKind]int{schema.EdgeFollows: 420}, EndedEdges: 3,
			Changes: 3703, IndexWatermark: 3703, FileBytes: 16 << 20,
		},
		IndexDocs: 1661,
		Cursors: []store.CursorEntry{
			{Plugin: "twitter", Account: "a", Stream: "likes", Value: `{"since":"9"}`},
			{Plugin: "twitter", Account: "a", Stream: "timeline:1", Value: "x"},
			{Plugin: "twitter", Account: "a", Stream: "timeline:2", Value: "y"},
			{Plugin: "twitter", Account: "b", Stream: "timeline:1", Value: "z"},
			{Plugin: "twitter", Account: "a", Stream: "unavailable", Value: `{"1":"2026-11-01T12:00:00Z"` + strings.Repeat(`,"2":"2026-11-01T12:00:00Z"`, 20) + "}"},
		},
		Runs: []store.Run{
			{ID: 2, Plugin: "twitter", Account: "a", Started: start.Add(time.Hour), Status: store.StatusError,
				Written: 5, Requests: map[string]int{"users/show": 1}, Error: "twitter a: invalid token"},
			{ID: 1, Plugin: "twitter", Account: "a", Started: start, Ended: start.Add(1500 * time.Millisecond),
				Status: store.StatusDone, Written: 6720, Requests: map[string]int{"users/show": 1, "friends/ids": 2}},
		},
	})
	got := out.String()
	for _, want := range []string{
		"post             1266        170\n",
		"follows           420\n",
		"(ended)             3\n",
		"store 16.0 MiB, 3703 changes; index 1661 documents, caught up to change 3703\n",
		"  twitter a likes = {\"since\":\"9\"}\n",
		"  twitter a timeline:* = 2 timelines with a stored high-water mark\n",
		"  twitter b timeline:* = 1 timeline with a stored high-water mark\n",
		"  twitter a unavailable = {\"1\":\"2026-11-01T12:00:00Z\",\"2\":\"2026-11-01T12:00:00Z\",\"2\":\"2026-11-01T12:00:00Z… (568 characters; --json shows it whole)\n",
		"  2  2026-11-01 13:00:00  twitter a  error  5 written, 1 request\n     twitter a: invalid token\n",
		"  1  2026-11-01 12:00:00  twitter a  done in 1.5s  6720 written, 3 requests\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stats output lacks %q:\n%s", want, got)
		}
	}
}

func TestPlural(t *testing.T) {
	if got := plural(0, "request") + ", " + plural(1, "request") + ", " + plural(2, "record"); got != "0 requests, 1 request, 2 records" {
		t.Errorf("plural: %q", got)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 1023: "1023 bytes", 1024: "1.0 KiB", 16 << 20: "16.0 MiB",
		3 << 30: "3.0 GiB", 5 << 40: "5.0 TiB", 5 << 50: "5120.0 TiB",
	} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
