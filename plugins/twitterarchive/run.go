package twitterarchive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/schema"
)

// Items per batch. A batch is committed in one transaction with the cursor
// that records how far the import has come.
const (
	tweetsPerBatch  = 500
	likesPerBatch   = 1000
	followsPerBatch = 5000
	// mediaWorkers copy media files into the store at the same time.
	mediaWorkers = 4
)

// cursorStream is the one cursor of an archive import.
const cursorStream = "archive"

// position is the cursor's value: which archive (by its generation date)
// is being imported, and how far. An import stopped in the middle resumes
// after the last committed batch of the same archive; a done one is not
// imported again (unless media were skipped then and are wanted now).
type position struct {
	Generation time.Time `json:"generation"`
	File       string    `json:"file,omitempty"` // the data file in progress
	Item       int       `json:"item,omitempty"` // its items committed
	Done       bool      `json:"done,omitempty"`
	NoMedia    bool      `json:"no_media,omitempty"` // done, or committed so far, without copying media
}

// run is the state of one import.
type run struct {
	h       importer.Host
	a       *archive
	noMedia bool
	owner   owner
	media   map[string][]string // tweet id → its media files

	tweets, mediaFiles int
	mediaBytes         int64
	filesDone          int
}

func (r *run) all(ctx context.Context) error {
	a, log := r.a, r.h.Log()
	r.owner = owner{id: twitter.AccountID(a.ownerID), handle: a.ownerHandle}

	var pos position
	if s, err := r.h.Cursor(cursorStream); err != nil {
		return err
	} else if s != "" {
		if err := json.Unmarshal([]byte(s), &pos); err != nil {
			return fmt.Errorf("twitter-archive: stored cursor %q is not valid JSON (%v); the store may be damaged", cursorStream, err)
		}
	}
	same := pos.Generation.Equal(a.generation)
	if same && pos.Done && (!pos.NoMedia || r.noMedia) {
		log.Info().Time("generation", a.generation).Str("archive", a.path).
			Msg("this archive was imported completely before; nothing to do")
		return nil
	}
	start, skip := 0, 0
	switch {
	case same && !pos.Done && pos.File != "" && pos.NoMedia && !r.noMedia:
		// The batches committed so far have no media files: resuming
		// after them would leave those out for good, the archive then
		// being done. Reading it again copies them (and writes nothing
		// else).
		log.Info().Str("file", pos.File).Int("item", pos.Item).
			Msg("the interrupted import of this archive skipped media; reading it from the start to copy them")
	case same && !pos.Done && pos.File != "":
		for i, s := range a.steps {
			if s.file == pos.File {
				start, skip = i, pos.Item
				log.Info().Str("file", pos.File).Int("item", pos.Item).Msg("resuming the interrupted import of this archive")
				break
			}
		}
	}

	expect := 0
	files := 0
	for _, s := range a.steps {
		if s.kind == stepTweets {
			expect += s.count
			files++
		}
	}
	log.Info().Str("archive", a.path).Time("generation", a.generation).Int("files", len(a.steps)).
		Int("tweets_expected", expect).Bool("partial", a.partial).Msg("reading the archive")
	for _, name := range a.unknownFiles() {
		log.Debug().Str("file", name).Msg("ignoring a file this importer does not read")
	}
	if !r.noMedia {
		idx, err := a.mediaIndex()
		if err != nil {
			return err
		}
		r.media = idx
	}

	for i := start; i < len(a.steps); i++ {
		sk := 0
		if i == start {
			sk = skip
		}
		var err error
		switch a.steps[i].kind {
		case stepProfile:
			err = r.profile(ctx, i)
		case stepTweets:
			err = r.tweetFile(ctx, i, sk)
		case stepLikes:
			err = r.likeFile(ctx, i, sk)
		case stepFollowers, stepFollowing:
			err = r.followFile(ctx, i, sk)
		}
		if err != nil {
			return err
		}
		r.filesDone++
		log.Info().Str("file", a.steps[i].file).Int("files_done", r.filesDone).Int("files", len(a.steps)-start).
			Int("tweets", r.tweets).Int("tweets_expected", expect).Int("media_files", r.mediaFiles).
			Int64("media_bytes", r.mediaBytes).Msg("file imported")
	}
	if files == 0 || (expect == 0 && r.tweets == 0 && start == 0) {
		log.Info().Msg("the archive has no tweets; imported the rest of it")
	}
	log.Info().Int("tweets", r.tweets).Int("media_files", r.mediaFiles).Int64("media_bytes", r.mediaBytes).
		Msg("archive imported")
	return nil
}

