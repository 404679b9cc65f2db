package twitter

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/podimport/podimport/importer"
)

// TestClassifyNamesTheEndpointOnce: the client's errors that name the
// endpoint are not prefixed with it a second time ("users/show:
// users/show: GET ..."), and the others are.
func TestClassifyNamesTheEndpointOnce(t *testing.T) {
	refused := &importer.TransportError{Endpoint: "users/show", Method: "GET",
		URL: "http://127.0.0.1:1/1.1/users/show.json?…", Err: errors.New("connect: connection refused")}
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w (gave up after 6 attempts)", refused),
			"twitter: users/show: GET http://127.0.0.1:1/1.1/users/show.json?…: connect: connection refused (gave up after 6 attempts)"},
		{fmt.Errorf("users/show: %w: 9000000 bytes, more than the limit", importer.ErrResponseTooLarge),
			"twitter: users/show: response body too large: 9000000 bytes, more than the limit"},
		{errors.New("no slot"), "twitter: users/show: no slot"},
	} {
		got := classify("users/show", c.err)
		if got.Error() != c.want || strings.Count(got.Error(), "users/show:") != 1 {
			t.Errorf("classify(%q) = %q, want %q", c.err, got, c.want)
		}
		if !errors.Is(got, c.err) {
			t.Errorf("classify(%q) does not wrap it", c.err)
		}
	}
}
