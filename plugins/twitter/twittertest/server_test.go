package twittertest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

type idsPage struct {
	IDs               []json.Number `json:"ids"`
	NextCursor        json.Number   `json:"next_cursor"`
	NextCursorStr     string        `json:"next_cursor_str"`
	PreviousCursor    json.Number   `json:"previous_cursor"`
	PreviousCursorStr string        `json:"previous_cursor_str"`
	TotalCount        *int          `json:"total_count"`
}

func TestIDsCursorPaging(t *testing.T) {
	t.Parallel()
	cfg := smallConfig(11, nil)
	cfg.Followers, cfg.Followings = 12000, 50
	e := newEnv(t, cfg)
	owner := e.w.Owner()
	want := e.w.FollowerIDs(owner.IDStr)
	if len(want) != 12000 || owner.FollowersCount != 12000 {
		t.Fatalf("%d followers", len(want))
	}
	var got []string
	cursor := "-1"
	var pages []idsPage
	for cursor != "0" {
		var p idsPage
		e.get("followers/ids", "cursor", cursor).mustOK(t).json(t, &p)
		if p.NextCursor.String() != p.NextCursorStr || p.PreviousCursor.String() != p.PreviousCursorStr || p.TotalCount != nil {
			t.Fatalf("cursor fields %+v", p)
		}
		for _, id := range p.IDs {
			got = append(got, id.String()) // exact: json.Number, never float64
		}
		pages = append(pages, p)
		cursor = p.NextCursorStr
	}
	if len(pages) != 3 || len(pages[0].IDs) != 5000 || len(pages[2].IDs) != 2000 || pages[0].PreviousCursorStr != "0" {
		t.Fatalf("pages %d, sizes %d/%d", len(pages), len(pages[0].IDs), len(pages[len(pages)-1].IDs))
	}
	if !slices.Equal(got, want) {
		t.Fatal("followers/ids pages differ from the world (newest follow first)")
	}
	// previous_cursor goes back a page.
	var back idsPage
	e.get("followers/ids", "cursor", pages[1].PreviousCursorStr).mustOK(t).json(t, &back)
	if !slices.Equal(back.IDs, pages[0].IDs) {
		t.Fatal("previous_cursor page differs")
	}
	// count, and stringify_ids.
	var small struct {
		IDs        []string `json:"ids"`
		NextCursor string   `json:"next_cursor_str"`
	}
	e.get("followers/ids", "count", "7", "stringify_ids", "true").mustOK(t).json(t, &small)
	if !slices.Equal(small.IDs, want[:7]) {
		t.Fatalf("stringify_ids page %v", small.IDs)
	}
	e.get("followers/ids", "count", "7", "cursor", small.NextCursor, "stringify_ids", "true").mustOK(t).json(t, &small)
	if !slices.Equal(small.IDs, want[7:14]) {
		t.Fatal("second small page")
	}
	// friends/ids by screen_name, and a following's graph around the owner.
	var f idsPage
	e.get("friends/ids", "screen_name", owner.ScreenName).mustOK(t).json(t, &f)
	if len(f.IDs) != 50 || f.NextCursorStr != "0" {
		t.Fatalf("friends/ids %d", len(f.IDs))
	}
	e.get("friends/ids", "user_id", "1").errorBody(t, 404, 34, "Sorry, that page does not exist.")
}

func TestFollowersList(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(12, nil))
	owner := e.w.Owner()
	type listPage struct {
		Users []struct {
			IDStr      string          `json:"id_str"`
			ScreenName string          `json:"screen_name"`
			Status     json.RawMessage `json:"status"`
			Following  bool            `json:"following"`
		} `json:"users"`
		Next string `json:"next_cursor_str"`
	}
	var p listPage
	e.get("followers/list").mustOK(t).json(t, &p)
	if len(p.Users) != 20 {
		t.Fatalf("default page %d", len(p.Users))
	}
	// Walk friends/list with the maximum count: suspended accounts are
	// counted in the page, then dropped.
	friends := e.w.FriendIDs(owner.IDStr)
	var got []string
	for cursor := "-1"; cursor != "0"; cursor = p.Next {
		p = listPage{}
		e.get("friends/list", "count", "1000", "cursor", cursor).mustOK(t).json(t, &p)
		for _, u := range p.Users {
			got = append(got, u.IDStr)
			if !u.Following {
				t.Fatalf("a following with following=false")
			}
			user := e.w.User(u.IDStr)
			if (u.Status != nil) == user.Protected {
				t.Fatalf("status present %v for protected %v", u.Status != nil, user.Protected)
			}
		}
	}
	var want []string
	for _, id := range friends {
		if !e.w.User(id).Suspended {
			want = append(want, id)
		}
	}
	if !slices.Equal(got, want) || len(want) != 118 {
		t.Fatalf("friends/list gave %d users, want %d", len(got), len(want))
	}
	p = listPage{}
	e.get("friends/list", "skip_status", "1").mustOK(t).json(t, &p)
	for _, u := range p.Users {
		if u.Status != nil {
			t.Fatal("skip_status ignored")
		}
	}
}