// after is the cursor once step i is complete: the start of the next step,
// or done.
func (r *run) after(i int) position {
	if i+1 < len(r.a.steps) {
		return position{Generation: r.a.generation, File: r.a.steps[i+1].file, NoMedia: r.noMedia}
	}
	return position{Generation: r.a.generation, Done: true, NoMedia: r.noMedia}
}

// profile imports the owner's account: account.js, profile.js, the
// manifest's userInfo, and the avatar.
func (r *run) profile(ctx context.Context, i int) error {
	a := r.a
	r.h.Stream("profile", 1)
	var acc *accountItem
	if a.accountFile != "" {
		var err error
		if acc, _, err = readAccount(a.fsys, a.accountFile); err != nil {
			return err
		}
	}
	var prof *profileItem
	var profRaw json.RawMessage
	if a.profileFile != "" {
		jr, err := openJS(a.fsys, a.profileFile)
		if err != nil {
			return err
		}
		raw, err := jr.Next()
		jr.Close()
		switch {
		case err == io.EOF:
		case err != nil:
			return err
		default:
			profRaw = unwrap(raw, "profile")
			prof = &profileItem{}
			if err := json.Unmarshal(profRaw, prof); err != nil {
				return fmt.Errorf("%s: item 1: %w", a.profileFile, err)
			}
		}
	}
	stored, err := r.h.Stored(r.owner.id)
	if err != nil {
		return err
	}
	n, err := mapOwner(a, acc, prof, profRaw, stored)
	if err != nil {
		return err
	}
	if prof != nil && prof.AvatarMediaURL != "" && !r.noMedia {
		if f := r.avatarFile(prof.AvatarMediaURL); f != "" {
			sha, err := r.copyMedia(f)
			if err != nil {
				return err
			}
			n.Account.AvatarBlob = sha
		}
	}
	var bl schema.Builder
	bl.Node(n)
	bl.Cursor(cursorStream, mustString(r.after(i)))
	if err := r.h.Emit(ctx, bl.Batch()); err != nil {
		return err
	}
	importer.AddItems(r.h, 1)
	return nil
}

// avatarFile finds the avatar in the profile media folder:
// "<account id>-<basename of avatarMediaUrl>".
func (r *run) avatarFile(url string) string {
	base := baseName(url)
	if base == "" {
		return ""
	}
	entries, err := fs.ReadDir(r.a.fsys, r.a.profileMediaDir)
	if err != nil {
		return ""
	}
	var fallback string
	for _, e := range entries {
		switch {
		case e.IsDir():
		case e.Name() == r.a.ownerID+"-"+base:
			return r.a.profileMediaDir + "/" + e.Name()
		case strings.HasSuffix(e.Name(), "-"+base) && fallback == "":
			fallback = r.a.profileMediaDir + "/" + e.Name()
		}
	}
	return fallback
}

