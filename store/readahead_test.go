package store

import (
	"os"
	"testing"
	"time"
)

// TestReadAheadStops checks that stopping a read-ahead, at once or after
// it has read the whole file, ends it and closes its file.
func TestReadAheadStops(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd to count open files")
	}
	s := openTest(t, nil)
	openFiles := func() int {
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(fds)
	}
	before := openFiles()
	for _, wait := range []time.Duration{0, 100 * time.Millisecond} {
		stop := s.readAhead()
		time.Sleep(wait)
		stop()
		if n := openFiles(); n != before {
			t.Errorf("after a read-ahead stopped after %v: %d open files, %d before", wait, n, before)
		}
	}
}
