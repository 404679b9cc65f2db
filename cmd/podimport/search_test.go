package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
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
	// A page of index.MaxLimit hits: --limit cannot show more.
	var out bytes.Buffer
	printHits(&out, &index.Result{Total: 1500, Hits: make([]index.Hit, index.MaxLimit)}, false)
	if want := "1500 results; showing 1000, the most a search shows (narrow the query to see the others)\n"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("printHits of 1000 of 1500 hits starts\n%.120q\nwant\n%q", out.String(), want)
	}
}

// TestSearchLimit checks that --limit is refused outside 1 to
// index.MaxLimit, which the index would otherwise cap silently.
func TestSearchLimit(t *testing.T) {
	dir := queryStore(t)
	for _, limit := range []string{"5000", "1001", "0", "-1"} {
		code, out, errOut := runCLI(t, "--store", dir, "search", "--limit", limit, "golang")
		if want := "--limit " + limit + ": want a whole number from 1 to 1000"; code != exitConfig || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("search --limit %s: exit %d, want %d and %q\nstdout: %q\nstderr: %q", limit, code, exitConfig, want, out, errOut)
		}
	}
	for _, limit := range []string{"1", "1000"} {
		if code, out, errOut := runCLI(t, "--store", dir, "search", "--limit", limit, "golang"); code != 0 || !strings.HasPrefix(out, "3 results") {
			t.Errorf("search --limit %s: exit %d\n%s%s", limit, code, out, errOut)
		}
	}
}

// TestSearchJSONHighlights checks that --json writes the highlights as
// they are ("<mark>"), not escaped for HTML ("\u003cmark\u003e").
func TestSearchJSONHighlights(t *testing.T) {
	code, out, errOut := runCLI(t, "--store", queryStore(t), "search", "--json", "generics")
	if code != 0 || !strings.Contains(out, `<mark>generics</mark>"`) {
		t.Errorf("search --json generics: exit %d\n%s%s", code, out, errOut)
	}
}

