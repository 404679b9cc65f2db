package store

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	json "github.com/segmentio/encoding/json"
	bolt "go.etcd.io/bbolt"

	"github.com/podimport/podimport/schema"
)

// Applied counts the records an Apply actually changed. Records that were
// already stored as they are in the batch are not counted.
type Applied struct {
	Nodes int `json:"nodes"` // nodes written (normalized fields or raw JSON changed)
	Edges int `json:"edges"` // edges added, or whose times changed
	Ended int `json:"ended"` // edges ended by the batch's sweeps
}

// Apply commits a batch in one transaction: its nodes (merged into what is
// stored, see schema.Merge), its edges, its sweeps and its cursors, keyed by
// (plugin, account). runID is the run the batch belongs to; it keys the
// account count history (0 is allowed, for writes outside a run), and the
// same transaction adds what the batch wrote to the run's record while the
// run is running (Run).
//
// If the batch is invalid (schema.ValidateBatch, or a string the store
// cannot key), Apply writes nothing, not even the cursors, and returns an
// error wrapping schema.ErrInvalid that names the record. Applying the same
// batch again writes nothing and returns a zero Applied, as long as the
// times are the same: edges whose FirstSeen or LastSeen are zero take the
// store's clock, so a later apply with a later clock moves their LastSeen.
func (s *Store) Apply(runID uint64, plugin, account string, b schema.Batch) (Applied, error) {
	if err := checkBatchKeys(plugin, account, b); err != nil {
		return Applied{}, fmt.Errorf("batch rejected, nothing written: %w", err)
	}
	prep, err := prepare(b)
	if err != nil {
		return Applied{}, fmt.Errorf("batch rejected, nothing written: %w", err)
	}
	return s.group.apply(s, &pending{runID: runID, plugin: plugin, account: account, prep: prep})
}

// applyTx writes one batch inside tx; on error the caller rolls tx back.
func (s *Store) applyTx(tx *bolt.Tx, now time.Time, p *pending) (Applied, error) {
	b := p.prep.batch
	w := newWriter(tx, now, p.runID)
	// The rest of the batch was validated by prepare, outside the
	// transaction.
	exists := func(id string) (bool, error) { return w.graph.Get([]byte(id)) != nil, nil }
	if err := schema.ValidateEnds(b, exists); err != nil {
		return Applied{}, fmt.Errorf("batch rejected, nothing written: %w", err)
	}
	for i, n := range b.Nodes {
		if err := w.node(n, &p.prep.nodes[i]); err != nil {
			return Applied{}, err
		}
	}
	for i, e := range b.Edges {
		if err := w.edge(e, &p.prep.edges[i]); err != nil {
			return Applied{}, err
		}
	}
	// Sweeps after edges: an edge of this very batch was seen now, which
	// is not before the sweep's Since, so it stays open.
	for _, sw := range b.Sweeps {
		if err := w.sweep(sw); err != nil {
			return Applied{}, err
		}
	}
	for _, c := range b.Cursors {
		if err := w.cursor(p.plugin, p.account, c); err != nil {
			return Applied{}, err
		}
	}
	if err := w.flushCounts(); err != nil {
		return Applied{}, err
	}
	if err := s.countRun(tx, now, p.runID, w.applied); err != nil {
		return Applied{}, err
	}
	return w.applied, nil
}

