package store

import (
	"fmt"
	"maps"
	"slices"

	json "github.com/segmentio/encoding/json"

	"github.com/podimport/podimport/schema"
)

// Preparing a batch. The store's write transactions are serial, so every
// microsecond spent inside one holds up every importer worker. Apply
// therefore does, in the calling goroutine and before the batch queues for
// a transaction, the part of writing it that does not depend on what is
// stored: validating the records, encoding each node as it is stored when
// it is new, compressing the raw JSON and building the keys. Concurrent
// Apply calls do this in parallel, and while another transaction waits for
// its fsync. The transaction then only reads, merges and puts.

// prepared is a batch made ready for applyTx: the batch, and beside each
// of its nodes and edges what was encoded for it. It keeps no reference
// to the batch's raw JSON, only its compressed copy: a batch waits for its
// transaction while the workers that made the next ones hold theirs, and
// the raw JSON is most of a page's memory.
type prepared struct {
	batch schema.Batch   // its nodes without Raw
	nodes []preparedNode // nodes[i] is for batch.Nodes[i]
	edges []preparedEdge // edges[i] is for batch.Edges[i]
}

type preparedNode struct {
	id []byte
	// asNew is the stored encoding of the node when nothing is stored
	// under its id yet: Raw left out (it has its own keys), Sources
	// sorted and without duplicates.
	asNew []byte
	raw   []preparedRaw // by source name
}

// preparedRaw is a put of raw JSON.
type preparedRaw struct {
	source   string
	key, val []byte // val is encodeRaw's: compressed
}

type preparedEdge struct {
	out, in []byte // its out and in keys
}

// prepare validates what can be validated without the store and encodes
// what can be encoded. It returns an error wrapping schema.ErrInvalid that
// names the record at fault.
func prepare(b schema.Batch) (*prepared, error) {
	if err := schema.ValidateRecords(b); err != nil {
		return nil, err
	}
	p := &prepared{batch: b, nodes: make([]preparedNode, len(b.Nodes)), edges: make([]preparedEdge, len(b.Edges))}
	p.batch.Nodes = make([]schema.Node, len(b.Nodes))
	for i, n := range b.Nodes {
		// Not Merge(Node{}, n): a zero prev is "complete" and would turn a
		// new reference into a complete node.
		asNew := n
		asNew.Raw = nil
		asNew.Sources = slices.Compact(slices.Sorted(slices.Values(n.Sources)))
		if len(asNew.Sources) == 0 {
			asNew.Sources = nil
		}
		enc, err := json.Marshal(asNew)
		if err != nil {
			return nil, fmt.Errorf("%w: node %q cannot be encoded: %v", schema.ErrInvalid, n.ID, err)
		}
		pn := preparedNode{id: []byte(n.ID), asNew: enc}
		for _, src := range slices.Sorted(maps.Keys(n.Raw)) {
			pn.raw = append(pn.raw, preparedRaw{source: src, key: rawKey(n.ID, src), val: encodeRaw(n.Raw[src])})
		}
		n.Raw = nil
		p.batch.Nodes[i] = n
		p.nodes[i] = pn
	}
	for i, e := range b.Edges {
		kind := string(e.Kind)
		p.edges[i] = preparedEdge{out: outKey(e.From, kind, e.To), in: inKey(e.To, kind, e.From)}
	}
	return p, nil
}
