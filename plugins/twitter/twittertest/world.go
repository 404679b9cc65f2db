package twittertest

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WorldConfig describes the world to generate.
type WorldConfig struct {
	Seed               int64
	Handle             string    // the owner's screen_name; default "demo_user"
	Followers          int       // accounts following the owner
	Followings         int       // accounts the owner follows (about 30% also follow back)
	OwnTweets          int       // tweets in the owner's timeline
	TweetsPerFollowing int       // tweets in each other account's timeline
	Protected          int       // followings that are protected (timeline → 401 "Not authorized.")
	Suspended          int       // followings that are suspended (403 code 63; dropped by users/lookup)
	Likes              int       // tweets the owner liked
	Start              time.Time // time of the oldest tweet; default three years before now

	// Clock is the world's "now": tweets are spread from Start to Clock() at
	// generation, and AddTweets creates tweets at Clock(). Default time.Now.
	// Fix it to get the same world (and byte-identical responses) twice.
	Clock func() time.Time
}

// User is an account of the world. Treat it as read-only.
type User struct {
	IDStr            string
	ScreenName       string
	Name             string
	Description      string // not HTML-escaped (unlike tweet text), as the API sends it
	Location         string
	URL              string // the t.co link of the profile URL; "" when none
	ExpandedURL      string // where URL leads
	Created          time.Time
	Protected        bool
	Suspended        bool
	Verified         bool
	FollowersCount   int
	FriendsCount     int
	ListedCount      int
	FavouritesCount  int
	StatusesCount    int
	ProfileImageURL  string // https, _normal size
	ProfileBannerURL string // "" when none
	DefaultProfile   bool
	DefaultImage     bool

	id         int64
	idx        int
	nBase      int // generated tweets (AddTweets adds more)
	lang       string
	colors     [5]string // background, link, sidebar border, sidebar fill, text
	bgTheme    string    // "theme1/bg.png"
	bgTile     bool
	useBgImage bool
	geo        bool
	extProfile bool
	translator string
}

// URL is a link in a tweet.
type URL struct {
	URL         string // t.co
	ExpandedURL string
	DisplayURL  string
}

// Media is a photo, video or animated GIF attached to a tweet.
type Media struct {
	IDStr          string
	Type           string // "photo", "video" or "animated_gif"
	MediaURL       string // https://pbs.twimg.com/...
	URL            string // the t.co link in the text
	DisplayURL     string
	ExpandedURL    string
	Width, Height  int
	DurationMillis int            // video only
	Variants       []VideoVariant // video and animated_gif
	AspectRatio    [2]int         // video and animated_gif

	id int64
}

// VideoVariant is one encoding of a video.
type VideoVariant struct {
	Bitrate     int // 0 for animated GIFs; -1 for the HLS playlist (no bitrate field)
	ContentType string
	URL         string
}

// Tweet is a status. Treat it as read-only.
type Tweet struct {
	IDStr             string
	UserID            string
	Text              string // full_text as the API sends it (HTML-escaped, t.co links)
	Created           time.Time
	Lang              string
	Source            string
	ReplyToStatusID   string // "" when not a reply; may name a tweet that does not exist
	ReplyToUserID     string
	ReplyToScreenName string
	RetweetOf         *Tweet
	QuoteOf           *Tweet // nil for a quote of a deleted tweet (QuotedIDStr is still set)
	QuotedIDStr       string
	Hashtags          []string
	Mentions          []string // user id_str of each user_mention
	URLs              []URL
	Media             []*Media
	FavoriteCount     int
	RetweetCount      int

	id        int64
	user      *User
	disp      [2]int // display_text_range
	tags      []hashtagEnt
	ments     []mentionEnt
	urls      []urlEnt
	mediaAt   [2]int // indices of the media link; mediaAt[1] == 0: media not in text
	permalink *urlEnt
	replyID   int64
	replyUser int64
	quotedID  int64
	truncLink string // t.co link used when the compat text is truncated
}

type hashtagEnt struct {
	text string
	s, e int
}

type mentionEnt struct {
	id         int64
	screenName string
	name       string
	s, e       int
}

type urlEnt struct {
	URL
	s, e int
}

// Tweet kinds.
const (
	kOriginal uint8 = iota
	kReply
	kRetweet
	kQuote
)

// shape is what a tweet is, decided before its content: its time, its kind
// and what it points at.
type shape struct {
	ms      int64
	kind    uint8
	tu      *User // target author (RT, quote, reply); nil when it is gone
	tk      int   // target's index in tu's generated tweets
	ghost   int   // dangling reply or deleted quote: the gone account
	ghostMs int64 // and the time of its missing tweet
	deleted bool  // quote of a deleted tweet
}

// World is a generated social graph around its owner. All methods are safe
// for concurrent use.
type World struct {
	mu sync.RWMutex

	cfg    WorldConfig
	seed   uint64
	clock  func() time.Time
	genNow int64 // ms
	start  int64 // ms
	span   int64 // ms
	epoch  int64 // ms subtracted in tweet ids

	users  []*User
	byID   map[string]*User
	byName map[string]*User // lower-case screen_name
	owner  *User
	ghosts []*User

	followers   []string // newest follow first
	friends     []string
	followerSet map[string]bool
	friendSet   map[string]bool

	friendPool []*User // public followings: what the owner retweets and likes
	pool       []*User // every public account but the owner
	externals  []*User

	likes     []*Tweet
	likeSet   map[int64]bool
	rtSet     map[int64]bool // originals the owner retweeted
	usedNames map[string]bool
	usedIDs   map[int64]bool

	plans     map[int][]shape
	rtSeen    map[int]map[int64]bool
	cache     map[uint64]*Tweet
	timelines map[int][]*Tweet // newest first
	added     map[int][]*Tweet // AddTweets, oldest first
	lastAdded int64
}

