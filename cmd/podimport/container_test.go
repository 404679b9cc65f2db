package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/podimport/podimport/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/podrun"
	"github.com/podimport/podimport/podrun/podtest"
)

// podman runs podman with its storage in a test folder, so the test needs
// nothing of the machine's container state and leaves none: vfs storage
// and the runc runtime (both work as root without kernel overlay support),
// cgroupfs, no default ulimits, events to a file.
type podman struct {
	t     *testing.T
	flags []string
	env   []string
}

func newPodman(t *testing.T) *podman {
	t.Helper()
	path, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("podman not installed (.ci/run installs it: apt-get install -y podman runc); skipping the container image test")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "containers.conf")
	err = os.WriteFile(conf, []byte("[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	p := &podman{
		t: t,
		flags: []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "runroot"),
			"--storage-driver", "vfs", "--runtime", "runc", "--tmpdir", filepath.Join(dir, "tmp")},
		env: append(os.Environ(), "CONTAINERS_CONF="+conf),
	}
	if _, err := exec.LookPath("runc"); err != nil {
		t.Skip("runc not installed (apt-get install -y runc); skipping the container image test")
	}
	if out, err := p.cmd(context.Background(), "info").CombinedOutput(); err != nil {
		t.Skipf("podman (%s) cannot run here: %v\n%s", path, err, lastLines(string(out), 10))
	}
	t.Cleanup(func() {
		// Containers are --rm; the images go with the storage folder, but
		// remove them first so that podman unmounts and forgets them.
		_ = p.cmd(context.Background(), "rm", "-a", "-f").Run()
		_ = p.cmd(context.Background(), "rmi", "-a", "-f").Run()
	})
	return p
}

func (p *podman) cmd(ctx context.Context, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, "podman", append(append([]string{}, p.flags...), args...)...)
	c.Env = p.env
	return c
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

