package twitter_test

import (
	"context"
	"fmt"
	"github.com/podimport/podimport/internal/testutil"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/store"
)

// The world of the chaos tests: small, with every stream of an import.
var chaosWorld = twittertest.WorldConfig{Seed: 17, Followers: 30, Followings: 20, OwnTweets: 450,
	TweetsPerFollowing: 5, Likes: 30, Protected: 1, Suspended: 1}

// The followings' timelines are fetched 4 at a time, as by default: under
// chaos the order of answers varies, and the store must not depend on it.
var chaosOptions = []string{"followings-tweets", "5", "likes", "true", "concurrency", "4"}

// runChaos imports once, logging to log, with the client's defaults. The
// store skips fsync: the many imports of these tests are not about
// durability.
func (h *harness) runChaos(v importer.Values, log *testutil.Buffer) (store.Run, error) {
	h.t.Helper()
	s, err := store.Open(h.dir, store.Options{Now: h.clock.Now, NoSync: true})
	if err != nil {
		h.t.Fatal(err)
	}
	defer s.Close()
	job, err := twitter.Plugin{}.New(v)
	if err != nil {
		h.t.Fatal(err)
	}
	l := zerolog.New(log).Level(zerolog.InfoLevel)
	return importer.Run(context.Background(), importer.RunConfig{Store: s, Clock: h.clock, Log: &l}, twitter.Plugin{}, job)
}

var (
	cleanOnce   sync.Once
	cleanExport string
)

// cleanChaosExport is the export, sorted and without seen times, of an
// undisturbed import of chaosWorld.
func cleanChaosExport(t *testing.T) string {
	t.Helper()
	cleanOnce.Do(func() {
		h := newHarness(t, chaosWorld)
		var log testutil.Buffer
		if _, err := h.runChaos(h.values(chaosOptions...), &log); err != nil {
			t.Fatalf("clean import: %v", err)
		}
		e := h.export()
		cleanExport = normalizeExport(e)
		// normalizeExport drops what withoutSeenTimes drops.
		lines := strings.Split(strings.TrimSuffix(testutil.WithoutSeenTimes(e), "\n"), "\n")
		slices.Sort(lines)
		if strings.Join(lines, "\n")+"\n" != cleanExport || !strings.Contains(e, `"first_seen"`) || strings.Contains(cleanExport, `_seen"`) {
			t.Fatal("normalizeExport and withoutSeenTimes disagree")
		}
	})
	if cleanExport == "" {
		t.Fatal("the clean import failed")
	}
	return cleanExport
}

// normalizeExport sorts the lines of an export and drops the times at
// which edges were seen (what withoutSeenTimes does, on the edge lines
// only: a regexp over the nodes' raw JSON costs a lot under -race).
func normalizeExport(s string) string {
	lines := exportLines(s)
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

func exportLines(s string) []string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, `{"type":"edge"`) {
			lines[i] = dropSeen(dropSeen(l, `,"first_seen":"`), `,"last_seen":"`)
		}
	}
	return lines
}

// dropSeen removes key and its string value from a line: what
// withoutSeenTimes does, without a regexp.
func dropSeen(l, key string) string {
	i := strings.Index(l, key)
	if i < 0 {
		return l
	}
	j := strings.IndexByte(l[i+len(key):], '"')
	if j < 0 {
		return l
	}
	return l[:i] + l[i+len(key)+j+1:]
}

// chaosImport imports chaosWorld from a server disturbed by c and checks
// that the store ends up as after a clean import. It returns the
// disturbances met.
func chaosImport(t *testing.T, c twittertest.Chaos) map[string]int {
	t.Helper()
	return chaosImportWith(t, c, chaosOptions, normalizeExport)
}

// chaosImportWith is chaosImport with other plugin options and another
// normalization of the exports compared.
func chaosImportWith(t *testing.T, c twittertest.Chaos, opts []string, normalize func(string) string) map[string]int {
	t.Helper()
	want := normalize(cleanChaosExport(t))
	h := newHarness(t, chaosWorld, twittertest.WithChaos(c))
	var log testutil.Buffer
	r, err := h.runChaos(h.values(opts...), &log)
	met := h.srv.ChaosCounts()
	if err != nil {
		t.Fatalf("import under chaos (seed %d, rate %.2f) failed after %d requests and disturbances %v: %v\nlog:\n%s",
			c.Seed, c.Rate, h.srv.TotalRequests(), met, err, tail(log.String(), 30))
	}
	if r.Status != "done" {
		t.Fatalf("import under chaos: status %q", r.Status)
	}
	if got := normalize(h.export()); got != want {
		t.Errorf("import under chaos (seed %d, disturbances %v) differs from a clean one:\n%s", c.Seed, met, exportDiff(want, got))
	}
	return met
}

