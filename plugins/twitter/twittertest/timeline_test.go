package twittertest_test

import (
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

// walk is the documented walk-back: count=200, max_id = lowest id - 1.
func walk(t *testing.T, e *env, since string, kv ...string) []tweetJSON {
	t.Helper()
	var all []tweetJSON
	maxID := ""
	for range 100 {
		q := append([]string{"count", "200"}, kv...)
		if since != "" {
			q = append(q, "since_id", since)
		}
		if maxID != "" {
			q = append(q, "max_id", maxID)
		}
		page := e.timeline(q...)
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		low, _ := strconv.ParseInt(page[len(page)-1].IDStr, 10, 64)
		maxID = strconv.FormatInt(low-1, 10)
	}
	t.Fatal("walk did not end")
	return nil
}

func TestTimelineWalkBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(2, nil))
	owner := e.w.Owner()
	want := tweetIDs(e.w.Tweets(owner.IDStr))
	if len(want) != 700 {
		t.Fatalf("%d tweets", len(want))
	}
	got := ids(walk(t, e, "", "tweet_mode", "extended"))
	if !slices.Equal(got, want) {
		t.Fatalf("walk-back got %d tweets, want %d (each exactly once, newest first)", len(got), len(want))
	}
	// Ids strictly decrease, are above 2^53 and match "id".
	prev := new(big.Int)
	for i, id := range got {
		n, _ := new(big.Int).SetString(id, 10)
		if n.Cmp(big.NewInt(1<<53)) <= 0 {
			t.Fatalf("id %s is not above 2^53", id)
		}
		if i > 0 && n.Cmp(prev) >= 0 {
			t.Fatalf("ids not decreasing at %d", i)
		}
		prev = n
	}
	// The same walk by screen_name and by user_id.
	if got := ids(walk(t, e, "", "screen_name", strings.ToUpper(owner.ScreenName))); !slices.Equal(got, want) {
		t.Fatal("walk by screen_name differs")
	}
	if got := ids(walk(t, e, "", "user_id", owner.IDStr)); !slices.Equal(got, want) {
		t.Fatal("walk by user_id differs")
	}
}

func TestSinceExclusiveMaxInclusive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(3, nil))
	all := tweetIDs(e.w.Tweets(e.w.Owner().IDStr))
	// max_id is inclusive.
	page := ids(e.timeline("count", "5", "max_id", all[10]))
	if !slices.Equal(page, all[10:15]) {
		t.Fatalf("max_id page %v, want %v", page, all[10:15])
	}
	// since_id is exclusive.
	page = ids(e.timeline("count", "200", "since_id", all[10]))
	if !slices.Equal(page, all[:10]) {
		t.Fatalf("since_id page %v, want %v", page, all[:10])
	}
	// Both: (since, max].
	page = ids(e.timeline("count", "200", "since_id", all[20], "max_id", all[12]))
	if !slices.Equal(page, all[12:20]) {
		t.Fatalf("since+max page %v, want %v", page, all[12:20])
	}
	// An incremental run: only what is newer than the last seen tweet.
	newOnes := e.w.AddTweets(e.w.Owner().IDStr, 3)
	got := ids(walk(t, e, all[0]))
	if want := []string{newOnes[2].IDStr, newOnes[1].IDStr, newOnes[0].IDStr}; !slices.Equal(got, want) {
		t.Fatalf("since last run %v, want %v", got, want)
	}
	e.get("statuses/user_timeline", "since_id", "abc").errorBody(t, 400, 44, "since_id parameter is invalid.")
}

func TestCountAppliedBeforeFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(4, nil))
	all := e.w.Tweets(e.w.Owner().IDStr)
	if n := len(e.timeline()); n != 20 {
		t.Fatalf("default count gave %d", n)
	}
	if n := len(e.timeline("count", "1000")); n != 200 {
		t.Fatalf("count=1000 gave %d, want the maximum 200", n)
	}
	var wantNoRT, wantNoReply []string
	for _, tw := range all[:200] {
		if tw.RetweetOf == nil {
			wantNoRT = append(wantNoRT, tw.IDStr)
		}
		if tw.ReplyToStatusID == "" {
			wantNoReply = append(wantNoReply, tw.IDStr)
		}
	}
	if len(wantNoRT) == 200 || len(wantNoReply) == 200 {
		t.Fatal("world has no retweets or replies in the newest 200")
	}
	for _, v := range []string{"0", "false"} {
		got := ids(e.timeline("count", "200", "include_rts", v))
		if !slices.Equal(got, wantNoRT) {
			t.Fatalf("include_rts=%s: %d tweets, want the %d non-retweets of the first 200", v, len(got), len(wantNoRT))
		}
	}
	got := ids(e.timeline("count", "200", "exclude_replies", "true"))
	if !slices.Equal(got, wantNoReply) {
		t.Fatalf("exclude_replies: %d tweets, want %d", len(got), len(wantNoReply))
	}
	// Walking back with include_rts=0 still reaches every non-retweet once.
	var allNoRT []string
	for _, tw := range all {
		if tw.RetweetOf == nil {
			allNoRT = append(allNoRT, tw.IDStr)
		}
	}
	if got := ids(walk(t, e, "", "include_rts", "0")); !slices.Equal(got, allNoRT) {
		t.Fatalf("walk with include_rts=0: %d, want %d", len(got), len(allNoRT))
	}
}

func TestTimelineCap3200(t *testing.T) {
	t.Parallel()
	cfg := smallConfig(5, nil)
	cfg.OwnTweets = 3500
	cfg.Followers, cfg.Followings, cfg.Likes = 20, 20, 10
	e := newEnv(t, cfg)
	all := tweetIDs(e.w.Tweets(e.w.Owner().IDStr))
	if len(all) != 3500 || e.w.Owner().StatusesCount != 3500 {
		t.Fatalf("%d tweets, statuses_count %d", len(all), e.w.Owner().StatusesCount)
	}
	got := ids(walk(t, e, ""))
	if !slices.Equal(got, all[:3200]) {
		t.Fatalf("walk reached %d tweets, want the 3200 newest", len(got))
	}
	if n := len(e.timeline("max_id", all[3300])); n != 0 {
		t.Fatalf("a tweet beyond the cap was reachable (%d)", n)
	}
}

func TestTweetModes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(6, nil))
	all := e.w.Tweets(e.w.Owner().IDStr)
	ext := e.timeline("count", "200", "tweet_mode", "extended")
	compat := e.timeline("count", "200")
	var sawLong, sawRT, sawQuote, sawVideo, sawReply, sawDangling bool
	for i, x := range ext {
		c := compat[i]
		w := all[i]
		if x.Text != nil || x.FullText == nil || len(x.DisplayTextRange) != 2 || x.Truncated {
			t.Fatalf("extended tweet %s: text %v full_text %v range %v", x.IDStr, x.Text, x.FullText, x.DisplayTextRange)
		}
		if c.FullText != nil || c.Text == nil || c.DisplayTextRange != nil {
			t.Fatalf("compat tweet %s has full_text or display_text_range", c.IDStr)
		}
		if *x.FullText != w.Text {
			t.Fatalf("full_text %q, world %q", *x.FullText, w.Text)
		}
		checkEntities(t, x)
		checkEntities(t, c)
		dispLen := x.DisplayTextRange[1] - x.DisplayTextRange[0]
		switch {
		case w.RetweetOf != nil:
			sawRT = true
			full := "RT @" + e.w.User(w.RetweetOf.UserID).ScreenName + ": " + w.RetweetOf.Text
			if n := utf8.RuneCountInString(full); n > 140 {
				full = string([]rune(full)[:139]) + "…"
			}
			if *x.FullText != full || *c.Text != full || c.Truncated {
				t.Fatalf("retweet text %q, want %q", *x.FullText, full)
			}
			if x.Retweeted == nil || *x.Retweeted.FullText != w.RetweetOf.Text || x.Retweeted.IDStr != w.RetweetOf.IDStr || x.Retweeted.User.IDStr != w.RetweetOf.UserID {
				t.Fatalf("retweeted_status of %s", x.IDStr)
			}
		case dispLen > 140:
			sawLong = true
			if !c.Truncated || utf8.RuneCountInString(*c.Text) > 140 || !strings.Contains(*c.Text, "… https://t.co/") {
				t.Fatalf("long tweet in compat mode: truncated %v %q", c.Truncated, *c.Text)
			}
			last := c.Entities.URLs[len(c.Entities.URLs)-1]
			if !strings.HasSuffix(*c.Text, last.URL) {
				t.Fatalf("truncated text does not end with its link: %q", *c.Text)
			}
		default:
			if c.Truncated || *c.Text != w.Text {
				t.Fatalf("short tweet in compat mode: %q vs %q", *c.Text, w.Text)
			}
		}
		if w.QuotedIDStr != "" {
			sawQuote = true
			if !x.IsQuote || x.QuotedIDStr != w.QuotedIDStr || (w.QuoteOf != nil) != (x.Quoted != nil) {
				t.Fatalf("quote %s: is_quote %v quoted %q", x.IDStr, x.IsQuote, x.QuotedIDStr)
			}
		}
		if w.ReplyToStatusID != "" && w.RetweetOf == nil {
			sawReply = true
			if x.InReplyTo == nil || *x.InReplyTo != w.ReplyToStatusID {
				t.Fatalf("reply %s", x.IDStr)
			}
			if e.w.Tweet(w.ReplyToStatusID) == nil {
				sawDangling = true
			}
		}
		for _, m := range w.Media {
			if m.Type == "video" && w.RetweetOf == nil {
				sawVideo = true
				if x.Entities.Media[0].Type != "photo" || x.Extended == nil || x.Extended.Media[0].Type != "video" || len(x.Extended.Media[0].VideoInfo) == 0 {
					t.Fatalf("video tweet %s entities", x.IDStr)
				}
			}
		}
	}
	if !sawLong || !sawRT || !sawQuote || !sawVideo || !sawReply || !sawDangling {
		t.Fatalf("newest 200 lack a kind: long %v rt %v quote %v video %v reply %v dangling %v", sawLong, sawRT, sawQuote, sawVideo, sawReply, sawDangling)
	}
}

