package twittertest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dghubble/oauth1"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

func ExampleNewServer() {
	now := func() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) }
	w := twittertest.NewWorld(twittertest.WorldConfig{
		Seed: 1, Handle: "demo_user", Followers: 50, Followings: 20,
		OwnTweets: 100, TweetsPerFollowing: 10, Likes: 10, Clock: now,
	})
	s := twittertest.NewServer(w, twittertest.WithClock(now))
	defer s.Close()

	c := s.Credentials()
	client := oauth1.NewConfig(c.ConsumerKey, c.ConsumerSecret).Client(context.Background(), oauth1.NewToken(c.Token, c.TokenSecret))
	res, err := client.Get(s.BaseURL() + "/account/verify_credentials.json")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var me struct {
		ScreenName string `json:"screen_name"`
		Followers  int    `json:"followers_count"`
		Statuses   int    `json:"statuses_count"`
	}
	json.NewDecoder(res.Body).Decode(&me)
	fmt.Println(res.StatusCode, res.Header.Get("x-rate-limit-remaining"), me.ScreenName, me.Followers, me.Statuses)
	// Output: 200 74 demo_user 50 100
}
