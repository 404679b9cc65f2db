package twitter

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	json "github.com/segmentio/encoding/json"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/schema"
)

// Page sizes: the API's maxima.
const (
	maxCount    = 200  // statuses/user_timeline, favorites/list
	maxIDsCount = 5000 // followers/ids, friends/ids
	maxLookup   = 100  // users/lookup
)

// retryUnavailable is how long an account that users/lookup did not return
// (suspended, deactivated) is left alone before it is asked for again.
const retryUnavailable = 30 * 24 * time.Hour

// run is the state of one import.
type run struct {
	host  importer.Host
	api   *api
	job   *job
	owner string // the owner's id_str
	// The owner's counts from the profile, for progress.
	expect map[string]int

	followings []string // id_str of the accounts the owner follows, from this run's pass

	// umu guards unavailable, and is held from a change to it until the
	// batch with its new cursor value is committed, so that concurrent
	// lookups never commit an older value after a newer one.
	umu         sync.Mutex
	unavailable map[string]time.Time // id_str → when users/lookup last did not return it
}

func (r *run) all(ctx context.Context) error {
	if err := r.profile(ctx); err != nil {
		return err
	}
	if err := r.loadUnavailable(); err != nil {
		return err
	}
	if err := r.follows(ctx, followers); err != nil {
		return err
	}
	if err := r.follows(ctx, followings); err != nil {
		return err
	}
	r.host.Stream("timeline", r.expect["timeline"])
	if err := r.timeline(ctx, timelineSpec{stream: "timeline:" + r.owner, endpoint: "statuses/user_timeline",
		user: r.owner, count: maxCount, walk: true}); err != nil {
		return err
	}
	if n := r.job.followingsTweets; n > 0 {
		r.host.Stream("followings' timelines", len(r.followings)*n) // at most n tweets each
		if err := r.followingsTimelines(ctx, n); err != nil {
			return err
		}
	}
	if r.job.likes {
		r.host.Stream("likes", 0)
		if err := r.timeline(ctx, timelineSpec{stream: "likes", endpoint: "favorites/list",
			user: r.owner, count: maxCount, walk: true, liker: AccountID(r.owner)}); err != nil {
			return err
		}
	}
	return nil
}

// profile imports the owner's account, every run, so that the store keeps
// a history of its counts.
func (r *run) profile(ctx context.Context) error {
	r.host.Stream("profile", 1)
	raw := r.job.ownProfile // the token's owner, asked for by ResolveAccount
	r.job.ownProfile = nil
	var err error
	switch {
	case raw != nil:
	case r.job.user == "": // a host that did not resolve the account first
		raw, err = r.api.tokenOwner(ctx)
	default:
		err = r.api.get(ctx, "users/show", url.Values{"screen_name": {r.job.user}, "include_entities": {"true"}}, &raw)
	}
	if err != nil {
		return fmt.Errorf("profile of %s: %w", r.job.Account(), err)
	}
	var bl schema.Builder
	id, err := MapUser(raw, &bl)
	if err != nil {
		return err
	}
	_, _, r.owner, _ = schema.ParseID(id)
	if a := bl.Get(id).Account; a != nil {
		r.expect = map[string]int{followers.stream: intOf(a.FollowersCount), followings.stream: intOf(a.FollowingCount),
			"timeline": min(intOf(a.PostCount), 3200)}
	}
	importer.AddItems(r.host, 1)
	return r.host.Emit(ctx, bl.Batch())
}

// followSet says which side of the owner's follow graph a pass lists.
type followSet struct {
	stream   string
	endpoint string
	dir      schema.Direction // In: they follow the owner; Out: the owner follows them
}

var (
	followers  = followSet{stream: "followers", endpoint: "followers/ids", dir: schema.In}
	followings = followSet{stream: "followings", endpoint: "friends/ids", dir: schema.Out}
)

// followCursor is the cursor of a follow pass: when the pass began. Edges
// not seen since then are ended when the pass completes.
type followCursor struct {
	PassStarted time.Time `json:"pass_started"`
}

