package twitterarchive_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// A small hand-made archive: one tweet of each kind the importer treats
// differently.
func smallArchive() *archivetest.Archive {
	at := func(day int) time.Time { return time.Date(2023, 2, day, 6, 58, 32, 0, time.UTC) }
	alice := archivetest.Mention{ID: "111", ScreenName: "alice", Name: "Alice &amp; Co"}
	bob := archivetest.Mention{ID: "222", ScreenName: "bob", Name: "Bob"}
	carol := archivetest.Mention{ID: "333", ScreenName: "carol", Name: "Carol"}
	web := `<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>`
	ts := []archivetest.Tweet{
		{ // a quote: the link to the quoted tweet is its last url
			ID: "1629000000000000005", Created: at(5), Lang: "en", Source: web,
			FullText: "So true https://t.co/q1",
			URLs: []archivetest.URL{{URL: "https://t.co/q1", ExpandedURL: "https://twitter.com/bob/status/1628000000000000001",
				DisplayURL: "twitter.com/bob/status/16…"}},
		},
		{ // a retweet the archive cannot trace to its original
			ID: "1629000000000000004", Created: at(4), Lang: "en", Source: web, Retweeted: true,
			FullText: "RT @carol: Something &amp; else", Mentions: []archivetest.Mention{carol}, RetweetCount: 3,
		},
		{ // a retweet whose media name the original
			ID: "1629000000000000003", Created: at(3), Lang: "en", Source: web, Retweeted: true,
			FullText: "RT @alice: Look #GoLang https://t.co/m3", Mentions: []archivetest.Mention{alice}, Hashtags: []string{"GoLang"},
			Media: []archivetest.Media{{ID: "1628000000000000903", Type: "photo", MediaURL: "https://pbs.twimg.com/media/Rt.jpg",
				URL: "https://t.co/m3", DisplayURL: "pic.twitter.com/m3", ExpandedURL: "https://twitter.com/alice/status/1628000000000000777/photo/1",
				Width: 4096, Height: 2048, SourceStatusID: "1628000000000000777", SourceUserID: "111", NoFile: true}},
		},
		{ // a reply
			ID: "1629000000000000002", Created: at(2), Lang: "en", Source: web,
			FullText: "@bob thanks &lt;3", Mentions: []archivetest.Mention{bob},
			ReplyToStatusID: "1628000000000000001", ReplyToUserID: "222", ReplyToScreenName: "bob", FavoriteCount: 1,
		},
		{ // tags, a mention, a link and a photo
			ID: "1629000000000000001", Created: at(1), Lang: "en", Source: web,
			FullText: "Reading about #Go &amp; #golang with @alice https://t.co/l1 https://t.co/p1",
			Hashtags: []string{"Go", "golang"}, Mentions: []archivetest.Mention{alice},
			URLs: []archivetest.URL{{URL: "https://t.co/l1", ExpandedURL: "https://go.dev/blog", DisplayURL: "go.dev/blog"}},
			Media: []archivetest.Media{{ID: "1629000000000000901", Type: "photo", MediaURL: "https://pbs.twimg.com/media/Abc.jpg",
				URL: "https://t.co/p1", DisplayURL: "pic.twitter.com/p1", ExpandedURL: "https://twitter.com/Ada_L/status/1629000000000000001/photo/1",
				Width: 1200, Height: 675}},
			FavoriteCount: 12, RetweetCount: 2,
		},
		{ // a video, whose file is named after the mp4
			ID: "1629000000000000000", Created: at(1).Add(-time.Hour), Lang: "und", Source: web,
			FullText: "https://t.co/v1",
			Media: []archivetest.Media{{ID: "1629000000000000900", Type: "video",
				MediaURL: "https://pbs.twimg.com/ext_tw_video_thumb/1629000000000000900/pu/img/Thumb.jpg",
				VideoURL: "https://video.twimg.com/ext_tw_video/1629000000000000900/pu/vid/1280x720/Clip.mp4?tag=12",
				URL:      "https://t.co/v1", DisplayURL: "pic.twitter.com/v1", Width: 1280, Height: 720}},
		},
	}
	return &archivetest.Archive{
		Owner: archivetest.Account{ID: "1000", Handle: "Ada_L", DisplayName: "Ada L.", Email: "ada@example.com",
			Created: time.Date(2011, 6, 23, 13, 4, 14, 0, time.UTC), Bio: "Engines &amp; notes", Website: "https://t.co/site123",
			Location: "London", AvatarURL: "https://pbs.twimg.com/profile_images/1/ada.jpg"},
		Generated: gen,
		Tweets:    slices.Values(ts),
		NumTweets: len(ts),
		Followers: []string{"11", "12"},
		Following: []string{"12", "13"},
		Likes:     []archivetest.Like{{TweetID: "1628000000000000555", FullText: "Liked &amp; loved https://t.co/zz"}},
	}
}

