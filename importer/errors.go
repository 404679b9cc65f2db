package importer

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Errors a run can end with, in the classes the CLI maps to exit codes.
var (
	// ErrConfig: an option is missing or malformed. Nothing was imported.
	ErrConfig = errors.New("bad configuration")
	// ErrAuth: the platform refused the credentials. The message says
	// which credential to check and never contains a secret.
	ErrAuth = errors.New("authentication failed")
	// ErrRateLimited: a rate-limit window is spent and the run was told not
	// to wait (--no-wait). Everything before is committed; run again after
	// the reset to resume.
	ErrRateLimited = errors.New("rate limit window spent")
)

// ConfigError reports a bad option value, naming the option.
func ConfigError(option, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrConfig, option, fmt.Sprintf(format, args...))
}

// AuthError reports refused credentials. hint says what to check, for
// example "check TWITTER_ACCESS_TOKEN and TWITTER_ACCESS_SECRET".
func AuthError(hint string, cause error) error {
	return &authError{hint: hint, cause: cause}
}

type authError struct {
	hint  string
	cause error
}

func (e *authError) Error() string {
	// The platform's message may end with a full stop ("Could not
	// authenticate you."), which the hint would follow as ".;".
	return fmt.Sprintf("authentication failed: %s; %s", strings.TrimRight(e.cause.Error(), "."), e.hint)
}
func (e *authError) Unwrap() []error { return []error{ErrAuth, e.cause} }

// HTTPError is a response the client did not turn into success: a 4xx
// other than 429, or a 5xx after its retries.
type HTTPError struct {
	Endpoint   string
	StatusCode int
	Header     http.Header
	Body       []byte // at most the client's body limit
}

func (e *HTTPError) Error() string {
	body := e.Body
	if len(body) > 200 {
		body = body[:200]
	}
	return fmt.Sprintf("%s: HTTP %d: %s", e.Endpoint, e.StatusCode, body)
}

// RateLimitError is returned instead of waiting when the run may not wait.
type RateLimitError struct {
	Endpoint string
	Reset    time.Time
}

func (e *RateLimitError) Error() string {
	// In local time, as the console log gives times.
	return fmt.Sprintf("%s: rate limit window spent until %s; run again after that to resume",
		e.Endpoint, e.Reset.Local().Format("2006-01-02 15:04:05 MST"))
}
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }
