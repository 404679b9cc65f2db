package main

import (
	"encoding/json"
	"github.com/podimport/podimport/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/store"
)

// TestKilledImportResumesToTheSameStore kills the CLI with SIGKILL at
// several points of an import (in the followers pass, in the walk of the
// own timeline, among the followings' timelines; the index is being built
// in the background all along), then runs it again to completion. The
// store must then hold exactly what an uninterrupted import stores (apart
// from the times edges were seen), and the index must agree with it.
func TestKilledImportResumesToTheSameStore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs imports as subprocesses")
	}
	bin := buildBinary(t, t.TempDir())
	fixed := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	srv := twittertest.NewServer(twittertest.NewWorld(twittertest.WorldConfig{
		Seed: 21, Handle: "crash_user", Followers: 300, Followings: 40, OwnTweets: 1200,
		TweetsPerFollowing: 10, Likes: 60, Protected: 1, Suspended: 1,
		Start: fixed.AddDate(-2, 0, 0), Clock: func() time.Time { return fixed },
	}))
	defer srv.Close()
	srv.SetLatency(15 * time.Millisecond) // so that a kill lands inside a stream
	c := srv.Credentials()
	env := append(cleanEnv(), "TWITTER_CONSUMER_KEY="+c.ConsumerKey, "TWITTER_CONSUMER_SECRET="+c.ConsumerSecret,
		"TWITTER_ACCESS_TOKEN="+c.Token, "TWITTER_ACCESS_SECRET="+c.TokenSecret)
	importCmd := func(dir string) *exec.Cmd {
		cmd := exec.Command(bin, "--store", dir, "--log-level", "debug", "--log-format", "json",
			"import", "twitter", "--user", "crash_user", "--api-base", srv.BaseURL(),
			"--followings-tweets", "5", "--likes")
		cmd.Env = env
		return cmd
	}
	complete := func(dir string) {
		t.Helper()
		if out, err := importCmd(dir).CombinedOutput(); err != nil {
			t.Fatalf("import: %v\n%s", err, lastLines(string(out), 10))
		}
	}

	ref := t.TempDir()
	srv.ResetCounts()
	complete(ref)
	want := exportWithoutSeenTimes(t, ref)
	fullRun := srv.TotalRequests()

	// Each point kills the import when the fake API receives the n-th
	// request to an endpoint: the pages before it are fetched, most of
	// them committed, and one is in flight. The own timeline is 7
	// requests (6 pages and the empty one that closes the walk).
	points := []struct {
		name, endpoint string
		n              int
		// indexing, when set, kills the import instead once the index has
		// written its first segment: the background indexer is then at
		// work, and the import is not done.
		indexing bool
	}{
		{"followers", "users/lookup", 2, false},
		{"timeline", "statuses/user_timeline", 4, false},
		{"followings' timelines", "statuses/user_timeline", 7 + 15, false},
		{"indexing", "", 0, true},
	}
	segmentWritten := func(dir string) bool {
		m, _ := filepath.Glob(filepath.Join(dir, "index.bleve", "store", "*.zap"))
		return len(m) > 0
	}
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			if p.indexing {
				// Bleve writes its first segment in the background, some
				// time after the indexer's first batch: on a loaded machine
				// an import at 15 ms a request could end before it.
				srv.SetLatency(60 * time.Millisecond)
				defer srv.SetLatency(15 * time.Millisecond)
			}
			dir := t.TempDir()
			srv.ResetCounts()
			cmd := importCmd(dir)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
		poll:
			for {
				select {
				case err = <-exited:
					t.Fatalf("the import ended (%v) before request %d to %s (or an index segment)", err, p.n, p.endpoint)
				case <-time.After(time.Millisecond):
					if p.indexing && segmentWritten(dir) || !p.indexing && srv.Requests(p.endpoint) >= p.n {
						if err := cmd.Process.Kill(); err != nil {
							t.Fatal(err)
						}
						err = <-exited
						break poll
					}
				}
			}
			if err == nil || !strings.Contains(err.Error(), "killed") {
				t.Fatalf("the import was not killed: %v", err)
			}
			if n := srv.TotalRequests(); n >= fullRun {
				t.Fatalf("killed after all %d requests of an import: not in the middle of one", n)
			} else {
				t.Logf("killed after %d of %d requests", n, fullRun)
			}
			if os.Getenv("CRASH_DEBUG") != "" {
				_, out, _ := runCLI(t, "--store", dir, "stats", "--json")
				t.Logf("after the kill: %s", out[strings.Index(out, `"cursors"`):])
			}
			// The next command to open the store closes the killed run.
			_, out, _ := runCLI(t, "--store", dir, "stats", "--json")
			var after struct{ Runs []store.Run }
			if err := json.Unmarshal([]byte(out), &after); err != nil || len(after.Runs) != 1 ||
				after.Runs[0].Status != store.StatusInterrupted || !strings.Contains(after.Runs[0].Error, "killed or crashed") {
				t.Errorf("the killed run: %+v (%v); want it interrupted, said to be killed", after.Runs, err)
			}
			complete(dir)
			if got := exportWithoutSeenTimes(t, dir); got != want {
				t.Errorf("killed in %q and resumed, the store differs from an uninterrupted import:\n%s", p.name, testutil.FirstDiff(want, got))
			}
			code, out, _ := runCLI(t, "--store", dir, "stats", "--json")
			var st struct {
				Nodes     map[string]int
				IndexDocs int `json:"index_docs"`
			}
			if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
				t.Fatalf("stats: exit %d, %v", code, err)
			}
			if st.IndexDocs != st.Nodes["post"]+st.Nodes["account"] {
				t.Errorf("the index holds %d documents, the store %d posts and %d accounts", st.IndexDocs, st.Nodes["post"], st.Nodes["account"])
			}
		})
	}
	t.Run("reindex", func(t *testing.T) { killReindex(t, bin, ref) })
}

// killReindex kills `podimport reindex` on the store in dir while it builds
// the new index, then checks that the next command finds an index that
// agrees with the store.
func killReindex(t *testing.T, bin, dir string) {
	t.Helper()
	cmd := exec.Command(bin, "--store", dir, "reindex")
	cmd.Env = cleanEnv()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	building := filepath.Join(dir, "index.bleve.new")
	for {
		select {
		case err := <-exited:
			t.Fatalf("reindex ended (%v) before it was seen building %s", err, building)
		case <-time.After(time.Millisecond):
		}
		if _, err := os.Stat(building); err == nil {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	code, out, errOut := runCLI(t, "--store", dir, "stats", "--json")
	var st struct {
		Nodes     map[string]int
		IndexDocs int `json:"index_docs"`
	}
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
		t.Fatalf("stats after a killed reindex: exit %d, %v: %s", code, err, errOut)
	}
	if st.IndexDocs != st.Nodes["post"]+st.Nodes["account"] {
		t.Errorf("after a killed reindex the index holds %d documents, the store %d posts and %d accounts",
			st.IndexDocs, st.Nodes["post"], st.Nodes["account"])
	}
	if _, err := os.Stat(building); err == nil {
		t.Errorf("%s is still there after the next command", building)
	}
}

// exportWithoutSeenTimes exports the store in dir, less the times edges
// were seen (two imports of the same data at different times differ there).
func exportWithoutSeenTimes(t *testing.T, dir string) string {
	t.Helper()
	code, out, errOut := runCLI(t, "--store", dir, "export", "--format", "jsonl")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	return testutil.WithoutSeenTimes(out)
}
