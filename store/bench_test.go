package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/podimport/podimport/schema"
)

// BenchmarkApply applies timeline pages as the importer would: 200 new
// posts per page, each with its authored edge and a mention of one of 50
// accounts (refs), and a cursor update. ns/op is the time of one page (one
// transaction); records/s counts the nodes and edges actually written (600
// a page: the refs are unchanged after the first page).
func BenchmarkApply(b *testing.B) {
	for _, noSync := range []bool{true, false} {
		b.Run(fmt.Sprintf("nosync=%v", noSync), func(b *testing.B) {
			s, err := Open(b.TempDir(), Options{NoSync: noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			// A run in flight: each page's transaction also updates its
			// record.
			run, err := s.BeginRun("twitter", "alice")
			if err != nil {
				b.Fatal(err)
			}
			author := account("1", "alice")
			mustApply(b, s, run.ID, schema.Batch{Nodes: []schema.Node{author}})
			mentioned := make([]schema.Node, 50)
			for i := range mentioned {
				mentioned[i] = refAccount(strconv.Itoa(1000+i), "user"+strconv.Itoa(i))
			}
			created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			const perPage = 200
			page := func(p int) schema.Batch {
				var bt schema.Batch
				bt.Nodes = append(bt.Nodes, mentioned...)
				for i := range perPage {
					native := strconv.FormatInt(1629012888185610242-int64(p*perPage+i), 10)
					m := mentioned[i%len(mentioned)]
					n := schema.Node{ID: postID(native), Kind: schema.KindPost, Platform: "twitter", Sources: []string{"twitter"},
						Post: &schema.Post{Text: "a post of about a hundred and forty characters, with a #hashtag and a mention of @" + m.Account.Handle,
							Created: created.Add(-time.Duration(p*perPage+i) * time.Minute), Lang: "en",
							Author: author.ID, AuthorHandle: "alice", Hashtags: []string{"hashtag"}, Mentions: []string{m.Account.Handle},
							LikeCount: i64(int64(i))},
						Raw: map[string]json.RawMessage{"twitter": json.RawMessage(`{"id_str":"` + native + `","text":"a post of about a hundred and forty characters","favorite_count":3,"user":{"id_str":"1"}}`)}}
					bt.Nodes = append(bt.Nodes, n)
					bt.Edges = append(bt.Edges,
						schema.Edge{From: author.ID, Kind: schema.EdgeAuthored, To: n.ID},
						schema.Edge{From: n.ID, Kind: schema.EdgeMentions, To: m.ID})
				}
				bt.Cursors = []schema.CursorUpdate{{Stream: "timeline", Value: `{"max_id":"` + strconv.Itoa(p) + `"}`}}
				return bt
			}
			pages := make([]schema.Batch, b.N)
			for i := range pages {
				pages[i] = page(i)
			}
			written := 0
			b.ResetTimer()
			for i := range b.N {
				a, err := s.Apply(run.ID, "twitter", "alice", pages[i])
				if err != nil {
					b.Fatal(err)
				}
				written += a.Nodes + a.Edges
			}
			b.StopTimer()
			b.ReportMetric(float64(written)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