func TestUsersLookup(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(13, nil))
	owner := e.w.Owner()
	friends := e.w.FriendIDs(owner.IDStr)
	var live, susp []string
	for _, id := range friends {
		if e.w.User(id).Suspended {
			susp = append(susp, id)
		} else {
			live = append(live, id)
		}
	}
	req := append(append(slices.Clone(live[:40]), susp...), "1", "2", "not-a-number")
	type user struct {
		IDStr      string `json:"id_str"`
		ScreenName string `json:"screen_name"`
	}
	var got []user
	r := e.do(e.c, "POST", "users/lookup", url.Values{"user_id": {strings.Join(req, ",")}}, nil).mustOK(t)
	r.json(t, &got)
	var gotIDs []string
	for _, u := range got {
		gotIDs = append(gotIDs, u.IDStr)
	}
	if slices.Equal(gotIDs, live[:40]) {
		t.Error("users/lookup kept the request order")
	}
	slices.Sort(gotIDs)
	want := slices.Sorted(slices.Values(live[:40]))
	if !slices.Equal(gotIDs, want) {
		t.Fatalf("lookup returned %d users, want the %d known, unsuspended ones", len(gotIDs), len(want))
	}
	// The order is deterministic.
	r2 := e.do(e.c, "POST", "users/lookup", url.Values{"user_id": {strings.Join(req, ",")}}, nil).mustOK(t)
	if !bytes.Equal(r.body, r2.body) {
		t.Error("users/lookup order not deterministic")
	}
	// GET, by screen_name, in any case; and a form body.
	names := []string{strings.ToUpper(e.w.User(live[0]).ScreenName), e.w.User(live[1]).ScreenName, "nobody_here_x"}
	e.get("users/lookup", "screen_name", strings.Join(names, ",")).mustOK(t).json(t, &got)
	if len(got) != 2 {
		t.Fatalf("lookup by screen_name: %d", len(got))
	}
	e.do(e.c, "POST", "users/lookup", nil, url.Values{"user_id": {live[2] + "," + live[3]}}).mustOK(t).json(t, &got)
	if len(got) != 2 {
		t.Fatalf("lookup with a form body: %d", len(got))
	}
	// None match: 404. More than 100: refused.
	e.get("users/lookup", "user_id", "1,2,"+strings.Join(susp, ",")).errorBody(t, 404, 17, "No user matches for specified terms.")
	many := make([]string, 101)
	for i := range many {
		many[i] = strconv.Itoa(i + 1)
	}
	e.get("users/lookup", "user_id", strings.Join(many, ",")).errorBody(t, 403, 18, "Too many terms specified in query.")
}

