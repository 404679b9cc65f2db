package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/store"
)

// runCLI runs the command line in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"podimport"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// fakeAPI starts the fake Twitter API and returns the import flags for it.
func fakeAPI(t *testing.T, cfg twittertest.WorldConfig) (*twittertest.Server, []string) {
	t.Helper()
	if cfg.Handle == "" {
		cfg.Handle = "cli_user"
	}
	srv := twittertest.NewServer(twittertest.NewWorld(cfg))
	t.Cleanup(srv.Close)
	c := srv.Credentials()
	t.Setenv("TWITTER_CONSUMER_KEY", c.ConsumerKey)
	t.Setenv("TWITTER_CONSUMER_SECRET", c.ConsumerSecret)
	t.Setenv("TWITTER_ACCESS_TOKEN", c.Token)
	t.Setenv("TWITTER_ACCESS_SECRET", c.TokenSecret)
	return srv, []string{"--user", cfg.Handle, "--api-base", srv.BaseURL()}
}

func TestImportSearchShowStatsExport(t *testing.T) {
	dir := t.TempDir()
	_, flags := fakeAPI(t, twittertest.WorldConfig{Seed: 2, Followers: 20, Followings: 10, OwnTweets: 120, TweetsPerFollowing: 5})

	code, out, errOut := runCLI(t, append([]string{"--store", dir, "--log-format", "json", "import", "twitter"}, flags...)...)
	if code != 0 || !strings.Contains(out, "twitter cli_user done") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, `"level":"info"`) {
		t.Errorf("--log-format json should log JSON lines to stderr:\n%.500s", errOut)
	}
	// Durations in whole milliseconds, named so: "took_ms":12, not "took":12.345.
	if !regexp.MustCompile(`"took_ms":\d+,[^\n]*"message":"import finished"`).MatchString(errOut) {
		t.Errorf("the import finished line should say took_ms in whole milliseconds:\n%s", errOut)
	}

	code, out, errOut = runCLI(t, "--store", dir, "search", "--json", "--sort", "newest", "--limit", "5", "from:cli_user")
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, errOut)
	}
	var res struct {
		Total uint64 `json:"total"`
		Hits  []struct {
			ID, Kind, Text, Author string
			Created                time.Time
			Score                  float64
			Highlights             []string
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json: %v\n%s", err, out)
	}
	if res.Total < 120 || len(res.Hits) != 5 || res.Hits[0].Author != "cli_user" || res.Hits[0].Kind != "post" {
		t.Errorf("search from:cli_user: total %d, hits %+v", res.Total, res.Hits)
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Created.After(res.Hits[i-1].Created) {
			t.Errorf("--sort newest: hit %d is newer than hit %d", i, i-1)
		}
	}

	code, out, _ = runCLI(t, "--store", dir, "show", "--json", "@cli_user")
	var shown struct {
		Node struct {
			ID      string
			Account struct{ Handle string }
		}
		Edges   struct{ Out, In []struct{ Kind string } }
		History []struct {
			Run       uint64
			Followers *int64
		}
	}
	if err := json.Unmarshal([]byte(out), &shown); code != 0 || err != nil || shown.Node.Account.Handle != "cli_user" {
		t.Fatalf("show --json @cli_user: exit %d, %v\n%.300s", code, err, out)
	}
	kinds := map[string]int{}
	for _, e := range shown.Edges.In {
		kinds["in "+e.Kind]++
	}
	for _, e := range shown.Edges.Out {
		kinds["out "+e.Kind]++
	}
	if kinds["in follows"] != 20 || kinds["out follows"] != 10 || kinds["out authored"] < 120 {
		t.Errorf("show @cli_user edges: %v", kinds)
	}
	if h := shown.History; len(h) != 1 || h[0].Run != 1 || h[0].Followers == nil || *h[0].Followers != 20 {
		t.Errorf("show @cli_user history: %+v, want run 1's point with 20 followers", h)
	}
	if code, out, _ = runCLI(t, "--store", dir, "show", "@cli_user"); code != 0 || !strings.Contains(out, "→ follows (10)") ||
		!regexp.MustCompile(`counts by run \(1\)\n +\d{4}-\d\d-\d\d \d\d:\d\d  run 1  followers 20, following 10, posts \d+\n`).MatchString(out) {
		t.Errorf("show @cli_user (human): exit %d\n%s", code, out)
	}

	code, out, _ = runCLI(t, "--store", dir, "stats", "--json")
	var st struct {
		Nodes, Refs, Edges map[string]int
		IndexDocs          int `json:"index_docs"`
		Runs               []struct{ Status string }
	}
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
		t.Fatalf("stats --json: exit %d, %v", code, err)
	}
	if st.Nodes["post"] < 120 || st.Edges["follows"] != 30 || len(st.Runs) != 1 || st.Runs[0].Status != "done" {
		t.Errorf("stats: %+v", st)
	}
	if st.IndexDocs != st.Nodes["post"]+st.Nodes["account"] {
		t.Errorf("index has %d documents, the store %d posts and %d accounts", st.IndexDocs, st.Nodes["post"], st.Nodes["account"])
	}

	code, out, _ = runCLI(t, "--store", dir, "export", "--format", "jsonl")
	types := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Type, ID, From, To, Kind string
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		types[line.Type]++
	}
	nodes := 0
	for _, n := range st.Nodes {
		nodes += n
	}
	for _, n := range st.Refs {
		nodes += n
	}
	edges := 0
	for _, n := range st.Edges {
		edges += n
	}
	if code != 0 || types["node"] != nodes || types["edge"] != edges || len(types) != 2 {
		t.Errorf("export: exit %d, %v; stats count %d nodes, %d edges", code, types, nodes, edges)
	}
	// With --history, the same, then a count line for each account the
	// run read counts of (here the owner, its followers and followings).
	code, withHistory, _ := runCLI(t, "--store", dir, "export", "--format", "jsonl", "--history")
	if code != 0 || !strings.HasPrefix(withHistory, out) {
		t.Fatalf("export --history: exit %d, and the nodes and edges differ from export's", code)
	}
	counts := 0
	for _, l := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(withHistory, out), "\n"), "\n") {
		var line store.HistoryLine
		if err := json.Unmarshal([]byte(l), &line); err != nil || line.Type != "count" || line.Run != 1 || line.Followers == nil {
			t.Fatalf("export --history: line %q (%v)", l, err)
		}
		counts++
	}
	if counts != st.Nodes["account"] {
		t.Errorf("export --history: %d count lines, want one for each of the %d accounts", counts, st.Nodes["account"])
	}

	code, out, _ = runCLI(t, "--store", dir, "reindex")
	if code != 0 || !strings.Contains(out, "index rebuilt") {
		t.Errorf("reindex: exit %d, %s", code, out)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	srv, flags := fakeAPI(t, twittertest.WorldConfig{Seed: 4, Followers: 3, Followings: 3, OwnTweets: 250})
	imp := append([]string{"--store", dir, "import", "twitter"}, flags...)

	t.Setenv("TWITTER_ACCESS_SECRET", "")
	if code, _, errOut := runCLI(t, imp...); code != exitConfig || !strings.Contains(errOut, "TWITTER_ACCESS_SECRET") {
		t.Errorf("missing secret: exit %d, %s", code, errOut)
	}
	t.Setenv("TWITTER_ACCESS_SECRET", srv.Credentials().TokenSecret)

	if code, _, errOut := runCLI(t, "--store", dir, "search", "--sort", "sideways", "x"); code != exitConfig {
		t.Errorf("bad --sort: exit %d, %s", code, errOut)
	}
	// A mistake in the query is said before the store is opened: here a
	// store that cannot be opened at all.
	if code, _, errOut := runCLI(t, "--store", "/dev/null/store", "search", "since:2024-13-01"); code != exitConfig ||
		!strings.Contains(errOut, `since: wants YYYY-MM-DD, got "2024-13-01"`) {
		t.Errorf("bad query: exit %d, %s", code, errOut)
	}

	srv.SetRemaining("statuses/user_timeline", 1)
	if code, out, errOut := runCLI(t, append(imp, "--no-wait")...); code != exitRateLimited || !strings.Contains(out, "rate_limited") {
		t.Errorf("spent window with --no-wait: exit %d\n%s\n%s", code, out, errOut)
	}

	srv.RevokeToken()
	if code, _, errOut := runCLI(t, imp...); code != exitAuth || !strings.Contains(errOut, "TWITTER_ACCESS_TOKEN") {
		t.Errorf("revoked token: exit %d, %s", code, errOut)
	}
}

