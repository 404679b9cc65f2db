package twitterarchive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/schema"
)

// source is this plugin's name in Node.Sources and the key of its raw JSON.
const source = "twitter-archive"

// platform: the archive's tweets and accounts are Twitter's, with the ids
// the API importer gives them, so that both meet on the same nodes.
const platform = twitter.Platform

// num is a number the archive writes as a string ("12"), or, in older
// archives, as a JSON number. It is parsed as an integer, never through
// float64 (ids exceed 2^53).
type num struct {
	v   int64
	set bool
}

func (n *num) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	s = strings.Trim(s, `"`)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return notWholeNumber(b, reflect.TypeFor[int64]())
	}
	n.v, n.set = v, true
	return nil
}

func (n num) ptr() *int64 {
	if !n.set {
		return nil
	}
	v := n.v
	return &v
}

// idStr is an id written as a string or a number; kept as its digits.
type idStr string

func (s *idStr) UnmarshalJSON(b []byte) error {
	v := strings.Trim(string(b), `"`)
	if v == "null" {
		v = ""
	}
	if v != "" && !isDigits(v) {
		return notWholeNumber(b, reflect.TypeFor[string]())
	}
	*s = idStr(v)
	return nil
}

// notWholeNumber is the error for a number that is not one. As an
// *json.UnmarshalTypeError, encoding/json adds the field it was found in
// ("favorite_count"), which an error of another type would not say.
func notWholeNumber(b []byte, t reflect.Type) error {
	return &json.UnmarshalTypeError{Value: string(b) + " (not a whole number of at most 64 bits)", Type: t}
}

// archiveTweet is the part of a tweets.js item that is mapped onto fields.
// The whole item is kept as raw JSON.
type archiveTweet struct {
	IDStr                idStr     `json:"id_str"`
	ID                   idStr     `json:"id"`
	CreatedAt            string    `json:"created_at"`
	FullText             *string   `json:"full_text"`
	Text                 *string   `json:"text"`
	Lang                 string    `json:"lang"`
	Source               string    `json:"source"`
	InReplyToStatusIDStr idStr     `json:"in_reply_to_status_id_str"`
	InReplyToStatusID    idStr     `json:"in_reply_to_status_id"`
	InReplyToUserIDStr   idStr     `json:"in_reply_to_user_id_str"`
	InReplyToUserID      idStr     `json:"in_reply_to_user_id"`
	InReplyToScreenName  string    `json:"in_reply_to_screen_name"`
	QuotedStatusIDStr    idStr     `json:"quoted_status_id_str"`
	Entities             entities  `json:"entities"`
	ExtendedEntities     *entities `json:"extended_entities"`
	FavoriteCount        num       `json:"favorite_count"`
	RetweetCount         num       `json:"retweet_count"`
}

type entities struct {
	Hashtags []struct {
		Text string `json:"text"`
	} `json:"hashtags"`
	UserMentions []struct {
		IDStr      idStr  `json:"id_str"`
		ID         idStr  `json:"id"`
		ScreenName string `json:"screen_name"`
		Name       string `json:"name"`
	} `json:"user_mentions"`
	URLs []struct {
		URL         string `json:"url"`
		ExpandedURL string `json:"expanded_url"`
		DisplayURL  string `json:"display_url"`
	} `json:"urls"`
	Media []media `json:"media"`
}

type media struct {
	IDStr         idStr  `json:"id_str"`
	ID            idStr  `json:"id"`
	URL           string `json:"url"` // the t.co link in the text
	MediaURL      string `json:"media_url"`
	MediaURLHTTPS string `json:"media_url_https"`
	Type          string `json:"type"`
	ExtAltText    string `json:"ext_alt_text"`
	Sizes         struct {
		Large struct {
			W num `json:"w"`
			H num `json:"h"`
		} `json:"large"`
	} `json:"sizes"`
	VideoInfo struct {
		Variants []struct {
			URL string `json:"url"`
		} `json:"variants"`
	} `json:"video_info"`
	SourceStatusIDStr idStr `json:"source_status_id_str"`
	SourceStatusID    idStr `json:"source_status_id"`
	SourceUserIDStr   idStr `json:"source_user_id_str"`
	SourceUserID      idStr `json:"source_user_id"`
}

func (t *archiveTweet) id() string { return string(cmpOr(string(t.IDStr), string(t.ID))) }

// owner is the archive's account, the author of every tweet in it.
type owner struct {
	id     string // node id
	handle string
}

