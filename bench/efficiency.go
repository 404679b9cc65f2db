package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/store"
)

// benchEfficiency imports worlds of 100, 10,000 and 100,000 followers
// twice and compares the requests made per endpoint with the fewest the
// API's page sizes allow, and counts the 15-minute windows each run needs.
// The fake API and the importer share a fake clock, so waiting out a
// window costs no real time and is counted instead.
func benchEfficiency(args []string) error {
	fl := flag.NewFlagSet("efficiency", flag.ExitOnError)
	sizes := fl.String("followers", "100,10000,100000", "comma-separated follower counts")
	fl.Parse(args)
	fmt.Println("followers  run  endpoint               requests  minimum")
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("-followers: %q is not a number", f)
		}
		if err := efficiencyRuns(n); err != nil {
			return err
		}
	}
	return nil
}

func efficiencyRuns(followers int) error {
	const followings, ownTweets, perFollowing = 100, 1000, 5
	dir, err := os.MkdirTemp("", "podimport-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	clock := importer.NewFakeClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	world := twittertest.NewWorld(twittertest.WorldConfig{
		Seed: 3, Handle: "eff_user", Followers: followers, Followings: followings, OwnTweets: ownTweets,
		TweetsPerFollowing: perFollowing, Start: clock.Now().AddDate(-5, 0, 0), Clock: clock.Now,
	})
	srv := twittertest.NewServer(world, twittertest.WithClock(clock.Now))
	defer srv.Close()

	// The fewest requests: ids pages of 5,000, lookups of 100 for the
	// accounts not stored yet (all of them on the first run, none after),
	// timeline pages of 200 plus the empty page that closes the walk, one
	// request per following's timeline.
	owner := world.Owner().IDStr
	isFollower := map[string]bool{}
	for _, id := range world.FollowerIDs(owner) {
		isFollower[id] = true
	}
	newFollowings := 0
	for _, id := range world.FriendIDs(owner) {
		if !isFollower[id] {
			newFollowings++
		}
	}
	ceil := func(a, b int) int { return (a + b - 1) / b }
	minimum := []map[string]int{{
		"users/show": 1, "followers/ids": ceil(followers, 5000), "friends/ids": 1,
		"users/lookup":           ceil(followers, 100) + ceil(newFollowings, 100),
		"statuses/user_timeline": ceil(ownTweets, 200) + 1 + followings,
	}, {
		"users/show": 1, "followers/ids": ceil(followers, 5000), "friends/ids": 1,
		"statuses/user_timeline": 1 + followings,
	}}

	c := srv.Credentials()
	for run := range 2 {
		s, err := store.Open(dir, store.Options{Now: clock.Now})
		if err != nil {
			return err
		}
		job, err := twitter.Plugin{}.New(importer.Values{
			"user": "eff_user", "api-base": srv.BaseURL(), "followings-tweets": strconv.Itoa(perFollowing),
			"consumer-key": c.ConsumerKey, "consumer-secret": c.ConsumerSecret,
			"access-token": c.Token, "access-secret": c.TokenSecret,
		})
		if err != nil {
			return err
		}
		log := zerolog.Nop()
		start, slept := clock.Now(), len(clock.Sleeps())
		rec, err := importer.Run(context.Background(), importer.RunConfig{Store: s, Clock: clock, Log: &log}, twitter.Plugin{}, job)
		s.Close()
		if err != nil {
			return err
		}
		// A run that starts in a fresh window and waits w times spans w+1.
		waits := 0
		for _, d := range clock.Sleeps()[slept:] {
			if d >= time.Minute {
				waits++
			}
		}
		for _, ep := range slices.Sorted(maps.Keys(rec.Requests)) {
			fmt.Printf("%9d  %3d  %-22s %8d  %7d\n", followers, run+1, ep, rec.Requests[ep], minimum[run][ep])
		}
		fmt.Printf("%9d  %3d  15-minute windows: %d (fake time %s)\n", followers, run+1, waits+1, clock.Now().Sub(start).Round(time.Second))
		// The next run starts in fresh windows, as a run a day later would.
		clock.Advance(24 * time.Hour)
	}
	return nil
}
