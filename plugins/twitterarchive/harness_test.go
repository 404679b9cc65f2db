package twitterarchive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/plugins/twitterarchive"
	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// t0 is the tests' "now"; archives are generated a little before.
var (
	t0  = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	gen = time.Date(2026, 10, 30, 8, 15, 42, 0, time.UTC)
)

// harness runs the real plugin through the real importer and store, on a
// fake clock.
type harness struct {
	t     *testing.T
	clock *importer.FakeClock
	dir   string // the store
	log   bytes.Buffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{t: t, clock: importer.NewFakeClock(t0), dir: t.TempDir()}
}

// run imports the archive at path. wrap, if set, wraps the store the
// runner writes to. New's error is returned like the run's.
func (h *harness) run(ctx context.Context, path string, noMedia bool, wrap func(importer.Store) importer.Store) (store.Run, error) {
	h.t.Helper()
	v := importer.Values{"path": path}
	if noMedia {
		v["no-media"] = "true"
	}
	job, err := twitterarchive.Plugin{}.New(v)
	if err != nil {
		return store.Run{}, err
	}
	s, err := store.Open(h.dir, store.Options{Now: h.clock.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	defer s.Close()
	var st importer.Store = s
	if wrap != nil {
		st = wrap(s)
	}
	log := zerolog.New(&h.log).Level(zerolog.DebugLevel)
	return importer.Run(ctx, importer.RunConfig{Store: st, Clock: h.clock, Log: &log}, twitterarchive.Plugin{}, job)
}

func (h *harness) mustImport(path string) store.Run {
	h.t.Helper()
	r, err := h.run(context.Background(), path, false, nil)
	if err != nil {
		h.t.Fatalf("import %s: %v", filepath.Base(path), err)
	}
	if r.Status != store.StatusDone {
		h.t.Fatalf("import %s: status %q", filepath.Base(path), r.Status)
	}
	return r
}

func (h *harness) withStore(fn func(*store.Store)) {
	h.t.Helper()
	s, err := store.Open(h.dir, store.Options{Now: h.clock.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	defer s.Close()
	fn(s)
}

func (h *harness) export() string {
	h.t.Helper()
	var buf bytes.Buffer
	h.withStore(func(s *store.Store) {
		if err := s.ExportJSONL(&buf); err != nil {
			h.t.Fatal(err)
		}
	})
	return buf.String()
}

func (h *harness) stats() store.Stats {
	h.t.Helper()
	var st store.Stats
	h.withStore(func(s *store.Store) {
		var err error
		if st, err = s.Stats(); err != nil {
			h.t.Fatal(err)
		}
	})
	return st
}

func (h *harness) node(id string) schema.Node {
	h.t.Helper()
	var n schema.Node
	h.withStore(func(s *store.Store) {
		var err error
		if n, err = s.Node(id); err != nil {
			h.t.Fatalf("node %s: %v", id, err)
		}
	})
	return n
}

func (h *harness) edges(id string, dir schema.Direction, kind schema.EdgeKind) []schema.Edge {
	h.t.Helper()
	var es []schema.Edge
	h.withStore(func(s *store.Store) {
		var err error
		if es, err = s.Edges(id, dir, kind); err != nil {
			h.t.Fatal(err)
		}
	})
	return es
}

// blob returns the content of a stored blob.
func (h *harness) blob(sha string) []byte {
	h.t.Helper()
	var b []byte
	h.withStore(func(s *store.Store) {
		p := s.BlobPath(sha)
		if p == "" {
			h.t.Fatalf("blob %q is not a sha256", sha)
		}
		var err error
		if b, err = os.ReadFile(p); err != nil {
			h.t.Fatalf("blob %s: %v", sha, err)
		}
	})
	return b
}

// blobCount is the number of files in the store's blob folder.
func (h *harness) blobCount() int {
	n := 0
	_ = filepath.WalkDir(filepath.Join(h.dir, "blobs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".tmp") {
			n++
		}
		return nil
	})
	return n
}

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// newWorld is a small generated account; its clock is fixed so the same
// config gives the same world.
func newWorld(cfg twittertest.WorldConfig) *twittertest.World {
	if cfg.Handle == "" {
		cfg.Handle = "owner"
	}
	if cfg.Start.IsZero() {
		cfg.Start = t0.AddDate(-2, 0, 0)
	}
	if cfg.Clock == nil {
		cfg.Clock = func() time.Time { return gen.Add(-time.Hour) }
	}
	return twittertest.NewWorld(cfg)
}

// writeZip writes a's zip into a temp folder and returns its path.
func writeZip(t *testing.T, a *archivetest.Archive, o archivetest.Options) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "twitter-archive.zip")
	if err := a.WriteZip(p, o); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeDir writes a's extracted folder and returns its path.
func writeDir(t *testing.T, a *archivetest.Archive, o archivetest.Options) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "twitter-archive")
	if err := a.WriteDir(p, o); err != nil {
		t.Fatal(err)
	}
	return p
}

// tweets collects an archive's tweets.
func tweets(a *archivetest.Archive) []archivetest.Tweet {
	var out []archivetest.Tweet
	for t := range a.Tweets {
		out = append(out, t)
	}
	return out
}
