// Package archivetest writes synthetic Twitter/X archives, as a zip or as
// an extracted folder, in the layouts real archives have had, for the
// tests of the twitter-archive importer, its benchmark and `podimport demo`.
//
// An Archive is the data (the owner, tweets, likes, followers,
// followings); Options say how to lay it out:
//
//   - Current: data/tweets.js, `window.YTD.tweets.part0 = [...]`, each item
//     wrapped in {"tweet": …}, media in data/tweets_media.
//   - Split: the tweets spread over data/tweets.js, data/tweets-part1.js,
//     … (YTD.tweets.part1, …), every part listed in the manifest.
//   - Old: data/tweet.js, `window.YTD.tweet.part0`, media in
//     data/tweet_media, the manifest's data type "tweet".
//   - Unwrapped: data/tweets.js whose items are the bare tweet objects.
//
// Files are written the way the archive writes them: pretty-printed with
// `"key" : value`, numbers and ids as strings, no user object and no
// retweeted_status (a retweet is "RT @user: …" with the retweeted
// account among its user_mentions and source_status_id_str on its media),
// media files named "<tweet id>-<basename of media_url>" (a video's after
// its mp4).
//
// FromWorld makes the archive of a twittertest.World's owner, with the
// very tweets (ids, texts, entities) the fake API serves, so that a test
// can import the same account from both. Synthetic generates any number of
// tweets lazily, for benchmarks.
package archivetest