// exportDiff shows the first differing line of two exports around the
// first byte where they differ, and the lines only one of them has.
func exportDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := 0; i < min(len(la), len(lb)); i++ {
		if la[i] != lb[i] {
			j := 0
			for j < min(len(la[i]), len(lb[i])) && la[i][j] == lb[i][j] {
				j++
			}
			from := max(0, j-200)
			out = append(out, fmt.Sprintf("line %d, byte %d:\n- …%s\n+ …%s", i+1, j, testutil.Cut(la[i][from:]), testutil.Cut(lb[i][from:])))
			break
		}
	}
	onlyA, onlyB := setMinus(la, lb), setMinus(lb, la)
	out = append(out, fmt.Sprintf("%d lines only in the clean export, %d only in the chaotic one", len(onlyA), len(onlyB)))
	for _, l := range onlyA[:min(3, len(onlyA))] {
		out = append(out, "- "+testutil.Cut(l))
	}
	for _, l := range onlyB[:min(3, len(onlyB))] {
		out = append(out, "+ "+testutil.Cut(l))
	}
	return strings.Join(out, "\n")
}

func setMinus(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, l := range b {
		in[l] = true
	}
	var out []string
	for _, l := range a {
		if !in[l] {
			out = append(out, l)
		}
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestImportUnderChaosEqualsACleanOne imports the same world from servers
// that answer a fifth of the requests with 429s, 5xx, dropped and cut
// connections, slow answers and pages that repeat the previous page's
// tweets: every import completes, retrying and waiting on the fake clock,
// and stores what an undisturbed import stores.
//
// 20 seeds; 10 under -race (an import costs about 2 s of CPU there), 4 with
// -short; PODIMPORT_CHAOS_SEEDS=n runs n (a soak: 500), and
// PODIMPORT_CHAOS_RATE=r disturbs a share r of the responses instead of 0.2.
func TestImportUnderChaosEqualsACleanOne(t *testing.T) {
	seeds := chaosSeeds(t, 20, 10, 4)
	rate := 0.2
	if v := os.Getenv("PODIMPORT_CHAOS_RATE"); v != "" {
		var err error
		if rate, err = strconv.ParseFloat(v, 64); err != nil || rate < 0 || rate > 1 {
			t.Fatalf("PODIMPORT_CHAOS_RATE=%q: want a number from 0 to 1", v)
		}
	}
	var mu sync.Mutex
	total := map[string]int{}
	t.Run("seeds", func(t *testing.T) {
		for seed := range seeds {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				met := chaosImport(t, twittertest.Chaos{Seed: int64(seed), Rate: rate, Slow: 3 * time.Millisecond})
				mu.Lock()
				defer mu.Unlock()
				for k, n := range met {
					total[k] += n
				}
			})
		}
	})
	n := 0
	for _, v := range total {
		n += v
	}
	t.Logf("%d seeds, %d disturbances: %v", seeds, n, total)
	if n < 4*seeds {
		t.Errorf("only %d disturbances in %d chaotic imports: is chaos on?", n, seeds)
	}
	if !testing.Short() {
		for _, k := range []string{twittertest.Chaos429, twittertest.Chaos500, twittertest.Chaos502, twittertest.Chaos503,
			twittertest.ChaosDrop, twittertest.ChaosTruncate, twittertest.ChaosSlow} {
			if total[k] == 0 {
				t.Errorf("no %q disturbance in %d imports: %v", k, seeds, total)
			}
		}
	}
}

// chaosSeeds is how many seeds a chaos test runs: n, nRace under the race
// detector, nShort with -short, or $PODIMPORT_CHAOS_SEEDS.
func chaosSeeds(t *testing.T, n, nRace, nShort int) int {
	if v := os.Getenv("PODIMPORT_CHAOS_SEEDS"); v != "" {
		seeds, err := strconv.Atoi(v)
		if err != nil || seeds < 1 {
			t.Fatalf("PODIMPORT_CHAOS_SEEDS=%q: want a number of seeds", v)
		}
		return seeds
	}
	switch {
	case testing.Short():
		return nShort
	case raceDetector():
		return nRace
	}
	return n
}

func raceDetector() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// TestImportWithPagesThatRepeatTweets walks timelines whose every page
// after the first starts with up to 3 tweets of the page before (the seeds
// above seldom meet this: only pages with a max_id can repeat): tweets are
// upserts by id, and the walk still ends where it should.
func TestImportWithPagesThatRepeatTweets(t *testing.T) {
	t.Parallel()
	met := chaosImport(t, twittertest.Chaos{Seed: 42, Rate: 1, Kinds: []string{twittertest.ChaosRepeat}})
	if met[twittertest.ChaosRepeat] < 2 {
		t.Errorf("%d pages repeated tweets, want the 2 pages of the walk after the first", met[twittertest.ChaosRepeat])
	}
}

// TestConcurrentTimelinesGiveTheSameStore imports the same world twice,
// the followings' timelines 4 at a time, from a server that only answers
// some requests a few milliseconds late: no errors, only another order of
// the answers. The stores must be the same. In chaosWorld a tweet is both
// in one following's timeline (with its quoted_status) and quoted in
// another's (embedded, without its own): @Lemon1997's 1874512972387188738
// and @tiny_orbit's 1990997424054730756. The two views keep their raw JSON
// under different keys, so the order they commit in does not matter.
func TestConcurrentTimelinesGiveTheSameStore(t *testing.T) {
	opts := []string{"followings-tweets", "5", "likes", "true", "concurrency", "4"}
	for seed := range 5 {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			chaosImportWith(t, twittertest.Chaos{Seed: int64(seed), Rate: 0.5, Slow: 20 * time.Millisecond,
				Kinds: []string{twittertest.ChaosSlow}}, opts, normalizeExport)
		})
	}
}
