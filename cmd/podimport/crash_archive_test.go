package main

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/internal/testutil"
	"github.com/podimport/podimport/plugins/twitterarchive/archivetest"
	"github.com/podimport/podimport/store"
)

// TestKilledArchiveImportResumes kills `import twitter-archive` with
// SIGKILL in the middle of the tweets, runs it again, and compares the
// store with an uninterrupted import of the same archive.
func TestKilledArchiveImportResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs imports as subprocesses")
	}
	bin := buildBinary(t, t.TempDir())
	zip := filepath.Join(t.TempDir(), "archive.zip")
	a := archivetest.Synthetic(8000, 5, time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	if err := a.WriteZip(zip, archivetest.Options{}); err != nil {
		t.Fatal(err)
	}
	importCmd := func(dir string) *exec.Cmd {
		return exec.Command(bin, "--store", dir, "--log-level", "debug", "--log-format", "json", "import", "twitter-archive", zip)
	}

	ref := t.TempDir()
	if out, err := importCmd(ref).CombinedOutput(); err != nil {
		t.Fatalf("reference import: %v\n%s", err, lastLines(string(out), 5))
	}

	dir := t.TempDir()
	cmd := importCmd(dir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	sc.Buffer(nil, 1<<20)
	killed := false
	for sc.Scan() {
		// The progress lines count the tweets done: kill once two batches
		// of 500 are committed, so the rerun has a position to resume from.
		var line struct {
			Message, Stream string
			Items           int
		}
		if !killed && json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "progress" &&
			strings.HasPrefix(line.Stream, "data/tweets") && line.Items >= 1000 {
			cmd.Process.Kill()
			killed = true
		}
	}
	if err := cmd.Wait(); !killed || err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the archive import was not killed among the tweets: %v", err)
	}
	code, out, _ := runCLI(t, "--store", dir, "stats", "--json")
	var st struct {
		Cursors []struct{ Stream, Value string }
		Runs    []store.Run
	}
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
		t.Fatalf("stats after the kill: exit %d, %v", code, err)
	}
	// The killed run is closed by the next command that opens the store,
	// with what it committed.
	if len(st.Runs) != 1 || st.Runs[0].Status != store.StatusInterrupted || !strings.Contains(st.Runs[0].Error, "killed or crashed") || st.Runs[0].Written == 0 {
		t.Errorf("the killed run, after the kill: %+v; want interrupted, said to be killed, with records written", st.Runs)
	}
	for _, c := range st.Cursors {
		if c.Stream == "archive" {
			t.Logf("cursor after the kill: %s", c.Value)
			if strings.Contains(c.Value, `"done":true`) || !strings.Contains(c.Value, `"item":`) {
				t.Fatalf("the kill should land among the tweets, after some batches: cursor %s", c.Value)
			}
		}
	}

	if out, err := importCmd(dir).CombinedOutput(); err != nil {
		t.Fatalf("resumed import: %v\n%s", err, lastLines(string(out), 5))
	}
	if want, got := exportWithoutSeenTimes(t, ref), exportWithoutSeenTimes(t, dir); want != got {
		t.Errorf("killed and resumed, the archive import differs from an uninterrupted one:\n%s", testutil.FirstDiff(want, got))
	}
	code, out, _ = runCLI(t, "--store", dir, "stats", "--json")
	var counts struct {
		Nodes     map[string]int
		IndexDocs int `json:"index_docs"`
		Runs      []store.Run
	}
	if err := json.Unmarshal([]byte(out), &counts); code != 0 || err != nil {
		t.Fatal(err)
	}
	// Newest first: the resumed run, then the killed one. Between them
	// they wrote what one uninterrupted run writes.
	_, refOut, _ := runCLI(t, "--store", ref, "stats", "--json")
	var refStats struct{ Runs []store.Run }
	if err := json.Unmarshal([]byte(refOut), &refStats); err != nil || len(refStats.Runs) != 1 {
		t.Fatalf("stats of the reference store: %v, %d runs", err, len(refStats.Runs))
	}
	if r := counts.Runs; len(r) != 2 || r[0].Status != store.StatusDone || r[1].Status != store.StatusInterrupted ||
		r[0].Written+r[1].Written != refStats.Runs[0].Written {
		t.Errorf("runs after the resumed import: %+v; want done and interrupted, writing %d records between them", r, refStats.Runs[0].Written)
	}
	if counts.IndexDocs != counts.Nodes["post"]+counts.Nodes["account"] {
		t.Errorf("the index holds %d documents, the store %d posts and %d accounts", counts.IndexDocs, counts.Nodes["post"], counts.Nodes["account"])
	}
}
