package twitterarchive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"github.com/podimport/podimport/internal/testutil"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/plugins/twitterarchive"
	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/schema"
)

// Each bad archive is refused with an error that says what is wrong, and
// the store is left exactly as it was.
func TestBadArchivesLeaveTheStoreAsItWas(t *testing.T) {
	h := newHarness(t)
	h.mustImport(writeZip(t, smallArchive(), archivetest.Options{}))
	want, changes := h.export(), h.stats().Changes

	w := newWorld(twittertest.WorldConfig{Seed: 51, Followers: 5, Followings: 5, OwnTweets: 300})
	good := writeZip(t, archivetest.FromWorld(w, gen), archivetest.Options{})
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	file := func(name string, b []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	incomplete := writeDir(t, archivetest.FromWorld(w, gen), archivetest.Options{Layout: archivetest.Split})
	if err := os.Remove(filepath.Join(incomplete, "data", "tweets-part1.js")); err != nil {
		t.Fatal(err)
	}
	outside := file("outside.js", []byte("window.YTD.like.part0 = [ ]"))
	linkOut := writeDir(t, smallArchive(), archivetest.Options{})
	if err := os.Remove(filepath.Join(linkOut, "data", "like.js")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(linkOut, "data", "like.js")); err != nil {
		t.Fatal(err)
	}
	later := smallArchive() // a newer archive: the store has the other one already
	later.Generated = gen.Add(time.Hour)
	mediaOut := writeDir(t, later, archivetest.Options{})
	photo := filepath.Join(mediaOut, "data", "tweets_media", "1629000000000000001-Abc.jpg")
	if err := os.Remove(photo); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../outside.js", photo); err != nil {
		t.Fatal(err)
	}
	noData := filepath.Join(tmp, "Downloads")
	if err := os.MkdirAll(filepath.Join(noData, "photos"), 0o755); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		path   string
		want   []string // in the error
		config bool     // an importer.ErrConfig naming the path option
	}{
		{"no path", "", []string{"path", "missing"}, true},
		{"missing file", filepath.Join(tmp, "nope.zip"), []string{"path", "nope.zip", "no such file or folder"}, true},
		{"not a zip", file("archive.zip", []byte("<html>not a zip, a download error page</html>")),
			[]string{"archive.zip", "truncated or not a zip"}, false},
		{"empty file", file("empty.zip", nil), []string{"truncated or not a zip"}, false},
		{"truncated zip", file("cut.zip", goodBytes[:len(goodBytes)*6/10]), []string{"cut.zip", "truncated or not a zip"}, false},
		{"folder without data/", noData, []string{"has no data/ folder"}, false},
		{"entry escaping with ../", writeZip(t, smallArchive(), archivetest.Options{Extra: map[string]string{"../../.bashrc": "rm -rf ~"}}),
			[]string{`"../../.bashrc"`, "leads outside the archive's folder"}, false},
		{"entry escaping inside data/", writeZip(t, smallArchive(), archivetest.Options{Extra: map[string]string{"data/tweets_media/../../../x.js": "x"}}),
			[]string{`"data/tweets_media/../../../x.js"`, "leads outside"}, false},
		{"absolute entry", writeZip(t, smallArchive(), archivetest.Options{Extra: map[string]string{"/etc/cron.d/x": "x"}}),
			[]string{`"/etc/cron.d/x"`, "leads outside"}, false},
		{"a part the manifest lists is missing", incomplete, []string{incomplete + ": data/manifest.js lists data/tweets-part1.js", "incomplete"}, false},
		{"folder with a data file linked from outside", linkOut, []string{"data/like.js", "escapes"}, false},
		{"folder with a media file linked from outside", mediaOut, []string{"data/tweets_media/1629000000000000001-Abc.jpg", "escapes"}, false},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			_, err := h.run(context.Background(), c.path, false, nil)
			if err == nil {
				t.Fatal("imported without an error")
			}
			for _, s := range c.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if got := errors.Is(err, importer.ErrConfig); got != c.config {
				t.Errorf("error %q: is a config error: %v, want %v", err, got, c.config)
			}
			if !c.config && !errors.Is(err, twitterarchive.ErrNotArchive) {
				t.Errorf("error %q does not wrap ErrNotArchive", err)
			}
			if got := h.export(); got != want || h.stats().Changes != changes {
				t.Errorf("the store changed:\n%s", testutil.FirstDiff(want, got))
			}
		})
	}
}

// A data file cut in the middle (an interrupted extraction) stops the
// import with an error that names the file, the item and the byte; the
// batches before it stay committed, the one in progress is not, and the
// complete archive then resumes from there.
func TestCutJSONFile(t *testing.T) {
	t.Parallel()
	w := newWorld(twittertest.WorldConfig{Seed: 53, Followers: 5, Followings: 5, OwnTweets: 600})
	a := archivetest.FromWorld(w, gen)
	owner := twitter.AccountID(w.Owner().IDStr)

	// Where item 551 of data/tweets.js starts.
	dir := writeDir(t, a, archivetest.Options{})
	js, err := os.ReadFile(filepath.Join(dir, "data", "tweets.js"))
	if err != nil {
		t.Fatal(err)
	}
	starts := regexp.MustCompile(`\n  \{\n    "tweet" : \{`).FindAllIndex(js, -1)
	if len(starts) != 600 {
		t.Fatalf("found %d items in tweets.js", len(starts))
	}
	cutAt := int64(starts[550][0] + 300)

	h := newHarness(t)
	_, err = h.run(context.Background(), writeZip(t, a, archivetest.Options{CutFile: "data/tweets.js", CutAt: cutAt}), false, nil)
	if err == nil {
		t.Fatal("a cut tweets.js imported without an error")
	}
	t.Log(err)
	for _, s := range []string{"data/tweets.js", "item 551", "byte " + strconv.FormatInt(cutAt, 10), "cut short"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if n := len(h.edges(owner, schema.Out, schema.EdgeAuthored)); n != 500 {
		t.Errorf("%d tweets stored; want the first complete batch of 500 and nothing of the next", n)
	}

	// The whole archive, same generation: the import resumes and ends as a
	// clean import does.
	h.mustImport(writeZip(t, a, archivetest.Options{}))
	clean := newHarness(t)
	clean.mustImport(writeZip(t, a, archivetest.Options{}))
	if x, y := clean.export(), h.export(); x != y {
		t.Errorf("resumed after the cut file, the store differs from a clean import:\n%s", testutil.FirstDiff(x, y))
	}
}

// A data file that is not valid JSON: which file, which item, and the
// byte where it goes wrong.
func TestBrokenJSONFile(t *testing.T) {
	w := newWorld(twittertest.WorldConfig{Seed: 55, Followers: 5, Followings: 5, OwnTweets: 40})
	dir := writeDir(t, archivetest.FromWorld(w, gen), archivetest.Options{})
	p := filepath.Join(dir, "data", "tweets.js")
	js, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// Break the third item.
	k := -1
	for range 3 {
		k += 1 + strings.Index(string(js[k+1:]), `"full_text" :`)
	}
	bad := k + len(`"full_text" `)
	js[bad] = ';'
	if err := os.WriteFile(p, js, 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	_, err = h.run(context.Background(), dir, false, nil)
	if err == nil {
		t.Fatal("imported a broken tweets.js without an error")
	}
	t.Log(err)
	// The byte is the bad one, not the start of its item: a tweet is a
	// few kilobytes of pretty-printed JSON.
	for _, s := range []string{"data/tweets.js", "item 3", "near byte " + strconv.Itoa(bad) + ":", "not valid JSON"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if n := len(h.edges(twitter.AccountID(w.Owner().IDStr), schema.Out, schema.EdgeAuthored)); n != 0 {
		t.Errorf("%d tweets stored from a batch that failed", n)
	}
}

// Files the importer does not read are ignored, and logged at debug.
func TestUnknownFilesAreIgnored(t *testing.T) {
	h := newHarness(t)
	h.mustImport(writeZip(t, smallArchive(), archivetest.Options{Extra: map[string]string{
		"data/direct-messages.js":     "window.YTD.direct_messages.part0 = [ ]",
		"data/ad-impressions.js":      "not even JSON",
		"Your archive.html":           "<html></html>",
		"assets/js/ondemand.app.js":   "var x = 1;",
		"data/tweets_media/notes.txt": "not a media file",
	}}))
	for _, name := range []string{"data/direct-messages.js", "data/ad-impressions.js", "data/block.js"} {
		if !regexp.MustCompile(`"level":"debug".*"file":"` + regexp.QuoteMeta(name) + `".*ignoring`).MatchString(h.log.String()) {
			t.Errorf("no debug line says %s was ignored:\n%s", name, h.log.String())
		}
	}
	if n := len(h.edges("twitter:account:1000", schema.Out, schema.EdgeAuthored)); n != 6 {
		t.Errorf("%d tweets imported, want 6", n)
	}
}

// An archive without tweets imports the rest: the profile, follows, likes.
func TestArchiveWithoutTweets(t *testing.T) {
	a := smallArchive()
	a.Tweets, a.NumTweets = nil, 0
	noFile := writeDir(t, a, archivetest.Options{NoManifest: true})
	if err := os.Remove(filepath.Join(noFile, "data", "tweets.js")); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"empty tweets.js": writeZip(t, a, archivetest.Options{}),
		"no tweets.js":    noFile,
	} {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			h := newHarness(t)
			h.mustImport(path)
			owner := "twitter:account:1000"
			if n := len(h.edges(owner, schema.Out, schema.EdgeAuthored)); n != 0 {
				t.Errorf("%d tweets", n)
			}
			if n := len(h.edges(owner, schema.In, schema.EdgeFollows)); n != 2 {
				t.Errorf("%d followers, want 2", n)
			}
			if n := len(h.edges(owner, schema.Out, schema.EdgeLikes)); n != 1 {
				t.Errorf("%d likes, want 1", n)
			}
			if o := h.node(owner); o.Ref || o.Account.Handle != "Ada_L" {
				t.Errorf("owner %+v", o)
			}
			if !strings.Contains(h.log.String(), "no tweets") {
				t.Errorf("the log does not say the archive has no tweets:\n%s", h.log.String())
			}
		})
	}
}

// A zip entry damaged so that its bytes still make valid JSON fails its
// checksum, which the zip reader checks only at the entry's end: the file
// is read to its end after the list, and the import stops there rather
// than store the damaged text.
func TestDamagedZipEntryFailsItsChecksum(t *testing.T) {
	src, err := zip.OpenReader(writeZip(t, smallArchive(), archivetest.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	// The same archive, its entries stored rather than compressed, so
	// that one byte of tweets.js can be changed in place.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range src.File {
		b, err := fs.ReadFile(src, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store, Modified: f.Modified})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	z := buf.Bytes()
	i := bytes.Index(z, []byte(`"full_text" : "`))
	if i < 0 {
		t.Fatal("no full_text in the stored zip")
	}
	z[i+len(`"full_text" : "`)] ^= 0x20 // a letter's case
	p := filepath.Join(t.TempDir(), "damaged.zip")
	if err := os.WriteFile(p, z, 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	_, err = h.run(context.Background(), p, false, nil)
	if err == nil {
		t.Fatal("a damaged tweets.js imported without an error")
	}
	for _, s := range []string{"data/tweets.js", "checksum", "damaged"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}
