package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/podimport/podimport/internal/testutil"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/store"
)

// served is `podimport serve` running in-process.
type served struct {
	t      *testing.T
	info   serveInfo
	cancel context.CancelFunc // what SIGINT/SIGTERM do to main's context
	done   chan int
	out    testutil.Buffer
	errOut testutil.Buffer
}

// startServe runs `podimport --store dir serve args...` until stop, and
// returns once it has written serve.json.
func startServe(t *testing.T, dir string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{t: t, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- run(ctx, append([]string{"podimport", "--store", dir, "--log-format", "json", "serve"}, args...), &s.out, &s.errOut)
	}()
	t.Cleanup(func() { s.stop() })
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if info, ok := readServeInfo(dir); ok {
			s.info = info
			return s
		}
		select {
		case code := <-s.done:
			s.done <- code
			t.Fatalf("serve exited with %d before serving:\n%s\n%s", code, s.out.String(), s.errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not write %s:\n%s", serveInfoFile, s.errOut.String())
		}
	}
}

// stop cancels serve's context and returns its exit code.
func (s *served) stop() int {
	s.t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(60 * time.Second):
		s.t.Fatalf("serve did not stop:\n%s", s.errOut.String())
		return -1
	}
}

// request sends a request to the API and decodes its JSON answer into v.
func (s *served) request(method, path, token, body string, v any) int {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.info.Addr+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			s.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return res.StatusCode
}

type importAnswer struct {
	ID     uint64 `json:"id"`
	Status string `json:"status"`
	Active bool   `json:"active"`
	Error  string `json:"error"`
}

