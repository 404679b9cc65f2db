package twittertest

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// jw writes compact JSON in a fixed field order. Strings are escaped the way
// api.twitter.com does: "/" as "\/", "<" and ">" and every non-ASCII
// character as \uXXXX (UTF-16 surrogate pairs above the BMP).
type jw struct {
	b        []byte
	comma    []bool
	afterKey bool
}

func (w *jw) sep() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if n := len(w.comma); n > 0 {
		if w.comma[n-1] {
			w.b = append(w.b, ',')
		}
		w.comma[n-1] = true
	}
}

func (w *jw) obj() { w.sep(); w.b = append(w.b, '{'); w.comma = append(w.comma, false) }
func (w *jw) end() { w.b = append(w.b, '}'); w.comma = w.comma[:len(w.comma)-1] }
func (w *jw) arr() { w.sep(); w.b = append(w.b, '['); w.comma = append(w.comma, false) }
func (w *jw) endArr() {
	w.b = append(w.b, ']')
	w.comma = w.comma[:len(w.comma)-1]
}

func (w *jw) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.afterKey = true
}

func (w *jw) str(s string)   { w.sep(); w.b = appendString(w.b, s) }
func (w *jw) i64(i int64)    { w.sep(); w.b = strconv.AppendInt(w.b, i, 10) }
func (w *jw) num(i int)      { w.i64(int64(i)) }
func (w *jw) boolean(v bool) { w.sep(); w.b = strconv.AppendBool(w.b, v) }
func (w *jw) null()          { w.sep(); w.b = append(w.b, "null"...) }

func (w *jw) kstr(k, v string)     { w.key(k); w.str(v) }
func (w *jw) knum(k string, v int) { w.key(k); w.num(v) }
func (w *jw) ki64(k string, v int64) {
	w.key(k)
	w.i64(v)
}
func (w *jw) kbool(k string, v bool) { w.key(k); w.boolean(v) }
func (w *jw) knull(k string)         { w.key(k); w.null() }

// kstrOrNull writes null for "".
func (w *jw) kstrOrNull(k, v string) {
	w.key(k)
	if v == "" {
		w.null()
	} else {
		w.str(v)
	}
}

func (w *jw) indices(s, e int) {
	w.key("indices")
	w.arr()
	w.num(s)
	w.num(e)
	w.endArr()
}

const hexDigits = "0123456789abcdef"

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
}

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '/':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == 0x7f:
				b = appendU(b, rune(c))
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			b = appendU(appendU(b, r1), r2)
		} else {
			b = appendU(b, r)
		}
	}
	return append(b, '"')
}

const createdAtLayout = "Mon Jan 02 15:04:05 +0000 2006"

func createdAt(t time.Time) string { return t.UTC().Format(createdAtLayout) }

// tweetOpts are the request parameters that change how tweets are written.
type tweetOpts struct {
	extended   bool // tweet_mode=extended
	trimUser   bool // trim_user
	noEntities bool // include_entities=false
	noUser     bool // the status embedded in a user object has no user
}

// userOpts say which variant of the user object to write.
type userOpts struct {
	profileLocation bool   // users/show
	status          *Tweet // the embedded latest status, or nil
	tweet           tweetOpts
	listFlags       bool // followers/list, friends/list
	account         bool // account/verify_credentials
	noEntities      bool
}