// checkBatchKeys rejects what schema.ValidateBatch allows but the store
// cannot key or keep: zero bytes in key parts, raw JSON that is not JSON
// (it would make every later export of the node fail).
func checkBatchKeys(plugin, account string, b schema.Batch) error {
	if err := checkKeyPart("plugin", plugin); err != nil {
		return err
	}
	if err := checkKeyPart("account", account); err != nil {
		return err
	}
	if len(b.Cursors) > 0 && plugin == "" {
		return fmt.Errorf("%w: cursor updates need a plugin name", schema.ErrInvalid)
	}
	for _, n := range b.Nodes {
		if err := checkKeyPart("node id", n.ID); err != nil {
			return err
		}
		for src, raw := range n.Raw {
			if src == "" {
				return fmt.Errorf("%w: node %q: raw JSON with no source name", schema.ErrInvalid, n.ID)
			}
			if err := checkKeyPart(fmt.Sprintf("node %q: raw source", n.ID), src); err != nil {
				return err
			}
			if !json.Valid(raw) {
				return fmt.Errorf("%w: node %q: raw JSON of source %q is not valid JSON", schema.ErrInvalid, n.ID, src)
			}
		}
	}
	for _, c := range b.Cursors {
		if err := checkKeyPart("cursor stream", c.Stream); err != nil {
			return err
		}
	}
	for _, sw := range b.Sweeps {
		if err := checkKeyPart("sweep anchor", sw.Anchor); err != nil {
			return err
		}
	}
	return nil
}

// writer holds the state of one Apply's transaction.
type writer struct {
	now   time.Time
	runID uint64

	graph, handles, cursors, changes, history, counts *bolt.Bucket

	// delta accumulates counter changes, written once at the end.
	delta   map[string]int64
	applied Applied
}

func newWriter(tx *bolt.Tx, now time.Time, runID uint64) *writer {
	w := &writer{
		now:     now,
		runID:   runID,
		graph:   tx.Bucket(bucketGraph),
		handles: tx.Bucket(bucketHandles),
		cursors: tx.Bucket(bucketCursors),
		changes: tx.Bucket(bucketChanges),
		history: tx.Bucket(bucketHistory),
		counts:  tx.Bucket(bucketCounts),
		delta:   map[string]int64{},
	}
	// FillPercent is per bucket handle, so it is set in every transaction.
	w.changes.FillPercent = appendFill
	return w
}

// Counter keys.
func countNodeKey(k schema.Kind, ref bool) string {
	if ref {
		return "ref\x00" + string(k)
	}
	return "node\x00" + string(k)
}
func countEdgeKey(k schema.EdgeKind) string { return "edge\x00" + string(k) }

const countEnded = "ended"

// node writes n (without Raw), with what prepare made of it.
func (w *writer) node(n schema.Node, pn *preparedNode) error {
	id := pn.id
	storedBytes := w.graph.Get(id)

	var (
		enc       = pn.asNew
		merged    schema.Node
		stored    schema.Node
		existed   = storedBytes != nil
		oldHandle []byte
	)
	if existed {
		if err := json.Unmarshal(storedBytes, &stored); err != nil {
			return corrupt(fmt.Sprintf("node %q", n.ID), err)
		}
		oldHandle = handleKey(stored)
		merged = schema.Merge(stored, n) // neither has Raw: it has its own keys
		var err error
		if enc, err = json.Marshal(merged); err != nil {
			return fmt.Errorf("%w: node %q cannot be encoded: %v", schema.ErrInvalid, n.ID, err)
		}
	} else {
		merged = n
	}

	changed := false
	if !bytes.Equal(enc, storedBytes) {
		if err := w.graph.Put(id, enc); err != nil {
			return wrapWrite(err, "put node %q", n.ID)
		}
		changed = true
	}
	for _, r := range pn.raw {
		if bytes.Equal(w.graph.Get(r.key), r.val) {
			continue
		}
		if err := w.graph.Put(r.key, r.val); err != nil {
			return wrapWrite(err, "put raw JSON of node %q from %q", n.ID, r.source)
		}
		changed = true
	}

	if changed {
		switch {
		case !existed:
			w.delta[countNodeKey(merged.Kind, merged.Ref)]++
		case stored.Ref != merged.Ref:
			w.delta[countNodeKey(stored.Kind, stored.Ref)]--
			w.delta[countNodeKey(merged.Kind, merged.Ref)]++
		}
		seq, err := w.changes.NextSequence()
		if err != nil {
			return wrapWrite(err, "number change of node %q", n.ID)
		}
		if err := w.changes.Put(encodeU64(seq), id); err != nil {
			return wrapWrite(err, "log change of node %q", n.ID)
		}
		if err := w.updateHandle(merged, oldHandle); err != nil {
			return err
		}
		w.applied.Nodes++
	}
	return w.historyPoint(n)
}

