package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"

	"github.com/podimport/podimport/schema"
)

// The graph bucket holds every node together with its raw JSON and its
// edges in both directions, all keyed under the node's id:
//
//	id                  → node JSON without Raw
//	id·i·kind·from      → empty: an edge to id (its times live in the out key)
//	id·o·kind·to        → an edge from id, {"first_seen","last_seen","ended"}
//	id·r·source         → raw platform JSON of that source (raw.go)
//
// Why one bucket: the keys of an import arrive in random order (a timeline
// page holds posts from ten years), and every commit rewrites each leaf page
// it touched. With nodes, raw JSON, out and in edges in four buckets, a new
// post dirtied a page in each of them; kept side by side, what a post brings
// (node, raw JSON, authored and tagged edges) lands in one or two pages
// (BENCHMARKS.md has what that saves).
//
// A node's own key has no separator (ids never contain one), and every
// record of the node sorts after it and before the next id: the node key
// "x" < "x·…" < "x\x01" ≤ any other id that starts with "x".

// Tags of a node's records: the second part of their keys.
const (
	tagIn  = "i"
	tagOut = "o"
	tagRaw = "r"
)

// edgeTag is the tag of the keys that hold a node's edges in direction dir
// (schema.Out or schema.In).
func edgeTag(dir schema.Direction) string {
	if dir == schema.In {
		return tagIn
	}
	return tagOut
}

func rawKey(id, source string) []byte     { return key(id, tagRaw, source) }
func outKey(from, kind, to string) []byte { return key(from, tagOut, kind, to) }
func inKey(to, kind, from string) []byte  { return key(to, tagIn, kind, from) }

// edgeKeyParts splits an out or in key into its anchor (the node it is
// filed under), kind and other end.
func edgeKeyParts(k []byte) (anchor, kind, other string, ok bool) {
	p := split(k, 4)
	if len(p) != 4 {
		return "", "", "", false
	}
	return p[0], p[2], p[3], true
}

// isNodeKey reports whether k is a node's own key rather than one of its
// records.
func isNodeKey(k []byte) bool { return bytes.IndexByte(k, sep) < 0 }

// pastRecords returns the key that follows every record of the node whose
// id starts k (k may be the node key or one of its records).
func pastRecords(k []byte) []byte {
	if i := bytes.IndexByte(k, sep); i >= 0 {
		k = k[:i]
	}
	out := make([]byte, len(k)+1)
	copy(out, k)
	out[len(k)] = sep + 1
	return out
}

// toNode moves c from (k, v) forward to the first node key, skipping
// records. It returns nil when there is none.
func toNode(c *bolt.Cursor, k, v []byte) ([]byte, []byte) {
	for k != nil && !isNodeKey(k) {
		k, v = c.Seek(pastRecords(k))
	}
	return k, v
}

// toOut moves c from (k, v) forward to the first out key, skipping node
// keys, in keys and raw JSON without reading through them.
func toOut(c *bolt.Cursor, k, v []byte) ([]byte, []byte) {
	for k != nil {
		i := bytes.IndexByte(k, sep)
		if i < 0 { // a node: its out keys follow its in keys
			k, v = c.Seek(prefix(string(k), tagOut))
			continue
		}
		var tag byte
		if i+1 < len(k) {
			tag = k[i+1]
		}
		switch {
		case tag == tagOut[0]:
			return k, v
		case tag < tagOut[0]: // in keys, before the out keys
			k, v = c.Seek(prefix(string(k[:i]), tagOut))
		default: // raw JSON, after them
			k, v = c.Seek(pastRecords(k))
		}
	}
	return nil, nil
}
