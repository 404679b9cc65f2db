package twitterarchive_test

import (
	"context"
	"github.com/podimport/podimport/internal/testutil"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// importAPI imports w's owner through the twitter plugin and the fake API,
// likes included, into h's store.
func (h *harness) importAPI(w *twittertest.World) {
	h.t.Helper()
	srv := twittertest.NewServer(w, twittertest.WithClock(h.clock.Now))
	defer srv.Close()
	c := srv.Credentials()
	v := importer.Values{
		"user": w.Owner().ScreenName, "api-base": srv.BaseURL(), "followings-tweets": "0", "likes": "true",
		"consumer-key": c.ConsumerKey, "consumer-secret": c.ConsumerSecret,
		"access-token": c.Token, "access-secret": c.TokenSecret,
	}
	job, err := twitter.Plugin{}.New(v)
	if err != nil {
		h.t.Fatal(err)
	}
	s, err := store.Open(h.dir, store.Options{Now: h.clock.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	defer s.Close()
	log := zerolog.New(&h.log)
	if _, err := importer.Run(context.Background(), importer.RunConfig{Store: s, Clock: h.clock, Log: &log}, twitter.Plugin{}, job); err != nil {
		h.t.Fatalf("API import: %v", err)
	}
}

// A tweet imported from the API and from the archive is one node with the
// union of both: the API's counts, language and the retweet's whole text
// stay, the archive adds the media files and its raw JSON, and Sources
// names both. The order of the two imports does not matter.
func TestAPIAndArchiveMeetOnTheSameNodes(t *testing.T) {
	t.Parallel()
	w := newWorld(twittertest.WorldConfig{Seed: 31, Followers: 20, Followings: 15, OwnTweets: 400, Likes: 20})
	ownerIDStr := w.Owner().IDStr
	owner := twitter.AccountID(ownerIDStr)
	path := writeZip(t, archivetest.FromWorld(w, gen), archivetest.Options{})
	all := w.Tweets(ownerIDStr)

	// API first, then the archive.
	h := newHarness(t)
	h.importAPI(w)
	before := map[string]schema.Node{}
	var mediaBefore []schema.Node
	var ownerBefore schema.Node
	h.withStore(func(s *store.Store) {
		for _, tw := range all {
			n, err := s.Node(twitter.PostID(tw.IDStr))
			if err != nil {
				t.Fatalf("the API import lacks tweet %s: %v", tw.IDStr, err)
			}
			before[n.ID] = n
			if tw.RetweetOf == nil {
				for _, m := range tw.Media {
					mn, err := s.Node(twitter.MediaID(m.IDStr))
					if err != nil {
						t.Fatal(err)
					}
					mediaBefore = append(mediaBefore, mn)
				}
			}
		}
		var err error
		if ownerBefore, err = s.Node(owner); err != nil {
			t.Fatal(err)
		}
	})
	statsBefore := h.stats()
	h.mustImport(path)
	statsAfter := h.stats()

	if statsAfter.Nodes[schema.KindPost] != statsBefore.Nodes[schema.KindPost] || statsAfter.Refs[schema.KindPost] != statsBefore.Refs[schema.KindPost] {
		t.Errorf("posts before the archive: %d complete, %d refs; after: %d, %d — the archive's tweets should land on the API's nodes",
			statsBefore.Nodes[schema.KindPost], statsBefore.Refs[schema.KindPost], statsAfter.Nodes[schema.KindPost], statsAfter.Refs[schema.KindPost])
	}
	if n := len(h.edges(owner, schema.Out, schema.EdgeAuthored)); n != len(all) {
		t.Errorf("%d authored edges, want %d: one per tweet", n, len(all))
	}
	retweets, withMedia := 0, 0
	h.withStore(func(s *store.Store) {
		for _, tw := range all {
			id := twitter.PostID(tw.IDStr)
			n, err := s.Node(id)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([]string{"twitter", "twitter-archive"}, n.Sources); d != "" {
				t.Errorf("tweet %s sources (-want +got):\n%s", tw.IDStr, d)
			}
			// Both sources' raw JSON, and perhaps the API's embedded view
			// too (a tweet another tweet quotes or retweets).
			extra := len(n.Raw) - 2
			if _, ok := n.Raw["twitter.embedded"]; ok {
				extra--
			}
			if extra != 0 || n.Raw["twitter"] == nil || n.Raw["twitter-archive"] == nil {
				t.Errorf("tweet %s: raw JSON from %v, want both sources", tw.IDStr, keys(n.Raw))
			}
			// The archive maps every field as the API does, and never
			// replaces a retweet's whole text with its cut "RT @x: …".
			if d := cmp.Diff(before[id].Post, n.Post); d != "" {
				t.Errorf("tweet %s (retweet %v): the archive changed the API's fields (-api +merged):\n%s", tw.IDStr, tw.RetweetOf != nil, d)
			}
			if tw.RetweetOf != nil {
				retweets++
			}
		}
		for _, mb := range mediaBefore {
			n, err := s.Node(mb.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := *mb.Media
			want.Blob = n.Media.Blob
			if n.Media.Blob == "" {
				t.Errorf("media %s has no blob from the archive", mb.ID)
			}
			if d := cmp.Diff(&want, n.Media); d != "" {
				t.Errorf("media %s (-api +merged):\n%s", mb.ID, d)
			}
			withMedia++
		}
		n, err := s.Node(owner)
		if err != nil {
			t.Fatal(err)
		}
		want := *ownerBefore.Account
		want.AvatarBlob = n.Account.AvatarBlob
		if n.Account.AvatarBlob == "" || n.Account.FollowersCount == nil {
			t.Errorf("owner: avatar blob %q, followers count %v", n.Account.AvatarBlob, n.Account.FollowersCount)
		}
		if d := cmp.Diff(&want, n.Account); d != "" {
			t.Errorf("owner (-api +merged): the archive's t.co website or missing counts must not erase the API's:\n%s", d)
		}
		if d := cmp.Diff([]string{"twitter", "twitter-archive"}, n.Sources); d != "" {
			t.Errorf("owner sources (-want +got):\n%s", d)
		}
	})
	if retweets == 0 || withMedia == 0 {
		t.Fatalf("%d retweets, %d media: the world does not exercise the merge", retweets, withMedia)
	}

	// The archive first, then the API: the same store.
	h2 := newHarness(t)
	h2.mustImport(path)
	h2.importAPI(w)
	if a, b := h.export(), h2.export(); a != b {
		t.Errorf("API then archive differs from archive then API:\n%s", testutil.FirstDiff(a, b))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