// follows records the full set of followers (or followings): id pages of
// 5,000, users/lookup only for accounts not yet stored, then a sweep that
// ends the edges this pass did not see.
//
// An interrupted pass starts its listing again but keeps its start time:
// id pages are cheap (5,000 a request), the followings' timelines need the
// whole list, and the lookups already done are not repeated.
func (r *run) follows(ctx context.Context, set followSet) error {
	var c followCursor
	if err := r.loadCursor(set.stream, &c); err != nil {
		return err
	}
	if c.PassStarted.IsZero() {
		c.PassStarted = r.host.Now().UTC()
		var bl schema.Builder
		bl.Cursor(set.stream, mustJSON(c))
		if err := r.host.Emit(ctx, bl.Batch()); err != nil {
			return err
		}
	}
	owner := AccountID(r.owner)
	r.host.Stream(set.stream, r.expect[set.stream])
	cursor := "-1"
	for {
		var page struct {
			IDs        idList `json:"ids"`
			NextCursor string `json:"next_cursor_str"`
		}
		q := url.Values{"user_id": {r.owner}, "count": {strconv.Itoa(maxIDsCount)},
			"cursor": {cursor}, "stringify_ids": {"true"}}
		if err := r.api.get(ctx, set.endpoint, q, &page); err != nil {
			return fmt.Errorf("%s: %w", set.stream, err)
		}
		var bl schema.Builder
		mapFollowIDs(owner, page.IDs, set.dir, &bl)
		if set.dir == schema.Out {
			r.followings = append(r.followings, page.IDs...)
		}
		if err := r.host.Emit(ctx, bl.Batch()); err != nil {
			return err
		}
		// Items are accounts done: stored already, or looked up (lookup
		// counts them, so that progress moves through the lookups).
		if err := r.lookup(ctx, page.IDs); err != nil {
			return err
		}
		if page.NextCursor == "" || page.NextCursor == "0" {
			break
		}
		cursor = page.NextCursor
	}
	var bl schema.Builder
	bl.Sweep(schema.Sweep{Anchor: owner, Kind: schema.EdgeFollows, Dir: set.dir, Since: c.PassStarted})
	bl.Cursor(set.stream, "")
	return r.host.Emit(ctx, bl.Batch())
}

// lookup imports the complete accounts of ids that are not stored yet, 100
// a request, r.job.concurrency requests at a time (the client shares the
// endpoint's rate-limit window among them). Accounts the API does not
// return are remembered and left alone for a while, so that a second run
// makes no lookups for them.
func (r *run) lookup(ctx context.Context, ids []string) error {
	var missing []string
	now := r.host.Now()
	for _, id := range ids {
		if t, ok := r.unavailable[id]; ok && now.Sub(t) < retryUnavailable {
			continue
		}
		stored, err := r.host.Stored(AccountID(id))
		if err != nil {
			return err
		}
		if !stored {
			missing = append(missing, id)
		}
	}
	importer.AddItems(r.host, len(ids)-len(missing))
	var chunks [][]string
	for len(missing) > 0 {
		chunk := missing[:min(maxLookup, len(missing))]
		missing = missing[len(chunk):]
		chunks = append(chunks, chunk)
	}
	return forEach(ctx, chunks, r.workers(), func(ctx context.Context, chunk []string) error {
		return r.lookupChunk(ctx, chunk, now)
	})
}

// lookupChunk makes one users/lookup request and commits what it returns.
func (r *run) lookupChunk(ctx context.Context, chunk []string, now time.Time) error {
	var users []json.RawMessage
	q := url.Values{"user_id": {strings.Join(chunk, ",")}, "include_entities": {"true"}, "tweet_mode": {"extended"}}
	err := r.api.get(ctx, "users/lookup", q, &users)
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == 404 {
		err, users = nil, nil // none of them exists any more
	}
	if err != nil {
		return fmt.Errorf("users/lookup: %w", err)
	}
	var bl schema.Builder
	got := make(map[string]bool, len(users))
	for _, raw := range users {
		id, err := MapUser(raw, &bl)
		if err != nil {
			return err
		}
		_, _, native, _ := schema.ParseID(id)
		got[native] = true
	}
	importer.AddItems(r.host, len(chunk))
	if len(got) == len(chunk) {
		return r.host.Emit(ctx, bl.Batch())
	}
	r.umu.Lock()
	defer r.umu.Unlock()
	for _, id := range chunk {
		if !got[id] {
			r.unavailable[id] = now
			r.host.Log().Debug().Str("account", id).Msg("users/lookup did not return the account (suspended or deactivated); keeping it as a reference")
		}
	}
	bl.Cursor("unavailable", mustJSON(r.unavailable))
	return r.host.Emit(ctx, bl.Batch())
}

// workers is the size of the pools that fetch and commit independent
// pages. Twice the requests allowed in flight (r.api.slots): while half
// the workers wait for answers, the other half decode and commit theirs,
// and a slow commit no longer leaves a request slot idle.
func (r *run) workers() int { return 2 * r.job.concurrency }

// forEach calls fn for each item, up to n at a time. The first error
// cancels the context of the calls still running and is returned; items
// not yet started are skipped.
func forEach[T any](ctx context.Context, items []T, n int, fn func(context.Context, T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, max(1, n))
	var wg sync.WaitGroup
	for _, it := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, it); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

func (r *run) loadUnavailable() error {
	r.unavailable = map[string]time.Time{}
	return r.loadCursor("unavailable", &r.unavailable)
}

