package twitterarchive

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/podimport/podimport/schema"
)

func TestEscapes(t *testing.T) {
	for name, want := range map[string]bool{
		"data/tweets.js": false, "data/": false, "./data/x.js": false, "data/a/../b.js": false,
		"../x": true, "data/../../x": true, "/etc/passwd": true, `..\x`: true, `C:\x`: true, `data\..\..\x`: true,
	} {
		if got := escapes(name); got != want {
			t.Errorf("escapes(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestUnwrap(t *testing.T) {
	for in, want := range map[string]string{
		`{"tweet": {"id_str": "1"}}`:                   `{"id_str": "1"}`,
		"{\n  \"tweet\" : {\n \"id_str\" : \"1\" }\n}": `{ "id_str" : "1" }`,
		`{"id_str": "1", "full_text": "x"}`:            `{"id_str": "1", "full_text": "x"}`,
		`{"tweet": {"id_str": "1"}, "other": 1}`:       `{"tweet": {"id_str": "1"}, "other": 1}`,
		`{"tweets": {"id_str": "1"}}`:                  `{"tweets": {"id_str": "1"}}`,
	} {
		got := unwrap(json.RawMessage(in), "tweet")
		if strings.Join(strings.Fields(string(got)), " ") != strings.Join(strings.Fields(want), " ") {
			t.Errorf("unwrap(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestJSReader(t *testing.T) {
	fsys := fstest.MapFS{
		"a.js":     {Data: []byte("window.YTD.tweets.part0 = [ {\"a\":1}, {\"a\":2} ]")},
		"bom.js":   {Data: []byte("\ufeffwindow.YTD.like.part0 =\n[\n{\"a\":1}\n]\n")},
		"plain.js": {Data: []byte(" [{\"a\":1}]")},
		"empty.js": {Data: []byte("window.YTD.block.part0 = [ ]")},
		"none.js":  {Data: []byte("")},
		"text.js":  {Data: []byte("hello world")},
		"obj.js":   {Data: []byte("window.YTD.x.part0 = {}")},
		"cut.js":   {Data: []byte("window.YTD.x.part0 = [ {\"a\":1}, {\"a\":")},
		"open.js":  {Data: []byte("window.YTD.x.part0 = [ {\"a\":1},")},

		// A converted file with a byte order mark and no prefix (found by
		// FuzzJSFile: the mark was left to the JSON decoder, which failed).
		"bomplain.js": {Data: []byte("\ufeff [{\"a\":1}, {\"a\":2}]")},
		"bomcut.js":   {Data: []byte("\ufeff[{\"a\":1}, {\"a\"")},
	}
	read := func(name string) (int, error) {
		r, err := openJS(fsys, name)
		if err != nil {
			return 0, err
		}
		defer r.Close()
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
			n++
		}
	}
	for name, want := range map[string]int{"a.js": 2, "bom.js": 1, "plain.js": 1, "bomplain.js": 2, "empty.js": 0} {
		if n, err := read(name); n != want || err != nil {
			t.Errorf("%s: %d items, %v; want %d", name, n, err, want)
		}
	}
	for name, want := range map[string]string{
		"none.js": "none.js: the file is empty",
		"text.js": "not an archive data file",
		"obj.js":  "want a list of items",
		"cut.js":  "cut.js: the file ends in the middle of item 2, at byte 37",
		"open.js": "open.js: the file ends in the middle of item 2, at byte 31",

		"bomcut.js": "bomcut.js: the file ends in the middle of item 2, at byte 17",
	} {
		if _, err := read(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
	}
}

// Ids and counts arrive as strings (numbers in older archives) and are
// parsed as integers: an id above 2^53 keeps every digit.
func TestNumbersNeverPassThroughFloat(t *testing.T) {
	for _, raw := range []string{
		`{"id_str":"1629012888185610243","created_at":"Fri Feb 24 06:58:32 +0000 2023","full_text":"x","favorite_count":"9007199254740993"}`,
		`{"id":1629012888185610243,"created_at":"Fri Feb 24 06:58:32 +0000 2023","full_text":"x","favorite_count":9007199254740993}`,
	} {
		var bl schema.Builder
		mt, err := mapTweet(json.RawMessage(raw), owner{id: "twitter:account:1", handle: "x"}, tweetView{}, &bl)
		if err != nil {
			t.Fatal(err)
		}
		n := bl.Get(mt.id)
		if mt.id != "twitter:post:1629012888185610243" || n == nil || *n.Post.LikeCount != 9007199254740993 {
			t.Errorf("%s: id %s, node %+v", raw, mt.id, n)
		}
	}
	// Refused, naming the field: the error is all a person has to find
	// it in a file of megabytes.
	for _, c := range []struct{ raw, field string }{
		{`{"id_str":"1.5e18","created_at":"Fri Feb 24 06:58:32 +0000 2023"}`, "id_str"},
		{`{"id_str":"1","created_at":"Fri Feb 24 06:58:32 +0000 2023","favorite_count":"99999999999999999999"}`, "favorite_count"},
		{`{"id_str":"1","created_at":"Fri Feb 24 06:58:32 +0000 2023","in_reply_to_status_id_str":"12ab"}`, "in_reply_to_status_id_str"},
	} {
		var bl schema.Builder
		_, err := mapTweet(json.RawMessage(c.raw), owner{}, tweetView{}, &bl)
		if err == nil || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), "not a whole number") {
			t.Errorf("%s: %v, want an error naming %s", c.raw, err, c.field)
		}
	}
}
