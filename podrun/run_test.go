package podrun

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/podimport/podimport/internal/testutil"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/podrun/podtest"
	"github.com/podimport/podimport/store"
)

func openStore() Opener {
	return func(dir string) (importer.Store, importer.Indexer, func() error, error) {
		s, err := store.Open(dir, store.Options{})
		if err != nil {
			return nil, nil, nil, err
		}
		ix, err := index.Open(filepath.Join(dir, "index.bleve"), s)
		if err != nil {
			s.Close()
			return nil, nil, nil, err
		}
		return s, ix, func() error { return errors.Join(ix.Close(), s.Close()) }, nil
	}
}

// runEnv is the environment of a twitter import against srv, reporting to
// the fake pod.
func runEnv(t *testing.T, srv *twittertest.Server, dir string, extra map[string]string) (Getenv, *podtest.Pod) {
	fake, _ := testPod(t)
	c := srv.Credentials()
	opts, _ := json.Marshal(map[string]any{"api-base": srv.BaseURL(), "followings-tweets": 2})
	env := map[string]string{
		"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_ACCOUNT": "run_user", "PODIMPORT_STORE": dir, "PODIMPORT_OPTIONS": string(opts),
		"TWITTER_CONSUMER_KEY": c.ConsumerKey, "TWITTER_CONSUMER_SECRET": c.ConsumerSecret,
		"TWITTER_ACCESS_TOKEN": c.Token, "TWITTER_ACCESS_SECRET": c.TokenSecret,
	}
	for _, kv := range fake.Env(false) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	t.Cleanup(func() {
		if rj := fake.Rejected(); len(rj) > 0 {
			t.Errorf("the pod refused: %v", rj)
		}
	})
	return envOf(env), fake
}

func TestRunInProcess(t *testing.T) {
	srv := twittertest.NewServer(twittertest.NewWorld(twittertest.WorldConfig{Seed: 4, Handle: "run_user", Followers: 15, Followings: 6, OwnTweets: 250, TweetsPerFollowing: 4}))
	defer srv.Close()
	dir := t.TempDir()
	getenv, pod := runEnv(t, srv, dir, nil)
	var out, logs testutil.Buffer
	err := Run(context.Background(), Config{Getenv: getenv, Open: openStore(), Stdout: &out, Log: testLog(t, &logs),
		Session: SessionOptions{ReportEvery: 10 * time.Millisecond}})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, logs.String())
	}
	if st := pod.Statuses(); len(st) != 2 || st[0] != "started" || st[1] != "done" {
		t.Errorf("statuses %v", st)
	}
	ls := lines(t, out.String())
	if ls[0].Status != "started" || ls[len(ls)-1].Status != "done" || ls[len(ls)-1].Written == 0 {
		t.Errorf("lines: first %+v, last %+v", ls[0], ls[len(ls)-1])
	}
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats()
	s.Close()
	if st.Nodes["post"] < 250 || st.Edges["follows"] != 21 {
		t.Errorf("store: %v %v", st.Nodes, st.Edges)
	}

	// No account named: the token's owner's, as the lines come to say.
	getenv, _ = runEnv(t, srv, dir, map[string]string{"PODIMPORT_ACCOUNT": ""})
	out = testutil.Buffer{}
	if err := Run(context.Background(), Config{Getenv: getenv, Open: openStore(), Stdout: &out, Log: testLog(t, &logs)}); err != nil {
		t.Fatalf("Run without an account: %v\n%s", err, logs.String())
	}
	ls = lines(t, out.String())
	if last := ls[len(ls)-1]; last.Status != "done" || last.Account != "run_user" {
		t.Errorf("without an account, the last line: %+v; want done, account run_user", last)
	}

	// Aborted by the pod: a clean stop, recorded as interrupted.
	srv.SetLatency(100 * time.Millisecond)
	dir2 := t.TempDir()
	getenv, pod = runEnv(t, srv, dir2, map[string]string{"PODIMPORT_POD_POLL_INTERVAL": "50ms"})
	go func() {
		for len(pod.Statuses()) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		pod.SetStatus("aborted")
	}()
	out = testutil.Buffer{}
	if err := Run(context.Background(), Config{Getenv: getenv, Open: openStore(), Stdout: &out, Log: testLog(t, &logs)}); err != nil {
		t.Fatalf("Run after an abort: %v, want nil", err)
	}
	if st := pod.Statuses(); st[len(st)-1] != "aborted" {
		t.Errorf("statuses %v", st)
	}
	s, err = store.Open(dir2, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runs, _ := s.Runs(1)
	if len(runs) != 1 || runs[0].Status != "interrupted" {
		t.Errorf("runs %+v", runs)
	}

	// A bad job is a config error, reported to the pod.
	getenv, pod = runEnv(t, srv, t.TempDir(), map[string]string{"PODIMPORT_OPTIONS": `{"followings-tweets": "many"}`})
	err = Run(context.Background(), Config{Getenv: getenv, Open: openStore(), Stdout: &out})
	if !errors.Is(err, importer.ErrConfig) || !strings.Contains(err.Error(), "followings-tweets") {
		t.Errorf("bad option: %v", err)
	}
	if st := pod.Statuses(); len(st) != 1 || st[0] != "error" {
		t.Errorf("statuses %v", st)
	}
}

