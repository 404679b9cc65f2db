package twittertest_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

func TestDghubbleClientAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(1, nil))
	owner := e.w.Owner()
	e.get("account/verify_credentials").mustOK(t)
	// Parameters that need percent-encoding, and repeated calls (fresh nonces).
	e.get("users/show", "screen_name", owner.ScreenName, "include_entities", "true").mustOK(t)
	e.get("statuses/user_timeline", "count", "3", "tweet_mode", "extended", "include_rts", "1").mustOK(t)
	// users/lookup as tweepy sends it: POST with the list in the query string.
	friends := e.w.FriendIDs(owner.IDStr)
	q := url.Values{"user_id": {strings.Join(friends[:5], ",")}}
	e.do(e.c, "POST", "users/lookup", q, nil).mustOK(t)
	// And with a form body, which is part of the signature.
	e.do(e.c, "POST", "users/lookup", nil, q).mustOK(t)
	// The server's clock is a fake one, months away from the wall clock the
	// client signs with; both are accepted, as advancing a fake clock past a
	// rate-limit window must not break authentication.
	e.clock.Advance(3 * time.Hour)
	e.get("account/verify_credentials").mustOK(t)
}

func TestAuthErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, smallConfig(1, nil))
	creds := e.s.Credentials()
	plain := &http.Client{}

	e.do(plain, "GET", "account/verify_credentials", nil, nil).errorBody(t, 400, 215, "Bad authentication data.")

	wrongSecret := creds
	wrongSecret.ConsumerSecret = "nope"
	e.do(client(wrongSecret), "GET", "account/verify_credentials", nil, nil).errorBody(t, 401, 32, "Could not authenticate you.")

	wrongKey := creds
	wrongKey.ConsumerKey = "nope"
	e.do(client(wrongKey), "GET", "account/verify_credentials", nil, nil).errorBody(t, 401, 32, "Could not authenticate you.")

	wrongTokenSecret := creds
	wrongTokenSecret.TokenSecret = "nope"
	e.do(client(wrongTokenSecret), "GET", "account/verify_credentials", nil, nil).errorBody(t, 401, 32, "Could not authenticate you.")

	wrongToken := creds
	wrongToken.Token = "123-nope"
	e.do(client(wrongToken), "GET", "account/verify_credentials", nil, nil).errorBody(t, 401, 89, "Invalid or expired token.")

	// Garbled headers.
	for _, h := range []string{"OAuth", "OAuth oauth_token", `OAuth oauth_consumer_key="` + creds.ConsumerKey + `"`, "Basic Zm9vOmJhcg=="} {
		r := signed(t, e, "GET", "/1.1/account/verify_credentials.json", time.Now(), creds)
		r.Header.Set("Authorization", h)
		doRaw(t, r).errorBody(t, 400, 215, "Bad authentication data.")
	}

	// A parameter changed after signing.
	r := signed(t, e, "GET", "/1.1/users/show.json?screen_name=a", time.Now(), creds)
	r.URL.RawQuery = "screen_name=b"
	doRaw(t, r).errorBody(t, 401, 32, "Could not authenticate you.")

	// Correctly signed by hand: accepted.
	doRaw(t, signed(t, e, "GET", "/1.1/users/show.json?screen_name="+e.w.Owner().ScreenName, time.Now(), creds)).mustOK(t)

	// Timestamps more than 15 minutes off the server clock (and the wall clock).
	e2 := newEnv(t, smallConfig(1, nil), twittertest.WithClock(time.Now))
	doRaw(t, signed(t, e2, "GET", "/1.1/account/verify_credentials.json", time.Now().Add(-14*time.Minute), creds)).mustOK(t)
	doRaw(t, signed(t, e2, "GET", "/1.1/account/verify_credentials.json", time.Now().Add(-20*time.Minute), creds)).errorBody(t, 401, 135, "Could not authenticate you.")
	doRaw(t, signed(t, e2, "GET", "/1.1/account/verify_credentials.json", time.Now().Add(time.Hour), creds)).errorBody(t, 401, 135, "Could not authenticate you.")
	// A timestamp matching the fake clock is fine too.
	doRaw(t, signed(t, e, "GET", "/1.1/account/verify_credentials.json", e.clock.Now(), creds)).mustOK(t)

	// A revoked token.
	e.s.RevokeToken()
	e.get("account/verify_credentials").errorBody(t, 401, 89, "Invalid or expired token.")
	e.get("statuses/user_timeline").errorBody(t, 401, 89, "Invalid or expired token.")
}

func TestWithCredentials(t *testing.T) {
	t.Parallel()
	c := twittertest.Credentials{ConsumerKey: "ck", ConsumerSecret: "cs", Token: "1-tok", TokenSecret: "ts"}
	e := newEnv(t, smallConfig(1, nil), twittertest.WithCredentials(c))
	e.get("account/verify_credentials").mustOK(t)
	e.do(client(twittertest.DefaultCredentials), "GET", "account/verify_credentials", nil, nil).errorBody(t, 401, 32, "Could not authenticate you.")
}

// signed builds a request signed independently of the package (and of
// dghubble/oauth1), with a chosen timestamp.
func signed(t *testing.T, e *env, method, pathQuery string, ts time.Time, c twittertest.Credentials) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, e.s.URL+pathQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	oauth := map[string]string{
		"oauth_consumer_key":     c.ConsumerKey,
		"oauth_nonce":            "n" + strconv.FormatInt(ts.UnixNano(), 36),
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(ts.Unix(), 10),
		"oauth_token":            c.Token,
		"oauth_version":          "1.0",
	}
	var pairs []string
	for k, vs := range r.URL.Query() {
		pairs = append(pairs, enc(k)+"="+enc(vs[0]))
	}
	for k, v := range oauth {
		pairs = append(pairs, enc(k)+"="+enc(v))
	}
	sort.Strings(pairs)
	base := method + "&" + enc("http://"+r.URL.Host+r.URL.Path) + "&" + enc(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(enc(c.ConsumerSecret)+"&"+enc(c.TokenSecret)))
	mac.Write([]byte(base))
	oauth["oauth_signature"] = base64.StdEncoding.EncodeToString(mac.Sum(nil))
	var hdr []string
	for k, v := range oauth {
		hdr = append(hdr, enc(k)+`="`+enc(v)+`"`)
	}
	sort.Strings(hdr)
	r.Header.Set("Authorization", "OAuth "+strings.Join(hdr, ", "))
	return r
}

// enc is RFC 3986 percent-encoding.
func enc(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func doRaw(t *testing.T, r *http.Request) resp {
	t.Helper()
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp{res.StatusCode, res.Header, []byte(b.String())}
}