// mappedTweet is what mapTweet found that the run acts on.
type mappedTweet struct {
	id     string  // post node id
	native string  // id_str
	media  []media // media to copy, in the post's order
	mids   []string
}

// retweetRE recognises the text of a retweet: "RT @user: …".
var retweetRE = regexp.MustCompile(`^RT @(\w{1,20}):`)

// permalinkRE recognises a link to a tweet, which is how a quote tweet
// names the tweet it quotes in the archive (there is no quoted_status).
var permalinkRE = regexp.MustCompile(`^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/\w+/status(?:es)?/(\d+)/?$`)

// tweetView says what the run knows before mapping a tweet.
type tweetView struct {
	stored     bool      // the post is stored complete already (from the API or an earlier archive)
	generation time.Time // the archive's generation date, the edges' LastSeen
}

// mapTweet adds an archive tweet to bl: the post (authored by the owner),
// its tags, links and media, reference nodes for what it names (the
// tweet it replies to, mentioned accounts), and the edges. Text and fields
// are mapped as the API importer maps the same tweet (twitter.MapTweet), so
// that both give one node with the same text.
//
// A retweet is recognised by its text, "RT @user: …" (the archive has no
// retweeted_status). It gets a mentions edge to the retweeted account, and
// when its media name their source tweet (source_status_id_str), a
// repost_of edge to that tweet; its content (tags, links, media, other
// mentions) is linked from the original, as the API importer does, and only
// when the original is known. The archive's text of a retweet is cut at
// 140 characters, so it is used only while the post is not stored from a
// better source: it never overwrites the API's full text.
func mapTweet(raw json.RawMessage, o owner, v tweetView, bl *schema.Builder) (mappedTweet, error) {
	var t archiveTweet
	if err := json.Unmarshal(raw, &t); err != nil {
		return mappedTweet{}, err
	}
	native := t.id()
	if native == "" {
		return mappedTweet{}, fmt.Errorf("a tweet without id_str")
	}
	created, err := twitter.ParseCreatedAt(t.CreatedAt)
	if err != nil {
		return mappedTweet{}, fmt.Errorf("tweet %s: %w", native, err)
	}
	if created.IsZero() {
		return mappedTweet{}, fmt.Errorf("tweet %s has no created_at", native)
	}
	id := twitter.PostID(native)
	first, last := created, v.generation
	edge := func(from string, kind schema.EdgeKind, to string) {
		bl.Edge(schema.Edge{From: from, Kind: kind, To: to, FirstSeen: first, LastSeen: last})
	}

	text := ""
	switch {
	case t.FullText != nil:
		text = *t.FullText
	case t.Text != nil:
		text = *t.Text
	}
	ents := t.Entities
	if t.ExtendedEntities != nil && len(t.ExtendedEntities.Media) > 0 {
		ents.Media = t.ExtendedEntities.Media
	}

	post := &schema.Post{
		Created:      created,
		Lang:         t.Lang,
		Author:       o.id,
		AuthorHandle: o.handle,
		LikeCount:    t.FavoriteCount.ptr(),
		RepostCount:  t.RetweetCount.ptr(),
		SourceApp:    twitter.SourceApp(t.Source),
	}
	bl.Ref(o.id)
	edge(o.id, schema.EdgeAuthored, id)

	// content is the post the tweet's entities belong to: the tweet itself,
	// or for a retweet the original (nil when the archive does not name it).
	content := id
	rtMention := -1 // the entity of "RT @user", which is not the original's mention
	m := retweetRE.FindStringSubmatch(text)
	isRetweet := m != nil
	if isRetweet {
		content = ""
		var rtAccount string
		for i, um := range ents.UserMentions {
			if strings.EqualFold(um.ScreenName, m[1]) {
				rtMention = i
				rtAccount = cmpOr(string(um.IDStr), string(um.ID))
				if rtAccount != "" {
					acc := refAccount(bl, rtAccount, um.ScreenName, um.Name)
					edge(id, schema.EdgeMentions, acc)
				}
				break
			}
		}
		for _, md := range ents.Media {
			src := cmpOr(string(md.SourceStatusIDStr), string(md.SourceStatusID))
			if src == "" {
				continue
			}
			orig := twitter.PostID(src)
			ref := schema.Ref(orig)
			if user := cmpOr(string(md.SourceUserIDStr), string(md.SourceUserID)); user != "" {
				ref.Post = &schema.Post{Author: twitter.AccountID(user)}
				if user == rtAccount {
					ref.Post.AuthorHandle = m[1]
				}
			}
			bl.Node(ref)
			post.RepostOf, content = orig, orig
			edge(id, schema.EdgeRepostOf, orig)
			break
		}
	}

	// Quotes: the archive has no quoted_status; a quote names the tweet it
	// quotes with a link to it, the last of its urls.
	quoted := string(t.QuotedStatusIDStr)
	if n := len(ents.URLs); quoted == "" && n > 0 {
		if m := permalinkRE.FindStringSubmatch(ents.URLs[n-1].ExpandedURL); m != nil && m[1] != native {
			quoted = m[1]
		}
	}
	if quoted != "" {
		post.Quotes = twitter.PostID(quoted)
		bl.Ref(post.Quotes)
		edge(id, schema.EdgeQuotes, post.Quotes)
	}

	replyTo := cmpOr(string(t.InReplyToStatusIDStr), string(t.InReplyToStatusID))
	if replyTo != "" {
		post.ReplyTo = twitter.PostID(replyTo)
		post.ReplyToHandle = t.InReplyToScreenName
		bl.Ref(post.ReplyTo)
		edge(id, schema.EdgeReplyTo, post.ReplyTo)
	}
	if u := cmpOr(string(t.InReplyToUserIDStr), string(t.InReplyToUserID)); u != "" {
		refAccount(bl, u, t.InReplyToScreenName, "")
	}

	// The display text and the entity lists, as MapTweet makes them.
	urls := make([]twitter.URLEntity, 0, len(ents.URLs))
	for _, u := range ents.URLs {
		urls = append(urls, twitter.URLEntity{URL: u.URL, ExpandedURL: u.ExpandedURL, DisplayURL: u.DisplayURL})
	}
	mediaLinks := make([]string, 0, len(ents.Media))
	for _, md := range ents.Media {
		mediaLinks = append(mediaLinks, md.URL)
	}
	var out mappedTweet
	out.id, out.native = id, native
	keepStored := isRetweet && v.stored
	if !keepStored {
		post.Text = twitter.DisplayText(text, urls, mediaLinks)
	}

	for _, h := range ents.Hashtags {
		name := strings.ToLower(h.Text)
		if name == "" {
			continue
		}
		post.Hashtags = appendUnique(post.Hashtags, name)
		if content != "" {
			tag := twitter.TagID(name)
			bl.Node(schema.Node{ID: tag, Kind: schema.KindTag, Platform: platform, Sources: []string{source}, Tag: &schema.Tag{Name: name}})
			edge(content, schema.EdgeTagged, tag)
		}
	}
	for i, um := range ents.UserMentions {
		uid := cmpOr(string(um.IDStr), string(um.ID))
		if uid == "" || i == rtMention {
			continue
		}
		post.Mentions = appendUnique(post.Mentions, strings.ToLower(um.ScreenName))
		if content != "" {
			acc := refAccount(bl, uid, um.ScreenName, um.Name)
			edge(content, schema.EdgeMentions, acc)
		}
	}
	for _, u := range ents.URLs {
		if u.ExpandedURL == "" {
			continue
		}
		post.URLs = appendUnique(post.URLs, u.ExpandedURL)
		if content != "" {
			link := twitter.LinkID(u.ExpandedURL)
			bl.Node(schema.Node{ID: link, Kind: schema.KindLink, Platform: platform, Sources: []string{source},
				Link: &schema.Link{URL: u.ExpandedURL, Display: u.DisplayURL}})
			edge(content, schema.EdgeLinksTo, link)
		}
	}
	for _, md := range ents.Media {
		mid := cmpOr(string(md.IDStr), string(md.ID))
		if mid == "" {
			continue
		}
		nid := twitter.MediaID(mid)
		post.Media = appendUnique(post.Media, nid)
		bl.Node(schema.Node{ID: nid, Kind: schema.KindMedia, Platform: platform, Sources: []string{source},
			Media: &schema.Media{Type: md.Type, URL: cmpOr(md.MediaURLHTTPS, md.MediaURL), AltText: md.ExtAltText,
				Width: int(md.Sizes.Large.W.v), Height: int(md.Sizes.Large.H.v)}})
		if content != "" {
			edge(content, schema.EdgeHasMedia, nid)
		}
		out.media = append(out.media, md)
		out.mids = append(out.mids, nid)
	}
	if keepStored {
		// The stored view (the API's) has the retweeted tweet's whole text
		// and entities; the archive's are cut at 140 characters.
		post.Hashtags, post.Mentions, post.URLs, post.Media = nil, nil, nil, nil
	}

	bl.Node(schema.Node{
		ID: id, Kind: schema.KindPost, Platform: platform, Sources: []string{source},
		Post: post,
		Raw:  map[string]json.RawMessage{source: compact(raw)},
	})
	return out, nil
}

