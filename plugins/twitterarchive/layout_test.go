package twitterarchive_test

import (
	"archive/zip"
	"github.com/podimport/podimport/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// Every layout, zipped or extracted, with or without a manifest, imports
// to the very same graph, and it is the whole archive: every tweet, follow,
// like and media file.
func TestEveryLayoutImportsTheSameGraph(t *testing.T) {
	t.Parallel()
	w := newWorld(twittertest.WorldConfig{Seed: 21, Followers: 40, Followings: 25, OwnTweets: 700, Likes: 30})
	a := archivetest.FromWorld(w, gen)
	all := tweets(a)
	owner := twitter.AccountID(a.Owner.ID)

	ref := newHarness(t)
	ref.mustImport(writeZip(t, a, archivetest.Options{Layout: archivetest.Current}))
	want := ref.export()

	// What the reference import holds.
	if got := len(ref.edges(owner, schema.Out, schema.EdgeAuthored)); got != len(all) {
		t.Errorf("%d authored edges, want one per tweet (%d)", got, len(all))
	}
	if got := len(ref.edges(owner, schema.In, schema.EdgeFollows)); got != len(a.Followers) {
		t.Errorf("%d followers, want %d", got, len(a.Followers))
	}
	if got := len(ref.edges(owner, schema.Out, schema.EdgeFollows)); got != len(a.Following) {
		t.Errorf("%d followings, want %d", got, len(a.Following))
	}
	if got := len(ref.edges(owner, schema.Out, schema.EdgeLikes)); got != len(a.Likes) {
		t.Errorf("%d likes, want %d", got, len(a.Likes))
	}
	files := 0
	ref.withStore(func(s *store.Store) {
		for _, tw := range all {
			p, err := s.Node(twitter.PostID(tw.ID))
			if err != nil || p.Ref || p.Post == nil || p.Post.Author != owner || !p.Post.Created.Equal(tw.Created) {
				t.Fatalf("post %s: %+v %v", tw.ID, p, err)
			}
			for _, m := range tw.Media {
				if m.NoFile {
					continue
				}
				files++
				mn, err := s.Node(twitter.MediaID(m.ID))
				if err != nil || mn.Media == nil || mn.Media.Blob == "" {
					t.Errorf("media %s of tweet %s has no blob (%v)", m.ID, tw.ID, err)
					continue
				}
				if got, err := os.ReadFile(s.BlobPath(mn.Media.Blob)); err != nil || string(got) != string(archivetest.MediaContent(m.ID, 0)) {
					t.Errorf("media %s: the blob is not the archive's file (%v)", m.ID, err)
				}
			}
		}
	})
	if files == 0 {
		t.Fatal("the world has no media files; the test proves nothing about media")
	}
	if got := ref.blobCount(); got != files+1 { // and the avatar
		t.Errorf("%d blobs stored, want %d media files and the avatar", got, files)
	}

	cases := []struct {
		name string
		o    archivetest.Options
		dir  bool
	}{
		{"current dir", archivetest.Options{Layout: archivetest.Current}, true},
		{"split zip", archivetest.Options{Layout: archivetest.Split, Parts: 3}, false},
		{"split dir", archivetest.Options{Layout: archivetest.Split, Parts: 4}, true},
		{"old zip", archivetest.Options{Layout: archivetest.Old}, false},
		{"old dir", archivetest.Options{Layout: archivetest.Old}, true},
		{"unwrapped zip", archivetest.Options{Layout: archivetest.Unwrapped}, false},
		{"unwrapped dir", archivetest.Options{Layout: archivetest.Unwrapped}, true},
		{"old zip, no manifest", archivetest.Options{Layout: archivetest.Old, NoManifest: true}, false},
		{"split dir, no manifest", archivetest.Options{Layout: archivetest.Split, NoManifest: true}, true},
		{"zip of the extracted folder", archivetest.Options{Layout: archivetest.Current, Prefix: "twitter-2026-10-30-abc/"}, false},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			path := ""
			if c.dir {
				path = writeDir(t, a, c.o)
			} else {
				path = writeZip(t, a, c.o)
			}
			h := newHarness(t)
			h.mustImport(path)
			if got := h.export(); got != want {
				t.Errorf("the %s archive imports differently from the current zip:\n%s", c.name, testutil.FirstDiff(want, got))
			}
		})
	}
}

