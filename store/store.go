package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/podimport/podimport/schema"
)

// FileName is the name of the bbolt file inside the store's directory.
const FileName = "podimport.db"

// formatVersion is the layout described in the package comment. A file
// written with a newer layout is refused rather than misread; one written
// with an older layout is upgraded when it is opened (migrate.go).
const formatVersion = 2

var (
	// ErrInUse is wrapped by the error Open returns when another process
	// holds the store's file lock.
	ErrInUse = errors.New("store is in use by another process")
	// ErrNotFound is wrapped by the errors of lookups that find nothing.
	ErrNotFound = errors.New("not found")
	// ErrNoStore is wrapped by the error Open returns, with
	// Options.MustExist, when the directory holds no store.
	ErrNoStore = errors.New("no store")
)

// inUseError names the file and says what to do; it matches ErrInUse and
// keeps bbolt's timeout as its cause.
type inUseError struct {
	path  string
	cause error
}

func (e *inUseError) Error() string {
	return fmt.Sprintf("store %s is in use by another process (a running import or `podimport serve`); wait for it to finish or stop it", e.path)
}
func (e *inUseError) Unwrap() []error { return []error{ErrInUse, e.cause} }

// Bucket names.
var (
	bucketGraph   = []byte("graph") // nodes, raw JSON and edges (graph.go)
	bucketHandles = []byte("handles")
	bucketCursors = []byte("cursors")
	bucketRuns    = []byte("runs")
	bucketChanges = []byte("changes")
	bucketHistory = []byte("history")
	bucketCounts  = []byte("counts")
	bucketMeta    = []byte("meta")

	allBuckets = [][]byte{bucketGraph, bucketHandles, bucketCursors, bucketRuns, bucketChanges, bucketHistory, bucketCounts, bucketMeta}
)

// Keys of the meta bucket.
var (
	metaVersion        = []byte("version")
	metaIndexWatermark = []byte("index_watermark")
)

// appendFill is the FillPercent of buckets whose keys only ever grow
// (changes, runs): new keys land on the last page, so packing pages full
// wastes nothing. Every other bucket keeps bbolt's default, because random
// inserts into full pages split them and bloat the file.
const appendFill = 0.95

// Options configure Open.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process; 0 means 1s. Without a bound bbolt would wait for ever.
	Timeout time.Duration
	// NoSync skips fsync on commit. For benchmarks only: a crash may then
	// corrupt the file. Close syncs once.
	NoSync bool
	// MustExist makes Open fail with ErrNoStore, creating nothing, when
	// dir holds no store: for a reader, a mistyped directory is a
	// mistake, not a new empty store.
	MustExist bool
	// Now is the store's clock (run times, edge times left zero, history);
	// nil means time.Now.
	Now func() time.Time
}

// Store is an open store. Close it when done: until then no other process
// can open it.
type Store struct {
	dir    string
	path   string
	db     *bolt.DB
	now    func() time.Time
	noSync bool
	group  *committer // Apply's group commit
	notes  runNotes   // requests of runs in flight, for their next commit
}

