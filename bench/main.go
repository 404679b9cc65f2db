// Command bench measures podimport on this machine and prints the figures
// recorded in BENCHMARKS.md:
//
//	go run ./bench import -posts 100000
//
// "import" runs a whole Twitter import through the real importer, store and
// index, against the fake v1.1 API in this process (OAuth-signed, rate
// limits on), then times a fixed set of searches over the result.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/internal/memlimit"
	"github.com/podimport/podimport/plugins/twitter"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/store"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "fake-api" {
		// As the podimport binary does (the collector's settings, and a
		// container's memory limit). The fake API, which stands in for
		// another machine, has settings of its own (serveFake).
		memlimit.Start()
	}
	var err error
	switch {
	case len(os.Args) >= 2 && os.Args[1] == "import":
		err = benchImport(os.Args[2:])
	case len(os.Args) >= 2 && os.Args[1] == "efficiency":
		err = benchEfficiency(os.Args[2:])
	case len(os.Args) >= 2 && os.Args[1] == "latency":
		err = benchLatency(os.Args[2:])
	case len(os.Args) >= 2 && os.Args[1] == "store":
		err = benchStore(os.Args[2:])
	case len(os.Args) >= 2 && os.Args[1] == "fts5":
		err = benchFTS5(os.Args[2:])
	case len(os.Args) >= 2 && os.Args[1] == "fake-api":
		err = serveFake(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "usage: go run ./bench import [-posts N] [-dir DIR] [-runs N] [-cpuprofile FILE] [-memprofile FILE]\n       go run ./bench latency [-latency 200ms] [-concurrency N] [-cpuprofile FILE]\n       go run ./bench store [-posts N] [-workers N] [-nosync] [-runs N]\n       go run ./bench efficiency [-followers 100,10000,100000]\n       go run ./bench fts5 [-posts 1000000] [-dir DIR] [-runs 50] [-seed 1]")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func benchImport(args []string) error {
	fl := flag.NewFlagSet("import", flag.ExitOnError)
	posts := fl.Int("posts", 100000, "posts to import (from the timelines of posts/200 followings)")
	dir := fl.String("dir", "", "store folder (default: a fresh temporary folder, removed afterwards)")
	runs := fl.Int("runs", 50, "times each search query is run")
	cpuprofile := fl.String("cpuprofile", "", "write a CPU profile of the import to this file")
	memprofile := fl.String("memprofile", "", "write a heap profile taken near the peak of heap in use to this file")
	concurrency := fl.Int("concurrency", 0, "followings' timelines fetched at once (0: the plugin's default)")
	fl.Parse(args)

	if *dir == "" {
		d, err := os.MkdirTemp("", "podimport-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	// The fake API runs in a child process, so that the memory and CPU
	// measured here are the importer's alone.
	api, err := startFake("-followers", "200", "-followings", strconv.Itoa(max(1, *posts/200)), "-own", "200", "-per-following", "200")
	if err != nil {
		return err
	}
	defer api.stop()

	s, ix, err := openPod(*dir)
	if err != nil {
		return err
	}
	// Closed at the end: whichever store and index are open then.
	defer func() {
		if ix != nil {
			ix.Close()
			s.Close()
		}
	}()

	job, err := api.job(*concurrency)
	if err != nil {
		return err
	}
	stopProfile, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	peak := watchHeap(*memprofile)
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	log := zerolog.Nop()
	start := time.Now()
	rec, err := importer.Run(context.Background(), importer.RunConfig{Store: s, Index: ix, Log: &log}, twitter.Plugin{}, job)
	took := time.Since(start)
	stopProfile()
	if err != nil {
		return err
	}
	heap := peak()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	st, err := s.Stats()
	if err != nil {
		return err
	}
	n := st.Nodes["post"]
	requests := 0
	for _, r := range rec.Requests {
		requests += r
	}
	// Sizes with both closed, as a user finds them: an open index still
	// holds the files of segments merged away, until Bleve removes them.
	storePath := s.Path()
	if err := errors.Join(ix.Close(), s.Close()); err != nil {
		return err
	}
	storeBytes := fileSize(storePath)
	indexBytes := dirSize(filepath.Join(*dir, "index.bleve"))
	if s, ix, err = openPod(*dir); err != nil {
		return err
	}

	fmt.Printf("machine: %d CPUs, %s\n", runtime.NumCPU(), runtime.Version())
	fmt.Printf("import: %d posts (%d records written, %d requests) in %s: %.0f posts/s\n",
		n, rec.Written, requests, took.Round(time.Millisecond), float64(n)/took.Seconds())
	fmt.Printf("memory: peak RSS %s, peak Go heap in use %s (the fake API runs in another process)\n",
		mib(peakRSS()), mib(heap))
	fmt.Printf("allocated: %s, %.1f KiB a post, in %d collections\n",
		mib(ms1.TotalAlloc-ms0.TotalAlloc), float64(ms1.TotalAlloc-ms0.TotalAlloc)/1024/float64(n), ms1.NumGC-ms0.NumGC)
	fmt.Printf("disk: store %s + index %s = %.0f bytes per post\n",
		mib(storeBytes), mib(indexBytes), float64(storeBytes+indexBytes)/float64(n))

	// Searched as podimport serve searches: with the dates kept in memory.
	t0 := time.Now()
	ix.KeepDates()
	fmt.Printf("dates kept in memory: read in %s\n", time.Since(t0).Round(time.Millisecond))

	queries := []string{
		"golang", "coffee tea", `"open source"`, "#golang", "from:bench_user",
		"has:media since:" + time.Now().AddDate(-2, 0, 0).Format("2006-01-02"),
		"is:reply lang:de", "kind:account",
	}
	fmt.Printf("search over %d documents, %d runs each, top 20 by relevance (p50 / p99):\n", n+st.Nodes["account"], *runs)
	var all []time.Duration
	for _, q := range queries {
		var lat []time.Duration
		var total uint64
		for i := 0; i <= *runs; i++ {
			t := time.Now()
			res, err := ix.Search(context.Background(), q, index.SearchOptions{Limit: 20})
			if err != nil {
				return fmt.Errorf("search %q: %w", q, err)
			}
			if i > 0 { // the first run warms the caches
				lat = append(lat, time.Since(t))
			}
			total = res.Total
		}
		all = append(all, lat...)
		fmt.Printf("  %-36s %7d hits  %7s / %7s\n", q, total, pct(lat, 50), pct(lat, 99))
	}
	fmt.Printf("  %-36s %13s  %7s / %7s\n", "all queries", "", pct(all, 50), pct(all, 99))
	return nil
}

// openPod opens the store in dir and its index.
func openPod(dir string) (*store.Store, *index.Index, error) {
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		return nil, nil, err
	}
	ix, err := index.Open(filepath.Join(dir, "index.bleve"), s)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, ix, nil
}

// benchLatency imports the reference workload (an account with 200
// followers, 200 followings, 200 tweets of its own and 200 for each
// following) from the fake API with latency added to every response, the
// way a real network answers, and reports the wall time and requests.
func benchLatency(args []string) error {
	fl := flag.NewFlagSet("latency", flag.ExitOnError)
	latency := fl.Duration("latency", 200*time.Millisecond, "added to every response")
	concurrency := fl.Int("concurrency", 0, "requests in flight at once (0: the plugin's default)")
	cpuprofile := fl.String("cpuprofile", "", "write a CPU profile of the import to this file")
	fl.Parse(args)
	dir, err := os.MkdirTemp("", "podimport-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	api, err := startFake("-latency", latency.String())
	if err != nil {
		return err
	}
	defer api.stop()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	ix, err := index.Open(filepath.Join(dir, "index.bleve"), s)
	if err != nil {
		return err
	}
	defer ix.Close()
	job, err := api.job(*concurrency)
	if err != nil {
		return err
	}
	stopProfile, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	log := zerolog.Nop()
	start := time.Now()
	rec, err := importer.Run(context.Background(), importer.RunConfig{Store: s, Index: ix, Log: &log}, twitter.Plugin{}, job)
	if err != nil {
		return err
	}
	took := time.Since(start)
	stopProfile()
	st, err := s.Stats()
	if err != nil {
		return err
	}
	total := 0
	var eps []string
	for ep, n := range rec.Requests {
		total += n
		eps = append(eps, fmt.Sprintf("%s %d", ep, n))
	}
	slices.Sort(eps)
	inFlight := "the default"
	if *concurrency > 0 {
		inFlight = strconv.Itoa(*concurrency)
	}
	fmt.Printf("reference workload, %s per response, concurrency %s: %d posts, %d requests in %s (%s)\n",
		*latency, inFlight, st.Nodes["post"], total, took.Round(10*time.Millisecond), strings.Join(eps, ", "))
	return nil
}

// fakeAPI is the fake Twitter API running in a child process.
type fakeAPI struct {
	BaseURL     string
	Credentials twittertest.Credentials
	cmd         *exec.Cmd
	stdin       io.Closer
}

// startFake starts `bench fake-api` with args and reads its address.
func startFake(args ...string) (*fakeAPI, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{"fake-api"}, args...)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	api := &fakeAPI{cmd: cmd, stdin: stdin}
	if err := json.NewDecoder(stdout).Decode(api); err != nil {
		api.stop()
		return nil, fmt.Errorf("fake API: %w", err)
	}
	return api, nil
}

// job is the Twitter import of bench_user from this fake API, with the
// newest 200 tweets of each following, by concurrency workers (0: the
// plugin's default).
func (a *fakeAPI) job(concurrency int) (importer.Job, error) {
	c := a.Credentials
	v := importer.Values{
		"user": "bench_user", "api-base": a.BaseURL, "followings-tweets": "200",
		"consumer-key": c.ConsumerKey, "consumer-secret": c.ConsumerSecret,
		"access-token": c.Token, "access-secret": c.TokenSecret,
	}
	if concurrency > 0 {
		v["concurrency"] = strconv.Itoa(concurrency)
	}
	return twitter.Plugin{}.New(v)
}

func (a *fakeAPI) stop() {
	a.stdin.Close()
	a.cmd.Wait()
}

// serveFake serves a generated world until its standard input closes,
// after printing its address as JSON.
func serveFake(args []string) error {
	fl := flag.NewFlagSet("fake-api", flag.ExitOnError)
	followers := fl.Int("followers", 200, "")
	followings := fl.Int("followings", 200, "")
	own := fl.Int("own", 200, "")
	perFollowing := fl.Int("per-following", 200, "")
	latency := fl.Duration("latency", 0, "added to every response")
	fl.Parse(args)
	// The fake API stands in for a server on another machine: its CPU is
	// not the importer's, but here it shares the importer's two cores. Its
	// heap is mostly the generated world, which every collection scans
	// again; collecting a fifth as often leaves the cores to the importer.
	debug.SetGCPercent(500)
	world := twittertest.NewWorld(twittertest.WorldConfig{
		Seed: 42, Handle: "bench_user", Followers: *followers, Followings: *followings,
		OwnTweets: *own, TweetsPerFollowing: *perFollowing, Start: time.Now().AddDate(-10, 0, 0),
	})
	srv := twittertest.NewServer(world)
	defer srv.Close()
	srv.SetLatency(*latency)
	if err := json.NewEncoder(os.Stdout).Encode(fakeAPI{BaseURL: srv.BaseURL(), Credentials: srv.Credentials()}); err != nil {
		return err
	}
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// watchHeap samples the Go heap in use until the returned function is
// called, and returns the peak. With a memprofile path, it writes a heap
// profile there each time the heap in use reaches a new peak (at most once
// a second), so the file ends up showing what was live near the peak.
func watchHeap(memprofile string) func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var ms runtime.MemStats
		var written time.Time
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
				if memprofile != "" && time.Since(written) > time.Second {
					writeHeapProfile(memprofile)
					written = time.Now()
				}
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); <-stopped; return peak.Load() }
}

// writeHeapProfile writes the heap profile (in-use and allocated) to path.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: memprofile:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "bench: memprofile:", err)
	}
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "-"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))].Round(10 * time.Microsecond).String()
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func fileSize(p string) uint64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return uint64(fi.Size())
}

func dirSize(root string) uint64 {
	var n uint64
	filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += uint64(fi.Size())
			}
		}
		return nil
	})
	return n
}

// startProfile starts a CPU profile into path (nothing if path is empty)
// and returns the function that stops it; calling that twice is harmless.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}, nil
}