func (w *World) writeUser(j *jw, u *User, o userOpts) {
	j.obj()
	j.ki64("id", u.id)
	j.kstr("id_str", u.IDStr)
	j.kstr("name", u.Name)
	j.kstr("screen_name", u.ScreenName)
	j.kstr("location", u.Location)
	if o.profileLocation {
		j.knull("profile_location")
	}
	j.kstr("description", u.Description)
	j.kstrOrNull("url", u.URL)
	if !o.noEntities {
		j.key("entities")
		j.obj()
		if u.URL != "" {
			j.key("url")
			j.obj()
			j.key("urls")
			j.arr()
			j.obj()
			j.kstr("url", u.URL)
			j.kstr("expanded_url", u.ExpandedURL)
			j.kstr("display_url", displayURL(u.ExpandedURL))
			j.indices(0, 23)
			j.end()
			j.endArr()
			j.end()
		}
		j.key("description")
		j.obj()
		j.key("urls")
		j.arr()
		j.endArr()
		j.end()
		j.end()
	}
	j.kbool("protected", u.Protected)
	j.knum("followers_count", u.FollowersCount)
	j.knum("friends_count", u.FriendsCount)
	j.knum("listed_count", u.ListedCount)
	j.kstr("created_at", createdAt(u.Created))
	j.knum("favourites_count", u.FavouritesCount)
	j.knull("utc_offset")
	j.knull("time_zone")
	j.kbool("geo_enabled", u.geo)
	j.kbool("verified", u.Verified)
	j.knum("statuses_count", u.StatusesCount)
	j.knull("lang")
	if o.status != nil {
		j.key("status")
		to := o.tweet
		to.noUser = true
		w.writeTweet(j, o.status, to, true)
	}
	j.kbool("contributors_enabled", false)
	j.kbool("is_translator", false)
	j.kbool("is_translation_enabled", false)
	j.kstr("profile_background_color", u.colors[0])
	j.kstr("profile_background_image_url", "http://abs.twimg.com/images/themes/"+u.bgTheme)
	j.kstr("profile_background_image_url_https", "https://abs.twimg.com/images/themes/"+u.bgTheme)
	j.kbool("profile_background_tile", u.bgTile)
	j.kstr("profile_image_url", "http://"+strings.TrimPrefix(u.ProfileImageURL, "https://"))
	j.kstr("profile_image_url_https", u.ProfileImageURL)
	if u.ProfileBannerURL != "" {
		j.kstr("profile_banner_url", u.ProfileBannerURL)
	}
	j.kstr("profile_link_color", u.colors[1])
	j.kstr("profile_sidebar_border_color", u.colors[2])
	j.kstr("profile_sidebar_fill_color", u.colors[3])
	j.kstr("profile_text_color", u.colors[4])
	j.kbool("profile_use_background_image", u.useBgImage)
	j.kbool("has_extended_profile", u.extProfile)
	j.kbool("default_profile", u.DefaultProfile)
	j.kbool("default_profile_image", u.DefaultImage)
	j.kbool("following", w.friendSet[u.IDStr])
	if o.listFlags {
		j.kbool("live_following", false)
	}
	j.kbool("follow_request_sent", false)
	j.kbool("notifications", false)
	if o.listFlags {
		j.kbool("muting", false)
		j.kbool("blocking", false)
		j.kbool("blocked_by", false)
	}
	j.kstr("translator_type", u.translator)
	if o.account {
		j.kbool("suspended", false)
		j.kbool("needs_phone_verification", false)
	}
	j.end()
}

// compatCut is where the 140-character compatibility text of a long tweet
// is cut: 115 characters, "… ", and a 23-character link to the tweet.
const compatCut = 115

// compatText is the text of a long tweet in compatibility mode, and where
// it was cut. The cut never splits an HTML entity such as "&amp;".
func compatText(t *Tweet) (string, int) {
	r := []rune(t.Text)
	cut := compatCut
	for i := cut - 1; i >= cut-5; i-- {
		if r[i] == ';' {
			break
		}
		if r[i] == '&' {
			cut = i
			break
		}
	}
	return string(r[:cut]) + "… " + t.truncLink, cut
}