// refAccount adds a reference node for an account known by id (and perhaps
// handle and name), as the API importer does, and returns its id.
func refAccount(bl *schema.Builder, idStr, handle, name string) string {
	id := twitter.AccountID(idStr)
	n := schema.Ref(id)
	if handle != "" || name != "" {
		n.Account = &schema.Account{Handle: handle, DisplayName: html.UnescapeString(name)}
	}
	bl.Node(n)
	return id
}

// mediaFile finds the file of a media in the archive's tweet media folders:
// "<tweet id>-<basename of media_url>" for a photo, the same name or the
// mp4's name for a video or GIF, else the one "<tweet id>-*" file not
// taken by another media of the tweet.
func mediaFile(files []string, md media, taken map[string]bool) string {
	var want []string
	for _, u := range []string{md.MediaURLHTTPS, md.MediaURL} {
		if b := baseName(u); b != "" {
			want = append(want, b)
		}
	}
	for _, v := range md.VideoInfo.Variants {
		if b := baseName(v.URL); b != "" {
			want = append(want, b)
		}
	}
	for _, w := range want {
		for _, f := range files {
			if !taken[f] && strings.HasSuffix(f, "-"+w) {
				return f
			}
		}
	}
	if md.Type == "video" || md.Type == "animated_gif" {
		for _, f := range files {
			if !taken[f] {
				return f
			}
		}
	}
	return ""
}

