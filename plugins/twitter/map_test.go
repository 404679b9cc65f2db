package twitter

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/schema"
)

// exchange is one recorded HTTP exchange of tweepy's cassettes (see
// testdata/twitter-v1.1/README.md).
type exchange struct {
	Method  string            `json:"method"`
	URI     string            `json:"uri"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func fixture(t *testing.T, name string) []exchange {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "twitter-v1.1", "tweepy", name))
	if err != nil {
		t.Fatal(err)
	}
	var ex []exchange
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ex
}

func mapTweets(t *testing.T, body json.RawMessage) (schema.Batch, []string) {
	t.Helper()
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		t.Fatal(err)
	}
	var bl schema.Builder
	var ids []string
	for _, r := range raws {
		id, err := MapTweet(r, &bl)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	b := bl.Batch()
	if err := schema.ValidateBatch(b, nil); err != nil {
		t.Fatalf("mapped batch is not valid: %v", err)
	}
	return b, ids
}

func node(t *testing.T, b schema.Batch, id string) schema.Node {
	t.Helper()
	for _, n := range b.Nodes {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("no node %s in the batch", id)
	return schema.Node{}
}

func hasEdge(b schema.Batch, from string, kind schema.EdgeKind, to string) bool {
	return slices.ContainsFunc(b.Edges, func(e schema.Edge) bool { return e.From == from && e.Kind == kind && e.To == to })
}

func TestMapUserFixtures(t *testing.T) {
	cases := []struct {
		file, id, handle, name, url string
		followers, posts            int64
		created                     string
	}{
		{"testgetuser.json", "783214", "Twitter", "Twitter", "https://about.twitter.com/", 59112688, 14045, "2007-02-20T14:35:54Z"},
		{"testme.json", "1072250532645998596", "TweepyDev", "Tweepy Testing", "https://github.com/tweepy/tweepy", 1, 10, "2018-12-10T22:03:43Z"},
		{"testverifycredentials.json", "1072250532645998596", "TweepyDev", "Tweepy Testing", "https://github.com/tweepy/tweepy", 1, 11, "2018-12-10T22:03:43Z"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			ex := fixture(t, c.file)[0]
			var bl schema.Builder
			id, err := MapUser(ex.Body, &bl)
			if err != nil {
				t.Fatal(err)
			}
			if id != "twitter:account:"+c.id {
				t.Fatalf("id = %s", id)
			}
			a := node(t, bl.Batch(), id)
			if a.Ref || a.Account.Handle != c.handle || a.Account.DisplayName != c.name ||
				*a.Account.FollowersCount != c.followers || *a.Account.PostCount != c.posts ||
				a.Account.Created.Format(time.RFC3339) != c.created {
				t.Errorf("account = %+v", *a.Account)
			}
			if a.Account.URL != c.url && c.file != "testgetuser.json" {
				t.Errorf("url = %q, want the expanded %q", a.Account.URL, c.url)
			}
			if string(a.Raw[Platform]) != string(ex.Body) {
				t.Error("raw JSON not kept as sent")
			}
		})
	}
}

func TestMapUserTimelineFixture(t *testing.T) {
	b, ids := mapTweets(t, fixture(t, "testusertimeline.json")[0].Body)
	if len(ids) != 4 || ids[0] != "twitter:post:1149914662164684800" {
		t.Fatalf("ids = %v", ids)
	}
	p := node(t, b, ids[0])
	author := "twitter:account:1072250532645998596"
	if p.Post.Text != "testing 1000" || p.Post.Author != author || p.Post.AuthorHandle != "TweepyDev" ||
		p.Post.Created.Format(time.RFC3339) != "2019-07-13T05:33:14Z" || p.Post.SourceApp != "Testing for Tweepy" {
		t.Errorf("post = %+v", *p.Post)
	}
	media := "twitter:media:1149914661267148800"
	m := node(t, b, media)
	if m.Media.URL != "https://pbs.twimg.com/media/D_VRSrrXkAAYzkx.png" || m.Media.Type != "photo" || m.Media.Width != 1252 {
		t.Errorf("media = %+v", *m.Media)
	}
	for _, e := range []struct {
		from string
		kind schema.EdgeKind
		to   string
	}{{author, schema.EdgeAuthored, ids[0]}, {ids[0], schema.EdgeHasMedia, media}} {
		if !hasEdge(b, e.from, e.kind, e.to) {
			t.Errorf("missing edge %s %s %s", e.from, e.kind, e.to)
		}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(p.Raw[Platform], &raw); err != nil || string(raw["user"]) != `{"id_str":"1072250532645998596"}` {
		t.Errorf("raw tweet should keep the user as its id only, got %s", raw["user"])
	}
}

func TestMapRepliesAndRetweets(t *testing.T) {
	b, ids := mapTweets(t, fixture(t, "testcursornext.json")[0].Body)
	if len(ids) != 20 {
		t.Fatalf("%d tweets", len(ids))
	}
	reply := node(t, b, "twitter:post:1391862914525638658")
	if reply.Post.ReplyTo != "twitter:post:1391857532415655936" || reply.Post.ReplyToHandle != "annaeatcarrots" ||
		!slices.Equal(reply.Post.Mentions, []string{"annaeatcarrots"}) || reply.Post.Lang != "en" || reply.Post.SourceApp != "Sprinklr" {
		t.Errorf("reply = %+v", *reply.Post)
	}
	if parent := node(t, b, "twitter:post:1391857532415655936"); !parent.Ref {
		t.Error("the parent of a reply should be a reference node")
	}
	mentioned := node(t, b, "twitter:account:1348222825237278723")
	if !mentioned.Ref || mentioned.Account.Handle != "annaeatcarrots" {
		t.Errorf("mentioned account = %+v", mentioned)
	}
	if !hasEdge(b, reply.ID, schema.EdgeReplyTo, reply.Post.ReplyTo) || !hasEdge(b, reply.ID, schema.EdgeMentions, mentioned.ID) {
		t.Error("reply_to or mentions edge missing")
	}

	rt := node(t, b, "twitter:post:1387801081590259717")
	orig := node(t, b, "twitter:post:1386915221210468355")
	if rt.Post.RepostOf != orig.ID || orig.Ref || orig.Post.AuthorHandle != "kthxgenre" {
		t.Errorf("retweet = %+v, original = %+v", *rt.Post, orig)
	}
	if rt.Post.Text != orig.Post.Text || rt.Post.Text == "" || rt.Post.Text[:3] == "RT " {
		t.Errorf("a retweet takes the text of the retweeted tweet: %q vs %q", rt.Post.Text, orig.Post.Text)
	}
	if !hasEdge(b, rt.ID, schema.EdgeRepostOf, orig.ID) || !hasEdge(b, "twitter:account:"+mustUserID(t, b, "kthxgenre"), schema.EdgeAuthored, orig.ID) {
		t.Error("repost_of or the original's authored edge missing")
	}

	// t.co links are replaced by what they stand for, in text and as links.
	tip := node(t, b, "twitter:post:1390396166496522247")
	want := "https://twitter.com/i/web/status/1390396166496522247"
	if !slices.Equal(tip.Post.URLs, []string{want}) || !hasEdge(b, tip.ID, schema.EdgeLinksTo, LinkID(want)) ||
		!containsStr(tip.Post.Text, want) || containsStr(tip.Post.Text, "t.co/") {
		t.Errorf("links not expanded: %+v", *tip.Post)
	}
}

func TestMapHomeTimelineAndLookupFixtures(t *testing.T) {
	b, ids := mapTweets(t, fixture(t, "testhometimeline.json")[0].Body)
	if len(ids) != 19 {
		t.Fatalf("%d tweets", len(ids))
	}
	reposts := 0
	for _, n := range b.Nodes {
		if n.Post != nil && n.Post.RepostOf != "" {
			reposts++
		}
	}
	if reposts != 3 {
		t.Errorf("%d reposts, want 3", reposts)
	}

	for _, ex := range fixture(t, "testlookupusers.json") {
		var users []json.RawMessage
		if err := json.Unmarshal(ex.Body, &users); err != nil {
			t.Fatal(err)
		}
		var bl schema.Builder
		var handles []string
		for _, u := range users {
			id, err := MapUser(u, &bl)
			if err != nil {
				t.Fatal(err)
			}
			handles = append(handles, node(t, bl.Batch(), id).Account.Handle)
		}
		slices.Sort(handles)
		if len(handles) != 2 {
			t.Errorf("%s: handles %v", ex.URI, handles)
		}
	}
}

func TestMapFollowListsAndIDs(t *testing.T) {
	for file, want := range map[string][]string{
		"testgetfollowers.json": {"jessicagarson", "Harmon758"},
		"testgetfriends.json":   {"suhemparack", "andypiper", "jessicagarson", "Harmon758", "Harmon758Public", "TwitterAPI", "TwitterDev"},
	} {
		var page struct {
			Users []json.RawMessage `json:"users"`
		}
		if err := json.Unmarshal(fixture(t, file)[0].Body, &page); err != nil {
			t.Fatal(err)
		}
		var bl schema.Builder
		var got []string
		for _, u := range page.Users {
			id, err := MapUser(u, &bl)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, node(t, bl.Batch(), id).Account.Handle)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", file, got, want)
		}
	}

	owner := AccountID("1072250532645998596")
	for file, c := range map[string]struct {
		dir schema.Direction
		n   int
	}{
		"testgetfollowerids.json": {schema.In, 2}, "testgetfriendids.json": {schema.Out, 7},
		"testcursorcursoritems.json": {schema.Out, 7}, "testcursorcursorpages.json": {schema.Out, 7},
	} {
		var page struct {
			IDs idList `json:"ids"`
		}
		if err := json.Unmarshal(fixture(t, file)[0].Body, &page); err != nil {
			t.Fatal(err)
		}
		var bl schema.Builder
		mapFollowIDs(owner, page.IDs, c.dir, &bl)
		b := bl.Batch()
		if len(b.Edges) != c.n || len(b.Nodes) != c.n+1 {
			t.Errorf("%s: %d edges, %d nodes", file, len(b.Edges), len(b.Nodes))
		}
		// 857699969263964161 > 2^53: it must survive to the last digit.
		if c.n == 7 && !hasEdge(b, owner, schema.EdgeFollows, AccountID("857699969263964161")) {
			t.Errorf("%s: edges %v", file, b.Edges)
		}
		if c.n == 2 && !hasEdge(b, AccountID("15772978"), schema.EdgeFollows, owner) {
			t.Errorf("%s: edges %v", file, b.Edges)
		}
	}
}

func TestMapEmptyFavoritesAndIDCursorPages(t *testing.T) {
	if b, ids := mapTweets(t, fixture(t, "testgetfavorites.json")[0].Body); len(ids) != 0 || b.Len() != 0 {
		t.Errorf("empty favorites mapped to %d records", b.Len())
	}
	pages := fixture(t, "testidcursorpages.json")
	_, first := mapTweets(t, pages[0].Body)
	_, second := mapTweets(t, pages[1].Body)
	// The recorded walk: the second request asked for max_id = first id − 1.
	if first[0] != "twitter:post:1149868110373171201" || second[0] != "twitter:post:1149867886946783232" ||
		!containsStr(pages[1].URI, "max_id=1149868110373171200") {
		t.Errorf("pages %v %v %s", first, second, pages[1].URI)
	}
	_, items := mapTweets(t, fixture(t, "testidcursoritems.json")[0].Body)
	if len(items) != 10 {
		t.Errorf("%d items", len(items))
	}
}

func TestRateLimitHeadersOfFixtures(t *testing.T) {
	for _, file := range []string{"testgetfollowerids.json", "testusertimeline.json", "testratelimitstatus.json"} {
		ex := fixture(t, file)[0]
		h := http.Header{}
		for k, v := range ex.Headers {
			h.Set(k, v)
		}
		rl, ok := importer.TwitterLimits(h, time.Unix(0, 0))
		if !ok || rl.Limit == 0 || rl.Reset.Unix() == 0 || rl.Remaining > rl.Limit {
			t.Errorf("%s: %+v %v", file, rl, ok)
		}
	}
	var status struct {
		Resources map[string]map[string]struct {
			Limit int `json:"limit"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(fixture(t, "testratelimitstatus.json")[0].Body, &status); err != nil {
		t.Fatal(err)
	}
	if got := status.Resources["followers"]["/followers/ids"].Limit; got != 15 {
		t.Errorf("followers/ids limit %d, want 15", got)
	}
}