// Tweet ids: ms since w.epoch << 22 | media flag << 21 | author index + 1.
// Media ids put the media's number in bits 19-20 and keep 19 bits of the
// index, which is why a world has fewer than 2^19 accounts.
const (
	twEpoch     = int64(1288834974657) // Twitter's snowflake epoch, ms
	mediaFlag   = int64(1) << 21
	userIdxMask = (int64(1) << 21) - 1
	maxUsers    = 1<<19 - 1
	numGhosts   = 64
	numExternal = 12
	extTweets   = 150
	timelineCap = 3200
)

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rng returns a generator for one stream of the world: stream a, item b.
func (w *World) rng(a, b uint64) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix(w.seed^splitmix(a)), splitmix(b)))
}

const (
	streamUsers  = 1 << 40
	streamGraph  = 2 << 40
	streamLikes  = 3 << 40
	streamGhosts = 4 << 40
	streamTweets = 5 << 40
)

// NewWorld generates a world. Only the accounts and the follow graph are
// built here; timelines are generated on first use.
func NewWorld(cfg WorldConfig) *World {
	n := max(cfg.Followers, 0) + max(cfg.Followings, 0) + numExternal + numGhosts + 1
	w := &World{
		cfg:         cfg,
		seed:        uint64(cfg.Seed),
		clock:       cfg.Clock,
		byID:        make(map[string]*User, n),
		byName:      make(map[string]*User, n),
		followerSet: make(map[string]bool, max(cfg.Followers, 0)),
		friendSet:   make(map[string]bool, max(cfg.Followings, 0)),
		likeSet:     map[int64]bool{},
		rtSet:       map[int64]bool{},
		usedNames:   make(map[string]bool, n),
		usedIDs:     make(map[int64]bool, n),
		plans:       map[int][]shape{},
		rtSeen:      map[int]map[int64]bool{},
		cache:       map[uint64]*Tweet{},
		timelines:   map[int][]*Tweet{},
		added:       map[int][]*Tweet{},
	}
	if w.clock == nil {
		w.clock = time.Now
	}
	if cfg.Handle == "" {
		cfg.Handle = "demo_user"
	}
	for _, p := range []*int{&cfg.Followers, &cfg.Followings, &cfg.OwnTweets, &cfg.TweetsPerFollowing, &cfg.Protected, &cfg.Suspended, &cfg.Likes} {
		*p = max(*p, 0)
	}
	cfg.Protected = min(cfg.Protected, cfg.Followings)
	cfg.Suspended = min(cfg.Suspended, cfg.Followings-cfg.Protected)
	w.cfg = cfg

	now := w.clock().UTC()
	w.genNow = now.UnixMilli()
	start := cfg.Start
	if start.IsZero() {
		start = now.AddDate(-3, 0, 0)
	}
	w.start = start.UnixMilli()
	maxN := int64(max(cfg.OwnTweets, cfg.TweetsPerFollowing, extTweets))
	if w.genNow-w.start < 2*maxN+2 {
		w.start = w.genNow - (2*maxN + 2)
	}
	w.span = w.genNow - w.start
	w.epoch = twEpoch
	if w.start-twEpoch < int64(1)<<33 { // keep every tweet id above 2^53
		w.epoch = w.start - int64(1)<<33
	}

	// The owner.
	owner := w.newUser(0, userOwner, cfg.Handle)
	owner.nBase = cfg.OwnTweets
	w.owner = owner

	// Followings and followers, overlapping by about 30%.
	overlap := int(math.Round(0.3 * float64(min(cfg.Followers, cfg.Followings))))
	nOthers := cfg.Followers + cfg.Followings - overlap
	if nOthers+numExternal+1 > maxUsers {
		panic("twittertest: too many users")
	}
	others := make([]*User, nOthers)
	for i := range others {
		u := w.newUser(len(w.users), userPlain, "")
		u.nBase, u.StatusesCount = cfg.TweetsPerFollowing, cfg.TweetsPerFollowing
		others[i] = u
	}
	g := w.rng(streamGraph, 0)
	followings := others[:cfg.Followings]
	followers := others[cfg.Followings-overlap:]
	fl := slices.Clone(followings)
	g.Shuffle(len(fl), func(i, j int) { fl[i], fl[j] = fl[j], fl[i] })
	for i, u := range fl {
		switch {
		case i < cfg.Protected:
			u.Protected = true
		case i < cfg.Protected+cfg.Suspended:
			u.Suspended = true
		}
	}
	for _, u := range fl { // fl is now a random order: newest follow first
		w.friends = append(w.friends, u.IDStr)
		w.friendSet[u.IDStr] = true
	}
	fo := slices.Clone(followers)
	g.Shuffle(len(fo), func(i, j int) { fo[i], fo[j] = fo[j], fo[i] })
	for _, u := range fo {
		w.followers = append(w.followers, u.IDStr)
		w.followerSet[u.IDStr] = true
	}
	for i := range numExternal {
		u := w.newUser(len(w.users), userExternal, externalAccounts[i].handle)
		u.nBase, u.StatusesCount = extTweets, extTweets
		w.externals = append(w.externals, u)
	}
	for _, u := range w.users[1:] {
		if !u.Protected && !u.Suspended && u.nBase > 0 {
			w.pool = append(w.pool, u)
			if w.friendSet[u.IDStr] {
				w.friendPool = append(w.friendPool, u)
			}
		}
	}
	owner.FollowersCount = len(w.followers)
	owner.FriendsCount = len(w.friends)
	owner.StatusesCount = owner.nBase

	// Accounts that no longer exist, for dangling replies.
	for i := range numGhosts {
		w.ghosts = append(w.ghosts, w.newGhost(i))
	}

	// The owner's retweets, and likes.
	for _, s := range w.plan(owner) {
		if s.kind == kRetweet {
			w.rtSet[w.tweetID(s.tu, s.tk)] = true
		}
	}
	w.genLikes(cfg.Likes)
	owner.FavouritesCount = len(w.likes)
	return w
}

