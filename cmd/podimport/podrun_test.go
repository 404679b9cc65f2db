package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/podimport/podimport/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/podrun"
	"github.com/podimport/podimport/podrun/podtest"
	"github.com/podimport/podimport/store"
)

// goTool finds the go command that runs the tests.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no go command to build the binary: %v", err)
	}
	return p
}

// buildBinary builds cmd/podimport into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "podimport")
	cmd := exec.Command(goTool(t), "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// podRunProc is a running `podimport pod-run`.
type podRunProc struct {
	cmd            *exec.Cmd
	stdout, stderr testutil.Buffer
	done           chan struct{}
	code           int
}

// cleanEnv is the test's environment without the variables pod-run reads.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PODIMPORT_") || strings.HasPrefix(kv, "POD_") || strings.HasPrefix(kv, "TWITTER_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func startPodRun(t *testing.T, bin string, env []string) *podRunProc {
	t.Helper()
	p := &podRunProc{cmd: exec.Command(bin, "--log-format", "json", "pod-run"), done: make(chan struct{})}
	p.cmd.Env = append(cleanEnv(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait returns the exit code.
func (p *podRunProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(90 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("pod-run did not end\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
		return -1
	}
}

// lines parses the JSON status lines.
func (p *podRunProc) lines(t *testing.T) []podrun.Line {
	t.Helper()
	var ls []podrun.Line
	sc := bufio.NewScanner(strings.NewReader(p.stdout.String()))
	for sc.Scan() {
		var l podrun.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("stdout line %q is not a status line: %v", sc.Text(), err)
		}
		ls = append(ls, l)
	}
	return ls
}

// waitRunning waits until the process reports at least n running lines
// with records written.
func (p *podRunProc) waitRunning(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		running := 0
		for _, l := range p.lines(t) {
			if l.Status == "running" && l.Written > 0 {
				running++
			}
		}
		if running >= n {
			return
		}
		select {
		case <-p.done:
			t.Fatalf("pod-run ended (exit %d) before it was running\nstdout:\n%s\nstderr:\n%s", p.code, p.stdout.String(), p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("pod-run is not running\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
}

// checkNoSecrets fails if the output shows a credential or the pod's auth.
func (p *podRunProc) checkNoSecrets(t *testing.T, creds twittertest.Credentials) {
	t.Helper()
	out := p.stdout.String() + p.stderr.String()
	for name, s := range map[string]string{"consumer key": creds.ConsumerKey, "consumer secret": creds.ConsumerSecret,
		"access token": creds.Token, "access secret": creds.TokenSecret, "pod auth": "0f1e2d3c4b5a6978", "pod nonce": "a1b2c3d4e5f60718"} {
		if strings.Contains(out, s) {
			t.Errorf("the output shows the %s", name)
		}
	}
}

func (p *podRunProc) last(t *testing.T) podrun.Line {
	t.Helper()
	ls := p.lines(t)
	if len(ls) == 0 {
		t.Fatalf("no status line\nstderr:\n%s", p.stderr.String())
	}
	return ls[len(ls)-1]
}

// podRunWorld is a world big enough for an import of a few seconds with
// some latency.
var podRunWorld = twittertest.WorldConfig{Seed: 7, Handle: "pod_user", Followers: 30, Followings: 12, OwnTweets: 450, TweetsPerFollowing: 6}

// twitterJob returns the environment of a twitter import against srv.
func twitterJob(srv *twittertest.Server, store string, extra string) []string {
	c := srv.Credentials()
	opts := fmt.Sprintf(`{"api-base": %q, "followings-tweets": 3%s}`, srv.BaseURL(), extra)
	return []string{
		"PODIMPORT_PLUGIN=twitter",
		"PODIMPORT_ACCOUNT=pod_user",
		"PODIMPORT_STORE=" + store,
		"PODIMPORT_OPTIONS=" + opts,
		"TWITTER_CONSUMER_KEY=" + c.ConsumerKey,
		"TWITTER_CONSUMER_SECRET=" + c.ConsumerSecret,
		"TWITTER_ACCESS_TOKEN=" + c.Token,
		"TWITTER_ACCESS_SECRET=" + c.TokenSecret,
	}
}

func newAPI(t *testing.T) *twittertest.Server {
	srv := twittertest.NewServer(twittertest.NewWorld(podRunWorld))
	t.Cleanup(srv.Close)
	return srv
}

func newPod(t *testing.T) *podtest.Pod {
	pod := podtest.New()
	t.Cleanup(pod.Close)
	return pod
}

// storeCounts opens a store and returns its node, reference and edge counts.
func storeCounts(t *testing.T, dir string) (nodes, refs, edges map[string]int, runs []store.Run) {
	t.Helper()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	nodes, refs, edges = map[string]int{}, map[string]int{}, map[string]int{}
	for k, n := range st.Nodes {
		nodes[string(k)] = n
	}
	for k, n := range st.Refs {
		refs[string(k)] = n
	}
	for k, n := range st.Edges {
		edges[string(k)] = n
	}
	runs, err = s.Runs(100)
	if err != nil {
		t.Fatal(err)
	}
	return nodes, refs, edges, runs
}

// counts is what a store holds, by kind.
type counts struct{ nodes, edges map[string]int }

// referenceCounts imports the world once, uninterrupted, in-process.
var referenceCounts = sync.OnceValues(func() (counts, error) {
	dir, err := os.MkdirTemp("", "podimport-reference-")
	if err != nil {
		return counts{}, err
	}
	defer os.RemoveAll(dir)
	srv := twittertest.NewServer(twittertest.NewWorld(podRunWorld))
	defer srv.Close()
	c := srv.Credentials()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"podimport", "--store", dir, "import", "twitter", "--user", "pod_user", "--api-base", srv.BaseURL(),
		"--followings-tweets", "3", "--consumer-key", c.ConsumerKey, "--consumer-secret", c.ConsumerSecret,
		"--access-token", c.Token, "--access-secret", c.TokenSecret}, &out, &errOut)
	if code != 0 {
		return counts{}, fmt.Errorf("reference import: exit %d: %s", code, errOut.String())
	}
	return readCounts(dir)
})

func readCounts(dir string) (counts, error) {
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		return counts{}, err
	}
	defer s.Close()
	st, err := s.Stats()
	c := counts{nodes: map[string]int{}, edges: map[string]int{}}
	for k, n := range st.Nodes {
		c.nodes[string(k)] = n
	}
	for k, n := range st.Edges {
		c.edges[string(k)] = n
	}
	return c, err
}

// sameAsReference checks that the store in dir lost nothing: it holds the
// posts and accounts, the follows and the authored edges of an
// uninterrupted import of the world. Those do not depend on the order of
// requests; media, mentions and tags can (the twitter plugin fetches
// followings' timelines concurrently, and a post met first embedded in
// another may be stored with fewer entities), so they are only logged.
func sameAsReference(t *testing.T, dir string) {
	t.Helper()
	want, err := referenceCounts()
	if err != nil {
		t.Fatal(err)
	}
	got, err := readCounts(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"post", "account"} {
		if got.nodes[kind] != want.nodes[kind] {
			t.Errorf("%s nodes: the store holds %d, an uninterrupted import %d", kind, got.nodes[kind], want.nodes[kind])
		}
	}
	for _, kind := range []string{"follows", "authored"} {
		if got.edges[kind] != want.edges[kind] {
			t.Errorf("%s edges: the store holds %d, an uninterrupted import %d", kind, got.edges[kind], want.edges[kind])
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Logf("the store holds %v, an uninterrupted import %v", got, want)
	}
}

func TestPodRunProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t, t.TempDir())

	t.Run("done, then incremental", func(t *testing.T) {
		t.Parallel()
		srv, pod, dir := newAPI(t), newPod(t), t.TempDir()
		// Slow enough that the run outlasts the 1 s between progress
		// reports, so that the pod sees one between 0 and 1: the profile,
		// ids, lookup and own timeline pages depend on each other, about
		// 8 responses one after the other at any --concurrency.
		srv.SetLatency(250 * time.Millisecond)
		p := startPodRun(t, bin, append(twitterJob(srv, dir, ""), pod.Env(true)...)) // the run id from POD_TARGET_ITEM
		if code := p.wait(t); code != 0 {
			t.Fatalf("exit %d\nstderr:\n%s", code, p.stderr.String())
		}
		p.checkNoSecrets(t, srv.Credentials())
		checkPodSawADoneRun(t, pod)
		ls := p.lines(t)
		if ls[0].Status != "started" || ls[0].Plugin != "twitter" || ls[0].Account != "pod_user" {
			t.Errorf("first line %+v", ls[0])
		}
		if l := p.last(t); l.Status != "done" || l.Progress != 1 || l.Requests == 0 {
			t.Errorf("last line %+v", l)
		}
		sameAsReference(t, dir)

		// The second run asks only for what is new.
		srv.SetLatency(0)
		srv.ResetCounts()
		pod2 := newPod(t)
		p = startPodRun(t, bin, append(twitterJob(srv, dir, ""), pod2.Env(false)...))
		if code := p.wait(t); code != 0 {
			t.Fatalf("second run: exit %d\nstderr:\n%s", code, p.stderr.String())
		}
		if n := srv.Requests("users/lookup"); n != 0 {
			t.Errorf("second run: %d users/lookup requests, want 0", n)
		}
		if n := srv.Requests("statuses/user_timeline"); n > 1+podRunWorld.Followings {
			t.Errorf("second run: %d timeline requests, want one per timeline at most", n)
		}
		if st := pod2.Statuses(); len(st) != 2 || st[1] != "done" {
			t.Errorf("second run: pod statuses %v", st)
		}
	})

	t.Run("config error exit 2", func(t *testing.T) {
		t.Parallel()
		srv, pod := newAPI(t), newPod(t)
		env := append(twitterJob(srv, t.TempDir(), ""), pod.Env(false)...)
		env = append(env, `PODIMPORT_OPTIONS={"api-base": "x", "followings-tweets": 3,}`)
		p := startPodRun(t, bin, env)
		if code := p.wait(t); code != 2 {
			t.Fatalf("exit %d, want 2\nstderr:\n%s", code, p.stderr.String())
		}
		if l := p.last(t); l.Status != "error" || !strings.Contains(l.Error, "PODIMPORT_OPTIONS: invalid JSON at byte 42") {
			t.Errorf("last line %+v", l)
		}
		if !strings.Contains(p.stderr.String(), "PODIMPORT_OPTIONS: invalid JSON") {
			t.Errorf("stderr does not name the variable:\n%s", p.stderr.String())
		}
		ups := pod.Updates()
		if len(ups) != 1 || ups[0].Status() != "error" || !strings.Contains(fmt.Sprint(ups[0].Fields["error"]), "PODIMPORT_OPTIONS") {
			t.Errorf("pod updates %+v, want one error naming PODIMPORT_OPTIONS", ups)
		}

		p = startPodRun(t, bin, nil)
		if code := p.wait(t); code != 2 || !strings.Contains(p.stderr.String(), "PODIMPORT_PLUGIN is not set") {
			t.Errorf("no plugin: exit %d\n%s", code, p.stderr.String())
		}
		p = startPodRun(t, bin, []string{"PODIMPORT_PLUGIN=twitter", "POD_FULL_ADDRESS=http://127.0.0.1:1"})
		if code := p.wait(t); code != 2 || !strings.Contains(p.stderr.String(), "POD_OWNER is not set") {
			t.Errorf("pod without owner: exit %d\n%s", code, p.stderr.String())
		}
	})

	t.Run("auth error exit 3", func(t *testing.T) {
		t.Parallel()
		srv, pod := newAPI(t), newPod(t)
		srv.RevokeToken()
		p := startPodRun(t, bin, append(twitterJob(srv, t.TempDir(), ""), pod.Env(false)...))
		if code := p.wait(t); code != 3 {
			t.Fatalf("exit %d, want 3\nstderr:\n%s", code, p.stderr.String())
		}
		p.checkNoSecrets(t, srv.Credentials())
		if l := p.last(t); l.Status != "error" || !strings.Contains(l.Error, "TWITTER_ACCESS_TOKEN") {
			t.Errorf("last line %+v", l)
		}
		if st := pod.Statuses(); len(st) == 0 || st[len(st)-1] != "error" {
			t.Errorf("pod statuses %v", st)
		}
	})

	t.Run("rate limited exit 4", func(t *testing.T) {
		t.Parallel()
		srv, pod, dir := newAPI(t), newPod(t), t.TempDir()
		srv.SetRemaining("friends/ids", 0)
		p := startPodRun(t, bin, append(twitterJob(srv, dir, `, "no-wait": true`), pod.Env(false)...))
		if code := p.wait(t); code != 4 {
			t.Fatalf("exit %d, want 4\nstderr:\n%s", code, p.stderr.String())
		}
		if l := p.last(t); l.Status != "rate_limited" || !strings.Contains(l.Error, "friends/ids") {
			t.Errorf("last line %+v", l)
		}
		ups := pod.Updates()
		if end := ups[len(ups)-1]; end.Status() != "error" || !strings.Contains(fmt.Sprint(end.Fields["error"]), "rate limit") {
			t.Errorf("final pod update %v", end.Fields)
		}
		// What came before the spent window is stored.
		if _, _, edges, runs := storeCounts(t, dir); edges["follows"] != podRunWorld.Followers || runs[0].Status != "rate_limited" {
			t.Errorf("store: follows %d, runs %+v", edges["follows"], runs)
		}
	})

	for _, sig := range []struct {
		name   string
		signal syscall.Signal
		code   int
	}{{"SIGINT exit 130", syscall.SIGINT, 130}, {"SIGTERM exit 143", syscall.SIGTERM, 143}} {
		t.Run(sig.name, func(t *testing.T) {
			t.Parallel()
			srv, pod, dir := newAPI(t), newPod(t), t.TempDir()
			srv.SetLatency(150 * time.Millisecond)
			p := startPodRun(t, bin, append(twitterJob(srv, dir, ""), pod.Env(false)...))
			p.waitRunning(t, 3)
			if err := p.cmd.Process.Signal(sig.signal); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t); code != sig.code {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, sig.code, p.stderr.String())
			}
			if l := p.last(t); l.Status != "interrupted" {
				t.Errorf("last line %+v", l)
			}
			ups := pod.Updates()
			if end := ups[len(ups)-1]; end.Status() != "error" || !strings.Contains(fmt.Sprint(end.Fields["error"]), "interrupted") {
				t.Errorf("final pod update %v", end.Fields)
			}
			if _, _, _, runs := storeCounts(t, dir); runs[0].Status != "interrupted" {
				t.Errorf("run record %+v", runs[0])
			}

			// A rerun completes, and nothing is lost.
			srv.SetLatency(0)
			p = startPodRun(t, bin, twitterJob(srv, dir, ""))
			if code := p.wait(t); code != 0 {
				t.Fatalf("rerun: exit %d\nstderr:\n%s", code, p.stderr.String())
			}
			sameAsReference(t, dir)
		})
	}

	t.Run("aborted by the pod", func(t *testing.T) {
		t.Parallel()
		srv, pod, dir := newAPI(t), newPod(t), t.TempDir()
		srv.SetLatency(150 * time.Millisecond)
		env := append(twitterJob(srv, dir, ""), pod.Env(false)...)
		p := startPodRun(t, bin, append(env, "PODIMPORT_POD_POLL_INTERVAL=200ms"))
		p.waitRunning(t, 2)
		for len(pod.Statuses()) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		pod.SetStatus("aborted")
		aborted := time.Now()
		if code := p.wait(t); code != 0 {
			t.Fatalf("exit %d, want 0 (a clean stop)\nstderr:\n%s", code, p.stderr.String())
		}
		if took := time.Since(aborted); took > 5*time.Second {
			t.Errorf("stopped %v after the abort", took)
		}
		if l := p.last(t); l.Status != "aborted" || l.Progress >= 1 {
			t.Errorf("last line %+v", l)
		}
		st := pod.Statuses()
		if st[0] != "started" || st[len(st)-1] != "aborted" {
			t.Errorf("pod statuses %v", st)
		}
		if ups := pod.Updates(); ups[len(ups)-1].Progress() <= 0 {
			t.Errorf("the final report has no progress: %v", ups[len(ups)-1].Fields)
		}
		if _, _, _, runs := storeCounts(t, dir); runs[0].Status != "interrupted" {
			t.Errorf("run record %+v", runs[0])
		}
	})

	t.Run("failing pod", func(t *testing.T) {
		t.Parallel()
		srv, pod, dir := newAPI(t), newPod(t), t.TempDir()
		// The started report gets through on the third try, 1.5 s in
		// (backoff 0.5 s, then 1 s): the run must last longer than that,
		// and its 8 or so dependent responses take 2.4 s at this latency.
		srv.SetLatency(300 * time.Millisecond)
		pod.FailUpdates(2)
		pod.FailGets(1)
		env := append(twitterJob(srv, dir, ""), pod.Env(false)...)
		p := startPodRun(t, bin, append(env, "PODIMPORT_POD_POLL_INTERVAL=300ms"))
		if code := p.wait(t); code != 0 {
			t.Fatalf("exit %d\nstderr:\n%s", code, p.stderr.String())
		}
		if pod.Failed() != 3 {
			t.Errorf("%d calls failed, want 3", pod.Failed())
		}
		if st := pod.Statuses(); len(st) != 2 || st[0] != "started" || st[1] != "done" {
			t.Errorf("pod statuses %v, want the started report to get through after the failures, then done", st)
		}
		if !strings.Contains(p.stderr.String(), "reporting to the pod failed") {
			t.Errorf("the failures are not logged:\n%s", p.stderr.String())
		}
		sameAsReference(t, dir)
	})
}

// checkPodSawADoneRun checks what a pod hears of a successful run: started
// then done, progress never falling, at least one report between 0 and 1
// and the last at 1, and no request it had to refuse.
func checkPodSawADoneRun(t *testing.T, pod *podtest.Pod) {
	t.Helper()
	if st := pod.Statuses(); len(st) != 2 || st[0] != "started" || st[1] != "done" {
		t.Errorf("pod statuses %v, want [started done]", st)
	}
	last, between := -1.0, 0
	for _, u := range pod.Updates() {
		if u.Progress() < last {
			t.Errorf("progress fell: %v after %v", u.Progress(), last)
		}
		last = u.Progress()
		if last > 0 && last < 1 {
			between++
		}
	}
	if last != 1 || between == 0 {
		t.Errorf("progress: %d reports between 0 and 1, last %v; want rising to 1", between, last)
	}
	if rj := pod.Rejected(); len(rj) > 0 {
		t.Errorf("the pod refused requests: %v", rj)
	}
}
