package twittertest_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

func TestWorldConsistency(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: epoch}
	w := twittertest.NewWorld(smallConfig(30, clock.Now))
	owner := w.Owner()
	if owner.ScreenName != "demo_user" {
		t.Fatalf("handle %q", owner.ScreenName)
	}
	users := append([]string{owner.IDStr}, w.FriendIDs(owner.IDStr)...)
	users = append(users, w.FollowerIDs(owner.IDStr)[:50]...)
	counts := map[string]int{}
	var langs []string
	for _, uid := range users {
		u := w.User(uid)
		if u == nil || u.IDStr != uid {
			t.Fatalf("user %s", uid)
		}
		if w.UserByScreenName(strings.ToUpper(u.ScreenName)) != u {
			t.Fatalf("screen name lookup of %s", u.ScreenName)
		}
		if len(u.ScreenName) > 15 || u.Created.After(epoch) {
			t.Fatalf("user %+v", u)
		}
		tl := w.Tweets(uid)
		if len(tl) != u.StatusesCount {
			t.Fatalf("%s: %d tweets, statuses_count %d", u.ScreenName, len(tl), u.StatusesCount)
		}
		rts := map[string]bool{}
		for i, tw := range tl {
			id, _ := strconv.ParseInt(tw.IDStr, 10, 64)
			if id <= 1<<53 {
				t.Fatalf("id %s not above 2^53", tw.IDStr)
			}
			if tw.UserID != uid || w.Tweet(tw.IDStr) != tw {
				t.Fatalf("tweet %s not found by id", tw.IDStr)
			}
			if tw.Created.Before(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) || tw.Created.After(epoch) {
				t.Fatalf("tweet %s created %v", tw.IDStr, tw.Created)
			}
			if i > 0 && (tl[i-1].Created.Before(tw.Created) || tl[i-1].IDStr <= tw.IDStr && len(tl[i-1].IDStr) == len(tw.IDStr)) {
				t.Fatalf("timeline of %s not newest first at %d", u.ScreenName, i)
			}
			switch {
			case tw.RetweetOf != nil:
				counts["rt"]++
				o := tw.RetweetOf
				// (Retweeting one's own tweet is allowed, and happens.)
				if o.RetweetOf != nil || w.Tweet(o.IDStr) != o || !o.Created.Before(tw.Created) {
					t.Fatalf("retweet %s of %s: %v %v %v", tw.IDStr, o.IDStr, o.RetweetOf != nil, w.Tweet(o.IDStr) != o, !o.Created.Before(tw.Created))
				}
				if rts[o.IDStr] {
					t.Fatalf("%s retweeted %s twice", u.ScreenName, o.IDStr)
				}
				rts[o.IDStr] = true
				if !strings.HasPrefix(tw.Text, "RT @"+w.User(o.UserID).ScreenName+": ") || utf8.RuneCountInString(tw.Text) > 140 {
					t.Fatalf("retweet text %q", tw.Text)
				}
			case tw.QuotedIDStr != "":
				counts["quote"]++
				q := w.Tweet(tw.QuotedIDStr)
				if q != tw.QuoteOf {
					t.Fatalf("quote %s: QuoteOf %v, world %v", tw.IDStr, tw.QuoteOf, q)
				}
				if q == nil {
					counts["deleted quote"]++
				} else if !q.Created.Before(tw.Created) {
					t.Fatal("quoted tweet is newer")
				}
			case tw.ReplyToStatusID != "":
				counts["reply"]++
				to := w.Tweet(tw.ReplyToStatusID)
				switch {
				case to == nil:
					counts["dangling"]++
					if w.User(tw.ReplyToUserID) != nil {
						t.Fatalf("dangling reply %s to an existing account", tw.IDStr)
					}
				case to.UserID != tw.ReplyToUserID || !to.Created.Before(tw.Created) || to.RetweetOf != nil:
					t.Fatalf("reply %s to %s", tw.IDStr, to.IDStr)
				case to.UserID == uid:
					counts["thread"]++
				}
				if to == nil || to.UserID != uid {
					if !strings.HasPrefix(tw.Text, "@"+tw.ReplyToScreenName+" ") {
						t.Fatalf("reply text %q to %s", tw.Text, tw.ReplyToScreenName)
					}
				}
			}
			gone := tw.ReplyToUserID // the account of a dangling reply is gone
			if tw.RetweetOf != nil {
				gone = tw.RetweetOf.ReplyToUserID
			}
			for _, m := range tw.Mentions {
				if w.User(m) == nil && m != gone {
					t.Fatalf("mention of unknown %s in %s", m, tw.IDStr)
				}
			}
			for _, m := range tw.Media {
				counts[m.Type]++
			}
			if strings.Contains(tw.Text, "&amp;") || strings.Contains(tw.Text, "&lt;") {
				counts["html entity"]++
			}
			if tw.RetweetOf == nil {
				langs = append(langs, tw.Lang)
			}
		}
	}
	for _, k := range []string{"rt", "quote", "deleted quote", "reply", "dangling", "thread", "photo", "video", "animated_gif", "html entity"} {
		if counts[k] == 0 {
			t.Errorf("no %s in the world: %v", k, counts)
		}
	}
	for _, l := range []string{"en", "de", "ja"} {
		if !slices.Contains(langs, l) {
			t.Errorf("no tweet in %s", l)
		}
	}
	// Likes: distinct, existing, newest first, not retweets.
	likes := w.Likes(owner.IDStr)
	seen := map[string]bool{}
	for i, l := range likes {
		if seen[l.IDStr] || w.Tweet(l.IDStr) != l || l.RetweetOf != nil || i > 0 && likes[i-1].Created.Before(l.Created) {
			t.Fatalf("like %d: %s", i, l.IDStr)
		}
		seen[l.IDStr] = true
	}
	if w.Likes(users[1]) != nil || w.User("1") != nil || w.Tweet("12") != nil || w.Tweets("1") != nil {
		t.Fatal("unknown ids found something")
	}
}

func TestWorldDefaults(t *testing.T) {
	t.Parallel()
	w := twittertest.NewWorld(twittertest.WorldConfig{Seed: 3, OwnTweets: 10, Followers: 2, Followings: 2, Protected: 5, Suspended: 5, Likes: 5})
	o := w.Owner()
	if o.ScreenName != "demo_user" || len(w.Tweets(o.IDStr)) != 10 {
		t.Fatalf("%s %d", o.ScreenName, len(w.Tweets(o.IDStr)))
	}
	oldest := w.Tweets(o.IDStr)[9].Created
	if d := time.Since(oldest); d < 3*360*24*time.Hour || d > 3*370*24*time.Hour {
		t.Fatalf("oldest tweet %v, want about three years ago", oldest)
	}
	n := 0
	for _, id := range w.FriendIDs(o.IDStr) {
		if u := w.User(id); u.Protected || u.Suspended {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d protected or suspended of 2 followings", n)
	}
	// An empty world works.
	e := twittertest.NewWorld(twittertest.WorldConfig{})
	if len(e.Tweets(e.Owner().IDStr)) != 0 || len(e.FollowerIDs(e.Owner().IDStr)) != 0 {
		t.Fatal("empty world")
	}
}
