package twitter_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dghubble/oauth1"

	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/schema"
)

// The fuzz targets' seeds are every tweet and user object of the recorded
// responses (testdata/twitter-v1.1/tweepy, compat mode: text), tweets of
// the fake API (extended mode: full_text, media, quotes of deleted tweets)
// and a few made by hand. `go test` runs the seeds; `go test -fuzz` goes on
// from them.

// fixtureObjects walks every JSON value of the recorded exchanges' bodies
// and returns the objects keep accepts, as their exact bytes.
func fixtureObjects(f *testing.F, keep func(map[string]json.RawMessage) bool) [][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "twitter-v1.1", "tweepy", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	var out [][]byte
	seen := map[string]bool{}
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) == nil && obj != nil {
			if keep(obj) && !seen[string(raw)] {
				seen[string(raw)] = true
				out = append(out, []byte(raw))
			}
			for _, v := range obj {
				walk(v)
			}
			return
		}
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) == nil {
			for _, v := range arr {
				walk(v)
			}
		}
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var exchanges []struct {
			Body json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal(b, &exchanges); err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		for _, ex := range exchanges {
			walk(ex.Body)
		}
	}
	return out
}

func isTweet(o map[string]json.RawMessage) bool {
	_, text := o["text"]
	_, full := o["full_text"]
	return o["id_str"] != nil && o["created_at"] != nil && (text || full)
}

func isUser(o map[string]json.RawMessage) bool {
	return o["id_str"] != nil && o["screen_name"] != nil
}

// fakeAPIObjects fetches a page of tweets of the fake API in extended
// mode and returns its tweets and their users.
func fakeAPIObjects(f *testing.F) (tweets, users [][]byte) {
	f.Helper()
	w := twittertest.NewWorld(twittertest.WorldConfig{Seed: 31, Followers: 3, Followings: 4, OwnTweets: 60, TweetsPerFollowing: 20, Likes: 20})
	s := twittertest.NewServer(w)
	defer s.Close()
	c := s.Credentials()
	client := oauth1.NewConfig(c.ConsumerKey, c.ConsumerSecret).Client(context.Background(), oauth1.NewToken(c.Token, c.TokenSecret))
	get := func(path string) []json.RawMessage {
		res, err := client.Get(s.BaseURL() + "/" + path)
		if err != nil {
			f.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			f.Fatalf("%s: %d %v %s", path, res.StatusCode, err, b)
		}
		var page []json.RawMessage
		if err := json.Unmarshal(b, &page); err != nil {
			f.Fatal(err)
		}
		return page
	}
	tweets = append(tweets, asBytes(get("statuses/user_timeline.json?count=60&tweet_mode=extended"))...)
	tweets = append(tweets, asBytes(get("statuses/user_timeline.json?count=10"))...) // compat mode: truncated
	tweets = append(tweets, asBytes(get("favorites/list.json?count=20&tweet_mode=extended"))...)
	for _, t := range tweets[:10] {
		var o struct{ User json.RawMessage }
		if json.Unmarshal(t, &o) == nil && o.User != nil {
			users = append(users, o.User)
		}
	}
	return tweets, users
}

