package twittertest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dghubble/oauth1"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

var raceEnabled bool

// fakeClock is a settable clock shared by a World and a Server.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var epoch = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

func smallConfig(seed int64, clock func() time.Time) twittertest.WorldConfig {
	return twittertest.WorldConfig{
		Seed:               seed,
		Handle:             "demo_user",
		Followers:          300,
		Followings:         120,
		OwnTweets:          700,
		TweetsPerFollowing: 8,
		Protected:          2,
		Suspended:          2,
		Likes:              150,
		Start:              time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		Clock:              clock,
	}
}

type env struct {
	t     *testing.T
	clock *fakeClock
	w     *twittertest.World
	s     *twittertest.Server
	c     *http.Client
}

func newEnv(t *testing.T, cfg twittertest.WorldConfig, opts ...twittertest.Option) *env {
	t.Helper()
	clock := &fakeClock{t: epoch}
	if cfg.Clock == nil {
		cfg.Clock = clock.Now
	}
	w := twittertest.NewWorld(cfg)
	s := twittertest.NewServer(w, append([]twittertest.Option{twittertest.WithClock(clock.Now)}, opts...)...)
	t.Cleanup(s.Close)
	return &env{t: t, clock: clock, w: w, s: s, c: client(s.Credentials())}
}

func client(c twittertest.Credentials) *http.Client {
	cfg := oauth1.NewConfig(c.ConsumerKey, c.ConsumerSecret)
	return cfg.Client(context.Background(), oauth1.NewToken(c.Token, c.TokenSecret))
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (e *env) do(c *http.Client, method, path string, q url.Values, body url.Values) resp {
	e.t.Helper()
	u := e.s.BaseURL() + "/" + path + ".json"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, b}
}

func (e *env) get(path string, kv ...string) resp {
	e.t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return e.do(e.c, "GET", path, q, nil)
}

// mustOK fails unless the status is 200.
func (r resp) mustOK(t *testing.T) resp {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	return r
}

// errorBody checks a {"errors":[{"code":N,"message":M}]} answer.
func (r resp) errorBody(t *testing.T, status, code int, msg string) {
	t.Helper()
	want := `{"errors":[{"code":` + strconv.Itoa(code) + `,"message":"` + msg + `"}]}`
	if r.status != status || string(r.body) != want {
		t.Fatalf("got %d %s, want %d %s", r.status, r.body, status, want)
	}
}

func itoa(i int) string {
	return json.Number(strings.TrimSpace(string(must(json.Marshal(i))))).String()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// tweetJSON is the part of a tweet the tests read.
type tweetJSON struct {
	ID               json.Number `json:"id"`
	IDStr            string      `json:"id_str"`
	Text             *string     `json:"text"`
	FullText         *string     `json:"full_text"`
	Truncated        bool        `json:"truncated"`
	DisplayTextRange []int       `json:"display_text_range"`
	InReplyTo        *string     `json:"in_reply_to_status_id_str"`
	User             struct {
		IDStr      string `json:"id_str"`
		ScreenName string `json:"screen_name"`
	} `json:"user"`
	Retweeted   *tweetJSON    `json:"retweeted_status"`
	Quoted      *tweetJSON    `json:"quoted_status"`
	QuotedIDStr string        `json:"quoted_status_id_str"`
	IsQuote     bool          `json:"is_quote_status"`
	Favorited   bool          `json:"favorited"`
	Entities    entitiesJSON  `json:"entities"`
	Extended    *entitiesJSON `json:"extended_entities"`
}

type entitiesJSON struct {
	Hashtags []struct {
		Text    string `json:"text"`
		Indices []int  `json:"indices"`
	} `json:"hashtags"`
	Mentions []struct {
		IDStr      string `json:"id_str"`
		ScreenName string `json:"screen_name"`
		Indices    []int  `json:"indices"`
	} `json:"user_mentions"`
	URLs []struct {
		URL     string `json:"url"`
		Indices []int  `json:"indices"`
	} `json:"urls"`
	Media []struct {
		IDStr     string          `json:"id_str"`
		Type      string          `json:"type"`
		URL       string          `json:"url"`
		Indices   []int           `json:"indices"`
		VideoInfo json.RawMessage `json:"video_info"`
	} `json:"media"`
}

func (t *tweetJSON) text() string {
	if t.FullText != nil {
		return *t.FullText
	}
	if t.Text != nil {
		return *t.Text
	}
	return ""
}

func (e *env) timeline(kv ...string) []tweetJSON {
	e.t.Helper()
	var out []tweetJSON
	e.get("statuses/user_timeline", kv...).mustOK(e.t).json(e.t, &out)
	return out
}

func ids(ts []tweetJSON) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.IDStr
	}
	return out
}

func tweetIDs(ts []*twittertest.Tweet) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.IDStr
	}
	return out
}
