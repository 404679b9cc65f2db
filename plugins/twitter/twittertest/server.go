package twittertest

import (
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Credentials are an app's consumer key and secret and a user's access token.
type Credentials struct {
	ConsumerKey, ConsumerSecret, Token, TokenSecret string
}

// DefaultCredentials are what a Server accepts unless WithCredentials says
// otherwise. They are fake and work nowhere else.
var DefaultCredentials = Credentials{
	ConsumerKey:    "podimportFakeConsumerKey01",
	ConsumerSecret: "podimportFakeConsumerSecret0123456789abcdefghij",
	Token:          "1000000000000000001-podimportFakeAccessToken0123",
	TokenSecret:    "podimportFakeTokenSecret0123456789abcdefghijkl",
}

// Server is a fake api.twitter.com serving a World under /1.1/.
type Server struct {
	*httptest.Server

	world *World
	creds Credentials
	clock func() time.Time

	mu     sync.Mutex
	counts map[string]int
	total  int
	// inflight and maxInflight count the requests being answered per
	// endpoint, now and at most, so tests can check a client's concurrency.
	inflight, maxInflight map[string]int
	revoked               bool
	windows               map[string]*window
	latency               time.Duration

	chaos *chaos // nil unless WithChaos
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock of rate-limit windows and of the OAuth timestamp
// check (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.clock = now } }

// WithCredentials sets the only credentials the server accepts.
func WithCredentials(c Credentials) Option { return func(s *Server) { s.creds = c } }

// NewServer starts a server for the world on 127.0.0.1. The importer's base
// URL is s.BaseURL().
func NewServer(w *World, opts ...Option) *Server {
	s := &Server{
		world:  w,
		creds:  DefaultCredentials,
		clock:  time.Now,
		counts: map[string]int{},

		inflight: map[string]int{}, maxInflight: map[string]int{},
		windows: map[string]*window{},
	}
	for _, o := range opts {
		o(s)
	}
	s.Server = httptest.NewServer(s)
	return s
}

func (s *Server) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock()
}

// BaseURL is the API base, s.URL + "/1.1", without a trailing slash.
func (s *Server) BaseURL() string { return s.URL + "/1.1" }

// World returns the world served.
func (s *Server) World() *World { return s.world }

// Credentials returns the credentials the server accepts.
func (s *Server) Credentials() Credentials { return s.creds }

// Requests counts the requests to an endpoint such as
// "statuses/user_timeline", including rejected ones.
func (s *Server) Requests(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[endpoint]
}

// TotalRequests counts every request.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ResetCounts zeroes the request counts (not the rate-limit windows).
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.total = 0
	s.maxInflight = map[string]int{}
}

// MaxInFlight is the most requests to endpoint that were being answered at
// the same time (since the last ResetCounts).
func (s *Server) MaxInFlight(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInflight[endpoint]
}

// RevokeToken revokes the access token: every later request gets 401 code
// 89 "Invalid or expired token.".
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

// SetRemaining sets how many requests are left in the endpoint's current
// window for the access token, starting a window if none is running.
func (s *Server) SetRemaining(endpoint string, n int) {
	limit, ok := rateLimits[endpoint]
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	win := s.window(s.creds.Token+"|"+endpoint, limit, rateWindow, s.clock())
	win.used = limit - min(max(n, 0), limit)
}

// SetLatency adds d to every response.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Close shuts the server down.
func (s *Server) Close() { s.Server.Close() }

// Rate limits per 15 minutes per access token (user auth), as in the real
// application/rate_limit_status.
var rateLimits = map[string]int{
	"account/verify_credentials": 75,
	"users/show":                 900,
	"users/lookup":               900,
	"followers/ids":              15,
	"friends/ids":                15,
	"followers/list":             15,
	"friends/list":               15,
	"statuses/user_timeline":     900,
	"statuses/show":              900,
	"favorites/list":             75,
}

const (
	rateWindow    = 15 * time.Minute
	appLimit      = 100000 // statuses/user_timeline per app per 24 hours
	appWindow     = 24 * time.Hour
	timestampSkew = 15 * time.Minute
)

