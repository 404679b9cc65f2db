package store

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	json "github.com/segmentio/encoding/json"
	bolt "go.etcd.io/bbolt"

	"github.com/podimport/podimport/schema"
)

// Node returns the node with the given id, with its raw JSON by source. The
// error wraps ErrNotFound if there is none.
func (s *Store) Node(id string) (schema.Node, error) {
	var n schema.Node
	err := s.view(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		n, ok, err = getNode(tx, []byte(id), true)
		if err == nil && !ok {
			err = fmt.Errorf("store: node %q: %w", id, ErrNotFound)
		}
		return err
	})
	return n, err
}

// Nodes returns the nodes with the given ids, in the order given, without
// raw JSON. Ids that are not stored are skipped.
func (s *Store) Nodes(ids []string) ([]schema.Node, error) {
	out := make([]schema.Node, 0, len(ids))
	err := s.view(func(tx *bolt.Tx) error {
		for _, id := range ids {
			n, ok, err := getNode(tx, []byte(id), false)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, n)
			}
		}
		return nil
	})
	return out, err
}

// NodeByHandle returns the account on platform whose handle is handle
// (case-insensitive, a leading @ is ignored), with its raw JSON. The error
// wraps ErrNotFound if no stored account has that handle.
func (s *Store) NodeByHandle(platform, handle string) (schema.Node, error) {
	var n schema.Node
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketHandles).Get(key(platform, normHandle(handle)))
		ok := false
		if id != nil {
			var err error
			if n, ok, err = getNode(tx, id, true); err != nil {
				return err
			}
		}
		if !ok {
			return fmt.Errorf("store: no %s account with handle %q: %w", platform, handle, ErrNotFound)
		}
		return nil
	})
	return n, err
}

// HasComplete reports whether a complete (not reference) node with id is
// stored.
func (s *Store) HasComplete(id string) (bool, error) {
	var complete bool
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketGraph).Get([]byte(id))
		if v == nil {
			return nil
		}
		var r struct {
			Ref bool `json:"ref"`
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return corrupt(fmt.Sprintf("node %q", id), err)
		}
		complete = !r.Ref
		return nil
	})
	return complete, err
}

// getNode reads one node; the result shares no memory with the transaction.
func getNode(tx *bolt.Tx, id []byte, withRaw bool) (schema.Node, bool, error) {
	g := tx.Bucket(bucketGraph)
	v := g.Get(id)
	if v == nil {
		return schema.Node{}, false, nil
	}
	var n schema.Node
	// Unmarshal copies every string and RawMessage out of v.
	if err := json.Unmarshal(v, &n); err != nil {
		return n, false, corrupt(fmt.Sprintf("node %q", id), err)
	}
	if withRaw {
		n.Raw = readRaw(g.Cursor(), string(id))
	}
	return n, true, nil
}

func readRaw(c *bolt.Cursor, id string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	p := prefix(id, tagRaw)
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if m == nil {
			m = map[string]json.RawMessage{}
		}
		raw, err := decodeRaw(v)
		if err != nil {
			// Keep the record readable: a damaged raw document is reported
			// in its place rather than failing the whole node.
			raw, _ = json.Marshal(map[string]string{"podimport_error": err.Error()})
		}
		m[string(k[len(p):])] = raw
	}
	return m
}

// Edges returns the edges at id: dir Out gives the edges from id, In the
// edges to id; kind "" means every kind. Ended edges are included (see
// Edge.Ended). They come sorted by key: kind, then the other end's id.
func (s *Store) Edges(id string, dir schema.Direction, kind schema.EdgeKind) ([]schema.Edge, error) {
	if dir != schema.In && dir != schema.Out {
		return nil, fmt.Errorf("store: edge direction %q: want %q or %q", dir, schema.In, schema.Out)
	}
	tag := edgeTag(dir)
	p := prefix(id, tag)
	if kind != "" {
		p = prefix(id, tag, string(kind))
	}
	var edges []schema.Edge
	err := s.view(func(tx *bolt.Tx) error {
		g := tx.Bucket(bucketGraph)
		c := g.Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			anchor, edgeKind, other, ok := edgeKeyParts(k)
			if !ok {
				return corrupt(fmt.Sprintf("edge key %q", k), fmt.Errorf("want 4 parts"))
			}
			e := schema.Edge{From: anchor, Kind: schema.EdgeKind(edgeKind), To: other}
			if dir == schema.In {
				e.From, e.To = other, anchor
				if v = g.Get(outKey(e.From, edgeKind, e.To)); v == nil {
					return corrupt(fmt.Sprintf("edge %s", e.Key()), fmt.Errorf("in key without out key"))
				}
			}
			ev, err := decodeEdgeVal(v, "edge "+e.Key())
			if err != nil {
				return err
			}
			e.FirstSeen, e.LastSeen, e.Ended = ev.FirstSeen, ev.LastSeen, ev.Ended
			edges = append(edges, e)
		}
		return nil
	})
	return edges, err
}

