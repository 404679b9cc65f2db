package store

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// TestCloseWritesTheFreelist checks that a closed store's file holds
// bbolt's list of free pages, which spares the next Open a walk through
// every page of the file, while a file left by a crash (copied before
// Close) does not, and still opens.
func TestCloseWritesTheFreelist(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(t.TempDir(), "crashed")
	copyFile(t, s.Path(), filepath.Join(crashed, FileName))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !freelistSynced(t, filepath.Join(dir, FileName)) {
		t.Error("the closed store's file does not hold its freelist")
	}
	if freelistSynced(t, filepath.Join(crashed, FileName)) {
		t.Fatal("the file before Close holds its freelist already: the test shows nothing")
	}
	for _, d := range []string{dir, crashed} {
		s, err := Open(d, Options{})
		if err != nil {
			t.Fatalf("reopen %s: %v", d, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// freelistSynced reads the newer of the file's two meta pages: its
// freelist page id is all ones when the list was not written.
func freelistSynced(t *testing.T, path string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const header = 16 // page id, flags, count, overflow
	pageSize := int(binary.LittleEndian.Uint32(b[header+8:]))
	var txid, freelist uint64
	for _, page := range []int{0, 1} {
		m := b[page*pageSize+header:]
		// magic, version, page size, flags (4 bytes each); root bucket
		// (16); freelist, high water mark, txid (8 each).
		if tx := binary.LittleEndian.Uint64(m[48:]); tx >= txid {
			txid, freelist = tx, binary.LittleEndian.Uint64(m[32:])
		}
	}
	return freelist != ^uint64(0)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