// copyMedia stores one media file of the archive as a blob.
func (r *run) copyMedia(name string) (string, error) {
	f, err := r.a.fsys.Open(name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	sha, n, err := r.h.Blob(f)
	if err != nil {
		return "", fmt.Errorf("%s: copying into the store: %w", name, err)
	}
	r.mediaFiles++
	r.mediaBytes += n
	return sha, nil
}

// batcher reads one data file item by item and emits its batches, each
// with the cursor of the items it completes. A batch is committed while the
// next one is read (one commit in flight at a time, in order), so that the
// store's write and sync overlap with decoding.
type batcher struct {
	r    *run
	i    int // step index
	per  int
	done int // items of the file done, committed or in bl
	n    int // items in bl
	bl   schema.Builder
	// beforeEmit runs before each batch is committed (copies media).
	beforeEmit func() error
	// atEnd adds to the file's last batch (sweeps).
	atEnd func(bl *schema.Builder)

	inflight chan error // the commit in flight, nil when none
}

func (b *batcher) run(ctx context.Context, skip int, add func(raw json.RawMessage, bl *schema.Builder) error) (err error) {
	defer func() {
		// Whatever stopped the file, the commit in flight ends before
		// the run does; its error, if first, is the run's.
		if werr := b.wait(); err == nil {
			err = werr
		}
	}()
	s := b.r.a.steps[b.i]
	jr, err := openJS(b.r.a.fsys, s.file)
	if err != nil {
		return err
	}
	defer jr.Close()
	if err := jr.Skip(skip); err != nil {
		return err
	}
	b.done = skip
	for {
		raw, err := jr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := add(unwrap(raw, s.kind.wrapper()), &b.bl); err != nil {
			return fmt.Errorf("%s: item %d: %w", s.file, b.done+1, err)
		}
		b.done++
		b.n++
		if b.n >= b.per {
			if err := b.emit(ctx, false); err != nil {
				return err
			}
		}
	}
	return b.emit(ctx, true)
}

// emit hands the batch built so far to the store: after the previous
// batch's commit, in the background; the last batch of the file is waited
// for.
func (b *batcher) emit(ctx context.Context, last bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.beforeEmit != nil {
		if err := b.beforeEmit(); err != nil {
			return err
		}
	}
	pos := position{Generation: b.r.a.generation, File: b.r.a.steps[b.i].file, Item: b.done, NoMedia: b.r.noMedia}
	if last {
		if b.atEnd != nil {
			b.atEnd(&b.bl)
		}
		pos = b.r.after(b.i)
	}
	b.bl.Cursor(cursorStream, mustString(pos))
	batch, n := b.bl.Batch(), b.n
	b.n = 0
	if err := b.wait(); err != nil {
		return err
	}
	ch := make(chan error, 1)
	b.inflight = ch
	go func() {
		err := b.r.h.Emit(ctx, batch)
		if err == nil {
			importer.AddItems(b.r.h, n)
		}
		ch <- err
	}()
	if last {
		return b.wait()
	}
	return nil
}

// wait waits for the commit in flight, if any.
func (b *batcher) wait() error {
	if b.inflight == nil {
		return nil
	}
	err := <-b.inflight
	b.inflight = nil
	return err
}

// rtMark is in the JSON of every retweet: its full_text starts "RT @".
var rtMark = []byte(`"RT @`)

// tweetFile imports one tweets file.
func (r *run) tweetFile(ctx context.Context, i, skip int) error {
	s := r.a.steps[i]
	r.h.Stream(s.file, s.count)
	cp := newCopier(r)
	b := &batcher{r: r, i: i, per: tweetsPerBatch}
	b.beforeEmit = func() error { return cp.wait(&b.bl) }
	defer cp.wg.Wait() // no copy outlives the run, whatever stops it
	view := tweetView{generation: r.a.generation}
	return b.run(ctx, skip, func(raw json.RawMessage, bl *schema.Builder) error {
		v := view
		if bytes.Contains(raw, rtMark) {
			// Only a retweet's text depends on what is stored (see mapTweet).
			var t struct {
				IDStr idStr  `json:"id_str"`
				ID    idStr  `json:"id"`
				Text  string `json:"full_text"`
			}
			if err := json.Unmarshal(raw, &t); err != nil {
				return err
			}
			if retweetRE.MatchString(t.Text) {
				stored, err := r.h.Stored(twitter.PostID(cmpOr(string(t.IDStr), string(t.ID))))
				if err != nil {
					return err
				}
				v.stored = stored
			}
		}
		mt, err := mapTweet(raw, r.owner, v, bl)
		if err != nil {
			return err
		}
		r.tweets++
		if r.media != nil && len(mt.media) > 0 {
			files := r.media[mt.native]
			taken := map[string]bool{}
			for k, md := range mt.media {
				if f := mediaFile(files, md, taken); f != "" {
					taken[f] = true
					cp.start(mt.mids[k], f)
				}
			}
		}
		return nil
	})
}

// copier copies the media files of a batch into the store while the
// batch is read: each file starts copying as soon as its tweet is mapped,
// a few at a time, and wait collects the blobs before the batch is
// committed.
type copier struct {
	r    *run
	sem  chan struct{}
	wg   sync.WaitGroup
	jobs []*mediaJob
}

// mediaJob is a media file to copy, and the node its blob goes to.
type mediaJob struct {
	node string
	file string
	sha  string
	n    int64
	err  error
}

func newCopier(r *run) *copier {
	return &copier{r: r, sem: make(chan struct{}, mediaWorkers)}
}

func (c *copier) start(node, file string) {
	j := &mediaJob{node: node, file: file}
	c.jobs = append(c.jobs, j)
	c.wg.Add(1)
	c.sem <- struct{}{}
	go func() {
		defer c.wg.Done()
		defer func() { <-c.sem }()
		f, err := c.r.a.fsys.Open(j.file)
		if err != nil {
			j.err = fmt.Errorf("%s: %w", j.file, err)
			return
		}
		defer f.Close()
		if j.sha, j.n, err = c.r.h.Blob(f); err != nil {
			j.err = fmt.Errorf("%s: copying into the store: %w", j.file, err)
		}
	}()
}

// wait waits for the batch's copies and sets the blobs of their media
// nodes in bl.
func (c *copier) wait(bl *schema.Builder) error {
	c.wg.Wait()
	var errs []error
	for _, j := range c.jobs {
		if j.err != nil {
			errs = append(errs, j.err)
			continue
		}
		c.r.mediaFiles++
		c.r.mediaBytes += j.n
		if n := bl.Get(j.node); n != nil && n.Media != nil {
			m := *n.Media
			m.Blob = j.sha
			n.Media = &m
		}
	}
	c.jobs = c.jobs[:0]
	return errors.Join(errs...)
}

// likeFile imports one likes file: likes edges from the owner to the liked
// tweets, which are reference posts with the text the archive gives (their
// author is unknown until the API imports them).
func (r *run) likeFile(ctx context.Context, i, skip int) error {
	s := r.a.steps[i]
	r.h.Stream(s.file, s.count)
	gen := r.a.generation
	b := &batcher{r: r, i: i, per: likesPerBatch}
	return b.run(ctx, skip, func(raw json.RawMessage, bl *schema.Builder) error {
		var l struct {
			TweetID  idStr  `json:"tweetId"`
			FullText string `json:"fullText"`
		}
		if err := json.Unmarshal(raw, &l); err != nil {
			return err
		}
		if l.TweetID == "" {
			return nil
		}
		id := twitter.PostID(string(l.TweetID))
		ref := schema.Ref(id)
		if l.FullText != "" {
			ref.Post = &schema.Post{Text: html.UnescapeString(l.FullText)}
		}
		bl.Node(ref)
		bl.Ref(r.owner.id)
		bl.Edge(schema.Edge{From: r.owner.id, Kind: schema.EdgeLikes, To: id, FirstSeen: gen, LastSeen: gen})
		return nil
	})
}

// followFile imports follower.js (they follow the owner) or following.js
// (the owner follows them): follows edges to accounts known by id only.
// The archive lists every follower as of its generation date, so when the
// whole file is in, the follows of the owner last seen before that date
// and absent from it are ended (not for a partial archive).
func (r *run) followFile(ctx context.Context, i, skip int) error {
	s := r.a.steps[i]
	r.h.Stream(s.file, s.count)
	gen := r.a.generation
	dir := schema.In
	if s.kind == stepFollowing {
		dir = schema.Out
	}
	b := &batcher{r: r, i: i, per: followsPerBatch}
	if !r.a.partial {
		b.atEnd = func(bl *schema.Builder) {
			bl.Ref(r.owner.id)
			bl.Sweep(schema.Sweep{Anchor: r.owner.id, Kind: schema.EdgeFollows, Dir: dir, Since: gen})
		}
	}
	return b.run(ctx, skip, func(raw json.RawMessage, bl *schema.Builder) error {
		var f struct {
			AccountID idStr `json:"accountId"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			return err
		}
		if f.AccountID == "" {
			return nil
		}
		acc := twitter.AccountID(string(f.AccountID))
		bl.Ref(acc)
		bl.Ref(r.owner.id)
		e := schema.Edge{From: acc, Kind: schema.EdgeFollows, To: r.owner.id, FirstSeen: gen, LastSeen: gen}
		if dir == schema.Out {
			e.From, e.To = r.owner.id, acc
		}
		bl.Edge(e)
		return nil
	})
}

func mustString(v any) string { return string(mustJSON(v)) }
