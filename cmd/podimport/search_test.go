package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/podimport/podimport/index"
)

// TestPrintHits checks the human output of search: the count (and how many
// are shown when --limit cuts it), one block per hit, and the highlights
// marked with stars off a terminal.
func TestPrintHits(t *testing.T) {
	for _, c := range []struct {
		res  *index.Result
		want string
	}{
		{&index.Result{}, "0 results\n"},
		{&index.Result{Total: 1, Hits: []index.Hit{{
			ID: "twitter:post:1", Kind: "post", Author: "alice", Text: "tea & biscuits",
			Created:    time.Date(2024, 3, 1, 9, 30, 0, 0, time.Local),
			Highlights: []string{"<mark>tea</mark> &amp; biscuits"},
		}}}, "1 result\n\npost  @alice  2024-03-01 09:30  twitter:post:1\n  *tea* & biscuits\n"},
		{&index.Result{Total: 42, Hits: []index.Hit{{ID: "twitter:account:2", Kind: "account", Author: "bob", Text: "Bob (@bob): <b>"}}},
			"42 results; showing 1 (--limit N shows more)\n\naccount  @bob    twitter:account:2\n  Bob (@bob): <b>\n"},
		{&index.Result{Total: 2, Hits: []index.Hit{{ID: "twitter:post:3", Kind: "post", Author: "carol", Text: "a"},
			{ID: "twitter:post:4", Kind: "post", Author: "carol", Text: "b"}}},
			"2 results\n\npost  @carol    twitter:post:3\n  a\n\npost  @carol    twitter:post:4\n  b\n"},
	} {
		var out bytes.Buffer
		printHits(&out, c.res, false)
		if out.String() != c.want {
			t.Errorf("printHits of %d hits:\n%q\nwant\n%q", c.res.Total, out.String(), c.want)
		}
	}
}