func i64(v int64) *int64 { return &v }

func TestExactNodesAndEdges(t *testing.T) {
	h := newHarness(t)
	h.mustImport(writeZip(t, smallArchive(), archivetest.Options{}))

	day := func(d int) time.Time { return time.Date(2023, 2, d, 6, 58, 32, 0, time.UTC) }
	src := []string{"twitter-archive"}
	owner := "twitter:account:1000"
	post := func(id string, p schema.Post) schema.Node {
		p.Author, p.AuthorHandle, p.SourceApp = owner, "Ada_L", "Twitter Web App"
		if p.Lang == "" {
			p.Lang = "en"
		}
		if p.LikeCount == nil {
			p.LikeCount = i64(0)
		}
		if p.RepostCount == nil {
			p.RepostCount = i64(0)
		}
		return schema.Node{ID: "twitter:post:" + id, Kind: schema.KindPost, Platform: "twitter", Sources: src, Post: &p}
	}
	ref := func(id string) schema.Node {
		n := schema.Ref(id)
		return n
	}
	refAccount := func(id, handle, name string) schema.Node {
		n := ref("twitter:account:" + id)
		if handle != "" {
			n.Account = &schema.Account{Handle: handle, DisplayName: name}
		}
		return n
	}
	want := []schema.Node{
		{ID: owner, Kind: schema.KindAccount, Platform: "twitter", Sources: src, Account: &schema.Account{
			Handle: "Ada_L", DisplayName: "Ada L.", Bio: "Engines & notes", Location: "London",
			URL: "https://t.co/site123", Avatar: "https://pbs.twimg.com/profile_images/1/ada.jpg",
			AvatarBlob: shaHex(archivetest.MediaContent("avatar:1000", 0)),
			Created:    time.Date(2011, 6, 23, 13, 4, 14, 0, time.UTC)}},
		refAccount("11", "", ""),
		refAccount("111", "alice", "Alice & Co"),
		refAccount("12", "", ""),
		refAccount("13", "", ""),
		refAccount("222", "bob", "Bob"),
		refAccount("333", "carol", "Carol"),
		{ID: "twitter:link:https://go.dev/blog", Kind: schema.KindLink, Platform: "twitter", Sources: src,
			Link: &schema.Link{URL: "https://go.dev/blog", Display: "go.dev/blog"}},
		{ID: "twitter:link:https://twitter.com/bob/status/1628000000000000001", Kind: schema.KindLink, Platform: "twitter", Sources: src,
			Link: &schema.Link{URL: "https://twitter.com/bob/status/1628000000000000001", Display: "twitter.com/bob/status/16…"}},
		{ID: "twitter:media:1628000000000000903", Kind: schema.KindMedia, Platform: "twitter", Sources: src,
			Media: &schema.Media{Type: "photo", URL: "https://pbs.twimg.com/media/Rt.jpg", Width: 2048, Height: 1024}},
		{ID: "twitter:media:1629000000000000900", Kind: schema.KindMedia, Platform: "twitter", Sources: src,
			Media: &schema.Media{Type: "video", URL: "https://pbs.twimg.com/ext_tw_video_thumb/1629000000000000900/pu/img/Thumb.jpg",
				Width: 1280, Height: 720, Blob: shaHex(archivetest.MediaContent("1629000000000000900", 0))}},
		{ID: "twitter:media:1629000000000000901", Kind: schema.KindMedia, Platform: "twitter", Sources: src,
			Media: &schema.Media{Type: "photo", URL: "https://pbs.twimg.com/media/Abc.jpg", Width: 1200, Height: 675,
				Blob: shaHex(archivetest.MediaContent("1629000000000000901", 0))}},
		ref("twitter:post:1628000000000000001"),
		func() schema.Node {
			n := ref("twitter:post:1628000000000000555")
			n.Post = &schema.Post{Text: "Liked & loved https://t.co/zz"}
			return n
		}(),
		func() schema.Node {
			n := ref("twitter:post:1628000000000000777")
			n.Post = &schema.Post{Author: "twitter:account:111", AuthorHandle: "alice"}
			return n
		}(),
		post("1629000000000000000", schema.Post{Text: "", Created: day(1).Add(-time.Hour), Lang: "und",
			Media: []string{"twitter:media:1629000000000000900"}}),
		post("1629000000000000001", schema.Post{Text: "Reading about #Go & #golang with @alice https://go.dev/blog", Created: day(1),
			LikeCount: i64(12), RepostCount: i64(2), Hashtags: []string{"go", "golang"}, Mentions: []string{"alice"},
			URLs: []string{"https://go.dev/blog"}, Media: []string{"twitter:media:1629000000000000901"}}),
		post("1629000000000000002", schema.Post{Text: "@bob thanks <3", Created: day(2), LikeCount: i64(1),
			ReplyTo: "twitter:post:1628000000000000001", ReplyToHandle: "bob", Mentions: []string{"bob"}}),
		post("1629000000000000003", schema.Post{Text: "RT @alice: Look #GoLang", Created: day(3),
			RepostOf: "twitter:post:1628000000000000777", Hashtags: []string{"golang"},
			Media: []string{"twitter:media:1628000000000000903"}}),
		post("1629000000000000004", schema.Post{Text: "RT @carol: Something & else", Created: day(4), RepostCount: i64(3)}),
		post("1629000000000000005", schema.Post{Text: "So true https://twitter.com/bob/status/1628000000000000001", Created: day(5),
			Quotes: "twitter:post:1628000000000000001", URLs: []string{"https://twitter.com/bob/status/1628000000000000001"}}),
		{ID: "twitter:tag:go", Kind: schema.KindTag, Platform: "twitter", Sources: src, Tag: &schema.Tag{Name: "go"}},
		{ID: "twitter:tag:golang", Kind: schema.KindTag, Platform: "twitter", Sources: src, Tag: &schema.Tag{Name: "golang"}},
	}
	var got []schema.Node
	var edges []string
	h.withStore(func(s *store.Store) {
		if err := s.ForEachNode(func(n schema.Node) error {
			if n.Raw != nil && (len(n.Raw) != 1 || !json.Valid(n.Raw["twitter-archive"])) {
				t.Errorf("node %s: raw JSON %v, want the archive's item under \"twitter-archive\"", n.ID, n.Raw)
			}
			if !n.Ref && n.Raw == nil && n.Kind == schema.KindPost {
				t.Errorf("post %s has no raw JSON", n.ID)
			}
			got = append(got, n)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.ForEachEdge(func(e schema.Edge) error {
			edges = append(edges, fmt.Sprintf("%s %s %s %s %s", e.From, e.Kind, e.To,
				e.FirstSeen.Format(time.DateTime), e.LastSeen.Format(time.DateTime)))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(schema.Node{}, "Raw")); d != "" {
		t.Errorf("nodes (-want +got):\n%s", d)
	}

	g, c := gen.Format(time.DateTime), func(d int) string { return day(d).Format(time.DateTime) }
	wantEdges := []string{
		"twitter:account:1000 authored twitter:post:1629000000000000000 " + day(1).Add(-time.Hour).Format(time.DateTime) + " " + g,
		"twitter:account:1000 authored twitter:post:1629000000000000001 " + c(1) + " " + g,
		"twitter:account:1000 authored twitter:post:1629000000000000002 " + c(2) + " " + g,
		"twitter:account:1000 authored twitter:post:1629000000000000003 " + c(3) + " " + g,
		"twitter:account:1000 authored twitter:post:1629000000000000004 " + c(4) + " " + g,
		"twitter:account:1000 authored twitter:post:1629000000000000005 " + c(5) + " " + g,
		"twitter:account:1000 follows twitter:account:12 " + g + " " + g,
		"twitter:account:1000 follows twitter:account:13 " + g + " " + g,
		"twitter:account:1000 likes twitter:post:1628000000000000555 " + g + " " + g,
		"twitter:account:11 follows twitter:account:1000 " + g + " " + g,
		"twitter:account:12 follows twitter:account:1000 " + g + " " + g,
		// The original of the retweet has its content, as from the API.
		"twitter:post:1628000000000000777 has_media twitter:media:1628000000000000903 " + c(3) + " " + g,
		"twitter:post:1628000000000000777 tagged twitter:tag:golang " + c(3) + " " + g,
		"twitter:post:1629000000000000000 has_media twitter:media:1629000000000000900 " + day(1).Add(-time.Hour).Format(time.DateTime) + " " + g,
		"twitter:post:1629000000000000001 has_media twitter:media:1629000000000000901 " + c(1) + " " + g,
		"twitter:post:1629000000000000001 links_to twitter:link:https://go.dev/blog " + c(1) + " " + g,
		"twitter:post:1629000000000000001 mentions twitter:account:111 " + c(1) + " " + g,
		"twitter:post:1629000000000000001 tagged twitter:tag:go " + c(1) + " " + g,
		"twitter:post:1629000000000000001 tagged twitter:tag:golang " + c(1) + " " + g,
		"twitter:post:1629000000000000002 mentions twitter:account:222 " + c(2) + " " + g,
		"twitter:post:1629000000000000002 reply_to twitter:post:1628000000000000001 " + c(2) + " " + g,
		// Retweets: the retweeted account, and the original when known.
		"twitter:post:1629000000000000003 mentions twitter:account:111 " + c(3) + " " + g,
		"twitter:post:1629000000000000003 repost_of twitter:post:1628000000000000777 " + c(3) + " " + g,
		"twitter:post:1629000000000000004 mentions twitter:account:333 " + c(4) + " " + g,
		"twitter:post:1629000000000000005 links_to twitter:link:https://twitter.com/bob/status/1628000000000000001 " + c(5) + " " + g,
		"twitter:post:1629000000000000005 quotes twitter:post:1628000000000000001 " + c(5) + " " + g,
	}
	if d := cmp.Diff(wantEdges, edges); d != "" {
		t.Errorf("edges (-want +got):\n%s", d)
	}

	// The raw JSON is the archive's item, numbers as strings, the wrapper
	// gone; account.js keeps no e-mail address.
	p := h.node("twitter:post:1629000000000000001")
	if raw := string(p.Raw["twitter-archive"]); !strings.HasPrefix(raw, `{"edit_info":`) || !strings.Contains(raw, `"favorite_count":"12"`) {
		t.Errorf("raw JSON of a post: %.200s", raw)
	}
	if raw := string(h.node(owner).Raw["twitter-archive"]); strings.Contains(raw, "ada@example.com") || !strings.Contains(raw, `"bio":"Engines &amp; notes"`) {
		t.Errorf("raw JSON of the owner: %s", raw)
	}
}
