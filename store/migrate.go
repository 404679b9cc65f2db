package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Layout 1 kept nodes, raw JSON, out edges and in edges in four buckets:
//
//	nodes  id              → node JSON
//	raw    id·source       → raw JSON
//	out    from·kind·to    → edge times
//	in     to·kind·from    → empty
//
// Layout 2 keeps the same values in the graph bucket (graph.go); the other
// buckets did not change.
var v1Buckets = []struct {
	name  []byte
	parts int                         // parts of a key
	key   func(parts []string) []byte // its key in the graph bucket
}{
	{[]byte("nodes"), 1, func(p []string) []byte { return []byte(p[0]) }},
	{[]byte("raw"), 2, func(p []string) []byte { return rawKey(p[0], p[1]) }},
	{[]byte("out"), 3, func(p []string) []byte { return outKey(p[0], p[1], p[2]) }},
	{[]byte("in"), 3, func(p []string) []byte { return inKey(p[0], p[1], p[2]) }},
}

// migrateChunk is how many records one transaction of the upgrade moves:
// enough to be quick, few enough that a transaction's dirty pages stay
// small in memory.
var migrateChunk = 20000

// migrate upgrades a layout-1 file to layout 2. Each transaction moves a
// chunk of records: it puts them in the graph bucket and deletes them from
// their old bucket, so at every commit each record is in exactly one place.
// If the upgrade is interrupted, the file keeps version 1 and the next Open
// goes on where it stopped; nothing reads the old buckets but this.
func (s *Store) migrate(version uint64) error {
	if version != 1 {
		return fmt.Errorf("store %s has layout version %d, which this podimport cannot upgrade; export it with the podimport that wrote it and import again", s.path, version)
	}
	lost := "the upgrade of the store's layout stopped; open the store again to resume it"
	for {
		done := false
		err := s.update(lost, func(tx *bolt.Tx) error {
			graph := tx.Bucket(bucketGraph)
			moved := 0
			for _, old := range v1Buckets {
				b := tx.Bucket(old.name)
				if b == nil {
					continue
				}
				// Copy the chunk out before writing: a cursor is not valid
				// across writes to its bucket.
				var keys, vals [][]byte
				c := b.Cursor()
				for k, v := c.First(); k != nil && moved+len(keys) < migrateChunk; k, v = c.Next() {
					keys = append(keys, bytes.Clone(k))
					vals = append(vals, bytes.Clone(v))
				}
				for i, k := range keys {
					parts := split(k, old.parts)
					if len(parts) != old.parts {
						return corrupt(fmt.Sprintf("%s key %q", old.name, k), fmt.Errorf("want %d parts", old.parts))
					}
					if err := graph.Put(old.key(parts), vals[i]); err != nil {
						return wrapWrite(err, "move %s key %q", old.name, k)
					}
					if err := b.Delete(k); err != nil {
						return wrapWrite(err, "move %s key %q", old.name, k)
					}
				}
				moved += len(keys)
				if moved >= migrateChunk {
					return nil
				}
			}
			// Every old bucket is empty: drop them and record the layout.
			for _, old := range v1Buckets {
				if tx.Bucket(old.name) == nil {
					continue
				}
				if err := tx.DeleteBucket(old.name); err != nil {
					return wrapWrite(err, "drop the %s bucket", old.name)
				}
			}
			done = true
			return wrapWrite(tx.Bucket(bucketMeta).Put(metaVersion, encodeU64(formatVersion)), "put layout version")
		})
		if err != nil {
			return fmt.Errorf("store %s: upgrading the layout from version %d to %d: %w", s.path, version, formatVersion, err)
		}
		if done {
			return nil
		}
	}
}
