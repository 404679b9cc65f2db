package schema

// Builder collects a batch, merging repeated nodes and dropping repeated
// edges: a page of 200 tweets names its author 200 times, and the store
// should merge one node, not two hundred.
type Builder struct {
	b     Batch
	nodes map[string]int // id → index in b.Nodes
	edges map[string]bool
}

// Node adds n, merging it into an earlier node with the same id.
func (bl *Builder) Node(n Node) {
	if bl.nodes == nil {
		bl.nodes = make(map[string]int)
	}
	if i, ok := bl.nodes[n.ID]; ok {
		bl.b.Nodes[i] = Merge(bl.b.Nodes[i], n)
		return
	}
	bl.nodes[n.ID] = len(bl.b.Nodes)
	bl.b.Nodes = append(bl.b.Nodes, n)
}

// Ref adds a reference node for id, unless the batch has the node already.
func (bl *Builder) Ref(id string) {
	if _, ok := bl.nodes[id]; !ok {
		bl.Node(Ref(id))
	}
}

// Edge adds e once.
func (bl *Builder) Edge(e Edge) {
	if bl.edges == nil {
		bl.edges = make(map[string]bool)
	}
	if k := e.Key(); !bl.edges[k] {
		bl.edges[k] = true
		bl.b.Edges = append(bl.b.Edges, e)
	}
}

// Cursor adds a cursor update.
func (bl *Builder) Cursor(stream, value string) {
	bl.b.Cursors = append(bl.b.Cursors, CursorUpdate{Stream: stream, Value: value})
}

// Sweep adds a sweep.
func (bl *Builder) Sweep(s Sweep) { bl.b.Sweeps = append(bl.b.Sweeps, s) }

// Get returns the node with id added so far, or nil. The node may be
// changed by later additions: read it, don't keep it.
func (bl *Builder) Get(id string) *Node {
	if i, ok := bl.nodes[id]; ok {
		return &bl.b.Nodes[i]
	}
	return nil
}

// Len is the number of records added so far.
func (bl *Builder) Len() int { return bl.b.Len() }

// Batch returns the batch built so far and resets the builder.
func (bl *Builder) Batch() Batch {
	b := bl.b
	*bl = Builder{}
	return b
}