func TestUsersShowAndVerify(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(14, nil))
	owner := e.w.Owner()
	type user struct {
		IDStr      string          `json:"id_str"`
		ScreenName string          `json:"screen_name"`
		Status     json.RawMessage `json:"status"`
		Protected  bool            `json:"protected"`
		Followers  int             `json:"followers_count"`
		Friends    int             `json:"friends_count"`
		Statuses   int             `json:"statuses_count"`
		Favourites int             `json:"favourites_count"`
	}
	var me user
	e.get("account/verify_credentials").mustOK(t).json(t, &me)
	if me.IDStr != owner.IDStr || me.ScreenName != "demo_user" || me.Followers != 300 || me.Friends != 120 || me.Statuses != 700 || me.Favourites != 150 || me.Status == nil {
		t.Fatalf("verify_credentials %+v", me)
	}
	me = user{}
	e.get("account/verify_credentials", "skip_status", "true").mustOK(t).json(t, &me)
	if me.Status != nil {
		t.Fatal("skip_status ignored")
	}
	e.get("users/show", "user_id", owner.IDStr).mustOK(t).json(t, &me)
	if me.ScreenName != owner.ScreenName {
		t.Fatal("users/show by id")
	}
	e.get("users/show", "screen_name", "nobody_here_x").errorBody(t, 404, 50, "User not found.")
	e.get("users/show", "user_id", "12").errorBody(t, 404, 50, "User not found.")
	for _, id := range e.w.FriendIDs(owner.IDStr) {
		u := e.w.User(id)
		switch {
		case u.Suspended:
			e.get("users/show", "user_id", id).errorBody(t, 403, 63, "User has been suspended.")
		case u.Protected:
			var p user
			e.get("users/show", "user_id", id).mustOK(t).json(t, &p)
			if !p.Protected || p.Status != nil {
				t.Fatalf("protected user %+v", p)
			}
		}
	}
}

func TestUnknownPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(15, nil))
	e.get("statuses/home_timeline").errorBody(t, 404, 34, "Sorry, that page does not exist.")
	e.do(e.c, "DELETE", "users/show", nil, nil).errorBody(t, 404, 34, "Sorry, that page does not exist.")
	if e.s.Requests("statuses/home_timeline") != 1 {
		t.Fatal("unknown endpoint not counted")
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(16, nil))
	start := e.clock.Now()
	reset := strconv.FormatInt(start.Add(15*time.Minute).Unix(), 10)
	e.clock.Advance(time.Minute) // the window started at the first request
	e.get("followers/ids").mustOK(t)
	reset = strconv.FormatInt(e.clock.Now().Add(15*time.Minute).Unix(), 10)
	for i := 2; i <= 15; i++ {
		r := e.get("followers/ids").mustOK(t)
		if r.header.Get("x-rate-limit-limit") != "15" || r.header.Get("x-rate-limit-remaining") != strconv.Itoa(15-i) || r.header.Get("x-rate-limit-reset") != reset {
			t.Fatalf("request %d headers %v", i, r.header)
		}
		e.clock.Advance(10 * time.Second)
	}
	r := e.get("followers/ids")
	r.errorBody(t, 429, 88, "Rate limit exceeded")
	if d, err := http.ParseTime(r.header.Get("Date")); err != nil || !d.Equal(e.clock.Now().Truncate(time.Second)) {
		t.Fatalf("Date %q is not the server clock %v", r.header.Get("Date"), e.clock.Now())
	}
	if r.header.Get("x-rate-limit-remaining") != "0" || r.header.Get("x-rate-limit-reset") != reset {
		t.Fatalf("429 headers %v", r.header)
	}
	// Other endpoints have their own windows and limits.
	r = e.get("friends/ids").mustOK(t)
	if r.header.Get("x-rate-limit-remaining") != "14" {
		t.Fatal("friends/ids shares the followers/ids window")
	}
	r = e.get("statuses/user_timeline").mustOK(t)
	if r.header.Get("x-rate-limit-limit") != "900" || r.header.Get("x-app-rate-limit-limit") != "100000" || r.header.Get("x-app-rate-limit-remaining") != "99999" {
		t.Fatalf("timeline headers %v", r.header)
	}
	for ep, limit := range map[string]string{"users/show": "900", "users/lookup": "900", "account/verify_credentials": "75", "favorites/list": "75", "followers/list": "15", "friends/list": "15"} {
		r := e.get(ep, "screen_name", e.w.Owner().ScreenName)
		if r.header.Get("x-rate-limit-limit") != limit {
			t.Errorf("%s limit %q, want %s", ep, r.header.Get("x-rate-limit-limit"), limit)
		}
	}
	// Errors carry the headers too.
	r = e.get("users/show", "screen_name", "nobody_here_x")
	if r.status != 404 || r.header.Get("x-rate-limit-remaining") != "898" {
		t.Fatalf("error response headers: %d %v", r.status, r.header)
	}
	// The window ends at reset.
	resetAt, _ := strconv.ParseInt(reset, 10, 64)
	e.clock.Advance(time.Unix(resetAt, 0).Sub(e.clock.Now()) - time.Second)
	e.get("followers/ids").errorBody(t, 429, 88, "Rate limit exceeded")
	e.clock.Advance(time.Second)
	r = e.get("followers/ids").mustOK(t)
	if r.header.Get("x-rate-limit-remaining") != "14" || r.header.Get("x-rate-limit-reset") != strconv.FormatInt(e.clock.Now().Add(15*time.Minute).Unix(), 10) {
		t.Fatalf("new window headers %v", r.header)
	}
	// SetRemaining forces a window.
	e.s.SetRemaining("statuses/user_timeline", 0)
	e.get("statuses/user_timeline").errorBody(t, 429, 88, "Rate limit exceeded")
	e.s.SetRemaining("statuses/user_timeline", 2)
	e.get("statuses/user_timeline").mustOK(t)
	e.get("statuses/user_timeline").mustOK(t)
	e.get("statuses/user_timeline").errorBody(t, 429, 88, "Rate limit exceeded")
	_ = start
}

func TestRequestCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(17, nil))
	e.get("statuses/user_timeline").mustOK(t)
	e.get("statuses/user_timeline", "user_id", "1")
	e.do(client(twittertest.Credentials{ConsumerKey: "x", ConsumerSecret: "y", Token: "z", TokenSecret: "w"}), "GET", "statuses/user_timeline", nil, nil)
	e.s.SetRemaining("users/lookup", 0)
	e.get("users/lookup", "user_id", e.w.Owner().IDStr)
	e.get("users/show", "user_id", e.w.Owner().IDStr)
	if e.s.Requests("statuses/user_timeline") != 3 || e.s.Requests("users/lookup") != 1 || e.s.Requests("users/show") != 1 || e.s.TotalRequests() != 5 {
		t.Fatalf("counts timeline %d lookup %d show %d total %d", e.s.Requests("statuses/user_timeline"), e.s.Requests("users/lookup"), e.s.Requests("users/show"), e.s.TotalRequests())
	}
	e.s.ResetCounts()
	if e.s.TotalRequests() != 0 || e.s.Requests("statuses/user_timeline") != 0 {
		t.Fatal("ResetCounts")
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(18, nil))
	e.s.SetLatency(60 * time.Millisecond)
	t0 := time.Now()
	e.get("account/verify_credentials").mustOK(t)
	if d := time.Since(t0); d < 60*time.Millisecond {
		t.Fatalf("latency not applied: %v", d)
	}
}

// TestDeterminism: the same seed gives byte-identical answers, whatever
// order timelines are first generated in.
func TestDeterminism(t *testing.T) {
	t.Parallel()
	a := newEnv(t, smallConfig(42, nil))
	b := newEnv(t, smallConfig(42, nil))
	friends := a.w.FriendIDs(a.w.Owner().IDStr)
	if !slices.Equal(friends, b.w.FriendIDs(b.w.Owner().IDStr)) {
		t.Fatal("graphs differ")
	}
	// b generates in the opposite order first.
	for i := len(friends) - 1; i >= 0; i-- {
		b.get("statuses/user_timeline", "user_id", friends[i], "count", "200")
	}
	b.get("favorites/list", "count", "200")
	queries := [][]string{
		{"statuses/user_timeline", "count", "200", "tweet_mode", "extended"},
		{"statuses/user_timeline", "count", "200"},
		{"favorites/list", "count", "200"},
		{"followers/ids"},
		{"friends/list", "count", "200"},
		{"account/verify_credentials"},
		{"users/lookup", "user_id", strings.Join(friends[:100], ",")},
	}
	for _, id := range friends {
		queries = append(queries, []string{"statuses/user_timeline", "user_id", id, "count", "200", "tweet_mode", "extended"})
	}
	for _, q := range queries {
		ra, rb := a.get(q[0], q[1:]...), b.get(q[0], q[1:]...)
		if ra.status != rb.status || !bytes.Equal(ra.body, rb.body) {
			t.Fatalf("%v differs between two worlds of the same seed", q)
		}
	}
	c := newEnv(t, smallConfig(43, nil))
	if bytes.Equal(a.get("statuses/user_timeline").body, c.get("statuses/user_timeline").body) {
		t.Fatal("another seed gave the same timeline")
	}
}