func TestMapRejectsBadInput(t *testing.T) {
	var bl schema.Builder
	for _, in := range []string{`{`, `{"id_str":""}`, `{"id_str":"1","created_at":"yesterday","user":{"id_str":"2"}}`, `{"id_str":"1","created_at":"Sat Jul 13 05:33:14 +0000 2019"}`} {
		if _, err := MapTweet(json.RawMessage(in), &bl); err == nil {
			t.Errorf("MapTweet(%s) accepted", in)
		}
	}
}

func mustUserID(t *testing.T, b schema.Batch, handle string) string {
	for _, n := range b.Nodes {
		if n.Account != nil && !n.Ref && n.Account.Handle == handle {
			_, _, id, _ := schema.ParseID(n.ID)
			return id
		}
	}
	t.Fatalf("no account %s", handle)
	return ""
}

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }

func TestMapQuoteAndHTMLEntities(t *testing.T) {
	const raw = `{"id_str":"9007199254740993","created_at":"Fri Feb 24 06:58:32 +0000 2023",
	 "full_text":"Tom &amp; Jerry &lt;3 https://t.co/abc","lang":"en",
	 "entities":{"hashtags":[],"user_mentions":[],"urls":[{"url":"https://t.co/abc","expanded_url":"https://example.com/a?b=1&c=2","display_url":"example.com/a"}]},
	 "user":{"id_str":"9007199254740995","screen_name":"Alice","name":"Alice &amp; Co","created_at":"Mon Dec 10 22:03:43 +0000 2018"},
	 "is_quote_status":true,"quoted_status_id_str":"9007199254740997",
	 "quoted_status":{"id_str":"9007199254740997","created_at":"Thu Feb 23 06:58:32 +0000 2023","full_text":"the original",
	   "entities":{"hashtags":[{"text":"GoLang"}],"user_mentions":[],"urls":[]},
	   "user":{"id_str":"42","screen_name":"bob","name":"Bob","created_at":"Mon Dec 10 22:03:43 +0000 2018"}}}`
	var bl schema.Builder
	id, err := MapTweet(json.RawMessage(raw), &bl)
	if err != nil {
		t.Fatal(err)
	}
	b := bl.Batch()
	// 9007199254740993 is 2^53+1: through float64 it would become ...992.
	if id != "twitter:post:9007199254740993" {
		t.Fatalf("id %s", id)
	}
	p := node(t, b, id)
	if p.Post.Text != "Tom & Jerry <3 https://example.com/a?b=1&c=2" || p.Post.Quotes != "twitter:post:9007199254740997" {
		t.Errorf("post = %+v", *p.Post)
	}
	if a := node(t, b, "twitter:account:9007199254740995"); a.Account.DisplayName != "Alice & Co" {
		t.Errorf("display name %q", a.Account.DisplayName)
	}
	q := node(t, b, "twitter:post:9007199254740997")
	if q.Ref || q.Post.Text != "the original" || q.Post.AuthorHandle != "bob" || !slices.Equal(q.Post.Hashtags, []string{"golang"}) {
		t.Errorf("quoted post = %+v", q)
	}
	for _, e := range [][3]string{
		{id, "quotes", q.ID}, {q.ID, "tagged", "twitter:tag:golang"}, {"twitter:account:42", "authored", q.ID},
		{id, "links_to", "twitter:link:https://example.com/a?b=1&c=2"},
	} {
		if !hasEdge(b, e[0], schema.EdgeKind(e[1]), e[2]) {
			t.Errorf("missing edge %v", e)
		}
	}
}