type window struct {
	reset int64 // epoch seconds
	limit int
	used  int
}

// window returns the running window for key, starting one at now if there
// is none or the last one has ended. s.mu is held.
func (s *Server) window(key string, limit int, length time.Duration, now time.Time) *window {
	win := s.windows[key]
	if win == nil || now.Unix() >= win.reset {
		win = &window{reset: now.Add(length).Unix(), limit: limit}
		s.windows[key] = win
	}
	return win
}

type handler func(s *Server, r *http.Request, q url.Values) *response

var handlers = map[string]handler{
	"account/verify_credentials": (*Server).verifyCredentials,
	"users/show":                 (*Server).usersShow,
	"users/lookup":               (*Server).usersLookup,
	"followers/ids":              func(s *Server, r *http.Request, q url.Values) *response { return s.ids(r, q, true) },
	"friends/ids":                func(s *Server, r *http.Request, q url.Values) *response { return s.ids(r, q, false) },
	"followers/list":             func(s *Server, r *http.Request, q url.Values) *response { return s.list(r, q, true) },
	"friends/list":               func(s *Server, r *http.Request, q url.Values) *response { return s.list(r, q, false) },
	"statuses/user_timeline":     (*Server).userTimeline,
	"statuses/show":              (*Server).statusesShow,
	"favorites/list":             (*Server).favoritesList,
}

type response struct {
	status int
	body   []byte
}

func ok(b []byte) *response { return &response{http.StatusOK, b} }

func apiError(status, code int, msg string) *response {
	j := &jw{}
	j.obj()
	j.key("errors")
	j.arr()
	j.obj()
	j.knum("code", code)
	j.kstr("message", msg)
	j.end()
	j.endArr()
	j.end()
	return &response{status, j.b}
}

// notAuthorized is the old-style body of a protected timeline.
func notAuthorized(r *http.Request) *response {
	j := &jw{}
	j.obj()
	j.kstr("request", r.URL.Path)
	j.kstr("error", "Not authorized.")
	j.end()
	return &response{http.StatusUnauthorized, j.b}
}

var (
	errNoPage       = func() *response { return apiError(404, 34, "Sorry, that page does not exist.") }
	errAuth         = func() *response { return apiError(401, 32, "Could not authenticate you.") }
	errBadAuth      = func() *response { return apiError(400, 215, "Bad authentication data.") }
	errToken        = func() *response { return apiError(401, 89, "Invalid or expired token.") }
	errTimestamp    = func() *response { return apiError(401, 135, "Could not authenticate you.") }
	errRate         = func() *response { return apiError(429, 88, "Rate limit exceeded") }
	errUserNotFound = func() *response { return apiError(404, 50, "User not found.") }
	errSuspended    = func() *response { return apiError(403, 63, "User has been suspended.") }
	errNoStatus     = func() *response { return apiError(404, 144, "No status found with that ID.") }
	errProtected    = func() *response { return apiError(403, 179, "Sorry, you are not authorized to see this status.") }
	errNoMatch      = func() *response { return apiError(404, 17, "No user matches for specified terms.") }
	errTooMany      = func() *response { return apiError(403, 18, "Too many terms specified in query.") }
)

func errInvalid(name string) *response {
	return apiError(400, 44, name+" parameter is invalid.")
}

func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	name := r.URL.Path
	known := false
	if strings.HasPrefix(name, "/1.1/") && strings.HasSuffix(name, ".json") {
		name = strings.TrimSuffix(strings.TrimPrefix(name, "/1.1/"), ".json")
		_, known = handlers[name]
	}
	s.mu.Lock()
	s.counts[name]++
	s.total++
	s.inflight[name]++
	s.maxInflight[name] = max(s.maxInflight[name], s.inflight[name])
	latency := s.latency
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight[name]--
		s.mu.Unlock()
	}()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	h := rw.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("Date", s.now().UTC().Format(http.TimeFormat)) // the server's clock, fake or not
	if !known || !(r.Method == http.MethodGet || r.Method == http.MethodPost && name == "users/lookup") {
		write(rw, errNoPage())
		return
	}
	if resp := s.authenticate(r); resp != nil {
		s.mu.Lock()
		s.rateHeaders(h, name, false)
		s.mu.Unlock()
		write(rw, resp)
		return
	}
	s.mu.Lock()
	allowed := s.rateHeaders(h, name, true)
	s.mu.Unlock()
	if !allowed {
		write(rw, errRate())
		return
	}
	if err := r.ParseForm(); err != nil {
		write(rw, apiError(400, 44, "Invalid parameters."))
		return
	}
	if s.chaos != nil {
		s.serveChaos(rw, r, name) // chaos.go
		return
	}
	write(rw, handlers[name](s, r, r.Form))
}