// queryStore writes a small store for the search and show tests: alice's
// and bob's posts about golang, one of alice's tagged #gophers, and bob
// replying to a post that was never imported (a reference node).
func queryStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	account := func(id, handle string) schema.Node {
		return schema.Node{ID: id, Kind: schema.KindAccount, Platform: "twitter", Sources: []string{"twitter"},
			Account: &schema.Account{Handle: handle}}
	}
	post := func(id, author, handle, text string, tags ...string) schema.Node {
		return schema.Node{ID: id, Kind: schema.KindPost, Platform: "twitter", Sources: []string{"twitter"},
			Post: &schema.Post{Text: text, Created: day, Author: author, AuthorHandle: handle, Hashtags: tags}}
	}
	var bl schema.Builder
	bl.Node(account("twitter:account:1", "alice"))
	bl.Node(account("twitter:account:2", "bob"))
	bl.Node(post("twitter:post:11", "twitter:account:1", "alice", "golang generics"))
	bl.Node(post("twitter:post:12", "twitter:account:1", "alice", "golang #gophers meetup", "gophers"))
	reply := post("twitter:post:21", "twitter:account:2", "bob", "golang channels")
	reply.Post.ReplyTo = "twitter:post:99"
	bl.Node(reply)
	bl.Ref("twitter:post:99")
	bl.Edge(schema.Edge{From: "twitter:post:21", Kind: schema.EdgeReplyTo, To: "twitter:post:99"})
	if _, err := s.Apply(0, "twitter", "alice", bl.Batch()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSearchExclusionFirst checks that the query language's exclusions
// are query words wherever they are, the first word included, and that
// search's own flags still work around them.
func TestSearchExclusionFirst(t *testing.T) {
	dir := queryStore(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"golang"}, "3 results\n"},
		{[]string{"-from:bob", "golang"}, "2 results\n"},
		{[]string{"golang", "-#gophers"}, "2 results\n"},
		{[]string{"-from:bob", "-#gophers", "golang"}, "1 result\n"},
		{[]string{"--sort", "newest", "-from:bob", "--limit", "1", "golang"}, "2 results; showing 1"},
		{[]string{"-limit", "1", "golang", "-from:alice"}, "1 result\n"}, // a single-dash flag before the query, as Go's flag package takes it
		{[]string{"--", "golang", "-from:alice"}, "1 result\n"},
		{[]string{"golang", "--", "-from:alice"}, "1 result\n"},
		{[]string{"help"}, "0 results\n"}, // a word, not the help command
		{[]string{"generics", "OR", "channels"}, "2 results\n"},
		{[]string{"-from:bob", "generics", "OR", "channels"}, "1 result\n"},
	} {
		code, out, errOut := runCLI(t, append([]string{"--store", dir, "search"}, c.args...)...)
		if code != 0 || !strings.HasPrefix(out, c.want) {
			t.Errorf("search %s: exit %d, want output starting %q\n%s%s", strings.Join(c.args, " "), code, c.want, out, errOut)
		}
	}
	// A query of punctuation alone, or with an OR without two sides, is
	// a mistake in the command line.
	for _, c := range []struct{ q, want string }{
		{"#", `query: nothing to search for in "#"`},
		{"golang OR", "query: OR at the end of the query"},
	} {
		code, out, errOut := runCLI(t, "--store", dir, "search", c.q)
		if code != exitConfig || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("search %q: exit %d, want %d and %q\nstdout: %q\nstderr: %q", c.q, code, exitConfig, c.want, out, errOut)
		}
	}
	// --json after the query is the flag.
	code, out, errOut := runCLI(t, "--store", dir, "search", "-from:bob", "golang", "--json")
	var res index.Result
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Total != 2 {
		t.Errorf("search -from:bob golang --json: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	// Help asked for anywhere is all that is shown.
	for _, h := range []string{"--help", "-h"} {
		if code, out, errOut := runCLI(t, "--store", dir, "search", "-from:bob", "golang", h); code != 0 || !strings.Contains(out, "USAGE:") {
			t.Errorf("search -from:bob golang %s: exit %d\n%s%s", h, code, out, errOut)
		}
	}
}

// TestSearchArgsAmbiguous checks the command lines where a query word
// cannot be told from a flag: refused with exit code 2, saying to put the
// query after --.
func TestSearchArgsAmbiguous(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"golang", "-json"}, `-json after a query word could be the flag --json or the exclusion of the word "json": write --json for the flag, or put the whole query after --: podimport search -- QUERY`},
		{[]string{"golang", "-limit=5"}, "write --limit for the flag, or put the whole query after --"},
		{[]string{"--bogus", "golang"}, "flag provided but not defined: -bogus (podimport search --help lists the options; a query word that looks like one goes after --: podimport search -- QUERY)"},
		{[]string{"-from:bob", "--limit"}, "--limit wants a value"},
	} {
		code, out, errOut := runCLI(t, append([]string{"--store", dir, "search"}, c.args...)...)
		if code != exitConfig || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("search %s: exit %d, want %d and %q\nstdout: %q\nstderr: %q", strings.Join(c.args, " "), code, exitConfig, c.want, out, errOut)
		}
	}
}

// TestSearchArgs checks the rewriting of whole command lines: only the
// search command's, found after the global flags and their values.
func TestSearchArgs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"podimport search -from:bob golang", "podimport search -- -from:bob golang"},
		{"podimport --store s --log-level=debug search --json -from:bob", "podimport --store s --log-level=debug search --json -- -from:bob"},
		{"podimport --store search stats -from:bob", "podimport --store search stats -from:bob"}, // a folder named search
		{"podimport -h search", "podimport -h search --"},
		{"podimport show -from:bob", "podimport show -from:bob"},
		{"podimport search --limit -5 x", "podimport search --limit -5 -- x"}, // the value, refused later by --limit's check
		{"podimport search a -- --json -b", "podimport search -- a --json -b"},
		{"podimport search --bogus -", "podimport search --bogus -- -"},
		{"podimport", "podimport"},
	} {
		got, err := searchArgs(newApp(io.Discard, io.Discard), strings.Fields(c.in))
		if err != nil || strings.Join(got, " ") != c.want {
			t.Errorf("searchArgs(%s) = %q, %v; want %s", c.in, got, err, c.want)
		}
	}
}