// Cursor returns the value of a cursor, "" if it is not set.
func (s *Store) Cursor(plugin, account, stream string) (string, error) {
	var v string
	err := s.view(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketCursors).Get(key(plugin, account, stream)))
		return nil
	})
	return v, err
}

// CursorEntry is one stored cursor.
type CursorEntry struct {
	Plugin  string `json:"plugin"`
	Account string `json:"account"`
	Stream  string `json:"stream"`
	Value   string `json:"value"`
}

// Cursors returns every cursor, sorted by plugin, account and stream.
func (s *Store) Cursors() ([]CursorEntry, error) {
	var out []CursorEntry
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCursors).ForEach(func(k, v []byte) error {
			p := split(k, 3)
			if len(p) != 3 {
				return corrupt(fmt.Sprintf("cursor key %q", k), fmt.Errorf("want 3 parts"))
			}
			out = append(out, CursorEntry{Plugin: p[0], Account: p[1], Stream: p[2], Value: string(v)})
			return nil
		})
	})
	return out, err
}

// HistoryPoint is an account's counts as one run saw them. A count the
// platform did not report is nil.
type HistoryPoint struct {
	Run       uint64    `json:"run"`
	At        time.Time `json:"at"`
	Followers *int64    `json:"followers,omitempty"`
	Following *int64    `json:"following,omitempty"`
	Posts     *int64    `json:"posts,omitempty"`
}

// History returns the count history of an account, oldest run first: an
// empty list, not nil, when it has none (a node that is not an account, an
// account no run has read), so that it encodes as [] in JSON.
func (s *Store) History(accountID string) ([]HistoryPoint, error) {
	out := []HistoryPoint{}
	err := s.view(func(tx *bolt.Tx) error {
		p := prefix(accountID)
		c := tx.Bucket(bucketHistory).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			var h HistoryPoint
			if err := json.Unmarshal(v, &h); err != nil {
				return corrupt(fmt.Sprintf("history point %q", k), err)
			}
			out = append(out, h)
		}
		return nil
	})
	return out, err
}

// Stats is what the store holds, from counters kept up to date by every
// write (no scan).
type Stats struct {
	Nodes          map[schema.Kind]int     `json:"nodes"`       // complete nodes
	Refs           map[schema.Kind]int     `json:"refs"`        // reference nodes
	Edges          map[schema.EdgeKind]int `json:"edges"`       // all edges, ended ones included
	EndedEdges     int                     `json:"ended_edges"` // edges ended by sweeps and not seen again
	Changes        uint64                  `json:"changes"`     // seq of the last change-log entry
	IndexWatermark uint64                  `json:"index_watermark"`
	FileBytes      int64                   `json:"file_bytes"`
}

// Stats returns the counters. Kinds with nothing stored are absent from the
// maps.
func (s *Store) Stats() (Stats, error) {
	st := Stats{Nodes: map[schema.Kind]int{}, Refs: map[schema.Kind]int{}, Edges: map[schema.EdgeKind]int{}}
	err := s.view(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
			n := int(decodeU64(v))
			kind, name, _ := strings.Cut(string(k), "\x00")
			switch kind {
			case "node":
				st.Nodes[schema.Kind(name)] = n
			case "ref":
				st.Refs[schema.Kind(name)] = n
			case "edge":
				st.Edges[schema.EdgeKind(name)] = n
			case countEnded:
				st.EndedEdges = n
			}
			return nil
		})
		st.Changes = tx.Bucket(bucketChanges).Sequence()
		st.IndexWatermark = decodeU64(tx.Bucket(bucketMeta).Get(metaIndexWatermark))
		st.FileBytes = tx.Size()
		return err
	})
	if fi, serr := os.Stat(s.path); serr == nil {
		// The file may be larger than the data (bbolt grows it ahead).
		st.FileBytes = fi.Size()
	}
	return st, err
}

// iterChunk is how many records ForEachNode and ForEachEdge read per read
// transaction. fn runs outside the transaction: it may be slow (indexing,
// writing an export) and may call the store, and a read transaction held
// across all of it would pin pages and grow the file.
const iterChunk = 512

// ForEachNode calls fn for every node, with its raw JSON, in id order, and
// stops at fn's first error, returning it. Nodes are read in chunks, each
// in its own read transaction, so a write that commits meanwhile may or may
// not be seen.
func (s *Store) ForEachNode(fn func(schema.Node) error) error {
	return s.forEachNode(true, fn)
}

// ForEachNodeWithoutRaw is ForEachNode without the raw JSON, for readers
// that need only the normalized fields (a rebuild of the index): it reads
// neither the raw records nor the pages they fill.
func (s *Store) ForEachNodeWithoutRaw(fn func(schema.Node) error) error {
	return s.forEachNode(false, fn)
}

