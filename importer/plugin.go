// Package importer holds the plugin contract and everything every plugin
// would otherwise write again: the registry, the runner that commits a
// plugin's batches to the store and keeps the index caught up, the one HTTP
// client every network call goes through (rate limits, retries,
// cancellation), progress, and run records.
//
// A plugin knows nothing of bbolt or Bleve. It reads its own state (cursors,
// whether a node is stored) and emits batches through a Host.
package importer

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/schema"
)

// Plugin imports one platform's data. Plugins register themselves with
// Register from an init function.
type Plugin interface {
	// Name is the plugin's command name: "twitter", "twitter-archive".
	Name() string
	// Description is one line for `podimport plugins`.
	Description() string
	// Options lists what the plugin can be told: CLI flags, environment
	// variables, keys of PODIMPORT_OPTIONS.
	Options() []Option
	// New checks the option values and returns the job for one account.
	// Bad or missing values give an error wrapping ErrConfig that names the
	// option (and its environment variable, if any).
	New(v Values) (Job, error)
}

// Job is one account's import, ready to run.
type Job interface {
	// Account is the key of the account being imported (for a Twitter
	// user, the lowercased handle). Cursors and runs are kept per
	// (plugin, account).
	Account() string
	// Run imports, emitting batches through h until done. It returns
	// ctx.Err() when cancelled between batches; whatever was emitted
	// before stays committed.
	Run(ctx context.Context, h Host) error
}

// Offline is a Plugin that makes no network requests (an archive's
// importer): what is said about rate limits, such as --no-wait, means
// nothing to it, and the command line does not offer it.
type Offline interface {
	Plugin
	Offline()
}

// AccountResolver is a Job that learns which account it imports from the
// platform: a token's owner, when no user was named. Run calls
// ResolveAccount before it reads Account, so that cursors and runs are kept
// under the account itself whether or not it was named. client is the
// run's HTTP client (Host.HTTP): the request counts as the run's. On
// error, the run is recorded under the account as Account gave it before.
type AccountResolver interface {
	ResolveAccount(ctx context.Context, client func(transport http.RoundTripper, limits RateLimitFunc) Doer) error
}

// Host is everything a running job may use.
type Host interface {
	// HTTP returns the client every network call must go through. The
	// transport carries the plugin's authentication (oauth1, a bearer
	// token); limits reads the platform's rate-limit headers.
	HTTP(transport http.RoundTripper, limits RateLimitFunc) Doer
	// Emit commits a batch and the cursors it advances in one
	// transaction, then brings the search index up to date.
	Emit(ctx context.Context, b schema.Batch) error
	// Cursor returns the value of one of this job's cursors, "" if unset.
	Cursor(stream string) (string, error)
	// Stored reports whether a complete (not reference) node is stored.
	Stored(id string) (bool, error)
	// Blob stores a file (an archive's photo) by content and returns its
	// sha256 in hex, for schema.Media.Blob. Storing the same bytes twice
	// writes nothing new.
	Blob(r io.Reader) (sha256hex string, n int64, err error)
	// Stream tells progress which stream the job is working on, and how
	// many items it expects (0 when unknown).
	Stream(name string, expect int)
	// Log is the run's logger.
	Log() *zerolog.Logger
	// Now is the run's clock (a fake one in tests).
	Now() time.Time
}

// Doer sends a request through the importer's client, which waits out
// spent rate-limit windows, retries what is worth retrying and counts
// requests per endpoint. Endpoint names the rate-limit bucket and the
// counter ("statuses/user_timeline"). A 2xx response is returned as is;
// anything else after the client's own handling is an *HTTPError, or a
// *RateLimitError when the run may not wait.
type Doer interface {
	Do(ctx context.Context, endpoint string, req *http.Request) (*Response, error)
}

// Response is a fully read response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// RateLimit is what a response says about its endpoint's window.
type RateLimit struct {
	Limit     int
	Remaining int
	Reset     time.Time
}

// RateLimitFunc reads a platform's rate-limit headers. ok is false when
// the response carries none.
type RateLimitFunc func(h http.Header, now time.Time) (rl RateLimit, ok bool)

// Option describes one thing a plugin can be told.
type Option struct {
	Name     string   // flag name without dashes; the key in PODIMPORT_OPTIONS
	Usage    string   // one line of help
	Default  string   // used when no value is given
	EnvVars  []string // environment variables read when no flag is given
	Type     OptionType
	Secret   bool // never printed, logged or stored
	Required bool
	// Arg takes the value from the command's first positional argument
	// (an archive's path) when the flag is not given.
	Arg bool
	// Account marks the option that names the account to import: a
	// host's PODIMPORT_ACCOUNT and the HTTP API's "account" field set it.
	Account bool
}

// AccountOption returns the name of p's option that names the account,
// or "" if it has none.
func AccountOption(p Plugin) string {
	for _, o := range p.Options() {
		if o.Account {
			return o.Name
		}
	}
	return ""
}

// OptionType is the type of an option's value.
type OptionType int

const (
	String OptionType = iota
	Int
	Bool
)

// Values are option values by name, as strings.
type Values map[string]string

// String returns the value of name.
func (v Values) String(name string) string { return v[name] }

// Int returns the value of name as an int; an empty value is 0.
func (v Values) Int(name string) (int, error) {
	s := v[name]
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, ConfigError(name, "%q is not a whole number", s)
	}
	return n, nil
}

// Bool returns the value of name as a bool; an empty value is false.
func (v Values) Bool(name string) (bool, error) {
	s := v[name]
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, ConfigError(name, "%q is not true or false", s)
	}
	return b, nil
}
