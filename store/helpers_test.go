package store

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"github.com/podimport/podimport/schema"
)

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// openTest opens a store in a fresh temporary directory and checks the
// store's invariants when the test ends.
func openTest(t testing.TB, c *clock) *Store {
	t.Helper()
	opts := Options{}
	if c != nil {
		opts.Now = c.Now
	}
	s, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if tt, ok := t.(*testing.T); ok && !tt.Failed() {
			checkInvariants(tt, s)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func mustApply(t testing.TB, s *Store, runID uint64, b schema.Batch) Applied {
	t.Helper()
	a, err := s.Apply(runID, "twitter", "alice", b)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return a
}

func i64(v int64) *int64 { return &v }

func accountID(n string) string { return schema.ID("twitter", schema.KindAccount, n) }
func postID(n string) string    { return schema.ID("twitter", schema.KindPost, n) }

func account(native, handle string) schema.Node {
	id := accountID(native)
	return schema.Node{ID: id, Kind: schema.KindAccount, Platform: "twitter", Sources: []string{"twitter"},
		Account: &schema.Account{Handle: handle, DisplayName: handle + " display"},
		Raw:     map[string]json.RawMessage{"twitter": json.RawMessage(fmt.Sprintf(`{"id_str":%q,"screen_name":%q}`, native, handle))}}
}

func refAccount(native, handle string) schema.Node {
	n := schema.Ref(accountID(native))
	if handle != "" {
		n.Account = &schema.Account{Handle: handle}
	}
	return n
}

func post(native, author, text string) schema.Node {
	return schema.Node{ID: postID(native), Kind: schema.KindPost, Platform: "twitter", Sources: []string{"twitter"},
		Post: &schema.Post{Text: text, Author: author, Created: time.Date(2023, 2, 24, 6, 58, 32, 0, time.UTC)},
		Raw:  map[string]json.RawMessage{"twitter": json.RawMessage(fmt.Sprintf(`{"id_str":%q}`, native))}}
}

// checkInvariants recounts everything with full scans and compares with the
// counters, and checks that out and in hold the same edges and that no
// ended edge was seen at or after its end.
func checkInvariants(t *testing.T, s *Store) {
	t.Helper()
	want := Stats{Nodes: map[schema.Kind]int{}, Refs: map[schema.Kind]int{}, Edges: map[schema.EdgeKind]int{}}
	if err := s.ForEachNode(func(n schema.Node) error {
		if n.Ref {
			want.Refs[n.Kind]++
		} else {
			want.Nodes[n.Kind]++
		}
		return nil
	}); err != nil {
		t.Fatalf("ForEachNode: %v", err)
	}
	if err := s.ForEachEdge(func(e schema.Edge) error {
		want.Edges[e.Kind]++
		if !e.Ended.IsZero() {
			want.EndedEdges++
			if !e.LastSeen.Before(e.Ended) {
				t.Errorf("invariant: edge %s ended %v but last seen %v", e.Key(), e.Ended, e.LastSeen)
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("ForEachEdge: %v", err)
	}
	got, err := s.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	got.Changes, got.IndexWatermark, got.FileBytes = 0, 0, 0
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("invariant: counters differ from a full scan (-scan +counters):\n%s", d)
	}
	err = s.view(func(tx *bolt.Tx) error {
		g := tx.Bucket(bucketGraph)
		var outs, ins int
		err := g.ForEach(func(k, _ []byte) error {
			if isNodeKey(k) {
				return nil
			}
			p := split(k, 4)
			switch {
			case len(p) == 3 && p[1] == tagRaw:
				if g.Get([]byte(p[0])) == nil {
					t.Errorf("invariant: raw JSON %q of a node that is not stored", k)
				}
			case len(p) != 4:
				t.Errorf("invariant: graph key %q has %d parts", k, len(p))
			case g.Get([]byte(p[0])) == nil:
				t.Errorf("invariant: edge %q filed under a node that is not stored", k)
			case p[1] == tagOut:
				outs++
			case p[1] == tagIn:
				ins++
				if g.Get(outKey(p[3], p[2], p[0])) == nil {
					t.Errorf("invariant: in key %q has no out key", k)
				}
			default:
				t.Errorf("invariant: graph key %q has an unknown tag", k)
			}
			return nil
		})
		if outs != ins {
			t.Errorf("invariant: %d out keys but %d in keys", outs, ins)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