func write(rw http.ResponseWriter, resp *response) {
	rw.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	rw.WriteHeader(resp.status)
	rw.Write(resp.body)
}

// rateHeaders writes the x-rate-limit-* headers of the endpoint for the
// access token and, when take is set, spends a request. It reports false
// when the window (or the app's daily timeline window) is spent. s.mu is held.
func (s *Server) rateHeaders(h http.Header, name string, take bool) bool {
	limit := rateLimits[name]
	now := s.clock()
	key := s.creds.Token + "|" + name
	var win *window
	if take {
		win = s.window(key, limit, rateWindow, now)
	} else if win = s.windows[key]; win == nil || now.Unix() >= win.reset {
		win = &window{reset: now.Add(rateWindow).Unix(), limit: limit}
	}
	allowed := win.used < win.limit
	var app *window
	if name == "statuses/user_timeline" {
		if take {
			app = s.window("app|"+name, appLimit, appWindow, now)
		} else if app = s.windows["app|"+name]; app == nil || now.Unix() >= app.reset {
			app = &window{reset: now.Add(appWindow).Unix(), limit: appLimit}
		}
		allowed = allowed && app.used < app.limit
	}
	if take && allowed {
		win.used++
		if app != nil {
			app.used++
		}
	}
	h["x-rate-limit-limit"] = []string{strconv.Itoa(win.limit)}
	h["x-rate-limit-remaining"] = []string{strconv.Itoa(win.limit - win.used)}
	h["x-rate-limit-reset"] = []string{strconv.FormatInt(win.reset, 10)}
	if app != nil {
		h["x-app-rate-limit-limit"] = []string{strconv.Itoa(app.limit)}
		h["x-app-rate-limit-remaining"] = []string{strconv.Itoa(app.limit - app.used)}
		h["x-app-rate-limit-reset"] = []string{strconv.FormatInt(app.reset, 10)}
	}
	return allowed
}

// authenticate checks the OAuth 1.0a Authorization header; nil means fine.
func (s *Server) authenticate(r *http.Request) *response {
	ps, err := parseAuthHeader(r.Header.Get("Authorization"))
	if err != nil {
		return errBadAuth()
	}
	for _, k := range []string{"oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method", "oauth_timestamp", "oauth_token"} {
		if ps[k] == "" {
			return errBadAuth()
		}
	}
	ts, err := strconv.ParseInt(ps["oauth_timestamp"], 10, 64)
	if err != nil {
		return errBadAuth()
	}
	if v, ok := ps["oauth_version"]; ok && v != "1.0" {
		return errBadAuth()
	}
	s.mu.Lock()
	revoked, now := s.revoked, s.clock()
	s.mu.Unlock()
	if ps["oauth_signature_method"] != "HMAC-SHA1" || ps["oauth_consumer_key"] != s.creds.ConsumerKey {
		return errAuth()
	}
	if revoked || ps["oauth_token"] != s.creds.Token {
		return errToken()
	}
	// The server clock may be a test's fake one while the client signs with
	// the wall clock, so a timestamp close to either is accepted.
	at := time.Unix(ts, 0)
	if skewed(at, now) && skewed(at, time.Now()) {
		return errTimestamp()
	}
	if !checkSignature(r, ps, s.creds.ConsumerSecret, s.creds.TokenSecret) {
		return errAuth()
	}
	return nil
}

func skewed(a, b time.Time) bool {
	d := a.Sub(b)
	return d > timestampSkew || d < -timestampSkew
}

