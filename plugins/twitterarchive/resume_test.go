package twitterarchive_test

import (
	"context"
	"errors"
	"github.com/podimport/podimport/internal/testutil"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// Importing the same archive again writes nothing: the second run sees the
// archive was imported completely, and even a full second pass (the cursor
// gone) merges into what is stored without a single change.
func TestReimportWritesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(twittertest.WorldConfig{Seed: 41, Followers: 30, Followings: 20, OwnTweets: 600, Likes: 25})
	path := writeZip(t, archivetest.FromWorld(w, gen), archivetest.Options{Layout: archivetest.Split})
	h := newHarness(t)
	first := h.mustImport(path)
	if first.Written == 0 {
		t.Fatal("the first import wrote nothing")
	}
	want, changes := h.export(), h.stats().Changes

	h.clock.Advance(24 * time.Hour)
	h.log.Reset()
	second := h.mustImport(path)
	if second.Written != 0 || h.stats().Changes != changes {
		t.Errorf("second import of the same archive: %d records written, changes %d → %d", second.Written, changes, h.stats().Changes)
	}
	if !strings.Contains(h.log.String(), "imported completely before") {
		t.Errorf("the second run did not say why it did nothing:\n%s", h.log.String())
	}

	// Forget that it was done: a whole second pass still changes nothing.
	h.withStore(func(s *store.Store) {
		if _, err := s.Apply(0, "twitter-archive", "owner", schema.Batch{Cursors: []schema.CursorUpdate{{Stream: "archive"}}}); err != nil {
			t.Fatal(err)
		}
	})
	third := h.mustImport(path)
	if third.Written != 0 || h.stats().Changes != changes {
		t.Errorf("a full second pass: %d records written, changes %d → %d", third.Written, changes, h.stats().Changes)
	}
	if got := h.export(); got != want {
		t.Errorf("a second pass changed the store:\n%s", testutil.FirstDiff(want, got))
	}
}

// A newer archive of the same account adds what is new and rewrites none
// of the posts already stored.
func TestNewerArchiveAddsOnlyWhatIsNew(t *testing.T) {
	t.Parallel()
	w := newWorld(twittertest.WorldConfig{Seed: 43, Followers: 10, Followings: 10, OwnTweets: 300, Likes: 10})
	owner := w.Owner().IDStr
	h := newHarness(t)
	h.mustImport(writeZip(t, archivetest.FromWorld(w, gen), archivetest.Options{}))
	old := map[string]bool{}
	for _, tw := range w.Tweets(owner) {
		old[twitter.PostID(tw.IDStr)] = true
	}
	changes := h.stats().Changes

	added := w.AddTweets(owner, 30)
	h.mustImport(writeZip(t, archivetest.FromWorld(w, gen.Add(48*time.Hour)), archivetest.Options{}))
	if n := len(h.edges(twitter.AccountID(owner), schema.Out, schema.EdgeAuthored)); n != 330 {
		t.Errorf("%d tweets stored, want 300 + 30", n)
	}
	var changed []string
	h.withStore(func(s *store.Store) {
		cs, err := s.Changes(changes, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			changed = append(changed, c.ID)
		}
	})
	newPosts := 0
	for _, id := range changed {
		if old[id] {
			t.Errorf("the newer archive rewrote %s, which the older one had", id)
		}
		if strings.HasPrefix(id, "twitter:post:") && !old[id] {
			newPosts++
		}
	}
	if newPosts < len(added) {
		t.Errorf("%d new posts written, want at least the %d new tweets", newPosts, len(added))
	}
}

// cancelAfter cancels the run's context after n batches that move the
// archive cursor have been committed: Ctrl-C in the middle.
type cancelAfter struct {
	importer.Store
	n       int
	cancel  context.CancelFunc
	applied int
}

func (c *cancelAfter) Apply(run uint64, plugin, account string, b schema.Batch) (store.Applied, error) {
	a, err := c.Store.Apply(run, plugin, account, b)
	c.applied++
	for _, cu := range b.Cursors {
		if cu.Stream == "archive" {
			if c.n--; c.n == 0 && c.cancel != nil {
				c.cancel()
			}
		}
	}
	return a, err
}

