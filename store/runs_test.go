package store

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

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

// killedRunEnv makes the test binary, re-executed by
// TestOpenClosesRunsOfKilledProcesses, run runUntilKilled in the directory
// it names.
const killedRunEnv = "PODIMPORT_STORE_TEST_KILLED_RUN"

// killedRunT0 is the clock of the process that is killed.
var killedRunT0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// runUntilKilled is the process that is killed: it records run 1 as done,
// commits a batch of run 2, begins run 3 and commits nothing of it, says
// "committed" and the records run 2 wrote, and waits to be killed.
func runUntilKilled(dir string) int {
	s, err := Open(dir, Options{Now: func() time.Time { return killedRunT0 }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r1, err := s.BeginRun("twitter", "alice")
	if err != nil {
		return fail(err)
	}
	r1.Status, r1.Written = StatusDone, 42
	if err := s.EndRun(r1); err != nil {
		return fail(err)
	}
	r2, err := s.BeginRun("twitter", "alice")
	if err != nil {
		return fail(err)
	}
	s.NoteRequests(r2.ID, map[string]int{"statuses/user_timeline": 3})
	a, err := s.Apply(r2.ID, "twitter", "alice", sampleBatch())
	if err != nil {
		return fail(err)
	}
	if _, err := s.BeginRun("twitter-archive", "alice"); err != nil {
		return fail(err)
	}
	fmt.Println("committed", a.Nodes+a.Edges+a.Ended)
	_, _ = io.Copy(io.Discard, os.Stdin) // until killed
	return 1
}

// A process killed in the middle of a run leaves the run running; the
// next Open, by another process, records it as interrupted, with what it
// committed, and leaves alone the runs that had ended.
func TestOpenClosesRunsOfKilledProcesses(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killedRunEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	n, convErr := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "committed "))
	if err != nil || convErr != nil || n == 0 {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the process to kill said %q, %v\n%s", line, err, stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the process was not killed: %v", err)
	}

	c := newClock()
	c.Advance(time.Hour) // the next Open is later than anything the run did
	s, err := Open(dir, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Run{
		{ID: 3, Plugin: "twitter-archive", Account: "alice", Started: killedRunT0,
			Status: StatusInterrupted, Error: abandonedRunError},
		{ID: 2, Plugin: "twitter", Account: "alice", Started: killedRunT0, Ended: killedRunT0,
			Status: StatusInterrupted, Error: abandonedRunError, Written: n,
			Requests: map[string]int{"statuses/user_timeline": 3}, LastCommit: killedRunT0},
		{ID: 1, Plugin: "twitter", Account: "alice", Started: killedRunT0, Ended: killedRunT0,
			Status: StatusDone, Written: 42},
	}
	if d := cmp.Diff(want, runs); d != "" {
		t.Errorf("runs after the kill (-want +got):\n%s", d)
	}

	// This process's own run is its own until it ends: it stays running
	// while the store is open. Left running at Close (as a crash would),
	// the next Open closes it.
	r4, err := s.BeginRun("twitter", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.RunByID(r4.ID); got.Status != StatusRunning {
		t.Errorf("a run of the process that has the store open is %s, want running", got.Status)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, _ := s.RunByID(r4.ID)
	if got.Status != StatusInterrupted || got.Error != abandonedRunError || !got.Ended.IsZero() {
		t.Errorf("a run left running at Close, after Open: %+v", got)
	}
	if again, _ := s.Runs(0); !cmp.Equal(want, again[1:]) {
		t.Errorf("a second Open changed the runs it had closed (-want +got):\n%s", cmp.Diff(want, again[1:]))
	}
}

// A run record that does not decode does not keep the store from opening,
// which would lock its owner out of the store, export included, nor the
// run's batches from being committed.
func TestOpenWithADamagedRunningRecord(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.BeginRun("twitter", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.update("", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRuns).Put(encodeU64(r.ID+1), []byte(`{"status":"running",`))
	}); err != nil {
		t.Fatal(err)
	}
	// Nor does it keep the batches of its run from being committed.
	if _, err := s.Apply(r.ID+1, "twitter", "alice", sampleBatch()); err != nil {
		t.Errorf("Apply for the run of a damaged record: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, Options{}); err != nil {
		t.Fatalf("Open with a damaged run record: %v", err)
	}
	defer s.Close()
	if got, err := s.RunByID(r.ID); err != nil || got.Status != StatusInterrupted {
		t.Errorf("the run beside the damaged record: %+v, %v", got, err)
	}
	if _, err := s.RunByID(r.ID + 1); err == nil || !strings.Contains(err.Error(), "cannot be decoded") {
		t.Errorf("the damaged record: %v, want an error saying it cannot be decoded", err)
	}
}
