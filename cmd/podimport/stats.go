package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

func statsCommand() *cli.Command {
	return &cli.Command{
		Name:  "stats",
		Usage: "count nodes (complete and reference), edges, cursors and recent runs",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *cli.Context) error {
			pd, err := openExistingPod(c)
			if err != nil {
				return err
			}
			defer pd.Close()
			st, err := pd.store.Stats()
			if err != nil {
				return err
			}
			cursors, err := pd.store.Cursors()
			if err != nil {
				return err
			}
			runs, err := pd.store.Runs(5)
			if err != nil {
				return err
			}
			docs, err := pd.index.DocCount()
			if err != nil {
				return err
			}
			report := statsReport{Stats: st, IndexDocs: docs, Cursors: cursors, Runs: runs}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, report)
			}
			printStats(c.App.Writer, report)
			return nil
		},
	}
}

type statsReport struct {
	store.Stats
	IndexDocs uint64              `json:"index_docs"`
	Cursors   []store.CursorEntry `json:"cursors"`
	Runs      []store.Run         `json:"runs"`
}

func printStats(w io.Writer, r statsReport) {
	fmt.Fprintf(w, "%-10s %10s %10s\n", "nodes", "complete", "reference")
	for _, k := range schema.NodeKinds {
		fmt.Fprintf(w, "%-10s %10d %10d\n", k, r.Nodes[k], r.Refs[k])
	}
	fmt.Fprintf(w, "\n%-10s %10s\n", "edges", "count")
	for _, k := range schema.EdgeKinds {
		fmt.Fprintf(w, "%-10s %10d\n", k, r.Edges[k])
	}
	fmt.Fprintf(w, "%-10s %10d\n", "(ended)", r.EndedEdges)
	fmt.Fprintf(w, "\nstore %s, %d changes; index %d documents, caught up to change %d\n",
		humanBytes(r.FileBytes), r.Changes, r.IndexDocs, r.IndexWatermark)
	if len(r.Cursors) > 0 {
		// One line per cursor, but for the per-account timelines, which
		// are one per following: those are counted (--json lists them).
		fmt.Fprintln(w, "\ncursors")
		timelines := map[string]int{}
		for _, c := range r.Cursors {
			if strings.HasPrefix(c.Stream, "timeline:") {
				timelines[c.Plugin+" "+c.Account]++
				continue
			}
			fmt.Fprintf(w, "  %s %s %s = %s\n", c.Plugin, c.Account, c.Stream, shorten(c.Value, 100, 80))
		}
		for _, k := range slices.Sorted(maps.Keys(timelines)) {
			fmt.Fprintf(w, "  %s timeline:* = %s with a stored high-water mark\n", k, plural(timelines[k], "timeline"))
		}
	}
	if len(r.Runs) > 0 {
		fmt.Fprintln(w, "\nlast runs")
		for _, run := range r.Runs {
			total := 0
			for _, n := range run.Requests {
				total += n
			}
			status := run.Status
			if !run.Ended.IsZero() {
				status += " in " + run.Ended.Sub(run.Started).Round(time.Millisecond).String()
			}
			fmt.Fprintf(w, "  %d  %s  %s %s  %s  %d written, %s\n", run.ID,
				run.Started.Local().Format("2006-01-02 15:04:05"), run.Plugin, run.Account, status, run.Written, plural(total, "request"))
			if run.Error != "" {
				fmt.Fprintf(w, "     %s\n", run.Error)
			}
		}
	}
}

// shorten cuts a cursor's value of more than max characters to its first
// keep: some grow with the account (the twitter plugin's unavailable
// accounts, one entry each), and --json shows them whole.
func shorten(v string, max, keep int) string {
	r := []rune(v)
	if len(r) <= max {
		return v
	}
	return fmt.Sprintf("%s… (%d characters; --json shows it whole)", string(r[:keep]), len(r))
}
