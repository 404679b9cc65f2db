package twitterarchive

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/schema"
)

// FuzzJSFile fuzzes the reading of an archive's data file, `window.YTD.
// tweets.part0 = [ … ]`, and the mapping of the tweets it holds. The seeds
// are the data files of archives the generator writes in every layout,
// cut short and garbled, and the bad files of the other tests.
//
// It checks that reading never panics; that the streaming reader returns
// the very items a decoding of the whole array does, and refuses what that
// refuses, with an error that names the file and the byte (within the file)
// where it stopped, and the item it was reading; that Skip skips the same
// items; that the manifest's reader refuses with the file's name; and that
// each item maps to a valid batch holding its post, or to an error that
// says what is wrong.
func FuzzJSFile(f *testing.F) {
	for _, s := range jsSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkJSFile(t, data)
	})
}

// fuzzGen is the generation date of the seeds' archives and of the mapped
// tweets.
var fuzzGen = time.Date(2026, 10, 30, 8, 15, 42, 0, time.UTC)

// jsSeeds returns the data files of small generated archives (every
// layout), each also cut short and with a byte garbled, and hand-made
// files: those of the other tests, and edge cases of the prefix.
func jsSeeds(f *testing.F) [][]byte {
	f.Helper()
	w := twittertest.NewWorld(twittertest.WorldConfig{
		Seed: 71, Handle: "owner", Followers: 2, Followings: 2, OwnTweets: 3, Likes: 2,
		Start: fuzzGen.AddDate(-2, 0, 0), Clock: func() time.Time { return fuzzGen.Add(-time.Hour) },
	})
	a := archivetest.FromWorld(w, fuzzGen)
	var files [][]byte
	for _, layout := range archivetest.Layouts {
		dir := f.TempDir()
		if err := a.WriteDir(dir, archivetest.Options{Layout: layout, Parts: 2, NoMediaFiles: true}); err != nil {
			f.Fatal(err)
		}
		names, err := filepath.Glob(filepath.Join(dir, "data", "*.js"))
		if err != nil || len(names) < 5 {
			f.Fatalf("%s: data files %v (%v)", layout, names, err)
		}
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			files = append(files, b)
		}
	}
	var out [][]byte
	seen := map[string]bool{}
	add := func(b []byte) {
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	for _, b := range files {
		add(b)
		add(b[:len(b)*2/3])                    // cut short
		add(b[:bytes.LastIndexByte(b, '}')+1]) // cut after an item, before the ]
		g := slices.Clone(b)                   // garbled: a ':' becomes a ';'
		if i := bytes.IndexByte(g[len(g)/2:], ':'); i >= 0 {
			g[len(g)/2+i] = ';'
			add(g)
		}
	}
	for _, s := range []string{
		// The other tests' files.
		"window.YTD.like.part0 = [ ]", "window.YTD.direct_messages.part0 = [ ]", "not even JSON",
		"<html></html>", "var x = 1;", "rm -rf ~", "x",
		"window.YTD.tweets.part0 = [ {\"a\":1}, {\"a\":2} ]", "\ufeffwindow.YTD.like.part0 =\n[\n{\"a\":1}\n]\n",
		" [{\"a\":1}]", "", "hello world", "window.YTD.x.part0 = {}", "window.YTD.x.part0 = [ {\"a\":1}, {\"a\":",
		"window.YTD.x.part0 = [ {\"a\":1},",
		// The prefix and the list.
		"\ufeff[{\"a\":1}]", "\ufeff window.YTD.x.part0 = []", "window.YTD.x.part0 =", "=", "==[]", "= [", "= ]",
		"= [1 2]", "= [1,]", "= [,1]", "= [1]]", "= [1] trailing", "= null", "= \"text\"", "= [[], {}, null, \"s\", 1.5e300]",
		`window.__THAR_CONFIG = {"userInfo": {"accountId": "1"}}`,
		"[" + strings.Repeat(" ", maxPrefix) + "]", strings.Repeat(" ", maxPrefix) + "= []",
		// Items: wrapped or not, tweets that map and tweets that do not.
		`= [{"tweet": {"id_str": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": "hi"}}]`,
		`= [{"id": 2, "created_at": "Wed Oct 10 20:19:24 +0000 2018", "text": "RT @a: x", "entities": {"user_mentions": [{"id_str": "7", "screen_name": "A"}]},` +
			` "extended_entities": {"media": [{"id_str": "8", "source_status_id_str": "9", "source_user_id": 7, "sizes": {"large": {"w": "10", "h": 20}}}]}}]`,
		`= [{"tweet": {"id_str": "3", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": "q https://t.co/x", "entities": {"urls": [{"expanded_url": "https://twitter.com/a/status/4"}], "hashtags": [{"text": "Go"}]}}}]`,
		`= [{"tweet": {"id_str": "1"}}, {"tweet": {"id_str": "x"}}, {"tweet": {"id_str": "5", "created_at": "yesterday"}}, {"tweet": {"id_str": "6", "created_at": ""}}]`,
		`= [{"tweet": {"id_str": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "favorite_count": "1.5", "retweet_count": true}}]`,
		`= [{"tweet": {"id_str": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "entities": {"hashtags": "x"}}}]`,
		`= [{"tweet": {"id_str": "1"}, "tweet": {}}, {"tweet": "s"}, {"tweet": [1]}, {"tweet" : { "a" : "}\"]" } }]`,
	} {
		add([]byte(s))
	}
	return out
}