// checkEntities checks that every entity's indices, counted in code points,
// select its text.
func checkEntities(t *testing.T, tw tweetJSON) {
	t.Helper()
	r := []rune(tw.text())
	at := func(ix []int) string {
		if len(ix) != 2 || ix[0] < 0 || ix[1] > len(r) || ix[0] > ix[1] {
			t.Fatalf("tweet %s: indices %v out of %d", tw.IDStr, ix, len(r))
		}
		return string(r[ix[0]:ix[1]])
	}
	for _, h := range tw.Entities.Hashtags {
		if got := at(h.Indices); got != "#"+h.Text {
			t.Fatalf("tweet %s: hashtag %q at %v is %q", tw.IDStr, h.Text, h.Indices, got)
		}
	}
	for _, m := range tw.Entities.Mentions {
		if got := at(m.Indices); !strings.EqualFold(got, "@"+m.ScreenName) {
			t.Fatalf("tweet %s: mention %q at %v is %q", tw.IDStr, m.ScreenName, m.Indices, got)
		}
	}
	for _, u := range tw.Entities.URLs {
		if got := at(u.Indices); got != u.URL {
			t.Fatalf("tweet %s: url %q at %v is %q", tw.IDStr, u.URL, u.Indices, got)
		}
	}
	for _, m := range tw.Entities.Media {
		if got := at(m.Indices); got != m.URL {
			t.Fatalf("tweet %s: media %q at %v is %q", tw.IDStr, m.URL, m.Indices, got)
		}
	}
	if tw.Retweeted != nil {
		checkEntities(t, *tw.Retweeted)
	}
	if tw.Quoted != nil {
		checkEntities(t, *tw.Quoted)
	}
}