// TestContainerImage builds the image with podman (Dockerfile, FROM
// scratch, through scripts/build-image.sh) and runs it as a memri pod
// would, against the fake Twitter API and a fake pod on loopback (--network
// host), with a host folder as /data: the pod sees started, rising progress
// and done; the store on the host holds the import; a second run is
// incremental; podman stop (SIGTERM) ends a run with exit code 143.
func TestContainerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a container image")
	}
	pm := newPodman(t)
	tmp := t.TempDir()
	bin := buildBinary(t, tmp)
	image := fmt.Sprintf("localhost/podimport-test:%d", os.Getpid())

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "../../scripts/build-image.sh")
	build.Env = append(pm.env, "IMAGE="+image, "CONTAINER=podman", "CONTAINER_FLAGS="+strings.Join(pm.flags, " "), "BINARY="+bin)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the image: %v\n%s", err, lastLines(string(out), 30))
	}
	out, err := pm.cmd(ctx, "image", "inspect", "--format", "{{.Config.User}} {{.Config.Entrypoint}} {{.Config.Cmd}} {{.Config.Volumes}}", image).Output()
	if err != nil || strings.TrimSpace(string(out)) != "65532:65532 [/podimport] [pod-run] map[/data:{}]" {
		t.Errorf("image config %q, %v", out, err)
	}

	srv := twittertest.NewServer(twittertest.NewWorld(podRunWorld))
	defer srv.Close()
	data := filepath.Join(tmp, "data")
	if err := os.Mkdir(data, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(data, 0o777); err != nil { // past the umask: the container runs as 65532
		t.Fatal(err)
	}

	// runContainer runs the image's default command (pod-run) with the
	// job's environment, the secrets passed by name (-e NAME) rather than
	// on podman's command line, and returns the exit code and stdout.
	runContainer := func(name string, pod *podtest.Pod, dataDir string) (int, string) {
		job := append(twitterJob(srv, "/data", ""), pod.Env(false)...)
		args := []string{"run", "--rm", "--name", name, "--network", "host", "-v", dataDir + ":/data"}
		env := append([]string{}, pm.env...)
		for _, kv := range job {
			k, _, _ := strings.Cut(kv, "=")
			if k == "PODIMPORT_STORE" {
				continue // the image's default, /data
			}
			args = append(args, "-e", k)
			env = append(env, kv)
		}
		c := pm.cmd(ctx, append(args, image)...)
		c.Env = env
		var stdout, stderr testutil.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		err := c.Wait()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("podman run: %v\n%s", err, stderr.String())
		}
		if c.ProcessState.ExitCode() != 0 {
			t.Logf("%s: exit %d; stderr:\n%s", name, c.ProcessState.ExitCode(), lastLines(stderr.String(), 15))
		}
		return c.ProcessState.ExitCode(), stdout.String()
	}

	// The first run imports everything. Its latency makes it last a few
	// seconds, so that progress (reported at most once a second) has
	// reports between 0 and 1 however fast the machine is.
	srv.SetLatency(250 * time.Millisecond)
	pod := podtest.New()
	defer pod.Close()
	code, stdout := runContainer("podimport-test-1", pod, data)
	if code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stdout)
	}
	checkPodSawADoneRun(t, pod)
	var lastLine podrun.Line
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &lastLine); err != nil {
			t.Fatalf("stdout line %q: %v", sc.Text(), err)
		}
	}
	if lastLine.Status != "done" || lastLine.Progress != 1 {
		t.Errorf("last status line %+v", lastLine)
	}
	nodes, _, edges, runs := storeCounts(t, data)
	if nodes["post"] < podRunWorld.OwnTweets || edges["follows"] != podRunWorld.Followers+podRunWorld.Followings || len(runs) != 1 || runs[0].Status != "done" {
		t.Errorf("the store on the host: nodes %v, edges %v, runs %+v", nodes, edges, runs)
	}
	sameAsReference(t, data)

	// The second run fetches only what is new: no account lookups.
	srv.SetLatency(0)
	srv.ResetCounts()
	pod2 := podtest.New()
	defer pod2.Close()
	if code, stdout := runContainer("podimport-test-2", pod2, data); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, stdout)
	}
	if n := srv.Requests("users/lookup"); n != 0 {
		t.Errorf("second run: %d users/lookup requests, want 0", n)
	}
	if st := pod2.Statuses(); len(st) != 2 || st[1] != "done" {
		t.Errorf("second run: pod statuses %v", st)
	}
	if _, _, _, runs := storeCounts(t, data); len(runs) != 2 || runs[0].Status != "done" {
		t.Errorf("second run: runs %+v", runs)
	}

	// podman stop sends SIGTERM to the binary (PID 1): it stops after the
	// page in flight and exits 143.
	srv.SetLatency(200 * time.Millisecond)
	fresh := filepath.Join(tmp, "data3")
	if err := os.Mkdir(fresh, 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(fresh, 0o777)
	pod3 := podtest.New()
	defer pod3.Close()
	type result struct {
		code   int
		stdout string
	}
	done := make(chan result, 1)
	go func() {
		code, stdout := runContainer("podimport-test-3", pod3, fresh)
		done <- result{code, stdout}
	}()
	deadline := time.Now().Add(time.Minute)
	for len(pod3.Updates()) < 2 && time.Now().Before(deadline) { // started, then some progress
		time.Sleep(50 * time.Millisecond)
	}
	if out, err := pm.cmd(ctx, "stop", "-t", "30", "podimport-test-3").CombinedOutput(); err != nil {
		t.Errorf("podman stop: %v\n%s", err, out)
	}
	res := <-done
	if res.code != 143 {
		t.Errorf("stopped run: exit %d, want 143\n%s", res.code, res.stdout)
	}
	if st := pod3.Statuses(); len(st) == 0 || st[len(st)-1] != "error" {
		t.Errorf("stopped run: pod statuses %v", st)
	}
	if _, _, _, runs := storeCounts(t, fresh); len(runs) != 1 || runs[0].Status != "interrupted" {
		t.Errorf("stopped run: runs %+v", runs)
	}
}
