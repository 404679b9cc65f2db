// Package twitter imports a person's own Twitter account through the v1.1
// API with OAuth 1.0a user credentials: the profile, followers,
// followings, the person's own timeline, the newest tweets of each
// following, and likes — incrementally, since the last stored id.
package twitter

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dghubble/oauth1"
	json "github.com/segmentio/encoding/json"

	"github.com/podimport/podimport/importer"
)

// DefaultAPIBase is the v1.1 API. Each endpoint path is appended to it.
const DefaultAPIBase = "https://api.twitter.com/1.1"

// Option names: CLI flags, keys of PODIMPORT_OPTIONS.
const (
	optUser             = "user"
	optAPIBase          = "api-base"
	optConsumerKey      = "consumer-key"
	optConsumerSecret   = "consumer-secret"
	optAccessToken      = "access-token"
	optAccessSecret     = "access-secret"
	optFollowingsTweets = "followings-tweets"
	optLikes            = "likes"
	optConcurrency      = "concurrency"
)

// maxConcurrency bounds the requests in flight at once.
const maxConcurrency = 16

// defaultConcurrency is the requests in flight when --concurrency is not
// given. At 200 ms a response, 8 in flight import the reference workload
// (200 followings with 200 tweets each) in 10.7-12.8 s on the project's
// machine (sixth session), against 15.4-15.7 s at 4 when 8 took 12.4-16.2 s
// (BENCHMARKS.md): the store's commit path, not the network, sets the pace
// beyond that. The requests made are
// the same, and the workers share each endpoint's rate-limit window, so
// more in flight never earns a 429.
const defaultConcurrency = 8

func init() { importer.Register(Plugin{}) }

// Plugin is the Twitter API importer.
type Plugin struct{}

func (Plugin) Name() string { return "twitter" }

func (Plugin) Description() string {
	return "Twitter/X through the v1.1 API (OAuth 1.0a): profile, followers, followings, timelines, likes"
}

func (Plugin) Options() []importer.Option {
	return []importer.Option{
		{Name: optUser, Usage: "screen name to import (default: the owner of the access token)", EnvVars: []string{"TWITTER_USER"}, Account: true},
		{Name: optAPIBase, Usage: "API base URL; endpoint paths such as /users/show.json are appended", Default: DefaultAPIBase},
		{Name: optConsumerKey, Usage: "OAuth consumer (API) key", EnvVars: []string{"TWITTER_CONSUMER_KEY"}, Secret: true, Required: true},
		{Name: optConsumerSecret, Usage: "OAuth consumer (API) secret", EnvVars: []string{"TWITTER_CONSUMER_SECRET"}, Secret: true, Required: true},
		{Name: optAccessToken, Usage: "OAuth access token", EnvVars: []string{"TWITTER_ACCESS_TOKEN"}, Secret: true, Required: true},
		{Name: optAccessSecret, Usage: "OAuth access token secret", EnvVars: []string{"TWITTER_ACCESS_SECRET"}, Secret: true, Required: true},
		{Name: optFollowingsTweets, Usage: "newest tweets to import from each following (0 skips)", Default: "5", Type: importer.Int},
		{Name: optLikes, Usage: "also import the tweets the user liked", Type: importer.Bool},
		{Name: optConcurrency, Usage: "requests in flight at once; followings' timelines and lookup batches are fetched in parallel up to it, sharing each rate-limit window", Default: strconv.Itoa(defaultConcurrency), Type: importer.Int},
	}
}