func TestAddTweetsAndFollowers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(19, nil))
	owner := e.w.Owner()
	before := e.w.Tweets(owner.IDStr)
	var maxID int64
	for _, id := range e.w.FriendIDs(owner.IDStr) {
		for _, tw := range e.w.Tweets(id) {
			n, _ := strconv.ParseInt(tw.IDStr, 10, 64)
			maxID = max(maxID, n)
		}
	}
	e.clock.Advance(time.Hour)
	added := e.w.AddTweets(owner.IDStr, 5)
	if len(added) != 5 || owner.StatusesCount != 705 {
		t.Fatalf("added %d, statuses_count %d", len(added), owner.StatusesCount)
	}
	prev := maxID
	for _, tw := range added {
		n, _ := strconv.ParseInt(tw.IDStr, 10, 64)
		if n <= prev || !tw.Created.Equal(e.clock.Now().Truncate(time.Second)) && tw.Created.Before(e.clock.Now().Add(-time.Second)) {
			t.Fatalf("added tweet %s not newer than every tweet (%d) or not created now (%v)", tw.IDStr, prev, tw.Created)
		}
		prev = n
	}
	after := e.w.Tweets(owner.IDStr)
	if len(after) != 705 || after[0] != added[4] || after[5] != before[0] {
		t.Fatal("timeline after AddTweets")
	}

	followers := e.w.FollowerIDs(owner.IDStr)
	newF := e.w.AddFollowers(3)
	got := e.w.FollowerIDs(owner.IDStr)
	if len(got) != 303 || got[0] != newF[2].IDStr || got[2] != newF[0].IDStr || got[3] != followers[0] || owner.FollowersCount != 303 {
		t.Fatal("AddFollowers: newest follow first")
	}
	var p idsPage
	e.get("followers/ids").mustOK(t).json(t, &p)
	if p.IDs[0].String() != newF[2].IDStr {
		t.Fatal("followers/ids after AddFollowers")
	}
	e.get("users/show", "user_id", newF[0].IDStr).mustOK(t)
	e.w.RemoveFollower(followers[10])
	got = e.w.FollowerIDs(owner.IDStr)
	if len(got) != 302 || slices.Contains(got, followers[10]) || owner.FollowersCount != 302 {
		t.Fatal("RemoveFollower")
	}
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(20, nil))
	friends := e.w.FriendIDs(e.w.Owner().IDStr)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for _, id := range friends[i*10 : i*10+10] {
				c := client(e.s.Credentials())
				r := e.do(c, "GET", "statuses/user_timeline", url.Values{"user_id": {id}}, nil)
				if r.status != 200 && r.status != 401 && r.status != 403 {
					t.Errorf("status %d", r.status)
				}
			}
		})
	}
	wg.Go(func() { e.w.AddTweets(e.w.Owner().IDStr, 3) })
	wg.Go(func() { e.w.AddFollowers(5) })
	wg.Wait()
}

func TestBigWorldIsFast(t *testing.T) {
	limit := 900 * time.Millisecond
	if raceEnabled {
		limit = 10 * time.Second
	}
	t0 := time.Now()
	w := twittertest.NewWorld(twittertest.WorldConfig{Seed: 7, Followers: 10000, Followings: 3000, OwnTweets: 3000, TweetsPerFollowing: 5, Protected: 10, Suspended: 5, Likes: 500})
	if d := time.Since(t0); d > limit {
		t.Fatalf("a 10,000/3,000 world took %v", d)
	}
	if n := len(w.FollowerIDs(w.Owner().IDStr)); n != 10000 {
		t.Fatalf("%d followers", n)
	}
	if n := len(w.FriendIDs(w.Owner().IDStr)); n != 3000 {
		t.Fatalf("%d followings", n)
	}
	overlap := 0
	followers := map[string]bool{}
	for _, id := range w.FollowerIDs(w.Owner().IDStr) {
		followers[id] = true
	}
	for _, id := range w.FriendIDs(w.Owner().IDStr) {
		if followers[id] {
			overlap++
		}
	}
	if overlap != 900 {
		t.Fatalf("overlap %d, want 30%% of 3000", overlap)
	}
}