// handleKey is the handles key of an account node, nil if it has no handle.
func handleKey(n schema.Node) []byte {
	if n.Kind != schema.KindAccount || n.Account == nil || n.Account.Handle == "" {
		return nil
	}
	return key(n.Platform, normHandle(n.Account.Handle))
}

func normHandle(h string) string { return strings.ToLower(strings.TrimPrefix(h, "@")) }

// updateHandle points the handle of n at n, and drops the key of its
// previous handle if that still points at n.
func (w *writer) updateHandle(n schema.Node, oldKey []byte) error {
	newKey := handleKey(n)
	if oldKey != nil && !bytes.Equal(oldKey, newKey) && string(w.handles.Get(oldKey)) == n.ID {
		if err := w.handles.Delete(oldKey); err != nil {
			return wrapWrite(err, "drop old handle of %q", n.ID)
		}
	}
	if newKey == nil {
		return nil
	}
	cur := w.handles.Get(newKey)
	if string(cur) == n.ID {
		return nil
	}
	if cur != nil && n.Ref {
		// A mention may carry a handle its account gave up long ago; it
		// must not take the handle from the complete account that has it
		// now.
		var holder schema.Node
		if v := w.graph.Get(cur); v != nil && json.Unmarshal(v, &holder) == nil &&
			!holder.Ref && bytes.Equal(handleKey(holder), newKey) {
			return nil
		}
	}
	return wrapWrite(w.handles.Put(newKey, []byte(n.ID)), "put handle of %q", n.ID)
}

// historyPoint records the counts a complete account node brings, one
// point per (account, run).
func (w *writer) historyPoint(n schema.Node) error {
	if n.Ref || n.Kind != schema.KindAccount || n.Account == nil {
		return nil
	}
	a := n.Account
	if a.FollowersCount == nil && a.FollowingCount == nil && a.PostCount == nil {
		return nil
	}
	k := historyKey(n.ID, w.runID)
	p := HistoryPoint{Run: w.runID, At: w.now, Followers: a.FollowersCount, Following: a.FollowingCount, Posts: a.PostCount}
	old := w.history.Get(k)
	if old != nil {
		// A second write in the same run overwrites, but a count it lacks
		// keeps the value the first write had.
		var prev HistoryPoint
		if err := json.Unmarshal(old, &prev); err != nil {
			return corrupt(fmt.Sprintf("history point of %q", n.ID), err)
		}
		p.Followers = cmpOr(p.Followers, prev.Followers)
		p.Following = cmpOr(p.Following, prev.Following)
		p.Posts = cmpOr(p.Posts, prev.Posts)
	}
	enc, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if bytes.Equal(enc, old) {
		return nil
	}
	return wrapWrite(w.history.Put(k, enc), "put history point of %q", n.ID)
}

// historyKey is the key of an account's point for a run: the account's id,
// the separator and the run, so that an account's points are adjacent,
// oldest run first. historyAccount reads the id back.
func historyKey(accountID string, run uint64) []byte {
	return append(prefix(accountID), encodeU64(run)...)
}

func historyAccount(k []byte) (string, bool) {
	if len(k) < 9 || k[len(k)-9] != sep {
		return "", false
	}
	return string(k[:len(k)-9]), true
}

func cmpOr(a, b *int64) *int64 {
	if a != nil {
		return a
	}
	return b
}

// edgeVal is the value of an out key.
type edgeVal struct {
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Ended     time.Time `json:"ended,omitzero"`
}

func decodeEdgeVal(b []byte, what string) (edgeVal, error) {
	var v edgeVal
	if err := json.Unmarshal(b, &v); err != nil {
		return v, corrupt(what, err)
	}
	return v, nil
}