// New checks the options and returns the import of one account.
func (Plugin) New(v importer.Values) (importer.Job, error) {
	j := &job{
		user:    strings.TrimPrefix(strings.TrimSpace(v.String(optUser)), "@"),
		apiBase: strings.TrimRight(v.String(optAPIBase), "/"),
	}
	if j.apiBase == "" {
		j.apiBase = DefaultAPIBase
	}
	// Said now, not at the first request of a run that has begun.
	if !validHandle(j.user) {
		return nil, importer.ConfigError(optUser, "%.40q is not a screen name: letters, digits and _, at most %d of them (the @ may be left out)", j.user, maxHandle)
	}
	if u, err := url.Parse(j.apiBase); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, importer.ConfigError(optAPIBase, "%.80q: want an http or https URL such as %s", j.apiBase, DefaultAPIBase)
	}
	creds := map[string]string{
		optConsumerKey: "TWITTER_CONSUMER_KEY", optConsumerSecret: "TWITTER_CONSUMER_SECRET",
		optAccessToken: "TWITTER_ACCESS_TOKEN", optAccessSecret: "TWITTER_ACCESS_SECRET",
	}
	for _, name := range []string{optConsumerKey, optConsumerSecret, optAccessToken, optAccessSecret} {
		if v.String(name) == "" {
			return nil, importer.ConfigError(name, "missing: set --%s or %s", name, creds[name])
		}
	}
	j.config = oauth1.NewConfig(v.String(optConsumerKey), v.String(optConsumerSecret))
	j.token = oauth1.NewToken(v.String(optAccessToken), v.String(optAccessSecret))
	var err error
	if j.followingsTweets, err = v.Int(optFollowingsTweets); err != nil {
		return nil, err
	}
	if j.followingsTweets < 0 || j.followingsTweets > maxCount {
		return nil, importer.ConfigError(optFollowingsTweets, "%d is out of range 0..%d", j.followingsTweets, maxCount)
	}
	if j.likes, err = v.Bool(optLikes); err != nil {
		return nil, err
	}
	if j.concurrency, err = v.Int(optConcurrency); err != nil {
		return nil, err
	}
	if j.concurrency == 0 {
		j.concurrency = defaultConcurrency
	}
	if j.concurrency < 1 || j.concurrency > maxConcurrency {
		return nil, importer.ConfigError(optConcurrency, "%d is out of range 1..%d", j.concurrency, maxConcurrency)
	}
	return j, nil
}

// maxHandle is the longest screen name accepted. Twitter's are at most 15
// characters; older ones and other servers' clones are left some room.
const maxHandle = 50

// validHandle tells whether s can be a screen name ("" names the token's
// owner).
func validHandle(s string) bool {
	if len(s) > maxHandle {
		return false
	}
	for _, r := range s {
		if r != '_' && !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') && !('0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// job is one account's import. It holds the credentials only inside the
// oauth1 config and token, which it never prints.
type job struct {
	user             string
	apiBase          string
	config           *oauth1.Config
	token            *oauth1.Token
	followingsTweets int
	likes            bool
	concurrency      int

	transport http.RoundTripper // signs each request; made once, so that the run has one client
	// ownProfile is the token owner's user object, when ResolveAccount
	// asked for it: the run's profile, without asking again.
	ownProfile json.RawMessage
}

// Account is the lowercased screen name. Before ResolveAccount has learnt
// it, a job that names no user is "me", the token's owner.
func (j *job) Account() string {
	if j.user == "" {
		return "me"
	}
	return strings.ToLower(j.user)
}

// ResolveAccount learns the screen name of the token's owner when no user
// was named (account/verify_credentials, which the profile step would ask
// anyway): the owner's cursors are then the same whether or not a run
// names them.
func (j *job) ResolveAccount(ctx context.Context, client func(http.RoundTripper, importer.RateLimitFunc) importer.Doer) error {
	if j.user != "" {
		return nil
	}
	a := &api{doer: client(j.signer(), importer.TwitterLimits), base: j.apiBase}
	raw, err := a.tokenOwner(ctx)
	if err != nil {
		return fmt.Errorf("profile of the token's owner: %w", err)
	}
	var u struct {
		ScreenName string `json:"screen_name"`
	}
	if err := json.Unmarshal(raw, &u); err != nil || u.ScreenName == "" {
		return fmt.Errorf("account/verify_credentials: no screen_name in the answer (%d bytes)", len(raw))
	}
	j.user, j.ownProfile = u.ScreenName, raw
	return nil
}

// signer is the transport that signs requests with the job's credentials.
func (j *job) signer() http.RoundTripper {
	if j.transport == nil {
		// Its context only matters for token refreshes, which OAuth 1.0a
		// does not have.
		j.transport = j.config.Client(context.Background(), j.token).Transport
	}
	return j.transport
}

func (j *job) Run(ctx context.Context, h importer.Host) error {
	imp := &run{
		host: h,
		api: &api{doer: h.HTTP(j.signer(), importer.TwitterLimits), base: j.apiBase,
			slots: make(chan struct{}, j.concurrency)},
		job: j,
	}
	return imp.all(ctx)
}