// followingsTimelines fetches the newest n tweets of each following,
// r.job.concurrency requests at a time. The timelines are independent; the client
// shares each endpoint's rate-limit window among the workers (so
// concurrency never causes a 429) and the store commits the workers'
// pages together. The first error stops the rest.
func (r *run) followingsTimelines(ctx context.Context, n int) error {
	return forEach(ctx, r.followings, r.workers(), func(ctx context.Context, id string) error {
		spec := timelineSpec{stream: "timeline:" + id, endpoint: "statuses/user_timeline", user: id, count: n}
		return r.timeline(ctx, spec)
	})
}

// timelineSpec describes one list of tweets walked newest to oldest.
type timelineSpec struct {
	stream   string
	endpoint string // statuses/user_timeline or favorites/list
	user     string // id_str
	count    int
	walk     bool   // walk back to the stored since_id; else one page of the newest count
	liker    string // for favorites/list: the account that liked them
}

// what names the timeline in an error (its stream is a cursor key).
func (s timelineSpec) what() string {
	if s.liker != "" {
		return "likes"
	}
	return "timeline of account " + s.user
}

// timelineCursor is the incremental state of a timeline. Since is the
// high-water mark: the newest id stored with the gap below it closed.
// WalkMax and WalkNewest are the position of a walk in progress, so an
// interrupted walk resumes where it stopped instead of leaving a gap.
type timelineCursor struct {
	Since      string `json:"since,omitempty"`
	WalkMax    string `json:"walk_max,omitempty"`
	WalkNewest string `json:"walk_newest,omitempty"`
}

// timeline imports a timeline since its stored high-water mark, walking
// back with max_id = lowest id seen − 1 (max_id is inclusive, since_id is
// not) until a page comes back empty. The high-water mark moves only when
// the walk has closed the gap.
func (r *run) timeline(ctx context.Context, s timelineSpec) error {
	var c timelineCursor
	if err := r.loadCursor(s.stream, &c); err != nil {
		return err
	}
	start := c
	for {
		q := url.Values{"user_id": {s.user}, "count": {strconv.Itoa(s.count)},
			"tweet_mode": {"extended"}, "include_rts": {"1"}, "include_entities": {"true"}}
		if c.Since != "" {
			q.Set("since_id", c.Since)
		}
		if c.WalkMax != "" {
			q.Set("max_id", c.WalkMax)
		}
		var page []json.RawMessage
		if err := r.api.get(ctx, s.endpoint, q, &page); err != nil {
			if reason, ok := skippable(err); ok {
				r.host.Log().Info().Str("account", s.user).Str("reason", reason).Str("endpoint", s.endpoint).
					Msg("skipping a timeline that cannot be read")
				return nil
			}
			return fmt.Errorf("%s: %w", s.what(), err)
		}
		if len(page) == 0 {
			break
		}
		var bl schema.Builder
		m := pageMapper{bl: &bl}
		var lowest, highest uint64
		for _, raw := range page {
			id, err := m.tweet(raw, rawKey)
			if err != nil {
				return fmt.Errorf("%s: %w", s.what(), err)
			}
			n, err := strconv.ParseUint(strings.TrimPrefix(id, PostID("")), 10, 64)
			if err != nil {
				return fmt.Errorf("%s: tweet id %q is not a number", s.what(), id)
			}
			if lowest == 0 || n < lowest {
				lowest = n
			}
			highest = max(highest, n)
			if s.liker != "" {
				bl.Edge(schema.Edge{From: s.liker, Kind: schema.EdgeLikes, To: id})
			}
		}
		if s.liker != "" {
			bl.Ref(s.liker)
		}
		if prev, _ := strconv.ParseUint(c.WalkNewest, 10, 64); highest > prev {
			c.WalkNewest = strconv.FormatUint(highest, 10)
		}
		c.WalkMax = strconv.FormatUint(lowest-1, 10)
		importer.AddItems(r.host, len(page))
		if !s.walk {
			// One page of the newest tweets: the gap below it is left on
			// purpose, so the mark moves at once.
			bl.Cursor(s.stream, mustJSON(timelineCursor{Since: c.WalkNewest}))
			return r.host.Emit(ctx, bl.Batch())
		}
		bl.Cursor(s.stream, mustJSON(c))
		if err := r.host.Emit(ctx, bl.Batch()); err != nil {
			return err
		}
		if lowest <= 1 {
			break
		}
	}
	if c.WalkNewest != "" {
		c = timelineCursor{Since: c.WalkNewest}
	}
	if c == start {
		return nil
	}
	var bl schema.Builder
	bl.Cursor(s.stream, mustJSON(c))
	return r.host.Emit(ctx, bl.Batch())
}

// loadCursor decodes the JSON value of a cursor into v; an unset cursor
// leaves v as it is.
func (r *run) loadCursor(stream string, v any) error {
	s, err := r.host.Cursor(stream)
	if err != nil || s == "" {
		return err
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("twitter: stored cursor %q is not valid JSON (%v); the store may be damaged", stream, err)
	}
	return nil
}

func intOf(p *int64) int {
	if p == nil {
		return 0
	}
	return int(*p)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs and maps are encoded here
	}
	return string(b)
}
