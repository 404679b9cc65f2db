package twittertest_test

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

// outcome is what a client got for one request: a response read in full,
// or the error that stopped it.
type outcome struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (e *env) try(path string, q url.Values) outcome {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.s.BaseURL()+"/"+path+".json?"+q.Encode(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.c.Do(req)
	if err != nil {
		return outcome{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return outcome{status: res.StatusCode, header: res.Header, body: b, err: err}
}

// kind is what the chaos server did to the request just made: the one
// counter of ChaosCounts that moved, or "" for none.
func kind(t *testing.T, s *twittertest.Server, before map[string]int) (string, map[string]int) {
	t.Helper()
	after := s.ChaosCounts()
	var moved []string
	for k, n := range after {
		if n != before[k] {
			moved = append(moved, k)
		}
	}
	if len(moved) > 1 {
		t.Fatalf("one request, several disturbances: %v", moved)
	}
	if len(moved) == 0 {
		return "", after
	}
	return moved[0], after
}

// chaosConfig is a world small enough for many requests under -race.
func chaosConfig(seed int64) twittertest.WorldConfig {
	cfg := smallConfig(seed, nil)
	cfg.Followers, cfg.Followings, cfg.OwnTweets, cfg.Likes = 10, 6, 320, 10
	return cfg
}

func TestChaosDisturbancesLookLikeTheRealOnes(t *testing.T) {
	t.Parallel()
	cfg := chaosConfig(21)
	clean := newEnv(t, cfg)
	e := newEnv(t, cfg, twittertest.WithChaos(twittertest.Chaos{Seed: 5, Rate: 1, Slow: 2 * time.Millisecond}))
	owner := e.w.Owner().IDStr
	tl := e.w.Tweets(owner)
	if len(tl) < 300 {
		t.Fatalf("%d tweets", len(tl))
	}
	seen := map[string]int{}
	before := e.s.ChaosCounts()
	for i := range 160 {
		maxID := tl[10+i].IDStr
		q := url.Values{"user_id": {owner}, "count": {strconv.Itoa(2 + i%12)}, "max_id": {maxID}, "tweet_mode": {"extended"}}
		got := e.try("statuses/user_timeline", q)
		var k string
		k, before = kind(t, e.s, before)
		seen[k]++
		want := clean.try("statuses/user_timeline", q)
		if want.err != nil || want.status != 200 {
			t.Fatalf("clean server: %d %v", want.status, want.err)
		}
		switch k {
		case twittertest.Chaos429:
			if got.err != nil || got.status != 429 || string(got.body) != `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}` {
				t.Fatalf("429: %d %s %v", got.status, got.body, got.err)
			}
			reset, err := strconv.ParseInt(got.header.Get("x-rate-limit-reset"), 10, 64)
			now := e.clock.Now().Unix()
			if err != nil || reset <= now || reset > now+60 || got.header.Get("x-rate-limit-remaining") != "0" {
				t.Errorf("429 headers %v, server clock %d: want remaining 0 and a reset at most a minute ahead", got.header, now)
			}
		case twittertest.Chaos500:
			if got.err != nil || got.status != 500 || string(got.body) != `{"errors":[{"code":131,"message":"Internal error"}]}` {
				t.Fatalf("500: %d %s %v", got.status, got.body, got.err)
			}
		case twittertest.Chaos502:
			if got.err != nil || got.status != 502 || !strings.HasPrefix(got.header.Get("Content-Type"), "text/html") {
				t.Fatalf("502: %d %s %v", got.status, got.body, got.err)
			}
		case twittertest.Chaos503:
			if got.err != nil || got.status != 503 || string(got.body) != `{"errors":[{"code":130,"message":"Over capacity"}]}` {
				t.Fatalf("503: %d %s %v", got.status, got.body, got.err)
			}
		case twittertest.ChaosDrop:
			if got.err == nil || !errors.Is(got.err, io.ErrUnexpectedEOF) && !errors.Is(got.err, syscall.ECONNRESET) {
				t.Fatalf("dropped connection: %d, %d bytes, error %v; want unexpected EOF or a reset", got.status, len(got.body), got.err)
			}
		case twittertest.ChaosTruncate:
			if got.status != 200 || !errors.Is(got.err, io.ErrUnexpectedEOF) || len(got.body) >= len(want.body) ||
				string(got.body) != string(want.body[:len(got.body)]) {
				t.Fatalf("truncated body: %d, %d of %d bytes, error %v; want a prefix and unexpected EOF", got.status, len(got.body), len(want.body), got.err)
			}
		case twittertest.ChaosSlow:
			if got.err != nil || got.status != 200 || string(got.body) != string(want.body) {
				t.Fatalf("slow answer differs from the clean one: %d %v", got.status, got.err)
			}
		case twittertest.ChaosRepeat:
			if got.err != nil || got.status != 200 {
				t.Fatalf("repeat: %d %v", got.status, got.err)
			}
			var page, clean []tweetJSON
			(resp{got.status, got.header, got.body}).json(t, &page)
			(resp{want.status, want.header, want.body}).json(t, &clean)
			pageIDs, cleanIDs := ids(page), ids(clean)
			start := slices.Index(tweetIDs(tl), maxID)
			n := slices.Index(pageIDs, maxID) // where the asked-for page begins
			if n < 1 || n > 3 || len(pageIDs) != len(cleanIDs) || !slices.Equal(pageIDs[:n], tweetIDs(tl[start-n:start])) ||
				!slices.Equal(pageIDs[n:], cleanIDs[:len(cleanIDs)-n]) {
				t.Fatalf("repeat page %v, clean page %v: want 1 to 3 tweets above max_id %s, then the clean page", pageIDs, cleanIDs, maxID)
			}
		default:
			t.Fatalf("Rate 1 left a request undisturbed")
		}
	}
	for _, k := range []string{twittertest.Chaos429, twittertest.Chaos500, twittertest.Chaos502, twittertest.Chaos503,
		twittertest.ChaosDrop, twittertest.ChaosTruncate, twittertest.ChaosSlow, twittertest.ChaosRepeat} {
		if seen[k] == 0 {
			t.Errorf("no %q disturbance in 160 requests: %v", k, seen)
		}
	}
	if !maps.Equal(seen, e.s.ChaosCounts()) {
		t.Errorf("ChaosCounts %v, seen %v", e.s.ChaosCounts(), seen)
	}
}

// chaosTrace makes the same requests, each twice, against a chaos server
// and returns what happened to each.
func chaosTrace(t *testing.T, c twittertest.Chaos) ([]string, map[string]int) {
	t.Helper()
	e := newEnv(t, chaosConfig(22), twittertest.WithChaos(c))
	owner := e.w.Owner().IDStr
	var trace []string
	before := e.s.ChaosCounts()
	for i := range 100 {
		q := url.Values{"user_id": {owner}, "count": {strconv.Itoa(1 + i%10)}, "trim_user": {"true"}}
		for range 2 {
			e.try("statuses/user_timeline", q)
			var k string
			k, before = kind(t, e.s, before)
			trace = append(trace, k)
		}
	}
	return trace, e.s.ChaosCounts()
}

func TestChaosIsDeterministicPerSeed(t *testing.T) {
	t.Parallel()
	c := twittertest.Chaos{Seed: 99, Rate: 0.2}
	a, counts := chaosTrace(t, c)
	b, _ := chaosTrace(t, c)
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different disturbances:\n%q\n%q", a, b)
	}
	c.Seed++
	if other, _ := chaosTrace(t, c); slices.Equal(a, other) {
		t.Errorf("seeds 99 and 100 disturb the same requests the same way")
	}
	n := 0
	for _, v := range counts {
		n += v
	}
	if n < 20 || n > 60 || counts[twittertest.ChaosSlow] != 0 || counts[twittertest.ChaosRepeat] != 0 {
		t.Errorf("Rate 0.2, no Slow, no max_id: %d of 200 requests disturbed (%v)", n, counts)
	}
	// The same request asked again is a new draw, not the same fate.
	same := true
	for i := 0; i+1 < len(a); i += 2 {
		if a[i] != "" && a[i] != a[i+1] {
			same = false
		}
	}
	if same {
		t.Errorf("a retried request always meets the same disturbance: it could never succeed")
	}
}

func TestChaosRateZeroChangesNothing(t *testing.T) {
	t.Parallel()
	cfg := chaosConfig(23)
	clean := newEnv(t, cfg)
	e := newEnv(t, cfg, twittertest.WithChaos(twittertest.Chaos{Seed: 1, Rate: 0, Slow: time.Second}))
	q := url.Values{"user_id": {e.w.Owner().IDStr}, "count": {"50"}}
	for range 10 {
		got, want := e.try("statuses/user_timeline", q), clean.try("statuses/user_timeline", q)
		if got.err != nil || got.status != 200 || string(got.body) != string(want.body) {
			t.Fatalf("Rate 0: %d %v", got.status, got.err)
		}
	}
	if n := len(e.s.ChaosCounts()); n != 0 {
		t.Errorf("Rate 0 counted disturbances: %v", e.s.ChaosCounts())
	}
}

func TestChaosKindsRestrictsTheDisturbances(t *testing.T) {
	t.Parallel()
	cfg := chaosConfig(24)
	clean := newEnv(t, cfg)
	e := newEnv(t, cfg, twittertest.WithChaos(twittertest.Chaos{Seed: 2, Rate: 1, Kinds: []string{twittertest.ChaosRepeat}}))
	owner := e.w.Owner().IDStr
	// No max_id: a repeat cannot apply, and there is nothing else to do.
	q := url.Values{"user_id": {owner}, "count": {"5"}}
	if got, want := e.try("statuses/user_timeline", q), clean.try("statuses/user_timeline", q); got.err != nil || string(got.body) != string(want.body) {
		t.Errorf("no max_id: %d %v, want the clean answer", got.status, got.err)
	}
	if n := len(e.s.ChaosCounts()); n != 0 {
		t.Errorf("disturbances %v, want none", e.s.ChaosCounts())
	}
	q.Set("max_id", e.w.Tweets(owner)[20].IDStr)
	if got := e.try("statuses/user_timeline", q); got.err != nil || got.status != 200 || e.s.ChaosCounts()[twittertest.ChaosRepeat] != 1 {
		t.Errorf("with max_id: %d %v, disturbances %v; want a repeated page", got.status, got.err, e.s.ChaosCounts())
	}
}