// Parameters.

func boolParam(q url.Values, name string, def bool) bool {
	v := q.Get(name)
	switch strings.ToLower(v) {
	case "true", "t", "1":
		return true
	case "false", "f", "0":
		return false
	}
	return def
}

func countParam(q url.Values, def, maximum int) int {
	n, err := strconv.Atoi(q.Get("count"))
	if err != nil || n < 1 {
		return def
	}
	return min(n, maximum)
}

func idParam(q url.Values, name string) (int64, bool, *response) {
	v := q.Get(name)
	if v == "" {
		return 0, false, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false, errInvalid(name)
	}
	return id, true, nil
}

func tweetOptions(q url.Values) tweetOpts {
	return tweetOpts{
		extended:   strings.EqualFold(q.Get("tweet_mode"), "extended"),
		trimUser:   boolParam(q, "trim_user", false),
		noEntities: !boolParam(q, "include_entities", true),
	}
}

// subject finds the user a request is about: user_id, else screen_name,
// else (when self is set) the owner. nil means not found.
func (s *Server) subject(q url.Values, self bool) *User {
	w := s.world
	w.mu.RLock()
	defer w.mu.RUnlock()
	if id := q.Get("user_id"); id != "" {
		return w.userByID(id)
	}
	if name := q.Get("screen_name"); name != "" {
		return w.userByName(strings.TrimPrefix(name, "@"))
	}
	if self {
		return w.owner
	}
	return nil
}

// render writes JSON with the world read-locked.
func (s *Server) render(f func(j *jw)) []byte {
	s.world.mu.RLock()
	defer s.world.mu.RUnlock()
	j := &jw{b: make([]byte, 0, 4096)}
	f(j)
	return j.b
}

// Endpoints.

func (s *Server) verifyCredentials(r *http.Request, q url.Values) *response {
	w := s.world
	o := userOpts{account: true, tweet: tweetOptions(q), noEntities: !boolParam(q, "include_entities", true)}
	if !boolParam(q, "skip_status", false) {
		w.mu.Lock()
		o.status = w.latest(w.owner)
		w.mu.Unlock()
	}
	return ok(s.render(func(j *jw) { w.writeUser(j, w.owner, o) }))
}

func (s *Server) usersShow(r *http.Request, q url.Values) *response {
	w := s.world
	u := s.subject(q, false)
	switch {
	case u == nil:
		return errUserNotFound()
	case u.Suspended:
		return errSuspended()
	}
	o := userOpts{profileLocation: true, tweet: tweetOptions(q), noEntities: !boolParam(q, "include_entities", true)}
	if !u.Protected {
		w.mu.Lock()
		o.status = w.latest(u)
		w.mu.Unlock()
	}
	return ok(s.render(func(j *jw) { w.writeUser(j, u, o) }))
}

func splitTerms(v string) []string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (s *Server) usersLookup(r *http.Request, q url.Values) *response {
	w := s.world
	ids, names := splitTerms(q.Get("user_id")), splitTerms(q.Get("screen_name"))
	if len(ids)+len(names) > 100 {
		return errTooMany()
	}
	var users []*User
	seen := map[*User]bool{}
	w.mu.Lock()
	for _, id := range ids {
		if u := w.userByID(id); u != nil && !u.Suspended && !seen[u] {
			seen[u] = true
			users = append(users, u)
		}
	}
	for _, n := range names {
		if u := w.userByName(strings.TrimPrefix(n, "@")); u != nil && !u.Suspended && !seen[u] {
			seen[u] = true
			users = append(users, u)
		}
	}
	statuses := make([]*Tweet, len(users))
	for i, u := range users {
		if !u.Protected {
			statuses[i] = w.latest(u)
		}
	}
	w.mu.Unlock()
	if len(users) == 0 {
		return errNoMatch()
	}
	// The real order is not the requested one; shuffle, deterministically.
	h := fnv.New64a()
	h.Write([]byte(q.Get("user_id") + "\x00" + q.Get("screen_name")))
	rng := rand.New(rand.NewPCG(w.seed, h.Sum64()))
	rng.Shuffle(len(users), func(i, j int) {
		users[i], users[j] = users[j], users[i]
		statuses[i], statuses[j] = statuses[j], statuses[i]
	})
	to := tweetOptions(q)
	return ok(s.render(func(j *jw) {
		j.arr()
		for i, u := range users {
			w.writeUser(j, u, userOpts{status: statuses[i], tweet: to, noEntities: to.noEntities})
		}
		j.endArr()
	}))
}