type userKind int

const (
	userPlain userKind = iota
	userOwner
	userExternal
)

var legacyIDs = []struct {
	year int
	id   int64
}{
	{2006, 1_000}, {2007, 500_000}, {2008, 12_000_000}, {2009, 19_000_000}, {2010, 100_000_000},
	{2011, 230_000_000}, {2012, 450_000_000}, {2013, 1_100_000_000}, {2014, 2_250_000_000},
	{2015, 2_950_000_000}, {2016, 4_700_000_000},
}

// userID gives an id like the real ones: small sequential numbers before
// 2016, snowflakes after.
func (w *World) userID(created time.Time, rng *rand.Rand) int64 {
	var id int64
	if created.Year() >= 2016 {
		id = (created.UnixMilli()-twEpoch)<<22 | rng.Int64N(1<<22)
	} else {
		y := max(created.Year(), 2006)
		lo, hi := legacyIDs[y-2006], legacyIDs[y-2005]
		y0 := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		frac := float64(created.Sub(y0)) / float64(time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(y0))
		id = lo.id + int64(frac*float64(hi.id-lo.id)) + rng.Int64N(1000)
	}
	for w.usedIDs[id] {
		id++
	}
	w.usedIDs[id] = true
	return id
}

func (w *World) uniqueHandle(rng *rand.Rand) string {
	for tries := 0; ; tries++ {
		h := pick(rng, handleParts)
		if tries >= 8 {
			// The combinations run out at some 30,000 accounts; a number
			// from the count of names taken makes room for more.
			h = h[:min(len(h), 8)] + strconv.Itoa(len(w.usedNames)+rng.IntN(10))
		} else {
			switch rng.IntN(4) {
			case 0:
				h += "_" + pick(rng, handleParts)
			case 1:
				p := pick(rng, handleParts)
				h += strings.ToUpper(p[:1]) + p[1:]
			case 2:
				h += strconv.Itoa(rng.IntN(1000))
			default:
				h = strings.ToUpper(h[:1]) + h[1:] + strconv.Itoa(1980+rng.IntN(30))
			}
		}
		if len(h) > 15 {
			h = h[:15]
		}
		if !w.usedNames[strings.ToLower(h)] {
			return h
		}
	}
}

func hexColor(rng *rand.Rand) string { return fmt.Sprintf("%06X", rng.IntN(1<<24)) }

func lognormal(rng *rand.Rand, mu, sigma float64) int {
	return int(math.Exp(rng.NormFloat64()*sigma + mu))
}

// newUser creates the account with index idx; handle is fixed for the owner
// and the outside accounts.
func (w *World) newUser(idx int, kind userKind, handle string) *User {
	rng := w.rng(streamUsers, uint64(idx))
	u := &User{idx: idx}
	startT := time.UnixMilli(w.start).UTC()
	switch kind {
	case userOwner:
		u.Created = startT.Add(-time.Duration(30+rng.IntN(800)) * 24 * time.Hour)
	case userExternal:
		u.Created = time.Date(2007, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(4 * 365 * 24 * time.Hour))))
	default:
		lo := time.Date(2007, 3, 21, 0, 0, 0, 0, time.UTC)
		hi := startT.Add(-24 * time.Hour)
		if !hi.After(lo) {
			hi = lo.Add(time.Hour)
		}
		u.Created = lo.Add(time.Duration(rng.Int64N(int64(hi.Sub(lo)))))
	}
	u.Created = u.Created.Add(time.Duration(rng.IntN(86400)) * time.Second).Truncate(time.Second)
	u.id = w.userID(u.Created, rng)
	u.IDStr = strconv.FormatInt(u.id, 10)

	switch kind {
	case userExternal:
		i := slices.IndexFunc(externalAccounts, func(e struct{ handle, name, desc string }) bool { return e.handle == handle })
		ext := externalAccounts[i]
		u.ScreenName, u.Name, u.Description = ext.handle, ext.name, ext.desc
		u.Verified = true
		u.FollowersCount = 1_000_000 + rng.IntN(60_000_000)
		u.FriendsCount = rng.IntN(2000)
		u.ListedCount = u.FollowersCount / 300
		u.FavouritesCount = rng.IntN(20000)
		u.lang = "en"
		switch ext.handle {
		case "tagesschau", "spiegelonline":
			u.lang = "de"
		case "nhk_news":
			u.lang = "ja"
		}
	default:
		u.ScreenName = handle
		if u.ScreenName == "" {
			u.ScreenName = w.uniqueHandle(rng)
		}
		switch r := rng.Float64(); {
		case r < 0.1:
			u.Name, u.lang = pick(rng, jaNames), "ja"
		case r < 0.75:
			u.Name = pick(rng, firstNames) + " " + pick(rng, lastNames)
		default:
			u.Name = pick(rng, firstNames)
		}
		u.Name += pick(rng, nameDecorations)
		if u.lang == "" {
			u.lang = "en"
			if rng.Float64() < 0.25 {
				u.lang = "de"
			}
		}
		u.Description = pick(rng, descriptions)
		u.Verified = kind == userPlain && rng.Float64() < 0.02
		u.FollowersCount = lognormal(rng, 5, 1.5)
		u.FriendsCount = lognormal(rng, 5.5, 1)
		u.ListedCount = u.FollowersCount / 50
		u.FavouritesCount = lognormal(rng, 6, 1.5)
	}
	w.usedNames[strings.ToLower(u.ScreenName)] = true
	u.Location = pick(rng, locations)
	if kind == userExternal || rng.Float64() < 0.35 {
		l := pick(rng, userLinks)
		if strings.Contains(l, "%s") {
			l = fmt.Sprintf(l, strings.ToLower(u.ScreenName))
		}
		u.ExpandedURL = l
		u.URL = tco(rng)
	}
	u.DefaultImage = kind == userPlain && rng.Float64() < 0.08
	if u.DefaultImage {
		u.ProfileImageURL = "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
	} else {
		u.ProfileImageURL = fmt.Sprintf("https://pbs.twimg.com/profile_images/%d/%s_normal.jpg", 700000000000000000+rng.Int64N(700000000000000000), randCode(rng, 8))
	}
	if rng.Float64() < 0.6 {
		u.ProfileBannerURL = fmt.Sprintf("https://pbs.twimg.com/profile_banners/%d/%d", u.id, u.Created.Unix()+rng.Int64N(100_000_000))
	}
	u.DefaultProfile = rng.Float64() < 0.6
	if u.DefaultProfile {
		u.colors = [5]string{"F5F8FA", "1DA1F2", "C0DEED", "DDEEF6", "333333"}
		u.bgTheme, u.useBgImage = "theme1/bg.png", true
	} else {
		u.colors = [5]string{hexColor(rng), hexColor(rng), hexColor(rng), hexColor(rng), hexColor(rng)}
		u.bgTheme = fmt.Sprintf("theme%d/bg.%s", 1+rng.IntN(19), pick(rng, []string{"png", "gif"}))
		u.bgTile, u.useBgImage = rng.IntN(2) == 0, rng.IntN(2) == 0
	}
	u.geo = rng.IntN(3) == 0
	u.extProfile = rng.IntN(2) == 0
	u.translator = "none"
	if rng.Float64() < 0.05 {
		u.translator = "regular"
	}
	w.users = append(w.users, u)
	w.byID[u.IDStr] = u
	w.byName[strings.ToLower(u.ScreenName)] = u
	return u
}

