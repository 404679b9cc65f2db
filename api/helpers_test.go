package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/podimport/podimport/internal/testutil"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/api"
	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/store"
)

// t0 is the fake world's "now": the same config gives the same world.
var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// fakeTwitter starts the fake Twitter API over a world owned by @owner.
func fakeTwitter(t *testing.T, cfg twittertest.WorldConfig) *twittertest.Server {
	t.Helper()
	if cfg.Handle == "" {
		cfg.Handle = "owner"
	}
	cfg.Clock = func() time.Time { return t0 }
	if cfg.Start.IsZero() {
		cfg.Start = t0.AddDate(-2, 0, 0)
	}
	srv := twittertest.NewServer(twittertest.NewWorld(cfg))
	t.Cleanup(srv.Close)
	return srv
}

// smallWorld is @owner with 20 followers, 10 followings, 60 tweets and
// 10 likes.
func smallWorld() twittertest.WorldConfig {
	return twittertest.WorldConfig{Seed: 3, Followers: 20, Followings: 10, OwnTweets: 60, TweetsPerFollowing: 3, Likes: 10}
}

// credentialsEnv is a server environment holding the fake API's
// credentials, the way TWITTER_* would.
func credentialsEnv(srv *twittertest.Server) func(string) string {
	c := srv.Credentials()
	env := map[string]string{
		"TWITTER_CONSUMER_KEY": c.ConsumerKey, "TWITTER_CONSUMER_SECRET": c.ConsumerSecret,
		"TWITTER_ACCESS_TOKEN": c.Token, "TWITTER_ACCESS_SECRET": c.TokenSecret,
	}
	return func(k string) string { return env[k] }
}

// pod is an open store and index in a temporary folder.
type pod struct {
	dir   string
	store *store.Store
	index *index.Index
}

func openPod(t *testing.T, dir string) *pod {
	t.Helper()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(filepath.Join(dir, "index.bleve"), s)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	p := &pod{dir: dir, store: s, index: ix}
	t.Cleanup(func() { p.close() })
	return p
}

func (p *pod) close() error {
	if p.store == nil {
		return nil
	}
	err := p.index.Close()
	if cerr := p.store.Close(); err == nil {
		err = cerr
	}
	p.store, p.index = nil, nil
	return err
}

// importDirect imports the fake API's owner into p without the API.
func importDirect(t *testing.T, p *pod, srv *twittertest.Server, kv ...string) store.Run {
	t.Helper()
	c := srv.Credentials()
	v := importer.Values{
		"user": srv.World().Owner().ScreenName, "api-base": srv.BaseURL(), "followings-tweets": "0",
		"consumer-key": c.ConsumerKey, "consumer-secret": c.ConsumerSecret,
		"access-token": c.Token, "access-secret": c.TokenSecret,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = kv[i+1]
	}
	job, err := twitter.Plugin{}.New(v)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := importer.Run(context.Background(), importer.RunConfig{Store: p.store, Index: p.index}, twitter.Plugin{}, job)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rec
}

// client is an API server on loopback with the requests tests make.
type client struct {
	t     *testing.T
	api   *api.Server
	srv   *httptest.Server
	log   *testutil.Buffer
	token string // sent when set
}

func newClient(t *testing.T, p *pod, cfg api.Config) *client {
	t.Helper()
	log := &testutil.Buffer{}
	l := zerolog.New(log).Level(zerolog.DebugLevel)
	cfg.Store, cfg.Index, cfg.Log = p.store, p.index, &l
	if cfg.Env == nil {
		cfg.Env = func(string) string { return "" }
	}
	c := &client{t: t, api: api.New(cfg), log: log, token: cfg.Token}
	c.srv = httptest.NewServer(c.api.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.api.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		c.srv.Close()
		if strings.Contains(log.String(), "Bearer") {
			t.Errorf("a token was logged:\n%s", log.String())
		}
	})
	return c
}

// do sends a request and returns the status and body.
func (c *client) do(method, path, contentType string, body io.Reader, header ...string) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusMovedPermanently && !strings.HasPrefix(ct, "application/json") {
		c.t.Errorf("%s %s: Content-Type %q, want JSON; body %s", method, path, ct, b)
	}
	return res.StatusCode, b
}

// get decodes a GET's JSON answer into v (when not nil) and returns the status.
func (c *client) get(path string, v any) int {
	c.t.Helper()
	code, b := c.do(http.MethodGet, path, "", nil)
	c.decode(path, b, v)
	return code
}

// post sends body as JSON and decodes the answer into v.
func (c *client) post(path string, body any, v any) int {
	c.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	code, out := c.do(http.MethodPost, path, "application/json", bytes.NewReader(b))
	c.decode(path, out, v)
	return code
}

func (c *client) decode(path string, b []byte, v any) {
	c.t.Helper()
	if v == nil {
		return
	}
	if err := json.Unmarshal(b, v); err != nil {
		c.t.Fatalf("%s: %v\n%s", path, err, b)
	}
}

// errorOf returns the "error" of an error answer.
func errorOf(t *testing.T, b []byte) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
		t.Errorf("not a JSON error: %s", b)
	}
	return e.Error
}

// waitImport polls GET /v1/imports/{id} until the run is no longer active.
func (c *client) waitImport(id uint64) api.Import {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var imp api.Import
		if code := c.get(importPath(id), &imp); code != http.StatusOK {
			c.t.Fatalf("GET %s: %d", importPath(id), code)
		}
		if !imp.Active {
			return imp
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("import %d still running: %+v", id, imp)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func importPath(id uint64) string {
	return "/v1/imports/" + jsonNumber(id)
}

func jsonNumber(id uint64) string {
	b, _ := json.Marshal(id)
	return string(b)
}
