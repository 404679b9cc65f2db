package archivetest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Layout is how the tweets are laid out in the archive.
type Layout int

const (
	Current   Layout = iota // data/tweets.js, items wrapped in {"tweet": …}
	Split                   // data/tweets.js, data/tweets-part1.js, …
	Old                     // data/tweet.js, YTD.tweet.part0, data/tweet_media
	Unwrapped               // data/tweets.js with bare tweet objects
)

// Layouts lists every layout.
var Layouts = []Layout{Current, Split, Old, Unwrapped}

func (l Layout) String() string {
	switch l {
	case Current:
		return "current"
	case Split:
		return "split"
	case Old:
		return "old"
	case Unwrapped:
		return "unwrapped"
	}
	return "layout" + strconv.Itoa(int(l))
}

// Options say how to write an archive.
type Options struct {
	Layout Layout
	// Parts is the number of tweets files of the Split layout (default 3).
	Parts int
	// MediaBytes is the size of each media file; 0 means a small file
	// (a few hundred bytes). Contents are deterministic (see MediaContent).
	MediaBytes int
	// NoMediaFiles writes no media files (tweets still have media entities).
	NoMediaFiles bool
	// NoManifest leaves out data/manifest.js: the importer then scans data/
	// and takes the generation date from the files' modification time.
	NoManifest bool
	// Prefix puts everything under this folder of the zip ("twitter-2024/").
	Prefix string
	// Extra files, written as given (unknown data files, hostile names).
	Extra map[string]string
	// CutFile and CutAt cut one file short: only its first CutAt bytes are
	// written (an interrupted extraction).
	CutFile string
	CutAt   int64
}

// tweetsFile and friends name the tweets files of a layout.
func (o Options) tweetsFiles(n int) []string {
	switch o.Layout {
	case Old:
		return []string{"data/tweet.js"}
	case Split:
		parts := o.Parts
		if parts <= 0 {
			parts = 3
		}
		parts = max(1, min(parts, max(n, 1)))
		files := []string{"data/tweets.js"}
		for i := 1; i < parts; i++ {
			files = append(files, fmt.Sprintf("data/tweets-part%d.js", i))
		}
		return files
	}
	return []string{"data/tweets.js"}
}

func (o Options) globalName(i int) string {
	if o.Layout == Old {
		return "YTD.tweet.part0"
	}
	return fmt.Sprintf("YTD.tweets.part%d", i)
}

func (o Options) mediaDir() string {
	if o.Layout == Old {
		return "data/tweet_media"
	}
	return "data/tweets_media"
}

// sink is where an archive's files go: a zip or a folder.
type sink interface {
	create(name string, compress bool) (io.Writer, error)
	close() error
}