// newGhost makes an account that is not in the world (deleted), which
// dangling replies point at.
func (w *World) newGhost(i int) *User {
	rng := w.rng(streamGhosts, uint64(i))
	u := &User{idx: int(userIdxMask) - 1 - i}
	u.Created = time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(10 * 365 * 24 * time.Hour))))
	u.id = w.userID(u.Created, rng)
	u.IDStr = strconv.FormatInt(u.id, 10)
	u.ScreenName = w.uniqueHandle(rng)
	w.usedNames[strings.ToLower(u.ScreenName)] = true
	u.Name = pick(rng, firstNames) + " " + pick(rng, lastNames)
	return u
}

// tweetID builds a snowflake-like id: milliseconds in the high bits, then a
// media flag, then the author's index, so ids are unique and increase with time.
func (w *World) mkID(ms int64, idx int, media int) int64 {
	if media > 0 {
		return (ms-w.epoch)<<22 | mediaFlag | int64(media-1)<<19 | int64(idx+1)&((1<<19)-1)
	}
	return (ms-w.epoch)<<22 | int64(idx+1)
}

func (w *World) tweetRNG(u *User, j int) *rand.Rand {
	return w.rng(streamTweets|uint64(u.idx), uint64(j))
}

// head draws a tweet's time and kind. AddTweets passes its own time.
func (w *World) head(u *User, j int, ms int64) (int64, uint8, *rand.Rand) {
	rng := w.tweetRNG(u, j)
	n := int64(u.nBase)
	r := rng.Int64N(w.span - n)
	if u == w.owner && j == 0 {
		r = 0 // the oldest tweet is at Start
	}
	if ms == 0 {
		ms = w.start + (w.span*int64(j)+r)/n
	}
	roll := rng.Float64()
	kind := kOriginal
	switch {
	case roll < 0.15:
		kind = kRetweet
	case roll < 0.32:
		kind = kReply
	case roll < 0.39:
		kind = kQuote
	}
	return ms, kind, rng
}

// baseMs is the time of generated tweet j of u.
func (w *World) baseMs(u *User, j int) int64 {
	ms, _, _ := w.head(u, j, 0)
	return ms
}

func (w *World) tweetID(u *User, j int) int64 { return w.mkID(w.baseMs(u, j), u.idx, 0) }

// pickTarget chooses a generated tweet older than ms, by someone else.
func (w *World) pickTarget(u *User, ms int64, rng *rand.Rand) (*User, int, bool) {
	for range 4 {
		var v *User
		roll := rng.Float64()
		switch {
		case u == w.owner && roll < 0.7 && len(w.friendPool) > 0:
			v = pick(rng, w.friendPool)
		case u == w.owner || roll < 0.2:
			v = pick(rng, w.externals)
		case roll < 0.45:
			v = w.owner
		case len(w.pool) > 0:
			v = pick(rng, w.pool)
		}
		if v == nil || v == u || v.nBase == 0 || v.Protected || v.Suspended {
			continue
		}
		kmax := (ms-w.start)*int64(v.nBase)/w.span - 1
		if kmax < 0 {
			continue
		}
		kmax = min(kmax, int64(v.nBase-1))
		return v, int(rng.Int64N(kmax + 1)), true
	}
	return nil, 0, false
}