// The split layout really is split, and the old one really is old: the
// generator writes what the test says it does.
func TestGeneratorLayouts(t *testing.T) {
	w := newWorld(twittertest.WorldConfig{Seed: 2, Followers: 3, Followings: 3, OwnTweets: 30})
	a := archivetest.FromWorld(w, gen)
	for _, c := range []struct {
		o     archivetest.Options
		files map[string]string // file → a string it holds
	}{
		{archivetest.Options{Layout: archivetest.Current}, map[string]string{"data/tweets.js": `window.YTD.tweets.part0 = [
  {
    "tweet" : {`}},
		{archivetest.Options{Layout: archivetest.Split, Parts: 3}, map[string]string{
			"data/tweets.js": "window.YTD.tweets.part0 = [", "data/tweets-part1.js": "window.YTD.tweets.part1 = [",
			"data/tweets-part2.js": "window.YTD.tweets.part2 = [", "data/manifest.js": `"fileName" : "data/tweets-part2.js"`}},
		{archivetest.Options{Layout: archivetest.Old}, map[string]string{"data/tweet.js": `window.YTD.tweet.part0 = [
  {
    "tweet" : {`}},
		{archivetest.Options{Layout: archivetest.Unwrapped}, map[string]string{"data/tweets.js": `window.YTD.tweets.part0 = [
  {
    "edit_info" : {`}},
	} {
		dir := writeDir(t, a, c.o)
		for name, want := range c.files {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				t.Fatalf("%s: %v", c.o.Layout, err)
			}
			if !strings.Contains(string(b), want) {
				t.Errorf("%s: %s lacks %q:\n%.300s", c.o.Layout, name, want, b)
			}
		}
	}
}

// The benchmark's generated archive imports whole: every tweet, the
// retweets that name their original as reposts, the media files.
func TestSyntheticArchive(t *testing.T) {
	a := archivetest.Synthetic(600, 7, gen)
	h := newHarness(t)
	h.mustImport(writeZip(t, a, archivetest.Options{Layout: archivetest.Split, Parts: 2, MediaBytes: 1000}))
	owner := twitter.AccountID(a.Owner.ID)
	if n := len(h.edges(owner, schema.Out, schema.EdgeAuthored)); n != 600 {
		t.Errorf("%d tweets, want 600", n)
	}
	files, reposts := 0, 0
	h.withStore(func(s *store.Store) {
		for tw := range a.Tweets {
			p, err := s.Node(twitter.PostID(tw.ID))
			if err != nil {
				t.Fatal(err)
			}
			if p.Post.RepostOf != "" {
				reposts++
			}
			for _, m := range tw.Media {
				mn, err := s.Node(twitter.MediaID(m.ID))
				if err != nil {
					t.Fatal(err)
				}
				if !m.NoFile {
					files++
					if mn.Media.Blob != shaHex(archivetest.MediaContent(m.ID, 1000)) {
						t.Errorf("media %s: blob %q", m.ID, mn.Media.Blob)
					}
				}
			}
		}
	})
	if files == 0 || reposts == 0 {
		t.Errorf("%d media files, %d reposts: the generator lacks them", files, reposts)
	}
}

// A zip of the extracted folder made with macOS's "Compress" holds a
// __MACOSX folder beside it (the files' resource forks): the archive is
// still the folder that holds data/.
func TestZipWithMacOSFolder(t *testing.T) {
	a := smallArchive()
	prefix := "twitter-2026-10-30-abc/"
	ref := newHarness(t)
	ref.mustImport(writeZip(t, a, archivetest.Options{Prefix: prefix}))

	src, err := zip.OpenReader(writeZip(t, a, archivetest.Options{Prefix: prefix}))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p := filepath.Join(t.TempDir(), "compressed.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range src.File {
		if err := zw.Copy(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"__MACOSX/" + prefix + "._data", "__MACOSX/" + prefix + "data/._tweets.js"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("\x00\x05\x16\x07AppleDouble")); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.mustImport(p)
	if want, got := ref.export(), h.export(); got != want {
		t.Errorf("the zip with __MACOSX imports differently from the zip without:\n%s", testutil.FirstDiff(want, got))
	}
}
