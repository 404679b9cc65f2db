package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podimport/podimport/schema"
)

// tickingClock advances a second on every reading, so that two
// transactions never share a time, and batches that share one do.
type tickingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// followBatch: account n follows account 0, with a cursor of its own.
func followBatch(n int) schema.Batch {
	a, b := account("0", "owner"), account(fmt.Sprint(n), fmt.Sprint("user", n))
	return schema.Batch{
		Nodes:   []schema.Node{a, b},
		Edges:   []schema.Edge{{From: b.ID, Kind: schema.EdgeFollows, To: a.ID}},
		Cursors: []schema.CursorUpdate{{Stream: fmt.Sprint("s", n), Value: fmt.Sprint(n)}},
	}
}

// applyQueued holds the commit turn while the batches queue up, then lets
// them go, and returns each Apply's result.
func applyQueued(t *testing.T, s *Store, batches []schema.Batch) []error {
	t.Helper()
	s.group.turn <- struct{}{} // a commit in progress
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	for i, b := range batches {
		wg.Go(func() { _, errs[i] = s.Apply(1, "twitter", "owner", b) })
	}
	deadline := time.Now().Add(10 * time.Second)
	for queued := 0; queued < len(batches); time.Sleep(time.Millisecond) {
		q := <-s.group.q
		queued = len(q)
		s.group.q <- q
		if time.Now().After(deadline) {
			<-s.group.turn
			wg.Wait()
			t.Fatalf("%d of %d batches queued (the others were refused before queueing: %v)", queued, len(batches), errs)
		}
	}
	<-s.group.turn // the commit ends; the queue goes in one transaction
	wg.Wait()
	return errs
}

func TestGroupCommitSharesOneTransaction(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Now: (&tickingClock{t: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}).Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	batches := []schema.Batch{followBatch(1), followBatch(2), followBatch(3)}
	for i, err := range applyQueued(t, s, batches) {
		if err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	var seen []time.Time
	for n := 1; n <= 3; n++ {
		if v, _ := s.Cursor("twitter", "owner", fmt.Sprint("s", n)); v != fmt.Sprint(n) {
			t.Errorf("cursor s%d = %q, want %d", n, v, n)
		}
		es, err := s.Edges(accountID(fmt.Sprint(n)), schema.Out, schema.EdgeFollows)
		if err != nil || len(es) != 1 {
			t.Fatalf("edges of %d: %v, %v", n, es, err)
		}
		seen = append(seen, es[0].FirstSeen)
	}
	if !seen[0].Equal(seen[1]) || !seen[1].Equal(seen[2]) {
		t.Errorf("first seen %v: the three queued batches did not share a transaction", seen)
	}
}

func TestGroupCommitIsolatesAnInvalidBatch(t *testing.T) {
	s := openTest(t, newClock())
	// An edge to a node that is neither in the batch nor stored: only the
	// transaction can tell (a batch that is invalid on its own is refused
	// before it queues).
	bad := followBatch(2)
	bad.Nodes = append(bad.Nodes, post("9", accountID("2"), "a post"))
	bad.Edges = append(bad.Edges, schema.Edge{From: postID("9"), Kind: schema.EdgeReplyTo, To: postID("8")})
	errs := applyQueued(t, s, []schema.Batch{followBatch(1), bad, followBatch(3)})
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("valid batches failed: %v, %v", errs[0], errs[2])
	}
	if !errors.Is(errs[1], schema.ErrInvalid) || !strings.Contains(errs[1].Error(), `"twitter:post:8" is neither a complete nor a reference node`) {
		t.Fatalf("invalid batch: %v, want ErrInvalid naming the missing end", errs[1])
	}
	for _, n := range []int{1, 3} {
		if v, _ := s.Cursor("twitter", "owner", fmt.Sprint("s", n)); v != fmt.Sprint(n) {
			t.Errorf("cursor s%d = %q, want %d", n, v, n)
		}
	}
	if v, _ := s.Cursor("twitter", "owner", "s2"); v != "" {
		t.Errorf("the invalid batch's cursor was written: %q", v)
	}
	if _, err := s.Node(postID("9")); !errors.Is(err, ErrNotFound) {
		t.Errorf("the invalid batch's post was written: %v", err)
	}
}

// Many writers at once: every batch is committed exactly once, whole, and
// counted once in its run's record.
func TestGroupCommitConcurrentWriters(t *testing.T) {
	s := openTest(t, newClock())
	run, err := s.BeginRun("twitter", "owner")
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 25
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		written int
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				a, err := s.Apply(run.ID, "twitter", "owner", followBatch(1+w*each+i))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				written += a.Nodes + a.Edges + a.Ended
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if rec, err := s.RunByID(run.ID); err != nil || rec.Written != written {
		t.Errorf("the run's record says %d written (%v), its Apply calls %d", rec.Written, err, written)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Edges[schema.EdgeFollows]; got != writers*each {
		t.Errorf("%d follows edges, want %d", got, writers*each)
	}
	if got := st.Nodes[schema.KindAccount]; got != writers*each+1 {
		t.Errorf("%d accounts, want %d", got, writers*each+1)
	}
}