// isRetweet reports whether generated tweet j of u is a retweet, and of what
// (before de-duplication, which only ever turns retweets into originals).
func (w *World) isRetweet(u *User, j int) (*User, int, bool) {
	ms, kind, rng := w.head(u, j, 0)
	if kind != kRetweet {
		return nil, 0, false
	}
	return w.pickTarget(u, ms, rng)
}

// resolve follows retweets to the original tweet.
func (w *World) resolve(v *User, k int) (*User, int) {
	for {
		v2, k2, ok := w.isRetweet(v, k)
		if !ok {
			return v, k
		}
		v, k = v2, k2
	}
}

// shapeOf decides what tweet j of u is. ms != 0 for AddTweets.
func (w *World) shapeOf(u *User, j int, ms int64) (shape, *rand.Rand) {
	ms, kind, rng := w.head(u, j, ms)
	s := shape{ms: ms, kind: kind}
	switch kind {
	case kRetweet:
		v, k, ok := w.pickTarget(u, ms, rng)
		if !ok {
			s.kind = kOriginal
			break
		}
		s.tu, s.tk = w.resolve(v, k)
	case kReply:
		r := rng.Float64()
		if r < 0.3 && j > 0 && j < u.nBase {
			if _, _, rt := w.isRetweet(u, j-1); !rt {
				s.tu, s.tk = u, j-1 // a thread
				break
			}
		}
		if r >= 0.55 {
			if v, k, ok := w.pickTarget(u, ms, rng); ok {
				s.tu, s.tk = w.resolve(v, k)
				break
			}
		}
		// A reply to a tweet that is gone, by an account that is gone.
		s.ghost = rng.IntN(numGhosts)
		s.ghostMs = max(ms-60_000-rng.Int64N(30*24*3600*1000), w.epoch+1000)
	case kQuote:
		v, k, ok := w.pickTarget(u, ms, rng)
		if !ok {
			s.kind = kOriginal
			break
		}
		s.tu, s.tk = w.resolve(v, k)
		if rng.Float64() < 0.1 { // the quoted tweet, and its account, are gone
			s.deleted, s.tu = true, nil
			s.ghost = rng.IntN(numGhosts)
			s.ghostMs = max(ms-60_000-rng.Int64N(30*24*3600*1000), w.epoch+1000)
		}
	}
	return s, rng
}

// plan returns the shapes of u's generated tweets, with repeated retweets of
// the same tweet turned into originals (a tweet can be retweeted only once).
func (w *World) plan(u *User) []shape {
	if p, ok := w.plans[u.idx]; ok {
		return p
	}
	p := make([]shape, u.nBase)
	seen := map[int64]bool{}
	for j := range p {
		s, _ := w.shapeOf(u, j, 0)
		if s.kind == kRetweet {
			id := w.tweetID(s.tu, s.tk)
			if seen[id] {
				s.kind, s.tu = kOriginal, nil
			} else {
				seen[id] = true
			}
		}
		p[j] = s
	}
	w.plans[u.idx] = p
	w.rtSeen[u.idx] = seen
	return p
}

func cacheKey(u *User, j int) uint64 { return uint64(u.idx)<<32 | uint64(uint32(j)) }

// tweetAt returns generated tweet j of u.
func (w *World) tweetAt(u *User, j int) *Tweet {
	key := cacheKey(u, j)
	if t := w.cache[key]; t != nil {
		return t
	}
	s := w.plan(u)[j]
	_, rng := w.shapeOf(u, j, 0) // the stream, after the shape's draws
	t := w.build(u, s, rng)
	w.cache[key] = t
	return t
}

// build writes the tweet of shape s by u; rng continues the tweet's stream.
func (w *World) build(u *User, s shape, rng *rand.Rand) *Tweet {
	t := &Tweet{
		id:      w.mkID(s.ms, u.idx, 0),
		user:    u,
		UserID:  u.IDStr,
		Created: time.UnixMilli(s.ms).UTC().Truncate(time.Second),
		Source:  pick(rng, sources),
	}
	t.IDStr = strconv.FormatInt(t.id, 10)
	t.truncLink = tco(rng)
	if s.kind == kRetweet {
		w.buildRetweet(t, w.tweetAt(s.tu, s.tk))
		return t
	}
	var b textBuilder
	lang := u.lang
	if rng.Float64() < 0.15 && !u.Verified {
		lang = pick(rng, []string{"en", "de", "ja"})
	}
	// Replies start with the @mention of the author replied to.
	if s.kind == kReply {
		var to *User
		if s.tu == nil {
			to = w.ghosts[s.ghost]
			t.replyID = w.mkID(s.ghostMs, to.idx, 0)
		} else {
			to = s.tu
			t.replyID = w.tweetID(s.tu, s.tk)
		}
		t.replyUser = to.id
		t.ReplyToStatusID = strconv.FormatInt(t.replyID, 10)
		t.ReplyToUserID = to.IDStr
		t.ReplyToScreenName = to.ScreenName
		if to != u {
			st, en := b.add("@" + to.ScreenName)
			t.ments = append(t.ments, mentionEnt{to.id, to.ScreenName, to.Name, st, en})
			b.add(" ")
		}
	}
	t.disp[0] = b.n
	t.Lang = lang
	long := rng.Float64() < 0.12
	withLink := rng.Float64() < 0.2
	budget := 140
	if long {
		budget = 280
	}
	if withLink {
		budget -= 24
	}
	w.writeBody(&b, t, lang, long, budget, rng)
	if withLink {
		url := pick(rng, linkTargets)
		exp := fmt.Sprintf(url, 1000+rng.IntN(90000))
		link := URL{URL: tco(rng), ExpandedURL: exp, DisplayURL: displayURL(exp)}
		b.add(" ")
		st, en := b.add(link.URL)
		t.urls = append(t.urls, urlEnt{link, st, en})
	}
	t.disp[1] = b.n
	switch {
	case s.kind == kQuote:
		var qid int64
		var qname string
		if s.deleted {
			g := w.ghosts[s.ghost]
			qid, qname = w.mkID(s.ghostMs, g.idx, 0), g.ScreenName
		} else {
			t.QuoteOf = w.tweetAt(s.tu, s.tk)
			qid, qname = t.QuoteOf.id, t.QuoteOf.user.ScreenName
		}
		t.quotedID = qid
		t.QuotedIDStr = strconv.FormatInt(qid, 10)
		exp := "https://twitter.com/" + qname + "/status/" + t.QuotedIDStr
		link := URL{URL: tco(rng), ExpandedURL: exp, DisplayURL: displayURL(exp)}
		b.add(" ")
		st, en := b.add(link.URL)
		t.permalink = &urlEnt{link, st, en}
		t.urls = append(t.urls, *t.permalink)
	case rng.Float64() < 0.18:
		w.addMedia(&b, t, rng)
	}
	t.Text = b.String()
	t.FavoriteCount = max(lognormal(rng, 1, 1.5)-1, 0)
	if u.Verified {
		t.FavoriteCount = lognormal(rng, 8, 1.5)
	}
	t.RetweetCount = t.FavoriteCount / (2 + rng.IntN(8))
	if w.likeSet[t.id] { // the owner's like is one of them
		t.FavoriteCount = max(t.FavoriteCount, 1)
	}
	if w.rtSet[t.id] {
		t.RetweetCount = max(t.RetweetCount, 1)
	}
	w.export(t)
	return t
}