// Cursors are opaque numbers above 2^53: cursorBase + offset for the page
// starting at offset, and -(cursorBase + offset) for the page before it.
const cursorBase = int64(1_600_000_000_000_000_000)

func cursorPage(q url.Values, n, count int) (from, to int, next, prev int64, resp *response) {
	c := int64(-1)
	if v := q.Get("cursor"); v != "" {
		var err error
		if c, err = strconv.ParseInt(v, 10, 64); err != nil {
			return 0, 0, 0, 0, errInvalid("cursor")
		}
	}
	switch {
	case c == -1 || c == 0:
		from, to = 0, min(count, n)
	case c >= cursorBase:
		from = int(min(c-cursorBase, int64(n)))
		to = min(from+count, n)
	case c <= -cursorBase: // the page before
		to = int(min(-c-cursorBase, int64(n)))
		from = max(to-count, 0)
	default: // not a cursor this server gave: nothing
		from, to = n, n
	}
	if to < n {
		next = cursorBase + int64(to)
	}
	if from > 0 {
		prev = -(cursorBase + int64(from))
	}
	return from, to, next, prev, nil
}

func writeCursors(j *jw, next, prev int64) {
	j.ki64("next_cursor", next)
	j.kstr("next_cursor_str", strconv.FormatInt(next, 10))
	j.ki64("previous_cursor", prev)
	j.kstr("previous_cursor_str", strconv.FormatInt(prev, 10))
	j.knull("total_count")
}

// graphSubject is the user of followers/* and friends/*, or an error.
func (s *Server) graphSubject(r *http.Request, q url.Values) (*User, *response) {
	u := s.subject(q, true)
	switch {
	case u == nil:
		return nil, errNoPage()
	case u.Suspended:
		return nil, errSuspended()
	case u.Protected && u != s.world.owner:
		return nil, notAuthorized(r)
	}
	return u, nil
}

func (s *Server) graph(u *User, followers bool) []string {
	w := s.world
	w.mu.RLock()
	defer w.mu.RUnlock()
	if followers {
		return slices.Clone(w.followerIDs(u.IDStr))
	}
	return slices.Clone(w.friendIDs(u.IDStr))
}

func (s *Server) ids(r *http.Request, q url.Values, followers bool) *response {
	u, resp := s.graphSubject(r, q)
	if resp != nil {
		return resp
	}
	all := s.graph(u, followers)
	from, to, next, prev, resp := cursorPage(q, len(all), countParam(q, 5000, 5000))
	if resp != nil {
		return resp
	}
	asStrings := boolParam(q, "stringify_ids", false)
	j := &jw{b: make([]byte, 0, 64+20*(to-from))}
	j.obj()
	j.key("ids")
	j.arr()
	for _, id := range all[from:to] {
		if asStrings {
			j.str(id)
		} else {
			j.sep()
			j.b = append(j.b, id...) // ids are decimal int64s: JSON numbers as they are
		}
	}
	j.endArr()
	writeCursors(j, next, prev)
	j.end()
	return ok(j.b)
}

