package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
)

// TestSecondProcessGetsStoreInUse runs a slow import in one process and
// then a second import and a search in others, against the same store:
// each of them must fail within about a second (not hang) and say the
// store is in use.
func TestSecondProcessGetsStoreInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs processes")
	}
	bin := buildBinary(t, t.TempDir())
	srv, flags := fakeAPI(t, twittertest.WorldConfig{Seed: 41, Handle: "busy_user", Followers: 50, Followings: 30, OwnTweets: 400, TweetsPerFollowing: 5})
	srv.SetLatency(700 * time.Millisecond) // the first import holds the store for about 8 s
	dir := t.TempDir()
	args := append([]string{"--store", dir, "import", "twitter"}, flags...)

	first := exec.Command(bin, args...)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		first.Process.Kill()
		first.Wait()
	}()
	for srv.TotalRequests() == 0 { // the first import has the store open once it makes requests
		time.Sleep(10 * time.Millisecond)
	}

	for name, second := range map[string][]string{
		"import": args,
		"search": {"--store", dir, "search", "anything"},
	} {
		start := time.Now()
		out, err := exec.Command(bin, second...).CombinedOutput()
		took := time.Since(start)
		if err == nil || !strings.Contains(string(out), "in use") {
			t.Errorf("second %s while an import holds the store: %v\n%s", name, err, out)
		}
		if took > 3*time.Second {
			t.Errorf("second %s took %s to give up; it should fail within about a second", name, took)
		}
		t.Logf("second %s: %s after %s", name, strings.TrimSpace(lastLines(string(out), 1)), took.Round(10*time.Millisecond))
	}
}
