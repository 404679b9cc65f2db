package twitter_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/internal/testutil"
	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// harness runs the real plugin, through the real importer and store,
// against the fake API, on a fake clock shared by both sides.
type harness struct {
	t     *testing.T
	world *twittertest.World
	srv   *twittertest.Server
	clock *importer.FakeClock
	dir   string
	log   testutil.Buffer
	// progress, if set, receives the runs' progress.
	progress importer.Reporter
}

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// newHarness generates the world of cfg and serves it, on the harness's
// fake clock, with opts (chaos, say) besides.
func newHarness(t *testing.T, cfg twittertest.WorldConfig, opts ...twittertest.Option) *harness {
	t.Helper()
	h := &harness{t: t, clock: importer.NewFakeClock(t0), dir: t.TempDir()}
	cfg.Clock = h.clock.Now
	if cfg.Start.IsZero() {
		cfg.Start = t0.AddDate(-2, 0, 0)
	}
	if cfg.Handle == "" {
		cfg.Handle = "owner"
	}
	h.world = twittertest.NewWorld(cfg)
	h.srv = twittertest.NewServer(h.world, append([]twittertest.Option{twittertest.WithClock(h.clock.Now)}, opts...)...)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) values(kv ...string) importer.Values {
	c := h.srv.Credentials()
	v := importer.Values{
		"user": h.world.Owner().ScreenName, "api-base": h.srv.BaseURL(), "followings-tweets": "0",
		"consumer-key": c.ConsumerKey, "consumer-secret": c.ConsumerSecret,
		"access-token": c.Token, "access-secret": c.TokenSecret,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = kv[i+1]
	}
	return v
}

