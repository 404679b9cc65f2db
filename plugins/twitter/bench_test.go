package twitter

import (
	"context"
	"io"
	"net/url"
	"testing"

	"github.com/dghubble/oauth1"
	json "github.com/segmentio/encoding/json"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/schema"
)

// timelinePage fetches one page of 200 tweets of the owner's timeline from
// the fake API, as the importer receives it.
func timelinePage(b *testing.B) []byte {
	b.Helper()
	w := twittertest.NewWorld(twittertest.WorldConfig{Seed: 5, Followers: 20, Followings: 50, OwnTweets: 200})
	srv := twittertest.NewServer(w)
	defer srv.Close()
	c := srv.Credentials()
	hc := oauth1.NewConfig(c.ConsumerKey, c.ConsumerSecret).Client(context.Background(), oauth1.NewToken(c.Token, c.TokenSecret))
	q := url.Values{"user_id": {w.Owner().IDStr}, "count": {"200"}, "tweet_mode": {"extended"}, "include_rts": {"1"}}
	resp, err := hc.Get(srv.BaseURL() + "/statuses/user_timeline.json?" + q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("%d %v", resp.StatusCode, err)
	}
	return body
}

// BenchmarkMapPage decodes a page of 200 tweets and maps each to nodes and
// edges, as a timeline import does: the plugin's CPU cost per page.
func BenchmarkMapPage(b *testing.B) {
	body := timelinePage(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var page []json.RawMessage
		if err := decodeJSON(body, &page); err != nil { // as api.get does
			b.Fatal(err)
		}
		var bl schema.Builder
		m := pageMapper{bl: &bl}
		for _, raw := range page {
			if _, err := m.tweet(raw, rawKey); err != nil {
				b.Fatal(err)
			}
		}
		if len(page) != 200 {
			b.Fatalf("%d tweets", len(page))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*200), "ns/tweet")
}