// writeBody writes the words of a tweet in at most budget characters:
// sentences in the language, maybe a mention, some hashtags (HTML entities
// come with the sentences). Long tweets get more than 140 characters.
func (w *World) writeBody(b *textBuilder, t *Tweet, lang string, long bool, budget int, rng *rand.Rand) {
	if !long && rng.Float64() < 0.03 {
		b.add(pick(rng, undTexts))
		t.Lang = "und"
		return
	}
	var used1 []string
	sentence := func() string { // a sentence not used yet in this tweet, or ""
		for range 8 {
			var s string
			switch {
			case lang == "de":
				s = pick(rng, deSentences)
			case lang == "ja":
				s = pick(rng, jaSentences)
			case rng.IntN(3) == 0:
				s = pick(rng, enSentences)
			default:
				s = pick(rng, enOpeners) + " " + pick(rng, enDeterminers) + " " + pick(rng, enObjects) + pick(rng, enEndings)
			}
			if !slices.Contains(used1, s) {
				used1 = append(used1, s)
				return s
			}
		}
		return ""
	}
	used := func() int { return b.n - t.disp[0] }
	fits := func(s string) bool { return used()+1+runeLen(s) <= budget }
	b.add(sentence())
	if long {
		target := 150 + rng.IntN(budget-150)
		for misses := 0; used() < target && misses < 6; {
			if s := sentence(); s != "" && fits(s) {
				b.add(" ")
				b.add(s)
			} else {
				misses++
			}
		}
	} else if rng.IntN(3) == 0 {
		if s := sentence(); s != "" && used()+1+runeLen(s) <= budget-20 {
			b.add(" ")
			b.add(s)
		}
	}
	if rng.IntN(6) == 0 && len(w.pool) > 0 { // mention someone
		v := pick(rng, w.pool)
		if fits("@" + v.ScreenName) {
			b.add(" ")
			st, en := b.add("@" + v.ScreenName)
			t.ments = append(t.ments, mentionEnt{v.id, v.ScreenName, v.Name, st, en})
		}
	}
	tags := rng.IntN(4) / 2
	if long {
		tags += rng.IntN(2)
	}
	for range tags {
		h := pick(rng, hashtagWords)
		if !fits("#" + h) {
			break
		}
		b.add(" ")
		st, en := b.add("#" + h)
		t.tags = append(t.tags, hashtagEnt{h, st, en})
	}
}

var photoSizes = [][2]int{{1200, 675}, {1080, 1080}, {2048, 1536}, {1536, 2048}, {640, 480}, {1252, 626}, {960, 1200}}