func TestServeHoldsTheStore(t *testing.T) {
	t.Setenv(tokenEnv, "")
	dir := t.TempDir()
	srv, _ := fakeAPI(t, twittertest.WorldConfig{Seed: 2, Followers: 20, Followings: 10, OwnTweets: 120, TweetsPerFollowing: 3})

	s := startServe(t, dir, "--addr", "127.0.0.1:0")
	if !strings.HasPrefix(s.info.Addr, "http://127.0.0.1:") || strings.HasSuffix(s.info.Addr, ":0") || s.info.PID != os.Getpid() || s.info.Token {
		t.Errorf("serve.json: %+v", s.info)
	}
	if fi, err := os.Stat(filepath.Join(dir, serveInfoFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("serve.json: %v, mode %v", err, fi.Mode())
	}
	var health struct{ Status string }
	if code := s.request(http.MethodGet, "/v1/health", "", "", &health); code != http.StatusOK || health.Status != "ok" {
		t.Fatalf("health: %d %+v", code, health)
	}

	// An import through the API, with the credentials of serve's
	// environment (TWITTER_*).
	body := fmt.Sprintf(`{"plugin": "twitter", "account": "cli_user", "options": {"api-base": %q, "followings-tweets": 2}}`, srv.BaseURL())
	var imp importAnswer
	if code := s.request(http.MethodPost, "/v1/imports", "", body, &imp); code != http.StatusAccepted {
		t.Fatalf("POST /v1/imports: %d %+v\n%s", code, imp, s.errOut.String())
	}
	for deadline := time.Now().Add(60 * time.Second); imp.Active || imp.Status == "running"; time.Sleep(20 * time.Millisecond) {
		s.request(http.MethodGet, fmt.Sprintf("/v1/imports/%d", imp.ID), "", "", &imp)
		if time.Now().After(deadline) {
			t.Fatalf("import still running: %+v", imp)
		}
	}
	if imp.Status != "done" {
		t.Fatalf("import: %+v", imp)
	}
	var res struct{ Total int }
	if s.request(http.MethodGet, "/v1/search?q=from:cli_user", "", "", &res); res.Total < 120 {
		t.Errorf("search from:cli_user through the API: %d hits", res.Total)
	}

	// The other commands fail at once, saying where the API is.
	for _, args := range [][]string{
		{"search", "from:cli_user"},
		{"show", "@cli_user"},
		{"stats"},
		{"export"},
	} {
		start := time.Now()
		code, _, errOut := runCLI(t, append([]string{"--store", dir}, args...)...)
		want := fmt.Sprintf(`the store is held by "podimport serve" (pid %d); use its API at %s (for example curl '%s/v1/search?q=`, os.Getpid(), s.info.Addr, s.info.Addr)
		if code == exitOK || !strings.Contains(errOut, want) || !strings.Contains(errOut, "or stop it") {
			t.Errorf("%s while serve holds the store: exit %d\n%s\nwant %q", args[0], code, errOut, want)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("%s took %s to fail", args[0], took)
		}
	}

	// SIGINT/SIGTERM during an import: it is interrupted, serve exits 0 and
	// lets go of the store.
	srv.SetLatency(200 * time.Millisecond)
	if code := s.request(http.MethodPost, "/v1/imports", "", body, &imp); code != http.StatusAccepted {
		t.Fatalf("second import: %d", code)
	}
	if code := s.stop(); code != exitOK {
		t.Errorf("serve stopped with exit %d\n%s", code, s.errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, serveInfoFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve.json left behind: %v", err)
	}
	code, out, errOut := runCLI(t, "--store", dir, "stats", "--json")
	var st struct {
		Runs []struct {
			ID     uint64
			Status string
		}
	}
	if err := json.Unmarshal([]byte(out), &st); code != exitOK || err != nil {
		t.Fatalf("stats after serve: exit %d, %v\n%s", code, err, errOut)
	}
	if len(st.Runs) != 2 || st.Runs[0].ID != imp.ID || st.Runs[0].Status != store.StatusInterrupted {
		t.Errorf("runs after stopping serve during an import: %+v", st.Runs)
	}
	if !strings.Contains(s.out.String(), s.info.Addr) {
		t.Errorf("serve did not print its address:\n%s", s.out.String())
	}
	for _, secret := range []string{srv.Credentials().TokenSecret, srv.Credentials().ConsumerSecret} {
		if strings.Contains(s.errOut.String(), secret) {
			t.Errorf("serve logged a secret")
		}
	}
}

func TestServeOnlyOnLoopbackWithoutToken(t *testing.T) {
	t.Setenv(tokenEnv, "")
	dir := t.TempDir()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "example.com:0"} {
		code, _, errOut := runCLI(t, "--store", dir, "serve", "--addr", addr)
		if code != exitConfig || !strings.Contains(errOut, tokenEnv) || !strings.Contains(errOut, "not a loopback address") {
			t.Errorf("serve --addr %s without a token: exit %d\n%s", addr, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve opened the store before refusing: %v", err)
	}
	if code, _, errOut := runCLI(t, "--store", dir, "serve", "--addr", "8080"); code != exitConfig || !strings.Contains(errOut, "host:port") {
		t.Errorf("serve --addr 8080: exit %d\n%s", code, errOut)
	}

	// With a token, any address, and every request needs the token.
	const token = "a-long-random-token-0123456789abcdef"
	t.Setenv(tokenEnv, token)
	s := startServe(t, dir, "--addr", "0.0.0.0:0")
	if !s.info.Token || !strings.HasPrefix(s.info.Addr, "http://127.0.0.1:") {
		t.Errorf("serve.json: %+v", s.info)
	}
	var e struct{ Error string }
	if code := s.request(http.MethodGet, "/v1/health", "", "", &e); code != http.StatusUnauthorized || e.Error == "" {
		t.Errorf("no token: %d %+v", code, e)
	}
	if code := s.request(http.MethodGet, "/v1/health", "wrong", "", nil); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", code)
	}
	if code := s.request(http.MethodGet, "/v1/health", token, "", nil); code != http.StatusOK {
		t.Errorf("right token: %d", code)
	}
	_, _, errOut := runCLI(t, "--store", dir, "search", "x")
	if !strings.Contains(errOut, `curl -H "Authorization: Bearer $PODIMPORT_API_TOKEN" '`+s.info.Addr) {
		t.Errorf("the message should show how to send the token:\n%s", errOut)
	}
	if code := s.stop(); code != exitOK {
		t.Errorf("serve: exit %d\n%s", code, s.errOut.String())
	}
	if strings.Contains(s.errOut.String(), token) || strings.Contains(s.out.String(), token) {
		t.Errorf("serve printed its token")
	}
}

// A port out of range is a flag value out of range: exit 2, naming --addr.
func TestServeBadPortIsAUsageError(t *testing.T) {
	t.Setenv(tokenEnv, "")
	dir := t.TempDir()
	for _, addr := range []string{"127.0.0.1:99999", "127.0.0.1:-1", "127.0.0.1:nope"} {
		code, _, errOut := runCLI(t, "--store", dir, "serve", "--addr", addr)
		if code != exitConfig || !strings.Contains(errOut, "--addr") {
			t.Errorf("serve --addr %s: exit %d\n%s; want %d naming --addr", addr, code, errOut, exitConfig)
		}
	}
}

func TestServeInfoOfADeadServeIsIgnored(t *testing.T) {
	dir := t.TempDir()
	if err := writeServeInfo(dir, serveInfo{Addr: "http://127.0.0.1:1", PID: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	if _, ok := readServeInfo(dir); ok {
		t.Errorf("serve.json of a process that does not exist was believed")
	}
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	code, _, errOut := runCLI(t, "--store", dir, "search", "x")
	if code == exitOK || strings.Contains(errOut, "podimport serve\" (pid") || !strings.Contains(errOut, "in use") {
		t.Errorf("search on a store held by another process, with a stale serve.json: exit %d, %s", code, errOut)
	}
}