// jsName is the fuzzed file's name in the archive.
const jsName = "data/tweets.js"

var (
	atByteRE = regexp.MustCompile(`\bbyte (\d+)\b`)
	itemRE   = regexp.MustCompile(`\bitem (\d+)\b`)
)

func checkJSFile(t *testing.T, data []byte) {
	fsys := fstest.MapFS{jsName: {Data: data}}
	items, err := readJS(fsys, jsName, 0)
	want, wantErr := wholeArray(data)
	if err != nil {
		checkJSError(t, err, data, len(items))
		if wantErr == nil {
			t.Fatalf("the reader refuses the file (%v), but decoding the whole array after the prefix gives %d items\nfile: %q", err, len(want), data)
		}
	} else {
		if wantErr != nil {
			t.Fatalf("the reader reads %d items from the file, but decoding the whole array after the prefix fails: %v\nfile: %q", len(items), wantErr, data)
		}
		if len(items) != len(want) {
			t.Fatalf("the reader reads %d items, decoding the whole array %d\nfile: %q", len(items), len(want), data)
		}
		for i := range items {
			if !json.Valid(items[i]) || !bytes.Equal(compact(items[i]), compact(want[i])) {
				t.Fatalf("item %d: the reader reads %s, decoding the whole array %s", i+1, items[i], want[i])
			}
		}
	}
	// Skipping reads past the same items.
	if len(items) > 0 {
		skip := min(2, len(items)-1)
		rest, err2 := readJS(fsys, jsName, skip)
		if (err == nil) != (err2 == nil) || len(rest) != len(items)-skip || (len(rest) > 0 && !bytes.Equal(rest[0], items[skip])) {
			t.Fatalf("after Skip(%d): %d items (%v); reading all gives %d (%v)", skip, len(rest), err2, len(items), err)
		}
	}
	// The manifest is read by the same reader, as one object.
	var m manifest
	if err := readObject(fsys, jsName, &m); err != nil && !strings.HasPrefix(err.Error(), jsName+": ") {
		t.Fatalf("readObject: error %q does not name the file", err)
	}
	for i, item := range items[:min(len(items), 20)] {
		checkMapTweet(t, i+1, item)
	}
}

// readJS reads every item of a data file after skipping skip of them.
func readJS(fsys fstest.MapFS, name string, skip int) ([]json.RawMessage, error) {
	r, err := openJS(fsys, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if err := r.Skip(skip); err != nil {
		return nil, err
	}
	var items []json.RawMessage
	for {
		raw, err := r.Next()
		if err == io.EOF {
			if _, err := r.Next(); err != io.EOF {
				return items, errors.New("Next after the end of the list did not return io.EOF again")
			}
			return items, nil
		}
		if err != nil {
			return items, err
		}
		items = append(items, raw)
	}
}

// wholeArray is what the streaming reader must return: the JSON value after
// the prefix (the first '=' in the first maxPrefix bytes, unless the file
// starts with JSON, after spaces and a byte order mark), decoded at once as
// an array.
func wholeArray(data []byte) ([]json.RawMessage, error) {
	head := data[:min(len(data), maxPrefix)]
	var rest []byte
	if t := bytes.TrimLeft(head, " \t\r\n\ufeff"); len(t) > 0 && (t[0] == '[' || t[0] == '{') {
		rest = data[len(head)-len(t):]
	} else if i := bytes.IndexByte(head, '='); i >= 0 {
		rest = data[i+1:]
	} else {
		return nil, errors.New("no prefix")
	}
	var v json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(rest)).Decode(&v); err != nil {
		return nil, err
	}
	if v[0] != '[' {
		return nil, errors.New("not a list")
	}
	var items []json.RawMessage
	err := json.Unmarshal(v, &items)
	return items, err
}