func (w *World) addMedia(b *textBuilder, t *Tweet, rng *rand.Rand) {
	link := tco(rng)
	b.add(" ")
	st, en := b.add(link)
	t.mediaAt = [2]int{st, en}
	ms := (t.id >> 22) + w.epoch - 1
	kind, count := "photo", 1
	switch r := rng.Float64(); {
	case r < 0.2:
		kind = "video"
	case r < 0.3:
		kind = "animated_gif"
	case r < 0.5:
		count = 2 + rng.IntN(3)
	}
	for i := range count {
		sz := pick(rng, photoSizes)
		m := &Media{Type: kind, URL: link, DisplayURL: "pic.twitter.com/" + link[len("https://t.co/"):], Width: sz[0], Height: sz[1]}
		m.id = w.mkID(ms, t.user.idx, i+1)
		m.IDStr = strconv.FormatInt(m.id, 10)
		path := "photo"
		switch kind {
		case "photo":
			m.MediaURL = "https://pbs.twimg.com/media/" + randCode(rng, 15) + ".jpg"
		case "video":
			path = "video"
			sz = pick(rng, [][2]int{{1280, 720}, {720, 1280}, {480, 608}})
			m.Width, m.Height = sz[0], sz[1]
			m.MediaURL = fmt.Sprintf("https://pbs.twimg.com/ext_tw_video_thumb/%d/pu/img/%s.jpg", m.id, randCode(rng, 16))
			m.DurationMillis = 3000 + rng.IntN(140000)
			m.AspectRatio = aspect(m.Width, m.Height)
			for _, v := range []struct{ br, div int }{{256000, 4}, {832000, 2}, {2176000, 1}} {
				vw, vh := m.Width*2/(v.div+1), m.Height*2/(v.div+1)
				m.Variants = append(m.Variants, VideoVariant{v.br, "video/mp4", fmt.Sprintf("https://video.twimg.com/ext_tw_video/%d/pu/vid/%dx%d/%s.mp4?tag=12", m.id, vw, vh, randCode(rng, 16))})
			}
			m.Variants = append(m.Variants, VideoVariant{-1, "application/x-mpegURL", fmt.Sprintf("https://video.twimg.com/ext_tw_video/%d/pu/pl/%s.m3u8?tag=12", m.id, randCode(rng, 16))})
		case "animated_gif":
			code := randCode(rng, 15)
			sz = pick(rng, [][2]int{{498, 280}, {480, 480}, {320, 240}})
			m.Width, m.Height = sz[0], sz[1]
			m.MediaURL = "https://pbs.twimg.com/tweet_video_thumb/" + code + ".jpg"
			m.AspectRatio = aspect(m.Width, m.Height)
			m.Variants = []VideoVariant{{0, "video/mp4", "https://video.twimg.com/tweet_video/" + code + ".mp4"}}
		}
		m.ExpandedURL = fmt.Sprintf("https://twitter.com/%s/status/%s/%s/1", t.user.ScreenName, t.IDStr, path)
		t.Media = append(t.Media, m)
	}
}

func aspect(a, b int) [2]int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return [2]int{a / x, b / x}
}

// buildRetweet fills t as a retweet of orig: "RT @name: " and the original
// text, cut to 140 characters with "…" as the API does in both tweet modes.
func (w *World) buildRetweet(t *Tweet, orig *Tweet) {
	t.RetweetOf = orig
	t.Lang = orig.Lang
	t.RetweetCount = orig.RetweetCount
	t.QuoteOf, t.QuotedIDStr, t.quotedID, t.permalink = orig.QuoteOf, orig.QuotedIDStr, orig.quotedID, orig.permalink
	prefix := "RT @" + orig.user.ScreenName + ": "
	full := prefix + orig.Text
	cut := runeLen(full)
	if cut > 140 {
		r := []rune(full)
		full = string(r[:139]) + "…"
		cut = 139
	}
	t.Text = full
	t.disp = [2]int{0, runeLen(full)}
	p := runeLen(prefix)
	ou := orig.user
	t.ments = append(t.ments, mentionEnt{ou.id, ou.ScreenName, ou.Name, 3, 4 + runeLen(ou.ScreenName)})
	for _, m := range orig.ments {
		if m.e+p <= cut {
			m.s, m.e = m.s+p, m.e+p
			t.ments = append(t.ments, m)
		}
	}
	for _, h := range orig.tags {
		if h.e+p <= cut {
			h.s, h.e = h.s+p, h.e+p
			t.tags = append(t.tags, h)
		}
	}
	for _, u := range orig.urls {
		if u.e+p <= cut {
			u.s, u.e = u.s+p, u.e+p
			t.urls = append(t.urls, u)
		}
	}
	if orig.mediaAt[1] > 0 && orig.mediaAt[1]+p <= cut {
		t.Media = orig.Media
		t.mediaAt = [2]int{orig.mediaAt[0] + p, orig.mediaAt[1] + p}
	}
	w.export(t)
}

// export fills the exported entity lists from the indexed ones.
func (w *World) export(t *Tweet) {
	for _, h := range t.tags {
		t.Hashtags = append(t.Hashtags, h.text)
	}
	for _, m := range t.ments {
		t.Mentions = append(t.Mentions, strconv.FormatInt(m.id, 10))
	}
	for _, u := range t.urls {
		t.URLs = append(t.URLs, u.URL)
	}
}

// genLikes picks the owner's likes: public tweets, mostly by followings.
func (w *World) genLikes(n int) {
	rng := w.rng(streamLikes, 0)
	type liked1 struct {
		v *User
		k int
	}
	var liked []liked1
	for tries := 0; len(liked) < n && tries < 8*n+16; tries++ {
		var v *User
		switch r := rng.Float64(); {
		case r < 0.7 && len(w.friendPool) > 0:
			v = pick(rng, w.friendPool)
		case r < 0.9:
			v = pick(rng, w.externals)
		case len(w.pool) > 0:
			v = pick(rng, w.pool)
		}
		if v == nil || v.nBase == 0 {
			continue
		}
		v, k := w.resolve(v, rng.IntN(v.nBase))
		id := w.tweetID(v, k)
		if w.likeSet[id] {
			continue
		}
		w.likeSet[id] = true
		liked = append(liked, liked1{v, k})
	}
	// Build only once the set is complete: counts take the like into account.
	for _, l := range liked {
		w.likes = append(w.likes, w.tweetAt(l.v, l.k))
	}
	slices.SortFunc(w.likes, func(a, b *Tweet) int { return cmp.Compare(b.id, a.id) })
}

// timeline returns u's tweets, newest first.
func (w *World) timeline(u *User) []*Tweet {
	if tl, ok := w.timelines[u.idx]; ok {
		return tl
	}
	added := w.added[u.idx]
	tl := make([]*Tweet, 0, u.nBase+len(added))
	for i := len(added) - 1; i >= 0; i-- {
		tl = append(tl, added[i])
	}
	for j := u.nBase - 1; j >= 0; j-- {
		tl = append(tl, w.tweetAt(u, j))
	}
	w.timelines[u.idx] = tl
	return tl
}