// run imports once. wrap, if set, wraps the store the runner writes to.
func (h *harness) run(ctx context.Context, v importer.Values, noWait bool, wrap func(importer.Store) importer.Store) (store.Run, error) {
	h.t.Helper()
	s, err := store.Open(h.dir, store.Options{Now: h.clock.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	defer s.Close()
	job, err := twitter.Plugin{}.New(v)
	if err != nil {
		h.t.Fatal(err)
	}
	var st importer.Store = s
	if wrap != nil {
		st = wrap(s)
	}
	log := zerolog.New(&h.log)
	return importer.Run(ctx, importer.RunConfig{Store: st, Clock: h.clock, NoWait: noWait, Log: &log, Progress: h.progress}, twitter.Plugin{}, job)
}

func (h *harness) mustRun(v importer.Values) store.Run {
	h.t.Helper()
	r, err := h.run(context.Background(), v, false, nil)
	if err != nil {
		h.t.Fatalf("import: %v", err)
	}
	return r
}

func (h *harness) withStore(fn func(*store.Store)) {
	h.t.Helper()
	s, err := store.Open(h.dir, store.Options{Now: h.clock.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	defer s.Close()
	fn(s)
}

func (h *harness) export() string {
	var buf bytes.Buffer
	h.withStore(func(s *store.Store) {
		if err := s.ExportJSONL(&buf); err != nil {
			h.t.Fatal(err)
		}
	})
	return buf.String()
}

func (h *harness) authored(userIDStr string) int {
	var n int
	h.withStore(func(s *store.Store) {
		es, err := s.Edges(twitter.AccountID(userIDStr), schema.Out, schema.EdgeAuthored)
		if err != nil {
			h.t.Fatal(err)
		}
		n = len(es)
	})
	return n
}

func (h *harness) requests(eps ...string) map[string]int {
	m := map[string]int{}
	for _, ep := range eps {
		m[ep] = h.srv.Requests(ep)
	}
	return m
}

func TestFirstImportOfALargeAccountStaysWithinTheRequestBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("13,000 accounts")
	}
	h := newHarness(t, twittertest.WorldConfig{Seed: 7, Followers: 10000, Followings: 3000, OwnTweets: 10})
	h.mustRun(h.values())

	got := h.requests("followers/ids", "friends/ids", "users/lookup")
	if got["followers/ids"] > 2 || got["friends/ids"] != 1 || got["users/lookup"] > 130 {
		t.Errorf("requests %v; want at most 2 followers/ids, 1 friends/ids, 130 users/lookup", got)
	}
	h.withStore(func(s *store.Store) {
		st, err := s.Stats()
		if err != nil {
			t.Fatal(err)
		}
		// Every follower and following is a complete account (the owner
		// too), but for the overlap counted once.
		owner := twitter.AccountID(h.world.Owner().IDStr)
		in, _ := s.Edges(owner, schema.In, schema.EdgeFollows)
		out, _ := s.Edges(owner, schema.Out, schema.EdgeFollows)
		if len(in) != 10000 || len(out) != 3000 {
			t.Errorf("%d followers, %d followings stored", len(in), len(out))
		}
		if st.Refs[schema.KindAccount] != 0 && st.Nodes[schema.KindAccount] < 10000 {
			t.Errorf("accounts: %d complete, %d references", st.Nodes[schema.KindAccount], st.Refs[schema.KindAccount])
		}
	})

	h.srv.ResetCounts()
	h.mustRun(h.values())
	if n := h.srv.Requests("users/lookup"); n != 0 {
		t.Errorf("second run made %d users/lookup requests, want 0", n)
	}
}

func TestIncrementalRuns(t *testing.T) {
	h := newHarness(t, twittertest.WorldConfig{Seed: 3, Followers: 40, Followings: 30, OwnTweets: 700,
		TweetsPerFollowing: 12, Protected: 2, Suspended: 2})
	v := h.values("followings-tweets", "5")
	first := h.mustRun(v)
	owner := h.world.Owner().IDStr
	if got := h.timelineStored(owner); got != 700 {
		t.Fatalf("first run stored %d of the owner's 700 tweets", got)
	}
	// 700 tweets in pages of 200: 4 pages and the empty one that ends the walk.
	if n := first.Requests["statuses/user_timeline"]; n != 5+30 {
		t.Errorf("first run: %d user_timeline requests, want 5 for the owner and 1 for each of 30 followings", n)
	}
	for _, id := range h.world.FriendIDs(owner) {
		u := h.world.User(id)
		want := 5
		if u.Protected || u.Suspended {
			want = 0
		}
		if got := h.authored(id); got < want {
			t.Errorf("following %s (%s): %d tweets stored, want %d", id, u.ScreenName, got, want)
		}
	}

	// Nothing new: no lookups, one user_timeline request per timeline.
	h.srv.ResetCounts()
	before := h.export()
	h.mustRun(v)
	if got := h.requests("users/lookup", "statuses/user_timeline"); got["users/lookup"] != 0 || got["statuses/user_timeline"] != 1+30 {
		t.Errorf("second run with nothing new: %v; want no lookups and 31 timeline requests", got)
	}
	if after := h.export(); after != before {
		t.Errorf("a run with nothing new changed the store:\n%s", testutil.FirstDiff(before, after))
	}

	// 450 new tweets: exactly those are imported, in 3 pages and an empty one.
	h.world.AddTweets(owner, 450)
	h.srv.ResetCounts()
	third := h.mustRun(v)
	if got := h.timelineStored(owner); got != 700+450 {
		t.Errorf("after 450 new tweets the store has %d of the owner's tweets, want 1150", got)
	}
	if n := third.Requests["statuses/user_timeline"]; n != 4+30 {
		t.Errorf("third run: %d user_timeline requests, want 4 for the owner and 30 for the followings", n)
	}
}

func TestSpentWindowIsWaitedOut(t *testing.T) {
	h := newHarness(t, twittertest.WorldConfig{Seed: 5, Followers: 10, Followings: 10, OwnTweets: 450})
	h.srv.SetRemaining("statuses/user_timeline", 1) // one page, then the window is spent
	h.mustRun(h.values())
	if got := h.timelineStored(h.world.Owner().IDStr); got != 450 {
		t.Errorf("%d tweets stored, want 450", got)
	}
	if h.clock.Slept() < time.Minute {
		t.Errorf("the client slept %s; it should have waited for the window's reset", h.clock.Slept())
	}
	if !strings.Contains(h.log.String(), "statuses/user_timeline") {
		t.Errorf("the wait was not logged with its endpoint:\n%s", h.log.String())
	}
}

func TestNoWaitStopsAndTheNextRunResumes(t *testing.T) {
	cfg := twittertest.WorldConfig{Seed: 9, Followers: 20, Followings: 15, OwnTweets: 650, TweetsPerFollowing: 6}
	clean := newHarness(t, cfg)
	clean.mustRun(clean.values("followings-tweets", "3"))

	h := newHarness(t, cfg)
	h.srv.SetRemaining("statuses/user_timeline", 2)
	r, err := h.run(context.Background(), h.values("followings-tweets", "3"), true, nil)
	if !errors.Is(err, importer.ErrRateLimited) || r.Status != "rate_limited" {
		t.Fatalf("run with a spent window and --no-wait: status %q, err %v", r.Status, err)
	}
	// The message names the timeline and the endpoint once, not a cursor key.
	owner := h.world.Owner().IDStr
	if msg := err.Error(); strings.Count(msg, "statuses/user_timeline") != 1 || strings.Contains(msg, "timeline:"+owner) ||
		!strings.Contains(msg, "timeline of account "+owner) || !strings.Contains(msg, "run again after that to resume") {
		t.Errorf("the message of a spent window: %q", msg)
	}
	// Two pages of 200, plus older tweets of the owner that those pages
	// quote or retweet (complete posts too).
	if got := h.timelineStored(h.world.Owner().IDStr); got < 400 || got >= 650 {
		t.Errorf("%d tweets committed before the stop, want the 2 pages fetched (400, and what they quote)", got)
	}
	h.clock.Advance(16 * time.Minute)
	if _, err := h.run(context.Background(), h.values("followings-tweets", "3"), true, nil); err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	// The resumed run saw the rest 16 minutes later: only the times at
	// which edges were seen may differ.
	if a, b := testutil.WithoutSeenTimes(clean.export()), testutil.WithoutSeenTimes(h.export()); a != b {
		t.Errorf("stopped and resumed import differs from a clean one:\n%s", testutil.FirstDiff(a, b))
	}
}

// cancelAfter is a store that cancels the run's context after n batches
// of the given stream have been committed: Ctrl-C in the middle of a walk.
type cancelAfter struct {
	importer.Store
	stream string
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Apply(run uint64, plugin, account string, b schema.Batch) (store.Applied, error) {
	a, err := c.Store.Apply(run, plugin, account, b)
	for _, cu := range b.Cursors {
		if strings.HasPrefix(cu.Stream, c.stream) {
			if c.n--; c.n == 0 {
				c.cancel()
			}
		}
	}
	return a, err
}

func TestInterruptedWalkResumesToTheSameStore(t *testing.T) {
	cfg := twittertest.WorldConfig{Seed: 11, Followers: 25, Followings: 20, OwnTweets: 900, TweetsPerFollowing: 8, Likes: 30}
	clean := newHarness(t, cfg)
	clean.mustRun(clean.values("followings-tweets", "4", "likes", "true"))

	h := newHarness(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	owner := h.world.Owner().IDStr
	r, err := h.run(ctx, h.values("followings-tweets", "4", "likes", "true"), false, func(s importer.Store) importer.Store {
		return &cancelAfter{Store: s, stream: "timeline:" + owner, n: 2, cancel: cancel}
	})
	if !errors.Is(err, context.Canceled) || r.Status != "interrupted" {
		t.Fatalf("interrupted run: status %q, err %v", r.Status, err)
	}
	if got := h.timelineStored(owner); got < 400 || got >= 900 {
		t.Errorf("%d tweets committed before the interruption, want 2 pages (400, and what they quote)", got)
	}
	h.srv.ResetCounts()
	h.mustRun(h.values("followings-tweets", "4", "likes", "true"))
	// The walk resumes below the committed pages: 900 − 400 = 500 tweets in
	// 3 pages, then the empty page that closes the gap.
	if n := h.srv.Requests("statuses/user_timeline"); n != 4+20 {
		t.Errorf("resumed run: %d user_timeline requests, want 4 for the walk and 20 for the followings", n)
	}
	if a, b := clean.export(), h.export(); a != b {
		t.Errorf("interrupted and resumed import differs from an uninterrupted one:\n%s", testutil.FirstDiff(a, b))
	}
}

func TestFollowsThatDisappearAreEnded(t *testing.T) {
	h := newHarness(t, twittertest.WorldConfig{Seed: 13, Followers: 30, Followings: 5, OwnTweets: 3})
	h.mustRun(h.values())
	gone := h.world.FollowerIDs(h.world.Owner().IDStr)[0]
	h.world.RemoveFollower(gone)
	h.world.AddFollowers(2)
	h.clock.Advance(24 * time.Hour)
	h.mustRun(h.values())

	h.withStore(func(s *store.Store) {
		in, err := s.Edges(twitter.AccountID(h.world.Owner().IDStr), schema.In, schema.EdgeFollows)
		if err != nil {
			t.Fatal(err)
		}
		var open, ended int
		for _, e := range in {
			if e.Ended.IsZero() {
				open++
				continue
			}
			ended++
			if e.From != twitter.AccountID(gone) || !e.Ended.Equal(t0.Add(24*time.Hour)) {
				t.Errorf("ended edge %+v; want only %s's, ended when the second pass began", e, gone)
			}
		}
		if open != 31 || ended != 1 {
			t.Errorf("%d open and %d ended follower edges, want 31 and 1", open, ended)
		}
		hist, err := s.History(twitter.AccountID(h.world.Owner().IDStr))
		if err != nil || len(hist) != 2 {
			t.Errorf("count history: %d points (%v), want one per run", len(hist), err)
		}
	})
}

func TestBadCredentialsStopTheRunWithoutSecrets(t *testing.T) {
	h := newHarness(t, twittertest.WorldConfig{Seed: 1, Followers: 3, Followings: 3, OwnTweets: 3})
	v := h.values("consumer-secret", "s3cr3t-consumer-value")
	_, err := h.run(context.Background(), v, false, nil)
	if !errors.Is(err, importer.ErrAuth) || !strings.Contains(err.Error(), "TWITTER_CONSUMER_KEY") {
		t.Errorf("bad consumer secret: %v; want an auth error naming TWITTER_CONSUMER_KEY", err)
	}
	h.srv.RevokeToken()
	_, err = h.run(context.Background(), h.values(), false, nil)
	if !errors.Is(err, importer.ErrAuth) || !strings.Contains(err.Error(), "TWITTER_ACCESS_TOKEN") {
		t.Errorf("revoked token: %v; want an auth error naming TWITTER_ACCESS_TOKEN", err)
	}
	// Without a user, the token's owner cannot be asked for: the run is
	// recorded under "me", with the error.
	run, errMe := h.run(context.Background(), h.values("user", ""), false, nil)
	if !errors.Is(errMe, importer.ErrAuth) || !strings.Contains(errMe.Error(), "TWITTER_ACCESS_TOKEN") ||
		run.Account != "me" || run.Status != importer.RunError || run.Error == "" {
		t.Errorf("revoked token, no user: %v, run %q %s %q; want an auth error naming TWITTER_ACCESS_TOKEN, recorded under \"me\"",
			errMe, run.Account, run.Status, run.Error)
	}
	c := h.srv.Credentials()
	for _, secret := range []string{"s3cr3t-consumer-value", c.ConsumerSecret, c.TokenSecret, c.Token, c.ConsumerKey} {
		if strings.Contains(err.Error(), secret) || strings.Contains(h.log.String(), secret) {
			t.Errorf("a credential appears in the error or the log")
		}
	}
}

func TestMissingCredentialIsAConfigError(t *testing.T) {
	v := importer.Values{"user": "x", "consumer-key": "k", "consumer-secret": "s", "access-token": "t"}
	_, err := twitter.Plugin{}.New(v)
	if !errors.Is(err, importer.ErrConfig) || !strings.Contains(err.Error(), "TWITTER_ACCESS_SECRET") {
		t.Errorf("New without access secret: %v", err)
	}
}

// TestBadOptionsAreConfigErrors checks that a user or an API base that
// cannot work is refused by New, naming the option, before a run begins.
func TestBadOptionsAreConfigErrors(t *testing.T) {
	creds := importer.Values{"consumer-key": "k", "consumer-secret": "s", "access-token": "t", "access-secret": "a"}
	for _, c := range []struct{ option, value, want string }{
		{"user", "alice smith", `user: "alice smith" is not a screen name`},
		{"user", "alice/../x", "is not a screen name"},
		{"user", strings.Repeat("a", 51), "is not a screen name"},
		{"api-base", "ftp://api.example.org/1.1", "want an http or https URL"},
		{"api-base", "api.twitter.com/1.1", "want an http or https URL"},
		{"api-base", "https://", "want an http or https URL"},
	} {
		v := maps.Clone(creds)
		v[c.option] = c.value
		_, err := twitter.Plugin{}.New(v)
		if !errors.Is(err, importer.ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New with %s %q: %v, want a config error saying %q", c.option, c.value, err, c.want)
		}
	}
	for _, user := range []string{"", "@Alice_99", strings.Repeat("a", 50)} {
		v := maps.Clone(creds)
		v["user"], v["api-base"] = user, "http://127.0.0.1:8080/1.1/"
		if _, err := (twitter.Plugin{}).New(v); err != nil {
			t.Errorf("New with user %q: %v", user, err)
		}
	}
}

// timelineStored counts the tweets of the user's timeline (as the fake API
// holds it) that are stored as complete posts.
func (h *harness) timelineStored(userIDStr string) int {
	n := 0
	h.withStore(func(s *store.Store) {
		for _, tw := range h.world.Tweets(userIDStr) {
			ok, err := s.HasComplete(twitter.PostID(tw.IDStr))
			if err != nil {
				h.t.Fatal(err)
			}
			if ok {
				n++
			}
		}
	})
	return n
}

// Lookup batches and followings' timelines are fetched by a bounded pool:
// several at once, never more than --concurrency; and the requests made
// are the same as with one worker.
func TestConcurrentFetchesAreBounded(t *testing.T) {
	cfg := twittertest.WorldConfig{Seed: 17, Followers: 1500, Followings: 40, OwnTweets: 10, TweetsPerFollowing: 5}
	counts := map[string]map[string]int{}
	exports := map[string]string{}
	for _, conc := range []string{"1", "3"} {
		h := newHarness(t, cfg)
		h.srv.SetLatency(5 * time.Millisecond) // so that requests overlap
		h.mustRun(h.values("followings-tweets", "5", "concurrency", conc))
		counts[conc] = h.requests("users/lookup", "statuses/user_timeline", "followers/ids", "friends/ids")
		exports[conc] = testutil.WithoutSeenTimes(h.export())
		for _, ep := range []string{"users/lookup", "statuses/user_timeline"} {
			got := h.srv.MaxInFlight(ep)
			if conc == "1" && got != 1 || conc == "3" && (got < 2 || got > 3) {
				t.Errorf("concurrency %s: at most %d %s requests at once, want %s", conc, got, ep,
					map[string]string{"1": "1", "3": "2 or 3"}[conc])
			}
		}
	}
	if diff := cmp.Diff(counts["1"], counts["3"]); diff != "" {
		t.Errorf("requests with 1 and 3 workers differ (-1 +3):\n%s", diff)
	}
	if counts["3"]["users/lookup"] != 16 {
		t.Errorf("%d users/lookup requests, want 16 (1,540 accounts, 100 a request)", counts["3"]["users/lookup"])
	}
	if exports["1"] != exports["3"] {
		t.Errorf("the store differs with 1 and 3 workers:\n%s", testutil.FirstDiff(exports["1"], exports["3"]))
	}
}

// streamProgress records the items reported for one stream.
type streamProgress struct {
	stream string
	mu     sync.Mutex
	items  []int // while the stream runs
	total  int   // its StreamDone report
	expect int
}

func (p *streamProgress) Report(s importer.Status) {
	if s.Stream != p.stream {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.StreamDone {
		p.total = s.Items
		return
	}
	p.items = append(p.items, s.Items)
	p.expect = s.Expect
}

// The followers' progress counts accounts done, so it moves through the
// users/lookup requests that take most of the pass instead of reaching its
// end with the one followers/ids page; a second run, with every account
// stored, counts them all at once.
func TestFollowersProgressMovesThroughLookups(t *testing.T) {
	h := newHarness(t, twittertest.WorldConfig{Seed: 11, Followers: 450, Followings: 5, OwnTweets: 10})
	p := &streamProgress{stream: "followers"}
	h.progress = p
	h.mustRun(h.values("concurrency", "1"))
	if got := h.requests("followers/ids", "users/lookup"); got["followers/ids"] != 1 || got["users/lookup"] != 5+1 {
		t.Fatalf("requests %v, want 1 followers/ids and 5 lookups of followers, 1 of followings", got)
	}
	var between []int
	for i, n := range p.items {
		if i > 0 && n < p.items[i-1] {
			t.Fatalf("items went back: %v", p.items)
		}
		if n > 0 && n < 450 && !slices.Contains(between, n) {
			between = append(between, n)
		}
	}
	// Two workers (concurrency 1) look up the 5 chunks: a worker reports
	// its chunk before it takes another, so the first chunk's report says
	// 100 or 200 and the third's 300 or 400, whatever the interleaving.
	if len(between) < 2 || p.total != 450 || p.expect != 450 {
		t.Errorf("followers: items %v (distinct between 0 and 450: %v), total %d of %d; want steps through the lookups and a total of 450",
			p.items, between, p.total, p.expect)
	}

	p2 := &streamProgress{stream: "followers"}
	h.progress = p2
	h.mustRun(h.values("concurrency", "1"))
	if p2.total != 450 {
		t.Errorf("second run: followers total %d, want 450 (all stored, no lookups)", p2.total)
	}
}

// TestTheTokensOwnerIsOneAccountNamedOrNot checks that a run that names no
// user imports the token's owner under the owner's own handle: a later run
// that names the owner (in another case) carries on from its cursors, and
// the profile costs one request either way.
func TestTheTokensOwnerIsOneAccountNamedOrNot(t *testing.T) {
	h := newHarness(t, twittertest.WorldConfig{Seed: 5, Followers: 20, Followings: 10, OwnTweets: 450, Handle: "Owner_One"})
	unnamed := h.values("user", "")
	first := h.mustRun(unnamed)
	if first.Account != "owner_one" {
		t.Errorf("a run without a user is recorded as %q, want the owner's handle %q", first.Account, "owner_one")
	}
	if got := first.Requests; got["account/verify_credentials"] != 1 || got["users/show"] != 0 {
		t.Errorf("first run's profile requests: %v; want one account/verify_credentials and no users/show", got)
	}
	if got := h.timelineStored(h.world.Owner().IDStr); got != 450 {
		t.Fatalf("first run stored %d of the owner's 450 tweets", got)
	}

	// Named, in another case: nothing new, so one timeline request.
	second := h.mustRun(h.values("user", "OWNER_one"))
	if second.Account != "owner_one" {
		t.Errorf("a run naming the owner is recorded as %q, want %q", second.Account, "owner_one")
	}
	if got := second.Requests; got["statuses/user_timeline"] != 1 || got["users/lookup"] != 0 || got["users/show"] != 1 {
		t.Errorf("second run, naming the owner: %v; want one users/show, one timeline request, no lookups", got)
	}

	// Unnamed again, after 10 new tweets: those alone, in a page and the
	// empty one that ends the walk.
	h.world.AddTweets(h.world.Owner().IDStr, 10)
	third := h.mustRun(unnamed)
	if got := third.Requests; got["statuses/user_timeline"] != 2 || got["account/verify_credentials"] != 1 || got["users/show"] != 0 {
		t.Errorf("third run, unnamed: %v; want one verify_credentials and two timeline requests", got)
	}
	if got := h.timelineStored(h.world.Owner().IDStr); got != 460 {
		t.Errorf("after 10 new tweets the store has %d of the owner's tweets, want 460", got)
	}
}
