package main

import (
	"context"
	"github.com/podimport/podimport/internal/testutil"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

// Distinctive credentials: any of them, or the marker they share, found in
// an output is a leak.
var secretCreds = twittertest.Credentials{
	ConsumerKey:    "ck-SECRET-a1b2",
	ConsumerSecret: "cs-SECRET-c3d4",
	Token:          "at-SECRET-e5f6",
	TokenSecret:    "as-SECRET-g7h8",
}

const (
	wrongConsumerSecret = "cs-SECRET-wrong-z9y8"
	secretMarker        = "-SECRET-"
)

func secretValues() []string {
	return []string{secretCreds.ConsumerKey, secretCreds.ConsumerSecret, secretCreds.Token, secretCreds.TokenSecret,
		wrongConsumerSecret, secretMarker}
}

// leaks reports which secret values appear in b.
func leaks(b []byte) []string {
	var found []string
	for _, s := range secretValues() {
		if strings.Contains(string(b), s) {
			found = append(found, s)
		}
	}
	return found
}

func setSecretEnv(t *testing.T, c twittertest.Credentials) {
	t.Setenv("TWITTER_CONSUMER_KEY", c.ConsumerKey)
	t.Setenv("TWITTER_CONSUMER_SECRET", c.ConsumerSecret)
	t.Setenv("TWITTER_ACCESS_TOKEN", c.Token)
	t.Setenv("TWITTER_ACCESS_SECRET", c.TokenSecret)
}

// TestSecretsStayOutOfOutputsAndTheStore runs imports at --log-level debug,
// with console and JSON logs, through retries (a server that fails some
// requests), a bad consumer secret and a revoked token, and then every
// reading command; none of the credentials may appear in any output, in
// the store's files or in the index.
func TestSecretsStayOutOfOutputsAndTheStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	cfg := twittertest.WorldConfig{Seed: 8, Handle: "secret_owner", Followers: 6, Followings: 4, OwnTweets: 40,
		TweetsPerFollowing: 3, Likes: 5}
	// The failures are ones the client retries after a short backoff (no
	// 429s: the CLI waits on the real clock).
	srv := twittertest.NewServer(twittertest.NewWorld(cfg), twittertest.WithCredentials(secretCreds),
		twittertest.WithChaos(twittertest.Chaos{Seed: 3, Rate: 0.15,
			Kinds: []string{twittertest.Chaos500, twittertest.Chaos503, twittertest.ChaosDrop, twittertest.ChaosTruncate}}))
	t.Cleanup(srv.Close)
	setSecretEnv(t, secretCreds)
	imp := []string{"import", "twitter", "--user", cfg.Handle, "--api-base", srv.BaseURL(), "--followings-tweets", "3", "--likes"}

	check := func(what string, b []byte) {
		t.Helper()
		if found := leaks(b); len(found) > 0 {
			t.Errorf("%s contains %q:\n%s", what, found, excerpt(string(b), found[0]))
		}
	}
	cli := func(wantCode int, args ...string) string {
		t.Helper()
		code, out, errOut := runCLISync(args...)
		check("stdout of "+strings.Join(args, " "), []byte(out))
		check("stderr of "+strings.Join(args, " "), []byte(errOut))
		if code != wantCode {
			t.Fatalf("%s: exit %d, want %d\n%s\n%s", strings.Join(args, " "), code, wantCode, out, errOut)
		}
		return out + errOut
	}

	for _, format := range []string{"console", "json"} {
		out := cli(0, append([]string{"--store", dir, "--log-level", "debug", "--log-format", format}, imp...)...)
		if !strings.Contains(out, "twitter secret_owner done") {
			t.Errorf("import with %s logs: no summary line:\n%s", format, out)
		}
		if !strings.Contains(strings.ToLower(out), "debug") && !strings.Contains(out, "DBG") {
			t.Errorf("--log-level debug with %s logs printed no debug line:\n%.2000s", format, out)
		}
	}
	if len(srv.ChaosCounts()) == 0 {
		t.Errorf("no request failed: the retry paths were not logged")
	}

	// A bad consumer secret, then a revoked token: auth errors, at debug.
	for _, format := range []string{"console", "json"} {
		bad := secretCreds
		bad.ConsumerSecret = wrongConsumerSecret
		setSecretEnv(t, bad)
		out := cli(exitAuth, append([]string{"--store", dir, "--log-level", "debug", "--log-format", format}, imp...)...)
		if !strings.Contains(out, "TWITTER_CONSUMER_KEY") {
			t.Errorf("bad consumer secret (%s logs): the error does not name the credential to check:\n%s", format, out)
		}
	}
	setSecretEnv(t, secretCreds)
	srv.RevokeToken()
	for _, format := range []string{"console", "json"} {
		out := cli(exitAuth, append([]string{"--store", dir, "--log-level", "debug", "--log-format", format}, imp...)...)
		if !strings.Contains(out, "TWITTER_ACCESS_TOKEN") {
			t.Errorf("revoked token (%s logs): the error does not name the credential to check:\n%s", format, out)
		}
	}
	// A credential given as a flag is no different.
	cli(exitAuth, append([]string{"--store", dir, "--log-level", "debug"}, append(imp, "--consumer-secret", wrongConsumerSecret)...)...)

	// What the store gives back.
	for _, args := range [][]string{
		{"export", "--format", "jsonl"},
		{"stats", "--json"},
		{"stats"},
		{"show", "--json", "@" + cfg.Handle},
		{"show", "@" + cfg.Handle},
		{"search", "--json", "from:" + cfg.Handle},
	} {
		out := cli(0, append([]string{"--store", dir, "--log-level", "debug"}, args...)...)
		if len(out) < 50 {
			t.Errorf("%s printed almost nothing: %q", strings.Join(args, " "), out)
		}
	}

	// Every file of the store: the database, the index, anything else.
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		check(path, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.bleve")); err != nil || files < 3 {
		t.Errorf("read %d files of the store, index: %v", files, err)
	}

	// Permissions: the store is the user's alone.
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("store folder: %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "podimport.db")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("podimport.db: %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}

// runCLISync is runCLI with output buffers that may be written from
// several goroutines: at --log-level debug the followings' timelines,
// fetched concurrently, all log, and the logger does not serialize its
// writes (runCLI's bytes.Buffers race then).
func runCLISync(args ...string) (code int, stdout, stderr string) {
	var out, errOut testutil.Buffer
	code = run(context.Background(), append([]string{"podimport"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// excerpt shows s around the first occurrence of sub.
func excerpt(s, sub string) string {
	i := strings.Index(s, sub)
	if i < 0 {
		return ""
	}
	return strings.ToValidUTF8(s[max(0, i-200):min(len(s), i+len(sub)+200)], "?")
}
