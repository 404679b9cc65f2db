package twitter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	json "github.com/segmentio/encoding/json"

	"github.com/podimport/podimport/importer"
)

// api is the v1.1 client: every request goes through get, and so through
// the importer's Doer (rate limits, retries, counting).
type api struct {
	doer importer.Doer
	base string // https://api.twitter.com/1.1, without a trailing slash
	// slots bounds the requests in flight (nil: no bound). It is held for
	// the request only, not while the answer is decoded or committed, so
	// that a worker's page can be written while others fetch.
	slots chan struct{}
}

// get requests base/endpoint.json with q and decodes the JSON body into v.
// endpoint is also the rate-limit bucket: "statuses/user_timeline".
func (a *api) get(ctx context.Context, endpoint string, q url.Values, v any) error {
	u := a.base + "/" + endpoint + ".json"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("twitter: %s: %w", endpoint, err)
	}
	if a.slots != nil {
		select {
		case a.slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	resp, err := a.doer.Do(ctx, endpoint, req)
	if a.slots != nil {
		<-a.slots
	}
	if err != nil {
		return classify(endpoint, err)
	}
	if err := decodeJSON(resp.Body, v); err != nil {
		return fmt.Errorf("twitter: %s: malformed response (%d bytes): %w", endpoint, len(resp.Body), err)
	}
	return nil
}

// tokenOwner returns the user object of the token's owner.
func (a *api) tokenOwner(ctx context.Context) (json.RawMessage, error) {
	var raw json.RawMessage
	err := a.get(ctx, "account/verify_credentials", url.Values{"include_entities": {"true"}, "skip_status": {"true"}}, &raw)
	return raw, err
}

// APIError is an error answer of the v1.1 API.
type APIError struct {
	Endpoint   string
	StatusCode int
	Code       int    // Twitter's error code (89, 32, 63, …); 0 when the body has none
	Message    string // Twitter's message
}

func (e *APIError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("twitter: %s: HTTP %d, code %d: %s", e.Endpoint, e.StatusCode, e.Code, e.Message)
	}
	return fmt.Sprintf("twitter: %s: HTTP %d: %s", e.Endpoint, e.StatusCode, e.Message)
}

// Error codes that change what the importer does.
const (
	codeBadAuth          = 32  // bad signature: the consumer key or secret
	codeNoPage           = 34  // "Sorry, that page does not exist."
	codeUserNotFound     = 50  // users/show of an unknown user
	codeSuspended        = 63  // "User has been suspended."
	codeInvalidToken     = 89  // "Invalid or expired token."
	codeTimestamp        = 135 // clock skew
	codeNotAuthorized    = 179 // protected tweet
	codeBadAuthenticData = 215 // no or garbled auth header
)

// classify turns the importer's HTTP errors into APIErrors, and the ones
// that must stop the run into importer.AuthError with a hint that names
// the credential to check (never its value).
func classify(endpoint string, err error) error {
	var he *importer.HTTPError
	if !errors.As(err, &he) {
		var te *importer.TransportError
		var rle *importer.RateLimitError
		if errors.As(err, &te) || errors.As(err, &rle) || errors.Is(err, importer.ErrResponseTooLarge) {
			return fmt.Errorf("twitter: %w", err) // the client's error names the endpoint
		}
		return fmt.Errorf("twitter: %s: %w", endpoint, err)
	}
	ae := &APIError{Endpoint: endpoint, StatusCode: he.StatusCode, Message: http.StatusText(he.StatusCode)}
	var body struct {
		Errors []struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
		Error string `json:"error"` // the old style: {"error":"Not authorized."}
	}
	if json.Unmarshal(he.Body, &body) == nil {
		switch {
		case len(body.Errors) > 0:
			ae.Code, ae.Message = body.Errors[0].Code, body.Errors[0].Message
		case body.Error != "":
			ae.Message = body.Error
		}
	}
	switch ae.Code {
	case codeInvalidToken:
		return importer.AuthError("check TWITTER_ACCESS_TOKEN and TWITTER_ACCESS_SECRET: the token is invalid, expired or revoked", ae)
	case codeBadAuth, codeBadAuthenticData:
		return importer.AuthError("check TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET (and the access token and secret that go with them)", ae)
	case codeTimestamp:
		return importer.AuthError("check this machine's clock: Twitter refuses signatures more than a few minutes off", ae)
	}
	return ae
}

// skippable reports whether err means one account (or tweet) cannot be
// read — protected, suspended, gone — so the run logs it and goes on.
func skippable(err error) (reason string, ok bool) {
	var ae *APIError
	if !errors.As(err, &ae) {
		return "", false
	}
	switch {
	case ae.Code == codeSuspended:
		return "suspended", true
	case ae.Code == codeUserNotFound || ae.Code == codeNoPage || ae.StatusCode == http.StatusNotFound:
		return "not found", true
	case ae.Code == codeNotAuthorized:
		return "protected", true
	case ae.StatusCode == http.StatusUnauthorized && strings.Contains(ae.Message, "Not authorized"):
		return "protected", true
	}
	return "", false
}