// latest is u's newest tweet, or nil.
func (w *World) latest(u *User) *Tweet {
	if a := w.added[u.idx]; len(a) > 0 {
		return a[len(a)-1]
	}
	if u.nBase == 0 {
		return nil
	}
	return w.tweetAt(u, u.nBase-1)
}

// findTweet finds a tweet by id, from the author index in its low bits.
func (w *World) findTweet(id int64) *Tweet {
	if id <= 0 || id&mediaFlag != 0 {
		return nil
	}
	idx := int(id&userIdxMask) - 1
	if idx < 0 || idx >= len(w.users) {
		return nil
	}
	tl := w.timeline(w.users[idx])
	i, ok := slices.BinarySearchFunc(tl, id, func(t *Tweet, id int64) int { return cmp.Compare(id, t.id) })
	if !ok {
		return nil
	}
	return tl[i]
}

func (w *World) userByID(id string) *User { return w.byID[id] }

func (w *World) userByName(name string) *User { return w.byName[strings.ToLower(name)] }

// Owner returns the account whose data is imported.
func (w *World) Owner() *User { return w.owner }

// User returns the account with the id, or nil.
func (w *World) User(idStr string) *User {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.byID[idStr]
}

// UserByScreenName returns the account with the screen_name (any case), or nil.
func (w *World) UserByScreenName(name string) *User {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.userByName(name)
}

// Tweets returns every tweet of the user, newest first, including those
// beyond the 3,200 the timeline endpoint reaches.
func (w *World) Tweets(userIDStr string) []*Tweet {
	w.mu.Lock()
	defer w.mu.Unlock()
	u := w.byID[userIDStr]
	if u == nil {
		return nil
	}
	return slices.Clone(w.timeline(u))
}

// Tweet returns the tweet with the id, or nil.
func (w *World) Tweet(idStr string) *Tweet {
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.findTweet(id)
}

// FollowerIDs returns the ids of the user's followers, newest follow first.
// The graph is only complete around the owner: for another account it is
// the owner when the owner follows it.
func (w *World) FollowerIDs(userIDStr string) []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return slices.Clone(w.followerIDs(userIDStr))
}

// FriendIDs returns the ids of the accounts the user follows, newest first.
func (w *World) FriendIDs(userIDStr string) []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return slices.Clone(w.friendIDs(userIDStr))
}

func (w *World) followerIDs(id string) []string {
	if id == w.owner.IDStr {
		return w.followers
	}
	if w.friendSet[id] {
		return []string{w.owner.IDStr}
	}
	return nil
}

func (w *World) friendIDs(id string) []string {
	if id == w.owner.IDStr {
		return w.friends
	}
	if w.followerSet[id] {
		return []string{w.owner.IDStr}
	}
	return nil
}

// Likes returns the tweets the user liked, newest first (only the owner
// likes anything).
func (w *World) Likes(userIDStr string) []*Tweet {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if userIDStr != w.owner.IDStr {
		return nil
	}
	return slices.Clone(w.likes)
}

// AddTweets posts n new tweets by the user at the world clock's now, with
// ids greater than every existing tweet id. It returns them oldest first.
func (w *World) AddTweets(userIDStr string, n int) []*Tweet {
	w.mu.Lock()
	defer w.mu.Unlock()
	u := w.byID[userIDStr]
	if u == nil || n <= 0 {
		return nil
	}
	w.timeline(u)
	w.plan(u)
	seen := w.rtSeen[u.idx]
	now := w.clock().UnixMilli()
	var out []*Tweet
	for range n {
		ms := max(now, w.genNow+1, w.lastAdded+1)
		w.lastAdded = ms
		j := u.nBase + len(w.added[u.idx])
		s, rng := w.shapeOf(u, j, ms)
		if s.kind == kRetweet {
			id := w.tweetID(s.tu, s.tk)
			if seen[id] {
				s.kind, s.tu = kOriginal, nil
			} else {
				seen[id] = true
			}
		}
		t := w.build(u, s, rng)
		if s.kind == kRetweet && u == w.owner {
			w.rtSet[t.RetweetOf.id] = true
		}
		w.added[u.idx] = append(w.added[u.idx], t)
		out = append(out, t)
	}
	delete(w.timelines, u.idx)
	u.StatusesCount = u.nBase + len(w.added[u.idx])
	return out
}

// AddFollowers creates n new accounts that follow the owner (the newest
// follows) and returns them.
func (w *World) AddFollowers(n int) []*User {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []*User
	for range n {
		if len(w.users) >= maxUsers {
			break
		}
		u := w.newUser(len(w.users), userPlain, "")
		u.nBase = w.cfg.TweetsPerFollowing
		u.StatusesCount = u.nBase
		out = append(out, u)
	}
	ids := make([]string, 0, len(out)+len(w.followers))
	for i := len(out) - 1; i >= 0; i-- {
		ids = append(ids, out[i].IDStr)
		w.followerSet[out[i].IDStr] = true
	}
	w.followers = append(ids, w.followers...)
	w.owner.FollowersCount = len(w.followers)
	return out
}

// RemoveFollower makes the account stop following the owner.
func (w *World) RemoveFollower(idStr string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.followerSet[idStr] {
		return
	}
	delete(w.followerSet, idStr)
	w.followers = slices.DeleteFunc(slices.Clone(w.followers), func(s string) bool { return s == idStr })
	w.owner.FollowersCount = len(w.followers)
}