func TestStoreInUseFailsFast(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	code, _, errOut := runCLI(t, "--store", dir, "search", "anything")
	if code == 0 || !strings.Contains(errOut, "in use") || time.Since(start) > 5*time.Second {
		t.Errorf("search on a held store: exit %d after %s: %s", code, time.Since(start), errOut)
	}
}

func TestDemo(t *testing.T) {
	// The demo leaves its archive in a temporary folder for a person to
	// look at; the test's goes where the test cleans up.
	t.Setenv("TMPDIR", t.TempDir())
	code, out, errOut := runCLI(t, "--store", t.TempDir(), "demo", "--followers", "30", "--followings", "10", "--tweets", "60")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"1. first import", "2. @demo_user posts 25 new tweets", "3. searches", "results"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func TestPluginsListsTwitter(t *testing.T) {
	code, out, _ := runCLI(t, "plugins")
	if code != 0 || !strings.Contains(out, "twitter") || !strings.Contains(out, "--followings-tweets") {
		t.Errorf("plugins: exit %d\n%s", code, out)
	}
	for _, want := range []string{"--concurrency  requests in flight", "(default 8)", "(default 5)", "OAuth consumer (API) key (required)"} {
		if !strings.Contains(out, want) {
			t.Errorf("plugins does not say %q:\n%s", want, out)
		}
	}
}

// TestUsageErrors checks that a mistake in the command line is said once,
// on stderr, naming what was wrong, with exit code 2 and nothing on stdout
// (which may carry --json for a script), rather than urfave/cli's
// "Incorrect Usage" and help text on stdout with exit code 1.
func TestUsageErrors(t *testing.T) {
	store := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"search", "--json", "--bogus", "x"}, "flag provided but not defined: -bogus (podimport search --help lists the options"},
		{[]string{"search", "--limit", "many", "x"}, `invalid value "many" for flag -limit`},
		{[]string{"--bogus", "stats"}, "flag provided but not defined: -bogus (podimport --help lists the options)"},
		{[]string{"import", "twitter", "--bogus"}, "-bogus (podimport import twitter --help lists the options)"},
		{[]string{"bogus"}, `no command "bogus" (podimport --help lists the commands)`},
		{[]string{"help", "bogus"}, `no command "bogus"`},
		{[]string{"help", "--bogus"}, "flag provided but not defined: -bogus (podimport help --help lists the options)"},
		{[]string{"import", "help", "--bogus"}, "flag provided but not defined: -bogus"},
		// An archive is read from disk: no rate limit to stop at.
		{[]string{"import", "twitter-archive", "--no-wait", "a.zip"}, "flag provided but not defined: -no-wait (podimport import twitter-archive --help"},
		{[]string{"import", "mastodon"}, `no plugin "mastodon": podimport import takes one of twitter or twitter-archive (podimport plugins describes them)`},
		{[]string{"import", "help", "mastodon"}, `no plugin "mastodon"`},
		{[]string{"import"}, "import wants a plugin, one of twitter or twitter-archive"},
		// The global log flags are checked for every command, not only
		// for those that log.
		{[]string{"--log-level", "bogus", "search", "x"}, `--log-level "bogus": want debug, info, warn or error`},
		{[]string{"--log-format", "xml", "stats"}, `--log-format "xml": want console or json`},
		{[]string{"--log-level", "", "plugins"}, `--log-level "": want debug, info, warn or error`},
		{[]string{"demo", "--followers", "-5"}, `--followers -5: want a whole number from 0 to 100000`},
		{[]string{"import", "twitter-archive", "--path", "a.zip", "b.zip"}, `--path "a.zip" and the argument "b.zip" disagree: give one`},
		{[]string{"import", "twitter-archive", "a.zip", "--no-media"}, `unexpected arguments ["a.zip" "--no-media"]: flags go before the PATH (podimport import twitter-archive [flags] PATH)`},
	} {
		code, out, errOut := runCLI(t, append([]string{"--store", store}, c.args...)...)
		if code != exitConfig || out != "" || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("podimport %s: exit %d, want %d with one line on stderr saying %q\nstdout: %q\nstderr: %q",
				strings.Join(c.args, " "), code, exitConfig, c.want, out, errOut)
		}
	}
}