func TestProtectedSuspendedUnknownTimelines(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(7, nil))
	var prot, susp *twittertest.User
	for _, id := range e.w.FriendIDs(e.w.Owner().IDStr) {
		u := e.w.User(id)
		if u.Protected {
			prot = u
		}
		if u.Suspended {
			susp = u
		}
	}
	if prot == nil || susp == nil {
		t.Fatal("no protected or suspended following")
	}
	r := e.get("statuses/user_timeline", "user_id", prot.IDStr)
	if r.status != 401 || string(r.body) != `{"request":"\/1.1\/statuses\/user_timeline.json","error":"Not authorized."}` {
		t.Fatalf("protected: %d %s", r.status, r.body)
	}
	var v struct{ Request, Error string }
	r.json(t, &v)
	if v.Request != "/1.1/statuses/user_timeline.json" || v.Error != "Not authorized." {
		t.Fatalf("protected body %+v", v)
	}
	e.get("statuses/user_timeline", "user_id", susp.IDStr).errorBody(t, 403, 63, "User has been suspended.")
	e.get("statuses/user_timeline", "screen_name", "no_such_user_x").errorBody(t, 404, 34, "Sorry, that page does not exist.")
	// A following's timeline.
	for _, id := range e.w.FriendIDs(e.w.Owner().IDStr) {
		if u := e.w.User(id); !u.Protected && !u.Suspended {
			got := ids(e.timeline("user_id", id, "count", "200"))
			if !slices.Equal(got, tweetIDs(e.w.Tweets(id))) || len(got) != 8 {
				t.Fatalf("following timeline %v", got)
			}
			break
		}
	}
}

func TestStatusesShow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(8, nil))
	tw := e.w.Tweets(e.w.Owner().IDStr)[5]
	var got tweetJSON
	e.get("statuses/show", "id", tw.IDStr, "tweet_mode", "extended").mustOK(t).json(t, &got)
	if got.IDStr != tw.IDStr || *got.FullText != tw.Text {
		t.Fatalf("statuses/show %s", got.IDStr)
	}
	e.get("statuses/show", "id", "1234567890123456789").errorBody(t, 404, 144, "No status found with that ID.")
	for _, id := range e.w.FriendIDs(e.w.Owner().IDStr) {
		if u := e.w.User(id); u.Protected {
			e.get("statuses/show", "id", e.w.Tweets(id)[0].IDStr).errorBody(t, 403, 179, "Sorry, you are not authorized to see this status.")
			break
		}
	}
}

func TestFavorites(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(9, nil))
	owner := e.w.Owner()
	likes := e.w.Likes(owner.IDStr)
	if len(likes) != 150 || owner.FavouritesCount != 150 {
		t.Fatalf("%d likes", len(likes))
	}
	var all []tweetJSON
	maxID := ""
	for {
		kv := []string{"count", "200"}
		if maxID != "" {
			kv = append(kv, "max_id", maxID)
		}
		var page []tweetJSON
		e.get("favorites/list", kv...).mustOK(t).json(t, &page)
		if len(page) == 0 {
			break
		}
		for _, p := range page {
			if !p.Favorited {
				t.Fatalf("liked tweet %s not favorited", p.IDStr)
			}
		}
		all = append(all, page...)
		n, _ := strconv.ParseInt(page[len(page)-1].IDStr, 10, 64)
		maxID = strconv.FormatInt(n-1, 10)
	}
	if !slices.Equal(ids(all), tweetIDs(likes)) {
		t.Fatal("favorites walk differs from the likes")
	}
	var page []tweetJSON
	e.get("favorites/list").mustOK(t).json(t, &page)
	if len(page) != 20 {
		t.Fatalf("default favorites page %d", len(page))
	}
	e.get("favorites/list", "count", "5", "since_id", likes[7].IDStr).mustOK(t).json(t, &page)
	if !slices.Equal(ids(page), tweetIDs(likes[:5])) {
		t.Fatal("favorites since_id")
	}
}

func TestIDsAreExactNumbers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(10, nil))
	r := e.get("statuses/user_timeline", "count", "50").mustOK(t)
	var raw []map[string]json.RawMessage
	r.json(t, &raw)
	for _, tw := range raw {
		var idStr string
		json.Unmarshal(tw["id_str"], &idStr)
		if string(tw["id"]) != idStr {
			t.Fatalf("id %s and id_str %s differ", tw["id"], idStr)
		}
		var f float64
		json.Unmarshal(tw["id"], &f)
		if strconv.FormatFloat(f, 'f', 0, 64) == idStr {
			t.Fatalf("id %s survives float64: not above 2^53?", idStr)
		}
	}
}