// WriteZip writes the archive as the zip Twitter/X sends.
func (a *Archive) WriteZip(path string, o Options) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zs := &zipSink{zw: zip.NewWriter(bw), mod: a.Generated}
	if err := a.write(zs, o); err != nil {
		f.Close()
		return err
	}
	if err := zs.close(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteDir writes the archive as the folder the zip extracts to.
func (a *Archive) WriteDir(dir string, o Options) error {
	ds := &dirSink{dir: dir, mod: a.Generated}
	if err := a.write(ds, o); err != nil {
		ds.close()
		return err
	}
	return ds.close()
}

type zipSink struct {
	zw  *zip.Writer
	mod time.Time
}

func (z *zipSink) create(name string, compress bool) (io.Writer, error) {
	h := &zip.FileHeader{Name: name, Method: zip.Store, Modified: z.mod}
	if compress {
		h.Method = zip.Deflate
	}
	return z.zw.CreateHeader(h)
}

func (z *zipSink) close() error { return z.zw.Close() }

type dirSink struct {
	dir  string
	mod  time.Time
	open *os.File
	bw   *bufio.Writer
	done []string
}

func (d *dirSink) finish() error {
	if d.open == nil {
		return nil
	}
	err := d.bw.Flush()
	if cerr := d.open.Close(); err == nil {
		err = cerr
	}
	d.done = append(d.done, d.open.Name())
	d.open = nil
	return err
}

func (d *dirSink) create(name string, compress bool) (io.Writer, error) {
	if err := d.finish(); err != nil {
		return nil, err
	}
	p := filepath.Join(d.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	d.open, d.bw = f, bufio.NewWriterSize(f, 256<<10)
	return d.bw, nil
}

func (d *dirSink) close() error {
	err := d.finish()
	for _, p := range d.done {
		if cerr := os.Chtimes(p, d.mod, d.mod); err == nil {
			err = cerr
		}
	}
	return err
}

// cutWriter writes only the first n bytes and drops the rest.
type cutWriter struct {
	w io.Writer
	n int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.n <= 0 {
		return len(p), nil
	}
	q := p
	if int64(len(q)) > c.n {
		q = q[:c.n]
	}
	n, err := c.w.Write(q)
	c.n -= int64(n)
	if err != nil {
		return n, err
	}
	return len(p), nil
}

// mediaFile is a file to write into a media folder.
type mediaFile struct {
	name string
	key  string // what its content derives from
}

func (a *Archive) write(s sink, o Options) error {
	create := func(name string, compress bool) (io.Writer, error) {
		w, err := s.create(o.Prefix+name, compress)
		if err != nil {
			return nil, err
		}
		if name == o.CutFile {
			w = &cutWriter{w: w, n: o.CutAt}
		}
		return w, nil
	}
	type fileCount struct {
		name, global string
		count        int
	}
	var tweetFiles []fileCount
	var media []mediaFile

	// Tweets first: the zip is written in one pass, and the media files
	// are known only once the tweets are.
	files := o.tweetsFiles(a.NumTweets)
	per := (a.NumTweets + len(files) - 1) / max(len(files), 1)
	var cur *jsArray
	fileIdx := -1
	next := func() error {
		if cur != nil {
			if err := cur.close(); err != nil {
				return err
			}
			tweetFiles[len(tweetFiles)-1].count = cur.n
		}
		fileIdx++
		name := files[fileIdx]
		w, err := create(name, true)
		if err != nil {
			return err
		}
		global := o.globalName(fileIdx)
		cur = newJSArray(w, "window."+global)
		tweetFiles = append(tweetFiles, fileCount{name: name, global: global})
		return cur.err
	}
	if err := next(); err != nil {
		return err
	}
	if a.Tweets != nil {
		for t := range a.Tweets {
			if cur.n >= per && fileIdx+1 < len(files) {
				if err := next(); err != nil {
					return err
				}
			}
			var item any = tweetJSON(t)
			if o.Layout != Unwrapped {
				item = struct {
					Tweet any `json:"tweet"`
				}{item}
			}
			if err := cur.add(item); err != nil {
				return err
			}
			if !o.NoMediaFiles {
				for _, m := range t.Media {
					if !m.NoFile {
						media = append(media, mediaFile{name: m.FileName(t.ID), key: m.ID})
					}
				}
			}
		}
	}
	for fileIdx+1 < len(files) { // fewer tweets than parts: empty parts
		if err := next(); err != nil {
			return err
		}
	}
	if err := cur.close(); err != nil {
		return err
	}
	tweetFiles[len(tweetFiles)-1].count = cur.n

	// Media.
	for _, m := range media {
		w, err := create(o.mediaDir()+"/"+m.name, false)
		if err != nil {
			return err
		}
		if err := WriteMediaContent(w, m.key, o.MediaBytes); err != nil {
			return err
		}
	}

	// The other data files.
	write := func(name, global string, items []any) error {
		w, err := create(name, true)
		if err != nil {
			return err
		}
		arr := newJSArray(w, "window."+global)
		for _, it := range items {
			if err := arr.add(it); err != nil {
				return err
			}
		}
		return arr.close()
	}
	own := a.Owner
	accountItem := map[string]any{"account": orderedAccount{
		Email: own.Email, CreatedVia: own.CreatedVia, Username: own.Handle, AccountID: own.ID,
		CreatedAt: own.Created.UTC().Format("2006-01-02T15:04:05.000Z"), AccountDisplayName: own.DisplayName,
	}}
	if err := write("data/account.js", "YTD.account.part0", []any{accountItem}); err != nil {
		return err
	}
	prof := map[string]any{"profile": orderedProfile{
		Description:    profileDescription{Bio: own.Bio, Website: own.Website, Location: own.Location},
		AvatarMediaURL: own.AvatarURL, HeaderMediaURL: own.HeaderURL,
	}}
	if err := write("data/profile.js", "YTD.profile.part0", []any{prof}); err != nil {
		return err
	}
	if own.AvatarURL != "" && !o.NoMediaFiles {
		w, err := create("data/profile_media/"+own.AvatarFileName(), false)
		if err != nil {
			return err
		}
		if err := WriteMediaContent(w, "avatar:"+own.ID, o.MediaBytes); err != nil {
			return err
		}
	}
	follows := func(key string, ids []string) []any {
		out := make([]any, len(ids))
		for i, id := range ids {
			out[i] = map[string]any{key: orderedFollow{AccountID: id, UserLink: "https://twitter.com/intent/user?user_id=" + id}}
		}
		return out
	}
	if err := write("data/follower.js", "YTD.follower.part0", follows("follower", a.Followers)); err != nil {
		return err
	}
	if err := write("data/following.js", "YTD.following.part0", follows("following", a.Following)); err != nil {
		return err
	}
	likes := make([]any, len(a.Likes))
	for i, l := range a.Likes {
		likes[i] = map[string]any{"like": orderedLike{TweetID: l.TweetID, FullText: l.FullText,
			ExpandedURL: "https://twitter.com/i/web/status/" + l.TweetID}}
	}
	if err := write("data/like.js", "YTD.like.part0", likes); err != nil {
		return err
	}
	// A data file of a type the importer does not read.
	if err := write("data/block.js", "YTD.block.part0", nil); err != nil {
		return err
	}
	for name, content := range sortedExtra(o.Extra) {
		w, err := create(name, true)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, content); err != nil {
			return err
		}
	}
	if o.NoManifest {
		return nil
	}

	// The manifest, last: it has the counts.
	type fileEntry struct {
		FileName   string `json:"fileName"`
		GlobalName string `json:"globalName"`
		Count      string `json:"count"`
	}
	type dataType struct {
		MediaDirectory string      `json:"mediaDirectory,omitempty"`
		Files          []fileEntry `json:"files,omitempty"`
	}
	one := func(name, global string, n int) dataType {
		return dataType{Files: []fileEntry{{name, global, strconv.Itoa(n)}}}
	}
	tweetsType := dataType{MediaDirectory: o.mediaDir()}
	for _, f := range tweetFiles {
		tweetsType.Files = append(tweetsType.Files, fileEntry{f.name, f.global, strconv.Itoa(f.count)})
	}
	types := map[string]dataType{
		"account":   one("data/account.js", "YTD.account.part0", 1),
		"block":     one("data/block.js", "YTD.block.part0", 0),
		"follower":  one("data/follower.js", "YTD.follower.part0", len(a.Followers)),
		"following": one("data/following.js", "YTD.following.part0", len(a.Following)),
		"like":      one("data/like.js", "YTD.like.part0", len(a.Likes)),
		"profile":   {MediaDirectory: "data/profile_media", Files: []fileEntry{{"data/profile.js", "YTD.profile.part0", "1"}}},
	}
	if o.Layout == Old {
		types["tweet"] = tweetsType
		types["tweetMedia"] = dataType{MediaDirectory: o.mediaDir()}
	} else {
		types["tweets"] = tweetsType
		types["tweetsMedia"] = dataType{MediaDirectory: o.mediaDir()}
	}
	manifest := struct {
		UserInfo struct {
			AccountID   string `json:"accountId"`
			UserName    string `json:"userName"`
			DisplayName string `json:"displayName"`
		} `json:"userInfo"`
		ArchiveInfo struct {
			SizeBytes        string `json:"sizeBytes"`
			GenerationDate   string `json:"generationDate"`
			IsPartialArchive bool   `json:"isPartialArchive"`
			MaxPartSizeBytes string `json:"maxPartSizeBytes"`
		} `json:"archiveInfo"`
		ReadmeInfo struct {
			FileName  string `json:"fileName"`
			Directory string `json:"directory"`
			Name      string `json:"name"`
		} `json:"readmeInfo"`
		DataTypes map[string]dataType `json:"dataTypes"`
	}{DataTypes: types}
	manifest.UserInfo.AccountID, manifest.UserInfo.UserName, manifest.UserInfo.DisplayName = own.ID, own.Handle, own.DisplayName
	manifest.ArchiveInfo.SizeBytes = "0"
	manifest.ArchiveInfo.GenerationDate = a.Generated.UTC().Format("2006-01-02T15:04:05.000Z")
	manifest.ArchiveInfo.MaxPartSizeBytes = "53687091200"
	manifest.ReadmeInfo.FileName, manifest.ReadmeInfo.Directory, manifest.ReadmeInfo.Name = "data/README.txt", "data/", "README.txt"
	w, err := create("data/manifest.js", true)
	if err != nil {
		return err
	}
	b, err := pretty(manifest, "")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "window.__THAR_CONFIG = %s", b)
	return err
}