// checkJSError checks a refusal: it names the file, and either says the
// file is empty or has no prefix, or gives a byte within the file; a file
// cut short is cut at its end; the item it names is the one being read (or
// the last one read).
func checkJSError(t *testing.T, err error, data []byte, read int) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, jsName+": ") || len(msg) < len(jsName)+20 {
		t.Fatalf("error %q does not name the file and what is wrong", msg)
	}
	m := atByteRE.FindStringSubmatch(msg)
	if m == nil {
		if !strings.Contains(msg, "the file is empty") && !strings.Contains(msg, "not an archive data file") {
			t.Fatalf("error %q gives no position", msg)
		}
		return
	}
	at, _ := strconv.Atoi(m[1])
	if at > len(data) || (strings.Contains(msg, "cut short") && at != len(data)) {
		t.Fatalf("error %q: byte %d, in a file of %d bytes", msg, at, len(data))
	}
	if m := itemRE.FindStringSubmatch(msg); m != nil {
		if n, _ := strconv.Atoi(m[1]); n != read && n != read+1 {
			t.Fatalf("error %q names item %s; %d items were read", msg, m[1], read)
		}
	}
}

// checkMapTweet maps one item of the file as a tweet, as if the post were
// new and as if it were stored: a valid batch holding the complete post, or
// an error that says what is wrong.
func checkMapTweet(t *testing.T, n int, item json.RawMessage) {
	t.Helper()
	raw := unwrap(item, "tweet")
	if !json.Valid(raw) {
		t.Fatalf("item %d: unwrap gives invalid JSON %q", n, raw)
	}
	if !bytes.Equal(raw, item) {
		var obj map[string]json.RawMessage
		if json.Unmarshal(item, &obj) != nil || len(obj) != 1 || !bytes.Equal(compact(obj["tweet"]), compact(raw)) {
			t.Fatalf("item %d: unwrap(%s) = %s, which is not its only \"tweet\"", n, item, raw)
		}
	}
	o := owner{id: twitter.AccountID("1000"), handle: "owner"}
	for _, stored := range []bool{false, true} {
		var bl schema.Builder
		mt, err := mapTweet(raw, o, tweetView{stored: stored, generation: fuzzGen}, &bl)
		if err != nil {
			if msg := err.Error(); len(msg) < 10 {
				t.Fatalf("item %d: mapping error %q does not say what is wrong", n, msg)
			}
			continue
		}
		b := bl.Batch()
		if err := schema.ValidateBatch(b, nil); err != nil {
			t.Fatalf("item %d mapped (%s) to an invalid batch: %v\nitem: %s", n, mt.id, err, raw)
		}
		if platform, kind, native, err := schema.ParseID(mt.id); err != nil || platform != twitter.Platform || kind != schema.KindPost || native != mt.native {
			t.Fatalf("item %d: post id %q, native %q (%v)", n, mt.id, mt.native, err)
		}
		found := false
		for _, node := range b.Nodes {
			if node.ID == mt.id && !node.Ref {
				found = true
			}
			for key, r := range node.Raw {
				if !json.Valid(r) {
					t.Fatalf("item %d: node %s: raw %q is not valid JSON: %s", n, node.ID, key, r)
				}
			}
		}
		if !found {
			t.Fatalf("item %d: the batch has no complete node %s", n, mt.id)
		}
		if len(mt.media) != len(mt.mids) {
			t.Fatalf("item %d: %d media, %d media ids", n, len(mt.media), len(mt.mids))
		}
	}
}
