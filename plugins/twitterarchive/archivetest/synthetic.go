package archivetest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Synthetic returns the archive of a generated account with n tweets, for
// benchmarks. Tweets are made as they are read, each from its own seed, so
// an archive of any size is written in little memory and the same
// (n, seed, generated) always gives the same archive. About 15% are
// retweets, 15% replies, and a quarter of the rest have one or two photos
// or a video; 10% of the retweets carry the original's photo (no file).
func Synthetic(n int, seed uint64, generated time.Time) *Archive {
	generated = generated.UTC().Truncate(time.Millisecond)
	a := &Archive{
		Owner: Account{
			ID: "1234567890", Handle: "bench_user", DisplayName: "Bench User",
			Email: "bench_user@example.com", CreatedVia: "web",
			Created: generated.AddDate(-12, 0, 0).Truncate(time.Second), Bio: "A generated account &amp; its archive.",
			Website: "https://t.co/bEnChUsEr1", Location: "Berlin",
			AvatarURL: "https://pbs.twimg.com/profile_images/1000000000000000000/benchAvatar.jpg",
		},
		Generated: generated,
		NumTweets: n,
	}
	for k := range 20000 {
		a.Followers = append(a.Followers, strconv.Itoa(20_000_000+k))
	}
	for k := range 2000 {
		a.Following = append(a.Following, strconv.Itoa(30_000_000+k))
	}
	rng := rand.New(rand.NewPCG(seed, 1<<40))
	for k := range min(20000, n+1000) {
		id := synthID(generated.Add(-time.Duration(k)*17*time.Minute), 999)
		a.Likes = append(a.Likes, Like{TweetID: id, FullText: sentence(rng) + " " + sentence(rng)})
	}
	span := 12 * 365 * 24 * time.Hour
	step := span / time.Duration(max(n, 1))
	a.Tweets = func(yield func(Tweet) bool) {
		for i := range n {
			if !yield(synthTweet(seed, i, generated.Add(-time.Duration(i+1)*step).Truncate(time.Second))) {
				return
			}
		}
	}
	return a
}

const twEpoch = 1288834974657

// synthID is a snowflake-like id above 2^53 for a time.
func synthID(t time.Time, low int) string {
	return strconv.FormatInt((t.UnixMilli()-twEpoch+1<<33)<<22|int64(low&0x3fffff), 10)
}

var synthWords = strings.Fields(`the a my our this that new old good great small big quiet loud early late
coffee book train city river code test bug fix release parser garden bike tea music film paper
reading writing shipping fixing watching running walking cooking thinking learning building
today tomorrow again finally still really almost never always maybe &amp; &lt;3 -&gt;
Berlin Tokyo München café naïve 東京 日本語 über straße`)

var synthTags = []string{"golang", "OpenSource", "coffee", "Berlin", "music", "science", "running", "books", "dev", "TIL"}

var synthSources = []string{
	`<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>`,
	`<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>`,
	`<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>`,
}

func sentence(rng *rand.Rand) string {
	n := 4 + rng.IntN(10)
	w := make([]string, n)
	for i := range w {
		w[i] = synthWords[rng.IntN(len(synthWords))]
	}
	return strings.ToUpper(w[0][:1]) + w[0][1:] + " " + strings.Join(w[1:], " ") + "."
}

func tcoLink(rng *rand.Rand) string {
	const alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 10)
	for i := range b {
		b[i] = alpha[rng.IntN(len(alpha))]
	}
	return "https://t.co/" + string(b)
}

func synthUser(k int) Mention {
	return Mention{ID: strconv.Itoa(40_000_000 + k), ScreenName: fmt.Sprintf("user%d", k), Name: fmt.Sprintf("User Nr. %d", k)}
}

