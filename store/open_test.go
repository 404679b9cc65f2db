package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdLockEnv makes the test binary, re-executed by TestOpenInUse, open the
// store in the directory it names, say "locked" and hold the lock until its
// stdin closes. bbolt's flock is per open file, so a second process is the
// real case: `podimport serve` running while an import starts.
const holdLockEnv = "PODIMPORT_STORE_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdLockEnv); dir != "" {
		os.Exit(holdLock(dir))
	}
	if dir := os.Getenv(killedRunEnv); dir != "" {
		os.Exit(runUntilKilled(dir))
	}
	os.Exit(m.Run())
}

func holdLock(dir string) int {
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestOpenInUse(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdLockEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := false
	release := func() {
		if done {
			return
		}
		done = true
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("lock holder: %v\n%s", err, stderr.String())
		}
	}
	defer release()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("lock holder said %q, %v\n%s", line, err, stderr.String())
	}

	const timeout = 200 * time.Millisecond
	start := time.Now()
	s, err := Open(dir, Options{Timeout: timeout})
	elapsed := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded while another process holds the store")
	}
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("Open = %v, want ErrInUse", err)
	}
	path := filepath.Join(dir, FileName)
	for _, want := range []string{path, "in use by another process", "wait for it to finish or stop it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	t.Logf("Open gave up after %v (Timeout %v)", elapsed, timeout)
	if elapsed < timeout/2 || elapsed > timeout+time.Second {
		t.Errorf("Open gave up after %v, want about %v", elapsed, timeout)
	}

	// Once the other process is gone, the store opens.
	release()
	s, err = Open(dir, Options{Timeout: timeout})
	if err != nil {
		t.Fatalf("Open after the holder exited: %v", err)
	}
	s.Close()
}

func TestOpenInUseSameProcess(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = Open(dir, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open in the same process = %v, want ErrInUse", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second Open took %v", d)
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pod", "data")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Dir() != dir || s.Path() != filepath.Join(dir, FileName) {
		t.Errorf("Dir %q Path %q", s.Dir(), s.Path())
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{dir, os.ModeDir | 0o700},
		{filepath.Join(dir, "blobs"), os.ModeDir | 0o700},
		{s.Path(), 0o600},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != c.want {
			t.Errorf("%s: mode %v, want %v", c.path, fi.Mode(), c.want)
		}
	}
}

// TestOpenMustExist checks that a reader's Open of a directory without a
// store fails and creates nothing, and opens one that exists.
func TestOpenMustExist(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	if _, err := Open(dir, Options{MustExist: true}); !errors.Is(err, ErrNoStore) || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open of a directory that is not there: %v; want ErrNoStore naming it", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open with MustExist created %s: %v", dir, err)
	}
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(dir, Options{MustExist: true})
	if err != nil {
		t.Fatalf("Open of a store that exists, with MustExist: %v", err)
	}
	s.Close()
}

func TestBlobs(t *testing.T) {
	s := openTest(t, nil)
	content := []byte("a picture, say")
	sum := sha256.Sum256(content)
	wantSHA := hex.EncodeToString(sum[:])

	for range 2 { // the second put is a no-op
		sha, n, err := s.PutBlob(bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		if sha != wantSHA || n != int64(len(content)) {
			t.Fatalf("PutBlob = %s, %d; want %s, %d", sha, n, wantSHA, len(content))
		}
	}
	path := s.BlobPath(wantSHA)
	if want := filepath.Join(s.Dir(), "blobs", wantSHA[:2], wantSHA); path != want {
		t.Errorf("BlobPath = %s, want %s", path, want)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("blob file: %q, %v", got, err)
	}
	if fi, _ := os.Stat(path); fi.Mode() != 0o600 {
		t.Errorf("blob mode %v, want 0600", fi.Mode())
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Join(s.Dir(), "blobs"))
	if len(entries) != 1 || entries[0].Name() != wantSHA[:2] {
		t.Errorf("blobs folder holds %v", entries)
	}
	for _, bad := range []string{"", "../../etc/passwd", strings.ToUpper(wantSHA), wantSHA[:10]} {
		if p := s.BlobPath(bad); p != "" {
			t.Errorf("BlobPath(%q) = %q, want \"\"", bad, p)
		}
	}
	// A failing reader leaves nothing behind.
	if _, _, err := s.PutBlob(io.MultiReader(strings.NewReader("x"), errReader{})); err == nil {
		t.Error("PutBlob with a failing reader: no error")
	}
	entries, _ = os.ReadDir(filepath.Join(s.Dir(), "blobs"))
	if len(entries) != 1 {
		t.Errorf("after a failed put the blobs folder holds %v", entries)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("read failed") }
