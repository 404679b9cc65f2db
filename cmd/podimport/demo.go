package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// demoCommand shows the whole job with no account and no network: the fake
// Twitter API on loopback, a first import through the real importer
// (OAuth-signed), an incremental second import, searches, and an import of
// the account's archive.
// maxDemoSize bounds each of the demo's counts: the fake API holds the
// world in memory.
const maxDemoSize = 100_000

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "import a generated account from a fake Twitter API on loopback, twice, and search it",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "followers", Usage: "followers of the generated account", Value: 300},
			&cli.IntFlag{Name: "followings", Usage: "accounts it follows, 20 tweets each", Value: 120},
			&cli.IntFlag{Name: "tweets", Usage: "tweets of the account itself", Value: 450},
		},
		Action: runDemo,
	}
}

func runDemo(c *cli.Context) error {
	w := c.App.Writer
	for _, name := range []string{"followers", "followings", "tweets"} {
		if n := c.Int(name); n < 0 || n > maxDemoSize {
			return usageError("--%s %d: want a whole number from 0 to %d", name, n, maxDemoSize)
		}
	}
	// The demo writes to a fresh folder unless a store was named, so that
	// it never mixes generated data into a person's own store.
	if !c.IsSet("store") {
		dir, err := os.MkdirTemp("", "podimport-demo-")
		if err != nil {
			return err
		}
		if err := c.Set("store", dir); err != nil {
			return err
		}
	}
	world := twittertest.NewWorld(twittertest.WorldConfig{
		Seed: 1, Handle: "demo_user",
		Followers: c.Int("followers"), Followings: c.Int("followings"), OwnTweets: c.Int("tweets"),
		TweetsPerFollowing: 20, Protected: 2, Suspended: 2, Likes: 40,
		Start: time.Now().AddDate(-3, 0, 0),
	})
	srv := twittertest.NewServer(world)
	defer srv.Close()
	fmt.Fprintf(w, "fake Twitter API on %s, store in %s\n", srv.BaseURL(), c.String("store"))

	plugin, _ := importer.Lookup("twitter")
	creds := twittertest.DefaultCredentials
	values := importer.Values{
		"user": "demo_user", "api-base": srv.BaseURL(), "followings-tweets": "5", "likes": "true",
		"consumer-key": creds.ConsumerKey, "consumer-secret": creds.ConsumerSecret,
		"access-token": creds.Token, "access-secret": creds.TokenSecret,
	}

	fmt.Fprintln(w, "\n1. first import of @demo_user")
	if err := runImport(c, plugin, values, false); err != nil {
		return err
	}
	added := world.AddTweets(world.Owner().IDStr, 25)
	fmt.Fprintf(w, "\n2. @demo_user posts %d new tweets; the second import fetches only what is new\n", len(added))
	srv.ResetCounts()
	if err := runImport(c, plugin, values, false); err != nil {
		return err
	}
	fmt.Fprintf(w, "   the fake API saw %d requests, %d of them to statuses/user_timeline\n",
		srv.TotalRequests(), srv.Requests("statuses/user_timeline"))

	if err := demoSearches(c); err != nil {
		return err
	}
	if err := demoArchive(c, world); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nExplore it yourself: podimport --store %s stats | show @demo_user | search QUERY\n", c.String("store"))
	return nil
}

// demoSearches runs a few searches over the store.
func demoSearches(c *cli.Context) error {
	w := c.App.Writer
	pd, err := openPod(c)
	if err != nil {
		return err
	}
	defer pd.Close()
	fmt.Fprintln(w, "\n3. searches")
	for _, q := range []string{
		"from:demo_user #golang",
		`"open source"`,
		"has:media since:" + time.Now().AddDate(-1, 0, 0).Format("2006-01-02"),
		"is:reply -from:demo_user",
		"kind:account",
	} {
		res, err := pd.index.Search(c.Context, q, index.SearchOptions{Limit: 3, Sort: index.SortNewest})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n$ podimport --store %s search --sort newest --limit 3 '%s'\n", c.String("store"), q)
		printHits(w, res, isTerminal(w))
	}
	return nil
}

// demoArchive writes the archive the account would download from X — its
// whole history, photos and videos included — and imports it with the
// twitter-archive plugin: the tweets the API imported already get the
// archive's media files and raw JSON, on the same nodes.
func demoArchive(c *cli.Context, world *twittertest.World) error {
	w := c.App.Writer
	// Left in place, like the demo's store, for a look inside.
	dir, err := os.MkdirTemp("", "podimport-demo-archive-")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "twitter-demo_user.zip")
	a := archivetest.FromWorld(world, time.Now())
	if err := a.WriteZip(path, archivetest.Options{MediaBytes: 32 << 10}); err != nil {
		return err
	}
	size := int64(0)
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(w, "\n4. @demo_user downloads the Twitter archive (%d tweets, %.1f MB) and imports it\n", a.NumTweets, float64(size)/1e6)
	fmt.Fprintf(w, "\n$ podimport --store %s import twitter-archive %s\n", c.String("store"), path)
	plugin, ok := importer.Lookup("twitter-archive")
	if !ok {
		return fmt.Errorf("the twitter-archive plugin is not registered")
	}
	if err := runImport(c, plugin, importer.Values{"path": path}, false); err != nil {
		return err
	}
	s, err := store.Open(c.String("store"), store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	both, blobs, avatars := 0, 0, 0
	if err := s.ForEachNodeWithoutRaw(func(n schema.Node) error {
		switch {
		case n.Kind == schema.KindPost && len(n.Sources) == 2:
			both++
		case n.Kind == schema.KindMedia && n.Media != nil && n.Media.Blob != "":
			blobs++
		case n.Account != nil && n.Account.AvatarBlob != "":
			avatars++
		}
		return nil
	}); err != nil {
		return err
	}
	fmt.Fprintf(w, "   %d posts now come from both the API and the archive, on the same nodes; %d photos and videos and %s are copied into %s\n",
		both, blobs, plural(avatars, "avatar"), filepath.Join(c.String("store"), "blobs"))
	return nil
}