// baseName is the last path element of a url, without its query.
func baseName(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if u == "" {
		return ""
	}
	b := path.Base(u)
	if b == "." || b == "/" {
		return ""
	}
	return b
}

// profileItem is an item of profile.js.
type profileItem struct {
	Description struct {
		Bio      string `json:"bio"`
		Website  string `json:"website"`
		Location string `json:"location"`
	} `json:"description"`
	AvatarMediaURL string `json:"avatarMediaUrl"`
	HeaderMediaURL string `json:"headerMediaUrl"`
}

// tcoRE matches a t.co link, which a profile's website often is.
var tcoRE = regexp.MustCompile(`^https?://t\.co/\w+$`)

// mapOwner builds the owner's account node from account.js, profile.js and
// the manifest. The archive has no counts: they stay as the API left them.
// A website that is only a t.co link is kept only while the account is not
// stored complete: the API gives the url it leads to.
func mapOwner(a *archive, acc *accountItem, prof *profileItem, profRaw json.RawMessage, stored bool) (schema.Node, error) {
	n := schema.Node{
		ID: twitter.AccountID(a.ownerID), Kind: schema.KindAccount, Platform: platform, Sources: []string{source},
		Account: &schema.Account{Handle: a.ownerHandle, DisplayName: a.ownerName},
	}
	raw := map[string]json.RawMessage{}
	if acc != nil {
		n.Account.Handle = cmpOr(acc.Username, n.Account.Handle)
		n.Account.DisplayName = cmpOr(html.UnescapeString(acc.AccountDisplayName), n.Account.DisplayName)
		if acc.CreatedAt != "" {
			t, err := time.Parse(time.RFC3339Nano, acc.CreatedAt)
			if err != nil {
				return n, fmt.Errorf("account.js: createdAt %q is not a time: %w", acc.CreatedAt, err)
			}
			n.Account.Created = t.UTC()
		}
		// The e-mail address and how the account was created are private
		// details of account.js that the graph has no field for; the raw
		// JSON keeps only what describes the public account.
		raw["account"] = mustJSON(map[string]string{"accountId": acc.AccountID, "username": acc.Username,
			"accountDisplayName": acc.AccountDisplayName, "createdAt": acc.CreatedAt})
	}
	if prof != nil {
		d := prof.Description
		// As the API importer maps a user's description and location.
		n.Account.Bio = html.UnescapeString(d.Bio)
		n.Account.Location = html.UnescapeString(d.Location)
		if d.Website != "" && (!tcoRE.MatchString(d.Website) || !stored) {
			n.Account.URL = d.Website
		}
		n.Account.Avatar = prof.AvatarMediaURL
		raw["profile"] = compact(profRaw)
	}
	if len(raw) > 0 {
		n.Raw = map[string]json.RawMessage{source: mustJSON(raw)}
	}
	return n, nil
}

func compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

// mustJSON encodes v without HTML escaping (text stays as the archive
// has it).
func mustJSON(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only plain maps and structs are encoded here
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
