package twittertest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The "Creating a signature" example of the Twitter docs, published with two
// URLs (see platform-apis.md).
var vector = struct {
	consumerKey, consumerSecret, token, tokenSecret, nonce, timestamp, status string
}{
	"xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
	"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
	"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", "1318622958",
	"Hello Ladies + Gentlemen, a signed OAuth request!",
}

func vectorParams() []param {
	return []param{
		{"status", vector.status},
		{"include_entities", "true"},
		{"oauth_consumer_key", vector.consumerKey},
		{"oauth_nonce", vector.nonce},
		{"oauth_signature_method", "HMAC-SHA1"},
		{"oauth_timestamp", vector.timestamp},
		{"oauth_token", vector.token},
		{"oauth_version", "1.0"},
	}
}

func TestSignatureVector(t *testing.T) {
	const wantParams = "include_entities=true&oauth_consumer_key=xvz1evFS4wEEPTGEFPHBog&oauth_nonce=kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1318622958&oauth_token=370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb&oauth_version=1.0&status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21"
	if got := normalizedParams(vectorParams()); got != wantParams {
		t.Fatalf("parameter string\n got %s\nwant %s", got, wantParams)
	}
	for _, c := range []struct{ url, sig string }{
		{"https://api.twitter.com/1/statuses/update.json", "tnnArxj06cWHq44gCs1OSKk/jLY="},
		{"https://api.twitter.com/1.1/statuses/update.json", "hCtSmYh+iHYCEqBWrE7C7hYmtUk="},
	} {
		base := signatureBase("post", c.url, vectorParams())
		if !strings.HasPrefix(base, "POST&https%3A%2F%2Fapi.twitter.com%2F1") || !strings.HasSuffix(base, "&"+percentEncode(wantParams)) {
			t.Errorf("base string %s", base)
		}
		if got := hmacSHA1(vector.consumerSecret, vector.tokenSecret, base); got != c.sig {
			t.Errorf("%s: signature %s, want %s", c.url, got, c.sig)
		}
	}
}

// TestCheckSignatureVector verifies the published request end to end: the
// header's own timestamp and nonce, query plus form body, base URL from Host.
func TestCheckSignatureVector(t *testing.T) {
	body := url.Values{"status": {vector.status}}.Encode()
	r, err := http.NewRequest("POST", "https://api.twitter.com/1.1/statuses/update.json?include_entities=true", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.TLS = nil
	r.Host = "api.twitter.com"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	header := `OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"`
	ps, err := parseAuthHeader(header)
	if err != nil {
		t.Fatal(err)
	}
	// Over plain http the base URL is http://; sign what the server sees.
	if checkSignature(r, ps, vector.consumerSecret, vector.tokenSecret) {
		t.Fatal("an https signature verified over http")
	}
	ps["oauth_signature"] = hmacSHA1(vector.consumerSecret, vector.tokenSecret,
		signatureBase("POST", "http://api.twitter.com/1.1/statuses/update.json", vectorParams()))
	if !checkSignature(r, ps, vector.consumerSecret, vector.tokenSecret) {
		t.Fatal("the vector request did not verify")
	}
	// The body is still readable afterwards.
	if err := r.ParseForm(); err != nil || r.PostForm.Get("status") != vector.status {
		t.Fatalf("body after verification: %v %q", err, r.PostForm.Get("status"))
	}
	// Any change breaks it.
	if checkSignature(r, ps, vector.consumerSecret, "other") {
		t.Error("wrong token secret verified")
	}
	r.URL.RawQuery = "include_entities=false"
	if checkSignature(r, ps, vector.consumerSecret, vector.tokenSecret) {
		t.Error("changed query verified")
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"Ladies + Gentlemen": "Ladies%20%2B%20Gentlemen",
		"An encoded string!": "An%20encoded%20string%21",
		"Dogs, Cats & Mice":  "Dogs%2C%20Cats%20%26%20Mice",
		"☃":                  "%E2%98%83",
		"-._~azAZ09":         "-._~azAZ09",
	} {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseAuthHeader(t *testing.T) {
	ps, err := parseAuthHeader(`OAuth realm="x", oauth_nonce="a%2Fb", oauth_token="t"`)
	if err != nil || ps["oauth_nonce"] != "a/b" || ps["oauth_token"] != "t" || ps["realm"] != "x" {
		t.Fatalf("%v %v", ps, err)
	}
	for _, bad := range []string{"", "Bearer abc", "OAuth oauth_nonce=abc", `OAuth oauth_nonce="a%zz"`, `OAuth a="1", a="2"`, `OAuth oauth_nonce`} {
		if _, err := parseAuthHeader(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
