package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/podimport/podimport/schema"
)

func TestExportJSONLRoundTrips(t *testing.T) {
	s := openTest(t, newClock())
	b := sampleBatch()
	mustApply(t, s, 0, b)

	var buf bytes.Buffer
	if err := s.ExportJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	var nodes []schema.Node
	var edges []schema.Edge
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var line struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		switch line.Type {
		case "node":
			var n schema.Node
			if err := json.Unmarshal(sc.Bytes(), &n); err != nil {
				t.Fatal(err)
			}
			nodes = append(nodes, n)
		case "edge":
			var e schema.Edge
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			edges = append(edges, e)
		default:
			t.Fatalf("line %q is neither a node nor an edge", sc.Text())
		}
	}
	// Read back into a fresh store, the export gives the same graph.
	s2 := openTest(t, newClock())
	mustApply(t, s2, 0, schema.Batch{Nodes: nodes, Edges: edges})
	for _, n := range b.Nodes {
		want, _ := s.Node(n.ID)
		got, err := s2.Node(n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("node %s after export and import (-want +got):\n%s", n.ID, d)
		}
	}
	if len(edges) != len(b.Edges) {
		t.Errorf("exported %d edges, want %d", len(edges), len(b.Edges))
	}
}

// TestExportHistoryJSONL checks that the count history export holds every
// account's points, as History gives them, in account order.
func TestExportHistoryJSONL(t *testing.T) {
	c := newClock()
	s := openTest(t, c)
	withCounts := func(id, handle string, followers, posts *int64) schema.Node {
		n := account(id, handle)
		n.Account.FollowersCount, n.Account.PostCount = followers, posts
		return n
	}
	mustApply(t, s, 1, schema.Batch{Nodes: []schema.Node{withCounts("2", "bob", i64(3), nil), withCounts("1", "alice", i64(10), i64(5))}})
	c.Advance(time.Hour)
	mustApply(t, s, 2, schema.Batch{Nodes: []schema.Node{withCounts("1", "alice", i64(12), i64(6))}})
	mustApply(t, s, 2, schema.Batch{Nodes: []schema.Node{account("3", "carol")}}) // no counts: no point

	var buf bytes.Buffer
	if err := s.ExportHistoryJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	var got []HistoryLine
	for _, l := range strings.SplitAfter(buf.String(), "\n") {
		if l == "" {
			continue
		}
		var h HistoryLine
		if err := json.Unmarshal([]byte(l), &h); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got = append(got, h)
	}
	var want []HistoryLine
	for _, id := range []string{accountID("1"), accountID("2")} {
		hs, err := s.History(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			want = append(want, HistoryLine{Type: "count", Account: id, HistoryPoint: h})
		}
	}
	if len(want) != 3 {
		t.Fatalf("History gave %d points, want 3", len(want))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("history export (-want +got):\n%s", d)
	}
	if !strings.Contains(buf.String(), `{"type":"count","account":"`+accountID("1")+`","run":1,`) {
		t.Errorf("history export's first line: %s", buf.String())
	}
}

func TestChangedSince(t *testing.T) {
	s := openTest(t, newClock())
	mustApply(t, s, 0, sampleBatch()) // 4 changes
	ids, last, err := s.ChangedSince(1, 2)
	if err != nil || last != 3 || len(ids) != 2 {
		t.Errorf("ChangedSince(1, 2) = %v, %d, %v; want 2 ids, last 3", ids, last, err)
	}
	ids, last, err = s.ChangedSince(4, 10)
	if err != nil || last != 4 || len(ids) != 0 {
		t.Errorf("ChangedSince(4, 10) = %v, %d, %v; want none, last 4", ids, last, err)
	}
}