func (s *Server) list(r *http.Request, q url.Values, followers bool) *response {
	w := s.world
	u, resp := s.graphSubject(r, q)
	if resp != nil {
		return resp
	}
	all := s.graph(u, followers)
	from, to, next, prev, resp := cursorPage(q, len(all), countParam(q, 20, 200))
	if resp != nil {
		return resp
	}
	skipStatus := boolParam(q, "skip_status", false)
	var users []*User
	var statuses []*Tweet
	w.mu.Lock()
	for _, id := range all[from:to] {
		v := w.userByID(id)
		if v == nil || v.Suspended { // counted, then dropped
			continue
		}
		var st *Tweet
		if !skipStatus && !v.Protected {
			st = w.latest(v)
		}
		users = append(users, v)
		statuses = append(statuses, st)
	}
	w.mu.Unlock()
	to2 := tweetOptions(q)
	noEnt := !boolParam(q, "include_user_entities", true)
	return ok(s.render(func(j *jw) {
		j.obj()
		j.key("users")
		j.arr()
		for i, v := range users {
			w.writeUser(j, v, userOpts{status: statuses[i], tweet: to2, listFlags: true, noEntities: noEnt})
		}
		j.endArr()
		writeCursors(j, next, prev)
		j.end()
	}))
}

// page applies since_id (exclusive), max_id (inclusive) and count to tweets
// sorted newest first.
func page(tweets []*Tweet, q url.Values, count int) ([]*Tweet, *response) {
	since, hasSince, resp := idParam(q, "since_id")
	if resp != nil {
		return nil, resp
	}
	maxID, hasMax, resp := idParam(q, "max_id")
	if resp != nil {
		return nil, resp
	}
	lo, hi := 0, len(tweets)
	if hasMax {
		lo = sort.Search(len(tweets), func(i int) bool { return tweets[i].id <= maxID })
	}
	if hasSince {
		hi = sort.Search(len(tweets), func(i int) bool { return tweets[i].id <= since })
	}
	if lo >= hi {
		return nil, nil
	}
	sel := tweets[lo:hi]
	return sel[:min(count, len(sel))], nil
}

func (s *Server) writeTweets(tweets []*Tweet, o tweetOpts) []byte {
	w := s.world
	return s.render(func(j *jw) {
		j.arr()
		for _, t := range tweets {
			w.writeTweet(j, t, o, true)
		}
		j.endArr()
	})
}

func (s *Server) userTimeline(r *http.Request, q url.Values) *response {
	w := s.world
	u := s.subject(q, true)
	switch {
	case u == nil:
		return errNoPage()
	case u.Suspended:
		return errSuspended()
	case u.Protected && u != w.owner:
		return notAuthorized(r)
	}
	w.mu.Lock()
	tl := w.timeline(u)
	w.mu.Unlock()
	if len(tl) > timelineCap {
		tl = tl[:timelineCap]
	}
	// count is applied first; filters make the page short.
	pg, resp := page(tl, q, countParam(q, 20, 200))
	if resp != nil {
		return resp
	}
	noReplies := boolParam(q, "exclude_replies", false)
	rts := boolParam(q, "include_rts", true)
	out := make([]*Tweet, 0, len(pg))
	for _, t := range pg {
		if noReplies && t.replyID != 0 || !rts && t.RetweetOf != nil {
			continue
		}
		out = append(out, t)
	}
	return ok(s.writeTweets(out, tweetOptions(q)))
}

func (s *Server) favoritesList(r *http.Request, q url.Values) *response {
	w := s.world
	u := s.subject(q, true)
	switch {
	case u == nil:
		return errNoPage()
	case u.Suspended:
		return errSuspended()
	case u.Protected && u != w.owner:
		return notAuthorized(r)
	}
	var likes []*Tweet
	if u == w.owner {
		w.mu.RLock()
		likes = w.likes
		w.mu.RUnlock()
	}
	pg, resp := page(likes, q, countParam(q, 20, 200))
	if resp != nil {
		return resp
	}
	return ok(s.writeTweets(pg, tweetOptions(q)))
}

func (s *Server) statusesShow(r *http.Request, q url.Values) *response {
	w := s.world
	id, has, resp := idParam(q, "id")
	if resp != nil {
		return resp
	}
	if !has {
		return apiError(400, 38, "id parameter is missing.")
	}
	w.mu.Lock()
	t := w.findTweet(id)
	w.mu.Unlock()
	switch {
	case t == nil:
		return errNoStatus()
	case t.user.Suspended:
		return errSuspended()
	case t.user.Protected && t.user != w.owner:
		return errProtected()
	}
	o := tweetOptions(q)
	return ok(s.render(func(j *jw) { w.writeTweet(j, t, o, true) }))
}