// writeTweet writes a tweet. withQuote is false inside quoted_status, which
// does not embed its own quoted tweet.
func (w *World) writeTweet(j *jw, t *Tweet, o tweetOpts, withQuote bool) {
	truncated := !o.extended && t.RetweetOf == nil && t.disp[1]-t.disp[0] > 140
	limit := 1 << 30 // entities ending after this are not in the text
	j.obj()
	j.kstr("created_at", createdAt(t.Created))
	j.ki64("id", t.id)
	j.kstr("id_str", t.IDStr)
	switch {
	case o.extended:
		j.kstr("full_text", t.Text)
		j.kbool("truncated", false)
		j.key("display_text_range")
		j.arr()
		j.num(t.disp[0])
		j.num(t.disp[1])
		j.endArr()
	case truncated:
		var text string
		text, limit = compatText(t)
		j.kstr("text", text)
		j.kbool("truncated", true)
	default:
		j.kstr("text", t.Text)
		j.kbool("truncated", false)
	}
	showMedia := len(t.Media) > 0 && !truncated
	if !o.noEntities {
		j.key("entities")
		j.obj()
		j.key("hashtags")
		j.arr()
		for _, h := range t.tags {
			if h.e <= limit {
				j.obj()
				j.kstr("text", h.text)
				j.indices(h.s, h.e)
				j.end()
			}
		}
		j.endArr()
		j.key("symbols")
		j.arr()
		j.endArr()
		j.key("user_mentions")
		j.arr()
		for _, m := range t.ments {
			if m.e <= limit {
				j.obj()
				j.kstr("screen_name", m.screenName)
				j.kstr("name", m.name)
				j.ki64("id", m.id)
				j.kstr("id_str", strconv.FormatInt(m.id, 10))
				j.indices(m.s, m.e)
				j.end()
			}
		}
		j.endArr()
		j.key("urls")
		j.arr()
		for _, u := range t.urls {
			if u.e <= limit {
				writeURL(j, u.URL, u.s, u.e)
			}
		}
		if truncated {
			exp := "https://twitter.com/i/web/status/" + t.IDStr
			writeURL(j, URL{t.truncLink, exp, displayURL(exp)}, limit+2, limit+25)
		}
		j.endArr()
		if showMedia {
			j.key("media")
			j.arr()
			w.writeMedia(j, t, t.Media[0], false)
			j.endArr()
		}
		j.end()
		if showMedia {
			j.key("extended_entities")
			j.obj()
			j.key("media")
			j.arr()
			for _, m := range t.Media {
				w.writeMedia(j, t, m, true)
			}
			j.endArr()
			j.end()
		}
	}
	j.kstr("source", t.Source)
	if t.replyID != 0 {
		j.ki64("in_reply_to_status_id", t.replyID)
		j.kstr("in_reply_to_status_id_str", t.ReplyToStatusID)
		j.ki64("in_reply_to_user_id", t.replyUser)
		j.kstr("in_reply_to_user_id_str", t.ReplyToUserID)
		j.kstr("in_reply_to_screen_name", t.ReplyToScreenName)
	} else {
		for _, k := range []string{"in_reply_to_status_id", "in_reply_to_status_id_str", "in_reply_to_user_id", "in_reply_to_user_id_str", "in_reply_to_screen_name"} {
			j.knull(k)
		}
	}
	switch {
	case o.noUser:
	case o.trimUser:
		j.key("user")
		j.obj()
		j.ki64("id", t.user.id)
		j.kstr("id_str", t.user.IDStr)
		j.end()
	default:
		j.key("user")
		w.writeUser(j, t.user, userOpts{noEntities: o.noEntities})
	}
	j.knull("geo")
	j.knull("coordinates")
	j.knull("place")
	j.knull("contributors")
	if t.RetweetOf != nil {
		j.key("retweeted_status")
		w.writeTweet(j, t.RetweetOf, o, true)
	}
	j.kbool("is_quote_status", t.quotedID != 0)
	if t.quotedID != 0 {
		j.ki64("quoted_status_id", t.quotedID)
		j.kstr("quoted_status_id_str", t.QuotedIDStr)
		if p := t.permalink; p != nil {
			j.key("quoted_status_permalink")
			j.obj()
			j.kstr("url", p.URL.URL)
			j.kstr("expanded", p.ExpandedURL)
			j.kstr("display", p.DisplayURL)
			j.end()
		}
		if t.QuoteOf != nil && withQuote {
			j.key("quoted_status")
			w.writeTweet(j, t.QuoteOf, o, false)
		}
	}
	orig := t
	if t.RetweetOf != nil {
		orig = t.RetweetOf
	}
	j.knum("retweet_count", t.RetweetCount)
	j.knum("favorite_count", t.FavoriteCount)
	j.kbool("favorited", w.likeSet[orig.id])
	j.kbool("retweeted", w.rtSet[orig.id])
	if len(t.urls) > 0 || len(t.Media) > 0 {
		j.kbool("possibly_sensitive", false)
	}
	j.kstr("lang", t.Lang)
	j.end()
}

