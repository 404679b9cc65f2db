package store

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/podimport/podimport/schema"
)

// While a run is in flight, its record follows its commits: what each
// batch wrote, when, and the requests noted before it. Nothing else
// touches a running run of the process that has the store open.
func TestRunRecordFollowsCommits(t *testing.T) {
	c := newClock()
	s := openTest(t, c)
	r, err := s.BeginRun("twitter", "alice")
	if err != nil {
		t.Fatal(err)
	}
	s.NoteRequests(r.ID, map[string]int{"users/show": 1, "statuses/user_timeline": 2})
	committed := c.Advance(time.Minute)
	a := mustApply(t, s, r.ID, sampleBatch())
	written := a.Nodes + a.Edges + a.Ended
	if written == 0 {
		t.Fatal("the sample batch wrote nothing")
	}
	want := r
	want.Written, want.LastCommit = written, committed
	want.Requests = map[string]int{"users/show": 1, "statuses/user_timeline": 2}
	if got, _ := s.RunByID(r.ID); !cmp.Equal(want, got) {
		t.Errorf("record after a commit (-want +got):\n%s", cmp.Diff(want, got))
	}

	// A late note with a lower count (a worker's older snapshot) lowers
	// nothing; a batch that changes nothing still moves LastCommit.
	s.NoteRequests(r.ID, map[string]int{"users/show": 1, "statuses/user_timeline": 1, "favorites/list": 1})
	committed = c.Advance(time.Minute)
	if a := mustApply(t, s, r.ID, schema.Batch{Cursors: sampleBatch().Cursors}); a != (Applied{}) {
		t.Fatalf("the same cursors again wrote %+v", a)
	}
	want.LastCommit = committed
	want.Requests = map[string]int{"users/show": 1, "statuses/user_timeline": 2, "favorites/list": 1}
	if got, _ := s.RunByID(r.ID); !cmp.Equal(want, got) {
		t.Errorf("record after an unchanged batch (-want +got):\n%s", cmp.Diff(want, got))
	}

	// Writes outside the run are not its own.
	b := followBatch(5)
	b.Cursors = nil
	mustApply(t, s, 0, b)
	if got, _ := s.RunByID(r.ID); !cmp.Equal(want, got) {
		t.Errorf("record after a write of run 0 (-want +got):\n%s", cmp.Diff(want, got))
	}

	// Once ended, a run's record is what EndRun made it.
	r.Status, r.Written, r.Requests = StatusDone, written, want.Requests
	end := c.Advance(time.Minute)
	if err := s.EndRun(r); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, r.ID, followBatch(6))
	want.Status, want.Ended = StatusDone, end
	if got, _ := s.RunByID(r.ID); !cmp.Equal(want, got) {
		t.Errorf("record after a write with the id of an ended run (-want +got):\n%s", cmp.Diff(want, got))
	}
	if n := len(s.notes.requests); n != 0 {
		t.Errorf("%d runs' notes kept after their end", n)
	}
}