// An interrupted import resumes after its last committed batch, and ends
// with the same store as an uninterrupted one.
func TestInterruptedImportResumes(t *testing.T) {
	t.Parallel()
	w := newWorld(twittertest.WorldConfig{Seed: 47, Followers: 30, Followings: 20, OwnTweets: 1100, Likes: 20})
	path := writeZip(t, archivetest.FromWorld(w, gen), archivetest.Options{Layout: archivetest.Split, Parts: 2})

	clean := newHarness(t)
	full := &cancelAfter{}
	if _, err := clean.run(context.Background(), path, false, func(s importer.Store) importer.Store { full.Store = s; return full }); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	// The profile, then the first batch of 500 of the 550 tweets of
	// data/tweets.js: the import stops in the middle of a file.
	r, err := h.run(ctx, path, false, func(s importer.Store) importer.Store {
		return &cancelAfter{Store: s, n: 2, cancel: cancel}
	})
	if !errors.Is(err, context.Canceled) || r.Status != store.StatusInterrupted {
		t.Fatalf("interrupted run: status %q, err %v", r.Status, err)
	}
	owner := twitter.AccountID(w.Owner().IDStr)
	if n := len(h.edges(owner, schema.Out, schema.EdgeAuthored)); n != 500 {
		t.Errorf("%d tweets committed before the interruption, want the batch of 500", n)
	}
	resumed := &cancelAfter{}
	h.log.Reset()
	if _, err := h.run(context.Background(), path, false, func(s importer.Store) importer.Store { resumed.Store = s; return resumed }); err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	if !strings.Contains(h.log.String(), "resuming") {
		t.Errorf("the second run did not resume:\n%s", h.log.String())
	}
	// 2 batches were committed before; the resumed run needs only the rest.
	if resumed.applied != full.applied-2 {
		t.Errorf("the resumed run applied %d batches; the whole import takes %d, 2 were done", resumed.applied, full.applied)
	}
	if a, b := clean.export(), h.export(); a != b {
		t.Errorf("interrupted and resumed import differs from an uninterrupted one:\n%s", testutil.FirstDiff(a, b))
	}
}

// --no-media imports everything but the files; a later import with media
// copies them, although the archive was imported before.
func TestNoMediaThenMedia(t *testing.T) {
	a := smallArchive()
	path := writeZip(t, a, archivetest.Options{})
	h := newHarness(t)
	if _, err := h.run(context.Background(), path, true, nil); err != nil {
		t.Fatal(err)
	}
	if n := h.blobCount(); n != 0 {
		t.Errorf("--no-media stored %d blobs", n)
	}
	if m := h.node("twitter:media:1629000000000000901"); m.Media.Blob != "" {
		t.Errorf("--no-media: media node has blob %q", m.Media.Blob)
	}
	if o := h.node("twitter:account:1000"); o.Account.AvatarBlob != "" || o.Account.Avatar == "" {
		t.Errorf("--no-media: owner avatar %q, blob %q", o.Account.Avatar, o.Account.AvatarBlob)
	}
	h.mustImport(path)
	if m := h.node("twitter:media:1629000000000000901"); m.Media.Blob != shaHex(archivetest.MediaContent("1629000000000000901", 0)) {
		t.Errorf("with media after --no-media: blob %q", m.Media.Blob)
	}
	if n := h.blobCount(); n != 3 {
		t.Errorf("%d blobs, want the photo, the video and the avatar", n)
	}
}

// An import with --no-media interrupted, then resumed with media: the
// media of the batches committed without them are copied too, rather than
// left out for good once the archive is done.
func TestNoMediaInterruptedThenMedia(t *testing.T) {
	t.Parallel()
	w := newWorld(twittertest.WorldConfig{Seed: 47, Followers: 5, Followings: 5, OwnTweets: 1100})
	path := writeZip(t, archivetest.FromWorld(w, gen), archivetest.Options{})

	clean := newHarness(t)
	clean.mustImport(path)

	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	// The profile, then the first batch of 500 tweets.
	if _, err := h.run(ctx, path, true, func(s importer.Store) importer.Store {
		return &cancelAfter{Store: s, n: 2, cancel: cancel}
	}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	h.mustImport(path)
	if a, b := clean.export(), h.export(); a != b {
		t.Errorf("interrupted with --no-media and resumed with media, the store differs from an import with media:\n%s", testutil.FirstDiff(a, b))
	}
	if a, b := clean.blobCount(), h.blobCount(); a != b {
		t.Errorf("%d blobs, want %d", b, a)
	}
}