func (s *Store) forEachNode(withRaw bool, fn func(schema.Node) error) error {
	defer s.readAhead()()
	var after []byte
	for {
		var chunk []schema.Node
		err := s.view(func(tx *bolt.Tx) error {
			g := tx.Bucket(bucketGraph)
			c, raw := g.Cursor(), g.Cursor()
			next := func(k, v []byte) ([]byte, []byte) { return toNode(c, k, v) }
			for k, v := next(seekAfter(c, after)); k != nil && len(chunk) < iterChunk; k, v = next(c.Next()) {
				var n schema.Node
				if err := json.Unmarshal(v, &n); err != nil {
					return corrupt(fmt.Sprintf("node %q", k), err)
				}
				if withRaw {
					n.Raw = readRaw(raw, string(k))
				}
				chunk = append(chunk, n)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, n := range chunk {
			if err := fn(n); err != nil {
				return err
			}
		}
		if len(chunk) < iterChunk {
			return nil
		}
		after = []byte(chunk[len(chunk)-1].ID)
	}
}

// ForEachEdge calls fn for every edge in key order (from, kind, to), and
// stops at fn's first error, returning it. Like ForEachNode it reads in
// chunks.
func (s *Store) ForEachEdge(fn func(schema.Edge) error) error {
	defer s.readAhead()()
	var after []byte
	for {
		var chunk []schema.Edge
		err := s.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketGraph).Cursor()
			next := func(k, v []byte) ([]byte, []byte) { return toOut(c, k, v) }
			for k, v := next(seekAfter(c, after)); k != nil && len(chunk) < iterChunk; k, v = next(c.Next()) {
				from, kind, to, ok := edgeKeyParts(k)
				if !ok {
					return corrupt(fmt.Sprintf("edge key %q", k), fmt.Errorf("want 4 parts"))
				}
				e := schema.Edge{From: from, Kind: schema.EdgeKind(kind), To: to}
				ev, err := decodeEdgeVal(v, "edge "+e.Key())
				if err != nil {
					return err
				}
				e.FirstSeen, e.LastSeen, e.Ended = ev.FirstSeen, ev.LastSeen, ev.Ended
				chunk = append(chunk, e)
			}
			if len(chunk) == iterChunk {
				last := chunk[len(chunk)-1]
				after = outKey(last.From, string(last.Kind), last.To)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range chunk {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(chunk) < iterChunk {
			return nil
		}
	}
}

// seekAfter positions c on the first key after after (on the first key if
// after is nil).
func seekAfter(c *bolt.Cursor, after []byte) ([]byte, []byte) {
	if after == nil {
		return c.First()
	}
	k, v := c.Seek(after)
	if k != nil && bytes.Equal(k, after) {
		return c.Next()
	}
	return k, v
}

// Change is one entry of the change log: the node with ID was written.
type Change struct {
	Seq uint64 `json:"seq"`
	ID  string `json:"id"`
}

// Changes returns at most limit change-log entries with Seq > after, in
// ascending order; limit <= 0 means no limit. The same id may appear more
// than once.
func (s *Store) Changes(after uint64, limit int) ([]Change, error) {
	var out []Change
	if after == math.MaxUint64 {
		return nil, nil
	}
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChanges).Cursor()
		for k, v := c.Seek(encodeU64(after + 1)); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			out = append(out, Change{Seq: decodeU64(k), ID: string(v)})
		}
		return nil
	})
	return out, err
}

// LastChange returns the seq of the last change-log entry, 0 if none.
func (s *Store) LastChange() (uint64, error) {
	var seq uint64
	err := s.view(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketChanges).Sequence()
		return nil
	})
	return seq, err
}

// IndexWatermark returns the seq of the last change the search index has
// taken in, 0 if none.
func (s *Store) IndexWatermark() (uint64, error) {
	var seq uint64
	err := s.view(func(tx *bolt.Tx) error {
		seq = decodeU64(tx.Bucket(bucketMeta).Get(metaIndexWatermark))
		return nil
	})
	return seq, err
}

// SetIndexWatermark records that the search index has taken in every change
// up to seq. The watermark lives here, not in the index, so that a crash of
// the index can only make it redo work, never skip it. A seq past the last
// change is refused: it would make the index skip changes not yet written.
func (s *Store) SetIndexWatermark(seq uint64) error {
	return s.update("the index watermark was not saved", func(tx *bolt.Tx) error {
		if last := tx.Bucket(bucketChanges).Sequence(); seq > last {
			return fmt.Errorf("store: index watermark %d is past the last change %d; the index must only record changes it read", seq, last)
		}
		return wrapWrite(tx.Bucket(bucketMeta).Put(metaIndexWatermark, encodeU64(seq)), "put index watermark")
	})
}