// TestRecordedShapes compares the field order of our objects with responses
// recorded from the real API.
func TestRecordedShapes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(21, nil))
	owner := e.w.Owner()
	rec := func(file string, i int, path ...any) []string {
		t.Helper()
		b, err := os.ReadFile("../../../testdata/twitter-v1.1/tweepy/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var entries []struct {
			Body json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal(b, &entries); err != nil {
			t.Fatal(err)
		}
		return keysAt(t, entries[i].Body, path...)
	}
	ours := func(r resp, path ...any) []string { t.Helper(); return keysAt(t, r.mustOK(t).body, path...) }

	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s keys\n got %v\nwant %v", name, got, want)
		}
	}
	show := e.get("users/show", "screen_name", owner.ScreenName)
	check("users/show", ours(show), rec("testgetuser.json", 0))
	check("users/show status", withoutKeys(ours(show, "status"), "possibly_sensitive", "extended_entities"), withoutKeys(rec("testgetuser.json", 0, "status"), "possibly_sensitive"))
	check("verify_credentials", ours(e.get("account/verify_credentials")), rec("testverifycredentials.json", 0))
	check("followers/list", ours(e.get("followers/list")), rec("testgetfollowers.json", 0))
	fl := e.get("followers/list", "count", "200")
	var p struct{ Users []map[string]json.RawMessage }
	fl.json(t, &p)
	for i, u := range p.Users {
		_, status := u["status"]
		_, banner := u["profile_banner_url"]
		if status && banner {
			check("followers/list user", keysAt(t, fl.body, "users", i), rec("testgetfollowers.json", 0, "users", 0))
			break
		}
	}
	check("followers/ids", ours(e.get("followers/ids")), rec("testgetfollowerids.json", 0))

	// A tweet with media, as in testusertimeline.json (first entry).
	all := e.w.Tweets(owner.IDStr)
	var media, rt, plain int = -1, -1, -1
	for i, tw := range all[:200] {
		switch {
		case media < 0 && len(tw.Media) == 1 && tw.Media[0].Type == "photo" && tw.RetweetOf == nil && tw.ReplyToStatusID == "" && tw.QuotedIDStr == "" && utf8.RuneCountInString(tw.Text) <= 140:
			media = i
		case rt < 0 && tw.RetweetOf != nil && len(tw.URLs) == 0 && len(tw.Media) == 0 && tw.QuotedIDStr == "":
			rt = i
		case plain < 0 && tw.RetweetOf == nil && len(tw.URLs) == 0 && len(tw.Media) == 0 && tw.ReplyToStatusID == "" && tw.QuotedIDStr == "":
			plain = i
		}
	}
	tl := e.get("statuses/user_timeline", "count", "200")
	check("media tweet", keysAt(t, tl.body, media), rec("testusertimeline.json", 0, 0))
	check("media entity", keysAt(t, tl.body, media, "entities", "media", 0), rec("testusertimeline.json", 0, 0, "entities", "media", 0))
	check("tweet user", keysAt(t, tl.body, media, "user"), rec("testusertimeline.json", 0, 0, "user"))
	check("retweet", keysAt(t, tl.body, rt), rec("testcursornext.json", 0, 15))
	check("plain tweet", keysAt(t, tl.body, plain), rec("testcursornext.json", 0, 0))
}

func withoutKeys(keys []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return slices.Contains(drop, k) })
}

// keysAt returns the keys, in order, of the object at path (object keys and
// array indexes) in the JSON document.
func keysAt(t *testing.T, doc []byte, path ...any) []string {
	t.Helper()
	raw := json.RawMessage(doc)
	for _, p := range path {
		switch p := p.(type) {
		case string:
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("at %v: %v", p, err)
			}
			raw = m[p]
		case int:
			var a []json.RawMessage
			if err := json.Unmarshal(raw, &a); err != nil || p >= len(a) {
				t.Fatalf("at %v: %v (%d elements)", p, err, len(a))
			}
			raw = a[p]
		}
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object at %v: %s", path, raw[:min(len(raw), 80)])
	}
	var keys []string
	for d.More() {
		k, _ := d.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
