package importer

import (
	"errors"
	"testing"
)

func TestAuthErrorMessage(t *testing.T) {
	cause := errors.New("twitter: users/show: HTTP 401, code 32: Could not authenticate you.")
	err := AuthError("check TWITTER_CONSUMER_KEY", cause)
	want := "authentication failed: twitter: users/show: HTTP 401, code 32: Could not authenticate you; check TWITTER_CONSUMER_KEY"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err.Error(), want)
	}
	if !errors.Is(err, ErrAuth) || !errors.Is(err, cause) {
		t.Errorf("%v should be ErrAuth and wrap its cause", err)
	}
}