func writeURL(j *jw, u URL, s, e int) {
	j.obj()
	j.kstr("url", u.URL)
	j.kstr("expanded_url", u.ExpandedURL)
	j.kstr("display_url", u.DisplayURL)
	j.indices(s, e)
	j.end()
}

// fit scales w×h to fit in a box of side max, as the media "sizes" do.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, h * side / w
	}
	return w * side / h, side
}

// writeMedia writes a media entity. In "entities" every media is a photo
// (videos show their thumbnail); "extended_entities" has the real type and
// video_info. A retweet's media carries source_status_id.
func (w *World) writeMedia(j *jw, t *Tweet, m *Media, extended bool) {
	j.obj()
	j.ki64("id", m.id)
	j.kstr("id_str", m.IDStr)
	j.indices(t.mediaAt[0], t.mediaAt[1])
	j.kstr("media_url", "http://"+strings.TrimPrefix(m.MediaURL, "https://"))
	j.kstr("media_url_https", m.MediaURL)
	j.kstr("url", m.URL)
	j.kstr("display_url", m.DisplayURL)
	j.kstr("expanded_url", m.ExpandedURL)
	typ := m.Type
	if !extended {
		typ = "photo"
	}
	j.kstr("type", typ)
	j.key("sizes")
	j.obj()
	for _, s := range []struct {
		name   string
		side   int
		resize string
	}{{"thumb", 150, "crop"}, {"medium", 1200, "fit"}, {"small", 680, "fit"}, {"large", 2048, "fit"}} {
		j.key(s.name)
		j.obj()
		sw, sh := 150, 150
		if s.resize == "fit" {
			sw, sh = fit(m.Width, m.Height, s.side)
		}
		j.knum("w", sw)
		j.knum("h", sh)
		j.kstr("resize", s.resize)
		j.end()
	}
	j.end()
	if t.RetweetOf != nil {
		o := t.RetweetOf
		j.ki64("source_status_id", o.id)
		j.kstr("source_status_id_str", o.IDStr)
		j.ki64("source_user_id", o.user.id)
		j.kstr("source_user_id_str", o.user.IDStr)
	}
	if extended && len(m.Variants) > 0 {
		j.key("video_info")
		j.obj()
		j.key("aspect_ratio")
		j.arr()
		j.num(m.AspectRatio[0])
		j.num(m.AspectRatio[1])
		j.endArr()
		if m.Type == "video" {
			j.knum("duration_millis", m.DurationMillis)
		}
		j.key("variants")
		j.arr()
		for _, v := range m.Variants {
			j.obj()
			if v.Bitrate >= 0 {
				j.knum("bitrate", v.Bitrate)
			}
			j.kstr("content_type", v.ContentType)
			j.kstr("url", v.URL)
			j.end()
		}
		j.endArr()
		j.end()
		j.key("additional_media_info")
		j.obj()
		j.kbool("monetizable", false)
		j.end()
	}
	j.end()
}
