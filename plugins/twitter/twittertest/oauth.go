package twittertest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// OAuth 1.0a HMAC-SHA1 signature verification (RFC 5849, as Twitter and
// github.com/dghubble/oauth1 do it).

// percentEncode encodes s per RFC 3986 2.1: everything but A-Z a-z 0-9 - . _ ~
// as %XX with upper-case hex.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

type param struct{ k, v string }

// normalizedParams is the parameter string: pairs encoded, sorted by key
// then value, joined as k=v with "&".
func normalizedParams(ps []param) string {
	enc := make([]param, len(ps))
	for i, p := range ps {
		enc[i] = param{percentEncode(p.k), percentEncode(p.v)}
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].k != enc[j].k {
			return enc[i].k < enc[j].k
		}
		return enc[i].v < enc[j].v
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// signatureBase is METHOD&enc(base URL)&enc(parameter string).
func signatureBase(method, baseURL string, ps []param) string {
	return strings.ToUpper(method) + "&" + percentEncode(baseURL) + "&" + percentEncode(normalizedParams(ps))
}

// hmacSHA1 signs base with enc(consumer secret)&enc(token secret).
func hmacSHA1(consumerSecret, tokenSecret, base string) string {
	mac := hmac.New(sha1.New, []byte(percentEncode(consumerSecret)+"&"+percentEncode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

var errBadAuthHeader = errors.New("bad OAuth Authorization header")

// parseAuthHeader parses `OAuth k="v", k="v"` into its decoded parameters.
func parseAuthHeader(h string) (map[string]string, error) {
	const prefix = "oauth "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return nil, errBadAuthHeader
	}
	out := map[string]string{}
	for _, part := range strings.Split(h[len(prefix):], ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, errBadAuthHeader
		}
		k = strings.TrimSpace(k)
		dk, err1 := url.PathUnescape(k)
		dv, err2 := url.PathUnescape(v[1 : len(v)-1])
		if err1 != nil || err2 != nil {
			return nil, errBadAuthHeader
		}
		if _, dup := out[dk]; dup {
			return nil, errBadAuthHeader
		}
		out[dk] = dv
	}
	return out, nil
}

// requestBaseURL rebuilds the base string URI the client signed: lower-case
// scheme and host, no default port, the path as sent.
func requestBaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(r.Host)
	if h, port, ok := strings.Cut(host, ":"); ok && (scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = h
	}
	return scheme + "://" + host + r.URL.EscapedPath()
}

// signedParams collects what a signature covers, besides the oauth_*
// header parameters: the query, and a form body when Content-Type is exactly
// application/x-www-form-urlencoded. first keeps only the first value of a
// repeated key (as dghubble/oauth1 signs); otherwise every value (RFC 5849).
// It leaves r.Body readable.
func signedParams(r *http.Request, first bool) ([]param, error) {
	var ps []param
	add := func(vs url.Values) {
		for k, list := range vs {
			if first {
				list = list[:1]
			}
			for _, v := range list {
				ps = append(ps, param{k, v})
			}
		}
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	add(q)
	if r.Body != nil && r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		add(form)
	}
	return ps, nil
}

// checkSignature reports whether the oauth_signature of the header matches
// the request, recomputed from the header's own timestamp and nonce.
func checkSignature(r *http.Request, oauth map[string]string, consumerSecret, tokenSecret string) bool {
	got := oauth["oauth_signature"]
	var tried []string
	for _, first := range []bool{true, false} {
		ps, err := signedParams(r, first)
		if err != nil {
			return false
		}
		for k, v := range oauth {
			if k != "oauth_signature" && k != "realm" {
				ps = append(ps, param{k, v})
			}
		}
		base := signatureBase(r.Method, requestBaseURL(r), ps)
		if len(tried) > 0 && tried[0] == base {
			continue
		}
		tried = append(tried, base)
		want := hmacSHA1(consumerSecret, tokenSecret, base)
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
			return true
		}
	}
	return false
}