func sortedExtra(m map[string]string) func(yield func(string, string) bool) {
	return func(yield func(string, string) bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// jsArray writes `window.YTD.x.part0 = [ item, … ]`, pretty-printed.
type jsArray struct {
	w   io.Writer
	n   int
	err error
}

func newJSArray(w io.Writer, global string) *jsArray {
	a := &jsArray{w: w}
	_, a.err = io.WriteString(w, global+" = [")
	return a
}

func (a *jsArray) add(v any) error {
	if a.err != nil {
		return a.err
	}
	b, err := pretty(v, "  ")
	if err != nil {
		a.err = err
		return err
	}
	sep := "\n  "
	if a.n > 0 {
		sep = ",\n  "
	}
	if _, err := io.WriteString(a.w, sep); err != nil {
		a.err = err
		return err
	}
	_, a.err = a.w.Write(b)
	a.n++
	return a.err
}

func (a *jsArray) close() error {
	if a.err != nil {
		return a.err
	}
	end := "\n]"
	if a.n == 0 {
		end = " ]"
	}
	_, a.err = io.WriteString(a.w, end)
	return a.err
}

// pretty encodes v as the archive does: indented, `"key" : value`, no
// HTML escaping.
func pretty(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return spaceColons(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// spaceColons turns `"key": ` into `"key" : `.
func spaceColons(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/16)
	in, esc := false, false
	for i, c := range b {
		out = append(out, c)
		switch {
		case in && esc:
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in = !in
			if !in && i+1 < len(b) && b[i+1] == ':' {
				out = append(out, ' ')
			}
		}
	}
	return out
}

// The archive's JSON, with fields in the order the archive writes them.

type orderedAccount struct {
	Email              string `json:"email"`
	CreatedVia         string `json:"createdVia"`
	Username           string `json:"username"`
	AccountID          string `json:"accountId"`
	CreatedAt          string `json:"createdAt"`
	AccountDisplayName string `json:"accountDisplayName"`
}

type profileDescription struct {
	Bio      string `json:"bio"`
	Website  string `json:"website"`
	Location string `json:"location"`
}

type orderedProfile struct {
	Description    profileDescription `json:"description"`
	AvatarMediaURL string             `json:"avatarMediaUrl,omitempty"`
	HeaderMediaURL string             `json:"headerMediaUrl,omitempty"`
}

type orderedFollow struct {
	AccountID string `json:"accountId"`
	UserLink  string `json:"userLink"`
}

type orderedLike struct {
	TweetID     string `json:"tweetId"`
	FullText    string `json:"fullText"`
	ExpandedURL string `json:"expandedUrl"`
}

type jEditInfo struct {
	Initial struct {
		EditTweetIDs   []string `json:"editTweetIds"`
		EditableUntil  string   `json:"editableUntil"`
		EditsRemaining string   `json:"editsRemaining"`
		IsEditEligible bool     `json:"isEditEligible"`
	} `json:"initial"`
}

type jHashtag struct {
	Text    string   `json:"text"`
	Indices []string `json:"indices"`
}

type jMention struct {
	Name       string   `json:"name"`
	ScreenName string   `json:"screen_name"`
	Indices    []string `json:"indices"`
	IDStr      string   `json:"id_str"`
	ID         string   `json:"id"`
}

type jURL struct {
	URL         string   `json:"url"`
	ExpandedURL string   `json:"expanded_url"`
	DisplayURL  string   `json:"display_url"`
	Indices     []string `json:"indices"`
}

type jSize struct {
	W      string `json:"w"`
	H      string `json:"h"`
	Resize string `json:"resize"`
}

type jVariant struct {
	Bitrate     string `json:"bitrate,omitempty"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
}

type jVideoInfo struct {
	AspectRatio []string   `json:"aspect_ratio"`
	Variants    []jVariant `json:"variants"`
}

type jMedia struct {
	ExpandedURL       string           `json:"expanded_url"`
	Indices           []string         `json:"indices"`
	URL               string           `json:"url"`
	MediaURL          string           `json:"media_url"`
	IDStr             string           `json:"id_str"`
	ID                string           `json:"id"`
	MediaURLHTTPS     string           `json:"media_url_https"`
	SourceUserID      string           `json:"source_user_id,omitempty"`
	SourceStatusID    string           `json:"source_status_id,omitempty"`
	Sizes             map[string]jSize `json:"sizes"`
	Type              string           `json:"type"`
	SourceStatusIDStr string           `json:"source_status_id_str,omitempty"`
	SourceUserIDStr   string           `json:"source_user_id_str,omitempty"`
	DisplayURL        string           `json:"display_url"`
	VideoInfo         *jVideoInfo      `json:"video_info,omitempty"`
}

type jEntities struct {
	Hashtags     []jHashtag `json:"hashtags"`
	Symbols      []struct{} `json:"symbols"`
	UserMentions []jMention `json:"user_mentions"`
	URLs         []jURL     `json:"urls"`
	Media        []jMedia   `json:"media,omitempty"`
}

type jTweet struct {
	EditInfo             *jEditInfo `json:"edit_info,omitempty"`
	Retweeted            bool       `json:"retweeted"`
	Source               string     `json:"source"`
	Entities             jEntities  `json:"entities"`
	DisplayTextRange     []string   `json:"display_text_range"`
	FavoriteCount        string     `json:"favorite_count"`
	InReplyToStatusIDStr string     `json:"in_reply_to_status_id_str,omitempty"`
	IDStr                string     `json:"id_str"`
	InReplyToUserID      string     `json:"in_reply_to_user_id,omitempty"`
	Truncated            bool       `json:"truncated"`
	RetweetCount         string     `json:"retweet_count"`
	ID                   string     `json:"id"`
	InReplyToStatusID    string     `json:"in_reply_to_status_id,omitempty"`
	PossiblySensitive    *bool      `json:"possibly_sensitive,omitempty"`
	CreatedAt            string     `json:"created_at"`
	Favorited            bool       `json:"favorited"`
	FullText             string     `json:"full_text"`
	Lang                 string     `json:"lang"`
	InReplyToScreenName  string     `json:"in_reply_to_screen_name,omitempty"`
	InReplyToUserIDStr   string     `json:"in_reply_to_user_id_str,omitempty"`
	ExtendedEntities     *struct {
		Media []jMedia `json:"media"`
	} `json:"extended_entities,omitempty"`
}

// indexer finds entities in a text, left to right, in code points.
type indexer struct {
	text string
	from int // byte offset searched from
}

func (x *indexer) find(s string) []string {
	i := strings.Index(x.text[x.from:], s)
	if i < 0 {
		i = strings.Index(x.text, s) // out of order; search from the start
		if i < 0 {
			return []string{"0", "0"}
		}
	} else {
		i += x.from
		x.from = i + len(s)
	}
	start := utf8.RuneCountInString(x.text[:i])
	return []string{strconv.Itoa(start), strconv.Itoa(start + utf8.RuneCountInString(s))}
}

// fit scales w×h to fit in a box of side max, as the media sizes do.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, h * side / w
	}
	return w * side / h, side
}

func sizes(w, h int) map[string]jSize {
	out := map[string]jSize{"thumb": {"150", "150", "crop"}}
	for name, side := range map[string]int{"medium": 1200, "small": 680, "large": 2048} {
		sw, sh := fit(w, h, side)
		out[name] = jSize{strconv.Itoa(sw), strconv.Itoa(sh), "fit"}
	}
	return out
}

func tweetJSON(t Tweet) jTweet {
	j := jTweet{
		Retweeted: t.Retweeted, Source: t.Source,
		DisplayTextRange: []string{"0", strconv.Itoa(utf8.RuneCountInString(t.FullText))},
		FavoriteCount:    strconv.Itoa(t.FavoriteCount), RetweetCount: strconv.Itoa(t.RetweetCount),
		IDStr: t.ID, ID: t.ID, CreatedAt: t.Created.UTC().Format("Mon Jan 02 15:04:05 +0000 2006"),
		Favorited: t.Favorited, FullText: t.FullText, Lang: t.Lang,
	}
	ei := &jEditInfo{}
	ei.Initial.EditTweetIDs = []string{t.ID}
	ei.Initial.EditableUntil = t.Created.Add(30 * time.Minute).UTC().Format("2006-01-02T15:04:05.000Z")
	ei.Initial.EditsRemaining = "5"
	j.EditInfo = ei
	if t.ReplyToStatusID != "" {
		j.InReplyToStatusID, j.InReplyToStatusIDStr = t.ReplyToStatusID, t.ReplyToStatusID
		j.InReplyToUserID, j.InReplyToUserIDStr = t.ReplyToUserID, t.ReplyToUserID
		j.InReplyToScreenName = t.ReplyToScreenName
	}
	ix := &indexer{text: t.FullText}
	e := jEntities{Hashtags: []jHashtag{}, Symbols: []struct{}{}, UserMentions: []jMention{}, URLs: []jURL{}}
	for _, m := range t.Mentions {
		e.UserMentions = append(e.UserMentions, jMention{Name: m.Name, ScreenName: m.ScreenName,
			Indices: ix.find("@" + m.ScreenName), IDStr: m.ID, ID: m.ID})
	}
	ix.from = 0
	for _, h := range t.Hashtags {
		e.Hashtags = append(e.Hashtags, jHashtag{Text: h, Indices: ix.find("#" + h)})
	}
	ix.from = 0
	for _, u := range t.URLs {
		e.URLs = append(e.URLs, jURL{URL: u.URL, ExpandedURL: u.ExpandedURL, DisplayURL: u.DisplayURL, Indices: ix.find(u.URL)})
	}
	if len(t.Media) > 0 {
		ix.from = 0
		var ms []jMedia
		for _, m := range t.Media {
			jm := jMedia{
				ExpandedURL: m.ExpandedURL, Indices: ix.find(m.URL), URL: m.URL,
				MediaURL: "http://" + strings.TrimPrefix(m.MediaURL, "https://"), IDStr: m.ID, ID: m.ID,
				MediaURLHTTPS: m.MediaURL, Sizes: sizes(m.Width, m.Height), Type: m.Type, DisplayURL: m.DisplayURL,
			}
			ix.from = 0
			if m.SourceStatusID != "" {
				jm.SourceStatusID, jm.SourceStatusIDStr = m.SourceStatusID, m.SourceStatusID
				jm.SourceUserID, jm.SourceUserIDStr = m.SourceUserID, m.SourceUserID
			}
			if m.VideoURL != "" {
				jm.VideoInfo = &jVideoInfo{AspectRatio: []string{"16", "9"},
					Variants: []jVariant{{Bitrate: "2176000", ContentType: "video/mp4", URL: m.VideoURL}}}
			}
			ms = append(ms, jm)
		}
		// entities.media has the first, as a photo (a video's thumbnail).
		first := ms[0]
		first.Type, first.VideoInfo = "photo", nil
		e.Media = []jMedia{first}
		j.ExtendedEntities = &struct {
			Media []jMedia `json:"media"`
		}{ms}
	}
	if len(t.URLs) > 0 || len(t.Media) > 0 {
		f := false
		j.PossiblySensitive = &f
	}
	j.Entities = e
	return j
}

// MediaContent returns the content of the media file with the given key
// (a media id): size bytes (0: a small file) that depend only on the key.
func MediaContent(key string, size int) []byte {
	var buf bytes.Buffer
	_ = WriteMediaContent(&buf, key, size)
	return buf.Bytes()
}

// WriteMediaContent writes what MediaContent returns.
func WriteMediaContent(w io.Writer, key string, size int) error {
	if size <= 0 {
		_, err := fmt.Fprintf(w, "synthetic media %s\n%s\n", key, strings.Repeat(key, 8))
		return err
	}
	sum := sha256.Sum256([]byte(key))
	rng := rand.NewChaCha8(sum)
	buf := make([]byte, min(size, 64<<10))
	for size > 0 {
		n := min(size, len(buf))
		_, _ = rng.Read(buf[:n])
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		size -= n
	}
	return nil
}
