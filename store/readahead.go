package store

import (
	"io"
	"os"
)

// readAheadBuf is the size of each read of readAhead.
const readAheadBuf = 1 << 20

// readAhead reads the store's file from start to end in the background and
// throws the bytes away, so that the operating system's page cache holds
// the file while a walk of every record reads it. It returns a function
// that stops the reading and waits for it to end.
func (s *Store) readAhead() (stop func()) { return readAhead(s.path) }

// readAhead reads the file at path as Store.readAhead does; a file that
// cannot be opened is not read.
//
// Why: bbolt reads through a memory map, and a walk in key order visits
// the file's pages in the order the B+tree put them, which after random
// inserts is no order at all. On a cold cache each 4 KiB page is then a
// separate disk read. On a 1M-post store (2.7 GiB), cache dropped:
//   - a walk of every node: 130 s (7 s with a warm cache); 10 s with this
//     read-ahead running beside it;
//   - Open after a crash, when bbolt rebuilds its list of free pages by
//     visiting every page: 102–105 s; 5–6 s. (After a clean close, Open
//     takes 8–9 ms instead of 3: the read in flight is waited for.)
//
// A file larger than the page cache can hold is read in vain, once and in
// order, which costs little next to the walk itself. Errors are ignored:
// reading ahead only saves time.
func readAhead(path string) (stop func()) {
	f, err := os.Open(path)
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		defer f.Close()
		buf := make([]byte, readAheadBuf)
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := io.ReadFull(f, buf); err != nil {
				return // the end of the file, or an error: either way, done
			}
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}