func synthTweet(seed uint64, i int, created time.Time) Tweet {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	t := Tweet{
		ID: synthID(created, i), Created: created, Lang: "en",
		Source: synthSources[rng.IntN(len(synthSources))],
	}
	if rng.IntN(5) == 0 {
		t.Lang = "de"
	}
	var b strings.Builder
	roll := rng.Float64()
	switch {
	case roll < 0.15: // a retweet
		u := synthUser(rng.IntN(5000))
		t.Mentions = append(t.Mentions, u)
		body := sentence(rng) + " " + sentence(rng) + " " + sentence(rng)
		full := "RT @" + u.ScreenName + ": " + body
		if utf8.RuneCountInString(full) > 140 {
			full = string([]rune(full)[:139]) + "…"
		}
		t.FullText, t.Retweeted = full, true
		t.RetweetCount = 1 + rng.IntN(50)
		if rng.IntN(10) == 0 {
			orig := synthID(created.Add(-time.Hour), 77)
			link := tcoLink(rng)
			t.FullText += " " + link
			t.Media = []Media{{ID: synthID(created.Add(-time.Hour), 78), Type: "photo",
				MediaURL: "https://pbs.twimg.com/media/Rt" + strconv.Itoa(i) + ".jpg",
				URL:      link, DisplayURL: "pic.twitter.com/" + link[13:],
				ExpandedURL: "https://twitter.com/" + u.ScreenName + "/status/" + orig + "/photo/1",
				Width:       1200, Height: 675, SourceStatusID: orig, SourceUserID: u.ID, NoFile: true}}
		}
		return t
	case roll < 0.30: // a reply
		u := synthUser(rng.IntN(5000))
		t.ReplyToStatusID = synthID(created.Add(-time.Duration(1+rng.IntN(600))*time.Minute), 5)
		t.ReplyToUserID, t.ReplyToScreenName = u.ID, u.ScreenName
		t.Mentions = append(t.Mentions, u)
		b.WriteString("@" + u.ScreenName + " ")
	}
	b.WriteString(sentence(rng))
	if rng.IntN(3) == 0 {
		b.WriteString(" " + sentence(rng))
	}
	if rng.IntN(7) == 0 {
		u := synthUser(rng.IntN(5000))
		t.Mentions = append(t.Mentions, u)
		b.WriteString(" @" + u.ScreenName)
	}
	for range rng.IntN(4) / 2 {
		h := synthTags[rng.IntN(len(synthTags))]
		t.Hashtags = append(t.Hashtags, h)
		b.WriteString(" #" + h)
	}
	if rng.IntN(5) == 0 {
		exp := fmt.Sprintf("https://example.com/posts/%d/a-long-title", rng.IntN(1_000_000))
		u := URL{URL: tcoLink(rng), ExpandedURL: exp, DisplayURL: strings.TrimPrefix(exp, "https://")[:26] + "…"}
		t.URLs = append(t.URLs, u)
		b.WriteString(" " + u.URL)
	}
	if t.ReplyToStatusID == "" && rng.IntN(4) == 0 {
		link := tcoLink(rng)
		b.WriteString(" " + link)
		n, typ := 1+rng.IntN(2), "photo"
		if rng.IntN(5) == 0 {
			n, typ = 1, "video"
		}
		for k := range n {
			m := Media{ID: synthID(created, i*4+k+1), Type: typ, URL: link,
				DisplayURL: "pic.twitter.com/" + link[13:], Width: 1600, Height: 900}
			m.MediaURL = fmt.Sprintf("https://pbs.twimg.com/media/S%d_%d.jpg", i, k)
			m.ExpandedURL = "https://twitter.com/bench_user/status/" + t.ID + "/photo/1"
			if typ == "video" {
				m.MediaURL = fmt.Sprintf("https://pbs.twimg.com/ext_tw_video_thumb/%s/pu/img/V%d.jpg", m.ID, i)
				m.VideoURL = fmt.Sprintf("https://video.twimg.com/ext_tw_video/%s/pu/vid/1280x720/V%d.mp4?tag=12", m.ID, i)
				m.ExpandedURL = "https://twitter.com/bench_user/status/" + t.ID + "/video/1"
			}
			t.Media = append(t.Media, m)
		}
	}
	t.FullText = b.String()
	t.FavoriteCount = rng.IntN(100)
	t.RetweetCount = t.FavoriteCount / (1 + rng.IntN(5))
	return t
}