// edge writes e, with the keys prepare made for it.
func (w *writer) edge(e schema.Edge, pe *preparedEdge) error {
	// Times are kept in UTC so that the same instant always encodes to the
	// same bytes, and an unchanged edge is recognised as such.
	first, last := e.FirstSeen.UTC(), e.LastSeen.UTC()
	if last.IsZero() {
		last = w.now
	}
	if first.IsZero() {
		first = w.now
	}
	if first.After(last) {
		// Only LastSeen given, and in the past (an archive's date): the edge
		// cannot have been first seen later than that.
		first = last
	}

	cur := w.graph.Get(pe.out)
	v := edgeVal{FirstSeen: first, LastSeen: last}
	if cur != nil {
		old, err := decodeEdgeVal(cur, "edge "+e.Key())
		if err != nil {
			return err
		}
		v = old
		if first.Before(v.FirstSeen) {
			v.FirstSeen = first
		}
		if last.After(v.LastSeen) {
			v.LastSeen = last
		}
		if !v.Ended.IsZero() && !v.LastSeen.Before(v.Ended) {
			// Seen again at or after it ended: it is back.
			v.Ended = time.Time{}
			w.delta[countEnded]--
		}
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if bytes.Equal(enc, cur) {
		return nil
	}
	if err := w.graph.Put(pe.out, enc); err != nil {
		return wrapWrite(err, "put edge %s", e.Key())
	}
	if cur == nil {
		if err := w.graph.Put(pe.in, nil); err != nil {
			return wrapWrite(err, "put edge %s", e.Key())
		}
		w.delta[countEdgeKey(e.Kind)]++
	}
	w.applied.Edges++
	return nil
}

func (w *writer) sweep(sw schema.Sweep) error {
	since := sw.Since.UTC()
	kind := string(sw.Kind)
	p := prefix(sw.Anchor, edgeTag(sw.Dir), kind)
	// Collect first, write after: a cursor is not valid across writes to
	// its bucket.
	type ending struct {
		key []byte
		val edgeVal
	}
	var end []ending
	c := w.graph.Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		out := k
		if sw.Dir == schema.In {
			out = outKey(string(k[len(p):]), kind, sw.Anchor)
			v = w.graph.Get(out)
			if v == nil {
				return corrupt(fmt.Sprintf("edge %q (in without out)", k), fmt.Errorf("missing out key"))
			}
		}
		ev, err := decodeEdgeVal(v, fmt.Sprintf("edge %q", out))
		if err != nil {
			return err
		}
		if ev.Ended.IsZero() && ev.LastSeen.Before(since) {
			ev.Ended = since
			end = append(end, ending{bytes.Clone(out), ev})
		}
	}
	for _, e := range end {
		enc, err := json.Marshal(e.val)
		if err != nil {
			return err
		}
		if err := w.graph.Put(e.key, enc); err != nil {
			return wrapWrite(err, "end edge %q", e.key)
		}
		w.delta[countEnded]++
		w.applied.Ended++
	}
	return nil
}

func (w *writer) cursor(plugin, account string, c schema.CursorUpdate) error {
	k := key(plugin, account, c.Stream)
	cur := w.cursors.Get(k)
	if c.Value == "" {
		if cur == nil {
			return nil
		}
		return wrapWrite(w.cursors.Delete(k), "delete cursor %s/%s/%s", plugin, account, c.Stream)
	}
	if cur != nil && string(cur) == c.Value {
		return nil
	}
	return wrapWrite(w.cursors.Put(k, []byte(c.Value)), "put cursor %s/%s/%s", plugin, account, c.Stream)
}

// flushCounts adds the accumulated deltas to the counters.
func (w *writer) flushCounts() error {
	for k, d := range w.delta {
		if d == 0 {
			continue
		}
		n := int64(decodeU64(w.counts.Get([]byte(k)))) + d
		if n <= 0 {
			// Below zero only if the counters were already wrong; zero
			// rather than a huge unsigned number.
			if err := w.counts.Delete([]byte(k)); err != nil {
				return wrapWrite(err, "update counter %q", k)
			}
			continue
		}
		if err := w.counts.Put([]byte(k), encodeU64(uint64(n))); err != nil {
			return wrapWrite(err, "update counter %q", k)
		}
	}
	return nil
}
