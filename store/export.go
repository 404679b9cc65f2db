package store

import (
	"encoding/json"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

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

// HistoryLine is a line of ExportHistoryJSONL: one point of an account's
// count history.
type HistoryLine struct {
	Type    string `json:"type"` // "count"
	Account string `json:"account"`
	HistoryPoint
}

// ExportHistoryJSONL writes the count history of every account (in
// account id order, oldest run first) to w, one JSON object per line:
// {"type":"count","account":…,"run":…,"at":…,"followers":…,
// "following":…,"posts":…}, a count left out where the run did not see it.
func (s *Store) ExportHistoryJSONL(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketHistory).ForEach(func(k, v []byte) error {
			account, ok := historyAccount(k)
			if !ok {
				return corrupt(fmt.Sprintf("history key %q", k), fmt.Errorf("not an id, a separator and a run"))
			}
			line := HistoryLine{Type: "count", Account: account}
			if err := json.Unmarshal(v, &line.HistoryPoint); err != nil {
				return corrupt(fmt.Sprintf("history point %q", k), err)
			}
			return enc.Encode(line)
		})
	})
}