// pod-run has no flags: a missing credential is asked for in
// PODIMPORT_OPTIONS or its variable, not as the CLI's --access-secret.
func TestRunMissingCredentialNamesTheVariables(t *testing.T) {
	srv := twittertest.NewServer(twittertest.NewWorld(twittertest.WorldConfig{Seed: 4, Handle: "run_user", Followers: 1, Followings: 1, OwnTweets: 1}))
	defer srv.Close()
	getenv, pod := runEnv(t, srv, t.TempDir(), map[string]string{"TWITTER_ACCESS_SECRET": ""})
	var out testutil.Buffer
	err := Run(context.Background(), Config{Getenv: getenv, Open: openStore(), Stdout: &out})
	if !errors.Is(err, importer.ErrConfig) || !strings.Contains(err.Error(), "TWITTER_ACCESS_SECRET") ||
		!strings.Contains(err.Error(), `"access-secret"`) || !strings.Contains(err.Error(), "PODIMPORT_OPTIONS") || strings.Contains(err.Error(), "--") {
		t.Errorf("without TWITTER_ACCESS_SECRET: %v; want a config error naming TWITTER_ACCESS_SECRET and PODIMPORT_OPTIONS' \"access-secret\", and no flag", err)
	}
	if st := pod.Statuses(); len(st) != 1 || st[0] != "error" {
		t.Errorf("statuses %v", st)
	}
}

// The archive's path has no variable of its own: PODIMPORT_OPTIONS gives it.
func TestRunMissingArchivePathNamesTheOption(t *testing.T) {
	err := Run(context.Background(), Config{Getenv: envOf(map[string]string{"PODIMPORT_PLUGIN": "twitter-archive"}), Open: openStore()})
	if !errors.Is(err, importer.ErrConfig) || !strings.Contains(err.Error(), `PODIMPORT_OPTIONS: "path" is missing`) {
		t.Errorf("twitter-archive without a path: %v; want a config error naming PODIMPORT_OPTIONS' \"path\"", err)
	}
}

// A bad pod configuration gets its error line on stdout like any other
// configuration error: a supervisor reading stdout learns why the run
// ended. The password in the pod's address stays out of it.
func TestRunBadPodConfigWritesTheErrorLine(t *testing.T) {
	var out testutil.Buffer
	err := Run(context.Background(), Config{Getenv: envOf(map[string]string{
		"PODIMPORT_PLUGIN": "twitter", "POD_FULL_ADDRESS": "ftp://user:pAsSwOrD1@127.0.0.1:1",
	}), Open: openStore(), Stdout: &out})
	if !errors.Is(err, importer.ErrConfig) {
		t.Fatalf("Run: %v, want a config error", err)
	}
	ls := lines(t, out.String())
	if len(ls) != 1 || ls[0].Status != StatusError || !strings.Contains(ls[0].Error, "POD_FULL_ADDRESS") {
		t.Errorf("stdout: %q, want one error line naming POD_FULL_ADDRESS", out.String())
	}
	if strings.Contains(out.String(), "pAsSwOrD1") || strings.Contains(err.Error(), "pAsSwOrD1") {
		t.Errorf("the pod's password is shown: %q, %v", out.String(), err)
	}
}