// TestBadAutoMemLimit checks that a mistyped AUTOMEMLIMIT is said, not
// ignored.
func TestBadAutoMemLimit(t *testing.T) {
	for _, v := range []string{"bogus", "80%", "1.5", "0", "NaN"} {
		t.Setenv("AUTOMEMLIMIT", v)
		code, out, errOut := runCLI(t, "plugins")
		if want := fmt.Sprintf("AUTOMEMLIMIT=%q: want the share", v); code != exitConfig || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("AUTOMEMLIMIT=%s: exit %d, want %d and %q\nstdout: %q\nstderr: %q", v, code, exitConfig, want, out, errOut)
		}
	}
	for _, v := range []string{"", "off", "0.8", "1"} {
		t.Setenv("AUTOMEMLIMIT", v)
		if code, _, errOut := runCLI(t, "plugins"); code != 0 {
			t.Errorf("AUTOMEMLIMIT=%q: exit %d: %s", v, code, errOut)
		}
	}
}

// TestReadersWantAStore checks that the commands that read a store refuse
// a --store that holds none (a mistyped folder) with exit code 2, and do
// not create one there.
func TestReadersWantAStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	for _, args := range [][]string{
		{"search", "golang"}, {"show", "@bob"}, {"stats"}, {"export", "--format", "jsonl"}, {"reindex"},
	} {
		code, out, errOut := runCLI(t, append([]string{"--store", dir}, args...)...)
		if code != exitConfig || out != "" || !strings.Contains(errOut, "--store "+dir+": no store there") {
			t.Errorf("podimport %s on no store: exit %d, want %d\nstdout: %q\nstderr: %q", strings.Join(args, " "), code, exitConfig, out, errOut)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("podimport %s created %s: %v", strings.Join(args, " "), dir, err)
		}
	}
}

// TestHelpAsked checks that help asked for is printed on stdout, exit 0.
func TestHelpAsked(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {"search", "--help"}, {"search", "-h"}, {"help", "search"},
		{"import", "--help"}, {"import", "twitter", "--help"}, {"import", "help", "twitter"},
		// urfave/cli takes what follows --help for a subcommand's name.
		{"show", "--help", "@bob"}, {"import", "twitter", "--help", "bob"}, {"stats", "help", "x"},
	} {
		code, out, errOut := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "USAGE:") || errOut != "" {
			t.Errorf("podimport %s: exit %d\nstdout: %.200q\nstderr: %q", strings.Join(args, " "), code, out, errOut)
		}
	}
}
