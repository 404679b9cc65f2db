package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/internal/testutil"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// TestFullDiskStopsCleanly imports onto a 4 MiB tmpfs that fills up long
// before the import is done. The run must stop with an error that says the
// disk is full, the store must open and read back whole, and once the
// store file is moved to a roomy disk the next run must complete it to
// exactly what an uninterrupted import stores.
func TestFullDiskStopsCleanly(t *testing.T) {
	mnt := testutil.SmallDisk(t, "4m")

	fixed := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	_, flags := fakeAPI(t, twittertest.WorldConfig{Seed: 31, Handle: "full_user", Followers: 100, Followings: 30,
		OwnTweets: 3000, TweetsPerFollowing: 20, Start: fixed.AddDate(-2, 0, 0), Clock: func() time.Time { return fixed }})
	imp := func(dir string) []string {
		return append([]string{"--store", dir, "import", "twitter", "--followings-tweets", "10"}, flags...)
	}

	full := filepath.Join(mnt, "store")
	code, _, errOut := runCLI(t, imp(full)...)
	if code == 0 {
		t.Fatal("an import of about 4,000 posts fit on a 4 MiB disk; the test needs a smaller one")
	}
	if !strings.Contains(errOut, "no space left on device") {
		t.Errorf("exit %d; the error should say the disk is full:\n%s", code, errOut)
	}

	// The store opens, and every node and edge reads back.
	s, err := store.Open(full, store.Options{})
	if err != nil {
		t.Fatalf("the store on the full disk does not open: %v", err)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	nodes, edges := 0, 0
	if err := s.ForEachNode(func(schema.Node) error { nodes++; return nil }); err != nil {
		t.Fatalf("reading the nodes back: %v", err)
	}
	if err := s.ForEachEdge(func(schema.Edge) error { edges++; return nil }); err != nil {
		t.Fatalf("reading the edges back: %v", err)
	}
	sum := func(m map[schema.Kind]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	edgeSum := 0
	for _, v := range st.Edges {
		edgeSum += v
	}
	if nodes != sum(st.Nodes)+sum(st.Refs) || edges != edgeSum || nodes == 0 {
		t.Errorf("read back %d nodes and %d edges; the counters say %d and %d", nodes, edges, sum(st.Nodes)+sum(st.Refs), edgeSum)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// On a roomy disk the next run finishes the job; the index is rebuilt
	// from the store, which is why only the store file is moved.
	roomy := t.TempDir()
	copyFile(t, filepath.Join(full, store.FileName), filepath.Join(roomy, store.FileName))
	if code, _, errOut := runCLI(t, imp(roomy)...); code != 0 {
		t.Fatalf("resumed import on a roomy disk: exit %d\n%s", code, errOut)
	}
	ref := t.TempDir()
	if code, _, errOut := runCLI(t, imp(ref)...); code != 0 {
		t.Fatalf("reference import: exit %d\n%s", code, errOut)
	}
	if a, b := exportWithoutSeenTimes(t, ref), exportWithoutSeenTimes(t, roomy); a != b {
		t.Errorf("the import resumed after a full disk differs from an uninterrupted one:\n%s", testutil.FirstDiff(a, b))
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
