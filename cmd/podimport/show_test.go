package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

func TestNewestFirst(t *testing.T) {
	run1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	run2 := run1.Add(24 * time.Hour)
	e := func(kind schema.EdgeKind, to string, seen time.Time) schema.Edge {
		return schema.Edge{From: "twitter:account:1", Kind: kind, To: to, FirstSeen: seen, LastSeen: seen}
	}
	ended := func(e schema.Edge, at time.Time) schema.Edge { e.Ended = at; return e }
	// As the store gives them: by kind, then by the other end's id as a
	// string (where "104530436" sorts between two 19-digit ids).
	edges := []schema.Edge{
		e(schema.EdgeFollows, "twitter:account:1040588226296807422", run1),
		e(schema.EdgeFollows, "twitter:account:104530436", run2), // followed since run 1
		e(schema.EdgeFollows, "twitter:account:1047018509564055958", run1),
		ended(e(schema.EdgeFollows, "twitter:account:9", run1), run2),
		ended(e(schema.EdgeFollows, "twitter:account:8", run1), run2.Add(time.Hour)),
		e(schema.EdgeAuthored, "twitter:post:1727236349376856065", run1),
		e(schema.EdgeAuthored, "twitter:post:2124413452746227713", run2),
		e(schema.EdgeAuthored, "twitter:post:20", run1),
		e(schema.EdgeAuthored, "twitter:post:1999999999999999999", run1),
		e(schema.EdgeTagged, "twitter:tag:golang", run1),
		e(schema.EdgeTagged, "twitter:tag:go", run1),
	}
	newestFirst(edges, func(e schema.Edge) string { return e.To })
	var got []string
	for _, e := range edges {
		got = append(got, string(e.Kind)+" "+e.To)
	}
	want := []string{
		"authored twitter:post:2124413452746227713", // the last run's
		"authored twitter:post:1999999999999999999", // then the highest id
		"authored twitter:post:1727236349376856065",
		"authored twitter:post:20",
		"follows twitter:account:104530436", // the newest follow, whatever its id
		"follows twitter:account:1047018509564055958",
		"follows twitter:account:1040588226296807422",
		"follows twitter:account:8", // ended, the latest first
		"follows twitter:account:9",
		"tagged twitter:tag:golang", // not numbers: as strings, highest first
		"tagged twitter:tag:go",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestCompareIDs(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"twitter:post:20", "twitter:post:1999999999999999999", -1},
		{"twitter:post:0020", "twitter:post:20", 0},
		{"twitter:post:21", "twitter:post:20", 1},
		{"twitter:post:9", "twitter:account:10", 1}, // other kinds: as strings
		{"twitter:tag:b", "twitter:tag:a", 1},
		{"twitter:tag:9", "twitter:tag:a", -1},
	} {
		if got := compareIDs(c.a, c.b); got != c.want {
			t.Errorf("compareIDs(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestPrintHistory(t *testing.T) {
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.Local)
	n := func(v int64) *int64 { return &v }
	var points []store.HistoryPoint
	for i := range 12 {
		points = append(points, store.HistoryPoint{Run: uint64(i + 1), At: at.AddDate(0, 0, i), Followers: n(int64(100 + i)), Following: n(50), Posts: nil})
	}
	var out bytes.Buffer
	printHistory(&out, points, 10)
	want := "  counts by run (12)\n      … 2 earlier (--json for all)\n" +
		"      2026-11-03 12:00  run 3  followers 102, following 50, posts ?\n"
	if got := out.String(); !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 12 ||
		!strings.HasSuffix(got, "      2026-11-12 12:00  run 12  followers 111, following 50, posts ?\n") {
		t.Errorf("got\n%s\nwant it to start with\n%s", got, want)
	}
	out.Reset()
	printHistory(&out, nil, 10)
	if out.Len() != 0 {
		t.Errorf("no history printed %q", out.String())
	}
}

func TestPrintEdgesCountsEnded(t *testing.T) {
	ended := time.Date(2026, 1, 2, 0, 0, 0, 0, time.Local)
	edges := []schema.Edge{
		{From: "twitter:account:2", Kind: schema.EdgeFollows, To: "twitter:account:1"},
		{From: "twitter:account:3", Kind: schema.EdgeFollows, To: "twitter:account:1", Ended: ended},
	}
	var out bytes.Buffer
	printEdges(&out, "←", edges, func(e schema.Edge) string { return e.From }, 10, map[string]string{"twitter:account:3": "@carol"})
	want := "  ← follows (2, 1 of them ended)\n      twitter:account:2\n      twitter:account:3  @carol  ended 2026-01-02\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}

// TestShowFirstLine checks the line that says what a node is: the plugins
// it came from after "from", and for a reference, which came from none,
// no "from" at all.
func TestShowFirstLine(t *testing.T) {
	dir := queryStore(t)
	for id, want := range map[string]string{
		"twitter:post:11": "twitter:post:11  post, complete, from twitter\n",
		"twitter:post:99": "twitter:post:99  post, reference (named by another record, not imported itself)\n",
	} {
		code, out, errOut := runCLI(t, "--store", dir, "show", id)
		if first, _, _ := strings.Cut(out, "\n"); code != 0 || first+"\n" != want {
			t.Errorf("show %s: exit %d, first line %q, want %q\n%s", id, code, first, want, errOut)
		}
	}
}

// TestShowNotFound checks the message for a node not in the store, with a
// hint when the argument looks like a handle written without its @.
func TestShowNotFound(t *testing.T) {
	dir := queryStore(t)
	for arg, want := range map[string]string{
		"alice":               `no node "alice" in the store (ids look like twitter:post:123 or twitter:account:42; an account by handle: @alice)`,
		"twitter:post:5":      `no node "twitter:post:5" in the store (ids look like twitter:post:123 or twitter:account:42)` + "\n",
		"1629012888185610242": `no node "1629012888185610242" in the store (ids look like twitter:post:123 or twitter:account:42; a tweet by its number: twitter:post:1629012888185610242)`,
		"@carol":              "no twitter account @carol in the store",
		"@alice@mastodon":     "no mastodon account @alice in the store",
	} {
		code, out, errOut := runCLI(t, "--store", dir, "show", arg)
		if code != exitError || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("show %s: exit %d, want %d and %q\nstdout: %q\nstderr: %q", arg, code, exitError, want, out, errOut)
		}
	}
}

// TestPrintNodeReferencePost checks a reference post that has its text
// alone (a like from an archive): no empty handle, no year 1.
func TestPrintNodeReferencePost(t *testing.T) {
	n := schema.Node{ID: "twitter:post:7", Kind: schema.KindPost, Platform: "twitter", Ref: true,
		Post: &schema.Post{Text: "a liked tweet"}}
	var out bytes.Buffer
	printNode(&out, n, nil, nil, nil, 10, nil)
	want := "twitter:post:7  post, reference (named by another record, not imported itself)\n" +
		"  a liked tweet\n  likes ?, reposts ?\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
	n.Post.Author = "twitter:account:42"
	out.Reset()
	printNode(&out, n, nil, nil, nil, 10, nil)
	if !strings.Contains(out.String(), "\n  twitter:account:42\n") {
		t.Errorf("the author known by id alone is not shown:\n%s", out.String())
	}
}

// TestShowJSONEmptyLists checks that show --json gives a direction
// without edges, and an account's missing history, as [] (as the HTTP
// API does), not null.
func TestShowJSONEmptyLists(t *testing.T) {
	dir := queryStore(t)
	for id, keys := range map[string][]string{
		"twitter:post:99":   {"out"},           // a reference, replied to: no edges out
		"twitter:account:2": {"in", "history"}, // imported without a profile's counts
	} {
		code, out, errOut := runCLI(t, "--store", dir, "show", "--json", id)
		if code != 0 {
			t.Fatalf("show --json %s: exit %d\n%s", id, code, errOut)
		}
		var v struct {
			Edges   map[string]json.RawMessage `json:"edges"`
			History json.RawMessage            `json:"history"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("show --json %s: %v\n%s", id, err, out)
		}
		for _, k := range keys {
			got := v.Edges[k]
			if k == "history" {
				got = v.History
			}
			if string(got) != "[]" {
				t.Errorf("show --json %s: %s is %s, want []", id, k, got)
			}
		}
	}
}
