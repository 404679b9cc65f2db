package store

import (
	"encoding/json"
	"io"

	"github.com/podimport/podimport/schema"
)

// ChangedSince returns the ids of the change-log entries with Seq > after,
// in order, at most limit of them (limit <= 0: all), and the Seq of the
// last one returned; last == after when there are none. It is Changes in
// the shape the search index follows (index.Source).
func (s *Store) ChangedSince(after uint64, limit int) (ids []string, last uint64, err error) {
	changes, err := s.Changes(after, limit)
	if err != nil {
		return nil, after, err
	}
	last = after
	for _, c := range changes {
		ids = append(ids, c.ID)
		last = c.Seq
	}
	return ids, last, nil
}

// ExportJSONL writes every node (in id order, with its raw JSON by source)
// and then every edge (in key order, ended ones included) to w, one JSON
// object per line: {"type":"node","id":…,"kind":…,…} or
// {"type":"edge","from":…,"kind":…,"to":…,…}. Apart from "type", the
// objects are the schema types' own JSON, so an export can be read back
// with them.
func (s *Store) ExportJSONL(w io.Writer) error {
	enc := json.NewEncoder(w) // Encode ends each object with a newline
	enc.SetEscapeHTML(false)  // post text and urls stay readable
	if err := s.ForEachNode(func(n schema.Node) error {
		return enc.Encode(struct {
			Type string `json:"type"`
			schema.Node
		}{"node", n})
	}); err != nil {
		return err
	}
	return s.ForEachEdge(func(e schema.Edge) error {
		return enc.Encode(struct {
			Type string `json:"type"`
			schema.Edge
		}{"edge", e})
	})
}