// Open opens the store in dir, creating dir (0700), dir/blobs (0700) and the
// file dir/podimport.db (0600) if they do not exist (unless
// opts.MustExist). If another process has
// the store open, Open returns an error wrapping ErrInUse after about
// opts.Timeout.
//
// Runs that a process left running when it ended (killed or crashed) are
// recorded as interrupted by the next Open: see closeAbandonedRuns.
func Open(dir string, opts Options) (*Store, error) {
	if dir == "" {
		return nil, errors.New("store: no directory given")
	}
	if opts.MustExist {
		if _, err := os.Stat(filepath.Join(dir, FileName)); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: %w in %s (no %s there)", ErrNoStore, dir, FileName)
		}
	}
	// The graph is one person's private data: only its owner may read it.
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o700); err != nil {
		if fi, serr := os.Stat(dir); serr == nil && fi.IsDir() {
			// A container's volume, say, that its user may not write.
			return nil, fmt.Errorf("store: cannot write in %s: %w; the folder must be writable by this process's user (uid %d)", dir, err, os.Getuid())
		}
		return nil, fmt.Errorf("store: cannot create directory %s: %w; check its parent's permissions", dir, err)
	}
	path := filepath.Join(dir, FileName)
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	// After a crash bbolt rebuilds its list of free pages by visiting
	// every page (see NoFreelistSync below), in the B+tree's order: read
	// ahead, as for a walk of every record. When the list is there, Open
	// takes milliseconds and the reading stops after a few reads.
	stopReading := readAhead(path)
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: timeout,
		// etcd's settings for large files: the hashmap freelist stays fast
		// when fragmented, and not syncing it makes commits cheaper (it is
		// rebuilt by a scan on open after a crash).
		FreelistType:   bolt.FreelistMapType,
		NoFreelistSync: true,
		NoSync:         opts.NoSync,
	})
	stopReading()
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, &inUseError{path: path, cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("store: cannot open %s: %w; if the file is damaged, move it away and import again", path, err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Store{dir: dir, path: path, db: db, now: now, noSync: opts.NoSync, group: newCommitter()}
	version, err := s.init()
	if err == nil && version < formatVersion {
		err = s.migrate(version)
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// init creates the buckets and checks the layout version, so that every
// later transaction can take the buckets as given, and closes the runs of
// processes that ended without closing them (closeAbandonedRuns: Open's
// lock is what makes that safe). It returns the version the file has:
// formatVersion for a new file, less for one that Open must upgrade first.
// It is one transaction, as every Open commits one anyway.
func (s *Store) init() (version uint64, err error) {
	err = s.update("the store was not initialized", func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(metaVersion); v != nil {
			version = decodeU64(v)
			if version > formatVersion {
				return fmt.Errorf("store %s has layout version %d, this podimport reads up to %d; upgrade podimport", s.path, version, formatVersion)
			}
			// Runs are kept alike in every layout.
			return closeAbandonedRuns(tx)
		}
		version = formatVersion
		return meta.Put(metaVersion, encodeU64(formatVersion))
	})
	return version, err
}

// Close closes the store and releases the file lock.
func (s *Store) Close() error {
	s.syncFreelist()
	if s.noSync {
		// NoSync left the last commits in the page cache; make them durable
		// once rather than on every commit.
		if err := s.db.Sync(); err != nil && !errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			_ = s.db.Close()
			return fmt.Errorf("store: sync %s on close: %w", s.path, err)
		}
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// syncFreelist writes bbolt's list of free pages into the file, so that
// the next Open reads it instead of walking every page of the file to
// rebuild it, which bbolt does when the list was not written: in every
// command, 0.4 s at 100k posts, 2.7 s at 1M with the file in memory and
// 47 s without (BENCHMARKS.md). Commits do not write it
// (NoFreelistSync), which makes them cheaper; after a crash the next Open
// rebuilds it. A failure here loses nothing (the next Open rebuilds the
// list), so it is not reported.
func (s *Store) syncFreelist() {
	tx, err := s.db.Begin(true)
	if err != nil {
		return
	}
	// Read by Commit; set while this transaction holds the writer's lock.
	s.db.NoFreelistSync = false
	_ = tx.Commit()
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// Path is the bbolt file.
func (s *Store) Path() string { return s.path }

// update runs fn in a write transaction. lost says what is not saved when
// the transaction fails ("nothing from this batch was committed"). fn's own
// errors are returned as they are (they already say what is wrong); errors
// of bbolt itself are wrapped with what to do.
func (s *Store) update(lost string, fn func(tx *bolt.Tx) error) error {
	tx, err := s.db.Begin(true)
	if err != nil {
		return s.txError(err)
	}
	// After a successful Commit, Rollback only reports ErrTxClosed.
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		var we *writeError
		if errors.As(err, &we) {
			return fmt.Errorf("store write failed: %w; %s", err, lost)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store write failed (disk full?): %w; %s", err, lost)
	}
	return nil
}

// view runs fn in a read transaction. Keep fn short: a read transaction
// pins the pages it sees, and a long one makes the file grow.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	tx, err := s.db.Begin(false)
	if err != nil {
		return s.txError(err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

func (s *Store) txError(err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("store %s is closed: %w", s.path, err)
	}
	return fmt.Errorf("store %s: cannot begin a transaction: %w", s.path, err)
}

// writeError marks a failed Put or Delete inside a transaction, so update
// can say that nothing was committed.
type writeError struct {
	what string
	err  error
}

func (e *writeError) Error() string { return e.what + ": " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

func wrapWrite(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &writeError{what: fmt.Sprintf(format, args...), err: err}
}

// corrupt reports a stored value that does not decode.
func corrupt(what string, err error) error {
	return fmt.Errorf("store: stored %s cannot be decoded (%v); the file may be damaged: export what you can and import again", what, err)
}

// sep joins the parts of composite keys. Apply rejects strings holding it.
const sep = 0

// key joins parts with sep.
func key(parts ...string) []byte {
	n := len(parts) - 1
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, sep)
		}
		b = append(b, p...)
	}
	return b
}

// prefix is key(parts...) followed by sep: the prefix of every key that
// continues with further parts.
func prefix(parts ...string) []byte { return append(key(parts...), sep) }

// split splits a composite key into n parts.
func split(k []byte, n int) []string {
	parts := bytes.SplitN(k, []byte{sep}, n)
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	return out
}

func encodeU64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

func decodeU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// checkKeyPart rejects a string that cannot be part of a composite key.
func checkKeyPart(what, v string) error {
	if strings.IndexByte(v, sep) >= 0 {
		return fmt.Errorf("%w: %s %q contains a zero byte, which the store uses to separate key parts", schema.ErrInvalid, what, v)
	}
	return nil
}
