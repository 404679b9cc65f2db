package main

import (
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

// demoCommand shows the whole job with no account and no network: the fake
// Twitter API on loopback, a first import through the real importer
// (OAuth-signed), an incremental second import, and searches.
func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "import a generated account from a fake Twitter API on loopback, twice, and search it",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "followers", Value: 300},
			&cli.IntFlag{Name: "followings", Value: 120},
			&cli.IntFlag{Name: "tweets", Usage: "tweets of the account itself", Value: 450},
		},
		Action: runDemo,
	}
}

func runDemo(c *cli.Context) error {
	w := c.App.Writer
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
	fmt.Fprintf(w, "\nExplore it yourself: podimport --store %s stats | show @demo_user | search QUERY\n", c.String("store"))
	return nil
}
