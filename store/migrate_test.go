package store

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	bolt "go.etcd.io/bbolt"

	"github.com/podimport/podimport/schema"
)

// layoutFixture writes a store with every kind of record the graph bucket
// holds (nodes with raw JSON, references, edges both ways, an ended edge)
// and returns its directory, export and stats.
func layoutFixture(t *testing.T) (dir, export string, stats Stats) {
	t.Helper()
	dir = t.TempDir()
	c := newClock()
	s, err := Open(dir, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, 1, sampleBatch())
	alice := accountID("1")
	b := schema.Batch{}
	for i := range 40 {
		// Ids that are prefixes of one another ("1", "10", "100").
		p := post(strconv.Itoa(i), alice, "post "+strconv.Itoa(i))
		b.Nodes = append(b.Nodes, p)
		b.Edges = append(b.Edges, schema.Edge{From: alice, Kind: schema.EdgeAuthored, To: p.ID})
	}
	mustApply(t, s, 1, b)
	// A second pass over alice's followers no longer sees carol: ended.
	c.Advance(3600e9)
	mustApply(t, s, 2, schema.Batch{Sweeps: []schema.Sweep{{Anchor: alice, Kind: schema.EdgeFollows, Dir: schema.In, Since: c.Now()}}})

	var buf bytes.Buffer
	if err := s.ExportJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	if stats, err = s.Stats(); err != nil {
		t.Fatal(err)
	}
	if stats.EndedEdges != 1 {
		t.Fatalf("fixture: %d ended edges, want 1", stats.EndedEdges)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, buf.String(), stats
}

// downgrade rewrites the file in dir to layout 1, as the podimport before
// the graph bucket wrote it. With every false, every other record stays in
// the graph bucket: a file whose upgrade was interrupted.
func downgrade(t *testing.T, dir string, every bool) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		old := map[string]*bolt.Bucket{}
		for _, name := range []string{"nodes", "raw", "out", "in"} {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			old[name] = b
		}
		g := tx.Bucket(bucketGraph)
		type kv struct{ k, v []byte }
		var all []kv
		if err := g.ForEach(func(k, v []byte) error {
			all = append(all, kv{bytes.Clone(k), bytes.Clone(v)})
			return nil
		}); err != nil {
			return err
		}
		for i, r := range all {
			if !every && i%2 == 0 {
				continue
			}
			var name string
			var k []byte
			if isNodeKey(r.k) {
				name, k = "nodes", r.k
			} else {
				p := split(r.k, 4)
				switch p[1] {
				case tagRaw:
					name, k = "raw", key(p[0], p[2])
				case tagOut:
					name, k = "out", key(p[0], p[2], p[3])
				case tagIn:
					name, k = "in", key(p[0], p[2], p[3])
				default:
					t.Fatalf("graph key %q", r.k)
				}
			}
			if err := old[name].Put(k, r.v); err != nil {
				return err
			}
			if err := g.Delete(r.k); err != nil {
				return err
			}
		}
		if every {
			if err := tx.DeleteBucket(bucketGraph); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(metaVersion, encodeU64(1))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenUpgradesLayout1(t *testing.T) {
	defer func(n int) { migrateChunk = n }(migrateChunk)
	migrateChunk = 7 // many transactions, each ending inside a bucket

	for _, tc := range []struct {
		name  string
		every bool
	}{{"layout 1", true}, {"upgrade interrupted halfway", false}} {
		t.Run(tc.name, func(t *testing.T) {
			dir, want, wantStats := layoutFixture(t)
			downgrade(t, dir, tc.every)

			s, err := Open(dir, Options{})
			if err != nil {
				t.Fatalf("Open of a layout-1 store: %v", err)
			}
			defer s.Close()
			checkInvariants(t, s)
			var got bytes.Buffer
			if err := s.ExportJSONL(&got); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(strings.Split(want, "\n"), strings.Split(got.String(), "\n")); d != "" {
				t.Errorf("export after the upgrade differs (-before +after):\n%s", d)
			}
			gotStats, err := s.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(wantStats, gotStats, cmpopts.IgnoreFields(Stats{}, "FileBytes")); d != "" {
				t.Errorf("stats after the upgrade (-before +after):\n%s", d)
			}
			if in, err := s.Edges(accountID("1"), schema.In, schema.EdgeFollows); err != nil || len(in) != 1 || in[0].Ended.IsZero() {
				t.Errorf("alice's followers after the upgrade: %+v, %v; want carol's ended edge", in, err)
			}
			err = s.view(func(tx *bolt.Tx) error {
				for _, name := range []string{"nodes", "raw", "out", "in"} {
					if tx.Bucket([]byte(name)) != nil {
						t.Errorf("bucket %q of layout 1 is still there", name)
					}
				}
				if v := decodeU64(tx.Bucket(bucketMeta).Get(metaVersion)); v != formatVersion {
					t.Errorf("layout version %d after the upgrade, want %d", v, formatVersion)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpenRefusesNewerLayout(t *testing.T) {
	dir, _, _ := layoutFixture(t)
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(metaVersion, encodeU64(formatVersion+1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "upgrade podimport") {
		t.Errorf("Open of a newer layout: %v, want an error that says to upgrade podimport", err)
	}
}
