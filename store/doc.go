// Package store keeps podimport's graph in one bbolt file. It is the only
// package that knows bbolt: everything else reads and writes through the
// methods here.
//
// # Layout
//
// The file is dir/podimport.db; content-addressed blobs (archive media) live
// beside it in dir/blobs/<aa>/<sha256>. Inside the file, keys are built from
// strings joined by a zero byte (written "·" below) and from 8-byte
// big-endian integers, so that the byte order of keys is the order we want
// to read in and a prefix names a group of keys:
//
//	graph     id                      → node JSON without Raw
//	          id·i·kind·from          → empty: an edge to id
//	          id·o·kind·to            → an edge from id: {"first_seen","last_seen","ended"}
//	          id·r·source             → that source's raw platform JSON, snappy-compressed (raw.go)
//	handles   platform·lower(handle)  → account node id
//	cursors   plugin·account·stream   → the plugin's cursor value
//	runs      runID (u64)             → Run JSON
//	changes   seq (u64)               → id of the node that changed
//	history   accountID·runID (u64)   → HistoryPoint JSON
//	counts    "node"·kind, "ref"·kind,
//	          "edge"·kind, "ended"    → u64 counter
//	meta      "version", "index_watermark" → u64
//
// A node's raw JSON and its edges in both directions are kept beside it
// (graph.go says why): a post's records share a page or two, and writing a
// new post touches few pages. Raw JSON has keys of its own so that the
// search index, which reads many nodes, never decodes what it does not
// use. Edges are stored once per direction so that both "who does alice
// follow" and "who follows alice" are prefix scans (Cursor.Seek +
// bytes.HasPrefix). Layout 1 kept nodes, raw, out and in in four buckets;
// Open upgrades such a file (migrate.go).
//
// # Invariants
//
//   - No id, plugin, account, stream or raw source contains a zero byte
//     (Apply rejects them), so zero-joined keys split, and prefix scans
//     select, exactly what they mean.
//   - Every out key has exactly one in key and the other way round; the edge's
//     times live only in the out key. Raw JSON and edges are only filed under
//     a node that is stored.
//   - An ended edge has last_seen before ended. Seeing it again at or after
//     ended reopens it; ended edges are kept, never deleted.
//   - Each Apply that changes a node (its normalized fields or any of its raw
//     JSON) appends exactly one entry to changes, so the index can follow
//     changes from its watermark and never miss a write. Unchanged nodes
//     append nothing; the same node changed twice appends twice.
//   - counts equals what a full scan of nodes and out would count; it is
//     updated in the transaction that changes what it counts.
//   - handles maps a key to the account that most recently claimed that
//     handle, except that a reference never takes a handle from a complete
//     account (a mention may carry a stale handle).
//   - An Apply is one transaction: a batch, its cursors and its sweeps are
//     committed together or not at all, so a crash loses at most the batch
//     in flight and a cursor never runs ahead of the data it stands for.
//   - A run's record says running only while the process that began it has
//     the store open: Open, which holds the file's lock and has begun no run
//     yet, marks every run still running as interrupted (its process was
//     killed or crashed). While a run is running, each of its commits adds
//     what the batch wrote to the record's Written, in the batch's
//     transaction, so the record never counts less or more than was
//     committed.
//
// # Use
//
// A Store is safe for concurrent use by goroutines of one process. bbolt
// locks the file, so only one process can have it open: a second Open fails
// with an error wrapping ErrInUse after Options.Timeout instead of waiting
// for ever. Every value returned is copied out of its transaction.
package store