import (
	"iter"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

// Archive is the content of an archive.
type Archive struct {
	Owner     Account
	Generated time.Time // archiveInfo.generationDate
	// Tweets yields the owner's tweets, newest first; NumTweets is how many
	// it yields (the manifest's count, and how Split divides them).
	Tweets    iter.Seq[Tweet]
	NumTweets int
	Followers []string // account ids
	Following []string // account ids
	Likes     []Like
}

// Account is the owner: account.js, profile.js and the manifest's userInfo.
type Account struct {
	ID          string
	Handle      string
	DisplayName string
	Email       string
	CreatedVia  string
	Created     time.Time
	Bio         string
	Website     string // as profile.js has it: usually a t.co link
	Location    string
	AvatarURL   string // full size; the file is data/profile_media/<id>-<basename>
	HeaderURL   string
}

// Tweet is one item of tweets.js, before it is laid out.
type Tweet struct {
	ID                string
	Created           time.Time
	FullText          string // as the archive has it: HTML-escaped, with t.co links
	Lang              string
	Source            string // the HTML link
	ReplyToStatusID   string
	ReplyToUserID     string
	ReplyToScreenName string
	Hashtags          []string
	Mentions          []Mention
	URLs              []URL
	Media             []Media
	FavoriteCount     int
	RetweetCount      int
	Retweeted         bool
	Favorited         bool
}

// Mention is a user_mentions entity.
type Mention struct {
	ID         string
	ScreenName string
	Name       string
}

// URL is a urls entity.
type URL struct {
	URL         string // t.co
	ExpandedURL string
	DisplayURL  string
}

// Media is a media entity (of extended_entities).
type Media struct {
	ID          string
	Type        string // photo, video, animated_gif
	MediaURL    string // https://pbs.twimg.com/...
	URL         string // the t.co link in the text
	DisplayURL  string
	ExpandedURL string
	Width       int // of the original; sizes are derived as the API does
	Height      int
	VideoURL    string // video and animated_gif: the mp4 the file is named after
	// SourceStatusID and SourceUserID name the original of a retweet's media.
	SourceStatusID string
	SourceUserID   string
	// NoFile: the archive has no file for it (a retweet's media).
	NoFile bool
}

// Like is an item of like.js.
type Like struct {
	TweetID  string
	FullText string
}

// FileName is the media file's name in the tweets media folder:
// "<tweet id>-<basename>" of the mp4 for a video or GIF, else of media_url.
func (m Media) FileName(tweetID string) string {
	u := m.MediaURL
	if m.VideoURL != "" {
		u = m.VideoURL
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return tweetID + "-" + u[strings.LastIndexByte(u, '/')+1:]
}

// AvatarFileName is the avatar's name in data/profile_media.
func (a Account) AvatarFileName() string {
	u := a.AvatarURL
	return a.ID + "-" + u[strings.LastIndexByte(u, '/')+1:]
}

// FromWorld returns the archive of w's owner as of generated: every tweet
// of the owner (not only the 3,200 the API serves), followers, followings
// and likes. Media files of the owner's own tweets are in the archive; a
// retweet's media are not (they are the original's).
func FromWorld(w *twittertest.World, generated time.Time) *Archive {
	o := w.Owner()
	tweets := w.Tweets(o.IDStr)
	a := &Archive{
		Owner: Account{
			ID: o.IDStr, Handle: o.ScreenName, DisplayName: o.Name,
			Email: strings.ToLower(o.ScreenName) + "@example.com", CreatedVia: "web",
			Created: o.Created, Bio: o.Description, Website: o.URL, Location: o.Location,
			AvatarURL: strings.Replace(o.ProfileImageURL, "_normal.", ".", 1),
			HeaderURL: o.ProfileBannerURL,
		},
		Generated: generated.UTC(),
		NumTweets: len(tweets),
		Followers: w.FollowerIDs(o.IDStr),
		Following: w.FriendIDs(o.IDStr),
	}
	conv := make([]Tweet, len(tweets))
	for i, t := range tweets {
		conv[i] = tweetOf(w, t)
	}
	a.Tweets = slices.Values(conv)
	for _, t := range w.Likes(o.IDStr) {
		a.Likes = append(a.Likes, Like{TweetID: t.IDStr, FullText: t.Text})
	}
	return a
}

var atHandle = regexp.MustCompile(`@(\w+)`)

// tweetOf converts a world tweet to the archive's view of it.
func tweetOf(w *twittertest.World, t *twittertest.Tweet) Tweet {
	at := Tweet{
		ID: t.IDStr, Created: t.Created, FullText: t.Text, Lang: t.Lang, Source: t.Source,
		ReplyToStatusID: t.ReplyToStatusID, ReplyToUserID: t.ReplyToUserID, ReplyToScreenName: t.ReplyToScreenName,
		Hashtags: t.Hashtags, FavoriteCount: t.FavoriteCount, RetweetCount: t.RetweetCount,
		Retweeted: t.RetweetOf != nil,
	}
	// The world exports mentions as ids, in the order of the text's
	// @handles; accounts that are gone are named by the text alone.
	handles := atHandle.FindAllStringSubmatch(t.Text, -1)
	for i, id := range t.Mentions {
		m := Mention{ID: id}
		if u := w.User(id); u != nil {
			m.ScreenName, m.Name = u.ScreenName, u.Name
		} else if id == t.ReplyToUserID {
			m.ScreenName = t.ReplyToScreenName
		} else if i < len(handles) {
			m.ScreenName = handles[i][1]
		}
		at.Mentions = append(at.Mentions, m)
	}
	for _, u := range t.URLs {
		at.URLs = append(at.URLs, URL{URL: u.URL, ExpandedURL: u.ExpandedURL, DisplayURL: u.DisplayURL})
	}
	for _, m := range t.Media {
		am := Media{ID: m.IDStr, Type: m.Type, MediaURL: m.MediaURL, URL: m.URL, DisplayURL: m.DisplayURL,
			ExpandedURL: m.ExpandedURL, Width: m.Width, Height: m.Height}
		best := -2
		for _, v := range m.Variants {
			if v.ContentType == "video/mp4" && v.Bitrate > best {
				best, am.VideoURL = v.Bitrate, v.URL
			}
		}
		if t.RetweetOf != nil {
			am.SourceStatusID, am.SourceUserID, am.NoFile = t.RetweetOf.IDStr, t.RetweetOf.UserID, true
		}
		at.Media = append(at.Media, am)
	}
	return at
}