func asBytes(rs []json.RawMessage) [][]byte {
	out := make([][]byte, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

const handUser = `{"id":2244994945,"id_str":"2244994945","name":"Twitter Dev &amp; Co","screen_name":"TwitterDev",` +
	`"location":"127.0.0.1","description":"see https://t.co/abc","url":"https://t.co/xyz",` +
	`"entities":{"url":{"urls":[{"url":"https://t.co/xyz","expanded_url":"https://developer.twitter.com","display_url":"developer.twitter.com"}]},` +
	`"description":{"urls":[{"url":"https://t.co/abc","expanded_url":"https://example.com/a","display_url":"example.com/a"}]}},` +
	`"protected":false,"followers_count":513958,"friends_count":2039,"statuses_count":3635,"verified":true,` +
	`"created_at":"Sat Dec 14 04:35:55 +0000 2013","profile_image_url_https":"https://pbs.twimg.com/profile_images/1/x_normal.jpg"}`

// handTweets are shapes the fixtures lack or that sit at the edge of
// what the mapping accepts.
var handTweets = []string{
	`{"id_str":"1","created_at":"Wed Oct 10 20:19:24 +0000 2018","full_text":"hi","user":` + handUser + `}`,
	`{"id_str":"2","created_at":"Wed Oct 10 20:19:24 +0000 2018","text":"RT @TwitterDev: hi","user":` + handUser +
		`,"retweeted_status":{"id_str":"1","created_at":"Wed Oct 10 20:19:24 +0000 2018","full_text":"hi","user":` + handUser + `}}`,
	`{"id_str":"3","created_at":"Wed Oct 10 20:19:24 +0000 2018","full_text":"look https://t.co/q","user":` + handUser +
		`,"quoted_status_id_str":"1","quoted_status":{"id_str":"1","created_at":"Wed Oct 10 20:19:24 +0000 2018","full_text":"hi","user":` + handUser + `}}`,
	`{"id_str":"4","created_at":"Wed Oct 10 20:19:24 +0000 2018","full_text":"@a #Tag &lt;3 https://t.co/m","user":` + handUser +
		`,"in_reply_to_status_id_str":"9","in_reply_to_user_id_str":"8","in_reply_to_screen_name":"a",` +
		`"entities":{"hashtags":[{"text":"Tag"}],"user_mentions":[{"id_str":"8","screen_name":"a","name":"A"}],"urls":[]},` +
		`"extended_entities":{"media":[{"id_str":"77","url":"https://t.co/m","media_url_https":"https://pbs.twimg.com/media/x.jpg","type":"photo","sizes":{"large":{"w":10,"h":20}}}]}}`,
	`{"id_str":"5","created_at":"Wed Oct 10 20:19:24 +0000 2018","full_text":"quote of a deleted tweet","quoted_status_id_str":"6","user":` + handUser + `}`,
	`{"id_str":"7","created_at":"","text":"","user":{"id_str":"1"}}`,
	`{"id_str":"12","created_at":"Wed Oct 10 20:19:24 +0000 2018","full_text":"#","user":{"id_str":"1"},"entities":{"hashtags":[{"text":""}]}}`,
	`{"id_str":"13","created_at":"Wed Oct 10 20:19:24 +0000 2018","full_text":"self","user":{"id_str":"1"},"in_reply_to_status_id_str":"13",` +
		`"quoted_status":{"id_str":"13","created_at":"Wed Oct 10 20:19:24 +0000 2018","user":{"id_str":"1"}}}`,
	`{"id_str":"","created_at":"Wed Oct 10 20:19:24 +0000 2018"}`,
	`{"id_str":"8","created_at":"yesterday","text":"x","user":` + handUser + `}`,
	`{"id_str":"9","created_at":"Wed Oct 10 20:19:24 +0000 2018","text":"x","user":null}`,
	`{"id_str":"10","created_at":"Wed Oct 10 20:19:24 +0000 2018","text":"x","user":` + handUser + `,"retweeted_status":{"id_str":"11"}}`,
	`{}`, `null`, `[]`, `"tweet"`, `{"id_str":1}`, ``,
}

var handUsers = []string{
	handUser,
	`{"id_str":"1","screen_name":"x"}`,
	`{"id_str":"1","screen_name":"x","created_at":"not a time"}`,
	`{"id_str":"","screen_name":"x"}`,
	`{"id_str":"1","name":"&lt;b&gt;","url":"https://t.co/1","entities":{"url":{"urls":[{"url":"https://t.co/1","expanded_url":""}]}}}`,
	`{"id_str":"1","followers_count":-1,"friends_count":1e3,"statuses_count":null,"protected":null}`,
	`{}`, `null`, `[]`, `1`, ``,
}

// checkMapped checks what a mapping function did with raw: an error that
// says what is wrong, or a valid batch holding the complete node it
// returns, with raw JSON that is valid; and the same again for the same
// input.
func checkMapped(t *testing.T, raw []byte, kind schema.Kind, mapFn func(json.RawMessage, *schema.Builder) (string, error)) {
	var bl schema.Builder
	id, err := mapFn(raw, &bl)
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "twitter: ") || len(msg) < len("twitter: ")+10 {
			t.Fatalf("error %q does not say what is wrong", msg)
		}
		return
	}
	b := bl.Batch()
	if err := schema.ValidateBatch(b, nil); err != nil {
		t.Fatalf("mapping succeeded (%s) with an invalid batch: %v\ninput: %s", id, err, raw)
	}
	platform, k, _, err := schema.ParseID(id)
	if err != nil || platform != twitter.Platform || k != kind {
		t.Fatalf("returned id %q: want a %s id (%v)", id, kind, err)
	}
	found := false
	for _, n := range b.Nodes {
		if n.ID == id && !n.Ref {
			found = true
		}
		for key, r := range n.Raw {
			if !json.Valid(r) {
				t.Fatalf("node %s: raw %q is not valid JSON: %s\ninput: %s", n.ID, key, r, raw)
			}
		}
	}
	if !found {
		t.Fatalf("the batch has no complete node %s", id)
	}
	var again schema.Builder
	id2, err := mapFn(raw, &again)
	if err != nil || id2 != id || !reflect.DeepEqual(again.Batch(), b) {
		t.Fatalf("mapping the same input twice gave different results (%s, %v)", id2, err)
	}
}

func FuzzMapTweet(f *testing.F) {
	for _, t := range fixtureObjects(f, isTweet) {
		f.Add(t)
	}
	tweets, _ := fakeAPIObjects(f)
	for _, t := range tweets {
		f.Add(t)
	}
	for _, t := range handTweets {
		f.Add([]byte(t))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkMapped(t, raw, schema.KindPost, twitter.MapTweet)
	})
}

func FuzzMapUser(f *testing.F) {
	users := fixtureObjects(f, isUser)
	if len(users) < 5 {
		f.Fatalf("%d user objects in the fixtures", len(users))
	}
	for _, u := range users {
		f.Add(u)
	}
	_, fake := fakeAPIObjects(f)
	for _, u := range fake {
		f.Add(u)
	}
	for _, u := range handUsers {
		f.Add([]byte(u))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkMapped(t, raw, schema.KindAccount, twitter.MapUser)
	})
}
